//! Stage 7, last step for an HTML file: the site's own URLs made relative to the page that
//! holds them (`urls:` in `config.yaml`), so `public/` works at any address, in a sub-folder
//! and (with `urls: files`) opened from the disk.
//!
//! In: one rendered HTML file, its output path and the base URL. Out: the same file with
//! every `href`, `src`, `srcset` candidate, `action`, `poster` and `<meta http-equiv=refresh>`
//! `url=` that points into the site (starts with `base_url`, or is root-relative under its
//! path) written relative to the page (`../prices/`), or root-relative for the 404 page
//! (served at any depth). Left as written: `<link rel="canonical">` and `<link rel="alternate"
//! hreflang>`, every other `<meta>`,
//! the content of `<script>` and `<style>`, comments, and links that leave the site.
//!
//! A scanner, not a parser: a byte search finds each `=` whose value (after spaces and a
//! quote) starts with the base URL or with `/` (or is a `srcset`), and only the start tags around those places
//! are read, attribute by attribute; the rest of the page is never looked at byte by byte.
//! (It expects the lower-case `<script`, `<style` and `<!--` that templates and markdown
//! write.)

use std::borrow::Cow;
use std::ops::Range;

/// How the site's own URLs are written into HTML pages (`urls:` in `config.yaml`, `--urls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UrlMode {
    /// Relative to the page (`../faq/`): the site works at any address and in any sub-folder.
    #[default]
    Relative,
    /// Absolute, from `base_url`, as written by the templates (no rewrite).
    Absolute,
    /// Relative, and links to pages end in `index.html` (`../faq/index.html`), so `public/`
    /// works opened from the disk.
    Files,
}

impl UrlMode {
    /// The names accepted by `urls:` and `--urls`, in order.
    pub const NAMES: [&'static str; 3] = ["relative", "absolute", "files"];

    /// The mode named `name` (`relative`, `absolute`, `files`), or `None`.
    pub fn from_name(name: &str) -> Option<UrlMode> {
        match name {
            "relative" => Some(UrlMode::Relative),
            "absolute" => Some(UrlMode::Absolute),
            "files" => Some(UrlMode::Files),
            _ => None,
        }
    }

    /// Its name, as written in `urls:` (what templates see as `config.urls`).
    pub fn name(self) -> &'static str {
        match self {
            UrlMode::Relative => "relative",
            UrlMode::Absolute => "absolute",
            UrlMode::Files => "files",
        }
    }
}

/// Where the page being rewritten is, and what counts as a link into the site.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Site<'a> {
    /// `base_url` without a trailing slash (`https://example.com/studio`).
    pub(crate) base_url: &'a str,
    /// Its path without a trailing slash (`/studio`, or empty).
    pub(crate) base_path: &'a str,
    /// The mode ([`UrlMode::Absolute`] leaves every page as it is).
    pub(crate) mode: UrlMode,
}

/// `html`, the file at `output` (relative to the output folder: `faq/index.html`), with its
/// links into the site rewritten for `site.mode`; unchanged (borrowed) when nothing changes or
/// the mode is [`UrlMode::Absolute`]. `404.html` gets root-relative links (`/studio/faq/`).
pub(crate) fn rewrite<'h>(html: &'h str, output: &str, site: Site<'_>) -> Cow<'h, str> {
    if site.mode == UrlMode::Absolute {
        return Cow::Borrowed(html);
    }
    rewrite_for(html, &Page::new(output, site)).0
}

/// [`rewrite`] for `page`, with whether the scan stayed inside `html` ([`Scan::stayed_inside`]).
fn rewrite_for<'h>(html: &'h str, page: &Page<'_>) -> (Cow<'h, str>, bool) {
    let mut out = String::new();
    let mut copied = 0;
    let inside = each_link(html, page.site, |url, path| {
        if out.is_empty() {
            out.reserve(html.len() + html.len() / 8);
        }
        out.push_str(&html[copied..url.start]);
        page.write_link(path, &mut out);
        copied = url.end;
    });
    if copied == 0 {
        return (Cow::Borrowed(html), inside);
    }
    out.push_str(&html[copied..]);
    (Cow::Owned(out), inside)
}

