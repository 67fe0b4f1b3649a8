//! `stillpoint serve`: watch, plus a local web server with live reload.
//!
//! The site is built in memory with the server's own address as base URL (keeping the path of
//! the configured `base_url`, so a subpath deploy previews as it will be deployed, Zola #1227,
//! #2170); `public/` is never touched, and no file is written. The rebuild loop is
//! [`crate::live`]'s, shared with `watch`: a save that only changes the body of existing pages
//! is rebuilt incrementally ([`crate::incremental`]: only the files that show those pages are
//! rendered again, about 50 ms from save to served page at 10,000 pages); anything else is a
//! full build. The site is served under the base path of its last good build (at `/` until the
//! first one), so a `config.yaml` that is fixed or given a new `base_url` moves it.
//!
//! The server is axum on tokio. A request is answered only from the built site's own table of
//! output paths: a path is percent-decoded once, any `.`/`..`/empty segment, NUL or backslash
//! is refused, and what is left must be a key of that table, so no request can reach a file
//! outside the site (Eleventy dev-server #150, #152). `index.html` answers for folders, `/faq`
//! redirects to `/faq/`, MIME types come from `mime_guess`, and unknown paths get the site's
//! `404.html` with status 404.
//!
//! Live reload: every HTML page gets a small script (`serve/reload.js`; only here, never in
//! `build`) that listens on a server-sent-events stream. After a successful rebuild the server
//! sends `reload`; after a failed one it sends the diagnostics as text, and the page shows them
//! in an overlay over the last good page; the next good save reloads the page, which clears the
//! overlay.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::BuildOptions;
use crate::config::{Config, Overrides};
use crate::error::{Diagnostic, Error, Result, render_diagnostics};
use crate::incremental::{Early, FAST_RENDER_MIN_REST};
use crate::live::{self, Publish, Rebuild, Session, WatchEvent};
use crate::render::BuiltSite;
use crate::watch::{Notice, SiteWatcher};

/// Options of `stillpoint serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site root.
    pub root: PathBuf,
    /// Address to listen on (127.0.0.1 by default).
    pub interface: IpAddr,
    /// Port to listen on; when it is taken, the next free one of the following 10 is used.
    pub port: u16,
    /// Include drafts.
    pub drafts: bool,
    /// `--urls`: how the site's own links are written (`urls:` in config.yaml when `None`).
    pub urls: Option<crate::urls::UrlMode>,
    /// Force the polling watcher.
    pub poll: bool,
}

/// What `serve` tells its caller, to print.
#[derive(Debug)]
pub enum ServeEvent {
    /// The server listens; `url` is the site's address.
    Listening {
        /// The address to open in a browser, e.g. `http://127.0.0.1:1111/` (with the base path).
        url: String,
        /// Set when the asked-for port was taken and another one is used.
        port_note: Option<String>,
    },
    /// A build or rebuild finished.
    Rebuilt(Rebuild),
    /// The site moved to another address on the same server: a good build's `base_url` has
    /// another path than the one before (or than the placeholder's `/`).
    Moved {
        /// The new address to open, e.g. `http://127.0.0.1:1111/docs/`.
        url: String,
    },
    /// Something from the watcher.
    Notice(Notice),
}

impl From<WatchEvent> for ServeEvent {
    fn from(event: WatchEvent) -> Self {
        match event {
            WatchEvent::Rebuilt(r) => ServeEvent::Rebuilt(r),
            WatchEvent::Notice(n) => ServeEvent::Notice(n),
        }
    }
}

/// The path under which the live-reload endpoints live (below the base path).
const ENDPOINT: &str = "/__stillpoint";

/// The live-reload client, injected before `</body>` of every HTML page in serve mode.
const RELOAD_JS: &str = include_str!("serve/reload.js");

/// Adds the live-reload script to every HTML page of `site` (before the last `</body>`, or at
/// the end when there is none). `base_path` is the path of the base URL (`/docs` or empty).
pub fn inject_reload_script(site: &mut BuiltSite, base_path: &str) {
    inject_into_files(&mut site.files, base_path);
}

