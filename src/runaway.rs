//! Bounds on the work a template does for one page, so that a runaway template (nested
//! `range` loops of 10¹⁰ steps, a string doubled in a loop) ends the build with a diagnostic
//! instead of running for hours.
//!
//! Tera 2.4 has one limit of its own: `range()` makes at most 100,000 numbers per call. Nothing
//! bounds the total work of a template, and a render cannot be stopped from outside. So:
//!
//! - each page's HTML may be at most [`MAX_PAGE_OUTPUT`] bytes; the writer refuses more;
//! - each render of a template for a page has a wall-clock limit ([`time_limit`]): a watchdog
//!   thread marks renders that run past it, and the writer, `range`, `get_url`, `get_page` and
//!   `get_section` stop a marked render at their next call;
//! - a render that calls none of those (a silent loop) cannot be stopped: [`guarded`] runs the
//!   build on a thread of its own with its own worker pool and, once a render is past its limit
//!   and did not stop, gives up waiting, returns the diagnostic and leaves that thread to finish
//!   on its own (its result is dropped, it never writes the output folder). `build` then exits;
//!   `watch` and `serve` go on rebuilding on fresh threads.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use crate::error::{Diagnostic, Error, Result, Span};

/// The most HTML one page's template may write: 64 MiB (real pages are well under 1 MiB).
pub const MAX_PAGE_OUTPUT: usize = 64 << 20;

/// The wall-clock limit of one template render for one page: 10 seconds, or the number of
/// seconds in the environment variable `STILLPOINT_RENDER_TIMEOUT` (a decimal number).
pub fn time_limit() -> Duration {
    std::env::var("STILLPOINT_RENDER_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(Duration::from_secs(10), Duration::from_secs_f64)
}

/// The stack of the build thread and of each render thread: 16 MiB of address space (pages are
/// only touched when used), twice the main thread's 8 MiB on Linux, where Rust's default for a
/// new thread is 2 MiB. Deep input is bounded where it is read (shortcodes: 64 levels; YAML,
/// JSON, TOML: their parsers' limits of 128 or so), and this leaves room for those bounds in
/// Tera's and pulldown-cmark's own recursion.
const THREAD_STACK: usize = 16 << 20;

/// How long a render past its limit may take to stop before [`guarded`] gives up on it.
const GRACE: Duration = Duration::from_secs(1);

/// A template as a runaway render of it is reported: its name, its file as shown, and its
/// first loop. Made once per template when the templates are loaded, not on every render.
#[derive(Debug)]
pub struct Watched {
    template: String,
    shown: PathBuf,
    first_loop: Option<(Span, String)>,
}

impl Watched {
    /// The template named `template`, shown as `shown`, whose text is `source`.
    pub fn new(template: &str, shown: &Path, source: &str) -> Watched {
        Watched {
            template: template.to_string(),
            shown: shown.to_path_buf(),
            first_loop: first_loop(source),
        }
    }
}

struct Active {
    watched: Arc<Watched>,
    page: String,
    started: Instant,
    cancel: Arc<AtomicBool>,
    /// Already reported by [`guarded`] (its build was given up).
    reported: bool,
}

static ACTIVE: Mutex<BTreeMap<u64, Active>> = Mutex::new(BTreeMap::new());
static NEXT: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static CURRENT: std::cell::RefCell<Option<Arc<AtomicBool>>> = const { std::cell::RefCell::new(None) };
}

/// One render in progress; dropping it ends the registration.
pub struct RenderGuard {
    id: u64,
    cancel: Arc<AtomicBool>,
    previous: Option<Arc<AtomicBool>>,
}

