//! Helpers of the live-editing tests (`watch.rs`, `serve.rs`, `browser.rs`): a site copied from
//! `tests/fixtures/`, the real `stillpoint` binary running in the background with its stderr
//! read line by line in a thread, bounded waits, free ports and a small blocking HTTP client.
//!
//! Every wait here is bounded; a wait that runs out panics with what the process printed so
//! far, so a failing test says what the tool did instead.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::support::{copy_tree, file_tree, fixtures_dir};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_stillpoint");

/// How long one change may take to show up in the output (save to rebuilt file).
pub const CHANGE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long to wait for the process to start (first build, server listening).
pub const START_TIMEOUT: Duration = Duration::from_secs(10);

/// How long to watch for a rebuild that should not happen.
pub const QUIET: Duration = Duration::from_millis(1000);

/// A copy of a fixture in a temporary folder: the site is `TMP/site`, so `TMP` itself is a
/// scratch folder on the same file system, outside the site (for renames into it).
pub struct LiveSite {
    dir: TempDir,
    root: PathBuf,
}

impl LiveSite {
    /// Copies `tests/fixtures/NAME`.
    pub fn new(fixture: &str) -> LiveSite {
        let dir = tempfile::Builder::new()
            .prefix("stillpoint-live-")
            .tempdir()
            .unwrap();
        let root = dir.path().join("site");
        copy_tree(&fixtures_dir().join(fixture), &root);
        LiveSite { dir, root }
    }

    /// The site folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A folder outside the site on the same file system (`TMP/scratch`, created).
    pub fn scratch(&self) -> PathBuf {
        let s = self.dir.path().join("scratch");
        fs::create_dir_all(&s).unwrap();
        s
    }

    /// `root/rel`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Writes `rel` in place (creating its folder), like an editor that overwrites the file.
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    /// The text of `public/rel`, if that file exists.
    pub fn output(&self, rel: &str) -> Option<String> {
        fs::read_to_string(self.root.join("public").join(rel)).ok()
    }

    /// Waits until the watcher of `w` (watch or serve) demonstrably sees changes: rewrites
    /// `content/_index.md` unchanged every 400 ms until a rebuild line follows, then until the
    /// output is quiet. Tests that count rebuild lines start from this settled state, so a
    /// slow start on a loaded machine cannot blur their counts. (The tool once printed its
    /// first build line before its watches existed; `watch_sees_a_save_made_right_after_the_
    /// first_build` keeps that fixed without this helper.)
    pub fn wait_until_watching(&self, w: &Running) {
        let index = self.path("content/_index.md");
        let text = fs::read(&index).unwrap();
        let end = Instant::now() + START_TIMEOUT;
        loop {
            let m = w.mark();
            fs::write(&index, &text).unwrap();
            if wait_for(Duration::from_millis(400), || {
                !w.rebuilds_since(m).is_empty()
            }) {
                break;
            }
            assert!(
                Instant::now() < end,
                "the watcher never reacted to a change within {START_TIMEOUT:?}\n{}",
                w.transcript()
            );
        }
        let mut seen = w.mark();
        wait_for(START_TIMEOUT, || {
            std::thread::sleep(Duration::from_millis(250));
            let now = w.mark();
            let quiet = now == seen;
            seen = now;
            quiet
        });
    }

    /// Every file of `public/`.
    pub fn output_tree(&self) -> BTreeMap<String, Vec<u8>> {
        file_tree(&self.root.join("public"))
    }

