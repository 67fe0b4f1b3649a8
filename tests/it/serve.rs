//! `stillpoint serve`: the real binary on 127.0.0.1 with `--port 0` (the OS picks a free
//! port; the tool prints `Serving the site at URL`), asked with raw HTTP/1.1 requests over a
//! `TcpStream` so that nothing normalises `..` or percent escapes on the way (handed cases 20
//! and 24).

use std::fs;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::live::{
    BIN, CHANGE_TIMEOUT, LiveSite, Response, Running, SseStream, http_get, is_build_line,
    section_title_site, split_url,
};
use crate::support::links;

/// A running `serve` and where it is.
struct Server {
    run: Running,
    /// `127.0.0.1:PORT`.
    addr: String,
    /// The printed URL's path (`/` or `/docs/`).
    base: String,
    /// The TMPDIR given to the server (its private build folder is made inside it).
    tmp: PathBuf,
}

impl Server {
    fn start(site: &LiveSite, extra: &[&str]) -> Server {
        let tmp = site.scratch().join("tmp");
        fs::create_dir_all(&tmp).unwrap();
        let mut args = vec!["serve", "--interface", "127.0.0.1", "--port", "0"];
        args.extend_from_slice(extra);
        let run = site.spawn_env(&args, &[("TMPDIR", &tmp)]);
        let url = run.served_url();
        let (addr, base) = split_url(&url);
        let server = Server {
            run,
            addr,
            base,
            tmp,
        };
        server.get(&server.base.clone());
        server
    }

    fn get(&self, target: &str) -> Response {
        http_get(&self.addr, target)
            .unwrap_or_else(|e| panic!("GET {target} failed: {e}\n{}", self.run.transcript()))
    }

    /// The folder the server serves from, `TMPDIR/stillpoint-serve-*/site`, when it serves
    /// from disk (a server that keeps the site in memory has none).
    fn served_dir(&self) -> Option<PathBuf> {
        fs::read_dir(&self.tmp)
            .ok()?
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("stillpoint-serve-"))
            })
            .map(|p| p.join("site"))
            .filter(|p| p.is_dir())
    }
}

fn assert_status(r: &Response, want: u16, target: &str) {
    assert_eq!(
        r.status,
        want,
        "GET {target}: status {} (headers {:?}), body:\n{}",
        r.status,
        r.headers,
        r.text()
    );
}

#[test]
fn serve_answers_pages_static_files_redirects_and_404() {
    let site = LiveSite::new("live");
    site.write(
        "content/über.md",
        "---\ntitle: Über uns\n---\nUBER-TEXT here.\n",
    );
    site.write("static/fichier été.txt", "FICHIER-ETE contents\n");
    let s = Server::start(&site, &[]);
    assert_eq!(s.base, "/");

    let r = s.get("/");
    assert_status(&r, 200, "/");
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        r.headers
    );
    assert!(r.text().contains("HOME-TEXT"));

    let r = s.get("/faq/");
    assert_status(&r, 200, "/faq/");
    assert!(r.text().contains("FAQ-V1"));

    let r = s.get("/faq");
    assert!(
        (300..400).contains(&r.status),
        "GET /faq should redirect, got {}",
        r.status
    );
    assert_eq!(r.header("location"), Some("/faq/"));

    let r = s.get("/style.css");
    assert_status(&r, 200, "/style.css");
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("text/css")),
        "{:?}",
        r.headers
    );
    assert!(r.text().contains("LIVE-CSS"));

    let r = s.get("/nope/");
    assert_status(&r, 404, "/nope/");
    assert!(
        r.text().contains("LIVE-NOT-FOUND"),
        "the 404 page should be the site's 404.html:\n{}",
        r.text()
    );
    let r = s.get("/nope.css");
    assert_status(&r, 404, "/nope.css");

    // Percent-encoded ASCII, a non-ASCII page name, a static file with a space and accents.
    let r = s.get("/%66aq/");
    assert_status(&r, 200, "/%66aq/");
    assert!(r.text().contains("FAQ-V1"));
    let r = s.get("/uber/");
    assert_status(&r, 200, "/uber/");
    assert!(r.text().contains("UBER-TEXT"));
    let r = s.get("/fichier%20%C3%A9t%C3%A9.txt");
    assert_status(&r, 200, "/fichier%20%C3%A9t%C3%A9.txt");
    assert_eq!(r.text(), "FICHIER-ETE contents\n");
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("text/plain")),
        "{:?}",
        r.headers
    );
}

