//! Stages 5 and 6: every document's shortcodes and markdown, then its links and anchors.
//!
//! In: the [`SiteTree`] and what every document shares ([`MarkdownEnv`]). Out: each document's
//! [`Rendered`] HTML and a [`DocRecord`] of what links into it may point at; broken links and
//! anchors as diagnostics. A full build renders every document ([`render_site`]); an
//! incremental rebuild renders the edited ones again ([`render_again`]).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;
use tera::Value;

use crate::config::Config;
use crate::error::{Diagnostic, Span};
use crate::markdown::{self, Rendered};
use crate::shortcodes::expand::LazyValue;
use crate::site::SiteTree;
use crate::templates::{PageFields, Templates};

/// A markdown document of the site as stage 5 renders it.
pub(crate) struct Doc<'a> {
    /// `"page"` or `"section"`, and what shortcodes see under that name.
    page_key: &'static str,
    page: LazyValue<'a>,
    /// The page's permalink (a heading hook's `permalink` is it with `#id`).
    permalink: &'a str,
    relative: &'a str,
    shown: &'a Path,
    source: &'a str,
    body: &'a str,
    /// Where the body starts in `source` (bytes) and in the file (1-based line).
    body_start: usize,
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
        title: &'a str,
        path: &'a str,
        permalink: &'a str,
        d: &'a crate::content::Document,
    ) -> Doc<'a> {
        Doc {
            page_key,
            page: LazyValue::new(move || shortcode_page(title, path, permalink, d)),
            permalink,
            relative: &d.relative,
            shown: &d.shown,
            source: &d.source,
            body: d.body(),
            body_start: d.body_start,
            body_line: d.body_line,
        }
    }

    /// This document read from `source`, its whole text as taken out of the tree
    /// ([`SiteTree::take_sources`]); what shortcodes see as `page` is this one's.
    fn reading<'s>(&'s self, source: &'s str) -> Doc<'s> {
        Doc {
            page_key: self.page_key,
            page: LazyValue::new(|| self.page.get().clone()),
            permalink: self.permalink,
            relative: self.relative,
            shown: self.shown,
            source,
            body: source.get(self.body_start..).unwrap_or_default(),
            body_start: self.body_start,
            body_line: self.body_line,
        }
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
    /// Templates for shortcodes, unbound: shortcodes run before the site's values exist, so
    /// they cannot read other pages.
    pub(crate) templates: &'a Templates,
    pub(crate) config_value: &'a Value,
    pub(crate) references: &'a crate::references::References,
    /// What the page values made from these renderings hold (`plan::page_fields`).
    pub(crate) page_fields: PageFields,
}

/// What stage 6 found in one document, kept for checking links into it again.
#[derive(Debug, Clone, Default)]
pub struct DocRecord {
    /// Every id of the document's HTML (anchor targets).
    pub ids: HashSet<String>,
    /// Its links with an anchor.
    pub anchors: Vec<markdown::AnchorRef>,
    /// Its headings whose text makes an id the templates write: (that id, the heading's id).
    pub template_clashes: Vec<(String, String)>,
    /// Whether an image of it went to the image processor.
    pub used_images: bool,
    /// Its markdown failed (its error is reported; links into it are not checked).
    pub failed: bool,
}

