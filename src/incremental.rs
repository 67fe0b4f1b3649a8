//! Incremental rebuilds for `serve` and `watch`: after a save, render only the files the change
//! touches.
//!
//! A full build ([`LiveBuild::rebuild`] with nothing kept) keeps the site tree and the render
//! state ([`crate::render::Retained`]): the plan (every page and section value, every output
//! file and what renders it), the templates bound to its values, and which other pages and
//! sections each file's templates read (`get_page`, `get_section`; see
//! [`crate::render::reads::Read`]). When the next change is a save of existing pages or
//! sections whose front matter is unchanged (the body was edited, as most saves are), or of
//! pages whose front matter changed only in `title` (given before and after), `description`,
//! `extra` (without an `image`), `date`, `updated` or `weight`, or of sections whose front
//! matter changed only in `title`, `description` or `extra` (in a site in one language, and
//! when the new title keeps the parent's subsections in order), the edits are applied to the
//! tree and the plan: the sections of pages with new front matter are sorted again (their
//! pages' neighbours and their feeds with them), only the markdown of the edited documents is
//! rendered again, their links and the anchors linked into them are checked again, and only
//! these files are rendered again, through the same `render::run` as a full build:
//!
//! - the document's own file (and a section's later listing pages);
//! - the listing pages and feeds of the sections that list it (they show its title, content,
//!   summary, table of contents, date or word count);
//! - after new front matter, the pages before and after it (their `lower` and `higher`), and
//!   when it moved in its section's order, every page whose neighbours changed;
//! - after a new `date` or `updated`, the sitemap (its `lastmod`);
//! - every file whose templates read it, or a section listing it, through `get_page` or
//!   `get_section` at the last render (a section's own fields, with `metadata_only=true`,
//!   change only when the section's `_index.md` itself is edited).
//!
//! A page that comes or goes (a new file, a deleted one, a rename, which `watch` reports as
//! both, or `draft: true` put in or taken out) is added to or removed from the tree and the
//! plan (`incremental/pages.rs`): its section is sorted again and rendered as above, the
//! sitemap too, and [`Update::Partial`] names its output file for every publisher to remove.
//! A full build does it instead when anything may point at the page (a template read it
//! through `get_page`, a link with an anchor into it, another document or `config.yaml`
//! naming its file or its address: a link to a deleted page fails a clean build), or for a
//! page bundle, aliases, taxonomy terms, a share image, a placeholder, a missing title, a site
//! in several languages, an output file that clashes, or several pages leaving at once.
//!
//! Everything else gets a full build, which is also what reports errors: a save that adds a
//! document's first placeholder or removes its last, which may change
//! `config.ready_to_publish` ([`crate::publish`]); a date that gives a section's feed its
//! first dated page or takes its last (the feed file comes or goes); a change to a page with
//! taxonomy terms, or to its neighbour (term pages and `get_taxonomy` show them); any other
//! front matter change (`slug`, `path`, `aliases`, `template`, taxonomies...), which
//! can change a page's URL; any other front matter change of a section (`sort_by`,
//! `paginate_by`, `feed`, `weight`, `path`...), and a new or deleted `_index.md`; `config.yaml`, templates, static files, data; an image that
//! goes to the image processor; or any error. The result of every rebuild equals a clean
//! build of the same files, which `tests/it/incremental.rs` checks over random edits. After a
//! failed build, the next rebuild is a full one.
//!
//! Zola's `serve --fast` and Hugo's fast render mode render only the changed page and skip
//! the listings that show it; this rebuild is exact instead. It borrows their idea for saves
//! that change many files (a section's title that a nav on every page shows): given an
//! [`Early`] publisher (`serve` gives one), the edited documents' own files are rendered first
//! and handed to it, then the rest; the rebuild's [`Update`] still holds every file, so what is
//! finally published is the same either way.

use std::path::Path;
use std::sync::Arc;

use crate::config::Config;
use crate::content::front_matter::FrontMatter;
use crate::content::{self, SourceFile};
use crate::error::Result;
use crate::output::MemorySink;
use crate::render::reads::{Read, ReadLog};
use crate::render::{self, BuiltSite, Changed, Edited, JobContext, JobEnv, Plan, Retained};
use crate::site::{self, Item, SiteTree};
use crate::{BuildOptions, runaway};

