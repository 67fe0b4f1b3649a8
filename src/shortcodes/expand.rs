//! Stage 5 with shortcodes: renders every shortcode call of a page body through its template
//! (`templates/shortcodes/NAME.html`, the site's before the theme's), then the markdown, and puts
//! the shortcodes' HTML in place.
//!
//! How shortcode output meets markdown (Zola renders shortcodes first and protects their HTML
//! from the markdown parser; so do we, with placeholders):
//!
//! - each call is replaced by a placeholder that markdown leaves alone: a call alone on its line
//!   becomes an HTML comment line (a block: no `<p>` around a `<figure>`), any other an inline
//!   marker; after markdown, each placeholder is replaced by the call's HTML, untouched;
//! - a body `{% name() %}…{% end %}` renders its template with `body` set to a marker; the HTML
//!   before and after the marker replaces the opening and the `{% end %}`, and the body itself
//!   stays in the page's markdown, so it is rendered as markdown with the rest of the page (links
//!   checked, heading ids unique, shortcodes inside it expanded). A template that does not write
//!   `body` drops it; one that writes it twice is an error. Put the opening and the `{% end %}`
//!   on lines of their own for a body of paragraphs;
//! - positions in link diagnostics are mapped back through a [`SourceMap`], so they stay right
//!   after a shortcode.
//!
//! Citations: `cite(key=…)` numbers entries of `data/references.yaml` in order of first citation
//! on the page; `references()` lists the cited entries in that order with links back to each
//! citation (grouped by the section heading above it). A page that cites without calling
//! `references()` gets the list at its end (the template sees `auto = true`). That part is in
//! `cite.rs`.

// A child of this module, as it adds to the `Expander` and reads the placeholders, but in a
// file beside `expand.rs`: the citations are a stage of their own to a reader.
#[path = "cite.rs"]
mod cite;

use std::collections::HashMap;
use std::path::Path;

use tera::{Context, Value};

use super::{Call, Piece};
use crate::error::{Diagnostic, Span};
use crate::html::{escape, strip_tags};
use crate::markdown::{self, LinkResolver, LinkTarget, Rendered, SourceMap};
use crate::references::References;
use crate::templates::Templates;
use cite::clean_toc;

/// What a body's shortcodes are rendered with.
pub struct Env<'a> {
    /// The templates, with the `shortcodes/` ones.
    pub templates: &'a Templates,
    /// `config` as templates see it.
    pub config: &'a Value,
    /// `"page"` or `"section"`: the name the page's value has in the shortcode's context.
    pub page_key: &'static str,
    /// The page's (or section's) title, path, permalink, description and extra, made the first
    /// time a shortcode or render hook asks for it (most pages have neither).
    pub page: &'a LazyValue<'a>,
    /// The site's reference list.
    pub references: &'a References,
    /// The `markdown:` settings the body renders with.
    pub markdown: &'a markdown::Settings,
}

/// A template value made on first use, then kept ([`Env::page`]). Shared by the threads that
/// render one document's shortcodes and hooks.
pub struct LazyValue<'a> {
    value: std::sync::OnceLock<Value>,
    make: Box<dyn Fn() -> Value + Send + Sync + 'a>,
}

impl<'a> LazyValue<'a> {
    /// A value that `make` makes when it is first asked for.
    pub fn new(make: impl Fn() -> Value + Send + Sync + 'a) -> Self {
        LazyValue {
            value: std::sync::OnceLock::new(),
            make: Box::new(make),
        }
    }

    /// The value, made now if it was not yet.
    pub fn get(&self) -> &Value {
        self.value.get_or_init(|| (self.make)())
    }
}

/// The page being rendered.
pub struct Doc<'a> {
    /// The file as the owner knows it (`content/faq.md`).
    pub shown: &'a Path,
    /// The whole file (for the diagnostic's line text).
    pub source: &'a str,
    /// The markdown after the front matter.
    pub body: &'a str,
    /// The file line where `body` starts (1-based).
    pub body_line: usize,
}

/// Inline placeholder: `\u{E000}N\u{E001}` (private-use characters markdown treats as text).
const INLINE_OPEN: char = '\u{E000}';
const INLINE_CLOSE: char = '\u{E001}';
/// Block placeholder: an HTML comment line, which CommonMark passes through as an HTML block.
const BLOCK_OPEN: &str = "<!--stillpoint-shortcode-";
const BLOCK_CLOSE: &str = "-->";
/// What `body` holds while a body shortcode's template renders.
const BODY_MARKER: &str = "\u{E002}stillpoint-body\u{E003}";

