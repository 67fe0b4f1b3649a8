//! `markdown.highlight_code` (issue 19): fenced code with a language coloured at build time as
//! `<span class="z-…">` tokens, on by default and off on request; an unknown language left plain
//! with a `check` warning; code without a language as before; code still checked as code. And
//! the default theme's token colours: WCAG AA on its code background, light and dark.

use crate::support::TestSite;

/// A post with highlighted code in the body, in a shortcode body and in the summary (before
/// `<!-- more -->`), a block without a language, and one whose text looks like a link and a
/// shortcode.
const POST: &str = r#"---
title: Post
date: 2026-11-29
---
Intro.

```rust
fn main() { let x = 1; } // done
```

<!-- more -->

{% note() %}
```toml
[extra]
phone = "0123" # call us
```
{% end %}

```
plain = "as today"
```

```md
[a link](@/missing.md) and {{ note() }}
```
"#;

const PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body>
<main>
{{ page.content | safe }}
</main>
<div id="summary">{{ page.summary | safe }}</div>
</body>
</html>
"#;

/// A site with `markdown` as its `markdown:` section and `post` as its one post.
fn site(markdown: &str, post: &str) -> TestSite {
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
    .file("content/blog/post.md", post);
    site
}

/// The `<pre>` blocks of `html`, in order.
fn pres(html: &str) -> Vec<&str> {
    html.match_indices("<pre>")
        .map(|(s, _)| {
            let e = html[s..].find("</pre>").map_or(html.len(), |e| s + e + 6);
            &html[s..e]
        })
        .collect()
}

/// `html` without its tags, entities decoded as far as code needs.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
#[cfg_attr(not(feature = "highlight"), ignore = "needs the `highlight` feature")]
fn code_is_highlighted_by_default_everywhere_and_plain_when_off() {
    let s = site("", POST);
    s.build().success();
    let html = s.read("public/blog/post/index.html");
    let main = &html[..html.find("</main>").unwrap_or(html.len())];
    let blocks = pres(main);
    assert_eq!(blocks.len(), 4, "{html}");
    let rust = blocks[0];
    assert!(
        rust.starts_with("<pre><code class=\"language-rust\">"),
        "{rust}"
    );
    assert!(
        rust.contains("<span class=\"z-storage z-type z-function z-rust\">fn</span>"),
        "{rust}"
    );
    assert!(rust.contains("z-comment"), "{rust}");
    assert_eq!(text_of(rust), "fn main() { let x = 1; } // done\n");
    // In a shortcode's body.
    assert!(
        blocks[1].contains("z-entity z-name z-section z-toml"),
        "{}",
        blocks[1]
    );
    assert!(blocks[1].contains("z-comment"), "{}", blocks[1]);
    // Without a language: exactly as before.
    assert_eq!(blocks[2], "<pre><code>plain = \"as today\"\n</code></pre>");
    // Code is still code: its link is not checked (the build passed) and its shortcode is
    // left as written.
    assert_eq!(
        text_of(blocks[3]),
        "[a link](@/missing.md) and {{ note() }}\n"
    );
    // The summary and the feed have it too.
    let summary = &html[html.find("<div id=\"summary\">").unwrap_or(0)..];
    assert!(summary.contains("z-storage"), "{summary}");
    let feed = s.read("public/blog/atom.xml");
    assert!(feed.contains("z-storage"), "{feed}");

    let s = site("markdown:\n  highlight_code: false\n", POST);
    s.build().success();
    let html = s.read("public/blog/post/index.html");
    assert!(!html.contains("z-"), "{html}");
    assert!(
        html.contains(
            "<pre><code class=\"language-rust\">fn main() { let x = 1; } // done\n</code></pre>"
        ),
        "{html}"
    );
}

#[test]
#[cfg_attr(not(feature = "highlight"), ignore = "needs the `highlight` feature")]
fn highlighted_code_snapshot() {
    let post = "---\ntitle: Post\n---\n```html\n<a href=\"/\" class=\"x\">Home</a>\n```\n\n```yaml\ntitle: \"Studio\" # name\nfeed: true\n```\n\n```bash\necho \"$HOME\" | wc -l\n```\n\n```python\ndef f(n):\n    return n * 2\n```\n";
    let s = site("", post);
    s.build().success();
    let html = s.read("public/blog/post/index.html");
    insta::assert_snapshot!("highlighted_code", pres(&html).join("\n"));

    let s = site("markdown:\n  highlight_code: false\n", post);
    s.build().success();
    let html = s.read("public/blog/post/index.html");
    insta::assert_snapshot!("highlight_code_off", pres(&html).join("\n"));
}

#[test]
#[cfg_attr(not(feature = "highlight"), ignore = "needs the `highlight` feature")]
fn an_unknown_language_is_plain_and_check_warns_with_the_closest_name() {
    let post = "---\ntitle: Post\n---\nText.\n\n```pyhton\nprint(1)\n```\n";
    let s = site("", post);
    s.build().success();
    assert!(
        s.read("public/blog/post/index.html")
            .contains("<pre><code class=\"language-pyhton\">print(1)\n</code></pre>")
    );
    s.run(&["check"])
        .success()
        .stderr_has("code block in a language stillpoint cannot colour: `pyhton`")
        .stderr_has("content/blog/post.md:6:1")
        .stderr_has("did you mean `python`?");
    // `text` asks for no colours: no warning.
    let s = site("", "---\ntitle: Post\n---\n```text\nx\n```\n");
    s.run(&["check"]).success().stderr_lacks("cannot colour");
    // With highlighting off, no language is unknown.
    let s = site("markdown:\n  highlight_code: false\n", post);
    s.run(&["check"]).success().stderr_lacks("cannot colour");
}

/// WCAG 2 relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The `--code-…` custom properties of one block of the stylesheet, in order.
fn code_colours(block: &str) -> Vec<(String, String)> {
    block
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--code-"))
        .filter_map(|l| {
            let (name, rest) = l.split_once(':')?;
            let value = rest.trim().split(';').next()?.trim();
            value
                .starts_with('#')
                .then(|| (name.to_string(), value.to_string()))
        })
        .collect()
}

#[test]
fn token_colours_meet_wcag_aa_on_the_code_background_light_and_dark() {
    let css = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/css/site.css"),
    )
    .unwrap();
    let dark_at = css.find("@media (prefers-color-scheme: dark)").unwrap();
    let mut report = String::new();
    for (scheme, block) in [("light", &css[..dark_at]), ("dark", &css[dark_at..])] {
        let block = &block[..block.find("/* ---------- base").unwrap_or(block.len())];
        let colours = code_colours(block);
        let bg = &colours.iter().find(|(n, _)| n == "bg").unwrap().1;
        let tokens: Vec<_> = colours.iter().filter(|(n, _)| n != "bg").collect();
        assert!(tokens.len() >= 10, "{scheme}: {tokens:?}");
        for (name, colour) in tokens {
            let ratio = contrast(colour, bg);
            assert!(
                ratio >= 4.5,
                "{scheme} --code-{name} {colour} on {bg}: {ratio:.2}:1"
            );
            report.push_str(&format!("{scheme} {name} {colour} on {bg}: {ratio:.1}:1\n"));
        }
    }
    insta::assert_snapshot!("code_token_contrast", report);
}
