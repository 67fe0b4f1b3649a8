//! Stages 5 to 7: markdown, link checks and templates, all in memory.
//!
//! In: the [`SiteTree`], the [`Templates`], the [`Config`] and a [`Sink`]. Out: every output
//! file, handed to the sink as soon as it is rendered (so 10,000 pages are never held at once),
//! and a [`BuiltSite`] listing the files to copy. Nothing here touches the output folder itself
//! (the disk sink is a staging folder), so a failed build cannot damage the previous site, and
//! `check` can stop here.
//!
//! [`site()`] is two steps: `Plan::new` renders the markdown of every document in parallel
//! (shortcodes, stage 5: `markdown`), collects broken links and anchors for the whole site so
//! that they fail the build together (stage 6), and makes the values templates see and the
//! list of files to render (`plan`); then `run` renders every page, section, alias, the
//! sitemap, `robots.txt` and `404.html` in parallel (stage 7: `job`). An incremental rebuild
//! ([`crate::incremental`]) applies its edits to the kept [`Plan`] and calls the same `run`
//! with the files they affect, recording what each file read ([`reads`]).

mod job;
mod markdown;
mod plan;
pub mod reads;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::walk;
use crate::error::{Diagnostic, Error, Result};
use crate::output::Sink;
use crate::site::{AssetCopy, SiteTree};
use crate::templates::{BoundTemplates, Templates};
pub(crate) use job::JobEnv;
pub use markdown::DocRecord;
pub(crate) use plan::{Changed, Edited};
pub use plan::{Job, JobContext, Plan};
use reads::{Read, ReadLog, Recorder};

/// What rendering produced besides the files it handed to its [`Sink`].
#[derive(Debug, Default)]
pub struct BuiltSite {
    /// Output files: path relative to the output folder (with `/`) and bytes, sorted by path;
    /// filled by [`crate::build_in_memory`] from its [`crate::output::MemorySink`], empty when
    /// the files went to disk.
    pub files: Vec<(String, Vec<u8>)>,
    /// Files copied as they are (static files and content assets).
    pub copies: Vec<AssetCopy>,
    /// Warnings from every stage.
    pub warnings: Vec<Diagnostic>,
    /// How many files were rendered (pages, sections, aliases, `404.html`, `robots.txt`,
    /// `sitemap.xml`), wherever they went.
    pub rendered_files: usize,
    /// How many HTML pages (pages and sections) were rendered.
    pub pages_rendered: usize,
    /// Wall time of each stage so far.
    pub timings: crate::Timings,
    /// Processed-image variants encoded by this build (the rest came from the image cache).
    pub images_encoded: usize,
}

/// Lists the static files of the theme and then the site (a site file replaces the theme's
/// file of the same path). Errors: unreadable folders or broken links among them.
pub fn static_files(config: &Config) -> Result<Vec<AssetCopy>> {
    let mut by_path: HashMap<String, AssetCopy> = HashMap::new();
    let mut errors = Vec::new();
    let mut dirs = Vec::new();
    if let (Some(dir), Some(name)) = (&config.theme_dir, &config.theme) {
        dirs.push((
            dir.join("static"),
            Path::new("themes").join(name).join("static"),
        ));
    }
    dirs.push((config.root.join("static"), "static".into()));
    for (dir, shown) in dirs {
        match walk(&dir, &shown, true) {
            Ok(list) => {
                for (from, to) in list {
                    by_path.insert(to.clone(), AssetCopy { from, to });
                }
            }
            Err(e) => errors.extend(e.into_diagnostics()),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Diagnostics(errors));
    }
    let mut out: Vec<AssetCopy> = by_path.into_values().collect();
    out.sort_by(|a, b| a.to.cmp(&b.to));
    Ok(out)
}

/// Stages 5–7 for `build`: renders the whole site, handing each output file to `sink` as soon
/// as it is rendered (the returned [`BuiltSite`] has no `files`: they are in the sink). It
/// keeps only what the files still to render need: the documents' texts are taken out of
/// `tree` first (`TakenTexts`; their front matter stays, for template error
/// messages) and each is dropped once its markdown is rendered, and the link records that only
/// an incremental rebuild checks again are dropped after stage 6. `serve`, `watch` and `check`
/// keep everything ([`site_retained`]).
///
/// Errors (all collected per stage): broken internal links and anchors in markdown, broken
/// `@/` links in the menu, generated files colliding with static files, and template errors
/// (naming the template file and line and the page being rendered); the first I/O error of the
/// sink. On error some files may already be in the sink: a [`crate::output::Staging`] sink is
/// then dropped unpublished.
pub fn site(
    config: &Config,
    tree: &mut SiteTree,
    templates: &Templates,
    statics: Vec<AssetCopy>,
    sink: &dyn Sink,
    timings: &mut crate::Timings,
) -> Result<BuiltSite> {
    let texts = plan::TakenTexts::take(config, tree);
    let mut marked = Plan::markdown(config, tree, templates, statics, timings, Some(texts))?;
    marked.forget_links();
    let (plan, data, copies) = Plan::from_markdown(marked, config, tree, templates);
    let (built, retained) = render_plan(
        config, tree, templates, plan, data, copies, sink, timings, false,
    )?;
    // Freeing every page value takes about as long as publishing the output at 10,000 pages:
    // the build does not wait for it.
    crate::drop_in_background(retained);
    Ok(built)
}

