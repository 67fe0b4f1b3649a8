//! Stage 4: documents -> [`SiteTree`]: the one place where a page's URL is decided.
//!
//! In: the parsed [`Document`]s, the asset files and the [`Config`]. Out: pages and sections
//! with their slug, path, permalink and output file; each section's pages in order (weight,
//! then date newest first, then title, as `design.md` says); neighbours (`lower`/`higher`);
//! ancestors; page-bundle assets; and the link map from source paths to permalinks, which
//! exists before any markdown is rendered. Two sources with the same output file are an error
//! naming both (Zola #366). Drafts are dropped here unless `--drafts`.
//!
//! [`SiteTree::assemble`] runs the steps in order, each a function from values to values:
//! `sections` (sections.rs: sections, the home page first, parents, ancestors), `pages`
//! (pages.rs: URL, title, section), `order` (order.rs: each section's pages, neighbours,
//! subsections), `listings` (listings.rs: listing pages and feeds), the link map, `place`
//! (assets.rs: bundle and other content files), `aliases` and `collisions` (outputs.rs, which
//! also holds [`SiteTree::outputs`], the one list of generated files). The URL rules are in
//! urls.rs; links.rs resolves links against the finished tree.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::config::Config;
use crate::content::{Document, SourceFile, SourceKind};
use crate::error::{Diagnostic, Error, Result};

mod assets;
mod clashes;
mod edit;
mod languages;
mod links;
pub mod listings;
mod order;
pub mod outputs;
mod pages;
mod sections;
pub mod taxonomies;
mod urls;

pub use links::{
    DocLinks, MenuLink, is_external, resolve_menu, resolve_menu_items, resolve_site_link,
};
pub use listings::{Feed, Pager};
pub(crate) use order::order_pages;
pub use outputs::{Copies, Writer, copies};
pub(crate) use pages::first_h1;
pub use pages::name_in_words;
pub use urls::{PageUrl, output_for_path, page_url, slugify};

/// A page or a section, by index into [`SiteTree::pages`] or [`SiteTree::sections`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Item {
    /// Index into `pages`.
    Page(usize),
    /// Index into `sections`.
    Section(usize),
}

/// A page: a markdown file other than `_index.md`.
#[derive(Debug, Clone)]
pub struct Page {
    /// The parsed file.
    pub doc: Document,
    /// Title: front matter, else the first `# heading`, else the file name in words.
    pub title: String,
    /// URL slug: front matter `slug`, else the file (or bundle folder) name, slugified.
    pub slug: String,
    /// Site path with slashes at both ends, without the base URL's path: `/faq/`.
    pub path: String,
    /// Absolute URL: base URL + path.
    pub permalink: String,
    /// Output file relative to the output folder: `faq/index.html`.
    pub output: String,
    /// The section the page belongs to.
    pub section: usize,
    /// Content paths of the sections from the home page down to the page's section.
    pub ancestors: Vec<String>,
    /// The next page in the section's order (Zola's `higher`).
    pub higher: Option<usize>,
    /// The previous page in the section's order (Zola's `lower`).
    pub lower: Option<usize>,
    /// Permalinks of the bundle's files (for `index.md` bundles).
    pub assets: Vec<String>,
    /// Its language code: the default language, or `fr` for `about.fr.md`.
    pub lang: String,
    /// Every version of this page in the site's languages, itself included, in the order of
    /// `config.languages` (empty for a site in one language). See languages.rs.
    pub translations: Vec<usize>,
}

/// A section: a folder with an `_index.md` (the home page is the root section).
#[derive(Debug, Clone)]
pub struct Section {
    /// The parsed `_index.md`; `None` for a home page without `content/_index.md`.
    pub doc: Option<Document>,
    /// Content path of the `_index.md`: `_index.md`, `blog/_index.md`.
    pub relative: String,
    /// Title: front matter, else the folder name in words (the site title for the home page).
    pub title: String,
    /// Site path: `/`, `/blog/`.
    pub path: String,
    /// Absolute URL.
    pub permalink: String,
    /// Output file: `index.html`, `blog/index.html`.
    pub output: String,
    /// Pages in order.
    pub pages: Vec<usize>,
    /// Direct subsections, in order (weight, then title).
    pub subsections: Vec<usize>,
    /// The enclosing section (none for the home page).
    pub parent: Option<usize>,
    /// Content paths of the enclosing sections, from the home page down.
    pub ancestors: Vec<String>,
    /// Listing pages when the section has `paginate_by` (the first is the section itself);
    /// empty otherwise. See [`listings`].
    pub pagers: Vec<Pager>,
    /// The Atom feed when the section has `feed: true` and dated pages.
    pub feed: Option<Feed>,
    /// Its language code: the default language, or `fr` for `_index.fr.md`.
    pub lang: String,
    /// Every version of this section in the site's languages, itself included (empty for a
    /// site in one language).
    pub translations: Vec<usize>,
}