mod pages;

/// A site kept in memory between rebuilds (`serve`, `watch`).
pub struct LiveBuild {
    options: BuildOptions,
    /// The last good build; none before the first one and after a failed one.
    state: Option<State>,
}

/// What a good rebuild produced.
#[derive(Debug)]
pub enum Update {
    /// A full build: the whole site.
    Full(BuiltSite),
    /// An incremental rebuild: only these files were rendered again (output path and bytes,
    /// whether or not the bytes changed); every other file is as in the previous build.
    Partial {
        /// The files rendered again.
        files: Vec<(String, Vec<u8>)>,
        /// The output files of the pages that left the site (deleted, renamed, made a draft):
        /// every publisher removes them.
        removed: Vec<String>,
        /// How many of them are HTML pages (pages, sections, listing pages).
        pages_rendered: usize,
        /// The site's warnings (those of the last full build: a body edit changes none).
        warnings: Vec<crate::Diagnostic>,
        /// Wall time of each step.
        timings: crate::Timings,
    },
}

/// Files as a rebuild hands them over: output path (`blog/index.html`), bytes.
pub type Files = Vec<(String, Vec<u8>)>;

/// Fast render: where an incremental rebuild hands the edited documents' own files (output
/// path, bytes) before it renders the other files the save changed (see the module
/// documentation). Used only when at least `min_rest` other files are left to render.
#[derive(Clone)]
pub struct Early {
    /// Called at most once per rebuild, from the build's thread, with the edited documents'
    /// own files (those of the pages and sections saved, and a section's listing pages).
    pub publish: Arc<dyn Fn(Files) + Send + Sync>,
    /// The fewest other files for which the edited ones go first (`serve`:
    /// [`FAST_RENDER_MIN_REST`]).
    pub min_rest: usize,
}

/// `serve`'s [`Early::min_rest`]: below this many other files the rebuild takes a few
/// milliseconds at most (about 14 µs a page at 10,000 pages on a 2-core machine), and one
/// publish is simpler for the browser.
pub const FAST_RENDER_MIN_REST: usize = 500;

struct State {
    config: Config,
    tree: SiteTree,
    /// The plan, the templates bound to its values, and what every file read.
    retained: Retained,
}

impl LiveBuild {
    /// Nothing is built until the first [`LiveBuild::rebuild`].
    pub fn new(options: BuildOptions) -> Self {
        LiveBuild {
            options,
            state: None,
        }
    }

    /// The config of the last good build, if any.
    pub fn config(&self) -> Option<&Config> {
        self.state.as_ref().map(|s| &s.config)
    }

    /// Forgets the last build: the next [`LiveBuild::rebuild`] is a full one (for when the
    /// files it was written to may have changed under it).
    pub fn invalidate(&mut self) {
        self.state = None;
    }

    /// Rebuilds after the site files `changed` (paths relative to the site root, as
    /// [`crate::watch`] reports them; empty for the first build): incrementally when the
    /// change allows it (see the module documentation), else in full. Runs guarded against
    /// runaway templates ([`runaway::guarded`]).
    ///
    /// Errors: those of a full build ([`crate::build_in_memory`]); the next rebuild is then a
    /// full one.
    pub fn rebuild(&mut self, changed: &[String]) -> Result<Update> {
        self.rebuild_with(changed, None)
    }

    /// [`LiveBuild::rebuild`], handing an incremental rebuild's first files to `early` when it
    /// gives one (fast render, see the module documentation). A rebuild that fails after it
    /// called `early` is then a full build, as any failed incremental one; when that fails too,
    /// what `early` published is no longer the last good build (`serve` puts it back).
    ///
    /// Errors: as [`LiveBuild::rebuild`].
    pub fn rebuild_with(&mut self, changed: &[String], early: Option<Early>) -> Result<Update> {
        let state = self.state.take();
        let options = self.options.clone();
        let changed = changed.to_vec();
        let (state, update) = runaway::guarded(move || {
            if let Some(mut state) = state
                && !changed.is_empty()
                && let Some(update) = state.partial(&changed, early.as_ref())
            {
                return Ok((state, update));
            }
            let build = crate::build_retained(&options, true)?;
            let state = State {
                config: build.config,
                tree: build.tree,
                retained: build.retained,
            };
            Ok((state, Update::Full(build.site)))
        })?;
        self.state = Some(state);
        Ok(update)
    }
}

