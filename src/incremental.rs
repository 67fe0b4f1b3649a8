//! Incremental rebuilds for `serve` and `watch`: after a save, render only the files the change
//! touches.
//!
//! A full build ([`LiveBuild::rebuild`] with nothing kept) keeps the site tree, the templates,
//! every page and section value and, for every output file, what rendered it and which other
//! pages and sections its templates read (`get_page`, `get_section`; see
//! [`crate::templates::Read`]). When the next change is a save of existing pages or sections
//! whose front matter is unchanged (the body was edited, as most saves are), or of pages whose
//! front matter changed only in `title` (given before and after), `description` or `extra`
//! (without an `image`),
//! only the markdown of those documents is rendered again, their links and the anchors linked
//! into them are checked again, and only these files are rendered again:
//!
//! - the document's own file (and a section's later listing pages);
//! - the listing pages and feeds of the sections that list it (they show its title, content,
//!   summary, table of contents or word count);
//! - after a new title or description, the pages before and after it (their `lower` and
//!   `higher`); a title that moves the page in its section's order needs a full build;
//! - every file whose templates read it, or a section listing it, through `get_page` or
//!   `get_section` at the last render (a section's own fields, with `metadata_only=true`,
//!   change only when the section's `_index.md` itself is edited).
//!
//! Everything else (a save that adds a document's first placeholder or removes its last, which
//! may change `config.ready_to_publish` ([`crate::publish`]); any other front matter change,
//! which can move a page or change its URL, or any front matter change of a section; a new,
//! deleted or renamed file; `config.yaml`, templates, static files, data; an image that goes
//! to the image processor; or any error) gets a full build, which is also what reports errors:
//! the result of every rebuild equals a clean build of the same files, which
//! `tests/it/incremental.rs` checks over random edits. After a failed build, the next rebuild
//! is a full one.
//!
//! Zola's `serve --fast` and Hugo's fast render mode render only the changed page and skip
//! the listings that show it; this rebuild is exact instead.

use std::collections::HashSet;
use std::path::Path;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::front_matter::FrontMatter;
use crate::content::{self, SourceFile};
use crate::error::Result;
use crate::markdown::Rendered;
use crate::render::{self, BuiltSite, Doc, DocRecord, JobContext, MarkdownEnv, Retained};
use crate::site::{self, Item, SiteTree};
use crate::templates::{Read, Templates, context};
use crate::{BuildOptions, runaway};

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
        /// How many of them are HTML pages (pages, sections, listing pages).
        pages_rendered: usize,
        /// The site's warnings (those of the last full build: a body edit changes none).
        warnings: Vec<crate::Diagnostic>,
        /// Wall time of each step.
        timings: crate::Timings,
    },
}

struct State {
    config: Config,
    tree: SiteTree,
    /// Bound to the site data, for the page templates.
    templates: Templates,
    /// Not bound, for shortcodes (as in a full build, where shortcodes run before the site
    /// data exists).
    shortcodes: Templates,
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
        let state = self.state.take();
        let options = self.options.clone();
        let changed = changed.to_vec();
        let (state, update) = runaway::guarded(move || {
            if let Some(mut state) = state
                && !changed.is_empty()
                && let Some(update) = state.partial(&changed)
            {
                return Ok((state, update));
            }
            let (config, tree, templates, built, retained) = crate::build_retained(&options, true)?;
            let shortcodes = templates.unbound();
            let state = State {
                config,
                tree,
                templates,
                shortcodes,
                retained,
            };
            Ok((state, Update::Full(built)))
        })?;
        self.state = Some(state);
        Ok(update)
    }
}

/// An edited document: where it is in the tree, and its new text.
struct Edit {
    item: Item,
    doc: content::Document,
    /// Its front matter changed (only in fields that [`shown_fields_only`] allows).
    front_changed: bool,
}

/// True when the front matter of a page changed only in what pages show: `title` (given
/// before and after), `description`, and `extra` without an `image` (a share image goes to
/// the image processor and is checked). These change no URL and no tree structure; a title
/// can change the order of a listing, which [`State::partial`] checks. The front matter must
/// have no warnings before or after (they would change).
fn shown_fields_only(old: &content::Document, new: &content::Document) -> bool {
    let rest = |f: &FrontMatter| FrontMatter {
        title: None,
        description: None,
        extra: None,
        ..f.clone()
    };
    let has_image = |f: &FrontMatter| f.extra.as_ref().is_some_and(|e| e.contains_key("image"));
    rest(&old.front) == rest(&new.front)
        && (old.front.title.is_some() && new.front.title.is_some()
            || old.front.title == new.front.title)
        && (old.front.extra == new.front.extra || !(has_image(&old.front) || has_image(&new.front)))
        && old.warnings.is_empty()
        && new.warnings.is_empty()
}