/// Stages 5 and 6 for the whole site: every document's markdown in parallel, then the links
/// and anchors of all of them at once. Returns the renderings (pages in tree order, then the
/// sections with an `_index.md`; a failed one is empty) and the records by content path. The
/// markdown errors, then the link errors, go to `errors`.
///
/// `sources`: none when the tree holds every document's text (`serve`, `watch`, `check`);
/// for `build`, the texts taken out of the tree ([`SiteTree::take_sources`], in the same
/// order), each dropped as soon as its document is rendered unless stage 6 may show a place
/// in it (a link with an anchor, a link problem), so that the markdown and the HTML made from
/// it are not all held at once (memory at 10,000 pages).
pub(crate) fn render_site(
    env: &MarkdownEnv<'_>,
    errors: &mut Vec<Diagnostic>,
    timings: &mut crate::Timings,
    sources: Option<Vec<String>>,
) -> (Vec<Rendered>, HashMap<String, DocRecord>) {
    let docs = docs(env.tree);
    // Each rendering, and the text it was read from when stage 6 still needs that.
    let results: Vec<_> = match sources {
        None => docs
            .par_iter()
            .map(|d| (render_markdown(d, env), None))
            .collect(),
        Some(sources) => docs
            .par_iter()
            .zip(sources)
            .map(|(d, source)| {
                let result = render_markdown(&d.reading(&source), env);
                let needed = result
                    .0
                    .as_ref()
                    .is_ok_and(|r| !r.anchors.is_empty() || !r.problems.is_empty());
                (result, needed.then_some(source))
            })
            .collect(),
    };
    let mut records: HashMap<String, DocRecord> = HashMap::with_capacity(docs.len());
    let mut rendered: Vec<Rendered> = Vec::with_capacity(docs.len());
    let mut kept: Vec<Option<String>> = Vec::with_capacity(docs.len());
    for (d, ((r, used_images), source)) in docs.iter().zip(results) {
        let failed = r.is_err();
        let mut r = r.unwrap_or_else(|e| {
            errors.extend(e);
            Rendered::default()
        });
        records.insert(d.relative.to_string(), record(&mut r, used_images, failed));
        rendered.push(r);
        kept.push(source);
    }
    timings.lap("markdown");
    let fixed_ids = env.templates.fixed_ids();
    for ((d, r), source) in docs.iter().zip(&rendered).zip(&kept) {
        // A text dropped above is one whose rendering has no anchors and no problems: stage 6
        // has nothing to say about it.
        match source {
            Some(source) => errors.extend(link_errors(&d.reading(source), r, &records, fixed_ids)),
            None => errors.extend(link_errors(d, r, &records, fixed_ids)),
        }
    }
    (rendered, records)
}

