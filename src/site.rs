//! Stage 4: documents -> [`SiteTree`]: the one place where a page's URL is decided.
//!
//! In: the parsed [`Document`]s, the asset files and the [`Config`]. Out: pages and sections
//! with their slug, path, permalink and output file; each section's pages in order (weight,
//! then date newest first, then title, as `design.md` says); neighbours (`lower`/`higher`);
//! ancestors; page-bundle assets; and the link map from source paths to permalinks, which
//! exists before any markdown is rendered. Two sources with the same output file are an error
//! naming both (Zola #366). Drafts are dropped here unless `--drafts`.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::config::Config;
use crate::content::{Document, SourceFile, SourceKind, is_markdown_name, strip_markdown_ext};
use crate::error::{Diagnostic, Error, Result, Span};
use crate::markdown::{ImageHtml, LinkResolver, LinkTarget};

pub mod listings;
pub use listings::{Feed, Pager};

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
    /// Content paths of drafts that were left out, to explain links to them.
    pub drafts: Vec<String>,
    /// Files under `content/` copied as they are.
    pub assets: Vec<AssetCopy>,
    /// Redirect pages for `aliases`.
    pub aliases: Vec<Alias>,
    /// Warnings found while assembling (a page without a title).
    pub warnings: Vec<Diagnostic>,
}

/// Output files that the build writes itself; a page may not take them.
const RESERVED_OUTPUTS: &[&str] = &["sitemap.xml", "robots.txt", "404.html"];

/// Turns a file or folder name into a URL slug: lower-case ASCII words joined by hyphens,
/// non-ASCII letters transliterated (`How a Session Works` -> `how-a-session-works`,
/// `Über uns` -> `uber-uns`, `1.0.0` -> `1-0-0`), as Zola's default slugify does.
pub fn slugify(name: &str) -> String {
    slug::slugify(name)
}

/// A file name in words, for a missing title: `how-a-session-works` -> "How a session works".
pub fn name_in_words(stem: &str) -> String {
    let words = stem.replace(['-', '_'], " ");
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = words.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => stem.to_string(),
    }
}

/// The text of the first level-1 ATX heading (`# Title`) of a markdown body outside fenced code,
/// without a trailing `{#id}` or closing `#`s.
pub(crate) fn first_h1(body: &str) -> Option<String> {
    let mut fence: Option<&str> = None;
    for line in body.lines() {
        let t = line.trim_start();
        if line.len() - t.len() > 3 {
            continue;
        }
        if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if t.starts_with("```") {
            fence = Some("```");
            continue;
        }
        if t.starts_with("~~~") {
            fence = Some("~~~");
            continue;
        }
        if let Some(rest) = t.strip_prefix("# ") {
            let mut text = rest.trim();
            if let Some(i) = text.rfind(" {#").filter(|_| text.ends_with('}')) {
                text = &text[..i];
            }
            let text = text.trim_end_matches('#').trim();
            if !text.is_empty() {
                return Some(text.to_string());
            }
        }
    }
    None
}

/// Normalises a front-matter `path` to `/a/b/` form.
/// An error for a `path:` or `aliases:` value that would leave the output folder (`..`) or
/// mean a different folder on Windows (`\`), pointing at its line in the front matter.
fn outside_path_error(doc: &Document, field: &str, value: &str) -> Option<Diagnostic> {
    if !value.split(['/', '\\']).any(|seg| seg == "..") && !value.contains('\\') {
        return None;
    }
    let mut d = Diagnostic::error(format!(
        "`{field}: {value}` in {} points outside the site",
        doc.shown.display()
    ))
    .in_file(&doc.shown)
    .label("`..` and `\\` are not allowed here")
    .help(format!(
        "write the address from the top of the site, like `{field}: book/`"
    ));
    if let Some((i, line)) = doc.source.split('\n').enumerate().find(|(_, l)| {
        l.contains(value) && (l.trim_start().starts_with(field) || l.trim_start().starts_with('-'))
    }) {
        let col = line
            .find(value)
            .map_or(1, |b| line[..b].chars().count() + 1);
        d = d.at(Span::new(i + 1, col, value.chars().count()), &doc.source);
    }
    Some(d)
}

