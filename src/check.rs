//! `stillpoint check`: builds the site in memory (stages 1–7, nothing written) and reports what
//! a build accepts but a reader, a screen reader or a search engine would trip over.
//!
//! In: [`CheckOptions`]. Out: a [`CheckReport`] of [`Diagnostic`]s with file, line and column,
//! and the number of pages checked. The build's own errors and warnings (broken internal links
//! and anchors, missing images and files, missing titles, template errors) come first, exactly
//! as `build` reports them: this module does not check those again. Then, for every page and
//! section with a markdown file, it walks the body with pulldown-cmark's offset iterator (the
//! same options and the same offset-to-line mapping as the markdown stage) and the front matter:
//!
//! - images without alt text;
//! - skipped heading levels (the page title is the h1, so a page's first heading is `##`), and
//!   more than one h1 on the built page (a `#` heading in markdown is a second h1 whenever the
//!   template already shows the title as one, as the default theme does);
//! - vague link text ("click here", "here", "read more", "this link", …) and bare web
//!   addresses as link text;
//! - a title over [`MAX_TITLE`] characters, a missing description or one over
//!   [`MAX_DESCRIPTION`] characters, two pages with the same title;
//! - health pages (`extra.health: true`) without an `extra.reviewed` date, with a date that is
//!   not a date, in the future, or older than `check.review_months` in `config.yaml`;
//! - a page or section named like a file manager's duplicate of another one beside it
//!   (`prices copy.md` beside `prices.md`): see [`probable_copies`].
//!
//! With [`CheckOptions::publish`], also everything still to be filled in before the site is
//! published (placeholders, a placeholder `base_url`, the placeholder notice): see
//! [`crate::publish`].
//!
//! With [`CheckOptions::external`], every distinct `http(s)` link is requested once (see
//! [`external`]): those in markdown at their place there, and those that only the built pages
//! show (from templates, shortcodes or data files) at the place the address is written.
//!
//! This module never prints; the binary renders the report.

pub mod external;
pub mod orphans;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use pulldown_cmark::{Event, LinkType, Parser, Tag, TagEnd};

use crate::config::{self, Config};
use crate::content::{self, Document};
use crate::error::{Diagnostic, Span};
use crate::html::{attr_value, count_h1, fixed_paths, has_attribute, html_tags};
use crate::markdown::{self, Positions};
use crate::render::BuiltSite;
use crate::site::SiteTree;
use crate::{BuildOptions, Severity};

/// Titles longer than this many characters are cut off in search results (Google shows about
/// 50–60 characters).
pub const MAX_TITLE: usize = 60;

/// Descriptions longer than this many characters are cut off in search results (about 155–160).
pub const MAX_DESCRIPTION: usize = 160;

/// Link texts that say nothing about where a link goes (WCAG 2.2, 2.4.4 "Link Purpose"),
/// compared in lower case without surrounding punctuation.
pub const VAGUE_LINK_TEXTS: &[&str] = &[
    "click here",
    "click",
    "here",
    "read more",
    "more",
    "learn more",
    "this link",
    "link",
    "this",
    "this page",
    "go",
];

/// What `stillpoint check` checks and how.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The site and build options (`dry_run` is forced on: check never writes).
    pub build: BuildOptions,
    /// Also request external `http://` and `https://` links.
    pub external: bool,
    /// URL prefixes not to request, added to `check.skip_external` from `config.yaml`.
    pub skip_external: Vec<String>,
    /// Time allowed for each external request, connection included.
    pub timeout: Duration,
    /// External requests in flight at once.
    pub concurrency: usize,
    /// The date health-page reviews are measured against; `None` is today in the system's
    /// time zone (tests set it).
    pub today: Option<jiff::civil::Date>,
    /// Also report what is still to be filled in before publishing, as errors
    /// (`check --publish`, see [`crate::publish`]).
    pub publish: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            build: BuildOptions::default(),
            external: false,
            skip_external: Vec::new(),
            timeout: Duration::from_secs(10),
            concurrency: 8,
            today: None,
            publish: false,
        }
    }
}

/// What `check` found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Every problem, errors and warnings, in the order found (the renderer sorts errors first).
    pub diagnostics: Vec<Diagnostic>,
    /// Pages and sections with a markdown file that were checked.
    pub pages: usize,
    /// Remarks about the check itself (not about the site), e.g. links that were not requested.
    pub notes: Vec<String>,
}

impl CheckReport {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    /// The closing line: `2 errors, 5 warnings in 7 pages`.
    pub fn summary_line(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        format!(
            "{}, {} in {}",
            plural(self.errors(), "error", "errors"),
            plural(self.warnings(), "warning", "warnings"),
            plural(self.pages, "page", "pages")
        )
    }

    /// The exit code: 1 with errors, or with warnings when `strict`; else 0.
    pub fn exit_code(&self, strict: bool) -> u8 {
        u8::from(self.errors() > 0 || (strict && self.warnings() > 0))
    }
}

