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

/// `d` at the front-matter `field` of `doc`, else at the front matter's fence, else without a
/// place.
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

/// The front-matter checks of one page or section (see the module docs). `title` is the title
/// the page is shown with; `titles` holds the titles seen so far (lower case) with the first
/// file that had each, for the duplicate check.
pub(super) fn check_front_matter<'a>(
    doc: &'a Document,
    title: &str,
    titles: &mut HashMap<String, &'a Path>,
    out: &mut Vec<Diagnostic>,
) {
    let n = title.chars().count();
    if doc.front.title.is_some() && n > MAX_TITLE {
        out.push(too_long(
            doc,
            "title",
            n,
            MAX_TITLE,
            "; put the rest in `description:`",
        ));
    }
    let key = title.trim().to_lowercase();
    if !key.is_empty() {
        match titles.get(&key) {
            Some(first) => out.push(
                warning(
                    doc,
                    "title",
                    format!(
                        "two pages have the title \"{title}\": this one and {}",
                        first.display()
                    ),
                )
                .label("same title as another page")
                .help("give each page its own title, so search results and browser tabs tell them apart"),
            ),
            None => {
                titles.insert(key, &doc.shown);
            }
        }
    }
    check_description(doc, out);
}

fn check_description(doc: &Document, out: &mut Vec<Diagnostic>) {
    match &doc.front.description {
        None => out.push(
            warning(doc, "description", format!("{} has no description", doc.shown.display()))
                .help("add a line like `description: \"One or two sentences about this page.\"` to the front matter; search engines show it under the title"),
        ),
        Some(d) if d.trim().is_empty() => out.push(
            warning(doc, "description", "the description is empty")
                .help("write one or two sentences about this page; search engines show them under the title"),
        ),
        Some(d) => {
            let n = d.chars().count();
            if n > MAX_DESCRIPTION {
                out.push(too_long(doc, "description", n, MAX_DESCRIPTION, ""));
            }
        }
    }
}

/// A warning in `doc` at its front-matter `field` (see [`at_field`]).
fn warning(doc: &Document, field: &str, message: impl Into<String>) -> Diagnostic {
    at_field(Diagnostic::warning(message), doc, field).in_file(&doc.shown)
}

/// The warning for a `field` of `n` characters where search engines show about `max`; `more`
/// ends the help.
fn too_long(doc: &Document, field: &str, n: usize, max: usize, more: &str) -> Diagnostic {
    warning(
        doc,
        field,
        format!("the {field} is {n} characters long; search engines show about {max}"),
    )
    .label(format!("{n} characters"))
    .help(format!(
        "shorten the {field} to {max} characters or fewer{more}"
    ))
}
