//! Stage 1: `config.yaml` -> [`Config`].
//!
//! [`RawConfig`] mirrors the file and is strict (`deny_unknown_fields`): an unknown key is an
//! error naming the key, the line and the closest known key. [`Config::load`] applies the
//! command-line overrides to the raw form, then resolves it once (Cobalt's two layers): the base
//! URL is parsed and kept with its subpath, the output and theme folders are resolved, and the
//! result never changes during a build. Keys and meanings follow `design.md` (Zola's names).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Diagnostic, Error, Result, Span};
use crate::fs;
pub use crate::urls::UrlMode;
use crate::yaml;

mod languages;
pub use languages::{LANGUAGE_KEYS, Language, RawLanguage, translation_path};

/// The keys `config.yaml` accepts, for did-you-mean hints.
pub const CONFIG_KEYS: &[&str] = &[
    "title",
    "base_url",
    "description",
    "language",
    "languages",
    "theme",
    "output_dir",
    "menu",
    "minify",
    "urls",
    "check",
    "markdown",
    "deploy",
    "taxonomies",
    "extra",
];

/// The keys of `check:` in `config.yaml`, for did-you-mean hints.
pub const CHECK_KEYS: &[&str] = &["review_months", "skip_external"];

/// The keys of `markdown:` in `config.yaml` (Zola's names), for did-you-mean hints.
pub const MARKDOWN_KEYS: &[&str] = &[
    "smart_punctuation",
    "github_alerts",
    "definition_lists",
    "render_emoji",
    "highlight_code",
    "math",
    "external_links_target_blank",
    "external_links_no_follow",
    "external_links_no_referrer",
    "external_links_class",
];

/// The default of `check.review_months`: a health page is due for review a year after its
/// `extra.reviewed` date.
pub const DEFAULT_REVIEW_MONTHS: u32 = 12;

/// `config.yaml` as written. Every field is optional here so that a missing required key gets our
/// own message; [`Config::load`] checks them. Text settings take text as front matter does
/// (`yaml::text_or_null`): `title: 2024` is "2024", `title: true` is an error at its
/// line, `title: ~` counts as missing.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawConfig {
    /// Site title.
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub title: Option<String>,
    /// Where the site will live, e.g. `https://example.com/studio`.
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub base_url: Option<String>,
    /// Default meta description.
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub description: Option<String>,
    /// BCP 47 language tag for `<html lang>`.
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub language: Option<String>,
    /// More languages, by code (see [`RawLanguage`]).
    pub languages: std::collections::BTreeMap<String, RawLanguage>,
    /// Folder name under `themes/`.
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub theme: Option<String>,
    /// Output folder, relative to the site root.
    pub output_dir: Option<PathBuf>,
    /// Main navigation.
    pub menu: Vec<RawMenuItem>,
    /// Minify HTML output (accepted; minification is not built in yet and leaves HTML as is).
    pub minify: bool,
    /// How the site's own URLs are written: `relative` (default), `absolute` or `files`.
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub urls: Option<String>,
    /// Settings of `stillpoint check`.
    pub check: RawCheck,
    /// How markdown is rendered.
    pub markdown: RawMarkdown,
    /// Settings of `stillpoint deploy`.
    pub deploy: crate::deploy::settings::RawDeploy,
    /// Taxonomies (`tags`, …), Zola's `taxonomies:` list.
    pub taxonomies: Vec<crate::site::taxonomies::RawTaxonomy>,
    /// Anything, for templates as `config.extra`: a group of `name: value` fields, none given
    /// twice. Numbers are kept as the text written (`yaml::text_map`): the theme shows
    /// these values as text (`phone: 7805550142`).
    #[serde(deserialize_with = "crate::yaml::text_map")]
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `check:` in `config.yaml`: settings of `stillpoint check`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawCheck {
    /// Months after a health page's `extra.reviewed` date before `check` warns that it is due
    /// for review (whole number, 1 to 120; [`DEFAULT_REVIEW_MONTHS`] when absent).
    pub review_months: Option<i64>,
    /// External links that `check --external` does not visit: a URL is skipped when it starts
    /// with one of these (`https://www.facebook.com/`).
    pub skip_external: Vec<String>,
}

/// `markdown:` in `config.yaml`, Zola's names and meanings (see [`crate::markdown::Settings`]
/// for each key); an absent key has its default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawMarkdown {
    /// Curly quotes, dashes and ellipses (default true).
    pub smart_punctuation: bool,
    /// `> [!NOTE]` alert boxes (default true).
    pub github_alerts: bool,
    /// `Term` / `: definition` lists (default true).
    pub definition_lists: bool,
    /// `:smile:` → 😄 (default false).
    pub render_emoji: bool,
    /// Fenced code with a language coloured at build time (default true).
    pub highlight_code: bool,
    /// `$…$` and `$$…$$` as MathML (default false).
    pub math: bool,
    /// Links to other sites open in a new tab, with `rel="noopener"` (default false).
    pub external_links_target_blank: bool,
    /// `rel="nofollow"` on links to other sites (default false).
    pub external_links_no_follow: bool,
    /// `rel="noreferrer"` on links to other sites (default false).
    pub external_links_no_referrer: bool,
    /// A class on links to other sites (default none).
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub external_links_class: Option<String>,
}

