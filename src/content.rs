//! Stages 2 and 3: find the files under `content/` ([`discover`]) and read them into
//! [`Document`]s ([`parse`]).
//!
//! In: the [`Config`]. Out: every source file in sorted path order, then each markdown file's
//! front matter and body. Editor junk (swap, backup and lock files, dotfiles) is skipped here,
//! in one place, by [`is_ignored_name`], for content, templates and static files alike
//! (mdBook #2224, Hugo #6773). Parsing reports every bad file of the site together, not only
//! the first. This stage decides no URL; that is the site tree's job.

pub mod front_matter;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Diagnostic, Error, Result, Span};
pub use front_matter::{DateValue, FrontMatter};

/// What a file under `content/` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A markdown page (`faq.md`, or `index.md` of a page bundle).
    Page,
    /// A section's `_index.md`.
    Section,
    /// Any other file: copied beside the page or section of its folder.
    Asset,
    /// A page's markdown source that is not a page, by its name ([`is_leftover_source`]):
    /// `prices.mdown`, `prices.md.old`, `prices.md.txt`, or a `.txt` file with front matter.
    /// Never published (it would put the page's source on the web); the build warns about it
    /// ([`leftover_warning`]).
    Leftover,
}

/// One file found under `content/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Absolute path.
    pub path: PathBuf,
    /// Path relative to `content/`, with `/` separators: `blog/post.md`.
    pub relative: String,
    /// Page, section or asset.
    pub kind: SourceKind,
}

/// A parsed markdown file: its front matter and body, with positions for error messages.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to `content/`, e.g. `faq.md`, `blog/_index.md`, `studio/index.md`.
    pub relative: String,
    /// Path as shown in messages, relative to the site root: `content/faq.md`.
    pub shown: PathBuf,
    /// Page or section.
    pub kind: SourceKind,
    /// The whole file text (BOM removed).
    pub source: String,
    /// The front matter (all defaults when the file has none).
    pub front: FrontMatter,
    /// Byte offset of the body in `source`.
    pub body_start: usize,
    /// 1-based line where the body starts.
    pub body_line: usize,
    /// Warnings about the front matter (see [`front_matter::lint`]).
    pub warnings: Vec<Diagnostic>,
}

impl Document {
    /// The markdown body after the front matter.
    pub fn body(&self) -> &str {
        self.source.get(self.body_start..).unwrap_or_default()
    }

    /// Takes the whole text out, leaving the front matter in `source` (what error messages
    /// point into after stage 5): `build` renders each body from the text taken and drops it
    /// as soon as it can ([`crate::render::site`]), to hold less. [`Document::body`] is empty
    /// afterwards; `body_start` and `body_line` still place the body in the text taken.
    pub fn take_source(&mut self) -> String {
        let front = self
            .source
            .get(..self.body_start)
            .unwrap_or_default()
            .to_string();
        std::mem::replace(&mut self.source, front)
    }

    /// True for `index.md` of a page bundle.
    pub fn is_bundle(&self) -> bool {
        self.kind == SourceKind::Page
            && (self.relative == "index.md" || self.relative.ends_with("/index.md"))
    }

    /// The page `content/<relative>` with this source, for unit tests. Panics on front matter
    /// that does not parse.
    #[cfg(test)]
    pub(crate) fn for_test(relative: &str, source: &str) -> Document {
        let shown = std::path::Path::new("content").join(relative);
        let (front, body_start, body_line) = front_matter::parse(source, &shown).unwrap();
        Document {
            relative: relative.into(),
            shown,
            kind: SourceKind::Page,
            source: source.into(),
            front,
            body_start,
            body_line,
            warnings: Vec::new(),
        }
    }
}

