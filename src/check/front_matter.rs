//! The checks of a page's front matter: a title too long for search results, a missing, empty
//! or too long description, and two pages with the same title; each warning at the field, or
//! at the front matter's opening `---` when the field is not there.

use std::collections::HashMap;
use std::path::Path;

use crate::content::Document;
use crate::error::{Diagnostic, Span};

/// Titles longer than this many characters are cut off in search results (Google shows about
/// 50–60 characters).
pub const MAX_TITLE: usize = 60;

/// Descriptions longer than this many characters are cut off in search results (about 155–160).
pub const MAX_DESCRIPTION: usize = 160;

/// Where the front matter starts, for problems about a field that is not there: the opening
/// `---` (line 1), or nothing when the file has no front matter.
pub(super) fn fence_span(doc: &Document) -> Option<Span> {
    (doc.body_line > 1).then(|| Span::new(1, 1, 3))
}

fn at_field(d: Diagnostic, doc: &Document, field: &str) -> Diagnostic {
    match crate::yaml::key_value_span(front_matter_text(doc), field) {
        Some(span) => d.at(span, &doc.source),
        None => match fence_span(doc) {
            Some(span) => d.at(span, &doc.source),
            None => d,
        },
    }
}

/// The source up to the end of the front matter (so a body line like `title: x` is not taken
/// for the field).
pub(super) fn front_matter_text(doc: &Document) -> &str {
    doc.source.get(..doc.body_start).unwrap_or_default()
}

pub(super) fn check_front_matter<'a>(
    doc: &'a Document,
    title: &str,
    titles: &mut HashMap<String, &'a Path>,
    out: &mut Vec<Diagnostic>,
) {
    let n = title.chars().count();
    if doc.front.title.is_some() && n > MAX_TITLE {
        out.push(
            at_field(
                Diagnostic::warning(format!(
                    "the title is {n} characters long; search engines show about {MAX_TITLE}"
                )),
                doc,
                "title",
            )
            .in_file(&doc.shown)
            .label(format!("{n} characters"))
            .help(format!("shorten the title to {MAX_TITLE} characters or fewer; put the rest in `description:`")),
        );
    }
    let key = title.trim().to_lowercase();
    if !key.is_empty() {
        match titles.get(&key) {
            Some(first) => out.push(
                at_field(
                    Diagnostic::warning(format!(
                        "two pages have the title \"{title}\": this one and {}",
                        first.display()
                    )),
                    doc,
                    "title",
                )
                .in_file(&doc.shown)
                .label("same title as another page")
                .help("give each page its own title, so search results and browser tabs tell them apart"),
            ),
            None => {
                titles.insert(key, &doc.shown);
            }
        }
    }
    match &doc.front.description {
        None => out.push(
            at_field(
                Diagnostic::warning(format!("{} has no description", doc.shown.display())),
                doc,
                "description",
            )
            .in_file(&doc.shown)
            .help("add a line like `description: \"One or two sentences about this page.\"` to the front matter; search engines show it under the title"),
        ),
        Some(d) if d.trim().is_empty() => out.push(
            at_field(Diagnostic::warning("the description is empty"), doc, "description")
                .in_file(&doc.shown)
                .help("write one or two sentences about this page; search engines show them under the title"),
        ),
        Some(d) => {
            let n = d.chars().count();
            if n > MAX_DESCRIPTION {
                out.push(
                    at_field(
                        Diagnostic::warning(format!(
                            "the description is {n} characters long; search engines show about {MAX_DESCRIPTION}"
                        )),
                        doc,
                        "description",
                    )
                    .in_file(&doc.shown)
                    .label(format!("{n} characters"))
                    .help(format!("shorten the description to {MAX_DESCRIPTION} characters or fewer")),
                );
            }
        }
    }
}
