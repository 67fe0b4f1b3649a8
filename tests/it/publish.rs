//! `stillpoint check --publish` (issue 13, section 4), through the real binary: every
//! placeholder left in `config.yaml`, data files, front matter and page text with its
//! file:line:col, a placeholder `base_url` and a `placeholder_notice` still set; exit 1 while
//! any remains and 0 once all are filled. And `config.ready_to_publish`, which the default
//! theme turns into a `noindex` robots meta tag, from the same functions, in full and
//! incremental builds.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use stillpoint::BuildOptions;
use stillpoint::incremental::{LiveBuild, Update};

use crate::support::{Run, TestSite, copy_tree};

const NOINDEX: &str = r#"<meta name="robots" content="noindex">"#;

/// A real-looking address (not a reserved example domain).
const REAL_BASE_URL: &str = "https://www.stillpoint-studio.ca";

fn check_publish(site: &TestSite) -> Run {
    let root = site.root().to_str().unwrap().to_string();
    site.run(&["check", "--root", &root, "--publish"])
}

/// A site with a placeholder of every kind, and markdown syntax and YAML syntax in brackets
/// that are not placeholders.
fn placeholder_site() -> TestSite {
    let site = TestSite::new();
    site.file(
        "config.yaml",
        "# Replace every value in [square brackets] before publishing.\n\
         title: Studio\n\
         base_url: https://example.org\n\
         extra:\n  \
           placeholder_notice: \"Details are placeholders.\"\n  \
           phone: \"[Phone — to be added]\"\n  \
           days: [Monday, Tuesday]\n  \
           hours:\n    \
             - \"Mon [hours — to be added]\" # [not this one]\n",
    )
    .file(
        "data/prices.yaml",
        "# Prices in [CAD]\nsessions:\n  - name: First visit\n    price: \"[price — to be added]\"\n",
    )
    .file("data/rooms.csv", "name,size\nRoom A,[size]\n")
    .file("data/site.json", "{\"tagline\": \"[tagline]\", \"list\": [1, 2]}\n")
    .file(
        "content/_index.md",
        "---\ntitle: Home\n---\nWelcome. A [link](@/about.md), a footnote[^1], and `[code]`.\n\n- [ ] a task\n- [x] a done task\n\n```\nlet first = list[0];\n```\n\n[^1]: A note.\n",
    )
    .file(
        "content/about.md",
        "---\ntitle: About\ndescription: \"[About — to be added]\"\n---\nHello, I am [Practitioner name]. Escaped \\[1\\] is fine.\n\nA [reference link][r].\n\n[r]: https://www.stillpoint-studio.ca/\n",
    );
    site
}

#[test]
fn check_publish_lists_every_placeholder_with_its_place_and_fails() {
    let site = placeholder_site();
    let run = check_publish(&site);
    run.code(1);
    let expected: &[(&str, &str)] = &[
        (
            "`base_url` is a placeholder address: https://example.org",
            "config.yaml:3:11",
        ),
        (
            "`extra.placeholder_notice` is still set: every page tells visitors that details are placeholders",
            "config.yaml:5:3",
        ),
        (
            "placeholder left in config.yaml: `extra.phone` is \"[Phone — to be added]\"",
            "config.yaml:6:11",
        ),
        (
            "placeholder left in config.yaml: `extra.hours[0]` is \"[hours — to be added]\"",
            "config.yaml:9:12",
        ),
        (
            "placeholder left in data/prices.yaml: `sessions[0].price` is \"[price — to be added]\"",
            "data/prices.yaml:4:13",
        ),
        (
            "placeholder left in data/rooms.csv: `row 2, column \"size\"` is \"[size]\"",
            "data/rooms.csv:2:8",
        ),
        (
            "placeholder left in data/site.json: `tagline` is \"[tagline]\"",
            "data/site.json:1:14",
        ),
        (
            "placeholder left in the front matter of content/about.md: `description` is \"[About — to be added]\"",
            "content/about.md:3:15",
        ),
        (
            "placeholder left in the text of content/about.md: \"[Practitioner name]\"",
            "content/about.md:5:13",
        ),
    ];
    let got = run.errors();
    let got: Vec<(&str, &str)> = got.iter().map(|(m, a)| (m.as_str(), a.as_str())).collect();
    assert_eq!(got, expected, "{}", run.stderr);
    run.stderr_has("9 errors")
        .stderr_has("note: not ready to publish: 9 things to fill in (listed above); until then the default theme asks search engines not to index the site")
        .stderr_has("= note: example.org is reserved for examples and can never be the site's address")
        .stderr_has("= help: write the real text in place of the part in [square brackets], which marks a placeholder; to show brackets that are not a placeholder, write `\\[` and `\\]`");

    // Without --publish, placeholders are not errors (the site is being written); the
    // placeholder base_url is a note (issue 15: canonical links, sitemap and feeds name it).
    let root = site.root().to_str().unwrap().to_string();
    let plain = site.run(&["check", "--root", &root]);
    plain
        .success()
        .stderr_lacks("placeholder left")
        .stderr_lacks("error: `base_url`")
        .stderr_has("note: `base_url` in config.yaml is a placeholder address");
}