fn normalize_path(p: &str) -> String {
    let inner: Vec<&str> = p
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if inner.is_empty() {
        "/".into()
    } else {
        format!("/{}/", inner.join("/"))
    }
}

/// The output file for a site path: `/faq/` -> `faq/index.html`, `/` -> `index.html`,
/// `/feed.xml` -> `feed.xml` (a last segment with a dot is taken as a file name).
pub fn output_for_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "index.html".into()
    } else if !path.ends_with('/') && trimmed.rsplit('/').next().is_some_and(|s| s.contains('.')) {
        trimmed.to_string()
    } else {
        format!("{trimmed}/index.html")
    }
}

/// The slugified URL path of a content folder: `Blog Posts/2024` -> `/blog-posts/2024/`.
fn folder_path(folder: &str) -> String {
    let parts: Vec<String> = folder
        .split('/')
        .filter(|s| !s.is_empty())
        .map(slugify)
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        "/".into()
    } else {
        format!("/{}/", parts.join("/"))
    }
}

/// Where a page is published, as [`page_url`] decides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUrl {
    /// The content folder whose URL the page sits under (`blog` for `blog/post.md` and for
    /// `blog/post/index.md`).
    pub url_folder: String,
    /// The file name without its extension, or a bundle's folder name: `post`.
    pub stem: String,
    /// Front matter `slug`, else the stem, slugified; empty when neither has a letter or digit.
    pub slug: String,
    /// The URL path from the site's top: `/blog/post/` (front matter `path` when set).
    pub path: String,
}

/// The URL of a page (not a section) from its content path and front matter: the one rule of
/// a build (pretty URLs, Zola's: `blog/My Post.md` -> `/blog/my-post/`; a bundle
/// `blog/post/index.md` -> `/blog/post/`; `slug:` replaces the name; `path:` the whole path).
/// `stillpoint new page` prints the address of the page it writes through it too.
pub fn page_url(doc: &Document) -> PageUrl {
    let folder = parent_folder(&doc.relative).to_string();
    let (url_folder, stem) = if doc.is_bundle() {
        let parent = parent_folder(&folder).to_string();
        let name = folder.rsplit('/').next().unwrap_or(&folder).to_string();
        (parent, name)
    } else {
        let name = doc.relative.rsplit('/').next().unwrap_or(&doc.relative);
        (folder, strip_markdown_ext(name).to_string())
    };
    let slug = match &doc.front.slug {
        Some(s) => slugify(s),
        None => slugify(&stem),
    };
    let path = match &doc.front.path {
        Some(p) => normalize_path(p),
        None => format!("{}{}/", folder_path(&url_folder), slug),
    };
    PageUrl {
        url_folder,
        stem,
        slug,
        path,
    }
}

fn parent_folder(relative: &str) -> &str {
    relative.rsplit_once('/').map_or("", |(d, _)| d)
}

pub(crate) fn order_pages(pages: &[Page], idx: &mut [usize]) {
    idx.sort_by(|&a, &b| {
        let (pa, pb) = (&pages[a], &pages[b]);
        let wa = pa.doc.front.weight.map_or((1, 0), |w| (0, w));
        let wb = pb.doc.front.weight.map_or((1, 0), |w| (0, w));
        let da = pa
            .doc
            .front
            .date
            .as_ref()
            .map_or((1, 0), |d| (0, -d.sort_key()));
        let db = pb
            .doc
            .front
            .date
            .as_ref()
            .map_or((1, 0), |d| (0, -d.sort_key()));
        wa.cmp(&wb)
            .then(da.cmp(&db))
            .then_with(|| pa.title.to_lowercase().cmp(&pb.title.to_lowercase()))
            .then_with(|| pa.doc.relative.cmp(&pb.doc.relative))
    });
}

impl SiteTree {
    /// Stage 4: decides every URL, orders every listing, and checks for collisions.
    ///
    /// Errors: two sources (pages, sections, aliases, or the built-in `sitemap.xml`,
    /// `robots.txt`, `404.html`) with the same output file, naming both; a file name that gives
    /// an empty slug. Warnings: a page without a title (see [`Page::title`]).
    pub fn assemble(
        docs: Vec<Document>,
        files: &[SourceFile],
        config: &Config,
    ) -> Result<SiteTree> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut drafts = Vec::new();

