//! Every link and image in a feed entry's content is absolute (issue 17, "Feeds"; issue 15 made
//! the first kinds absolute): a feed reader shows an entry away from the page, so a relative
//! address there points nowhere, or at the feed's own folder.

use crate::support::{TestSite, fixtures_dir, links};

/// The feed fixture (`base_url: https://feeds.example/sub`, a path) with a page bundle in its
/// journal that links and shows images in every way a writer may: relative to the page
/// (`../breathing/`, `./plan.pdf`, `files/map.pdf`), from the site's top (`/journal/later/`),
/// an anchor on the page itself, a query, its own files, and the same as HTML.
fn site() -> TestSite {
    let site = TestSite::fixture_with_default_theme("feed");
    let jpeg = std::fs::read(fixtures_dir().join("bundle/content/studio/photo.jpg")).unwrap();
    // An anchor for the `?a=1#x` link below (anchors in URL links are checked).
    let breathing = site.read("content/journal/breathing.md");
    site.file(
        "content/journal/breathing.md",
        &format!("{breathing}\n## X {{#x}}\n\nMore.\n"),
    );
    site.bytes("content/journal/bund/photo.jpg", &jpeg)
        .bytes("content/journal/bund/plan.pdf", b"%PDF-1.4\n")
        .bytes("content/journal/bund/files/map.pdf", b"%PDF-1.4\n")
        .file(
            "content/journal/bund/index.md",
            "---\ntitle: Bundle\ndate: 2024-05-01\n---\n\
             [up](../breathing/), [up with query](../breathing/?a=1#x), [top](/journal/later/), \
             [anchor](#notes), [plan](./plan.pdf), [map](files/map.pdf), ![A photo](photo.jpg), \
             [home](../../) and a footnote.[^1]\n\n\
             <a href=\"../breathing/\">raw up</a> <a href=\"/journal/later/\">raw top</a> \
             <a href=\"plan.pdf\">raw plan</a> <img src=\"photo.jpg\" alt=\"raw photo\">\n\n\
             ## Notes\n\nText.\n\n[^1]: The note.\n",
        );
    site
}

/// The content of the feed entry titled `title` in `feed`, unescaped.
fn entry_content(feed: &str, title: &str) -> String {
    let doc = roxmltree::Document::parse(feed).unwrap();
    let entry = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .find(|e| {
            e.children()
                .any(|c| c.has_tag_name("title") && c.text() == Some(title))
        })
        .unwrap_or_else(|| panic!("no entry {title} in\n{feed}"));
    entry
        .children()
        .find(|c| c.has_tag_name("content"))
        .and_then(|c| c.text())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn every_link_and_image_in_a_feed_entry_is_absolute_under_the_base_path() {
    let site = site();
    site.build().success();
    let feed = site.read("public/journal/atom.xml");
    let content = entry_content(&feed, "Bundle");
    let found = links(&content);
    assert!(found.len() >= 12, "{found:#?}\n{content}");
    for link in &found {
        assert!(
            link.starts_with("https://feeds.example/sub/"),
            "not absolute under the base URL: {link}\nin {content}"
        );
    }
    let base = "https://feeds.example/sub";
    for want in [
        format!("{base}/journal/breathing/"),
        format!("{base}/journal/breathing/?a=1#x"),
        format!("{base}/journal/later/"),
        format!("{base}/journal/bund/#notes"),
        format!("{base}/journal/bund/plan.pdf"),
        format!("{base}/journal/bund/files/map.pdf"),
        format!("{base}/"),
    ] {
        assert!(found.contains(&want), "{want} not in {found:#?}");
    }
    assert!(
        found
            .iter()
            .filter(|l| l.starts_with(&format!("{base}/processed_images/"))
                || *l == &format!("{base}/journal/bund/photo.jpg"))
            .count()
            >= 2,
        "the photo, as markdown and as HTML: {found:#?}"
    );
    // The page itself keeps its relative links.
    site.assert_file_contains("public/journal/bund/index.html", r#"href="../breathing/""#)
        .assert_file_contains("public/journal/bund/index.html", r#"href="plan.pdf""#);
}

#[test]
fn feed_links_are_absolute_with_every_urls_setting() {
    for urls in ["absolute", "files"] {
        let site = site();
        site.build_with(&["--urls", urls]).success();
        let content = entry_content(&site.read("public/journal/atom.xml"), "Bundle");
        for link in links(&content) {
            assert!(
                link.starts_with("https://feeds.example/sub/"),
                "urls: {urls}: not absolute: {link}\nin {content}"
            );
        }
    }
}

#[test]
fn a_link_to_the_page_itself_in_a_feed_summary_is_absolute() {
    let site = site();
    site.file(
        "content/journal/short.md",
        "---\ntitle: Short\ndate: 2024-06-01\n---\nSee [below](#later).\n\n<!-- more -->\n\n## Later\n\nMore.\n",
    );
    site.build().success();
    let feed = site.read("public/journal/atom.xml");
    let doc = roxmltree::Document::parse(&feed).unwrap();
    let summary = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .find(|e| e.children().any(|c| c.text() == Some("Short")))
        .and_then(|e| e.children().find(|c| c.has_tag_name("summary")))
        .and_then(|s| s.text())
        .unwrap_or_else(|| panic!("no summary for Short in\n{feed}"))
        .to_string();
    assert_eq!(
        links(&summary),
        ["https://feeds.example/sub/journal/short/#later"],
        "{summary}"
    );
    // The page itself keeps the anchor as written.
    site.assert_file_contains("public/journal/short/index.html", r##"href="#later""##);
}
