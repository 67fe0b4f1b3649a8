//! Stage 5, markdown: one page body (markdown after the front matter) in, [`Rendered`] out.
//!
//! In: the body text, the file line where it starts, and a [`LinkResolver`] from the site tree
//! that says what each link target points at. Out: the HTML, the summary, the table of contents,
//! every id on the page, the first level-1 heading, a word count, the anchors that must be checked
//! on other pages, and the broken links with their file positions.
//!
//! The pulldown-cmark options live here and nowhere else (`options`). Heading ids follow Zola:
//! `{#custom}` wins, otherwise the slug of the heading's text, made unique on the page with
//! `-1`, `-2`… suffixes.
//!
//! This module does not decide URLs (the site tree does, through [`LinkResolver`]), does not check
//! anchors on other pages (`check.rs` does, from [`Rendered::anchors`] and [`Rendered::ids`]), does
//! not expand shortcodes, and never prints or panics: every input renders to something.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

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
}

/// What [`LinkResolver::image`] says to write for a markdown image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageHtml {
    /// pulldown-cmark's `<img>`, as written.
    Keep,
    /// This HTML instead (alt text and title included).
    Html(String),
    /// The image cannot be used: reported like a broken link, at the image.
    Broken {
        /// What is wrong, naming the file.
        message: String,
        /// What to do.
        help: Option<String>,
    },
}

/// A position in the source file. line and col are 1-based; col counts chars; len in chars (≥1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Span {
    pub line: usize,
    pub col: usize,
    pub len: usize,
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

/// A broken link found while rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkProblem {
    /// From [`LinkTarget::Broken`].
    pub message: String,
    /// From [`LinkTarget::Broken`].
    pub help: Option<String>,
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
    /// HTML before a `<!-- more -->` line if there is one, else the first paragraph's HTML; None if no paragraph.
    pub summary: Option<String>,
    /// Table of contents: headings of level 2..=6 nested by level (a level-1 heading, if any, is not in the toc;
    /// if a level is skipped, e.g. h2 then h4, the h4 becomes a child of the h2).
    pub toc: Vec<Heading>,
    /// Every id attribute in `html`: heading ids, footnote ids, and ids in raw HTML blocks/inline HTML
    /// (scan `id="..."` / `id='...'`). In document order, each id once.
    pub ids: Vec<String>,
    /// Plain text of the first level-1 heading, if any (used as the page title fallback).
    pub first_h1: Option<String>,
    /// Whitespace-separated words in the text, code included (not in tags or raw HTML).
    pub word_count: usize,
    /// Internal links with an anchor, to be checked once every page is rendered.
    pub anchors: Vec<AnchorRef>,
    /// Broken links, in document order.
    pub problems: Vec<LinkProblem>,
}

/// The markdown dialect of stillpoint (`design.md`, Content): CommonMark plus tables, GFM footnotes,
/// strikethrough, task lists, smart punctuation and heading attributes (`{#id .class}`).
///
/// Built flag by flag on purpose: `Options::all()` would also turn on metadata blocks, which
/// swallow any `---` … `---` pair in the body, and other extensions we don't document.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Render a page body. `body` is the markdown after the front matter; `first_line` is the 1-based line
/// number in the source file where `body` begins (so spans are file positions).
///
/// Every link and image destination goes through `resolver`, markdown's and those written as
/// raw HTML (the `href` of `<a>`, the `src` of `<img>`): `External` leaves it alone, `Internal`
/// rewrites it (and records an [`AnchorRef`] when it has an anchor), `Broken` keeps it as written
/// and records a [`LinkProblem`]. Never fails and never panics; a CRLF body is fine (spans don't
/// count `\r`). Cost is linear in the body: one parse, two passes over the events, one HTML write.
pub fn render(body: &str, first_line: usize, resolver: &dyn LinkResolver) -> Rendered {
    render_mapped(body, None, first_line, resolver)
}

/// Where each byte of a markdown text made by the shortcode step came from in the page's own
/// body: a list of `(offset in the made text, offset in the body, copied)` segments, sorted by
/// the first field. A copied segment maps byte for byte; any other (a shortcode's placeholder)
/// maps every byte to where its call starts.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    /// The segments, see the type's doc.
    pub segments: Vec<(usize, usize, bool)>,
}

impl SourceMap {
    /// The body offset of `offset` in the made text.
    pub fn to_source(&self, offset: usize) -> usize {
        let i = self.segments.partition_point(|s| s.0 <= offset);
        match i.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(made, source, true)) => source + (offset - made),
            Some(&(_, source, false)) => source,
            None => offset,
        }
    }
}

