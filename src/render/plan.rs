//! The render plan: what stage 7 renders, and with what. A [`Plan`] holds the values templates
//! see (the `config` value, every page, section and feed value), the list of files to render
//! ([`Job`]s, where each file's template is picked), and what rendering markdown again needs.
//!
//! A full build makes it with [`Plan::new`] (stages 5 and 6 included: page values hold their
//! rendered markdown); an incremental rebuild applies edited documents to it
//! ([`Plan::apply_markdown`], [`Plan::apply_values`], [`Plan::rebind`]). Both then render jobs of
//! it with the same [`crate::render::run`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use tera::{Context, Value};

use super::markdown::{self, Doc, DocRecord, MarkdownEnv};
use super::reads::ReadLog;
use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::images::Processor;
use crate::markdown::Rendered;
use crate::references::References;
use crate::site::outputs::{NOT_FOUND, ROBOTS, SITEMAP};
use crate::site::{self, AssetCopy, SiteTree};
use crate::templates::{
    BoundTemplates, FastMap, PageFields, SiteData, TaxonomyData, Templates, context,
};

/// What page values hold ([`context::page_map`]): what the templates can show
/// ([`Templates::page_fields`]), and summaries and content whenever a section's front matter
/// or a taxonomy asks for a feed (a feed's entries take them from the page values,
/// [`context::feed_value`]), whether or not it has dated pages yet. A change to templates,
/// `feed:` or `config.yaml` is a full build, which makes a new plan.
fn page_fields(templates: &Templates, tree: &SiteTree) -> PageFields {
    let shown = templates.page_fields();
    let feeds = tree
        .sections
        .iter()
        .any(|s| s.doc.as_ref().is_some_and(|d| d.front.feed))
        || tree.taxonomies.iter().any(|t| t.config.feed);
    if feeds {
        shown.with("summary").with("content")
    } else {
        shown
    }
}

/// Everything stage 7 renders from, kept between incremental rebuilds.
#[derive(Debug)]
pub struct Plan {
    /// Every file the build writes (for link checks).
    pub(crate) outputs: HashSet<String>,
    /// The build's image processor.
    pub(crate) images: Arc<Processor>,
    /// The `config` value of every template.
    pub(crate) config_value: Value,
    /// `data/references.yaml`.
    pub(crate) references: References,
    /// Content path -> what stage 6 found in that document.
    pub(crate) records: HashMap<String, DocRecord>,
    /// Page values, in tree order.
    pub(crate) page_values: Vec<Value>,
    /// Each section's markdown rendering (none without `_index.md`).
    pub(crate) section_rendered: Vec<Option<Rendered>>,
    /// Section values (with their pages), in tree order.
    pub(crate) section_values: Vec<Value>,
    /// Each section's feed value, if it has a feed.
    pub(crate) feeds: Vec<Option<Value>>,
    /// Every file the templates render ([`jobs`]).
    pub(crate) jobs: Vec<Job>,
    /// HTML is minified.
    pub(crate) minify: bool,
    /// The build's warnings.
    pub(crate) warnings: Vec<Diagnostic>,
    /// What the templates can show of a page value ([`Templates::page_fields`]).
    pub(crate) page_fields: PageFields,
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
    /// The list of terms of taxonomy `.0` (`taxonomy_list.html`).
    Taxonomy(usize),
    /// Term `.1` of taxonomy `.0`, its listing page `.2` (0-based; 0 is the term's own page)
    /// (`taxonomy_single.html`).
    Term(usize, usize, usize),
    /// The feed of term `.1` of taxonomy `.0`.
    TermFeed(usize, usize),
    /// `sitemap.xml`: its entries are made from the tree when it renders (`sitemap_entries`),
    /// so they are not held through the whole render.
    Sitemap,
    /// A context that needs no page values (404, robots.txt, aliases).
    Ready(Box<Context>),
}

