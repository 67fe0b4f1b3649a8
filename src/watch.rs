//! Watching the site for changes: events in, changed paths out (the rebuild loop of `watch`
//! and `serve` that uses them is [`crate::live`]).
//!
//! In: the site root, and the folders to ignore (the output folder, once a build has named it).
//! Out: the changed paths after each burst of file events, from [`SiteWatcher::next_change`].
//! Events come from notify through its debouncer (notify-debouncer-full), so an editor's save —
//! in place, write-temp-then-rename (VS Code, many tools), move-aside-then-write (Vim), `sed -i`
//! — arrives as one burst and gives exactly one rebuild (Zola #2266, notify #531); a save slower
//! than the debounce window (a loaded machine, a sync client) is held until it is finished
//! ([`InFlux`]), so no build reads a half-saved page. [`relevant_change`], a pure function,
//! drops what must never trigger a build: editor swap, backup and lock files (mdBook #2224,
//! #1160), the output folder and the staging folders, and `Access` events (a build reading its
//! sources would otherwise trigger the next build forever). A burst that changed no file's
//! bytes (`touch`, Vim's trailing chmod) is dropped too (`Fingerprints`).
//!
//! Where native events are unavailable (some network and container file systems) the watcher
//! falls back to polling; `poll: true` forces it. What a change rebuilds is decided elsewhere: a
//! save that only edits existing pages' text (or their `title`, `description` or `extra`) is
//! rebuilt incrementally through [`crate::incremental`]; anything else is a full build.
//! Random-save tests hold both equal to a clean build (`tests/it/incremental.rs`), since Zola's
//! partial rebuilds kept breaking (Zola #962, #1014).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::{self, EventKind, PollWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, NoCache, RecommendedCache, new_debouncer, new_debouncer_opt,
};

use crate::content::{is_editor_junk, is_ignored_name};
use crate::error::{Diagnostic, Error, Result};

/// The top-level folders of a site whose changes trigger a rebuild (besides `config.yaml`).
pub const WATCHED_DIRS: &[&str] = &["content", "templates", "themes", "static", "data"];

/// How long an event must be quiet before the debouncer reports it, in ms. Editors write a
/// file within a few ms; what a busy machine stretches further is Vim's chmod after its fsync,
/// and a burst of metadata alone never rebuilds (see `Fingerprints`), so 20 ms folds one save
/// into one rebuild and keeps save-to-reload under 50 ms.
pub const DEBOUNCE_MS: u64 = 20;

/// How often the debouncer looks for quiet events, in ms: a short tick keeps the wait close to
/// [`DEBOUNCE_MS`] instead of up to a quarter more.
pub const TICK_MS: u64 = 3;

/// How often the polling watcher scans the site, in ms.
pub const POLL_MS: u64 = 300;

/// The longest a burst is held back, in ms, while a changed file is still open for writing
/// (see [`InFlux`]): a program that keeps a file open longer gets its rebuild anyway.
pub const OPEN_WRITE_WAIT_MS: u64 = 2000;

/// The longest a burst is held back, in ms, after a file was moved aside (renamed to a name
/// outside the site, such as Vim's and Emacs's `faq.md~`, or out of the folder), for the new
/// copy an editor writes in its place (see [`InFlux`]). A file deleted outright, or renamed to
/// another page of the site, is not held.
pub const VANISHED_WAIT_MS: u64 = 150;

/// Decides whether a changed `path` matters for the site at `root`.
///
/// Returns the path relative to `root` (with `/`) when it is `config.yaml` or lies under
/// `content/`, `templates/`, `themes/`, `static/` or `data/`; `None` for anything else: paths outside
/// the site, under one of the `ignored` folders (the output folder), and paths with any
/// component that [`is_ignored_name`] rejects (swap, backup and lock files, dotfiles such as
/// the `.stillpoint-staging-*` folders, `.git`).
pub fn relevant_change(root: &Path, ignored: &[PathBuf], path: &Path) -> Option<String> {
    if ignored.iter().any(|i| path.starts_with(i)) {
        return None;
    }
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for c in rel.components() {
        let std::path::Component::Normal(name) = c else {
            return None;
        };
        let name = name.to_str()?;
        // Hidden files count under static/ (`.well-known/`), as the build publishes them.
        let in_static = parts.first() == Some(&"static");
        if if in_static {
            is_editor_junk(name)
        } else {
            is_ignored_name(name)
        } {
            return None;
        }
        parts.push(name);
    }
    match parts.as_slice() {
        ["config.yaml"] => Some("config.yaml".into()),
        [first, ..] if WATCHED_DIRS.contains(first) => Some(parts.join("/")),
        _ => None,
    }
}

