//! Pass 2 of [`super::render_mapped`]: one walk over the parsed events, in order. It gives each
//! heading its id and builds the toc, resolves links and images (markdown and raw HTML), counts
//! words, and notes where the summary starts and ends. Events are changed in place where the
//! HTML must differ from pulldown-cmark's (heading ids, rewritten links, images, task boxes).

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

use super::hooks::{self, ImageCall};
use super::ids::{Taken, assign_heading_id};
use super::links::{broken_link, resolve_link, resolve_raw_html, unparsed_links};
use super::summary::more_marker;
use super::{
    Heading, Hook, ImageHtml, LinkResolver, Picture, Positions, Rendered, heading_level, is_inline,
    is_inline_end,
};

/// Where the summary comes from, as event indexes: the first HTML event holding a
/// `<!-- more -->` marker, at any depth (summary.rs), and the first top-level paragraph (its
/// start, and its end once seen).
#[derive(Debug, Default)]
pub(super) struct SummaryBounds {
    pub(super) more_at: Option<usize>,
    pub(super) first_paragraph: Option<(usize, Option<usize>)>,
}

/// The markdown image being read, from its `Start` to its `End` event.
struct OpenImage {
    /// Index of its `Start` event.
    start: usize,
    /// The destination as written (before the resolver rewrote it).
    written: String,
    title: String,
    /// How many problems were recorded before it: more at its end means it is broken.
    problems_before: usize,
    /// Its source range, where a problem with the image is reported.
    range: Range<usize>,
}

/// The state of the walk; [`Walker::step`] takes one event at a time, by index, because
/// finishing a heading or an image changes earlier events.
pub(super) struct Walker<'a> {
    /// The parsed text (link problems quote it).
    body: &'a str,
    resolver: &'a dyn LinkResolver,
    positions: Positions<'a>,
    taken: Taken,
    /// What the walk fills in: word count, anchors, problems.
    out: Rendered,
    /// Each heading's id, by the index of its `Start` event.
    heading_ids: Vec<(usize, String)>,
    /// Headings of level 2..=6, in document order (nested at the end).
    flat_toc: Vec<Heading>,
    /// How many tags are open around the current event (0: top level).
    depth: usize,
    summary: SummaryBounds,
    /// Whether the last text ended inside a word (a word can span text events).
    in_word: bool,
    /// The heading being read: index of its `Start` event and its level; and its text so far.
    heading: Option<(usize, u8)>,
    heading_text: String,
    /// The outermost image being read, its alt text so far, how deep images are nested, and
    /// how many images came before it.
    image: Option<OpenImage>,
    image_alt: String,
    image_nesting: usize,
    images_seen: usize,
    /// How many markdown links are open around the current event (an image's `in_link`).
    links_open: usize,
    /// Inside a fenced or indented code block, text is code: `](a b)` there is not a link.
    code_blocks: usize,
    /// The event index of the open HTML block's start: its lines are read as one text at its end.
    html_block: Option<usize>,
}

impl<'a> Walker<'a> {
    /// A walk over the events of `body`, with `taken` from pass 1 (`reserved_ids`).
    pub(super) fn new(
        body: &'a str,
        resolver: &'a dyn LinkResolver,
        positions: Positions<'a>,
        taken: Taken,
    ) -> Self {
        Walker {
            body,
            resolver,
            positions,
            taken,
            out: Rendered::default(),
            heading_ids: Vec::new(),
            flat_toc: Vec::new(),
            depth: 0,
            summary: SummaryBounds::default(),
            in_word: false,
            heading: None,
            heading_text: String::new(),
            image: None,
            image_alt: String::new(),
            image_nesting: 0,
            images_seen: 0,
            links_open: 0,
            code_blocks: 0,
            html_block: None,
        }
    }