/// A file to copy as it is into the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetCopy {
    /// Source file.
    pub from: PathBuf,
    /// Destination relative to the output folder, with `/`.
    pub to: String,
}

/// An alias redirect page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// Output file relative to the output folder.
    pub output: String,
    /// Where it redirects to.
    pub target: String,
    /// The file that asks for it, as messages show it: the page or `_index.md` with the
    /// `aliases:` entry, or the `_index.md` of a paginated section for its `page/1/`.
    pub from: PathBuf,
    /// True for the redirect from a paginated section's `page/1/` to the section.
    pub listing: bool,
}

/// The assembled site: every URL decided, every listing ordered.
#[derive(Debug, Clone)]
pub struct SiteTree {
    /// All pages (drafts left out unless `--drafts`).
    pub pages: Vec<Page>,
    /// All sections; index 0 is the home page.
    pub sections: Vec<Section>,
    /// Content path -> page or section.
    pub by_relative: HashMap<String, Item>,
    /// Output file (`prices/index.html`) -> the page or section written there: where a link
    /// written as a URL (`/prices/#rates`) finds the document whose ids its anchor must match.
    pub by_output: HashMap<String, Item>,
    /// Content paths of drafts that were left out, to explain links to them.
    pub drafts: Vec<String>,
    /// Files under `content/` copied as they are.
    pub assets: Vec<AssetCopy>,
    /// Redirect pages for `aliases`.
    pub aliases: Vec<Alias>,
    /// Warnings found while assembling (a page without a title).
    pub warnings: Vec<Diagnostic>,
    /// The taxonomies of `config.yaml` with their terms (empty when it lists none).
    pub taxonomies: Vec<taxonomies::Taxonomy>,
    /// The default language (`language:` in config.yaml); pages in others are translations.
    pub language: String,
}

/// What the steps of [`SiteTree::assemble`] find besides the values they return, in the order
/// they find it.
#[derive(Default)]
struct Findings {
    /// Errors: the site cannot be built.
    errors: Vec<Diagnostic>,
    /// Warnings, kept in the tree.
    warnings: Vec<Diagnostic>,
    /// Content paths of the drafts left out.
    drafts: Vec<String>,
}

/// The documents of `docs` that are published: all with `--drafts`, else those without
/// `draft: true`; the content paths of the others go to `drafts`.
fn published<'a>(
    docs: Vec<Document>,
    config: &'a Config,
    drafts: &'a mut Vec<String>,
) -> impl Iterator<Item = Document> + 'a {
    docs.into_iter().filter(move |d| {
        let left_out = d.front.draft && !config.drafts;
        if left_out {
            drafts.push(d.relative.clone());
        }
        !left_out
    })
}

impl SiteTree {
    /// Takes every page's and section's text out, keeping the front matter
    /// ([`Document::take_source`]): the pages' in tree order, then those of the sections that
    /// have an `_index.md` (the order stage 5 renders them in). `build` calls it before stage
    /// 5, which drops each text once nothing needs it ([`crate::render::site`]); `serve` and
    /// `watch` keep them in the tree.
    pub fn take_sources(&mut self) -> Vec<String> {
        use rayon::prelude::*;
        // In parallel: each is a copy of the front matter.
        let mut sources: Vec<String> = self
            .pages
            .par_iter_mut()
            .map(|p| p.doc.take_source())
            .collect();
        let sections = self.sections.iter_mut().filter_map(|s| s.doc.as_mut());
        sources.extend(sections.map(Document::take_source));
        sources
    }