/// Handed case 20: `..`, encoded dots and slashes, backslashes, double encoding, and a sibling
/// folder whose name starts with the served folder's name never leak a file.
// See: shared case 20, https://github.com/11ty/dev-server/issues/152
#[test]
fn serve_refuses_path_traversal() {
    let site = LiveSite::new("live");
    let config = fs::read_to_string(site.path("config.yaml")).unwrap();
    site.write(
        "config.yaml",
        &format!("{config}# CONFIG-SECRET-5d1c (must never be served)\n"),
    );
    site.write("public-leak/secret.txt", "LEAK-SECRET-9a2e\n");
    let mut s = Server::start(&site, &[]);
    // When the site is served from a folder on disk, the same trap beside that folder:
    // `site-leak` next to `site`, and a `config.yaml` in their parent.
    if let Some(served) = s.served_dir() {
        let leak = served.with_file_name("site-leak");
        fs::create_dir_all(&leak).unwrap();
        fs::write(leak.join("secret.txt"), "LEAK-SECRET-9a2e\n").unwrap();
        fs::write(
            served.parent().unwrap().join("config.yaml"),
            "CONFIG-SECRET-5d1c\n",
        )
        .unwrap();
    }

    let attacks = [
        "/../config.yaml",
        "/%2e%2e/config.yaml",
        "/%2e%2e%2fconfig.yaml",
        "/..%2fconfig.yaml",
        "/..%5cconfig.yaml",
        "/%252e%252e%252fconfig.yaml",
        "/faq/../../config.yaml",
        "/faq/%2e%2e/%2e%2e/config.yaml",
        "/..%2fpublic-leak/secret.txt",
        "/%2e%2e%2fpublic-leak%2fsecret.txt",
        "/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/%2fetc%2fpasswd",
        "//etc/passwd",
        "/....//config.yaml",
        // beside the served folder itself
        "/..%2fsite-leak/secret.txt",
        "/%2e%2e%2fsite-leak%2fsecret.txt",
        "/../site-leak/secret.txt",
        "/..\\config.yaml",
        "/../../../../../../etc/passwd",
    ];
    let mut problems = Vec::new();
    for target in attacks {
        match http_get(&s.addr, target) {
            Ok(r) => {
                let body = r.text();
                let leaked = body.contains("CONFIG-SECRET")
                    || body.contains("LEAK-SECRET")
                    || (body.contains("root:") && body.contains(":0:0:"));
                if leaked {
                    problems.push(format!("LEAK {} {target}", r.status));
                } else if !(300..500).contains(&r.status) {
                    problems.push(format!("BAD-STATUS {} {target}", r.status));
                }
            }
            Err(e) => problems.push(format!("NO-ANSWER {target}: {e}")),
        }
    }
    assert!(problems.is_empty(), "{problems:#?}\n{}", s.run.transcript());
    let r = s.get("/faq/");
    assert_status(&r, 200, "/faq/ after the attacks");
    assert!(s.run.is_alive(), "{}", s.run.transcript());
}

/// `tests/fixtures/live` with `base_url: https://example.org/docs/` and a `blog/` section
/// linking back to the FAQ (handed case 24).
fn subpath_site() -> LiveSite {
    let site = LiveSite::new("live");
    site.write(
        "config.yaml",
        "title: \"Live Site under /docs/\"\nbase_url: \"https://example.org/docs/\"\n",
    );
    site.write(
        "content/blog/_index.md",
        "---\ntitle: Blog\n---\nSUB-BLOG text.\n",
    );
    site.write(
        "content/blog/post.md",
        "---\ntitle: Post\n---\nSUB-POST text, see [the FAQ](@/faq.md).\n",
    );
    site
}