        // Sections first: every folder with an _index.md, and the home page.
        let mut sections: Vec<Section> = Vec::new();
        let mut folder_to_section: HashMap<String, usize> = HashMap::new();
        warnings.extend(config.warnings.iter().cloned());
        for d in &docs {
            warnings.extend(d.warnings.iter().cloned());
        }
        let (section_docs, page_docs): (Vec<Document>, Vec<Document>) = docs
            .into_iter()
            .partition(|d| d.kind == SourceKind::Section);
        let mut section_docs: Vec<Document> = section_docs;
        section_docs.sort_by(|a, b| a.relative.cmp(&b.relative));
        if !section_docs.iter().any(|d| d.relative == "_index.md") {
            sections.push(Section {
                doc: None,
                relative: "_index.md".into(),
                title: config.title.clone(),
                path: "/".into(),
                permalink: config.permalink("/"),
                output: "index.html".into(),
                pages: Vec::new(),
                subsections: Vec::new(),
                parent: None,
                ancestors: Vec::new(),
                pagers: Vec::new(),
                feed: None,
            });
            folder_to_section.insert(String::new(), 0);
        }
        for doc in section_docs {
            if doc.front.draft && !config.drafts {
                drafts.push(doc.relative.clone());
                continue;
            }
            let folder = parent_folder(&doc.relative).to_string();
            if let Some(e) = doc
                .front
                .path
                .as_deref()
                .and_then(|p| outside_path_error(&doc, "path", p))
            {
                errors.push(e);
                continue;
            }
            let path = match &doc.front.path {
                Some(p) => normalize_path(p),
                None => folder_path(&folder),
            };
            let title = doc.front.title.clone().unwrap_or_else(|| {
                if folder.is_empty() {
                    config.title.clone()
                } else {
                    name_in_words(folder.rsplit('/').next().unwrap_or(&folder))
                }
            });
            folder_to_section.insert(folder, sections.len());
            sections.push(Section {
                relative: doc.relative.clone(),
                title,
                permalink: config.permalink(&path),
                output: output_for_path(&path),
                path,
                doc: Some(doc),
                pages: Vec::new(),
                subsections: Vec::new(),
                parent: None,
                ancestors: Vec::new(),
                pagers: Vec::new(),
                feed: None,
            });
        }
        // Home first (sorting by relative path put "_index.md" first when present).
        let home = sections
            .iter()
            .position(|s| s.relative == "_index.md")
            .unwrap_or(0);
        if home != 0 {
            sections.swap(0, home);
            for v in folder_to_section.values_mut() {
                if *v == 0 {
                    *v = home;
                } else if *v == home {
                    *v = 0;
                }
            }
        }
        let nearest_section = |folder: &str, map: &HashMap<String, usize>| -> usize {
            let mut f = folder;
            loop {
                if let Some(&i) = map.get(f) {
                    return i;
                }
                if f.is_empty() {
                    return 0;
                }
                f = parent_folder(f);
            }
        };
        for i in 1..sections.len() {
            let folder = parent_folder(&sections[i].relative);
            let parent = nearest_section(parent_folder(folder), &folder_to_section);
            let parent = if parent == i { 0 } else { parent };
            sections[i].parent = Some(parent);
            sections[parent].subsections.push(i);
        }
        for i in 0..sections.len() {
            let mut chain = Vec::new();
            let mut p = sections[i].parent;
            while let Some(pi) = p {
                chain.push(sections[pi].relative.clone());
                p = sections[pi].parent;
                if chain.len() > sections.len() {
                    break;
                }
            }
            chain.reverse();
            sections[i].ancestors = chain;
        }