/// Calls `link` with the range (in `html`, in order) and the site path ([`Page::site_path`]) of
/// each URL into the site that [`rewrite`] rewrites. Returns whether the scan stayed inside
/// `html` ([`Scan::stayed_inside`]).
fn each_link<'h>(
    html: &'h str,
    site: Site<'_>,
    mut link: impl FnMut(Range<usize>, &'h str),
) -> bool {
    let page = Page {
        dir: "",
        site,
        root_relative: false,
    };
    let mut scan = Scan::new(html, site.base_url);
    while let Some((lt, tag_len)) = scan.next_tag() {
        let tag = &html[lt..lt + tag_len];
        let name_len = tag[1..]
            .bytes()
            .take_while(u8::is_ascii_alphanumeric)
            .count();
        links_in_tag(&tag[1..=name_len], tag, &page, &mut |url, path| {
            link(lt + url.start..lt + url.end, path);
        });
    }
    scan.stayed_inside()
}

/// A piece of HTML that many pages hold word for word (a template part rendered once, see
/// `crate::templates`), with its links into the site found once: [`rewrite_with`] writes them
/// relative to each page without scanning the piece again.
#[derive(Debug)]
pub(crate) struct Piece {
    text: String,
    /// Each link's URL range and site-path range in `text`, in order, as [`rewrite`] finds
    /// them.
    links: Vec<(Range<usize>, Range<usize>)>,
    /// Finds the first [`Piece::PREFIX`] bytes of `text` (a whole piece is then compared):
    /// a search for a long text is slower than the scan it saves.
    finder: memchr::memmem::Finder<'static>,
    /// The piece as written for the pages of a folder, by that folder (see
    /// [`Piece::write_for`]).
    written: std::sync::Mutex<std::collections::HashMap<String, Written>>,
}

/// A piece written for the pages of one folder: the same for every page in it, except a page
/// that a link of the piece goes into (or below).
#[derive(Debug)]
struct Written {
    /// The names of the folders in that folder that links of the piece go into.
    into: Vec<String>,
    text: std::sync::Arc<str>,
}

impl Piece {
    /// How many bytes of a piece are searched for.
    const PREFIX: usize = 48;

    /// How many folders a piece keeps its written text for (a piece is a few KB; a site whose
    /// every page has a folder of its own gains nothing from more).
    const FOLDERS: usize = 256;

    /// `text`, from its first `<` to its last `>` (a template part may start or end inside a
    /// tag: `href="{{ config.base_url }}/">…`), as a piece for `site`; or `None` when splicing
    /// it could differ from scanning the page it is in, or gains nothing: its scan must stay
    /// inside it ([`Scan::stayed_inside`]), the tag its last `<` starts must end in it, and it
    /// must hold a link into the site. With those, a page that holds it where the scan of what
    /// comes before stays inside that part ([`rewrite_with`]) is rewritten part by part to the
    /// same bytes as in one scan: no lookup of one part reads another (a candidate's tag is
    /// searched back only to the last `<`, and the piece starts with one).
    pub(crate) fn new(text: &str, site: Site<'_>) -> Option<Piece> {
        let start = text.find('<')?;
        let end = text.rfind('>')? + 1;
        if site.mode == UrlMode::Absolute || end <= start {
            return None;
        }
        let text = &text[start..end];
        let last = memchr::memrchr(b'<', text.as_bytes())?;
        tag_end(&text[last..])?;
        let mut links = Vec::new();
        let inside = each_link(text, site, |url, path| {
            let path_start = url.end - path.len();
            links.push((url.clone(), path_start..url.end));
        });
        if !inside || links.is_empty() {
            return None;
        }
        let mut prefix = text.len().min(Piece::PREFIX);
        while !text.is_char_boundary(prefix) {
            prefix -= 1;
        }
        Some(Piece {
            finder: memchr::memmem::Finder::new(&text.as_bytes()[..prefix]).into_owned(),
            text: text.to_string(),
            links,
            written: Default::default(),
        })
    }

    /// Appends the piece to `out` with its links written for `page`.
    fn write_links(&self, page: &Page<'_>, out: &mut String) {
        let mut copied = 0;
        for (url, path) in &self.links {
            out.push_str(&self.text[copied..url.start]);
            page.write_link(&self.text[path.clone()], out);
            copied = url.end;
        }
        out.push_str(&self.text[copied..]);
    }