impl JobContext {
    /// An HTML page (a page, section or listing page), as counted in reports.
    pub(crate) fn is_html_page(&self) -> bool {
        matches!(
            self,
            JobContext::Page(_)
                | JobContext::Section(_)
                | JobContext::Pager(..)
                | JobContext::Taxonomy(_)
                | JobContext::Term(..)
        )
    }
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

/// For `build`: the documents' texts taken out of the tree, to be dropped as stage 5 renders
/// them, and what was read from all of them before they were taken.
pub(crate) struct TakenTexts {
    /// [`SiteTree::take_sources`].
    sources: Vec<String>,
    /// Whether the site is ready to publish ([`crate::publish::is_ready`], which reads every
    /// text for placeholders).
    ready: bool,
}

impl TakenTexts {
    /// Reads what needs every text, then takes the texts out of `tree` (the front matter
    /// stays in it).
    pub(crate) fn take(config: &Config, tree: &mut SiteTree) -> TakenTexts {
        let ready = crate::publish::is_ready(config, tree);
        TakenTexts {
            sources: tree.take_sources(),
            ready,
        }
    }
}

/// What stages 5 and 6 give ([`Plan::markdown`]) for [`Plan::from_markdown`].
pub(crate) struct Marked {
    outputs: Outputs,
    images: Arc<Processor>,
    config_value: Value,
    references: References,
    /// Every document's rendering: pages in tree order, then sections with an `_index.md`.
    rendered: Vec<Rendered>,
    records: HashMap<String, DocRecord>,
    warnings: Vec<Diagnostic>,
}

impl Marked {
    /// Drops what only an incremental rebuild reads again (the link records, the renderings'
    /// link lists), before the values are made: `build` has checked every link already.
    pub(crate) fn forget_links(&mut self) {
        self.records = HashMap::new();
        for r in &mut self.rendered {
            r.anchors = Vec::new();
            r.template_clashes = Vec::new();
            r.problems = Vec::new();
        }
    }
}

/// The files a build writes besides the rendered ones, and every output path.
struct Outputs {
    /// Files copied as they are: static files, then content assets (which win).
    copies: Vec<AssetCopy>,
    /// Every output path, rendered or copied.
    all: HashSet<String>,
}

/// Edited documents whose new text is already in the tree, for [`Plan::apply_markdown`].
pub(crate) struct Edited {
    /// Edited pages.
    pub(crate) pages: Vec<usize>,
    /// Edited sections.
    pub(crate) sections: Vec<usize>,
    /// Edited pages whose front matter changed (title, description, date...): their
    /// neighbours show them.
    pub(crate) retitled: Vec<usize>,
    /// Pages whose neighbours (`lower`, `higher`) changed when their section was sorted again.
    pub(crate) reordered: Vec<usize>,
    /// Sections whose pages were sorted again after a page came or went: their listings.
    pub(crate) resorted: Vec<usize>,
    /// Pages added to the tree ([`Plan::add_page`]; also in `pages`).
    pub(crate) added: Vec<usize>,
    /// Pages removed from the tree ([`Plan::remove_page`]).
    pub(crate) removed: Vec<site::Page>,
    /// A page's `date` or `updated` changed, or a page came or went: the sitemap shows them.
    pub(crate) sitemap: bool,
}

/// The values an incremental rebuild changed ([`Plan::apply_values`]).
pub(crate) struct Changed {
    /// Pages whose value changed: the edited ones and the neighbours of a retitled one.
    pub(crate) pages: HashSet<usize>,
    /// Sections whose value changed: the edited ones and those listing a changed page.
    pub(crate) listing: Vec<usize>,
    /// Sections whose feed lists a changed page.
    pub(crate) feeds: Vec<usize>,
    /// The edited sections (their own fields changed).
    pub(crate) sections: Vec<usize>,
    /// The sitemap's entries changed (its job has them).
    pub(crate) sitemap: bool,
    /// Pages added (as in [`Edited`]): the template functions learn their permalinks.
    pub(crate) added: Vec<usize>,
    /// The content paths and output files of the pages removed.
    pub(crate) removed: Vec<(String, String)>,
}

impl Plan {
    /// Stages 5 and 6, then the values and the jobs of stage 7 ([`Plan::markdown`], then
    /// [`Plan::from_markdown`]). `statics` are the static files
    /// ([`crate::render::static_files`]); `templates` render the shortcodes. Returns the plan,
    /// the data the template functions answer from, and the files to copy.
    ///
    /// Errors: those of [`Plan::markdown`].
    pub(crate) fn new(
        config: &Config,
        tree: &SiteTree,
        templates: &Templates,
        statics: Vec<AssetCopy>,
        timings: &mut crate::Timings,
    ) -> Result<(Plan, SiteData, Vec<AssetCopy>)> {
        let marked = Plan::markdown(config, tree, templates, statics, timings, None)?;
        Ok(Plan::from_markdown(marked, config, tree, templates))
    }