/// [`site()`], keeping everything an incremental rebuild needs ([`Retained`]), the markdown
/// bodies in `tree` included; with `record`, every file's reads of other pages and sections
/// are recorded for it.
///
/// Errors: as [`site()`].
pub fn site_retained(
    config: &Config,
    tree: &SiteTree,
    templates: &Templates,
    statics: Vec<AssetCopy>,
    sink: &dyn Sink,
    timings: &mut crate::Timings,
    record: bool,
) -> Result<(BuiltSite, Retained)> {
    let (plan, data, copies) = Plan::new(config, tree, templates, statics, timings)?;
    render_plan(
        config, tree, templates, plan, data, copies, sink, timings, record,
    )
}

/// Stage 7 of a full render, once the plan is made: binds the templates to `data`, renders
/// every job of `plan` to `sink`, and returns the built site with the plan kept.
#[allow(clippy::too_many_arguments)]
fn render_plan(
    config: &Config,
    tree: &SiteTree,
    templates: &Templates,
    plan: Plan,
    data: crate::templates::SiteData,
    copies: Vec<AssetCopy>,
    sink: &dyn Sink,
    timings: &mut crate::Timings,
    record: bool,
) -> Result<(BuiltSite, Retained)> {
    let templates = templates.bind(data);
    timings.lap("context");
    let env = JobEnv {
        config,
        tree,
        plan: &plan,
    };
    let all: Vec<usize> = (0..plan.jobs.len()).collect();
    let outputs: Vec<&str> = plan.jobs.iter().map(|j| j.output.as_str()).collect();
    sink.announce(&outputs)?;
    let ran = run(&env, &templates, &all, sink, record);
    let reads = ran.into_reads(&plan)?;
    timings.lap("templates + write");
    let built = finish(&plan, copies);
    let retained = Retained {
        plan,
        templates,
        reads: ReadLog::new(reads),
    };
    Ok((built, retained))
}

/// What a full render keeps for an incremental rebuild ([`crate::incremental`]): the plan, the
/// templates bound to its values, and what every output file read.
#[derive(Debug)]
pub struct Retained {
    pub(crate) plan: Plan,
    pub(crate) templates: BoundTemplates,
    pub(crate) reads: ReadLog,
}

/// What [`run`] did with each job, in the order given.
pub(crate) struct Ran {
    /// Per job: its template error, if any, and what it read (empty unless recorded).
    pub(crate) jobs: Vec<(Option<Box<Diagnostic>>, Vec<Read>)>,
    /// The sink's first I/O error.
    pub(crate) io_error: Option<Error>,
}

/// Stage 7, for a full build and an incremental rebuild alike: renders `jobs` (indices into
/// the plan's jobs) in parallel with `templates`, handing each file to `sink`. With `record`,
/// each worker renders with its own recording copy of the templates
/// ([`BoundTemplates::recording`]) and every job's reads are returned; without, nothing is
/// copied or noted.
pub(crate) fn run(
    env: &JobEnv<'_>,
    templates: &BoundTemplates,
    jobs: &[usize],
    sink: &dyn Sink,
    record: bool,
) -> Ran {
    let io_error: Mutex<Option<Error>> = Mutex::new(None);
    let render = |templates: &BoundTemplates, j: usize| {
        let job = &env.plan.jobs[j];
        match job::render_job(job, templates, env) {
            Ok(bytes) => {
                if let Err(e) = sink.write(&job.output, bytes) {
                    let mut first = io_error.lock().unwrap_or_else(PoisonError::into_inner);
                    first.get_or_insert(e);
                }
                None
            }
            Err(d) => Some(d),
        }
    };
    let jobs = if record {
        jobs.par_iter()
            .map_init(
                || {
                    let recorder = Recorder::default();
                    (templates.recording(&recorder), recorder)
                },
                |(copy, recorder), &j| (render(copy, j), recorder.take()),
            )
            .collect()
    } else {
        jobs.par_iter()
            .map(|&j| (render(templates, j), Vec::new()))
            .collect()
    };
    Ran {
        jobs,
        io_error: io_error
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner),
    }
}

impl Ran {
    /// Every job's reads, when every job of `plan` rendered and went to the sink.
    ///
    /// Errors: the template errors (with the plan's warnings after them), else the sink's
    /// I/O error.
    fn into_reads(self, plan: &Plan) -> Result<Vec<Vec<Read>>> {
        let mut errors = Vec::new();
        let mut reads = Vec::with_capacity(self.jobs.len());
        for (error, r) in self.jobs {
            errors.extend(error.map(|d| *d));
            reads.push(r);
        }
        if errors.iter().any(Diagnostic::is_error) {
            errors.extend(plan.warnings.iter().cloned());
            return Err(Error::Diagnostics(errors));
        }
        match self.io_error {
            Some(e) => Err(e),
            None => Ok(reads),
        }
    }
}

/// The [`BuiltSite`] of a full render: the copies with the processed images used by markdown
/// and templates, published from the image cache. Every page and template has asked for its
/// images, so the rest of the cache is stale and pruned here.
fn finish(plan: &Plan, copies: Vec<AssetCopy>) -> BuiltSite {
    plan.images.prune_cache();
    let mut all_copies = copies;
    all_copies.extend(
        plan.images
            .published()
            .into_iter()
            .map(|(to, from)| AssetCopy { from, to }),
    );
    BuiltSite {
        files: Vec::new(),
        rendered_files: plan.jobs.len(),
        copies: all_copies,
        warnings: plan.warnings.clone(),
        pages_rendered: plan
            .jobs
            .iter()
            .filter(|j| j.context.is_html_page())
            .count(),
        timings: crate::Timings::start(),
        images_encoded: plan.images.encoded(),
    }
}