/// [`render`] for a text made from `source.0` by the shortcode step: spans are positions in
/// `source.0` (the page's own body), found through `source.1`.
pub fn render_mapped(
    body: &str,
    source: Option<(&str, &SourceMap)>,
    first_line: usize,
    resolver: &dyn LinkResolver,
) -> Rendered {
    let mut events: Vec<(Event<'_>, Range<usize>)> = Parser::new_ext(body, options())
        .into_offset_iter()
        .collect();

    // Pass 1: ids that headings must not take (see `reserved_ids`).
    let (mut taken, other_ids) = reserved_ids(&events);

    // Pass 2: heading ids and toc, links, words, and where the summary starts and ends.
    let mut out = Rendered::default();
    let mut positions = match source {
        Some((text, map)) => Positions::new(text, first_line).mapped(map),
        None => Positions::new(body, first_line),
    };
    let mut heading_ids: Vec<(usize, String)> = Vec::new();
    let mut flat_toc: Vec<Heading> = Vec::new();
    let mut open_heading: Option<(usize, u8)> = None;
    let mut heading_text = String::new();
    let mut depth = 0usize;
    let mut more_at: Option<usize> = None;
    let mut first_paragraph: Option<(usize, Option<usize>)> = None;
    let mut in_word = false;
    // The markdown image being read: (event index, destination as written, title, problems
    // before it, its source range), its alt text, nesting, and how many images came before.
    let mut open_image: Option<(usize, String, String, usize, Range<usize>)> = None;
    let mut image_alt = String::new();
    let mut image_nesting = 0usize;
    let mut images_seen = 0usize;
    // Inside a fenced or indented code block, text is code: `](a b)` there is not a link.
    let mut code_blocks = 0usize;
    // The event index of the open HTML block's start: its lines are read as one text at its end.
    let mut html_block: Option<usize> = None;

    for i in 0..events.len() {
        // Summary bounds: the first top-level paragraph, and a top-level `<!-- more -->` line.
        if depth == 0 {
            match events.get(i) {
                Some((Event::Start(Tag::Paragraph), _)) if first_paragraph.is_none() => {
                    first_paragraph = Some((i, None));
                }
                Some((Event::Start(Tag::HtmlBlock), _))
                    if more_at.is_none() && is_more_marker(&events, i) =>
                {
                    more_at = Some(i);
                }
                _ => {}
            }
        }
        let mut heading_closed = false;
        let mut image_closed = false;
        let Some((event, range)) = events.get_mut(i) else {
            break;
        };
        match event {
            Event::Start(tag) => {
                depth += 1;
                if !is_inline(tag) {
                    in_word = false;
                }
                match tag {
                    Tag::CodeBlock(_) => code_blocks += 1,
                    Tag::HtmlBlock => html_block = Some(i),
                    Tag::Heading { level, .. } => {
                        open_heading = Some((i, heading_level(*level)));
                        heading_text.clear();
                    }
                    Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        ..
                    } => {
                        image_nesting += 1;
                        let written = dest_url.to_string();
                        let problems = out.problems.len();
                        resolve_link(
                            link_type,
                            dest_url,
                            range,
                            resolver,
                            &mut positions,
                            &mut out,
                        );
                        if open_image.is_none() {
                            image_alt.clear();
                            open_image =
                                Some((i, written, title.to_string(), problems, range.clone()));
                        }
                    }
                    Tag::Link {
                        link_type,
                        dest_url,
                        ..
                    } => {
                        resolve_link(
                            link_type,
                            dest_url,
                            range,
                            resolver,
                            &mut positions,
                            &mut out,
                        );
                    }
                    _ => {}
                }
            }
            Event::End(tag_end) => {
                depth = depth.saturating_sub(1);
                if !is_inline_end(*tag_end) {
                    in_word = false;
                }
                match tag_end {
                    TagEnd::Paragraph if depth == 0 => {
                        if let Some((_, end @ None)) = &mut first_paragraph {
                            *end = Some(i);
                        }
                    }
                    TagEnd::Heading(_) => heading_closed = true,
                    TagEnd::CodeBlock => code_blocks = code_blocks.saturating_sub(1),
                    TagEnd::HtmlBlock => {
                        if let Some(start) = html_block.take() {
                            resolve_raw_html(
                                &mut events,
                                start + 1..i,
                                body,
                                resolver,
                                &mut positions,
                                &mut out,
                            );
                        }
                    }
                    TagEnd::Image => {
                        image_nesting = image_nesting.saturating_sub(1);
                        image_closed = image_nesting == 0;
                    }
                    _ => {}
                }
            }
            Event::Text(_) if code_blocks == 0 => {
                for found in unparsed_links(body, range.clone()) {
                    out.problems.push(LinkProblem {
                        span: positions.span(found.range.clone()),
                        message: found.message(body),
                        help: Some(found.help()),
                    });
                }
                if let Event::Text(text) = event {
                    out.word_count += count_words(text, &mut in_word);
                    if open_heading.is_some() {
                        heading_text.push_str(text);
                    }
                    if open_image.is_some() {
                        image_alt.push_str(text);
                    }
                }
            }
            Event::Text(text) | Event::Code(text) => {
                out.word_count += count_words(text, &mut in_word);
                if open_heading.is_some() {
                    heading_text.push_str(text);
                }
                if open_image.is_some() {
                    image_alt.push_str(text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                in_word = false;
                if open_heading.is_some() {
                    heading_text.push(' ');
                }
                if open_image.is_some() {
                    image_alt.push(' ');
                }
            }
            Event::TaskListMarker(checked) => {
                in_word = false;
                // pulldown-cmark writes a bare `<input>`, which has no accessible name (axe
                // "label"); name it so screen readers say what the box means.
                let html = if *checked {
                    r#"<input type="checkbox" disabled checked aria-label="done"> "#
                } else {
                    r#"<input type="checkbox" disabled aria-label="not done"> "#
                };
                *event = Event::InlineHtml(html.into());
            }
            Event::Rule | Event::FootnoteReference(_) => {
                in_word = false;
            }
            _ => {}
        }
        if matches!(events.get(i), Some((Event::InlineHtml(_), _))) {
            resolve_raw_html(
                &mut events,
                i..i + 1,
                body,
                resolver,
                &mut positions,
                &mut out,
            );
        }
        if image_closed && let Some((start, written, title, problems, range)) = open_image.take() {
            let first = images_seen == 0;
            images_seen += 1;
            if out.problems.len() == problems {
                match resolver.image(&written, &image_alt, &title, first) {
                    ImageHtml::Keep => {}
                    ImageHtml::Html(html) => {
                        // The whole `![alt](src)` becomes one inline HTML event; the events
                        // inside it (the alt text) become empty text, so indexes stay valid.
                        if let Some(slot) = events.get_mut(start) {
                            slot.0 = Event::InlineHtml(html.into());
                        }
                        for slot in events.iter_mut().take(i + 1).skip(start + 1) {
                            slot.0 = Event::Text(CowStr::Borrowed(""));
                        }
                    }
                    ImageHtml::Broken { message, help } => out.problems.push(LinkProblem {
                        message,
                        help,
                        span: positions.span(range),
                    }),
                }
            }
        }
        if heading_closed && let Some((start, level)) = open_heading.take() {
            let title = collapse_whitespace(&heading_text);
            let id = assign_heading_id(&mut events, start, &title, &mut taken);
            heading_ids.push((start, id.clone()));
            if level == 1 {
                if out.first_h1.is_none() {
                    out.first_h1 = Some(title);
                }
            } else {
                flat_toc.push(Heading {
                    level,
                    id,
                    title,
                    children: Vec::new(),
                });
            }
        }
    }
    out.toc = nest_toc(flat_toc);

    // `ids` in document order: heading ids interleaved with the others by event index.
    let mut all_ids = heading_ids;
    all_ids.extend(other_ids);
    all_ids.sort_by_key(|(i, _)| *i);
    let mut seen = HashSet::with_capacity(all_ids.len());
    out.ids = all_ids
        .into_iter()
        .filter_map(|(_, id)| seen.insert(id.clone()).then_some(id))
        .collect();

    // Pass 3: the HTML, and the summary cut from it.
    let (html, summary) = write_html(events, more_at, first_paragraph, body.len());
    out.html = html;
    out.summary = summary;
    out
}

/// Ids that headings must not take: custom heading ids, footnote ids and ids in raw HTML, so an
/// automatic id never collides with one written by hand, wherever on the page it is. Also returns
/// the footnote and raw HTML ids with the index of the event they belong to.
fn reserved_ids(events: &[(Event<'_>, Range<usize>)]) -> (Taken, Vec<(usize, String)>) {
    let mut taken = Taken::default();
    let mut other_ids: Vec<(usize, String)> = Vec::new();
    // An HTML block comes one line per event; a tag may span lines, so scan the whole block.
    let mut html_block = String::new();
    let mut html_block_start: Option<usize> = None;
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Heading { id, attrs, .. }) => {
                if let Some(custom) = custom_id(id.as_deref(), attrs) {
                    taken.custom.insert(custom.to_owned());
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                other_ids.push((i, label.to_string()));
            }
            Event::Start(Tag::HtmlBlock) => {
                html_block.clear();
                html_block_start = Some(i);
            }
            Event::Html(text) if html_block_start.is_some() => html_block.push_str(text),
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(start) = html_block_start.take() {
                    scan_html_ids(&html_block, |id| other_ids.push((start, id.to_owned())));
                }
            }
            Event::Html(text) | Event::InlineHtml(text) => {
                scan_html_ids(text, |id| other_ids.push((i, id.to_owned())));
            }
            _ => {}
        }
    }
    for (_, id) in &other_ids {
        taken.other.insert(id.clone());
    }
    (taken, other_ids)
}

/// Write the HTML once with pulldown-cmark's writer, noting the output length where the events at
/// `more_at` and around `first_paragraph` (start index, end index) begin, so the summary costs no
/// second render. Returns the HTML and the summary.
fn write_html(
    events: Vec<(Event<'_>, Range<usize>)>,
    more_at: Option<usize>,
    first_paragraph: Option<(usize, Option<usize>)>,
    body_len: usize,
) -> (String, Option<String>) {
    let written = Cell::new(0usize);
    let more_pos = Cell::new(None);
    let para_start = Cell::new(None);
    let para_end = Cell::new(None);
    let (p_start, p_end) = match first_paragraph {
        Some((s, e)) => (Some(s), e.map(|e| e + 1)),
        None => (None, None),
    };
    let mut writer = Output {
        buf: String::with_capacity(body_len + body_len / 2),
        written: &written,
    };
    let stream = events.into_iter().enumerate().map(|(i, (event, _))| {
        let here = Some(i);
        if here == more_at {
            more_pos.set(Some(written.get()));
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
        (Some(end), _) => html.get(..end),
        (None, Some(start)) => html.get(start..para_end.get().unwrap_or(html.len())),
        (None, None) => None,
    }
    .map(str::trim)
    .filter(|s| !s.is_empty())
    .map(str::to_owned);
    (html, summary)
}

/// Make an id from heading text (also used for slugs of anchors elsewhere): the `slug` crate's slugify
/// (lower-case ASCII with hyphens, transliterating non-ASCII, so "Café crème" → "cafe-creme",
/// "日本語の見出し" → non-empty), falling back to "section" when the result is empty (e.g. only emoji).
///
/// Emoji and other pictographs are dropped first (they count as a word break): `slug` alone would
/// spell them out through `deunicode` ("⚡ Fast" → "zap-fast"), while "⚡ Fast" → "fast" here.
pub fn slugify_id(text: &str) -> String {
    let text: Cow<'_, str> = if text.chars().any(is_pictograph) {
        text.chars()
            .map(|c| if is_pictograph(c) { ' ' } else { c })
            .collect()
    } else {
        Cow::Borrowed(text)
    };
    let slug = slug::slugify(&text);
    if slug.is_empty() {
        "section".to_owned()
    } else {
        slug
    }
}

/// Emoji, pictographs and the invisible characters that join or modify them. Letters, digits and
/// ordinary punctuation are left for `slug` to transliterate or turn into hyphens.
fn is_pictograph(c: char) -> bool {
    matches!(
        c as u32,
        0x200D                 // zero-width joiner (emoji sequences)
        | 0x20E3               // combining enclosing keycap
        | 0x2190..=0x21FF      // arrows
        | 0x2300..=0x23FF      // miscellaneous technical (⌚ ⏰)
        | 0x25A0..=0x27BF      // geometric shapes, miscellaneous symbols (⚡), dingbats (✅)
        | 0x2900..=0x297F      // supplemental arrows-B
        | 0x2B00..=0x2BFF      // miscellaneous symbols and arrows (⭐)
        | 0xFE00..=0xFE0F      // variation selectors
        | 0x1F000..=0x1FAFF    // mahjong … symbols and pictographs extended-A, flags, skin tones
        | 0xE0020..=0xE007F // tag characters (subdivision flags)
    )
}

/// Ids that an automatic heading id must avoid, and the heading ids handed out so far.
#[derive(Default)]
struct Taken {
    /// `{#custom}` heading ids anywhere on the page.
    custom: HashSet<String>,
    /// Footnote and raw HTML ids anywhere on the page.
    other: HashSet<String>,
    /// Heading ids already assigned.
    used: HashSet<String>,
    /// Next suffix to try per base id, so a hundred "Install" headings are not quadratic.
    next_suffix: HashMap<String, usize>,
}

impl Taken {
    /// A custom id keeps its spelling unless an earlier heading already has it; an automatic one
    /// also steps aside for custom, footnote and raw HTML ids.
    fn claim(&mut self, base: String, custom: bool) -> String {
        let free = |t: &Self, id: &str| {
            !t.used.contains(id) && (custom || (!t.custom.contains(id) && !t.other.contains(id)))
        };
        let id = if free(self, &base) {
            base
        } else {
            let mut n = self.next_suffix.get(&base).copied().unwrap_or(1);
            let id = loop {
                let candidate = format!("{base}-{n}");
                n += 1;
                if free(self, &candidate) && !self.custom.contains(&candidate) {
                    break candidate;
                }
            };
            self.next_suffix.insert(base, n);
            id
        };
        self.used.insert(id.clone());
        id
    }
}

/// The id written as `{#id}`, or as `{id=value}` when there is no `#id`; None when empty.
fn custom_id<'s>(
    id: Option<&'s str>,
    attrs: &'s [(CowStr<'_>, Option<CowStr<'_>>)],
) -> Option<&'s str> {
    id.or_else(|| {
        attrs
            .iter()
            .rev()
            .find(|(key, _)| key.eq_ignore_ascii_case("id"))
            .and_then(|(_, value)| value.as_deref())
    })
    .map(str::trim)
    .filter(|id| !id.is_empty())
}

/// Decide the id of the heading whose `Start` event is `events[start]`, write it into the event
/// (pulldown-cmark's HTML writer then prints it) and return it.
fn assign_heading_id(
    events: &mut [(Event<'_>, Range<usize>)],
    start: usize,
    title: &str,
    taken: &mut Taken,
) -> String {
    let Some((Event::Start(Tag::Heading { id, attrs, .. }), _)) = events.get_mut(start) else {
        return taken.claim(slugify_id(title), false);
    };
    let assigned = match custom_id(id.as_deref(), attrs) {
        Some(custom) => {
            let custom = custom.to_owned();
            taken.claim(custom, true)
        }
        None => taken.claim(slugify_id(title), false),
    };
    // An `id=` attribute would print a second id attribute beside ours.
    attrs.retain(|(key, _)| !key.eq_ignore_ascii_case("id"));
    *id = Some(CowStr::from(assigned.clone()));
    assigned
}

/// Nest flat headings (document order, levels 2..=6) by level; a skipped level nests under the
/// nearest shallower heading. One pass with a stack, no recursion.
fn nest_toc(flat: Vec<Heading>) -> Vec<Heading> {
    fn close(stack: &mut Vec<Heading>, roots: &mut Vec<Heading>) {
        if let Some(done) = stack.pop() {
            match stack.last_mut() {
                Some(parent) => parent.children.push(done),
                None => roots.push(done),
            }
        }
    }
    let mut roots = Vec::new();
    let mut stack: Vec<Heading> = Vec::new();
    for heading in flat {
        while stack.last().is_some_and(|top| top.level >= heading.level) {
            close(&mut stack, &mut roots);
        }
        stack.push(heading);
    }
    while !stack.is_empty() {
        close(&mut stack, &mut roots);
    }
    roots
}

/// Resolve one link or image destination in place, recording anchors and problems.
fn resolve_link(
    link_type: &mut LinkType,
    dest_url: &mut CowStr<'_>,
    range: &Range<usize>,
    resolver: &dyn LinkResolver,
    positions: &mut Positions<'_>,
    out: &mut Rendered,
) {
    // pulldown-cmark keeps an email autolink's destination without its scheme and adds `mailto:`
    // when writing; give the resolver a real URL instead.
    let target: Cow<'_, str> = if *link_type == LinkType::Email {
        Cow::Owned(format!("mailto:{dest_url}"))
    } else {
        Cow::Borrowed(dest_url)
    };
    let span = positions.span(range.clone());
    if let Some(url) = resolve_target(&target, span, resolver, out) {
        if *link_type == LinkType::Email {
            *link_type = LinkType::Inline;
        }
        *dest_url = CowStr::from(url);
    }
}

/// Resolves one written link target (`span` is where it is written), recording its anchor, or
/// the problem when it is broken, in `out`. Gives the URL to write for an internal target, and
/// `None` for an external or broken one (left as written). Shared by markdown links and images
/// and by the `href`/`src` of raw HTML, so both are resolved and reported alike.
fn resolve_target(
    target: &str,
    span: Span,
    resolver: &dyn LinkResolver,
    out: &mut Rendered,
) -> Option<String> {
    match resolver.resolve(target) {
        LinkTarget::External => None,
        LinkTarget::Internal { url, page, anchor } => {
            if let Some(anchor) = anchor {
                out.anchors.push(AnchorRef {
                    page,
                    anchor,
                    target: target.to_string(),
                    span,
                });
            }
            Some(url)
        }
        LinkTarget::Broken(d) => {
            out.problems.push(LinkProblem {
                message: d.message,
                help: d.help,
                span,
            });
            None
        }
    }
}

/// Resolves the `href` of each `<a>` and the `src` of each `<img>` written as raw HTML in the
/// events `range` (the lines of one HTML block, or one inline tag) exactly as a markdown link's
/// destination ([`resolve_link`]): an internal one is rewritten in place (`@/faq.md` becomes the
/// page's address) and its anchor recorded, a broken one recorded as a [`LinkProblem`] at the
/// attribute's value. Tags inside HTML comments, `<script>` and `<style>` are left alone.
fn resolve_raw_html(
    events: &mut [(Event<'_>, Range<usize>)],
    range: Range<usize>,
    body: &str,
    resolver: &dyn LinkResolver,
    positions: &mut Positions<'_>,
    out: &mut Rendered,
) {
    // The events' text as one, and where each event's text starts in it.
    let mut text = String::new();
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    for (j, (event, _)) in events.iter().enumerate().take(range.end).skip(range.start) {
        if let Event::Html(t) | Event::InlineHtml(t) = event {
            pieces.push((j, text.len()));
            text.push_str(t);
        }
    }
    let targets = raw_html_targets(&text);
    if targets.is_empty() {
        return;
    }
    // Rewrites to make: (event index, byte range in its text, new value).
    let mut edits: Vec<(usize, Range<usize>, String)> = Vec::new();
    for value in targets {
        let k = pieces.partition_point(|&(_, at)| at <= value.start) - 1;
        let (j, at) = pieces[k];
        let piece_end = pieces.get(k + 1).map_or(text.len(), |&(_, next)| next);
        let written = &text[value.clone()];
        let local = value.start - at..value.end - at;
        // The value's place in the body: the event's text is the body's at its range, except
        // in a container (a `> ` quote) where the line's prefix is left out.
        let (event, event_range) = &events[j];
        let own = match event {
            Event::Html(t) | Event::InlineHtml(t) => t.as_ref(),
            _ => "",
        };
        let start = if body.get(event_range.clone()) == Some(own) {
            event_range.start + local.start
        } else {
            body.get(event_range.clone())
                .and_then(|b| b.find(written))
                .map_or(event_range.start, |f| event_range.start + f)
        };
        let span = positions.span(start..start + written.len());
        let target = crate::seo::decode_entities(written);
        if let Some(url) = resolve_target(&target, span, resolver, out)
            && url != target
            && value.end <= piece_end
        {
            edits.push((j, local, escape_attribute(&url)));
        }
    }
    // Each event's edits from the last to the first, so earlier ranges stay valid.
    for (j, local, new) in edits.into_iter().rev() {
        if let Some((Event::Html(t) | Event::InlineHtml(t), _)) = events.get_mut(j) {
            let mut changed = t.to_string();
            changed.replace_range(local, &new);
            *t = CowStr::from(changed);
        }
    }
}

/// A URL made safe to write as an HTML attribute's value, quoted or not.
fn escape_attribute(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            ' ' => out.push_str("%20"),
            c => out.push(c),
        }
    }
    out
}

/// The byte ranges of the values of `href` in `<a>` tags and `src` in `<img>` tags of raw HTML
/// `html` (quoted or not, quotes left out), in order. Tags inside `<!-- … -->`, `<script>` and
/// `<style>` are skipped; names are matched in any case (HTML's rule).
fn raw_html_targets(html: &str) -> Vec<Range<usize>> {
    let bytes = html.as_bytes();
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(lt) = html.get(i..).and_then(|r| r.find('<')) {
        i += lt;
        if lower[i..].starts_with("<!--") {
            i = lower[i + 4..]
                .find("-->")
                .map_or(html.len(), |e| i + 4 + e + 3);
            continue;
        }
        let name_start = i + 1;
        let mut k = name_start;
        while k < bytes.len() && bytes[k].is_ascii_alphanumeric() {
            k += 1;
        }
        let name = &lower[name_start..k];
        if name.is_empty() {
            i += 1;
            continue;
        }
        let wanted = match name {
            "a" => Some("href"),
            "img" => Some("src"),
            _ => None,
        };
        // The attributes, up to the tag's `>`.
        loop {
            while k < bytes.len() && (bytes[k].is_ascii_whitespace() || bytes[k] == b'/') {
                k += 1;
            }
            if k >= bytes.len() || bytes[k] == b'>' {
                break;
            }
            let attr_start = k;
            while k < bytes.len()
                && !bytes[k].is_ascii_whitespace()
                && !matches!(bytes[k], b'=' | b'>' | b'/')
            {
                k += 1;
            }
            let attr = &lower[attr_start..k];
            let mut v = k;
            while v < bytes.len() && bytes[v].is_ascii_whitespace() {
                v += 1;
            }
            if bytes.get(v) != Some(&b'=') {
                if k == attr_start {
                    k += 1;
                }
                continue;
            }
            v += 1;
            while v < bytes.len() && bytes[v].is_ascii_whitespace() {
                v += 1;
            }
            let value = match bytes.get(v) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = html[v + 1..]
                        .find(q as char)
                        .map_or(html.len(), |e| v + 1 + e);
                    k = (end + 1).min(html.len());
                    v + 1..end
                }
                _ => {
                    let mut end = v;
                    while end < bytes.len()
                        && !bytes[end].is_ascii_whitespace()
                        && bytes[end] != b'>'
                    {
                        end += 1;
                    }
                    k = end;
                    v..end
                }
            };
            if wanted == Some(attr) {
                found.push(value);
            }
        }
        i = (k + 1).min(html.len());
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            i = lower[i..].find(&close).map_or(html.len(), |e| i + e);
        }
    }
    found
}

