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
//!   not a date, in the future, or older than `check.review_months` in `config.yaml`.
//!
//! With [`CheckOptions::external`], every distinct `http(s)` link in markdown is requested once
//! (see [`external`]).
//!
//! This module never prints; the binary renders the report.

pub mod external;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use pulldown_cmark::{Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

use crate::config::{self, Config};
use crate::content::{self, Document};
use crate::error::{Diagnostic, Span};
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
    let found = content_checks(&config, &tree, built.as_ref(), today);
    report.pages = found.pages;
    report.diagnostics.extend(found.diagnostics);
    if options.external {
        let mut skip = config.check.skip_external.clone();
        skip.extend(options.skip_external.iter().cloned());
        let settings = external::Settings {
            timeout: options.timeout,
            concurrency: options.concurrency,
            skip,
        };
        let (diags, notes) = external::check_links(&found.external, &settings);
        report.diagnostics.extend(diags);
        report.notes.extend(notes);
    }
    report
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
    /// Where the link is.
    pub span: Span,
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
    out
}

/// Counts `<h1>` / `<h1 …>` start tags in built HTML.
fn count_h1(html: &[u8]) -> usize {
    html.windows(4)
        .filter(|w| {
            w[..3].eq_ignore_ascii_case(b"<h1") && (w[3] == b'>' || w[3].is_ascii_whitespace())
        })
        .count()
}

/// A link or image being read: its start, destination and the text inside it so far.
struct Open {
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
    for (event, range) in Parser::new_ext(body, markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let level = heading_level(level);
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
                image: false,
                range: range.clone(),
                dest: dest_url.to_string(),
                autolink: link_type == LinkType::Autolink,
                text: String::new(),
            }),
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
                let Some(o) = open.pop() else { continue };
                let at = span(o.range.clone());
                let text = o.text.trim();
                if is_http(&o.dest) {
                    out.external.push(ExternalLink {
                        url: o.dest.clone(),
                        file: doc.shown.clone(),
                        span: at,
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
            _ => {}
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

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
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