    /// Stages 5 and 6: every document's markdown, then its links and anchors, with what the
    /// plan is made of next ([`Plan::from_markdown`]). After this, nothing reads the documents'
    /// markdown bodies. `texts`: none when the tree holds the documents' texts; `build` takes
    /// them out first ([`TakenTexts::take`]) and gives them here, to be dropped as they are
    /// rendered ([`markdown::render_site`]).
    ///
    /// Errors (all collected, with the warnings after them): generated files colliding with
    /// static files, share image and opening-hours problems, broken `@/` links in the menu, an
    /// unreadable `references.yaml`, markdown and shortcode errors, broken links and anchors.
    pub(crate) fn markdown(
        config: &Config,
        tree: &SiteTree,
        templates: &Templates,
        statics: Vec<AssetCopy>,
        timings: &mut crate::Timings,
        texts: Option<TakenTexts>,
    ) -> Result<Marked> {
        let mut warnings = tree.warnings.clone();
        warnings.extend(minify_warning(config));
        let mut errors = Vec::new();
        let outputs = outputs(config, tree, statics, &mut warnings, &mut errors);
        errors.extend(crate::seo::check(tree, config, &outputs.all));
        // Images that markdown and `resize_image` may process: every copied file.
        let images = Arc::new(Processor::new(
            &config.root,
            &config.base_url,
            outputs
                .copies
                .iter()
                .map(|c| (c.to.clone(), c.from.clone())),
        ));
        let ready = texts
            .as_ref()
            .map_or_else(|| crate::publish::is_ready(config, tree), |t| t.ready);
        let config_value = config_value(config, tree, ready, &mut errors);
        let references = references(config, &mut errors);
        let env = MarkdownEnv {
            tree,
            config,
            outputs: &outputs.all,
            images: &images,
            templates,
            config_value: &config_value,
            references: &references,
            page_fields: page_fields(templates, tree),
        };
        let sources = texts.map(|t| t.sources);
        let (rendered, records) = markdown::render_site(&env, &mut errors, timings, sources);
        if errors.iter().any(Diagnostic::is_error) {
            errors.extend(warnings);
            return Err(Error::Diagnostics(errors));
        }
        // No errors: what is left are warnings (a link landing on a template's element).
        warnings.extend(errors);
        timings.lap("links");
        Ok(Marked {
            outputs,
            images,
            config_value,
            references,
            rendered,
            records,
            warnings,
        })
    }

    /// The values and the jobs of stage 7 from what [`Plan::markdown`] gave (the renderings
    /// move into the page values). Reads the tree's front matter, never a markdown body.
    pub(crate) fn from_markdown(
        marked: Marked,
        config: &Config,
        tree: &SiteTree,
        templates: &Templates,
    ) -> (Plan, SiteData, Vec<AssetCopy>) {
        let Marked {
            outputs: Outputs { copies, all },
            images,
            config_value,
            references,
            rendered,
            records,
            warnings,
        } = marked;
        let mut plan = Plan {
            outputs: all,
            images,
            config_value,
            references,
            records,
            page_values: Vec::new(),
            section_rendered: Vec::new(),
            section_values: Vec::new(),
            feeds: Vec::new(),
            jobs: jobs(config, tree, templates),
            minify: config.minify && crate::minify::AVAILABLE,
            warnings,
            page_fields: page_fields(templates, tree),
        };
        plan.set_values(config, tree, rendered);
        let data = plan.site_data(config, tree, &copies);
        (plan, data, copies)
    }

    /// The values templates see, from every document's rendering (pages in tree order, then
    /// sections with an `_index.md`). The page values take each page's rendering over (its HTML,
    /// table of contents), so the markdown output and the values are not held side by side
    /// (memory at 10,000 pages).
    fn set_values(&mut self, config: &Config, tree: &SiteTree, mut rendered: Vec<Rendered>) {
        let sections_rendered = rendered.split_off(tree.pages.len());
        self.page_values = context::page_values(tree, rendered, self.page_fields);
        let mut sections_rendered = sections_rendered.into_iter();
        self.section_rendered = tree
            .sections
            .iter()
            .map(|s| s.doc.as_ref().and_then(|_| sections_rendered.next()))
            .collect();
        self.section_values = (0..tree.sections.len())
            .map(|i| self.section_value(tree, i, false))
            .collect();
        self.feeds = tree
            .sections
            .iter()
            .map(|s| {
                s.feed
                    .as_ref()
                    .map(|_| context::feed_value(config, tree, s, &self.page_values))
            })
            .collect();
    }