/// Handed case 24, build half: with `base_url: https://example.org/docs/` every generated
/// absolute link starts with it, has no `//` after the host, and names a file of `public/`.
// See: shared case 24, https://github.com/getzola/zola/issues/2170 (build half)
#[test]
fn build_with_a_subpath_base_url_links_into_the_site() {
    let site = subpath_site();
    let out = Command::new(BIN)
        .args(["build", "--urls", "absolute"])
        .arg("--root")
        .arg(site.root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base = "https://example.org/docs/";
    let files = site.output_tree();
    let mut bad = Vec::new();
    let mut checked = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        for link in links(&String::from_utf8_lossy(bytes)) {
            if !link.starts_with("https://example.org") {
                continue;
            }
            checked += 1;
            let Some(rest) = link.strip_prefix(base) else {
                bad.push(format!("{path}: {link} is outside {base}"));
                continue;
            };
            if link["https://".len()..].contains("//") {
                bad.push(format!("{path}: {link} has a //"));
                continue;
            }
            let rest = rest.split('#').next().unwrap();
            let target = if rest.is_empty() || rest.ends_with('/') {
                format!("{rest}index.html")
            } else {
                rest.to_string()
            };
            if !files.contains_key(&target) {
                bad.push(format!("{path}: {link} -> missing public/{target}"));
            }
        }
    }
    assert!(checked >= 4, "only {checked} absolute links checked");
    assert!(bad.is_empty(), "{bad:#?}");
}

/// Handed case 24, serve half: served under `/docs/`; starting from the printed URL and from
/// `blog/`, every same-origin link answers 200 and none points at example.org.
// See: shared case 24, https://github.com/getzola/zola/issues/2170 (serve half)
#[test]
fn serve_with_a_subpath_base_url_serves_under_it_and_links_stay_local() {
    let site = subpath_site();
    let s = Server::start(&site, &[]);
    assert_eq!(s.base, "/docs/", "the printed URL should end with /docs/");
    let origin = url::Url::parse(&format!("http://{}/", s.addr)).unwrap();

    let r = s.get("/");
    assert!(
        (300..400).contains(&r.status),
        "GET / should redirect to /docs/, got {}",
        r.status
    );
    let to = r.header("location").unwrap_or_default().to_string();
    assert!(to == "/docs/" || to.ends_with("/docs/"), "Location: {to}");
    let r = s.get("/docs/faq");
    assert!((300..400).contains(&r.status), "/docs/faq: {}", r.status);
    assert_eq!(r.header("location"), Some("/docs/faq/"));
    assert_status(&s.get("/docs/style.css"), 200, "/docs/style.css");
    assert_status(&s.get("/docs/nope/"), 404, "/docs/nope/");

    let entry = origin.join(&s.base).unwrap();
    let mut queue = vec![entry.clone(), entry.join("blog/").unwrap()];
    let mut seen = std::collections::BTreeSet::new();
    let mut bad = Vec::new();
    while let Some(u) = queue.pop() {
        if seen.len() >= 60 || !seen.insert(u.to_string()) {
            continue;
        }
        let target = match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        };
        let r = s.get(&target);
        if r.status != 200 {
            bad.push(format!("{u}: status {}", r.status));
            continue;
        }
        let is_html = r
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"));
        if !is_html {
            continue;
        }
        for link in links(&r.text()) {
            let Ok(mut a) = u.join(&link) else {
                bad.push(format!("{u}: unparsable link {link}"));
                continue;
            };
            a.set_fragment(None);
            if a.origin() == origin.origin() {
                queue.push(a);
            } else if a.as_str().contains("example.org") {
                bad.push(format!("{u}: link leaves the dev server: {a}"));
            }
        }
    }
    assert!(
        seen.len() >= 6,
        "only {} URLs visited: {seen:?}",
        seen.len()
    );
    assert!(
        seen.iter().any(|u| u.ends_with("/__stillpoint/reload.js")),
        "the reload script was not among the links: {seen:?}"
    );
    assert!(bad.is_empty(), "{bad:#?}\nvisited: {seen:#?}");
}