/// Runs `stillpoint check`. Never fails: the build's errors are part of the report.
pub fn check(options: &CheckOptions) -> CheckReport {
    let mut build = options.build.clone();
    build.dry_run = true;
    let mut report = CheckReport::default();
    let built = match crate::build_in_memory(&build) {
        Ok((_, built)) => {
            report.diagnostics.extend(built.warnings.iter().cloned());
            Some(built)
        }
        Err(e) => {
            report.diagnostics.extend(e.into_diagnostics());
            None
        }
    };
    // The site tree again, for the content checks: cheap next to rendering, and it keeps the
    // build's own functions untouched. When the build failed before the tree, its errors are
    // already in the report.
    let Ok((config, tree)) = assemble(&build) else {
        return report;
    };
    let today = options.today.unwrap_or_else(today);
    if let Some(built) = &built {
        report
            .diagnostics
            .extend(template_and_menu_checks(&config, built));
    }
    report
        .diagnostics
        .extend(orphans::orphan_templates(&config, &tree));
    let found = content_checks(&config, &tree, built.as_ref(), today);
    report.pages = found.pages;
    report.diagnostics.extend(found.diagnostics);
    if options.publish {
        let left = crate::publish::findings(&config, &tree);
        report.notes.push(match left.len() {
            0 => "ready to publish: nothing is left to fill in".to_string(),
            n => format!(
                "not ready to publish: {n} {} to fill in (listed above); until then the default theme asks search engines not to index the site",
                if n == 1 { "thing" } else { "things" }
            ),
        });
        report.diagnostics.extend(left);
    }
    if options.external {
        let mut skip = config.check.skip_external.clone();
        skip.extend(options.skip_external.iter().cloned());
        let settings = external::Settings {
            timeout: options.timeout,
            concurrency: options.concurrency,
            skip,
        };
        let mut links = found.external;
        if let Some(built) = &built {
            links.extend(output_external_links(&config, &tree, built, &links));
        }
        let (diags, notes) = external::check_links(&links, &settings);
        report.diagnostics.extend(diags);
        report.notes.extend(notes);
    }
    report
}

/// External links in the built pages that markdown does not write (shortcodes, templates,
/// data files): each distinct address once, located by searching for it in `data/`, the
/// templates, `config.yaml` and the content files, in that order; else named by the page that
/// shows it, without a line. Links to the site itself (`base_url`) are left out: it may not be
/// published yet.
pub fn output_external_links(
    config: &Config,
    tree: &SiteTree,
    built: &BuiltSite,
    known: &[ExternalLink],
) -> Vec<ExternalLink> {
    let mut seen: std::collections::HashSet<String> = known.iter().map(|l| l.url.clone()).collect();
    let output_to_source: HashMap<&str, &Path> = tree
        .pages
        .iter()
        .map(|p| (p.output.as_str(), p.doc.shown.as_path()))
        .chain(tree.sections.iter().filter_map(|s| {
            s.doc
                .as_ref()
                .map(|d| (s.output.as_str(), d.shown.as_path()))
        }))
        .collect();
    let mut found: Vec<(String, &Path)> = Vec::new();
    for (output, bytes) in &built.files {
        if !output.ends_with(".html") {
            continue;
        }
        let Ok(html) = std::str::from_utf8(bytes) else {
            continue;
        };
        for (_, url) in fixed_paths(html) {
            let url = url.replace("&amp;", "&");
            if is_http(&url)
                && !url.starts_with(config.base_url.as_str())
                && seen.insert(url.clone())
            {
                let page = output_to_source
                    .get(output.as_str())
                    .copied()
                    .unwrap_or(Path::new("the built site"));
                found.push((url, page));
            }
        }
    }
    if found.is_empty() {
        return Vec::new();
    }
    // The files an address may be written in, read once.
    let mut sources: Vec<(std::path::PathBuf, String)> = Vec::new();
    let mut dirs = vec![(config.root.join("data"), std::path::PathBuf::from("data"))];
    dirs.push((config.root.join("templates"), "templates".into()));
    if let (Some(dir), Some(name)) = (&config.theme_dir, &config.theme) {
        dirs.push((
            dir.join("templates"),
            Path::new("themes").join(name).join("templates"),
        ));
    }
    for (dir, shown) in dirs {
        for (abs, rel) in content::walk(&dir, &shown, false).unwrap_or_default() {
            if let Ok(text) = std::fs::read_to_string(&abs) {
                sources.push((shown.join(rel), text));
            }
        }
    }
    sources.push(("config.yaml".into(), config.config_source.clone()));
    for d in tree
        .pages
        .iter()
        .map(|p| &p.doc)
        .chain(tree.sections.iter().filter_map(|s| s.doc.as_ref()))
    {
        sources.push((d.shown.clone(), d.source.clone()));
    }
    found
        .into_iter()
        .map(|(url, page)| {
            let written = sources
                .iter()
                .find_map(|(file, text)| text.find(&url).map(|i| (file, text, i)));
            match written {
                Some((file, text, i)) => {
                    let span = span_at(text, i, url.len());
                    ExternalLink {
                        line_text: line_of(text, span.line),
                        url,
                        file: file.clone(),
                        span: Some(span),
                    }
                }
                None => ExternalLink {
                    url,
                    file: page.to_path_buf(),
                    span: None,
                    line_text: None,
                },
            }
        })
        .collect()
}

