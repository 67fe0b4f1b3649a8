//! Templates: loads Tera templates (the theme's, then the site's `templates/` over them, file by
//! file), registers the functions `get_url`, `get_page`, `get_section` and `load_data`, and turns Tera's
//! errors into diagnostics that name the template file, its line, and the page being rendered
//! (Zola #1536: the error must point at the included template that fails, not at the layout).
//!
//! In: the [`Config`]. Out: [`Templates`], ready to render once [`Templates::bind`] has been given
//! the site's data. The context itself is built in [`context`]: it is the theme API.

pub mod context;
pub mod names;
pub(crate) mod origin;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tera::{Context, Kwargs, State, Tera, Value};

use crate::config::Config;
use crate::content::walk;
use crate::error::{Diagnostic, Error, Result, Span};

/// Built-in `sitemap.xml` (sitemaps.org protocol 0.9), used unless the site or theme has one.
const SITEMAP: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{%- for entry in entries %}
  <url>
    <loc>{{ entry.permalink }}</loc>
    {%- if entry.lastmod %}
    <lastmod>{{ entry.lastmod }}</lastmod>
    {%- endif %}
  </url>
{%- endfor %}
</urlset>
"#;

/// Built-in Atom feed (RFC 4287) of a section with `feed: true`, used unless the site or theme
/// has an `atom.xml` (Zola's name). Its context is `feed` ([`context::feed_value`]), `section`
/// and `config`. Every value is escaped for XML by autoescaping (`.xml` templates are
/// autoescaped: an extra `escape_xml` would escape twice); HTML goes in `type="html"` elements.
const ATOM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{{ feed.language }}">
  <title>{{ feed.title }}</title>
  {%- if section.meta_description %}
  <subtitle>{{ section.meta_description }}</subtitle>
  {%- endif %}
  <link rel="self" type="application/atom+xml" href="{{ feed.url }}"/>
  <link rel="alternate" type="text/html" href="{{ feed.alternate }}"/>
  <id>{{ feed.url }}</id>
  <updated>{{ feed.updated }}</updated>
  <author><name>{{ feed.author }}</name></author>
  <generator>stillpoint</generator>
  {%- for entry in feed.entries %}
  <entry>
    <title>{{ entry.title }}</title>
    <link rel="alternate" type="text/html" href="{{ entry.permalink }}"/>
    <id>{{ entry.permalink }}</id>
    <published>{{ entry.published }}</published>
    <updated>{{ entry.updated }}</updated>
    {%- if entry.summary %}
    <summary type="html">{{ entry.summary }}</summary>
    {%- endif %}
    <content type="html">{{ entry.content }}</content>
  </entry>
  {%- endfor %}
</feed>
"#;

/// Built-in `robots.txt`: allow everything and point at the sitemap.
const ROBOTS: &str = "User-agent: *\nAllow: /\nSitemap: {{ config.base_url }}/sitemap.xml\n";

/// Built-in `404.html`, for sites whose theme has none.
const NOT_FOUND: &str = r#"<!doctype html>
<html lang="{{ config.language }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page not found – {{ config.title }}</title></head>
<body><main><h1>Page not found</h1>
<p>This page does not exist. <a href="{{ config.base_url }}/">Go to the home page</a>.</p></main></body>
</html>
"#;

/// Built-in redirect page for `aliases` (a meta refresh, as Zola and Hugo write).
const ALIAS: &str = r#"<!doctype html>
<html lang="{{ config.language }}">
<head><meta charset="utf-8"><title>Redirect</title>
<link rel="canonical" href="{{ url | safe }}">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={{ url | safe }}"></head>
<body><p>This page has moved to <a href="{{ url | safe }}">{{ url }}</a>.</p></body>
</html>
"#;

/// Names of the built-in templates, used when neither the site nor the theme provides them.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("sitemap.xml", SITEMAP),
    ("robots.txt", ROBOTS),
    ("404.html", NOT_FOUND),
    ("__stillpoint/alias.html", ALIAS),
    ("atom.xml", ATOM),
];

/// The templates a site must have, from its own `templates/` or its theme.
pub const REQUIRED_TEMPLATES: &[&str] = &["index.html", "section.html", "page.html"];

/// A map looked up on every template function call: foldhash instead of SipHash (the keys are
/// the site's own paths, not attacker-chosen).
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// What the template functions need to know about the built site. The maps of a whole build
/// are shared (`Arc`), so the copy an incremental rebuild makes costs nothing at 10,000 pages;
/// the values it changes go in `changed`, looked up first.
#[derive(Debug, Default)]
pub struct SiteData {
    /// Content path (`faq.md`, `blog/_index.md`) -> permalink.
    pub permalinks: Arc<FastMap<String, String>>,
    /// Content path -> the full page or section value.
    pub values: Arc<FastMap<String, Value>>,
    /// Content path of a section -> its value without `pages`.
    pub section_metadata: Arc<FastMap<String, Value>>,
    /// Values changed since the full build (incremental rebuilds): content path -> the full
    /// value.
    pub changed_values: FastMap<String, Value>,
    /// Sections' values without `pages` changed since the full build.
    pub changed_metadata: FastMap<String, Value>,
    /// Every output file path (`css/site.css`, `faq/index.html`) -> the source file, when it is a
    /// copied file (for `cachebust`).
    pub outputs: Arc<HashMap<String, Option<PathBuf>>>,
    /// The base URL without a trailing slash.
    pub base_url: String,
    /// Content paths of drafts left out of the build, for a better error.
    pub drafts: Arc<HashSet<String>>,
    /// The build's image processor, for `resize_image`.
    pub images: Option<Arc<crate::images::Processor>>,
    /// Output path -> `cachebust` hash, computed once per file and build.
    pub cachebust: Mutex<HashMap<String, String>>,
}