/// An edited document: where it is in the tree, and its new text.
struct Edit {
    item: Item,
    doc: content::Document,
    /// Its front matter changed (only in fields that [`in_place_fields_only`] allows).
    front_changed: bool,
    /// Its `date` or `updated` changed.
    dates_changed: bool,
}

/// What the saved files change: edits of existing pages and sections, pages that join the
/// site, and at most one that leaves it (a removal moves the last page's index, so it comes
/// with no edits).
#[derive(Default)]
struct Saves {
    edits: Vec<Edit>,
    /// New pages (new files, or drafts published again).
    added: Vec<site::Page>,
    /// A page deleted (`false`) or made a draft (`true`).
    removed: Option<(usize, bool)>,
}

/// True when the front matter of a page changed only in fields that move no URL and no file:
/// what pages show, `title` (given before and after), `description`, and `extra` without an
/// `image` (a share image goes to the image processor and is checked); and what orders its
/// section, `date`, `updated` and `weight` ([`State::reorder`] redoes the order, neighbours and
/// feed). The front matter must have no warnings before or after (they would change).
fn in_place_fields_only(old: &content::Document, new: &content::Document) -> bool {
    same_but_shown_fields(old, new, true)
}

/// True when the front matter of a section changed only in what its own files and their
/// readers show: `title` (given before and after), `description`, and `extra` without an
/// `image`, with no warnings before or after. Its URL, listing and feed stay as they are.
fn section_fields_only(old: &content::Document, new: &content::Document) -> bool {
    same_but_shown_fields(old, new, false)
}

/// The front matter of `old` and `new` is the same but for `title` (given before and after),
/// `description` and `extra` without an `image`, and with `order`, `date`, `updated` and
/// `weight`; neither has warnings.
fn same_but_shown_fields(old: &content::Document, new: &content::Document, order: bool) -> bool {
    let rest = |f: &FrontMatter| {
        let mut rest = FrontMatter {
            title: None,
            description: None,
            extra: None,
            ..f.clone()
        };
        if order {
            (rest.date, rest.updated, rest.weight) = (None, None, None);
        }
        rest
    };
    let has_image = |f: &FrontMatter| f.extra.as_ref().is_some_and(|e| e.contains_key("image"));
    rest(&old.front) == rest(&new.front)
        && (old.front.title.is_some() && new.front.title.is_some()
            || old.front.title == new.front.title)
        && (old.front.extra == new.front.extra || !(has_image(&old.front) || has_image(&new.front)))
        && old.warnings.is_empty()
        && new.warnings.is_empty()
}

/// True when `date` or `updated` differ: the sitemap's `lastmod` shows them.
fn dates_changed(old: &content::Document, new: &content::Document) -> bool {
    old.front.date != new.front.date || old.front.updated != new.front.updated
}

