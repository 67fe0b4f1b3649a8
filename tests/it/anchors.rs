//! Anchor links are checked however they are written (issue 17): `#x`, `@/p.md#x` and `p.md#x`,
//! and also as a URL into the site (`/prices/#x`, `../prices/#x`, `/prices/?q=1#x`,
//! `prices/#x`), and in `<a href>` and `<img src>` written as HTML inside markdown; in `build`
//! and in `check`, with the file and line where the link is written.

use crate::support::TestSite;

/// A site with a `prices` page (headings `## Rates` and `## Gift cards`), a `blog` section
/// with a `## Latest` heading, and `content/links.md`, whose body is `body`.
fn site(body: &str) -> TestSite {
    let site = TestSite::new();
    site.file("content/_index.md", "---\ntitle: Home\n---\nHome.\n")
        .file(
            "content/prices.md",
            "---\ntitle: Prices\n---\n## Rates\n\nText.\n\n## Gift cards\n\nText.\n",
        )
        .file(
            "content/blog/_index.md",
            "---\ntitle: Blog\n---\n## Latest\n\nNews.\n",
        )
        .file("content/blog/post.md", "---\ntitle: Post\n---\nA post.\n")
        .file("static/images/room.png", "not really a png")
        .file(
            "content/links.md",
            &format!("---\ntitle: Links\n---\n{body}"),
        );
    site
}

/// The message of a missing anchor `anchor` on `page`, linked as `written` from links.md.
fn missing(written: &str, anchor: &str, page: &str) -> String {
    format!(
        "link to an anchor that does not exist: `{written}` (no heading or element with id `{anchor}` in content/{page}) (in content/links.md)"
    )
}

#[test]
fn anchors_in_urls_into_the_site_are_checked_in_build_and_check() {
    let body = "[a](/prices/#rates) [b](/prices/#nope)\n\n[c](/prices/?q=1#gift-cards) [d](/prices/?q=1#nope)\n\n[e](/prices#nope) [f](/blog/#latest) [g](/blog/#nope)\n\n[h](/prices/#Rates)\n";
    let site = site(body);
    let run = site.build();
    run.code(1);
    let expected = vec![
        (
            missing("/prices/#nope", "nope", "prices.md"),
            "content/links.md:4:21".to_string(),
        ),
        (
            missing("/prices/?q=1#nope", "nope", "prices.md"),
            "content/links.md:6:30".to_string(),
        ),
        (
            missing("/prices#nope", "nope", "prices.md"),
            "content/links.md:8:1".to_string(),
        ),
        (
            missing("/blog/#nope", "nope", "blog/_index.md"),
            "content/links.md:8:38".to_string(),
        ),
        (
            missing("/prices/#Rates", "Rates", "prices.md"),
            "content/links.md:10:1".to_string(),
        ),
    ];
    assert_eq!(run.errors(), expected);
    run.stderr_has("did you mean `#rates`?");
    assert!(!site.exists("public/links/index.html"));
    let check = site.run(&["check"]);
    check.code(1);
    assert_eq!(check.errors(), expected);
}

#[test]
fn anchors_in_relative_urls_are_checked_from_the_pages_address() {
    // links.md is at /links/: `../prices/` and `prices/` from the home page are /prices/.
    let site = site("[a](../prices/#rates) [b](../prices/#nope)\n");
    site.file(
        "content/_index.md",
        "---\ntitle: Home\n---\n[c](prices/#gift-cards) [d](prices/#nope) [e](./blog/#nope)\n",
    );
    let run = site.build();
    run.code(1);
    assert_eq!(
        run.errors(),
        vec![
            (
                missing("../prices/#nope", "nope", "prices.md"),
                "content/links.md:4:23".to_string(),
            ),
            (
                "link to an anchor that does not exist: `prices/#nope` (no heading or element with id `nope` in content/prices.md) (in content/_index.md)".to_string(),
                "content/_index.md:4:25".to_string(),
            ),
            (
                "link to an anchor that does not exist: `./blog/#nope` (no heading or element with id `nope` in content/blog/_index.md) (in content/_index.md)".to_string(),
                "content/_index.md:4:43".to_string(),
            ),
        ]
    );
}