    /// Builds the site's current sources cleanly into a scratch folder with the real binary and
    /// returns the differences between that tree and `public/` (what watch wrote): `None` when
    /// they are equal byte for byte, else a description naming the differing paths. Also
    /// returns the clean tree. Panics when the clean build fails, with `what`.
    pub fn differences_from_clean_build(
        &self,
        what: &str,
    ) -> (Option<String>, BTreeMap<String, Vec<u8>>) {
        let clean = self.scratch().join("clean");
        let _ = fs::remove_dir_all(&clean);
        let out = Command::new(BIN)
            .args(["build", "--root"])
            .arg(self.root())
            .arg("--output")
            .arg(&clean)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "clean build failed ({what}): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let watched = self.output_tree();
        let fresh = file_tree(&clean);
        let only_watched: Vec<&String> =
            watched.keys().filter(|k| !fresh.contains_key(*k)).collect();
        let only_fresh: Vec<&String> = fresh.keys().filter(|k| !watched.contains_key(*k)).collect();
        let differ: Vec<&String> = watched
            .iter()
            .filter(|(k, v)| fresh.get(*k).is_some_and(|f| f != *v))
            .map(|(k, _)| k)
            .collect();
        let diff = (!(only_watched.is_empty() && only_fresh.is_empty() && differ.is_empty()))
            .then(|| {
                format!(
                    "watch output differs from a clean build ({what}):\n only in watch output: {only_watched:?}\n only in clean build: {only_fresh:?}\n different: {differ:?}"
                )
            });
        (diff, fresh)
    }

    /// Runs `stillpoint ARGS... --root ROOT` in the background.
    pub fn spawn(&self, args: &[&str]) -> Running {
        self.spawn_env(args, &[])
    }

    /// [`LiveSite::spawn`] with extra environment variables.
    pub fn spawn_env(&self, args: &[&str], env: &[(&str, &Path)]) -> Running {
        let mut all: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        all.push("--root".as_ref());
        all.push(self.root.as_os_str());
        Running::start(&all, env)
    }
}

/// The `live` fixture with a blog of 600 pages that all show the blog's title in a nav (fast
/// render: a retitling changes every page). The blog's title `Broken` makes page 7's template
/// throw ("the blog may not be called Broken"); the blog's page has the same head whatever its
/// title, so a browser swaps its body instead of reloading.
pub fn section_title_site() -> LiveSite {
    let site = LiveSite::new("live");
    site.write(
        "templates/page.html",
        "<!doctype html><html><head><title>{{ page.title }}</title></head><body>\
         {% set b = get_section(path=\"blog/_index.md\", metadata_only=true) %}\
         {% if b.title == \"Broken\" and page.title == \"Page 7\" %}\
         {{ throw(message=\"the blog may not be called Broken\") }}{% endif %}\
         <nav>{{ b.title }}</nav><h1>{{ page.title }}</h1></body></html>",
    );
    site.write(
        "templates/section.html",
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Blog</title></head><body>\
         <h1>{{ section.title }}</h1></body></html>",
    );
    site.write("content/blog/_index.md", "---\ntitle: Blog\n---\n");
    for n in 0..600 {
        site.write(
            &format!("content/blog/p{n}.md"),
            &format!("---\ntitle: Page {n}\n---\nText {n}.\n"),
        );
    }
    site
}

/// A page's markdown source with the given title and body.
pub fn page(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n---\n{body}\n")
}

/// Whether a stderr line is the one summary line of a build in watch/serve mode
/// (`Built 2 pages (6 files) in 5 ms`, `content/faq.md changed: rebuilt …`, or
/// `… the site has 1 error; the last good version is kept (3 ms)`).
pub fn is_build_line(line: &str) -> bool {
    let counts = (line.contains(" pages (") || line.contains(" page ("))
        && (line.contains(" files) in ") || line.contains(" file) in "));
    (counts && line.ends_with(" ms"))
        || (line.contains("the last good version is kept (") && line.ends_with(" ms)"))
}

/// Whether a stderr line is the summary line of a rebuild after a change.
pub fn is_rebuild_line(line: &str) -> bool {
    line.contains(" changed: ") && is_build_line(line)
}

