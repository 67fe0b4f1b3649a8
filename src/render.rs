//! Stages 5 to 7: markdown, link checks and templates, all in memory.
//!
//! In: the [`SiteTree`], the [`Templates`], the [`Config`] and a [`Sink`]. Out: every output
//! file, handed to the sink as soon as it is rendered (so 10,000 pages are never held at once),
//! and a [`BuiltSite`] listing the files to copy. Nothing here touches the output folder itself
//! (the disk sink is a staging folder), so a failed build cannot damage the previous site, and
//! `check` can stop here.
//!
//! Markdown is rendered for every document in parallel; broken links and anchors are collected
//! for the whole site and fail the build together; then every page, section, alias, the
//! sitemap, `robots.txt` and `404.html` are rendered in parallel.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;
use tera::{Context, Value};

use crate::config::Config;
use crate::content::walk;
use crate::error::{Diagnostic, Error, Result, Span};
use crate::markdown::{self, Rendered};
use crate::output::Sink;
use crate::site::{self, AssetCopy, SiteTree};
use crate::templates::{Read, SiteData, Templates, context};

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

/// A markdown document of the site as stage 5 renders it.
pub(crate) struct Doc<'a> {
    /// `"page"` or `"section"`, and what shortcodes see under that name.
    page_key: &'static str,
    page: Value,
    relative: &'a str,
    shown: &'a Path,
    source: &'a str,
    body: &'a str,
    body_line: usize,
}

/// What a shortcode sees as `page` (or `section`): the values known before any markdown is
/// rendered.
fn shortcode_page(title: &str, path: &str, permalink: &str, d: &crate::content::Document) -> Value {
    Value::from_serializable(&serde_json::json!({
        "title": title,
        "path": path,
        "permalink": permalink,
        "relative_path": d.relative,
        "description": d.front.description,
        "extra": d.front.extra.clone().unwrap_or_default(),
    }))
}

impl<'a> Doc<'a> {
    fn new(
        page_key: &'static str,
        title: &str,
        path: &str,
        permalink: &str,
        d: &'a crate::content::Document,
    ) -> Doc<'a> {
        Doc {
            page_key,
            page: shortcode_page(title, path, permalink, d),
            relative: &d.relative,
            shown: &d.shown,
            source: &d.source,
            body: d.body(),
            body_line: d.body_line,
        }
    }

    /// The document's content path (`faq.md`).
    pub(crate) fn relative(&self) -> &'a str {
        self.relative
    }

    /// Page `i` of the tree.
    pub(crate) fn page(tree: &'a SiteTree, i: usize) -> Doc<'a> {
        let p = &tree.pages[i];
        Doc::new("page", &p.title, &p.path, &p.permalink, &p.doc)
    }

    /// Section `i` of the tree, if it has an `_index.md`.
    pub(crate) fn section(tree: &'a SiteTree, i: usize) -> Option<Doc<'a>> {
        let s = &tree.sections[i];
        let d = s.doc.as_ref()?;
        Some(Doc::new("section", &s.title, &s.path, &s.permalink, d))
    }
}

/// Every document: the pages in tree order, then the sections that have an `_index.md`.
fn docs(tree: &SiteTree) -> Vec<Doc<'_>> {
    (0..tree.pages.len())
        .map(|i| Doc::page(tree, i))
        .chain((0..tree.sections.len()).filter_map(|i| Doc::section(tree, i)))
        .collect()
}

/// What stage 5 needs besides the document: shared by every document of a build.
pub(crate) struct MarkdownEnv<'a> {
    pub(crate) tree: &'a SiteTree,
    pub(crate) config: &'a Config,
    pub(crate) outputs: &'a HashSet<String>,
    pub(crate) images: &'a crate::images::Processor,
    /// Templates for shortcodes; their site data is not bound yet in a build, so shortcodes
    /// cannot read other pages (an incremental rebuild passes such an unbound copy too).
    pub(crate) templates: &'a Templates,
    pub(crate) config_value: &'a Value,
    pub(crate) references: &'a crate::references::References,
}

