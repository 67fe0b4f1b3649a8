//! Zola's template filters that Tera 2 does not ship (issue 19, "Templates"): a page template
//! in the shape of a Zola theme's (hyde's `page.html`: `page.date | date(format=…)`) renders,
//! and every added filter renders once with its arguments, compared line by line.

use crate::support::TestSite;

/// hyde's `page.html` (a Zola theme), then one line per filter.
const PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body>
<div class="post">
  <h1 class="post-title">{{ page.title }}</h1>
  <span class="post-date">{{ page.date | date(format="%Y-%m-%d") }}</span>
  {{ page.content | safe }}
</div>
<pre id="filters">
date-default={{ page.date | date }}
date-format={{ page.date | date(format="%A %d %B %Y") }}
date-offset={{ "2026-11-29T10:00:00-07:00" | date(format="%H:%M %z") }}
date-to-utc={{ "2026-11-29T10:00:00-07:00" | date(format="%Y-%m-%d %H:%M", timezone="UTC") }}
date-timestamp={{ 0 | date(format="%Y-%m-%dT%H:%M:%S", timezone="America/Edmonton") }}
date-naive={{ "2026-11-29 10:30:00" | date(format="%H:%M") }}
filesizeformat={{ 10 | filesizeformat }} {{ 1536 | filesizeformat }} {{ 1536 | filesizeformat(binary=true) }} {{ 3145728 | filesizeformat }}
slugify={{ "Ünïcödé Tîtle, and more!" | slugify }}
striptags={{ "<b>Joel</b> <!-- hidden --> is <i>here</i>" | striptags }}
spaceless={{ "<p>\n  <a> </a>\n</p>" | spaceless | safe }}
urlencode={{ "/a b?c=d&e" | urlencode }}
urlencode_strict={{ "/a b?c=d&e" | urlencode_strict }}
linebreaksbr={{ page.extra.lines | linebreaksbr }}
as_str={{ 3 | as_str }}
concat={{ [1, 2] | concat(with=3) | join(sep=",") }} {{ [1] | concat(with=[2, 3]) | join(sep=",") }}
map={{ page.extra.people | map(attribute="name") | join(sep=",") }}
filter={{ page.extra.people | filter(attribute="role", value="lead") | map(attribute="name") | join(sep=",") }} {{ page.extra.people | filter(attribute="role") | length }}
slice={{ [1, 2, 3, 4] | slice(start=1, end=-1) | join(sep=",") }} {{ [1, 2, 3] | slice(end=2) | join(sep=",") }}
base64_encode={{ "hello, world" | base64_encode }}
base64_decode={{ "aGVsbG8sIHdvcmxk" | base64_decode }}
regex_replace={{ "Call 780 555 0142" | regex_replace(pattern="([0-9]{3}) ([0-9]{3})", rep="($1) $2") }}
num_format={{ 1234567 | num_format }} {{ -1234567 | num_format(locale="de") }} {{ 999 | num_format }}
markdown={{ "*hi* [x](https://a.org)" | markdown(inline=true) }}
markdown-block={{ "a \"b\"" | markdown | trim }}
</pre>
</body>
</html>
"#;

const POST: &str = r#"---
title: Post
date: 2026-11-29
extra:
  lines: "one <\ntwo"
  people:
    - {name: Ann, role: lead}
    - {name: Bo}
    - {name: Cy, role: ~}
---
Text.
"#;

fn site() -> TestSite {
    let site = TestSite::new();
    site.file("templates/page.html", PAGE)
        .file("content/post.md", POST);
    site
}

#[test]
fn a_zola_theme_page_and_every_added_filter_render() {
    let site = site();
    site.build().success();
    let html = site.read("public/post/index.html");
    assert!(
        html.contains("<span class=\"post-date\">2026-11-29</span>"),
        "{html}"
    );
    let start = html.find("<pre id=\"filters\">\n").unwrap() + "<pre id=\"filters\">\n".len();
    let end = html.find("</pre>").unwrap();
    let got: Vec<&str> = html[start..end].lines().collect();
    let want = [
        "date-default=2026-11-29",
        "date-format=Sunday 29 November 2026",
        "date-offset=10:00 -0700",
        "date-to-utc=2026-11-29 17:00",
        "date-timestamp=1969-12-31T17:00:00",
        "date-naive=10:30",
        "filesizeformat=10 B 1.5 KB 1.5 KiB 3 MB",
        "slugify=unicode-title-and-more",
        "striptags=Joel  is here",
        "spaceless=<p><a></a></p>",
        "urlencode=/a%20b%3Fc%3Dd%26e",
        "urlencode_strict=%2Fa%20b%3Fc%3Dd%26e",
        "linebreaksbr=one &lt;<br>two",
        "as_str=3",
        "concat=1,2,3 1,2,3",
        "map=Ann,Bo,Cy",
        "filter=Ann 1",
        "slice=2,3 1,2",
        "base64_encode=aGVsbG8sIHdvcmxk",
        "base64_decode=hello, world",
        "regex_replace=Call (780) 555 0142",
        "num_format=1,234,567 -1.234.567 999",
        "markdown=<em>hi</em> <a href=\"https://a.org\">x</a>",
        "markdown-block=<p>a “b”</p>",
    ];
    assert_eq!(got, want);
}

#[test]
fn date_mistakes_are_template_errors_in_plain_words() {
    for (call, says) in [
        (
            r#"{{ page.date | date(timezone="Mars/Base") }}"#,
            "unknown time zone `Mars/Base`",
        ),
        (r#"{{ "soon" | date }}"#, "`soon` is not a date"),
        (
            r#"{{ page.date | date(format="%Y", locale="fr") }}"#,
            "`locale` is not supported",
        ),
        (
            r#"{{ "x" | regex_replace(pattern="(", rep="") }}"#,
            "`(` is not a valid pattern",
        ),
        (
            r#"{{ 1 | num_format(locale="xx") }}"#,
            "unknown locale `xx`",
        ),
        (
            r#"{{ page.date | date(fromat="%Y") }}"#,
            "the `date` filter has no argument `fromat`: did you mean `format`? its arguments are `format`, `timezone`, `locale`",
        ),
        (
            r#"{{ "a" | regex_replace(pattern="a", replace="b") }}"#,
            "the `regex_replace` filter has no argument `replace`",
        ),
    ] {
        let site = site();
        site.file("templates/page.html", call);
        site.build()
            .code(1)
            .stderr_has(says)
            .stderr_has("templates/page.html");
    }
}