/// A `config.yaml` broken when serve starts and then fixed, with a subpath `base_url`: once
/// fixed, the site is served under its base path with local links, and `/` redirects there (the
/// base path comes from the last good build, not from a read of the config at the start, which
/// kept serve at `/` for the whole session).
#[test]
fn serve_started_with_a_broken_config_moves_under_the_base_path_once_it_is_fixed() {
    let site = subpath_site();
    let good = fs::read_to_string(site.path("config.yaml")).unwrap();
    site.write(
        "config.yaml",
        "title: [unclosed\nbase_url: \"https://example.org/docs/\"\n",
    );
    let s = Server::start(&site, &[]);
    assert_eq!(
        s.base, "/",
        "nothing was built yet: the placeholder is at the root"
    );
    assert!(
        s.get("/").text().contains("could not be built yet"),
        "{}",
        s.run.transcript()
    );

    let m = s.run.mark();
    site.write("config.yaml", &good);
    s.run
        .wait_line(m, CHANGE_TIMEOUT, "the good build after the fix", |l| {
            is_build_line(l) && l.contains(" rebuilt ")
        });
    s.run.wait_line(m, CHANGE_TIMEOUT, "the new address", |l| {
        l == format!(
            "The site is now at http://{}/docs/ (the path of base_url changed)",
            s.addr
        )
    });
    let faq = s.get("/docs/faq/");
    assert_status(&faq, 200, "/docs/faq/");
    let text = faq.text();
    assert!(
        text.contains(&format!("href=\"http://{}/docs/faq/\"", s.addr)),
        "the page links to the dev server under /docs/:\n{text}"
    );
    assert!(
        text.contains(r#"<script src="/docs/__stillpoint/reload.js" data-base="/docs">"#),
        "{text}"
    );
    assert_status(
        &s.get("/docs/__stillpoint/reload.js"),
        200,
        "/docs/__stillpoint/reload.js",
    );
    let r = s.get("/");
    assert!((300..400).contains(&r.status), "GET /: {}", r.status);
    assert_eq!(r.header("location"), Some("/docs/"));
    assert_status(&s.get("/faq/"), 404, "/faq/ (outside the base path)");
}

#[test]
fn serve_injects_the_reload_script_and_build_does_not_and_public_is_untouched() {
    let site = LiveSite::new("live");
    let s = Server::start(&site, &[]);
    for target in ["/", "/faq/", "/nope/"] {
        let r = s.get(target);
        let text = r.text();
        assert!(
            text.contains("/__stillpoint/reload.js"),
            "GET {target}: no reload script:\n{text}"
        );
        let script = text.find("/__stillpoint/reload.js").unwrap();
        assert!(
            script < text.rfind("</body>").unwrap(),
            "the script should come before </body>:\n{text}"
        );
    }
    let r = s.get("/__stillpoint/reload.js");
    assert_status(&r, 200, "/__stillpoint/reload.js");
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.contains("javascript")),
        "{:?}",
        r.headers
    );
    assert!(r.text().contains("EventSource"));
    let css = s.get("/style.css").text();
    assert!(!css.contains("__stillpoint"), "{css}");

    // An edit while serving: still nothing in public/.
    site.wait_until_watching(&s.run);
    let m = s.run.mark();
    site.write("content/faq.md", "---\ntitle: FAQ\n---\nFAQ-SERVED text.\n");
    let line = s.run.wait_rebuild(m, "a save while serving");
    // A body edit is rebuilt incrementally: the page and the home page that lists it.
    assert!(
        line.contains("content/faq.md changed: rebuilt 2 pages (2 files)"),
        "{line}"
    );
    let faq = s.get("/faq/").text();
    assert!(faq.contains("FAQ-SERVED"), "{faq}");
    assert_eq!(
        faq.matches("/__stillpoint/reload.js").count(),
        1,
        "one reload script after an incremental rebuild:\n{faq}"
    );
    assert!(s.get("/").text().contains("/__stillpoint/reload.js"));
    assert!(
        !site.path("public").exists(),
        "serve created public/: {:?}",
        site.output_tree().keys().collect::<Vec<_>>()
    );
    drop(s);

    let out = Command::new(BIN)
        .arg("build")
        .arg("--root")
        .arg(site.root())
        .output()
        .unwrap();
    assert!(out.status.success());
    let built = site.output_tree();
    assert!(built.contains_key("faq/index.html"));
    for (path, bytes) in &built {
        assert!(
            !String::from_utf8_lossy(bytes).contains("__stillpoint"),
            "build output public/{path} contains the live-reload script"
        );
    }

    // With public/ present, serve leaves it byte-identical.
    let s = Server::start(&site, &[]);
    site.wait_until_watching(&s.run);
    let m = s.run.mark();
    site.write(
        "content/faq.md",
        "---\ntitle: FAQ\n---\nFAQ-SERVED-2 text.\n",
    );
    s.run.wait_rebuild(m, "a save while serving");
    assert!(s.get("/faq/").text().contains("FAQ-SERVED-2"));
    drop(s);
    assert_eq!(site.output_tree(), built, "serve modified public/");
}

