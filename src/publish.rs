//! Ready to publish: what the site owner has still to fill in before the site goes live, for
//! `stillpoint check --publish` ([`findings`]) and for the themes, which read the answer as
//! `config.ready_to_publish` ([`is_ready`]) and ask search engines not to index a site that is
//! not ready yet. Both use the functions here, so they always agree.
//!
//! In: the resolved [`Config`] (with the text of `config.yaml`), the [`SiteTree`] (every page
//! and section that will be published; drafts only with `--drafts`) and the files under
//! `data/`. Out: one error [`Diagnostic`] per thing left to do, with file, line and column.
//! Nothing here writes or prints.
//!
//! What is not ready:
//!
//! - a **placeholder**: a part in square brackets, `[Phone number — to be added]`, by the one
//!   rule of the theme's `placeholder` test ([`crate::seo::placeholder_parts`]), in
//!   - any text value of `config.yaml`, of a page's front matter, and of a data file
//!     (`data/**/*.yaml`, `.yml`, `.json`, `.toml`, `.csv`): each value as YAML, JSON, TOML or
//!     CSV reads it, so the brackets of a YAML or TOML list (`days: [Monday]`) and comments
//!     (`# replace every value in [square brackets]`) are not placeholders;
//!   - the text of a page: the text markdown shows (CommonMark text, with the site's markdown
//!     options), taken a block at a time (a paragraph, a heading, a list item, a table cell),
//!     across emphasis, links and line breaks, so `[price — *to be added*]` counts. Markdown
//!     syntax is never a placeholder: a link's `[text](address)` or `[text][ref]` with its
//!     definition, a footnote reference `[^1]`, a task list's `[ ]`/`[x]`, code (inline or a
//!     block), HTML tags and HTML blocks (an HTML block's text is not read), and shortcode
//!     calls (`{{ name(list=[1, 2]) }}`). A shortcode's text argument
//!     (`text="[to be added]"`) is page text. Brackets escaped with a backslash, `\[1\]`, are
//!     shown on the page but are not placeholders: that is how to write brackets that are
//!     meant;
//! - a `base_url` that is a placeholder address: `example.com`, `example.org`, `example.net`
//!   and their subdomains, the reserved names `*.example`, `*.test`, `*.invalid`, `localhost`
//!   (RFC 2606, RFC 6761), or an IP address;
//! - `extra.placeholder_notice` still set (the default theme shows it on every page).

use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Tag, TagEnd};
use rayon::prelude::*;

use crate::config::Config;
use crate::content::Document;
use crate::error::{Diagnostic, Span};
use crate::markdown::{self, Positions};
use crate::markdown::{is_inline, is_inline_end};
use crate::seo::placeholder_parts;
use crate::shortcodes::{self, Piece};
use crate::site::SiteTree;

/// The `extra` key whose value the default theme shows as a notice while details are
/// placeholders.
pub const NOTICE_KEY: &str = "placeholder_notice";

/// The extensions of data files that are read for placeholders (as `load_data` reads them).
pub const DATA_FORMATS: &[&str] = &["yaml", "yml", "json", "toml", "csv"];

/// Everything the site owner has still to fill in (see the module docs), as errors: first
/// `config.yaml` (`base_url`, `placeholder_notice`, then its placeholders in file order), then
/// the data files, then the pages and sections, each in path order and each file's findings in
/// file order. Empty when the site is ready to publish.
///
/// A file that cannot be read or parsed is left out: the build reports it.
pub fn findings(config: &Config, tree: &SiteTree) -> Vec<Diagnostic> {
    let mut out = config_findings(config);
    out.extend(data_findings(&config.root));
    let mut docs = documents(tree);
    docs.sort_by(|a, b| a.shown.cmp(&b.shown));
    for doc in docs {
        out.extend(document_findings(doc));
    }
    out
}

/// True when [`findings`] would be empty: the value templates see as
/// `config.ready_to_publish`. Stops at the first thing found; pages are read in parallel.
pub fn is_ready(config: &Config, tree: &SiteTree) -> bool {
    config_findings(config).is_empty()
        && data_findings(&config.root).is_empty()
        && !documents(tree)
            .par_iter()
            .any(|d| document_has_placeholders(d))
}