/// Stage 5 for one document: shortcodes, then markdown. Returns the rendering (or its link and
/// shortcode errors) and whether an image of it went to the image processor.
pub(crate) fn render_markdown(
    d: &Doc<'_>,
    env: &MarkdownEnv<'_>,
) -> (std::result::Result<Rendered, Vec<Diagnostic>>, bool) {
    let links = env
        .tree
        .resolver_for(d.relative, env.outputs, &env.config.base_path)
        .with_images(env.images);
    let shortcodes = crate::shortcodes::expand::Env {
        templates: env.templates,
        config: env.config_value,
        page_key: d.page_key,
        page: &d.page,
        references: env.references,
    };
    // CommonMark 0.31, 2.3: a NUL character is replaced by U+FFFD.
    let cleaned;
    let body = if d.body.contains('\0') {
        cleaned = d.body.replace('\0', "\u{FFFD}");
        cleaned.as_str()
    } else {
        d.body
    };
    let doc = crate::shortcodes::expand::Doc {
        shown: d.shown,
        source: d.source,
        body,
        body_line: d.body_line,
    };
    let result = crate::shortcodes::expand::render(&doc, &shortcodes, &links);
    (result, links.used_images())
}

/// Stage 6 for one document: its link problems, and its anchor links checked against the
/// ids of the pages they point to (`records`, by content path).
pub(crate) fn link_errors(
    d: &Doc<'_>,
    r: &Rendered,
    records: &HashMap<String, DocRecord>,
) -> Vec<Diagnostic> {
    let mut errors: Vec<Diagnostic> = r
        .problems
        .iter()
        .map(|p| p.clone().found_in(d.shown, d.source))
        .collect();
    for a in &r.anchors {
        let record = records.get(a.page.as_str());
        if record.is_some_and(|rec| rec.failed) {
            // That page's own error is reported; its ids are unknown, not missing.
            continue;
        }
        let known = record.map(|rec| &rec.ids);
        if !known.is_some_and(|set| set.contains(&a.anchor)) {
            let help = match crate::error::closest(
                known.into_iter().flatten().map(String::as_str),
                &a.anchor,
            ) {
                Some(k) => format!("did you mean `#{k}`? Anchors are made from headings: `## Is it safe?` becomes `#is-it-safe`"),
                None => "anchors are made from headings: `## Is it safe?` becomes `#is-it-safe`; or give a heading its own with `## Title {#my-anchor}`".into(),
            };
            errors.push(link_diagnostic(
                d,
                format!("link to an anchor that does not exist: `{}` (no heading or element with id `{}` in content/{})", a.target, a.anchor, a.page),
                Some(help),
                a.span,
            ));
        }
    }
    errors
}

fn link_diagnostic(
    doc: &Doc<'_>,
    message: String,
    help: Option<String>,
    span: markdown::Span,
) -> Diagnostic {
    let mut d = Diagnostic::error(format!("{message} (in {})", doc.shown.display()))
        .in_file(doc.shown)
        .at(Span::new(span.line, span.col, span.len), doc.source)
        .label("broken link");
    if let Some(h) = help {
        d = d.help(h);
    }
    d
}

/// Stages 5–7: renders the whole site, handing each output file to `sink` as soon as it is
/// rendered (the returned [`BuiltSite`] has no `files`: they are in the sink).
///
/// Errors (all collected per stage): broken internal links and anchors in markdown, broken
/// `@/` links in the menu, generated files colliding with static files, and template errors
/// (naming the template file and line and the page being rendered); the first I/O error of the
/// sink. On error some files may already be in the sink: a [`crate::output::Staging`] sink is
/// then dropped unpublished.
pub fn site(
    config: &Config,
    tree: &SiteTree,
    templates: &Templates,
    statics: Vec<AssetCopy>,
    sink: &dyn Sink,
    timings: &mut crate::Timings,
) -> Result<BuiltSite> {
    site_retained(config, tree, templates, statics, sink, timings, false).map(|(b, _)| b)
}

