//! The checks of a page's markdown body: images without alt text, skipped heading levels and
//! extra h1 headings, vague link text and bare addresses as link text; and the page's external
//! links, collected for `check --external`. The body is walked with pulldown-cmark's offset
//! iterator, with the markdown stage's options and offset-to-line mapping, so every warning
//! points at the place in the file; raw HTML in the body is checked like markdown.

use pulldown_cmark::{Event, LinkType, Tag, TagEnd};

use super::{ContentFindings, ExternalLink, is_http};
use crate::content::Document;
use crate::error::line_text as line_of;
use crate::error::{Diagnostic, Span};
use crate::html::{attr_value, fixed_paths, has_attribute, html_tags};
use crate::markdown::{self, Positions};

/// Link texts that say nothing about where a link goes (WCAG 2.2, 2.4.4 "Link Purpose"),
/// compared in lower case without surrounding punctuation.
pub const VAGUE_LINK_TEXTS: &[&str] = &[
    "click here",
    "click",
    "here",
    "read more",
    "more",
    "learn more",
    "this link",
    "link",
    "this",
    "this page",
    "go",
];

/// A link or image being read: its start, destination and the text inside it so far.
struct Open {
    /// An `<a>` written as raw HTML (its address is collected with the raw HTML).
    raw: bool,
    image: bool,
    range: std::ops::Range<usize>,
    dest: String,
    autolink: bool,
    text: String,
}

impl Open {
    fn new(range: std::ops::Range<usize>, dest: String) -> Self {
        Open {
            raw: false,
            image: false,
            range,
            dest,
            autolink: false,
            text: String::new(),
        }
    }
}

/// Checks a page's markdown body (see the module docs), adding its warnings and external links
/// to `out`. `h1_in_output` is the number of h1 headings on the built page, when it was built.
pub(super) fn check_body(doc: &Document, h1_in_output: Option<usize>, out: &mut ContentFindings) {
    let body = doc.body();
    let mut walk = Body {
        doc,
        positions: Positions::new(body, doc.body_line),
        previous_level: 1,
        markdown_h1: Vec::new(),
        open: Vec::new(),
        done: Vec::new(),
        out,
    };
    // A body the markdown parser fails on is not checked here (the build reports it).
    let events = markdown::events(body, markdown::options()).unwrap_or_default();
    for (event, range) in events {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                walk.heading(markdown::heading_level(level), range);
            }
            Event::Start(Tag::Image { dest_url, .. }) => walk.open.push(Open {
                image: true,
                ..Open::new(range, dest_url.to_string())
            }),
            Event::Start(Tag::Link {
                dest_url,
                link_type,
                ..
            }) => walk.open.push(Open {
                autolink: link_type == LinkType::Autolink,
                ..Open::new(range, dest_url.to_string())
            }),
            Event::Html(html) | Event::InlineHtml(html) => walk.raw_html(&html, range),
            Event::Text(t) | Event::Code(t) => {
                walk.open.iter_mut().for_each(|o| o.text.push_str(&t))
            }
            Event::SoftBreak | Event::HardBreak => {
                walk.open.iter_mut().for_each(|o| o.text.push(' '));
            }
            Event::End(TagEnd::Image) | Event::End(TagEnd::Link) => {
                if let Some(o) = walk.open.pop() {
                    walk.done.push(o);
                }
            }
            _ => {}
        }
        for o in std::mem::take(&mut walk.done) {
            walk.finished(o);
        }
    }
    walk.h1_count(h1_in_output);
}

/// The walk over one body: where it is in the heading levels and in the links and images.
struct Body<'a> {
    doc: &'a Document,
    positions: Positions<'a>,
    /// The level of the heading before; the page title is the h1 (design.md: themes show
    /// `page.title` as the main heading).
    previous_level: u8,
    /// Where the body has `#` headings.
    markdown_h1: Vec<Span>,
    /// Links and images being read, innermost last.
    open: Vec<Open>,
    /// Links and images read to their end, to check.
    done: Vec<Open>,
    out: &'a mut ContentFindings,
}