#[test]
fn good_anchors_in_urls_build_and_keep_their_address() {
    let site = site(
        "[a](/prices/#rates) [b](../prices/?q=1#gift-cards) [c](/blog/#latest)\n\n<a href=\"/prices/#rates\">d</a> <a href=\"@/prices.md#gift-cards\">e</a>\n\n[f](/prices/#) [g](/images/room.png#x)\n",
    );
    site.build().success();
    let html = site.read("public/links/index.html");
    for want in [
        r#"<a href="../prices/#rates">a</a>"#,
        r#"<a href="../prices/?q=1#gift-cards">b</a>"#,
        r#"<a href="../blog/#latest">c</a>"#,
        r#"<a href="../prices/#rates">d</a>"#,
        r#"<a href="../prices/#gift-cards">e</a>"#,
        r#"<a href="../prices/#">f</a>"#,
    ] {
        assert!(html.contains(want), "{want}\n{html}");
    }
}

#[test]
fn links_written_as_html_are_checked_like_markdown_links() {
    let body = "Text.\n\n<p><a href=\"/prices/#nope\">a</a> <a href=\"@/gone.md\">b</a></p>\n\nInline <a href='@/prices.md#nope'>c</a> and <img src=\"/images/gone.png\" alt=\"x\">.\n\n<div>\n<a href=\"../prices/#gift-card\">d</a>\n</div>\n";
    let site = site(body);
    let run = site.build();
    run.code(1);
    assert_eq!(
        run.errors(),
        vec![
            (
                "link to a page that does not exist: `@/gone.md` (in content/links.md)".to_string(),
                "content/links.md:6:43".to_string(),
            ),
            (
                "link to a file that the site does not have: `/images/gone.png` (it points to /images/gone.png) (in content/links.md)".to_string(),
                "content/links.md:8:55".to_string(),
            ),
            (
                missing("/prices/#nope", "nope", "prices.md"),
                "content/links.md:6:13".to_string(),
            ),
            (
                missing("@/prices.md#nope", "nope", "prices.md"),
                "content/links.md:8:17".to_string(),
            ),
            (
                missing("../prices/#gift-card", "gift-card", "prices.md"),
                "content/links.md:11:10".to_string(),
            ),
        ]
    );
    run.stderr_has("did you mean `#gift-cards`?");
}

/// A base URL with a path (`https://example.org/docs/`): a link from the site's top is
/// checked with or without the base path, as issue 15's portable output reads it.
#[test]
fn anchors_under_a_base_path_are_checked_with_or_without_it() {
    let site = TestSite::fixture("subpath_base_url");
    site.file(
        "content/prices.md",
        "---\ntitle: Prices\n---\n[a](/faq/#is-it-safe) [b](/docs/faq/#is-it-safe)\n\n[c](/faq/#nope) [d](/docs/faq/#nope)\n",
    );
    let run = site.build();
    run.code(1);
    let missing = |w: &str| {
        format!(
            "link to an anchor that does not exist: `{w}` (no heading or element with id `nope` in content/faq.md) (in content/prices.md)"
        )
    };
    assert_eq!(
        run.errors(),
        vec![
            (missing("/faq/#nope"), "content/prices.md:6:1".to_string()),
            (
                missing("/docs/faq/#nope"),
                "content/prices.md:6:17".to_string()
            ),
        ]
    );
    site.file(
        "content/prices.md",
        "---\ntitle: Prices\n---\n[a](/faq/#is-it-safe) [b](/docs/faq/#is-it-safe)\n",
    );
    site.build().success();
    site.assert_file_contains(
        "public/prices/index.html",
        r#"<a href="../faq/#is-it-safe">a</a> <a href="../faq/#is-it-safe">b</a>"#,
    );
}