/// Checks of what markdown does not write: in the templates the site uses (its own
/// `templates/`, then the theme's files it does not override), `<img>` tags without an `alt`
/// attribute, and `src`/`href` values written as fixed paths into the site (`/logo.png`) that
/// the build does not produce; in `config.yaml`, menu entries given as paths (`/faq/`) that
/// the build does not produce. `@/` links and `get_url` are already checked by the build.
pub fn template_and_menu_checks(config: &Config, built: &BuiltSite) -> Vec<Diagnostic> {
    let outputs: std::collections::HashSet<&str> = built
        .files
        .iter()
        .map(|(p, _)| p.as_str())
        .chain(built.copies.iter().map(|c| c.to.as_str()))
        .collect();
    let exists = |path: &str| {
        let Some(rel) = path
            .strip_prefix(config.base_path.as_str())
            .and_then(|p| p.strip_prefix('/'))
        else {
            return false;
        };
        let rel = rel.split(['?', '#']).next().unwrap_or_default();
        let rel = percent_encoding::percent_decode_str(rel).decode_utf8_lossy();
        let rel = rel.trim_end_matches('/');
        rel.is_empty()
            || outputs.contains(rel)
            || outputs.contains(format!("{rel}/index.html").as_str())
    };
    let mut out = Vec::new();
    for item in &config.menu {
        let url = item.url.as_str();
        if url.starts_with("@/") || crate::site::is_external(url) || url.starts_with('#') {
            continue;
        }
        let path = if url.starts_with('/') {
            format!("{}{url}", config.base_path)
        } else {
            format!("{}/{url}", config.base_path)
        };
        if !exists(&path) {
            let mut d = Diagnostic::error(format!(
                "the menu entry \"{}\" links to {url}, which the site does not have",
                item.name
            ))
            .in_file("config.yaml")
            .label("no such page or file")
            .help("link pages with `@/` and their file name, like `url: \"@/faq.md\"`, so the link follows the page and is checked");
            if let Some(span) = item.span {
                d = d.at(span, &config.config_source);
            }
            out.push(d);
        }
    }
    let mut templates: Vec<(std::path::PathBuf, String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut dirs = vec![(
        config.root.join("templates"),
        std::path::PathBuf::from("templates"),
    )];
    if let (Some(dir), Some(name)) = (&config.theme_dir, &config.theme) {
        dirs.push((
            dir.join("templates"),
            Path::new("themes").join(name).join("templates"),
        ));
    }
    for (dir, shown) in dirs {
        for (abs, rel) in content::walk(&dir, &shown, false).unwrap_or_default() {
            if rel.ends_with(".html")
                && seen.insert(rel.clone())
                && let Ok(text) = std::fs::read_to_string(&abs)
            {
                templates.push((shown.join(&rel), rel, text));
            }
        }
    }
    for (shown, _, text) in &templates {
        for tag in html_tags(text, "img") {
            let span = span_at(text, tag.start, tag.text.len());
            if !has_attribute(tag.text, "alt") {
                out.push(
                    Diagnostic::warning("an <img> in a template has no alt attribute")
                        .in_file(shown)
                        .at(span, text)
                        .label("no alt attribute")
                        .help("add alt=\"…\" describing the image, or alt=\"\" if it is only decoration"),
                );
            }
        }
        for (start, value) in fixed_paths(text) {
            let path = if value.starts_with('/') && !value.starts_with("//") {
                value.to_string()
            } else {
                continue;
            };
            if !exists(&format!("{}{path}", config.base_path)) && !exists(&path) {
                out.push(
                    Diagnostic::error(format!(
                        "a template links to {value}, which the site does not have"
                    ))
                    .in_file(shown)
                    .at(span_at(text, start, value.len()), text)
                    .label("no such page or file")
                    .help("put the file in static/ (it is then published at the same path), or use get_url(path=\"…\") so the link is checked and follows base_url"),
                );
            }
        }
    }
    out
}

/// The file position of byte `offset` in `text`, `len` bytes long (the line's characters).
fn span_at(text: &str, offset: usize, len: usize) -> Span {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    let shown = text[offset.min(text.len())..]
        .chars()
        .take(len)
        .take_while(|&c| c != '\n' && c != '\r')
        .count();
    Span::new(line, col, shown.max(1))
}

/// Today's date in the system's time zone.
fn today() -> jiff::civil::Date {
    jiff::ZonedDateTime::now().date()
}

fn assemble(options: &BuildOptions) -> crate::Result<(Config, SiteTree)> {
    let config = Config::load(&options.root, &options.overrides)?;
    let files = content::discover(&config)?;
    let docs = content::parse(&files)?;
    let tree = SiteTree::assemble(docs, &files, &config)?;
    Ok((config, tree))
}

/// An external link found in markdown: the URL as written and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalLink {
    /// The `http://` or `https://` URL, as written.
    pub url: String,
    /// The file, as shown in messages (`content/faq.md`).
    pub file: std::path::PathBuf,
    /// Where the link is, when it could be found in a source file.
    pub span: Option<Span>,
    /// The text of that line.
    pub line_text: Option<String>,
}

