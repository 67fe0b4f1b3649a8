//! Inputs that once crashed the binary or ate the machine: shortcodes nested thousands deep,
//! markdown and YAML nested thousands deep, huge images, links that point out of the site.
//! Each one must end with a plain error (exit code 1) or a normal build, never a crash, and a
//! failed build leaves `public/` as it was.

use crate::support::TestSite;

const CALLOUT: &str = "<div class=\"callout\">{{ body | safe }}</div>\n";

/// No `.stillpoint-staging-*` or `.stillpoint-old-*` folder left in the site root.
fn assert_no_staging(site: &TestSite) {
    let left: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".stillpoint-staging-") || n.starts_with(".stillpoint-old-"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// `n` `{% callout() %}` lines, `x`, then `n` `{% end %}` lines (the tester's deep3000.md).
fn nested_callouts(n: usize) -> String {
    format!(
        "---\ntitle: Deep\n---\n{}x\n{}",
        "{% callout() %}\n".repeat(n),
        "{% end %}\n".repeat(n)
    )
}

#[test]
fn shortcodes_nested_too_deep_are_an_error_at_the_call_too_deep() {
    let site = TestSite::new();
    site.file("templates/shortcodes/callout.html", CALLOUT)
        .file("content/deep.md", &nested_callouts(3000))
        .seed_output();
    let before = site.output_tree();
    for command in ["build", "check"] {
        let run = site.run(&[command]);
        run.code(1)
            .stderr_has("the shortcode `callout` is inside 64 other shortcodes");
        // The front matter takes 3 lines; the 65th opening is on line 3 + 65.
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "{}", run.stderr);
        assert_eq!(errors[0].1, "content/deep.md:68:1");
        assert_eq!(site.output_tree(), before, "{command} changed public/");
        assert_no_staging(&site);
    }
    // 64 levels are allowed, and render.
    site.file("content/deep.md", &nested_callouts(64));
    site.build().success();
    let html = site.read("public/deep/index.html");
    assert_eq!(html.matches("<div class=\"callout\">").count(), 64);
}

#[test]
fn markdown_nested_ten_thousand_deep_builds_without_a_crash() {
    let site = TestSite::new();
    let lists: String = (0..3000)
        .map(|i| format!("{}- a\n", "  ".repeat(i)))
        .collect();
    let body = format!(
        "---\ntitle: Deep\n---\n{} x\n\n{lists}\n{}x{}\n\n{}x{}\n",
        ">".repeat(10_000),
        "*".repeat(10_000),
        "*".repeat(10_000),
        "[".repeat(10_000),
        "]".repeat(10_000),
    );
    site.file("content/deep.md", &body);
    site.build().success();
    assert!(site.read("public/deep/index.html").contains("<blockquote>"));
}

#[test]
fn yaml_nested_ten_thousand_deep_is_an_error_not_a_crash() {
    let site = TestSite::new();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    site.file(
        "content/deep.md",
        &format!("---\ntitle: Deep\nextra:\n  a: {deep}\n---\nx\n"),
    )
    .seed_output();
    let before = site.output_tree();
    let run = site.build();
    run.code(1).stderr_has("recursion limit exceeded");
    assert_eq!(run.errors()[0].1, "content/deep.md:4:6");
    assert_eq!(site.output_tree(), before);
    assert_no_staging(&site);
    // 100,000 levels once took minutes in serde_yaml's scanner: refused before it reads them.
    let deeper = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    site.file(
        "content/deep.md",
        &format!("---\ntitle: Deep\nextra:\n  a: {deeper}\n---\nx\n"),
    );
    let run = site.build();
    run.code(1)
        .stderr_has("are nested more than 1000 levels deep here");
    assert_eq!(run.errors()[0].1, "content/deep.md:4:6");
    assert_eq!(site.output_tree(), before);
    site.file("data/deep.yaml", &format!("a: {deeper}\n"))
        .file("content/deep.md", "---\ntitle: Deep\n---\nx\n")
        .file(
            "templates/page.html",
            "{% set d = load_data(path=\"data/deep.yaml\") %}{{ page.title }}\n",
        );
    site.build()
        .code(1)
        .stderr_has("data/deep.yaml, line 1, column 4: `[` and `{` are nested more than 1000");
    assert_eq!(site.output_tree(), before);
    site.remove("data/deep.yaml");
    // The same in a data file read by a template.
    site.file("content/deep.md", "---\ntitle: Deep\n---\nx\n")
        .file("data/deep.json", &deep)
        .file(
            "templates/page.html",
            "{% set d = load_data(path=\"data/deep.json\") %}{{ page.title }}\n",
        );
    site.build()
        .code(1)
        .stderr_has("data/deep.json, line 1, column 128: recursion limit exceeded");
    assert_eq!(site.output_tree(), before);
}

/// A PNG whose header says it is 30000×30000 pixels of 8-bit grey but that holds almost no
/// data: 2.6 MB of such a file once took 8 GB to decode. Made by hand (see src/images).
const PNG_CLAIMING_30000: &[u8] = include_bytes!("../fixtures/limits/claims-30000x30000.png");