impl Body<'_> {
    fn span(&mut self, range: std::ops::Range<usize>) -> Span {
        let s = self.positions.span(range);
        Span::new(s.line, s.col, s.len)
    }

    fn warn(&self, message: String, span: Span) -> Diagnostic {
        Diagnostic::warning(message)
            .in_file(&self.doc.shown)
            .at(span, &self.doc.source)
    }

    fn external(&mut self, url: &str, at: Span) {
        self.out.external.push(ExternalLink {
            url: url.to_string(),
            file: self.doc.shown.clone(),
            span: Some(at),
            line_text: line_of(&self.doc.source, at.line),
        });
    }

    /// A heading: an h1 is noted (see [`Body::h1_count`]); a level skipped is a warning.
    fn heading(&mut self, level: u8, range: std::ops::Range<usize>) {
        let at = self.span(range);
        let previous_level = self.previous_level;
        if level == 1 {
            self.markdown_h1.push(at);
        } else if level > previous_level + 1 {
            let d = self
                .warn(
                    format!("heading level skipped: an h{level} follows an h{previous_level}"),
                    at,
                )
                .label(format!("h{level}"))
                .help(format!(
                    "use `{}` for this heading (the page title is the h1, so the first heading of a page is `##`); screen-reader users move through a page by heading levels",
                    "#".repeat(usize::from(previous_level) + 1)
                ));
            self.out.diagnostics.push(d);
        }
        self.previous_level = level;
    }

    /// Raw HTML in markdown, as in reference lists: its addresses, its `<img>` tags and its
    /// `<a>` link texts are checked like markdown's.
    fn raw_html(&mut self, html: &str, range: std::ops::Range<usize>) {
        let source = self.doc.body().get(range.clone()).unwrap_or_default();
        let at_text = |needle: &str| source.find(needle).map_or(range.start, |i| range.start + i);
        for (_, url) in fixed_paths(html) {
            if is_http(url) {
                let start = at_text(url);
                let at = self.span(start..start + url.len());
                self.external(url, at);
            }
        }
        for tag in html_tags(html, "img") {
            if !has_attribute(tag.text, "alt") {
                let start = at_text(tag.text);
                let at = self.span(start..start + tag.text.len());
                let src = attr_value(tag.text, "src").unwrap_or_default();
                let d = self
                    .warn(format!("an image has no alt text: `{src}`"), at)
                    .label("no alt attribute")
                    .help("add alt=\"…\" describing what the image shows, or alt=\"\" if it is only decoration");
                self.out.diagnostics.push(d);
            }
        }
        self.raw_links(html, at_text);
    }

    /// The `<a>` tags of raw HTML: one closed in the same HTML is done; one left open is read on
    /// through the markdown events, until an HTML `</a>` closes it.
    fn raw_links(&mut self, html: &str, at_text: impl Fn(&str) -> usize) {
        let lower = html.to_ascii_lowercase();
        for tag in html_tags(html, "a") {
            let start = at_text(tag.text);
            let after = tag.start + tag.text.len();
            let dest = attr_value(tag.text, "href").unwrap_or_default().to_string();
            let mut o = Open {
                raw: true,
                ..Open::new(start..start + tag.text.len(), dest)
            };
            match lower.get(after..).and_then(|r| r.find("</a")) {
                Some(end) => {
                    o.text = link_text(&html[after..after + end]);
                    self.done.push(o);
                }
                None => self.open.push(o),
            }
        }
        if lower.contains("</a")
            && !lower.contains("<a")
            && self.open.last().is_some_and(|o| o.raw)
            && let Some(o) = self.open.pop()
        {
            self.done.push(o);
        }
    }

    /// A link or image read to its end: its address if external, its alt or link text.
    fn finished(&mut self, o: Open) {
        let at = self.span(o.range.clone());
        let text = o.text.trim();
        if is_http(&o.dest) && !o.raw {
            self.external(&o.dest, at);
        }
        if o.image {
            if text.is_empty() {
                let d = self
                    .warn(format!("an image has no alt text: `{}`", o.dest), at)
                    .label("no alt text")
                    .help("describe what the image shows between the brackets, like `![The treatment room, with a padded table](room.jpg)`; people who cannot see it hear this text instead");
                self.out.diagnostics.push(d);
            }
        } else if let Some(d) = link_text_problem(text, &o.dest, o.autolink) {
            let d = self.warn(d.0, at).label(d.1).help(d.2);
            self.out.diagnostics.push(d);
        }
    }

    /// More than one h1 on the built page. Without the built page (the build failed), assume
    /// the template shows the title as the h1, as the default theme does.
    fn h1_count(self, h1_in_output: Option<usize>) {
        let h1_total = h1_in_output.unwrap_or(self.markdown_h1.len() + 1);
        if h1_total <= 1 {
            return;
        }
        if self.markdown_h1.is_empty() {
            self.out.diagnostics.push(
                Diagnostic::warning(format!(
                    "{} has {h1_total} main headings (h1) once built; a page should have one",
                    self.doc.shown.display()
                ))
                .in_file(&self.doc.shown)
                .help("the extra h1 headings come from the template: change the template to use one <h1>, for the page title"),
            );
            return;
        }
        for &at in &self.markdown_h1 {
            let d = self
                .warn(
                    "a second main heading (h1): the page title is already the page's h1".into(),
                    at,
                )
                .label("h1")
                .help("use `##` for headings inside a page; the title comes from `title:` in the front matter");
            self.out.diagnostics.push(d);
        }
    }
}

