//! `markdown.math` (issue 19): `$…$` and `$$…$$` as MathML at build time when on, a literal
//! `$` when off (the default); invalid LaTeX an error at its line and column with the reason.

use crate::support::{TestSite, tree_hash};

const POST: &str = r#"---
title: Post
date: 2026-11-29
---
## Area $\pi r^2$

Energy $E = mc^2$ and $$\int_0^1 x\,dx$$ here.

{% note() %}
Body $a^2$.
{% end %}

Code `$x$` and:

```
$y$
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

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let s = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"));
    let e = html[s..].find(end).map_or(html.len(), |e| s + e);
    &html[s..e]
}

#[test]
fn dollars_stay_literal_by_default() {
    let s = site("", POST);
    s.build().success();
    let html = s.read("public/blog/post/index.html");
    assert!(!html.contains("<math"), "{html}");
    // As before math existed: `\,` is markdown's escaped comma.
    assert!(
        html.contains(r"Energy $E = mc^2$ and $$\int_0^1 x,dx$$ here."),
        "{html}"
    );
    assert!(html.contains("Body $a^2$."), "{html}");
}

#[test]
fn math_on_is_mathml_everywhere_and_code_stays_code() {
    let s = site("markdown:\n  math: true\n", POST);
    s.build().success();
    let html = s.read("public/blog/post/index.html");
    let main = between(&html, "<main>", "</main>");
    // Heading, inline, display, shortcode body.
    assert_eq!(main.matches("<math").count(), 4, "{main}");
    assert!(main.contains("<math display=\"block\">"), "{main}");
    assert!(main.contains("∫"), "{main}");
    assert!(!main.contains("x,dx"), "{main}");
    assert!(
        between(&html, "<aside class=\"note\">", "</aside>").contains("<math"),
        "{html}"
    );
    // Code is code.
    assert!(main.contains("<code>$x$</code>"), "{main}");
    assert!(main.contains("<pre><code>$y$\n</code></pre>"), "{main}");
    // Summary (the first paragraph), toc (the LaTeX as text) and feed.
    assert!(
        between(&html, "<div id=\"summary\">", "</div>").contains("<math"),
        "{html}"
    );
    assert!(
        between(&html, "<ol id=\"toc\">", "</ol>").contains(r"Area \pi r^2"),
        "{html}"
    );
    assert!(s.read("public/blog/atom.xml").contains("&lt;math"));
}

#[test]
fn mathml_snapshot() {
    let post = "---\ntitle: Post\n---\n$\\int_0^1 x\\,dx$\n\n$$\\frac{a}{b} = \\sqrt{c^2}$$\n";
    let s = site("markdown:\n  math: true\n", post);
    s.build().success();
    let html = s.read("public/blog/post/index.html");
    insta::assert_snapshot!("mathml", between(&html, "<main>", "</main>"));

    let s = site("", post);
    s.build().success();
    let html = s.read("public/blog/post/index.html");
    insta::assert_snapshot!("math_off", between(&html, "<main>", "</main>"));
}

#[test]
fn invalid_latex_is_an_error_at_its_place_and_public_stays() {
    let s = site("markdown:\n  math: true\n", POST);
    s.build().success();
    let before = tree_hash(&s.path("public"));
    s.file(
        "content/blog/post.md",
        "---\ntitle: Post\n---\nFine $x$.\n\nBroken: $x^2^3$ here.\n",
    );
    let run = s.build();
    run.code(1)
        .stderr_has("this math is not valid LaTeX: ")
        .stderr_has("superscript")
        .stderr_has("content/blog/post.md:6:9");
    assert_eq!(tree_hash(&s.path("public")), before);
}
