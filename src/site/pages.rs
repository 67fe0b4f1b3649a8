//! Part of stage 4: the pages. Each published markdown file other than `_index.md` becomes a
//! [`Page`] with its URL (from [`page_url`]), its title (front matter, else the first
//! `# heading`, else the file name in words, with a warning), its section (the nearest
//! enclosing one) and its ancestors. Order, neighbours and bundle assets come later.

use std::collections::HashMap;

use super::sections::nearest_section;
use super::urls::{PageUrl, check_path, output_for_path, page_url};
use super::{Findings, Page, Section, published};
use crate::config::Config;
use crate::content::Document;
use crate::error::{Diagnostic, Span};

/// The pages of `docs` (drafts left out unless `--drafts`, and named in `found.drafts`), in the
/// order of `docs`, each placed in the nearest enclosing section of `sections` (`folders` maps
/// a content folder to its section). A page whose `path:` leaves the site, or whose name gives
/// no slug, is left out with an error in `found.errors`; a page without a title gets a warning
/// in `found.warnings`.
pub(super) fn pages(
    docs: Vec<Document>,
    sections: &[Section],
    folders: &HashMap<String, usize>,
    config: &Config,
    found: &mut Findings,
) -> Vec<Page> {
    use rayon::prelude::*;
    let docs: Vec<Document> = published(docs, config, &mut found.drafts).collect();
    // Made in parallel (about 9,000 instructions a page), then kept in order.
    let made: Vec<_> = docs
        .into_par_iter()
        .map(|doc| page(doc, sections, folders, config))
        .collect();
    // Sized once: a page is large, and doubling would leave up to half of it unused.
    let mut pages = Vec::with_capacity(made.len());
    for made in made {
        match made {
            Ok((page, warning)) => {
                found.warnings.extend(warning);
                pages.push(page);
            }
            Err(e) => found.errors.push(*e),
        }
    }
    pages
}

/// One page with its URL, title and section, and the warning for a missing title; or the
/// error that keeps it out of the site (boxed: it is rare and large).
pub(super) fn page(
    doc: Document,
    sections: &[Section],
    folders: &HashMap<String, usize>,
    config: &Config,
) -> Result<(Page, Option<Diagnostic>), Box<Diagnostic>> {
    let lang = config.split_language(&doc.relative);
    let PageUrl {
        url_folder,
        stem,
        slug,
        path,
    } = match &lang {
        Some((source, code)) => super::languages::translated_url(&doc, source, code, config),
        None => page_url(&doc),
    };
    let lang = lang.map_or_else(|| config.language.clone(), |(_, l)| l.to_string());
    check_path(&doc)?;
    if slug.is_empty() && doc.front.path.is_none() {
        let d = Diagnostic::error(format!(
            "cannot make a web address from the name of {}",
            doc.shown.display()
        ))
        .in_file(&doc.shown)
        .help("rename the file using letters or digits, or set `slug:` in its front matter");
        return Err(Box::new(d));
    }
    let (title, warning) = title(&doc, &stem);
    let section = nearest_section(&url_folder, &lang, folders, config);
    let mut ancestors = sections[section].ancestors.clone();
    ancestors.push(sections[section].relative.clone());
    let page = Page {
        title,
        slug,
        permalink: config.permalink(&path),
        output: output_for_path(&path),
        path,
        section,
        ancestors,
        higher: None,
        lower: None,
        assets: Vec::new(),
        lang,
        translations: Vec::new(),
        doc,
    };
    Ok((page, warning))
}

/// A page's title: front matter `title`, else its first `# heading`, else `stem` in words;
/// the last two with a warning pointing at the front matter, where the title belongs.
fn title(doc: &Document, stem: &str) -> (String, Option<Diagnostic>) {
    if let Some(t) = &doc.front.title {
        return (t.clone(), None);
    }
    let (title, from) = match first_h1(doc.body()) {
        Some(h) => (h, "its first heading"),
        None => (name_in_words(stem), "its file name"),
    };
    let mut d = Diagnostic::warning(format!(
        "{} has no title; using {from}: \"{title}\"",
        doc.shown.display()
    ))
    .in_file(&doc.shown)
    .help("add a line like `title: \"Your title\"` to the front matter");
    // Point at the front matter's opening `---`, where the title belongs.
    if doc.body_line > 1 {
        d = d.at(Span::new(1, 1, 3), &doc.source);
    }
    (title, Some(d))
}

/// A file name in words, for a missing title: `how-a-session-works` -> "How a session works".
pub fn name_in_words(stem: &str) -> String {
    let words = stem.replace(['-', '_'], " ");
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => stem.to_string(),
    }
}

/// The text of the first level-1 ATX heading (`# Title`) of a markdown body outside fenced code,
/// without a trailing `{#id}` or closing `#`s.
pub(crate) fn first_h1(body: &str) -> Option<String> {
    let mut fence: Option<&str> = None;
    for line in body.lines() {
        let t = line.trim_start();
        if line.len() - t.len() > 3 {
            continue;
        }
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if t.starts_with("```") {
            fence = Some("```");
            continue;
        }
        if t.starts_with("~~~") {
            fence = Some("~~~");
            continue;
        }
        if let Some(rest) = t.strip_prefix("# ") {
            let mut text = rest.trim();
            if let Some(i) = text.rfind(" {#").filter(|_| text.ends_with('}')) {
                text = &text[..i];
            }
            let text = text.trim_end_matches('#').trim();
            if !text.is_empty() {
                return Some(text.to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_words_and_first_heading() {
        assert_eq!(name_in_words("how-a-session-works"), "How a session works");
        assert_eq!(
            first_h1("intro\n\n# Real Title {#t}\n"),
            Some("Real Title".into())
        );
        assert_eq!(first_h1("```\n# not a title\n```\n## h2\n"), None);
    }
}