/// True when the front matter or the text of `doc` holds a placeholder (for incremental
/// rebuilds: a save that adds the first or removes the last one may change
/// `config.ready_to_publish` for every page).
pub fn document_has_placeholders(doc: &Document) -> bool {
    might_have_placeholders(doc)
        && (front_matter_found(doc).is_some_and(|(found, ..)| !found.is_empty())
            || !text_placeholders(doc.body()).is_empty())
}

/// Why `base_url` cannot be the published site's address, or `None` when it can: a reserved
/// example domain, a local name or an IP address (see the module docs). A `base_url` that is
/// not a URL gives `None` (the config stage reports it).
pub fn placeholder_address(base_url: &str) -> Option<String> {
    let url = url::Url::parse(base_url).ok()?;
    match url.host()? {
        url::Host::Ipv4(ip) => Some(format!(
            "{ip} is an IP address; a published site has a domain name"
        )),
        url::Host::Ipv6(ip) => Some(format!(
            "[{ip}] is an IP address; a published site has a domain name"
        )),
        url::Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            let under = |name: &str| d == name || d.ends_with(&format!(".{name}"));
            if under("localhost") {
                Some(format!("{d} is this computer, not an address on the web"))
            } else if ["example.com", "example.org", "example.net"]
                .iter()
                .any(|n| under(n))
                || ["example", "test", "invalid"].iter().any(|n| under(n))
            {
                Some(format!(
                    "{d} is reserved for examples and can never be the site's address"
                ))
            } else {
                None
            }
        }
    }
}

/// The published pages and sections with a markdown file.
fn documents(tree: &SiteTree) -> Vec<&Document> {
    tree.pages
        .iter()
        .map(|p| &p.doc)
        .chain(tree.sections.iter().filter_map(|s| s.doc.as_ref()))
        .collect()
}

/// Where a placeholder was found, for its message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// A value of `config.yaml`, a data file or front matter, by its key path (`extra.phone`).
    Value(String),
    /// The text of a page.
    Text,
    /// A text argument of a shortcode call: (shortcode, argument).
    Argument(String, String),
}

/// One placeholder: its text, where it is, and at which byte range of `source`, when found.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    text: String,
    place: Place,
    at: Option<Range<usize>>,
}

/// The help shared by every placeholder.
const PLACEHOLDER_HELP: &str =
    "write the real text in place of the part in [square brackets], which marks a placeholder";

/// The diagnostic for `found` in `file`, without its position (see [`at_offset`]);
/// `front_matter` says the value is one of a page's front matter.
fn diagnostic(found: &Found, file: &Path, front_matter: bool) -> Diagnostic {
    let text = found.text.replace('\n', " ");
    let (message, help) = match &found.place {
        Place::Value(key) => {
            let within = if front_matter {
                format!("the front matter of {}", file.display())
            } else {
                file.display().to_string()
            };
            (
                format!("placeholder left in {within}: `{key}` is \"{text}\""),
                PLACEHOLDER_HELP.to_string(),
            )
        }
        // A footnote reference without its note is shown as written, brackets and all.
        Place::Text if text.starts_with("[^") && !text.contains(char::is_whitespace) => (
            format!(
                "placeholder left in the text of {}: \"{text}\"",
                file.display()
            ),
            format!(
                "this looks like a footnote reference whose note is missing: add the note on a line of its own, like `{text}: The source.`, or remove the reference"
            ),
        ),
        Place::Text => (
            format!(
                "placeholder left in the text of {}: \"{text}\"",
                file.display()
            ),
            format!(
                "{PLACEHOLDER_HELP}; to show brackets that are not a placeholder, write `\\[` and `\\]`"
            ),
        ),
        Place::Argument(name, arg) => (
            format!(
                "placeholder left in {}: `{arg}` of the `{name}` shortcode is \"{text}\"",
                file.display()
            ),
            PLACEHOLDER_HELP.to_string(),
        ),
    };
    Diagnostic::error(message).in_file(file).help(help)
}

