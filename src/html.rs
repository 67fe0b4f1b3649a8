//! The HTML toolbox: the small text operations on HTML that several stages need, in one place
//! (escaping, tag stripping, plain text, character references) and the start-tag scanner that
//! `check` runs over templates, raw HTML in markdown and built pages.
//!
//! In: HTML or template text. Out: strings, offsets and counts. These are scanners, not a
//! parser: they find what they look for in well-formed markup (and in Tera templates, whose
//! `{{ }}`, `{% %}` and `{# #}` they step over) and never fail; nothing here reads files.

/// `text` with `&`, `<`, `>` and `"` escaped, for HTML text and attribute values in double
/// quotes. (`tera::escape_html` also escapes `'`, which would change the pages we write.)
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Tera's autoescape for the templates we render: writes `text` to `out` with `&`, `<`, `>`,
/// `"` and `'` escaped exactly as Tera's own `escape_html` does (`&amp;`, `&lt;`, `&gt;`,
/// `&quot;`, `&#39;`), but in runs: one write per stretch of plain text instead of one per
/// byte, which is most of the cost of writing a page.
///
/// Errors: those of `out` (a page over its size limit, a render past its time limit).
pub(crate) fn escape_for_templates(
    text: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let bytes = text.as_bytes();
    let mut plain = 0;
    for (i, b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        if plain < i {
            out.write_all(&bytes[plain..i])?;
        }
        out.write_all(entity)?;
        plain = i + 1;
    }
    if plain < bytes.len() {
        out.write_all(&bytes[plain..])?;
    }
    Ok(())
}