/// Whether an event kind can change the site (everything but `Access`, which notify 8 reports
/// when a file is merely opened or read).
pub fn is_relevant_kind(kind: &EventKind) -> bool {
    !matches!(kind, EventKind::Access(_))
}

/// Files in the middle of a save, from the events of one burst in the order they came: those
/// written to and not yet closed, and those moved aside and not yet back.
///
/// A save is several file operations, and on a busy machine they can be further apart than
/// [`DEBOUNCE_MS`]; a rebuild between them reads a half-saved page (empty, or missing) and a
/// second rebuild follows. Two patterns cover the editors and tools we know:
/// - written in place (`fs::write`, many editors): open with truncate → write → close. On Linux,
///   inotify reports the close of a file opened for writing (notify's `Access(Close(Write))`),
///   so a changed file stays *open* from its first write until that close, at most
///   [`OPEN_WRITE_WAIT_MS`]. Backends without close events (polling, FSEvents, Windows) are
///   created with `closes_reported: false` and skip this.
/// - moved aside, then written (Vim, Emacs): the file is renamed to a backup, a new one is
///   created and written. A file renamed to a name the site ignores (`faq.md~`), or out of the
///   watched folders, stays *vanished* until it is created again, at most [`VANISHED_WAIT_MS`];
///   a file moved to the trash is then rebuilt that much later. A file deleted outright
///   (`rm`, a file manager's delete) or renamed to another page is rebuilt at once: no editor we
///   know deletes a page before writing it again, and tools that do (`git checkout`) create it
///   again within the same burst.
///
/// Write-to-temp-then-rename (VS Code, `sed -i`) is atomic and never waits; its temporary file
/// (`sedXXXXXX`, which no junk pattern can know) was *created* in the burst and is gone at its
/// end, so [`InFlux::transient`] leaves it out of the changed paths.
#[derive(Debug, Default)]
pub struct InFlux {
    closes_reported: bool,
    open: std::collections::HashSet<PathBuf>,
    /// Files renamed away, with their new name when the same burst says it.
    vanished: std::collections::HashMap<PathBuf, Option<PathBuf>>,
    created: std::collections::HashSet<PathBuf>,
}

impl InFlux {
    /// An empty tracker; `closes_reported` says whether the backend reports the close of a
    /// file written to (native inotify on Linux does).
    pub fn new(closes_reported: bool) -> InFlux {
        InFlux {
            closes_reported,
            ..InFlux::default()
        }
    }