/// [`inject_reload_script`] for a list of files (output path, bytes).
fn inject_into_files(files: &mut [(String, Vec<u8>)], base_path: &str) {
    let tag = format!(
        r#"<script src="{base_path}{ENDPOINT}/reload.js" data-base="{base_path}"></script>"#
    );
    for (path, bytes) in files {
        if !path.ends_with(".html") {
            continue;
        }
        let at = find_last(bytes, b"</body>").unwrap_or(bytes.len());
        bytes.splice(at..at, tag.bytes());
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
}

#[derive(Clone, Debug)]
enum Message {
    /// A good rebuild: `css` when only stylesheets changed (the page swaps its styles), else
    /// `page` (the page swaps its body), or both.
    Reload(&'static str),
    /// Pages published before the rest of their rebuild (fast render): the URL paths, one a
    /// line ([`page_urls`]); a browser showing one of them swaps its body.
    Updated(String),
    Failed(String),
}

/// What a rebuild changed, as the live-reload script understands it: `css` when every changed
/// file is a stylesheet, `page` when none is, `page,css` when both kinds changed (and for the
/// first build).
fn reload_kind(changed: &[String]) -> &'static str {
    let css = changed.iter().filter(|c| c.ends_with(".css")).count();
    match (css, changed.len() - css) {
        (0, _) if !changed.is_empty() => "page",
        (n, 0) if n > 0 => "css",
        _ => "page,css",
    }
}

/// The last good build, as the server answers it.
#[derive(Default, Clone)]
struct ServedSite {
    /// The path of the base URL it was built for (`/docs`, or empty): it is served under it.
    base_path: String,
    /// Output path (`faq/index.html`) -> bytes.
    files: HashMap<String, Bytes>,
    /// Output path -> the source file of a copied file (read when asked for).
    copies: HashMap<String, PathBuf>,
}

impl ServedSite {
    fn from_built(site: BuiltSite, base_path: &str) -> Self {
        ServedSite {
            base_path: base_path.to_string(),
            files: site
                .files
                .into_iter()
                .map(|(k, v)| (k, Bytes::from(v)))
                .collect(),
            copies: site.copies.into_iter().map(|c| (c.to, c.from)).collect(),
        }
    }

    fn has(&self, key: &str) -> bool {
        self.files.contains_key(key) || self.copies.contains_key(key)
    }
}

struct AppState {
    tx: broadcast::Sender<Message>,
    last_error: Mutex<Option<String>>,
    site: RwLock<Arc<ServedSite>>,
    /// Listening on a loopback address: only loopback `Host` names are answered.
    loopback: bool,
    /// The files a rebuild published early (fast render, [`AppState::publish_early`]) and what
    /// they replaced (none for a new file), until the rebuild is over: put back if it fails.
    replaced: Mutex<Vec<(String, Option<Bytes>)>>,
}

impl AppState {
    /// Serving the placeholder until the first good build.
    fn new(loopback: bool) -> AppState {
        let (tx, _) = broadcast::channel(16);
        AppState {
            tx,
            last_error: Mutex::new(None),
            site: RwLock::new(Arc::new(placeholder())),
            loopback,
            replaced: Mutex::new(Vec::new()),
        }
    }

    /// Publishes an incremental rebuild's first files (output path, bytes: the saved
    /// documents' own pages, [`crate::incremental::Early`]), with the live-reload script, and
    /// tells the browsers showing one of them to update; what each replaced is kept until the
    /// rebuild is over ([`AppState::rebuild_over`]).
    fn publish_early(&self, mut files: Vec<(String, Vec<u8>)>, base_path: &str) {
        inject_into_files(&mut files, base_path);
        let urls = page_urls(files.iter().map(|(path, _)| path.as_str()), base_path);
        if let Ok(mut replaced) = self.replaced.lock()
            && let Ok(mut current) = self.site.write()
        {
            let site = Arc::make_mut(&mut current);
            for (path, bytes) in files {
                let old = site.files.insert(path.clone(), Bytes::from(bytes));
                if !replaced.iter().any(|(p, _)| *p == path) {
                    replaced.push((path, old));
                }
            }
        }
        let _ = self.tx.send(Message::Updated(urls));
    }

    /// A rebuild is over: after a good one, what was published early stays; after a failed
    /// one, what it replaced is put back (the last good site stays, as [`crate::live`] says).
    fn rebuild_over(&self, good: bool) {
        let Ok(mut replaced) = self.replaced.lock() else {
            return;
        };
        if good || replaced.is_empty() {
            replaced.clear();
            return;
        }
        let Ok(mut current) = self.site.write() else {
            return;
        };
        let site = Arc::make_mut(&mut current);
        for (path, old) in replaced.drain(..) {
            match old {
                Some(bytes) => site.files.insert(path, bytes),
                None => site.files.remove(&path),
            };
        }
    }

    /// The site served now; a request answers from it even if a rebuild swaps in the next.
    fn site(&self) -> Arc<ServedSite> {
        self.site.read().map(|s| Arc::clone(&s)).unwrap_or_default()
    }

    /// Tells the browsers how a build ended: what to reload after a good one; the diagnostics
    /// after a failed one (also kept for the pages that connect later).
    fn announce(&self, rebuild: &Rebuild) {
        match &rebuild.outcome {
            Ok(_) => {
                let recovered = self
                    .last_error
                    .lock()
                    .map(|mut e| e.take().is_some())
                    .unwrap_or(false);
                // After a failed build the page shows the overlay: swap the whole page.
                let kind = if recovered {
                    "page,css"
                } else {
                    reload_kind(&rebuild.changed)
                };
                let _ = self.tx.send(Message::Reload(kind));
            }
            Err(diags) => {
                let text = render_diagnostics(diags, false);
                if let Ok(mut e) = self.last_error.lock() {
                    *e = Some(text.clone());
                }
                let _ = self.tx.send(Message::Failed(text));
            }
        }
    }
}

/// `serve`'s [`Publish`]: a good build goes, with the live-reload script in every page, into
/// the site the server answers from, under the base path of the build's config; then the
/// browsers are told.
struct Preview(Arc<AppState>);

impl Publish for Preview {
    fn full(&mut self, mut site: BuiltSite, config: &Config) -> Result<()> {
        inject_reload_script(&mut site, &config.base_path);
        let next = Arc::new(ServedSite::from_built(site, &config.base_path));
        if let Ok(mut current) = self.0.site.write() {
            *current = next;
        }
        Ok(())
    }

    fn partial(
        &mut self,
        mut files: Vec<(String, Vec<u8>)>,
        removed: &[String],
        config: &Config,
    ) -> Result<()> {
        inject_into_files(&mut files, &config.base_path);
        // In place, unless a request still holds the current site (then a copy).
        if let Ok(mut current) = self.0.site.write() {
            let site = Arc::make_mut(&mut current);
            for path in removed {
                site.files.remove(path);
            }
            for (path, bytes) in files {
                site.files.insert(path, Bytes::from(bytes));
            }
        }
        Ok(())
    }

    fn finished(&mut self, rebuild: &Rebuild) {
        self.0.rebuild_over(rebuild.outcome.is_ok());
        self.0.announce(rebuild);
    }

    /// Fast render: the saved documents' own pages are served (and the browsers showing them
    /// updated) before the rest of a rebuild that changes at least
    /// [`FAST_RENDER_MIN_REST`] other files.
    fn early(&self, config: &Config) -> Option<Early> {
        let state = Arc::clone(&self.0);
        let base_path = config.base_path.clone();
        Some(Early {
            publish: Arc::new(move |files| state.publish_early(files, &base_path)),
            min_rest: FAST_RENDER_MIN_REST,
        })
    }
}

/// The URL paths of the HTML files among `outputs` (output paths, `sec/index.html`) under
/// `base_path`, one a line, as the live-reload script compares them with its page's decoded
/// path: `/docs/sec/` and `/docs/sec/index.html` for `sec/index.html`.
fn page_urls<'a>(outputs: impl Iterator<Item = &'a str>, base_path: &str) -> String {
    let mut urls = Vec::new();
    // A line break in a path would split it (and a carriage return cannot go in an event).
    let one_line = |p: &&str| !p.contains(['\n', '\r']);
    for path in outputs.filter(|p| p.ends_with(".html")).filter(one_line) {
        urls.push(format!("{base_path}/{path}"));
        if let Some(folder) = path.strip_suffix("index.html")
            && (folder.is_empty() || folder.ends_with('/'))
        {
            urls.push(format!("{base_path}/{folder}"));
        }
    }
    urls.join("\n")
}

