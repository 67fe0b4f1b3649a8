//! The cases handed to the project in `shared/cases/` that concern `build`, each re-expressed
//! as a test over a copy of its input in `tests/fixtures/cases/`. Files whose bytes matter (CRLF
//! line endings, trailing spaces, invalid UTF-8) are written by the test itself, so that git
//! cannot normalise them.

use std::path::Path;

use crate::support::{TestSite, file_for_url, fixtures_dir, links, percent_decode};

/// A copy of `tests/fixtures/cases/<name>/`, plus each template of
/// `tests/fixtures/cases/_templates/` (the plain `index.html`, `section.html` and `page.html`
/// most cases share) that the case does not bring itself.
fn case(name: &str) -> TestSite {
    let site = TestSite::fixture(&format!("cases/{name}"));
    let shared = fixtures_dir().join("cases/_templates");
    for entry in std::fs::read_dir(&shared).unwrap() {
        let entry = entry.unwrap();
        let rel = format!("templates/{}", entry.file_name().to_string_lossy());
        if !site.exists(&rel) {
            site.bytes(&rel, &std::fs::read(entry.path()).unwrap());
        }
    }
    site
}

/// The text between `<title>` and `</title>`.
fn title_of(html: &str) -> &str {
    let start = html.find("<title>").expect("a <title>") + "<title>".len();
    let end = html[start..].find("</title>").expect("a </title>");
    &html[start..start + end]
}

/// `(level, attributes)` of every `<h2>`…`<h6>` tag in `html`.
fn headings(html: &str) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<h") {
        rest = &rest[i + 2..];
        let level = rest.as_bytes().first().copied().unwrap_or(0);
        let next = rest.as_bytes().get(1).copied().unwrap_or(0);
        if (b'2'..=b'6').contains(&level) && (next == b'>' || next == b' ') {
            let end = rest.find('>').unwrap();
            out.push((level - b'0', rest[1..end].to_string()));
        }
    }
    out
}

/// The value of `name="…"` in a tag's attributes.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = attrs.find(&key)? + key.len();
    let end = attrs[start..].find('"')?;
    Some(attrs[start..start + end].to_string())
}

/// Every HTML file under `dir`, relative.
fn html_files(site: &TestSite) -> Vec<String> {
    site.list("public")
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .collect()
}

// See: shared case 01, https://github.com/jekyll/jekyll/issues/2756
#[test]
fn crlf_front_matter_and_trailing_spaces_on_delimiters_are_read() {
    let site = case("01-crlf-front-matter");
    let crlf = |text: &str| text.replace('\n', "\r\n");
    site.file("content/_index.md", &crlf("---\ntitle: Home\n---\nHome page.\n"))
        .file(
            "content/windows.md",
            &crlf("---\ntitle: Windows Title\n---\n\nCRLF-BODY first paragraph.\n\n## Second Section\n\nMore text.\n"),
        )
        .file(
            "content/trailing-space.md",
            "--- \ntitle: Trailing Space\n---  \n\nTRAILING-BODY paragraph.\n",
        )
        .file(
            "templates/page.html",
            &crlf("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{{ page.title }}</title></head>\n<body>\n<h1 class=\"page-title\">{{ page.title }}</h1>\n<main>\n{{ page.content | safe }}\n</main>\n</body>\n</html>\n"),
        );
    assert!(site.read("content/windows.md").contains("\r\n"));
    site.build().success();

    let w = site.read("public/windows/index.html");
    assert_eq!(title_of(&w), "Windows Title");
    assert!(
        !w.contains("title:") && !w.contains("---"),
        "front matter leaked:\n{w}"
    );
    assert!(w.contains("CRLF-BODY"), "{w}");
    assert!(
        headings(&w).iter().any(|(level, _)| *level == 2) && w.contains(">Second Section</h2>"),
        "the CRLF body's heading is missing:\n{w}"
    );

    let t = site.read("public/trailing-space/index.html");
    assert_eq!(title_of(&t), "Trailing Space");
    assert!(!t.contains("title:") && t.contains("TRAILING-BODY"), "{t}");
}

