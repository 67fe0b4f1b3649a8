//! The template functions, filters and tests stillpoint registers on Tera (Zola's
//! `global_fns`): `get_url`, `get_page`, `get_section`, `resize_image`, `load_data`, `range`, `now`,
//! `json_encode` and `placeholder`, and [`SiteData`], what the site functions answer from.
//!
//! Unbound templates ([`super::Templates`]) register the site functions on no data (they fail
//! with "site data is not available yet"); [`super::Templates::bind`] registers them again on a
//! copy, on one build's data; a recorded render adds a recorder
//! ([`crate::render::reads`]).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use tera::{Kwargs, State, Tera, Value};

use crate::render::reads::{Read, Recorder};

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
    /// Taxonomy name (`tags`) -> language code (`en`, `fr`) -> what `get_taxonomy` and
    /// `get_taxonomy_url` answer.
    pub taxonomies: Arc<FastMap<String, FastMap<String, TaxonomyData>>>,
    /// The site's default language (`language:`): the `lang` of `get_taxonomy` when none is
    /// given.
    pub language: String,
    /// The `config` value templates see: the context of the page-independent template parts
    /// rendered once per build (see `Templates::bind`; without it, none is).
    pub config: Option<Value>,
}

/// One taxonomy as the template functions see it.
#[derive(Debug, Clone)]
pub struct TaxonomyData {
    /// What `get_taxonomy` returns (`kind`, `items`, `permalink`, `lang`).
    pub value: Value,
    /// Term slug -> (name, permalink), for `get_taxonomy_url`.
    pub terms: FastMap<String, (String, String)>,
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
            taxonomies: Arc::clone(&self.taxonomies),
            language: self.language.clone(),
            config: self.config.clone(),
            cachebust: Mutex::new(
                self.cachebust
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone(),
            ),
        }
    }
}

fn kw_str(kwargs: &Kwargs, name: &str) -> tera::TeraResult<String> {
    kwargs.must_get::<&str>(name).map(str::to_string)
}

/// What the site functions answer from: the site data (none in unbound templates), and where
/// `get_page` and `get_section` note their reads when a render is recorded.
#[derive(Clone, Default)]
pub(super) struct Binding {
    pub(super) data: Option<Arc<SiteData>>,
    pub(super) recorder: Option<Recorder>,
}

impl Binding {
    fn site(&self) -> tera::TeraResult<&SiteData> {
        crate::runaway::check()?;
        self.data
            .as_deref()
            .ok_or_else(|| tera::Error::message("site data is not available yet"))
    }