    /// [`Piece::write_links`], from the text written for an earlier page of the same folder
    /// when there is one. A link from the folder `P/s` to a site path is `../` once per folder
    /// left after the folders both have in common, then the rest of the path
    /// ([`write_relative`]); while `s` is not a folder the path goes into, what they have in
    /// common is what `P` and the path have, so every such page of `P` writes the same text.
    /// Not for the home page's folder, the 404 page (root-relative) or a path with an empty
    /// folder name (`a//b`).
    fn write_for(&self, page: &Page<'_>, out: &mut String) {
        let key = (!page.root_relative && !page.dir.is_empty() && !page.dir.contains("//"))
            .then(|| page.dir.rsplit_once('/').unwrap_or(("", page.dir)));
        let Some((parent, name)) = key else {
            return self.write_links(page, out);
        };
        let Ok(written) = self.written.lock() else {
            return self.write_links(page, out);
        };
        let known = match written.get(parent) {
            Some(w) if !w.into.iter().any(|n| n == name) => {
                out.push_str(&w.text);
                return;
            }
            known => known.is_some() || written.len() >= Piece::FOLDERS,
        };
        drop(written); // no other page waits while this one is written
        let start = out.len();
        self.write_links(page, out);
        if known {
            return;
        }
        if let Some(into) = self.folders_into(parent)
            && !into.iter().any(|n| n == name)
            && let Ok(mut written) = self.written.lock()
            && written.len() < Piece::FOLDERS
        {
            let text = std::sync::Arc::from(&out[start..]);
            written.insert(parent.to_string(), Written { into, text });
        }
    }

    /// The names of the folders directly in `parent` (`blog`, or empty at the top) that the
    /// piece's links go into or below; `None` when a link's path has an empty folder name.
    fn folders_into(&self, parent: &str) -> Option<Vec<String>> {
        let mut into: Vec<String> = Vec::new();
        for (_, path) in &self.links {
            let (target, _) = split_site_path(&self.text[path.clone()]);
            let to_dir = folder_of(target);
            if to_dir.contains("//") || to_dir.starts_with('/') {
                return None;
            }
            let below = if parent.is_empty() {
                Some(to_dir)
            } else {
                to_dir
                    .strip_prefix(parent)
                    .and_then(|rest| rest.strip_prefix('/'))
            };
            if let Some(next) = below.and_then(|b| b.split('/').next())
                && !next.is_empty()
                && !into.iter().any(|n| n == next)
            {
                into.push(next.to_string());
            }
        }
        Some(into)
    }
}

/// [`rewrite`], with the [`Piece`]s found in `html` written from their links found once
/// instead of scanned again. The same bytes as [`rewrite`]: an occurrence of a piece is
/// spliced only where the scan of the page before it (from the last piece spliced) stays
/// inside that part; after the first that is not, the rest of the page is scanned as usual.
pub(crate) fn rewrite_with<'h>(
    html: &'h str,
    output: &str,
    site: Site<'_>,
    pieces: &[Piece],
) -> Cow<'h, str> {
    splice(html, output, site, pieces).0
}

/// [`rewrite_with`], and how many pieces it spliced.
fn splice<'h>(
    html: &'h str,
    output: &str,
    site: Site<'_>,
    pieces: &[Piece],
) -> (Cow<'h, str>, usize) {
    if site.mode == UrlMode::Absolute {
        return (Cow::Borrowed(html), 0);
    }
    let mut found: Vec<(usize, usize)> = Vec::new();
    for (k, piece) in pieces.iter().enumerate() {
        let whole = |at: &usize| html.as_bytes()[*at..].starts_with(piece.text.as_bytes());
        found.extend(
            piece
                .finder
                .find_iter(html.as_bytes())
                .filter(whole)
                .map(|at| (at, k)),
        );
    }
    if found.is_empty() {
        return (rewrite(html, output, site), 0);
    }
    found.sort_unstable();
    let page = Page::new(output, site);
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let (mut from, mut spliced) = (0, 0);
    for (start, k) in found {
        if start < from {
            continue; // overlaps the piece before
        }
        let (before, inside) = rewrite_for(&html[from..start], &page);
        if !inside {
            break;
        }
        out.push_str(&before);
        let piece = &pieces[k];
        piece.write_for(&page, &mut out);
        from = start + piece.text.len();
        spliced += 1;
    }
    out.push_str(&rewrite_for(&html[from..], &page).0);
    (Cow::Owned(out), spliced)
}