/// Polls `ready` every 20 ms until it is true or `timeout` has passed; whether it became true.
pub fn wait_for(timeout: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    loop {
        if ready() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A port that was free a moment ago (bound on 127.0.0.1:0, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

type Lines = Arc<(Mutex<(Vec<String>, bool)>, Condvar)>;

/// A background process whose stderr is collected line by line. Killed when dropped.
pub struct Running {
    child: Child,
    lines: Lines,
    what: String,
}

impl Running {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Starts the binary with `args` (stdout discarded, stderr collected).
    pub fn start(args: &[&std::ffi::OsStr], env: &[(&str, &Path)]) -> Running {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("could not start the stillpoint binary");
        let stderr = child.stderr.take().unwrap();
        let lines: Lines = Arc::new((Mutex::new((Vec::new(), false)), Condvar::new()));
        let shared = Arc::clone(&lines);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&buf).trim_end().to_string();
                        let (lock, cvar) = &*shared;
                        lock.lock().unwrap().0.push(line);
                        cvar.notify_all();
                    }
                }
            }
            let (lock, cvar) = &*shared;
            lock.lock().unwrap().1 = true;
            cvar.notify_all();
        });
        let what = args
            .iter()
            .map(|a| a.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ");
        Running { child, lines, what }
    }

    /// The number of lines printed so far: pass it to [`Running::since`] and friends.
    pub fn mark(&self) -> usize {
        self.lines.0.lock().unwrap().0.len()
    }

    /// Every line printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.0.lock().unwrap().0.clone()
    }

    /// The lines printed after `mark`.
    pub fn since(&self, mark: usize) -> Vec<String> {
        self.lines.0.lock().unwrap().0[mark..].to_vec()
    }

    /// The rebuild lines printed after `mark`.
    pub fn rebuilds_since(&self, mark: usize) -> Vec<String> {
        self.since(mark)
            .into_iter()
            .filter(|l| is_rebuild_line(l))
            .collect()
    }

    /// Everything printed, for failure messages.
    pub fn transcript(&self) -> String {
        format!(
            "--- stderr of `stillpoint {}` ---\n{}\n--- end ---",
            self.what,
            self.lines().join("\n")
        )
    }

    /// Waits (at most `timeout`) for a line after `from` that satisfies `pred`; returns its
    /// index and text. Panics with the transcript, naming `what`, when none comes.
    pub fn wait_line(
        &self,
        from: usize,
        timeout: Duration,
        what: &str,
        pred: impl Fn(&str) -> bool,
    ) -> (usize, String) {
        let end = Instant::now() + timeout;
        let (lock, cvar) = &*self.lines;
        let mut guard = lock.lock().unwrap();
        loop {
            if let Some((i, l)) = guard.0.iter().enumerate().skip(from).find(|(_, l)| pred(l)) {
                return (i, l.clone());
            }
            let now = Instant::now();
            if now >= end || guard.1 {
                drop(guard);
                panic!(
                    "timed out after {timeout:?} waiting for {what}{}\n{}",
                    if self.lines.0.lock().unwrap().1 {
                        " (the process closed its stderr)"
                    } else {
                        ""
                    },
                    self.transcript()
                );
            }
            guard = cvar.wait_timeout(guard, end - now).unwrap().0;
        }
    }

    /// Waits for the next rebuild line after `from`.
    pub fn wait_rebuild(&self, from: usize, what: &str) -> String {
        self.wait_line(from, CHANGE_TIMEOUT, what, is_rebuild_line)
            .1
    }

    /// Whether the process is still running.
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills the process and waits for it.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// For `serve`: waits for `Serving the site at URL (Ctrl-C to stop)` and returns the URL.
    pub fn served_url(&self) -> String {
        let (_, line) = self.wait_line(0, START_TIMEOUT, "the serve URL line", |l| {
            l.starts_with("Serving the site at ")
        });
        let rest = &line["Serving the site at ".len()..];
        rest.split(' ').next().unwrap().to_string()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `host:port` and path of an `http://` URL (no query handling needed here).
pub fn split_url(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.to_string(), "/".to_string()),
    }
}

/// One HTTP response.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `GET TARGET HTTP/1.1` to `addr` (`host:port`) exactly as given (no normalisation of
/// `..` or percent escapes, like `curl --path-as-is`), with `Connection: close`, and reads the
/// whole response.
pub fn http_get(addr: &str, target: &str) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nUser-Agent: stillpoint-tests\r\n\r\n"
    )?;
    stream.flush()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw)
}

fn bad(msg: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg)
}

fn parse_head(head: &str) -> std::io::Result<(u16, Vec<(String, String)>)> {
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("bad status line {status_line:?}")))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok((status, headers))
}