#[test]
fn check_publish_names_local_and_ip_base_urls() {
    for (url, why) in [
        (
            "http://localhost:1111",
            "localhost is this computer, not an address on the web",
        ),
        (
            "http://192.168.1.20/studio",
            "192.168.1.20 is an IP address; a published site has a domain name",
        ),
    ] {
        let site = TestSite::new();
        site.file(
            "config.yaml",
            &format!("title: Studio\nbase_url: \"{url}\"\n"),
        )
        .file("content/_index.md", "---\ntitle: Home\n---\nWelcome.\n");
        let run = check_publish(&site);
        run.code(1)
            .stderr_has(&format!(
                "error: `base_url` is a placeholder address: {url}"
            ))
            .stderr_has("--> config.yaml:2:11")
            .stderr_has(&format!("= note: {why}"))
            .stderr_has("1 error,");
    }
}

/// A small site on the default theme, every detail filled in.
fn ready_site() -> TestSite {
    let site = TestSite::empty();
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &site.path("themes/default"),
    );
    site.file(
        "config.yaml",
        &format!(
            "title: Studio\nbase_url: \"{REAL_BASE_URL}\"\ntheme: default\nextra:\n  phone: \"780 555 0100\"\n"
        ),
    )
    .file(
        "content/_index.md",
        "---\ntitle: Home\ndescription: A studio.\n---\nWelcome. See the [about page](@/about.md).\n",
    )
    .file(
        "content/about.md",
        "---\ntitle: About\ndescription: About us.\n---\nHello, I am Alex.\n",
    );
    site
}

#[test]
fn a_filled_site_passes_and_is_indexable_and_a_placeholder_makes_it_noindex() {
    let site = ready_site();
    check_publish(&site)
        .success()
        .stderr_has("note: ready to publish: nothing is left to fill in")
        .stderr_has("0 errors");
    site.build().success();
    for page in ["public/index.html", "public/about/index.html"] {
        site.assert_file_lacks(page, NOINDEX);
    }

    // One placeholder typed into a page's text: not ready, on every page.
    site.file(
        "content/about.md",
        "---\ntitle: About\ndescription: About us.\n---\nHello, I am [name — to be added].\n",
    );
    check_publish(&site)
        .code(1)
        .stderr_has(
            "error: placeholder left in the text of content/about.md: \"[name — to be added]\"",
        )
        .stderr_has("--> content/about.md:5:13");
    site.build().success();
    for page in ["public/index.html", "public/about/index.html"] {
        site.assert_file_contains(page, NOINDEX);
    }

    // The notice alone also keeps the site out of search engines.
    site.file(
        "content/about.md",
        "---\ntitle: About\ndescription: About us.\n---\nHello, I am Alex.\n",
    );
    let config = site.read("config.yaml");
    site.file(
        "config.yaml",
        &format!("{config}  placeholder_notice: \"Details are placeholders.\"\n"),
    );
    check_publish(&site)
        .code(1)
        .stderr_has("note: not ready to publish: 1 thing to fill in")
        .stderr_has("1 error,");
    site.build().success();
    site.assert_file_contains("public/index.html", NOINDEX);
    site.file("config.yaml", &config);
    site.build().success();
    site.assert_file_lacks("public/index.html", NOINDEX);
}

/// The studio's own site (the repository root): not ready while it has placeholders. The
/// text of its pages changes often, so only `config.yaml`'s findings are named here.
#[test]
fn the_studio_site_is_not_ready_to_publish() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = TestSite::empty().run(&["check", "--publish", "--root", repo.to_str().unwrap()]);
    run.code(1);
    let found = run.errors();
    assert!(
        found.iter().any(
            |(m, at)| m.starts_with("`base_url` is a placeholder address: ")
                && at.starts_with("config.yaml:")
        ),
        "{}",
        run.stderr
    );
    assert!(
        found
            .iter()
            .any(|(m, at)| m.starts_with("placeholder left in config.yaml: ")
                && at.starts_with("config.yaml:")),
        "{}",
        run.stderr
    );
    for (message, at) in &found {
        let mut parts = at.rsplitn(3, ':');
        let numbers = parts.next().is_some_and(|c| c.parse::<usize>().is_ok())
            && parts.next().is_some_and(|l| l.parse::<usize>().is_ok());
        assert!(numbers, "no file:line:col for {message}\n{}", run.stderr);
    }
}

