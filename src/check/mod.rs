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
//! - a translation older than its source (`translations.rs`), and a line per language: how
//!   many pages are translated, which menu pages are not;
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
//! The checks sit one kind to a file: `content.rs` (a page's markdown body), `front_matter.rs`
//! (title and description), `health.rs` (review dates), `copies.rs` (duplicate file names),
//! `templates.rs` (templates and the menu), [`orphans`] and [`external`]. All of them read the
//! config, site tree and built site of the one build `check` runs; only when that build fails
//! is the site read again up to the tree, so the content checks still run.
//!
//! This module never prints; the binary renders the report.

pub mod external;
pub mod orphans;

mod content;
mod copies;
mod front_matter;
mod health;
mod templates;
mod translations;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::Config;
use crate::content::Document;
use crate::error::{Diagnostic, Span};
use crate::html::count_h1;
use crate::render::BuiltSite;
use crate::site::SiteTree;
use crate::{BuildOptions, Severity};

pub use content::VAGUE_LINK_TEXTS;
pub use copies::probable_copies;
pub use external::output_external_links;
pub use front_matter::{MAX_DESCRIPTION, MAX_TITLE};
pub use health::{check_health, is_health_page};
pub use templates::template_and_menu_checks;
pub use translations::translation_checks;

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

/// The note for a `base_url` that is a placeholder address (`check --publish` makes it an
/// error): the pages work anywhere (`urls:`), but what must be absolute names it. A note, not a
/// warning: a new site and the studio site pass `check --strict` before their address is known.
fn placeholder_base_url(config: &Config) -> Option<String> {
    crate::publish::placeholder_address(&config.base_url)?;
    Some(format!(
        "`base_url` in config.yaml is a placeholder address ({}): the pages' own links work at any address, but canonical links, the sitemap, feeds and shared links will name it until it is the published address",
        config.base_url
    ))
}

/// Runs `stillpoint check`. Never fails: the build's errors are part of the report.
pub fn check(options: &CheckOptions) -> CheckReport {
    let mut report = CheckReport::default();
    let Some((config, tree, built)) = build(options, &mut report.diagnostics) else {
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
    let (stale, languages) = translation_checks(&config, &tree);
    report.diagnostics.extend(stale);
    report.notes.extend(languages);
    if !options.publish {
        report.notes.extend(placeholder_base_url(&config));
    }
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
        let mut links = found.external;
        if let Some(built) = &built {
            let (more, problems) = output_external_links(&config, &tree, built, &links);
            links.extend(more);
            report.diagnostics.extend(problems);
        }
        let (diags, notes) = external::check_links(&links, &settings(options, &config));
        report.diagnostics.extend(diags);
        report.notes.extend(notes);
    }
    report
}

