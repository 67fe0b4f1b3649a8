//! Outputs that a case-insensitive or Unicode-normalizing host would merge (issue 17): Windows
//! and macOS hosts take `Logo.png` and `logo.png`, or `café` typed two ways, for one file, so a
//! site built on Linux would lose one of them on upload. Every output (pages, sections,
//! aliases, listing pages, feeds, the built-in files, static and content files, processed
//! images) is compared case-folded and NFC-normalized; a clash is an error naming both
//! sources, in `build` and `check`, and `public/` stays as it was.

use crate::support::{TestSite, tree_hash};

/// `é` as one character (NFC) and as `e` plus a combining acute accent (NFD).
const CAFE_NFC: &str = "caf\u{e9}";
const CAFE_NFD: &str = "cafe\u{301}";

/// A site with a home page and `content/faq.md`.
fn site() -> TestSite {
    let site = TestSite::new();
    site.file("content/_index.md", "---\ntitle: Home\n---\nHome.\n")
        .file("content/faq.md", "---\ntitle: FAQ\n---\nQuestions.\n");
    site
}

/// Builds `site` over a built `public/`: the build fails with code 1, leaves `public/` as it
/// was, and `check` fails with the same errors. Returns the build's errors as
/// (message, `file:line:col`).
fn fails(site: &TestSite) -> Vec<(String, String)> {
    site.seed_output();
    let before = tree_hash(&site.path("public"));
    let run = site.build();
    run.code(1);
    assert_eq!(
        before,
        tree_hash(&site.path("public")),
        "public/ changed after a failed build"
    );
    let errors = run.errors();
    let check = site.run(&["check"]);
    check.code(1);
    for (message, _) in &errors {
        check.stderr_has(message);
    }
    assert!(!errors.is_empty(), "no error:\n{}", run.stderr);
    errors
}

/// The errors that say two outputs differ only in case or accents.
fn clash_errors(site: &TestSite) -> Vec<(String, String)> {
    fails(site)
        .into_iter()
        .filter(|(m, _)| m.contains("differ only in") || m.contains("no host can have both"))
        .collect()
}

#[test]
fn a_path_that_differs_from_a_page_only_by_case_is_an_error_with_its_line() {
    let site = site();
    site.file(
        "content/questions.md",
        "---\ntitle: Questions\npath: FAQ/\n---\nMore.\n",
    );
    let errors = clash_errors(&site);
    assert_eq!(
        errors,
        [(
            "/faq/ and /FAQ/ differ only in upper and lower case: content/faq.md and content/questions.md, `path:` on line 3".to_string(),
            "content/questions.md:3:7".to_string()
        )]
    );
    let run = site.build();
    run.stderr_has(
        "on Windows and macOS hosts these two are one file: one would overwrite the other",
    )
    .stderr_has("a page's address comes from its file name, `slug:` or `path:`");
}

#[test]
fn an_alias_that_differs_from_a_page_only_by_case_is_an_error_naming_both_lines() {
    let site = site();
    site.file(
        "content/a.md",
        "---\ntitle: A\naliases:\n  - old/\n  - Faq/\n---\nA.\n",
    )
    .file("content/b.md", "---\ntitle: B\naliases: [OLD/]\n---\nB.\n");
    let errors = clash_errors(&site);
    assert_eq!(
        errors,
        [
            (
                "/faq/ and /Faq/ differ only in upper and lower case: content/faq.md and content/a.md (an alias), `aliases:` on line 5".to_string(),
                "content/a.md:5:5".to_string()
            ),
            (
                "/old/ and /OLD/ differ only in upper and lower case: content/a.md (an alias), `aliases:` on line 4 and content/b.md (an alias), `aliases:` on line 3".to_string(),
                "content/b.md:3:11".to_string()
            ),
        ]
    );
    // The first alias's line is shown too.
    site.build().stderr_has("content/a.md:4:5");
}