/// True for names that editors, operating systems, patch tools and version control leave beside
/// real files and that are never published: editor swap and lock files (`.faq.md.swp`, Emacs
/// locks `.#faq.md`), backups (`faq.md~`, `#faq.md#`), Vim's write test `4913`, Microsoft
/// Office lock files (`~$faq.md`), JetBrains editors' save files (`faq.md___jb_tmp___`,
/// `faq.md___jb_old___`), the leftovers of `patch` and merges (`faq.md.orig`, `faq.md.rej`),
/// `.DS_Store`, `Thumbs.db`, `desktop.ini`, `.git`/`.hg`/`.svn`, and `*.swp`, `*.swo`, `*.swx`,
/// `*.tmp`, `*.bak`, `*.crdownload`, `*.part` (these endings in any case: `FAQ.BAK`).
pub fn is_editor_junk(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with(".#")
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || name.starts_with("~$")
        || name == ".DS_Store"
        || lower == "thumbs.db"
        || lower == "desktop.ini"
        || [".git", ".hg", ".svn"].contains(&name)
        || [
            ".swp",
            ".swo",
            ".swx",
            ".tmp",
            ".bak",
            ".orig",
            ".rej",
            ".crdownload",
            ".part",
            "___jb_tmp___",
            "___jb_old___",
        ]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Markdown file endings that other tools use and stillpoint does not read as pages (GitHub
/// Linguist's list, less `.md` and `.markdown`).
const OTHER_MARKDOWN_EXTS: &[&str] = &[
    ".mdown", ".mdwn", ".mkd", ".mkdn", ".mkdown", ".mdtext", ".mdtxt",
];

/// Endings added after `.md` by saving a copy or a backup by hand (`prices.md.old`), by editors
/// (nano's `.save`) or by Windows Notepad (`prices.md.txt`). Numbers (`prices.md.1`) count too.
const COPY_SUFFIXES: &[&str] = &[
    "txt", "old", "save", "sav", "backup", "bck", "bk", "copy", "prev", "new", "draft", "orig",
    "rej", "bak", "tmp",
];

/// True for a file under `content/` that holds a page's markdown but is not a page, judged by
/// its `name`: another markdown ending (`prices.mdown`, `.mkd`, …), a copy of a page's source
/// (`prices.md.old`, `prices.md.txt`, `prices.markdown.1`; the endings are listed in
/// `COPY_SUFFIXES`), or a `.txt` file whose text starts with a front matter line `---`
/// (`starts_with_front_matter` is asked only for `.txt` names). Publishing such a file would put the page's source on the web; a
/// `.pdf`, `.jpg` or other file a page links to is not one.
pub fn is_leftover_source(name: &str, starts_with_front_matter: impl FnOnce() -> bool) -> bool {
    leftover_page_name(name).is_some()
        || (name.to_ascii_lowercase().ends_with(".txt") && starts_with_front_matter())
}

/// For a leftover page source ([`is_leftover_source`], by name only), the name it would have as
/// a page: `prices.mdown` -> `prices.md`, `prices.md.old` -> `prices.md`.
fn leftover_page_name(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if let Some(ext) = OTHER_MARKDOWN_EXTS.iter().find(|e| lower.ends_with(*e)) {
        let stem = &name[..name.len() - ext.len()];
        return (!stem.is_empty()).then(|| format!("{stem}.md"));
    }
    let (before, suffix) = lower.rsplit_once('.')?;
    let copy = COPY_SUFFIXES.contains(&suffix)
        || (!suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()));
    if copy && is_markdown_name(before) {
        let page = &name[..before.len()];
        return (!strip_markdown_ext(page).is_empty()).then(|| page.to_string());
    }
    None
}

/// Whether the file at `path` starts with a front matter line `---` (after a byte-order mark).
fn starts_with_front_matter(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 8];
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let n = f.read(&mut head).unwrap_or(0);
    let head = head.get(..n).unwrap_or_default();
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    head.starts_with(b"---\n") || head.starts_with(b"---\r\n")
}

/// The warning for a [`SourceKind::Leftover`] file, `file`, among the site's `files`: that it is
/// not published, and what to do (rename it to the page name it would have, or delete it when
/// that page exists already).
pub fn leftover_warning(file: &SourceFile, files: &[SourceFile]) -> Diagnostic {
    let shown = Path::new("content").join(&file.relative);
    let (folder, name) = file
        .relative
        .rsplit_once('/')
        .map_or(("", file.relative.as_str()), |(d, n)| (d, n));
    let page = leftover_page_name(name).unwrap_or_else(|| {
        format!(
            "{}.md",
            name.get(..name.len().saturating_sub(4)).unwrap_or(name)
        )
    });
    let page_relative = if folder.is_empty() {
        page.clone()
    } else {
        format!("{folder}/{page}")
    };
    let help = if files.iter().any(|f| f.relative == page_relative) {
        format!(
            "it looks like an old copy of content/{page_relative}: delete it, or move it out of content/ to keep it"
        )
    } else {
        format!(
            "if it is a page, rename it to `{page}`; if it is an old copy, delete it or move it out of content/"
        )
    };
    Diagnostic::warning(format!(
        "{} is not published: it holds a page's markdown, but only files ending in .md or .markdown become pages",
        shown.display()
    ))
    .in_file(&shown)
    .help(help)
}