/// Refuses what a browser previewing the site never sends (see [`crate::serve_guard`]).
async fn guard(
    State(state): State<Arc<AppState>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if let Some((status, text)) =
        crate::serve_guard::refusal(req.method(), req.uri(), req.headers(), state.loopback)
    {
        return (status, [(header::CONNECTION, "close")], text).into_response();
    }
    next.run(req).await
}

/// The table key for a request path below the base path, or `None` when the path is not a
/// plain relative path: percent-decoded once, it must be UTF-8 without NUL or backslash, and
/// no segment may be empty (except a trailing slash), `.` or `..`. A trailing slash asks for
/// the folder's `index.html`. Returns (key, asked for a folder).
fn request_key(path: &str) -> Option<(String, bool)> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    if decoded.contains(['\0', '\\']) {
        return None;
    }
    let rel = decoded.strip_prefix('/').unwrap_or(&decoded);
    if rel.is_empty() {
        return Some(("index.html".into(), true));
    }
    let folder = rel.ends_with('/');
    let trimmed = rel.strip_suffix('/').unwrap_or(rel);
    if trimmed
        .split('/')
        .any(|seg| seg.is_empty() || seg == "." || seg == "..")
    {
        return None;
    }
    Some(if folder {
        (format!("{trimmed}/index.html"), true)
    } else {
        (trimmed.to_string(), false)
    })
}