/// A copy of the studio's site with every finding of `check --publish` filled in, from what
/// the check reports (the part in brackets at each file:line:col replaced, a real
/// `base_url`, the notice deleted): then the check passes, and the built pages are
/// indexable and show no "to be added" anywhere.
#[test]
fn the_studio_site_filled_in_is_ready_to_publish() {
    let site = TestSite::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["content", "data", "static", "themes"] {
        copy_tree(&repo.join(dir), &site.path(dir));
    }
    fs::copy(repo.join("config.yaml"), site.path("config.yaml")).unwrap();
    let run = check_publish(&site);
    run.code(1);
    // file -> (line, col, what), filled from the end of each file so positions hold.
    let mut by_file: BTreeMap<String, Vec<(usize, usize, String)>> = BTreeMap::new();
    for (message, at) in run.errors() {
        let mut parts = at.rsplitn(3, ':');
        let col: usize = parts.next().unwrap().parse().unwrap();
        let line: usize = parts.next().unwrap().parse().unwrap();
        let file = parts.next().unwrap().to_string();
        by_file.entry(file).or_default().push((line, col, message));
    }
    for (file, mut found) in by_file {
        found.sort();
        let mut text = site.read(&file);
        for (line, col, message) in found.into_iter().rev() {
            let line_start: usize = text
                .split_inclusive('\n')
                .take(line - 1)
                .map(str::len)
                .sum();
            let line_end = line_start
                + text[line_start..]
                    .find('\n')
                    .unwrap_or(text.len() - line_start);
            if message.starts_with("`base_url`") {
                text.replace_range(
                    line_start..line_end,
                    &format!("base_url: \"{REAL_BASE_URL}\""),
                );
            } else if message.contains("placeholder_notice") {
                text.replace_range(line_start..line_end, "");
            } else {
                let start = line_start + text[line_start..].char_indices().nth(col - 1).unwrap().0;
                assert!(
                    text[start..].starts_with('['),
                    "{file}:{line}:{col} {message}"
                );
                // A placeholder may go on over more than one line.
                let end = start + text[start..].find(']').unwrap() + 1;
                text.replace_range(start..end, "filled");
            }
        }
        site.file(&file, &text);
    }
    check_publish(&site).success().stderr_has("0 errors");
    site.build().success();
    let pages = crate::studio::pages(&site.path("public"));
    assert!(pages.len() > 3);
    for (path, html) in pages {
        assert!(!html.contains(NOINDEX), "{path} asks not to be indexed");
        assert!(
            !html.contains("to be added"),
            "{path} still has a placeholder"
        );
    }
}

/// `config.ready_to_publish` shown by a page template.
const READY_PAGE: &str = "<p>ready: {{ config.ready_to_publish }}</p>{{ page.content | safe }}";

fn ready_live_site() -> TestSite {
    let site = TestSite::new();
    site.file(
        "config.yaml",
        &format!("title: Studio\nbase_url: \"{REAL_BASE_URL}\"\n"),
    )
    .file("templates/page.html", READY_PAGE)
    .file("content/a.md", "---\ntitle: A\n---\nAll filled in.\n")
    .file("content/b.md", "---\ntitle: B\n---\nAlso filled in.\n");
    site
}

fn files_of(update: Update) -> (bool, BTreeMap<String, Vec<u8>>) {
    match update {
        Update::Full(built) => (true, built.files.into_iter().collect()),
        Update::Partial { files, .. } => (false, files.into_iter().collect()),
    }
}

#[test]
fn incremental_rebuilds_follow_readiness_like_clean_builds() {
    let site = ready_live_site();
    let options = BuildOptions {
        root: site.root().to_path_buf(),
        ..Default::default()
    };
    let mut live = LiveBuild::new(options.clone());
    let (_, first) = files_of(live.rebuild(&[]).unwrap());
    let shows = |files: &BTreeMap<String, Vec<u8>>, path: &str, ready: bool| {
        let html = String::from_utf8(files[path].clone()).unwrap();
        assert!(
            html.contains(&format!("<p>ready: {ready}</p>")),
            "{path}: {html}"
        );
    };
    shows(&first, "b/index.html", true);

    // A body edit without placeholders stays incremental.
    site.file(
        "content/a.md",
        "---\ntitle: A\n---\nAll filled in, twice.\n",
    );
    let (full, _) = files_of(live.rebuild(&["content/a.md".into()]).unwrap());
    assert!(!full, "a plain body edit should be incremental");

    // The first placeholder: every page changes, so the rebuild is a full one, as a clean
    // build would make it.
    site.file(
        "content/a.md",
        "---\ntitle: A\n---\nPrice: [price — to be added].\n",
    );
    let (full, files) = files_of(live.rebuild(&["content/a.md".into()]).unwrap());
    assert!(full, "the first placeholder needs a full build");
    shows(&files, "b/index.html", false);
    let (_, clean) = stillpoint::build_in_memory(&options).unwrap();
    let clean: BTreeMap<String, Vec<u8>> = clean.files.into_iter().collect();
    assert_eq!(files, clean);

    // Another edit that keeps the placeholder stays incremental.
    site.file(
        "content/a.md",
        "---\ntitle: A\n---\nPrice: [price — to be added]. More.\n",
    );
    let (full, _) = files_of(live.rebuild(&["content/a.md".into()]).unwrap());
    assert!(
        !full,
        "an edit keeping the placeholder should be incremental"
    );

    // The last placeholder removed: ready again everywhere.
    site.file("content/a.md", "---\ntitle: A\n---\nPrice: $90.\n");
    let (full, files) = files_of(live.rebuild(&["content/a.md".into()]).unwrap());
    assert!(full, "removing the last placeholder needs a full build");
    shows(&files, "b/index.html", true);
}
