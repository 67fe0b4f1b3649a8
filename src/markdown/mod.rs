//! Stage 5, markdown: one page body (markdown after the front matter) in, [`Rendered`] out.
//!
//! In: the body text, the file line where it starts, and a [`LinkResolver`] from the site tree
//! that says what each link target points at. Out: the HTML, the summary, the table of contents,
//! every id on the page, a word count, the anchors that must be checked on other pages, and the
//! broken links with their file positions. (The page title's fallback, the first `# ` heading,
//! is `site::first_h1`'s, not this module's.)
//!
//! The pulldown-cmark options live here and nowhere else (`options`). Heading ids follow Zola:
//! `{#custom}` wins, otherwise the slug of the heading's text, made unique on the page with
//! `-1`, `-2`… suffixes.
//!
//! This module does not decide URLs (the site tree does, through [`LinkResolver`]), does not check
//! anchors on other pages (`check.rs` does, from [`Rendered::anchors`] and [`Rendered::ids`]), does
//! not expand shortcodes, and never prints or panics: every input renders to something. A body
//! that pulldown-cmark itself fails on renders to nothing with one error at the line that sets
//! it off ([`ParserFailure`]).
//!
//! [`render_mapped`] runs three passes over pulldown-cmark's events: the ids that headings must
//! avoid (`ids.rs`), one walk that fills in everything else (`walker.rs`, with link resolution
//! in `links.rs`), and the HTML write (`write_html`). Before the write, and only for a body
//! with a code fence or a `$` in it, code is highlighted (`highlight.rs`) and math made MathML
//! (`math.rs`), as `markdown:` in config.yaml asks.

use std::cell::Cell;
use std::fmt;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::error::Diagnostic;

pub(crate) use crate::error::Positions;
/// Where the shortcode step's text came from; it lives with the other position helpers.
pub use crate::error::SourceMap;
/// Positions in this module's results are the crate's one [`Span`] type (the name is kept
/// here for the callers that wrote `markdown::Span`).
pub use crate::error::Span;

mod extras;
mod hooks;
mod highlight;
mod ids;
mod links;
mod math;
mod summary;
mod settings;
mod walker;

pub use hooks::{Hook, ImageSource, ImageVariant, Picture};
pub(crate) use ids::scan_html_ids;
pub use ids::slugify_id;
pub use settings::Settings;
pub(crate) use summary::close_open_elements;
use walker::{SummaryBounds, Walker};

/// What a link target found in markdown points at, decided by the site tree (not by this module).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// Leave the href as written (external URL, mailto:, tel:, absolute path, etc.).
    External,
    /// Internal link: replace the href with `url`. If `anchor` is Some, the anchor must be checked
    /// later against the heading/element ids of the page whose source path is `page` (e.g. "faq.md").
    Internal {
        url: String,
        page: String,
        anchor: Option<String>,
    },
    /// The target names no page: report it. An error without a file or place (the caller adds
    /// them); its message e.g. "link to a page that does not exist: `@/fq.md`", its help e.g.
    /// "did you mean `@/faq.md`?".
    Broken(Box<crate::error::Diagnostic>),
}

/// Resolves link targets for one page (it knows which page is being rendered, so `#anchor` and relative
/// `x.md` links can be resolved). Implemented by the site tree.
pub trait LinkResolver {
    /// Input: a link or image destination exactly as written in the markdown (`@/faq.md#x`,
    /// `../evidence.md`, `https://…`, `#top`), except that an email autolink `<a@b.c>` is passed
    /// as `mailto:a@b.c`. Output: what it points at.
    fn resolve(&self, target: &str) -> LinkTarget;

    /// Input: an image destination as written, that [`resolve`](Self::resolve) did not report
    /// as broken; its alt text and title as plain text; and whether it is the first image of the
    /// page body. Output: what to write in place of pulldown-cmark's `<img>` (images.rs makes a
    /// responsive `<picture>`). The default keeps the `<img>`.
    fn image(&self, _target: &str, _alt: &str, _title: &str, _first: bool) -> ImageHtml {
        ImageHtml::Keep
    }

