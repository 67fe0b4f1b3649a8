//! Where the value a template failed on was written. A template error about a value
//! (`Invalid type for the value, expected `string` but got `bool``, from `{{ x.phone |
//! replace(...) }}`) names the template, yet the fix is in `config.yaml` or the page's front
//! matter: [`point_at_value`] adds that line to the diagnostic and says in plain words what the
//! value is and what the template needs.
//!
//! In: a template diagnostic (file, line, column), the template's text, the config and the
//! document being rendered. Out: the same diagnostic, with the value's line when the
//! expression at the error is a variable that leads to `config.*`, `page.*` or `section.*`,
//! directly or through `{% set x = config.extra %}` and `{% for line in x.hours %}` in the
//! template. Nothing else changes: an error this cannot trace is left as it was.

use std::path::Path;

use crate::config::Config;
use crate::content::Document;
use crate::error::Diagnostic;

/// Adds to `d` (a template error at a line of `template`, the template's text) where the value
/// at the error was written, when it comes from `config.yaml` or the front matter of `doc` (the
/// page or section being rendered): a snippet of that line, a message naming the value and what
/// it is, and a hint to change the value. `d` is returned unchanged when the value cannot be
/// traced (a value computed by the template, a function's result, a page other than `doc`).
pub(crate) fn point_at_value(
    d: Diagnostic,
    template: Option<&str>,
    config: &Config,
    doc: Option<&Document>,
) -> Diagnostic {
    let (Some(span), Some(line)) = (d.span, d.line_text.as_deref()) else {
        return d;
    };
    let Some(expr) = variable_at(line, span.col) else {
        return d;
    };
    let Some(origin) = origin_of(&expr, template.unwrap_or(""), span.line, config, doc) else {
        return d;
    };
    describe(d, origin)
}

/// Where a value a template used was written: the file, its text, the place of the value, its
/// key path (without `config.`, `page.` or `section.`), and whether the template used an item
/// of it.
struct Origin<'a> {
    file: &'a Path,
    source: &'a str,
    at: crate::error::Span,
    parts: Vec<String>,
    item: bool,
}

/// The first of the places the variable `expr` (at `line` of `template`) may come from that is
/// written in a file: `config.yaml`, or the front matter of `doc`.
fn origin_of<'a>(
    expr: &str,
    template: &str,
    line: usize,
    config: &'a Config,
    doc: Option<&'a Document>,
) -> Option<Origin<'a>> {
    resolve(expr, template, line)
        .into_iter()
        .find_map(|(path, item)| {
            let parts: Vec<String> = path.split('.').map(str::to_string).collect();
            let (file, source, first, last) = match parts.first().map(String::as_str) {
                Some("config") => {
                    let src = config.config_source.as_str();
                    (Path::new("config.yaml"), src, 1, src.split('\n').count())
                }
                Some("page" | "section") => {
                    let doc = doc.filter(|doc| doc.source.starts_with("---"))?;
                    // The front matter: from line 2 to the line before the closing `---`.
                    (
                        doc.shown.as_path(),
                        doc.source.as_str(),
                        2,
                        doc.body_line.saturating_sub(2),
                    )
                }
                _ => return None,
            };
            let keys: Vec<&str> = parts[1..].iter().map(String::as_str).collect();
            if keys.is_empty() {
                return None;
            }
            let at = crate::yaml::value_at(source, first, last, &keys)?;
            Some(Origin {
                file,
                source,
                at,
                parts: parts[1..].to_vec(),
                item,
            })
        })
}