/// [`site()`], also returning what an incremental rebuild needs ([`Retained`]); with `record`,
/// every file's reads of other pages and sections are recorded for it.
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
    let mut warnings = tree.warnings.clone();

    if config.minify && !crate::minify::AVAILABLE {
        let mut d = Diagnostic::warning("`minify: true` has no effect: this stillpoint was built without HTML minification, so the HTML is written as it is")
            .in_file("config.yaml")
            .help("to minify, install stillpoint with `cargo install --path . --features minify` (or run `cargo run --release --features minify -- build`); or remove `minify: true` from config.yaml to silence this warning");
        if let Some(span) = crate::yaml::key_value_span(&config.config_source, "minify") {
            d = d.at(span, &config.config_source);
        }
        warnings.push(d);
    }

    // Every output path, to catch collisions between generated and copied files.
    let mut generated: HashMap<String, String> = HashMap::new();
    for p in &tree.pages {
        generated.insert(p.output.clone(), p.doc.shown.display().to_string());
    }
    for s in &tree.sections {
        generated.insert(
            s.output.clone(),
            s.doc
                .as_ref()
                .map_or_else(|| "the home page".into(), |d| d.shown.display().to_string()),
        );
    }
    for a in &tree.aliases {
        generated.insert(a.output.clone(), format!("an alias of {}", a.target));
    }
    generated.extend(tree.listing_outputs());
    for r in ["sitemap.xml", "robots.txt", "404.html"] {
        generated.insert(r.to_string(), format!("the generated {r}"));
    }
    let mut copies: Vec<AssetCopy> = statics;
    let static_paths: HashSet<String> = copies.iter().map(|c| c.to.clone()).collect();
    for a in &tree.assets {
        if static_paths.contains(&a.to) {
            warnings.push(Diagnostic::warning(format!(
                "content/ and static/ both have a file for {}; the one in content/ is used",
                a.to
            )));
            copies.retain(|c| c.to != a.to);
        }
        copies.push(a.clone());
    }
    let mut errors = Vec::new();
    for c in &copies {
        if let Some(by) = generated.get(&c.to) {
            let shown = c.from.strip_prefix(&config.root).unwrap_or(&c.from);
            errors.push(
                Diagnostic::error(format!(
                    "{} would overwrite {by} (both are written to {})",
                    shown.display(),
                    c.to
                ))
                .in_file(shown)
                .help("rename or remove one of the two"),
            );
        }
    }
    // Every file the build writes, for checking links that are not `@/` links.
    let outputs: HashSet<String> = generated
        .keys()
        .cloned()
        .chain(copies.iter().map(|c| c.to.clone()))
        .collect();
    errors.extend(crate::seo::check(tree, config, &outputs));

    // Images that markdown and `resize_image` may process: every copied file.
    let images = std::sync::Arc::new(crate::images::Processor::new(
        &config.root,
        &config.base_url,
        copies.iter().map(|c| (c.to.clone(), c.from.clone())),
    ));

    // The menu and `config` value come first: shortcodes see `config`.
    let menu = match site::resolve_menu(tree, config) {
        Ok(m) => m,
        Err(e) => {
            errors.extend(e);
            Vec::new()
        }
    };
    // Whether the site is ready to publish, decided in one place for `check --publish` and
    // the templates (`config.ready_to_publish`).
    let ready = crate::publish::is_ready(config, tree);
    let config_value = context::config_value(config, &menu, ready);
    let references = match crate::references::References::load(&config.root) {
        Ok(r) => r,
        Err(e) => {
            // Reported once here; the citations that needed the list stay quiet.
            errors.extend(e.into_diagnostics());
            crate::references::References {
                unreadable: true,
                ..Default::default()
            }
        }
    };

    // Stage 5: shortcodes and markdown, in parallel.
    let docs = docs(tree);
    let env = MarkdownEnv {
        tree,
        config,
        outputs: &outputs,
        images: &images,
        templates,
        config_value: &config_value,
        references: &references,
    };
    let results: Vec<_> = docs.par_iter().map(|d| render_markdown(d, &env)).collect();
    let mut records: HashMap<String, DocRecord> = HashMap::with_capacity(docs.len());
    let mut rendered: Vec<Rendered> = Vec::with_capacity(docs.len());
    for (d, (r, used_images)) in docs.iter().zip(results) {
        let failed = r.is_err();
        let mut r = r.unwrap_or_else(|e| {
            errors.extend(e);
            Rendered::default()
        });
        records.insert(
            d.relative.to_string(),
            DocRecord {
                ids: std::mem::take(&mut r.ids).into_iter().collect(),
                anchors: r.anchors.clone(),
                used_images,
                failed,
            },
        );
        rendered.push(r);
    }

    timings.lap("markdown");

    // Stage 6: links and anchors, for the whole site at once.
    for (d, r) in docs.iter().zip(&rendered) {
        errors.extend(link_errors(d, r, &records));
    }
    if errors.iter().any(Diagnostic::is_error) {
        errors.extend(warnings);
        return Err(Error::Diagnostics(errors));
    }
    drop(docs);

    timings.lap("links");

    // Stage 7: template values, then rendering in parallel. The page values take each page's
    // rendering over (its HTML, table of contents), so the markdown output and the values are
    // not held side by side (memory at 10,000 pages).
    let n_pages = tree.pages.len();
    let sections_rendered = rendered.split_off(n_pages);
    let page_values = context::page_values(tree, rendered);
    let mut sections_rendered = sections_rendered.into_iter();
    let section_rendered: Vec<Option<Rendered>> = tree
        .sections
        .iter()
        .map(|s| s.doc.as_ref().and_then(|_| sections_rendered.next()))
        .collect();
    let section_values: Vec<Value> = (0..tree.sections.len())
        .map(|i| section_value(tree, &section_rendered, &page_values, i, false))
        .collect();
    let feeds: Vec<Option<Value>> = tree
        .sections
        .iter()
        .map(|s| {
            s.feed
                .as_ref()
                .map(|_| context::feed_value(config, tree, s, &page_values))
        })
        .collect();

    let mut permalinks = crate::templates::FastMap::default();
    let mut values = crate::templates::FastMap::default();
    let mut section_metadata = crate::templates::FastMap::default();
    for (i, p) in tree.pages.iter().enumerate() {
        permalinks.insert(p.doc.relative.clone(), p.permalink.clone());
        values.insert(p.doc.relative.clone(), page_values[i].clone());
    }
    for (i, s) in tree.sections.iter().enumerate() {
        permalinks.insert(s.relative.clone(), s.permalink.clone());
        values.insert(s.relative.clone(), section_values[i].clone());
        section_metadata.insert(
            s.relative.clone(),
            section_value(tree, &section_rendered, &page_values, i, true),
        );
    }
    let mut output_sources = HashMap::new();
    for out in generated.keys() {
        output_sources.insert(out.clone(), None);
    }
    for c in &copies {
        output_sources.insert(c.to.clone(), Some(c.from.clone()));
    }
    let data = SiteData {
        base_url: config.base_url.clone(),
        drafts: std::sync::Arc::new(tree.drafts.iter().cloned().collect()),
        images: Some(std::sync::Arc::clone(&images)),
        permalinks: std::sync::Arc::new(permalinks),
        values: std::sync::Arc::new(values),
        section_metadata: std::sync::Arc::new(section_metadata),
        outputs: std::sync::Arc::new(output_sources),
        ..Default::default()
    };
    templates.bind(data);

    let jobs = jobs(config, tree);
    let html_pages = jobs
        .iter()
        .filter(|j| {
            matches!(
                j.context,
                JobContext::Page(_) | JobContext::Section(_) | JobContext::Pager(..)
            )
        })
        .count();
    let values = Values {
        config,
        config_value: &config_value,
        tree,
        page_values: &page_values,
        section_values: &section_values,
        feeds: &feeds,
    };
    let rendered_files = jobs.len();
    let minify = config.minify && crate::minify::AVAILABLE;
    timings.lap("context");
    let io_error: std::sync::Mutex<Option<Error>> = std::sync::Mutex::new(None);
    let results: Vec<(Option<Diagnostic>, Vec<Read>)> = jobs
        .par_iter()
        .map(|job| {
            let (result, reads) = render_job(job, templates, &values, minify, record);
            match result {
                Ok(bytes) => {
                    if let Err(e) = sink.write(&job.output, bytes) {
                        let mut first = io_error
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        first.get_or_insert(e);
                    }
                    (None, reads)
                }
                Err(d) => (Some(d), reads),
            }
        })
        .collect();
    let mut reads = Vec::with_capacity(results.len());
    for (error, r) in results {
        errors.extend(error);
        reads.push(r);
    }
    let mut readers: HashMap<Read, Vec<u32>> = HashMap::new();
    for (j, list) in reads.iter().enumerate() {
        for r in list {
            readers.entry(*r).or_default().push(j as u32);
        }
    }
    if errors.iter().any(Diagnostic::is_error) {
        errors.extend(warnings);
        return Err(Error::Diagnostics(errors));
    }
    if let Some(e) = io_error
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        return Err(e);
    }
    timings.lap("templates + write");
    // Every page and template has asked for its images: the rest of the cache is stale.
    images.prune_cache();
    // Processed images used by markdown and templates, published from the image cache.
    let mut all_copies = copies.clone();
    all_copies.extend(
        images
            .published()
            .into_iter()
            .map(|(to, from)| AssetCopy { from, to }),
    );
    let built = BuiltSite {
        files: Vec::new(),
        rendered_files,
        copies: all_copies,
        warnings: warnings.clone(),
        pages_rendered: html_pages,
        timings: crate::Timings::start(),
        images_encoded: images.encoded(),
    };
    let retained = Retained {
        outputs,
        images,
        config_value,
        references,
        records,
        page_values,
        section_rendered,
        section_values,
        feeds,
        jobs,
        reads,
        readers,
        minify,
        warnings,
    };
    Ok((built, retained))
}

