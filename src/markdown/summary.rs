//! The summary of a page cut at its `<!-- more -->` marker: where the marker is in a piece of
//! HTML, and the HTML before it made whole again.
//!
//! The marker counts wherever it is written as HTML (its own line, a line inside a list item or
//! a block quote, or inline in a paragraph), as in Zola, which splits on it anywhere in the
//! text and closes the elements still open; in code (a code block, `` `inline code` ``) it is
//! text and stays as written. The summary is exactly what comes before the marker, with every
//! element still open there closed (`<ul><li>…</li></ul>`, `<blockquote>…</blockquote>`), so a
//! listing or a feed never gets half an element.
//!
//! In: HTML text. Out: offsets and strings. A scanner, not a parser: it reads the well-formed
//! HTML pulldown-cmark writes, with the author's raw HTML between, and never fails.

/// The byte offset in `html` of the first summary marker: `<!-- more -->`, with any blanks
/// (or none) around `more`, in any case (`<!--more-->` from Hugo, `<!-- MORE -->`): Zola's
/// `<!--\s*more\s*-->`. `None` without one.
pub(super) fn more_marker(html: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = html.get(from..)?.find("<!--") {
        let at = from + found;
        let inside = html[at + 4..].trim_start();
        if inside
            .get(..4)
            .is_some_and(|w| w.eq_ignore_ascii_case("more"))
            && inside[4..].trim_start().starts_with("-->")
        {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// `cut` (the HTML before the marker) without its trailing blanks, with a closing tag for
/// every element still open at its end, innermost first; `None` when it holds nothing to read
/// or see (no text, no image): a marker at the very start gives no summary.
pub(crate) fn close_open_elements(cut: &str) -> Option<String> {
    let mut open: Vec<String> = Vec::new();
    let mut content = false;
    let mut end = cut.len();
    let mut i = 0;
    while let Some(found) = cut[i..].find('<') {
        let at = i + found;
        content |= !cut[i..at].trim().is_empty();
        let Some((next, tag)) = read_tag(cut, at) else {
            // A tag cut off by the end: leave it out.
            end = at;
            break;
        };
        match tag {
            Tag::Skip => {}
            Tag::Text => content = true,
            Tag::Void => content = true,
            Tag::Open(name) => open.push(name),
            Tag::Close(name) => {
                if let Some(pos) = open.iter().rposition(|n| *n == name) {
                    open.truncate(pos);
                }
            }
        }
        i = next;
    }
    content |= !cut[i.min(end)..end].trim().is_empty();
    if !content {
        return None;
    }
    // Blanks after text go (`<p>Para </p>` would end in a space); after a tag, one line
    // break stays, as pulldown-cmark writes it (`</p>\n</blockquote>`).
    let kept = cut[..end].trim_end();
    let mut out = kept.to_string();
    if kept.ends_with('>') && kept.len() < end && !open.is_empty() {
        out.push('\n');
    }
    for name in open.iter().rev() {
        out.push_str("</");
        out.push_str(name);
        out.push('>');
        if is_block(name) {
            out.push('\n');
        }
    }
    Some(out.trim_end().to_string())
}

/// What a `<` starts.
enum Tag {
    /// A comment, a doctype or a processing instruction.
    Skip,
    /// A `<` that starts no tag (`a < b` written as raw HTML).
    Text,
    /// An element without content (`<br>`, `<img …/>`), or one whose content was skipped
    /// whole (`<script>…</script>`).
    Void,
    /// A start tag, its name in lowercase.
    Open(String),
    /// An end tag, its name in lowercase.
    Close(String),
}

/// The tag starting at `html[at]` (a `<`) and the offset after it; `None` when `html` ends
/// inside it.
fn read_tag(html: &str, at: usize) -> Option<(usize, Tag)> {
    let tail = &html[at..];
    let past = |pattern: &str| tail.find(pattern).map(|e| at + e + pattern.len());
    if tail.starts_with("<!--") {
        return Some((past("-->")?, Tag::Skip));
    }
    if tail.starts_with("<!") || tail.starts_with("<?") {
        return Some((past(">")?, Tag::Skip));
    }
    let closing = tail.starts_with("</");
    let name_from = if closing { 2 } else { 1 };
    let name_len = tail[name_from..]
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
        .count();
    if name_len == 0 || !tail.as_bytes()[name_from].is_ascii_alphabetic() {
        return Some((at + 1, Tag::Text));
    }
    let name = tail[name_from..name_from + name_len].to_ascii_lowercase();
    let close = tag_end(tail)?;
    let next = at + close;
    if closing {
        return Some((next, Tag::Close(name)));
    }
    if tail[..close].ends_with("/>") || VOID.contains(&name.as_str()) {
        return Some((next, Tag::Void));
    }
    if RAW_TEXT.contains(&name.as_str()) {
        // Its content is text, not tags: skip to its end tag.
        let end_tag = format!("</{name}");
        let rest = html[next..].to_ascii_lowercase();
        let end = rest.find(&end_tag)?;
        let after = html[next + end..].find('>')?;
        return Some((next + end + after + 1, Tag::Void));
    }
    Some((next, Tag::Open(name)))
}

/// The offset just past the `>` that ends the tag starting `tail`, stepping over quoted
/// attribute values.
fn tag_end(tail: &str) -> Option<usize> {
    let mut quote = None;
    for (i, b) in tail.bytes().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Elements without content (HTML, "void elements").
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose content is text up to their end tag.
const RAW_TEXT: &[&str] = &["script", "style", "textarea", "title"];

/// Elements after whose end tag pulldown-cmark writes a line break.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "ul"
            | "ol"
            | "blockquote"
            | "div"
            | "table"
            | "thead"
            | "tbody"
            | "tr"
            | "dl"
            | "dt"
            | "dd"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "section"
            | "details"
            | "figure"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_in_its_forms() {
        for (html, at) in [
            ("<!-- more -->", Some(0)),
            ("<!--more-->", Some(0)),
            ("<!-- MORE -->\n", Some(0)),
            ("<!--\t More \t-->", Some(0)),
            ("a <!-- x --> b <!-- more -->", Some(15)),
            ("<div><!-- more --></div>", Some(5)),
            ("<!-- more about this -->", None),
            ("<!-- mor -->", None),
            ("<!-- more", None),
            ("<!--", None),
            ("&lt;!-- more --&gt;", None),
            ("", None),
        ] {
            assert_eq!(more_marker(html), at, "{html:?}");
        }
    }

    #[test]
    fn open_elements_are_closed_innermost_first() {
        for (cut, want) in [
            ("<p>One.</p>\n", Some("<p>One.</p>")),
            (
                "<ul>\n<li>one</li>\n<li>two\n",
                Some("<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
            ),
            (
                "<blockquote>\n<p>Quoted.</p>\n",
                Some("<blockquote>\n<p>Quoted.</p>\n</blockquote>"),
            ),
            ("<p>Para ", Some("<p>Para</p>")),
            (
                "<table><thead><tr><th>a ",
                Some("<table><thead><tr><th>a</th></tr>\n</thead>\n</table>"),
            ),
            (
                "<ol>\n<li><em>x</em> <a href=\"a>b\">y",
                Some("<ol>\n<li><em>x</em> <a href=\"a>b\">y</a></li>\n</ol>"),
            ),
            (
                "<DIV>x<br><img src=a /><hr>",
                Some("<DIV>x<br><img src=a /><hr></div>"),
            ),
            ("<p>1 < 2", Some("<p>1 < 2</p>")),
            (
                "<p><script>if (a<b) {}</script>",
                Some("<p><script>if (a<b) {}</script></p>"),
            ),
            ("<div>stray</span> end", Some("<div>stray</span> end</div>")),
            ("<p>x <a href=\"", Some("<p>x</p>")),
            (
                "<p><img src=\"a.png\" alt=\"\">",
                Some("<p><img src=\"a.png\" alt=\"\"></p>"),
            ),
            ("<ul>\n<li>", None),
            ("<p></p>\n<!-- a -->", None),
            ("  \n", None),
        ] {
            assert_eq!(close_open_elements(cut).as_deref(), want, "{cut:?}");
        }
    }
}