/// `d` placed at the byte range `at` of `text`, which starts on line `first_line` of the
/// file whose whole text is `whole`.
fn at_offset(
    d: Diagnostic,
    at: Option<&Range<usize>>,
    text: &str,
    whole: &str,
    first_line: usize,
) -> Diagnostic {
    let Some(r) = at else {
        return d;
    };
    let (line, col) = crate::error::line_col(text, r.start);
    let len = text.get(r.clone()).map_or(1, |s| {
        s.chars().take_while(|&c| c != '\n' && c != '\r').count()
    });
    d.at(Span::new(first_line + line - 1, col, len.max(1)), whole)
        .label("placeholder")
}

/// `base_url`, `placeholder_notice` and the placeholders of `config.yaml`.
fn config_findings(config: &Config) -> Vec<Diagnostic> {
    let file = Path::new("config.yaml");
    let source = config.config_source.as_str();
    let mut out = Vec::new();
    if let Some(why) = placeholder_address(&config.base_url) {
        let mut d = Diagnostic::error(format!(
            "`base_url` is a placeholder address: {}",
            config.base_url
        ))
        .in_file(file)
        .note(why)
        .help("set `base_url` in config.yaml to the address the site will be published at, like `base_url: \"https://www.your-studio.ca\"`: links in search results, shared links and the sitemap use it");
        if let Some(span) = crate::yaml::key_value_span(source, "base_url") {
            d = d.at(span, source).label("placeholder address");
        }
        out.push(d);
    }
    let notice = config.extra.get(NOTICE_KEY);
    if notice.is_some_and(is_set) {
        let mut d = Diagnostic::error(format!(
            "`extra.{NOTICE_KEY}` is still set: every page tells visitors that details are placeholders"
        ))
        .in_file(file)
        .help(format!(
            "once every placeholder is filled in, delete the `{NOTICE_KEY}:` line from config.yaml"
        ));
        if let Some(at) = find_key(source, NOTICE_KEY) {
            let (line, col) = crate::error::line_col(source, at);
            d = d
                .at(Span::new(line, col, NOTICE_KEY.chars().count()), source)
                .label("still set");
        }
        out.push(d);
    }
    let Ok(value) = crate::yaml::from_str::<serde_json::Value>(source) else {
        return out;
    };
    let mut values = Vec::new();
    text_values(&value, "", &mut values);
    values.retain(|(key, _)| key != &format!("extra.{NOTICE_KEY}"));
    for found in locate(source, &values, Comments::Hash) {
        let d = diagnostic(&found, file, false);
        out.push(at_offset(d, found.at.as_ref(), source, source, 1));
    }
    out
}

/// True for a value a template's `if` takes as true: not null, `false`, `0`, empty text, an
/// empty list or an empty map.
fn is_set(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        serde_json::Value::String(s) => !s.is_empty(),
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(m) => !m.is_empty(),
    }
}

/// The placeholders of the data files under `root/data/`, in path order.
fn data_findings(root: &Path) -> Vec<Diagnostic> {
    let Ok(files) = crate::content::walk(&root.join("data"), Path::new("data"), false) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, relative) in files {
        let ext = Path::new(&relative)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if !DATA_FORMATS.contains(&ext.as_str()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let shown = PathBuf::from("data").join(&relative);
        let Ok(value) = crate::data::parse(text, &ext, &relative) else {
            continue;
        };
        let mut values = Vec::new();
        if ext == "csv" {
            // Zola's shape, `{headers, records}`: name cells by row and column instead.
            csv_values(&value, &mut values);
        } else {
            text_values(&value, "", &mut values);
        }
        let comments = match ext.as_str() {
            "yaml" | "yml" | "toml" => Comments::Hash,
            _ => Comments::None,
        };
        for found in locate(text, &values, comments) {
            let d = diagnostic(&found, &shown, false);
            out.push(at_offset(d, found.at.as_ref(), text, text, 1));
        }
    }
    out
}