    /// Whether the page's templates write `id` around the body themselves (`<main id="main">`
    /// in a site's own `base.html`): a heading whose text makes that id gets a suffix instead
    /// (`## Main` → `main-1`), so the page never has the id twice. The default: no such ids.
    fn is_template_id(&self, _id: &str) -> bool {
        false
    }

    /// Whether the render hook `hook` exists (`templates/markdown/image.html`…, the site's or
    /// the theme's). The default: none, and markdown is written by pulldown-cmark alone.
    fn has_hook(&self, _hook: Hook) -> bool {
        false
    }

    /// Renders the hook `hook` with `context` (its variables, see hooks.rs). Only called when
    /// [`has_hook`](Self::has_hook) says it exists. Errors: the template's error as a problem
    /// without a place (the caller puts it at the element), naming the hook's file and line.
    fn render_hook(&self, _hook: Hook, _context: tera::Context) -> Result<String, Box<Diagnostic>> {
        Ok(String::new())
    }
}

/// What [`LinkResolver::image`] says to write for a markdown image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageHtml {
    /// pulldown-cmark's `<img>`, as written.
    Keep,
    /// This HTML instead (alt text and title included).
    Html(String),
    /// A responsive image: its built-in HTML, and what an image hook receives instead.
    Picture(Box<Picture>),
    /// The image cannot be used: reported like a broken link, at the image.
    Broken {
        /// What is wrong, naming the file.
        message: String,
        /// What to do.
        help: Option<String>,
    },
}

/// A link whose anchor must exist on another (or the same) page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorRef {
    /// Source path of the page that must hold the anchor, as given by the resolver.
    pub page: String,
    /// The id that must exist on that page (without `#`).
    pub anchor: String,
    /// The link target as written in the markdown.
    pub target: String,
    /// Where the link is in the source file.
    pub span: Span,
}

/// One entry of a page's table of contents (the template context's `toc`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    /// 1..=6, as in `<h1>`..`<h6>`.
    pub level: u8,
    /// The heading's id attribute (unique on the page).
    pub id: String,
    /// Plain text of the heading: no tags, smart punctuation applied.
    pub title: String,
    /// Headings of a deeper level that follow this one, up to the next heading of its level or higher.
    pub children: Vec<Heading>,
}

/// Everything [`render`] learns about a page body.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// The body as HTML.
    pub html: String,
    /// HTML before the first `<!-- more -->` written as HTML (at any depth, or inline; not in
    /// code), with the elements open there closed (summary.rs); else the first top-level
    /// paragraph's HTML; None if neither has anything in it.
    pub summary: Option<String>,
    /// Table of contents: headings of level 2..=6 nested by level (a level-1 heading, if any, is not in the toc;
    /// if a level is skipped, e.g. h2 then h4, the h4 becomes a child of the h2).
    pub toc: Vec<Heading>,
    /// Every id attribute in `html`: heading ids, footnote ids, and ids in raw HTML blocks/inline HTML
    /// (scan `id="..."` / `id='...'`). In document order, each id once.
    pub ids: Vec<String>,
    /// Whitespace-separated words in the text, code included (not in tags or raw HTML).
    pub word_count: usize,
    /// Internal links with an anchor, to be checked once every page is rendered.
    pub anchors: Vec<AnchorRef>,
    /// Headings whose text makes an id the templates write ([`LinkResolver::is_template_id`]):
    /// (that id, the heading's id instead), so a link to the first can say where it lands.
    pub template_clashes: Vec<(String, String)>,
    /// Broken links and images, in document order: errors labelled "broken link" at their place
    /// in the file, without the file itself (the caller adds it with
    /// [`Diagnostic::found_in`]). The message and help come from [`LinkTarget::Broken`] or
    /// [`ImageHtml::Broken`], or say that an address with a space left a link as text.
    pub problems: Vec<Diagnostic>,
}