impl Default for RawMarkdown {
    fn default() -> Self {
        let d = crate::markdown::Settings::default();
        RawMarkdown {
            smart_punctuation: d.smart_punctuation,
            github_alerts: d.github_alerts,
            definition_lists: d.definition_lists,
            render_emoji: d.render_emoji,
            highlight_code: d.highlight_code,
            math: d.math,
            external_links_target_blank: d.external_links_target_blank,
            external_links_no_follow: d.external_links_no_follow,
            external_links_no_referrer: d.external_links_no_referrer,
            external_links_class: None,
        }
    }
}

/// The resolved `check:` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSettings {
    /// Months after `extra.reviewed` before a health page is due for review.
    pub review_months: u32,
    /// URL prefixes that `check --external` does not visit.
    pub skip_external: Vec<String>,
}

impl Default for CheckSettings {
    fn default() -> Self {
        CheckSettings {
            review_months: DEFAULT_REVIEW_MONTHS,
            skip_external: Vec::new(),
        }
    }
}

/// One menu entry as written: `{name, url, weight}`; `url` may be `@/page.md`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMenuItem {
    /// Text of the link.
    #[serde(deserialize_with = "crate::yaml::scalar_text")]
    pub name: String,
    /// Target: `@/page.md`, a path like `/faq/`, or a full URL.
    #[serde(deserialize_with = "crate::yaml::scalar_text")]
    pub url: String,
    /// Order in the menu (ascending); entries without one keep their written order, last.
    #[serde(default)]
    pub weight: Option<i64>,
}

/// Values from the command line that replace or extend `config.yaml`.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--output DIR`: replaces `output_dir` (relative to the current folder if relative).
    pub output_dir: Option<PathBuf>,
    /// `--base-url URL`: replaces `base_url`.
    pub base_url: Option<String>,
    /// `serve`'s own address (`http://127.0.0.1:1111`): replaces the scheme, host and port of
    /// `base_url` and keeps its path (none when `base_url` is missing or invalid).
    pub base_origin: Option<String>,
    /// `--drafts`: include pages with `draft: true`.
    pub drafts: bool,
    /// `--urls MODE`: replaces `urls`.
    pub urls: Option<UrlMode>,
}

/// A menu entry with its position in `config.yaml`, for link errors.
#[derive(Debug, Clone)]
pub struct MenuItem {
    /// Text of the link.
    pub name: String,
    /// The target as written.
    pub url: String,
    /// Order (ascending).
    pub weight: Option<i64>,
    /// Where `url` is in `config.yaml`.
    pub span: Option<Span>,
}

/// The resolved, validated configuration. Built once per build; never changes.
#[derive(Debug, Clone)]
pub struct Config {
    /// The site root: the folder holding `config.yaml`.
    pub root: PathBuf,
    /// Path of `config.yaml`.
    pub config_file: PathBuf,
    /// The text of `config.yaml`, for error snippets.
    pub config_source: String,
    /// Site title.
    pub title: String,
    /// Base URL without a trailing slash, e.g. `https://example.org/docs`.
    pub base_url: String,
    /// The path part of the base URL without a trailing slash: `/docs`, or `` at the host root.
    pub base_path: String,
    /// Default meta description.
    pub description: String,
    /// `<html lang>`; "en" by default.
    pub language: String,
    /// Every language of the site: the default one (`language`) first, then the others of
    /// `languages:` in code order. One entry for a site in one language.
    pub languages: Vec<Language>,
    /// Theme name, if any.
    pub theme: Option<String>,
    /// `themes/<theme>`, if a theme is set.
    pub theme_dir: Option<PathBuf>,
    /// The absolute output folder (`public/` by default).
    pub output_dir: PathBuf,
    /// Where `output_dir` is set in `config.yaml`, when it comes from there (not `--output`).
    pub output_span: Option<Span>,
    /// Main navigation, sorted by weight.
    pub menu: Vec<MenuItem>,
    /// `minify: true` in the config.
    pub minify: bool,
    /// How the site's own URLs are written into pages (`urls:`, `--urls`).
    pub urls: UrlMode,
    /// Settings of `stillpoint check` (`check:` in the config).
    pub check: CheckSettings,
    /// How markdown is rendered (`markdown:` in the config), with the site's hosts from
    /// `base_url` (so links to them are not links to other sites).
    pub markdown: crate::markdown::Settings,
    /// Settings of `stillpoint deploy` (`deploy:` in the config).
    pub deploy: crate::deploy::settings::DeploySettings,
    /// The taxonomies pages may use (`taxonomies:`), in written order.
    pub taxonomies: Vec<crate::site::taxonomies::TaxonomyConfig>,
    /// `extra`, as JSON for templates.
    pub extra: serde_json::Value,
    /// Include drafts.
    pub drafts: bool,
    /// Warnings about `config.yaml`: values that parse but probably do not say what the owner
    /// meant (curly quotes, a ` #` that starts a comment), as for front matter.
    pub warnings: Vec<Diagnostic>,
}