/// The cells of a CSV value, as `row 2, column "price"` (row 1 is the header).
fn csv_values(value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    let headers: Vec<String> = value["headers"]
        .as_array()
        .map(|h| {
            h.iter()
                .map(|c| c.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    for (c, h) in headers.iter().enumerate() {
        out.push((format!("row 1, column {}", c + 1), h.clone()));
    }
    for (r, row) in value["records"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        for (c, cell) in row.as_array().into_iter().flatten().enumerate() {
            let column = headers.get(c).filter(|h| !h.is_empty()).map_or_else(
                || format!("column {}", c + 1),
                |h| format!("column \"{h}\""),
            );
            if let Some(s) = cell.as_str() {
                out.push((format!("row {}, {column}", r + 2), s.to_string()));
            }
        }
    }
}

/// Every text value of `value`, in document order, with its key path (`extra.hours[0]`).
fn text_values(value: &serde_json::Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::String(s) => out.push((path.to_string(), s.clone())),
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                text_values(v, &format!("{path}[{i}]"), out);
            }
        }
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let key = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                text_values(v, &key, out);
            }
        }
        _ => {}
    }
}

/// Which comments a data format has, so that text in them is not taken for a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comments {
    /// `# …` to the end of the line (YAML, TOML).
    Hash,
    /// None (JSON, CSV).
    None,
}

/// Each placeholder part of `values` (key path, text), in order, with where its text is written
/// in `source`: searched for from the previous one on (values come in document order), outside
/// comments; `None` when it is not written as it reads (an escape like `\u00e9`).
fn locate(source: &str, values: &[(String, String)], comments: Comments) -> Vec<Found> {
    let mut out = Vec::new();
    let mut cursor = 0;
    for (key, value) in values {
        for part in placeholder_parts(value) {
            let text = &value[part];
            let at = find_outside_comments(source, text, cursor, comments)
                .or_else(|| find_outside_comments(source, text, 0, comments))
                .map(|i| i..i + text.len())
                .or_else(|| {
                    // A value folded over several lines: its first line is written as it reads.
                    let first = text.split(char::is_whitespace).next().unwrap_or(text);
                    (first.len() > 1)
                        .then(|| find_outside_comments(source, first, cursor, comments))
                        .flatten()
                        .map(|i| i..i + first.len())
                });
            if let Some(r) = &at
                && r.start >= cursor
            {
                cursor = r.end;
            }
            out.push(Found {
                text: text.to_string(),
                place: Place::Value(key.clone()),
                at,
            });
        }
    }
    out
}

/// The first offset at or after `from` where `needle` is written in `source` outside a comment.
fn find_outside_comments(
    source: &str,
    needle: &str,
    from: usize,
    comments: Comments,
) -> Option<usize> {
    let mut start = from;
    while let Some(i) = source.get(start..)?.find(needle) {
        let at = start + i;
        if comments == Comments::None || !in_comment(source, at) {
            return Some(at);
        }
        start = at + needle.len();
    }
    None
}

/// True when `at` is inside a `#` comment of its line: a `#` at the start of the line or after
/// a blank, outside quotes (YAML and TOML).
fn in_comment(source: &str, at: usize) -> bool {
    let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for c in source[line_start..at].chars() {
        match quote {
            Some(q) if c == q && !(q == '"' && prev == '\\') => quote = None,
            Some(_) => {}
            None if c == '#' && prev.is_whitespace() => return true,
            None if (c == '"' || c == '\'') && (prev.is_whitespace() || ":,[{-".contains(prev)) => {
                quote = Some(c);
            }
            None => {}
        }
        prev = c;
    }
    false
}