    /// Takes one event (its kind and paths, as notify reports them) into account.
    pub fn note(&mut self, kind: &EventKind, paths: &[PathBuf]) {
        use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind, RenameMode};
        match kind {
            EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
                self.created.extend(paths.iter().cloned());
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
                self.created.extend(paths.get(1).cloned());
            }
            _ => {}
        }
        match kind {
            EventKind::Create(CreateKind::File | CreateKind::Any)
            | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => {
                for p in paths {
                    self.vanished.remove(p);
                    if self.closes_reported {
                        self.open.insert(p.clone());
                    }
                }
            }
            EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
                for p in paths {
                    self.vanished.remove(p);
                }
            }
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for p in paths {
                    self.open.remove(p);
                }
            }
            EventKind::Remove(_) => {
                for p in paths {
                    self.open.remove(p);
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::From)) => {
                for p in paths {
                    self.open.remove(p);
                    self.vanished.insert(p.clone(), None);
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
                if let [from, to, ..] = paths {
                    // A file renamed while open is closed under its new name.
                    if self.open.remove(from) {
                        self.open.insert(to.clone());
                    }
                    self.vanished.remove(to);
                    self.vanished.insert(from.clone(), Some(to.clone()));
                }
            }
            _ => {}
        }
    }

    /// Whether `path` appeared during the burst and is gone again at its end: a temporary
    /// file of some tool, not a change of the site.
    pub fn transient(&self, path: &Path) -> bool {
        self.created.contains(path) && std::fs::symlink_metadata(path).is_err()
    }

    /// Whether a file the site cares about is still mid-save, `held_ms` after the burst was
    /// first ready.
    fn holds(&self, root: &Path, ignored: &[PathBuf], held_ms: u128) -> bool {
        let relevant = |p: &PathBuf| relevant_change(root, ignored, p).is_some();
        // Moved aside: from a name of the site to none of it (renamed to another page, it is
        // a move, not half a save).
        let aside = |(from, to): (&PathBuf, &Option<PathBuf>)| {
            relevant(from) && !to.as_ref().is_some_and(relevant)
        };
        (held_ms < u128::from(OPEN_WRITE_WAIT_MS) && self.open.iter().any(relevant))
            || (held_ms < u128::from(VANISHED_WAIT_MS) && self.vanished.iter().any(aside))
    }
}

/// What the loop tells its caller besides rebuild requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Native file events are not available; the loop polls instead (with the reason).
    Polling(String),
    /// The watcher reported a problem it recovered from.
    WatchError(String),
}