/// The value of section `i` (see [`context::section_value`]).
pub(crate) fn section_value(
    tree: &SiteTree,
    section_rendered: &[Option<Rendered>],
    page_values: &[Value],
    i: usize,
    metadata_only: bool,
) -> Value {
    context::section_value(
        tree,
        &tree.sections[i],
        section_rendered[i].as_ref(),
        page_values,
        metadata_only,
    )
}

/// What stage 6 found in one document, kept for checking links into it again.
#[derive(Debug, Clone, Default)]
pub struct DocRecord {
    /// Every id of the document's HTML (anchor targets).
    pub ids: HashSet<String>,
    /// Its links with an anchor.
    pub anchors: Vec<markdown::AnchorRef>,
    /// Whether an image of it went to the image processor.
    pub used_images: bool,
    /// Its markdown failed (its error is reported; links into it are not checked).
    pub failed: bool,
}

/// What a full render keeps for an incremental rebuild ([`crate::incremental`]): the values
/// every template saw, every output file with what rendered it and what it read.
pub struct Retained {
    /// Every file the build writes (for link checks).
    pub outputs: HashSet<String>,
    /// The build's image processor.
    pub images: std::sync::Arc<crate::images::Processor>,
    /// The `config` value of every template.
    pub config_value: Value,
    /// `data/references.yaml`.
    pub references: crate::references::References,
    /// Content path -> what stage 6 found in that document.
    pub records: HashMap<String, DocRecord>,
    /// Page values, in tree order.
    pub page_values: Vec<Value>,
    /// Each section's markdown rendering (none without `_index.md`).
    pub section_rendered: Vec<Option<Rendered>>,
    /// Section values (with their pages), in tree order.
    pub section_values: Vec<Value>,
    /// Each section's feed value, if it has a feed.
    pub feeds: Vec<Option<Value>>,
    /// Every rendered file.
    pub jobs: Vec<Job>,
    /// What each job's templates read (`jobs[i]` read `reads[i]`, sorted), when recorded.
    pub reads: Vec<Vec<Read>>,
    /// The other way round: a read -> the jobs that made it (and, after incremental
    /// rebuilds, may be some that no longer do).
    pub readers: HashMap<Read, Vec<u32>>,
    /// HTML is minified.
    pub minify: bool,
    /// The build's warnings.
    pub warnings: Vec<Diagnostic>,
}

