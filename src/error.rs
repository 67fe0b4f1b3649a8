//! Errors and diagnostics: the one error type of the library, and the one function that turns
//! diagnostics into text for a terminal.
//!
//! Every stage reports problems in the site (bad front matter, a broken link, a template error) as
//! [`Diagnostic`]s that carry the file, the line and column, the offending line itself, and a hint a
//! non-programmer can act on. A stage collects all of its diagnostics before it fails, so one build
//! shows every problem of that stage at once. [`render_diagnostics`] prints them in the style of
//! rustc and cargo (via `annotate-snippets`), for `build` and every other command alike.
//!
//! Positions (byte offset to line and column, line number to the line's text) are computed in
//! one place, `positions.rs`, for every stage.
//!
//! This module does no I/O and never prints.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

mod positions;

pub use positions::SourceMap;
pub use positions::line_col;
pub(crate) use positions::{Positions, line_text, span_at};

/// How serious a diagnostic is: errors fail the build (exit code 1), warnings are printed and the
/// build goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The build cannot produce a correct site: it fails and `public/` is left untouched.
    Error,
    /// Worth fixing, but the site is still built.
    Warning,
}

/// A position in a source file: 1-based `line`, 1-based `col` counted in characters, and the
/// length of the offending text in characters (at least 1 when shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Length of the highlighted text, in characters.
    pub len: usize,
}

impl Span {
    /// A span at `line`:`col` covering `len` characters.
    pub fn new(line: usize, col: usize, len: usize) -> Self {
        Span { line, col, len }
    }
}

/// A page being rendered when a problem was found: the page as shown (`content/faq.md`, or a
/// file without one, like `404.html` or `the home page`) and the template it was rendered with
/// (`page.html`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageRender {
    /// The page, as shown in messages.
    pub page: String,
    /// The name of the template the page was rendered with.
    pub template: String,
}

/// One problem found in the site, with everything needed to show it to the site owner.
///
/// `file` is the path as the owner knows it: relative to the site root where possible
/// (`content/faq.md`, `themes/default/templates/page.html`). `line_text` is the text of the
/// line that `span` points into, so the renderer can show it without reading the file again.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One sentence saying what is wrong, in plain words.
    pub message: String,
    /// The file the problem is in, if it is in one.
    pub file: Option<PathBuf>,
    /// Where in `file`.
    pub span: Option<Span>,
    /// The text of the line at `span.line`, without its line ending.
    pub line_text: Option<String>,
    /// A short label under the highlighted text (e.g. "expected an integer").
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
    /// Further context, e.g. "the template is themes/default/templates/page.html".
    pub notes: Vec<String>,
    /// The pages whose render met this problem (a template error): one as found, several
    /// once [`merge_repeats`] has folded the same problem on several pages into one.
    /// Shown as a note for one page, and as "(on 10 pages: …)" after the message for more.
    pub pages: Vec<PageRender>,
    /// Other places to show with their own snippet, in this or another file: where the value a
    /// template failed on was written in `config.yaml` or the front matter.
    pub related: Vec<Related>,
    /// For an error inside a shortcode's template, met at the call this diagnostic points at:
    /// the same error at its place in the template (see [`Diagnostic::from_template`]).
    /// [`merge_repeats`] folds the calls that meet the same one into it.
    pub in_template: Option<Box<Diagnostic>>,
    /// The calls that met this error in a shortcode's template, each as its own diagnostic (with
    /// `in_template`), once [`merge_repeats`] has folded two or more into this one, which is at
    /// the template. Shown as "(used 12 times on 3 pages: …)" after the message.
    pub uses: Vec<Diagnostic>,
}

/// A second place a [`Diagnostic`] shows: a file, a line of it, and a label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Related {
    /// The file, as the owner knows it (`config.yaml`, `content/faq.md`).
    pub file: PathBuf,
    /// Where in `file`.
    pub span: Span,
    /// The text of the line at `span.line`.
    pub line_text: String,
    /// What this place is.
    pub label: String,
}

