//! Part of stage 4: the sections. One per published `_index.md`, and the home page even
//! without `content/_index.md`; the home page is always `sections[0]`. Each section gets its
//! URL (its folder, slugified, or front matter `path`), its title, its parent (the nearest
//! enclosing section) and its ancestors. Pages, order and listings come later.

use std::collections::HashMap;

use super::urls::{check_path, folder_path, normalize_path, output_for_path, parent_folder};
use super::{Findings, Section, published};
use crate::config::Config;
use crate::content::Document;
use crate::error::Diagnostic;

/// The sections of `docs` (the `_index.md` files; drafts left out unless `--drafts`, and named
/// in `found.drafts`), the home page first, with parents, subsections (not yet in order) and
/// ancestors; and the map from a content folder (`""`, `blog`) to its section. An `_index.md`
/// whose `path:` leaves the site is left out with an error in `found.errors`.
pub(super) fn sections(
    mut docs: Vec<Document>,
    config: &Config,
    found: &mut Findings,
) -> (Vec<Section>, HashMap<String, usize>) {
    let mut sections = Vec::new();
    let mut folders: HashMap<String, usize> = HashMap::new();
    docs.sort_by(|a, b| a.relative.cmp(&b.relative));
    // A home page left out as a draft is made like a missing one (from `config.title`), so
    // the top sections and the pages at the top still have their parent.
    let home_left_out = |d: &Document| d.front.draft && !config.drafts;
    if !docs
        .iter()
        .any(|d| d.relative == "_index.md" && !home_left_out(d))
    {
        let home = "/".to_string();
        sections.push(Section::at(
            None,
            "_index.md".into(),
            config.title.clone(),
            home,
            config,
        ));
        folders.insert(String::new(), 0);
    }
    for doc in published(docs, config, &mut found.drafts) {
        let folder = parent_folder(&doc.relative).to_string();
        match section(doc, &folder, config) {
            Ok(s) => {
                folders.insert(
                    folder_key(&folder, &s.lang, config).into_owned(),
                    sections.len(),
                );
                sections.push(s);
            }
            Err(e) => found.errors.push(*e),
        }
    }
    if config.is_multilingual() {
        super::languages::homes(&mut sections, &mut folders, config);
    }
    home_first(&mut sections, &mut folders);
    parents(&mut sections, &folders, config);
    ancestors(&mut sections);
    (sections, folders)
}

impl Section {
    /// A section at the site path `path`, in the default language, with nothing placed
    /// under it yet.
    pub(super) fn at(
        doc: Option<Document>,
        relative: String,
        title: String,
        path: String,
        config: &Config,
    ) -> Section {
        Section {
            doc,
            relative,
            title,
            permalink: config.permalink(&path),
            output: output_for_path(&path),
            path,
            pages: Vec::new(),
            subsections: Vec::new(),
            parent: None,
            ancestors: Vec::new(),
            pagers: Vec::new(),
            feed: None,
            lang: config.language.clone(),
            translations: Vec::new(),
        }
    }
}

/// The section of the `_index.md` in `folder`: its URL and title (front matter, else the
/// folder name in words, the site title for the home page); or the error for a `path:` that
/// leaves the site.
fn section(doc: Document, folder: &str, config: &Config) -> Result<Section, Box<Diagnostic>> {
    check_path(&doc)?;
    let lang = config.split_language(&doc.relative).map(|(_, l)| l);
    let path = match &doc.front.path {
        Some(p) => normalize_path(p),
        None => folder_path(folder),
    };
    let title = doc.front.title.clone().unwrap_or_else(|| {
        if folder.is_empty() {
            lang.and_then(|l| config.language_named(l))
                .map_or_else(|| config.title.clone(), |l| l.title.clone())
        } else {
            super::name_in_words(folder.rsplit('/').next().unwrap_or(folder))
        }
    });
    let relative = doc.relative.clone();
    let mut section = Section::at(Some(doc), relative, title, path, config);
    if let Some(lang) = lang {
        super::languages::into_language(&mut section, lang, config);
    }
    Ok(section)
}

/// The key of a content folder in the map from folders to sections: the folder itself for
/// the default language (no work for a site in one language), `folder` + NUL + code for
/// another (a NUL is never in a file name).
pub(super) fn folder_key<'a>(
    folder: &'a str,
    lang: &str,
    config: &Config,
) -> std::borrow::Cow<'a, str> {
    if lang == config.language {
        std::borrow::Cow::Borrowed(folder)
    } else {
        std::borrow::Cow::Owned(format!("{folder}\0{lang}"))
    }
}

/// Moves the home page to index 0 (sorting by content path put `_index.md` first when it
/// exists, but the home page made without one was pushed first), keeping `folders` right.
fn home_first(sections: &mut [Section], folders: &mut HashMap<String, usize>) {
    let home = sections
        .iter()
        .position(|s| s.relative == "_index.md")
        .unwrap_or(0);
    if home == 0 {
        return;
    }
    sections.swap(0, home);
    for v in folders.values_mut() {
        if *v == 0 {
            *v = home;
        } else if *v == home {
            *v = 0;
        }
    }
}

/// The section a content folder belongs to: its own, else the nearest enclosing folder's,
/// else the home page.
/// The folders are those of the language `lang` (see [`folder_key`]); the home page of that
/// language when none encloses it.
pub(super) fn nearest_section(
    folder: &str,
    lang: &str,
    folders: &HashMap<String, usize>,
    config: &Config,
) -> usize {
    let mut f = folder;
    loop {
        if let Some(&i) = folders.get(folder_key(f, lang, config).as_ref()) {
            return i;
        }
        if f.is_empty() {
            return 0;
        }
        f = parent_folder(f);
    }
}

/// Sets each section's parent (the nearest enclosing section, the home page for the top ones)
/// and adds it to the parent's subsections, in the order of `sections`.
fn parents(sections: &mut [Section], folders: &HashMap<String, usize>, config: &Config) {
    for i in 1..sections.len() {
        let folder = parent_folder(&sections[i].relative);
        if folder.is_empty() {
            // The home page of another language: a top like the default one.
            continue;
        }
        let lang = sections[i].lang.as_str();
        let parent = nearest_section(parent_folder(folder), lang, folders, config);
        let parent = if parent == i { 0 } else { parent };
        sections[i].parent = Some(parent);
        sections[parent].subsections.push(i);
    }
}

/// Sets each section's ancestors: the content paths of its enclosing sections, from the home
/// page down.
fn ancestors(sections: &mut [Section]) {
    for i in 0..sections.len() {
        let mut chain = Vec::new();
        let mut p = sections[i].parent;
        while let Some(pi) = p {
            chain.push(sections[pi].relative.clone());
            p = sections[pi].parent;
            if chain.len() > sections.len() {
                break;
            }
        }
        chain.reverse();
        sections[i].ancestors = chain;
    }
}