/// Stages 5 and 6 again for edited documents, updating their `records`. `None` when one of
/// them fails, used an image (before or now), or has a broken link, or when an anchor link
/// into one no longer finds its id: a full build then reports or redoes it.
pub(crate) fn render_again(
    docs: &[Doc<'_>],
    env: &MarkdownEnv<'_>,
    records: &mut HashMap<String, DocRecord>,
) -> Option<Vec<Rendered>> {
    let mut rendered: Vec<Rendered> = Vec::with_capacity(docs.len());
    let results: Vec<_> = docs.par_iter().map(|d| render_markdown(d, env)).collect();
    for (d, (result, used_images)) in docs.iter().zip(results) {
        let mut out = result.ok()?;
        if used_images || records.get(d.relative).is_none_or(|rec| rec.used_images) {
            return None;
        }
        records.insert(d.relative.to_string(), record(&mut out, false, false));
        rendered.push(out);
    }
    for (d, out) in docs.iter().zip(&rendered) {
        if !link_errors(d, out, records, env.templates.fixed_ids()).is_empty() {
            return None;
        }
    }
    let edited: HashSet<&str> = docs.iter().map(|d| d.relative).collect();
    let template_ids = env.templates.fixed_ids();
    // A link into an edited document that no longer finds its id, or that now lands on a
    // template's element instead of a heading (a warning): a full build reports it.
    let broken = records.values().flat_map(|r| &r.anchors).any(|a| {
        let to = records.get(a.page.as_str());
        edited.contains(a.page.as_str())
            && if template_ids.contains_key(&a.anchor) {
                to.is_some_and(|to| to.template_clashes.iter().any(|(id, _)| *id == a.anchor))
            } else {
                !to.is_some_and(|to| to.ids.contains(&a.anchor))
            }
    });
    (!broken).then_some(rendered)
}

/// The record of a rendering (its ids move into the record).
fn record(r: &mut Rendered, used_images: bool, failed: bool) -> DocRecord {
    DocRecord {
        ids: std::mem::take(&mut r.ids).into_iter().collect(),
        anchors: r.anchors.clone(),
        template_clashes: std::mem::take(&mut r.template_clashes),
        used_images,
        failed,
    }
}

/// Stage 5 for one document: shortcodes, then markdown. Returns the rendering (or its link and
/// shortcode errors) and whether an image of it went to the image processor.
fn render_markdown(
    d: &Doc<'_>,
    env: &MarkdownEnv<'_>,
) -> (std::result::Result<Rendered, Vec<Diagnostic>>, bool) {
    let links = env
        .tree
        .resolver_for(d.relative, env.outputs, &env.config.base_path)
        .with_images(env.images)
        .with_template_ids(env.templates.fixed_ids());
    let shortcodes = crate::shortcodes::expand::Env {
        templates: env.templates,
        config: env.config_value,
        page_key: d.page_key,
        page: &d.page,
        references: env.references,
        markdown: &env.config.markdown,
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
    let hooked = Hooked::new(&links, d, env);
    let page = (d.page_key == "page").then_some(env.page_fields);
    let result = crate::shortcodes::expand::render(&doc, &shortcodes, &hooked)
        .map(|r| kept_for_values(r, page));
    (result, links.used_images())
}

/// What a rendering keeps for the values made from it, since every page's is held until the
/// values are made (memory at 10,000 pages): for a page (`page`: the fields its value holds),
/// no table of contents, summary or HTML its value does not hold (the summary also makes the
/// `meta_description`); for a section, everything. The HTML and summary without the room they
/// grew into as they were written.
fn kept_for_values(mut r: Rendered, page: Option<PageFields>) -> Rendered {
    if let Some(fields) = page {
        if !fields.shows("toc") {
            r.toc = Vec::new();
        }
        if !fields.shows("summary") && !fields.shows("meta_description") {
            r.summary = None;
        }
        if !fields.shows("content") {
            r.html = String::new();
        }
    }
    r.html.shrink_to_fit();
    if let Some(summary) = &mut r.summary {
        summary.shrink_to_fit();
    }
    r
}

/// The site's links with the render hooks of the site's or theme's templates
/// (`templates/markdown/*.html`, [`markdown::Hook`]): which exist is looked up once per
/// document, so a site without hooks renders no template per link.
struct Hooked<'a> {
    links: &'a dyn markdown::LinkResolver,
    doc: &'a Doc<'a>,
    env: &'a MarkdownEnv<'a>,
    /// Whether the image, link and heading hooks exist.
    present: [bool; 3],
}

impl<'a> Hooked<'a> {
    fn new(
        links: &'a dyn markdown::LinkResolver,
        doc: &'a Doc<'a>,
        env: &'a MarkdownEnv<'a>,
    ) -> Self {
        let has = |h: markdown::Hook| env.templates.has(h.template());
        Hooked {
            links,
            doc,
            env,
            present: [
                has(markdown::Hook::Image),
                has(markdown::Hook::Link),
                has(markdown::Hook::Heading),
            ],
        }
    }
}

impl markdown::LinkResolver for Hooked<'_> {
    fn resolve(&self, target: &str) -> markdown::LinkTarget {
        self.links.resolve(target)
    }

    fn image(&self, target: &str, alt: &str, title: &str, first: bool) -> markdown::ImageHtml {
        self.links.image(target, alt, title, first)
    }

    fn is_template_id(&self, id: &str) -> bool {
        self.links.is_template_id(id)
    }

    fn has_hook(&self, hook: markdown::Hook) -> bool {
        self.present[hook as usize]
    }

    /// Renders the hook with `page` (or `section`) and `config` added, as shortcodes see them,
    /// and a heading's `permalink`. Its error names the content file, and carries the
    /// template's own error at its line.
    fn render_hook(
        &self,
        hook: markdown::Hook,
        mut ctx: tera::Context,
    ) -> Result<String, Box<Diagnostic>> {
        ctx.insert(self.doc.page_key, self.doc.page.get());
        ctx.insert("config", self.env.config_value);
        if hook == markdown::Hook::Heading
            && let Some(id) = ctx.get("id").and_then(|v| v.as_str())
        {
            let permalink = format!("{}#{id}", self.doc.permalink);
            ctx.insert("permalink", &permalink);
        }
        let shown = self.doc.shown.display().to_string();
        self.env
            .templates
            .render(hook.template(), &ctx, &shown)
            .map_err(|e| Box::new(hook_error(hook, self.env.templates, *e)))
    }
}

