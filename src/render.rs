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
use crate::templates::{SiteData, Templates, context};

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

struct Doc<'a> {
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

fn docs(tree: &SiteTree) -> Vec<Doc<'_>> {
    let pages = tree.pages.iter().map(|p| {
        (
            "page",
            shortcode_page(&p.title, &p.path, &p.permalink, &p.doc),
            &p.doc,
        )
    });
    let sections = tree.sections.iter().filter_map(|s| {
        let d = s.doc.as_ref()?;
        Some((
            "section",
            shortcode_page(&s.title, &s.path, &s.permalink, d),
            d,
        ))
    });
    pages
        .chain(sections)
        .map(|(page_key, page, d)| Doc {
            page_key,
            page,
            relative: &d.relative,
            shown: &d.shown,
            source: &d.source,
            body: d.body(),
            body_line: d.body_line,
        })
        .collect()
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
    let config_value = context::config_value(config, &menu);
    let references = match crate::references::References::load(&config.root) {
        Ok(r) => r,
        Err(e) => {
            errors.extend(e.into_diagnostics());
            crate::references::References::default()
        }
    };

    // Stage 5: shortcodes and markdown, in parallel.
    let docs = docs(tree);
    let results: Vec<std::result::Result<Rendered, Vec<Diagnostic>>> = docs
        .par_iter()
        .map(|d| {
            let links = tree
                .resolver_for(d.relative, &outputs, &config.base_path)
                .with_images(&images);
            let env = crate::shortcodes::expand::Env {
                templates,
                config: &config_value,
                page_key: d.page_key,
                page: &d.page,
                references: &references,
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
            crate::shortcodes::expand::render(&doc, &env, &links)
        })
        .collect();
    let rendered: Vec<Rendered> = results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|e| {
                errors.extend(e);
                Rendered::default()
            })
        })
        .collect();

    timings.lap("markdown");

    // Stage 6: links and anchors, for the whole site at once.
    let ids: HashMap<&str, HashSet<&str>> = docs
        .iter()
        .zip(&rendered)
        .map(|(d, r)| (d.relative, r.ids.iter().map(String::as_str).collect()))
        .collect();
    for (d, r) in docs.iter().zip(&rendered) {
        for p in &r.problems {
            errors.push(link_diagnostic(
                d,
                p.message.clone(),
                p.help.clone(),
                p.span,
            ));
        }
        for a in &r.anchors {
            let found = ids
                .get(a.page.as_str())
                .is_some_and(|set| set.contains(a.anchor.as_str()));
            if !found {
                let known: Vec<&str> = ids
                    .get(a.page.as_str())
                    .map(|s| s.iter().copied().collect())
                    .unwrap_or_default();
                let help = match crate::error::closest(known.iter().copied(), &a.anchor) {
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
    }
    if errors.iter().any(Diagnostic::is_error) {
        errors.extend(warnings);
        return Err(Error::Diagnostics(errors));
    }

    timings.lap("links");

    // Stage 7: template values, then rendering in parallel.
    let n_pages = tree.pages.len();
    // Feeds first: they are the only values that read the rendered pages directly.
    let feeds: Vec<Option<Value>> = tree
        .sections
        .iter()
        .map(|s| {
            s.feed
                .as_ref()
                .map(|_| context::feed_value(config, tree, s, &rendered[..n_pages]))
        })
        .collect();
    // The page values take each page's rendering over (its HTML, table of contents), so the
    // markdown output and the values are not held side by side (memory at 10,000 pages).
    let mut rendered = rendered;
    let sections_rendered = rendered.split_off(n_pages);
    let page_values = context::page_values(tree, rendered);
    let mut section_rendered: Vec<Option<&Rendered>> = Vec::with_capacity(tree.sections.len());
    let mut next = 0;
    for s in &tree.sections {
        if s.doc.is_some() {
            section_rendered.push(sections_rendered.get(next));
            next += 1;
        } else {
            section_rendered.push(None);
        }
    }
    let section_values: Vec<Value> = tree
        .sections
        .iter()
        .zip(&section_rendered)
        .map(|(s, r)| context::section_value(tree, s, *r, &page_values, false))
        .collect();

    let mut data = SiteData {
        base_url: config.base_url.clone(),
        drafts: tree.drafts.iter().cloned().collect(),
        images: Some(std::sync::Arc::clone(&images)),
        ..Default::default()
    };
    for (i, p) in tree.pages.iter().enumerate() {
        data.permalinks
            .insert(p.doc.relative.clone(), p.permalink.clone());
        data.values
            .insert(p.doc.relative.clone(), page_values[i].clone());
    }
    for (i, s) in tree.sections.iter().enumerate() {
        data.permalinks
            .insert(s.relative.clone(), s.permalink.clone());
        data.values
            .insert(s.relative.clone(), section_values[i].clone());
        data.section_metadata.insert(
            s.relative.clone(),
            context::section_value(tree, s, section_rendered[i], &page_values, true),
        );
    }
    for out in generated.keys() {
        data.outputs.insert(out.clone(), None);
    }
    for c in &copies {
        data.outputs.insert(c.to.clone(), Some(c.from.clone()));
    }
    templates.bind(data);

    let base_context = |current_path: &str| {
        let mut ctx = Context::new();
        ctx.insert_value("config", config_value.clone());
        ctx.insert("current_path", current_path);
        ctx.insert("current_url", &config.permalink(current_path));
        ctx
    };

    /// What a job renders with: a page or section (its context is built on the worker
    /// thread, so 10,000 contexts are not built one after another), or a ready context.
    enum JobContext {
        Page(usize),
        Section(usize),
        /// Listing page `.1` (0-based) of paginated section `.0`.
        Pager(usize, usize),
        Ready(Box<Context>),
    }
    struct Job<'a> {
        output: &'a str,
        template: String,
        shown: String,
        context: JobContext,
    }
    let mut jobs: Vec<Job<'_>> = Vec::with_capacity(tree.pages.len() + tree.sections.len() + 3);
    for (i, p) in tree.pages.iter().enumerate() {
        jobs.push(Job {
            output: &p.output,
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
                output: &pager.output,
                template: template.clone(),
                shown: shown.clone(),
                context: JobContext::Pager(i, k),
            });
        }
        jobs.push(Job {
            output: &s.output,
            template,
            shown,
            context: JobContext::Section(i),
        });
    }
    let html_pages = jobs.len();
    for (si, s) in tree.sections.iter().enumerate() {
        if let (Some(feed), Some(value)) = (&s.feed, feeds[si].clone()) {
            let mut ctx = base_context(&feed.path);
            ctx.insert_value("feed", value);
            ctx.insert_value("section", section_values[si].clone());
            jobs.push(Job {
                output: &feed.output,
                template: "atom.xml".into(),
                shown: format!("the feed {}", feed.output),
                context: JobContext::Ready(Box::new(ctx)),
            });
        }
    }
    jobs.push(Job {
        output: "404.html",
        template: "404.html".into(),
        shown: "404.html".into(),
        context: JobContext::Ready(Box::new(base_context("/404.html"))),
    });
    jobs.push(Job {
        output: "robots.txt",
        template: "robots.txt".into(),
        shown: "robots.txt".into(),
        context: JobContext::Ready(Box::new(base_context("/robots.txt"))),
    });
    let mut sitemap_ctx = base_context("/sitemap.xml");
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
    sitemap_ctx.insert_value("entries", Value::from(entries));
    jobs.push(Job {
        output: "sitemap.xml",
        template: "sitemap.xml".into(),
        shown: "sitemap.xml".into(),
        context: JobContext::Ready(Box::new(sitemap_ctx)),
    });
    for a in &tree.aliases {
        let mut ctx = base_context(&format!("/{}", a.output));
        ctx.insert("url", &a.target);
        jobs.push(Job {
            output: &a.output,
            template: "__stillpoint/alias.html".into(),
            shown: format!("the alias {}", a.output),
            context: JobContext::Ready(Box::new(ctx)),
        });
    }

    let rendered_files = jobs.len();
    let minify = config.minify && crate::minify::AVAILABLE;
    timings.lap("context");
    let io_error: std::sync::Mutex<Option<Error>> = std::sync::Mutex::new(None);
    let results: Vec<Option<Diagnostic>> = jobs
        .par_iter()
        .map(|job| {
            if !templates.has(&job.template) {
                let mut d = Diagnostic::error(format!(
                    "the template `{}` named by {} does not exist",
                    job.template, job.shown
                ))
                .in_file(job.shown.clone())
                .help("check the `template:` field in the front matter, or add the file to templates/");
                let source = match &job.context {
                    JobContext::Page(i) => Some(tree.pages[*i].doc.source.as_str()),
                    JobContext::Section(i) | JobContext::Pager(i, _) => tree.sections[*i].doc.as_ref().map(|d| d.source.as_str()),
                    JobContext::Ready(_) => None,
                };
                if let Some(src) = source
                    && let Some(span) = crate::yaml::key_value_span(src, "template")
                {
                    d = d.at(span, src);
                }
                return Some(d);
            }
            let built;
            let context = match &job.context {
                JobContext::Ready(c) => c.as_ref(),
                JobContext::Page(i) => {
                    let mut c = base_context(&tree.pages[*i].path);
                    c.insert_value("page", page_values[*i].clone());
                    built = c;
                    &built
                }
                JobContext::Section(i) | JobContext::Pager(i, _) => {
                    let s = &tree.sections[*i];
                    let k = match &job.context {
                        JobContext::Pager(_, k) => *k,
                        _ => 0,
                    };
                    let mut c = base_context(s.pagers.get(k).map_or(&s.path, |p| &p.path));
                    c.insert_value("section", section_values[*i].clone());
                    if !s.pagers.is_empty() {
                        c.insert_value("paginator", context::paginator_value(s, k, &page_values));
                    }
                    built = c;
                    &built
                }
            };
            match templates.render(&job.template, context, &job.shown) {
                Ok(html) => {
                    let bytes = if minify && job.output.ends_with(".html") {
                        crate::minify::html(html.as_bytes())
                    } else {
                        html.into_bytes()
                    };
                    if let Err(e) = sink.write(job.output, bytes) {
                        let mut first = io_error
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        first.get_or_insert(e);
                    }
                    None
                }
                Err(d) => Some(*d),
            }
        })
        .collect();
    errors.extend(results.into_iter().flatten());
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
    copies.extend(
        images
            .published()
            .into_iter()
            .map(|(to, from)| AssetCopy { from, to }),
    );
    Ok(BuiltSite {
        files: Vec::new(),
        rendered_files,
        copies,
        warnings,
        pages_rendered: html_pages,
        timings: crate::Timings::start(),
        images_encoded: images.encoded(),
    })
}