impl Drop for RenderGuard {
    fn drop(&mut self) {
        if let Ok(mut a) = ACTIVE.lock() {
            a.remove(&self.id);
        }
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Registers the render of the template `watched` for the content file `page` on this thread,
/// and starts the watchdog thread the first time.
pub fn start(watched: &Arc<Watched>, page: &str) -> RenderGuard {
    static WATCHDOG: Once = Once::new();
    WATCHDOG.call_once(|| {
        let _ = std::thread::Builder::new()
            .name("stillpoint-render-watchdog".into())
            .spawn(|| {
                loop {
                    std::thread::sleep(Duration::from_millis(20));
                    let limit = time_limit();
                    if let Ok(a) = ACTIVE.lock() {
                        for r in a.values() {
                            if r.started.elapsed() > limit {
                                r.cancel.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                }
            });
    });
    let cancel = Arc::new(AtomicBool::new(false));
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut a) = ACTIVE.lock() {
        a.insert(
            id,
            Active {
                watched: Arc::clone(watched),
                page: page.to_string(),
                started: Instant::now(),
                cancel: Arc::clone(&cancel),
                reported: false,
            },
        );
    }
    let previous = CURRENT.with(|c| c.borrow_mut().replace(Arc::clone(&cancel)));
    RenderGuard {
        id,
        cancel,
        previous,
    }
}

/// Errors when the render running on this thread is past its time limit (for the template
/// functions: a loop that calls one stops there).
pub fn check() -> std::result::Result<(), tera::Error> {
    let over = CURRENT.with(|c| {
        c.borrow()
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
    });
    if over {
        Err(tera::Error::message(over_message()))
    } else {
        Ok(())
    }
}

fn over_message() -> String {
    format!(
        "the template took longer than {} to render this page and was stopped",
        seconds(time_limit())
    )
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s == 1.0 {
        "1 second".to_string()
    } else if s.fract() == 0.0 {
        format!("{s:.0} seconds")
    } else {
        format!("{s} seconds")
    }
}

/// Why a [`LimitedWriter`] refused to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The render ran past [`time_limit`].
    TimeLimit,
    /// The page would be larger than [`MAX_PAGE_OUTPUT`].
    TooLarge,
}

/// The buffer a template renders into: refuses writes past [`MAX_PAGE_OUTPUT`] and writes of a
/// render past its time limit.
///
/// A render makes thousands of small writes, so the time limit is looked at once per
/// [`CHECK_EVERY`] bytes written, not on every write; the size limit is exact.
pub struct LimitedWriter<'a> {
    /// What was written.
    pub buf: Vec<u8>,
    guard: &'a RenderGuard,
    /// The length of `buf` at which the limits are checked next.
    next_check: usize,
    /// Set when a write was refused.
    pub stopped: Option<Stop>,
}

/// How many bytes a [`LimitedWriter`] takes between two checks of its limits.
pub const CHECK_EVERY: usize = 4096;

impl<'a> LimitedWriter<'a> {
    /// An empty buffer for the render of `guard`, with room for a typical page (16 KiB), so
    /// that the many small writes of a render rarely move it.
    pub fn new(guard: &'a RenderGuard) -> Self {
        LimitedWriter {
            buf: Vec::with_capacity(16 * 1024),
            guard,
            next_check: 0,
            stopped: None,
        }
    }

    /// Checks the limits before `more` bytes are added: the error that stops the render, or
    /// `Ok` and the next length to check at.
    #[cold]
    fn check(&mut self, more: usize) -> io::Result<()> {
        if self.guard.cancel.load(Ordering::Relaxed) {
            self.stopped = Some(Stop::TimeLimit);
            return Err(io::Error::other(over_message()));
        }
        if self.buf.len().saturating_add(more) > MAX_PAGE_OUTPUT {
            self.stopped = Some(Stop::TooLarge);
            return Err(io::Error::other("page too large"));
        }
        // Never past the size limit, so that a write over it is always checked.
        self.next_check = (self.buf.len() + more + CHECK_EVERY).min(MAX_PAGE_OUTPUT + 1);
        Ok(())
    }
}

impl io::Write for LimitedWriter<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.write_all(b).map(|()| b.len())
    }
    #[inline]
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        if self.buf.len() + b.len() >= self.next_check {
            self.check(b.len())?;
        }
        self.buf.extend_from_slice(b);
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The first `{% for` of a template (where to look first), as a span and its line.
pub fn first_loop(source: &str) -> Option<(Span, String)> {
    let at = source.find("{% for").or_else(|| source.find("{%- for"))?;
    let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = source[..at].matches('\n').count() + 1;
    let col = source[line_start..at].chars().count() + 1;
    let text = source[line_start..].split('\n').next().unwrap_or("");
    let len = source[at..]
        .find("%}")
        .map_or(2, |e| source[at..at + e + 2].chars().count());
    Some((
        Span::new(line, col, len),
        text.trim_end_matches('\r').to_string(),
    ))
}

/// The diagnostic for a render of the template `shown` (with the text `source`) for `page`
/// with the template named `template`, stopped by `stop`; it points at the template's first
/// loop. The page is recorded with [`Diagnostic::on_page`], so the same runaway template on
/// many pages is reported once.
pub fn diagnostic(
    stop: Stop,
    shown: &Path,
    source: &str,
    page: &str,
    template: &str,
) -> Diagnostic {
    let d = diagnostic_at(stop, shown).on_page(page, template);
    match first_loop(source) {
        Some((span, line)) => d.at_line(span, Some(line)).label(
            "the first loop of this template (the work may be here or in a template it uses)",
        ),
        None => d,
    }
}

fn diagnostic_at(stop: Stop, shown: &Path) -> Diagnostic {
    match stop {
        Stop::TimeLimit => Diagnostic::error(format!(
            "the template {} took longer than {} to render, and was stopped",
            shown.display(),
            seconds(time_limit())
        ))
        .in_file(shown)
        .help("look for loops inside loops (`{% for %}` within `{% for %}`) or a very large `range(...)` in this template and the ones it includes; make them smaller")
        .note("set STILLPOINT_RENDER_TIMEOUT to a number of seconds to allow longer renders"),
        Stop::TooLarge => Diagnostic::error(format!(
            "the template {} wrote more than {} MB of HTML for one page, and was stopped",
            shown.display(),
            MAX_PAGE_OUTPUT >> 20
        ))
        .in_file(shown)
        .help("look for a loop that writes the same text many times, or a very large `range(...)`, in this template and the ones it includes"),
    }
}

/// Renders past their limit plus the grace period that did not stop: marks them reported and
/// returns their diagnostics.
fn stuck() -> Vec<Diagnostic> {
    let limit = time_limit() + GRACE;
    let Ok(mut a) = ACTIVE.lock() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for r in a.values_mut() {
        if !r.reported && r.started.elapsed() > limit {
            r.reported = true;
            let w = &r.watched;
            let mut d = diagnostic_at(Stop::TimeLimit, &w.shown).on_page(&r.page, &w.template);
            if let Some((span, line)) = &w.first_loop {
                d = d.at_line(*span, Some(line.clone())).label(
                    "the first loop of this template (the work may be here or in a template it uses)",
                );
            }
            out.push(d.note(format!(
                "stillpoint could not interrupt this render of {} and stopped waiting for it",
                w.template
            )));
        }
    }
    out
}

/// Runs `build` on a thread of its own, with its own worker pool, and waits for it; gives up
/// with the diagnostics of the stuck renders when a template render runs past its time limit
/// and cannot be stopped (see the module documentation).
///
/// Errors: those of `build`; a stuck render; the thread could not be started.
pub fn guarded<T: Send + 'static>(build: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("stillpoint-build".into())
        .stack_size(THREAD_STACK)
        .spawn(move || {
            let result = match rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("stillpoint-render-{i}"))
                .stack_size(THREAD_STACK)
                .build()
            {
                Ok(pool) => pool.install(build),
                Err(_) => build(),
            };
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(Error::one(Diagnostic::error(format!(
            "could not start a build thread: {e}"
        ))));
    }
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(result) => return result,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Error::one(Diagnostic::error(
                    "the build stopped unexpectedly (an internal error in stillpoint)",
                )));
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let stuck = stuck();
                if !stuck.is_empty() {
                    return Err(Error::Diagnostics(stuck));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// The size limit is exact although the limits are looked at only now and then: a page
    /// may be `MAX_PAGE_OUTPUT` bytes, never one more, whatever the sizes of the writes.
    #[test]
    fn writer_size_limit_is_exact() {
        for piece in [1, 7, 4096, 10_000] {
            let guard = start(
                &Arc::new(Watched::new("t.html", Path::new("t.html"), "")),
                "p.md",
            );
            let mut w = LimitedWriter::new(&guard);
            let chunk = vec![b'x'; piece];
            while w.write_all(&chunk).is_ok() {}
            assert_eq!(w.stopped, Some(Stop::TooLarge));
            assert!(w.buf.len() <= MAX_PAGE_OUTPUT, "{piece}: {}", w.buf.len());
            assert!(
                w.buf.len() + piece > MAX_PAGE_OUTPUT,
                "{piece}: stopped early"
            );
        }
    }

    /// A render past its time limit is stopped within `CHECK_EVERY` bytes of more output.
    #[test]
    fn writer_stops_a_cancelled_render() {
        let guard = start(
            &Arc::new(Watched::new("t.html", Path::new("t.html"), "")),
            "p.md",
        );
        let mut w = LimitedWriter::new(&guard);
        w.write_all(b"<p>").unwrap();
        guard.cancel.store(true, Ordering::Relaxed);
        let mut written = 0;
        while w.write_all(b"ab").is_ok() {
            written += 2;
        }
        assert_eq!(w.stopped, Some(Stop::TimeLimit));
        assert!(written <= CHECK_EVERY, "{written}");
    }
}
