//! Templates: loads Tera templates (the theme's, then the site's `templates/` over them, file by
//! file), registers the functions `get_url`, `get_page`, `get_section` and `load_data`, and turns Tera's
//! errors into diagnostics that name the template file, its line, and the page being rendered
//! (Zola #1536: the error must point at the included template that fails, not at the layout).
//!
//! In: the [`Config`]. Out: [`Templates`], unbound (what shortcodes render with), and by
//! [`Templates::bind`] the [`BoundTemplates`] pages render with, whose functions answer from
//! the site's data. The context itself is built in [`context`]: it is the theme API.

pub mod context;
mod diagnostics;
mod filters;
mod fragments;
mod functions;
pub mod names;
pub(crate) mod origin;
mod seen;
mod trans;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use tera::{Context, Kwargs, State, Tera, Value};

use crate::config::Config;
use crate::content::walk;
use crate::error::{Diagnostic, Error, Result};
use crate::render::reads::{Read, Recorder};
use diagnostics::{first_line, reference_diagnostics, tera_diagnostic};
use functions::{
    Binding, register_functions, register_load_data, register_markdown, register_site_functions,
};
pub use functions::{FastMap, SiteData, TaxonomyData, cachebust_hash};
pub use seen::PageFields;

/// Built-in `sitemap.xml` (sitemaps.org protocol 0.9), used unless the site or theme has one.
const SITEMAP: &str = include_str!("templates/builtin/sitemap.xml");

/// Built-in Atom feed (RFC 4287) of a section with `feed: true`, used unless the site or theme
/// has an `atom.xml` (Zola's name). Its context is `feed` ([`context::feed_value`]), `section`
/// and `config`. Every value is escaped for XML by autoescaping (`.xml` templates are
/// autoescaped: an extra `escape_xml` would escape twice); HTML goes in `type="html"` elements.
const ATOM: &str = include_str!("templates/builtin/atom.xml");

/// Built-in `robots.txt`: allow everything and point at the sitemap.
const ROBOTS: &str = include_str!("templates/builtin/robots.txt");

/// Built-in `404.html`, for sites whose theme has none.
const NOT_FOUND: &str = include_str!("templates/builtin/404.html");

/// Built-in redirect page for `aliases` (a meta refresh, as Zola and Hugo write).
const ALIAS: &str = include_str!("templates/builtin/alias.html");

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

/// The loaded templates and where each came from, not bound to any site: what shortcodes
/// render with (they run before the site's values exist, so `get_url`, `get_page`,
/// `get_section` and `resize_image` fail with "site data is not available yet"). Pages render
/// with [`Templates::bind`]'s [`BoundTemplates`]. Cloning is cheap (shared).
#[derive(Clone)]
pub struct Templates(Arc<Loaded>);

struct Loaded {
    tera: Tera,
    files: Files,
    /// The names a template or a page's `template:` may use, sorted, for "did you mean" hints:
    /// every loaded template but the built-in alias page and the theme's
    /// `<theme>/templates/<name>` copies.
    names: Vec<String>,
    /// The ids the page templates write as they are (see [`Templates::fixed_ids`]).
    fixed_ids: HashMap<String, Vec<PathBuf>>,
    /// The page-independent parts of the templates and the templates rewritten to call them
    /// ([`fragments`]); None when there are none or the cache is off.
    parts: Option<Parts>,
    /// What the templates can show of a page's value ([`seen`]).
    page_fields: PageFields,
    /// Each template as a runaway render of it is reported ([`crate::runaway`]), by name.
    watched: HashMap<String, Arc<crate::runaway::Watched>>,
}

/// The templates with each page-independent part replaced by a call of `__part(id=N)`, and
/// the parts: `parts[N]` is rendered once per [`Templates::bind`].
struct Parts {
    tera: Tera,
    parts: Vec<fragments::Part>,
}

/// One part rendered for one build: its HTML with autoescaping on and off (a part is escaped
/// as the template that shows it is), and what it read with `get_page` and `get_section`.
struct RenderedPart {
    escaped: Value,
    raw: Value,
    reads: Vec<Read>,
}