/// `d` with the place a value was written (`origin`): a message naming the value and the types
/// when the error is a type mismatch, else a note to check the value.
fn describe(d: Diagnostic, origin: Origin<'_>) -> Diagnostic {
    let Origin {
        file,
        source,
        at,
        parts,
        item,
    } = origin;
    let name = parts.join(".");
    let key = parts.last().map_or("", String::as_str);
    let value: String = source
        .split('\n')
        .nth(at.line - 1)
        .map(|l| l.chars().skip(at.col - 1).take(at.len).collect())
        .unwrap_or_default();
    let shown = file.display().to_string();
    let types = (
        between(&d.message, "expected `", "`").map(plain_type),
        between(&d.message, "got `", "`").map(plain_type),
    );
    let mut d = d;
    if let (Some(expected), Some(got)) = types {
        let template = d
            .file
            .as_ref()
            .map(|f| f.display().to_string())
            .unwrap_or_default();
        let what = if item {
            format!("an item of `{name}` in {shown}")
        } else {
            format!("`{name}` in {shown}")
        };
        d.message = format!(
            "template error in {template}: {what} is {got}, but the template needs {expected}"
        );
        let help = if item {
            format!("change the items of `{key}` in {shown} to {expected}")
        } else if expected == "text" && !value.starts_with(['-', '{', '[', '|', '>']) {
            format!(
                "change `{key}` in {shown} to text: put it in double quotes, like `{key}: \"{}\"`",
                value.trim_matches(['"', '\''])
            )
        } else {
            format!("change `{key}` in {shown} to {expected}")
        };
        let label = if item {
            format!("an item of this list is {got}")
        } else {
            format!("this is {got}")
        };
        d = d.related(file, at, source, label).help(help);
    } else {
        d = d
            .related(file, at, source, format!("the value of `{name}`"))
            .note(format!(
                "the template failed on `{name}`, written in {shown}: check that value"
            ));
    }
    d
}

/// The variable path (`x.phone`, `config.extra.hours`) that starts at character column `col`
/// (1-based) of `line`, without an index (`x.hours[0]` is `x.hours`). `None` when no name
/// starts there.
fn variable_at(line: &str, col: usize) -> Option<String> {
    let expr: String = line
        .chars()
        .skip(col.saturating_sub(1))
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let expr = expr.trim_end_matches('.');
    expr.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        .then(|| expr.to_string())
}

/// What a variable of the template may stand for, nearest assignment first: `expr` with its
/// first name replaced by what the template set it to, as often as that name is itself a
/// variable of the template (`x.phone` after `{% set x = config.extra %}` is
/// `config.extra.phone`). A name set in several places (`{% if %}` branches) gives one path
/// per place. A loop variable stands for one item of its list: the path ends at the list, and
/// `true` says so.
fn resolve(expr: &str, template: &str, line: usize) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    expand(expr, false, template, line, 0, &mut out);
    out
}

fn expand(
    path: &str,
    item: bool,
    template: &str,
    line: usize,
    depth: usize,
    out: &mut Vec<(String, bool)>,
) {
    // Bounded work: a name set in many places, or set from itself (`set x = x.a`), stops here.
    if out.len() >= 32 {
        return;
    }
    let (first, rest) = path.split_once('.').unwrap_or((path, ""));
    let targets = if matches!(first, "config" | "page" | "section") || depth >= 6 {
        Vec::new()
    } else {
        assigned(template, first, line)
    };
    if targets.is_empty() {
        out.push((path.to_string(), item));
        return;
    }
    for (target, is_loop) in targets {
        if is_loop {
            expand(&target, true, template, line, depth + 1, out);
        } else if rest.is_empty() {
            expand(&target, item, template, line, depth + 1, out);
        } else {
            expand(
                &format!("{target}.{rest}"),
                item,
                template,
                line,
                depth + 1,
                out,
            );
        }
    }
}