/// The text of an HTML fragment, trimmed: tags (from `<` to the next `>`) left out, everything
/// else kept as written (character references, inner whitespace, a `>` outside a tag). With
/// `hidden` = `Some((open, close))`, every run from an `open` character to the next `close`
/// (shortcode placeholders) is left out too.
pub(crate) fn strip_tags(html: &str, hidden: Option<(char, char)>) -> String {
    let (open, close) = hidden.unzip();
    let mut out = String::new();
    let mut in_tag = false;
    let mut in_hidden = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if Some(c) == open => in_hidden = true,
            c if Some(c) == close && in_hidden => in_hidden = false,
            _ if !in_tag && !in_hidden => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The text of an HTML fragment: tags removed (a tag separates words only where it is a block
/// or a line break), character references decoded, runs of whitespace made one space.
pub(crate) fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "p" | "br"
                | "li"
                | "div"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "tr"
                | "td"
                | "th"
                | "blockquote"
                | "pre"
                | "dt"
                | "dd"
        ) {
            out.push(' ');
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(&decode_entities(rest));
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes the character references pulldown-cmark writes (`&amp;`, `&lt;`, `&gt;`,
/// `&quot;`, `&#39;`) and any numeric one; others are kept as written.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&e| e <= 10).and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name.strip_prefix('#').and_then(|n| {
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// An HTML start tag found in template text: byte offset and the tag's text (`<img …>`).
pub(crate) struct HtmlTag<'a> {
    /// Byte offset of the `<`.
    pub(crate) start: usize,
    /// The tag, `<` to `>`.
    pub(crate) text: &'a str,
}

/// Start tags named `name` (lower case) in `text`, skipping Tera comments `{# … #}`.
pub(crate) fn html_tags<'a>(text: &'a str, name: &str) -> Vec<HtmlTag<'a>> {
    let lower = text.to_ascii_lowercase();
    let open = format!("<{name}");
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower.get(from..).and_then(|s| s.find(&open)) {
        let start = from + i;
        from = start + open.len();
        let next = lower.as_bytes().get(from).copied();
        if !next.is_some_and(|c| c.is_ascii_whitespace() || c == b'>' || c == b'/') {
            continue;
        }
        if in_tera_comment(text, start) {
            continue;
        }
        // The tag ends at the first `>` outside `{{ }}` / `{% %}`.
        let mut depth = 0i32;
        let bytes = text.as_bytes();
        let mut j = from;
        let mut end = None;
        while j < bytes.len() {
            match (bytes[j], bytes.get(j + 1)) {
                (b'{', Some(b'{' | b'%')) => {
                    depth += 1;
                    j += 1;
                }
                (b'}' | b'%', Some(b'}')) if depth > 0 => {
                    depth -= 1;
                    j += 1;
                }
                (b'>', _) if depth == 0 => {
                    end = Some(j + 1);
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        if let Some(end) = end {
            out.push(HtmlTag {
                start,
                text: &text[start..end],
            });
        }
    }
    out
}

/// Whether byte `at` of template text is inside a Tera comment `{# … #}`.
fn in_tera_comment(text: &str, at: usize) -> bool {
    let before = &text[..at];
    match (before.rfind("{#"), before.rfind("#}")) {
        (Some(open), Some(close)) => open > close,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Whether a start tag has the attribute `name` (`alt`, `alt=""`, `alt>`; any case).
pub(crate) fn has_attribute(tag: &str, name: &str) -> bool {
    let lower = tag.to_ascii_lowercase();
    lower.match_indices(name).any(|(i, _)| {
        let before = lower.as_bytes().get(i.wrapping_sub(1)).copied();
        let after = lower[i + name.len()..].trim_start();
        before.is_some_and(|c| c.is_ascii_whitespace())
            && (after.starts_with('=') || after.starts_with('>') || after.starts_with('/'))
    })
}

/// The value of the attribute `name` in a start tag (`href="…"` or `href='…'`).
pub(crate) fn attr_value<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let lower = tag.to_ascii_lowercase();
    lower.match_indices(name).find_map(|(i, _)| {
        let before = lower.as_bytes().get(i.wrapping_sub(1)).copied();
        if !before.is_some_and(|c| c.is_ascii_whitespace()) {
            return None;
        }
        let rest = tag[i + name.len()..]
            .trim_start()
            .strip_prefix('=')?
            .trim_start();
        let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let value = &rest[1..];
        value.find(quote).map(|end| &value[..end])
    })
}

/// `src="…"` and `href="…"` values in template text that are fixed text (no `{{`/`{%`), with
/// their byte offsets.
pub(crate) fn fixed_paths(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\"", "src='", "href='"] {
        let quote = if attr.ends_with('"') { '"' } else { '\'' };
        for (i, _) in text.match_indices(attr) {
            if in_tera_comment(text, i) {
                continue;
            }
            let start = i + attr.len();
            let Some(len) = text[start..].find(quote) else {
                continue;
            };
            let value = &text[start..start + len];
            if !value.contains("{{") && !value.contains("{%") && !value.is_empty() {
                out.push((start, value));
            }
        }
    }
    out.sort_unstable();
    out
}

/// Counts `<h1>` / `<h1 …>` start tags in built HTML.
pub(crate) fn count_h1(html: &[u8]) -> usize {
    html.windows(4)
        .filter(|w| {
            w[..3].eq_ignore_ascii_case(b"<h1") && (w[3] == b'>' || w[3].is_ascii_whitespace())
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_apostrophes() {
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry's&lt;/a&gt;"
        );
    }

    /// The templates' autoescape writes exactly what Tera's own `escape_html` writes.
    #[test]
    fn template_escape_matches_teras() {
        for text in [
            "",
            "plain",
            "<a href=\"x\">Tom & Jerry's</a>",
            "&&<<>>\"\"''",
            "é 中文 <b>😀</b> end",
            "'start and end'",
        ] {
            let (mut ours, mut teras) = (Vec::new(), Vec::new());
            escape_for_templates(text, &mut ours).unwrap();
            tera::escape_html(text, &mut teras).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(teras).unwrap()
            );
        }
    }

    #[test]
    fn strip_tags_keeps_text_as_written() {
        assert_eq!(
            strip_tags(" <b>a</b> &amp;\n b > c ", None),
            "a &amp;\n b > c"
        );
        assert_eq!(
            strip_tags(
                "x \u{E000}3\u{E001}<em>y</em>",
                Some(('\u{E000}', '\u{E001}'))
            ),
            "x y"
        );
        // A close marker with no open one is text.
        assert_eq!(
            strip_tags("a\u{E001}", Some(('\u{E000}', '\u{E001}'))),
            "a\u{E001}"
        );
    }

    #[test]
    fn plain_text_drops_tags_and_decodes() {
        assert_eq!(
            plain_text("<p>Gentle <em>touch</em> &amp; care.</p>\n<p>Two&#39;s</p>"),
            "Gentle touch & care. Two's"
        );
        assert_eq!(plain_text("a<br>b"), "a b");
        assert_eq!(plain_text("x &unknown; y &#x41;"), "x &unknown; y A");
    }

    #[test]
    fn h1_tags_are_counted() {
        assert_eq!(count_h1(b"<h1>a</h1><H1 class=x>b</H1><h10><h2>"), 2);
    }

    #[test]
    fn template_tags_and_attributes() {
        let t = "{# <img src=x> #}\n<img src=\"{{ get_url(path='a.png') }}\" alt=\"\">\n<IMG src=/b.png>";
        let tags = html_tags(t, "img");
        assert_eq!(tags.len(), 2);
        assert_eq!(tags[1].text, "<IMG src=/b.png>");
        assert!(has_attribute(tags[0].text, "alt"));
        assert!(!has_attribute(tags[1].text, "alt"));
        assert_eq!(attr_value("<a HREF='/x/' class=y>", "href"), Some("/x/"));
        assert_eq!(
            fixed_paths("<a href=\"/x/\"><img src=\"{{ u }}\">"),
            [(9, "/x/")]
        );
    }
}