impl Config {
    /// Reads `root/config.yaml`, applies `overrides` and resolves everything.
    ///
    /// Errors: [`Error::Io`] when the file cannot be read; [`Error::Diagnostics`] for invalid
    /// UTF-8, YAML syntax, unknown keys, wrong types, a missing `title` or `base_url`, a base URL
    /// that is not an absolute `http(s)` URL, and a theme folder that does not exist.
    pub fn load(root: &Path, overrides: &Overrides) -> Result<Config> {
        let config_file = root.join("config.yaml");
        if !config_file.is_file() {
            let similar = [
                "config.yml",
                "config.toml",
                "config.yaml.txt",
                "Config.yaml",
                "config.json",
            ]
            .into_iter()
            .find(|n| root.join(n).is_file());
            let help = match similar {
                Some(n) => format!(
                    "there is a file named {n}: rename it to config.yaml (stillpoint reads YAML from config.yaml)"
                ),
                None => "run the command in the folder that holds config.yaml, or pass --root DIR"
                    .to_string(),
            };
            return Err(Error::one(
                Diagnostic::error(format!(
                    "no config.yaml in {}: this folder is not a stillpoint site",
                    root.display()
                ))
                .help(help),
            ));
        }
        let bytes = fs::read(&config_file)?;
        let shown = PathBuf::from("config.yaml");
        let source = crate::content::decode_utf8(&bytes, &shown)?;
        // Notepad saves "UTF-8 with BOM" by default.
        let source = source.trim_start_matches('\u{feff}').to_string();
        let raw: RawConfig = if yaml::is_empty_document(&source) {
            RawConfig::default()
        } else {
            yaml::from_str(&source).map_err(|e| {
                let (fields, unknown_help) = known_keys(&e.message);
                Error::one(yaml::to_diagnostic(
                    &e,
                    &yaml::YamlSource {
                        what: "invalid setting",
                        file: &shown,
                        source: &source,
                        first_line: 1,
                        fence_line: source.lines().count() + 1,
                        fields,
                        unknown_help,
                    },
                ))
            })?
        };
        Self::from_raw(raw, root, config_file, source, overrides)
    }

    /// Resolves a [`RawConfig`]; see [`Config::load`] for the errors. Every setting is
    /// checked, and all the errors are returned together, in the order of the steps below.
    pub fn from_raw(
        raw: RawConfig,
        root: &Path,
        config_file: PathBuf,
        source: String,
        overrides: &Overrides,
    ) -> Result<Config> {
        let RawConfig {
            title,
            base_url,
            description,
            language,
            languages,
            theme,
            output_dir,
            menu,
            minify,
            urls,
            check,
            markdown,
            deploy,
            taxonomies,
            extra,
        } = raw;
        let shown = PathBuf::from("config.yaml");
        let mut errors = Vec::new();
        let title = or_default(required_title(title), &mut errors);
        // Links to the host written in config.yaml stay the site's own under `serve`, whose
        // address replaces it.
        let written_base_url = base_url.clone().unwrap_or_default();
        let (base_url, base_path) = match resolve_base_url(base_url, overrides, &source) {
            Ok(resolved) => resolved,
            // A mistake in --base-url is on the command line, not in config.yaml.
            Err(d) if overrides.base_url.is_some() => {
                errors.push(*d);
                Default::default()
            }
            Err(d) => or_default(Err(d), &mut errors),
        };
        let theme_dir = or_default(theme_dir(theme.as_deref(), root, &source), &mut errors);
        let language = or_default(resolve_language(language, &source), &mut errors);
        let (output_dir, output_span) = resolve_output_dir(output_dir, overrides, root, &source);
        let menu = resolve_menu(menu, &source);
        let default = Language::default_of(&language, &title, description.as_deref(), &menu);
        let languages = languages::resolve(languages, default, &source, &mut errors);
        // The file's value is checked even when `--urls` replaces it: a mistake in
        // config.yaml is reported whatever the command line says.
        let urls = or_default(url_mode(urls.as_deref(), &source), &mut errors);
        let urls = overrides.urls.unwrap_or(urls);
        let check = or_default(check_settings(check, &source), &mut errors);
        let markdown = markdown_settings(markdown, &[base_url.as_str(), written_base_url.as_str()]);
        let deploy = or_default(
            crate::deploy::settings::resolve(deploy, &source),
            &mut errors,
        );
        let taxonomies = crate::site::taxonomies::resolve(taxonomies, &source, &mut errors);
        if !errors.is_empty() {
            return Err(Error::Diagnostics(errors));
        }
        Ok(Config {
            taxonomies,
            root: root.to_path_buf(),
            config_file,
            title,
            base_url,
            base_path,
            description: description.unwrap_or_default(),
            language,
            languages,
            theme,
            theme_dir,
            output_dir,
            output_span,
            menu,
            minify,
            urls,
            check,
            markdown,
            deploy,
            extra: serde_json::Value::Object(extra.unwrap_or_default()),
            drafts: overrides.drafts,
            warnings: yaml::lint(&source, 1, source.split('\n').count(), &shown),
            config_source: source,
        })
    }

    /// The absolute URL of a site path: `permalink("/faq/")` is `https://example.org/docs/faq/`.
    /// `path` must start with `/`.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// A minimal configuration for tests: `https://example.com`, no theme, output in `root/public`.
    pub fn for_test(root: &Path) -> Config {
        Config {
            root: root.to_path_buf(),
            config_file: root.join("config.yaml"),
            config_source: String::new(),
            title: "Test site".into(),
            base_url: "https://example.com".into(),
            base_path: String::new(),
            description: String::new(),
            language: "en".into(),
            languages: vec![Language {
                code: "en".into(),
                title: "Test site".into(),
                ..Default::default()
            }],
            theme: None,
            theme_dir: None,
            output_dir: root.join("public"),
            output_span: None,
            menu: Vec::new(),
            minify: false,
            urls: UrlMode::default(),
            check: CheckSettings::default(),
            markdown: markdown_settings(RawMarkdown::default(), &["https://example.com"]),
            deploy: Default::default(),
            taxonomies: Vec::new(),
            extra: serde_json::Value::Object(Default::default()),
            drafts: false,
            warnings: Vec::new(),
        }
    }
}