fn parse_response(raw: &[u8]) -> std::io::Result<Response> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad(format!("no end of headers in {} bytes", raw.len())))?;
    let (status, headers) = parse_head(&String::from_utf8_lossy(&raw[..end]))?;
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(nl) = rest.windows(2).position(|w| w == b"\r\n") {
            let size_text = String::from_utf8_lossy(&rest[..nl]);
            let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
                .map_err(|_| bad(format!("bad chunk size {size_text:?}")))?;
            if size == 0 {
                break;
            }
            let start = nl + 2;
            let stop = (start + size).min(rest.len());
            out.extend_from_slice(&rest[start..stop]);
            rest = &rest[(stop + 2).min(rest.len())..];
        }
        body = out;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// One event of a server-sent-events stream.
#[derive(Debug, Clone)]
pub struct SseEvent {
    /// The `event:` field (empty when absent).
    pub event: String,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
}

/// A connection to a server-sent-events stream, read in a thread.
pub struct SseStream {
    rx: std::sync::mpsc::Receiver<SseEvent>,
    stream: TcpStream,
}

impl SseStream {
    /// Opens `GET target` on `addr` and waits (at most 5 s) for the response head, which the
    /// server sends after it subscribed this client. Panics if the status is not 200.
    pub fn open(addr: &str, target: &str) -> SseStream {
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nUser-Agent: stillpoint-tests\r\n\r\n"
        )
        .unwrap();
        let reader = stream.try_clone().unwrap();
        let (head_tx, head_rx) = std::sync::mpsc::channel();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(reader);
            let mut head = String::new();
            loop {
                let mut l = String::new();
                if r.read_line(&mut l).unwrap_or(0) == 0 {
                    return;
                }
                if l == "\r\n" {
                    break;
                }
                head.push_str(&l);
            }
            let Ok((status, headers)) = parse_head(head.trim_end()) else {
                return;
            };
            let chunked = headers
                .iter()
                .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
            let _ = head_tx.send(status);
            // De-chunk into a text buffer, then split events at blank lines.
            let mut text = String::new();
            let mut event = String::new();
            let mut data: Vec<String> = Vec::new();
            loop {
                let piece = if chunked {
                    let mut size_line = String::new();
                    if r.read_line(&mut size_line).unwrap_or(0) == 0 {
                        return;
                    }
                    let Ok(size) = usize::from_str_radix(size_line.trim(), 16) else {
                        return;
                    };
                    if size == 0 {
                        return;
                    }
                    let mut chunk = vec![0; size + 2];
                    if r.read_exact(&mut chunk).is_err() {
                        return;
                    }
                    chunk.truncate(size);
                    String::from_utf8_lossy(&chunk).into_owned()
                } else {
                    let mut l = String::new();
                    if r.read_line(&mut l).unwrap_or(0) == 0 {
                        return;
                    }
                    l
                };
                text.push_str(&piece);
                while let Some(nl) = text.find('\n') {
                    let line: String = text.drain(..=nl).collect();
                    let line = line.trim_end_matches(['\r', '\n']);
                    if line.is_empty() {
                        if !event.is_empty() || !data.is_empty() {
                            let e = SseEvent {
                                event: std::mem::take(&mut event),
                                data: std::mem::take(&mut data).join("\n"),
                            };
                            if tx.send(e).is_err() {
                                return;
                            }
                        }
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim_start().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                    }
                }
            }
        });
        let status = head_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("no response head from the events stream within 5 s");
        assert_eq!(status, 200, "status of {target}");
        SseStream { rx, stream }
    }

    /// The next event whose name is `name` within `timeout` (other events are skipped), or
    /// `None`.
    pub fn next_named(&self, name: &str, timeout: Duration) -> Option<SseEvent> {
        let end = Instant::now() + timeout;
        loop {
            let left = end.checked_duration_since(Instant::now())?;
            match self.rx.recv_timeout(left) {
                Ok(e) if e.event == name => return Some(e),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }

    /// Every event received so far and not yet taken.
    pub fn drain(&self) -> Vec<SseEvent> {
        self.rx.try_iter().collect()
    }
}

impl Drop for SseStream {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}
