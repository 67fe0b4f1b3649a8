//! Assets (issue 4, item 6): `get_url(..., cachebust=true)` and `minify: true`.

use crate::support::TestSite;

fn stylesheet_href(site: &TestSite) -> String {
    let html = site.read("public/about/index.html");
    let line = html
        .lines()
        .find(|l| l.contains("rel=\"stylesheet\""))
        .unwrap_or_else(|| panic!("{html}"));
    line.split("href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

fn site_with_stylesheet() -> TestSite {
    let site = TestSite::fixture("minimal");
    site.file("static/css/site.css", "body { color: black }\n").file(
        "templates/page.html",
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ page.title }}</title>\n<link rel=\"stylesheet\" href=\"{{ get_url(path='css/site.css', cachebust=true) }}\">\n</head><body>{{ page.content | safe }}</body></html>\n",
    );
    site
}

#[test]
fn cachebust_appends_a_content_hash_that_changes_with_the_file() {
    let site = site_with_stylesheet();
    site.build_with(&["--urls", "absolute"]).success();
    let first = stylesheet_href(&site);
    let hash = first
        .strip_prefix("https://example.org/css/site.css?h=")
        .unwrap_or_else(|| panic!("{first}"));
    assert_eq!(hash.len(), 20, "{first}");
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{first}");

    site.build_with(&["--urls", "absolute"]).success();
    assert_eq!(stylesheet_href(&site), first, "same file, same hash");

    site.file("static/css/site.css", "body { color: navy }\n");
    site.build_with(&["--urls", "absolute"]).success();
    assert_ne!(
        stylesheet_href(&site),
        first,
        "a changed file gets a new hash"
    );
}

#[test]
fn the_default_theme_cachebusts_its_stylesheet() {
    let site = TestSite::empty();
    site.file(
        "config.yaml",
        "title: Theme\nbase_url: https://example.org\ntheme: default\n",
    )
    .file("content/_index.md", "---\ntitle: Home\n---\nHello.\n");
    std::fs::create_dir_all(site.path("themes")).unwrap();
    crate::support::copy_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &site.path("themes/default"),
    );
    site.build_with(&["--urls", "absolute"]).success();
    site.assert_file_contains("public/index.html", "/css/site.css?h=");
}

#[cfg(feature = "minify")]
#[test]
fn minify_true_shrinks_html_and_keeps_pre_whitespace() {
    let site = site_with_stylesheet();
    site.file(
        "content/about.md",
        "---\ntitle: About\n---\n\nSome   text\nacross lines.\n\n```\nfn main() {\n    let  x = 1;\n}\n```\n",
    );
    site.build().success();
    let plain = site.read("public/about/index.html");
    site.file(
        "config.yaml",
        "title: Minimal site\nbase_url: https://example.org\nminify: true\n",
    );
    let out = site.build();
    out.success();
    assert!(!out.stderr.contains("minify"), "{}", out.stderr);
    let small = site.read("public/about/index.html");
    assert!(small.len() < plain.len(), "{small}");
    assert!(
        small.contains("<pre><code>fn main() {\n    let  x = 1;\n}\n</code></pre>"),
        "{small}"
    );
    assert!(small.starts_with("<!doctype html>"), "{small}");
    assert!(
        small.contains("</p>") && small.contains("</html>"),
        "{small}"
    );
    // Not HTML files: left alone.
    assert!(site.read("public/sitemap.xml").contains('\n'));
}