/// What [`content_checks`] found.
#[derive(Debug, Default)]
pub struct ContentFindings {
    /// Warnings, in page order.
    pub diagnostics: Vec<Diagnostic>,
    /// Every external link, in page order.
    pub external: Vec<ExternalLink>,
    /// Pages and sections checked.
    pub pages: usize,
}

/// The content checks of every page and section with a markdown file (see the module docs).
/// `built` is the site built in memory, when the build succeeded (for counting h1 headings in
/// the output); `today` is the date health reviews are measured against.
pub fn content_checks(
    config: &Config,
    tree: &SiteTree,
    built: Option<&BuiltSite>,
    today: jiff::civil::Date,
) -> ContentFindings {
    let outputs: HashMap<&str, &[u8]> = built
        .map(|b| {
            b.files
                .iter()
                .map(|(p, bytes)| (p.as_str(), bytes.as_slice()))
                .collect()
        })
        .unwrap_or_default();
    let mut docs: Vec<(&Document, &str, &str)> = Vec::new();
    for p in &tree.pages {
        docs.push((&p.doc, p.title.as_str(), p.output.as_str()));
    }
    for s in &tree.sections {
        if let Some(d) = &s.doc {
            docs.push((d, s.title.as_str(), s.output.as_str()));
        }
    }
    // In file order, so "the first page with this title" is the first file.
    docs.sort_by(|a, b| a.0.shown.cmp(&b.0.shown));
    let mut out = ContentFindings {
        pages: docs.len(),
        ..Default::default()
    };
    let mut titles: HashMap<String, &Path> = HashMap::new();
    for (doc, title, output) in docs {
        let h1_in_output = outputs.get(output).map(|html| count_h1(html));
        check_body(doc, h1_in_output, &mut out);
        check_front_matter(doc, title, &mut titles, &mut out.diagnostics);
        check_health(doc, config.check.review_months, today, &mut out.diagnostics);
    }
    out.diagnostics.extend(probable_copies(tree));
    out
}

/// A link or image being read: its start, destination and the text inside it so far.
struct Open {
    /// An `<a>` written as raw HTML (its address is collected with the raw HTML).
    raw: bool,
    image: bool,
    range: std::ops::Range<usize>,
    dest: String,
    autolink: bool,
    text: String,
}