/// The markdown dialect with the default [`Settings`]: what the scanners that only read a body's
/// structure parse with (code ranges, placeholders, content checks); rendering uses the site's
/// own [`Settings::options`].
pub(crate) fn options() -> Options {
    Settings::default().options()
}

/// pulldown-cmark's events for `text` parsed with `options`, each with its byte range in
/// `text`: the one way stillpoint calls the markdown parser.
///
/// Errors: [`ParserFailure`] when pulldown-cmark panics on the text (it has bugs that a few
/// unusual inputs set off, see [`crate::panics`]); the panic is caught, and the failure names
/// the line to report.
pub fn events(
    text: &str,
    options: Options,
) -> Result<Vec<(Event<'_>, Range<usize>)>, ParserFailure> {
    crate::panics::catch(|| Parser::new_ext(text, options).into_offset_iter().collect()).map_err(
        |reason| ParserFailure {
            line: failing_line(text, options),
            reason,
        },
    )
}

/// The line that makes pulldown-cmark fail on `text`, which it fails on: the last line of the
/// shortest run of whole lines from the start of `text` that fails too, found by halving (a
/// few parses of a prefix, only after a failure). Byte range without the line break (an empty
/// line's is its line break); `0..0` for an empty text.
fn failing_line(text: &str, options: Options) -> Range<usize> {
    let parses = |end: usize| {
        crate::panics::catch(|| {
            Parser::new_ext(&text[..end], options)
                .into_offset_iter()
                .count()
        })
        .is_ok()
    };
    let mut ends: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes())
        .map(|i| i + 1)
        .collect();
    if ends.last() != Some(&text.len()) {
        ends.push(text.len());
    }
    // The whole text fails, so the last end is a failing one; find the first.
    let (mut lo, mut hi) = (0, ends.len() - 1);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if parses(ends[mid]) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let start = if lo == 0 { 0 } else { ends[lo - 1] };
    let line = text[start..ends[lo]].trim_end_matches(['\n', '\r']);
    if line.is_empty() {
        // An empty line: its line break, so that the range shows something.
        return start..ends[lo];
    }
    start..start + line.len()
}

/// pulldown-cmark failed on a text ([`events`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParserFailure {
    /// The line that sets the failure off: a byte range of the text given to [`events`],
    /// without the line break unless the line is empty. Every line before it parses.
    pub line: Range<usize>,
    /// pulldown-cmark's own panic message, for the note.
    pub reason: String,
}

impl ParserFailure {
    /// What went wrong, in the owner's words.
    pub const MESSAGE: &'static str = "the markdown parser stopped on this page (a bug in pulldown-cmark, the parser stillpoint uses)";
    /// The label at [`line`](Self::line).
    pub const LABEL: &'static str = "the parser fails when it reaches this line";
    /// What to do.
    pub const HELP: &'static str = "the lines above this one read fine: change this line or the block it ends \
        (an underline of `-` or `=`, a `{…}` after a heading, a list item's indentation), then build again";

    /// The panic message as a note.
    pub fn note(&self) -> String {
        format!("pulldown-cmark's own message: {}", self.reason)
    }

    /// The error at `span` (the file position of [`line`](Self::line)), without the file (the
    /// caller adds it).
    pub fn diagnostic(&self, span: Span) -> Diagnostic {
        Diagnostic::error(Self::MESSAGE)
            .at_line(span, None)
            .label(Self::LABEL)
            .help(Self::HELP)
            .note(self.note())
    }
}