/// What a job renders with: a page, a section, a listing page or a feed (each context is built
/// on the worker thread, so 10,000 contexts are not built one after another), or a ready
/// context.
#[derive(Debug, Clone)]
pub enum JobContext {
    /// Page `.0` of the tree.
    Page(usize),
    /// Section `.0` (its first listing page when paginated).
    Section(usize),
    /// Listing page `.1` (0-based, at least 1) of paginated section `.0`.
    Pager(usize, usize),
    /// The feed of section `.0`.
    Feed(usize),
    /// A context that needs no page values (404, robots.txt, sitemap, aliases).
    Ready(Box<Context>),
}

/// One file a template renders.
#[derive(Debug, Clone)]
pub struct Job {
    /// Output path, relative to the output folder.
    pub output: String,
    /// The template's name.
    pub template: String,
    /// What is rendered, as named in messages (`content/faq.md`).
    pub shown: String,
    /// With what.
    pub context: JobContext,
}

/// The values templates see, for [`render_job`].
pub(crate) struct Values<'a> {
    pub(crate) config: &'a Config,
    pub(crate) config_value: &'a Value,
    pub(crate) tree: &'a SiteTree,
    pub(crate) page_values: &'a [Value],
    pub(crate) section_values: &'a [Value],
    pub(crate) feeds: &'a [Option<Value>],
}