// See: shared case 03, https://github.com/dtolnay/serde-yaml/issues/86
#[test]
fn empty_blank_and_comment_only_front_matter_mean_no_fields() {
    let site = case("03-empty-front-matter");
    site.build().success();
    for (page, marker) in [
        ("empty", "EMPTY-FM-BODY"),
        ("blank-line", "BLANK-FM-BODY"),
        ("comment-only", "COMMENT-FM-BODY"),
    ] {
        let file = format!("public/{page}/index.html");
        site.assert_file_contains(&file, marker)
            .assert_file_lacks(&file, "nothing here yet");
    }
}

// See: shared case 05, https://github.com/jekyll/jekyll/issues/7514
#[test]
fn yes_no_on_and_numbers_are_titles_as_typed() {
    let site = case("05-yaml-yes-no-title");
    site.build().success();
    for (page, want) in [("yes", "yes"), ("no", "no"), ("on", "on"), ("year", "2024")] {
        site.assert_file_contains(
            &format!("public/{page}/index.html"),
            &format!("<title>{want}</title>"),
        );
    }
    for file in html_files(&site) {
        let html = site.read(&format!("public/{file}"));
        assert!(
            !html.contains("<title>true</title>") && !html.contains("<title>false</title>"),
            "a boolean became a title in {file}"
        );
    }
}

// See: shared case 07, https://github.com/pulldown-cmark/pulldown-cmark/issues/927
#[test]
fn adjacent_footnote_references_and_indented_definitions_render() {
    let site = case("07-consecutive-footnotes");
    site.build().success();
    let h = site.read("public/notes/index.html");
    for literal in ["[^a]", "[^b]", "[^c]"] {
        assert!(!h.contains(literal), "literal {literal} left in\n{h}");
    }
    for marker in ["FOOTNOTE-A", "FOOTNOTE-B", "FOOTNOTE-C"] {
        assert!(h.contains(marker), "missing {marker} in\n{h}");
    }
    let start = h.find("<p>Lorem ipsum.").expect("the Lorem paragraph");
    let para = &h[start..start + h[start..].find("</p>").unwrap()];
    assert_eq!(
        para.matches("<sup").count(),
        2,
        "footnote markers in {para}"
    );
}

// See: shared case 09, https://github.com/rust-lang/mdBook/pull/1749
#[test]
fn heading_ids_are_unique_non_empty_and_linked_ids_exist() {
    let site = case("09-heading-ids");
    site.build().success();
    let h = site.read("public/guide/index.html");
    let main = h.split_once("<main>").expect("<main>").1;
    let heads = headings(main);
    assert_eq!(heads.len(), 8, "{heads:?}");
    let ids: Vec<String> = heads
        .iter()
        .map(|(_, a)| attr(a, "id").unwrap_or_default())
        .collect();
    assert!(
        ids.iter().all(|i| !i.is_empty()),
        "missing or empty id: {ids:?}"
    );
    assert!(
        ids.iter().all(|i| !i.chars().any(char::is_whitespace)),
        "whitespace in an id: {ids:?}"
    );
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "duplicate ids: {ids:?}");
    for link in links(&h) {
        if let Some(target) = link.strip_prefix('#') {
            let target = percent_decode(target);
            assert!(
                ids.contains(&target),
                "link to missing id #{target}: {ids:?}"
            );
        }
    }
    // The case's soft check, which our heading-id rule (Zola's) makes a hard one.
    assert_eq!(ids[0], "install");
}

// See: shared case 11, https://github.com/gohugoio/hugo/issues/13611
#[test]
fn file_names_with_dots_spaces_capitals_and_unicode_each_give_a_page() {
    let site = case("11-file-names-dots-spaces-unicode");
    site.build_with(&["--urls", "absolute"]).success();
    let out = site.path("public");
    let reach = |listing: &str, markers: &[&str]| {
        let html = site.read(listing);
        let mut found = Vec::new();
        for link in links(&html) {
            let Some(file) = file_for_url(&out, "https://example.org/", &link) else {
                continue;
            };
            assert!(
                file.is_file(),
                "{listing}: {link} -> missing {}",
                file.display()
            );
            let body = std::fs::read_to_string(&file).unwrap();
            found.extend(markers.iter().filter(|m| body.contains(**m)));
        }
        for m in markers {
            assert!(found.contains(&m), "{m} not reachable from {listing}");
        }
    };
    reach(
        "public/releases/index.html",
        &["REL-100", "REL-110", "REL-200"],
    );
    reach(
        "public/index.html",
        &["NOTES-SPACE", "UEBER-UNICODE", "FAQ-UPPER"],
    );
}