fn check_body(doc: &Document, h1_in_output: Option<usize>, out: &mut ContentFindings) {
    let body = doc.body();
    let mut positions = Positions::new(body, doc.body_line);
    let mut span = |r: std::ops::Range<usize>| {
        let s = positions.span(r);
        Span::new(s.line, s.col, s.len)
    };
    let warn = |msg: String, span: Span| {
        Diagnostic::warning(msg)
            .in_file(&doc.shown)
            .at(span, &doc.source)
    };
    // The page title is the h1 (design.md: themes show `page.title` as the main heading).
    let mut previous_level = 1u8;
    let mut markdown_h1: Vec<Span> = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    let mut done: Vec<Open> = Vec::new();
    for (event, range) in Parser::new_ext(body, markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let level = crate::markdown::heading_level(level);
                let at = span(range.clone());
                if level == 1 {
                    markdown_h1.push(at);
                } else if level > previous_level + 1 {
                    out.diagnostics.push(
                        warn(
                            format!(
                                "heading level skipped: an h{level} follows an h{previous_level}"
                            ),
                            at,
                        )
                        .label(format!("h{level}"))
                        .help(format!(
                            "use `{}` for this heading (the page title is the h1, so the first heading of a page is `##`); screen-reader users move through a page by heading levels",
                            "#".repeat(usize::from(previous_level) + 1)
                        )),
                    );
                }
                previous_level = level;
            }
            Event::Start(Tag::Image { dest_url, .. }) => open.push(Open {
                raw: false,
                image: true,
                range: range.clone(),
                dest: dest_url.to_string(),
                autolink: false,
                text: String::new(),
            }),
            Event::Start(Tag::Link {
                dest_url,
                link_type,
                ..
            }) => open.push(Open {
                raw: false,
                image: false,
                range: range.clone(),
                dest: dest_url.to_string(),
                autolink: link_type == LinkType::Autolink,
                text: String::new(),
            }),
            Event::Html(html) | Event::InlineHtml(html) => {
                // Raw HTML in markdown, as in reference lists: its addresses, its <img> tags
                // and its <a> link texts are checked like markdown's.
                let source = body.get(range.clone()).unwrap_or_default();
                let at_text =
                    |needle: &str| source.find(needle).map_or(range.start, |i| range.start + i);
                for (_, url) in fixed_paths(&html) {
                    if is_http(url) {
                        let start = at_text(url);
                        let at = span(start..start + url.len());
                        out.external.push(ExternalLink {
                            url: url.to_string(),
                            file: doc.shown.clone(),
                            span: Some(at),
                            line_text: line_of(&doc.source, at.line),
                        });
                    }
                }
                for tag in html_tags(&html, "img") {
                    if !has_attribute(tag.text, "alt") {
                        let start = at_text(tag.text);
                        out.diagnostics.push(
                            warn(
                                format!(
                                    "an image has no alt text: `{}`",
                                    attr_value(tag.text, "src").unwrap_or_default()
                                ),
                                span(start..start + tag.text.len()),
                            )
                            .label("no alt attribute")
                            .help("add alt=\"…\" describing what the image shows, or alt=\"\" if it is only decoration"),
                        );
                    }
                }
                let lower = html.to_ascii_lowercase();
                for tag in html_tags(&html, "a") {
                    let start = at_text(tag.text);
                    let after = tag.start + tag.text.len();
                    let dest = attr_value(tag.text, "href").unwrap_or_default().to_string();
                    let mut o = Open {
                        raw: true,
                        image: false,
                        range: start..start + tag.text.len(),
                        dest,
                        autolink: false,
                        text: String::new(),
                    };
                    match lower.get(after..).and_then(|r| r.find("</a")) {
                        Some(end) => {
                            o.text = link_text(&html[after..after + end]);
                            done.push(o);
                        }
                        None => open.push(o),
                    }
                }
                if lower.contains("</a")
                    && !lower.contains("<a")
                    && open.last().is_some_and(|o| o.raw)
                    && let Some(o) = open.pop()
                {
                    done.push(o);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                for o in &mut open {
                    o.text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                for o in &mut open {
                    o.text.push(' ');
                }
            }
            Event::End(TagEnd::Image) | Event::End(TagEnd::Link) => {
                if let Some(o) = open.pop() {
                    done.push(o);
                }
            }
            _ => {}
        }
        for o in done.drain(..) {
            let at = span(o.range.clone());
            let text = o.text.trim();
            if is_http(&o.dest) && !o.raw {
                out.external.push(ExternalLink {
                    url: o.dest.clone(),
                    file: doc.shown.clone(),
                    span: Some(at),
                    line_text: line_of(&doc.source, at.line),
                });
            }
            if o.image {
                if text.is_empty() {
                    out.diagnostics.push(
                        warn(format!("an image has no alt text: `{}`", o.dest), at)
                            .label("no alt text")
                            .help("describe what the image shows between the brackets, like `![The treatment room, with a padded table](room.jpg)`; people who cannot see it hear this text instead"),
                    );
                }
            } else if let Some(d) = link_text_problem(text, &o.dest, o.autolink) {
                out.diagnostics.push(warn(d.0, at).label(d.1).help(d.2));
            }
        }
    }
    // More than one h1 on the built page. Without the built page (the build failed), assume
    // the template shows the title as the h1, as the default theme does.
    let h1_total = h1_in_output.unwrap_or(markdown_h1.len() + 1);
    if h1_total > 1 {
        if markdown_h1.is_empty() {
            out.diagnostics.push(
                Diagnostic::warning(format!(
                    "{} has {h1_total} main headings (h1) once built; a page should have one",
                    doc.shown.display()
                ))
                .in_file(&doc.shown)
                .help("the extra h1 headings come from the template: change the template to use one <h1>, for the page title"),
            );
        } else {
            for at in markdown_h1 {
                out.diagnostics.push(
                    warn(
                        "a second main heading (h1): the page title is already the page's h1".into(),
                        at,
                    )
                    .label("h1")
                    .help("use `##` for headings inside a page; the title comes from `title:` in the front matter"),
                );
            }
        }
    }
}