/// The environment variable that turns the cache of page-independent parts off (a debugging
/// aid; see README, "Speed").
pub const NO_PART_CACHE: &str = "STILLPOINT_NO_PART_CACHE";

/// The environment variable that makes every page value hold every field, whatever the
/// templates can show ([`Templates::page_fields`]; a debugging aid, see README, "Speed").
pub const ALL_PAGE_FIELDS: &str = "STILLPOINT_ALL_PAGE_FIELDS";

/// True when the environment variable `name` is set to something other than empty or `0`.
fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("names", &self.0.files.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// [`Templates`] whose site functions answer from one build's [`SiteData`]: a copy of the
/// parsed templates with the functions registered on the data, made by [`Templates::bind`].
pub struct BoundTemplates {
    tera: Tera,
    data: Arc<SiteData>,
    unbound: Templates,
    /// The parts `tera` calls, rendered on `data` (None: `tera` is not rewritten).
    parts: Option<Arc<Vec<RenderedPart>>>,
    /// With parts: the templates as written, bound to `data`, that a page whose render fails
    /// is rendered again with, so that its error is the one of the templates as written (the
    /// variables a part sets are among those an error about an unknown name lists).
    original: Option<Arc<Tera>>,
    /// The parts' HTML with its links found once ([`BoundTemplates::url_pieces`]), shared by
    /// the recording copies.
    pieces: Arc<OnceLock<Vec<crate::urls::Piece>>>,
}

impl std::fmt::Debug for BoundTemplates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundTemplates")
            .field("templates", &self.unbound)
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
        let mut errors = Vec::new();
        let mut files = read_files(config, &mut errors);
        errors.extend(missing_required(config, &files));
        for (name, text) in BUILTIN_TEMPLATES {
            files.entry((*name).to_string()).or_insert_with(|| {
                (
                    PathBuf::from(format!("(built-in {name})")),
                    (*text).to_string(),
                )
            });
        }
        let usable = usable_names(config, &files);
        errors.extend(syntax_errors(config, &files, &usable));
        let strings = trans::Strings::load(config).unwrap_or_else(|d| {
            errors.push(*d);
            trans::Strings::default()
        });
        if errors.iter().any(Diagnostic::is_error) {
            return Err(Error::Diagnostics(errors));
        }
        let mut tera = parse_all(config, &files, &usable)?;
        let strings = Arc::new(strings);
        trans::register(&mut tera, Arc::clone(&strings));
        let fixed_ids = fixed_ids(&files, &usable);
        let cache_on = !env_flag(NO_PART_CACHE);
        let parts = if cache_on {
            find_parts(config, &files, strings)
        } else {
            None
        };
        let page_fields = if env_flag(ALL_PAGE_FIELDS) {
            PageFields::ALL
        } else {
            let texts: Vec<&str> = files.values().map(|(_, t)| t.as_str()).collect();
            seen::seen(&texts)
        };
        let watched = files
            .iter()
            .map(|(name, (shown, source))| {
                let w = crate::runaway::Watched::new(name, shown, source);
                (name.clone(), Arc::new(w))
            })
            .collect();
        Ok(Templates(Arc::new(Loaded {
            tera,
            files,
            names: usable,
            fixed_ids,
            parts,
            page_fields,
            watched,
        })))
    }

    /// These templates with the site functions answering from `data` (a copy of the parsed
    /// templates, made once per build or incremental rebuild, never per page).
    ///
    /// The page-independent parts (see README, "Speed") are rendered here, once, with `config`
    /// (`data.config`) as their context; if any fails (a `get_section` of a missing section,
    /// say), the templates are used as written, so the error is reported where and as it is
    /// without the cache.
    #[must_use]
    pub fn bind(&self, data: SiteData) -> BoundTemplates {
        let data = Arc::new(data);
        let binding = Binding {
            data: Some(Arc::clone(&data)),
            recorder: None,
        };
        let mut tera = self.0.tera.clone();
        register_site_functions(&mut tera, &binding);
        let rendered = self
            .0
            .parts
            .as_ref()
            .and_then(|p| render_parts(&mut tera, &p.parts, &data, &self.0.files));
        match (rendered, &self.0.parts) {
            (Some(rendered), Some(p)) => {
                let rendered = Arc::new(rendered);
                let mut rewritten = p.tera.clone();
                register_site_functions(&mut rewritten, &binding);
                register_parts(&mut rewritten, &rendered, None);
                BoundTemplates {
                    tera: rewritten,
                    data,
                    unbound: self.clone(),
                    parts: Some(rendered),
                    original: Some(Arc::new(tera)),
                    pieces: Arc::default(),
                }
            }
            _ => BoundTemplates {
                tera,
                data,
                unbound: self.clone(),
                parts: None,
                original: None,
                pieces: Arc::default(),
            },
        }
    }

    /// The page-independent parts found in the templates, each as (template name, line), in
    /// the order they are numbered; empty when the cache is off (`STILLPOINT_NO_PART_CACHE=1`).
    pub fn cached_parts(&self) -> Vec<(&str, usize)> {
        self.0.parts.as_ref().map_or_else(Vec::new, |p| {
            p.parts
                .iter()
                .map(|p| (p.template.as_str(), p.line))
                .collect()
        })
    }

    /// What these templates can show of a page's value: page values leave out what no
    /// template can show ([`context::page_map`]). Every field unless the analysis of every
    /// template proves otherwise (`templates::seen`).
    pub fn page_fields(&self) -> PageFields {
        self.0.page_fields
    }

    /// The ids that the templates pages are written with (every `.html` template but the
    /// shortcodes and `404.html`) write as they are, like `<main id="main">`, each with the
    /// templates it is in (as messages show them, in name order); an id made by the template (`id="{{ x }}"`) is not in it. Markdown
    /// headings step aside for these ids (`## Main` gets `main-1`), and a link to one is a link
    /// to the template's element, on every page (see README, "Links and anchors").
    pub fn fixed_ids(&self) -> &HashMap<String, Vec<PathBuf>> {
        &self.0.fixed_ids
    }

    /// The loaded template whose name is closest to `name` (a misspelt `template:` in front
    /// matter), if one is close; see [`crate::error::closest`].
    pub fn closest_name(&self, name: &str) -> Option<&str> {
        crate::error::closest(self.0.names.iter().map(String::as_str), name)
    }

    /// True if a template of that name was loaded (from the site, the theme or built in).
    pub fn has(&self, name: &str) -> bool {
        self.0.files.contains_key(name)
    }

    /// The names of the shortcodes the site and theme provide (`callout` for
    /// `shortcodes/callout.html`), sorted.
    pub fn shortcode_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .0
            .files
            .keys()
            .filter_map(|k| k.strip_prefix("shortcodes/")?.strip_suffix(".html"))
            .collect();
        names.sort_unstable();
        names
    }

    /// Where a template came from, as shown in messages.
    pub fn shown_path(&self, name: &str) -> Option<&Path> {
        self.0.files.get(name).map(|(p, _)| p.as_path())
    }

    /// The text of the template file shown as `shown` in diagnostics (`themes/default/...`).
    pub(crate) fn source_of(&self, shown: &Path) -> Option<&str> {
        self.0
            .files
            .values()
            .find(|(p, _)| p == shown)
            .map(|(_, s)| s.as_str())
    }

    /// The text of every loaded template file (incremental rebuilds look for names in them).
    pub(crate) fn sources(&self) -> impl Iterator<Item = &str> {
        self.0.files.values().map(|(_, s)| s.as_str())
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
        self.0.render_with(&self.0.tera, name, context, rendering)
    }
}