/// Render a page body with the default [`Settings`]. `body` is the markdown after the front
/// matter; `first_line` is the 1-based line number in the source file where `body` begins (so
/// spans are file positions). The build renders through [`render_mapped`] with the site's
/// settings; this is its shorthand for tests and tools.
///
/// Every link and image destination goes through `resolver`, markdown's and those written as
/// raw HTML (the `href` of `<a>`, the `src` of `<img>`): `External` leaves it alone, `Internal`
/// rewrites it (and records an [`AnchorRef`] when it has an anchor), `Broken` keeps it as written
/// and records a problem (a [`Diagnostic`]). Never fails and never panics (a body pulldown-cmark
/// fails on gives an empty page with one [`ParserFailure`] problem); a CRLF body is fine (spans don't
/// count `\r`). Cost is linear in the body: one parse, two passes over the events, one HTML write.
pub fn render(body: &str, first_line: usize, resolver: &dyn LinkResolver) -> Rendered {
    render_mapped(body, None, first_line, resolver, &Settings::default())
}

/// [`render`] with the site's `settings`, for a text that may have been made from `source.0` by
/// the shortcode step: spans are then positions in `source.0` (the page's own body), found
/// through `source.1`.
///
/// The settings act on the events around the walk: emoji shortcodes become emoji before it (so
/// the table of contents and word count see them), GitHub alerts and external-link attributes
/// after it (`extras.rs`); the rest are parser options ([`Settings::options`]).
pub fn render_mapped(
    body: &str,
    source: Option<(&str, &SourceMap)>,
    first_line: usize,
    resolver: &dyn LinkResolver,
    settings: &Settings,
) -> Rendered {
    let mut events = match events(body, settings.options()) {
        Ok(events) => events,
        Err(failure) => {
            let mut positions = match source {
                Some((text, map)) => Positions::new(text, first_line).mapped(map),
                None => Positions::new(body, first_line),
            };
            let span = positions.span(failure.line.clone());
            return Rendered {
                problems: vec![failure.diagnostic(span)],
                ..Rendered::default()
            };
        }
    };
    if settings.render_emoji {
        events = extras::emoji(events);
    }

    // Pass 1: ids that headings must not take (see `reserved_ids`).
    let (mut taken, other_ids) = ids::reserved_ids(&events, &|id| resolver.is_template_id(id));
    let id_problems = std::mem::take(&mut taken.problems);

    // Pass 2: heading ids and toc, links, words, and where the summary starts and ends.
    let positions = match source {
        Some((text, map)) => Positions::new(text, first_line).mapped(map),
        None => Positions::new(body, first_line),
    };
    let mut walker = Walker::new(body, resolver, positions, taken);
    for i in 0..events.len() {
        walker.step(&mut events, i);
    }
    let (mut out, summary_bounds) = walker.finish(other_ids);
    if !id_problems.is_empty() {
        let mut positions = match source {
            Some((text, map)) => Positions::new(text, first_line).mapped(map),
            None => Positions::new(body, first_line),
        };
        out.problems.extend(id_problems.diagnostics(&mut positions));
    }
    // Code and math first, so that a heading hook's `text` has the MathML.
    code_and_math(&mut events, body, source, first_line, settings, &mut out);
    hooks_and_extras(&mut events, resolver, settings, &mut out, || match source {
        Some((text, map)) => Positions::new(text, first_line).mapped(map),
        None => Positions::new(body, first_line),
    });

    // Pass 3: the HTML, and the summary cut from it.
    let (html, summary) = write_html(events, &summary_bounds, body.len());
    out.html = html;
    out.summary = summary;
    out
}