/// The offset of the key `key:` (at the start of a line, after indentation) in a YAML text.
fn find_key(source: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with(':')
        {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

/// The placeholders of one page or section: its front matter values, then its text.
fn document_findings(doc: &Document) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !might_have_placeholders(doc) {
        return out;
    }
    if let Some((found, yaml, first_line)) = front_matter_found(doc) {
        for f in found {
            let d = diagnostic(&f, &doc.shown, true);
            out.push(at_offset(d, f.at.as_ref(), yaml, &doc.source, first_line));
        }
    }
    let body = doc.body();
    let mut found = text_placeholders(body);
    found.sort_by_key(|f| f.at.as_ref().map_or(0, |r| r.start));
    let mut positions = Positions::new(body, doc.body_line);
    for f in found {
        let mut d = diagnostic(&f, &doc.shown, false);
        if let Some(r) = f.at {
            let s = positions.span(r);
            d = d
                .at(Span::new(s.line, s.col, s.len.max(1)), &doc.source)
                .label("placeholder");
        }
        out.push(d);
    }
    out
}

/// False when `doc` has no `[` with a `]` after it anywhere, as most files: nothing to parse.
fn might_have_placeholders(doc: &Document) -> bool {
    crate::seo::is_placeholder_text(&doc.source)
}

/// The placeholders of `doc`'s front matter, with its YAML text and the line that text starts
/// on; `None` without front matter, or when it does not parse (the build reports that).
fn front_matter_found(doc: &Document) -> Option<(Vec<Found>, &str, usize)> {
    let (yaml, start) = front_matter_text(doc)?;
    let value = crate::yaml::from_str::<serde_json::Value>(yaml).ok()?;
    let mut values = Vec::new();
    text_values(&value, "", &mut values);
    let first_line = doc.source[..start].matches('\n').count() + 1;
    Some((locate(yaml, &values, Comments::Hash), yaml, first_line))
}

/// The YAML text of `doc`'s front matter (between the `---` lines) and its byte offset in the
/// file, when it has one.
fn front_matter_text(doc: &Document) -> Option<(&str, usize)> {
    if doc.body_start == 0 {
        return None;
    }
    let front = doc.source.get(..doc.body_start)?;
    let start = front.find('\n')? + 1;
    let end = front.trim_end_matches(['\r', '\n']).rfind('\n')? + 1;
    Some((front.get(start..end.max(start))?, start))
}

/// The placeholders in the text of a page body (markdown after the front matter), with byte
/// ranges of `body` (see the module docs for what counts as text).
fn text_placeholders(body: &str) -> Vec<Found> {
    let mut found = Vec::new();
    // Shortcode calls are masked out (same length, line breaks kept, so offsets hold); their
    // text arguments are read on their own. A body whose shortcodes do not parse is read as it
    // is (the build reports the error).
    let masked: std::borrow::Cow<'_, str> = if !(body.contains("{{") || body.contains("{%")) {
        body.into()
    } else {
        match shortcodes::parse(body) {
            Ok(pieces) => {
                let mut bytes = body.as_bytes().to_vec();
                mask_pieces(body, &pieces, &mut bytes, &mut found);
                String::from_utf8(bytes).map_or(body.into(), Into::into)
            }
            Err(_) => body.into(),
        }
    };
    let mut run = Run::default();
    let mut code = 0usize;
    // A body the markdown parser fails on has nothing to read here (the build reports it).
    let events = markdown::events(&masked, markdown::options()).unwrap_or_default();
    for (event, range) in events {
        match event {
            Event::Text(t) if code == 0 => run.push_text(&t, &masked, range),
            Event::Text(_) => {}
            Event::SoftBreak | Event::HardBreak => run.push_neutral("\n", range),
            Event::Code(_) => run.push_neutral(" ", range),
            Event::Start(Tag::CodeBlock(_)) => {
                run.flush(body, &mut found);
                code += 1;
            }
            Event::End(TagEnd::CodeBlock) => {
                code = code.saturating_sub(1);
            }
            Event::Start(tag) if !is_inline(&tag) => run.flush(body, &mut found),
            Event::End(end) if !is_inline_end(end) => run.flush(body, &mut found),
            // Inline tags, raw HTML, footnote references, task list markers: no text of their own.
            _ => {}
        }
    }
    run.flush(body, &mut found);
    found
}