/// Template name -> (path shown in messages, source text).
type Files = HashMap<String, (PathBuf, String)>;

/// A Tera with stillpoint's settings and functions (unbound), and nothing parsed yet.
fn new_tera(config: &Config) -> Tera {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    tera.set_escape_fn(crate::html::escape_for_templates);
    register_functions(&mut tera);
    register_markdown(&mut tera, &config.markdown);
    register_site_functions(&mut tera, &Binding::default());
    register_load_data(&mut tera, &config.root);
    tera
}

/// The theme's `templates/` and then the site's (a site file replaces the theme file of the
/// same name). Unreadable or non-UTF-8 files go to `errors`.
fn read_files(config: &Config, errors: &mut Vec<Diagnostic>) -> Files {
    let mut files = Files::new();
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
    files
}

/// The errors for `index.html`, `section.html` or `page.html` missing from both the site and
/// the theme.
fn missing_required(config: &Config, files: &Files) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
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
    errors
}

/// The names a template or a page's `template:` may use, sorted: every loaded template but the
/// built-in alias page and the theme's `<theme>/templates/<name>` copies.
fn usable_names(config: &Config, files: &Files) -> Vec<String> {
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
    usable
}

/// The ids written as they are in the page templates among `usable` (see
/// [`Templates::fixed_ids`]), each with the files it is in, in name order.
fn fixed_ids(files: &Files, usable: &[String]) -> HashMap<String, Vec<PathBuf>> {
    let mut ids: HashMap<String, Vec<PathBuf>> = HashMap::new();
    let pages = usable.iter().filter(|n| {
        n.ends_with(".html") && !n.starts_with("shortcodes/") && n.as_str() != "404.html"
    });
    for name in pages {
        if let Some((shown, text)) = files.get(name) {
            crate::markdown::scan_html_ids(text, |id| {
                if !id.contains(['{', '}']) {
                    let files = ids.entry(id.to_owned()).or_default();
                    if !files.contains(shown) {
                        files.push(shown.clone());
                    }
                }
            });
        }
    }
    ids
}