/// A link or image that CommonMark reads as plain text because its destination has a space in
/// it: `![The room](/images/my photo.jpg)` (CommonMark 0.31, 6.3: a link destination without
/// `<…>` may not contain spaces, and a second word is only allowed as a quoted title).
struct Unparsed {
    /// The `[…](…)` or `![…](…)` in the parsed text (from the `]` when the `[` is on an earlier
    /// line).
    range: Range<usize>,
    /// `![…](…)`, not `[…](…)`.
    image: bool,
    /// The destination as written, without the surrounding spaces.
    dest: String,
}

impl Unparsed {
    fn message(&self, body: &str) -> String {
        let written = body.get(self.range.clone()).unwrap_or_default();
        let what = if self.image { "an image" } else { "a link" };
        format!(
            "`{written}` is not {what}: its address has a space in it, so the page shows this markdown as plain text"
        )
    }

    fn help(&self) -> String {
        let renamed: String = match self.dest.rsplit_once('/') {
            Some((dir, name)) => format!(
                "{dir}/{}",
                name.split_whitespace().collect::<Vec<_>>().join("-")
            ),
            None => self.dest.split_whitespace().collect::<Vec<_>>().join("-"),
        };
        format!(
            "put the address in angle brackets, `](<{}>)`, or rename the file without spaces (`{renamed}`) and write that name here; to show the brackets as text, write `\\]` instead of `]`",
            self.dest
        )
    }
}