impl Diagnostic {
    /// An error with `message` and nothing else yet; add details with the builder methods.
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message)
    }

    /// A warning with `message`.
    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message)
    }

    fn new(severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            message: message.into(),
            file: None,
            span: None,
            line_text: None,
            label: None,
            help: None,
            notes: Vec::new(),
            pages: Vec::new(),
            related: Vec::new(),
            in_template: None,
            uses: Vec::new(),
        }
    }

    /// Sets the file the problem is in.
    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Names the file of a diagnostic made where the file was not known (the markdown stage
    /// reports a broken link in a page body it was given): sets `file`, adds `(in <file>)` to
    /// the message, and takes the line at the span, if any, out of `source`, the file's whole
    /// text.
    pub fn found_in(mut self, file: &Path, source: &str) -> Self {
        self.message = format!("{} (in {})", self.message, file.display());
        if let Some(span) = self.span {
            self.line_text = line_text(source, span.line);
        }
        self.in_file(file)
    }

    /// Sets the position and takes the offending line out of `source`, the whole text of the
    /// file (so the caller need not cut it out). A span past the end of `source` keeps no line.
    pub fn at(mut self, span: Span, source: &str) -> Self {
        self.line_text = line_text(source, span.line);
        self.span = Some(span);
        self
    }

    /// Sets the position when the caller already has the line's text.
    pub fn at_line(mut self, span: Span, line_text: Option<String>) -> Self {
        self.span = Some(span);
        self.line_text = line_text;
        self
    }

    /// Sets the label shown under the highlighted text.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the hint saying what to do.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Records that the problem was met while rendering `page` (as shown, `content/faq.md`)
    /// with the template `template`.
    pub fn on_page(mut self, page: impl Into<String>, template: impl Into<String>) -> Self {
        self.pages.push(PageRender {
            page: page.into(),
            template: template.into(),
        });
        self
    }

    /// Adds a second place to show: `span` in `file`, whose whole text is `source`, with
    /// `label`. Nothing is added when the span is past the end of `source`.
    pub fn related(
        mut self,
        file: impl Into<PathBuf>,
        span: Span,
        source: &str,
        label: impl Into<String>,
    ) -> Self {
        if let Some(line_text) = line_text(source, span.line) {
            self.related.push(Related {
                file: file.into(),
                span,
                line_text,
                label: label.into(),
            });
        }
        self
    }

    /// Records that this problem, at a shortcode call, is `template`: an error at a place in
    /// the shortcode's template. One such call is shown as it is (the call may be what is
    /// wrong: a bad argument); two or more calls with the same `template` are the same mistake
    /// in the template, and [`merge_repeats`] folds them into `template`, naming the calls.
    pub fn from_template(mut self, template: Diagnostic) -> Self {
        self.in_template = Some(Box::new(template));
        self
    }

    /// True for errors, false for warnings.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render_diagnostics(std::slice::from_ref(self), false))
    }
}

/// The error type of every library function.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the site's own files (config, content, templates, links). Holds every error of
    /// the stage that failed, and the warnings found so far.
    #[error("the site has {} error(s)", count_errors(.0))]
    Diagnostics(Vec<Diagnostic>),
    /// A file or folder could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. "could not read".
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

fn count_errors(diags: &[Diagnostic]) -> usize {
    diags.iter().filter(|d| d.is_error()).count()
}

impl Error {
    /// One diagnostic as an error.
    pub fn one(diagnostic: Diagnostic) -> Self {
        Error::Diagnostics(vec![diagnostic])
    }

    /// The error as diagnostics, ready for [`render_diagnostics`]. An I/O error becomes one
    /// diagnostic naming the path, with a hint about permissions.
    ///
    /// The same problem met on several pages (a mistake in a template every page uses) is one
    /// diagnostic naming the pages ([`merge_repeats`]), so every command shows and counts it
    /// once.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        match self {
            Error::Diagnostics(d) => merge_repeats(d),
            Error::Io {
                action,
                path,
                source,
            } => {
                let help = match source.kind() {
                    std::io::ErrorKind::PermissionDenied => {
                        "check that you are allowed to read and write this file or folder"
                    }
                    std::io::ErrorKind::NotFound => "check that the file or folder exists",
                    std::io::ErrorKind::ReadOnlyFilesystem => {
                        "this disk is read-only (a locked USB stick, a read-only mount): choose an output folder on a disk you can write to, with --output or output_dir in config.yaml"
                    }
                    std::io::ErrorKind::StorageFull => {
                        "the disk is full: free some space, or choose an output folder on another disk"
                    }
                    std::io::ErrorKind::IsADirectory => {
                        "a folder is where a file was expected: rename or remove the folder"
                    }
                    _ => "check the file or folder, then run the command again",
                };
                vec![
                    Diagnostic::error(format!("{action} `{}`: {source}", path.display()))
                        .in_file(path)
                        .help(help),
                ]
            }
        }
    }
}