        // Pages.
        let mut pages: Vec<Page> = Vec::new();
        for doc in page_docs {
            if doc.front.draft && !config.drafts {
                drafts.push(doc.relative.clone());
                continue;
            }
            let PageUrl {
                url_folder,
                stem,
                slug,
                path,
            } = page_url(&doc);
            if let Some(e) = doc
                .front
                .path
                .as_deref()
                .and_then(|p| outside_path_error(&doc, "path", p))
            {
                errors.push(e);
                continue;
            }
            if slug.is_empty() && doc.front.path.is_none() {
                errors.push(
                    Diagnostic::error(format!("cannot make a web address from the name of {}", doc.shown.display()))
                        .in_file(&doc.shown)
                        .help("rename the file using letters or digits, or set `slug:` in its front matter"),
                );
                continue;
            }
            let title = match &doc.front.title {
                Some(t) => t.clone(),
                None => {
                    let (title, from) = match first_h1(doc.body()) {
                        Some(h) => (h, "its first heading"),
                        None => (name_in_words(&stem), "its file name"),
                    };
                    let mut d = Diagnostic::warning(format!(
                        "{} has no title; using {from}: \"{title}\"",
                        doc.shown.display()
                    ))
                    .in_file(&doc.shown)
                    .help("add a line like `title: \"Your title\"` to the front matter");
                    // Point at the front matter's opening `---`, where the title belongs.
                    if doc.body_line > 1 {
                        d = d.at(Span::new(1, 1, 3), &doc.source);
                    }
                    warnings.push(d);
                    title
                }
            };
            let section = nearest_section(&url_folder, &folder_to_section);
            let ancestors = {
                let mut a = sections[section].ancestors.clone();
                a.push(sections[section].relative.clone());
                a
            };
            pages.push(Page {
                title,
                slug,
                permalink: config.permalink(&path),
                output: output_for_path(&path),
                path,
                section,
                ancestors,
                higher: None,
                lower: None,
                assets: Vec::new(),
                doc,
            });
        }

        // Listings and neighbours.
        for (i, p) in pages.iter().enumerate() {
            sections[p.section].pages.push(i);
        }
        for s in &mut sections {
            order_pages(&pages, &mut s.pages);
        }
        for s in &sections {
            for (n, &pi) in s.pages.iter().enumerate() {
                // Zola's rule (`sort_section_pages`): `lower` is the page before in the
                // section's order (lighter, for weights), `higher` the page after.
                pages[pi].lower = n.checked_sub(1).map(|h| s.pages[h]);
                pages[pi].higher = s.pages.get(n + 1).copied();
            }
        }
        let section_order: Vec<(i64, String, String)> = sections
            .iter()
            .map(|s| {
                let w = s
                    .doc
                    .as_ref()
                    .and_then(|d| d.front.weight)
                    .unwrap_or(i64::MAX);
                (w, s.title.to_lowercase(), s.relative.clone())
            })
            .collect();
        for s in &mut sections {
            s.subsections
                .sort_by(|&a, &b| section_order[a].cmp(&section_order[b]));
        }

        // Listing pages and feeds (`paginate_by`, `feed`), which only sections may ask for.
        for p in &pages {
            errors.extend(listings::page_field_errors(p));
        }
        let mut listing_redirects = Vec::new();
        for s in &mut sections {
            let (pagers, first) = listings::pagers(s, config);
            s.pagers = pagers;
            if let (Some(a), Some(d)) = (first, &s.doc) {
                listing_redirects.push((a, d.shown.clone()));
            }
            let (feed, warning) = listings::feed(s, &pages, config);
            s.feed = feed;
            warnings.extend(warning);
        }

        // The link map.
        let mut by_relative = HashMap::new();
        for (i, p) in pages.iter().enumerate() {
            by_relative.insert(p.doc.relative.clone(), Item::Page(i));
        }
        for (i, s) in sections.iter().enumerate() {
            by_relative.insert(s.relative.clone(), Item::Section(i));
        }

