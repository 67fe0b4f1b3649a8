//! `<!-- more -->` summaries (issue 17): wherever the marker sits, the summary in the section
//! listing and the feed is exactly what comes before it, as whole HTML, and the page's meta
//! description is its text. On the fixture `dates/` (default theme: a `journal` section with a
//! feed), whose pages the tests write.

use crate::support::TestSite;

/// (file stem, body, the summary HTML in the listing, the meta description).
const PLACES: &[(&str, &str, &str, &str)] = &[
    (
        "top-level",
        "Before the cut.\n\n<!-- more -->\n\nAfter the cut.\n",
        "<p>Before the cut.</p>",
        "Before the cut.",
    ),
    (
        "tight-list",
        "- Before one\n- Before two\n  <!-- more -->\n- After the cut\n",
        "<ul>\n<li>Before one</li>\n<li>Before two</li>\n</ul>",
        "Before one Before two",
    ),
    (
        "loose-list",
        "- Before one\n\n  <!-- more -->\n\n  After the cut\n",
        "<ul>\n<li>\n<p>Before one</p>\n</li>\n</ul>",
        "Before one",
    ),
    (
        "nested",
        "1. Before\n   - Before inner\n     <!-- more -->\n   - After the cut\n",
        "<ol>\n<li>Before\n<ul>\n<li>Before inner</li>\n</ul>\n</li>\n</ol>",
        "Before Before inner",
    ),
    (
        "block-quote",
        "> Before the cut.\n>\n> <!-- more -->\n>\n> After the cut.\n\nAfter the quote.\n",
        "<blockquote>\n<p>Before the cut.</p>\n</blockquote>",
        "Before the cut.",
    ),
    (
        "after-heading",
        "## Before the cut\n<!-- more -->\nAfter the cut.\n",
        "<h2 id=\"before-the-cut\">Before the cut</h2>",
        "Before the cut",
    ),
    (
        "indented",
        "Before the cut.\n\n   <!--more-->\n\nAfter the cut.\n",
        "<p>Before the cut.</p>",
        "Before the cut.",
    ),
    (
        "crlf",
        "- Before the cut\r\n  <!-- more -->\r\n- After the cut\r\n",
        "<ul>\n<li>Before the cut</li>\n</ul>",
        "Before the cut",
    ),
    (
        "inline",
        "Before the cut <!-- more --> After the cut.\n",
        "<p>Before the cut</p>",
        "Before the cut",
    ),
    (
        "in-code",
        "Before `<!-- more -->` the code.\n\n```\n<!-- more -->\n```\n\nLast.\n",
        "<p>Before <code>&lt;!-- more --&gt;</code> the code.</p>",
        "Before <!-- more --> the code.",
    ),
    (
        "in-a-shortcode",
        "{% callout() %}\nBefore the cut <!-- more --> After the cut.\n{% end %}\n",
        "<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-label\"><span aria-hidden=\"true\">ℹ</span> Note</p>\n\n<p>Before the cut</p></div>",
        "ℹ Note Before the cut",
    ),
];

fn site() -> TestSite {
    let site = TestSite::fixture_with_default_theme("dates");
    for (i, (stem, body, _, _)) in PLACES.iter().enumerate() {
        site.file(
            &format!("content/journal/{stem}.md"),
            &format!(
                "---\ntitle: \"{stem}\"\ndate: 2026-11-{:02}\n---\n\n{body}",
                i + 1
            ),
        );
    }
    site
}

/// `text` HTML-escaped as Tera escapes a value (and as the feed holds HTML as text).
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

// See: issue 17, "`<!-- more -->` summaries".
#[test]
fn the_summary_is_what_comes_before_the_marker_wherever_it_sits() {
    let site = site();
    site.build().success();
    let listing = site.read("public/journal/index.html");
    let atom = site.read("public/journal/atom.xml");
    for (stem, _, summary, description) in PLACES {
        // The listing: the summary, whole.
        assert!(
            listing.contains(&format!("<div class=\"card-summary\">{summary}</div>")),
            "{stem}: listing\n{listing}"
        );
        // The feed: the same HTML, as text.
        assert!(
            atom.contains(&format!(
                "<summary type=\"html\">{}</summary>",
                escaped(summary)
            )),
            "{stem}: feed\n{atom}"
        );
        // The page's meta description: the summary's text.
        let page = site.read(&format!("public/journal/{stem}/index.html"));
        assert!(
            page.contains(&format!(
                "<meta name=\"description\" content=\"{}\">",
                escaped(description)
            )),
            "{stem}: {}",
            page.lines()
                .find(|l| l.contains("name=\"description\""))
                .unwrap_or("no meta description")
        );
        // Nothing after the marker leaks into the page's head.
        let head = page.split("</head>").next().unwrap_or(&page);
        assert!(!head.contains("After the cut"), "{stem}: {head}");
        // The page keeps its whole text.
        if stem != &"in-code" {
            assert!(page.contains("After the cut"), "{stem}: {page}");
        }
    }
    assert!(!listing.contains("After the cut"), "{listing}");
}