/// Syntax errors first, one template at a time (each in a scratch Tera), so every broken file
/// is reported.
fn syntax_errors(config: &Config, files: &Files, usable: &[String]) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let mut names: Vec<&String> = files.keys().collect();
    names.sort();
    for name in &names {
        let (shown, text) = &files[*name];
        let mut scratch = Tera::new();
        register_functions(&mut scratch);
        register_site_functions(&mut scratch, &Binding::default());
        register_load_data(&mut scratch, &config.root);
        if let Err(e) = scratch.add_raw_template(name, text)
            && matches!(e.kind(), tera::ErrorKind::SyntaxError(_))
        {
            errors.push(tera_diagnostic(&e, files, usable).unwrap_or_else(|| {
                Diagnostic::error(format!("template error in {}", shown.display())).in_file(shown)
            }));
        }
    }
    errors
}

/// Every template as (name, text), in name order.
fn by_name(files: &Files) -> Vec<(&str, &str)> {
    let mut all: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, (_, text))| (n.as_str(), text.as_str()))
        .collect();
    all.sort_unstable_by_key(|&(n, _)| n);
    all
}

/// Every template parsed into one Tera (after [`syntax_errors`] found none).
///
/// Errors: unknown filters, tests, functions, templates or blocks, one diagnostic each;
/// `extends` loops and missing parents.
fn parse_all(config: &Config, files: &Files, usable: &[String]) -> Result<Tera> {
    let mut tera = new_tera(config);
    let all = by_name(files);
    if let Err(e) = tera.add_raw_templates(all) {
        let mut found = reference_diagnostics(&e, files, usable);
        if found.is_empty() {
            found.push(tera_diagnostic(&e, files, usable).unwrap_or_else(|| {
                Diagnostic::error(format!("template error: {}", first_line(&e.to_string())))
            }));
        }
        return Err(Error::Diagnostics(found));
    }
    Ok(tera)
}

impl BoundTemplates {
    /// [`Templates::render`], with the site functions answering from the bound data.
    ///
    /// Errors: as [`Templates::render`]. A page that fails with page-independent parts cached
    /// is rendered again with the templates as written, and their error is returned.
    pub fn render(
        &self,
        name: &str,
        context: &Context,
        rendering: &str,
    ) -> std::result::Result<String, Box<Diagnostic>> {
        let loaded = &self.unbound.0;
        match loaded.render_checked(&self.tera, name, context, rendering) {
            Err((_, false)) if let Some(original) = &self.original => {
                loaded.render_with(original, name, context, rendering)
            }
            r => r.map_err(|(d, _)| d),
        }
    }