impl SiteData {
    /// The value of the page or section at content path `path`; with `metadata_only`, a
    /// section's value without `pages`.
    pub fn value(&self, path: &str, metadata_only: bool) -> Option<&Value> {
        let (changed, all) = if metadata_only {
            (&self.changed_metadata, &self.section_metadata)
        } else {
            (&self.changed_values, &self.values)
        };
        if !changed.is_empty()
            && let Some(v) = changed.get(path)
        {
            return Some(v);
        }
        all.get(path)
    }
}

impl Clone for SiteData {
    /// A copy for the next rebuild: the shared maps are not copied.
    fn clone(&self) -> Self {
        SiteData {
            permalinks: Arc::clone(&self.permalinks),
            values: Arc::clone(&self.values),
            section_metadata: Arc::clone(&self.section_metadata),
            changed_values: self.changed_values.clone(),
            changed_metadata: self.changed_metadata.clone(),
            outputs: Arc::clone(&self.outputs),
            base_url: self.base_url.clone(),
            drafts: Arc::clone(&self.drafts),
            images: self.images.clone(),
            cachebust: Mutex::new(
                self.cachebust
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone(),
            ),
        }
    }
}

/// A read of another page's or section's value by a template function, recorded while a file
/// renders so that an incremental rebuild knows which files show which pages (see
/// [`Templates::render_recording`]). A 64-bit hash of what was read, so that recording a nav
/// of 100 sections on each of 10,000 pages allocates nothing; two reads with the same hash
/// only make a rebuild render a file more than needed, never less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Read(u64);

impl Read {
    /// `get_page(path=…)`: the page's whole value.
    pub fn page(path: &str) -> Read {
        Read(fnv1a(path.as_bytes()) ^ 0x1)
    }

    /// `get_section(path=…)`: the section's own fields (`metadata_only=true`, `with_pages`
    /// false), or also its pages' values.
    pub fn section(path: &str, with_pages: bool) -> Read {
        Read(fnv1a(path.as_bytes()) ^ if with_pages { 0x2 } else { 0x3 })
    }
}

thread_local! {
    /// The reads of the render running on this thread, when it is recorded.
    static READS: std::cell::RefCell<Option<Vec<Read>>> = const { std::cell::RefCell::new(None) };
}

/// Notes a read for the render running on this thread, if it is recorded.
fn record(read: impl FnOnce() -> Read) {
    READS.with(|r| {
        if let Some(list) = r.borrow_mut().as_mut() {
            list.push(read());
        }
    });
}