    /// Stage 4: decides every URL, orders every listing, and checks for collisions.
    ///
    /// Errors: two sources (pages, sections, aliases, or the built-in `sitemap.xml`,
    /// `robots.txt`, `404.html`) with the same output file, naming both; a file name that gives
    /// an empty slug; a `path:` or alias that leaves the site; `feed`/`paginate_by` on a page.
    /// Warnings: a page without a title (see [`Page::title`]), a feed without dated pages, a
    /// page source that is not published; and the config's and documents' own warnings.
    pub fn assemble(
        docs: Vec<Document>,
        files: &[SourceFile],
        config: &Config,
    ) -> Result<SiteTree> {
        let mut found = Findings::default();
        found.warnings.extend(config.warnings.iter().cloned());
        found
            .warnings
            .extend(docs.iter().flat_map(|d| d.warnings.iter().cloned()));
        let (section_docs, page_docs): (Vec<Document>, Vec<Document>) = docs
            .into_iter()
            .partition(|d| d.kind == SourceKind::Section);

        let (mut sections, folders) = sections::sections(section_docs, config, &mut found);
        let mut pages = pages::pages(page_docs, &sections, &folders, config, &mut found);
        if config.is_multilingual() {
            languages::link_translations(&mut pages, &mut sections, config, &mut found);
        }
        order::order(&mut sections, &mut pages);
        let redirects = listings::listings(&mut sections, &pages, config, &mut found);
        let by_relative = link_map(&pages, &sections);
        let by_output = output_map(&pages, &sections);
        // A page's source that is not a page is never published (issue 12).
        for f in files.iter().filter(|f| f.kind == SourceKind::Leftover) {
            found
                .warnings
                .push(crate::content::leftover_warning(f, files));
        }
        let assets = assets::place(files, &mut pages, config);
        let mut aliases = outputs::aliases(&pages, &sections, &mut found.errors);
        aliases.extend(redirects);
        let (taxonomies, term_redirects) = taxonomies::taxonomies(&pages, config);
        aliases.extend(term_redirects);

        found.drafts.sort();
        let mut tree = SiteTree {
            pages,
            sections,
            by_relative,
            by_output,
            drafts: found.drafts,
            assets,
            aliases,
            warnings: Vec::new(),
            taxonomies,
            language: config.language.clone(),
        };
        // Every generated output file has exactly one source.
        found.errors.extend(outputs::collisions(&tree, config));
        if found.errors.iter().any(Diagnostic::is_error) {
            found.errors.extend(found.warnings);
            return Err(Error::Diagnostics(found.errors));
        }
        tree.warnings = found.warnings;
        Ok(tree)
    }

    /// The permalink of a page or section.
    pub fn permalink(&self, item: Item) -> &str {
        match item {
            Item::Page(i) => &self.pages[i].permalink,
            Item::Section(i) => &self.sections[i].permalink,
        }
    }

    /// Looks up a content path (`faq.md`, `blog/_index.md`; a leading `@/` or `/` is ignored).
    pub fn get(&self, relative: &str) -> Option<Item> {
        let r = relative.trim_start_matches("@/").trim_start_matches('/');
        self.by_relative.get(r).copied()
    }

    /// Explains why `relative` is not a page: a draft, or the closest existing content path.
    pub fn missing_help(&self, relative: &str) -> Option<String> {
        if self.drafts.iter().any(|d| d == relative) {
            return Some(format!(
                "`{relative}` is a draft (draft: true), so it is not published; remove `draft: true` there, or build with --drafts"
            ));
        }
        Some(
            match crate::error::closest(self.by_relative.keys().map(String::as_str), relative) {
                Some(k) => format!("did you mean `@/{k}`?"),
                None => "link to a page by its file under content/, like `@/faq.md`".into(),
            },
        )
    }
}

/// The link map: content path (`faq.md`, `blog/_index.md`) -> page or section.
fn link_map(pages: &[Page], sections: &[Section]) -> HashMap<String, Item> {
    let mut by_relative = HashMap::with_capacity(pages.len() + sections.len());
    for (i, p) in pages.iter().enumerate() {
        by_relative.insert(p.doc.relative.clone(), Item::Page(i));
    }
    for (i, s) in sections.iter().enumerate() {
        by_relative.insert(s.relative.clone(), Item::Section(i));
    }
    by_relative
}

/// Output file (`faq/index.html`) -> the page or section written there. A section's own file
/// only (its listing pages `page/2/` are not in it); a collision is reported by `collisions`.
fn output_map(pages: &[Page], sections: &[Section]) -> HashMap<String, Item> {
    let mut by_output = HashMap::with_capacity(pages.len() + sections.len());
    for (i, s) in sections.iter().enumerate() {
        by_output.insert(s.output.clone(), Item::Section(i));
    }
    for (i, p) in pages.iter().enumerate() {
        by_output.insert(p.output.clone(), Item::Page(i));
    }
    by_output
}
