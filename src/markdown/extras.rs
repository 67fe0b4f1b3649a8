//! The `markdown:` settings that change events rather than parser options: emoji shortcodes
//! (before the walk, so the table of contents and the word count see the emoji), GitHub alerts
//! and the attributes of links to other sites (after the walk, which has resolved every link).
//!
//! In: the page's events and its [`Settings`]. Out: the same events, some replaced by raw HTML.
//! Code stays code: text inside code blocks and inline code is never touched, and pulldown-cmark
//! makes no links or block quotes there.

use std::ops::Range;

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

use super::Settings;

type Events<'a> = Vec<(Event<'a>, Range<usize>)>;

/// GitHub alerts as the default theme's `callout` shortcode writes a callout: the same classes
/// (so the same look), `role="note"` and a visible label; the label's symbol is hidden from
/// screen readers, which read the word. After the walk, so the alert's contents have been
/// walked like any block quote's. Links to other sites get the attributes the settings ask for.
pub(super) fn alerts_and_links(events: &mut [(Event<'_>, Range<usize>)], settings: &Settings) {
    let mark_links = settings.marks_external_links();
    if !settings.github_alerts && !mark_links {
        return;
    }
    // For each open link, whether its start was replaced (its end must be, too).
    let mut links: Vec<bool> = Vec::new();
    for (event, _) in events.iter_mut() {
        let html = match event {
            Event::Start(Tag::BlockQuote(Some(kind))) => alert_start(*kind),
            Event::End(TagEnd::BlockQuote(Some(_))) => "</div>\n".to_string(),
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) if mark_links => {
                let external = settings.is_external(dest_url);
                links.push(external);
                if !external {
                    continue;
                }
                external_link_start(dest_url, title, settings)
            }
            Event::End(TagEnd::Link) if mark_links => {
                if !links.pop().unwrap_or(false) {
                    continue;
                }
                "</a>".to_string()
            }
            _ => continue,
        };
        *event = if html.ends_with('\n') {
            Event::Html(html.into())
        } else {
            Event::InlineHtml(html.into())
        };
    }
}

/// The opening of an alert box: `<div class="callout callout-note" role="note">` and its label.
fn alert_start(kind: BlockQuoteKind) -> String {
    let (class, symbol, label) = match kind {
        BlockQuoteKind::Note => ("note", "ℹ", "Note"),
        BlockQuoteKind::Tip => ("tip", "✓", "Tip"),
        BlockQuoteKind::Important => ("important", "!", "Important"),
        BlockQuoteKind::Warning => ("warning", "⚠", "Warning"),
        BlockQuoteKind::Caution => ("caution", "⚠", "Caution"),
    };
    format!(
        "<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-label\"><span aria-hidden=\"true\">{symbol}</span> {label}</p>\n"
    )
}

/// `<a href="…" title="…" class="…" rel="…" target="_blank">`, escaped as pulldown-cmark
/// escapes its own links. `rel` combines Zola's values: `noopener` (with target blank),
/// `nofollow`, `noreferrer`.
fn external_link_start(dest: &str, title: &str, settings: &Settings) -> String {
    let mut out = String::with_capacity(dest.len() + 64);
    out.push_str("<a href=\"");
    // Writing into a String cannot fail.
    let _ = escape_href(&mut out, dest);
    out.push('"');
    if !title.is_empty() {
        out.push_str(" title=\"");
        let _ = escape_html(&mut out, title);
        out.push('"');
    }
    if !settings.external_links_class.is_empty() {
        out.push_str(" class=\"");
        let _ = escape_html(&mut out, &settings.external_links_class);
        out.push('"');
    }
    let rel: Vec<&str> = [
        (settings.external_links_target_blank, "noopener"),
        (settings.external_links_no_follow, "nofollow"),
        (settings.external_links_no_referrer, "noreferrer"),
    ]
    .into_iter()
    .filter_map(|(on, value)| on.then_some(value))
    .collect();
    if !rel.is_empty() {
        out.push_str(" rel=\"");
        out.push_str(&rel.join(" "));
        out.push('"');
    }
    if settings.external_links_target_blank {
        out.push_str(" target=\"_blank\"");
    }
    out.push('>');
    out
}

/// Emoji shortcodes (`:smile:`, GitHub's gemoji names, as Zola's `render_emoji`) replaced by the
/// emoji in text outside code blocks. Runs of text events are merged first (pulldown-cmark
/// splits text at `_` and at smart punctuation, so `:heart_eyes:` may come in pieces); the
/// merged event spans the source ranges of its pieces. A name that is no emoji stays as written.
pub(super) fn emoji(events: Events<'_>) -> Events<'_> {
    let mut out: Events<'_> = Vec::with_capacity(events.len());
    let mut code_blocks = 0usize;
    for (event, range) in events {
        match &event {
            Event::Start(Tag::CodeBlock(_)) => code_blocks += 1,
            Event::End(TagEnd::CodeBlock) => code_blocks = code_blocks.saturating_sub(1),
            Event::Text(text) if code_blocks == 0 => {
                if let Some((Event::Text(before), before_range)) = out.last_mut() {
                    let mut joined = String::with_capacity(before.len() + text.len());
                    joined.push_str(before);
                    joined.push_str(text);
                    *before = joined.into();
                    before_range.end = range.end;
                    continue;
                }
            }
            _ => {}
        }
        out.push((event, range));
    }
    let mut code_blocks = 0usize;
    for (event, _) in &mut out {
        match event {
            Event::Start(Tag::CodeBlock(_)) => code_blocks += 1,
            Event::End(TagEnd::CodeBlock) => code_blocks = code_blocks.saturating_sub(1),
            Event::Text(text) if code_blocks == 0 && text.contains(':') => {
                if let Some(replaced) = replace_shortcodes(text) {
                    *text = CowStr::from(replaced);
                }
            }
            _ => {}
        }
    }
    out
}

/// `text` with every `:name:` that names an emoji replaced by it; `None` when there is none.
fn replace_shortcodes(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(open) = text[from..].find(':').map(|i| i + from) {
        let name_len = text[open + 1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-')))
            .unwrap_or(text.len() - open - 1);
        let close = open + 1 + name_len;
        if name_len == 0 || !text[close..].starts_with(':') {
            from = open + 1;
            continue;
        }
        match emojis::get_by_shortcode(&text[open + 1..close]) {
            Some(found) => {
                out.push_str(&text[copied..open]);
                out.push_str(found.as_str());
                copied = close + 1;
                from = close + 1;
            }
            // The closing colon may open the next shortcode (`:x:smile:`).
            None => from = close,
        }
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcodes_become_emoji_and_others_stay() {
        for (text, want) in [
            ("hi :smile:", Some("hi 😄")),
            (":+1: and :heart_eyes:!", Some("👍 and 😍!")),
            (":x:smile:", Some("❌smile:")),
            (":nope:smile:", Some(":nope😄")),
            ("at 10:30:45", None),
            ("a: b: c", None),
            ("::", None),
            (":smile", None),
            ("é:smile:é", Some("é😄é")),
        ] {
            assert_eq!(replace_shortcodes(text).as_deref(), want, "{text}");
        }
    }

    /// Everything a page can hold is resolved as written (external).
    struct AllExternal;
    impl crate::markdown::LinkResolver for AllExternal {
        fn resolve(&self, _: &str) -> crate::markdown::LinkTarget {
            crate::markdown::LinkTarget::External
        }
    }

    fn html(body: &str, settings: &Settings) -> String {
        crate::markdown::render_mapped(body, None, 1, &AllExternal, settings).html
    }

    #[test]
    fn alerts_nest_and_plain_quotes_stay_quotes() {
        let s = Settings::default();
        assert_eq!(
            html("- item\n\n  > [!CAUTION]\n  > Hot.\n", &s),
            "<ul>\n<li>\n<p>item</p>\n<div class=\"callout callout-caution\" role=\"note\">\n<p class=\"callout-label\"><span aria-hidden=\"true\">⚠</span> Caution</p>\n<p>Hot.</p>\n</div>\n</li>\n</ul>\n"
        );
        assert_eq!(
            html("> [!NOTICE]\n> x\n", &s),
            "<blockquote>\n<p>[!NOTICE]\nx</p>\n</blockquote>\n"
        );
    }

    #[test]
    fn emoji_reach_link_text_and_alt_text_and_a_linked_image_keeps_one_anchor() {
        let s = Settings {
            render_emoji: true,
            external_links_target_blank: true,
            ..Settings::default()
        };
        assert_eq!(
            html("[:heart_eyes: x](https://a.org) ![:smile:](i.png)", &s),
            "<p><a href=\"https://a.org\" rel=\"noopener\" target=\"_blank\">😍 x</a> <img src=\"i.png\" alt=\"😄\" /></p>\n"
        );
        assert_eq!(
            html("[![logo](l.png)](https://a.org)", &s),
            "<p><a href=\"https://a.org\" rel=\"noopener\" target=\"_blank\"><img src=\"l.png\" alt=\"logo\" /></a></p>\n"
        );
    }

    #[test]
    fn external_link_attributes_combine_in_one_rel() {
        let s = Settings {
            external_links_target_blank: true,
            external_links_no_follow: true,
            external_links_no_referrer: true,
            external_links_class: "ext \"x\"".into(),
            ..Settings::default()
        };
        assert_eq!(
            external_link_start("https://a.org/?q=1&r=\"2\"", "T & t", &s),
            "<a href=\"https://a.org/?q=1&amp;r=%222%22\" title=\"T &amp; t\" class=\"ext &quot;x&quot;\" rel=\"noopener nofollow noreferrer\" target=\"_blank\">"
        );
    }
}
