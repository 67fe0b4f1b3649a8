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
//! A scanner, not a parser: it jumps from `<` to `<` with a substring search and reads only
//! start tags' attributes; text between tags is never looked at byte by byte.

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
    let mut out = String::new();
    let mut copied = 0;
    let mut at = 0;
    while let Some(lt) = html[at..].find('<').map(|i| at + i) {
        let rest = &html[lt..];
        if rest.starts_with("<!--") {
            at = rest.find("-->").map_or(html.len(), |e| lt + e + 3);
            continue;
        }
        let name_len = rest[1..]
            .bytes()
            .take_while(u8::is_ascii_alphanumeric)
            .count();
        if name_len == 0 {
            at = lt + 1;
            continue;
        }
        let name = &rest[1..=name_len];
        let Some(tag_len) = tag_end(rest) else { break };
        let tag = &rest[..tag_len];
        for (start, end, new) in edits(name, tag, &page) {
            out.push_str(&html[copied..lt + start]);
            out.push_str(&new);
            copied = lt + end;
        }
        at = lt + tag_len;
        if name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style") {
            at = raw_text_end(html, at, name);
        }
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
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
    let mut quote = None;
    for (i, b) in rest.bytes().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
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
        let rest = if let Some(r) = value.strip_prefix(base_url) {
            r
        } else if value.starts_with('/') && !value.starts_with("//") {
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
        let split = path.find(['?', '#']).unwrap_or(path.len());
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
    let to = &target[1..];
    let (to_dir, file) = to.rsplit_once('/').unwrap_or(("", to));
    let from: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let to_parts: Vec<&str> = to_dir.split('/').filter(|s| !s.is_empty()).collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(from.len() - common);
    for part in &to_parts[common..] {
        out.push_str(part);
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