#[test]
fn serve_events_stream_sends_reload_and_failed() {
    let site = LiveSite::new("live");
    let s = Server::start(&site, &[]);
    site.wait_until_watching(&s.run);
    let events = SseStream::open(&s.addr, "/__stillpoint/events");
    events.drain();

    site.write("content/faq.md", "---\ntitle: FAQ\n---\nFAQ-GOOD text.\n");
    let e = events.next_named("reload", CHANGE_TIMEOUT);
    assert!(
        e.is_some(),
        "no `event: reload` after a good save\n{}",
        s.run.transcript()
    );

    let m = s.run.mark();
    site.write(
        "content/faq.md",
        "---\ntitle: FAQ\nweight: first\n---\nFAQ-BAD text.\n",
    );
    let e = events
        .next_named("failed", CHANGE_TIMEOUT)
        .unwrap_or_else(|| {
            panic!(
                "no `event: failed` after a bad save\n{}",
                s.run.transcript()
            )
        });
    assert!(
        e.data.contains("content/faq.md:3:") && e.data.contains("weight"),
        "the failed event should carry the diagnostic:\n{}",
        e.data
    );
    s.run
        .wait_line(m, CHANGE_TIMEOUT, "the failed rebuild line", |l| {
            l.contains("the last good version is kept")
        });
    // The last good page is still served.
    assert!(s.get("/faq/").text().contains("FAQ-GOOD"));

    // A browser that connects now is told about the error at once.
    let late = SseStream::open(&s.addr, "/__stillpoint/events");
    let e = late.next_named("failed", Duration::from_secs(2));
    assert!(
        e.is_some_and(|e| e.data.contains("content/faq.md:")),
        "a new client should get the pending error first"
    );

    site.write("content/faq.md", "---\ntitle: FAQ\n---\nFAQ-FIXED text.\n");
    assert!(
        events.next_named("reload", CHANGE_TIMEOUT).is_some(),
        "no `event: reload` after the fix\n{}",
        s.run.transcript()
    );
    assert!(s.get("/faq/").text().contains("FAQ-FIXED"));
}

#[test]
fn serve_uses_the_next_port_when_the_asked_one_is_taken() {
    let site = LiveSite::new("live");
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let tmp = site.scratch();
    let run = site.spawn_env(
        &[
            "serve",
            "--interface",
            "127.0.0.1",
            "--port",
            &port.to_string(),
        ],
        &[("TMPDIR", &tmp)],
    );
    let url = run.served_url();
    let (addr, _) = split_url(&url);
    let used: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
    assert!(
        used > port && used <= port.saturating_add(10),
        "asked for {port} (taken), served on {used}\n{}",
        run.transcript()
    );
    let note = run
        .lines()
        .into_iter()
        .find(|l| l.starts_with("note:") && l.contains(&port.to_string()))
        .unwrap_or_else(|| panic!("no note about port {port}\n{}", run.transcript()));
    assert!(
        note.contains(&format!("port {port} is in use")) && note.contains(&used.to_string()),
        "{note}"
    );
    assert!(run.lines().iter().any(|l| is_build_line(l)));
    let r = http_get(&addr, "/faq/").unwrap();
    assert_status(&r, 200, "/faq/");
    drop(taken);
}