/// Renders a body with its shortcodes: [`markdown::render`] plus the shortcode step.
///
/// Errors (every one found, each at the call in the markdown file): a shortcode written wrongly
/// (see [`super::parse`]), an unknown shortcode (with the closest known name), an error inside a
/// shortcode's template (naming the template, and carrying the same error at its place in the
/// template: [`crate::error::merge_repeats`] folds the calls that meet it into one diagnostic
/// there), a `src` that names no file, a `cite` of a key missing from `data/references.yaml`.
pub fn render(
    doc: &Doc<'_>,
    env: &Env<'_>,
    resolver: &dyn LinkResolver,
) -> Result<Rendered, Vec<Diagnostic>> {
    if !doc.body.contains("{{") && !doc.body.contains("{%") {
        return Ok(markdown::render_mapped(
            doc.body,
            None,
            doc.body_line,
            resolver,
            env.markdown,
        ));
    }
    let pieces = super::parse(doc.body).map_err(|e| {
        let d = at(
            doc,
            e.range.clone(),
            Diagnostic::error(format!("{} (in {})", e.message, doc.shown.display())),
        )
        .label(e.label)
        .help(e.help);
        // Where the call starts, when the problem is found past the end of its line or past
        // another call (an unclosed quote or `(` runs on): the owner looks there first.
        let ran_on = |c: &std::ops::Range<usize>| {
            doc.body
                .get(c.start + 2..e.range.start)
                .is_some_and(|t| t.contains('\n') || t.contains("{{") || t.contains("{%"))
        };
        let d = match e.call.filter(ran_on) {
            Some(call) => {
                let span = span_of(doc, call);
                d.related(
                    doc.shown,
                    span,
                    doc.source,
                    "the shortcode call starts here",
                )
            }
            None => d,
        };
        vec![d]
    })?;
    let mut x = Expander {
        doc,
        env,
        resolver,
        md: String::with_capacity(doc.body.len() + 64),
        map: SourceMap::default(),
        outputs: Vec::new(),
        nth: HashMap::new(),
        cited: Vec::new(),
        cites: Vec::new(),
        lists: Vec::new(),
        errors: Vec::new(),
    };
    x.pieces(&pieces);
    if !x.cited.is_empty() && x.lists.is_empty() {
        // Cited without `references()`: the list goes at the end.
        let n = x.outputs.len();
        x.outputs.push(String::new());
        x.lists.push((n, true, doc.body.len()));
        x.map.segments.push((x.md.len(), doc.body.len(), false));
        x.md.push_str(&format!("\n\n{BLOCK_OPEN}{n}{BLOCK_CLOSE}\n"));
    }
    if !x.errors.is_empty() {
        return Err(x.errors);
    }
    let mut rendered = markdown::render_mapped(
        &x.md,
        Some((doc.body, &x.map)),
        doc.body_line,
        resolver,
        env.markdown,
    );
    x.fill_lists(&rendered.html);
    if !x.errors.is_empty() {
        return Err(x.errors);
    }
    rendered.html = substitute(&rendered.html, &x.outputs);
    // Plain-text copies of headings leave inline shortcodes out.
    clean_toc(&mut rendered.toc);
    if let Some(s) = &rendered.summary {
        let cut_in_a_call = s.contains(BLOCK_OPEN) || s.contains(INLINE_OPEN);
        let s = substitute(s, &x.outputs);
        // A summary cut inside a shortcode's body holds the start of its output
        // (`<div class="callout">`) but not its end: close what is open again.
        rendered.summary = if cut_in_a_call {
            markdown::close_open_elements(&s)
        } else {
            Some(s)
        };
    }
    for out in &x.outputs {
        markdown::scan_html_ids(out, |id| {
            if !rendered.ids.iter().any(|i| i == id) {
                rendered.ids.push(id.to_string());
            }
        });
    }
    Ok(rendered)
}

/// A diagnostic at the byte range `range` of the body.
fn at(doc: &Doc<'_>, range: std::ops::Range<usize>, d: Diagnostic) -> Diagnostic {
    d.in_file(doc.shown).at(span_of(doc, range), doc.source)
}

/// The byte range `range` of the body as a span of the file (its first line only).
fn span_of(doc: &Doc<'_>, range: std::ops::Range<usize>) -> Span {
    let (line, col) = crate::error::line_col(doc.body, range.start);
    let len = doc
        .body
        .get(range.start..range.end.max(range.start))
        .map_or(1, |s| {
            s.chars().take_while(|&c| c != '\n' && c != '\r').count()
        })
        .max(1);
    Span::new(line + doc.body_line.max(1) - 1, col, len)
}