        // Assets: bundle files go beside their page, other files beside their folder's URL.
        let bundle_dirs: HashMap<String, usize> = pages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.doc.is_bundle())
            .map(|(i, p)| (parent_folder(&p.doc.relative).to_string(), i))
            .collect();
        // A page's source that is not a page is never published (issue 12).
        for f in files.iter().filter(|f| f.kind == SourceKind::Leftover) {
            warnings.push(crate::content::leftover_warning(f, files));
        }
        let mut assets = Vec::new();
        for f in files.iter().filter(|f| f.kind == SourceKind::Asset) {
            let folder = parent_folder(&f.relative);
            let name = f.relative.rsplit('/').next().unwrap_or(&f.relative);
            // The nearest enclosing bundle owns the file (keeping its sub-folders).
            let mut owner = None;
            let mut d = folder;
            loop {
                if let Some(&pi) = bundle_dirs.get(d) {
                    owner = Some((pi, d));
                    break;
                }
                if d.is_empty() {
                    break;
                }
                d = parent_folder(d);
            }
            let to = match owner {
                Some((pi, dir)) => {
                    let inner = f
                        .relative
                        .strip_prefix(dir)
                        .unwrap_or(&f.relative)
                        .trim_start_matches('/');
                    let to = format!("{}{}", pages[pi].path.trim_start_matches('/'), inner);
                    pages[pi].assets.push(config.permalink(&format!("/{to}")));
                    to
                }
                None => format!("{}{}", folder_path(folder).trim_start_matches('/'), name),
            };
            assets.push(AssetCopy {
                from: f.path.clone(),
                to,
            });
        }

        // Aliases.
        let mut aliases = Vec::new();
        let mut alias_sources: Vec<(String, PathBuf)> = Vec::new();
        let all_docs = pages.iter().map(|p| (&p.doc, p.permalink.clone())).chain(
            sections
                .iter()
                .filter_map(|s| s.doc.as_ref().map(|d| (d, s.permalink.clone()))),
        );
        for (doc, permalink) in all_docs {
            for a in &doc.front.aliases {
                if let Some(e) = outside_path_error(doc, "aliases", a) {
                    errors.push(e);
                    continue;
                }
                let output = if a.trim_matches('/').contains('.') && !a.ends_with('/') {
                    a.trim_matches('/').to_string()
                } else {
                    output_for_path(&normalize_path(a))
                };
                aliases.push(Alias {
                    output: output.clone(),
                    target: permalink.clone(),
                });
                alias_sources.push((output, doc.shown.clone()));
            }
        }

        // Collisions: every generated output file has exactly one source.
        let mut owners: HashMap<&str, PathBuf> = HashMap::new();
        let shown_section = |s: &Section| {
            s.doc
                .as_ref()
                .map_or_else(|| PathBuf::from("the home page"), |d| d.shown.clone())
        };
        let mut claims: Vec<(String, PathBuf, &'static str)> = Vec::new();
        for s in &sections {
            claims.push((s.output.clone(), shown_section(s), ""));
        }
        for p in &pages {
            claims.push((p.output.clone(), p.doc.shown.clone(), ""));
        }
        for (o, src) in &alias_sources {
            claims.push((o.clone(), src.clone(), " (an alias)"));
        }
        for s in &sections {
            let shown = shown_section(s);
            for p in s.pagers.iter().skip(1) {
                claims.push((p.output.clone(), shown.clone(), " (a listing page)"));
            }
            if let Some(f) = &s.feed {
                claims.push((f.output.clone(), shown.clone(), " (its feed)"));
            }
        }
        for (a, src) in &listing_redirects {
            claims.push((a.output.clone(), src.clone(), " (a listing page)"));
        }
        aliases.extend(listing_redirects.into_iter().map(|(a, _)| a));
        let mut claim_text: HashMap<String, String> = HashMap::new();
        for r in RESERVED_OUTPUTS {
            claim_text.insert(r.to_string(), format!("the built-in {r}"));
        }
        for (output, src, what) in &claims {
            let desc = format!("{}{what}", src.display());
            if let Some(first) = claim_text.get(output) {
                let path = format!("/{}", output.trim_end_matches("index.html"));
                errors.push(
                    Diagnostic::error(format!("two files want the same web address {path}: {first} and {desc}"))
                        .in_file(src)
                        .help(format!(
                            "rename one of them, or give one a different `slug:` or `path:` in its front matter (both would be written to {}/{output})",
                            config.output_dir.file_name().and_then(|n| n.to_str()).unwrap_or("public")
                        )),
                );
            } else {
                claim_text.insert(output.clone(), desc);
                owners.insert(output, src.clone());
            }
        }

        if errors.iter().any(Diagnostic::is_error) {
            errors.extend(warnings);
            return Err(Error::Diagnostics(errors));
        }
        drafts.sort();
        Ok(SiteTree {
            pages,
            sections,
            by_relative,
            drafts,
            assets,
            aliases,
            warnings,
        })
    }

    /// The files that sections add besides their own page: listing pages after the first, and
    /// feeds, as (output file, what wrote it) for collision and link checks. Redirects from
    /// `page/1/` are in [`SiteTree::aliases`].
    pub fn listing_outputs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for s in &self.sections {
            let shown = s
                .doc
                .as_ref()
                .map_or_else(|| "the home page".into(), |d| d.shown.display().to_string());
            for p in s.pagers.iter().skip(1) {
                out.push((
                    p.output.clone(),
                    format!("{shown} (listing page {})", p.index),
                ));
            }
            if let Some(f) = &s.feed {
                out.push((f.output.clone(), format!("{shown} (its feed)")));
            }
        }
        out
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

    /// A link resolver for markdown in the document at `relative` (a page or `_index.md`).
    /// `outputs` is every file the build writes (relative to the output folder, with `/`):
    /// links that are neither `@/` nor `.md` paths are checked against it, relative to the
    /// document's own URL, as a browser would resolve them; `base_path` is the path of the base
    /// URL (`/docs` or empty).
    pub fn resolver_for<'a>(
        &'a self,
        relative: &'a str,
        outputs: &'a HashSet<String>,
        base_path: &'a str,
    ) -> DocLinks<'a> {
        let url_path = match self.get(relative) {
            Some(Item::Page(i)) => self.pages[i].path.as_str(),
            Some(Item::Section(i)) => self.sections[i].path.as_str(),
            None => "/",
        };
        DocLinks {
            tree: self,
            relative,
            url_path,
            outputs: Some(outputs),
            base_path,
            images: None,
            used_images: std::cell::Cell::new(false),
        }
    }
}