/// The candidate closest to `target`, for "did you mean" hints: a candidate equal to it but
/// for letter case first, else the one with the highest normalised Damerau–Levenshtein
/// similarity (case-insensitive, comparing names without a file extension they share) of at
/// least 0.6; ties go to the alphabetically first, so the hint is stable from run to run.
/// `None` when nothing is close.
pub fn closest<'a>(candidates: impl IntoIterator<Item = &'a str>, target: &str) -> Option<&'a str> {
    let t = target.to_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        let lc = c.to_lowercase();
        if lc == t {
            return Some(c);
        }
        let (a, b) = match (lc.rsplit_once('.'), t.rsplit_once('.')) {
            (Some((sa, ea)), Some((sb, eb))) if ea == eb => (sa, sb),
            _ => (lc.as_str(), t.as_str()),
        };
        let score = strsim::normalized_damerau_levenshtein(a, b);
        let better = match best {
            None => true,
            Some((b, bc)) => score > b || (score == b && c < bc),
        };
        if score >= 0.6 && better {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Library result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Folds diagnostics that are the same but for the page they were rendered for (a mistake in
/// a template that every page uses) into one, listing the pages in the order they were found.
/// Likewise folds shortcode calls that met the same error in the shortcode's template (see
/// [`Diagnostic::from_template`]) into that error, at the template, listing the calls in
/// [`Diagnostic::uses`]; a call alone with its error stays as it is, at the call.
/// The first of each kind keeps its place; other diagnostics are kept as they are, but for
/// one exactly like one before it, which is left out.
/// Applying it twice changes nothing. Used by [`Error::into_diagnostics`] and
/// [`render_each`], so that build, check, watch and serve (its error overlay too) show such a
/// problem once.
pub fn merge_repeats(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    let mut kinds: HashMap<Diagnostic, usize> = HashMap::new();
    let mut seen: HashSet<(usize, PageRender)> = HashSet::new();
    let mut seen_uses: HashSet<(usize, Diagnostic)> = HashSet::new();
    let mut plain: HashSet<Diagnostic> = HashSet::new();
    for mut d in diagnostics {
        let (key, pages, uses) = if let Some(template) = &d.in_template {
            let mut key = (**template).clone();
            key.uses.clear();
            (key, Vec::new(), vec![d])
        } else if !d.uses.is_empty() {
            let uses = std::mem::take(&mut d.uses);
            (d, Vec::new(), uses)
        } else if !d.pages.is_empty() {
            let pages = std::mem::take(&mut d.pages);
            (d, pages, Vec::new())
        } else {
            // The very same diagnostic again (a theme's template is parsed under two names, so
            // Tera reports its mistakes twice) says nothing new.
            if plain.insert(d.clone()) {
                out.push(d);
            }
            continue;
        };
        // The calls of a shortcode give it different arguments, so the "did you mean" in the
        // help of the same mistake in its template may differ from call to call: calls are
        // folded whatever their help, and the first one's is shown.
        let kind = if uses.is_empty() {
            key.clone()
        } else {
            Diagnostic {
                help: None,
                ..key.clone()
            }
        };
        let i = match kinds.get(&kind) {
            Some(&i) => i,
            None => {
                kinds.insert(kind, out.len());
                out.push(key);
                out.len() - 1
            }
        };
        for p in pages {
            if seen.insert((i, p.clone())) {
                out[i].pages.push(p);
            }
        }
        for u in uses {
            if seen_uses.insert((i, u.clone())) {
                out[i].uses.push(u);
            }
        }
    }
    // One call with its error: shown at the call, where a bad argument would be.
    out.into_iter()
        .map(|mut d| {
            if d.uses.len() == 1 {
                d.uses.pop().unwrap_or(d)
            } else {
                d
            }
        })
        .collect()
}

/// How many pages a merged diagnostic names before "and N more".
const PAGES_NAMED: usize = 3;

/// ` (on 10 pages: content/a.md, content/b.md, content/c.md and 7 more)` for a diagnostic met
/// on several pages; empty for one page or none.
fn on_pages(pages: &[PageRender]) -> String {
    if pages.len() < 2 {
        return String::new();
    }
    // All names when one more would be all that is left out.
    let named = if pages.len() <= PAGES_NAMED + 1 {
        pages.len()
    } else {
        PAGES_NAMED
    };
    let names: Vec<&str> = pages[..named].iter().map(|p| p.page.as_str()).collect();
    let list = if named == pages.len() {
        let (last, rest) = names.split_last().map_or(("", &[][..]), |(l, r)| (*l, r));
        format!("{} and {last}", rest.join(", "))
    } else {
        format!("{} and {} more", names.join(", "), pages.len() - named)
    };
    format!(" (on {} pages: {list})", pages.len())
}

/// ` (used 12 times on 3 pages: content/a.md:4:2, content/b.md:9:1, content/c.md:2:7 and
/// 9 more)` for a shortcode template error met at several calls (`uses`); empty for fewer.
/// The places named are the first call on each page, then the next calls, in the order found.
fn used_at(uses: &[Diagnostic]) -> String {
    if uses.len() < 2 {
        return String::new();
    }
    let place = |u: &Diagnostic| {
        let file = u.file.as_deref().map(display_path).unwrap_or_default();
        match u.span {
            Some(s) => format!("{file}:{}:{}", s.line, s.col),
            None => file,
        }
    };
    let mut pages: Vec<Option<&std::path::Path>> = Vec::new();
    let mut firsts: Vec<usize> = Vec::new();
    for (i, u) in uses.iter().enumerate() {
        if !pages.contains(&u.file.as_deref()) {
            pages.push(u.file.as_deref());
            firsts.push(i);
        }
    }
    // All places when one more would be all that is left out.
    let mut named: Vec<usize> = if uses.len() <= PAGES_NAMED + 1 {
        (0..uses.len()).collect()
    } else {
        firsts.into_iter().take(PAGES_NAMED).collect()
    };
    for i in 0..uses.len() {
        if named.len() >= PAGES_NAMED.min(uses.len()) {
            break;
        }
        if !named.contains(&i) {
            named.push(i);
        }
    }
    named.sort_unstable();
    let names: Vec<String> = named.iter().map(|&i| place(&uses[i])).collect();
    let list = if names.len() == uses.len() {
        let (last, rest) = names
            .split_last()
            .map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
        format!("{} and {last}", rest.join(", "))
    } else {
        format!("{} and {} more", names.join(", "), uses.len() - names.len())
    };
    let on = if pages.len() == 1 {
        "1 page".to_string()
    } else {
        format!("{} pages", pages.len())
    };
    format!(" (used {} times on {on}: {list})", uses.len())
}

/// The note naming the page and template of a render: `while rendering content/faq.md with the
/// template page.html`, or for several pages the templates they were rendered with.
fn page_note(pages: &[PageRender]) -> Option<String> {
    match pages {
        [] => None,
        [one] => Some(format!(
            "while rendering {} with the template {}",
            one.page, one.template
        )),
        _ => {
            let mut templates: Vec<&str> = pages.iter().map(|p| p.template.as_str()).collect();
            templates.sort_unstable();
            templates.dedup();
            Some(match templates.split_last() {
                Some((last, [])) => {
                    format!("while rendering these pages with the template {last}")
                }
                Some((last, rest)) => format!(
                    "while rendering these pages with the templates {} and {last}",
                    rest.join(", ")
                ),
                None => String::new(),
            })
        }
    }
}

/// Renders diagnostics as text in the rustc/cargo style:
///
/// ```text
/// error: invalid front matter in content/faq.md
///  --> content/faq.md:3:9
///   |
/// 3 | weight: first
///   |         ^^^^^ expected an integer
///   |
///   = help: ...
/// ```
///
/// `color` adds ANSI colours (for a terminal); tests and logs use plain text. Errors come first,
/// in the order given, then warnings; a summary line ends the report when there is more than one.
/// The same problem on several pages is shown and counted once ([`merge_repeats`]).
pub fn render_diagnostics(diagnostics: &[Diagnostic], color: bool) -> String {
    let diagnostics = merge_repeats(diagnostics.to_vec());
    let mut out = render_each(&diagnostics, color);
    let errors = count_errors(&diagnostics);
    let warnings = diagnostics.len() - errors;
    if diagnostics.len() > 1 {
        let mut parts = Vec::new();
        if errors > 0 {
            parts.push(plural(errors, "error"));
        }
        if warnings > 0 {
            parts.push(plural(warnings, "warning"));
        }
        out.push_str(&format!("{} found\n", parts.join(" and ")));
    }
    out
}

/// [`render_diagnostics`] without the summary line, for a command that prints its own summary
/// (`stillpoint check`). The same problem on several pages is shown once ([`merge_repeats`]).
pub fn render_each(diagnostics: &[Diagnostic], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    let mut sorted = merge_repeats(diagnostics.to_vec());
    sorted.sort_by_key(|d| d.severity);
    for d in &sorted {
        out.push_str(&render_one(&renderer, d));
        out.push_str("\n\n");
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn render_one(renderer: &Renderer, d: &Diagnostic) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let path = d.file.as_ref().map(|p| display_path(p));
    let message = format!("{}{}{}", d.message, on_pages(&d.pages), used_at(&d.uses));
    let title = level.primary_title(message.as_str());
    let mut elements: Vec<annotate_snippets::Element<'_>> = Vec::new();
    match (&path, d.span, &d.line_text) {
        (Some(path), Some(span), Some(line)) => {
            let (start, end) = char_range_to_bytes(line, span.col, span.len);
            let mut ann = AnnotationKind::Primary.span(start..end);
            if let Some(label) = &d.label {
                ann = ann.label(label.as_str());
            }
            elements.push(
                Snippet::source(line.as_str())
                    .line_start(span.line.max(1))
                    .path(path.clone())
                    .annotation(ann)
                    .into(),
            );
        }
        (Some(path), Some(span), None) => {
            elements.push(
                Origin::path(path.clone())
                    .line(span.line.max(1))
                    .char_column(span.col.max(1))
                    .into(),
            );
        }
        (Some(path), None, _) => {
            elements.push(Origin::path(path.clone()).into());
        }
        (None, _, _) => {}
    }
    for r in &d.related {
        let (start, end) = char_range_to_bytes(&r.line_text, r.span.col, r.span.len);
        elements.push(
            Snippet::source(r.line_text.as_str())
                .line_start(r.span.line.max(1))
                .path(display_path(&r.file))
                .annotation(
                    AnnotationKind::Context
                        .span(start..end)
                        .label(r.label.as_str()),
                )
                .into(),
        );
    }
    let page_note = page_note(&d.pages);
    for note in d.notes.iter().chain(&page_note) {
        elements.push(Level::NOTE.message(note.as_str()).into());
    }
    if let Some(help) = &d.help {
        elements.push(Level::HELP.message(help.as_str()).into());
    }
    let report: [Group<'_>; 1] = [title.elements(elements)];
    renderer.render(&report)
}

/// Paths in messages use `/` on every platform, as the site owner types them.
fn display_path(p: &std::path::Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Converts a 1-based char column and char length on `line` into a byte range, clamped to the
/// line (an empty range at the end when the column is past it).
fn char_range_to_bytes(line: &str, col: usize, len: usize) -> (usize, usize) {
    let mut indices = line.char_indices().map(|(i, _)| i).chain([line.len()]);
    let start = indices.nth(col.saturating_sub(1)).unwrap_or(line.len());
    let end = line[start..]
        .char_indices()
        .map(|(i, _)| start + i)
        .chain([line.len()])
        .nth(len.max(1))
        .unwrap_or(line.len());
    (start, end.max(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_col_and_the_line() {
        let d = Diagnostic::error("invalid front matter in content/faq.md")
            .in_file("content/faq.md")
            .at(Span::new(3, 9, 5), "---\ntitle: FAQ\nweight: first\n---\n")
            .label("expected an integer")
            .help("write a whole number, like `weight: 3`");
        let text = render_diagnostics(&[d], false);
        assert!(
            text.contains("error: invalid front matter in content/faq.md"),
            "{text}"
        );
        assert!(text.contains("--> content/faq.md:3:9"), "{text}");
        assert!(text.contains("3 | weight: first"), "{text}");
        assert!(text.contains("^^^^^ expected an integer"), "{text}");
        assert!(text.contains("help: write a whole number"), "{text}");
    }

    #[test]
    fn renders_without_span_or_file() {
        let text = render_diagnostics(&[Diagnostic::warning("just a warning")], false);
        assert!(text.starts_with("warning: just a warning"), "{text}");
        let text = render_diagnostics(
            &[Diagnostic::error("x")
                .in_file("content/a.md")
                .at_line(Span::new(4, 2, 1), None)],
            false,
        );
        assert!(text.contains("content/a.md:4:2"), "{text}");
    }

    #[test]
    fn span_past_the_line_does_not_panic() {
        for (col, len) in [(0, 0), (1, 0), (50, 3), (3, 100)] {
            let d = Diagnostic::error("x")
                .in_file("f")
                .at_line(Span::new(1, col, len), Some("héllo".into()));
            let _ = render_diagnostics(&[d], false);
        }
        assert_eq!(char_range_to_bytes("héllo", 2, 1), (1, 3));
    }

    #[test]
    fn closest_prefers_case_then_edit_distance() {
        let ids = ["ref-haller-2016", "ref-haller-2020", "ref-ernst-2012"];
        assert_eq!(closest(ids, "ref-haller-2021"), Some("ref-haller-2020"));
        assert_eq!(closest(ids, "ref-haler-2020"), Some("ref-haller-2020"));
        assert_eq!(closest(["faq.md", "about.md"], "FAQ.md"), Some("faq.md"));
        assert_eq!(closest(["title", "theme"], "titel"), Some("title"));
        assert_eq!(closest(["title"], "zzzzzz"), None);
        assert_eq!(closest(["about.md", "faq.md"], "nope.md"), None);
        assert_eq!(
            closest(["how-a-session-works.md"], "how-a-sesion-works.md"),
            Some("how-a-session-works.md")
        );
    }

    #[test]
    fn the_same_error_on_many_pages_is_shown_once() {
        let on = |page: &str, template: &str| {
            Diagnostic::error("template error in templates/footer.html: x")
                .in_file("templates/footer.html")
                .at(Span::new(2, 4, 6), "a\n{{ nosuch }}\n")
                .help("h")
                .on_page(page, template)
        };
        let mut all: Vec<Diagnostic> = (1..=10)
            .map(|i| on(&format!("content/p{i:02}.md"), "page.html"))
            .collect();
        all.insert(3, Diagnostic::error("other"));
        all.push(on("404.html", "404.html"));
        all.push(on("content/p01.md", "page.html"));
        let merged = merge_repeats(all);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].pages.len(), 11);
        assert_eq!(merge_repeats(merged.clone()), merged, "idempotent");
        let text = render_diagnostics(&merged, false);
        assert!(
            text.starts_with("error: template error in templates/footer.html: x (on 11 pages: content/p01.md, content/p02.md, content/p03.md and 8 more)\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "= note: while rendering these pages with the templates 404.html and page.html"
            ),
            "{text}"
        );
        assert!(text.ends_with("2 errors found\n"), "{text}");
        assert_eq!(text.matches("nosuch").count(), 1, "{text}");

        let one = render_diagnostics(&[on("content/a.md", "page.html")], false);
        assert!(
            one.contains("= note: while rendering content/a.md with the template page.html"),
            "{one}"
        );
        assert!(!one.contains("(on "), "{one}");
        let four = render_diagnostics(&["a", "b", "c", "d"].map(|p| on(p, "page.html")), false);
        assert!(four.contains("x (on 4 pages: a, b, c and d)\n"), "{four}");
        assert!(four.contains("with the template page.html\n"), "{four}");
    }

    /// A call of `note` on `page` at `line`:`col`, meeting the error `message` at line 2 of
    /// its template.
    fn call(page: &str, line: usize, col: usize, message: &str) -> Diagnostic {
        let template = Diagnostic::error(format!("template error in note.html: {message}"))
            .in_file("templates/shortcodes/note.html")
            .at(Span::new(2, 4, 5), "<aside>\n{{ texte }}\n")
            .help("did you mean `text`?");
        Diagnostic::error(format!(
            "the shortcode `note` could not be rendered (in {page}): {message}"
        ))
        .in_file(page)
        .at_line(Span::new(line, col, 9), Some("{{ note() }}".into()))
        .label("its template stopped here")
        .from_template(template)
    }

    #[test]
    fn the_same_shortcode_template_error_at_many_calls_is_shown_once_at_the_template() {
        let mut all = vec![
            call("content/a.md", 4, 5, "x"),
            Diagnostic::error("other"),
            call("content/a.md", 6, 1, "x"),
            call("content/b.md", 4, 3, "x"),
            call("content/a.md", 8, 7, "x"),
            call("content/c.md", 2, 1, "a different mistake"),
            call("content/b.md", 4, 30, "x"),
        ];
        // The same call twice (the same page collected twice) is one use.
        all.push(all[0].clone());
        // A call with other arguments gets another "did you mean": the same mistake still.
        let mut other_help = call("content/b.md", 9, 1, "x");
        if let Some(t) = other_help.in_template.as_mut() {
            t.help = Some("check the spelling".into());
        }
        all.push(other_help);
        let merged = merge_repeats(all);
        assert_eq!(merged.len(), 3, "{merged:#?}");
        assert_eq!(merged[0].uses.len(), 6);
        assert_eq!(merged[0].help.as_deref(), Some("did you mean `text`?"));
        assert_eq!(
            merged[0].file.as_deref(),
            Some(std::path::Path::new("templates/shortcodes/note.html"))
        );
        assert_eq!(merged[1].message, "other");
        // Met at one call only: shown at the call, as it was.
        assert_eq!(merged[2], call("content/c.md", 2, 1, "a different mistake"));
        assert_eq!(merge_repeats(merged.clone()), merged, "idempotent");
        // Folding in parts gives the same as folding at once.
        let mut again = merge_repeats(vec![call("content/a.md", 4, 5, "x")]);
        again.extend(merge_repeats(vec![call("content/a.md", 6, 1, "x")]));
        assert_eq!(merge_repeats(again)[0].uses.len(), 2);

        let text = render_diagnostics(&merged, false);
        assert!(
            text.starts_with("error: template error in note.html: x (used 6 times on 2 pages: content/a.md:4:5, content/a.md:6:1, content/b.md:4:3 and 3 more)\n --> templates/shortcodes/note.html:2:4\n"),
            "{text}"
        );
        assert!(
            text.contains("error: the shortcode `note` could not be rendered (in content/c.md): a different mistake\n --> content/c.md:2:1\n"),
            "{text}"
        );
        assert!(text.ends_with("3 errors found\n"), "{text}");
    }

    #[test]
    fn uses_are_named_first_one_per_page() {
        let uses = |places: &[(&str, usize)]| -> Vec<Diagnostic> {
            places.iter().map(|(p, l)| call(p, *l, 1, "x")).collect()
        };
        assert_eq!(used_at(&uses(&[("a.md", 1)])), "");
        assert_eq!(
            used_at(&uses(&[("a.md", 1), ("a.md", 2)])),
            " (used 2 times on 1 page: a.md:1:1 and a.md:2:1)"
        );
        assert_eq!(
            used_at(&uses(&[("a.md", 1), ("a.md", 2), ("b.md", 3), ("b.md", 4)])),
            " (used 4 times on 2 pages: a.md:1:1, a.md:2:1, b.md:3:1 and b.md:4:1)"
        );
        assert_eq!(
            used_at(&uses(&[
                ("a.md", 1),
                ("a.md", 2),
                ("a.md", 3),
                ("b.md", 4),
                ("c.md", 5),
                ("d.md", 6)
            ])),
            " (used 6 times on 4 pages: a.md:1:1, b.md:4:1, c.md:5:1 and 3 more)"
        );
    }

    #[test]
    fn the_very_same_diagnostic_twice_is_shown_once() {
        let d = Diagnostic::error("template error in page.html: there is no filter `x`")
            .in_file("themes/default/templates/page.html")
            .at_line(Span::new(6, 25, 6), Some("{{ a | x }}".into()));
        let merged = merge_repeats(vec![d.clone(), Diagnostic::error("other"), d.clone()]);
        assert_eq!(merged, vec![d, Diagnostic::error("other")]);
    }

    #[test]
    fn summary_counts_errors_and_warnings() {
        let text = render_diagnostics(
            &[
                Diagnostic::warning("w"),
                Diagnostic::error("e1"),
                Diagnostic::error("e2"),
            ],
            false,
        );
        assert!(text.starts_with("error: e1"), "{text}");
        assert!(text.ends_with("2 errors and 1 warning found\n"), "{text}");
    }
}