impl State {
    /// The incremental rebuild, or `None` when the change needs a full build (the state may
    /// then be half updated: it is dropped).
    fn partial(&mut self, changed: &[String]) -> Option<Update> {
        let mut timings = crate::Timings::start();
        let edits = self.edits(changed)?;
        timings.lap("read + parse");
        let mut edited_pages = Vec::new();
        let mut edited_sections = Vec::new();
        // Pages whose title or description changed: their neighbours show them.
        let mut retitled = Vec::new();
        for edit in edits {
            match edit.item {
                Item::Page(i) => {
                    if let Some(title) = &edit.doc.front.title {
                        self.tree.pages[i].title = title.clone();
                    }
                    if edit.front_changed {
                        retitled.push(i);
                    }
                    self.tree.pages[i].doc = edit.doc;
                    edited_pages.push(i);
                }
                Item::Section(i) => {
                    self.tree.sections[i].doc = Some(edit.doc);
                    edited_sections.push(i);
                }
            }
        }

        // A new title may move a page in its section's order: then the neighbours and listings
        // change shape, which only a full build redoes.
        for s in &self.tree.sections {
            if retitled.iter().any(|i| s.pages.contains(i)) {
                let mut order = s.pages.clone();
                site::order_pages(&self.tree.pages, &mut order);
                if order != s.pages {
                    return None;
                }
            }
        }

        // Stage 5 for the edited documents.
        let docs: Vec<Doc<'_>> = edited_pages
            .iter()
            .map(|&i| Doc::page(&self.tree, i))
            .chain(
                edited_sections
                    .iter()
                    .filter_map(|&i| Doc::section(&self.tree, i)),
            )
            .collect();
        let r = &mut self.retained;
        let env = MarkdownEnv {
            tree: &self.tree,
            config: &self.config,
            outputs: &r.outputs,
            images: &r.images,
            templates: &self.shortcodes,
            config_value: &r.config_value,
            references: &r.references,
        };
        let mut rendered: Vec<Rendered> = Vec::with_capacity(docs.len());
        for d in &docs {
            let (result, used_images) = render::render_markdown(d, &env);
            let mut out = result.ok()?;
            let relative = d.relative();
            if used_images || r.records.get(relative).is_none_or(|rec| rec.used_images) {
                return None;
            }
            let record = DocRecord {
                ids: std::mem::take(&mut out.ids).into_iter().collect(),
                anchors: out.anchors.clone(),
                used_images,
                failed: false,
            };
            r.records.insert(relative.to_string(), record);
            rendered.push(out);
        }

        // Stage 6: the edited documents' links, and every anchor link into them.
        for (d, out) in docs.iter().zip(&rendered) {
            if !render::link_errors(d, out, &r.records).is_empty() {
                return None;
            }
        }
        let edited: HashSet<&str> = docs.iter().map(Doc::relative).collect();
        for record in r.records.values() {
            for a in &record.anchors {
                if edited.contains(a.page.as_str())
                    && !r
                        .records
                        .get(a.page.as_str())
                        .is_some_and(|to| to.ids.contains(&a.anchor))
                {
                    return None;
                }
            }
        }
        drop(docs);
        timings.lap("markdown + links");

        // Stage 7: the values that changed.
        let tree = &self.tree;
        let mut rendered = rendered.into_iter();
        for &i in &edited_pages {
            r.page_values[i] = context::page_value(tree, i, &rendered.next()?);
        }
        for &i in &edited_sections {
            r.section_rendered[i] = Some(rendered.next()?);
        }
        // The pages whose value changed: the edited ones and the neighbours of a retitled one.
        let mut pages: HashSet<usize> = edited_pages.iter().copied().collect();
        for &i in &retitled {
            let p = &tree.pages[i];
            for j in p.lower.into_iter().chain(p.higher) {
                if !edited_pages.contains(&j) {
                    r.page_values[j] = context::with_neighbours(tree, j, &r.page_values[j]);
                }
                pages.insert(j);
            }
        }
        // Sections whose value changed: the edited ones and those listing an edited page.
        let listing: Vec<usize> = (0..tree.sections.len())
            .filter(|&i| {
                edited_sections.contains(&i)
                    || tree.sections[i].pages.iter().any(|p| pages.contains(p))
            })
            .collect();
        for &i in &listing {
            r.section_values[i] =
                render::section_value(tree, &r.section_rendered, &r.page_values, i, false);
        }
        let feeds: Vec<usize> = (0..tree.sections.len())
            .filter(|&i| {
                tree.sections[i]
                    .feed
                    .as_ref()
                    .is_some_and(|f| f.pages.iter().any(|p| pages.contains(p)))
            })
            .collect();
        for &i in &feeds {
            r.feeds[i] = Some(context::feed_value(
                &self.config,
                tree,
                &tree.sections[i],
                &r.page_values,
            ));
        }
        let mut data = self.templates.data()?.clone();
        for &i in &pages {
            data.changed_values
                .insert(tree.pages[i].doc.relative.clone(), r.page_values[i].clone());
        }
        for &i in &listing {
            data.changed_values.insert(
                tree.sections[i].relative.clone(),
                r.section_values[i].clone(),
            );
        }
        for &i in &edited_sections {
            data.changed_metadata.insert(
                tree.sections[i].relative.clone(),
                render::section_value(tree, &r.section_rendered, &r.page_values, i, true),
            );
        }
        self.templates = self.templates.with_data(data);
        timings.lap("values");

        // The files that show what changed: their own, and those that read it.
        let mut changed_reads: Vec<Read> = pages
            .iter()
            .map(|&i| Read::page(&tree.pages[i].doc.relative))
            .chain(
                listing
                    .iter()
                    .map(|&i| Read::section(&tree.sections[i].relative, true)),
            )
            .chain(
                edited_sections
                    .iter()
                    .map(|&i| Read::section(&tree.sections[i].relative, false)),
            )
            .collect();
        changed_reads.sort_unstable();
        changed_reads.dedup();
        let mut affected: Vec<usize> = r
            .jobs
            .iter()
            .enumerate()
            .filter(|(_, job)| match job.context {
                JobContext::Page(i) => pages.contains(&i),
                JobContext::Section(i) | JobContext::Pager(i, _) => listing.contains(&i),
                JobContext::Feed(i) => feeds.contains(&i) || listing.contains(&i),
                JobContext::Ready(_) => false,
            })
            .map(|(j, _)| j)
            .collect();
        for c in &changed_reads {
            if let Some(jobs) = r.readers.get(c) {
                affected.extend(jobs.iter().map(|&j| j as usize));
            }
        }
        affected.sort_unstable();
        affected.dedup();
        timings.lap("affected files");

        let values = render::Values {
            config: &self.config,
            config_value: &r.config_value,
            tree,
            page_values: &r.page_values,
            section_values: &r.section_values,
            feeds: &r.feeds,
        };
        let templates = &self.templates;
        let jobs = &r.jobs;
        let minify = r.minify;
        let results: Vec<_> = affected
            .par_iter()
            .map(|&j| render::render_job(&jobs[j], templates, &values, minify, true))
            .collect();
        let mut files = Vec::with_capacity(affected.len());
        let mut pages_rendered = 0;
        for (&j, (result, reads)) in affected.iter().zip(results) {
            let bytes = result.ok()?;
            if !matches!(jobs[j].context, JobContext::Feed(_) | JobContext::Ready(_)) {
                pages_rendered += 1;
            }
            files.push((jobs[j].output.clone(), bytes));
            for read in &reads {
                if r.reads[j].binary_search(read).is_err() {
                    r.readers.entry(*read).or_default().push(j as u32);
                }
            }
            r.reads[j] = reads;
        }
        timings.lap("render");
        Some(Update::Partial {
            files,
            pages_rendered,
            warnings: r.warnings.clone(),
            timings,
        })
    }

