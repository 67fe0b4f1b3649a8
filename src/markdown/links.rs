//! Links: each link or image destination, written in markdown or as raw HTML, goes through the
//! [`LinkResolver`]; internal ones are rewritten, anchors and broken ones recorded. Also the links
//! CommonMark leaves as text because their address has a space in it.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType};

use super::ids::attribute_value;
use super::{AnchorRef, LinkResolver, LinkTarget, Positions, Rendered, Span};
use crate::error::Diagnostic;

/// Resolve one link or image destination in place, recording anchors and problems.
pub(super) fn resolve_link(
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
    let span = || positions.span(range.clone());
    if let Some(url) = resolve_target(&target, span, resolver, out) {
        if *link_type == LinkType::Email {
            *link_type = LinkType::Inline;
        }
        *dest_url = CowStr::from(url);
    }
}

/// Resolves one written link target (`span` gives where it is written: called only when a
/// position is kept, as working out a line and column costs more than the lookup), recording
/// its anchor, or the problem when it is broken, in `out`. Gives the URL to write for an internal target, and
/// `None` for an external or broken one (left as written). Shared by markdown links and images
/// and by the `href`/`src` of raw HTML, so both are resolved and reported alike.
pub(super) fn resolve_target(
    target: &str,
    span: impl FnOnce() -> Span,
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
                    span: span(),
                });
            }
            Some(url)
        }
        LinkTarget::Broken(d) => {
            out.problems.push(broken_link(d.message, d.help, span()));
            None
        }
    }
}

/// A broken link or image at `span`, as [`Rendered::problems`] holds it: an error without a
/// file, labelled "broken link".
pub(super) fn broken_link(message: String, help: Option<String>, span: Span) -> Diagnostic {
    let problem = Diagnostic::error(message)
        .at_line(span, None)
        .label("broken link");
    match help {
        Some(help) => problem.help(help),
        None => problem,
    }
}

/// Resolves the `href` of each `<a>` and the `src` of each `<img>` written as raw HTML in the
/// events `range` (the lines of one HTML block, or one inline tag) exactly as a markdown link's
/// destination ([`resolve_link`]): an internal one is rewritten in place (`@/faq.md` becomes the
/// page's address) and its anchor recorded, a broken one recorded as a problem at the
/// attribute's value. Tags inside HTML comments, `<script>` and `<style>` are left alone.
pub(super) fn resolve_raw_html(
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
        let span = || positions.span(start..start + written.len());
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
pub(super) fn raw_html_targets(html: &str) -> Vec<Range<usize>> {
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
            let (value, next, _) = attribute_value(bytes, v);
            k = next;
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
pub(super) struct Unparsed {
    /// The `[…](…)` or `![…](…)` in the parsed text (from the `]` when the `[` is on an earlier
    /// line).
    pub(super) range: Range<usize>,
    /// `![…](…)`, not `[…](…)`.
    image: bool,
    /// The destination as written, without the surrounding spaces.
    dest: String,
}

impl Unparsed {
    pub(super) fn message(&self, body: &str) -> String {
        let written = body.get(self.range.clone()).unwrap_or_default();
        let what = if self.image { "an image" } else { "a link" };
        format!(
            "`{written}` is not {what}: its address has a space in it, so the page shows this markdown as plain text"
        )
    }

    pub(super) fn help(&self) -> String {
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
pub(super) const UNPARSED_SCAN: usize = 2048;

/// The `](dest)` in the text event at `text` (outside code) whose destination holds a space and
/// ends with a `)` on the same line: links and images that pulldown-cmark left as text. `body`
/// is the parsed text; `text` the event's byte range in it.
pub(super) fn unparsed_links(body: &str, text: Range<usize>) -> Vec<Unparsed> {
    let bytes = body.as_bytes();
    let mut found = Vec::new();
    let end = text.end.min(bytes.len());
    let text = text.start.min(end)..end;
    // Each `]` found with memchr (most text has none), then the byte after it looked at.
    for i in memchr::memchr_iter(b']', &bytes[text.clone()]).map(|k| text.start + k) {
        if bytes.get(i + 1) != Some(&b'(') {
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
