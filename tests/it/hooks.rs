//! Render hooks (issue 19): `templates/markdown/image.html`, `link.html` and `heading.html`,
//! the site's first, then the theme's, write markdown images, links and headings, in pages,
//! summaries, feeds and shortcode bodies. Fixtures: `tests/fixtures/hooks/` (a theme with link
//! and heading hooks, the site's own link hook) and `tests/fixtures/images/`.

use std::path::Path;

use crate::support::TestSite;

/// The `<main>` element of an output page.
fn main_of(html: &str) -> &str {
    let start = html.find("<main>").unwrap();
    let end = html.find("</main>").unwrap();
    &html[start..end + "</main>".len()]
}

/// The default theme's image hook, as a file of the repository.
fn default_image_hook() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/markdown/image.html");
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_default_theme_image_hook_writes_the_built_in_markup_byte_for_byte() {
    // An image the processor leaves as it is, whose name pulldown-cmark percent-encodes, and an
    // image on another site with `&` in its address. (An apostrophe in an address is the one
    // difference: Tera writes `&#39;` where pulldown-cmark writes `&#x27;`, the same character.)
    let more = "\n![Plan](</images/café plan.svg> \"A \\\"plan\\\" & more\")\n\n![Far](https://img.example/a?b=1&c=2)\n";
    for urls in ["absolute", "relative"] {
        let plain = TestSite::fixture("images");
        let hooked = TestSite::fixture("images");
        for site in [&plain, &hooked] {
            let page = site.read("content/gallery/index.md");
            site.file("content/gallery/index.md", &format!("{page}{more}"));
            site.file(
                "static/images/café plan.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            );
        }
        plain.build_with(&["--urls", urls]).success();
        hooked.file("templates/markdown/image.html", &default_image_hook());
        hooked.build_with(&["--urls", urls]).success();
        let page = hooked.read("public/gallery/index.html");
        assert!(
            page.contains("<picture><source type=\"image/webp\""),
            "{page}"
        );
        assert!(
            page.contains("<img src=\"/images/logo.svg\" alt=\"Logo\" />")
                || page.contains("logo.svg\" alt=\"Logo\" />"),
            "{page}"
        );
        let (a, b) = (plain.output_tree(), hooked.output_tree());
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
        for (name, bytes) in &a {
            assert!(
                b[name] == *bytes,
                "{name} differs with the hook ({urls}):\n{}\n---\n{}",
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(&b[name])
            );
        }
    }
}

#[test]
fn an_image_hook_gets_the_variants_sizes_and_position() {
    let site = TestSite::fixture("images");
    site.file(
        "templates/markdown/image.html",
        "<figure data-line=\"{{ line }}:{{ column }}\" data-lazy=\"{{ lazy }}\" data-in-link=\"{{ in_link }}\">\
{% for v in variants %}<i>{{ v.format }} {{ v.type }} {{ v.width }}x{{ v.height }} {{ v.url }}</i>{% endfor %}\
<img src=\"{{ url }}\" data-destination=\"{{ destination }}\" alt=\"{{ alt }}\" title=\"{{ title }}\" width=\"{{ width }}\" height=\"{{ height }}\" sizes=\"{{ sizes }}\" srcset=\"{{ srcset }}\">\
{% for s in sources %}<b>{{ s.type }}: {{ s.srcset }}</b>{% endfor %}</figure>\n",
    );
    site.file(
        "content/gallery/index.md",
        "---\ntitle: Gallery\n---\n\n![A *soft* gradient](photo.jpg \"Colours\")\n\n[![Linked](/images/diagram.png)](/)\n\n![Logo](/images/logo.svg)\n",
    );
    site.build().success();
    insta::assert_snapshot!(
        "hooks_image_variables",
        main_of(&site.read("public/gallery/index.html"))
    );
}

#[test]
fn link_and_heading_hooks_write_pages_with_the_site_hook_first() {
    let site = TestSite::fixture("hooks");
    site.build().success();
    let page = site.read("public/journal/first/index.html");
    // The site's link hook replaces the theme's; the theme's heading hook is used.
    assert!(!page.contains("theme-link"), "{page}");
    // The relative-link rewrite applies to what the hook writes.
    assert!(
        page.contains(
            r#"<a href="../second/" title="Next note" data-internal>first <em>visit</em></a>"#
        ),
        "{page}"
    );
    assert!(
        page.contains(r#"<a href="mailto:desk@example.org" rel="external">"#),
        "{page}"
    );
    // Shortcode bodies go through the hooks.
    assert!(
        page.contains(
            r##"<aside>
<p>Bring <a href="#expect" data-internal>comfortable clothes</a>.</p>"##
        ),
        "{page}"
    );
    assert!(
        page.contains(r#"<a href="https://clinic.example/" rel="external">the clinic</a>"#),
        "{page}"
    );
    // The table of contents keeps the headings' text.
    assert!(
        page.contains(r##"<a href="#expect">What to expect</a>"##),
        "{page}"
    );
    insta::assert_snapshot!("hooks_page", main_of(&page));
}

#[test]
fn without_the_site_hook_the_theme_hook_writes_links() {
    let site = TestSite::fixture("hooks");
    site.remove("templates/markdown/link.html");
    site.build().success();
    let page = site.read("public/journal/second/index.html");
    assert!(
        page.contains(r##"<a class="theme-link" href="../first/#expect">the first</a>"##),
        "{page}"
    );
}

#[test]
fn hooks_write_summaries_and_feeds() {
    let site = TestSite::fixture("hooks");
    site.build().success();
    let section = site.read("public/journal/index.html");
    assert!(
        section.contains(r#"<a href="https://clinic.example/" rel="external">the clinic</a>"#),
        "{section}"
    );
    let feed = site.read("public/journal/atom.xml");
    assert!(
        feed.contains("rel=&quot;external&quot;&gt;the clinic"),
        "{feed}"
    );
    assert!(feed.contains("data-internal"), "{feed}");
}

#[test]
fn a_link_hook_that_fails_names_its_line_and_the_content_line() {
    let site = TestSite::fixture("hooks");
    site.build().success();
    let before = site.output_tree();
    site.file(
        "templates/markdown/link.html",
        "{#- a comment line -#}\n<a href=\"{{ url }}\">{{ text | safe }}{{ nothing.here }}</a>\n",
    );
    let run = site.build();
    // Met at every link: reported once, at the hook's line, naming each use.
    run.code(1)
        .stderr_has("templates/markdown/link.html:2:41")
        .stderr_has("content/journal/second.md:5:9");
    assert_eq!(before, site.output_tree(), "public/ must stay as it was");
    insta::assert_snapshot!("hooks_failing_link_hook", run.stderr_stable());
}

#[test]
fn a_heading_hook_that_fails_names_its_line_and_the_content_line() {
    let site = TestSite::fixture("hooks");
    site.file(
        "themes/inkwell/templates/markdown/heading.html",
        "<h{{ level }}>\n{{ text | safe }}{% if level == 3 %}{{ 1 + level.nope }}{% endif %}</h{{ level }}>\n",
    );
    // Met at one heading: reported at the heading, naming the hook's line.
    let run = site.build();
    run.code(1)
        .stderr_has("the heading hook themes/inkwell/templates/markdown/heading.html could not write this heading")
        .stderr_has("themes/inkwell/templates/markdown/heading.html:2:")
        .stderr_has("content/journal/first.md:16:1");
    insta::assert_snapshot!("hooks_failing_heading_hook", run.stderr_stable());
}
