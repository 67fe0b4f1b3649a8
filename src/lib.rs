//! stillpoint: a static site generator for small businesses.
//!
//! A build is a pipeline of stages, one module each, each a plain function from the previous
//! stage's output to the next (no object carries state through the build):
//!
//! 1. [`config::Config::load`]: `config.yaml` -> [`config::Config`]
//! 2. [`content::discover`]: `content/` -> sorted [`content::SourceFile`]s
//! 3. [`content::parse`]: front matter and body -> [`content::Document`]s
//! 4. [`site::SiteTree::assemble`]: URLs, sections, order, link map -> [`site::SiteTree`]
//! 5. [`shortcodes::expand::render`] and [`markdown::render`]: shortcodes through their
//!    templates, then markdown -> HTML, table of contents, links (inside [`render::site`])
//! 6. link and anchor checks, for the whole site at once (inside [`render::site`])
//! 7. [`render::site`]: Tera templates -> each file to an [`output::Sink`] as it is rendered
//! 8. [`output::Staging::publish`]: the staging folder beside `public/` (the disk sink) gets
//!    the static files, then is swapped in
//!
//! Besides `build`: [`check::check`] (stages 1–7, then content, template and external-link
//! checks, nothing written), [`scaffold::create`] (`new DIR`), [`watch`] and [`serve`], which
//! share one rebuild loop ([`live`]): it keeps the last build in memory and renders again only
//! what a save touches ([`incremental`]), through the same `render::run` as a full build.
//!
//! Every stage reports problems as [`error::Diagnostic`]s with file, line and column; the
//! library never prints and never exits the process: the binary does both.

// `ls src/` is alphabetical; this list is in pipeline order (see above), stages first.

// The stages of a build.
pub mod config; // 1
pub mod content; // 2-3
pub mod site; // 4
pub mod shortcodes; // 5
pub mod markdown; // 5
pub mod render; // 5-7
pub mod templates; // 7
pub mod urls; // 7
pub mod output; // 8

// The commands built on the stages.
pub mod check;
pub mod publish;
pub mod scaffold;
pub mod live;
pub mod incremental;
pub mod watch;
pub mod serve;
pub mod deploy;
mod serve_guard;

// Features the stages call.
pub mod data;
pub mod references;
pub mod images;
pub mod seo;
pub mod minify;
pub mod runaway;

// Shared tools.
pub mod error;
pub mod fs;
mod html;
pub mod panics;
mod yaml;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use error::{Diagnostic, Error, Result, Severity, render_diagnostics, render_each};

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site root: the folder with `config.yaml`.
    pub root: PathBuf,
    /// Command-line values that replace those of `config.yaml`.
    pub overrides: config::Overrides,
    /// Build in memory only, writing nothing (for checks).
    pub dry_run: bool,
}

/// What a successful build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// HTML pages rendered (pages and sections).
    pub pages: usize,
    /// Files written, including copied files.
    pub files: usize,
    /// Where the site was written.
    pub output_dir: PathBuf,
    /// Warnings to show (the build still succeeded).
    pub warnings: Vec<Diagnostic>,
    /// Wall time of the whole build, in milliseconds.
    pub elapsed_ms: u128,
    /// Wall time of each stage.
    pub timings: Timings,
}

impl BuildReport {
    /// The report of a full build: its warnings and timings are taken out of `site`, its files
    /// are the rendered ones plus the copied ones (wherever they went), and `elapsed_ms` is the
    /// time since `started`. `output_dir` is the configured output folder.
    pub fn from_built(site: &mut render::BuiltSite, output_dir: PathBuf, started: Instant) -> Self {
        BuildReport {
            pages: site.pages_rendered,
            files: site.rendered_files + site.copies.len(),
            output_dir,
            warnings: std::mem::take(&mut site.warnings),
            elapsed_ms: started.elapsed().as_millis(),
            timings: std::mem::take(&mut site.timings),
        }
    }