impl State {
    /// The incremental rebuild, or `None` when the change needs a full build (the state may
    /// then be half updated: it is dropped). With `early`, the edited documents' own files may
    /// go to it first ([`Early`]).
    fn partial(&mut self, changed: &[String], early: Option<&Early>) -> Option<Update> {
        let mut timings = crate::Timings::start();
        let saves = self.edits(changed)?;
        timings.lap("read + parse");
        let edited = self.apply_to_tree(saves)?;
        timings.lap("tree + plan");
        let Retained {
            plan,
            templates,
            reads,
        } = &mut self.retained;
        let (config, tree) = (&self.config, &self.tree);
        let rendered = plan.apply_markdown(config, tree, templates.unbound(), &edited)?;
        timings.lap("markdown + links");
        let changed = plan.apply_values(config, tree, &edited, rendered)?;
        // Term pages and `get_taxonomy` show the pages with terms: a change to one of them
        // (or to a neighbour they show) is a full build.
        if changed
            .pages
            .iter()
            .any(|&i| site::taxonomies::has_terms(&tree.pages[i].doc.front))
        {
            return None;
        }
        *templates = plan.rebind(tree, &changed, templates);
        timings.lap("values");
        let affected = affected(tree, plan, reads, &changed);
        timings.lap("affected files");
        let env = JobEnv { config, tree, plan };
        let mut pages_rendered = 0;
        let split = early
            .map(|early| (early, own_files_first(plan, &edited, &affected)))
            .filter(|(early, (first, rest))| !first.is_empty() && rest.len() >= early.min_rest);
        let files = match split {
            Some((early, (first, rest))) => {
                let mut files = render_jobs(&env, templates, &first, reads, &mut pages_rendered)?;
                timings.lap("render own files");
                (early.publish)(files.clone());
                files.extend(render_jobs(
                    &env,
                    templates,
                    &rest,
                    reads,
                    &mut pages_rendered,
                )?);
                timings.lap("render the rest");
                files
            }
            None => {
                let files = render_jobs(&env, templates, &affected, reads, &mut pages_rendered)?;
                timings.lap("render");
                files
            }
        };
        Some(Update::Partial {
            files,
            removed: changed
                .removed
                .into_iter()
                .map(|(_, output)| output)
                .collect(),
            pages_rendered,
            warnings: plan.warnings.clone(),
            timings,
        })
    }

    /// Puts the edited documents into the tree (and the pages that come and go into the tree
    /// and the plan), and re-sorts the sections of the pages whose front matter changed or that
    /// came or went ([`State::reorder`]). `None` when that needs a full build.
    fn apply_to_tree(&mut self, saves: Saves) -> Option<Edited> {
        let mut edited = Edited {
            pages: Vec::new(),
            sections: Vec::new(),
            retitled: Vec::new(),
            reordered: Vec::new(),
            resorted: Vec::new(),
            added: Vec::new(),
            removed: Vec::new(),
            sitemap: false,
        };
        if let Some((i, draft)) = saves.removed {
            let (page, neighbours) = self.remove_page(i, draft);
            edited.resorted.push(page.section);
            edited.reordered.extend(neighbours);
            edited.removed.push(page);
        }
        for page in saves.added {
            edited.resorted.push(page.section);
            let i = self.add_page(page);
            edited.added.push(i);
            edited.pages.push(i);
            edited.retitled.push(i);
        }
        edited.sitemap = !edited.resorted.is_empty();
        for edit in saves.edits {
            match edit.item {
                Item::Page(i) => {
                    if let Some(title) = &edit.doc.front.title {
                        self.tree.pages[i].title = title.clone();
                    }
                    if edit.front_changed {
                        edited.retitled.push(i);
                    }
                    edited.sitemap |= edit.dates_changed;
                    self.tree.pages[i].doc = edit.doc;
                    edited.pages.push(i);
                }
                Item::Section(i) => {
                    if let Some(title) = &edit.doc.front.title {
                        self.tree.sections[i].title = title.clone();
                    }
                    self.tree.sections[i].doc = Some(edit.doc);
                    edited.sections.push(i);
                    if !self.subsections_in_order(i) {
                        return None;
                    }
                }
            }
        }
        for s in 0..self.tree.sections.len() {
            let pages = &self.tree.sections[s].pages;
            if edited.resorted.contains(&s) || edited.retitled.iter().any(|i| pages.contains(i)) {
                edited.reordered.extend(self.reorder(s)?);
            }
        }
        Some(edited)
    }

    /// True when the subsections of section `i`'s parent are still in order (weight, then
    /// title, then content path, as stage 4 orders them) after a new title of section `i`: the
    /// parent's value lists them, which only a full build redoes.
    fn subsections_in_order(&self, i: usize) -> bool {
        let sections = &self.tree.sections;
        let Some(parent) = sections[i].parent else {
            return true;
        };
        let key = |k: usize| {
            let s = &sections[k];
            let weight = s.doc.as_ref().and_then(|d| d.front.weight);
            (
                weight.unwrap_or(i64::MAX),
                s.title.to_lowercase(),
                &s.relative,
            )
        };
        let list = &sections[parent].subsections;
        list.windows(2).all(|w| key(w[0]) <= key(w[1]))
    }