fn content_type(key: &str) -> String {
    let mime = mime_guess::from_path(key).first_or_octet_stream();
    match mime.type_() {
        mime_guess::mime::TEXT => format!("{mime}; charset=utf-8"),
        _ if mime.subtype() == mime_guess::mime::JAVASCRIPT
            || mime.subtype() == mime_guess::mime::XML =>
        {
            format!("{mime}; charset=utf-8")
        }
        _ => mime.to_string(),
    }
}

fn file_response(key: &str, body: Bytes, status: StatusCode) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, content_type(key)),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

async fn not_found(site: &ServedSite) -> Response {
    match site.files.get("404.html") {
        Some(b) => file_response("404.html", b.clone(), StatusCode::NOT_FOUND),
        None => (StatusCode::NOT_FOUND, "Not found").into_response(),
    }
}

/// Answers a request for a file of `site`.
async fn site_file(site: &ServedSite, uri: &Uri) -> Response {
    let Some(below) = uri.path().strip_prefix(site.base_path.as_str()) else {
        return (
            StatusCode::NOT_FOUND,
            "Not found: this site is served under its base path.",
        )
            .into_response();
    };
    if !below.is_empty() && !below.starts_with('/') {
        return not_found(site).await;
    }
    let Some((key, folder)) = request_key(below) else {
        return not_found(site).await;
    };
    if let Some(b) = site.files.get(&key) {
        return file_response(&key, b.clone(), StatusCode::OK);
    }
    if let Some(src) = site.copies.get(&key) {
        return match tokio::fs::read(src).await {
            Ok(bytes) => file_response(&key, Bytes::from(bytes), StatusCode::OK),
            Err(_) => not_found(site).await,
        };
    }
    if !folder && site.has(&format!("{key}/index.html")) {
        let mut to = format!("{}{}/", site.base_path, below.trim_end_matches('/'));
        if let Some(q) = uri.query() {
            to.push('?');
            to.push_str(q);
        }
        return Redirect::temporary(&to).into_response();
    }
    not_found(site).await
}

/// The live-reload event stream: `reload` after a good build, `failed` with the diagnostics
/// after a failed one (at once, for a page that connects while the site has errors).
fn events(state: &AppState) -> Response {
    let rx = state.tx.subscribe();
    let pending = state.last_error.lock().map(|e| e.clone()).unwrap_or(None);
    let first = pending.map(Message::Failed);
    let stream = futures_util::stream::unfold((first, rx), |(first, mut rx)| async move {
        let msg = match first {
            Some(m) => m,
            None => loop {
                match rx.recv().await {
                    Ok(m) => break m,
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            },
        };
        let event = match msg {
            Message::Reload(kind) => SseEvent::default().event("reload").data(kind),
            Message::Updated(urls) => SseEvent::default().event("updated").data(urls),
            Message::Failed(text) => SseEvent::default().event("failed").data(text),
        };
        Some((Ok::<_, std::convert::Infallible>(event), (None, rx)))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn reload_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        RELOAD_JS,
    )
        .into_response()
}

/// Answers a request after the [`guard`]: the live-reload endpoints and the site's files under
/// the base path of the site served now (a new `base_url` in `config.yaml` moves it), and a
/// redirect from `/` to that base path.
async fn answer(State(state): State<Arc<AppState>>, uri: Uri) -> Response {
    let site = state.site();
    let base_path = site.base_path.as_str();
    let endpoint = uri
        .path()
        .strip_prefix(base_path)
        .and_then(|p| p.strip_prefix(ENDPOINT));
    match endpoint {
        Some("/events") => events(&state),
        Some("/reload.js") => reload_js(),
        _ if uri.path() == "/" && !base_path.is_empty() => {
            Redirect::temporary(&format!("{base_path}/")).into_response()
        }
        _ => site_file(&site, &uri).await,
    }
}

/// The router: every request goes through the [`guard`], then to [`answer`].
fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .fallback(answer)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            guard,
        ))
        .with_state(state)
}