    fn note(&self, read: impl FnOnce() -> Read) {
        if let Some(r) = &self.recorder {
            r.note(read());
        }
    }
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
pub(super) fn register_load_data(tera: &mut Tera, root: &Path) {
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

/// Registers the `json_encode` filter and `placeholder` test ([`crate::seo`]), `range` with the
/// render time limit ([`range`]), and Zola's filters that Tera 2 does not ship
/// ([`super::filters`]; `markdown` with the default settings until [`register_markdown`]).
pub(super) fn register_functions(tera: &mut Tera) {
    super::filters::register(tera, &crate::markdown::Settings::default());
    tera.register_filter("json_encode", crate::seo::json_encode);
    tera.register_test("placeholder", crate::seo::is_placeholder);
    tera.register_function("range", range);
    // Registered again with the site's strings once the templates are parsed.
    super::trans::register(tera, Default::default());
    tera.register_function("now", now);
}

/// Zola's `now()`: the time of the build, as an RFC 3339 text in the machine's time zone
/// (`2026-12-06T09:30:00.123456789+01:00`, what Zola's `now()` gives and the `date` filter
/// reads), in UTC with `utc=true`, or as whole seconds since 1970-01-01 UTC with
/// `timestamp=true`. A page that uses it changes at every build.
///
/// Errors: `timestamp` or `utc` given as something other than `true`/`false`.
fn now(kwargs: Kwargs, _: &State) -> tera::TeraResult<Value> {
    let timestamp = kwargs.get::<bool>("timestamp")?.unwrap_or(false);
    let utc = kwargs.get::<bool>("utc")?.unwrap_or(false);
    let local = jiff::ZonedDateTime::now();
    if timestamp {
        return Ok(Value::from(local.timestamp().as_second()));
    }
    let zoned = if utc {
        local.with_time_zone(jiff::tz::TimeZone::UTC)
    } else {
        local
    };
    Ok(Value::from(
        zoned.strftime("%Y-%m-%dT%H:%M:%S%.f%:z").to_string(),
    ))
}

/// Registers Zola's filters again with the site's `markdown:` settings (for `markdown`).
pub(super) fn register_markdown(tera: &mut Tera, settings: &crate::markdown::Settings) {
    super::filters::register(tera, settings);
}

/// Registers `get_url`, `get_page`, `get_section` and `resize_image` (Zola's global functions)
/// on `binding` (replacing those registered before).
pub(super) fn register_site_functions(tera: &mut Tera, binding: &Binding) {
    register_resize_image(tera, binding);
    let b = binding.clone();
    tera.register_function(
        "get_url",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> { get_url(&b, &kwargs) },
    );
    let b = binding.clone();
    tera.register_function(
        "get_page",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> { get_page(&b, &kwargs) },
    );
    let b = binding.clone();
    tera.register_function(
        "get_section",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> { get_section(&b, &kwargs) },
    );
    register_taxonomy_functions(tera, binding);
}

/// Registers `get_taxonomy` and `get_taxonomy_url` (Zola's) on `binding`.
fn register_taxonomy_functions(tera: &mut Tera, binding: &Binding) {
    let b = binding.clone();
    tera.register_function(
        "get_taxonomy",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let d = b.site()?;
            let kind = kwargs.must_get::<&str>("kind")?;
            let lang = kwargs.get::<&str>("lang")?;
            Ok(taxonomy(d, "get_taxonomy", kind, lang)?.value.clone())
        },
    );
    let b = binding.clone();
    tera.register_function(
        "get_taxonomy_url",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> {
            get_taxonomy_url(b.site()?, &kwargs)
        },
    );
}

/// The taxonomy `kind` in language `lang` (as in Zola, the site's default language when
/// none is given), or an error of `function` naming the kind and the configured ones, or the
/// language and the site's languages.
fn taxonomy<'d>(
    d: &'d SiteData,
    function: &str,
    kind: &str,
    lang: Option<&str>,
) -> tera::TeraResult<&'d TaxonomyData> {
    let Some(by_lang) = d.taxonomies.get(kind) else {
        let mut known: Vec<&str> = d.taxonomies.keys().map(String::as_str).collect();
        known.sort_unstable();
        let hint = match crate::error::closest(known.iter().copied(), kind) {
            Some(c) => format!(" (did you mean `{c}`?)"),
            None if known.is_empty() => {
                " (config.yaml lists no taxonomies: add `taxonomies: [{ name: tags }]`)".into()
            }
            None => format!(" (config.yaml lists: {})", known.join(", ")),
        };
        return Err(tera::Error::message(format!(
            "{function}: there is no taxonomy `{kind}`{hint}"
        )));
    };
    let lang = lang.unwrap_or(&d.language);
    by_lang.get(lang).ok_or_else(|| {
        let mut known: Vec<&str> = by_lang.keys().map(String::as_str).collect();
        known.sort_unstable();
        tera::Error::message(format!(
            "{function}: the site has no language `{lang}` (its languages: {})",
            known.join(", ")
        ))
    })
}

/// `get_taxonomy_url(kind=…, name=…, lang=…)`: the permalink of a term in language `lang`
/// (the site's default language when none is given, as in Zola), found by its name as any
/// page of that language writes it (names that slugify alike are one term). Errors name the
/// kind, the language or the term and the closest known one.
fn get_taxonomy_url(d: &SiteData, kwargs: &Kwargs) -> tera::TeraResult<Value> {
    let kind = kwargs.must_get::<&str>("kind")?;
    let name = kw_str(kwargs, "name")?;
    let lang = kwargs.get::<&str>("lang")?;
    let tax = taxonomy(d, "get_taxonomy_url", kind, lang)?;
    if let Some((_, url)) = tax.terms.get(&crate::site::slugify(&name)) {
        return Ok(Value::from(url.as_str()));
    }
    let hint = match crate::error::closest(tax.terms.values().map(|(n, _)| n.as_str()), &name) {
        Some(c) => format!(" (did you mean `{c}`?)"),
        None => String::new(),
    };
    let in_lang = match lang {
        Some(l) if l != d.language => format!(" in `{l}`"),
        _ => String::new(),
    };
    Err(tera::Error::message(format!(
        "get_taxonomy_url: no page{in_lang} has the {kind} term `{name}`{hint}"
    )))
}

/// `get_url(path=…, cachebust=false)`: the permalink of `@/` content, an external URL as it
/// is, or the URL of a file of the site (with `?h=` and its content hash with `cachebust`).
fn get_url(b: &Binding, kwargs: &Kwargs) -> tera::TeraResult<Value> {
    let d = b.site()?;
    let path = kw_str(kwargs, "path")?;
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
            None => Err(tera::Error::message(format!(
                "get_url: {}",
                missing_page_message(d, p)
            ))),
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
    let key = if file.is_empty() || file.ends_with('/') {
        format!("{file}index.html")
    } else {
        file.to_string()
    };
    let Some(source) = d.outputs.get(&key) else {
        return Err(tera::Error::message(format!(
            "get_url: there is no file `{file}` in the site (static files come from static/ and the theme's static/)"
        )));
    };
    let mut url = format!("{}/{}{}", d.base_url, file, query);
    if cachebust && let Some(src) = source {
        let hash = cachebust_of(d, &key, src)?;
        url.push_str(if query.contains('?') { "&h=" } else { "?h=" });
        url.push_str(&hash);
    }
    Ok(Value::from(url))
}