enum Backend {
    Native(Debouncer<notify::RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

impl Backend {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Backend::Native(d) => d.watch(path, mode),
            Backend::Poll(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        match self {
            Backend::Native(d) => d.unwatch(path),
            Backend::Poll(d) => d.unwatch(path),
        }
    }
}

/// What tells one folder from another at the same path: its device and inode on Unix (a
/// folder deleted and re-created, or renamed away and back from another place, is a new one to
/// the watch). Elsewhere every folder looks the same, and only the folder's own events (see
/// [`SiteWatcher::rewatch_folders`]) renew its watch. `None` when `dir` is not a folder.
fn folder_id(dir: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(dir).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

fn poll_backend(tx: std::sync::mpsc::Sender<DebounceEventResult>) -> notify::Result<Backend> {
    let config = notify::Config::default().with_poll_interval(Duration::from_millis(POLL_MS));
    new_debouncer_opt::<_, PollWatcher, NoCache>(
        Duration::from_millis(DEBOUNCE_MS),
        None,
        tx,
        NoCache,
        config,
    )
    .map(Backend::Poll)
}

fn watch_error(e: notify::Error) -> Error {
    Error::one(
        Diagnostic::error(format!("could not watch the site for changes: {e}"))
            .help("try again with --poll, which checks for changes regularly instead"),
    )
}

/// The watched folders, each with the [`folder_id`] of the folder its watch was put on.
type Watched = std::collections::HashMap<PathBuf, (u64, u64)>;

/// Adds the watches: `root` itself (not recursive: `config.yaml`, and watched folders that
/// appear later) and each existing watched folder, recursively. Returns the folders watched.
fn add_watches(backend: &mut Backend, root: &Path) -> notify::Result<Watched> {
    backend.watch(root, RecursiveMode::NonRecursive)?;
    let mut watched = Watched::new();
    for d in WATCHED_DIRS {
        let dir = root.join(d);
        if let Some(id) = folder_id(&dir) {
            backend.watch(&dir, RecursiveMode::Recursive)?;
            watched.insert(dir, id);
        }
    }
    Ok(watched)
}

/// A running watch on a site. Create it with [`SiteWatcher::start`] *before* the first build, so
/// that a save made while that build runs is not lost, then ask [`SiteWatcher::next_change`]
/// for each burst.
pub struct SiteWatcher {
    root: PathBuf,
    ignored: Vec<PathBuf>,
    backend: Backend,
    rx: Receiver<DebounceEventResult>,
    watched: Watched,
    notices: Vec<Notice>,
    fingerprints: Fingerprints,
}

/// What a changed path held the last time it triggered a rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// A file: its length in bytes and a hash of its bytes.
    File(u64, u64),
    /// A folder (always counts as changed: its listing may differ).
    Dir,
    /// Nothing there.
    Missing,
}

fn fingerprint(path: &Path) -> Seen {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Seen::Dir,
        Ok(_) => match std::fs::read(path) {
            Ok(bytes) => Seen::File(bytes.len() as u64, xxhash_rust::xxh3::xxh3_64(&bytes)),
            Err(_) => Seen::Missing,
        },
        Err(_) => Seen::Missing,
    }
}

/// The content of every path that triggered a rebuild, so that a burst which changed nothing
/// but metadata (a second burst from one slow save, `touch`) does not rebuild again.
#[derive(Debug, Default)]
struct Fingerprints(std::collections::HashMap<String, Seen>);

impl Fingerprints {
    /// Records the current content of `changed` (relative to `root`) and returns whether every
    /// one is a file or absence exactly as recorded before.
    fn all_unchanged(&mut self, root: &Path, changed: &[String]) -> bool {
        let mut same = true;
        for rel in changed {
            let now = fingerprint(&root.join(rel));
            let before = self.0.insert(rel.clone(), now);
            if now == Seen::Dir || before != Some(now) {
                same = false;
            }
        }
        same
    }
}

impl SiteWatcher {
    /// Starts watching the site at `root`: the root itself (not recursively: `config.yaml`, and
    /// watched folders that appear later) and each of [`WATCHED_DIRS`] (`content/`,
    /// `templates/`, `themes/`, `static/` and `data/`) recursively. `poll` forces the polling
    /// watcher; without it, polling is used when native events are unavailable, with a
    /// [`Notice::Polling`]. No folder is ignored until [`SiteWatcher::ignore`] says so.
    ///
    /// Errors: the site folder cannot be opened, or even polling cannot watch it.
    pub fn start(root: &Path, poll: bool) -> Result<SiteWatcher> {
        let root = root.canonicalize().map_err(|source| Error::Io {
            action: "could not open the site folder",
            path: root.to_path_buf(),
            source,
        })?;
        let mut notices = Vec::new();
        let (tx, rx) = channel::<DebounceEventResult>();
        let mut backend = if poll {
            poll_backend(tx.clone()).map_err(watch_error)?
        } else {
            match new_debouncer(
                Duration::from_millis(DEBOUNCE_MS),
                Some(Duration::from_millis(TICK_MS)),
                tx.clone(),
            ) {
                Ok(d) => Backend::Native(d),
                Err(e) => {
                    notices.push(Notice::Polling(e.to_string()));
                    poll_backend(tx.clone()).map_err(watch_error)?
                }
            }
        };
        let watched = match add_watches(&mut backend, &root) {
            Ok(w) => w,
            Err(e) if matches!(backend, Backend::Native(_)) => {
                notices.push(Notice::Polling(e.to_string()));
                backend = poll_backend(tx.clone()).map_err(watch_error)?;
                add_watches(&mut backend, &root).map_err(watch_error)?
            }
            Err(e) => return Err(watch_error(e)),
        };
        Ok(SiteWatcher {
            root,
            ignored: Vec::new(),
            backend,
            rx,
            watched,
            notices,
            fingerprints: Fingerprints::default(),
        })
    }

    /// From now on, changes in the folders `ignored` never count (the output folder: the
    /// site's own writes must not trigger the next build).
    pub fn ignore(&mut self, ignored: &[PathBuf]) {
        self.ignored = ignored
            .iter()
            .map(|p| p.canonicalize().unwrap_or_else(|_| p.clone()))
            .collect();
    }