    /// Section `s` after a change to the title, date or weight of some of its pages: its pages
    /// in order again, their neighbours (`lower`, `higher`) and its feed (dated pages, newest
    /// first), as stage 4 makes them ([`site::order_pages`], [`site::listings::feed`]). Returns
    /// the pages whose neighbours changed. `None` when the section gains or loses its feed or
    /// a listing page (a file more or less: a full build).
    fn reorder(&mut self, s: usize) -> Option<Vec<usize>> {
        let tree = &mut self.tree;
        let mut order = std::mem::take(&mut tree.sections[s].pages);
        site::order_pages(&tree.pages, &mut order);
        let mut moved = Vec::new();
        for (n, &p) in order.iter().enumerate() {
            let lower = n.checked_sub(1).map(|h| order[h]);
            let higher = order.get(n + 1).copied();
            let page = &mut tree.pages[p];
            if (page.lower, page.higher) != (lower, higher) {
                (page.lower, page.higher) = (lower, higher);
                moved.push(p);
            }
        }
        tree.sections[s].pages = order;
        let section = &tree.sections[s];
        let (feed, _) = site::listings::feed(section, &tree.pages, &self.config);
        // A listing page more or less is a file more or less.
        let (pagers, _) = site::listings::pagers(section, &self.config);
        if feed.is_some() != section.feed.is_some() || pagers.len() != section.pagers.len() {
            return None;
        }
        tree.sections[s].feed = feed;
        tree.sections[s].pagers = pagers;
        Some(moved)
    }

    /// What the files in `changed` change, when every changed file is a markdown file under
    /// `content/`: an existing page or section whose front matter is as before, or changed only
    /// in fields [`in_place_fields_only`] allows (and whose title does not come from a changed
    /// first heading); a new page, a deleted one, or a page made a draft or published again
    /// (see `pages.rs` for when these need a full build). `None` otherwise, or when a file
    /// cannot be read or parsed (a full build reports it).
    fn edits(&self, changed: &[String]) -> Option<Saves> {
        let mut saves = Saves::default();
        for path in changed {
            let relative = path.strip_prefix("content/")?;
            if !content::is_markdown_name(relative) {
                return None;
            }
            let item = self.tree.get(relative);
            let kind = match item {
                Some(Item::Page(i)) => self.tree.pages[i].doc.kind,
                Some(Item::Section(i)) => self.tree.sections[i].doc.as_ref()?.kind,
                None if relative.rsplit('/').next() == Some("_index.md") => return None,
                None => content::SourceKind::Page,
            };
            let file = SourceFile {
                path: self.config.root.join(Path::new(path)),
                relative: relative.to_string(),
                kind,
            };
            let new = content::parse_one(&file).ok()?;
            let draft = new
                .as_ref()
                .is_some_and(|d| d.front.draft && !self.config.drafts);
            match (item, new) {
                (Some(Item::Page(i)), None) => self.remove(&mut saves, i, false)?,
                (Some(Item::Page(i)), Some(_)) if draft => self.remove(&mut saves, i, true)?,
                (Some(item), Some(new)) => saves.edits.push(self.edit(item, new)?),
                (None, Some(new)) if !draft => saves.added.push(self.addable(new)?),
                _ => return None,
            }
        }
        let moves = saves.removed.is_some() || !saves.added.is_empty();
        (!moves || saves.edits.is_empty()).then_some(saves)
    }

    /// Notes the removal of page `i` (a draft now, or not) in `saves`: `None` when it needs a
    /// full build (another removal, or [`State::removable`] says no).
    fn remove(&self, saves: &mut Saves, i: usize, draft: bool) -> Option<()> {
        if saves.removed.is_some() || !self.removable(i) {
            return None;
        }
        saves.removed = Some((i, draft));
        Some(())
    }