/// Masks the shortcode calls of `pieces` in `bytes` (a copy of `body`) and adds the
/// placeholders of their text arguments to `found`.
fn mask_pieces(body: &str, pieces: &[Piece], bytes: &mut [u8], found: &mut Vec<Found>) {
    let mut mask = |r: &Range<usize>| {
        for b in bytes.get_mut(r.clone()).into_iter().flatten() {
            if *b != b'\n' && *b != b'\r' {
                *b = b'x';
            }
        }
    };
    let mut nested = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Text(_) => {}
            Piece::Literal { range, .. } => mask(range),
            Piece::Call(call) => {
                mask(&call.range);
                for arg in &call.args {
                    let written = body.get(arg.range.clone()).unwrap_or_default();
                    let mut texts = Vec::new();
                    argument_texts(&arg.value, &mut texts);
                    let mut cursor = 0;
                    for text in texts {
                        for part in placeholder_parts(text) {
                            let t = &text[part];
                            let at = written.get(cursor..).and_then(|w| w.find(t)).map(|i| {
                                cursor += i + t.len();
                                arg.range.start + cursor - t.len()..arg.range.start + cursor
                            });
                            found.push(Found {
                                text: t.to_string(),
                                place: Place::Argument(call.name.clone(), arg.name.clone()),
                                at: at.or(Some(arg.range.clone())),
                            });
                        }
                    }
                }
                if let Some(b) = &call.body {
                    mask(&b.end_range);
                    nested.push(&b.pieces);
                }
            }
        }
    }
    for pieces in nested {
        mask_pieces(body, pieces, bytes, found);
    }
}

/// The text values of a shortcode argument (an array's too), in order.
fn argument_texts<'a>(value: &'a shortcodes::Value, out: &mut Vec<&'a str>) {
    match value {
        shortcodes::Value::Str(s) => out.push(s),
        shortcodes::Value::Array(items) => items.iter().for_each(|v| argument_texts(v, out)),
        _ => {}
    }
}

/// The text of one block being read: what the page shows, and where each piece of it came
/// from in the body.
#[derive(Default)]
struct Run {
    /// The text as shown.
    text: String,
    /// The same text with brackets that are not placeholders (escaped ones) made blanks, for
    /// the rule.
    rule: String,
    /// (offset in `text`, range of the body, written exactly as shown), in order.
    pieces: Vec<(usize, Range<usize>, bool)>,
}

impl Run {
    fn push_text(&mut self, shown: &str, body: &str, range: Range<usize>) {
        let written = body.get(range.clone()).unwrap_or_default();
        self.pieces
            .push((self.text.len(), range.clone(), written == shown));
        self.text.push_str(shown);
        // `\[` in markdown shows `[`: a bracket that is meant. pulldown-cmark starts a new text
        // at the escaped character, its range just after the backslash.
        let backslashes = body
            .get(..range.start)
            .map_or(0, |b| b.len() - b.trim_end_matches('\\').len());
        match shown.chars().next() {
            Some(c @ ('[' | ']')) if backslashes % 2 == 1 => {
                self.rule.push(' ');
                self.rule.push_str(&shown[c.len_utf8()..]);
            }
            _ => self.rule.push_str(shown),
        }
    }

    fn push_neutral(&mut self, shown: &str, range: Range<usize>) {
        self.pieces.push((self.text.len(), range, false));
        self.text.push_str(shown);
        self.rule.push_str(shown);
    }

    /// Reports the placeholders of the run and starts a new one.
    fn flush(&mut self, body: &str, found: &mut Vec<Found>) {
        for part in placeholder_parts(&self.rule) {
            let start = self.to_body(part.start, false);
            let end = self.to_body(part.end, true);
            // As written (the owner searches for it), not as shown (smart quotes).
            let text = body
                .get(start..end)
                .filter(|t| t.starts_with('[') && t.ends_with(']'))
                .unwrap_or(&self.text[part]);
            found.push(Found {
                text: text.to_string(),
                place: Place::Text,
                at: Some(start..end.max(start + 1)),
            });
        }
        *self = Run::default();
    }