/// The words of a raw HTML link's content: its text without tags, whitespace collapsed, and
/// without a `>` outside a tag (which this check has always left out).
fn link_text(inner: &str) -> String {
    crate::html::strip_tags(inner, None)
        .replace('>', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// (message, label, help) for link text that does not say where a link goes.
fn link_text_problem(text: &str, dest: &str, autolink: bool) -> Option<(String, String, String)> {
    if dest.starts_with("mailto:") || dest.starts_with("tel:") {
        return None;
    }
    let lower = text.to_lowercase();
    if autolink
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("www.")
    {
        return Some((
            format!("a web address is used as link text: `{text}`"),
            "bare web address".into(),
            "write words that say where the link goes, like `[the 2020 review by Haller](https://…)`; screen readers read addresses out letter by letter".into(),
        ));
    }
    let core = lower.trim_matches(|c: char| !c.is_alphanumeric());
    if VAGUE_LINK_TEXTS.contains(&core) {
        return Some((
            format!("link text that does not say where it goes: \"{text}\""),
            "vague link text".into(),
            "make the link text say where it goes, like `see [how a session works](@/how-a-session-works.md)`; many people scan a page's links on their own".into(),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::tests::doc;

    #[test]
    fn vague_and_bare_link_texts() {
        let vague = |t: &str| link_text_problem(t, "@/x.md", false).map(|p| p.1);
        assert_eq!(vague("Click here!").as_deref(), Some("vague link text"));
        assert_eq!(vague("here").as_deref(), Some("vague link text"));
        assert_eq!(vague("Read more…").as_deref(), Some("vague link text"));
        assert_eq!(vague("this link").as_deref(), Some("vague link text"));
        assert_eq!(
            vague("www.example.org").as_deref(),
            Some("bare web address")
        );
        assert_eq!(vague("read more about the 2020 review"), None);
        assert_eq!(vague("where we are"), None);
        assert_eq!(link_text_problem("a@b.c", "mailto:a@b.c", true), None);
        assert!(link_text_problem("https://x.org", "https://x.org", true).is_some());
    }

    fn body_findings(body: &str) -> (Vec<(usize, usize, String)>, Vec<String>) {
        let d = doc(&format!("---\ntitle: T\ndescription: D.\n---\n{body}"));
        let mut out = ContentFindings::default();
        check_body(&d, Some(1), &mut out);
        (
            out.diagnostics
                .iter()
                .map(|d| {
                    let s = d.span.unwrap();
                    (s.line, s.col, d.message.clone())
                })
                .collect(),
            out.external.iter().map(|l| l.url.clone()).collect(),
        )
    }

    #[test]
    fn raw_html_links_and_images_are_checked_like_markdown() {
        let (diags, external) = body_findings(
            "Inline <a href=\"https://x.org/a\">click here</a> and\n\n<p><a href='https://x.org/b'>read <em>more</em></a> <img src=\"/i.png\"></p>\n\n[fine](https://x.org/c#part) <a href=\"/ok/\">our prices</a>\n",
        );
        assert_eq!(
            diags,
            [
                (
                    5,
                    8,
                    "link text that does not say where it goes: \"click here\"".to_string()
                ),
                (7, 53, "an image has no alt text: `/i.png`".to_string()),
                (
                    7,
                    4,
                    "link text that does not say where it goes: \"read more\"".to_string()
                ),
            ]
        );
        assert_eq!(
            external,
            ["https://x.org/a", "https://x.org/b", "https://x.org/c#part"]
        );
    }

    #[test]
    fn headings_are_measured_from_the_title() {
        let (diags, _) = body_findings("### Too deep\n\n## Fine\n\n### Fine\n\n##### Skips\n");
        let lines: Vec<(usize, &str)> = diags.iter().map(|d| (d.0, d.2.as_str())).collect();
        assert_eq!(
            lines,
            [
                (5, "heading level skipped: an h3 follows an h1"),
                (11, "heading level skipped: an h5 follows an h3")
            ]
        );
    }

    #[test]
    fn raw_link_text_drops_tags_and_stray_closing_brackets() {
        assert_eq!(link_text(" read <em>more</em>\n now > "), "read more now");
    }
}
