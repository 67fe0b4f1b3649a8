//! The live-rebuild loop that `watch` and `serve` share: changed paths in, a published site and
//! one [`Rebuild`] per build out.
//!
//! ```text
//! SiteWatcher::next_change ─► Session::rebuild ─► LiveBuild::rebuild ─► Publish::full | partial
//!   (crate::watch)              (one Rebuild)       (crate::incremental)   watch: the output folder
//!                                                                         serve: the served site
//! ```
//!
//! `Session` keeps the last good build ([`LiveBuild`]) and hands what each rebuild produced to
//! a `Publish`: the whole site after a full build, the files rendered again after an
//! incremental one. `watch` publishes to disk (`Disk`); `serve` into the site it answers from
//! (`serve::Preview`). What a session needs to know about the site (the output folder to ignore,
//! the base path to serve under) comes from the config of its last good build, never from a
//! separate read of `config.yaml`. A failed build publishes nothing: the last good site stays
//! (a publisher that took a rebuild's first files early, `serve`'s, puts back what they
//! replaced when told of the failure).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::incremental::{Early, LiveBuild, Update};
use crate::render::BuiltSite;
use crate::watch::{Notice, SiteWatcher};
use crate::{BuildOptions, BuildReport};

/// Where the result of a good rebuild goes: `watch` writes the output folder ([`Disk`]),
/// `serve` swaps or patches the site it answers from.
pub(crate) trait Publish {
    /// Whether what was published from the last good build (built with `config`) is still in
    /// place; when it is not, the next rebuild is a full one. Everything is, unless a publisher
    /// says otherwise.
    fn in_place(&self, _config: &Config) -> bool {
        true
    }

    /// Publishes a whole site, built with `config`, in place of the last one.
    ///
    /// Errors: the site cannot be published; the last good site is then kept, and the next
    /// rebuild is a full one.
    fn full(&mut self, site: BuiltSite, config: &Config) -> Result<()>;

    /// Replaces the files an incremental rebuild rendered again (output path, bytes) and
    /// removes the output files in `removed` (of pages that left the site); every other file is
    /// as in the last build.
    ///
    /// Errors: as [`Publish::full`].
    fn partial(
        &mut self,
        files: Vec<(String, Vec<u8>)>,
        removed: &[String],
        config: &Config,
    ) -> Result<()>;

    /// Told of every build once it is over, good or failed (after it was published).
    fn finished(&mut self, _rebuild: &Rebuild) {}

    /// Where an incremental rebuild of the last good build (built with `config`) may hand the
    /// edited documents' own files before it renders the rest ([`Early`], fast render); none
    /// unless a publisher gives one (`serve` does). What it gets is published again in
    /// [`Publish::partial`] with the rest; when the rebuild fails instead, [`Publish::finished`]
    /// is told of the failure and must put back the last good site.
    fn early(&self, _config: &Config) -> Option<Early> {
        None
    }
}

/// `watch`'s publisher: the output folder of the build's config. A full build is swapped in
/// whole ([`crate::output::publish`]), an incremental one replaces its files in place
/// ([`crate::output::replace_files`]).
#[derive(Debug, Default)]
pub(crate) struct Disk;

impl Publish for Disk {
    /// The output folder still exists (it may have been removed by hand).
    fn in_place(&self, config: &Config) -> bool {
        config.output_dir.is_dir()
    }

    fn full(&mut self, site: BuiltSite, config: &Config) -> Result<()> {
        crate::output::publish(&site, config)
    }

    fn partial(
        &mut self,
        files: Vec<(String, Vec<u8>)>,
        removed: &[String],
        config: &Config,
    ) -> Result<()> {
        crate::output::replace_files(&config.output_dir, &files)?;
        remove_files(&config.output_dir, removed)
    }
}

/// Removes the output files `removed` (paths relative to `dir`) and the folders they leave
/// empty, up to `dir` (a clean build has no empty folder). A file already gone is fine.
///
/// Errors: a file or folder that cannot be removed.
fn remove_files(dir: &Path, removed: &[String]) -> Result<()> {
    for rel in removed {
        let path = dir.join(rel);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => {
                return Err(Error::Io {
                    action: "could not remove",
                    path,
                    source,
                });
            }
        }
        let mut folder = path.parent();
        while let Some(f) = folder.filter(|f| f.starts_with(dir) && *f != dir) {
            // Not empty (or gone): done.
            if std::fs::remove_dir(f).is_err() {
                break;
            }
            folder = f.parent();
        }
    }
    Ok(())
}

/// A site kept between rebuilds, and published after each good one.
pub(crate) struct Session {
    live: LiveBuild,
}

impl Session {
    /// Nothing is built until the first [`Session::rebuild`].
    pub fn new(options: BuildOptions) -> Session {
        Session {
            live: LiveBuild::new(options),
        }
    }

    /// The config of the last good build; none before the first one and after a failed one.
    pub fn config(&self) -> Option<&Config> {
        self.live.config()
    }

