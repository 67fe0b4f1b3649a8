//! `stillpoint check` and `stillpoint new`, through the real binary: one fixture per kind of
//! problem under `tests/fixtures/check/<kind>/`, exit codes with and without `--strict`,
//! external links against a local HTTP server on 127.0.0.1, and a scaffolded site that builds
//! and passes `check --strict`.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::support::{INDEX_HTML, PAGE_HTML, SECTION_HTML, TestSite};

const TODAY: &str = "2026-11-29";

/// A copy of `tests/fixtures/check/<kind>/` with the three standard templates where the
/// fixture has none of its own.
fn fixture(kind: &str) -> TestSite {
    let site = TestSite::fixture(&format!("check/{kind}"));
    for (name, text) in [
        ("templates/index.html", INDEX_HTML),
        ("templates/section.html", SECTION_HTML),
        ("templates/page.html", PAGE_HTML),
    ] {
        if !site.exists(name) {
            site.file(name, text);
        }
    }
    site
}

fn check(site: &TestSite, extra: &[&str]) -> crate::support::Run {
    let root = site.root().to_str().unwrap().to_string();
    let mut args = vec!["check", "--root", &root, "--today", TODAY];
    args.extend_from_slice(extra);
    site.run(&args)
}

/// Runs `check` on the fixture `kind` and asserts its one diagnostic: the first line
/// (`severity: message`), the `--> file:line:col` line, and the summary.
#[track_caller]
fn assert_one(kind: &str, first_line: &str, location: &str) {
    let site = fixture(kind);
    let run = check(&site, &[]);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.first().copied(), Some(first_line), "{}", run.stderr);
    assert_eq!(
        lines.get(1).map(|l| l.trim_start()),
        Some(format!("--> {location}").as_str()),
        "{}",
        run.stderr
    );
    let is_error = first_line.starts_with("error");
    let summary = if is_error {
        "1 error, 0 warnings in 2 pages"
    } else {
        "0 errors, 1 warning in 2 pages"
    };
    assert_eq!(lines.last().copied(), Some(summary), "{}", run.stderr);
    run.code(if is_error { 1 } else { 0 });
    check(&site, &["--strict"]).code(1);
}

#[test]
fn image_without_alt_text() {
    assert_one(
        "missing_alt",
        "warning: an image has no alt text: `/photo.png`",
        "content/page.md:8:1",
    );
}

#[test]
fn missing_image_is_an_error() {
    assert_one(
        "missing_image",
        "error: link to a file that the site does not have: `/room.png` (it points to /room.png) (in content/page.md)",
        "content/page.md:8:1",
    );
}

#[test]
fn skipped_heading_level() {
    assert_one(
        "skipped_heading",
        "warning: heading level skipped: an h4 follows an h2",
        "content/page.md:10:1",
    );
}

#[test]
fn a_markdown_h1_is_a_second_h1() {
    assert_one(
        "multiple_h1",
        "warning: a second main heading (h1): the page title is already the page's h1",
        "content/page.md:8:1",
    );
}

#[test]
fn vague_link_text() {
    assert_one(
        "vague_link",
        "warning: link text that does not say where it goes: \"click here\"",
        "content/page.md:6:10",
    );
}

#[test]
fn bare_url_as_link_text() {
    assert_one(
        "bare_url",
        "warning: a web address is used as link text: `https://example.org/study`",
        "content/page.md:6:12",
    );
}

#[test]
fn missing_title() {
    assert_one(
        "missing_title",
        "warning: content/page.md has no title; using its file name: \"Page\"",
        "content/page.md:1:1",
    );
}

#[test]
fn long_title() {
    assert_one(
        "long_title",
        "warning: the title is 66 characters long; search engines show about 60",
        "content/page.md:2:8",
    );
}

#[test]
fn missing_description() {
    assert_one(
        "missing_description",
        "warning: content/page.md has no description",
        "content/page.md:1:1",
    );
}

#[test]
fn long_description() {
    assert_one(
        "long_description",
        "warning: the description is 174 characters long; search engines show about 160",
        "content/page.md:3:14",
    );
}

#[test]
fn duplicate_title() {
    assert_one(
        "duplicate_title",
        "warning: two pages have the title \"Home\": this one and content/_index.md",
        "content/page.md:2:8",
    );
}

#[test]
fn health_page_without_review_date() {
    assert_one(
        "health_no_review",
        "warning: content/page.md is a health page without a review date",
        "content/page.md:5:11",
    );
}

#[test]
fn health_page_due_for_review() {
    assert_one(
        "health_stale",
        "warning: health information last reviewed on 2025-06-01, more than 12 months ago",
        "content/page.md:6:13",
    );
}

#[test]
fn health_review_in_the_future() {
    assert_one(
        "health_future",
        "warning: the review date 2027-01-15 is in the future (today is 2026-11-29)",
        "content/page.md:6:13",
    );
}