#[test]
fn static_files_that_differ_only_by_case_are_an_error() {
    let site = site();
    site.file("static/Logo.png", "big")
        .file("static/logo.png", "small");
    let errors = clash_errors(&site);
    assert_eq!(
        errors,
        [(
            "/Logo.png and /logo.png differ only in upper and lower case: static/Logo.png and static/logo.png".to_string(),
            "static/logo.png".to_string()
        )]
    );
    site.build().stderr_has(
        "on Windows and macOS hosts these two are one file: one would overwrite the other",
    );
}

#[test]
fn a_static_folder_that_differs_from_a_pages_address_only_by_case_is_an_error() {
    let site = site();
    site.file("static/FAQ/map.png", "png")
        .file("static/FAQ/plan.pdf", "pdf");
    let errors = clash_errors(&site);
    // One error for the folder, however many files it holds.
    assert_eq!(
        errors,
        [(
            "/faq/ and /FAQ/ differ only in upper and lower case: content/faq.md and static/FAQ/map.png".to_string(),
            "static/FAQ/map.png".to_string()
        )]
    );
}

#[test]
fn two_bundle_files_that_differ_only_by_case_are_an_error() {
    let site = site();
    site.file(
        "content/visit/index.md",
        "---\ntitle: Visit\n---\n[The map](map.pdf)\n",
    )
    .file("content/visit/map.pdf", "a")
    .file("content/visit/Map.pdf", "b");
    let errors = clash_errors(&site);
    assert_eq!(
        errors,
        [(
            "/visit/Map.pdf and /visit/map.pdf differ only in upper and lower case: content/visit/Map.pdf and content/visit/map.pdf".to_string(),
            "content/visit/map.pdf".to_string()
        )]
    );
}

#[test]
fn a_name_with_an_accent_typed_two_ways_is_an_error() {
    let site = site();
    site.file(&format!("static/{CAFE_NFC}.png"), "one")
        .file(&format!("static/{CAFE_NFD}.png"), "two")
        .file("static/CAF\u{c9}/menu.pdf", "tea")
        .file(&format!("static/{CAFE_NFD}/tea.pdf"), "tea");
    let errors = clash_errors(&site);
    assert_eq!(
        errors,
        [
            (
                format!(
                    "/CAF\u{c9}/ and /{CAFE_NFD}/ differ only in upper and lower case and in how an accented letter is typed: static/CAF\u{c9}/menu.pdf and static/{CAFE_NFD}/tea.pdf"
                ),
                format!("static/{CAFE_NFD}/tea.pdf"),
            ),
            (
                format!(
                    "/{CAFE_NFD}.png and /{CAFE_NFC}.png differ only in how an accented letter is typed (as one character, or as a letter and an accent mark): static/{CAFE_NFD}.png and static/{CAFE_NFC}.png"
                ),
                format!("static/{CAFE_NFC}.png"),
            ),
        ]
    );
}

#[test]
fn a_section_path_and_a_page_that_differ_only_by_case_are_an_error() {
    let site = site();
    site.file(
        "content/journal/_index.md",
        "---\ntitle: Journal\npath: Blog/\n---\n",
    )
    .file("content/blog.md", "---\ntitle: Blog\n---\n");
    let errors = clash_errors(&site);
    assert_eq!(
        errors,
        [(
            "/Blog/ and /blog/ differ only in upper and lower case: content/journal/_index.md, `path:` on line 3 and content/blog.md".to_string(),
            "content/blog.md".to_string()
        )]
    );
    site.build().stderr_has("content/journal/_index.md:3:7");
}