#[test]
fn huge_images_are_an_error_naming_the_image_its_size_and_the_page() {
    let site = TestSite::new();
    site.bytes("static/images/huge.png", PNG_CLAIMING_30000)
        .file(
            "content/room.md",
            "---\ntitle: Room\n---\nOur room:\n\n![The room](/images/huge.png)\n",
        )
        .seed_output();
    let before = site.output_tree();
    for command in ["build", "check"] {
        let run = site.run(&[command]);
        run.code(1)
            .stderr_has("static/images/huge.png is 30000 × 30000 pixels (900 megapixels)")
            .stderr_has("at most 100 megapixels")
            .stderr_has("make it smaller than 10000 × 10000 pixels in an image editor");
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "{}", run.stderr);
        assert!(errors[0].1.starts_with("content/room.md:6:"), "{errors:?}");
        assert_eq!(site.output_tree(), before, "{command} changed public/");
        assert_no_staging(&site);
    }
    // The same image through `resize_image` in a template.
    site.file("content/room.md", "---\ntitle: Room\n---\nOur room.\n")
        .file(
            "templates/page.html",
            "{% set r = resize_image(path=\"images/huge.png\", width=100, op=\"fit_width\") %}{{ r.url }}\n",
        );
    site.build()
        .code(1)
        .stderr_has("static/images/huge.png is 30000 × 30000 pixels");
    assert_eq!(site.output_tree(), before);
}

#[cfg(unix)]
#[test]
fn links_out_of_the_site_are_errors_and_links_inside_it_work() {
    use std::os::unix::fs::symlink;
    let site = TestSite::new();
    let secret = site.outside("secret.txt");
    std::fs::write(&secret, "not for the web\n").unwrap();
    let secrets = site.outside("secrets");
    std::fs::create_dir_all(&secrets).unwrap();
    std::fs::write(secrets.join("key.txt"), "private\n").unwrap();
    site.file("content/room/index.md", "---\ntitle: Room\n---\nx\n")
        .file("notes/price-list.txt", "prices\n")
        .file("content/_index.md", "---\ntitle: Home\n---\n")
        .seed_output();
    std::fs::create_dir_all(site.path("static")).unwrap();
    symlink(&secret, site.path("static/pw.txt")).unwrap();
    symlink(&secrets, site.path("static/etc")).unwrap();
    symlink(&secret, site.path("content/room/photo.txt")).unwrap();
    symlink(&secret, site.path("content/leak.txt")).unwrap();
    let before = site.output_tree();
    // Messages show the target's full path; the test harness writes the temporary folder as
    // `[TMP]`.
    let secret_shown = "[TMP]/secret.txt";
    let secrets_shown = "[TMP]/secrets";
    for command in ["build", "check"] {
        let run = site.run(&[command]);
        run.code(1);
        let errors = run.errors();
        let messages: Vec<&str> = errors.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(
            messages,
            [
                format!(
                    "content/leak.txt is a link to {}, outside the site",
                    secret_shown
                ),
                format!(
                    "content/room/photo.txt is a link to {}, outside the site",
                    secret_shown
                ),
            ],
            "{}",
            run.stderr
        );
        run.stderr_has("copy the file into the site instead");
        assert_eq!(site.output_tree(), before, "{command} changed public/");
        assert_no_staging(&site);
    }
    // With content/ fixed, the static links are the errors.
    site.remove("content/leak.txt")
        .remove("content/room/photo.txt");
    let run = site.build();
    run.code(1);
    let errors = run.errors();
    assert_eq!(
        errors,
        [
            (
                format!(
                    "static/etc is a link to {}, outside the site",
                    secrets_shown
                ),
                "static/etc".to_string()
            ),
            (
                format!(
                    "static/pw.txt is a link to {}, outside the site",
                    secret_shown
                ),
                "static/pw.txt".to_string()
            ),
        ],
        "{}",
        run.stderr
    );
    assert_eq!(site.output_tree(), before);
    assert!(!run.stderr.contains("not for the web") && !run.stderr.contains("private"));
    // Links to files and folders inside the site are followed.
    site.remove("static/etc").remove("static/pw.txt");
    symlink(
        site.path("notes/price-list.txt"),
        site.path("static/prices.txt"),
    )
    .unwrap();
    symlink("../../notes", site.path("content/room/notes")).unwrap();
    site.build().success();
    assert_eq!(site.read("public/prices.txt"), "prices\n");
    assert_eq!(site.read("public/room/notes/price-list.txt"), "prices\n");
}

#[test]
fn templates_nested_thousands_deep_are_an_error_not_a_crash() {
    let site = TestSite::new();
    site.file("content/a.md", "---\ntitle: A\n---\nx\n")
        .seed_output();
    let before = site.output_tree();
    let n = 5000;
    let ifs = format!("{}x{}", "{% if true %}".repeat(n), "{% endif %}".repeat(n));
    site.file("templates/page.html", &ifs);
    site.build()
        .code(1)
        .stderr_has("The template nesting is too deep");
    let parens = format!("{{{{ {}1{} }}}}", "(".repeat(n), ")".repeat(n));
    site.file("templates/page.html", &parens);
    site.build()
        .code(1)
        .stderr_has("The expression is too complex");
    assert_eq!(site.output_tree(), before);
    assert_no_staging(&site);
}