/// How far [`unparsed_links`] looks from a `](` for the closing `)` and back for the `[`, in
/// bytes: far more than any real address or link text, and a bound that keeps a long line with
/// many `](` linear.
const UNPARSED_SCAN: usize = 2048;

/// The `](dest)` in the text event at `text` (outside code) whose destination holds a space and
/// ends with a `)` on the same line: links and images that pulldown-cmark left as text. `body`
/// is the parsed text; `text` the event's byte range in it.
fn unparsed_links(body: &str, text: Range<usize>) -> Vec<Unparsed> {
    let bytes = body.as_bytes();
    let mut found = Vec::new();
    for i in text {
        if bytes.get(i) != Some(&b']') || bytes.get(i + 1) != Some(&b'(') {
            continue;
        }
        // `\]` is a bracket written as text on purpose.
        if i > 0 && bytes.get(i - 1) == Some(&b'\\') {
            continue;
        }
        // The `)` that closes the `(` (a destination may hold balanced parentheses), on this line.
        let (mut j, mut depth, mut close) = (i + 1, 0usize, None);
        while let Some(&b) = bytes.get(j).filter(|_| j - i < UNPARSED_SCAN) {
            match b {
                b'\n' | b'\r' => break,
                b'\\' => j += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(j);
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let Some(close) = close else { continue };
        let dest = body.get(i + 2..close).unwrap_or_default().trim();
        if dest.is_empty() || !dest.contains(char::is_whitespace) {
            continue;
        }
        // The `[` that opens the text, if it is on the same line.
        let from = i.saturating_sub(UNPARSED_SCAN);
        let line_start = bytes
            .get(from..i)
            .and_then(|before| before.iter().rposition(|&b| b == b'\n'))
            .map_or(from, |p| from + p + 1);
        let mut nesting = 0usize;
        let mut open = None;
        for k in (line_start..i).rev() {
            match bytes.get(k) {
                Some(b']') => nesting += 1,
                Some(b'[') if nesting == 0 => {
                    open = Some(k);
                    break;
                }
                Some(b'[') => nesting -= 1,
                _ => {}
            }
        }
        let image = open.is_some_and(|k| k > 0 && bytes.get(k - 1) == Some(&b'!'));
        let start = match open {
            Some(k) if image => k - 1,
            Some(k) => k,
            None => i,
        };
        found.push(Unparsed {
            range: start..close + 1,
            image,
            dest: dest.to_string(),
        });
    }
    found
}

/// Whether the top-level HTML block starting at `events[start]` is a `<!-- more -->` line.
fn is_more_marker(events: &[(Event<'_>, Range<usize>)], start: usize) -> bool {
    matches!(
        (events.get(start + 1), events.get(start + 2)),
        (Some((Event::Html(line), _)), Some((Event::End(TagEnd::HtmlBlock), _)))
            if line.trim() == "<!-- more -->"
    )
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

/// Count words that start in `text`; `in_word` carries a word across text events (pulldown-cmark
/// splits "don't" into three events under smart punctuation).
fn count_words(text: &str, in_word: &mut bool) -> usize {
    let mut count = 0;
    for c in text.chars() {
        if c.is_whitespace() {
            *in_word = false;
        } else if !*in_word {
            *in_word = true;
            count += 1;
        }
    }
    count
}

fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Find `id` attribute values in raw HTML: a small tag scanner (comments skipped, quoted and
/// unquoted values), linear in the input. Text outside tags never counts, so `<p>id="x"</p>` has
/// no id.
pub(crate) fn scan_html_ids(html: &str, mut found: impl FnMut(&str)) {
    let bytes = html.as_bytes();
    let len = bytes.len();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c');
    let mut i = 0;
    while i < len {
        if at(i) != b'<' {
            i += 1;
            continue;
        }
        if bytes.get(i..).is_some_and(|rest| rest.starts_with(b"<!--")) {
            match html.get(i + 4..).and_then(|rest| rest.find("-->")) {
                Some(end) => i += 4 + end + 3,
                None => return,
            }
            continue;
        }
        i += 1;
        if !at(i).is_ascii_alphabetic() {
            continue;
        }
        while i < len && !is_space(at(i)) && at(i) != b'>' && at(i) != b'/' {
            i += 1;
        }
        // Attributes, up to the closing `>`.
        loop {
            while i < len && (is_space(at(i)) || at(i) == b'/') {
                i += 1;
            }
            if i >= len {
                return;
            }
            if at(i) == b'>' {
                i += 1;
                break;
            }
            let name_start = i;
            while i < len && !is_space(at(i)) && !matches!(at(i), b'=' | b'>' | b'/') {
                i += 1;
            }
            let name_end = i;
            while i < len && is_space(at(i)) {
                i += 1;
            }
            if at(i) != b'=' {
                continue;
            }
            i += 1;
            while i < len && is_space(at(i)) {
                i += 1;
            }
            let (value_start, value_end) = match at(i) {
                quote @ (b'"' | b'\'') => {
                    let start = i + 1;
                    match bytes
                        .get(start..)
                        .and_then(|rest| rest.iter().position(|&b| b == quote))
                    {
                        Some(n) => {
                            i = start + n + 1;
                            (start, start + n)
                        }
                        None => return,
                    }
                }
                _ => {
                    let start = i;
                    while i < len && !is_space(at(i)) && at(i) != b'>' {
                        i += 1;
                    }
                    (start, i)
                }
            };
            let is_id = bytes
                .get(name_start..name_end)
                .is_some_and(|name| name.eq_ignore_ascii_case(b"id"));
            if is_id
                && let Some(value) = html.get(value_start..value_end)
                && !value.is_empty()
            {
                found(value);
            }
        }
    }
}

/// Byte offsets of the body to file positions. Line starts are found lazily, once, and column
/// counting resumes from the previous lookup when it is on the same line further right, so many
/// links on one very long line stay linear. Shared with `check.rs`, so its diagnostics point
/// where the build's do.
pub(crate) struct Positions<'a> {
    body: &'a str,
    /// Line number in the file of the body's first line, minus one.
    line_offset: usize,
    line_starts: Option<Vec<usize>>,
    /// (byte offset, line index, 1-based col) of the previous lookup.
    last: Option<(usize, usize, usize)>,
    /// Offsets given to `span` are in a text made from `body` (see [`SourceMap`]).
    map: Option<&'a SourceMap>,
}

impl<'a> Positions<'a> {
    pub(crate) fn new(body: &'a str, first_line: usize) -> Self {
        Self {
            body,
            line_offset: first_line.max(1) - 1,
            line_starts: None,
            last: None,
            map: None,
        }
    }

    fn mapped(mut self, map: &'a SourceMap) -> Self {
        self.map = Some(map);
        self
    }

    pub(crate) fn span(&mut self, range: Range<usize>) -> Span {
        let range = match self.map {
            Some(m) => {
                let start = m.to_source(range.start);
                start..m.to_source(range.end).max(start + 1)
            }
            None => range,
        };
        let body = self.body;
        let starts = self.line_starts.get_or_insert_with(|| {
            std::iter::once(0)
                .chain(body.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let start = range.start.min(body.len());
        let line = starts.partition_point(|&s| s <= start).saturating_sub(1);
        let line_start = starts.get(line).copied().unwrap_or(0);
        let (from, mut col) = match self.last {
            Some((offset, last_line, last_col)) if last_line == line && offset <= start => {
                (offset, last_col)
            }
            _ => (line_start, 1),
        };
        col += body
            .get(from..start)
            .map_or(0, |s| s.chars().filter(|&c| c != '\r').count());
        self.last = Some((start, line, col));
        // The span stays on its first line: a diagnostic underlines one line.
        let len = body.get(start..range.end.max(start)).map_or(0, |s| {
            s.chars().take_while(|&c| c != '\n' && c != '\r').count()
        });
        Span {
            line: self.line_offset + line + 1,
            col,
            len: len.max(1),
        }
    }
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
mod tests {
    use super::*;

    /// The site tree as the tests need it: `@/faq.md` and `faq.md` exist, `@/nope.md` doesn't,
    /// `#…` is an anchor on the page being rendered (`this.md`), anything else is external.
    struct TestResolver;

    impl LinkResolver for TestResolver {
        fn resolve(&self, target: &str) -> LinkTarget {
            let faq = |anchor: Option<&str>| LinkTarget::Internal {
                url: match anchor {
                    Some(a) => format!("https://example.com/faq/#{a}"),
                    None => "https://example.com/faq/".to_owned(),
                },
                page: "faq.md".to_owned(),
                anchor: anchor.map(str::to_owned),
            };
            match target {
                "@/faq.md" | "faq.md" => faq(None),
                "@/faq.md#x" => faq(Some("x")),
                "@/nope.md" => LinkTarget::Broken(Box::new(
                    crate::error::Diagnostic::error(
                        "link to a page that does not exist: `@/nope.md`",
                    )
                    .help("did you mean `@/faq.md`?"),
                )),
                t if t.starts_with('#') => LinkTarget::Internal {
                    url: t.to_owned(),
                    page: "this.md".to_owned(),
                    anchor: Some(t.trim_start_matches('#').to_owned()),
                },
                _ => LinkTarget::External,
            }
        }
    }

    /// Images: `a.png` becomes a marker holding what the hook got; `bad.png` cannot be used;
    /// everything else is kept.
    struct ImageResolver;

    impl LinkResolver for ImageResolver {
        fn resolve(&self, _target: &str) -> LinkTarget {
            LinkTarget::External
        }
        fn image(&self, target: &str, alt: &str, title: &str, first: bool) -> ImageHtml {
            match target {
                "a.png" => ImageHtml::Html(format!(
                    "<picture alt=[{alt}] title=[{title}] first={first}>"
                )),
                "bad.png" => ImageHtml::Broken {
                    message: "bad.png is not a readable image".into(),
                    help: None,
                },
                _ => ImageHtml::Keep,
            }
        }
    }

    #[test]
    fn image_hook_replaces_the_img_and_reports_bad_images_at_their_position() {
        let r = render(
            "Intro ![An *old* `room`](a.png \"T\") end.\n\n![b](b.svg) ![c](a.png)\n\nx ![d](bad.png)\n",
            5,
            &ImageResolver,
        );
        assert_eq!(
            r.html,
            "<p>Intro <picture alt=[An old room] title=[T] first=true> end.</p>\n<p><img src=\"b.svg\" alt=\"b\" /> <picture alt=[c] title=[] first=false></p>\n<p>x <img src=\"bad.png\" alt=\"d\" /></p>\n"
        );
        assert_eq!(r.problems.len(), 1);
        assert_eq!(
            r.problems[0].span,
            Span {
                line: 9,
                col: 3,
                len: 13
            }
        );
        // The summary still cuts at the first paragraph.
        assert_eq!(
            r.summary.as_deref(),
            Some("<p>Intro <picture alt=[An old room] title=[T] first=true> end.</p>")
        );
    }

    fn md(body: &str) -> Rendered {
        render(body, 1, &TestResolver)
    }

    fn heading_ids(r: &Rendered) -> Vec<String> {
        fn walk(hs: &[Heading], out: &mut Vec<String>) {
            for h in hs {
                out.push(h.id.clone());
                walk(&h.children, out);
            }
        }
        let mut out = Vec::new();
        walk(&r.toc, &mut out);
        out
    }

    /// The toc as `title(child child) title`, to compare shapes at a glance.
    fn shape(hs: &[Heading]) -> String {
        hs.iter()
            .map(|h| {
                if h.children.is_empty() {
                    h.title.clone()
                } else {
                    format!("{}({})", h.title, shape(&h.children))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn slugify_id_cases() {
        let cases = [
            ("Install", "install"),
            ("Café crème", "cafe-creme"),
            ("⚡", "section"),
            ("⚡ Fast", "fast"),
            ("Fast ⚡ and ✅ done", "fast-and-done"),
            ("👩‍👩‍👧 Family", "family"),
            ("!!!", "section"),
            ("", "section"),
            ("Don’t panic", "don-t-panic"),
            ("C++ & Rust", "c-rust"),
        ];
        for (input, want) in cases {
            assert_eq!(slugify_id(input), want, "input {input:?}");
        }
        let japanese = slugify_id("日本語の見出し");
        assert!(
            !japanese.is_empty() && japanese != "section" && japanese.is_ascii(),
            "{japanese}"
        );
    }

    #[test]
    fn heading_ids_are_unique_and_custom_ids_win() {
        let cases: &[(&str, &[&str])] = &[
            (
                "## Install\n## Install\n## Install",
                &["install", "install-1", "install-2"],
            ),
            ("## Intro {#start}\n## Start", &["start", "start-1"]),
            ("## Install\n## Setup {#install}", &["install-1", "install"]),
            ("## A {#x}\n## B {#x}", &["x", "x-1"]),
            (
                "## Install\n## Install\n## Install 1",
                &["install", "install-1", "install-1-1"],
            ),
            ("## Café crème", &["cafe-creme"]),
            ("## ⚡\n## ⚡", &["section", "section-1"]),
            ("## ⚡ Fast", &["fast"]),
            ("## H {id=z}", &["z"]),
            ("## Hello *world* `now`", &["hello-world-now"]),
            // Footnote and raw HTML ids are taken even when they come later on the page.
            ("## a\n\nx[^a]\n\n[^a]: note", &["a-1"]),
            ("## FAQ\n\n<div id=\"faq\"></div>", &["faq-1"]),
        ];
        for (input, want) in cases {
            let r = md(input);
            assert_eq!(heading_ids(&r), *want, "input {input:?}");
            for id in *want {
                assert!(
                    r.html.contains(&format!("id=\"{id}\"")),
                    "{id} in {}",
                    r.html
                );
            }
        }
    }

    #[test]
    fn headings_keep_markup_classes_and_one_id() {
        let cases = [
            (
                "## Hello *world*",
                "<h2 id=\"hello-world\">Hello <em>world</em></h2>",
            ),
            ("## T {.note}", "<h2 id=\"t\" class=\"note\">T</h2>"),
            (
                "## T {#a .b data-x=y}",
                "<h2 id=\"a\" class=\"b\" data-x=\"y\">T</h2>",
            ),
            ("## T {id=z}", "<h2 id=\"z\">T</h2>"),
            ("# Top", "<h1 id=\"top\">Top</h1>"),
            (
                "Setext\nheading\n===",
                "<h1 id=\"setext-heading\">Setext\nheading</h1>",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(md(input).html.trim(), want, "input {input:?}");
        }
        let r = md("## Hello *world* & `code`");
        assert_eq!(r.toc[0].title, "Hello world & code");
    }

    #[test]
    fn toc_nests_by_level() {
        let cases = [
            (
                "# Title\n## A\n### A1\n## B\n#### B1\n### B2\n## C",
                "A(A1) B(B1 B2) C",
            ),
            ("## A\n#### Deep\n## B", "A(Deep) B"),
            ("### Low\n## High\n### Under", "Low High(Under)"),
            (
                "## A\n### B\n#### C\n##### D\n###### E\n## F",
                "A(B(C(D(E)))) F",
            ),
            ("# Only a title", ""),
            ("No headings", ""),
        ];
        for (input, want) in cases {
            assert_eq!(shape(&md(input).toc), want, "input {input:?}");
        }
        let r = md("## A\n#### B");
        assert_eq!(r.toc[0].level, 2);
        assert_eq!(r.toc[0].children[0].level, 4);
    }

    #[test]
    fn toc_serializes_for_templates() {
        let r = md("## A\n### B");
        let json = serde_json::to_value(&r.toc).ok();
        assert_eq!(
            json,
            Some(serde_json::json!([{"level": 2, "id": "a", "title": "A",
                "children": [{"level": 3, "id": "b", "title": "B", "children": []}]}]))
        );
    }

    #[test]
    fn links_are_resolved() {
        let cases = [
            (
                "[F](@/faq.md)",
                "<a href=\"https://example.com/faq/\">F</a>",
            ),
            ("[F](faq.md)", "<a href=\"https://example.com/faq/\">F</a>"),
            (
                "[F](@/faq.md \"T\")",
                "<a href=\"https://example.com/faq/\" title=\"T\">F</a>",
            ),
            (
                "[F][r]\n\n[r]: @/faq.md",
                "<a href=\"https://example.com/faq/\">F</a>",
            ),
            (
                "[r]\n\n[r]: @/faq.md",
                "<a href=\"https://example.com/faq/\">r</a>",
            ),
            (
                "[F](@/faq.md#x)",
                "<a href=\"https://example.com/faq/#x\">F</a>",
            ),
            (
                "![i](@/faq.md)",
                "<img src=\"https://example.com/faq/\" alt=\"i\" />",
            ),
            ("[x](https://x.org/a)", "<a href=\"https://x.org/a\">x</a>"),
            (
                "<https://x.org>",
                "<a href=\"https://x.org\">https://x.org</a>",
            ),
            ("<a@b.org>", "<a href=\"mailto:a@b.org\">a@b.org</a>"),
            ("[x](@/nope.md)", "<a href=\"@/nope.md\">x</a>"),
            ("`[x](@/faq.md)`", "<code>[x](@/faq.md)</code>"),
        ];
        for (input, want) in cases {
            let r = md(input);
            assert!(r.html.contains(want), "input {input:?}: {}", r.html);
        }
    }

    /// A link or image whose address has a space is text in CommonMark: it is reported at the
    /// `[` (or `!`), and only outside code and when the brackets are not escaped.
    #[test]
    fn links_with_a_space_in_the_address_are_reported() {
        // (line, col, len, is an image) of each problem.
        type Found = (usize, usize, usize, bool);
        let spans = |body: &str| -> Vec<Found> {
            render(body, 3, &TestResolver)
                .problems
                .iter()
                .map(|p| {
                    (
                        p.span.line,
                        p.span.col,
                        p.span.len,
                        p.message.contains("not an image"),
                    )
                })
                .collect()
        };
        let cases: &[(&str, &[Found])] = &[
            ("![The room](/images/my photo.jpg)", &[(3, 1, 33, true)]),
            ("See [the menu](menu 2024.pdf).", &[(3, 5, 25, false)]),
            (
                "a\n\n* x [a](b c) [d](e  f)",
                &[(5, 5, 8, false), (5, 14, 9, false)],
            ),
            ("Café ![a *b*](x (1) y.png)", &[(3, 6, 21, true)]),
            ("[two\nlines](my file.pdf)", &[(4, 6, 14, false)]),
            ("> ![x](a b.jpg) end", &[(3, 3, 13, true)]),
            // Not links that failed: these are links, code or escaped text.
            ("![ok](</images/my photo.jpg>)", &[]),
            ("[ok](a.md \"A title\")", &[]),
            ("`[a](b c)`", &[]),
            ("```\n[a](b c)\n```", &[]),
            ("    [a](b c)", &[]),
            ("[a\\](b c)", &[]),
            ("[a](b c", &[]),
            ("[a](b\nc)", &[]),
            ("(a b) [c] (d e)", &[]),
        ];
        for (input, want) in cases {
            assert_eq!(spans(input), *want, "input {input:?}");
        }
        // Link text longer than the scan: still reported, from the `](`.
        let long = format!("[{}](a b)", "x".repeat(3 * UNPARSED_SCAN));
        let found = render(&long, 1, &TestResolver).problems;
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.starts_with("`](a b)` is not a link"),
            "{found:?}"
        );
        let r = render("![The room](/images/my photo.jpg)", 1, &TestResolver);
        assert_eq!(
            r.problems[0].message,
            "`![The room](/images/my photo.jpg)` is not an image: its address has a space in it, so the page shows this markdown as plain text"
        );
        assert_eq!(
            r.problems[0].help.as_deref(),
            Some(
                "put the address in angle brackets, `](</images/my photo.jpg>)`, or rename the file without spaces (`/images/my-photo.jpg`) and write that name here; to show the brackets as text, write `\\]` instead of `]`"
            )
        );
    }

    #[test]
    fn broken_links_are_reported_with_file_positions() {
        let problem = |line, col, len| LinkProblem {
            message: "link to a page that does not exist: `@/nope.md`".to_owned(),
            help: Some("did you mean `@/faq.md`?".to_owned()),
            span: Span { line, col, len },
        };
        let cases = [
            ("[x](@/nope.md)", 1, vec![problem(1, 1, 14)]),
            ("para\n\nSee [x](@/nope.md) now", 5, vec![problem(7, 5, 14)]),
            (
                "para\r\n\r\nSee [x](@/nope.md) now",
                5,
                vec![problem(7, 5, 14)],
            ),
            ("Café [x](@/nope.md)", 1, vec![problem(1, 6, 14)]),
            (
                "[a](@/nope.md) [b](@/nope.md)\r\n  [c](@/nope.md)",
                3,
                vec![problem(3, 1, 14), problem(3, 16, 14), problem(4, 3, 14)],
            ),
            ("[x][r]\n\n[r]: @/nope.md", 1, vec![problem(1, 1, 6)]),
            ("![i](@/nope.md)", 2, vec![problem(2, 1, 15)]),
            // A link over two lines is underlined on its first line only.
            ("[two\nlines](@/nope.md)", 1, vec![problem(1, 1, 4)]),
            ("> - [x](@/nope.md)", 1, vec![problem(1, 5, 14)]),
            ("[x](@/faq.md)", 1, vec![]),
        ];
        for (input, first_line, want) in cases {
            let r = render(input, first_line, &TestResolver);
            assert_eq!(r.problems, want, "input {input:?}");
        }
    }

    #[test]
    fn anchors_are_collected() {
        let r = render(
            "Intro\n\n[a](@/faq.md#x) and [b](#intro).\n\n[c](@/faq.md)",
            10,
            &TestResolver,
        );
        assert_eq!(
            r.anchors,
            vec![
                AnchorRef {
                    page: "faq.md".to_owned(),
                    anchor: "x".to_owned(),
                    target: "@/faq.md#x".to_owned(),
                    span: Span {
                        line: 12,
                        col: 1,
                        len: 15
                    },
                },
                AnchorRef {
                    page: "this.md".to_owned(),
                    anchor: "intro".to_owned(),
                    target: "#intro".to_owned(),
                    span: Span {
                        line: 12,
                        col: 21,
                        len: 11
                    },
                },
            ]
        );
        assert!(r.problems.is_empty());
    }

    #[test]
    fn footnotes_render_and_their_ids_are_listed() {
        let r = md("Lorem ipsum.[^a][^b]\n\n [^c]: text\n\n[^a]: A\n[^b]: B\n");
        assert_eq!(
            r.html.matches("class=\"footnote-reference\"").count(),
            2,
            "{}",
            r.html
        );
        assert!(r.html.contains("<a href=\"#a\">1</a>"), "{}", r.html);
        assert!(r.html.contains("<a href=\"#b\">2</a>"), "{}", r.html);
        for id in ["a", "b", "c"] {
            let def = format!("<div class=\"footnote-definition\" id=\"{id}\">");
            assert!(r.html.contains(&def), "{id}: {}", r.html);
        }
        assert!(!r.html.contains("[^c]"), "{}", r.html);
        assert_eq!(r.ids, ["c", "a", "b"]);
    }

    #[test]
    fn summary() {
        let cases = [
            (
                "First *para*.\n\nSecond.",
                Some("<p>First <em>para</em>.</p>"),
            ),
            ("# Title\n\nIntro.\n\nMore.", Some("<p>Intro.</p>")),
            ("- in a list\n\nTop level.", Some("<p>Top level.</p>")),
            ("> quoted\n\nTop level.", Some("<p>Top level.</p>")),
            (
                "One.\n\nTwo.\n\n<!-- more -->\n\nThree.",
                Some("<p>One.</p>\n<p>Two.</p>"),
            ),
            (
                "# T\n\nOne.\n<!-- more -->\nThree.",
                Some("<h1 id=\"t\">T</h1>\n<p>One.</p>"),
            ),
            (
                "One.\r\n\r\n  <!-- more -->  \r\n\r\nTwo.",
                Some("<p>One.</p>"),
            ),
            ("```\n<!-- more -->\n```\n\nPara.", Some("<p>Para.</p>")),
            (
                "Para <!-- more --> inline.",
                Some("<p>Para <!-- more --> inline.</p>"),
            ),
            ("<!-- more -->\n\nPara.", None),
            ("# Only a heading", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(md(input).summary.as_deref(), want, "input {input:?}");
        }
    }

    #[test]
    fn extensions() {
        let cases = [
            ("\"Hello\" -- it's...", "<p>“Hello” – it’s…</p>"),
            (
                "|a|b|\n|-|:-:|\n|1|2|",
                "<th style=\"text-align: center\">b</th>",
            ),
            ("|a|b|\n|-|-|\n|1|2|", "<td>1</td><td>2</td>"),
            (
                "- [x] done\n- [ ] todo",
                "<input type=\"checkbox\" disabled checked aria-label=\"done\"> done",
            ),
            (
                "- [x] done\n- [ ] todo",
                "<input type=\"checkbox\" disabled aria-label=\"not done\"> todo",
            ),
            ("~~gone~~", "<del>gone</del>"),
            // No metadata blocks: a `---` pair in the body is a rule and a heading, not front matter.
            (
                "Text\n\n---\ntitle: x\n---\n",
                "<hr />\n<h2 id=\"title-x\">title: x</h2>",
            ),
        ];
        for (input, want) in cases {
            let r = md(input);
            assert!(r.html.contains(want), "input {input:?}: {}", r.html);
        }
    }

    #[test]
    fn first_h1() {
        let cases = [
            ("## Sub\n# Main *title*\n# Second", Some("Main title")),
            ("Setext\n===", Some("Setext")),
            ("## Only h2", None),
            ("", None),
        ];
        for (input, want) in cases {
            let r = md(input);
            assert_eq!(r.first_h1.as_deref(), want, "input {input:?}");
            assert!(r.toc.iter().all(|h| h.level > 1));
        }
    }

    #[test]
    fn ids_are_collected_in_document_order() {
        let cases: &[(&str, &[&str])] = &[
            ("<ul>\n<li id=\"ref-x\">x</li>\n</ul>", &["ref-x"]),
            ("text <span id='y'>s</span> more", &["y"]),
            ("<div\n  id=\"q\" class=x>\n</div>", &["q"]),
            ("<div ID=unquoted></div>", &["unquoted"]),
            (
                "<p>id=\"no\"</p>\n\n<div data-id=\"no\" grid=\"no\"></div>",
                &[],
            ),
            ("<!-- <a id=\"no\"> -->", &[]),
            (
                "# A\n\n<a id=\"m\"></a>\n\n## B\n\nx[^n]\n\n[^n]: note",
                &["a", "m", "b", "n"],
            ),
            ("<a id=\"d\"></a><a id=\"d\"></a>", &["d"]),
        ];
        for (input, want) in cases {
            assert_eq!(md(input).ids, *want, "input {input:?}");
        }
    }

    #[test]
    fn scan_html_ids_cases() {
        let cases: &[(&str, &[&str])] = &[
            ("<a id=\"x\">", &["x"]),
            ("<a\tid = 'x' >", &["x"]),
            ("<img id=x/>", &["x/"]),
            ("<br/><b id=\"y\">", &["y"]),
            ("<a title=\"id='no'\" id=\"yes\">", &["yes"]),
            ("<a id=\"\">", &[]),
            ("</a id=\"no\">", &[]),
            ("<a id=\"unclosed", &[]),
            ("<a id=", &[]),
            ("<", &[]),
            ("<!--", &[]),
            ("<a =x id=y>", &["y"]),
            ("<é id=\"x\">", &[]),
            ("<a id=\"é\">", &["é"]),
        ];
        for (input, want) in cases {
            let mut found = Vec::new();
            scan_html_ids(input, |id| found.push(id.to_owned()));
            assert_eq!(found, *want, "input {input:?}");
        }
    }

    #[test]
    fn word_count() {
        let cases = [
            ("", 0),
            ("Hello *wor*ld, `code` here.\n\n- one two", 6),
            ("don't stop", 2),
            ("# Title\n\n```\nfn main() {}\n```", 4),
            ("a\nb  c", 3),
            ("<div>not counted</div>", 0),
            ("[link text](https://x.org)", 2),
        ];
        for (input, want) in cases {
            assert_eq!(md(input).word_count, want, "input {input:?}");
        }
    }

    #[test]
    fn positions_resume_on_a_line_and_go_back() {
        let body = "ab\r\ncdé f\n\ng";
        let mut p = Positions::new(body, 3);
        let cases = [
            (
                0..2,
                Span {
                    line: 3,
                    col: 1,
                    len: 2,
                },
            ),
            (
                8..10,
                Span {
                    line: 4,
                    col: 4,
                    len: 2,
                },
            ),
            (
                9..10,
                Span {
                    line: 4,
                    col: 5,
                    len: 1,
                },
            ),
            (
                4..5,
                Span {
                    line: 4,
                    col: 1,
                    len: 1,
                },
            ),
            (
                12..13,
                Span {
                    line: 6,
                    col: 1,
                    len: 1,
                },
            ),
            (
                11..11,
                Span {
                    line: 5,
                    col: 1,
                    len: 1,
                },
            ),
            (
                99..120,
                Span {
                    line: 6,
                    col: 2,
                    len: 1,
                },
            ),
            // Not a char boundary (inside `é`): no panic, some position on the right line.
            (
                7..9,
                Span {
                    line: 4,
                    col: 1,
                    len: 1,
                },
            ),
        ];
        for (range, want) in cases {
            assert_eq!(p.span(range.clone()), want, "range {range:?}");
        }
        assert_eq!(Positions::new("x", 0).span(0..1).line, 1);
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let deep_quotes = format!("{} x", ">".repeat(500));
        let deep_list: String = (0..500)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect();
        let deep_ordered: String = (0..500)
            .map(|i| format!("{}1. x\n", "   ".repeat(i)))
            .collect();
        let deep_emphasis = format!("{}x{}", "*".repeat(5000), "*".repeat(5000));
        let long_line = "word ".repeat(200_000);
        let long_links = "[x](@/nope.md) ".repeat(70_000);
        let many_headings = "## Same\n".repeat(3000);
        let inputs: Vec<&str> = vec![
            "",
            "---",
            "---\n---",
            "```\nunclosed fence",
            "~~~",
            &deep_quotes,
            &deep_list,
            &deep_ordered,
            &deep_emphasis,
            "# H {#}",
            "# H {.}",
            "# H {#a #b}",
            "# H {=}",
            "# H {",
            "# H }",
            "# {#only-id}",
            "#######",
            "#",
            &long_line,
            &long_links,
            &many_headings,
            "\r\n\r",
            "\r",
            "\0",
            "[^]",
            "[^a]: [^a]",
            "[^a]\n\n[^a]: [^b]\n\n[^b]: [^a]",
            "<!-- more -->",
            "<!-- more",
            "<",
            "<a id=",
            "|",
            "|a|\n|-|\n|b|c|d|",
            "- [ ]",
            "[x](<>)",
            "[x]()",
            "![](",
            "\u{feff}# BOM",
            "\t\t\t\t",
        ];
        for input in inputs {
            let r = render(input, 1, &TestResolver);
            assert!(
                input.trim().is_empty() || !r.html.is_empty(),
                "input {input:?}"
            );
        }
        let r = render(&long_links, 1, &TestResolver);
        assert_eq!(r.problems.len(), 70_000);
        assert_eq!(r.problems[69_999].span.col, 69_999 * 15 + 1);
        let r = render(&many_headings, 1, &TestResolver);
        assert_eq!(r.toc.last().map(|h| h.id.as_str()), Some("same-2999"));
    }

    #[test]
    fn raw_html_links_and_images_are_resolved_like_markdown_ones() {
        let body = "See <a href=\"@/faq.md\">FAQ</a> and <A HREF='@/nope.md'>x</A>.\n\n<p><img alt=\"r\" src=\"@/nope.md\"> <a href=\"@/faq.md#x\">y</a></p>\n\n<div>\n<a\n  href=\"@/faq.md\">z</a> <!-- <a href=\"@/nope.md\"> -->\n</div>\n\n> <a href=\"#top\">up</a> <a href=https://e.org/>e</a>\n\n```\n<a href=\"@/nope.md\">code</a>\n```\n";
        let r = render(body, 3, &TestResolver);
        assert_eq!(
            r.html,
            "<p>See <a href=\"https://example.com/faq/\">FAQ</a> and <A HREF='@/nope.md'>x</A>.</p>\n<p><img alt=\"r\" src=\"@/nope.md\"> <a href=\"https://example.com/faq/#x\">y</a></p>\n<div>\n<a\n  href=\"https://example.com/faq/\">z</a> <!-- <a href=\"@/nope.md\"> -->\n</div>\n<blockquote>\n<p><a href=\"#top\">up</a> <a href=https://e.org/>e</a></p>\n</blockquote>\n<pre><code>&lt;a href=\"@/nope.md\"&gt;code&lt;/a&gt;\n</code></pre>\n"
        );
        // Broken ones at their value's file position (the body starts on line 3).
        let at: Vec<(usize, usize, usize)> = r
            .problems
            .iter()
            .map(|p| (p.span.line, p.span.col, p.span.len))
            .collect();
        assert_eq!(at, [(3, 45, 9), (5, 22, 9)]);
        assert_eq!(
            r.problems[0].message,
            "link to a page that does not exist: `@/nope.md`"
        );
        let anchors: Vec<(&str, &str, usize, usize)> = r
            .anchors
            .iter()
            .map(|a| (a.page.as_str(), a.target.as_str(), a.span.line, a.span.col))
            .collect();
        assert_eq!(
            anchors,
            [("faq.md", "@/faq.md#x", 5, 43), ("this.md", "#top", 12, 12)]
        );
    }

    #[test]
    fn raw_html_targets_skip_comments_scripts_and_other_attributes() {
        let html = "<a title=\"<img src=x>\" href=a>1</a><!-- <a href=\"b\"> --><script>let s = '<a href=\"c\">';</script><IMG data-src=\"d\" SRC = 'e' /><link href=\"f\"><a href=\"g&amp;h\">";
        let found: Vec<&str> = raw_html_targets(html)
            .into_iter()
            .map(|r| &html[r])
            .collect();
        assert_eq!(found, ["a", "e", "g&amp;h"]);
    }
}
