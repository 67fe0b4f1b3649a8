//! The checks of what markdown does not write: the templates' `<img>` tags and fixed paths,
//! and the menu's paths in `config.yaml`, against the files the build produced.

use std::collections::HashSet;
use std::path::Path;

use super::{read_texts, template_dirs};
use crate::config::Config;
use crate::error::Diagnostic;
use crate::error::span_at;
use crate::html::{fixed_paths, has_attribute, html_tags};
use crate::render::BuiltSite;

/// Checks of what markdown does not write: in the templates the site uses (its own
/// `templates/`, then the theme's files it does not override), `<img>` tags without an `alt`
/// attribute, and `src`/`href` values written as fixed paths into the site (`/logo.png`) that
/// the build does not produce; in `config.yaml`, menu entries given as paths (`/faq/`) that
/// the build does not produce. `@/` links and `get_url` are already checked by the build. A
/// template folder or file that cannot be read is a warning naming it.
pub fn template_and_menu_checks(config: &Config, built: &BuiltSite) -> Vec<Diagnostic> {
    let outputs = Outputs::new(config, built);
    let mut out = menu_checks(config, &outputs);
    let mut seen = HashSet::new();
    for (dir, shown) in template_dirs(config) {
        let html = |rel: &str| rel.ends_with(".html") && seen.insert(rel.to_string());
        for (shown, _, text) in read_texts(&dir, &shown, html, &mut out) {
            template_checks(config, &outputs, &shown, &text, &mut out);
        }
    }
    out
}

/// The files the build produced, to look up a path written into the site (`/faq/`).
struct Outputs<'a> {
    files: HashSet<&'a str>,
    base_path: &'a str,
}

impl<'a> Outputs<'a> {
    fn new(config: &'a Config, built: &'a BuiltSite) -> Self {
        let files = built
            .files
            .iter()
            .map(|(p, _)| p.as_str())
            .chain(built.copies.iter().map(|c| c.to.as_str()))
            .collect();
        Outputs {
            files,
            base_path: config.base_path.as_str(),
        }
    }

    /// Whether the site has `path` (under the base path; query and fragment ignored, percent
    /// escapes decoded; a folder path is its `index.html`).
    fn has(&self, path: &str) -> bool {
        let Some(rel) = path
            .strip_prefix(self.base_path)
            .and_then(|p| p.strip_prefix('/'))
        else {
            return false;
        };
        let rel = rel.split(['?', '#']).next().unwrap_or_default();
        let rel = percent_encoding::percent_decode_str(rel).decode_utf8_lossy();
        let rel = rel.trim_end_matches('/');
        rel.is_empty()
            || self.files.contains(rel)
            || self.files.contains(format!("{rel}/index.html").as_str())
    }
}

/// Menu entries in `config.yaml` given as paths the site does not have.
fn menu_checks(config: &Config, outputs: &Outputs) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for item in &config.menu {
        let url = item.url.as_str();
        if url.starts_with("@/") || crate::site::is_external(url) || url.starts_with('#') {
            continue;
        }
        let path = if url.starts_with('/') {
            format!("{}{url}", config.base_path)
        } else {
            format!("{}/{url}", config.base_path)
        };
        if !outputs.has(&path) {
            let mut d = Diagnostic::error(format!(
                "the menu entry \"{}\" links to {url}, which the site does not have",
                item.name
            ))
            .in_file("config.yaml")
            .label("no such page or file")
            .help("link pages with `@/` and their file name, like `url: \"@/faq.md\"`, so the link follows the page and is checked");
            if let Some(span) = item.span {
                d = d.at(span, &config.config_source);
            }
            out.push(d);
        }
    }
    out
}

/// One template's `<img>` tags without `alt` and fixed paths the site does not have.
fn template_checks(
    config: &Config,
    outputs: &Outputs,
    shown: &Path,
    text: &str,
    out: &mut Vec<Diagnostic>,
) {
    for tag in html_tags(text, "img") {
        let span = span_at(text, tag.start, tag.text.len());
        if !has_attribute(tag.text, "alt") {
            out.push(
                Diagnostic::warning("an <img> in a template has no alt attribute")
                    .in_file(shown)
                    .at(span, text)
                    .label("no alt attribute")
                    .help(
                        "add alt=\"…\" describing the image, or alt=\"\" if it is only decoration",
                    ),
            );
        }
    }
    for (start, value) in fixed_paths(text) {
        if !value.starts_with('/') || value.starts_with("//") {
            continue;
        }
        if !outputs.has(&format!("{}{value}", config.base_path)) && !outputs.has(value) {
            out.push(
                Diagnostic::error(format!(
                    "a template links to {value}, which the site does not have"
                ))
                .in_file(shown)
                .at(span_at(text, start, value.len()), text)
                .label("no such page or file")
                .help("put the file in static/ (it is then published at the same path), or use get_url(path=\"…\") so the link is checked and follows base_url"),
            );
        }
    }
}