    /// Takes the event `events[i]`; the events before it have been taken, in order.
    pub(super) fn step(&mut self, events: &mut [(Event<'_>, Range<usize>)], i: usize) {
        self.summary_bounds(events, i);
        match events.get(i).map(|(event, _)| event) {
            Some(Event::Start(_)) => self.start(events, i),
            Some(Event::End(_)) => self.end(events, i),
            Some(
                Event::Text(_) | Event::Code(_) | Event::InlineMath(_) | Event::DisplayMath(_),
            ) => self.text(events, i),
            Some(Event::SoftBreak | Event::HardBreak) => self.line_break(),
            Some(Event::TaskListMarker(_)) => self.task_list_marker(events, i),
            Some(Event::Rule | Event::FootnoteReference(_)) => self.in_word = false,
            Some(Event::InlineHtml(_)) => resolve_raw_html(
                events,
                i..i + 1,
                self.body,
                self.resolver,
                &mut self.positions,
                &mut self.out,
            ),
            _ => {}
        }
    }

    /// The toc nested, the ids of the page in document order (heading ids interleaved by event
    /// index with `other_ids`, the footnote and raw HTML ids of pass 1), and the summary bounds.
    pub(super) fn finish(self, other_ids: Vec<(usize, String)>) -> (Rendered, SummaryBounds) {
        let mut out = self.out;
        out.toc = nest_toc(self.flat_toc);
        out.template_clashes = self.taken.template_clashes;
        let mut all_ids = self.heading_ids;
        all_ids.extend(other_ids);
        all_ids.sort_by_key(|(i, _)| *i);
        let mut seen = HashSet::with_capacity(all_ids.len());
        out.ids = all_ids
            .into_iter()
            .filter_map(|(_, id)| seen.insert(id.clone()).then_some(id))
            .collect();
        (out, self.summary)
    }

    /// Summary bounds: the first top-level paragraph, and the first `<!-- more -->` written as
    /// HTML anywhere (a block of its own, inside a list item or a block quote, or inline). In
    /// code it is a `Text` or `Code` event and does not count.
    fn summary_bounds(&mut self, events: &[(Event<'_>, Range<usize>)], i: usize) {
        match events.get(i) {
            Some((Event::Start(Tag::Paragraph), _))
                if self.depth == 0 && self.summary.first_paragraph.is_none() =>
            {
                self.summary.first_paragraph = Some((i, None));
            }
            Some((Event::Html(html) | Event::InlineHtml(html), _))
                if self.summary.more_at.is_none() && more_marker(html).is_some() =>
            {
                self.summary.more_at = Some(i);
            }
            _ => {}
        }
    }

    fn start(&mut self, events: &mut [(Event<'_>, Range<usize>)], i: usize) {
        self.depth += 1;
        let Some((Event::Start(tag), range)) = events.get_mut(i) else {
            return;
        };
        if !is_inline(tag) {
            self.in_word = false;
        }
        match tag {
            Tag::CodeBlock(_) => self.code_blocks += 1,
            Tag::HtmlBlock => self.html_block = Some(i),
            Tag::Heading { level, .. } => {
                self.heading = Some((i, heading_level(*level)));
                self.heading_text.clear();
            }
            Tag::Image {
                link_type,
                dest_url,
                title,
                ..
            } => {
                self.image_nesting += 1;
                let written = dest_url.to_string();
                let problems_before = self.out.problems.len();
                self.link(link_type, dest_url, range);
                if self.image.is_none() {
                    self.image_alt.clear();
                    self.image = Some(OpenImage {
                        start: i,
                        written,
                        title: title.to_string(),
                        problems_before,
                        range: range.clone(),
                    });
                }
            }
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                self.links_open += 1;
                self.link(link_type, dest_url, range);
            }
            _ => {}
        }
    }

    /// A markdown link's or image's destination, resolved in place.
    fn link(&mut self, link_type: &mut LinkType, dest_url: &mut CowStr<'_>, range: &Range<usize>) {
        resolve_link(
            link_type,
            dest_url,
            range,
            self.resolver,
            &mut self.positions,
            &mut self.out,
        );
    }

    fn end(&mut self, events: &mut [(Event<'_>, Range<usize>)], i: usize) {
        self.depth = self.depth.saturating_sub(1);
        let Some((Event::End(tag_end), _)) = events.get(i) else {
            return;
        };
        let tag_end = *tag_end;
        if !is_inline_end(tag_end) {
            self.in_word = false;
        }
        match tag_end {
            TagEnd::Paragraph if self.depth == 0 => {
                if let Some((_, end @ None)) = &mut self.summary.first_paragraph {
                    *end = Some(i);
                }
            }
            TagEnd::Heading(_) => self.close_heading(events),
            TagEnd::CodeBlock => self.code_blocks = self.code_blocks.saturating_sub(1),
            TagEnd::HtmlBlock => {
                if let Some(start) = self.html_block.take() {
                    resolve_raw_html(
                        events,
                        start + 1..i,
                        self.body,
                        self.resolver,
                        &mut self.positions,
                        &mut self.out,
                    );
                }
            }
            TagEnd::Link => self.links_open = self.links_open.saturating_sub(1),
            TagEnd::Image => {
                self.image_nesting = self.image_nesting.saturating_sub(1);
                if self.image_nesting == 0 {
                    self.close_image(events, i);
                }
            }
            _ => {}
        }
    }

    /// Text, inline code or math (its LaTeX): words, heading text, alt text; and, in text
    /// outside code blocks, links that CommonMark left as text (an address with a space).
    fn text(&mut self, events: &[(Event<'_>, Range<usize>)], i: usize) {
        let Some((
            event @ (Event::Text(text)
            | Event::Code(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text)),
            range,
        )) = events.get(i)
        else {
            return;
        };
        if self.code_blocks == 0 && matches!(event, Event::Text(_)) {
            for found in unparsed_links(self.body, range.clone()) {
                let span = self.positions.span(found.range.clone());
                let problem = broken_link(found.message(self.body), Some(found.help()), span);
                self.out.problems.push(problem);
            }
        }
        self.out.word_count += count_words(text, &mut self.in_word);
        if self.heading.is_some() {
            self.heading_text.push_str(text);
        }
        if self.image.is_some() {
            self.image_alt.push_str(text);
        }
    }

    fn line_break(&mut self) {
        self.in_word = false;
        if self.heading.is_some() {
            self.heading_text.push(' ');
        }
        if self.image.is_some() {
            self.image_alt.push(' ');
        }
    }

    fn task_list_marker(&mut self, events: &mut [(Event<'_>, Range<usize>)], i: usize) {
        self.in_word = false;
        let Some((event @ Event::TaskListMarker(_), _)) = events.get_mut(i) else {
            return;
        };
        // pulldown-cmark writes a bare `<input>`, which has no accessible name (axe
        // "label"); name it so screen readers say what the box means.
        let html = if matches!(event, Event::TaskListMarker(true)) {
            r#"<input type="checkbox" disabled checked aria-label="done"> "#
        } else {
            r#"<input type="checkbox" disabled aria-label="not done"> "#
        };
        *event = Event::InlineHtml(html.into());
    }

    /// The end of the heading being read: its id (written into its `Start` event), and its
    /// place in the toc (level 2 to 6).
    fn close_heading(&mut self, events: &mut [(Event<'_>, Range<usize>)]) {
        let Some((start, level)) = self.heading.take() else {
            return;
        };
        let title = collapse_whitespace(&self.heading_text);
        let id = assign_heading_id(events, start, &title, &mut self.taken, self.resolver);
        self.heading_ids.push((start, id.clone()));
        if level > 1 {
            self.flat_toc.push(Heading {
                level,
                id,
                title,
                children: Vec::new(),
            });
        }
    }

    /// The end (event `i`) of the outermost image: unless its destination was broken, the
    /// resolver's image hook says what to write for it.
    fn close_image(&mut self, events: &mut [(Event<'_>, Range<usize>)], i: usize) {
        let Some(image) = self.image.take() else {
            return;
        };
        let first = self.images_seen == 0;
        self.images_seen += 1;
        if self.out.problems.len() != image.problems_before {
            return;
        }
        let html = match self
            .resolver
            .image(&image.written, &self.image_alt, &image.title, first)
        {
            ImageHtml::Keep if self.resolver.has_hook(Hook::Image) => {
                self.image_hook(events, &image, first, None)
            }
            ImageHtml::Keep => None,
            ImageHtml::Html(html) => Some(html),
            ImageHtml::Picture(p) if self.resolver.has_hook(Hook::Image) => {
                self.image_hook(events, &image, first, Some(&p))
            }
            ImageHtml::Picture(p) => Some(p.html),
            ImageHtml::Broken { message, help } => {
                let span = self.positions.span(image.range);
                self.out.problems.push(broken_link(message, help, span));
                None
            }
        };
        if let Some(html) = html {
            // The whole `![alt](src)` becomes one inline HTML event; the events inside it
            // (the alt text) become empty text, so indexes stay valid.
            if let Some(slot) = events.get_mut(image.start) {
                slot.0 = Event::InlineHtml(html.into());
            }
            for slot in events.iter_mut().take(i + 1).skip(image.start + 1) {
                slot.0 = Event::Text(CowStr::Borrowed(""));
            }
        }
    }

    /// The image hook's HTML for `image` (its failure is a problem, and the image is then
    /// written as pulldown-cmark writes it).
    fn image_hook(
        &mut self,
        events: &[(Event<'_>, Range<usize>)],
        image: &OpenImage,
        first: bool,
        picture: Option<&Picture>,
    ) -> Option<String> {
        let url = match events.get(image.start) {
            Some((Event::Start(Tag::Image { dest_url, .. }), _)) => dest_url.as_ref(),
            _ => image.written.as_str(),
        };
        let call = ImageCall {
            destination: &image.written,
            url,
            alt: &self.image_alt,
            title: &image.title,
            first,
            in_link: self.links_open > 0,
            span: self.positions.span(image.range.clone()),
        };
        hooks::image(self.resolver, &call, picture)
            .map_err(|problem| self.out.problems.push(*problem))
            .ok()
    }
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

/// Count words that start in `text`; `in_word` carries a word across text events (pulldown-cmark
/// splits "don't" into three events under smart punctuation). A word is a run of characters
/// that are not Unicode white space (`char::is_whitespace`).
fn count_words(text: &str, in_word: &mut bool) -> usize {
    if text.is_ascii() {
        count_ascii_words(text.as_bytes(), in_word)
    } else {
        count_unicode_words(text, in_word)
    }
}

/// [`count_words`] of ASCII text without branches (most text): each byte and the next, in
/// runs of 255 pairs whose word starts add up in a `u8`, which the compiler turns into vector
/// instructions (about eight times fewer instructions than decoding characters). ASCII white
/// space as `char::is_whitespace` has it: space and U+0009 to U+000D.
fn count_ascii_words(bytes: &[u8], in_word: &mut bool) -> usize {
    let space = |b: u8| (b == b' ') | (b.wrapping_sub(b'\t') < 5);
    let Some((&first, &last)) = bytes.first().zip(bytes.last()) else {
        return 0;
    };
    // Chunk k of `bytes` and of `bytes[1..]` pair byte i with byte i + 1.
    let pairs = bytes.chunks(255).zip(bytes[1..].chunks(255));
    let starts: usize = pairs
        .map(|(here, next)| {
            let run = here.iter().zip(next);
            usize::from(run.fold(0u8, |n, (&a, &b)| n + u8::from(space(a) & !space(b))))
        })
        .sum();
    let first_starts = !space(first) && !*in_word;
    *in_word = !space(last);
    usize::from(first_starts) + starts
}

fn count_unicode_words(text: &str, in_word: &mut bool) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII path counts as the character path, on random text of every ASCII byte (white
    /// space made common), in pieces that carry `in_word` from one to the next.
    #[test]
    fn ascii_words_are_counted_as_characters_are() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2_000 {
            // Short texts, and long ones across the 255-pair runs of the ASCII count.
            let len = (next() % if next() % 4 == 0 { 1_200 } else { 40 }) as usize;
            let text: String = (0..len)
                .map(|_| match next() % 4 {
                    0 => char::from(b"\t\n\x0b\x0c\r "[(next() % 6) as usize]),
                    _ => char::from((next() % 128) as u8),
                })
                .collect();
            let cut = if len == 0 { 0 } else { (next() as usize) % len };
            let (a, b) = text.split_at(cut);
            let start = next() % 2 == 0;
            let (mut fast, mut slow) = (start, start);
            let counted = (
                count_ascii_words(a.as_bytes(), &mut fast)
                    + count_ascii_words(b.as_bytes(), &mut fast),
                count_unicode_words(a, &mut slow) + count_unicode_words(b, &mut slow),
            );
            assert_eq!(
                counted.0, counted.1,
                "{text:?} cut at {cut}, in a word: {start}"
            );
            assert_eq!(fast, slow, "{text:?}");
        }
    }

    #[test]
    fn unicode_white_space_separates_words() {
        let mut in_word = false;
        assert_eq!(count_words("a\u{00a0}b\u{3000}c é", &mut in_word), 4);
        assert!(in_word);
        assert_eq!(count_words("", &mut in_word), 0);
        assert!(in_word, "an empty text leaves a word open");
        assert_eq!(count_words("d e", &mut in_word), 1);
    }
}