/// The loaded templates and where each came from.
pub struct Templates {
    tera: Tera,
    /// Template name -> (path shown in messages, source text).
    files: HashMap<String, (PathBuf, String)>,
    /// The names a template or a page's `template:` may use, sorted, for "did you mean" hints:
    /// every loaded template but the built-in alias page and the theme's
    /// `<theme>/templates/<name>` copies.
    names: Vec<String>,
    data: Arc<OnceLock<SiteData>>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("names", &self.files.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Templates {
    /// Loads the theme's `templates/` and then the site's `templates/` (a site file replaces the
    /// theme file of the same name), adds the built-in templates that are missing, and parses
    /// everything.
    ///
    /// Errors (all collected): unreadable or non-UTF-8 template files; Tera syntax errors with
    /// the file, line and column; `extends` of a template that does not exist; and any of
    /// `index.html`, `section.html`, `page.html` missing from both the site and the theme.
    pub fn load(config: &Config) -> Result<Templates> {
        let mut files: HashMap<String, (PathBuf, String)> = HashMap::new();
        let mut errors = Vec::new();
        // (folder, shown folder, also register as "<theme>/templates/<name>")
        let mut dirs: Vec<(PathBuf, PathBuf, Option<String>)> = Vec::new();
        if let (Some(theme_dir), Some(theme)) = (&config.theme_dir, &config.theme) {
            let shown = Path::new("themes").join(theme).join("templates");
            dirs.push((
                theme_dir.join("templates"),
                shown,
                Some(format!("{theme}/templates/")),
            ));
        }
        dirs.push((
            config.root.join("templates"),
            PathBuf::from("templates"),
            None,
        ));
        for (dir, shown_dir, theme_prefix) in &dirs {
            match walk(dir, shown_dir, false) {
                Ok(list) => {
                    for (path, name) in list {
                        let shown = shown_dir.join(&name);
                        match crate::fs::read(&path)
                            .and_then(|b| crate::content::decode_utf8(&b, &shown))
                        {
                            Ok(text) => {
                                let text = text
                                    .strip_prefix('\u{feff}')
                                    .map(str::to_string)
                                    .unwrap_or(text);
                                // As in Zola, a theme's template stays reachable as
                                // `<theme>/templates/<name>` after the site replaces it, so a
                                // site template can extend it and override one block.
                                if let Some(prefix) = theme_prefix {
                                    files.insert(
                                        format!("{prefix}{name}"),
                                        (shown.clone(), text.clone()),
                                    );
                                }
                                files.insert(name, (shown, text));
                            }
                            Err(e) => errors.extend(e.into_diagnostics()),
                        }
                    }
                }
                Err(e) => errors.extend(e.into_diagnostics()),
            }
        }
        for name in REQUIRED_TEMPLATES {
            if !files.contains_key(*name) {
                let mut d = Diagnostic::error(format!("the template `{name}` is missing"))
                    .help(match &config.theme {
                        Some(t) => format!("add templates/{name}, or check that the theme `{t}` has templates/{name}"),
                        None => format!("add templates/{name}, or set `theme: default` in config.yaml to use the default theme"),
                    });
                if config.theme.is_none() {
                    d = d.in_file("config.yaml");
                }
                errors.push(d);
            }
        }
        for (name, text) in BUILTIN_TEMPLATES {
            files.entry((*name).to_string()).or_insert_with(|| {
                (
                    PathBuf::from(format!("(built-in {name})")),
                    (*text).to_string(),
                )
            });
        }

        let theme_prefix = config.theme.as_ref().map(|t| format!("{t}/templates/"));
        let mut usable: Vec<String> = files
            .keys()
            .filter(|n| {
                !n.starts_with("__stillpoint/")
                    && !theme_prefix
                        .as_ref()
                        .is_some_and(|p| n.starts_with(p.as_str()))
            })
            .cloned()
            .collect();
        usable.sort();

        let data: Arc<OnceLock<SiteData>> = Arc::new(OnceLock::new());
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        register_functions(&mut tera, &data);
        register_load_data(&mut tera, &config.root);

        // Syntax errors first, one template at a time, so every broken file is reported.
        let mut names: Vec<&String> = files.keys().collect();
        names.sort();
        for name in &names {
            let (shown, text) = &files[*name];
            let mut scratch = Tera::new();
            register_functions(&mut scratch, &data);
            register_load_data(&mut scratch, &config.root);
            if let Err(e) = scratch.add_raw_template(name, text)
                && matches!(e.kind(), tera::ErrorKind::SyntaxError(_))
            {
                {
                    errors.push(tera_diagnostic(&e, &files, &usable).unwrap_or_else(|| {
                        Diagnostic::error(format!("template error in {}", shown.display()))
                            .in_file(shown)
                    }));
                }
            }
        }
        if errors.iter().any(Diagnostic::is_error) {
            return Err(Error::Diagnostics(errors));
        }
        let all: Vec<(&str, &str)> = names
            .iter()
            .map(|n| (n.as_str(), files[*n].1.as_str()))
            .collect();
        if let Err(e) = tera.add_raw_templates(all) {
            let mut found = reference_diagnostics(&e, &files, &usable);
            if found.is_empty() {
                found.push(tera_diagnostic(&e, &files, &usable).unwrap_or_else(|| {
                    Diagnostic::error(format!("template error: {}", first_line(&e.to_string())))
                }));
            }
            return Err(Error::Diagnostics(found));
        }
        Ok(Templates {
            tera,
            files,
            names: usable,
            data,
        })
    }

    /// Gives the template functions the site's data. Call once, before rendering; later calls
    /// are ignored.
    pub fn bind(&self, data: SiteData) {
        let _ = self.data.set(data);
    }

    /// The same templates with other site data (for an incremental rebuild, where a few page
    /// values changed): the parsed templates are copied, the functions are bound to `data`.
    pub fn with_data(&self, data: SiteData) -> Templates {
        let cell: Arc<OnceLock<SiteData>> = Arc::new(OnceLock::new());
        let mut tera = self.tera.clone();
        register_functions(&mut tera, &cell);
        let _ = cell.set(data);
        Templates {
            tera,
            files: self.files.clone(),
            names: self.names.clone(),
            data: cell,
        }
    }

    /// The same templates with no site data (as before [`Templates::bind`]): for shortcodes
    /// in an incremental rebuild, which must not read other pages any more than in a build.
    pub fn unbound(&self) -> Templates {
        let cell: Arc<OnceLock<SiteData>> = Arc::new(OnceLock::new());
        let mut tera = self.tera.clone();
        register_functions(&mut tera, &cell);
        Templates {
            tera,
            files: self.files.clone(),
            names: self.names.clone(),
            data: cell,
        }
    }

    /// The data given by [`Templates::bind`], if any.
    pub fn data(&self) -> Option<&SiteData> {
        self.data.get()
    }

    /// [`Templates::render`], also returning every page and section value the template
    /// functions read (`get_page`, `get_section`), sorted, each once.
    pub fn render_recording(
        &self,
        name: &str,
        context: &Context,
        rendering: &str,
    ) -> (std::result::Result<String, Box<Diagnostic>>, Vec<Read>) {
        let previous = READS.with(|r| r.borrow_mut().replace(Vec::new()));
        let result = self.render(name, context, rendering);
        let reads = READS.with(|r| std::mem::replace(&mut *r.borrow_mut(), previous));
        let mut reads = reads.unwrap_or_default();
        reads.sort_unstable();
        reads.dedup();
        reads.shrink_to_fit();
        (result, reads)
    }

    /// The loaded template whose name is closest to `name` (a misspelt `template:` in front
    /// matter), if one is close; see [`crate::error::closest`].
    pub fn closest_name(&self, name: &str) -> Option<&str> {
        crate::error::closest(self.names.iter().map(String::as_str), name)
    }

    /// True if a template of that name was loaded (from the site, the theme or built in).
    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    /// Where a template came from, as shown in messages.
    /// The names of the shortcodes the site and theme provide (`callout` for
    /// `shortcodes/callout.html`), sorted.
    pub fn shortcode_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .files
            .keys()
            .filter_map(|k| k.strip_prefix("shortcodes/")?.strip_suffix(".html"))
            .collect();
        names.sort_unstable();
        names
    }

    pub fn shown_path(&self, name: &str) -> Option<&Path> {
        self.files.get(name).map(|(p, _)| p.as_path())
    }

    /// The text of the template file shown as `shown` in diagnostics (`themes/default/...`).
    pub(crate) fn source_of(&self, shown: &Path) -> Option<&str> {
        self.files
            .values()
            .find(|(p, _)| p == shown)
            .map(|(_, s)| s.as_str())
    }

    /// Renders `name` with `context`. `rendering` is the content file being rendered, named in
    /// the error. Errors: one diagnostic naming the template file and line where Tera failed
    /// (which may be an included or parent template), and the page.
    pub fn render(
        &self,
        name: &str,
        context: &Context,
        rendering: &str,
    ) -> std::result::Result<String, Box<Diagnostic>> {
        let (shown, source) = self.files.get(name).map_or_else(
            || (PathBuf::from(name), ""),
            |(p, s)| (p.clone(), s.as_str()),
        );
        let guard = crate::runaway::start(name, &shown, source, rendering);
        let mut out = crate::runaway::LimitedWriter::new(&guard);
        let rendered = self.tera.render_to(name, context, &mut out);
        if let Some(stop) = out.stopped {
            return Err(Box::new(crate::runaway::diagnostic(
                stop, &shown, source, rendering, name,
            )));
        }
        if rendered.is_err() && crate::runaway::check().is_err() {
            // Stopped inside `range` or a site function: the limit, not the code, is the cause.
            return Err(Box::new(crate::runaway::diagnostic(
                crate::runaway::Stop::TimeLimit,
                &shown,
                source,
                rendering,
                name,
            )));
        }
        let html = out.buf;
        drop(guard);
        rendered
            .map(|()| {
                String::from_utf8(html)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
            })
            .map_err(|e| {
                let d = tera_diagnostic(&e, &self.files, &self.names).unwrap_or_else(|| {
                    Diagnostic::error(format!(
                        "could not render the template `{name}`: {}",
                        first_line(&e.to_string())
                    ))
                });
                Box::new(d.on_page(rendering, name))
            })
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// `help` led by "did you mean `page.html`?" when a loaded template's name is close to `name`.
fn did_you_mean(names: &[String], name: &str, help: &str) -> String {
    match crate::error::closest(names.iter().map(String::as_str), name) {
        Some(c) => {
            let mut chars = help.chars();
            let capital: String = chars
                .next()
                .map(|f| f.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            format!("did you mean `{c}`? {capital}")
        }
        None => help.to_string(),
    }
}

/// The diagnostics of the reports Tera gives, all in one message, when templates use a filter,
/// test, function or template that does not exist (or a block no parent has): one per report,
/// at the name in its template, with what to write instead. Empty when the error is not such a
/// list.
fn reference_diagnostics(
    e: &tera::Error,
    files: &HashMap<String, (PathBuf, String)>,
    names: &[String],
) -> Vec<Diagnostic> {
    let tera::ErrorKind::Msg(text) = e.kind() else {
        return Vec::new();
    };
    names::parse_reports(text)
        .into_iter()
        .map(|r| {
            let (shown, source) = files
                .get(r.template)
                .map(|(p, s)| (p.clone(), s.as_str()))
                .unwrap_or_else(|| (PathBuf::from(r.template), ""));
            let named = names::unknown_name(r.message);
            // Tera marks a call with its arguments (a component with its `<`): mark the name
            // alone.
            let called = match named {
                Some((Some(_), name)) => Some(name),
                _ if r.message.starts_with("Unknown component `") => r.message.split('`').nth(1),
                _ => None,
            };
            let at = text_at(source, r.line, r.col);
            let (col, len) = match called {
                Some(name) if at.starts_with(name) => (r.col, name.chars().count()),
                Some(name) if at.strip_prefix('<').is_some_and(|a| a.starts_with(name)) => {
                    (r.col + 1, name.chars().count())
                }
                _ => (r.col, r.len),
            };
            let (what, label, help) = match named {
                Some((Some(kind), name)) => (
                    format!("there is no {} `{name}`", kind.word()),
                    format!("unknown {}", kind.word()),
                    names::unknown_help(kind, name),
                ),
                Some((None, name)) => (
                    format!("the template `{name}` does not exist"),
                    "no template of this name".to_string(),
                    did_you_mean(
                        names,
                        name,
                        "templates live in templates/ or in the theme's templates/, named by their path there",
                    ),
                ),
                None if r.message.starts_with("Unknown component `") => {
                    let name = called.unwrap_or("");
                    (
                        format!("there is no component `{name}`"),
                        "unknown component".to_string(),
                        names::component_help(name, files.values().map(|(_, t)| t.as_str())),
                    )
                }
                None if r.message.starts_with("Block `") => (
                    r.message.to_string(),
                    "no parent template has this block".to_string(),
                    parent_block_help(files, r.template, r.message),
                ),
                None => (
                    r.message.to_string(),
                    "here".to_string(),
                    "check the template code on this line".to_string(),
                ),
            };
            let d = Diagnostic::error(format!("template error in {}: {what}", shown.display()))
                .in_file(&shown)
                .label(label)
                .help(help);
            if source.is_empty() {
                d
            } else {
                d.at(Span::new(r.line, col, len), source)
            }
        })
        .collect()
}

/// The help for a `{% block %}` that none of the templates `template` extends has: "did you
/// mean" the closest block of those templates, else what a block in a child template does.
fn parent_block_help(
    files: &HashMap<String, (PathBuf, String)>,
    template: &str,
    message: &str,
) -> String {
    let name = message.split('`').nth(1).unwrap_or("");
    let mut blocks: Vec<&str> = Vec::new();
    let mut current = template;
    // Up the `extends` chain; a loop is reported elsewhere, so stop after a few steps.
    for _ in 0..16 {
        let Some(parent) = files
            .get(current)
            .and_then(|(_, s)| names::extends_target(s))
        else {
            break;
        };
        if let Some((_, text)) = files.get(parent) {
            blocks.extend(names::block_names(text));
        }
        current = parent;
    }
    let help = "a template that extends another fills the `{% block %}`s that one has: use the name of one of its blocks";
    match crate::error::closest(blocks, name) {
        Some(c) => format!(
            "did you mean `{c}`? A template that extends another fills the `{{% block %}}`s that one has"
        ),
        None => help.to_string(),
    }
}

/// The text of `source` from 1-based `line` and character `col` to the end of that line ("" past
/// the end).
fn text_at(source: &str, line: usize, col: usize) -> &str {
    let text = source.split('\n').nth(line.saturating_sub(1)).unwrap_or("");
    text.char_indices()
        .nth(col.saturating_sub(1))
        .map_or("", |(i, _)| &text[i..])
}

/// Maps a Tera error to a diagnostic in the file it happened in.
fn tera_diagnostic(
    e: &tera::Error,
    files: &HashMap<String, (PathBuf, String)>,
    names: &[String],
) -> Option<Diagnostic> {
    use std::error::Error as _;
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let syntax = matches!(e.kind(), tera::ErrorKind::SyntaxError(_));
            let (shown, source) = files
                .get(r.filename())
                .map(|(p, s)| (p.clone(), s.as_str()))
                .unwrap_or_else(|| (PathBuf::from(r.filename()), ""));
            let span = r.span();
            let len = if span.end_line == span.start_line && span.end_col > span.start_col {
                span.end_col - span.start_col
            } else {
                1
            };
            let mut message = r.message().to_string();
            if let Some(src) = e.source() {
                message = format!("{message}: {src}");
            }
            let (message, available) = names::split_available(&message);
            let what = if syntax { "template syntax error" } else { "template error" };
            let help = if syntax {
                "check the `{{ }}` and `{% %}` tags on this line: each `{% if %}`, `{% for %}` and `{% block %}` needs its `{% end… %}`".to_string()
            } else if message.contains("not defined")
                || message.contains("undefined")
                || message.contains("Undefined")
            {
                names::undefined_help(message, &available)
            } else if message.contains("load_data") || message.contains(", line ") {
                "fix the data file at the line named, or the `path` given to load_data (relative to the site root, like `data/prices.yaml`)".to_string()
            } else if message.contains("get_url") || message.contains("get_page") || message.contains("get_section") {
                "name pages by their file under content/, like `@/faq.md` or `blog/_index.md`, and static files by their path under static/, like `css/site.css`".to_string()
            } else {
                "check the template code on this line".to_string()
            };
            let mut d = Diagnostic::error(format!("{what} in {}: {}", shown.display(), first_line(message)))
                .in_file(&shown)
                .help(help);
            let unclosed = message
                .contains("end of input")
                .then(|| find_unclosed_tag(source))
                .flatten();
            if let Some((at, tag)) = unclosed {
                d = d
                    .at(at, source)
                    .label(format!("this `{{% {tag} %}}` is never closed"))
                    .help(format!("add `{{% end{tag} %}}` where the {tag} should end"));
            } else if !source.is_empty() {
                d = d.at(Span::new(span.start_line.max(1), span.start_col + 1, len), source);
            }
            Some(d)
        }
        tera::ErrorKind::MissingParent { current, parent } => {
            let shown = files.get(current).map(|(p, _)| p.clone()).unwrap_or_else(|| PathBuf::from(current));
            let source = files.get(current).map_or("", |(_, s)| s.as_str());
            Some(at_tag(
                Diagnostic::error(format!("{} extends the template `{parent}`, which does not exist", shown.display()))
                    .in_file(shown)
                    .label("no template of this name")
                    .help(did_you_mean(names, parent, "check the name in `{% extends \"...\" %}`")),
                source,
                "extends",
            ))
        }
        tera::ErrorKind::CircularExtend {
            tpl,
            inheritance_chain,
        } => {
            // The chain ends where it loops (`x.html → y.html → x.html`): the template before
            // the repeated one closes the loop, and its `extends` is the line to change.
            let culprit = inheritance_chain
                .len()
                .checked_sub(2)
                .and_then(|i| inheritance_chain.get(i))
                .unwrap_or(tpl);
            let shown = files.get(culprit).map(|(p, _)| p.clone()).unwrap_or_else(|| PathBuf::from(culprit));
            let source = files.get(culprit).map_or("", |(_, s)| s.as_str());
            Some(
                at_tag(Diagnostic::error(format!(
                    "{} is part of a loop of templates extending each other: {}",
                    shown.display(),
                    inheritance_chain.join(" → ")
                ))
                .in_file(shown)
                .help("a template cannot extend itself; to change one block of a theme template, extend `<theme>/templates/<name>`"), source, "extends"),
            )
        }
        tera::ErrorKind::CircularInclude { tpl, include_chain } => {
            let shown = files.get(tpl).map(|(p, _)| p.clone()).unwrap_or_else(|| PathBuf::from(tpl));
            let source = files.get(tpl).map_or("", |(_, s)| s.as_str());
            Some(
                at_tag(Diagnostic::error(format!(
                    "{} includes itself through {}",
                    shown.display(),
                    include_chain.join(" → ")
                ))
                .in_file(shown)
                .help("remove one of the `{% include %}` tags so the templates stop including each other"), source, "include"),
            )
        }
        tera::ErrorKind::TemplateNotFound(name) => Some(
            Diagnostic::error(format!("the template `{name}` does not exist"))
                .help(did_you_mean(names, name, "check the template name; templates live in templates/ or in the theme's templates/")),
        ),
        _ => None,
    }
}

/// Finds the last block tag of a template that is opened and never closed (`{% if %}`,
/// `{% for %}`, `{% block %}`, `{% macro %}`, `{% filter %}`, `{% raw %}`, a block `{% set %}`):
/// Tera reports those at the end of the file, where there is nothing to see.
fn find_unclosed_tag(source: &str) -> Option<(Span, String)> {
    const OPENERS: &[&str] = &["if", "for", "block", "macro", "filter", "raw", "set"];
    let mut stack: Vec<(String, Span)> = Vec::new();
    for (i, line) in source.split('\n').enumerate() {
        let mut rest = line;
        let mut offset = 0;
        while let Some(start) = rest.find("{%") {
            let after = &rest[start + 2..];
            let inner = after.trim_start_matches(['-', '+']).trim_start();
            let word: String = inner
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let tag_end = after.find("%}").map_or(after.len(), |e| e);
            let body = &after[..tag_end];
            if let Some(closed) = word.strip_prefix("end") {
                if let Some(pos) = stack.iter().rposition(|(t, _)| t == closed) {
                    stack.truncate(pos);
                }
            } else if OPENERS.contains(&word.as_str()) && !(word == "set" && body.contains('=')) {
                let col = line[..offset + start].chars().count() + 1;
                let len = rest[start..].find("%}").map_or(2, |e| e + 2);
                stack.push((
                    word.clone(),
                    Span::new(i + 1, col, rest[start..start + len].chars().count()),
                ));
            }
            let advance = start + 2 + tag_end.min(after.len());
            offset += advance;
            rest = &rest[advance..];
        }
    }
    stack.pop().map(|(tag, span)| (span, tag))
}

/// Points `d` at the first `{% <tag> ` in `source`, when there is one.
fn at_tag(d: Diagnostic, source: &str, tag: &str) -> Diagnostic {
    let found = source.split('\n').enumerate().find_map(|(i, line)| {
        let start = line.find("{%")?;
        let inner = line[start + 2..].trim_start_matches(['-', ' ']);
        inner.starts_with(tag).then(|| {
            (
                i,
                line[..start].chars().count() + 1,
                line[start..].find("%}").map_or(2, |e| e + 2),
            )
        })
    });
    match found {
        Some((i, col, len)) => d.at(Span::new(i + 1, col, len), source),
        None => d,
    }
}

fn kw_str(kwargs: &Kwargs, name: &str) -> tera::TeraResult<String> {
    kwargs.must_get::<&str>(name).map(str::to_string)
}

fn site(data: &Arc<OnceLock<SiteData>>) -> tera::TeraResult<&SiteData> {
    crate::runaway::check()?;
    data.get()
        .ok_or_else(|| tera::Error::message("site data is not available yet"))
}

fn missing_page_message(d: &SiteData, path: &str) -> String {
    if d.drafts.contains(path) {
        return format!(
            "`{path}` is a draft (draft: true), so it is not published; build with --drafts or remove the link"
        );
    }
    match crate::error::closest(d.permalinks.keys().map(String::as_str), path) {
        Some(k) => format!("no page `{path}` in content/ (did you mean `{k}`?)"),
        None => format!("no page `{path}` in content/"),
    }
}

/// `load_data(path="data/x.yaml", format="yaml")`: see [`crate::data`]. One cache per
/// loaded set of templates, so each build reads a data file once.
fn register_load_data(tera: &mut Tera, root: &Path) {
    let root = root.to_path_buf();
    let cache = Arc::new(crate::data::DataCache::default());
    tera.register_function(
        "load_data",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let path = kw_str(&kwargs, "path")?;
            let format = kwargs.get::<&str>("format")?;
            cache
                .load(&root, &path, format)
                .map(|v| Value::from_serializable(&v))
                .map_err(|e| tera::Error::message(e.message))
        },
    );
}

/// Registers `get_url`, `get_page`, `get_section` and `resize_image` (Zola's global functions),
/// the `json_encode` filter and `placeholder` test ([`crate::seo`]), and `range` with the render
/// time limit ([`range`]).
fn register_functions(tera: &mut Tera, data: &Arc<OnceLock<SiteData>>) {
    tera.register_filter("json_encode", crate::seo::json_encode);
    tera.register_test("placeholder", crate::seo::is_placeholder);
    tera.register_function("range", range);
    register_resize_image(tera, data);
    let d = Arc::clone(data);
    tera.register_function("get_url", move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> {
        let d = site(&d)?;
        let path = kw_str(&kwargs, "path")?;
        let cachebust = kwargs.get::<bool>("cachebust")?.unwrap_or(false);
        if let Some(rest) = path.strip_prefix("@/") {
            let (p, anchor) = match rest.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (rest, None),
            };
            return match d.permalinks.get(p) {
                Some(url) => Ok(Value::from(match anchor {
                    Some(a) => format!("{url}#{a}"),
                    None => url.clone(),
                })),
                None => Err(tera::Error::message(format!("get_url: {}", missing_page_message(d, p)))),
            };
        }
        if crate::site::is_external(&path) {
            return Ok(Value::from(path));
        }
        let clean = path.trim_start_matches('/');
        let (file, query) = match clean.split_once(['?', '#']) {
            Some((f, _)) => (f, &clean[f.len()..]),
            None => (clean, ""),
        };
        let key = if file.is_empty() || file.ends_with('/') { format!("{file}index.html") } else { file.to_string() };
        let Some(source) = d.outputs.get(&key) else {
            return Err(tera::Error::message(format!(
                "get_url: there is no file `{file}` in the site (static files come from static/ and the theme's static/)"
            )));
        };
        let mut url = format!("{}/{}{}", d.base_url, file, query);
        if cachebust && let Some(src) = source {
            let hash = {
                let known = d.cachebust.lock().unwrap_or_else(PoisonError::into_inner).get(&key).cloned();
                match known {
                    Some(h) => h,
                    None => {
                        let bytes = std::fs::read(src).map_err(|e| tera::Error::message(format!("get_url: could not read {}: {e}", src.display())))?;
                        let h = cachebust_hash(&bytes);
                        d.cachebust.lock().unwrap_or_else(PoisonError::into_inner).insert(key.clone(), h.clone());
                        h
                    }
                }
            };
            url.push_str(if query.contains('?') { "&h=" } else { "?h=" });
            url.push_str(&hash);
        }
        Ok(Value::from(url))
    });
    let d = Arc::clone(data);
    tera.register_function(
        "get_page",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let d = site(&d)?;
            let path = kwargs.must_get::<&str>("path")?;
            let path = path.trim_start_matches("@/");
            if path.ends_with("_index.md") {
                return Err(tera::Error::message(format!(
                    "get_page: `{path}` is a section; use get_section"
                )));
            }
            record(|| Read::page(path));
            d.value(path, false).cloned().ok_or_else(|| {
                tera::Error::message(format!("get_page: {}", missing_page_message(d, path)))
            })
        },
    );
    let d = Arc::clone(data);
    // Called for every section on every page by a typical nav: no allocation on this path.
    tera.register_function("get_section", move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> {
        let d = site(&d)?;
        let path = kwargs.must_get::<&str>("path")?;
        let path = path.trim_start_matches("@/");
        let metadata_only = kwargs.get::<bool>("metadata_only")?.unwrap_or(false);
        if !path.ends_with("_index.md") {
            return Err(tera::Error::message(format!("get_section: `{path}` is not a section; sections are `_index.md` files, like `blog/_index.md`")));
        }
        record(|| Read::section(path, !metadata_only));
        d.value(path, metadata_only)
            .cloned()
            .ok_or_else(|| tera::Error::message(format!("get_section: {}", missing_page_message(d, path))))
    });
}

