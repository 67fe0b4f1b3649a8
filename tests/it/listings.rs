//! Section listings: Atom feeds (`feed: true`) and pagination (`paginate_by`), on the fixtures
//! `feed/` and `pagination/` built by the real binary with the default theme, and the errors
//! for bad values of both fields.

use crate::support::TestSite;

/// The text of the child element `name` (Atom namespace) of `node`.
fn child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.has_tag_name((ATOM, name)))
        .and_then(|c| c.text())
}

const ATOM: &str = "http://www.w3.org/2005/Atom";

#[test]
fn feed_is_valid_atom_with_dated_pages_newest_first() {
    let site = TestSite::fixture_with_default_theme("feed");
    let run = site.build();
    run.success();
    let xml = site.read("public/journal/atom.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")));
    assert_eq!(
        child(feed, "title"),
        Some("Journal & <notes> · Feeds & <Things>"),
        "text is escaped once, and reads back as written"
    );
    assert_eq!(
        child(feed, "id"),
        Some("https://feeds.example/sub/journal/atom.xml")
    );
    // RFC 4287: the feed's `updated` is the newest change of any entry.
    assert_eq!(child(feed, "updated"), Some("2026-11-20T00:00:00Z"));
    let author = feed
        .children()
        .find(|c| c.has_tag_name((ATOM, "author")))
        .unwrap();
    assert_eq!(child(author, "name"), Some("Pat Example"));
    let self_link = feed
        .children()
        .find(|c| c.has_tag_name((ATOM, "link")) && c.attribute("rel") == Some("self"))
        .unwrap();
    assert_eq!(
        self_link.attribute("href"),
        Some("https://feeds.example/sub/journal/atom.xml")
    );

    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.has_tag_name((ATOM, "entry")))
        .collect();
    let titles: Vec<_> = entries
        .iter()
        .map(|e| child(*e, "title").unwrap())
        .collect();
    assert_eq!(
        titles,
        ["Later", "Breathing & <calm>"],
        "dated pages only, newest first"
    );
    for e in &entries {
        for field in ["published", "updated"] {
            let date = child(*e, field).unwrap();
            assert!(
                date.parse::<jiff::Timestamp>().is_ok(),
                "{field} `{date}` is not RFC 3339"
            );
        }
        assert!(
            child(*e, "id")
                .unwrap()
                .starts_with("https://feeds.example/sub/journal/")
        );
    }
    // HTML content is escaped text that reads back as the page's HTML.
    let content = child(entries[1], "content").unwrap();
    assert!(
        content.contains("<em>breathing</em> &amp; a quiet room"),
        "{content}"
    );
    assert!(content.contains(r#"<a href="https://feeds.example/sub/journal/later/">"#));
    assert_eq!(
        child(entries[0], "summary"),
        Some("A later note, with a description &amp; an update.")
    );
    insta::assert_snapshot!("feed_journal_atom", xml);

    // A feed section without dated pages: a warning at its `feed:` line, and no feed.
    run.stderr_has(
        "warning: content/notes/_index.md asks for a feed, but none of its pages has a `date`",
    )
    .stderr_has("--> content/notes/_index.md:3:7");
    site.assert_missing("public/notes/atom.xml");
    site.assert_missing("public/atom.xml");
}

#[test]
fn feed_link_is_in_the_head_of_the_section_and_its_pages_only() {
    let site = TestSite::fixture_with_default_theme("feed");
    site.build_with(&["--urls", "absolute"]).success();
    let link = r#"<link rel="alternate" type="application/atom+xml" title="Journal &amp; &lt;notes&gt; · Feeds &amp; &lt;Things&gt;" href="https://feeds.example/sub/journal/atom.xml">"#;
    for file in [
        "public/journal/index.html",
        "public/journal/breathing/index.html",
        "public/journal/undated/index.html",
    ] {
        site.assert_file_contains(file, link);
    }
    for file in [
        "public/index.html",
        "public/notes/index.html",
        "public/notes/one/index.html",
    ] {
        site.assert_file_lacks(file, "application/atom+xml");
    }
}

#[test]
fn home_feed_is_at_the_top() {
    let site = TestSite::fixture_with_default_theme("feed");
    site.file("content/_index.md", "---\ntitle: Home\nfeed: true\n---\n")
        .file(
            "content/news.md",
            "---\ntitle: News\ndate: 2026-01-02\n---\nHi.\n",
        );
    site.build_with(&["--urls", "absolute"]).success();
    let xml = site.read("public/atom.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(child(doc.root_element(), "title"), Some("Feeds & <Things>"));
    site.assert_file_contains(
        "public/news/index.html",
        r#"href="https://feeds.example/sub/atom.xml""#,
    );
}

#[test]
fn pagination_writes_listing_pages_like_zola() {
    let site = TestSite::fixture_with_default_theme("pagination");
    site.build_with(&["--urls", "absolute"]).success();
    let list = site.list("public");
    for file in [
        "blog/index.html",
        "blog/page/1/index.html",
        "blog/page/2/index.html",
        "blog/page/3/index.html",
    ] {
        assert!(list.iter().any(|f| f == file), "missing {file} in {list:?}");
    }
    site.assert_missing("public/blog/page/4/index.html");
    // /blog/page/1/ redirects to /blog/.
    site.assert_file_contains(
        "public/blog/page/1/index.html",
        r#"<meta http-equiv="refresh" content="0; url=https://pages.example/blog/">"#,
    );
    let first = site.read("public/blog/index.html");
    assert!(first.contains("Post 1") && first.contains("Post 2") && !first.contains("Post 3"));
    assert!(!first.contains(r#"rel="prev""#));
    let last = site.read("public/blog/page/3/index.html");
    assert!(last.contains("Post 5") && !last.contains("Post 4"));
    assert!(!last.contains(r#"rel="next""#));
    let second = site.read("public/blog/page/2/index.html");
    assert!(second.contains(r#"<link rel="canonical" href="https://pages.example/blog/page/2/">"#));
    assert!(second.contains("<title>Blog · Paginated (page 2)</title>"));
    let main = &second[second.find("<main").unwrap()..second.find("</main>").unwrap()];
    insta::assert_snapshot!("pagination_page_2_main", main);
    site.assert_file_contains(
        "public/sitemap.xml",
        "<loc>https://pages.example/blog/page/3/</loc>",
    );
}

#[test]
fn paginator_has_zolas_fields() {
    let site = TestSite::new();
    site.file(
        "templates/section.html",
        "{% if paginator is defined %}{{ paginator.current_index }}/{{ paginator.number_pagers }} by {{ paginator.paginate_by }} of {{ paginator.total_pages }} base={{ paginator.base_url }} first={{ paginator.first }} last={{ paginator.last }} prev={% if paginator.previous %}{{ paginator.previous }}{% else %}-{% endif %} next={% if paginator.next %}{{ paginator.next }}{% else %}-{% endif %} pages={% for p in paginator.pages %}{{ p.title }},{% endfor %} all={{ section.pages | length }}{% else %}none{% endif %}\n",
    )
    .file("content/blog/_index.md", "---\npaginate_by: 2\n---\n")
    .file("content/docs/_index.md", "---\ntitle: Docs\n---\n");
    for i in 1..=3 {
        site.file(
            &format!("content/blog/p{i}.md"),
            &format!("---\ntitle: P{i}\nweight: {i}\n---\n"),
        );
    }
    site.build().success();
    assert_eq!(
        site.read("public/blog/index.html").trim(),
        "1/2 by 2 of 3 base=https://example.org/blog/page/ first=https://example.org/blog/ last=https://example.org/blog/page/2/ prev=- next=https://example.org/blog/page/2/ pages=P1,P2, all=3"
    );
    assert_eq!(
        site.read("public/blog/page/2/index.html").trim(),
        "2/2 by 2 of 3 base=https://example.org/blog/page/ first=https://example.org/blog/ last=https://example.org/blog/page/2/ prev=https://example.org/blog/ next=- pages=P3, all=3"
    );
    assert_eq!(site.read("public/docs/index.html").trim(), "none");
}

#[test]
fn links_to_listing_pages_and_feeds_are_checked() {
    // The fixture's home page links to /blog/page/2/ and blog/page/3/: they exist.
    let site = TestSite::fixture_with_default_theme("pagination");
    site.build().success();
    site.file(
        "content/_index.md",
        "---\ntitle: Home\n---\n\n[too far](/blog/page/4/)\n",
    );
    site.build()
        .code(1)
        .stderr_has("link to a file that the site does not have: `/blog/page/4/`")
        .stderr_has("--> content/_index.md:5:");
}

#[test]
fn a_page_cannot_take_a_listing_page_address() {
    let site = TestSite::fixture_with_default_theme("pagination");
    site.file(
        "content/blog/clash.md",
        "---\ntitle: Clash\npath: blog/page/2/\n---\n",
    );
    site.build()
        .code(1)
        .stderr_has("two files want the same web address /blog/page/2/")
        .stderr_has("(a listing page)");
}

#[test]
fn bad_paginate_by_and_feed_values_are_errors_with_their_line() {
    for (front, line_col, words, help) in [
        (
            "paginate_by: 0",
            "3:14",
            "`0` is not a number of pages",
            "help: write a whole number of 1 or more, like `paginate_by: 10`",
        ),
        (
            "paginate_by: -2",
            "3:14",
            "`-2` is not a number of pages",
            "help: write a whole number of 1 or more",
        ),
        (
            "paginate_by: ten",
            "3:14",
            "expected a whole number",
            "help: write a whole number, like `paginate_by: 3`",
        ),
        (
            "feed: yes please",
            "3:7",
            "expected true or false",
            "help: write `true` or `false`",
        ),
    ] {
        let site = TestSite::new();
        site.file(
            "content/blog/_index.md",
            &format!("---\ntitle: Blog\n{front}\n---\n"),
        );
        site.seed_output();
        let before = site.output_tree();
        let run = site.build();
        run.code(1)
            .stderr_has("invalid front matter in content/blog/_index.md")
            .stderr_has(&format!("--> content/blog/_index.md:{line_col}"))
            .stderr_has(words)
            .stderr_has(help)
            .stderr_lacks("panicked");
        crate::support::assert_same_tree(&before, &site.output_tree());
    }
}

#[test]
fn feed_and_paginate_by_on_a_page_are_errors() {
    let site = TestSite::new();
    site.file(
        "content/faq.md",
        "---\ntitle: FAQ\nfeed: true\npaginate_by: 5\n---\n",
    );
    let run = site.build();
    run.code(1)
        .stderr_has("error: `feed` in content/faq.md has no effect on a page")
        .stderr_has("--> content/faq.md:3:7")
        .stderr_has("error: `paginate_by` in content/faq.md has no effect on a page")
        .stderr_has("--> content/faq.md:4:14")
        .stderr_has("help: move `feed:` to the _index.md");
    insta::assert_snapshot!("listing_fields_on_a_page", run.stderr_stable());
}