/// If `name` (a file name without its extension, or a folder name) is what a file manager or a
/// download gives a duplicate, the name it was copied from: `prices copy` and `prices copy 2`
/// (macOS Finder), `prices - Copy` and `prices - Copy (2)` (Windows Explorer), `prices (1)`
/// (browsers, Explorer), `prices (copy)` and `prices (another copy)` (GNOME Files), `Copy of
/// prices` (Google Drive). English names only; `copy` in any case.
pub fn copy_of(name: &str) -> Option<&str> {
    // ASCII lower-casing keeps byte offsets, so `lower`'s cuts are `name`'s.
    let lower = name.to_ascii_lowercase();
    let cut = |len: usize| name.get(..len).map(str::trim_end).filter(|s| !s.is_empty());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if lower.starts_with("copy of ") {
        return name.get(8..).map(str::trim).filter(|s| !s.is_empty());
    }
    let mut base = lower.as_str();
    if let Some(inner) = base.strip_suffix(')')
        && let Some((before, inner)) = inner.rsplit_once(" (")
    {
        let numbered_copy = inner.strip_prefix("copy ").is_some_and(digits);
        let nth_copy = inner.strip_suffix(" copy").is_some_and(|n| {
            n == "another"
                || (n.ends_with(['d', 'h', 't']) && n.starts_with(|c: char| c.is_ascii_digit()))
        });
        if digits(inner) || inner == "copy" || numbered_copy || nth_copy {
            base = before;
            if !digits(inner) {
                return cut(base.len());
            }
        }
    }
    if let Some(b) = base.strip_suffix(" - copy") {
        return cut(b.len());
    }
    if let Some(b) = base.strip_suffix(" copy") {
        return cut(b.len());
    }
    if let Some((b, n)) = base.rsplit_once(" copy ")
        && digits(n)
    {
        return cut(b.len());
    }
    (base.len() < lower.len())
        .then(|| cut(base.len()))
        .flatten()
}

/// True for names that never become pages or templates: [`is_editor_junk`], and every hidden
/// name (starting with `.`), as Zola and Hugo skip them in `content/`. In `static/`, hidden
/// files that are not junk (`.well-known/`, `.htaccess`) are published: see [`walk`].
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.') || is_editor_junk(name)
}

/// True for names of markdown pages: `.md` and `.markdown`, in any case (`faq.MD`).
pub fn is_markdown_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// A name without its markdown extension (`faq.md` -> `faq`, `notes.markdown` -> `notes`).
pub fn strip_markdown_ext(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".markdown") {
        &name[..name.len() - ".markdown".len()]
    } else if lower.ends_with(".md") {
        &name[..name.len() - ".md".len()]
    } else {
        name
    }
}