    /// Rebuilds after the site files `changed` (relative to the site root; empty for the first
    /// build), incrementally when it can ([`LiveBuild::rebuild`]), and hands the result to
    /// `publish`. Build and publish errors are not errors of the session: they are the
    /// [`Rebuild::outcome`], the last good site stays, and the next rebuild is a full one.
    pub fn rebuild(&mut self, changed: Vec<String>, publish: &mut impl Publish) -> Rebuild {
        let started = Instant::now();
        if self.live.config().is_some_and(|c| !publish.in_place(c)) {
            self.live.invalidate(); // write all of it again
        }
        let result = self.build_and_publish(&changed, publish, started);
        let rebuild = Rebuild::from_result(changed, result, started);
        publish.finished(&rebuild);
        rebuild
    }

    /// The rebuild, its report (counted before the site is handed over, so its `elapsed_ms`
    /// leaves out the publish; the printed time is [`Rebuild::elapsed_ms`], which does not),
    /// then the publish; a publish that fails forgets the kept build.
    fn build_and_publish(
        &mut self,
        changed: &[String],
        publish: &mut impl Publish,
        started: Instant,
    ) -> Result<BuildReport> {
        let early = self.live.config().and_then(|c| publish.early(c));
        let mut update = self.live.rebuild_with(changed, early)?;
        let Some(config) = self.live.config() else {
            return Err(Error::one(Diagnostic::error(
                "the build kept no config (an internal error in stillpoint)",
            )));
        };
        let report = BuildReport::from_update(&mut update, config.output_dir.clone(), started);
        let published = match update {
            Update::Full(site) => publish.full(site, config),
            Update::Partial { files, removed, .. } => publish.partial(files, &removed, config),
        };
        if let Err(e) = published {
            self.live.invalidate(); // what was published is no longer the kept build
            return Err(e);
        }
        Ok(report)
    }
}

/// One build in `watch` or `serve` mode: what changed, and what came of it.
#[derive(Debug)]
pub struct Rebuild {
    /// The changed paths, relative to the site root (empty for the first build).
    pub changed: Vec<String>,
    /// The build's report, or every diagnostic of the failed build.
    pub outcome: std::result::Result<BuildReport, Vec<Diagnostic>>,
    /// Wall time of the build, in ms.
    pub elapsed_ms: u128,
}

impl Rebuild {
    /// Wraps a build result.
    pub fn from_result(
        changed: Vec<String>,
        result: Result<BuildReport>,
        started: Instant,
    ) -> Self {
        Rebuild {
            changed,
            outcome: result.map_err(Error::into_diagnostics),
            elapsed_ms: started.elapsed().as_millis(),
        }
    }

    /// The one line printed for this build: what changed, how many pages were written, and the
    /// time in ms; for a failed build, how many errors and that the last good site is kept.
    pub fn summary_line(&self) -> String {
        let what = match self.changed.as_slice() {
            [] => String::new(),
            [one] => format!("{one} changed: "),
            [first, rest @ ..] => format!("{first} and {} more changed: ", rest.len()),
        };
        match &self.outcome {
            Ok(r) => format!(
                "{what}{} {} ({}) in {} ms",
                if self.changed.is_empty() {
                    "Built"
                } else {
                    "rebuilt"
                },
                counted(r.pages, "page"),
                counted(r.files, "file"),
                self.elapsed_ms
            ),
            Err(d) => {
                let n = d.iter().filter(|d| d.is_error()).count();
                format!(
                    "{what}the site has {n} error{}; the last good version is kept ({} ms)",
                    if n == 1 { "" } else { "s" },
                    self.elapsed_ms
                )
            }
        }
    }
}