#[test]
fn health_review_that_is_not_a_date() {
    // `reviewed` is read as `date` is (issue 12 §2): an error where the page is read, for
    // build and check alike.
    let site = fixture("health_bad_date");
    check(&site, &[])
        .code(1)
        .stderr_has("error: invalid front matter in content/page.md: `last spring` is not a date: write it as 2026-11-29 or 2026-11-29T10:00:00-07:00\n --> content/page.md:6:13");
}

#[test]
fn image_without_alt_in_a_template() {
    assert_one(
        "template_img_alt",
        "warning: an <img> in a template has no alt attribute",
        "templates/page.html:4:9",
    );
}

#[test]
fn missing_file_linked_from_a_template() {
    assert_one(
        "template_missing_file",
        "error: a template links to /favicon.ico, which the site does not have",
        "templates/page.html:2:87",
    );
}

#[test]
fn menu_path_to_nothing() {
    assert_one(
        "menu_missing_path",
        "error: the menu entry \"Prices\" links to /prices/, which the site does not have",
        "config.yaml:5:29",
    );
}

#[test]
fn review_months_from_config_moves_the_due_date() {
    let site = fixture("health_stale");
    // Reviewed 2025-06-01: due after 12 months, not yet after 24.
    site.file(
        "config.yaml",
        "title: \"Check fixture\"\nbase_url: \"https://example.org\"\ncheck:\n  review_months: 24\n",
    );
    check(&site, &["--strict"])
        .success()
        .stderr_has("0 errors, 0 warnings in 2 pages");
}

#[test]
fn bad_review_months_is_a_located_config_error() {
    let site = fixture("health_stale");
    site.file(
        "config.yaml",
        "title: \"Check fixture\"\nbase_url: \"https://example.org\"\ncheck:\n  review_months: -3\n",
    );
    check(&site, &[])
        .code(1)
        .stderr_has("error: `check.review_months: -3` is out of range")
        .stderr_has("--> config.yaml:4:18");
}

#[test]
fn a_clean_site_passes_strict() {
    let site = fixture("missing_alt");
    site.file(
        "content/page.md",
        "---\ntitle: Photos\ndescription: A page with a photo.\n---\n\n![A calm room](/photo.png)\n",
    );
    check(&site, &["--strict"])
        .success()
        .stderr_has("0 errors, 0 warnings in 2 pages");
}

#[test]
fn check_writes_nothing() {
    let site = fixture("vague_link");
    check(&site, &[]).success();
    assert!(!site.exists("public"));
}

#[test]
fn the_studio_site_passes_check_strict() {
    let root = env!("CARGO_MANIFEST_DIR");
    let site = TestSite::empty();
    // A fixed date: the test suite must not start failing a year from now. It is the day the
    // studio's health pages were last reviewed (their `reviewed:` dates), not `TODAY`, which is
    // earlier: a review date after "today" is a warning.
    site.run(&["check", "--strict", "--root", root, "--today", "2026-12-06"])
        .success()
        .stderr_has("0 errors, 0 warnings in");
}

/// A tiny HTTP server on 127.0.0.1 that answers by path and counts requests per path:
/// `/ok` and `/target` 200, `/gone` 404, `/moved` 301 to `/target`, `/slow` waits 5 s.
fn serve_local() -> (u16, Arc<Mutex<HashMap<String, usize>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let counted = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let hits = Arc::clone(&counted);
            std::thread::spawn(move || {
                let mut buf = [0u8; 2048];
                let n = stream.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                *hits.lock().unwrap().entry(path.clone()).or_default() += 1;
                let response = match path.as_str() {
                    "/ok" | "/target" => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok".to_string(),
                    "/moved" => "HTTP/1.1 301 Moved Permanently\r\nLocation: /target\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
                    "/slow" => {
                        std::thread::sleep(std::time::Duration::from_secs(5));
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
                    }
                    _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
                };
                let _ = stream.write_all(response.as_bytes());
            });
        }
    });
    (port, hits)
}