/// Lists the files under `dir` in sorted path order, skipping [`is_ignored_name`] names (files
/// and folders), or only [`is_editor_junk`] when `hidden_too` (for `static/`, whose
/// `.well-known/` and `.htaccess` are meant to be published). Returns (absolute path, path
/// relative to `dir` with `/`). A missing `dir` gives an empty list.
///
/// Errors: `dir` is a file; a folder that cannot be listed; a file name that is not UTF-8; a
/// symbolic link to nothing that is not editor junk; a symbolic link to a file or folder
/// outside the site folder (links inside it are followed); all as diagnostics
/// naming the path (`shown_prefix` is prepended, e.g. `content`).
pub fn walk(dir: &Path, shown_prefix: &Path, hidden_too: bool) -> Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    if dir.exists() && !dir.is_dir() {
        return Err(Error::one(
            Diagnostic::error(format!(
                "{} is a file, but it must be a folder",
                shown_prefix.display()
            ))
            .in_file(shown_prefix)
            .help(format!(
                "rename or remove the file {}; stillpoint reads the folder of that name",
                shown_prefix.display()
            )),
        ));
    }
    if !dir.is_dir() {
        return Ok(out);
    }
    let skip = |name: &str| {
        if hidden_too {
            is_editor_junk(name)
        } else {
            is_ignored_name(name)
        }
    };
    let bounds = LinkBounds::new(dir, shown_prefix);
    let mut walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_str().is_some_and(skip));
    while let Some(entry) = walker.next() {
        match entry {
            Ok(e) if e.depth() > 0 && e.path_is_symlink() && bounds.is_outside(e.path()) => {
                let rel = e.path().strip_prefix(dir).unwrap_or(e.path());
                errors.push(outside_link(&shown_prefix.join(rel), e.path()));
                if e.file_type().is_dir() {
                    walker.skip_current_dir();
                }
            }
            Ok(e) if e.file_type().is_file() => {
                let rel = e.path().strip_prefix(dir).unwrap_or(e.path());
                // Join the components with `/` (a `\` is an ordinary character of a name on
                // Unix, not a separator).
                let parts: Option<Vec<&str>> =
                    rel.components().map(|c| c.as_os_str().to_str()).collect();
                match parts {
                    Some(parts) => out.push((e.path().to_path_buf(), parts.join("/"))),
                    None => errors.push(
                        Diagnostic::error(format!(
                            "the name of {} is not valid UTF-8 text",
                            shown_prefix.join(rel).display()
                        ))
                        .in_file(shown_prefix.join(rel))
                        .help("rename the file using ordinary letters (it was probably named on another system)"),
                    ),
                }
            }
            Ok(_) => {}
            Err(e) => errors.extend(walk_error(&e, dir, shown_prefix, skip)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Error::Diagnostics(errors))
    }
}

/// The error for an entry of a [`walk`] that could not be read, or `None` for one to pass
/// over: editor junk (`skip`), and files deleted while we walked (a save in progress, `git
/// checkout`): the build reflects the tree without them.
fn walk_error(
    e: &walkdir::Error,
    dir: &Path,
    shown_prefix: &Path,
    skip: impl Fn(&str) -> bool,
) -> Option<Diagnostic> {
    let path = e
        .path()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.to_path_buf());
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let vanished = !path.exists() && !path.is_symlink();
    if skip(name) || vanished {
        return None;
    }
    let rel = path.strip_prefix(dir).unwrap_or(&path);
    let why = if e.loop_ancestor().is_some() {
        "it is a link that loops back to a folder that contains it".to_string()
    } else if path.is_symlink() && !path.exists() {
        "it is a link to a file that does not exist".to_string()
    } else {
        e.io_error()
            .map_or_else(|| e.to_string(), ToString::to_string)
    };
    Some(
        Diagnostic::error(format!(
            "could not read {}: {why}",
            shown_prefix.join(rel).display()
        ))
        .in_file(shown_prefix.join(rel))
        .help("delete or fix this file, or check its permissions"),
    )
}

/// Where the symbolic links met by a [`walk`] may point: inside the site folder, or inside the
/// folder walked (a theme folder linked in from elsewhere may link within itself). Both are
/// canonical paths; the site folder is `dir` without the components of `shown_prefix` (the
/// walk of `root/themes/x/static`, shown as `themes/x/static`, is in the site `root`).
struct LinkBounds {
    site: Option<PathBuf>,
    walked: Option<PathBuf>,
}

impl LinkBounds {
    fn new(dir: &Path, shown_prefix: &Path) -> Self {
        let up = if dir.ends_with(shown_prefix) {
            shown_prefix.components().count()
        } else {
            1
        };
        let site = dir.ancestors().nth(up).unwrap_or(dir);
        LinkBounds {
            site: site.canonicalize().ok(),
            walked: dir.canonicalize().ok(),
        }
    }

    /// Whether the link at `path` leads out of both bounds (a link that cannot be resolved is
    /// left to the walk's own errors).
    fn is_outside(&self, path: &Path) -> bool {
        let Ok(target) = path.canonicalize() else {
            return false;
        };
        let within = |b: &Option<PathBuf>| b.as_ref().is_some_and(|b| target.starts_with(b));
        !within(&self.site) && !within(&self.walked)
    }
}