/// The link hook, then the settings' alerts and external-link attributes (extras.rs), then the
/// heading hook (whose `text` then has the links as written). Without hooks, only the extras;
/// `positions` (where a failing hook is reported) is made only when a hook exists.
fn hooks_and_extras<'p>(
    events: &mut [(Event<'_>, Range<usize>)],
    resolver: &dyn LinkResolver,
    settings: &Settings,
    out: &mut Rendered,
    positions: impl FnOnce() -> Positions<'p>,
) {
    let (link, heading) = (
        resolver.has_hook(Hook::Link),
        resolver.has_hook(Hook::Heading),
    );
    if !link && !heading {
        extras::alerts_and_links(events, settings);
        return;
    }
    let mut positions = positions();
    let plains = heading.then(|| hooks::heading_texts(events));
    if link {
        hooks::links(events, resolver, &mut positions, settings, out);
    }
    extras::alerts_and_links(events, settings);
    if let Some(plains) = plains {
        hooks::headings(events, plains, resolver, &mut positions, out);
    }
}

/// Highlighted code and MathML in place of their events (highlight.rs, math.rs), with their
/// warnings and errors added to `out.problems`. A page without a code fence or a `$` costs two
/// byte searches and no walk over its events.
fn code_and_math(
    events: &mut [(Event<'_>, Range<usize>)],
    body: &str,
    source: Option<(&str, &SourceMap)>,
    first_line: usize,
    settings: &Settings,
    out: &mut Rendered,
) {
    let code = settings.highlight_code && highlight::may_have_fences(body);
    let math = settings.math && math::may_have_math(body);
    if !code && !math {
        return;
    }
    let mut positions = match source {
        Some((text, map)) => Positions::new(text, first_line).mapped(map),
        None => Positions::new(body, first_line),
    };
    if code {
        out.problems
            .extend(highlight::code_blocks(events, &mut positions));
    }
    if math {
        out.problems
            .extend(math::math_events(events, &mut positions));
    }
}

/// Write the HTML once with pulldown-cmark's writer, noting the output length where the events at
/// `bounds.more_at` and around `bounds.first_paragraph` (start index, end index) begin, so the
/// summary costs no second render. Returns the HTML and the summary.
fn write_html(
    events: Vec<(Event<'_>, Range<usize>)>,
    bounds: &SummaryBounds,
    body_len: usize,
) -> (String, Option<String>) {
    let more_at = bounds.more_at;
    let written = Cell::new(0usize);
    let more_pos = Cell::new(None);
    let para_start = Cell::new(None);
    let para_end = Cell::new(None);
    let (p_start, p_end) = match bounds.first_paragraph {
        Some((s, e)) => (Some(s), e.map(|e| e + 1)),
        None => (None, None),
    };
    let mut writer = Output {
        buf: String::with_capacity(body_len + body_len / 2),
        written: &written,
    };
    let mut footnotes = ids::Footnotes::default();
    let stream = events.into_iter().enumerate().map(|(i, (event, _))| {
        let event = footnotes
            .html(&event)
            .map_or(event, |h| Event::Html(h.into()));
        let here = Some(i);
        if here == more_at
            && let Event::Html(text) | Event::InlineHtml(text) = &event
        {
            // The marker may sit inside the event's text (`<div><!-- more -->`).
            let offset = summary::more_marker(text).unwrap_or(0);
            more_pos.set(Some(written.get() + offset));
        }
        if here == p_start {
            para_start.set(Some(written.get()));
        }
        if here == p_end {
            para_end.set(Some(written.get()));
        }
        event
    });
    // Writing into a String cannot fail: `Output::write_str` always returns Ok.
    let _ = pulldown_cmark::html::write_html_fmt(&mut writer, stream);
    let html = writer.buf;

    let summary = match (more_pos.get(), para_start.get()) {
        (Some(end), _) => html.get(..end).and_then(summary::close_open_elements),
        (None, Some(start)) => html
            .get(start..para_end.get().unwrap_or(html.len()))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        (None, None) => None,
    };
    (html, summary)
}

/// A heading's level as a number, 1 (`h1`) to 6.
pub(crate) fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Inline tags don't break a word (`foo*bar*` is one word), nor a block's run of text.
pub(crate) fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

/// The end of an [`is_inline`] tag.
pub(crate) fn is_inline_end(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// A `fmt::Write` into a String that publishes its length, so the event stream can note where in
/// the output an event begins while pulldown-cmark is writing.
struct Output<'c> {
    buf: String,
    written: &'c Cell<usize>,
}

impl fmt::Write for Output<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.buf.push_str(s);
        self.written.set(self.buf.len());
        Ok(())
    }
}

#[cfg(test)]
mod tests;