/// Binds `interface:port`, or the next free port of the following 10 when it is taken.
///
/// Errors: no port free, or the address cannot be used at all (with a hint).
async fn bind(interface: IpAddr, port: u16) -> Result<(TcpListener, Option<String>)> {
    let mut last = None;
    for p in port..=port.saturating_add(10) {
        match TcpListener::bind(SocketAddr::new(interface, p)).await {
            Ok(l) => {
                let note = (p != port)
                    .then(|| format!("port {port} is in use, so the site is served on port {p}"));
                return Ok((l, note));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && port != 0 => last = Some(e),
            Err(e) => {
                return Err(Error::one(
                    Diagnostic::error(format!("could not listen on {interface}:{p}: {e}"))
                        .help("use --interface 127.0.0.1, or another --port"),
                ));
            }
        }
    }
    Err(Error::one(
        Diagnostic::error(format!(
            "ports {port} to {} are all in use{}",
            port.saturating_add(10),
            last.map(|e| format!(" ({e})")).unwrap_or_default()
        ))
        .help("stop the other program using the port, or pick another with --port"),
    ))
}

/// The site served while it has never built successfully: one page whose overlay shows the
/// error, at the host's root (the base path is not known before a good build).
fn placeholder() -> ServedSite {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>stillpoint: the site has errors</title></head><body><main><h1>The site could not be built yet</h1><p>Fix the error shown in the terminal, save, and this page updates by itself.</p></main><script src=\"{ENDPOINT}/reload.js\" data-base=\"\"></script></body></html>"
    );
    let bytes = Bytes::from(page.into_bytes());
    ServedSite {
        base_path: String::new(),
        files: HashMap::from([
            ("index.html".into(), bytes.clone()),
            ("404.html".into(), bytes),
        ]),
        copies: HashMap::new(),
    }
}

/// The tokio runtime the server runs on: one worker thread is plenty for a preview on one's own
/// machine (the calling thread runs the watch loop; a current-thread runtime would need a
/// thread of its own to run on, and a bounded wait for the open event streams at the end).
///
/// Errors: it cannot start (named by the address the server was to listen on).
fn start_runtime(options: &ServeOptions) -> Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| {
            let addr = SocketAddr::new(options.interface, options.port);
            Error::one(Diagnostic::error(format!(
                "could not start the server for {addr}: {e}"
            )))
        })
}

/// `http://HOST:PORT` of the bound `listener` (an IPv6 host in brackets).
///
/// Errors: the listener has no address (named by the address asked for).
fn origin(listener: &TcpListener, options: &ServeOptions) -> Result<String> {
    let addr = listener.local_addr().map_err(|e| {
        let asked = SocketAddr::new(options.interface, options.port);
        Error::one(Diagnostic::error(format!(
            "could not listen on {asked}: {e}"
        )))
    })?;
    let host = match addr.ip() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    Ok(format!("http://{host}:{}", addr.port()))
}

/// What serve builds: the site in memory, with the server's `origin` in place of the scheme,
/// host and port of `base_url` (its path is kept, so a subpath deploy previews as deployed).
fn build_options(options: &ServeOptions, origin: &str) -> BuildOptions {
    BuildOptions {
        root: options.root.clone(),
        overrides: Overrides {
            base_origin: Some(origin.to_string()),
            drafts: options.drafts,
            urls: options.urls,
            ..Overrides::default()
        },
        dry_run: true,
    }
}

