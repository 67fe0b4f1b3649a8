//! `urls:` (issue 15): the site's own links written relative to each page, root-relative in
//! the 404 page, ending in `index.html` with `files`, as the templates wrote them with
//! `absolute`; canonical links stay absolute.

use crate::support::TestSite;

/// The subpath fixture (`https://example.org/docs/`) with a page that links from the site's
/// top in markdown, and an image for it.
fn site() -> TestSite {
    let site = TestSite::fixture("subpath_base_url");
    site.file(
        "content/prices.md",
        "---\ntitle: Prices\n---\nSee [the FAQ](/faq/#is-it-safe), [home](/docs/) and ![A leaf](/images/leaf.svg).\n\n<a href=\"/faq/\">raw</a>\n",
    )
    .file(
        "static/images/leaf.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site
}

#[test]
fn links_are_relative_to_each_page_and_canonical_stays_absolute() {
    let site = site();
    site.build().success();
    site.assert_file_contains("public/faq/index.html", r#"href="../css/site.css""#)
        .assert_file_contains(
            "public/faq/index.html",
            r#"<link rel="canonical" href="https://example.org/docs/faq/">"#,
        )
        .assert_file_contains(
            "public/blog/first/index.html",
            r#"href="../../faq/#is-it-safe""#,
        )
        .assert_file_contains("public/index.html", r#"href="css/site.css""#)
        .assert_file_lacks(
            "public/blog/first/index.html",
            r#"href="https://example.org/docs/faq"#,
        );
}

#[test]
fn markdown_links_from_the_site_top_resolve_under_the_base_path() {
    let site = site();
    site.build().success();
    site.assert_file_contains(
        "public/prices/index.html",
        r#"<a href="../faq/#is-it-safe">the FAQ</a>"#,
    )
    .assert_file_contains("public/prices/index.html", r#"<a href="../">home</a>"#)
    .assert_file_contains("public/prices/index.html", r#"src="../images/leaf.svg""#)
    .assert_file_contains("public/prices/index.html", r#"<a href="../faq/">raw</a>"#);
}

#[test]
fn files_mode_links_end_in_index_html() {
    let site = site();
    site.build_with(&["--urls", "files"]).success();
    site.assert_file_contains(
        "public/blog/first/index.html",
        r#"href="../../faq/index.html#is-it-safe""#,
    )
    .assert_file_contains("public/prices/index.html", r#"src="../images/leaf.svg""#)
    .assert_file_contains(
        "public/prices/index.html",
        r#"<a href="../index.html">home</a>"#,
    );
}

/// With `absolute`, every link into the site is written from `base_url`, including those the
/// owner wrote from the site's top in markdown, raw HTML and a `figure`'s `src` (a new user
/// found them published as `/faq/`, which misses the base path `/docs/` and answers 404).
#[test]
fn absolute_mode_writes_every_site_link_from_base_url() {
    let site = site();
    site.file(
        "templates/shortcodes/figure.html",
        "<img src=\"{{ src }}\" alt=\"{{ alt }}\">",
    )
    .file(
        "content/figured.md",
        "---\ntitle: Figured\n---\n{{ figure(src=\"/images/leaf.svg\", alt=\"A leaf\") }}\n",
    );
    site.build_with(&["--urls", "absolute"]).success();
    let flag = site.output_tree();
    site.assert_file_contains(
        "public/blog/first/index.html",
        r#"href="https://example.org/docs/faq/#is-it-safe""#,
    )
    .assert_file_contains(
        "public/prices/index.html",
        r#"<a href="https://example.org/docs/faq/#is-it-safe">the FAQ</a>"#,
    )
    .assert_file_contains(
        "public/prices/index.html",
        r#"src="https://example.org/docs/images/leaf.svg""#,
    )
    .assert_file_contains(
        "public/prices/index.html",
        r#"<a href="https://example.org/docs/faq/">raw</a>"#,
    )
    .assert_file_contains(
        "public/figured/index.html",
        r#"src="https://example.org/docs/images/leaf.svg""#,
    );
    let config = site.read("config.yaml");
    site.file("config.yaml", &format!("{config}urls: absolute\n"));
    site.build().success();
    assert!(
        flag == site.output_tree(),
        "`--urls absolute` and `urls: absolute` differ"
    );
}

#[test]
fn not_found_page_links_are_root_relative() {
    let site = site();
    site.file(
        "templates/404.html",
        "<!doctype html><html><head><link rel=\"stylesheet\" href=\"{{ get_url(path='css/site.css') }}\"></head><body><a href=\"{{ config.base_url }}/\">home</a></body></html>",
    );
    site.build().success();
    site.assert_file_contains("public/404.html", r#"href="/docs/css/site.css""#)
        .assert_file_contains("public/404.html", r#"<a href="/docs/">home</a>"#);
}

#[test]
fn a_wrong_urls_value_is_an_error_at_its_line() {
    let site = site();
    let config = site.read("config.yaml");
    site.file("config.yaml", &format!("{config}urls: relativ\n"));
    site.build()
        .code(1)
        .stderr_has(
            "`urls: relativ` is not a way to write URLs: use `relative`, `absolute` or `files`",
        )
        .stderr_has("config.yaml:3")
        .stderr_has("did you mean `relative`?");
    // `--urls` replaces the value, but a mistake in the file is still reported.
    site.build_with(&["--urls", "files"])
        .code(1)
        .stderr_has("`urls: relativ` is not a way to write URLs");
    site.file("config.yaml", &format!("{config}urls: \"\"\n"));
    site.build()
        .code(1)
        .stderr_has("`urls:` has no value: use `relative`, `absolute` or `files`, or remove the line for `relative`");
    site.build_with(&["--urls", "nope"])
        .code(2)
        .stderr_has("use relative, absolute or files");
}

#[test]
fn a_feed_has_every_link_and_image_absolute_including_a_bundles_files() {
    let site = TestSite::fixture_with_default_theme("feed");
    site.bytes(
        "content/journal/bund/photo.jpg",
        &std::fs::read(crate::support::fixtures_dir().join("bundle/content/studio/photo.jpg"))
            .unwrap(),
    )
    .bytes("content/journal/bund/plan.pdf", b"%PDF-1.4\n")
    .file(
        "static/images/leaf.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .file(
        "content/journal/bund/index.md",
        "---\ntitle: Bundle\ndate: 2024-05-01\n---\nSee [breathing](/journal/breathing/), ![A leaf](/images/leaf.svg), ![A photo](photo.jpg) and [the plan](plan.pdf).\n",
    );
    site.build().success();
    let feed = site.read("public/journal/atom.xml");
    for needle in [
        "href=&quot;https://feeds.example/sub/journal/breathing/&quot;",
        "src=&quot;https://feeds.example/sub/images/leaf.svg&quot;",
        "src=&quot;https://feeds.example/sub/processed_images/",
        "href=&quot;https://feeds.example/sub/journal/bund/plan.pdf&quot;",
    ] {
        assert!(feed.contains(needle), "{needle} not in the feed:\n{feed}");
    }
    assert!(
        !feed.contains("=&quot;../"),
        "a relative link in the feed:\n{feed}"
    );
    site.assert_file_contains("public/journal/bund/index.html", r#"href="plan.pdf""#)
        .assert_file_contains(
            "public/journal/bund/index.html",
            r#"src="../../images/leaf.svg""#,
        )
        .assert_file_contains("public/journal/bund/index.html", r#"href="../breathing/""#);
}

#[test]
fn check_warns_about_a_placeholder_base_url() {
    let site = site();
    site.run(&["check"]).success().stderr_has(
        "note: `base_url` in config.yaml is a placeholder address (https://example.org/docs)",
    );
}

/// A page's folder named without its final `/` (`[a](/faq)`) is written as the page's address,
/// so `urls: files` ends it in `index.html` (a new user found `../faq`, which opens a folder
/// from the disk); `../` segments are resolved, so a feed shows no `post/../../faq/`.
#[test]
fn a_page_folder_without_its_slash_is_written_as_the_page() {
    let site = site();
    site.file(
        "content/blog/second.md",
        "---\ntitle: Second\n---\n[a](/faq) and [b](../../faq?x=1#is-it-safe) and [c](../first/)\n",
    );
    site.build_with(&["--urls", "files"]).success();
    site.assert_file_contains(
        "public/blog/second/index.html",
        r#"<a href="../../faq/index.html">a</a>"#,
    )
    .assert_file_contains(
        "public/blog/second/index.html",
        r#"<a href="../../faq/index.html?x=1#is-it-safe">b</a>"#,
    )
    .assert_file_contains(
        "public/blog/second/index.html",
        r#"<a href="../first/index.html">c</a>"#,
    );
    site.build_with(&["--urls", "absolute"]).success();
    site.assert_file_contains(
        "public/blog/second/index.html",
        r#"<a href="https://example.org/docs/faq/?x=1#is-it-safe">b</a>"#,
    );
}

/// `%2F` is part of a name to a browser, not a `/`: `[a](%2Ffaq%2F)` names a file beside the
/// page, which does not exist (a new user found it passed the check and answered 404).
#[test]
fn an_encoded_slash_does_not_make_a_link_start_from_the_top() {
    let site = site();
    site.file("content/enc.md", "---\ntitle: Enc\n---\n[a](%2Ffaq%2F)\n");
    site.build()
        .code(1)
        .stderr_has("link to a file that the site does not have: `%2Ffaq%2F`")
        .stderr_has("content/enc.md:4:");
}