/// `1 page`, `2 pages`.
fn counted(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// What `watch` tells its caller, to print.
#[derive(Debug)]
pub enum WatchEvent {
    /// A build or rebuild finished.
    Rebuilt(Rebuild),
    /// Something from the watcher.
    Notice(Notice),
}

/// `stillpoint watch`: builds the site, then rebuilds it on every change until `stop` is set.
/// A failed build keeps the last good output (the build never replaces `public/` on error).
///
/// Errors: the site cannot be watched (see [`SiteWatcher::start`]); build errors are reported
/// through `on`.
pub fn watch_site(
    options: &BuildOptions,
    poll: bool,
    stop: &Arc<AtomicBool>,
    mut on: impl FnMut(WatchEvent),
) -> Result<()> {
    // Watch first: a save made during the first build must not be lost.
    let watcher = SiteWatcher::start(&options.root, poll)?;
    let mut session = Session::new(options.clone());
    on(WatchEvent::Rebuilt(session.rebuild(Vec::new(), &mut Disk)));
    follow(watcher, session, &mut Disk, stop, on)
}

/// Rebuilds the site of `session` after every burst of changes that `watcher` reports, until
/// `stop` is set, and tells `on` of each rebuild and notice. Changes in the output folder of the
/// last good build (a `build` run beside `serve`, or `watch`'s own writes) never count.
///
/// Errors: none so far; the loop ends with `Ok` when `stop` is set or the watcher is gone.
pub(crate) fn follow(
    mut watcher: SiteWatcher,
    mut session: Session,
    publish: &mut impl Publish,
    stop: &Arc<AtomicBool>,
    mut on: impl FnMut(WatchEvent),
) -> Result<()> {
    loop {
        if let Some(config) = session.config() {
            watcher.ignore(std::slice::from_ref(&config.output_dir));
        }
        let Some(changed) = watcher.next_change(stop, |n| on(WatchEvent::Notice(n))) else {
            return Ok(());
        };
        on(WatchEvent::Rebuilt(session.rebuild(changed, publish)));
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// A publisher that records what it was given, and fails when told to.
    #[derive(Default)]
    struct Recorder {
        published: Vec<String>,
        finished: usize,
        fail: bool,
    }

    impl Publish for Recorder {
        fn full(&mut self, site: BuiltSite, _config: &Config) -> Result<()> {
            self.published.push(format!("full {}", site.files.len()));
            self.result()
        }

        fn partial(
            &mut self,
            files: Vec<(String, Vec<u8>)>,
            removed: &[String],
            _config: &Config,
        ) -> Result<()> {
            let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
            let mut line = format!("partial {}", paths.join(","));
            if !removed.is_empty() {
                line.push_str(&format!(" removed {}", removed.join(",")));
            }
            self.published.push(line);
            self.result()
        }

        fn finished(&mut self, _rebuild: &Rebuild) {
            self.finished += 1;
        }
    }

    impl Recorder {
        fn result(&self) -> Result<()> {
            if self.fail {
                Err(Error::one(Diagnostic::error("the disk is full")))
            } else {
                Ok(())
            }
        }
    }

    fn copy_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                copy_tree(&entry.path(), &to.join(entry.file_name()));
            } else {
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
    }

    #[test]
    fn removed_files_go_with_the_folders_they_leave_empty() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        for f in ["blog/old/index.html", "blog/index.html", "faq/index.html"] {
            std::fs::create_dir_all(out.join(f).parent().unwrap()).unwrap();
            std::fs::write(out.join(f), "x").unwrap();
        }
        let removed = [
            "blog/old/index.html".to_string(),
            "gone/index.html".to_string(),
        ];
        remove_files(out, &removed).unwrap();
        assert!(!out.join("blog/old").exists());
        assert!(out.join("blog/index.html").is_file());
        assert!(out.join("faq/index.html").is_file());
        assert!(out.is_dir());
    }

    #[test]
    fn a_session_publishes_full_and_partial_builds_and_keeps_the_last_good_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/live");
        copy_tree(&fixture, &root);
        let faq = root.join("content/faq.md");
        let save = |body: &str| std::fs::write(&faq, format!("---\ntitle: FAQ\n---\n{body}\n"));
        let changed = || vec!["content/faq.md".to_string()];
        let mut session = Session::new(BuildOptions {
            root: root.clone(),
            dry_run: true,
            ..BuildOptions::default()
        });
        let mut to = Recorder::default();

        let first = session.rebuild(Vec::new(), &mut to);
        let report = first.outcome.as_ref().unwrap();
        assert!(to.published[0].starts_with("full "), "{:?}", to.published);
        assert_eq!(report.output_dir, root.join("public"));
        assert!(first.summary_line().starts_with("Built "));

        // A body edit: only the files that show the page.
        save("FAQ-V2 text.").unwrap();
        let edit = session.rebuild(changed(), &mut to);
        let partial = &to.published[1];
        assert!(partial.starts_with("partial ") && partial.contains("faq/index.html"));
        assert_eq!(
            edit.outcome.as_ref().unwrap().files,
            partial.split(',').count()
        );

        // A broken page publishes nothing and keeps no build: the fix is a full build.
        std::fs::write(&faq, "---\ntitle: FAQ\nweight: first\n---\nx\n").unwrap();
        assert!(session.rebuild(changed(), &mut to).outcome.is_err());
        assert_eq!(to.published.len(), 2);
        assert!(session.config().is_none());
        save("FAQ-V3 text.").unwrap();
        assert!(session.rebuild(changed(), &mut to).outcome.is_ok());
        assert!(to.published[2].starts_with("full "), "{:?}", to.published);

        // A publish that fails is the rebuild's error; the next rebuild is a full one.
        to.fail = true;
        save("FAQ-V4 text.").unwrap();
        let failed = session.rebuild(changed(), &mut to);
        assert_eq!(failed.outcome.unwrap_err()[0].message, "the disk is full");
        to.fail = false;
        save("FAQ-V5 text.").unwrap();
        assert!(session.rebuild(changed(), &mut to).outcome.is_ok());
        assert!(
            to.published[3].starts_with("partial "),
            "{:?}",
            to.published
        );
        assert!(to.published[4].starts_with("full "), "{:?}", to.published);
        assert_eq!(to.finished, 6, "every build is announced, good or failed");
    }
}