/// Issue 20: a page saved while `serve` runs is served at once, and when its file is deleted
/// its address answers 404 (both are incremental rebuilds: nothing else points at the page).
#[test]
fn serve_shows_a_new_page_and_forgets_a_deleted_one() {
    let site = LiveSite::new("live");
    let s = Server::start(&site, &[]);
    site.wait_until_watching(&s.run);
    assert_status(&s.get("/fresh/"), 404, "/fresh/");

    let m = s.run.mark();
    site.write(
        "content/fresh.md",
        "---\ntitle: Fresh\n---\nFRESH-TEXT here.\n",
    );
    s.run.wait_rebuild(m, "the rebuild after a new page");
    let r = s.get("/fresh/");
    assert_status(&r, 200, "/fresh/");
    assert!(r.text().contains("FRESH-TEXT"), "{}", r.text());
    assert!(s.get("/sitemap.xml").text().contains("/fresh/"));

    let m = s.run.mark();
    fs::remove_file(site.path("content/fresh.md")).unwrap();
    s.run
        .wait_rebuild(m, "the rebuild after the page was deleted");
    let r = s.get("/fresh/");
    assert_status(&r, 404, "/fresh/");
    assert!(r.text().contains("LIVE-NOT-FOUND"), "{}", r.text());
    assert!(!s.get("/sitemap.xml").text().contains("/fresh/"));
    assert_status(&s.get("/faq/"), 200, "/faq/");
}

/// Fast render over real HTTP: on a site whose 600 pages all show a section's title, that
/// section's retitling serves the section's own page first (`event: updated` names it before
/// the `reload` that ends the rebuild), then every page shows the new title. A title that the
/// section's page renders but another page's template rejects is published early and then
/// put back: the last good site is what is served.
#[test]
fn serve_shows_a_retitled_sections_own_page_before_the_rest() {
    let site = section_title_site();
    let s = Server::start(&site, &[]);
    site.wait_until_watching(&s.run);
    let events = SseStream::open(&s.addr, "/__stillpoint/events");
    events.drain();
    let blog = format!("{}blog/", s.base);

    site.write("content/blog/_index.md", "---\ntitle: Journal\n---\n");
    let updated = events
        .next_named("updated", CHANGE_TIMEOUT)
        .unwrap_or_else(|| panic!("no `event: updated`\n{}", s.run.transcript()));
    assert!(
        updated.data.lines().any(|l| l == blog),
        "the early pages should name {blog}:\n{}",
        updated.data
    );
    assert!(
        events.next_named("reload", CHANGE_TIMEOUT).is_some(),
        "no `event: reload` after the early pages\n{}",
        s.run.transcript()
    );
    assert!(s.get(&blog).text().contains("<h1>Journal</h1>"));
    let p3 = s.get(&format!("{blog}p3/")).text();
    assert!(p3.contains("<nav>Journal</nav>"), "{p3}");

    site.write("content/blog/_index.md", "---\ntitle: Broken\n---\n");
    assert!(
        events.next_named("updated", CHANGE_TIMEOUT).is_some(),
        "the section's own page renders, so it goes early\n{}",
        s.run.transcript()
    );
    let failed = events
        .next_named("failed", CHANGE_TIMEOUT)
        .unwrap_or_else(|| panic!("no `event: failed`\n{}", s.run.transcript()));
    assert!(
        failed.data.contains("may not be called Broken"),
        "{}",
        failed.data
    );
    assert!(s.get(&blog).text().contains("<h1>Journal</h1>"));
    assert!(
        s.get(&format!("{blog}p7/"))
            .text()
            .contains("<nav>Journal</nav>")
    );
}