    /// The edits in `changed` when every changed file is an existing page or section whose
    /// front matter is as before (and whose title does not come from a changed first heading);
    /// `None` otherwise, or when a file cannot be read or parsed (a full build reports it).
    fn edits(&self, changed: &[String]) -> Option<Vec<Edit>> {
        let mut edits = Vec::with_capacity(changed.len());
        for path in changed {
            let relative = path.strip_prefix("content/")?;
            if !content::is_markdown_name(relative) {
                return None;
            }
            let item = self.tree.get(relative)?;
            let old = match item {
                Item::Page(i) => &self.tree.pages[i].doc,
                Item::Section(i) => self.tree.sections[i].doc.as_ref()?,
            };
            let file = SourceFile {
                path: self.config.root.join(Path::new(path)),
                relative: relative.to_string(),
                kind: old.kind,
            };
            let new = content::parse_one(&file).ok()??;
            let front = |d: &content::Document| d.source.get(..d.body_start).map(str::to_string);
            let front_changed = front(&new)? != front(old)?;
            if front_changed && !(matches!(item, Item::Page(_)) && shown_fields_only(old, &new)) {
                return None;
            }
            if old.front.title.is_none() && site::first_h1(new.body()) != site::first_h1(old.body())
            {
                return None;
            }
            // The first placeholder added or the last one removed may change
            // `config.ready_to_publish`, which every page shows.
            if crate::publish::document_has_placeholders(old)
                != crate::publish::document_has_placeholders(&new)
            {
                return None;
            }
            edits.push(Edit {
                item,
                doc: new,
                front_changed,
            });
        }
        Some(edits)
    }
}