// See: shared case 12, https://github.com/getzola/zola/issues/366
#[test]
fn page_and_section_with_one_output_path_is_an_error_naming_both() {
    let site = case("12-output-path-collision");
    let run = site.build();
    assert_ne!(run.code, 0, "{}", run.stderr);
    run.stderr_has("about.md").stderr_has("_index.md");
    site.assert_missing("public/about/index.html");
}

// See: shared case 12, https://github.com/getzola/zola/issues/366 (step 2)
#[test]
fn file_names_differing_only_in_case_never_overwrite_each_other() {
    let site = case("12-output-path-collision");
    site.remove("content/about")
        .file(
            "content/Guide.md",
            "---\ntitle: Guide upper\n---\nGUIDE-UPPER text.\n",
        )
        .file(
            "content/guide.md",
            "---\ntitle: Guide lower\n---\nGUIDE-LOWER text.\n",
        );
    let run = site.build();
    if run.code == 0 {
        let holding = |marker: &str| {
            site.list("public")
                .into_iter()
                .find(|f| site.read(&format!("public/{f}")).contains(marker))
        };
        let (upper, lower) = (holding("GUIDE-UPPER"), holding("GUIDE-LOWER"));
        assert!(
            upper.is_some() && lower.is_some() && upper != lower,
            "silent overwrite"
        );
    } else {
        run.stderr_has("Guide.md").stderr_has("guide.md");
    }
}

// See: shared case 24, https://github.com/getzola/zola/issues/2170 (build part)
#[test]
fn base_url_with_a_path_gives_links_that_resolve_under_it() {
    let site = case("24-base-url-subpath");
    site.build_with(&["--urls", "absolute"]).success();
    let out = site.path("public");
    let base = "https://example.org/docs/";
    let mut checked = 0;
    for file in html_files(&site) {
        for link in links(&site.read(&format!("public/{file}"))) {
            if !link.starts_with("https://example.org") {
                continue;
            }
            checked += 1;
            assert!(
                link.starts_with(base) && !link["https://".len()..].contains("//"),
                "{file}: bad link {link}"
            );
            let target = file_for_url(&out, base, &link).unwrap();
            assert!(
                target.is_file(),
                "{file}: {link} -> missing {}",
                target.display()
            );
        }
    }
    assert!(checked >= 4, "only {checked} links checked");
}

// See: shared case 25, https://github.com/getzola/zola/issues/1536
#[test]
fn template_errors_name_the_included_template_its_line_and_the_page() {
    let site = case("25-template-error-location");
    let run = site.build();
    assert_ne!(run.code, 0);
    run.stderr_has("partials/meta.html")
        // The case's soft checks: the line, and the page being rendered.
        .stderr_has("partials/meta.html:3:")
        .stderr_has("content/faq.md");

    let meta = site
        .read("templates/partials/meta.html")
        .replace("{{ undefined_thing_xyz | upper }}", "case-25");
    site.file("templates/partials/meta.html", &meta).file(
        "templates/partials/footer.html",
        "<footer>\n{% if %}\n</footer>\n",
    );
    let run = site.build();
    assert_ne!(run.code, 0);
    run.stderr_has("partials/footer.html")
        .stderr_has("partials/footer.html:2:");
}

// See: shared case 28, https://github.com/rust-lang/mdBook/issues/2525
#[test]
fn content_file_in_latin1_is_named_without_a_panic() {
    let site = case("28-invalid-utf8-content");
    site.bytes(
        "content/latin1.md",
        b"---\ntitle: Caf\xe9\n---\nA na\xefve Latin-1 file.\n",
    );
    assert!(std::str::from_utf8(&site.read_bytes("content/latin1.md")).is_err());
    let run = site.build();
    assert_ne!(run.code, 101);
    run.stderr_lacks("panicked at").stderr_has("latin1.md");
    // The preferred outcome: the build fails, with the position of the first bad byte.
    run.code(1).stderr_has("content/latin1.md:2:");
    assert!(!Path::new(&site.path("public/ok/index.html")).exists());
}