/// True for a well-formed BCP 47 tag as far as `<html lang>` needs: letters, then
/// hyphen-separated parts of 1 to 8 letters or digits (`en`, `en-CA`, `zh-Hant-TW`).
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// A setting's value, or the error about it as a diagnostic without its file (the caller adds
/// `config.yaml`): boxed, as a `Diagnostic` is large.
type Checked<T> = std::result::Result<T, Box<Diagnostic>>;

/// The value of a setting, or (when it is an error, which goes to `errors` with the file
/// `config.yaml`) a default that is never used: `from_raw` then returns the errors.
fn or_default<T: Default>(checked: Checked<T>, errors: &mut Vec<Diagnostic>) -> T {
    checked.unwrap_or_else(|d| {
        errors.push(d.in_file("config.yaml"));
        T::default()
    })
}

/// `urls:` as a [`UrlMode`] (`relative` when absent). Errors: a diagnostic (without its file)
/// at its line naming the three values, for any other value.
fn url_mode(urls: Option<&str>, source: &str) -> Checked<UrlMode> {
    let Some(name) = urls else {
        return Ok(UrlMode::default());
    };
    let name = name.trim();
    UrlMode::from_name(name).ok_or_else(|| {
        let names = ["relative", "absolute", "files"];
        let message = if name.is_empty() {
            "`urls:` has no value: use `relative`, `absolute` or `files`, or remove the line for `relative`".to_string()
        } else {
            format!("`urls: {name}` is not a way to write URLs: use `relative`, `absolute` or `files`")
        };
        let label = match crate::error::closest(names, name) {
            Some(near) if !name.is_empty() => format!("did you mean `{near}`?"),
            _ => "not relative, absolute or files".to_string(),
        };
        let mut d = Diagnostic::error(message)
        .help("`relative` (the default) works at any address and in a sub-folder, `absolute` writes every link from `base_url`, `files` also works opened from the disk");
        if let Some(span) = yaml::key_value_span(source, "urls") {
            d = d.at(span, source).label(label);
        }
        Box::new(d)
    })
}

/// `title`, which is required. Errors: a diagnostic (without its file) when it is missing.
fn required_title(title: Option<String>) -> Checked<String> {
    title.ok_or_else(|| {
        Box::new(
            Diagnostic::error("config.yaml has no `title`")
                .help("add a line like `title: \"My Studio\"`"),
        )
    })
}

/// `base_url` (or `--base-url`, which wins) as (URL, path), both without a trailing slash.
/// Errors: a diagnostic (without its file) when it is missing or not a web address
/// ([`parse_base_url`]), placed at the line in `source` or noting that it came from the
/// command line.
fn resolve_base_url(
    base_url: Option<String>,
    overrides: &Overrides,
    source: &str,
) -> Checked<(String, String)> {
    let Some(text) = with_origin(overrides, overrides.base_url.clone().or(base_url)) else {
        return Err(Box::new(Diagnostic::error("config.yaml has no `base_url`").help(
            "add the address where the site will live, like `base_url: \"https://example.com\"`",
        )));
    };
    let from_flag = overrides.base_url.is_some();
    parse_base_url(&text, from_flag).map_err(|d| {
        Box::new(if from_flag {
            d.note("the value came from --base-url, not config.yaml")
        } else if let Some(span) = yaml::key_value_span(source, "base_url") {
            d.at(span, source)
        } else {
            *d
        })
    })
}

/// `themes/<theme>` when a theme is set. Errors: a diagnostic (without its file) when that
/// folder does not exist, naming the themes there are.
fn theme_dir(theme: Option<&str>, root: &Path, source: &str) -> Checked<Option<PathBuf>> {
    let Some(name) = theme else {
        return Ok(None);
    };
    let dir = root.join("themes").join(name);
    if dir.is_dir() {
        return Ok(Some(dir));
    }
    let available = list_themes(root);
    let mut d = Diagnostic::error(format!(
        "unknown theme `{name}`: there is no folder themes/{name}"
    ))
    .label("this theme does not exist");
    if let Some(span) = yaml::key_value_span(source, "theme") {
        d = d.at(span, source);
    }
    d = d.help(if available.is_empty() {
        "remove the `theme:` line and put templates in templates/, or add the theme folder under themes/".to_string()
    } else {
        let close = crate::error::closest(available.iter().map(String::as_str), name)
            .map(|c| format!("did you mean `{c}`? "))
            .unwrap_or_default();
        format!("{close}the themes in this site are: {}", available.join(", "))
    });
    Err(Box::new(d))
}

/// `language`, "en" when absent. Errors: a diagnostic (without its file) when it is not a
/// language tag.
fn resolve_language(language: Option<String>, source: &str) -> Checked<String> {
    let language = language.unwrap_or_else(|| "en".into());
    if is_language_tag(&language) {
        return Ok(language);
    }
    let mut d = Diagnostic::error(format!("`language: {language}` is not a language tag"))
        .help("write a language code like `en`, `en-CA` or `fr-CA` (BCP 47)");
    if let Some(span) = yaml::key_value_span(source, "language") {
        d = d.at(span, source);
    }
    Err(Box::new(d))
}

/// The absolute output folder (`--output`, relative to the current folder; else `output_dir`,
/// relative to `root`; else `root/public`), and where `config.yaml` sets it when it does.
fn resolve_output_dir(
    output_dir: Option<PathBuf>,
    overrides: &Overrides,
    root: &Path,
    source: &str,
) -> (PathBuf, Option<Span>) {
    let output_span = if overrides.output_dir.is_none() && output_dir.is_some() {
        yaml::key_value_span(source, "output_dir")
    } else {
        None
    };
    let output_dir = match &overrides.output_dir {
        Some(dir) if dir.is_absolute() => dir.clone(),
        Some(dir) => std::env::current_dir()
            .map(|cwd| cwd.join(dir))
            .unwrap_or_else(|_| dir.clone()),
        None => root.join(output_dir.unwrap_or_else(|| PathBuf::from("public"))),
    };
    (output_dir, output_span)
}