    /// The report of a `watch` or `serve` rebuild, as [`BuildReport::from_built`]; after an
    /// incremental rebuild, its files are those rendered again.
    pub fn from_update(
        update: &mut incremental::Update,
        output_dir: PathBuf,
        started: Instant,
    ) -> Self {
        match update {
            incremental::Update::Full(site) => Self::from_built(site, output_dir, started),
            incremental::Update::Partial {
                files,
                pages_rendered,
                warnings,
                timings,
                ..
            } => BuildReport {
                pages: *pages_rendered,
                files: files.len(),
                output_dir,
                warnings: std::mem::take(warnings),
                elapsed_ms: started.elapsed().as_millis(),
                timings: std::mem::take(timings),
            },
        }
    }
}

/// Runs stages 1–7 and returns the site in memory (every file in [`render::BuiltSite::files`]),
/// with the config it was built from.
///
/// Errors: every problem of the first stage that fails, as [`Error::Diagnostics`], or an
/// [`Error::Io`] for a file that cannot be read.
pub fn build_in_memory(options: &BuildOptions) -> Result<(config::Config, render::BuiltSite)> {
    let (config, mut built, sink) = build_into(options, |_| Ok(output::MemorySink::new()))?;
    built.files = sink.into_files();
    Ok((config, built))
}

/// Runs stages 1–7, handing every rendered file to the sink that `open` makes once the site has
/// been read (so a broken site is reported before any output folder is touched).
///
/// Errors: as [`build_in_memory`], plus those of `open` and of the sink.
pub fn build_into<S: output::Sink>(
    options: &BuildOptions,
    open: impl FnOnce(&config::Config) -> Result<S>,
) -> Result<(config::Config, render::BuiltSite, S)> {
    let Read {
        config,
        mut tree,
        templates,
        statics,
        sink,
        mut timings,
    } = read_site(options, open)?;
    let mut site = render::site(&config, &mut tree, &templates, statics, &sink, &mut timings)?;
    // The build hands back only what it wrote: the tree is freed while the output is published.
    drop_in_background(tree);
    site.timings = timings;
    Ok((config, site, sink))
}

/// Drops `value` on a thread of its own, so that freeing a whole site's values (tens of
/// thousands of allocations, ~0.1 s at 10,000 pages) does not hold up what comes next. If the
/// process exits first, the system takes the memory back all the same. When no thread can be
/// started, the value is dropped here (with the closure that failed to start).
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("stillpoint-free".into())
        .spawn(move || drop(value));
}

/// A site built in memory with what it was built from: what `check` inspects and what an
/// incremental rebuild ([`incremental`]) starts from.
#[derive(Debug)]
pub struct RetainedBuild {
    /// The config it was built from.
    pub config: config::Config,
    /// The site tree (stage 4).
    pub tree: site::SiteTree,
    /// The site, every file in [`render::BuiltSite::files`].
    pub site: render::BuiltSite,
    /// The render plan, the bound templates and what every file read.
    pub retained: render::Retained,
}

/// [`build_in_memory`], also keeping the site tree and the [`render::Retained`] render state;
/// with `record`, what every file's templates read (see [`incremental`]).
///
/// Errors: as [`build_in_memory`].
pub fn build_retained(options: &BuildOptions, record: bool) -> Result<RetainedBuild> {
    let Read {
        config,
        tree,
        templates,
        statics,
        sink,
        mut timings,
    } = read_site(options, |_| Ok(output::MemorySink::new()))?;
    let (mut site, retained) = render::site_retained(
        &config,
        &tree,
        &templates,
        statics,
        &sink,
        &mut timings,
        record,
    )?;
    site.timings = timings;
    site.files = sink.into_files();
    Ok(RetainedBuild {
        config,
        tree,
        site,
        retained,
    })
}

/// Stages 1–4 and what stages 5–7 render with ([`read_site`]).
struct Read<S> {
    config: config::Config,
    tree: site::SiteTree,
    templates: templates::Templates,
    statics: Vec<site::AssetCopy>,
    sink: S,
    timings: Timings,
}

