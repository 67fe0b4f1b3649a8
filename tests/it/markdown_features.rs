//! The `markdown:` settings of `config.yaml` (issue 19): one test per setting, each on and off,
//! and each checked where markdown shows up: the page body, a shortcode's body, the summary,
//! the table of contents and the Atom feed. Code stays code in every case.

use crate::support::TestSite;

/// The page every test builds: each feature once in the body, once in a shortcode body, once
/// in code, with a heading (toc) and a first paragraph (summary).
const POST: &str = r#"---
title: Post
date: 2026-11-29
---
## Heading :smile: "quoted"

First "paragraph" -- with [a link](https://other.org/x), [our own](https://example.org/faq/) and :smile:.

> [!WARNING]
> Take care.

Term
: Definition

{% note() %}
Body "text", [body link](https://other.org/b) :smile:

> [!TIP]
> In the body.

Word
: Meaning
{% end %}

Inline `:smile: [!NOTE]` code.

```text
:smile: [x](https://other.org/d) "q"
> [!NOTE]
Term
: not a list
```
"#;

const PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body>
<main>
{{ page.content | safe }}
</main>
<div id="summary">{{ page.summary | safe }}</div>
<ol id="toc">{% for h in page.toc %}<li>{{ h.title }}</li>{% endfor %}</ol>
</body>
</html>
"#;

/// The pages of a site with `markdown` as its `markdown:` section (empty: the defaults):
/// the built post, and its section's Atom feed.
fn build(markdown: &str) -> (String, String) {
    let site = TestSite::new();
    site.file(
        "config.yaml",
        &format!("title: Test site\nbase_url: https://example.org\n{markdown}"),
    )
    .file("templates/page.html", PAGE)
    .file(
        "templates/shortcodes/note.html",
        "<aside class=\"note\">\n{{ body | safe }}\n</aside>\n",
    )
    .file(
        "content/blog/_index.md",
        "---\ntitle: Blog\nfeed: true\n---\n",
    )
    .file("content/blog/post.md", POST);
    site.build().success();
    (
        site.read("public/blog/post/index.html"),
        site.read("public/blog/atom.xml"),
    )
}

/// The part of `html` between `<tag` … and its end marker.
fn part<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let s = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"));
    let e = html[s..].find(end).map_or(html.len(), |e| s + e);
    &html[s..e]
}

fn body_of(html: &str) -> &str {
    part(html, "<main>", "</main>")
}
fn shortcode_of(html: &str) -> &str {
    part(html, "<aside class=\"note\">", "</aside>")
}
fn code_of(html: &str) -> &str {
    part(html, "<pre>", "</pre>")
}
fn summary_of(html: &str) -> &str {
    part(html, "<div id=\"summary\">", "</div>")
}
fn toc_of(html: &str) -> &str {
    part(html, "<ol id=\"toc\">", "</ol>")
}

#[test]
fn smart_punctuation_is_on_by_default_and_can_be_turned_off() {
    let (html, feed) = build("");
    assert!(
        body_of(&html).contains("First “paragraph” – with"),
        "{html}"
    );
    assert!(shortcode_of(&html).contains("Body “text”"), "{html}");
    assert!(summary_of(&html).contains("“paragraph”"), "{html}");
    assert!(toc_of(&html).contains("“quoted”"), "{html}");
    assert!(feed.contains("“paragraph”"), "{feed}");
    assert!(code_of(&html).contains("\"q\""), "{html}");

    let (html, feed) = build("markdown:\n  smart_punctuation: false\n");
    assert!(
        body_of(&html).contains("First \"paragraph\" -- with"),
        "{html}"
    );
    assert!(shortcode_of(&html).contains("Body \"text\""), "{html}");
    assert!(summary_of(&html).contains("\"paragraph\""), "{html}");
    assert!(toc_of(&html).contains("&quot;quoted&quot;"), "{html}");
    assert!(!feed.contains('“'), "{feed}");
}

#[test]
fn github_alerts_look_like_callouts_and_can_be_turned_off() {
    let (html, feed) = build("");
    let warning = "<div class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-label\"><span aria-hidden=\"true\">⚠</span> Warning</p>\n<p>Take care.</p>\n</div>";
    assert!(body_of(&html).contains(warning), "{html}");
    assert!(
        shortcode_of(&html).contains("<div class=\"callout callout-tip\" role=\"note\">"),
        "{html}"
    );
    assert!(!html.contains("<blockquote>"), "{html}");
    assert!(feed.contains("callout-warning"), "{feed}");
    // Code stays code.
    assert!(code_of(&html).contains("&gt; [!NOTE]"), "{html}");
    assert!(html.contains("<code>:smile: [!NOTE]</code>"), "{html}");

    let (html, _) = build("markdown:\n  github_alerts: false\n");
    assert!(
        body_of(&html).contains("<blockquote>\n<p>[!WARNING]\nTake care.</p>\n</blockquote>"),
        "{html}"
    );
    assert!(!html.contains("callout"), "{html}");
}

#[test]
fn definition_lists_are_on_by_default_and_can_be_turned_off() {
    let (html, feed) = build("");
    assert!(
        body_of(&html).contains("<dl>\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>"),
        "{html}"
    );
    assert!(
        shortcode_of(&html).contains("<dl>\n<dt>Word</dt>\n<dd>Meaning</dd>\n</dl>"),
        "{html}"
    );
    assert!(feed.contains("&lt;dt&gt;Term&lt;/dt&gt;"), "{feed}");
    assert!(code_of(&html).contains("Term\n: not a list"), "{html}");

    let (html, _) = build("markdown:\n  definition_lists: false\n");
    assert!(!html.contains("<dl>"), "{html}");
    assert!(
        body_of(&html).contains("<p>Term\n: Definition</p>"),
        "{html}"
    );
}

#[test]
fn external_link_settings_mark_links_to_other_sites_only() {
    let (html, _) = build("");
    assert!(
        html.contains("<a href=\"https://other.org/x\">a link</a>"),
        "{html}"
    );

    let (html, feed) = build(concat!(
        "markdown:\n  external_links_target_blank: true\n  external_links_no_follow: true\n",
        "  external_links_no_referrer: true\n  external_links_class: external\n",
    ));
    let marked = "<a href=\"https://other.org/x\" class=\"external\" rel=\"noopener nofollow noreferrer\" target=\"_blank\">a link</a>";
    assert!(body_of(&html).contains(marked), "{html}");
    assert!(summary_of(&html).contains(marked), "{html}");
    assert!(
        shortcode_of(&html).contains("<a href=\"https://other.org/b\" class=\"external\""),
        "{html}"
    );
    assert!(
        feed.contains("rel=&quot;noopener nofollow noreferrer&quot;"),
        "{feed}"
    );
    // The site's own host is not another site (the link is the site's, written relative).
    assert!(
        html.contains("<a href=\"../../faq/\">our own</a>"),
        "{html}"
    );
    assert!(
        code_of(&html).contains("[x](https://other.org/d)"),
        "{html}"
    );

    // Target blank alone still protects the opener.
    let (html, _) = build("markdown:\n  external_links_target_blank: true\n");
    assert!(
        html.contains("<a href=\"https://other.org/x\" rel=\"noopener\" target=\"_blank\">"),
        "{html}"
    );
}

#[test]
fn render_emoji_is_off_by_default_and_leaves_code_alone() {
    let (html, _) = build("");
    assert!(!html.contains('😄'), "{html}");

    let (html, feed) = build("markdown:\n  render_emoji: true\n");
    assert!(body_of(&html).contains("and 😄.</p>"), "{html}");
    assert!(shortcode_of(&html).contains("body link</a> 😄"), "{html}");
    assert!(summary_of(&html).contains('😄'), "{html}");
    assert!(toc_of(&html).contains("Heading 😄"), "{html}");
    assert!(feed.contains('😄'), "{feed}");
    assert!(code_of(&html).contains(":smile:"), "{html}");
    assert!(html.contains("<code>:smile: [!NOTE]</code>"), "{html}");
}

#[test]
fn markdown_setting_mistakes_name_the_line_and_the_closest_key() {
    let site = TestSite::new();
    site.file(
        "config.yaml",
        "title: Test site\nbase_url: https://example.org\nmarkdown:\n  render_emojis: true\n",
    );
    site.build()
        .code(1)
        .stderr_has("config.yaml:4:3")
        .stderr_has("did you mean `render_emoji`?");

    site.file(
        "config.yaml",
        "title: Test site\nbase_url: https://example.org\nmarkdown:\n  github_alerts: maybe\n",
    );
    site.build().code(1).stderr_has("config.yaml:4:");
}