/// The next place at or after a position where a pattern occurs, found with one substring
/// search and kept until the scan passes it (positions only grow, so each part of a page is
/// searched once per pattern).
struct Next<'p> {
    finder: memchr::memmem::Finder<'p>,
    /// Not searched yet, or the last place found (`usize::MAX`: none after it).
    at: Option<usize>,
}

impl<'p> Next<'p> {
    fn new(pattern: &'p str) -> Next<'p> {
        Next {
            finder: memchr::memmem::Finder::new(pattern),
            at: None,
        }
    }

    /// The first occurrence of the pattern at or after `from` (`usize::MAX` when none).
    fn from(&mut self, html: &str, from: usize) -> usize {
        if self.at.is_none_or(|at| at < from) {
            let found = html
                .as_bytes()
                .get(from..)
                .and_then(|r| self.finder.find(r));
            self.at = Some(found.map_or(usize::MAX, |i| from + i));
        }
        self.at.unwrap_or(usize::MAX)
    }
}

/// The start tags of a page that may hold a link into the site: found from the places where
/// the base URL or a root-relative value (`="/`) occurs, outside comments and the text of
/// `<script>` and `<style>` (whose own start tags are looked at: `<script src>`).
struct Scan<'h> {
    html: &'h str,
    base_url: &'h str,
    at: usize,
    /// The next candidate found (an `=` followed by a value into the site), while the scan
    /// has not passed it; `usize::MAX`: none after it.
    candidate: Option<usize>,
    /// `<!--`, `<script` and `<style`.
    skips: [Next<'static>; 3],
    /// A lookup found nothing before the end of `html` where a longer text could hold what it
    /// looks for (see [`Scan::stayed_inside`]).
    ran_off: bool,
}

impl<'h> Scan<'h> {
    fn new(html: &'h str, base_url: &'h str) -> Scan<'h> {
        Scan {
            html,
            base_url,
            at: 0,
            candidate: None,
            skips: [Next::new("<!--"), Next::new("<script"), Next::new("<style")],
            ran_off: false,
        }
    }

    /// After the last [`Scan::next_tag`]: whether the scan, had `html` gone on, would have
    /// read the same up to its end: no tag, comment, script or style it read (or would read,
    /// were a candidate to follow) ran past the end, each script's and style's end tag was
    /// found in lower case, as written. Then a text that follows is scanned as if on its own.
    fn stayed_inside(&mut self) -> bool {
        let html = self.html;
        while !self.ran_off {
            let at = self.at;
            let skip = self
                .skips
                .iter_mut()
                .map(|n| n.from(html, at))
                .zip(0..)
                .min();
            match skip {
                Some((skip, kind)) if skip != usize::MAX => self.at = self.skip_end(skip, kind).0,
                _ => return true,
            }
        }
        false
    }

    /// Where the comment (`kind` 0), script (1) or style (2) that starts at `skip` ends, and
    /// its start tag's length (0 for a comment, or when the tag does not end). Notes a lookup
    /// that ran off the end.
    fn skip_end(&mut self, skip: usize, kind: usize) -> (usize, usize) {
        let html = self.html;
        if kind == 0 {
            return match html[skip..].find("-->") {
                Some(e) => (skip + e + 3, 0),
                None => {
                    self.ran_off = true;
                    (html.len(), 0)
                }
            };
        }
        let Some(len) = tag_end(&html[skip..]) else {
            self.ran_off = true;
            return (html.len(), 0);
        };
        let name = if kind == 1 { "script" } else { "style" };
        let (end, as_written) = raw_text_end(html, skip + len, name);
        self.ran_off |= !as_written;
        (end, len)
    }

