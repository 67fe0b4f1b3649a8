//! The translation check (issue 18; none of Zola, Hugo, Eleventy or Astro has it): a
//! translation older than its source may be out of date. A page's date is its front matter
//! `updated`, else `extra.reviewed`, else `date` (the day); when the source's is later than the
//! translation's, `check` warns, naming both files and both dates. Then one line per language:
//! how many pages are translated, and which menu pages are not. Nothing for a site in one
//! language.

use crate::config::{Config, translation_path};
use crate::content::Document;
use crate::error::{Diagnostic, Span};
use crate::site::{Item, SiteTree};

/// The day a document was last changed, as `YYYY-MM-DD`, and the front-matter key it comes
/// from: `updated`, else `extra.reviewed`, else `date`.
fn last_change(doc: &Document) -> Option<(String, &'static str)> {
    let f = &doc.front;
    if let Some(d) = &f.updated {
        return Some((d.date_string(), "updated"));
    }
    let reviewed = f
        .extra
        .as_ref()
        .and_then(|e| e.get("reviewed"))
        .and_then(|v| v.as_str())
        .and_then(super::health::date_of);
    if let Some(d) = reviewed {
        return Some((d.to_string(), "reviewed"));
    }
    f.date.as_ref().map(|d| (d.date_string(), "date"))
}

/// The warning for `translation` when `source` changed after it, at the translation's line
/// with the key its date comes from.
fn out_of_date(source: &Document, translation: &Document) -> Option<Diagnostic> {
    let (source_day, _) = last_change(source)?;
    let (day, key) = last_change(translation).unwrap_or_default();
    if source_day <= day {
        return None;
    }
    let this = if day.is_empty() {
        "this translation has no date".to_string()
    } else {
        format!("this translation on {day}")
    };
    let mut d = Diagnostic::warning(format!(
        "{} may be out of date: {} was updated on {source_day}, {this}",
        translation.relative, source.relative
    ))
    .in_file(&translation.shown)
    .help(format!(
        "bring the translation up to date with {}, then set `updated: {source_day}` (or later) in its front matter",
        source.shown.display()
    ));
    let line = translation
        .source
        .lines()
        .position(|l| !key.is_empty() && l.trim_start().starts_with(&format!("{key}:")))
        .map_or(1, |i| i + 1);
    let text = translation.source.lines().nth(line - 1).unwrap_or_default();
    let indent = text.len() - text.trim_start().len();
    d = d.at(
        Span::new(line, indent + 1, text.trim().chars().count().max(1)),
        &translation.source,
    );
    Some(d)
}

/// The translation check: a warning for each translation older than its source, and one note
/// per language other than the default (`fr: 2 of 3 pages translated; not translated from the
/// menu: Prices (prices.md)`).
pub fn translation_checks(config: &Config, tree: &SiteTree) -> (Vec<Diagnostic>, Vec<String>) {
    if !config.is_multilingual() {
        return (Vec::new(), Vec::new());
    }
    let mut warnings = Vec::new();
    for p in &tree.pages {
        let Some(&first) = p.translations.first() else {
            continue;
        };
        let source = &tree.pages[first];
        if p.lang != config.language && source.lang == config.language {
            warnings.extend(out_of_date(&source.doc, &p.doc));
        }
    }
    for s in &tree.sections {
        let source = s.translations.first().map(|&i| &tree.sections[i]);
        if let (Some(doc), Some(source)) = (&s.doc, source)
            && s.lang != config.language
            && let Some(source_doc) = &source.doc
        {
            warnings.extend(out_of_date(source_doc, doc));
        }
    }
    let notes = config.languages[1..]
        .iter()
        .map(|lang| language_line(config, tree, &lang.code))
        .collect();
    (warnings, notes)
}

/// The line of one language: pages of the default language translated into `code`, and the
/// default menu's pages that are not.
fn language_line(config: &Config, tree: &SiteTree, code: &str) -> String {
    let sources: Vec<_> = tree
        .pages
        .iter()
        .filter(|p| p.lang == config.language)
        .collect();
    let translated = sources
        .iter()
        .filter(|p| p.translations.iter().any(|&j| tree.pages[j].lang == code))
        .count();
    let missing: Vec<String> = config
        .menu
        .iter()
        .filter_map(|m| {
            let relative = m.url.strip_prefix("@/")?.split('#').next()?;
            tree.get(relative)?;
            let has = matches!(
                tree.get(&translation_path(relative, code)),
                Some(Item::Page(_) | Item::Section(_))
            );
            (!has).then(|| format!("{} ({relative})", m.name))
        })
        .collect();
    let menu = if missing.is_empty() {
        "every menu page is translated".to_string()
    } else {
        format!("not translated from the menu: {}", missing.join(", "))
    };
    format!(
        "{code}: {translated} of {} pages translated; {menu}",
        sources.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_translation_older_than_its_source_is_named_with_both_dates() {
        let source = Document::for_test("about.md", "---\ntitle: A\nupdated: 2026-12-01\n---\n");
        let old = Document::for_test(
            "about.fr.md",
            "---\ntitle: B\ndate: 2026-11-01\nupdated: 2026-11-20\n---\n",
        );
        let d = out_of_date(&source, &old).unwrap();
        assert_eq!(
            d.message,
            "about.fr.md may be out of date: about.md was updated on 2026-12-01, this translation on 2026-11-20"
        );
        assert_eq!(d.span.unwrap().line, 4);
        let fresh = Document::for_test("about.fr.md", "---\ntitle: B\nupdated: 2026-12-02\n---\n");
        assert!(out_of_date(&source, &fresh).is_none());
        let reviewed = Document::for_test(
            "about.fr.md",
            "---\ntitle: B\ndate: 2026-01-01\nextra:\n  reviewed: 2026-12-01\n---\n",
        );
        assert!(
            out_of_date(&source, &reviewed).is_none(),
            "reviewed counts before date"
        );
    }
}