/// The error for the link `shown` (at `path`) whose target is outside the site: publishing it
/// would publish a file the owner never put in the site (`ln -s /etc/passwd static/pw.txt`).
fn outside_link(shown: &Path, path: &Path) -> Diagnostic {
    let target = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    Diagnostic::error(format!(
        "{} is a link to {}, outside the site",
        shown.display(),
        target.display()
    ))
    .in_file(shown)
    .help("copy the file into the site instead of linking to it (links to files inside the site folder are fine)")
}

/// Stage 2: every file under `content/`, in sorted path order, with its kind. Editor junk and
/// patch or backup leftovers ([`is_ignored_name`]) are left out; a page's source that is not a
/// page is listed as [`SourceKind::Leftover`] (not published, warned about).
///
/// Errors: see [`walk`].
pub fn discover(config: &Config) -> Result<Vec<SourceFile>> {
    let dir = config.root.join("content");
    let files = walk(&dir, Path::new("content"), false)?;
    Ok(files
        .into_iter()
        .map(|(path, relative)| {
            let name = relative.rsplit('/').next().unwrap_or(&relative);
            // `_index.fr.md` is a section too when `fr` is a language of the site.
            let translated_index = || {
                config
                    .split_language(name)
                    .is_some_and(|(source, _)| source == "_index.md")
            };
            let kind = if name == "_index.md" || translated_index() {
                SourceKind::Section
            } else if is_markdown_name(name) {
                SourceKind::Page
            } else if is_leftover_source(name, || starts_with_front_matter(&path)) {
                SourceKind::Leftover
            } else {
                SourceKind::Asset
            };
            SourceFile {
                path,
                relative,
                kind,
            }
        })
        .collect())
}

/// Decodes `bytes` as UTF-8. Errors: a diagnostic at the line and column of the first invalid
/// byte, naming `shown` and telling the owner to save the file as UTF-8 (mdBook #2525).
pub fn decode_utf8(bytes: &[u8], shown: &Path) -> Result<String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            // valid_up_to() is a char boundary, so this cannot fail.
            let good = std::str::from_utf8(good).unwrap_or_default();
            let line = good.matches('\n').count() + 1;
            let line_start = good.rfind('\n').map_or(0, |i| i + 1);
            let col = good[line_start..].chars().count() + 1;
            let rest_of_line = bytes[line_start..]
                .split(|b| *b == b'\n')
                .next()
                .unwrap_or_default();
            let shown_line = String::from_utf8_lossy(rest_of_line)
                .trim_end_matches('\r')
                .to_string();
            Err(Error::one(
                Diagnostic::error(format!(
                    "{} is not saved as UTF-8 text (byte {} is not valid UTF-8)",
                    shown.display(),
                    e.valid_up_to()
                ))
                .in_file(shown)
                .at_line(Span::new(line, col, 1), Some(shown_line))
                .label("this character is in another encoding")
                .help("open the file in your editor and save it with the encoding \"UTF-8\""),
            ))
        }
    }
}

/// Turns each CR that is not followed by LF into LF; CRLF stays as it is.
pub fn normalize_lone_cr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// Stage 3: reads and splits every page and section file, in parallel.
///
/// Returns the documents in the order of `files` (assets and leftovers are skipped; so is a file deleted
/// since it was discovered, as by a save or `git checkout` during a watch rebuild: the build
/// then reflects the tree without it). Errors: every unreadable file, invalid UTF-8, unclosed
/// front matter, YAML error, wrong type and unknown field, all reported together.
pub fn parse(files: &[SourceFile]) -> Result<Vec<Document>> {
    let results: Vec<Result<Option<Document>>> = files
        .par_iter()
        .filter(|f| matches!(f.kind, SourceKind::Page | SourceKind::Section))
        .map(parse_one)
        .collect();
    let mut docs = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(Some(d)) => docs.push(d),
            Ok(None) => {}
            Err(e) => errors.extend(e.into_diagnostics()),
        }
    }
    if errors.is_empty() {
        Ok(docs)
    } else {
        Err(Error::Diagnostics(errors))
    }
}

/// The largest page or section file read: 64 MiB. A markdown page of that size is already
/// far beyond any real one (the corpus builds a 10 MB page); a bigger file is a mistake (a
/// video renamed `.md`, a sparse or runaway file) and would take the build's memory.
pub const MAX_PAGE_BYTES: u64 = 64 << 20;