/// The problem for a render hook that failed with `e` (in the hook's file): it names the hook's
/// file and the line where it stopped; the caller puts it at the markdown element.
fn hook_error(hook: markdown::Hook, templates: &Templates, e: Diagnostic) -> Diagnostic {
    let name = hook.template();
    let shown = templates
        .shown_path(name)
        .map_or_else(|| name.to_string(), |p| p.display().to_string());
    let place = match (&e.file, e.span) {
        (Some(f), Some(s)) => format!("{}:{}:{}", f.display(), s.line, s.col),
        (Some(f), None) => f.display().to_string(),
        _ => shown.clone(),
    };
    // The template's own message, without the "template error in FILE: " prefix.
    let message = e
        .message
        .split_once(": ")
        .filter(|(head, _)| head.starts_with("template"))
        .map_or(e.message.as_str(), |(_, m)| m);
    let mut in_template = e.clone();
    in_template.pages.clear();
    if in_template.file.is_none() {
        in_template.file = Some(shown.clone().into());
    }
    Diagnostic::error(format!(
        "the {} hook {shown} could not write this {}: {message}",
        hook.word(),
        hook.word()
    ))
    .note(format!("the error is at {place}"))
    .help(format!(
        "fix {shown}; the variables it is given are listed in the theme's README, \"Render hooks\""
    ))
    .from_template(in_template)
}

/// Stage 6 for one document: its link problems, and its anchor links checked against the
/// ids of the pages they point to (`records`, by content path) and the ids the templates
/// write on every page (`template_ids`). A link to a template's id on a page whose heading
/// made the same id (and got a suffix) is a warning saying where it lands.
fn link_errors(
    d: &Doc<'_>,
    r: &Rendered,
    records: &HashMap<String, DocRecord>,
    template_ids: &HashMap<String, Vec<std::path::PathBuf>>,
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
        if let Some(template) = template_ids.get(&a.anchor) {
            let clash = record
                .into_iter()
                .flat_map(|rec| &rec.template_clashes)
                .find(|(id, _)| *id == a.anchor);
            if let Some((id, heading)) = clash {
                errors.push(template_clash(d, a, id, heading, template));
            }
            continue;
        }
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

fn link_diagnostic(doc: &Doc<'_>, message: String, help: Option<String>, span: Span) -> Diagnostic {
    let mut d = Diagnostic::error(format!("{message} (in {})", doc.shown.display()))
        .in_file(doc.shown)
        .at(span, doc.source)
        .label("broken link");
    if let Some(h) = help {
        d = d.help(h);
    }
    d
}

/// The warning for a link to `#id` on a page where a heading's text makes `id` too: the
/// template's element (in one of `templates`) has that id, so the link lands there; the heading has
/// `heading` instead.
fn template_clash(
    d: &Doc<'_>,
    a: &markdown::AnchorRef,
    id: &str,
    heading: &str,
    templates: &[std::path::PathBuf],
) -> Diagnostic {
    let names: Vec<String> = templates.iter().map(|t| t.display().to_string()).collect();
    let mut w = Diagnostic::warning(format!(
        "`{}` lands on the element with id `{id}` written by the template {}, not on the heading of content/{} whose text makes `{id}`: that heading's id is `{heading}` (in {})",
        a.target,
        names.join(", "),
        a.page,
        d.shown.display()
    ))
    .in_file(d.shown)
    .at(a.span, d.source)
    .label("lands on the template's element");
    w = w.help(format!(
        "to link to the heading, write `#{heading}`, or give it its own id: `## … {{#my-id}}`"
    ));
    w
}