/// Tera's `range(end=, start=0, step_by=1)` with its limit of 100,000 numbers per call, which
/// also stops a render past its time limit (see [`crate::runaway`]): a loop inside a loop calls
/// it once per step of the outer loop.
fn range(kwargs: Kwargs, _: &State) -> tera::TeraResult<Vec<i64>> {
    const MAX: i128 = 100_000;
    crate::runaway::check()?;
    let start = i128::from(kwargs.get::<i64>("start")?.unwrap_or(0));
    let end = i128::from(kwargs.must_get::<i64>("end")?);
    let step = i128::from(kwargs.get::<i64>("step_by")?.unwrap_or(1));
    if step == 0 {
        return Err(tera::Error::message("range: `step_by` must not be 0"));
    }
    if step > 0 && start > end {
        return Err(tera::Error::message(
            "range: `start` is greater than `end`; give a negative `step_by` to count down",
        ));
    }
    // Whole steps from start towards end, end excluded (i128: no overflow from i64 inputs).
    let count = if step > 0 {
        (end - start + step - 1) / step
    } else if start > end {
        (start - end + (-step) - 1) / (-step)
    } else {
        0
    };
    if count > MAX {
        return Err(tera::Error::message(format!(
            "range: this would make {count} numbers, more than the limit of {MAX}"
        )));
    }
    Ok((0..count).map(|i| (start + i * step) as i64).collect())
}