#[test]
fn external_links_on_a_local_server() {
    let (port, hits) = serve_local();
    let base = format!("http://127.0.0.1:{port}");
    let site = fixture("vague_link");
    site.file(
        "content/page.md",
        &format!(
            "---\ntitle: Links\ndescription: A page with links.\n---\n\n\
             - [a working page]({base}/ok)\n\
             - [the same page, another part]({base}/ok#part)\n\
             - [a page that is gone]({base}/gone)\n\
             - [a page that moved]({base}/moved)\n\
             - [a slow page]({base}/slow)\n\
             - [a page on the skip list]({base}/skipped)\n"
        ),
    );
    let run = check(
        &site,
        &[
            "--external",
            "--timeout",
            "1",
            "--skip-external",
            &format!("{base}/skipped"),
        ],
    );
    run.code(1)
        .stderr_has(&format!(
            "error: broken external link: {base}/gone answers 404 (not found)\n --> content/page.md:8:3"
        ))
        .stderr_has(&format!(
            "warning: the page at {base}/moved has moved to {base}/target\n --> content/page.md:9:3"
        ))
        .stderr_has(&format!(
            "warning: the external link {base}/slow did not answer within 1 seconds\n  --> content/page.md:10:3"
        ))
        .stderr_has("note: requested 4 external addresses; skipped 1 link on the skip list")
        .stderr_has("1 error, 2 warnings in 2 pages")
        .stderr_lacks("/ok");
    let hits = hits.lock().unwrap();
    assert_eq!(
        hits.get("/ok"),
        Some(&1),
        "one request per address: {hits:?}"
    );
    assert_eq!(hits.get("/skipped"), None, "{hits:?}");
    assert_eq!(hits.get("/target"), Some(&1), "{hits:?}");
}

#[test]
fn external_links_in_templates_are_checked_at_their_template_line() {
    let (port, hits) = serve_local();
    let base = format!("http://127.0.0.1:{port}");
    let site = fixture("vague_link");
    site.file(
        "content/page.md",
        &format!("---\ntitle: Links\ndescription: A page with links.\n---\n\n[a working page]({base}/ok)\n"),
    )
    .file(
        "templates/page.html",
        &PAGE_HTML.replace(
            "</main>",
            &format!("</main>\n<footer><a href=\"{base}/gone\">Our old address</a> <a href=\"{base}/ok\">ok</a></footer>"),
        ),
    );
    check(&site, &["--external"])
        .code(1)
        .stderr_has(&format!(
            "error: broken external link: {base}/gone answers 404 (not found)\n --> templates/page.html:8:18"
        ))
        .stderr_has("note: requested 2 external addresses")
        .stderr_has("1 error, 0 warnings in 2 pages");
    let hits = hits.lock().unwrap();
    assert_eq!(hits.get("/ok"), Some(&1), "{hits:?}");
    assert_eq!(hits.get("/gone"), Some(&1), "{hits:?}");
}

#[test]
fn external_links_are_not_requested_without_the_flag() {
    let (port, hits) = serve_local();
    let site = fixture("vague_link");
    site.file(
        "content/page.md",
        &format!(
            "---\ntitle: Links\ndescription: A page with links.\n---\n\n[a page that is gone](http://127.0.0.1:{port}/gone)\n"
        ),
    );
    check(&site, &["--strict"]).success();
    assert!(hits.lock().unwrap().is_empty());
}