impl Values<'_> {
    fn base_context(&self, current_path: &str) -> Context {
        base_context(self.config, self.config_value, current_path)
    }
}

fn base_context(config: &Config, config_value: &Value, current_path: &str) -> Context {
    let mut ctx = Context::new();
    ctx.insert_value("config", config_value.clone());
    ctx.insert("current_path", current_path);
    ctx.insert("current_url", &config.permalink(current_path));
    ctx
}

/// Every file the templates render, in order: pages, then each section's listing pages (its
/// later pages first), then feeds, `404.html`, `robots.txt`, `sitemap.xml` and aliases. This
/// is where a page's template is picked: front matter `template`, else `page.html`,
/// `index.html` for the home page and `section.html` for other sections.
pub(crate) fn jobs(config: &Config, tree: &SiteTree) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::with_capacity(tree.pages.len() + tree.sections.len() + 3);
    for (i, p) in tree.pages.iter().enumerate() {
        jobs.push(Job {
            output: p.output.clone(),
            template: p
                .doc
                .front
                .template
                .clone()
                .unwrap_or_else(|| "page.html".into()),
            shown: p.doc.shown.display().to_string(),
            context: JobContext::Page(i),
        });
    }
    for (i, s) in tree.sections.iter().enumerate() {
        let default = if i == 0 { "index.html" } else { "section.html" };
        let template = s
            .doc
            .as_ref()
            .and_then(|d| d.front.template.clone())
            .unwrap_or_else(|| default.into());
        let shown = s
            .doc
            .as_ref()
            .map_or_else(|| "the home page".into(), |d| d.shown.display().to_string());
        // Listing pages after the first (`paginate_by`) use the section's template too.
        for (k, pager) in s.pagers.iter().enumerate().skip(1) {
            jobs.push(Job {
                output: pager.output.clone(),
                template: template.clone(),
                shown: shown.clone(),
                context: JobContext::Pager(i, k),
            });
        }
        jobs.push(Job {
            output: s.output.clone(),
            template,
            shown,
            context: JobContext::Section(i),
        });
    }
    for (si, s) in tree.sections.iter().enumerate() {
        if let Some(feed) = &s.feed {
            jobs.push(Job {
                output: feed.output.clone(),
                template: "atom.xml".into(),
                shown: format!("the feed {}", feed.output),
                context: JobContext::Feed(si),
            });
        }
    }
    let empty = Value::none();
    let base = |path: &str| Box::new(base_context(config, &empty, path));
    jobs.push(Job {
        output: "404.html".into(),
        template: "404.html".into(),
        shown: "404.html".into(),
        context: JobContext::Ready(base("/404.html")),
    });
    jobs.push(Job {
        output: "robots.txt".into(),
        template: "robots.txt".into(),
        shown: "robots.txt".into(),
        context: JobContext::Ready(base("/robots.txt")),
    });
    let mut sitemap_ctx = base("/sitemap.xml");
    sitemap_ctx.insert_value("entries", sitemap_entries(tree));
    jobs.push(Job {
        output: "sitemap.xml".into(),
        template: "sitemap.xml".into(),
        shown: "sitemap.xml".into(),
        context: JobContext::Ready(sitemap_ctx),
    });
    for a in &tree.aliases {
        let mut ctx = base(&format!("/{}", a.output));
        ctx.insert("url", &a.target);
        jobs.push(Job {
            output: a.output.clone(),
            template: "__stillpoint/alias.html".into(),
            shown: format!("the alias {}", a.output),
            context: JobContext::Ready(ctx),
        });
    }
    jobs
}

/// The sitemap's entries: every page, section and later listing page, with its permalink and
/// `lastmod` (front matter `updated`, else `date`), sorted.
fn sitemap_entries(tree: &SiteTree) -> Value {
    let mut entries: Vec<(String, Option<String>)> = tree
        .pages
        .iter()
        .map(|p| {
            let f = &p.doc.front;
            (
                p.permalink.clone(),
                f.updated
                    .as_ref()
                    .or(f.date.as_ref())
                    .map(|d| d.date_string()),
            )
        })
        .chain(tree.sections.iter().map(|s| {
            let f = s.doc.as_ref().map(|d| &d.front);
            (
                s.permalink.clone(),
                f.and_then(|f| f.updated.as_ref().or(f.date.as_ref()))
                    .map(|d| d.date_string()),
            )
        }))
        .chain(
            tree.sections
                .iter()
                .flat_map(|s| s.pagers.iter().skip(1))
                .map(|p| (p.permalink.clone(), None)),
        )
        .collect();
    entries.sort();
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|(permalink, lastmod)| {
            let mut m = tera::Map::new();
            m.insert("permalink".into(), Value::from(permalink));
            m.insert(
                "lastmod".into(),
                lastmod.map_or_else(Value::none, Value::from),
            );
            Value::from(m)
        })
        .collect();
    Value::from(entries)
}