/// Resolves the links written in one document: `@/x.md`, `x.md`, `../x.md#anchor`, `#anchor`,
/// and checks every other link into the site (`photo.jpg`, `/images/a.png`, `faq/`) against the
/// files the build writes.
pub struct DocLinks<'a> {
    tree: &'a SiteTree,
    relative: &'a str,
    url_path: &'a str,
    outputs: Option<&'a HashSet<String>>,
    base_path: &'a str,
    images: Option<&'a crate::images::Processor>,
    /// Set once an image of the document went to the image processor.
    used_images: std::cell::Cell<bool>,
}

impl<'a> DocLinks<'a> {
    /// Markdown images that point at a JPEG, PNG or WebP file of the site become responsive
    /// images made by `images` (see `images.rs`).
    pub fn with_images(mut self, images: &'a crate::images::Processor) -> Self {
        self.images = Some(images);
        self
    }

    /// True once the document had an image processed (an incremental rebuild of it would
    /// change the set of published image variants, which only a full build computes).
    pub fn used_images(&self) -> bool {
        self.used_images.get()
    }
}

/// True when `target` starts with a URL scheme (`https:`, `mailto:`, `tel:`) or `//`.
pub fn is_external(target: &str) -> bool {
    if target.starts_with("//") {
        return true;
    }
    match target.find(':') {
        Some(i) => {
            let scheme = &target[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// Joins a relative path to a folder, resolving `.` and `..`; `None` when it climbs above the
/// content root.
fn join_relative(folder: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = folder.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

impl DocLinks<'_> {
    /// Resolves a content path (no `#`), giving the target or why it is broken.
    fn lookup(&self, written: &str, relative: &str, anchor: Option<&str>) -> LinkTarget {
        let decoded = percent_decode(relative);
        match self.tree.get(&decoded) {
            Some(item) => {
                let base = self.tree.permalink(item);
                let page = match item {
                    Item::Page(i) => self.tree.pages[i].doc.relative.clone(),
                    Item::Section(i) => self.tree.sections[i].relative.clone(),
                };
                LinkTarget::Internal {
                    url: match anchor {
                        Some(a) => format!("{base}#{a}"),
                        None => base.to_string(),
                    },
                    page,
                    anchor: anchor.map(str::to_string),
                }
            }
            None => LinkTarget::Broken {
                message: format!("link to a page that does not exist: `{written}`"),
                help: self.tree.missing_help(&decoded),
            },
        }
    }
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or("zz"), 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

impl DocLinks<'_> {
    /// The path in the output folder that a link into the site (not `@/`, not `.md`) names,
    /// resolved against the document's URL (or the site root for `/…`, below the base path),
    /// percent-decoded, and whether it names a folder (ends with `/`). None when it climbs above
    /// the site's top folder.
    fn site_path(&self, path: &str) -> Option<(String, bool)> {
        let decoded = percent_decode(path);
        let (folder, rel) = match decoded.strip_prefix('/') {
            Some(abs) => {
                let below_base = self
                    .base_path
                    .strip_prefix('/')
                    .filter(|b| !b.is_empty())
                    .and_then(|b| abs.strip_prefix(b))
                    .map(|r| r.trim_start_matches('/'));
                ("", below_base.unwrap_or(abs).to_string())
            }
            None => (self.url_path.trim_matches('/'), decoded.clone()),
        };
        let wants_folder = rel.is_empty() || rel.ends_with('/');
        join_relative(folder, &rel).map(|joined| (joined, wants_folder))
    }

    /// Checks a link into the site that is neither `@/` nor a `.md` path: resolved against the
    /// document's URL (or the site root for `/…`), it must name a file the build writes, or a
    /// folder with an `index.html`. The href is left as written.
    fn check_output(&self, written: &str, path: &str) -> LinkTarget {
        let Some(outputs) = self.outputs else {
            return LinkTarget::External;
        };
        let Some((joined, wants_folder)) = self.site_path(path) else {
            return LinkTarget::Broken {
                message: format!("link that points above the site's top folder: `{written}`"),
                help: Some("link to pages with their file name, like `[FAQ](@/faq.md)`".into()),
            };
        };
        let file = if joined.is_empty() || wants_folder {
            format!(
                "{joined}{}index.html",
                if joined.is_empty() { "" } else { "/" }
            )
        } else {
            joined.clone()
        };
        if outputs.contains(&file) || outputs.contains(&format!("{joined}/index.html")) {
            return LinkTarget::External;
        }
        let last = joined.rsplit('/').next().unwrap_or(&joined);
        let page_guess = format!("{}.md", strip_markdown_ext(last));
        let help = if self.tree.get(&page_guess).is_some() {
            format!("to link to a page, use its file name: `@/{page_guess}`")
        } else if last.contains('.') {
            "put images and other files in static/ and link them from the site's top, like `/images/photo.jpg`, or make the page a bundle (a folder with index.md and the file beside it)".to_string()
        } else {
            "link to pages with their file name, like `[FAQ](@/faq.md)`; they are checked and survive a change of address".to_string()
        };
        LinkTarget::Broken {
            message: format!(
                "link to a file that the site does not have: `{written}` (it points to /{joined})"
            ),
            help: Some(help),
        }
    }
}

impl LinkResolver for DocLinks<'_> {
    fn resolve(&self, target: &str) -> LinkTarget {
        let t = target.trim();
        if t.is_empty() || is_external(t) {
            return LinkTarget::External;
        }
        if let Some(anchor) = t.strip_prefix('#') {
            if anchor.is_empty() {
                return LinkTarget::External;
            }
            return LinkTarget::Internal {
                url: t.to_string(),
                page: self.relative.to_string(),
                anchor: Some(percent_decode(anchor)),
            };
        }
        let (path, anchor) = match t.split_once('#') {
            Some((p, a)) => (p, Some(a).filter(|a| !a.is_empty())),
            None => (t, None),
        };
        let path = path.split('?').next().unwrap_or(path);
        let anchor = anchor.map(percent_decode);
        if let Some(rest) = path.strip_prefix("@/") {
            return self.lookup(t, rest, anchor.as_deref());
        }
        if is_markdown_name(path) {
            // `x.md` and `../x.md` from the document's folder; `/x.md` from content/.
            let folder = if path.starts_with('/') {
                ""
            } else {
                parent_folder(self.relative)
            };
            return match join_relative(folder, path.trim_start_matches('/')) {
                Some(rel) => self.lookup(t, &rel, anchor.as_deref()),
                None => LinkTarget::Broken {
                    message: format!("link to a file outside content/: `{t}`"),
                    help: Some("link to pages under content/ with `@/path.md`".into()),
                },
            };
        }
        if path.is_empty() {
            return LinkTarget::External;
        }
        self.check_output(t, path)
    }

    fn image(&self, target: &str, alt: &str, title: &str, first: bool) -> ImageHtml {
        let Some(images) = self.images else {
            return ImageHtml::Keep;
        };
        let t = target.trim();
        if t.is_empty() || is_external(t) || t.starts_with('#') || t.starts_with("@/") {
            return ImageHtml::Keep;
        }
        let path = t.split(['?', '#']).next().unwrap_or(t);
        let Some((file, false)) = self.site_path(path) else {
            return ImageHtml::Keep;
        };
        let picture = images.picture(&file, alt, title, first);
        if picture.is_some() {
            self.used_images.set(true);
        }
        match picture {
            None => ImageHtml::Keep,
            Some(Ok(html)) => ImageHtml::Html(html),
            Some(Err(e)) => ImageHtml::Broken {
                message: e.message,
                help: e.help,
            },
        }
    }
}

/// Resolves a link written in `config.yaml` or a template (`@/faq.md`, `/faq/`, a full URL) to
/// an absolute URL. Returns `Err((message, help))` for `@/` links to nothing.
pub fn resolve_site_link(
    tree: &SiteTree,
    config: &Config,
    url: &str,
) -> std::result::Result<String, (String, Option<String>)> {
    if let Some(rest) = url.strip_prefix("@/") {
        let (path, anchor) = match rest.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (rest, None),
        };
        return match tree.get(path) {
            Some(item) => Ok(match anchor {
                Some(a) => format!("{}#{a}", tree.permalink(item)),
                None => tree.permalink(item).to_string(),
            }),
            None => Err((
                format!("link to a page that does not exist: `{url}`"),
                tree.missing_help(path),
            )),
        };
    }
    if is_external(url) {
        return Ok(url.to_string());
    }
    if url.starts_with('/') {
        return Ok(config.permalink(url));
    }
    Ok(config.permalink(&format!("/{url}")))
}

/// A menu entry with its URL resolved, as templates see it in `config.menu`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuLink {
    /// Text of the link.
    pub name: String,
    /// Absolute URL.
    pub url: String,
    /// Order (ascending).
    pub weight: Option<i64>,
}

/// Checks and resolves the menu links of `config.yaml`; broken `@/` links are errors pointing
/// at their line in `config.yaml`.
pub fn resolve_menu(
    tree: &SiteTree,
    config: &Config,
) -> std::result::Result<Vec<MenuLink>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for m in &config.menu {
        match resolve_site_link(tree, config, &m.url) {
            Ok(url) => out.push(MenuLink {
                name: m.name.clone(),
                url,
                weight: m.weight,
            }),
            Err((message, help)) => {
                let mut d = Diagnostic::error(format!("menu entry \"{}\": {message}", m.name))
                    .in_file("config.yaml");
                if let Some(span) = m.span {
                    d = d.at(span, &config.config_source);
                }
                if let Some(h) = help {
                    d = d.help(h);
                }
                errors.push(d);
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_file_names() {
        for (name, slug) in [
            ("How a Session Works", "how-a-session-works"),
            ("Über uns", "uber-uns"),
            ("1.0.0", "1-0-0"),
            ("FAQ", "faq"),
            ("My Notes", "my-notes"),
        ] {
            assert_eq!(slugify(name), slug, "{name}");
        }
    }

    #[test]
    fn outputs_for_paths() {
        assert_eq!(output_for_path("/"), "index.html");
        assert_eq!(output_for_path("/faq/"), "faq/index.html");
        assert_eq!(output_for_path("/a/b/"), "a/b/index.html");
        assert_eq!(output_for_path("/feed.xml"), "feed.xml");
        assert_eq!(normalize_path("book"), "/book/");
        assert_eq!(normalize_path("/a//b/"), "/a/b/");
    }

    #[test]
    fn names_in_words_and_first_heading() {
        assert_eq!(name_in_words("how-a-session-works"), "How a session works");
        assert_eq!(
            first_h1("intro\n\n# Real Title {#t}\n"),
            Some("Real Title".into())
        );
        assert_eq!(first_h1("```\n# not a title\n```\n## h2\n"), None);
    }

    #[test]
    fn relative_joins() {
        assert_eq!(
            join_relative("blog", "../faq.md").as_deref(),
            Some("faq.md")
        );
        assert_eq!(join_relative("", "./a/b.md").as_deref(), Some("a/b.md"));
        assert_eq!(join_relative("", "../x.md"), None);
        assert!(
            is_external("https://x.org") && is_external("mailto:a@b.c") && is_external("//cdn")
        );
        assert!(!is_external("faq.md") && !is_external("@/faq.md") && !is_external("../x.md#a:b"));
        assert_eq!(percent_decode("My%20Notes.md"), "My Notes.md");
    }
}