struct Expander<'a> {
    doc: &'a Doc<'a>,
    env: &'a Env<'a>,
    resolver: &'a dyn LinkResolver,
    md: String,
    map: SourceMap,
    /// Placeholder number -> HTML.
    outputs: Vec<String>,
    nth: HashMap<String, usize>,
    /// Keys in order of first citation.
    cited: Vec<String>,
    cites: Vec<cite::Cite>,
    /// `references()` placeholders: (output, automatic, body offset).
    lists: Vec<(usize, bool, usize)>,
    errors: Vec<Diagnostic>,
}

impl Expander<'_> {
    fn copy(&mut self, range: std::ops::Range<usize>) {
        if let Some(text) = self.doc.body.get(range.clone()) {
            self.map.segments.push((self.md.len(), range.start, true));
            self.md.push_str(text);
        }
    }

    /// Adds `html` as a placeholder for the text at `range` of the body.
    fn place(&mut self, range: std::ops::Range<usize>, html: String) -> usize {
        let n = self.outputs.len();
        self.outputs.push(html);
        self.place_existing(range, n);
        n
    }

    fn pieces(&mut self, pieces: &[Piece]) {
        for piece in pieces {
            match piece {
                Piece::Text(r) => self.copy(r.clone()),
                Piece::Literal { text, range } => {
                    self.place(range.clone(), escape(text));
                }
                Piece::Call(call) => self.call(call),
            }
        }
    }

    fn error(&mut self, range: std::ops::Range<usize>, message: String, label: &str, help: String) {
        let d = at(
            self.doc,
            range,
            Diagnostic::error(format!("{message} (in {})", self.doc.shown.display())),
        )
        .label(label)
        .help(help);
        self.errors.push(d);
    }

    /// Expands one call: an unknown name is an error; `references()` becomes a placeholder
    /// filled in after markdown ([`Self::fill_lists`]); any other call renders its template
    /// with [`Self::context`] (and, for `cite`, its number) and takes its place.
    fn call(&mut self, call: &Call) {
        let name = call.name.as_str();
        let template = format!("shortcodes/{name}.html");
        if !self.env.templates.has(&template) {
            self.unknown_shortcode(call);
            return;
        }
        let Some(mut ctx) = self.context(call) else {
            return;
        };
        if name == "references" {
            let n = self.outputs.len();
            self.outputs.push(String::new());
            self.lists.push((n, false, call.range.start));
            self.place_existing(call.range.clone(), n);
            self.skip_body(call);
            return;
        }
        if name == "cite" && !self.cite(call, &mut ctx) {
            return;
        }
        if call.body.is_some() {
            ctx.insert("body", BODY_MARKER);
        }
        let shown = self.doc.shown.display().to_string();
        match self.env.templates.render(&template, &ctx, &shown) {
            Ok(html) => self.place_output(call, template, &html),
            Err(d) => self.template_error(call, &template, &d),
        }
    }

    /// The error for a call whose name has no template, naming the closest known one.
    fn unknown_shortcode(&mut self, call: &Call) {
        let name = call.name.as_str();
        let known = self.env.templates.shortcode_names();
        let list = if known.is_empty() {
            "none".to_string()
        } else {
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let help = match crate::error::closest(known.iter().copied(), name) {
            Some(k) => format!("did you mean `{k}`? The shortcodes there are: {list}"),
            None => format!(
                "add templates/shortcodes/{name}.html to make one; the shortcodes there are: {list}"
            ),
        };
        self.error(
            call.name_range.clone(),
            format!("there is no shortcode `{name}`"),
            "unknown shortcode",
            help,
        );
    }

    /// The template context of `call`: `config`, the page, `nth` (this call's count among the
    /// page's calls of that name, from 1), `booking_url` and the arguments, a `src` resolved
    /// like a markdown image's destination. `None` (with an error recorded) when `src` names
    /// no file.
    fn context(&mut self, call: &Call) -> Option<Context> {
        let nth = {
            let n = self.nth.entry(call.name.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let mut ctx = Context::new();
        ctx.insert_value("config", self.env.config.clone());
        ctx.insert_value(self.env.page_key, self.env.page.get().clone());
        ctx.insert("nth", &nth);
        ctx.insert("booking_url", &self.booking_url());
        for arg in &call.args {
            let mut value = Value::from_serializable(&arg.value.to_json());
            if arg.name == "src"
                && let super::Value::Str(s) = &arg.value
            {
                match self.resolver.resolve(s) {
                    LinkTarget::External => {}
                    LinkTarget::Internal { url, .. } => value = Value::from(url),
                    LinkTarget::Broken(d) => {
                        self.error(
                            arg.range.clone(),
                            d.message,
                            "no such file",
                            d.help.unwrap_or_else(|| "check the path: a file beside the page (in a page bundle), or under static/".into()),
                        );
                        return None;
                    }
                }
            }
            ctx.insert_value(arg.name.clone(), value);
        }
        Some(ctx)
    }

    /// Puts the `html` that `template` rendered for `call` in its place: the whole call, or,
    /// for a call with a body, the parts before and after the body's marker around the body's
    /// own pieces. Errors: a template that writes the body twice.
    fn place_output(&mut self, call: &Call, template: String, html: &str) {
        let Some(body) = &call.body else {
            // A template file's last line break is not part of the shortcode's text.
            let n = self.place(call.range.clone(), html.trim_matches('\n').to_string());
            if call.name == "cite"
                && let Some(c) = self.cites.last_mut()
            {
                c.output = n;
            }
            return;
        };
        let mut parts = html.split(BODY_MARKER);
        let before = parts.next().unwrap_or("").to_string();
        match (parts.next(), parts.next()) {
            (None, _) => {
                // The template does not show the body: leave it out.
                self.place(call.range.start..body.end_range.end, before);
            }
            (Some(after), None) => {
                let after = after.to_string();
                self.place(call.range.clone(), before);
                self.pieces(&body.pieces);
                self.place(body.end_range.clone(), after);
            }
            (Some(_), Some(_)) => {
                let name = &call.name;
                let shown = self
                    .env
                    .templates
                    .shown_path(&template)
                    .map(|p| p.display().to_string())
                    .unwrap_or(template);
                self.error(
                    call.range.clone(),
                    format!("the shortcode `{name}` writes its body more than once ({shown})"),
                    "its template writes `body` twice",
                    format!("change {shown} so it writes `{{{{ body | safe }}}}` once"),
                );
            }
        }
    }

    /// `config.extra.booking_url` resolved like a markdown link (`@/book.md` becomes the
    /// page's URL); "" when it is not set, or a placeholder (a part in `[brackets]`, the rule of
    /// the `placeholder` template test).
    fn booking_url(&self) -> String {
        let extra = |k: &str| -> Option<String> {
            let path = format!("extra.{k}");
            let v = self.env.config.get_from_path(&path)?;
            v.as_str()
                .map(str::to_string)
                .filter(|s| !s.trim().is_empty() && !crate::seo::is_placeholder_text(s))
        };
        if let Some(url) = extra("booking_url") {
            return match self.resolver.resolve(&url) {
                LinkTarget::Internal { url, .. } => url,
                LinkTarget::External => url,
                LinkTarget::Broken(_) => String::new(),
            };
        }
        if let Some(phone) = extra("phone") {
            return format!("tel:{}", phone.replace(' ', ""));
        }
        extra("email").map_or_else(String::new, |e| format!("mailto:{e}"))
    }

    /// Adds placeholder `n` (an output already made) for the text at `range` of the body.
    fn place_existing(&mut self, range: std::ops::Range<usize>, n: usize) {
        self.map.segments.push((self.md.len(), range.start, false));
        if alone_on_line(self.doc.body, &range) {
            self.md.push_str(&format!("{BLOCK_OPEN}{n}{BLOCK_CLOSE}"));
        } else {
            self.md.push_str(&format!("{INLINE_OPEN}{n}{INLINE_CLOSE}"));
        }
        // The text after the placeholder maps from the end of the call on.
        self.map.segments.push((self.md.len(), range.end, true));
    }

    fn skip_body(&mut self, call: &Call) {
        if let Some(body) = &call.body {
            self.map
                .segments
                .push((self.md.len(), body.end_range.end, true));
        }
    }

    fn template_error(&mut self, call: &Call, template: &str, d: &Diagnostic) {
        let shown = self
            .env
            .templates
            .shown_path(template)
            .map_or_else(|| template.to_string(), |p| p.display().to_string());
        let place = match (&d.file, d.span) {
            (Some(f), Some(s)) => format!("{}:{}:{}", f.display(), s.line, s.col),
            (Some(f), None) => f.display().to_string(),
            _ => shown.clone(),
        };
        // The template's own message, without the "template error in FILE: " prefix.
        let message = d
            .message
            .split_once(": ")
            .filter(|(head, _)| head.starts_with("template"))
            .map_or(d.message.as_str(), |(_, m)| m);
        let help = match d.help.as_deref() {
            Some(h) if h != "check the template code on this line" => h.to_string(),
            _ => format!("check the arguments given here against what {shown} expects"),
        };
        let e = at(
            self.doc,
            call.range.clone(),
            Diagnostic::error(format!(
                "the shortcode `{}` could not be rendered (in {}): {message}",
                call.name,
                self.doc.shown.display(),
            )),
        )
        .label(format!("its template {shown} stopped here"))
        .note(format!("the template is {shown}; the error is at {place}"))
        .help(help);
        // The same error at its place in the template: where it is shown once several calls
        // meet it (the mistake is then in the template, not in each call).
        let mut in_template = d.clone();
        in_template.pages.clear();
        if in_template.file.is_none() {
            in_template.file = Some(shown.clone().into());
        }
        let in_template = in_template.note(format!(
            "the shortcode `{}` stopped here at each use named above; if those uses lack an argument this line needs, give it to each of them",
            call.name
        ));
        self.errors.push(e.from_template(in_template));
    }
}

/// Whether only spaces and tabs share the lines of `range` in `body`.
fn alone_on_line(body: &str, range: &std::ops::Range<usize>) -> bool {
    let before = body.get(..range.start).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let after = body.get(range.end..).unwrap_or("");
    let line_end = after.find('\n').unwrap_or(after.len());
    before
        .get(line_start..)
        .is_some_and(|s| s.trim_matches([' ', '\t']).is_empty())
        && after
            .get(..line_end)
            .is_some_and(|s| s.trim_matches([' ', '\t', '\r']).is_empty())
}

/// Reads a placeholder number at the start of `s` up to `close`; returns it and the length read.
fn number_before(s: &str, close: &str) -> Option<(usize, usize)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let n = s.get(..digits)?.parse().ok()?;
    s.get(digits..)?
        .starts_with(close)
        .then_some((n, digits + close.len()))
}

/// Replaces every placeholder in `html` with its output.
fn substitute(html: &str, outputs: &[String]) -> String {
    let mut out =
        String::with_capacity(html.len() + outputs.iter().map(String::len).sum::<usize>());
    let close = INLINE_CLOSE.to_string();
    let mut i = 0;
    while let Some(rest) = html.get(i..) {
        let Some(next) = rest.find(['<', INLINE_OPEN]) else {
            out.push_str(rest);
            break;
        };
        out.push_str(rest.get(..next).unwrap_or(""));
        let at = i + next;
        let tail = html.get(at..).unwrap_or("");
        let found = if let Some(t) = tail.strip_prefix(INLINE_OPEN) {
            number_before(t, &close).map(|(n, len)| (n, INLINE_OPEN.len_utf8() + len))
        } else if let Some(t) = tail.strip_prefix(BLOCK_OPEN) {
            number_before(t, BLOCK_CLOSE).map(|(n, len)| (n, BLOCK_OPEN.len() + len))
        } else {
            None
        };
        match found.and_then(|(n, len)| outputs.get(n).map(|o| (o, len))) {
            Some((o, len)) => {
                out.push_str(o);
                i = at + len;
            }
            None => {
                let c = tail.chars().next().map_or(1, char::len_utf8);
                out.push_str(tail.get(..c).unwrap_or(""));
                i = at + c;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alone_on_line_cases() {
        let b = "a\n  {{ x() }}  \nb {{ y() }}\n{{ z() }}";
        let r = |s: &str| {
            let i = b.find(s).unwrap();
            i..i + s.len()
        };
        assert!(alone_on_line(b, &r("{{ x() }}")));
        assert!(!alone_on_line(b, &r("{{ y() }}")));
        assert!(alone_on_line(b, &r("{{ z() }}")));
    }

    #[test]
    fn substitute_replaces_both_placeholder_kinds_and_leaves_the_rest() {
        let outputs = vec!["<b>A</b>".to_string(), "<figure>F</figure>".to_string()];
        let html = format!(
            "<p>x {INLINE_OPEN}0{INLINE_CLOSE} y</p>\n{BLOCK_OPEN}1{BLOCK_CLOSE}\n<p>é {INLINE_OPEN}9{INLINE_CLOSE}</p>"
        );
        assert_eq!(
            substitute(&html, &outputs),
            format!(
                "<p>x <b>A</b> y</p>\n<figure>F</figure>\n<p>é {INLINE_OPEN}9{INLINE_CLOSE}</p>"
            )
        );
    }
}