#[test]
fn new_scaffolds_a_site_that_builds_and_passes_check_strict() {
    let dir = TestSite::empty();
    let target = dir.path("nested/my-site");
    let target_s = target.to_str().unwrap();
    dir.run(&["new", target_s])
        .success()
        .stderr_has("cd [ROOT]/nested/my-site")
        .stderr_has("stillpoint serve");
    for f in [
        "config.yaml",
        ".gitignore",
        "content/_index.md",
        "content/visit/index.md",
        "content/visit/room.png",
        "themes/default/templates/page.html",
    ] {
        assert!(dir.exists(&format!("nested/my-site/{f}")), "{f}");
    }
    // `new` and `check` both read today's date here: the real path, true on any day.
    dir.run(&["check", "--strict", "--root", target_s])
        .success()
        .stderr_has("0 errors, 0 warnings in 4 pages");
    dir.run(&["build", "--root", target_s]).success();
    assert!(dir.exists("nested/my-site/public/visit/room.png"));
    let page = dir.read("nested/my-site/public/what-to-expect/index.html");
    assert!(
        page.contains(r#"<div class="callout callout-caution" role="note">"#)
            && page.contains("<em>shortcode</em>"),
        "the example callout shortcode is rendered, its body as markdown:\n{page}"
    );
    assert!(page.contains("Reviewed on"), "{page}");
}

#[test]
fn new_refuses_a_folder_with_files() {
    let dir = TestSite::empty();
    dir.file("taken/notes.txt", "mine");
    dir.run(&["new", dir.path("taken").to_str().unwrap()])
        .code(1)
        .stderr_has("error: [ROOT]/taken is not empty");
    assert_eq!(dir.list("taken"), vec!["notes.txt".to_string()]);
}

#[test]
fn new_without_a_folder_is_a_usage_error() {
    TestSite::empty().run(&["new"]).code(2);
}

#[test]
fn a_health_section_shows_its_review_date_and_note() {
    let dir = TestSite::empty();
    dir.run(&["new", dir.path("site").to_str().unwrap(), "--today", TODAY])
        .success();
    dir.file(
        "site/content/_index.md",
        "---\ntitle: Welcome\ndescription: The home page.\nextra:\n  health: true\n  reviewed: 2026-10-01\n---\n\nText.\n",
    );
    let root = dir.path("site");
    let root = root.to_str().unwrap();
    dir.run(&["check", "--strict", "--root", root, "--today", TODAY])
        .success();
    dir.run(&["build", "--root", root]).success();
    let home = dir.read("site/public/index.html");
    assert!(
        home.contains("Reviewed on <time datetime=\"2026-10-01\">2026-10-01</time>"),
        "{home}"
    );
    assert!(home.contains("class=\"health-note\""), "{home}");
}

#[test]
fn external_links_when_offline_give_one_warning() {
    // Two ports with nothing listening: every request fails to connect.
    let closed = || {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (a, b) = (closed(), closed());
    let site = fixture("vague_link");
    site.file(
        "content/page.md",
        &format!(
            "---\ntitle: Links\ndescription: A page with links.\n---\n\n[one study](http://127.0.0.1:{a}/x) and [another](http://127.0.0.1:{b}/y)\n"
        ),
    );
    check(&site, &["--external", "--timeout", "5"])
        .success()
        .stderr_has("warning: none of the 2 external addresses could be reached (")
        .stderr_has("0 errors, 1 warning in 2 pages");
}

#[test]
fn check_usage_errors_exit_2() {
    let site = fixture("vague_link");
    check(&site, &["--concurrency", "0"]).code(2);
    check(&site, &["--no-such-flag"]).code(2);
}

#[test]
fn check_of_a_folder_without_config_exits_1() {
    TestSite::empty()
        .run(&["check"])
        .code(1)
        .stderr_has("this folder is not a stillpoint site")
        .stderr_has("1 error, 0 warnings in 0 pages");
}

/// Several problems give one summary line, check's own (with the page count), not the build's
/// "N errors and M warnings found" as well; an error exits 1 without `--strict`.
#[test]
fn several_problems_end_with_one_summary_line() {
    let site = fixture("vague_link");
    site.file(
        "content/extra.md",
        "---\ntitle: Extra\ndescription: A second page with two problems of its own.\n---\n\n#### Deep\n\n![](nowhere.png)\n",
    );
    let run = check(&site, &[]);
    run.code(1)
        .stderr_lacks(" found\n")
        .stderr_has("1 error, 3 warnings in 3 pages");
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.contains(" in 3 pages"))
            .count(),
        1,
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_template_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let site = fixture("vague_link");
    let template = site.path("templates/page.html");
    std::fs::set_permissions(&template, std::fs::Permissions::from_mode(0o000)).unwrap();
    // As root (as in CI containers), `chmod 000` does not stop reading: nothing to assert then.
    let readable = std::fs::read(&template).is_ok();
    let run = check(&site, &[]);
    std::fs::set_permissions(&template, std::fs::Permissions::from_mode(0o644)).unwrap();
    if readable {
        return;
    }
    run.code(1)
        .stderr_has("could not read `[ROOT]/templates/page.html`")
        .stderr_lacks("panicked");
}

#[cfg(unix)]
#[test]
fn a_data_folder_check_cannot_read_is_a_warning_naming_it() {
    // A symbolic link to nothing cannot be read by anyone, root included. The build does not
    // read data/ unless a template loads it; `check --external` looks in it for where an
    // address in the built pages is written, and used to skip the whole folder silently.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let site = fixture("vague_link");
    site.file(
        "templates/page.html",
        &PAGE_HTML.replace(
            "</main>",
            &format!(
                "</main>\n<footer><a href=\"http://127.0.0.1:{closed}/x\">Our address</a></footer>"
            ),
        ),
    );
    std::fs::create_dir_all(site.path("data")).unwrap();
    std::os::unix::fs::symlink("nowhere.yaml", site.path("data/hours.yaml")).unwrap();
    check(&site, &["--external", "--timeout", "5"])
        .stderr_has("warning: ")
        .stderr_has("data/hours.yaml")
        .stderr_has("--> templates/page.html:8:")
        .stderr_lacks("panicked");
}

#[test]
fn a_failed_build_still_gets_the_content_checks() {
    // The build fails on the broken link and returns no site tree; check reads the site up to
    // the tree again so that the page's other problems are not hidden behind that error.
    let site = fixture("vague_link");
    site.file(
        "content/page.md",
        "---\ntitle: Booking\n---\n\nTo book, [click here](@/_index.md) or see [the map](@/nope.md).\n",
    );
    check(&site, &[])
        .code(1)
        .stderr_has("error: link to a page that does not exist: `@/nope.md`")
        .stderr_has("warning: link text that does not say where it goes: \"click here\"")
        .stderr_has("warning: content/page.md has no description")
        .stderr_has("1 error, 2 warnings in 2 pages");
}