    /// The next candidate: the first `=` at or after the scan's position whose value (after
    /// spaces and a quote) starts with the base URL or with `/`, or that gives a `srcset`
    /// (any of whose candidates may point into the site).
    fn candidate(&mut self) -> usize {
        if let Some(c) = self.candidate.filter(|&c| c >= self.at) {
            return c;
        }
        let b = self.html.as_bytes();
        let mut from = self.at;
        let found = loop {
            let Some(i) = b.get(from..).and_then(|r| memchr::memchr(b'=', r)) else {
                break usize::MAX;
            };
            let eq = from + i;
            let mut v = eq + 1;
            while b.get(v).is_some_and(u8::is_ascii_whitespace) {
                v += 1;
            }
            if matches!(b.get(v), Some(b'"' | b'\'')) {
                v += 1;
            }
            let rest = &b[v.min(b.len())..];
            let name = b[..eq].trim_ascii_end();
            let srcset = name.len() >= 6 && name[name.len() - 6..].eq_ignore_ascii_case(b"srcset");
            if rest.first() == Some(&b'/') || rest.starts_with(self.base_url.as_bytes()) || srcset {
                break eq;
            }
            from = eq + 1;
        };
        self.candidate = Some(found);
        found
    }

    /// The next start tag with a candidate in it, as (offset of `<`, length to `>`).
    fn next_tag(&mut self) -> Option<(usize, usize)> {
        let html = self.html;
        loop {
            let c = self.candidate();
            if c == usize::MAX {
                return None;
            }
            let at = self.at;
            let (skip, kind) = self
                .skips
                .iter_mut()
                .map(|n| n.from(html, at))
                .zip(0..)
                .min()?;
            if skip < c {
                let (end, len) = self.skip_end(skip, kind);
                match (kind, len) {
                    (0, _) => self.at = end,
                    // A script or style whose start tag does not end: nothing more to read.
                    (_, 0) => return None,
                    _ => {
                        self.at = end;
                        return Some((skip, len));
                    }
                }
                continue;
            }
            // The tag around the candidate: from the last `<` before it to its `>`.
            // Not before the scan's position: what is before it was read already (and so each
            // byte is searched back over once, however many `=` a text holds).
            let lt = memchr::memrchr(b'<', &html.as_bytes()[at..c]).map_or(c, |i| at + i);
            let starts_tag = html[lt + 1..].starts_with(|ch: char| ch.is_ascii_alphabetic());
            match tag_end(&html[lt..]) {
                Some(len) if starts_tag && lt < c && lt + len > c => {
                    self.at = lt + len;
                    return Some((lt, len));
                }
                found => {
                    self.ran_off |= found.is_none();
                    self.at = c + 1;
                }
            }
        }
    }
}

/// The page a link is made relative to.
struct Page<'a> {
    /// Its folder in the output (`faq`, `blog/page/2`, or empty at the top).
    dir: &'a str,
    site: Site<'a>,
    /// The 404 page: links root-relative under the base path, not relative.
    root_relative: bool,
}

/// The length of the start tag at the start of `rest` (to its `>`, outside quotes).
fn tag_end(rest: &str) -> Option<usize> {
    let b = rest.as_bytes();
    let mut i = 0;
    loop {
        i += memchr::memchr3(b'>', b'"', b'\'', &b[i..])?;
        match b[i] {
            b'>' => return Some(i + 1),
            q => i += 1 + memchr::memchr(q, &b[i + 1..])?,
        }
        i += 1;
    }
}

/// Where the text of a `<script>` or `<style>` that starts at `from` ends (its end tag), and
/// whether that end tag was found as written, in lower case (else: the end of `html`, or an
/// end tag in other case, found only because no lower-case one follows).
fn raw_text_end(html: &str, from: usize, name: &str) -> (usize, bool) {
    let close = format!("</{}", name.to_ascii_lowercase());
    let rest = &html[from..];
    if let Some(i) = rest.find(&close) {
        return (from + i, true);
    }
    let found = if rest.contains("</") {
        rest.to_ascii_lowercase().find(&close)
    } else {
        None
    };
    (found.map_or(html.len(), |i| from + i), false)
}

/// One attribute of a start tag: its name as written and the byte range of its value.
struct Attr<'t> {
    name: &'t str,
    value: Range<usize>,
}

/// The attributes of a start tag `<name …>` that have a value, in order.
struct Attributes<'t> {
    tag: &'t str,
    at: usize,
}