    /// The value of section `i` (see [`context::section_value`]).
    fn section_value(&self, tree: &SiteTree, i: usize, metadata_only: bool) -> Value {
        context::section_value(
            tree,
            &tree.sections[i],
            self.section_rendered[i].as_ref(),
            &self.page_values,
            metadata_only,
        )
    }

    /// What the template functions answer from: permalinks, page and section values, every
    /// output file, drafts and the image processor.
    fn site_data(&self, config: &Config, tree: &SiteTree, copies: &[AssetCopy]) -> SiteData {
        let mut permalinks = FastMap::default();
        let mut values = FastMap::default();
        let mut section_metadata = FastMap::default();
        for (i, p) in tree.pages.iter().enumerate() {
            permalinks.insert(p.doc.relative.clone(), p.permalink.clone());
            values.insert(p.doc.relative.clone(), self.page_values[i].clone());
        }
        for (i, s) in tree.sections.iter().enumerate() {
            permalinks.insert(s.relative.clone(), s.permalink.clone());
            values.insert(s.relative.clone(), self.section_values[i].clone());
            section_metadata.insert(s.relative.clone(), self.section_value(tree, i, true));
        }
        let mut output_sources = HashMap::new();
        for (out, _) in tree.outputs() {
            output_sources.insert(out.to_string(), None);
        }
        for c in copies {
            output_sources.insert(c.to.clone(), Some(c.from.clone()));
        }
        SiteData {
            taxonomies: Arc::new(self.taxonomy_data(tree)),
            language: config.language.clone(),
            base_url: config.base_url.clone(),
            drafts: Arc::new(tree.drafts.iter().cloned().collect()),
            images: Some(Arc::clone(&self.images)),
            permalinks: Arc::new(permalinks),
            values: Arc::new(values),
            section_metadata: Arc::new(section_metadata),
            outputs: Arc::new(output_sources),
            config: Some(self.config_value.clone()),
            ..Default::default()
        }
    }

    /// What `get_taxonomy` and `get_taxonomy_url` answer from: taxonomy name -> language ->
    /// its value and its terms' permalinks by slug (empty without taxonomies).
    fn taxonomy_data(&self, tree: &SiteTree) -> FastMap<String, FastMap<String, TaxonomyData>> {
        let mut out: FastMap<String, FastMap<String, TaxonomyData>> = FastMap::default();
        for tax in &tree.taxonomies {
            let terms = tax
                .terms
                .iter()
                .map(|t| (t.slug.clone(), (t.name.clone(), t.permalink.clone())))
                .collect();
            let value = context::get_taxonomy_value(tax, &tree.taxonomies, &self.page_values);
            out.entry(tax.config.name.clone())
                .or_default()
                .insert(tax.lang.clone(), TaxonomyData { value, terms });
        }
        out
    }

    /// Stages 5 and 6 again for the `edited` documents ([`markdown::render_again`]); their
    /// renderings, pages first. `None` when the edit needs a full build.
    pub(crate) fn apply_markdown(
        &mut self,
        config: &Config,
        tree: &SiteTree,
        templates: &Templates,
        edited: &Edited,
    ) -> Option<Vec<Rendered>> {
        let docs: Vec<Doc<'_>> = edited
            .pages
            .iter()
            .map(|&i| Doc::page(tree, i))
            .chain(
                edited
                    .sections
                    .iter()
                    .filter_map(|&i| Doc::section(tree, i)),
            )
            .collect();
        let env = MarkdownEnv {
            tree,
            config,
            outputs: &self.outputs,
            images: &self.images,
            templates,
            config_value: &self.config_value,
            references: &self.references,
            page_fields: self.page_fields,
        };
        markdown::render_again(&docs, &env, &mut self.records)
    }