#[test]
fn built_in_files_listing_pages_and_feeds_are_compared_too() {
    let site = site();
    site.file(
        "content/blog/_index.md",
        "---\ntitle: Blog\npaginate_by: 1\nfeed: true\n---\n",
    )
    .file(
        "content/blog/a.md",
        "---\ntitle: A\ndate: 2024-01-02\n---\n",
    )
    .file(
        "content/blog/b.md",
        "---\ntitle: B\ndate: 2024-01-01\n---\n",
    )
    .file("templates/atom.xml", "<feed/>")
    .file("static/Sitemap.xml", "<urlset/>")
    .file("static/ROBOTS.TXT", "User-agent: *")
    .file("static/blog/Atom.xml", "<feed/>")
    .file("static/blog/Page/2/extra.txt", "x");
    let errors = clash_errors(&site);
    let messages: Vec<&str> = errors.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(
        messages,
        [
            "/robots.txt and /ROBOTS.TXT differ only in upper and lower case: the built-in robots.txt and static/ROBOTS.TXT",
            "/sitemap.xml and /Sitemap.xml differ only in upper and lower case: the built-in sitemap.xml and static/Sitemap.xml",
            "/blog/atom.xml and /blog/Atom.xml differ only in upper and lower case: content/blog/_index.md (its feed) and static/blog/Atom.xml",
            "/blog/page/ and /blog/Page/ differ only in upper and lower case: content/blog/_index.md (a listing page) and static/blog/Page/2/extra.txt",
        ]
    );
}

#[test]
fn a_static_folder_named_like_processed_images_is_an_error() {
    let site = site();
    site.file("static/Processed_Images/x.png", "png");
    let errors = clash_errors(&site);
    assert_eq!(
        errors,
        [(
            "/processed_images/ and /Processed_Images/ differ only in upper and lower case: the folder where the build writes processed images and static/Processed_Images/x.png".to_string(),
            "static/Processed_Images/x.png".to_string()
        )]
    );
}

#[test]
fn a_site_file_named_like_a_theme_file_but_for_case_is_an_error() {
    let site = site();
    let config = site.read("config.yaml");
    site.file("config.yaml", &format!("{config}theme: plain\n"))
        .file(
            "themes/plain/templates/page.html",
            "{{ page.content | safe }}",
        )
        .file("themes/plain/static/Logo.svg", "<svg/>")
        .file("static/logo.svg", "<svg/>");
    let errors = clash_errors(&site);
    assert_eq!(
        errors,
        [(
            "/Logo.svg and /logo.svg differ only in upper and lower case: themes/plain/static/Logo.svg and static/logo.svg".to_string(),
            "static/logo.svg".to_string()
        )]
    );
    site.build()
        .stderr_has("name it exactly as the theme does: static/Logo.svg");
}

#[test]
fn a_file_and_a_folder_of_one_name_are_an_error() {
    let site = site();
    site.file("static/faq", "no extension");
    let errors = clash_errors(&site);
    assert_eq!(
        errors,
        [(
            "/faq is a file for static/faq and a folder for content/faq.md: no host can have both"
                .to_string(),
            "static/faq".to_string()
        )]
    );
}

/// Exact duplicates have their own errors; they are not reported again as a case clash.
#[test]
fn an_exact_collision_is_reported_once() {
    let site = site();
    site.file("content/FAQ.md", "---\ntitle: Big FAQ\n---\n")
        .file("static/Logo.png", "x");
    let errors = fails(&site);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0]
            .0
            .starts_with("two files want the same web address /faq/"),
        "{errors:#?}"
    );
    site.remove("content/FAQ.md")
        .file("static/faq/index.html", "x");
    let errors = fails(&site);
    assert_eq!(
        errors,
        [(
            "static/faq/index.html would overwrite content/faq.md (both are written to faq/index.html)".to_string(),
            "static/faq/index.html".to_string()
        )]
    );
}

#[test]
fn names_that_differ_in_more_than_case_build() {
    let site = site();
    site.file("static/Logo.png", "a")
        .file("static/logo-small.png", "b")
        .file("static/About/x.png", "c")
        .file(&format!("static/{CAFE_NFC}.png"), "d")
        .file("static/cafe.png", "e")
        .file(
            "content/visit/index.md",
            "---\ntitle: Visit\naliases: [Old-Visit/]\n---\n",
        )
        .file("content/visit/Photo.jpg", "f");
    site.build().success();
    site.assert_file_contains("public/Logo.png", "a")
        .assert_file_contains("public/About/x.png", "c")
        .assert_file_contains("public/visit/Photo.jpg", "f")
        .assert_file_contains("public/Old-Visit/index.html", "visit");
    site.run(&["check"]).success();
}