impl<'t> Attributes<'t> {
    fn of(tag: &'t str) -> Attributes<'t> {
        let name_len = tag.as_bytes()[1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        Attributes {
            tag,
            at: 1 + name_len,
        }
    }

    /// The value of the first attribute named `name` (ASCII case-insensitive).
    fn value(tag: &'t str, name: &str) -> Option<&'t str> {
        Attributes::of(tag)
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .map(|a| &tag[a.value])
    }
}

impl<'t> Iterator for Attributes<'t> {
    type Item = Attr<'t>;

    fn next(&mut self) -> Option<Attr<'t>> {
        let (tag, b) = (self.tag, self.tag.as_bytes());
        let end = tag.len().saturating_sub(1);
        let mut i = self.at;
        while i < end {
            while i < end && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            let n0 = i;
            while i < end && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
                i += 1;
            }
            let name = &tag[n0..i];
            while i < end && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= end || b[i] != b'=' {
                if name.is_empty() {
                    i += 1;
                }
                continue;
            }
            i += 1;
            while i < end && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let value = match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let len = memchr::memchr(q, &b[i + 1..]).unwrap_or(end - i - 1);
                    let r = i + 1..i + 1 + len;
                    i = r.end + 1;
                    r
                }
                _ => {
                    let v0 = i;
                    while i < end && !b[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    v0..i
                }
            };
            self.at = i;
            return Some(Attr { name, value });
        }
        self.at = i;
        None
    }
}

/// Calls `link` with the range (in tag offsets, in order) and the site path
/// ([`Page::site_path`]) of each URL in one start tag that points into the site: `href`,
/// `src`, `action`, `poster`, each `srcset` candidate, and a `<meta http-equiv="refresh">`'s
/// `url=`; never a `<link rel="canonical">` or another `<meta>`.
fn links_in_tag<'t>(
    name: &str,
    tag: &'t str,
    page: &Page<'_>,
    link: &mut impl FnMut(Range<usize>, &'t str),
) {
    let mut visit = |url: Range<usize>| {
        if let Some(path) = page.site_path(&tag[url.clone()]) {
            link(url, path);
        }
    };
    if name.eq_ignore_ascii_case("meta") {
        let refresh =
            Attributes::value(tag, "http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("refresh"));
        let content = Attributes::of(tag).find(|a| a.name.eq_ignore_ascii_case("content"));
        if let (true, Some(a)) = (refresh, content)
            && let Some(url) = refresh_url(&tag[a.value.clone()])
        {
            visit(a.value.start + url.start..a.value.start + url.end);
        }
        return;
    }
    // Search engines want full addresses in `rel="canonical"` and in a translation's
    // `rel="alternate" hreflang` link.
    let canonical = name.eq_ignore_ascii_case("link")
        && Attributes::value(tag, "rel").is_some_and(|r| {
            r.split_whitespace().any(|w| w == "canonical")
                || (r.split_whitespace().any(|w| w == "alternate")
                    && Attributes::value(tag, "hreflang").is_some())
        });
    if canonical {
        return;
    }
    for a in Attributes::of(tag) {
        match link_attribute(a.name) {
            Some(false) => visit(a.value),
            Some(true) => {
                for url in srcset_urls(&tag[a.value.clone()]) {
                    visit(a.value.start + url.start..a.value.start + url.end);
                }
            }
            None => {}
        }
    }
}

/// Whether an attribute (its name as written) holds a link: `Some(false)` for `href`, `src`,
/// `action` and `poster` (one URL), `Some(true)` for `srcset` (a list), `None` otherwise.
fn link_attribute(name: &str) -> Option<bool> {
    let is = |n: &str| name.eq_ignore_ascii_case(n);
    match name.len() {
        3 if is("src") => Some(false),
        4 if is("href") => Some(false),
        6 if is("action") || is("poster") => Some(false),
        6 if is("srcset") => Some(true),
        _ => None,
    }
}

/// Where the URL is in a refresh `content` (`0; url=/faq/`), without quotes around it.
fn refresh_url(content: &str) -> Option<Range<usize>> {
    let lower = content.to_ascii_lowercase();
    let start = lower.find("url=")? + 4;
    let url = content[start..].trim_end();
    let url = url.trim_matches(|c| c == '\'' || c == '"');
    let u0 = content[start..].find(url)? + start;
    Some(u0..u0 + url.len())
}

/// Where each candidate's URL is in a `srcset` (`a.webp 480w, b.webp 960w`).
fn srcset_urls(value: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = 0;
    value.split(',').map(move |candidate| {
        let lead = candidate.len() - candidate.trim_start().len();
        let body = candidate.trim_start();
        let url_len = body.find(char::is_whitespace).unwrap_or(body.len());
        let start = at + lead;
        at += candidate.len() + 1;
        start..start + url_len
    })
}

impl<'a> Page<'a> {
    /// The page whose output file is `output` (relative to the output folder).
    fn new(output: &'a str, site: Site<'a>) -> Page<'a> {
        Page {
            dir: output
                .rsplit_once('/')
                .map_or("", |(d, _)| d.trim_matches('/')),
            site,
            root_relative: output == crate::site::outputs::NOT_FOUND,
        }
    }

    /// The site path (`/faq/#x`) a value names, when it points into the site: it starts with
    /// the base URL, or with `/` under the base path (not `//`).
    fn site_path<'v>(&self, value: &'v str) -> Option<&'v str> {
        let Site {
            base_url,
            base_path,
            ..
        } = self.site;
        let (v, b) = (value.as_bytes(), base_url.as_bytes());
        let rest = if v.len() >= b.len() && v[..b.len()] == *b {
            &value[b.len()..]
        } else if v.first() == Some(&b'/') && v.get(1) != Some(&b'/') {
            value.strip_prefix(base_path)?
        } else {
            return None;
        };
        match rest.bytes().next() {
            None => Some(""),
            Some(b'/' | b'?' | b'#') => Some(rest),
            _ => None,
        }
    }

    /// Appends to `out` the value to write for a URL into the site, given by its site path
    /// (`/faq/#x`, from [`Page::site_path`]).
    fn write_link(&self, path: &str, out: &mut String) {
        let (target, suffix) = split_site_path(path);
        if self.root_relative {
            out.push_str(self.site.base_path);
        } else {
            write_relative(self.dir, target, out);
        }
        if self.root_relative {
            out.push_str(target);
        } else if self.site.mode == UrlMode::Files && target.ends_with('/') {
            out.push_str("index.html");
        }
        out.push_str(suffix);
    }
}