fn too_big(shown: &Path, len: u64) -> Error {
    Error::one(
        Diagnostic::error(format!(
            "{} is {} MB, too big for a page (at most {} MB)",
            shown.display(),
            len >> 20,
            MAX_PAGE_BYTES >> 20
        ))
        .in_file(shown)
        .help("a page is text; if this is a video, an archive or another big file, give it its own extension (not .md) and put it in static/ or beside index.md in a page bundle"),
    )
}

/// Reads at most [`MAX_PAGE_BYTES`] + 1 bytes of `path` (the file may grow while it is read),
/// into a buffer of the size the file has when opened: two reads for a file that does not
/// change meanwhile (with no size, `read_to_end` starts small and reads several times).
/// Returns the bytes and the file's size when opened.
fn read_page(path: &Path) -> std::io::Result<(Vec<u8>, u64)> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let size = file.metadata().map_or(0, |m| m.len());
    let capacity = size.min(MAX_PAGE_BYTES + 1) + 1;
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    file.take(MAX_PAGE_BYTES + 1).read_to_end(&mut bytes)?;
    Ok((bytes, size))
}

/// Stage 3 for one file: reads and parses it. `Ok(None)` when it no longer exists.
///
/// Errors: as [`parse`], for this one file.
pub(crate) fn parse_one(file: &SourceFile) -> Result<Option<Document>> {
    let shown = Path::new("content").join(&file.relative);
    let read = read_page(&file.path).map_err(|source| Error::Io {
        action: "could not read",
        path: file.path.clone(),
        source,
    });
    if let Ok((b, size)) = &read
        && (b.len() as u64 > MAX_PAGE_BYTES || *size > MAX_PAGE_BYTES)
    {
        return Err(too_big(&shown, (b.len() as u64).max(*size)));
    }
    let bytes = match read {
        Ok((b, _)) => b,
        Err(Error::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound && !file.path.exists() =>
        {
            return Ok(None);
        }
        Err(Error::Io { source, .. }) => {
            return Err(Error::Io {
                action: "could not read",
                path: shown,
                source,
            });
        }
        Err(other) => return Err(other),
    };
    document_from_bytes(file, &bytes).map(Some)
}

/// Stage 3 for one file already read: decodes `bytes` (UTF-8, byte-order marks removed, lone
/// CR line endings read as line breaks), splits and parses the front matter and lints it.
///
/// Errors: as [`parse`], for this one file (named `content/<relative>` in diagnostics).
pub fn document_from_bytes(file: &SourceFile, bytes: &[u8]) -> Result<Document> {
    let shown = Path::new("content").join(&file.relative);
    let mut source = decode_utf8(bytes, &shown)?;
    // Byte-order marks (some editors write more than one), and the old Mac line ending, a
    // lone CR, which no part of the pipeline would otherwise see as a line break.
    if source.starts_with('\u{feff}') {
        source = source.trim_start_matches('\u{feff}').to_string();
    }
    if source.contains('\r') {
        source = normalize_lone_cr(&source);
    }
    let (front, body_start, body_line) = front_matter::parse(&source, &shown)?;
    let warnings = front_matter::lint(&source, &shown);
    Ok(Document {
        relative: file.relative.clone(),
        shown,
        kind: file.kind,
        source,
        front,
        body_start,
        body_line,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_source_keeps_the_front_matter_and_gives_the_whole_text() {
        let text = "---\ntitle: \"Été\"\n---\n\n# Body é\n\nText.\n";
        let mut d = Document::for_test("a.md", text);
        let front = d.source[..d.body_start].to_string();
        let (body_start, body_line) = (d.body_start, d.body_line);
        assert_eq!(d.take_source(), text);
        assert_eq!(d.source, front);
        assert_eq!(d.body(), "");
        assert_eq!((d.body_start, d.body_line), (body_start, body_line));
        assert_eq!(&text[body_start..], "\n# Body é\n\nText.\n");
        assert_eq!(d.front.title.as_deref(), Some("Été"));
        // Without front matter, nothing is kept.
        let mut bare = Document::for_test("b.md", "Just text.\n");
        assert_eq!(bare.take_source(), "Just text.\n");
        assert_eq!(bare.source, "");
    }

    #[test]
    fn editor_junk_is_ignored() {
        for name in [
            ".#faq.md",
            "faq.md~",
            "#faq.md#",
            ".faq.md.swp",
            "4913",
            ".DS_Store",
            "x.swp",
            "a.tmp",
            "faq.md___jb_tmp___",
            "faq.md___jb_old___",
        ] {
            assert!(is_ignored_name(name), "{name}");
        }
        for name in [
            "faq.md",
            "_index.md",
            "photo.jpg",
            "1.0.0.md",
            "Über uns.md",
        ] {
            assert!(!is_ignored_name(name), "{name}");
        }
    }

    #[test]
    fn patch_merge_and_system_leftovers_are_junk() {
        for name in [
            "prices.md.orig",
            "prices.md.rej",
            "photo.jpg.orig",
            "desktop.ini",
            "Desktop.ini",
            "THUMBS.DB",
            "FAQ.BAK",
            "notes.TMP",
        ] {
            assert!(is_editor_junk(name), "{name}");
        }
        for name in ["original.md", "reject.pdf", "prices.md", "menu.pdf", "orig"] {
            assert!(!is_editor_junk(name), "{name}");
        }
    }

    #[test]
    fn page_sources_that_are_not_pages_are_leftovers() {
        let cases = [
            ("prices.mdown", Some("prices.md")),
            ("Prices.MKD", Some("Prices.md")),
            ("notes.mdtext", Some("notes.md")),
            ("prices.md.old", Some("prices.md")),
            ("prices.md.txt", Some("prices.md")),
            ("prices.md.save", Some("prices.md")),
            ("prices.markdown.2", Some("prices.markdown")),
            ("prices.MD.Backup", Some("prices.MD")),
            ("prices.md", None),
            ("prices.pdf", None),
            ("prices.md.pdf", None),
            ("prices.md.html", None),
            ("report.txt", None),
            (".mdown", None),
            ("1.0.md", None),
        ];
        for (name, page) in cases {
            assert_eq!(leftover_page_name(name).as_deref(), page, "{name}");
            assert_eq!(is_leftover_source(name, || false), page.is_some(), "{name}");
        }
        // A `.txt` file is a page's source when it starts with front matter.
        assert!(is_leftover_source("prices.txt", || true));
        assert!(!is_leftover_source("prices.pdf", || true));
        let dir = tempfile::tempdir().unwrap();
        for (text, want) in [
            ("---\ntitle: P\n---\n", true),
            ("\u{feff}---\r\ntitle: P\r\n---\r\n", true),
            ("----\n", false),
            ("Opening hours\n", false),
            ("", false),
        ] {
            let path = dir.path().join("x.txt");
            std::fs::write(&path, text).unwrap();
            assert_eq!(starts_with_front_matter(&path), want, "{text:?}");
        }
    }

    #[test]
    fn duplicate_names_give_the_original() {
        for (name, original) in [
            ("prices copy", Some("prices")),
            ("prices copy 2", Some("prices")),
            ("prices - Copy", Some("prices")),
            ("prices - Copy (2)", Some("prices")),
            ("prices (1)", Some("prices")),
            ("prices (12)", Some("prices")),
            ("prices (copy)", Some("prices")),
            ("prices (copy 3)", Some("prices")),
            ("prices (another copy)", Some("prices")),
            ("prices (3rd copy)", Some("prices")),
            ("Copy of prices", Some("prices")),
            ("Über uns Copy", Some("Über uns")),
            ("prices", None),
            ("photocopy", None),
            ("copy", None),
            ("Copy of ", None),
            ("prices (new)", None),
            ("(1)", None),
            ("copywriting", None),
        ] {
            assert_eq!(copy_of(name), original, "{name}");
        }
    }

    #[test]
    fn lone_carriage_returns_become_line_feeds() {
        assert_eq!(normalize_lone_cr("a\rb\r\nc\r"), "a\nb\r\nc\n");
    }

    #[test]
    fn invalid_utf8_points_at_line_and_column() {
        let err = decode_utf8(
            b"---\ntitle: Caf\xe9\n---\n",
            Path::new("content/latin1.md"),
        )
        .unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert_eq!(d.span, Some(Span::new(2, 11, 1)));
        assert!(d.message.contains("content/latin1.md"));
    }
}
