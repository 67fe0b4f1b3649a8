//! Heading ids: the slug of a heading's text (or its `{#custom}` id), made unique on the page,
//! and the ids written by hand (footnotes, raw HTML) that an automatic id must step aside for.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::error::Diagnostic;

/// Ids that headings must not take: custom heading ids and ids in raw HTML, so an automatic id
/// never collides with one written by hand, wherever on the page it is. Also returns the
/// footnote and raw HTML ids with the index of the event they belong to. Footnote ids
/// (`fn:label`, `fnref:label`, see [`Footnotes`]) hold a colon, which no heading slug has, so
/// headings need not step aside for them.
///
/// `template` says which ids the page's templates write (see
/// [`super::LinkResolver::is_template_id`]): a `{#custom}` id that is one of them is kept (a
/// custom id wins) and noted in [`Taken::problems`], to be reported.
pub(super) fn reserved_ids(
    events: &[(Event<'_>, Range<usize>)],
    template: &dyn Fn(&str) -> bool,
) -> (Taken, Vec<(usize, String)>) {
    let mut taken = Taken::default();
    let mut custom_at: HashMap<String, Range<usize>> = HashMap::new();
    let mut other_ids: Vec<(usize, String)> = Vec::new();
    // An HTML block comes one line per event; a tag may span lines, so scan the whole block.
    let mut html_block = String::new();
    let mut html_block_start: Option<usize> = None;
    let mut footnotes = Footnotes::default();
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Heading { id, attrs, .. }) => {
                if let Some(custom) = custom_id(id.as_deref(), attrs) {
                    taken.custom.insert(custom.to_owned());
                    let range = events.get(i).map(|(_, r)| r.clone()).unwrap_or_default();
                    if template(custom) {
                        taken
                            .problems
                            .on_template
                            .push((custom.to_owned(), range.clone()));
                    }
                    match custom_at.get(custom) {
                        Some(first) => taken.problems.twice.push(CustomTwice {
                            id: custom.to_owned(),
                            first: first.clone(),
                            again: range,
                        }),
                        None => {
                            custom_at.insert(custom.to_owned(), range);
                        }
                    }
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                other_ids.push((i, footnotes.definition_id(label)));
            }
            Event::FootnoteReference(label) => {
                other_ids.push((i, footnotes.reference_id(label)));
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
pub(super) struct Taken {
    /// `{#custom}` heading ids anywhere on the page.
    custom: HashSet<String>,
    /// Footnote and raw HTML ids anywhere on the page.
    other: HashSet<String>,
    /// Heading ids already assigned.
    used: HashSet<String>,
    /// Next suffix to try per base id, so a hundred "Install" headings are not quadratic.
    next_suffix: HashMap<String, usize>,
    /// What is wrong with the page's `{#custom}` ids, found in pass 1.
    pub(super) problems: IdProblems,
    /// Automatic heading ids that were a template's id: (that id, the heading's instead).
    pub(super) template_clashes: Vec<(String, String)>,
}

/// What is wrong with a page's `{#custom}` heading ids.
#[derive(Debug, Default)]
pub(super) struct IdProblems {
    /// Ids written on two headings (an error: a link to one could only land on the first).
    twice: Vec<CustomTwice>,
    /// Ids that the page's templates write too, with the heading's range (a warning: the page
    /// has two elements with that id).
    on_template: Vec<(String, Range<usize>)>,
}

impl IdProblems {
    pub(super) fn is_empty(&self) -> bool {
        self.twice.is_empty() && self.on_template.is_empty()
    }

    /// The problems as diagnostics at their headings, without a file (see [`Rendered::problems`]).
    ///
    /// [`Rendered::problems`]: super::Rendered::problems
    pub(super) fn diagnostics(self, positions: &mut super::Positions<'_>) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self
            .twice
            .into_iter()
            .map(|t| twice_error(t, positions))
            .collect();
        out.extend(self.on_template.into_iter().map(|(id, range)| {
            Diagnostic::warning(format!(
                "the heading's id `{id}` is also an id of the page's template, so the page has two elements with that id and a link to `#{id}` lands on the first, the template's"
            ))
            .at_line(positions.span(range), None)
            .label("id the template uses")
            .help(format!("give the heading another id, like `{{#{id}-section}}`"))
        }));
        out
    }
}

/// One `{#custom}` id given to two headings: where it is written first and again (the ranges of
/// the two headings in the parsed text).
#[derive(Debug, Clone)]
struct CustomTwice {
    id: String,
    first: Range<usize>,
    again: Range<usize>,
}

impl Taken {
    /// A custom id keeps its spelling unless an earlier heading already has it; an automatic one
    /// also steps aside for custom, footnote and raw HTML ids.
    /// A template's own ids (`template`, see [`super::LinkResolver::is_template_id`]) are
    /// avoided like those written by hand.
    fn claim(&mut self, base: String, custom: bool, template: &dyn Fn(&str) -> bool) -> String {
        let free = |t: &Self, id: &str| {
            !t.used.contains(id)
                && (custom || (!t.custom.contains(id) && !t.other.contains(id) && !template(id)))
        };
        let clash = (!custom && template(&base)).then(|| base.clone());
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
        if let Some(clash) = clash {
            self.template_clashes.push((clash, id.clone()));
        }
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
/// (pulldown-cmark's HTML writer then prints it) and return it. `resolver` says which ids the
/// page's templates write (an automatic id steps aside for them; a `{#custom}` one does not).
pub(super) fn assign_heading_id(
    events: &mut [(Event<'_>, Range<usize>)],
    start: usize,
    title: &str,
    taken: &mut Taken,
    resolver: &dyn super::LinkResolver,
) -> String {
    let template = |id: &str| resolver.is_template_id(id);
    let Some((Event::Start(Tag::Heading { id, attrs, .. }), _)) = events.get_mut(start) else {
        return taken.claim(slugify_id(title), false, &template);
    };
    let assigned = match custom_id(id.as_deref(), attrs) {
        Some(custom) => {
            let custom = custom.to_owned();
            taken.claim(custom, true, &template)
        }
        None => taken.claim(slugify_id(title), false, &template),
    };
    // An `id=` attribute would print a second id attribute beside ours.
    attrs.retain(|(key, _)| !key.eq_ignore_ascii_case("id"));
    *id = Some(CowStr::from(assigned.clone()));
    assigned
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
            let (value, next, closed) = attribute_value(bytes, i);
            if !closed {
                return;
            }
            i = next;
            let is_id = bytes
                .get(name_start..name_end)
                .is_some_and(|name| name.eq_ignore_ascii_case(b"id"));
            if is_id
                && let Some(value) = html.get(value)
                && !value.is_empty()
            {
                found(value);
            }
        }
    }
}

/// The value of an attribute in raw HTML whose first byte is `html[at]` (after the `=` and any
/// spaces): quoted, without the quotes, or bare, up to a space or `>`. Returns its byte range,
/// where the scan goes on, and false for a quote never closed (its value runs to the end).
pub(super) fn attribute_value(html: &[u8], at: usize) -> (Range<usize>, usize, bool) {
    match html.get(at) {
        Some(&quote @ (b'"' | b'\'')) => {
            let start = at + 1;
            match html
                .get(start..)
                .and_then(|rest| rest.iter().position(|&b| b == quote))
            {
                Some(n) => (start..start + n, start + n + 1, true),
                None => (start..html.len(), html.len(), false),
            }
        }
        _ => {
            let mut end = at;
            while html
                .get(end)
                .is_some_and(|&b| !b.is_ascii_whitespace() && b != b'>')
            {
                end += 1;
            }
            (at..end, end, true)
        }
    }
}

/// Footnote ids and their HTML. pulldown-cmark would give a footnote definition the id of its
/// bare label (`[^sources]` → `id="sources"`), which a `## Sources` heading also makes; here a
/// definition is `fn:LABEL` and each reference `fnref:LABEL` (the second reference to the same
/// footnote `fnref:LABEL:2`, and so on), the names Zola, Hugo and Jekyll (kramdown) use. A colon
/// never comes out of [`slugify_id`], so a heading's id and a footnote's never meet. Numbers are
/// given as pulldown-cmark's writer gives them: in order of first appearance, reference or
/// definition.
#[derive(Default)]
pub(super) struct Footnotes {
    /// The number of each label seen so far.
    numbers: HashMap<String, usize>,
    /// How many references to each label were seen so far.
    references: HashMap<String, usize>,
}

impl Footnotes {
    fn number(&mut self, label: &str) -> usize {
        let next = self.numbers.len() + 1;
        *self.numbers.entry(label.to_owned()).or_insert(next)
    }

    /// The id of the definition of footnote `label`: `fn:label`.
    pub(super) fn definition_id(&mut self, label: &str) -> String {
        self.number(label);
        format!("fn:{label}")
    }

    /// The id of the next reference to footnote `label`: `fnref:label`, then `fnref:label:2`…
    pub(super) fn reference_id(&mut self, label: &str) -> String {
        self.number(label);
        let seen = self.references.entry(label.to_owned()).or_insert(0);
        *seen += 1;
        match *seen {
            1 => format!("fnref:{label}"),
            n => format!("fnref:{label}:{n}"),
        }
    }

    /// The HTML to write for a footnote reference or the start of a footnote definition, the
    /// same as pulldown-cmark's but for the ids; None for any other event. Called on the
    /// events in document order, once each.
    pub(super) fn html(&mut self, event: &Event<'_>) -> Option<String> {
        match event {
            Event::FootnoteReference(label) => {
                let id = crate::html::escape(&self.reference_id(label));
                let number = self.number(label);
                let href = crate::html::escape(&format!("#fn:{label}"));
                Some(format!(
                    "<sup class=\"footnote-reference\" id=\"{id}\"><a href=\"{href}\">{number}</a></sup>"
                ))
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let id = crate::html::escape(&self.definition_id(label));
                let number = self.number(label);
                Some(format!(
                    "<div class=\"footnote-definition\" id=\"{id}\"><sup class=\"footnote-definition-label\">{number}</sup>"
                ))
            }
            _ => None,
        }
    }
}

/// The error for a `{#custom}` id written on two headings, at the second, naming the line of
/// the first: an id is unique on a page (HTML), and a link to it could reach only one of them.
fn twice_error(twice: CustomTwice, positions: &mut super::Positions<'_>) -> Diagnostic {
    let first = positions.span(twice.first);
    let again = positions.span(twice.again);
    Diagnostic::error(format!(
        "two headings have the id `{}`: line {} and line {}",
        twice.id, first.line, again.line
    ))
    .at_line(again, None)
    .label("second heading with this id")
    .help(format!(
        "an id names one place on the page: give one of the two headings another `{{#…}}` (a link to `#{}` lands on the heading of line {})",
        twice.id, first.line
    ))
}