    /// Waits for the next burst of relevant changes and returns the changed paths (relative,
    /// sorted, without duplicates); `None` when `stop` is set or the watcher is gone. Changes
    /// that arrive while the caller rebuilds come with the next call, as one burst. A burst
    /// that changed no file's content is skipped. `notice` receives [`Notice`]s, including
    /// those from [`SiteWatcher::start`].
    pub fn next_change(
        &mut self,
        stop: &Arc<AtomicBool>,
        mut notice: impl FnMut(Notice),
    ) -> Option<Vec<String>> {
        for n in self.notices.drain(..) {
            notice(n);
        }
        loop {
            let closes_reported =
                cfg!(target_os = "linux") && matches!(self.backend, Backend::Native(_));
            let changed = next_burst(
                &self.rx,
                stop,
                &self.root,
                &self.ignored,
                closes_reported,
                &mut notice,
            )?;
            if self.fingerprints.all_unchanged(&self.root, &changed) {
                // Only metadata moved (Vim's trailing chmod after its fsync, `touch`): the
                // inputs are the same as at the last rebuild, so the output would be too.
                continue;
            }
            self.rewatch_folders(&changed);
            return Some(changed);
        }
    }

    /// Keeps a watch on each of [`WATCHED_DIRS`] that exists now: a folder created after the
    /// start (a new `static/`) gets one, and so does a folder deleted and re-created (`rm -rf
    /// content; cp -r backup content`) or renamed away and back (`mv content /tmp/x; mv /tmp/x
    /// content`), whose old watch went with the old folder. A folder is renewed when its
    /// [`folder_id`] changed or when it is itself among the `changed` paths (an inode number
    /// can be reused at once). Runs before the rebuild of `changed`, so a file written into the
    /// folder after this is seen by the watch, and one written before is read by the rebuild.
    fn rewatch_folders(&mut self, changed: &[String]) {
        for d in WATCHED_DIRS {
            let dir = self.root.join(d);
            let now = folder_id(&dir);
            let before = self.watched.get(&dir).copied();
            let touched = changed.iter().any(|c| c == d);
            if now == before && !touched {
                continue;
            }
            if before.is_some() {
                // The old watch may be gone already (notify drops it with the folder).
                let _ = self.backend.unwatch(&dir);
                self.watched.remove(&dir);
            }
            if let Some(id) = now
                && self.backend.watch(&dir, RecursiveMode::Recursive).is_ok()
            {
                self.watched.insert(dir, id);
            }
        }
    }
}

/// Waits for the next burst with at least one relevant change and returns the changed paths;
/// `None` when `stop` is set or the watcher is gone. Bursts that arrived while the previous
/// rebuild ran are merged into one.
fn next_burst(
    rx: &Receiver<DebounceEventResult>,
    stop: &Arc<AtomicBool>,
    root: &Path,
    ignored: &[PathBuf],
    closes_reported: bool,
    notice: &mut impl FnMut(Notice),
) -> Option<Vec<String>> {
    let mut changed: Vec<(String, PathBuf)> = Vec::new();
    let mut open = InFlux::new(closes_reported);
    let mut held_since: Option<Instant> = None;
    let mut take = |result: DebounceEventResult,
                    changed: &mut Vec<(String, PathBuf)>,
                    open: &mut InFlux| match result {
        Ok(events) => {
            for e in &events {
                open.note(&e.event.kind, &e.event.paths);
            }
            for e in events.iter().filter(|e| is_relevant_kind(&e.event.kind)) {
                for p in &e.event.paths {
                    if let Some(rel) = relevant_change(root, ignored, p) {
                        changed.push((rel, p.clone()));
                    }
                }
            }
        }
        Err(errors) => {
            for e in errors {
                notice(Notice::WatchError(e.to_string()));
            }
        }
    };
    loop {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        let wait = if held_since.is_some() {
            DEBOUNCE_MS
        } else {
            100
        };
        match rx.recv_timeout(Duration::from_millis(wait)) {
            Ok(result) => {
                take(result, &mut changed, &mut open);
                while let Ok(more) = rx.try_recv() {
                    take(more, &mut changed, &mut open);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return None,
        }
        if changed.is_empty() {
            continue;
        }
        // A file mid-save: wait for the save to finish (or the time limit).
        let since = *held_since.get_or_insert_with(Instant::now);
        if open.holds(root, ignored, since.elapsed().as_millis()) {
            continue;
        }
        let mut paths: Vec<String> = changed
            .drain(..)
            .filter(|(_, abs)| !open.transient(abs))
            .map(|(rel, _)| rel)
            .collect();
        open = InFlux::new(closes_reported);
        held_since = None;
        if paths.is_empty() {
            continue; // only temporary files came and went
        }
        paths.sort();
        paths.dedup();
        return Some(paths);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevant_changes_are_classified() {
        let root = Path::new("/site");
        let ignored = vec![PathBuf::from("/site/public")];
        let cases: &[(&str, Option<&str>)] = &[
            ("/site/config.yaml", Some("config.yaml")),
            ("/site/content/faq.md", Some("content/faq.md")),
            ("/site/content/blog/post.md", Some("content/blog/post.md")),
            ("/site/templates/page.html", Some("templates/page.html")),
            (
                "/site/themes/default/static/css/site.css",
                Some("themes/default/static/css/site.css"),
            ),
            ("/site/static/img/a.png", Some("static/img/a.png")),
            (
                "/site/static/.well-known/security.txt",
                Some("static/.well-known/security.txt"),
            ),
            ("/site/static/.x.swp", None),
            ("/site/content", Some("content")),
            // editor junk
            ("/site/content/.faq.md.swp", None),
            ("/site/content/faq.md~", None),
            ("/site/content/#faq.md#", None),
            ("/site/content/.#faq.md", None),
            ("/site/content/4913", None),
            ("/site/content/faq.md___jb_tmp___", None),
            ("/site/content/faq.md___jb_old___", None),
            ("/site/config.yaml~", None),
            ("/site/content/.faq.md.tmp123", None),
            // output, staging, other folders
            ("/site/public/index.html", None),
            ("/site/.stillpoint-staging-abc/index.html", None),
            ("/site/.git/index", None),
            ("/site/target/debug/x", None),
            ("/site/README.md", None),
            ("/elsewhere/content/faq.md", None),
            // data files for citations and load_data
            ("/site/data/references.yaml", Some("data/references.yaml")),
            ("/site/data/.references.yaml.swp", None),
        ];
        for (path, want) in cases {
            assert_eq!(
                relevant_change(root, &ignored, Path::new(path)).as_deref(),
                *want,
                "{path}"
            );
        }
    }

    #[test]
    fn bursts_that_change_no_content_are_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("content")).unwrap();
        std::fs::write(root.join("content/a.md"), "one").unwrap();
        let mut f = Fingerprints::default();
        let a = vec!["content/a.md".to_string()];
        assert!(!f.all_unchanged(root, &a), "first sight counts as a change");
        assert!(f.all_unchanged(root, &a), "same bytes again: no change");
        std::fs::write(root.join("content/a.md"), "two").unwrap();
        assert!(!f.all_unchanged(root, &a));
        std::fs::remove_file(root.join("content/a.md")).unwrap();
        assert!(!f.all_unchanged(root, &a), "deleted");
        assert!(f.all_unchanged(root, &a), "still deleted");
        let d = vec!["content".to_string()];
        assert!(
            !f.all_unchanged(root, &d) && !f.all_unchanged(root, &d),
            "folders always count"
        );
    }

    #[test]
    fn files_mid_save_hold_the_burst() {
        use notify::event::{
            AccessKind, AccessMode, CreateKind, DataChange, MetadataKind, ModifyKind, RemoveKind,
            RenameMode,
        };
        let root = Path::new("/site");
        let faq = PathBuf::from("/site/content/faq.md");
        let backup = PathBuf::from("/site/content/faq.md~");
        let tmp = PathBuf::from("/site/content/.faq.md.tmp123");
        let one = std::slice::from_ref(&faq);
        let data = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let both = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        let holds = |f: &InFlux, ms: u128| f.holds(root, &[], ms);

        // `fs::write`: open with truncate, write, close.
        let mut f = InFlux::new(true);
        f.note(&EventKind::Access(AccessKind::Open(AccessMode::Any)), one);
        assert!(!holds(&f, 0), "opening alone is no write");
        f.note(&data, one);
        assert!(holds(&f, 0), "truncated, not yet written");
        assert!(
            holds(&f, 1999) && !holds(&f, 2000),
            "held at most OPEN_WRITE_WAIT_MS"
        );
        f.note(&data, one);
        f.note(&close, one);
        assert!(!holds(&f, 0), "closed after writing");

        // Vim: moved aside, created, written, closed, backup removed.
        let mut f = InFlux::new(true);
        f.note(&both, &[faq.clone(), backup.clone()]);
        assert!(holds(&f, 0), "moved aside, not yet back");
        assert!(
            holds(&f, 149) && !holds(&f, 150),
            "held at most VANISHED_WAIT_MS"
        );
        f.note(&EventKind::Create(CreateKind::File), one);
        assert!(holds(&f, 0), "back, but still open for writing");
        f.note(&close, one);
        f.note(
            &EventKind::Remove(RemoveKind::File),
            std::slice::from_ref(&backup),
        );
        assert!(!holds(&f, 0), "saved; the backup is not part of the site");

        // Written to a temp file and renamed over: atomic, never held.
        let mut f = InFlux::new(true);
        f.note(
            &EventKind::Create(CreateKind::File),
            std::slice::from_ref(&tmp),
        );
        f.note(&close, std::slice::from_ref(&tmp));
        f.note(&both, &[tmp.clone(), faq.clone()]);
        assert!(!holds(&f, 0));

        // A file renamed while open is closed under its new name.
        let mut f = InFlux::new(true);
        f.note(&data, std::slice::from_ref(&tmp));
        f.note(&both, &[tmp.clone(), faq.clone()]);
        assert!(holds(&f, 0));
        f.note(&close, one);
        assert!(!holds(&f, 0));

        // A deletion is not held, nor a rename to another page; a move out of the folder is
        // held like a move aside (its new name is not known); metadata alone holds nothing.
        let mut f = InFlux::new(true);
        f.note(&EventKind::Remove(RemoveKind::File), one);
        assert!(!holds(&f, 0));
        let mut f = InFlux::new(true);
        let from = EventKind::Modify(ModifyKind::Name(RenameMode::From));
        f.note(&from, one);
        assert!(holds(&f, 0) && !holds(&f, 150), "moved out");
        f.note(
            &both,
            &[faq.clone(), PathBuf::from("/site/content/questions.md")],
        );
        assert!(!holds(&f, 0), "renamed to another page");
        let mut f = InFlux::new(true);
        f.note(
            &EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
            one,
        );
        assert!(!holds(&f, 0));

        // Without close events (polling), a write never holds.
        let mut f = InFlux::new(false);
        f.note(&data, one);
        assert!(!holds(&f, 0));

        // A temporary file created and renamed over the page is left out; the page is not.
        let dir = tempfile::tempdir().unwrap();
        let (sed_tmp, page) = (dir.path().join("sedAb12Cd"), dir.path().join("faq.md"));
        std::fs::write(&page, "x").unwrap();
        let mut f = InFlux::new(true);
        f.note(
            &EventKind::Create(CreateKind::File),
            std::slice::from_ref(&sed_tmp),
        );
        f.note(&both, &[sed_tmp.clone(), page.clone()]);
        assert!(f.transient(&sed_tmp) && !f.transient(&page));
        // A page deleted in the burst, but not created in it, is a change.
        std::fs::remove_file(&page).unwrap();
        let mut f = InFlux::new(true);
        f.note(
            &EventKind::Remove(RemoveKind::File),
            std::slice::from_ref(&page),
        );
        assert!(!f.transient(&page));

        // Junk and output files never hold a burst.
        let mut f = InFlux::new(true);
        f.note(&data, &[PathBuf::from("/site/content/.faq.md.swp")]);
        f.note(&data, &[PathBuf::from("/site/public/index.html")]);
        assert!(!f.holds(root, &[PathBuf::from("/site/public")], 0));
    }

    #[test]
    fn access_events_are_ignored() {
        use notify::event::{AccessKind, CreateKind, ModifyKind};
        assert!(!is_relevant_kind(&EventKind::Access(AccessKind::Any)));
        assert!(is_relevant_kind(&EventKind::Create(CreateKind::File)));
        assert!(is_relevant_kind(&EventKind::Modify(ModifyKind::Any)));
    }
}
