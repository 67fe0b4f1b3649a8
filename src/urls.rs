//! Stage 7, last step for an HTML file: the site's own URLs made relative to the page that
//! holds them (`urls:` in `config.yaml`), so `public/` works at any address, in a sub-folder
//! and (with `urls: files`) opened from the disk.
//!
//! In: one rendered HTML file, its output path and the base URL. Out: the same file with
//! every `href`, `src`, `srcset` candidate, `action`, `poster` and `<meta http-equiv=refresh>`
//! `url=` that points into the site (starts with `base_url`, or is root-relative under its
//! path) written relative to the page (`../prices/`), or root-relative for the 404 page
//! (served at any depth). Left as written: `<link rel="canonical">`, every other `<meta>`,
//! the content of `<script>` and `<style>`, comments, and links that leave the site.
//!
//! A scanner, not a parser: substring searches find where the base URL or a root-relative
//! value (`="/`) occurs, and only the start tags around those places are read, attribute by
//! attribute; the rest of the page is never looked at byte by byte. (It expects the lower-case
//! `<script`, `<style` and `<!--` that templates and markdown write.)

use std::borrow::Cow;

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
    let page = Page {
        dir: output.rsplit_once('/').map_or("", |(d, _)| d),
        site,
        root_relative: output == crate::site::outputs::NOT_FOUND,
    };
    let mut scan = Scan::new(html, site.base_url);
    let mut out = String::new();
    let mut copied = 0;
    while let Some((lt, tag_len)) = scan.next_tag() {
        let tag = &html[lt..lt + tag_len];
        let name_len = tag[1..]
            .bytes()
            .take_while(u8::is_ascii_alphanumeric)
            .count();
        for (start, end, new) in edits(&tag[1..=name_len], tag, &page) {
            if out.is_empty() {
                out.reserve(html.len() + html.len() / 8);
            }
            out.push_str(&html[copied..lt + start]);
            out.push_str(&new);
            copied = lt + end;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
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
    at: usize,
    /// The base URL, `="/`, `='/` and `=/`.
    candidates: [Next<'h>; 4],
    /// `<!--`, `<script` and `<style`.
    skips: [Next<'static>; 3],
}

impl<'h> Scan<'h> {
    fn new(html: &'h str, base_url: &'h str) -> Scan<'h> {
        Scan {
            html,
            at: 0,
            candidates: [
                Next::new(base_url),
                Next::new("=\"/"),
                Next::new("='/"),
                Next::new("=/"),
            ],
            skips: [Next::new("<!--"), Next::new("<script"), Next::new("<style")],
        }
    }

    /// The next candidate: the first place at or after the scan's position that may be a
    /// link into the site.
    fn candidate(&mut self) -> usize {
        let (html, at) = (self.html, self.at);
        self.candidates
            .iter_mut()
            .map(|n| n.from(html, at))
            .min()
            .unwrap_or(usize::MAX)
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
                self.at = match kind {
                    0 => html[skip..]
                        .find("-->")
                        .map_or(html.len(), |e| skip + e + 3),
                    _ => {
                        let len = tag_end(&html[skip..])?;
                        let name = if kind == 1 { "script" } else { "style" };
                        self.at = raw_text_end(html, skip + len, name);
                        return Some((skip, len));
                    }
                };
                continue;
            }
            // The tag around the candidate: from the last `<` before it to its `>`.
            let lt = memchr::memrchr(b'<', &html.as_bytes()[..c]).unwrap_or(c);
            let starts_tag = html[lt + 1..].starts_with(|ch: char| ch.is_ascii_alphabetic());
            match tag_end(&html[lt..]) {
                Some(len) if starts_tag && lt < c && lt + len > c => {
                    self.at = lt + len;
                    return Some((lt, len));
                }
                _ => self.at = c + 1,
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

/// Where the text of a `<script>` or `<style>` that starts at `from` ends (its end tag).
fn raw_text_end(html: &str, from: usize, name: &str) -> usize {
    let close = format!("</{}", name.to_ascii_lowercase());
    let rest = &html[from..];
    let found = if rest.contains("</") && !rest.contains(&close) {
        rest.to_ascii_lowercase().find(&close)
    } else {
        rest.find(&close)
    };
    found.map_or(html.len(), |i| from + i)
}

/// One attribute of a start tag: its lower-case name and the byte range of its value.
struct Attr<'t> {
    name: Cow<'t, str>,
    value: std::ops::Range<usize>,
}

/// The attributes of a start tag `<name …>` that have a value.
fn attributes(tag: &str) -> Vec<Attr<'_>> {
    let b = tag.as_bytes();
    let mut out = Vec::new();
    let mut i = 1 + b[1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    let end = tag.len().saturating_sub(1);
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
                let len = tag[i + 1..].find(q as char).unwrap_or(end - i - 1);
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
        let name = if name.bytes().any(|c| c.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        out.push(Attr { name, value });
    }
    out
}

/// The replacements in one start tag, as (start, end, new text) in tag offsets, in order.
fn edits(name: &str, tag: &str, page: &Page<'_>) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    if !tag.contains('/') {
        return out;
    }
    let attrs = attributes(tag);
    let value = |n: &str| {
        attrs
            .iter()
            .find(|a| a.name == n)
            .map(|a| &tag[a.value.clone()])
    };
    if name.eq_ignore_ascii_case("meta") {
        let refresh = value("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("refresh"));
        if let (true, Some(a)) = (refresh, attrs.iter().find(|a| a.name == "content")) {
            refresh_edit(&tag[a.value.clone()], a.value.start, page, &mut out);
        }
        return out;
    }
    let canonical = name.eq_ignore_ascii_case("link")
        && value("rel").is_some_and(|r| r.split_whitespace().any(|w| w == "canonical"));
    if canonical {
        return out;
    }
    for a in &attrs {
        let v = &tag[a.value.clone()];
        match &*a.name {
            "href" | "src" | "action" | "poster" => {
                if let Some(new) = page.link(v) {
                    out.push((a.value.start, a.value.end, new));
                }
            }
            "srcset" => {
                if let Some(new) = srcset(v, page) {
                    out.push((a.value.start, a.value.end, new));
                }
            }
            _ => {}
        }
    }
    out
}

/// The `url=` of a `<meta http-equiv="refresh" content="0; url=…">` at `offset` in the tag.
fn refresh_edit(
    content: &str,
    offset: usize,
    page: &Page<'_>,
    out: &mut Vec<(usize, usize, String)>,
) {
    let lower = content.to_ascii_lowercase();
    let Some(i) = lower.find("url=") else { return };
    let start = i + 4;
    let url = content[start..].trim_end();
    let url = url.trim_matches(|c| c == '\'' || c == '"');
    let Some(u0) = content[start..].find(url).map(|k| start + k) else {
        return;
    };
    if let Some(new) = page.link(url) {
        out.push((offset + u0, offset + u0 + url.len(), new));
    }
}

/// A `srcset` with every candidate's URL rewritten, or `None` when none changes.
fn srcset(value: &str, page: &Page<'_>) -> Option<String> {
    let mut changed = false;
    let parts: Vec<String> = value
        .split(',')
        .map(|candidate| {
            let lead = candidate.len() - candidate.trim_start().len();
            let body = candidate.trim_start();
            let url_len = body.find(char::is_whitespace).unwrap_or(body.len());
            match page.link(&body[..url_len]) {
                Some(new) => {
                    changed = true;
                    format!("{}{new}{}", &candidate[..lead], &body[url_len..])
                }
                None => candidate.to_string(),
            }
        })
        .collect();
    changed.then(|| parts.join(","))
}

impl Page<'_> {
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

    /// The value to write for a URL into the site, or `None` to leave it as it is.
    fn link(&self, value: &str) -> Option<String> {
        let path = self.site_path(value)?;
        let split = memchr::memchr2(b'?', b'#', path.as_bytes()).unwrap_or(path.len());
        let (target, suffix) = path.split_at(split);
        let target = if target.is_empty() { "/" } else { target };
        if self.root_relative {
            return Some(format!("{}{target}{suffix}", self.site.base_path));
        }
        let mut rel = relative(self.dir, target);
        if self.site.mode == UrlMode::Files && target.ends_with('/') {
            rel.push_str("index.html");
        }
        rel.push_str(suffix);
        Some(rel)
    }
}

/// The path from the folder `dir` (`faq`, `` at the top) to the site path `target` (starts
/// with `/`): `../prices/`, `./`, `css/site.css`.
fn relative(dir: &str, target: &str) -> String {
    let to = target.get(1..).unwrap_or_default();
    let (to_dir, file) = to.rsplit_once('/').unwrap_or(("", to));
    // Drop the folders both paths start with, whole segment by whole segment.
    let (mut from, mut to_dir) = (dir.trim_matches('/'), to_dir.trim_matches('/'));
    while !from.is_empty() && !to_dir.is_empty() {
        let (a, a_rest) = from.split_once('/').unwrap_or((from, ""));
        let (b, b_rest) = to_dir.split_once('/').unwrap_or((to_dir, ""));
        if a != b {
            break;
        }
        (from, to_dir) = (a_rest, b_rest);
    }
    let ups = if from.is_empty() {
        0
    } else {
        from.bytes().filter(|&c| c == b'/').count() + 1
    };
    let mut out = String::with_capacity(3 * ups + to_dir.len() + 1 + file.len() + 12);
    for _ in 0..ups {
        out.push_str("../");
    }
    if !to_dir.is_empty() {
        out.push_str(to_dir);
        out.push('/');
    }
    out.push_str(file);
    if out.is_empty() {
        out.push_str("./");
    }
    out
}

#[cfg(test)]
mod tests;