    /// The values that show the `edited` documents, from their new `rendered` markdown (as
    /// [`Plan::apply_markdown`] gave it): their own, their neighbours' after a new title,
    /// the sections and feeds listing them. Returns what changed.
    pub(crate) fn apply_values(
        &mut self,
        config: &Config,
        tree: &SiteTree,
        edited: &Edited,
        rendered: Vec<Rendered>,
    ) -> Option<Changed> {
        let mut rendered = rendered.into_iter();
        for &i in &edited.pages {
            self.page_values[i] = context::page_value(tree, i, &rendered.next()?, self.page_fields);
        }
        for &i in &edited.sections {
            self.section_rendered[i] = Some(rendered.next()?);
        }
        let mut pages: HashSet<usize> = edited.pages.iter().copied().collect();
        let shown = edited.retitled.iter().flat_map(|&i| {
            let p = &tree.pages[i];
            // Its neighbours and its translations show its title and date.
            let translations = p.translations.iter().copied().filter(move |&j| j != i);
            p.lower.into_iter().chain(p.higher).chain(translations)
        });
        // Pages with new neighbours show them.
        let neighbours: Vec<usize> = shown.chain(edited.reordered.iter().copied()).collect();
        for j in neighbours {
            if !pages.contains(&j) {
                self.page_values[j] =
                    context::with_neighbours(tree, j, &self.page_values[j], self.page_fields);
                pages.insert(j);
            }
        }
        let listing: Vec<usize> = (0..tree.sections.len())
            .filter(|&i| {
                edited.sections.contains(&i)
                    || edited.resorted.contains(&i)
                    || tree.sections[i].pages.iter().any(|p| pages.contains(p))
            })
            .collect();
        for &i in &listing {
            self.section_values[i] = self.section_value(tree, i, false);
        }
        // A listing's feed may have lost a page (its date removed).
        let feeds: Vec<usize> = (0..tree.sections.len())
            .filter(|&i| {
                tree.sections[i].feed.as_ref().is_some_and(|f| {
                    listing.contains(&i) || f.pages.iter().any(|p| pages.contains(p))
                })
            })
            .collect();
        for &i in &feeds {
            let value = context::feed_value(config, tree, &tree.sections[i], &self.page_values);
            self.feeds[i] = Some(value);
        }
        Some(Changed {
            pages,
            listing,
            feeds,
            sections: edited.sections.clone(),
            sitemap: edited.sitemap,
            added: edited.added.clone(),
            removed: edited
                .removed
                .iter()
                .map(|p| (p.doc.relative.clone(), p.output.clone()))
                .collect(),
        })
    }

    /// Page `i` added to the tree ([`SiteTree::insert_page`]): a value to fill
    /// ([`Plan::apply_values`]), an empty record for [`Plan::apply_markdown`], its output file
    /// and its job, last (with no reads yet in `reads`).
    pub(crate) fn add_page(&mut self, tree: &SiteTree, i: usize, reads: &mut ReadLog) {
        let page = &tree.pages[i];
        self.page_values.push(Value::none());
        self.records
            .insert(page.doc.relative.clone(), DocRecord::default());
        self.outputs.insert(page.output.clone());
        self.jobs.push(page_job(tree, i));
        reads.push();
    }

    /// `page`, page `i` of the tree, removed ([`SiteTree::remove_page`], which gave the last
    /// page its index): its value, record, output file and job go (the last job takes the
    /// job's index, in `reads` too), and the last page's job renders page `i`.
    pub(crate) fn remove_page(&mut self, i: usize, page: &site::Page, reads: &mut ReadLog) {
        let last = self.page_values.len() - 1;
        self.page_values.swap_remove(i);
        self.records.remove(&page.doc.relative);
        self.outputs.remove(&page.output);
        let own = |job: &Job, k: usize| matches!(job.context, JobContext::Page(p) if p == k);
        if let Some(j) = self.jobs.iter().position(|job| own(job, i)) {
            self.jobs.swap_remove(j);
            reads.swap_remove(j);
        }
        if let Some(job) = self.jobs.iter_mut().find(|job| own(job, last)) {
            job.context = JobContext::Page(i);
        }
    }