/// FNV-1a, 64 bits: a stable content hash (`watch` uses it to tell a real change from a touch).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The `?h=` value of `get_url(..., cachebust=true)`: the first 20 hex digits of the file's
/// 128-bit XXH3 hash. Zola appends `?h=` and the first 20 hex digits of a SHA-256; a cache key
/// needs no cryptographic strength, and XXH3 (the `xxhash-rust` crate, also used for image cache
/// keys) is many times faster. Stable across builds, platforms and versions of stillpoint.
pub fn cachebust_hash(bytes: &[u8]) -> String {
    let full = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes));
    full[..20].to_string()
}

/// Registers `resize_image` (Zola's): `resize_image(path="images/room.jpg", width=800,
/// height=600, op="fill", format="auto")` returns `{url, static_path, width, height,
/// orig_width, orig_height}`. `op` defaults to `fill` and `format` to `auto`, as in Zola; `path`
/// is the image's path in the published site (see [`crate::images::Processor::resize`]).
fn register_resize_image(tera: &mut Tera, data: &Arc<OnceLock<SiteData>>) {
    let d = Arc::clone(data);
    tera.register_function(
        "resize_image",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let d = site(&d)?;
            let fail = |e: Box<Diagnostic>| {
                let help = e.help.as_deref().unwrap_or_default();
                tera::Error::message(format!("{} ({help})", e.message))
            };
            let path = kw_str(&kwargs, "path")?;
            let width = kwargs.get::<u32>("width")?;
            let height = kwargs.get::<u32>("height")?;
            let op = kwargs.get::<&str>("op")?.unwrap_or("fill");
            let format = kwargs.get::<&str>("format")?.unwrap_or("auto");
            let op = crate::images::Op::from_args(op, width, height).map_err(fail)?;
            let Some(format) = crate::images::Format::parse(format) else {
                return Err(tera::Error::message(format!(
                    "resize_image: unknown format `{format}` (use auto, jpg, png or webp)"
                )));
            };
            let Some(images) = &d.images else {
                return Err(tera::Error::message("resize_image is not available here"));
            };
            let r = images.resize(&path, op, format).map_err(fail)?;
            Ok(Value::from_serializable(&r))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unclosed_tags_are_found_where_they_open() {
        let src = "<p>\n{% if a %}\n{% for x in y %}{% endfor %}\n{% block b %}{% endblock %}\n";
        let (span, tag) = find_unclosed_tag(src).unwrap();
        assert_eq!((span.line, span.col, tag.as_str()), (2, 1, "if"));
        assert!(find_unclosed_tag("{% if a %}{% set x = 1 %}{% endif %}").is_none());
        assert_eq!(
            find_unclosed_tag("  {%- set x -%}v").map(|(s, t)| (s.col, t)),
            Some((3, "set".into()))
        );
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn cachebust_hash_is_stable_and_20_hex_digits() {
        let h = cachebust_hash(b"body { color: black }");
        assert_eq!(h.len(), 20);
        assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(h, cachebust_hash(b"body { color: black }"));
        assert_ne!(h, cachebust_hash(b"body { color: white }"));
    }
}