/// Stages 1–4 (config, content, templates, site tree) and the static files, then the sink that
/// `open` makes (only once the site has been read, so a broken site touches no output folder).
fn read_site<S: output::Sink>(
    options: &BuildOptions,
    open: impl FnOnce(&config::Config) -> Result<S>,
) -> Result<Read<S>> {
    let mut timings = Timings::start();
    let config = config::Config::load(&options.root, &options.overrides)?;
    timings.lap("config");
    let files = content::discover(&config)?;
    timings.lap("discover");
    // Templates and content are independent: report the errors of both in one run.
    let (docs, templates) = rayon::join(
        || content::parse(&files),
        || templates::Templates::load(&config),
    );
    let (docs, templates) = match (docs, templates) {
        (Ok(d), Ok(t)) => (d, t),
        (d, t) => {
            let mut all = Vec::new();
            if let Err(e) = d {
                all.extend(e.into_diagnostics());
            }
            if let Err(e) = t {
                all.extend(e.into_diagnostics());
            }
            return Err(Error::Diagnostics(all));
        }
    };
    timings.lap("parse + templates");
    let tree = site::SiteTree::assemble(docs, &files, &config)?;
    drop(files);
    timings.lap("assemble");
    let statics = render::static_files(&config)?;
    let sink = open(&config)?;
    Ok(Read {
        config,
        tree,
        templates,
        statics,
        sink,
        timings,
    })
}

/// Wall time of each stage of a build, in the order they ran (for `build --timings` and
/// benchmarks).
#[derive(Debug, Clone)]
pub struct Timings {
    last: Instant,
    /// (stage, microseconds).
    pub stages: Vec<(&'static str, u128)>,
}

impl Default for Timings {
    fn default() -> Self {
        Self::start()
    }
}

impl Timings {
    /// Starts the clock.
    pub fn start() -> Self {
        Timings {
            last: Instant::now(),
            stages: Vec::new(),
        }
    }

    /// Records the time since the previous lap as `stage`.
    pub fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.stages.push((stage, (now - self.last).as_micros()));
        self.last = now;
    }
}

/// `stillpoint build`: builds the site and publishes it into the output folder. Pages are
/// written into a staging folder as they are rendered ([`output::Staging`]), which is swapped in
/// at the end; a dry run renders everything and writes nothing.
///
/// Errors: see [`build_in_memory`] and [`output::Staging`]; on any error the output folder is
/// left as it was.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    let start = Instant::now();
    let guarded_options = options.clone();
    // The render runs on a guarded thread (see [`runaway`]); the staging folder is published
    // here, so a build that was given up on never swaps its output in.
    let (config, mut built) = if options.dry_run {
        let (c, b, _) =
            runaway::guarded(move || build_into(&guarded_options, |_| Ok(output::NullSink)))?;
        (c, b)
    } else {
        // A build given up on leaves its thread running; its staging folder is removed here.
        let opened: Arc<Mutex<Option<PathBuf>>> = Arc::default();
        let record = Arc::clone(&opened);
        let result = runaway::guarded(move || {
            build_into(&guarded_options, |config| {
                let staging = output::Staging::create(config)?;
                if let Ok(mut slot) = record.lock() {
                    *slot = Some(staging.path().to_path_buf());
                }
                Ok(staging)
            })
        });
        let (c, mut b, staging) = match result {
            Ok(built) => built,
            Err(e) => {
                if let Some(dir) = opened.lock().ok().and_then(|mut slot| slot.take()) {
                    let _ = std::fs::remove_dir_all(dir);
                }
                return Err(e);
            }
        };
        staging.publish(&b.copies)?;
        b.timings.lap("publish");
        (c, b)
    };
    Ok(BuildReport::from_built(
        &mut built,
        config.output_dir,
        start,
    ))
}
