//! Site templates that nothing uses: a file in the site's `templates/` that replaces no
//! template of the theme and that no template, page or stillpoint itself uses, such as a
//! misspelt `templates/partials/foter.html` next to the theme's `partials/footer.html`. A build
//! ignores such a file without a word; `check` warns, naming the closest template.
//!
//! A site template is used when it has the name of a theme template (it replaces it); when a
//! template (of the site or the theme, other than itself) names it in `{% extends %}` or
//! `{% include %}`; when it defines a Tera 2 `{% component %}` (components are shared by all
//! templates, called by their own name, not the file's); when a page or section (drafts too)
//! names it in its front matter's `template:`; or when stillpoint renders it by name
//! (`index.html`, `section.html`, `page.html`, `404.html`, `atom.xml`, `sitemap.xml`,
//! `robots.txt`, and shortcodes under `shortcodes/`).
//!
//! In: the [`Config`] and the [`SiteTree`]. Out: warnings. Reads the template files; never
//! fails (a file it cannot read was already reported by the build).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content::{self, walk};
use crate::error::Diagnostic;
use crate::site::SiteTree;
use crate::templates::{BUILTIN_TEMPLATES, REQUIRED_TEMPLATES};

/// Warnings for the site's templates that replace no theme template and that nothing uses.
pub fn orphan_templates(config: &Config, tree: &SiteTree) -> Vec<Diagnostic> {
    let site_dir = config.root.join("templates");
    let site: Vec<(PathBuf, String)> =
        walk(&site_dir, Path::new("templates"), false).unwrap_or_default();
    if site.is_empty() {
        return Vec::new();
    }
    let theme: Vec<(PathBuf, String)> = match &config.theme_dir {
        Some(dir) => {
            walk(&dir.join("templates"), Path::new("templates"), false).unwrap_or_default()
        }
        None => Vec::new(),
    };
    let theme_names: BTreeSet<&str> = theme.iter().map(|(_, n)| n.as_str()).collect();

    let (references, defines_components) = template_references(&site, &theme);
    let named_in_front_matter = front_matter_templates(config, tree);

    let used = |name: &str| {
        REQUIRED_TEMPLATES.contains(&name)
            || BUILTIN_TEMPLATES.iter().any(|(n, _)| *n == name)
            || name.starts_with("shortcodes/")
            || named_in_front_matter.contains(name)
            || defines_components.contains(name)
            || references.iter().any(|(by, r)| {
                by != name
                    && match r {
                        Reference::Exact(n) => n == name,
                        Reference::Prefix(p) => name.starts_with(p.as_str()),
                        Reference::Component => false,
                    }
            })
    };
    let candidates: BTreeSet<&str> = theme_names
        .iter()
        .copied()
        .chain(REQUIRED_TEMPLATES.iter().copied())
        .chain(
            BUILTIN_TEMPLATES
                .iter()
                .map(|(n, _)| *n)
                .filter(|n| !n.starts_with("__stillpoint/")),
        )
        .collect();

    let mut out = Vec::new();
    for (_, name) in &site {
        if theme_names.contains(name.as_str()) || used(name) {
            continue;
        }
        out.push(unused(config, name, &candidates));
    }
    out
}

/// (who names it, the name or a prefix of it) from the tags of every site and theme template,
/// and the site templates that define a component. A file that cannot be read names nothing
/// (the build has reported it).
fn template_references<'a>(
    site: &'a [(PathBuf, String)],
    theme: &[(PathBuf, String)],
) -> (Vec<(String, Reference)>, HashSet<&'a str>) {
    let mut references: Vec<(String, Reference)> = Vec::new();
    let mut defines_components: HashSet<&str> = HashSet::new();
    for (path, name) in site {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let found = references_in(&text);
        if found.contains(&Reference::Component) {
            defines_components.insert(name);
        }
        references.extend(found.into_iter().map(|r| (name.clone(), r)));
    }
    for (path, _) in theme {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        // A theme template is never the site template it names.
        references.extend(references_in(&text).into_iter().map(|r| (String::new(), r)));
    }
    (references, defines_components)
}