/// The variable paths `name` is set to by `{% set name = a.b %}` or `{% for name in a.b %}`
/// in `template`, with whether each is a loop's: those at or above `line`, nearest first (or,
/// when there are none, those below it).
fn assigned(template: &str, name: &str, line: usize) -> Vec<(String, bool)> {
    let mut all: Vec<(usize, String, bool)> = Vec::new();
    for (i, text) in template.split('\n').enumerate() {
        for (j, _) in text.match_indices(name) {
            let before = text[..j].trim_end();
            let after = text[j + name.len()..].trim_start();
            let word = |w: &str| {
                before
                    .strip_suffix(w)
                    .is_some_and(|b| !b.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
            };
            let (target, is_loop) = if word("set") || word("set_global") {
                (
                    after.strip_prefix('=').filter(|a| !a.starts_with('=')),
                    false,
                )
            } else if word("for") {
                (after.strip_prefix("in "), true)
            } else {
                (None, false)
            };
            let target: String = target
                .unwrap_or_default()
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            // A name, not a literal (`""`, `3`, `none`, `true`).
            if target.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && !matches!(target.as_str(), "none" | "true" | "false")
            {
                all.push((i + 1, target, is_loop));
            }
        }
    }
    let (above, below): (Vec<_>, Vec<_>) = all.into_iter().partition(|(l, _, _)| *l <= line);
    if above.is_empty() {
        below.into_iter().map(|(_, t, l)| (t, l)).collect()
    } else {
        above.into_iter().rev().map(|(_, t, l)| (t, l)).collect()
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(&s[i..j])
}

/// Tera's type names in plain words.
fn plain_type(t: &str) -> &'static str {
    match t {
        "string" | "str" | "&str" | "String" => "text",
        "bool" | "boolean" => "true or false",
        "array" | "list" | "vec" => "a list",
        "object" | "map" => "a group of `name: value` fields",
        "none" | "null" | "undefined" => "empty",
        "u64" | "i64" | "u128" | "i128" | "f64" | "number" | "integer" | "float" => "a number",
        _ => "another kind of value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_read_at_the_column() {
        let line = "Phone: <a href=\"tel:{{ x.phone | replace(from=' ', to='') }}\">";
        let col = line.find("x.phone").unwrap() + 1;
        assert_eq!(variable_at(line, col).as_deref(), Some("x.phone"));
        assert_eq!(
            variable_at("{{ x.hours[0] }}", 4).as_deref(),
            Some("x.hours")
        );
        assert_eq!(variable_at("{{ x }}", 4).as_deref(), Some("x"));
        assert_eq!(variable_at("{{ 3 }}", 4), None);
    }

    #[test]
    fn set_and_for_lead_back_to_the_context() {
        let t = "{%- set x = config.extra -%}\n{% set a = x.address %}\n{% for line in x.hours %}{{ line.y }}{% endfor %}\n{{ a.city }}\n{% set x = page.extra %}\n{{ x.b }}\n";
        let r = |e: &str, l: usize| resolve(e, t, l);
        let one = |p: &str, item: bool| vec![(p.to_string(), item)];
        assert_eq!(r("x.phone", 1), one("config.extra.phone", false));
        assert_eq!(r("a.city", 4), one("config.extra.address.city", false));
        assert_eq!(r("line.y", 3), one("config.extra.hours", true));
        assert_eq!(
            r("x.b", 6),
            [
                ("page.extra.b".to_string(), false),
                ("config.extra.b".to_string(), false)
            ]
        );
        assert_eq!(r("page.title", 6), one("page.title", false));
        assert_eq!(r("y.z", 6), one("y.z", false));
        assert_eq!(resolve("x.a", "{% if x == 1 %}", 1), one("x.a", false));
        // A name set from itself, in many places: a bounded answer.
        let t = "{% set x = x.a %}\n".repeat(50);
        assert!(resolve("x.b", &t, 50).len() <= 32);
        // Branches: each place the name is set, nearest first; literals are no place.
        let t = "{% set item = page %}{% set item = none %}\n{% set image = \"\" %}\n{% if a %}{% set image = item.extra.image %}{% else %}{% set image = x.image %}{% endif %}\n{{ image is starting_with(pat=\"h\") }}\n";
        assert_eq!(
            resolve("image", t, 4),
            [
                ("x.image".to_string(), false),
                ("page.extra.image".to_string(), false)
            ]
        );
    }
}