/// The `cachebust` hash of the copied file `src` (output path `key`), computed once per build.
fn cachebust_of(d: &SiteData, key: &str, src: &Path) -> tera::TeraResult<String> {
    let known = d
        .cachebust
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(key)
        .cloned();
    if let Some(h) = known {
        return Ok(h);
    }
    let bytes = std::fs::read(src).map_err(|e| {
        tera::Error::message(format!("get_url: could not read {}: {e}", src.display()))
    })?;
    let h = cachebust_hash(&bytes);
    d.cachebust
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key.to_string(), h.clone());
    Ok(h)
}

/// `get_page(path=…)`: the value of a page, by its content path.
fn get_page(b: &Binding, kwargs: &Kwargs) -> tera::TeraResult<Value> {
    let d = b.site()?;
    let path = kwargs.must_get::<&str>("path")?;
    let path = without_at(path);
    if is_section_path(path) {
        return Err(tera::Error::message(format!(
            "get_page: `{path}` is a section; use get_section"
        )));
    }
    b.note(|| Read::page(path));
    d.value(path, false)
        .cloned()
        .ok_or_else(|| tera::Error::message(format!("get_page: {}", missing_page_message(d, path))))
}

/// `get_section(path=…, metadata_only=false)`: the value of a section, by the content path of
/// its `_index.md`. Called for every section on every page by a typical nav: no allocation on
/// this path.
fn get_section(b: &Binding, kwargs: &Kwargs) -> tera::TeraResult<Value> {
    let d = b.site()?;
    let path = kwargs.must_get::<&str>("path")?;
    let path = without_at(path);
    let metadata_only = kwargs.get::<bool>("metadata_only")?.unwrap_or(false);
    if !is_section_path(path) {
        return Err(tera::Error::message(format!(
            "get_section: `{path}` is not a section; sections are `_index.md` files, like `blog/_index.md`"
        )));
    }
    b.note(|| Read::section(path, !metadata_only));
    d.value(path, metadata_only).cloned().ok_or_else(|| {
        tera::Error::message(format!("get_section: {}", missing_page_message(d, path)))
    })
}

/// `path` without its leading `@/` (each of them, as `trim_start_matches` would; a plain
/// prefix test, which a template calling this for every item of a nav does not pay a substring
/// searcher for).
fn without_at(mut path: &str) -> &str {
    while let Some(rest) = path.strip_prefix("@/") {
        path = rest;
    }
    path
}

/// True for the content path of a section: `_index.md`, `blog/_index.md`, or a translation
/// like `blog/_index.fr.md`.
fn is_section_path(path: &str) -> bool {
    let name = path.rsplit_once('/').map_or(path, |(_, name)| name);
    name == "_index.md" || (name.starts_with("_index.") && name.ends_with(".md"))
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
fn register_resize_image(tera: &mut Tera, binding: &Binding) {
    let b = binding.clone();
    tera.register_function(
        "resize_image",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let d = b.site()?;
            let fail = |e: Box<crate::error::Diagnostic>| {
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
    fn cachebust_hash_is_stable_and_20_hex_digits() {
        let h = cachebust_hash(b"body { color: black }");
        assert_eq!(h.len(), 20);
        assert!(h.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(h, cachebust_hash(b"body { color: black }"));
        assert_ne!(h, cachebust_hash(b"body { color: white }"));
    }

    /// `now()`'s shape only (the test must not depend on the day): RFC 3339 text that the
    /// `date` filter reads, `+00:00` with `utc=true`, whole seconds with `timestamp=true`.
    #[test]
    fn now_gives_the_build_time_in_zolas_shapes() {
        let mut tera = Tera::new();
        register_functions(&mut tera);
        let render = |tera: &mut Tera, t: &str| {
            tera.add_raw_template("t", t).unwrap();
            tera.render("t", &tera::Context::new()).unwrap()
        };
        let local = render(&mut tera, "{{ now() }}");
        let parsed: jiff::Timestamp = local.parse().unwrap_or_else(|e| panic!("{local}: {e}"));
        assert!(parsed.as_second() > 0, "{local}");
        let utc = render(&mut tera, "{{ now(utc=true) }}");
        assert!(utc.ends_with("+00:00") && utc.len() >= 25, "{utc}");
        assert_eq!(utc.as_bytes()[10], b'T', "{utc}");
        let seconds = render(&mut tera, "{{ now(timestamp=true) }}");
        assert!(seconds.parse::<i64>().is_ok_and(|s| s > 0), "{seconds}");
        let year = render(&mut tera, r#"{{ now(utc=true) | date(format="%Y") }}"#);
        assert!(
            year.len() == 4 && year.chars().all(|c| c.is_ascii_digit()),
            "{year}"
        );
        tera.add_raw_template("bad", "{{ now(utc=\"yes\") }}")
            .unwrap();
        assert!(tera.render("bad", &tera::Context::new()).is_err());
    }
}