    /// The edit of an existing page or section to `new`, or `None` when it needs a full build.
    fn edit(&self, item: Item, new: content::Document) -> Option<Edit> {
        let old = match item {
            Item::Page(i) => &self.tree.pages[i].doc,
            Item::Section(i) => self.tree.sections[i].doc.as_ref()?,
        };
        let front = |d: &content::Document| d.source.get(..d.body_start).map(str::to_string);
        let front_changed = front(&new)? != front(old)?;
        let allowed = match item {
            Item::Page(_) => in_place_fields_only(old, &new),
            // Other languages' versions show a section's title.
            Item::Section(_) => !self.config.is_multilingual() && section_fields_only(old, &new),
        };
        if front_changed && !allowed {
            return None;
        }
        if old.front.title.is_none() && site::first_h1(new.body()) != site::first_h1(old.body()) {
            return None;
        }
        // The first placeholder added or the last one removed may change
        // `config.ready_to_publish`, which every page shows.
        if crate::publish::document_has_placeholders(old)
            != crate::publish::document_has_placeholders(&new)
        {
            return None;
        }
        Some(Edit {
            item,
            dates_changed: dates_changed(old, &new),
            doc: new,
            front_changed,
        })
    }
}

/// Renders `jobs` (indices into the plan's jobs) and notes what each read; adds the HTML
/// pages among them to `pages_rendered`. Returns their files (output path, bytes), or `None`
/// when one failed (a template error, or the sink's): the rebuild is then a full one, which
/// reports it.
fn render_jobs(
    env: &JobEnv<'_>,
    templates: &crate::templates::BoundTemplates,
    jobs: &[usize],
    reads: &mut ReadLog,
    pages_rendered: &mut usize,
) -> Option<Files> {
    let sink = MemorySink::new();
    let ran = render::run(env, templates, jobs, &sink, true);
    if ran.io_error.is_some() {
        return None;
    }
    for (&j, (error, read)) in jobs.iter().zip(ran.jobs) {
        if error.is_some() {
            return None;
        }
        if env.plan.jobs[j].context.is_html_page() {
            *pages_rendered += 1;
        }
        reads.update(j, read);
    }
    Some(sink.into_files())
}

/// `affected` split in two, both in order: the jobs of the edited documents' own files (an
/// edited page's, an edited section's and its listing pages), and the others.
fn own_files_first(plan: &Plan, edited: &Edited, affected: &[usize]) -> (Vec<usize>, Vec<usize>) {
    affected.iter().partition(|&&j| match plan.jobs[j].context {
        JobContext::Page(i) => edited.pages.contains(&i),
        JobContext::Section(i) | JobContext::Pager(i, _) => edited.sections.contains(&i),
        _ => false,
    })
}

/// The jobs that show what `changed`: the files of the changed pages, sections and feeds, and
/// every file whose templates read one of them at its last render (a section's own fields, read
/// with `metadata_only=true`, change only when its `_index.md` was edited). Sorted, each once.
fn affected(tree: &SiteTree, plan: &Plan, reads: &ReadLog, changed: &Changed) -> Vec<usize> {
    let mut changed_reads: Vec<Read> = changed
        .pages
        .iter()
        .map(|&i| Read::page(&tree.pages[i].doc.relative))
        .chain(
            changed
                .listing
                .iter()
                .map(|&i| Read::section(&tree.sections[i].relative, true)),
        )
        .chain(
            changed
                .sections
                .iter()
                .map(|&i| Read::section(&tree.sections[i].relative, false)),
        )
        .collect();
    changed_reads.sort_unstable();
    changed_reads.dedup();
    let mut affected: Vec<usize> = plan
        .jobs
        .iter()
        .enumerate()
        .filter(|(_, job)| match job.context {
            JobContext::Page(i) => changed.pages.contains(&i),
            JobContext::Section(i) | JobContext::Pager(i, _) => changed.listing.contains(&i),
            JobContext::Feed(i) => changed.feeds.contains(&i) || changed.listing.contains(&i),
            JobContext::Sitemap => changed.sitemap,
            JobContext::Ready(_) => false,
            // A change to a page with terms is a full build (`State::partial`).
            JobContext::Taxonomy(_) | JobContext::Term(..) | JobContext::TermFeed(..) => false,
        })
        .map(|(j, _)| j)
        .collect();
    for c in &changed_reads {
        // A job removed since it read (`ReadLog::swap_remove`) may still be named.
        affected.extend(reads.readers(c).filter(|&j| j < plan.jobs.len()));
    }
    affected.sort_unstable();
    affected.dedup();
    affected
}