/// The words of a raw HTML link's content: its text without tags, whitespace collapsed, and
/// without a `>` outside a tag (which this check has always left out).
fn link_text(inner: &str) -> String {
    crate::html::strip_tags(inner, None)
        .replace('>', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// (message, label, help) for link text that does not say where a link goes.
fn link_text_problem(text: &str, dest: &str, autolink: bool) -> Option<(String, String, String)> {
    if dest.starts_with("mailto:") || dest.starts_with("tel:") {
        return None;
    }
    let lower = text.to_lowercase();
    if autolink
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("www.")
    {
        return Some((
            format!("a web address is used as link text: `{text}`"),
            "bare web address".into(),
            "write words that say where the link goes, like `[the 2020 review by Haller](https://…)`; screen readers read addresses out letter by letter".into(),
        ));
    }
    let core = lower.trim_matches(|c: char| !c.is_alphanumeric());
    if VAGUE_LINK_TEXTS.contains(&core) {
        return Some((
            format!("link text that does not say where it goes: \"{text}\""),
            "vague link text".into(),
            "make the link text say where it goes, like `see [how a session works](@/how-a-session-works.md)`; many people scan a page's links on their own".into(),
        ));
    }
    None
}

fn is_http(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

fn line_of(source: &str, line: usize) -> Option<String> {
    source
        .split('\n')
        .nth(line.saturating_sub(1))
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
}

/// Where the front matter starts, for problems about a field that is not there: the opening
/// `---` (line 1), or nothing when the file has no front matter.
fn fence_span(doc: &Document) -> Option<Span> {
    (doc.body_line > 1).then(|| Span::new(1, 1, 3))
}

fn at_field(d: Diagnostic, doc: &Document, field: &str) -> Diagnostic {
    match crate::yaml::key_value_span(front_matter_text(doc), field) {
        Some(span) => d.at(span, &doc.source),
        None => match fence_span(doc) {
            Some(span) => d.at(span, &doc.source),
            None => d,
        },
    }
}

/// The source up to the end of the front matter (so a body line like `title: x` is not taken
/// for the field).
fn front_matter_text(doc: &Document) -> &str {
    doc.source.get(..doc.body_start).unwrap_or_default()
}

fn check_front_matter<'a>(
    doc: &'a Document,
    title: &str,
    titles: &mut HashMap<String, &'a Path>,
    out: &mut Vec<Diagnostic>,
) {
    let n = title.chars().count();
    if doc.front.title.is_some() && n > MAX_TITLE {
        out.push(
            at_field(
                Diagnostic::warning(format!(
                    "the title is {n} characters long; search engines show about {MAX_TITLE}"
                )),
                doc,
                "title",
            )
            .in_file(&doc.shown)
            .label(format!("{n} characters"))
            .help(format!("shorten the title to {MAX_TITLE} characters or fewer; put the rest in `description:`")),
        );
    }
    let key = title.trim().to_lowercase();
    if !key.is_empty() {
        match titles.get(&key) {
            Some(first) => out.push(
                at_field(
                    Diagnostic::warning(format!(
                        "two pages have the title \"{title}\": this one and {}",
                        first.display()
                    )),
                    doc,
                    "title",
                )
                .in_file(&doc.shown)
                .label("same title as another page")
                .help("give each page its own title, so search results and browser tabs tell them apart"),
            ),
            None => {
                titles.insert(key, &doc.shown);
            }
        }
    }
    match &doc.front.description {
        None => out.push(
            at_field(
                Diagnostic::warning(format!("{} has no description", doc.shown.display())),
                doc,
                "description",
            )
            .in_file(&doc.shown)
            .help("add a line like `description: \"One or two sentences about this page.\"` to the front matter; search engines show it under the title"),
        ),
        Some(d) if d.trim().is_empty() => out.push(
            at_field(Diagnostic::warning("the description is empty"), doc, "description")
                .in_file(&doc.shown)
                .help("write one or two sentences about this page; search engines show them under the title"),
        ),
        Some(d) => {
            let n = d.chars().count();
            if n > MAX_DESCRIPTION {
                out.push(
                    at_field(
                        Diagnostic::warning(format!(
                            "the description is {n} characters long; search engines show about {MAX_DESCRIPTION}"
                        )),
                        doc,
                        "description",
                    )
                    .in_file(&doc.shown)
                    .label(format!("{n} characters"))
                    .help(format!("shorten the description to {MAX_DESCRIPTION} characters or fewer")),
                );
            }
        }
    }
}

/// Warnings for pages and sections whose name is what a file manager or a download gives a
/// duplicate ([`content::copy_of`]: `prices copy.md`, `prices (1).md`, `prices - Copy.md`,
/// `Copy of prices.md`; for a page bundle or a section, its folder: `studio copy/index.md`)
/// when the original is beside it (`prices.md`, or a bundle or section named `prices`). Such a
/// copy builds, as its own page at its own address, so only `check` names it.
pub fn probable_copies(tree: &SiteTree) -> Vec<Diagnostic> {
    let split = |relative: &str| -> (String, String) {
        let (folder, file) = relative.rsplit_once('/').unwrap_or(("", relative));
        (folder.to_string(), file.to_string())
    };
    // (folder, name, shown path, URL path) of every page and section: a page's name is its file
    // name without the extension; a bundle's or section's, its folder's name.
    let mut named: Vec<(String, String, &Path, &str)> = Vec::new();
    for p in &tree.pages {
        let (folder, file) = split(&p.doc.relative);
        named.push(if p.doc.is_bundle() {
            let (parent, name) = split(&folder);
            (parent, name, p.doc.shown.as_path(), p.path.as_str())
        } else {
            let stem = content::strip_markdown_ext(&file).to_string();
            (folder, stem, p.doc.shown.as_path(), p.path.as_str())
        });
    }
    for s in &tree.sections {
        if let Some(d) = &s.doc
            && d.relative != "_index.md"
        {
            let (folder, _) = split(&d.relative);
            let (parent, name) = split(&folder);
            named.push((parent, name, d.shown.as_path(), s.path.as_str()));
        }
    }
    let mut out = Vec::new();
    for (folder, name, shown, path) in &named {
        let Some(original) = content::copy_of(name) else {
            continue;
        };
        let Some(&(_, _, original_shown, _)) = named
            .iter()
            .find(|(f, n, _, _)| f == folder && n.eq_ignore_ascii_case(original))
        else {
            continue;
        };
        out.push(
            Diagnostic::warning(format!(
                "{} looks like an accidental copy of {} (its name is the one a file manager gives a duplicate); it is published as a page of its own at {path}",
                shown.display(),
                original_shown.display()
            ))
            .in_file(shown)
            .help("delete it if it is a copy; if it is meant to be a page of its own, give it a name of its own (the page's address comes from it)"),
        );
    }
    out
}

/// Whether a page is health information: `extra.health: true` in its front matter.
pub fn is_health_page(doc: &Document) -> bool {
    doc.front
        .extra
        .as_ref()
        .and_then(|e| e.get("health"))
        .and_then(serde_json::Value::as_bool)
        == Some(true)
}

/// The health-page review check: `extra.reviewed` must be a date, not in the future, and no
/// older than `months` before `today`.
pub fn check_health(
    doc: &Document,
    months: u32,
    today: jiff::civil::Date,
    out: &mut Vec<Diagnostic>,
) {
    if !is_health_page(doc) {
        return;
    }
    let fm = front_matter_text(doc);
    let at = |d: Diagnostic, key: &str| {
        let d = d.in_file(&doc.shown);
        match config::nested_value_span(fm, "extra", key).or_else(|| fence_span(doc)) {
            Some(span) => d.at(span, &doc.source),
            None => d,
        }
    };
    let reviewed = doc.front.extra.as_ref().and_then(|e| e.get("reviewed"));
    let Some(reviewed) = reviewed else {
        out.push(
            at(
                Diagnostic::warning(format!(
                    "{} is a health page without a review date",
                    doc.shown.display()
                )),
                "health",
            )
            .label("health information")
            .help(format!(
                "after checking that the page is still accurate, add `reviewed: {today}` under `extra:`; the page shows it as \"Reviewed on\""
            )),
        );
        return;
    };
    let text = match reviewed {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let date = match content::front_matter::DateValue::parse(&text) {
        Some(content::front_matter::DateValue::Date(d)) => Some(d),
        Some(content::front_matter::DateValue::DateTime(dt)) => Some(dt.date()),
        Some(content::front_matter::DateValue::Offset(ts, off)) => {
            Some(ts.to_zoned_datetime(jiff::tz::TimeZone::fixed(off)).date())
        }
        None => None,
    };
    let Some(date) = date else {
        out.push(
            at(
                Diagnostic::warning(format!("`reviewed: {text}` is not a date")),
                "reviewed",
            )
            .label("expected a date like 2026-11-29")
            .help(
                "write the date of the last review as year-month-day, like `reviewed: 2026-11-29`",
            ),
        );
        return;
    };
    if date > today {
        out.push(
            at(
                Diagnostic::warning(format!(
                    "the review date {date} is in the future (today is {today})"
                )),
                "reviewed",
            )
            .label("in the future")
            .help("write the date the page was actually reviewed"),
        );
        return;
    }
    let due = date.checked_add(jiff::Span::new().months(i64::from(months)));
    if due.is_ok_and(|due| due < today) {
        out.push(
            at(
                Diagnostic::warning(format!(
                    "health information last reviewed on {date}, more than {months} months ago"
                )),
                "reviewed",
            )
            .label("due for review")
            .help(format!(
                "check that the page is still accurate (the research, the advice, the links), then set `reviewed: {today}`; `check.review_months` in config.yaml sets how often"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::SourceKind;

    fn doc(source: &str) -> Document {
        let (front, body_start, body_line) =
            crate::content::front_matter::parse(source, Path::new("content/p.md")).unwrap();
        Document {
            relative: "p.md".into(),
            shown: "content/p.md".into(),
            kind: SourceKind::Page,
            source: source.into(),
            front,
            body_start,
            body_line,
            warnings: Vec::new(),
        }
    }

    fn health(reviewed: &str, months: u32, today: jiff::civil::Date) -> Vec<String> {
        let d = doc(&format!(
            "---\ntitle: T\nextra:\n  health: true\n  reviewed: {reviewed}\n---\nText.\n"
        ));
        let mut out = Vec::new();
        check_health(&d, months, today, &mut out);
        out.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn review_is_due_the_day_after_the_months_have_passed() {
        let today = jiff::civil::date(2026, 11, 29);
        assert!(health("2025-11-29", 12, today).is_empty());
        assert_eq!(
            health("2025-11-28", 12, today),
            ["health information last reviewed on 2025-11-28, more than 12 months ago"]
        );
        assert!(health("2026-05-29", 6, today).is_empty());
        assert_eq!(health("2026-05-28", 6, today).len(), 1);
        // A date-time counts by its date; today itself is not the future.
        assert!(health("2026-11-29T08:00:00-07:00", 12, today).is_empty());
        assert_eq!(
            health("2026-11-30", 12, today),
            ["the review date 2026-11-30 is in the future (today is 2026-11-29)"]
        );
    }

    #[test]
    fn only_health_true_makes_a_health_page() {
        assert!(is_health_page(&doc("---\nextra:\n  health: true\n---\n")));
        assert!(!is_health_page(&doc("---\nextra:\n  health: false\n---\n")));
        assert!(!is_health_page(&doc(
            "---\nextra:\n  health: \"yes\"\n---\n"
        )));
        assert!(!is_health_page(&doc("---\ntitle: x\n---\n")));
    }

    #[test]
    fn vague_and_bare_link_texts() {
        let vague = |t: &str| link_text_problem(t, "@/x.md", false).map(|p| p.1);
        assert_eq!(vague("Click here!").as_deref(), Some("vague link text"));
        assert_eq!(vague("here").as_deref(), Some("vague link text"));
        assert_eq!(vague("Read more…").as_deref(), Some("vague link text"));
        assert_eq!(vague("this link").as_deref(), Some("vague link text"));
        assert_eq!(
            vague("www.example.org").as_deref(),
            Some("bare web address")
        );
        assert_eq!(vague("read more about the 2020 review"), None);
        assert_eq!(vague("where we are"), None);
        assert_eq!(link_text_problem("a@b.c", "mailto:a@b.c", true), None);
        assert!(link_text_problem("https://x.org", "https://x.org", true).is_some());
    }

    fn body_findings(body: &str) -> (Vec<(usize, usize, String)>, Vec<String>) {
        let d = doc(&format!("---\ntitle: T\ndescription: D.\n---\n{body}"));
        let mut out = ContentFindings::default();
        check_body(&d, Some(1), &mut out);
        (
            out.diagnostics
                .iter()
                .map(|d| {
                    let s = d.span.unwrap();
                    (s.line, s.col, d.message.clone())
                })
                .collect(),
            out.external.iter().map(|l| l.url.clone()).collect(),
        )
    }

    #[test]
    fn raw_html_links_and_images_are_checked_like_markdown() {
        let (diags, external) = body_findings(
            "Inline <a href=\"https://x.org/a\">click here</a> and\n\n<p><a href='https://x.org/b'>read <em>more</em></a> <img src=\"/i.png\"></p>\n\n[fine](https://x.org/c#part) <a href=\"/ok/\">our prices</a>\n",
        );
        assert_eq!(
            diags,
            [
                (
                    5,
                    8,
                    "link text that does not say where it goes: \"click here\"".to_string()
                ),
                (7, 53, "an image has no alt text: `/i.png`".to_string()),
                (
                    7,
                    4,
                    "link text that does not say where it goes: \"read more\"".to_string()
                ),
            ]
        );
        assert_eq!(
            external,
            ["https://x.org/a", "https://x.org/b", "https://x.org/c#part"]
        );
    }

    #[test]
    fn headings_are_measured_from_the_title() {
        let (diags, _) = body_findings("### Too deep\n\n## Fine\n\n### Fine\n\n##### Skips\n");
        let lines: Vec<(usize, &str)> = diags.iter().map(|d| (d.0, d.2.as_str())).collect();
        assert_eq!(
            lines,
            [
                (5, "heading level skipped: an h3 follows an h1"),
                (11, "heading level skipped: an h5 follows an h3")
            ]
        );
    }

    #[test]
    fn template_tags_are_located() {
        let t = "{# <img src=x> #}\n<img src=\"{{ get_url(path='a.png') }}\" alt=\"\">\n<IMG src=/b.png>";
        let tags = html_tags(t, "img");
        assert_eq!(
            span_at(t, tags[1].start, tags[1].text.len()),
            Span::new(3, 1, 16)
        );
    }

    #[test]
    fn raw_link_text_drops_tags_and_stray_closing_brackets() {
        assert_eq!(link_text(" read <em>more</em>\n now > "), "read more now");
    }
}