/// Serves `app` on `listener` until `stop` is set. A server that ends by itself (an error) sets
/// `stop` too, so that the watch loop ends and [`serve`] reports it.
async fn run_server(
    listener: TcpListener,
    app: Router,
    stop: Arc<AtomicBool>,
) -> std::io::Result<()> {
    let until_stopped = {
        let stop = Arc::clone(&stop);
        async move {
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(until_stopped)
        .await;
    stop.store(true, Ordering::Relaxed);
    served
}

/// How the server task ended, once `serve` stops: still running (it stops with the runtime)
/// or ended cleanly is `Ok`.
///
/// Errors: the server at `origin` failed or panicked.
fn server_result(
    runtime: &Runtime,
    server: JoinHandle<std::io::Result<()>>,
    origin: &str,
) -> Result<()> {
    if !server.is_finished() {
        return Ok(());
    }
    let why = match runtime.block_on(server) {
        Ok(Ok(())) => return Ok(()),
        Ok(Err(e)) => e.to_string(),
        Err(e) => e.to_string(),
    };
    Err(Error::one(Diagnostic::error(format!(
        "the server at {origin}/ stopped: {why}"
    ))))
}

/// Runs the dev server until `stop` is set (the binary sets it on Ctrl-C).
///
/// Errors: the runtime cannot start, the port cannot be bound, the site cannot be watched, or
/// the server stops by itself. Build errors are not errors of `serve`: they are reported
/// through `on` and shown in the browser, and the last good site stays served.
pub fn serve(
    options: &ServeOptions,
    stop: &Arc<AtomicBool>,
    mut on: impl FnMut(ServeEvent),
) -> Result<()> {
    let runtime = start_runtime(options)?;
    let (listener, port_note) = runtime.block_on(bind(options.interface, options.port))?;
    let origin = origin(&listener, options)?;
    let state = Arc::new(AppState::new(options.interface.is_loopback()));
    let mut preview = Preview(Arc::clone(&state));
    // Watch first: a save made during the first build must not be lost.
    let watcher = SiteWatcher::start(&options.root, options.poll)?;
    let mut session = Session::new(build_options(options, &origin));
    on(ServeEvent::Rebuilt(
        session.rebuild(Vec::new(), &mut preview),
    ));

    let app = router(Arc::clone(&state));
    let server = runtime.spawn(run_server(listener, app, Arc::clone(stop)));
    on(ServeEvent::Listening {
        url: format!("{origin}{}/", state.site().base_path),
        port_note,
    });
    let mut shown_path = state.site().base_path.clone();
    let watched = live::follow(watcher, session, &mut preview, stop, |e| {
        on(e.into());
        let now = state.site().base_path.clone();
        if now != shown_path {
            on(ServeEvent::Moved {
                url: format!("{origin}{now}/"),
            });
            shown_path = now;
        }
    });
    stop.store(true, Ordering::Relaxed);
    let served = server_result(&runtime, server, &origin);
    runtime.shutdown_timeout(Duration::from_secs(1));
    watched.and(served)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_map_to_keys_or_are_refused() {
        let ok: &[(&str, (&str, bool))] = &[
            ("", ("index.html", true)),
            ("/", ("index.html", true)),
            ("/faq/", ("faq/index.html", true)),
            ("/faq", ("faq", false)),
            ("/css/site.css", ("css/site.css", false)),
            ("/fichier%20%C3%A9t%C3%A9.txt", ("fichier été.txt", false)),
            ("/%C3%BCber/", ("über/index.html", true)),
        ];
        for (path, (key, folder)) in ok {
            assert_eq!(
                request_key(path),
                Some(((*key).to_string(), *folder)),
                "{path}"
            );
        }
        for bad in [
            "/../config.yaml",
            "/%2e%2e/config.yaml",
            "/%2e%2e%2fconfig.yaml",
            "/..%2fconfig.yaml",
            "/..%5cconfig.yaml",
            "/faq/../../config.yaml",
            "//etc/passwd",
            "/%2fetc%2fpasswd",
            "/a/./b",
            "/a%00b",
            "/%ff%fe",
            "/a//b",
        ] {
            assert_eq!(request_key(bad), None, "{bad}");
        }
        // Decoded once: `%252e` stays the literal name `%2e`, which is no site file.
        assert_eq!(
            request_key("/%252e%252e/x"),
            Some(("%2e%2e/x".into(), false))
        );
    }

    #[test]
    fn reload_kinds() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(reload_kind(&v(&["content/faq.md"])), "page");
        assert_eq!(
            reload_kind(&v(&["themes/default/static/css/site.css"])),
            "css"
        );
        assert_eq!(
            reload_kind(&v(&["static/a.css", "content/faq.md"])),
            "page,css"
        );
        assert_eq!(reload_kind(&[]), "page,css");
    }

    #[test]
    fn script_goes_before_the_last_body_end_tag() {
        let mut site = BuiltSite {
            files: vec![
                (
                    "index.html".into(),
                    b"<html><body><p>x</p></BODY></html>".to_vec(),
                ),
                ("feed.xml".into(), b"<feed/>".to_vec()),
                ("bare.html".into(), b"<p>no body</p>".to_vec()),
            ],
            ..Default::default()
        };
        inject_reload_script(&mut site, "/docs");
        let index = String::from_utf8(site.files[0].1.clone()).unwrap();
        assert!(
            index.contains(
                r#"<script src="/docs/__stillpoint/reload.js" data-base="/docs"></script></BODY>"#
            ),
            "{index}"
        );
        assert_eq!(site.files[1].1, b"<feed/>");
        assert!(
            String::from_utf8(site.files[2].1.clone())
                .unwrap()
                .ends_with("</script>")
        );
    }
}

#[cfg(test)]
mod early_tests {
    use super::*;

    fn served(state: &AppState, path: &str) -> Option<Vec<u8>> {
        state.site().files.get(path).map(|b| b.to_vec())
    }

    #[test]
    fn page_urls_name_each_html_page_as_a_browser_shows_it() {
        let outputs = ["index.html", "blog/index.html", "faq.html", "blog/atom.xml"];
        assert_eq!(
            page_urls(outputs.into_iter(), "/docs"),
            "/docs/index.html\n/docs/\n/docs/blog/index.html\n/docs/blog/\n/docs/faq.html"
        );
        // `myindex.html` is not a folder's page; a line break would split a path.
        let odd = ["a/myindex.html", "b\r/index.html", "c\n/index.html"];
        assert_eq!(page_urls(odd.into_iter(), ""), "/a/myindex.html");
    }

    /// Files published early are served at once and the browsers are told which pages; after a
    /// good rebuild they stay, after a failed one what they replaced is put back (a new file is
    /// removed again).
    #[test]
    fn early_files_stay_after_a_good_rebuild_and_go_after_a_failed_one() {
        let state = AppState::new(true);
        let mut events = state.tx.subscribe();
        {
            let mut site = state.site.write().unwrap();
            let site = Arc::make_mut(&mut site);
            site.files.clear();
            site.files
                .insert("blog/index.html".into(), Bytes::from("old"));
        }
        let early = |state: &AppState| {
            state.publish_early(
                vec![
                    ("blog/index.html".into(), b"<body>new</body>".to_vec()),
                    ("blog/new/index.html".into(), b"added".to_vec()),
                ],
                "",
            )
        };
        early(&state);
        let page = served(&state, "blog/index.html").unwrap();
        assert!(page.starts_with(b"<body>new<script src=\"/__stillpoint/reload.js\""));
        assert!(
            served(&state, "blog/new/index.html")
                .unwrap()
                .starts_with(b"added<script")
        );
        match events.try_recv().unwrap() {
            Message::Updated(urls) => assert_eq!(
                urls,
                "/blog/index.html\n/blog/\n/blog/new/index.html\n/blog/new/"
            ),
            other => panic!("expected the early pages, got {other:?}"),
        }
        // Published early twice in one rebuild, the first old bytes are what is put back.
        early(&state);
        state.rebuild_over(false);
        assert_eq!(served(&state, "blog/index.html").unwrap(), b"old");
        assert_eq!(served(&state, "blog/new/index.html"), None);

        early(&state);
        state.rebuild_over(true);
        assert!(
            served(&state, "blog/new/index.html")
                .unwrap()
                .starts_with(b"added<script")
        );
        // Nothing is left to put back for the next rebuild.
        state.rebuild_over(false);
        assert!(
            served(&state, "blog/new/index.html")
                .unwrap()
                .starts_with(b"added<script")
        );
    }
}