/// The warning for the unused site template `name`, with the closest of `candidates` (the
/// names a site template is used by) as a likely misspelling.
fn unused(config: &Config, name: &str, candidates: &BTreeSet<&str>) -> Diagnostic {
    let shown = format!("templates/{name}");
    let message = match &config.theme {
        Some(t) => format!(
            "{shown} is not used: it replaces no template of the theme `{t}`, and no template or page uses it"
        ),
        None => format!(
            "{shown} is not used: no template includes or extends it, and no page names it in `template:`"
        ),
    };
    let d = Diagnostic::warning(message).in_file(&shown);
    match crate::error::closest(candidates.iter().copied().filter(|c| *c != name), name) {
        Some(c) => d.help(format!(
            "did you mean `{c}`? A file in templates/ replaces the theme's template of the same name: rename it to templates/{c}"
        )),
        None => d.help(format!(
            "to use it, include it in another template (`{{% include \"{name}\" %}}`) or name it in a page's `template:`; otherwise delete it"
        )),
    }
}

/// What a tag says about other templates: a template name as written in `{% extends %}` or
/// `{% include %}`; only the start of one when the tag joins text to a value
/// (`"partials/" ~ name`; Tera 2.4 refuses those, but another version may not), or any name
/// when it is not written out; or that this template defines a component.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reference {
    Exact(String),
    Prefix(String),
    Component,
}

/// What the `extends`, `include` and `component` tags of `text` say.
fn references_in(text: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        let after = &rest[start + 2..];
        let end = after.find("%}").unwrap_or(after.len());
        let tag = after[..end].trim_start_matches(['-', '+']).trim_start();
        let word: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if word == "component" {
            out.push(Reference::Component);
        } else if matches!(word.as_str(), "extends" | "include") {
            let argument = tag[word.len()..].trim_start();
            let literals = string_literals(argument);
            if !argument.starts_with(['"', '\'', '[']) {
                // A name made by the template: any template may be meant.
                out.push(Reference::Prefix(String::new()));
            } else if argument.contains('~') {
                let first = literals.into_iter().next().unwrap_or_default();
                out.push(Reference::Prefix(first));
            } else {
                out.extend(literals.into_iter().map(Reference::Exact));
            }
        }
        rest = &after[end..];
    }
    out
}

/// The quoted texts (`"…"` or `'…'`) in `tag`, without their quotes.
fn string_literals(tag: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = tag.chars();
    while let Some(c) = chars.next() {
        if c == '"' || c == '\'' {
            let text: String = chars.by_ref().take_while(|&d| d != c).collect();
            out.push(text);
        }
    }
    out
}

/// The `template:` values of every page and section, drafts included (a draft's template is
/// in use, though the draft is not published).
fn front_matter_templates(config: &Config, tree: &SiteTree) -> HashSet<String> {
    let mut named: HashSet<String> = tree
        .pages
        .iter()
        .map(|p| &p.doc)
        .chain(tree.sections.iter().filter_map(|s| s.doc.as_ref()))
        .filter_map(|d| d.front.template.clone())
        .collect();
    if !tree.drafts.is_empty()
        && let Ok(files) = content::discover(config)
    {
        let drafts: HashSet<&str> = tree.drafts.iter().map(String::as_str).collect();
        let files: Vec<content::SourceFile> = files
            .into_iter()
            .filter(|f| drafts.contains(f.relative.as_str()))
            .collect();
        if let Ok(docs) = content::parse(&files) {
            named.extend(docs.into_iter().filter_map(|d| d.front.template));
        }
    }
    named
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_read_from_extends_include_and_component() {
        let text = "{% extends \"base.html\" %}\n{%- include 'partials/nav.html' -%}\n{% component card(title) %}{% endcomponent card %}\n{% include \"partials/\" ~ kind ~ \".html\" %}\n{% if \"x.html\" %}{% endif %}{% include [\"a.html\", \"b.html\"] %}";
        assert_eq!(
            references_in(text),
            vec![
                Reference::Exact("base.html".into()),
                Reference::Exact("partials/nav.html".into()),
                Reference::Component,
                Reference::Prefix("partials/".into()),
                Reference::Exact("a.html".into()),
                Reference::Exact("b.html".into()),
            ]
        );
        assert_eq!(
            references_in("{% include name %}"),
            vec![Reference::Prefix(String::new())]
        );
        // An unfinished tag (the build reports it) means any template, rather than a panic.
        assert_eq!(
            references_in("{% include"),
            vec![Reference::Prefix(String::new())]
        );
        assert!(references_in("{% include_me \"x.html\" %}").is_empty());
        assert!(references_in("{{ x }}").is_empty());
    }
}