/// Renders one job: its bytes (minified HTML when `minify`), or the diagnostic of a missing
/// template or a template error; with `record`, also what its templates read.
pub(crate) fn render_job(
    job: &Job,
    templates: &Templates,
    values: &Values<'_>,
    minify: bool,
    record: bool,
) -> (std::result::Result<Vec<u8>, Diagnostic>, Vec<Read>) {
    let tree = values.tree;
    if !templates.has(&job.template) {
        let mut d = Diagnostic::error(format!(
            "the template `{}` named by {} does not exist",
            job.template, job.shown
        ))
        .in_file(job.shown.clone())
        .help(match templates.closest_name(&job.template) {
            Some(c) => format!("did you mean `{c}`? `template:` names a file in templates/ or in the theme's templates/"),
            None => "check the `template:` field in the front matter, or add the file to templates/".to_string(),
        });
        let source = match &job.context {
            JobContext::Page(i) => Some(tree.pages[*i].doc.source.as_str()),
            JobContext::Section(i) | JobContext::Pager(i, _) => {
                tree.sections[*i].doc.as_ref().map(|d| d.source.as_str())
            }
            JobContext::Feed(_) | JobContext::Ready(_) => None,
        };
        if let Some(src) = source
            && let Some(span) = crate::yaml::key_value_span(src, "template")
        {
            d = d.at(span, src);
        }
        return (Err(d), Vec::new());
    }
    let built;
    let context = match &job.context {
        JobContext::Ready(c) => {
            // Made before the config value was known: `config` goes in here.
            let mut c = c.as_ref().clone();
            c.insert_value("config", values.config_value.clone());
            built = c;
            &built
        }
        JobContext::Page(i) => {
            let mut c = values.base_context(&tree.pages[*i].path);
            c.insert_value("page", values.page_values[*i].clone());
            built = c;
            &built
        }
        JobContext::Feed(si) => {
            let s = &tree.sections[*si];
            let path = s.feed.as_ref().map_or(&s.path, |f| &f.path);
            let mut c = values.base_context(path);
            c.insert_value(
                "feed",
                values.feeds[*si].clone().unwrap_or_else(Value::none),
            );
            c.insert_value("section", values.section_values[*si].clone());
            built = c;
            &built
        }
        JobContext::Section(i) | JobContext::Pager(i, _) => {
            let s = &tree.sections[*i];
            let k = match &job.context {
                JobContext::Pager(_, k) => *k,
                _ => 0,
            };
            let mut c = values.base_context(s.pagers.get(k).map_or(&s.path, |p| &p.path));
            c.insert_value("section", values.section_values[*i].clone());
            if !s.pagers.is_empty() {
                c.insert_value(
                    "paginator",
                    context::paginator_value(s, k, values.page_values),
                );
            }
            built = c;
            &built
        }
    };
    let (result, reads) = if record {
        templates.render_recording(&job.template, context, &job.shown)
    } else {
        (
            templates.render(&job.template, context, &job.shown),
            Vec::new(),
        )
    };
    let result = result.map_err(|d| {
        // A template error on a value: also point at its line in config.yaml or the page.
        let doc = match &job.context {
            JobContext::Page(i) => Some(&tree.pages[*i].doc),
            JobContext::Section(i) | JobContext::Pager(i, _) => tree.sections[*i].doc.as_ref(),
            JobContext::Feed(_) | JobContext::Ready(_) => None,
        };
        let template = d.file.as_deref().and_then(|f| templates.source_of(f));
        crate::templates::origin::point_at_value(*d, template, values.config, doc)
    });
    let result = result.map(|html| {
        if minify && job.output.ends_with(".html") {
            crate::minify::html(html.as_bytes())
        } else {
            html.into_bytes()
        }
    });
    (result, reads)
}
