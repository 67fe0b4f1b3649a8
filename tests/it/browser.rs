//! End to end in a real browser: Debian's chromium, headless, driven through WebDriver by
//! `fantoccini` and Debian's `chromedriver`, on a page served by `stillpoint serve`. A save
//! must update the open page by itself (no refresh by the test), a bad save must show the error
//! overlay naming the file, and the fix must remove it. A section's new title must show on its
//! open page before the rest of a long rebuild is done (fast render), and be taken back when
//! the rest fails.
//!
//! Needs `apt-get install -y chromium chromium-driver`; the test fails when they are missing,
//! unless `STILLPOINT_SKIP_BROWSER=1` is set.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

use crate::live::{LiveSite, Running, free_port, section_title_site, wait_for};

/// How long the page may take to show a change.
const PAGE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the screenshot of the error overlay is written.
const SCREENSHOT: &str = "/tmp/stillpoint-overlay.png";

const CHROMIUM: &str = "/usr/bin/chromium";

fn find_program(name: &str, usual: &str) -> Option<PathBuf> {
    if Path::new(usual).is_file() {
        return Some(usual.into());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// chromedriver in its own process group; the whole group (chromedriver and the browsers it
/// started) is killed on drop, also when the test panics.
struct Driver {
    child: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Evaluates `script` (a function body with `return`) in the page.
async fn eval(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.unwrap_or(Value::Null)
}

/// Polls `script` every 100 ms until `ok` accepts its value; panics with `what` and the last
/// value after [`PAGE_TIMEOUT`].
async fn wait_page(client: &Client, what: &str, script: &str, ok: impl Fn(&Value) -> bool) {
    let end = Instant::now() + PAGE_TIMEOUT;
    loop {
        let v = eval(client, script).await;
        if ok(&v) {
            return;
        }
        if Instant::now() >= end {
            let url = client.current_url().await.map(|u| u.to_string());
            panic!(
                "timed out after {PAGE_TIMEOUT:?} waiting for {what}; last value {v}; page {url:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `site` served on a free port, watching; returns the server and its URL. Its private build
/// folder goes in the site's scratch folder, removed with it.
fn serve(site: &LiveSite) -> (Running, String) {
    let tmp = site.scratch();
    let serve = site.spawn_env(
        &["serve", "--interface", "127.0.0.1", "--port", "0"],
        &[("TMPDIR", &tmp)],
    );
    let url = serve.served_url();
    site.wait_until_watching(&serve);
    (serve, url)
}

/// Waits for the page's live-reload script, then gives it a moment to open its event stream.
async fn live_reload_ready(client: &Client) {
    wait_page(
        client,
        "the live-reload script",
        "return !!document.querySelector('script[src$=\"/__stillpoint/reload.js\"]');",
        |v| v == &Value::Bool(true),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
}

const CONTENT_TEXT: &str =
    "var c = document.getElementById('content'); return c ? c.textContent : null;";
const OVERLAY_TEXT: &str =
    "var o = document.getElementById('stillpoint-overlay'); return o ? o.innerText : null;";

fn text_has(v: &Value, needle: &str) -> bool {
    v.as_str().is_some_and(|t| t.contains(needle))
}

/// Headless chromium driven by chromedriver (in its own process group, killed on drop with its
/// browsers) with a fresh profile, removed on drop.
pub struct Browser {
    pub client: Client,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and a chromium session through it. None when
    /// `STILLPOINT_SKIP_BROWSER=1` (the caller skips its test); panics when chromium or
    /// chromedriver is missing, or when the session cannot start.
    #[allow(clippy::print_stderr)]
    pub async fn start() -> Option<Browser> {
        if std::env::var("STILLPOINT_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!(
                "STILLPOINT_SKIP_BROWSER=1: skipping the browser test (chromium + chromedriver)"
            );
            return None;
        }
        let chromium = find_program("chromium", CHROMIUM);
        let chromedriver = find_program("chromedriver", "/usr/bin/chromedriver");
        let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
            panic!(
                "the browser test needs Debian's chromium and chromedriver: install them with \
                 `apt-get update && apt-get install -y chromium chromium-driver` \
                 (or set STILLPOINT_SKIP_BROWSER=1 to skip this test)"
            );
        };

        // chromedriver on a free port, in its own process group.
        let port = free_port();
        let child = {
            use std::os::unix::process::CommandExt;
            Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .expect("could not start chromedriver")
        };
        let _driver = Driver { child };
        let up = wait_for(Duration::from_secs(10), || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        assert!(up, "chromedriver did not listen on port {port} within 10 s");

        // The browser.
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium.to_string_lossy(),
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--window-size=1000,700",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("could not start a chromium session via chromedriver: {e}"));

        Some(Browser {
            client,
            _driver,
            _profile: profile,
        })
    }

    /// Ends the session.
    pub async fn close(self) {
        self.client.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver (~3 s); run by .ci/run"]
#[allow(clippy::print_stderr)]
async fn browser_page_follows_saves_and_shows_the_error_overlay() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let client = &browser.client;
    // The site, served.
    let site = LiveSite::new("live");
    let (serve, url) = serve(&site);

    let faq_url = format!("{url}faq/");
    client.goto(&faq_url).await.unwrap();
    wait_page(client, "the first FAQ text", CONTENT_TEXT, |v| {
        text_has(v, "FAQ-V1")
    })
    .await;
    live_reload_ready(client).await;

    // 1. A good save: the page updates by itself.
    site.write("content/faq.md", "---\ntitle: FAQ\n---\nFAQ-LIVE-2 text.\n");
    wait_page(
        client,
        "the saved text without a refresh",
        CONTENT_TEXT,
        |v| text_has(v, "FAQ-LIVE-2"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    // 2. A bad save: the overlay names the file; the last good page stays under it.
    site.write(
        "content/faq.md",
        "---\ntitle: FAQ\nweight: first\n---\nFAQ-BAD text.\n",
    );
    wait_page(client, "the error overlay", OVERLAY_TEXT, |v| {
        text_has(v, "content/faq.md")
    })
    .await;
    let overlay = eval(client, OVERLAY_TEXT).await;
    assert!(
        text_has(&overlay, "weight") && text_has(&overlay, "content/faq.md:3:"),
        "overlay text: {overlay}"
    );
    assert!(text_has(&eval(client, CONTENT_TEXT).await, "FAQ-LIVE-2"));
    let png = client.screenshot().await.unwrap();
    std::fs::write(SCREENSHOT, &png).unwrap();
    eprintln!("screenshot of the error overlay: {SCREENSHOT}");

    // 3. The fix: the overlay goes, the fixed text shows.
    site.write("content/faq.md", "---\ntitle: FAQ\n---\nFAQ-FIXED text.\n");
    wait_page(
        client,
        "the fixed text without the overlay",
        "var o = document.getElementById('stillpoint-overlay'); var c = document.getElementById('content'); return (o === null && c) ? c.textContent : null;",
        |v| text_has(v, "FAQ-FIXED"),
    )
    .await;

    browser.close().await;
    drop(serve);
}

/// Fast render as a person sees it: the browser showing a section's page swaps in its new title
/// as soon as that page is served (the `updated` event), before the 600 pages that show the
/// title in their nav are done, and once more when the rebuild is over: two swaps, both with
/// the new title. When another page then fails, the early version is taken back: the page
/// shows the last good title again, under the error overlay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver (~4 s); run by .ci/run"]
async fn browser_shows_a_retitled_section_before_the_rest_of_the_site() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let client = &browser.client;
    let site = section_title_site();
    let (serve, url) = serve(&site);

    client.goto(&format!("{url}blog/")).await.unwrap();
    let h1 = "var h = document.querySelector('h1'); return h ? h.textContent : null;";
    wait_page(client, "the section's title", h1, |v| text_has(v, "Blog")).await;
    live_reload_ready(client).await;
    // Every body swapped in, by the title it shows.
    eval(
        client,
        "window.swaps = []; new MutationObserver(function () { \
           var h = document.querySelector('h1'); window.swaps.push(h ? h.textContent : ''); \
         }).observe(document.documentElement, { childList: true }); return true;",
    )
    .await;
    let swaps = "return window.swaps ? window.swaps.join('|') : null;";

    site.write("content/blog/_index.md", "---\ntitle: Journal\n---\n");
    wait_page(client, "the new title, swapped in twice", swaps, |v| {
        v.as_str() == Some("Journal|Journal")
    })
    .await;
    assert_eq!(eval(client, h1).await, Value::from("Journal"));

    site.write("content/blog/_index.md", "---\ntitle: Broken\n---\n");
    wait_page(client, "the error overlay", OVERLAY_TEXT, |v| {
        text_has(v, "may not be called Broken")
    })
    .await;
    assert_eq!(
        eval(client, swaps).await,
        Value::from("Journal|Journal|Broken|Journal"),
        "the early version is shown, then the last good one"
    );
    assert_eq!(eval(client, h1).await, Value::from("Journal"));

    browser.close().await;
    drop(serve);
}
