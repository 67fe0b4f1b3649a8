//! Part of stage 4: a site in several languages (Zola's shape). `about.fr.md` is the French
//! translation of `about.md`, published under the language's prefix (`/fr/about/`, its own
//! `slug`/`path` honoured); `_index.fr.md` is the French home page or section, and each
//! language has a home page even without one. Each page and section learns its versions in
//! the other languages (`translations`). Errors: a translation without a source, two files
//! for one page and language. Nothing here runs for a site in one language.

use std::collections::HashMap;

use super::sections::folder_key;
use super::urls::{PageUrl, output_for_path, page_url_as};
use super::{Findings, Page, Section};
use crate::config::Config;
use crate::content::{Document, strip_markdown_ext};
use crate::error::{Diagnostic, Span};

/// The URL of the translation `doc` into `code`, whose source is `source` (`about.md`): the
/// source's URL rule applied to the translation's own front matter, under the language's
/// prefix (`/fr/about/`; `slug: a-propos` gives `/fr/a-propos/`).
pub(super) fn translated_url(doc: &Document, source: &str, code: &str, config: &Config) -> PageUrl {
    let mut url = page_url_as(doc, source);
    url.path = prefixed(&url.path, code, config);
    url
}

/// `path` under the prefix of language `code` (`/about/` -> `/fr/about/`); as it is when it
/// already starts with it (a `path: fr/a-propos` written in full).
fn prefixed(path: &str, code: &str, config: &Config) -> String {
    let prefix = config.language_prefix(code);
    let inside = path
        .strip_prefix(prefix.as_str())
        .is_some_and(|rest| rest.starts_with('/'));
    if prefix.is_empty() || inside {
        path.to_string()
    } else {
        format!("{prefix}{path}")
    }
}

/// Moves `section` (made at its default-language path) into language `code`.
pub(super) fn into_language(section: &mut Section, code: &str, config: &Config) {
    section.path = prefixed(&section.path, code, config);
    section.permalink = config.permalink(&section.path);
    section.output = output_for_path(&section.path);
    section.lang = code.to_string();
}

/// Adds the home page (`/fr/`) of each language that has no `_index.fr.md`, titled with the
/// language's `title`.
pub(super) fn homes(
    sections: &mut Vec<Section>,
    folders: &mut HashMap<String, usize>,
    config: &Config,
) {
    for lang in &config.languages[1..] {
        let key = folder_key("", &lang.code, config).into_owned();
        if folders.contains_key(&key) {
            continue;
        }
        let relative = config.translated_relative("_index.md", &lang.code);
        let mut home = Section::at(None, relative, lang.title.clone(), "/".into(), config);
        into_language(&mut home, &lang.code, config);
        folders.insert(key, sections.len());
        sections.push(home);
    }
}

/// The page a content path stands for, whatever its language and form: `about.md`,
/// `about.fr.md` and `about/index.fr.md` are all `about`.
fn page_key(relative: &str, config: &Config) -> String {
    let source = config
        .split_language(relative)
        .map_or_else(|| relative.to_string(), |(s, _)| s);
    let stem = strip_markdown_ext(&source);
    let stem = stem.strip_suffix("index").unwrap_or(stem);
    stem.trim_end_matches('/').to_string()
}

/// Sets `translations` on every page and section, in the order of `config.languages`; a
/// translation without a published source, or two files for one page in one language, is an
/// error in `found.errors` (the default language's doubles are output collisions, reported
/// there).
pub(super) fn link_translations(
    pages: &mut [Page],
    sections: &mut [Section],
    config: &Config,
    found: &mut Findings,
) {
    let order = |lang: &str| config.languages.iter().position(|l| l.code == lang);
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in pages.iter().enumerate() {
        groups
            .entry(page_key(&p.doc.relative, config))
            .or_default()
            .push(i);
    }
    for members in groups.values_mut() {
        members.sort_by(|&a, &b| {
            (order(&pages[a].lang), &pages[a].doc.relative)
                .cmp(&(order(&pages[b].lang), &pages[b].doc.relative))
        });
        let docs: Vec<(&Document, &str)> = members
            .iter()
            .map(|&i| (&pages[i].doc, pages[i].lang.as_str()))
            .collect();
        let has_source = docs.first().is_some_and(|(_, l)| *l == config.language);
        found
            .errors
            .extend(group_errors(&docs, has_source, config, &found.drafts));
        for &i in members.iter() {
            pages[i].translations.clone_from(members);
        }
    }
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, s) in sections.iter().enumerate() {
        groups
            .entry(page_key(&s.relative, config))
            .or_default()
            .push(i);
    }
    for members in groups.values_mut() {
        members.sort_by_key(|&i| order(&sections[i].lang));
        let docs: Vec<(&Document, &str)> = members
            .iter()
            .filter_map(|&i| Some((sections[i].doc.as_ref()?, sections[i].lang.as_str())))
            .collect();
        // The default home page has a source even without a file.
        let has_source = sections[members[0]].lang == config.language;
        found
            .errors
            .extend(group_errors(&docs, has_source, config, &found.drafts));
        for &i in members.iter() {
            sections[i].translations.clone_from(members);
        }
    }
}

/// The errors of one group of versions of a page (`docs`, in language order, each with its
/// language): a translation whose source is neither there (`has_source`) nor a draft
/// (`drafts`), and two files in one language other than the default.
fn group_errors(
    docs: &[(&Document, &str)],
    has_source: bool,
    config: &Config,
    drafts: &[String],
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for (k, (doc, lang)) in docs.iter().enumerate() {
        if *lang == config.language {
            continue;
        }
        if let Some((other, _)) = docs[..k].iter().find(|(_, l)| l == lang) {
            errors.push(
                at_top(
                    Diagnostic::error(format!(
                        "two files for one page in `{lang}`: {} and {}",
                        other.shown.display(),
                        doc.shown.display()
                    )),
                    doc,
                )
                .help("keep one of them: each page has one file per language"),
            );
            continue;
        }
        let source = config
            .split_language(&doc.relative)
            .map_or_else(|| doc.relative.clone(), |(s, _)| s);
        if !has_source && !drafts.contains(&source) {
            errors.push(
                at_top(
                    Diagnostic::error(format!(
                        "{} is a translation of {source}, which is not in content/",
                        doc.shown.display()
                    )),
                    doc,
                )
                .help(format!(
                    "write content/{source} first (the page in `{}`, the default language), or rename this file without `.{lang}` if it is not a translation",
                    config.language
                )),
            );
        }
    }
    errors
}

/// `d` in the file of `doc`, pointing at its first line.
fn at_top(d: Diagnostic, doc: &Document) -> Diagnostic {
    let first = doc.source.lines().next().unwrap_or_default();
    d.in_file(&doc.shown)
        .at(Span::new(1, 1, first.chars().count().max(1)), &doc.source)
}