/// The menu sorted by weight (entries without one last, in written order), each with where
/// its URL is in `source`.
fn resolve_menu(menu: Vec<RawMenuItem>, source: &str) -> Vec<MenuItem> {
    let mut menu: Vec<MenuItem> = menu
        .into_iter()
        .map(|m| {
            let span = find_value_line(source, &m.url);
            MenuItem {
                name: m.name,
                url: m.url,
                weight: m.weight,
                span,
            }
        })
        .collect();
    menu.sort_by_key(|m| m.weight.map_or((1, 0), |w| (0, w)));
    menu
}

/// The `check:` settings. Errors: a diagnostic (without its file) when `review_months` is out
/// of range (1 to 120).
fn check_settings(check: RawCheck, source: &str) -> Checked<CheckSettings> {
    let RawCheck {
        review_months,
        skip_external,
    } = check;
    let review_months = match review_months {
        None => DEFAULT_REVIEW_MONTHS,
        Some(n) if (1..=120).contains(&n) => n as u32,
        Some(n) => {
            let mut d = Diagnostic::error(format!(
                "`check.review_months: {n}` is out of range: it must be a whole number of months from 1 to 120"
            ))
            .label("months between reviews of a health page")
            .help(format!(
                "write a number of months, like `review_months: {DEFAULT_REVIEW_MONTHS}` (once a year), or remove the line for the default of {DEFAULT_REVIEW_MONTHS}"
            ));
            if let Some(span) = nested_value_span(source, "check", "review_months") {
                d = d.at(span, source);
            }
            return Err(Box::new(d));
        }
    };
    Ok(CheckSettings {
        review_months,
        skip_external,
    })
}

/// The keys a YAML error's `message` is about, for the did-you-mean of an unknown key: serde_yaml
/// starts the message of an error inside `markdown:`, `check:` or `deploy:` with that name.
fn known_keys(message: &str) -> (&'static [&'static str], &'static str) {
    if message.starts_with("markdown: ") {
        (
            MARKDOWN_KEYS,
            "remove it; the markdown settings are listed in the README (Writing)",
        )
    } else if message.starts_with("check: ") {
        (CHECK_KEYS, "remove it")
    } else if message.starts_with("taxonomies") {
        (
            crate::site::taxonomies::TAXONOMY_KEYS,
            "remove it; a taxonomy takes `name`, `feed`, `paginate_by` and `paginate_path` (see the README, Tags and other taxonomies)",
        )
    } else if message.starts_with("languages.") {
        (
            LANGUAGE_KEYS,
            "remove it; a language takes `title`, `description`, `menu` and `translations`",
        )
    } else if message.starts_with("deploy: ") {
        (
            crate::deploy::settings::DEPLOY_KEYS,
            "remove it; `deploy:` takes `target:` and `identity_file:` (see the README, Deploy)",
        )
    } else {
        (
            CONFIG_KEYS,
            "remove it; site-specific values go under `extra:`",
        )
    }
}

/// The resolved `markdown:` settings: `raw` as written, with the hosts of `base_urls` (lower
/// case; those that are not web addresses are left out) as the site's own.
fn markdown_settings(raw: RawMarkdown, base_urls: &[&str]) -> crate::markdown::Settings {
    let RawMarkdown {
        smart_punctuation,
        github_alerts,
        definition_lists,
        render_emoji,
        highlight_code,
        math,
        external_links_target_blank,
        external_links_no_follow,
        external_links_no_referrer,
        external_links_class,
    } = raw;
    let mut site_hosts: Vec<String> = base_urls
        .iter()
        .filter_map(|u| url::Url::parse(u.trim()).ok())
        .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
        .collect();
    site_hosts.dedup();
    crate::markdown::Settings {
        smart_punctuation,
        github_alerts,
        definition_lists,
        render_emoji,
        highlight_code,
        math,
        external_links_target_blank,
        external_links_no_follow,
        external_links_no_referrer,
        external_links_class: external_links_class.unwrap_or_default().trim().to_string(),
        site_hosts,
    }
}

