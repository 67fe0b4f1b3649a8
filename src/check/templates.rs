//! The checks of what markdown does not write: the templates' `<img>` tags and fixed paths,
//! and the menu's paths in `config.yaml`, against the files the build produced.

use std::path::Path;

use super::span_at;
use crate::config::Config;
use crate::content;
use crate::error::Diagnostic;
use crate::html::{fixed_paths, has_attribute, html_tags};
use crate::render::BuiltSite;

/// Checks of what markdown does not write: in the templates the site uses (its own
/// `templates/`, then the theme's files it does not override), `<img>` tags without an `alt`
/// attribute, and `src`/`href` values written as fixed paths into the site (`/logo.png`) that
/// the build does not produce; in `config.yaml`, menu entries given as paths (`/faq/`) that
/// the build does not produce. `@/` links and `get_url` are already checked by the build.
pub fn template_and_menu_checks(config: &Config, built: &BuiltSite) -> Vec<Diagnostic> {
    let outputs: std::collections::HashSet<&str> = built
        .files
        .iter()
        .map(|(p, _)| p.as_str())
        .chain(built.copies.iter().map(|c| c.to.as_str()))
        .collect();
    let exists = |path: &str| {
        let Some(rel) = path
            .strip_prefix(config.base_path.as_str())
            .and_then(|p| p.strip_prefix('/'))
        else {
            return false;
        };
        let rel = rel.split(['?', '#']).next().unwrap_or_default();
        let rel = percent_encoding::percent_decode_str(rel).decode_utf8_lossy();
        let rel = rel.trim_end_matches('/');
        rel.is_empty()
            || outputs.contains(rel)
            || outputs.contains(format!("{rel}/index.html").as_str())
    };
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
        if !exists(&path) {
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
    let mut templates: Vec<(std::path::PathBuf, String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut dirs = vec![(
        config.root.join("templates"),
        std::path::PathBuf::from("templates"),
    )];
    if let (Some(dir), Some(name)) = (&config.theme_dir, &config.theme) {
        dirs.push((
            dir.join("templates"),
            Path::new("themes").join(name).join("templates"),
        ));
    }
    for (dir, shown) in dirs {
        for (abs, rel) in content::walk(&dir, &shown, false).unwrap_or_default() {
            if rel.ends_with(".html")
                && seen.insert(rel.clone())
                && let Ok(text) = std::fs::read_to_string(&abs)
            {
                templates.push((shown.join(&rel), rel, text));
            }
        }
    }
    for (shown, _, text) in &templates {
        for tag in html_tags(text, "img") {
            let span = span_at(text, tag.start, tag.text.len());
            if !has_attribute(tag.text, "alt") {
                out.push(
                    Diagnostic::warning("an <img> in a template has no alt attribute")
                        .in_file(shown)
                        .at(span, text)
                        .label("no alt attribute")
                        .help("add alt=\"…\" describing the image, or alt=\"\" if it is only decoration"),
                );
            }
        }
        for (start, value) in fixed_paths(text) {
            let path = if value.starts_with('/') && !value.starts_with("//") {
                value.to_string()
            } else {
                continue;
            };
            if !exists(&format!("{}{path}", config.base_path)) && !exists(&path) {
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
    out
}