    /// `templates` bound again with the `changed` values over their data (the shared maps of
    /// the full build are not copied).
    pub(crate) fn rebind(
        &self,
        tree: &SiteTree,
        changed: &Changed,
        templates: &BoundTemplates,
    ) -> BoundTemplates {
        let mut data = templates.data().clone();
        for &i in &changed.pages {
            let value = self.page_values[i].clone();
            data.changed_values
                .insert(tree.pages[i].doc.relative.clone(), value);
        }
        for &i in &changed.listing {
            let value = self.section_values[i].clone();
            data.changed_values
                .insert(tree.sections[i].relative.clone(), value);
        }
        for &i in &changed.sections {
            let value = self.section_value(tree, i, true);
            data.changed_metadata
                .insert(tree.sections[i].relative.clone(), value);
        }
        if !changed.added.is_empty() || !changed.removed.is_empty() {
            // A copy of these maps (not of the page values) when a page comes or goes.
            let permalinks = Arc::make_mut(&mut data.permalinks);
            let outputs = Arc::make_mut(&mut data.outputs);
            let drafts = Arc::make_mut(&mut data.drafts);
            for (relative, output) in &changed.removed {
                permalinks.remove(relative);
                outputs.remove(output);
                data.changed_values.remove(relative);
            }
            for &i in &changed.added {
                let p = &tree.pages[i];
                permalinks.insert(p.doc.relative.clone(), p.permalink.clone());
                outputs.insert(p.output.clone(), None);
            }
            *drafts = tree.drafts.iter().cloned().collect();
        }
        templates.unbound().bind(data)
    }
}

/// The warning for `minify: true` in a stillpoint built without minification.
fn minify_warning(config: &Config) -> Option<Diagnostic> {
    if !config.minify || crate::minify::AVAILABLE {
        return None;
    }
    let mut d = Diagnostic::warning("`minify: true` has no effect: this stillpoint was built without HTML minification, so the HTML is written as it is")
        .in_file("config.yaml")
        .help("to minify, install stillpoint with `cargo install --path . --features minify` (or run `cargo run --release --features minify -- build`); or remove `minify: true` from config.yaml to silence this warning");
    if let Some(span) = crate::yaml::key_value_span(&config.config_source, "minify") {
        d = d.at(span, &config.config_source);
    }
    Some(d)
}

/// Every output path and the files to copy, decided by the site tree ([`site::copies`], the
/// one list of output files): its collision errors and warnings go to `errors` and `warnings`.
fn outputs(
    config: &Config,
    tree: &SiteTree,
    statics: Vec<AssetCopy>,
    warnings: &mut Vec<Diagnostic>,
    errors: &mut Vec<Diagnostic>,
) -> Outputs {
    let site::Copies {
        copies,
        outputs,
        errors: collisions,
        warnings: both,
    } = site::copies(tree, statics, &config.root);
    warnings.extend(both);
    errors.extend(collisions);
    Outputs {
        copies,
        all: outputs,
    }
}

/// The `config` value of every template (shortcodes see it too): the menu is resolved here.
/// `ready` ([`crate::publish::is_ready`], one decision for `check --publish` and the
/// templates) becomes `config.ready_to_publish`. Menu errors go to `errors`.
fn config_value(
    config: &Config,
    tree: &SiteTree,
    ready: bool,
    errors: &mut Vec<Diagnostic>,
) -> Value {
    let menu = match site::resolve_menu(tree, config) {
        Ok(m) => m,
        Err(e) => {
            errors.extend(e);
            Vec::new()
        }
    };
    if !config.is_multilingual() {
        return context::config_value(config, &menu, ready);
    }
    let menus: Vec<Vec<site::MenuLink>> = config
        .languages
        .iter()
        .enumerate()
        .map(|(k, l)| match k {
            0 => menu.clone(),
            _ => site::resolve_menu_items(tree, config, &l.menu).unwrap_or_else(|e| {
                errors.extend(e);
                Vec::new()
            }),
        })
        .collect();
    context::config_value_with(config, &menu, &menus, ready)
}

/// `data/references.yaml`; when it cannot be read, its error goes to `errors` once (the
/// citations that needed the list stay quiet).
fn references(config: &Config, errors: &mut Vec<Diagnostic>) -> References {
    match References::load(&config.root) {
        Ok(r) => r,
        Err(e) => {
            errors.extend(e.into_diagnostics());
            References {
                unreadable: true,
                ..Default::default()
            }
        }
    }
}

/// The context every template starts from: `config`, `current_path`, `current_url`.
pub(crate) fn base_context(config: &Config, config_value: &Value, current_path: &str) -> Context {
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
fn jobs(config: &Config, tree: &SiteTree, templates: &Templates) -> Vec<Job> {
    let mut jobs: Vec<Job> = Vec::with_capacity(tree.pages.len() + tree.sections.len() + 3);
    // In parallel, in order: three strings a page, 10,000 pages.
    jobs.par_extend(
        (0..tree.pages.len())
            .into_par_iter()
            .map(|i| page_job(tree, i)),
    );
    for (i, s) in tree.sections.iter().enumerate() {
        section_jobs(&mut jobs, i, s);
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
    taxonomy_jobs(&mut jobs, tree, templates);
    fixed_jobs(&mut jobs, config, tree);
    jobs
}

/// The job of page `i`: its template is front matter `template`, else `page.html`.
fn page_job(tree: &SiteTree, i: usize) -> Job {
    let p = &tree.pages[i];
    Job {
        output: p.output.clone(),
        template: p
            .doc
            .front
            .template
            .clone()
            .unwrap_or_else(|| "page.html".into()),
        shown: p.doc.shown.display().to_string(),
        context: JobContext::Page(i),
    }
}

/// The jobs of the taxonomies: each list of terms, then each term's listing pages and feed
/// (`atom.xml`). None without taxonomies. As in Zola, a taxonomy's own `<slug>/list.html` and
/// `<slug>/single.html` (`tags/list.html`) are used when the site or theme has them, else
/// `taxonomy_list.html` and `taxonomy_single.html`.
fn taxonomy_jobs(jobs: &mut Vec<Job>, tree: &SiteTree, templates: &Templates) {
    for (t, tax) in tree.taxonomies.iter().enumerate() {
        let shown = format!("the {} taxonomy (config.yaml)", tax.config.name);
        let pick = |own: &str, general: &str| {
            let own = format!("{}/{own}", tax.config.slug);
            if templates.has(&own) {
                own
            } else {
                general.to_string()
            }
        };
        let single = pick("single.html", "taxonomy_single.html");
        jobs.push(Job {
            output: tax.output.clone(),
            template: pick("list.html", "taxonomy_list.html"),
            shown: shown.clone(),
            context: JobContext::Taxonomy(t),
        });
        for (k, term) in tax.terms.iter().enumerate() {
            let outputs =
                std::iter::once(&term.output).chain(term.pagers.iter().skip(1).map(|p| &p.output));
            for (p, output) in outputs.enumerate() {
                jobs.push(Job {
                    output: output.clone(),
                    template: single.clone(),
                    shown: shown.clone(),
                    context: JobContext::Term(t, k, p),
                });
            }
            if let Some(feed) = &term.feed {
                jobs.push(Job {
                    output: feed.output.clone(),
                    template: "atom.xml".into(),
                    shown: format!("the feed {}", feed.output),
                    context: JobContext::TermFeed(t, k),
                });
            }
        }
    }
}

/// The jobs of section `i`: its listing pages after the first (`paginate_by`), then its own
/// file, all with the section's template.
fn section_jobs(jobs: &mut Vec<Job>, i: usize, s: &site::Section) {
    // The home page of each language (`/`, `/fr/`) has no parent.
    let default = if i == 0 || s.parent.is_none() {
        "index.html"
    } else {
        "section.html"
    };
    let template = s
        .doc
        .as_ref()
        .and_then(|d| d.front.template.clone())
        .unwrap_or_else(|| default.into());
    let shown = s
        .doc
        .as_ref()
        .map_or_else(|| "the home page".into(), |d| d.shown.display().to_string());
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

/// The jobs that need no page value: `404.html`, `robots.txt` and the aliases, whose context
/// is ready (their `config` goes in when they render), and `sitemap.xml`.
fn fixed_jobs(jobs: &mut Vec<Job>, config: &Config, tree: &SiteTree) {
    let empty = Value::none();
    let base = |path: &str| Box::new(base_context(config, &empty, path));
    let named = |name: &str, context: Box<Context>| Job {
        output: name.into(),
        template: name.into(),
        shown: name.into(),
        context: JobContext::Ready(context),
    };
    let base_of = |name: &str| base(&format!("/{name}"));
    jobs.push(named(NOT_FOUND, base_of(NOT_FOUND)));
    jobs.push(named(ROBOTS, base_of(ROBOTS)));
    jobs.push(Job {
        context: JobContext::Sitemap,
        ..named(SITEMAP, Box::default())
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
}

/// The sitemap's entries: every page, section and later listing page, with its permalink,
/// `lastmod` (front matter `updated`, else `date`) and `alternates` (each version in another
/// language, `{lang, permalink}`, for `xhtml:link`; empty for a site in one language), sorted.
pub(crate) fn sitemap_entries(tree: &SiteTree) -> Value {
    type Entry = (String, Option<String>, Vec<(String, String)>);
    // Only pages with another version have alternates.
    let page_alternates = |p: &site::Page| -> Vec<(String, String)> {
        p.translations
            .iter()
            .filter(|_| p.translations.len() > 1)
            .map(|&j| (tree.pages[j].lang.clone(), tree.pages[j].permalink.clone()))
            .collect()
    };
    let section_alternates = |s: &site::Section| -> Vec<(String, String)> {
        s.translations
            .iter()
            .filter(|_| s.translations.len() > 1)
            .map(|&j| {
                let t = &tree.sections[j];
                (t.lang.clone(), t.permalink.clone())
            })
            .collect()
    };
    let mut entries: Vec<Entry> = tree
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
                page_alternates(p),
            )
        })
        .chain(tree.sections.iter().map(|s| {
            let f = s.doc.as_ref().map(|d| &d.front);
            (
                s.permalink.clone(),
                f.and_then(|f| f.updated.as_ref().or(f.date.as_ref()))
                    .map(|d| d.date_string()),
                section_alternates(s),
            )
        }))
        .chain(
            tree.sections
                .iter()
                .flat_map(|s| s.pagers.iter().skip(1))
                .map(|p| (p.permalink.clone(), None, Vec::new())),
        )
        .chain(taxonomy_permalinks(tree).map(|(p, alternates)| (p, None, alternates)))
        .collect();
    // In parallel: about 6,000 instructions an entry, 10,000 entries on one thread otherwise.
    entries.par_sort();
    let entries: Vec<Value> = entries
        .into_par_iter()
        .map(|(permalink, lastmod, alternates)| {
            let mut m = tera::Map::with_capacity(3);
            m.insert("permalink".into(), Value::from(permalink));
            m.insert(
                "lastmod".into(),
                lastmod.map_or_else(Value::none, Value::from),
            );
            let alternates: Vec<Value> = alternates
                .into_iter()
                .map(|(lang, permalink)| {
                    let mut a = tera::Map::new();
                    a.insert("lang".into(), Value::from(lang));
                    a.insert("permalink".into(), Value::from(permalink));
                    Value::from(a)
                })
                .collect();
            m.insert("alternates".into(), Value::from(alternates));
            Value::from(m)
        })
        .collect();
    Value::from(entries)
}

/// The permalinks of the taxonomies' HTML pages, for the sitemap: each list of terms, each
/// term and its later listing pages; a list of terms and a term's own page with their
/// versions in other languages (`{lang, permalink}`, as a page's; empty when it has none).
fn taxonomy_permalinks(
    tree: &SiteTree,
) -> impl Iterator<Item = (String, Vec<(String, String)>)> + '_ {
    let all = &tree.taxonomies;
    tree.taxonomies.iter().flat_map(move |tax| {
        let tax_alternates: Vec<(String, String)> = tax
            .translations
            .iter()
            .filter(|_| tax.translations.len() > 1)
            .map(|&t| (all[t].lang.clone(), all[t].permalink.clone()))
            .collect();
        std::iter::once((tax.permalink.clone(), tax_alternates)).chain(tax.terms.iter().flat_map(
            move |term| {
                let alternates = term
                    .translations
                    .iter()
                    .filter(|_| term.translations.len() > 1)
                    .map(|&(t, k)| (all[t].lang.clone(), all[t].terms[k].permalink.clone()))
                    .collect();
                std::iter::once((term.permalink.clone(), alternates)).chain(
                    term.pagers
                        .iter()
                        .skip(1)
                        .map(|p| (p.permalink.clone(), Vec::new())),
                )
            },
        ))
    })
}