    /// The same templates, unbound (what shortcodes render with).
    pub fn unbound(&self) -> &Templates {
        &self.unbound
    }

    /// The site data the functions answer from.
    pub fn data(&self) -> &SiteData {
        &self.data
    }

    /// A copy whose `get_page` and `get_section` also note what they read in `recorder` (one
    /// copy per worker of a recorded render, never one per page).
    pub(crate) fn recording(&self, recorder: &Recorder) -> BoundTemplates {
        let mut tera = self.tera.clone();
        register_site_functions(
            &mut tera,
            &Binding {
                data: Some(Arc::clone(&self.data)),
                recorder: Some(recorder.clone()),
            },
        );
        if let Some(parts) = &self.parts {
            register_parts(&mut tera, parts, Some(recorder.clone()));
        }
        BoundTemplates {
            tera,
            data: Arc::clone(&self.data),
            unbound: self.unbound.clone(),
            parts: self.parts.clone(),
            original: self.original.clone(),
            pieces: Arc::clone(&self.pieces),
        }
    }

    /// The HTML of the page-independent parts, escaped and raw, as pieces whose links into
    /// `site` are found once ([`crate::urls::Piece`]): a page that shows a part then writes them
    /// relative to itself without scanning the part again ([`crate::urls::rewrite_with`]).
    /// Made on the first call; every call of one bind passes the same site (the build's).
    pub(crate) fn url_pieces(&self, site: crate::urls::Site<'_>) -> &[crate::urls::Piece] {
        let Some(parts) = &self.parts else {
            return &[];
        };
        self.pieces.get_or_init(|| {
            let mut texts: Vec<&str> = parts
                .iter()
                .flat_map(|p| [p.escaped.as_str(), p.raw.as_str()])
                .flatten()
                .collect();
            texts.sort_unstable();
            texts.dedup();
            texts
                .into_iter()
                .filter_map(|t| crate::urls::Piece::new(t, site))
                .collect()
        })
    }
}

/// The parts of `files` ([`fragments::rewrite`]) and every template parsed again with each part
/// replaced by its `__part` call; None when there are none, or (it should not happen) when the
/// rewritten templates do not parse.
fn find_parts(config: &Config, files: &Files, strings: Arc<trans::Strings>) -> Option<Parts> {
    let all = by_name(files);
    let found = fragments::rewrite(&all);
    if found.parts.is_empty() {
        return None;
    }
    let changed: HashMap<&str, &str> = found
        .files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let mut tera = new_tera(config);
    tera.register_function(
        fragments::PART_FUNCTION,
        |_: Kwargs, _: &State| -> tera::TeraResult<Value> {
            Err(tera::Error::message(
                "template parts are only rendered with the site's data",
            ))
        },
    );
    let rewritten = all
        .iter()
        .map(|(n, t)| (*n, changed.get(n).copied().unwrap_or(t)));
    tera.add_raw_templates(rewritten).ok()?;
    trans::register(&mut tera, strings);
    Some(Parts {
        tera,
        parts: found.parts,
    })
}