    /// The body offset of `offset` in the text (an end offset when `end`).
    fn to_body(&self, offset: usize, end: bool) -> usize {
        let probe = if end {
            offset.saturating_sub(1)
        } else {
            offset
        };
        let i = self
            .pieces
            .partition_point(|(start, _, _)| *start <= probe)
            .saturating_sub(1);
        let Some((start, range, verbatim)) = self.pieces.get(i) else {
            return 0;
        };
        match (verbatim, end) {
            (true, _) => range.start + (offset - start),
            (false, false) => range.start,
            (false, true) => range.end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The placeholders of a body's text, as (text, line:col) with the body starting on line 1.
    fn text_of(body: &str) -> Vec<(String, String)> {
        let mut found = text_placeholders(body);
        found.sort_by_key(|f| f.at.as_ref().map_or(0, |r| r.start));
        let mut positions = Positions::new(body, 1);
        found
            .into_iter()
            .map(|f| {
                let s = positions.span(f.at.unwrap_or(0..0));
                (f.text, format!("{}:{}", s.line, s.col))
            })
            .collect()
    }

    fn texts(body: &str) -> Vec<String> {
        text_of(body).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn bracketed_text_in_a_page_is_a_placeholder_with_its_position() {
        assert_eq!(
            text_of("Intro.\n\n- Price: [price — to be added], [length — to be added]\n"),
            [
                ("[price — to be added]".to_string(), "3:10".to_string()),
                ("[length — to be added]".to_string(), "3:33".to_string()),
            ]
        );
        assert_eq!(
            text_of("## [Heading — to be added]\n"),
            [("[Heading — to be added]".to_string(), "1:4".to_string())]
        );
    }

    #[test]
    fn placeholders_across_emphasis_links_and_line_breaks_count() {
        assert_eq!(
            texts("[price — *to be added*]"),
            ["[price — *to be added*]"]
        );
        assert_eq!(
            texts("[call [us](https://a.example/) later]"),
            ["[call [us](https://a.example/) later]"]
        );
        // As written, not as shown ("Studio’s" with smart punctuation).
        assert_eq!(texts("[Studio's hours]"), ["[Studio's hours]"]);
        assert_eq!(texts("[a long\nplaceholder]"), ["[a long\nplaceholder]"]);
        assert_eq!(
            texts("> [quoted — to be added]"),
            ["[quoted — to be added]"]
        );
        assert_eq!(texts("| a | b |\n|---|---|\n| [cell] | x |\n"), ["[cell]"]);
        // The text of a link is page text too.
        assert_eq!(texts("[[Studio name]](/about/)"), ["[Studio name]"]);
    }

    #[test]
    fn markdown_syntax_is_not_a_placeholder() {
        for body in [
            "A [link](https://a.example/) and ![an image](a.png).",
            "A [reference link][r] and [another].\n\n[r]: https://a.example/\n[another]: /x/\n",
            "A footnote[^1].\n\n[^1]: The note.\n",
            "- [ ] a task\n- [x] a done task\n",
            "Code: `[x]` and `a[0]`.",
            "```\nlet v = a[0];\n[section]\n```\n",
            "    indented [code]\n",
            "<div>[raw html]</div>\n",
            "An opening [ with no close.",
            "A close ] before an open [.",
            "Escaped: \\[1\\] and \\[to be added\\].",
            "Escaped in emphasis: *\\[1\\]*.",
        ] {
            assert_eq!(texts(body), Vec::<String>::new(), "{body:?}");
        }
    }

    #[test]
    fn a_placeholder_in_a_footnote_or_list_is_found() {
        assert_eq!(
            texts("Note[^1].\n\n[^1]: [Source — to be added]\n"),
            ["[Source — to be added]"]
        );
        assert_eq!(
            texts("- [x] [task text — to be added]\n"),
            ["[task text — to be added]"]
        );
        // A footnote reference without its note shows as written: brackets on the page.
        assert_eq!(texts("Missing note[^nowhere]."), ["[^nowhere]"]);
        let d = doc("---\ntitle: A\n---\nMissing note[^nowhere].\n");
        let found = document_findings(&d);
        assert_eq!(
            found[0].help.as_deref(),
            Some(
                "this looks like a footnote reference whose note is missing: add the note on a line of its own, like `[^nowhere]: The source.`, or remove the reference"
            )
        );
        // An escaped backslash escapes nothing after it.
        assert_eq!(texts("a\\\\[b]"), ["[b]"]);
    }

    #[test]
    fn shortcode_calls_are_not_placeholders_but_their_text_arguments_are() {
        assert_eq!(
            texts("Say {{ list(items=[1, 2]) }} now."),
            Vec::<String>::new()
        );
        assert_eq!(
            text_of("Book {{ book(text=\"[Book — to be added]\") }}."),
            [("[Book — to be added]".to_string(), "1:20".to_string())]
        );
        assert_eq!(
            texts("{% note() %}\n[Inside a body]\n{% end %}\n"),
            ["[Inside a body]"]
        );
    }

    #[test]
    fn values_are_located_outside_comments_in_document_order() {
        let source = "# replace every value in [square brackets]\nextra:\n  days: [Monday]\n  phone: \"[Phone]\" # [Phone]\n  other: \"[Phone]\"\n";
        let value: serde_json::Value = crate::yaml::from_str(source).unwrap();
        let mut values = Vec::new();
        text_values(&value, "", &mut values);
        let found = locate(source, &values, Comments::Hash);
        let at: Vec<(String, usize)> = found
            .iter()
            .map(|f| {
                let Place::Value(k) = &f.place else {
                    panic!("{f:?}")
                };
                (
                    k.clone(),
                    crate::error::line_col(source, f.at.clone().unwrap().start).0,
                )
            })
            .collect();
        assert_eq!(
            at,
            [
                ("extra.phone".to_string(), 4),
                ("extra.other".to_string(), 5)
            ]
        );
    }

    #[test]
    fn placeholder_addresses() {
        for url in [
            "https://example.com",
            "https://www.example.org/studio/",
            "http://example.net",
            "https://studio.example",
            "https://site.test",
            "http://localhost:1111",
            "http://127.0.0.1:8080",
            "http://[::1]/",
            "https://EXAMPLE.COM.",
        ] {
            assert!(placeholder_address(url).is_some(), "{url}");
        }
        for url in [
            "https://www.stillpoint-studio.ca",
            "https://example-studio.com",
            "https://myexample.com",
            "https://studio.example.ca",
            "not a url",
        ] {
            assert_eq!(placeholder_address(url), None, "{url}");
        }
    }

    fn doc(source: &str) -> Document {
        Document::for_test("a.md", source)
    }

    #[test]
    fn has_placeholders_agrees_with_the_findings() {
        for (source, has) in [
            ("---\ntitle: A\n---\nNo brackets.\n", false),
            ("---\ntitle: A\n---\nA [link](/a/).\n", false),
            ("---\ntitle: \"[A]\"\n---\nText.\n", true),
            (
                "---\ntitle: A\nextra:\n  days: [Monday]\n---\nText.\n",
                false,
            ),
            ("---\ntitle: A\n---\nText [to be added].\n", true),
            ("Text without front matter [to be added].\n", true),
            ("---\ntitle: A\n---\n{{ x(t=\"[to be added]\") }}\n", true),
        ] {
            let d = doc(source);
            assert_eq!(document_has_placeholders(&d), has, "{source:?}");
            assert_eq!(!document_findings(&d).is_empty(), has, "{source:?}");
        }
    }

    #[test]
    fn front_matter_text_is_between_the_fences() {
        let source = "---\ntitle: \"[Title]\"\n---\nBody\n";
        let (yaml, start) = (&source[4..21], 4usize);
        let doc = Document {
            relative: "a.md".into(),
            shown: PathBuf::from("content/a.md"),
            kind: crate::content::SourceKind::Page,
            source: source.into(),
            front: crate::content::front_matter::FrontMatter::default(),
            body_start: 25,
            body_line: 4,
            warnings: Vec::new(),
        };
        assert_eq!(front_matter_text(&doc), Some((yaml, start)));
        let found = document_findings(&doc);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "placeholder left in the front matter of content/a.md: `title` is \"[Title]\""
        );
        assert_eq!(found[0].span, Some(Span::new(2, 9, 7)));
    }
}