/// Builds the site in memory, adding the build's warnings, or its errors, to `diagnostics`.
/// Returns the config, the site tree and the built site; without the built site when the build
/// failed after the tree; `None` when it failed before (its errors say why).
fn build(
    options: &CheckOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(Config, SiteTree, Option<BuiltSite>)> {
    let mut build = options.build.clone();
    build.dry_run = true;
    match crate::build_retained(&build, false) {
        Ok(crate::RetainedBuild {
            config, tree, site, ..
        }) => {
            diagnostics.extend(site.warnings.iter().cloned());
            Some((config, tree, Some(site)))
        }
        Err(e) => {
            diagnostics.extend(e.into_diagnostics());
            // A failed build returns no tree, but the content checks still run on a site that
            // can be read that far (a broken link does not hide a missing description): stages
            // 1-4 again, only on this path.
            let (config, tree) = tree_of_failed_build(&build).ok()?;
            Some((config, tree, None))
        }
    }
}

/// Stages 1-4 (config, discover, parse, assemble), for a build that failed later.
fn tree_of_failed_build(options: &BuildOptions) -> crate::Result<(Config, SiteTree)> {
    let config = Config::load(&options.root, &options.overrides)?;
    let files = crate::content::discover(&config)?;
    let docs = crate::content::parse(&files)?;
    let tree = SiteTree::assemble(docs, &files, &config)?;
    Ok((config, tree))
}

/// How to request external links: `check.skip_external` from `config.yaml` and the command's.
fn settings(options: &CheckOptions, config: &Config) -> external::Settings {
    let mut skip = config.check.skip_external.clone();
    skip.extend(options.skip_external.iter().cloned());
    external::Settings {
        timeout: options.timeout,
        concurrency: options.concurrency,
        skip,
    }
}

/// The folders templates are read from, as (folder, folder as shown in messages): the site's
/// `templates/`, then the theme's.
fn template_dirs(config: &Config) -> Vec<(PathBuf, PathBuf)> {
    let mut dirs = vec![(config.root.join("templates"), PathBuf::from("templates"))];
    if let (Some(dir), Some(name)) = (&config.theme_dir, &config.theme) {
        dirs.push((
            dir.join("templates"),
            Path::new("themes").join(name).join("templates"),
        ));
    }
    dirs
}

/// The text files under `dir` (`shown` in messages) whose path relative to `dir` `keep`
/// accepts, in path order, as (shown path, relative path, text). A folder or file that cannot
/// be read adds a warning naming it to `problems` (the check then goes on without it); a file
/// that is not UTF-8 text is left out without one (no address or tag is looked for in it).
fn read_texts(
    dir: &Path,
    shown: &Path,
    mut keep: impl FnMut(&str) -> bool,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, String, String)> {
    let files = crate::content::walk(dir, shown, false).unwrap_or_else(|e| {
        problems.extend(as_warnings(e));
        Vec::new()
    });
    let mut out = Vec::new();
    for (abs, rel) in files {
        if !keep(&rel) {
            continue;
        }
        match crate::fs::read(&abs) {
            Ok(bytes) => {
                if let Ok(text) = String::from_utf8(bytes) {
                    out.push((shown.join(&rel), rel, text));
                }
            }
            Err(e) => problems.extend(as_warnings(e)),
        }
    }
    out
}

/// An error met while checking, as warnings: the site may be fine, but the check could not
/// look at everything.
fn as_warnings(e: crate::Error) -> Vec<Diagnostic> {
    let mut found = e.into_diagnostics();
    for d in &mut found {
        d.severity = Severity::Warning;
    }
    found
}

/// Today's date in the system's time zone.
fn today() -> jiff::civil::Date {
    jiff::ZonedDateTime::now().date()
}

/// An external link found in markdown: the URL as written and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalLink {
    /// The `http://` or `https://` URL, as written.
    pub url: String,
    /// The file, as shown in messages (`content/faq.md`).
    pub file: PathBuf,
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
    let mut docs: Vec<(&Document, &str, &str, &str)> = Vec::new();
    for p in &tree.pages {
        docs.push((&p.doc, p.title.as_str(), p.output.as_str(), &p.lang));
    }
    for s in &tree.sections {
        if let Some(d) = &s.doc {
            docs.push((d, s.title.as_str(), s.output.as_str(), &s.lang));
        }
    }
    // In file order, so "the first page with this title" is the first file.
    docs.sort_by(|a, b| a.0.shown.cmp(&b.0.shown));
    let mut out = ContentFindings {
        pages: docs.len(),
        ..Default::default()
    };
    // Titles are compared within one language: a translation may keep its source's title.
    let mut titles: HashMap<&str, HashMap<String, &Path>> = HashMap::new();
    for (doc, title, output, lang) in docs {
        let h1_in_output = outputs.get(output).map(|html| count_h1(html));
        content::check_body(doc, h1_in_output, &mut out);
        let titles = titles.entry(lang).or_default();
        front_matter::check_front_matter(doc, title, titles, &mut out.diagnostics);
        check_health(doc, config.check.review_months, today, &mut out.diagnostics);
    }
    out.diagnostics.extend(probable_copies(tree));
    out
}

fn is_http(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::span_at;
    use crate::html::html_tags;

    /// A page `content/p.md` with this source.
    pub(super) fn doc(source: &str) -> Document {
        Document::for_test("p.md", source)
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
}