/// Renders every part once with `tera` (bound, unrewritten) and a context holding only
/// `config`, with autoescaping on and off, noting what each reads. None if any part fails or
/// runs past the render limits ([`crate::runaway`]): the build then renders the templates as
/// written. `tera`'s site functions are left bound without a recorder.
fn render_parts(
    tera: &mut Tera,
    parts: &[fragments::Part],
    data: &Arc<SiteData>,
    files: &Files,
) -> Option<Vec<RenderedPart>> {
    let config = data.config.clone()?;
    let recorder = Recorder::default();
    let recording = Binding {
        data: Some(Arc::clone(data)),
        recorder: Some(recorder.clone()),
    };
    register_site_functions(tera, &recording);
    let mut context = Context::new();
    context.insert_value("config", config);
    let rendered: Option<Vec<RenderedPart>> = parts
        .iter()
        .map(|part| {
            let shown = files
                .get(&part.template)
                .map_or_else(|| PathBuf::from(&part.template), |(p, _)| p.clone());
            let watched = Arc::new(crate::runaway::Watched::new(
                &part.template,
                &shown,
                &part.source,
            ));
            let once = |autoescape: bool| -> Option<Value> {
                let guard = crate::runaway::start(&watched, "(template part)");
                let mut out = crate::runaway::LimitedWriter::new(&guard);
                let done = tera.render_str_to(&part.source, &context, autoescape, &mut out);
                if done.is_err() || out.stopped.is_some() {
                    return None;
                }
                Some(Value::safe_string(std::str::from_utf8(&out.buf).ok()?))
            };
            let escaped = once(true)?;
            let raw = once(false)?;
            Some(RenderedPart {
                escaped,
                raw,
                reads: recorder.take(),
            })
        })
        .collect();
    register_site_functions(
        tera,
        &Binding {
            data: Some(Arc::clone(data)),
            recorder: None,
        },
    );
    rendered
}

/// Registers `__part(id=N)`: part `N`'s HTML in the escaping mode of the template calling it,
/// noting its reads in `recorder` (each call, as if the page had rendered the part itself).
fn register_parts(tera: &mut Tera, parts: &Arc<Vec<RenderedPart>>, recorder: Option<Recorder>) {
    let parts = Arc::clone(parts);
    tera.register_function(
        fragments::PART_FUNCTION,
        move |kwargs: Kwargs, state: &State| -> tera::TeraResult<Value> {
            let id = kwargs.must_get::<i64>("id")?;
            let part = usize::try_from(id)
                .ok()
                .and_then(|i| parts.get(i))
                .ok_or_else(|| tera::Error::message(format!("no template part {id}")))?;
            if let Some(r) = &recorder {
                r.note_all(&part.reads);
            }
            Ok(if state.autoescaping_enabled() {
                part.escaped.clone()
            } else {
                part.raw.clone()
            })
        },
    );
}

impl Loaded {
    /// Renders `name` with `tera` (these templates, bound or not); see [`Templates::render`].
    fn render_with(
        &self,
        tera: &Tera,
        name: &str,
        context: &Context,
        rendering: &str,
    ) -> std::result::Result<String, Box<Diagnostic>> {
        self.render_checked(tera, name, context, rendering)
            .map_err(|(d, _)| d)
    }

    /// [`Loaded::render_with`], telling an error of the template (false) from a render stopped
    /// by a limit of [`crate::runaway`] (true).
    fn render_checked(
        &self,
        tera: &Tera,
        name: &str,
        context: &Context,
        rendering: &str,
    ) -> std::result::Result<String, (Box<Diagnostic>, bool)> {
        let (shown, source) = self
            .files
            .get(name)
            .map_or((Path::new(name), ""), |(p, s)| (p.as_path(), s.as_str()));
        let watched = self.watched.get(name).map_or_else(
            || Arc::new(crate::runaway::Watched::new(name, shown, source)),
            Arc::clone,
        );
        let guard = crate::runaway::start(&watched, rendering);
        let mut out = crate::runaway::LimitedWriter::new(&guard);
        let rendered = tera.render_to(name, context, &mut out);
        if let Some(stop) = out.stopped {
            return Err((
                Box::new(crate::runaway::diagnostic(
                    stop, shown, source, rendering, name,
                )),
                true,
            ));
        }
        if rendered.is_err() && crate::runaway::check().is_err() {
            // Stopped inside `range` or a site function: the limit, not the code, is the cause.
            return Err((
                Box::new(crate::runaway::diagnostic(
                    crate::runaway::Stop::TimeLimit,
                    shown,
                    source,
                    rendering,
                    name,
                )),
                true,
            ));
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
                (Box::new(d.on_page(rendering, name)), false)
            })
    }
}