/// Parses a base URL into (URL without trailing slash, path without trailing slash).
/// Only absolute `http` and `https` URLs are accepted; a query or fragment is refused.
/// Errors: a diagnostic without file or place saying why, for the caller to place.
fn parse_base_url(text: &str, from_flag: bool) -> Checked<(String, String)> {
    // How the owner writes the value: in config.yaml, or on the command line.
    let written = |url: &str| {
        if from_flag {
            format!("`--base-url {url}`")
        } else {
            format!("`base_url: \"{url}\"`")
        }
    };
    let name = if from_flag { "--base-url" } else { "base_url" };
    let not_web_address = |why: &str| {
        Box::new(
            Diagnostic::error(format!("`{name}` is not a web address: {why}")).help(format!(
                "write the full address, starting with https://, like {}",
                written("https://example.com")
            )),
        )
    };
    let url = url::Url::parse(text.trim()).map_err(|e| {
        let why = match e {
            url::ParseError::RelativeUrlWithoutBase => "it does not start with https://".into(),
            url::ParseError::EmptyHost => "it has no host name".into(),
            url::ParseError::InvalidPort => "its port is not a number from 1 to 65535".into(),
            url::ParseError::InvalidIpv4Address | url::ParseError::InvalidIpv6Address => {
                "its IP address is not a valid one".into()
            }
            url::ParseError::IdnaError | url::ParseError::InvalidDomainCharacter => {
                "its host name has a character a domain name cannot have".into()
            }
            other => other.to_string(),
        };
        let d = not_web_address(&why);
        match e {
            // `studio.example.org` or `/studio`: the scheme is what is missing.
            url::ParseError::RelativeUrlWithoutBase if !text.trim().starts_with('/') => {
                Box::new(d.help(format!(
                    "write the full address, starting with https://, like {}",
                    written(&format!("https://{}", text.trim()))
                )))
            }
            _ => d,
        }
    })?;
    if url.scheme() != "http" && url.scheme() != "https" {
        let why = format!("it starts with `{}:`, not https://", url.scheme());
        return Err(not_web_address(&why));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(not_web_address("it has no host name"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(not_web_address(
            "it contains a user name or password, which would be published on every page",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(not_web_address("it must not contain `?` or `#`"));
    }
    let path = url.path().trim_end_matches('/').to_string();
    if path.contains("//") {
        return Err(Box::new(
            not_web_address(
                "its path has an empty folder name (`//`), which browsers would read as another host",
            )
            .help(format!(
            "write one slash between folders, like {}",
            written(&collapse_slashes(text.trim()))
        )),
        ));
    }
    let mut origin = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        origin.push_str(&format!(":{port}"));
    }
    Ok((format!("{origin}{path}"), path))
}

/// `text` with every run of slashes after the scheme's `//` made one slash.
fn collapse_slashes(text: &str) -> String {
    let (scheme, rest) = text.split_once("://").unwrap_or(("", text));
    let mut out = if scheme.is_empty() {
        String::new()
    } else {
        format!("{scheme}://")
    };
    for c in rest.chars() {
        if !(c == '/' && out.ends_with('/') && !out.ends_with("://")) {
            out.push(c);
        }
    }
    out
}

/// `base_url` with `overrides.base_origin` (serve's address) in place of its scheme, host and
/// port, when one is given: only the path of `base_url` is kept, none when it is missing or not
/// a web address.
fn with_origin(overrides: &Overrides, base_url: Option<String>) -> Option<String> {
    let Some(origin) = &overrides.base_origin else {
        return base_url;
    };
    let path = base_url
        .and_then(|b| parse_base_url(&b, false).ok())
        .map(|(_, path)| path)
        .unwrap_or_default();
    Some(format!("{origin}{path}"))
}

fn list_themes(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir_names(&root.join("themes"))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|n| n.into_string().ok())
        .filter(|n| !n.starts_with('.') && root.join("themes").join(n).is_dir())
        .collect();
    names.sort();
    names
}

/// The span of the value of `key:` indented under the top-level `parent:` in `source` (the
/// value's first character to the line's end, comments left out). `None` when not found.
pub(crate) fn nested_value_span(source: &str, parent: &str, key: &str) -> Option<Span> {
    let mut inside = false;
    for (i, line) in source.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !line.starts_with([' ', '\t']) && !line.trim().is_empty() && !line.starts_with('#') {
            inside = line
                .strip_prefix(parent)
                .is_some_and(|r| r.trim_start().starts_with(':'));
            continue;
        }
        let trimmed = line.trim_start();
        if inside && let Some(rest) = trimmed.strip_prefix(key) {
            let Some(value) = rest.trim_start().strip_prefix(':') else {
                continue;
            };
            let value = value.split(" #").next().unwrap_or_default().trim();
            let b = line.rfind(value).unwrap_or(line.len() - trimmed.len());
            return Some(Span::new(
                i + 1,
                line[..b].chars().count() + 1,
                value.chars().count().max(1),
            ));
        }
    }
    None
}

/// The span of the first occurrence of `value` as a whole word in `source` (for menu URLs).
fn find_value_line(source: &str, value: &str) -> Option<Span> {
    source.split('\n').enumerate().find_map(|(i, line)| {
        let b = line.find(value)?;
        Some(Span::new(
            i + 1,
            line[..b].chars().count() + 1,
            value.chars().count(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each way an owner can miss a web address gets a reason in plain words, not the URL
    /// library's (a new user saw "relative URL without a base" for `studio.example.org`).
    #[test]
    fn base_url_mistakes_are_explained_in_plain_words() {
        let cases = [
            (
                "studio.example.org",
                "it does not start with https://",
                "like `base_url: \"https://studio.example.org\"`",
            ),
            (
                "/studio",
                "it does not start with https://",
                "https://example.com",
            ),
            ("https://", "it has no host name", "https://example.com"),
            (
                "https://example.com:99999",
                "its port is not a number from 1 to 65535",
                "https://example.com",
            ),
            (
                "http://[::1",
                "its IP address is not a valid one",
                "https://example.com",
            ),
            (
                "ftp://example.com",
                "it starts with `ftp:`, not https://",
                "https://example.com",
            ),
        ];
        for (input, why, help) in cases {
            let d = parse_base_url(input, false).unwrap_err();
            assert_eq!(
                d.message,
                format!("`base_url` is not a web address: {why}"),
                "{input}"
            );
            assert!(
                d.help.as_deref().is_some_and(|h| h.contains(help)),
                "{input}: {:?}",
                d.help
            );
        }
    }

    #[test]
    fn base_url_keeps_subpath_without_trailing_slash() {
        let cases = [
            ("https://example.com", ("https://example.com", "")),
            ("https://example.com/", ("https://example.com", "")),
            (
                "https://example.org/docs/",
                ("https://example.org/docs", "/docs"),
            ),
            (
                "http://127.0.0.1:1111/a/b",
                ("http://127.0.0.1:1111/a/b", "/a/b"),
            ),
        ];
        for (input, (url, path)) in cases {
            assert_eq!(
                parse_base_url(input, false).unwrap(),
                (url.to_string(), path.to_string()),
                "{input}"
            );
        }
        for bad in [
            "example.com",
            "ftp://x.org",
            "https://x.org/?a=1",
            "not a url",
            "https://x.org//studio",
            "https://x.org/a//b/",
        ] {
            assert!(parse_base_url(bad, false).is_err(), "{bad}");
        }
        let d = parse_base_url("https://x.org//a//b/", false).unwrap_err();
        assert_eq!(
            d.help.as_deref(),
            Some("write one slash between folders, like `base_url: \"https://x.org/a/b/\"`")
        );
    }

    fn load(text: &str) -> Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.yaml"), text).unwrap();
        Config::load(dir.path(), &Overrides::default())
    }

    #[test]
    fn unknown_key_names_key_line_and_closest() {
        let err = load("title: x\nbase_url: https://e.com\ntheem: default\n").unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert_eq!(d.span.unwrap().line, 3, "{d:?}");
        assert!(
            d.help.as_deref().unwrap().contains("did you mean `theme`"),
            "{d:?}"
        );
    }

    #[test]
    fn text_settings_keep_numbers_as_typed_and_refuse_booleans() {
        let c = load("title: 1.10\nbase_url: https://e.com\ndescription: 007\nmenu:\n  - name: 2024\n    url: /\n").unwrap();
        assert_eq!(c.title, "1.10");
        assert_eq!(c.description, "007");
        for bad in [
            "title: true\nbase_url: https://e.com\n",
            "title: x\nbase_url: false\n",
            "title: x\nbase_url: https://e.com\ntheme: true\n",
            "title: x\nbase_url: https://e.com\nlanguage: false\n",
            "title: x\nbase_url: https://e.com\nmenu:\n  - name: x\n    url: true\n",
        ] {
            let d = load(bad).unwrap_err().into_diagnostics();
            assert!(
                d.iter()
                    .any(|d| d.label.as_deref() == Some("expected text") && d.span.is_some()),
                "{bad}: {d:?}"
            );
        }
    }

    #[test]
    fn extra_keeps_numbers_as_typed_at_any_depth() {
        let c = load(concat!(
            "title: 2024\nbase_url: https://e.com\n",
            "extra:\n  phone: 7805550142\n  intl: +17805550142\n  price: 1.10\n",
            "  address:\n    postal_code: 01234\n    street: &s 12\n    again: *s\n",
            "  hours: [9, \"10\", true, 1e3]\n  open: true\n  none: ~\n  0x10: [{a: 007}]\n",
        ))
        .unwrap();
        assert_eq!(c.title, "2024");
        assert_eq!(
            c.extra,
            serde_json::json!({
                "phone": "7805550142",
                "intl": "+17805550142",
                "price": "1.10",
                "address": {"postal_code": "01234", "street": "12", "again": "12"},
                "hours": ["9", "10", true, "1e3"],
                "open": true,
                "none": null,
                "0x10": [{"a": "007"}],
            })
        );
        // Without any number, the first reading is kept; a number elsewhere (the title) makes
        // a second reading that leaves extra as it was.
        let c = load("title: x\nbase_url: https://e.com\nextra:\n  a: [b, {c: d}]\n").unwrap();
        assert_eq!(c.extra, serde_json::json!({"a": ["b", {"c": "d"}]}));
        let c = load("title: 1\nbase_url: https://e.com\nextra:\n  a: [b, {c: d}]\n").unwrap();
        assert_eq!(c.extra, serde_json::json!({"a": ["b", {"c": "d"}]}));
    }

    #[test]
    fn curly_quotes_and_comments_in_values_are_warned_about() {
        let c = load("title: x\nbase_url: https://e.com\nextra:\n  phone: \u{201c}780-555-0142\u{201d}\n  hours:\n    - Mon #1\n").unwrap();
        let w: Vec<(String, usize)> = c
            .warnings
            .iter()
            .map(|d| (d.message.clone(), d.span.unwrap().line))
            .collect();
        assert_eq!(
            w,
            [
                (
                    "in config.yaml, the value on line 4 starts with a curly quote".to_string(),
                    4
                ),
                (
                    "in config.yaml, the text after `#` on line 6 is read as a comment and left out"
                        .to_string(),
                    6
                ),
            ]
        );
    }

    #[test]
    fn missing_title_and_base_url_reported_together() {
        let err = load("description: x\n").unwrap_err();
        assert_eq!(err.into_diagnostics().len(), 2);
    }

    #[test]
    fn overrides_apply_before_resolution() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.yaml"),
            "title: x\nbase_url: https://e.com\n",
        )
        .unwrap();
        let c = Config::load(
            dir.path(),
            &Overrides {
                base_url: Some("https://other.org/sub/".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.base_url, "https://other.org/sub");
        assert_eq!(c.permalink("/faq/"), "https://other.org/sub/faq/");
    }

    #[test]
    fn language_tags() {
        for ok in ["en", "en-CA", "fr-CA", "zh-Hant-TW", "es-419"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "e", "not a tag!", "en_CA", "en-", "-en"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn unknown_theme_is_error_at_its_line() {
        let err = load("title: x\nbase_url: https://e.com\ntheme: nope\n").unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert!(d.message.contains("unknown theme `nope`"), "{d:?}");
        assert_eq!(d.span.unwrap().line, 3);
    }

    #[test]
    fn misspelt_theme_gets_the_closest_theme_folder() {
        let dir = tempfile::tempdir().unwrap();
        for theme in ["default", "minimal"] {
            std::fs::create_dir_all(dir.path().join("themes").join(theme)).unwrap();
        }
        let text = "title: x\nbase_url: https://e.com\ntheme: defualt\n";
        std::fs::write(dir.path().join("config.yaml"), text).unwrap();
        let err = Config::load(dir.path(), &Overrides::default()).unwrap_err();
        let d = &err.into_diagnostics()[0];
        let help = d.help.clone().unwrap_or_default();
        assert!(help.contains("did you mean `default`?"), "{d:?}");
        assert!(
            help.contains("the themes in this site are: default, minimal"),
            "{d:?}"
        );
    }

    #[test]
    fn markdown_settings_default_and_read() {
        let c = load("title: x\nbase_url: https://Studio.example.org/sub\n").unwrap();
        assert_eq!(
            c.markdown,
            crate::markdown::Settings {
                site_hosts: vec!["studio.example.org".into()],
                ..Default::default()
            }
        );
        let c = load(concat!(
            "title: x\nbase_url: https://e.com\nmarkdown:\n",
            "  smart_punctuation: false\n  github_alerts: false\n  definition_lists: false\n",
            "  render_emoji: true\n  external_links_target_blank: true\n",
            "  external_links_no_follow: true\n  external_links_no_referrer: true\n",
            "  external_links_class: external\n",
        ))
        .unwrap();
        let m = &c.markdown;
        assert!(!m.smart_punctuation && !m.github_alerts && !m.definition_lists);
        assert!(m.render_emoji && m.external_links_target_blank);
        assert!(m.external_links_no_follow && m.external_links_no_referrer);
        assert_eq!(m.external_links_class, "external");
    }

    #[test]
    fn serve_keeps_the_written_host_as_the_sites_own() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.yaml"),
            "title: x\nbase_url: https://studio.example.org\n",
        )
        .unwrap();
        let overrides = Overrides {
            base_origin: Some("http://127.0.0.1:1111".into()),
            ..Default::default()
        };
        let c = Config::load(dir.path(), &overrides).unwrap();
        assert!(!c.markdown.is_external("https://studio.example.org/faq/"));
        assert!(!c.markdown.is_external("http://127.0.0.1:1111/faq/"));
    }

    #[test]
    fn unknown_markdown_key_suggests_the_closest_markdown_key() {
        let err = load("title: x\nbase_url: https://e.com\nmarkdown:\n  github_alert: true\n")
            .unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((4, 3)), "{d:?}");
        assert!(
            d.help
                .as_deref()
                .is_some_and(|h| h.contains("did you mean `github_alerts`")),
            "{d:?}"
        );
        let err =
            load("title: x\nbase_url: https://e.com\ncheck:\n  review_month: 3\n").unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert!(
            d.help
                .as_deref()
                .is_some_and(|h| h.contains("did you mean `review_months`")),
            "{d:?}"
        );
    }

    #[test]
    fn unknown_deploy_key_suggests_the_closest_deploy_key() {
        let err =
            load("title: x\nbase_url: https://e.com\ndeploy:\n  taget: /media/usb\n").unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert_eq!(d.span.map(|s| (s.line, s.col)), Some((4, 3)), "{d:?}");
        let help = d.help.as_deref().unwrap_or_default();
        assert!(help.contains("did you mean `target`"), "{d:?}");
        assert!(help.contains("identity_file"), "{d:?}");
        assert!(!help.contains("extra:"), "{d:?}");
    }

    #[test]
    fn markdown_setting_of_the_wrong_type_is_located() {
        let err =
            load("title: x\nbase_url: https://e.com\nmarkdown:\n  render_emoji: yes please\n")
                .unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert_eq!(d.span.map(|s| s.line), Some(4), "{d:?}");
        assert!(d.file.is_some(), "{d:?}");
        let err =
            load("title: x\nbase_url: https://e.com\nmarkdown:\n  external_links_class: true\n")
                .unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert_eq!(d.span.map(|s| s.line), Some(4), "{d:?}");
    }

    #[test]
    fn review_months_defaults_to_twelve_and_is_read() {
        let c = load("title: x\nbase_url: https://e.com\n").unwrap();
        assert_eq!(c.check, CheckSettings::default());
        assert_eq!(c.check.review_months, 12);
        let c = load("title: x\nbase_url: https://e.com\ncheck:\n  review_months: 6\n  skip_external: [\"https://x.org/\"]\n").unwrap();
        assert_eq!(c.check.review_months, 6);
        assert_eq!(c.check.skip_external, vec!["https://x.org/".to_string()]);
    }

    #[test]
    fn review_months_out_of_range_is_error_at_its_value() {
        let err = load("title: x\nbase_url: https://e.com\ncheck:\n  review_months: 0 # never\n")
            .unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert!(
            d.message
                .contains("`check.review_months: 0` is out of range"),
            "{d:?}"
        );
        assert_eq!(d.span, Some(Span::new(4, 18, 1)));
    }

    #[test]
    fn review_months_of_the_wrong_type_is_located() {
        let err =
            load("title: x\nbase_url: https://e.com\ncheck:\n  review_months: soon\n").unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert_eq!(d.span.map(|s| s.line), Some(4), "{d:?}");
    }
}