/// A site path (`/faq/#x`) as its target (`/faq/`; `/` when empty) and what follows it (`#x`,
/// `?q`).
fn split_site_path(path: &str) -> (&str, &str) {
    let split = path
        .bytes()
        .position(|b| b == b'?' || b == b'#')
        .unwrap_or(path.len());
    let (target, suffix) = path.split_at(split);
    (if target.is_empty() { "/" } else { target }, suffix)
}

/// The folder of a target (`/blog/a/x.png`: `blog/a`; `/faq/`: `faq`; `/`: empty).
fn folder_of(target: &str) -> &str {
    let to = target.get(1..).unwrap_or_default();
    to.bytes().rposition(|b| b == b'/').map_or("", |i| &to[..i])
}

/// Appends the path from the folder `dir` (`faq`, `` at the top) to the site path `target`
/// (starts with `/`): `../prices/`, `./`, `css/site.css`.
fn write_relative(dir: &str, target: &str, out: &mut String) {
    let to = target.get(1..).unwrap_or_default();
    let to_dir = folder_of(target);
    // Drop the folders both paths start with, whole segment by whole segment.
    let (mut from, mut common) = (dir, 0);
    let (f, t) = (from.as_bytes(), to.as_bytes());
    let mut i = 0;
    while i < f.len() && i < to_dir.len() && f[i] == t[i] {
        i += 1;
        if i == f.len() || f[i] == b'/' {
            if i == to_dir.len() || t[i] == b'/' {
                common = i;
            } else {
                break;
            }
        }
    }
    if common > 0 {
        from = from[common..].trim_start_matches('/');
        common += 1;
    }
    let to = &to[common.min(to.len())..];
    let ups = if from.is_empty() {
        0
    } else {
        from.bytes().filter(|&b| b == b'/').count() + 1
    };
    const UPS: &str = "../../../../../../../../";
    match UPS.get(..3 * ups) {
        Some(up) => out.push_str(up),
        None => (0..ups).for_each(|_| out.push_str("../")),
    }
    out.push_str(to);
    if ups == 0 && to.is_empty() {
        out.push_str("./");
    }
}

#[cfg(test)]
mod tests;
