//! Tera's errors as diagnostics: in the template file and at the line where Tera failed (which
//! may be an included or parent template, Zola #1536), with what to write instead: the closest
//! template, filter, function or block name, or the tag left open.

use std::collections::HashMap;
use std::path::PathBuf;

use super::names;
use crate::error::{Diagnostic, Span};

pub(super) fn first_line(s: &str) -> &str {
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
pub(super) fn reference_diagnostics(
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
pub(super) fn tera_diagnostic(
    e: &tera::Error,
    files: &HashMap<String, (PathBuf, String)>,
    names: &[String],
) -> Option<Diagnostic> {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) => Some(report_diagnostic(e, r, true, files)),
        tera::ErrorKind::RenderingError(r) => Some(report_diagnostic(e, r, false, files)),
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

/// A syntax or rendering error Tera reports at a place in a template: at that place (or at the
/// tag left open, when Tera only saw the end of the file), with help for the kind of mistake.
fn report_diagnostic(
    e: &tera::Error,
    r: &tera::ReportError,
    syntax: bool,
    files: &HashMap<String, (PathBuf, String)>,
) -> Diagnostic {
    use std::error::Error as _;
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
    let what = if syntax {
        "template syntax error"
    } else {
        "template error"
    };
    let help = if syntax {
        syntax_help(
            message,
            text_at(source, span.start_line, span.start_col + 1),
        )
    } else if message.contains("not defined")
        || message.contains("undefined")
        || message.contains("Undefined")
    {
        names::undefined_help(message, &available)
    } else if message.contains("load_data") || message.contains(", line ") {
        "fix the data file at the line named, or the `path` given to load_data (relative to the site root, like `data/prices.yaml`)".to_string()
    } else if message.contains("get_url")
        || message.contains("get_page")
        || message.contains("get_section")
    {
        "name pages by their file under content/, like `@/faq.md` or `blog/_index.md`, and static files by their path under static/, like `css/site.css`".to_string()
    } else {
        "check the template code on this line".to_string()
    };
    let no_macros = syntax && help.starts_with("Tera 2, the template engine");
    let mut d = Diagnostic::error(format!(
        "{what} in {}: {}",
        shown.display(),
        if no_macros {
            "unknown tag: Tera 2 has no macros"
        } else {
            first_line(message)
        }
    ))
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
        d = d.at(
            Span::new(span.start_line.max(1), span.start_col + 1, len),
            source,
        );
    }
    d
}

/// The help for a syntax error whose `message` Tera gave at `at` (the template's text from the
/// error's place to the end of that line): Zola's macros, which Tera 2 does not have; a
/// backslash in a string; else the usual reminder about tags.
fn syntax_help(message: &str, at: &str) -> String {
    let word: String = at
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if message.contains("Unknown tag") && matches!(word.as_str(), "macro" | "import") {
        return "Tera 2, the template engine stillpoint uses, has no macros: `{% macro %}` and `{% import %}` (from Zola themes) do not exist. Put the repeated HTML in a template of its own and use `{% include \"name.html\" %}`, or make it a component: `{% component hello(name) %}…{% endcomponent hello %}`, used as `{{<hello name=\"Ana\"/>}}`".to_string();
    }
    if message.contains("escape character") {
        return "a backslash in a template string starts an escape (`\\n`, `\\\"`): to write a backslash itself, double it, as in `\"\\\\d\"` for a regex".to_string();
    }
    "check the `{{ }}` and `{% %}` tags on this line: each `{% if %}`, `{% for %}` and `{% block %}` needs its `{% end… %}`".to_string()
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
}
