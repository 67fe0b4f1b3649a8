//! The names a template can call, and hints for a name that does not exist: the filters, tests
//! and functions of Tera 2.4 with those stillpoint registers (`register_functions`,
//! `load_data`), what to write instead of a name known from Zola or Jinja, and the reading of
//! the list of reports Tera gives when templates use names it does not know.
//!
//! Pure: no I/O, no Tera instance.

/// Tera 2.4's built-in filters (`Tera::register_builtin_filters`), stillpoint's `json_encode`
/// and Zola's that Tera 2 does not ship (`filters.rs`), sorted. Tera has no way to list them; a test checks each is known.
pub const FILTERS: &[&str] = &[
    "abs",
    "as_str",
    "base64_decode",
    "base64_encode",
    "capitalize",
    "concat",
    "date",
    "default",
    "escape",
    "escape_html",
    "escape_xml",
    "filesizeformat",
    "filter",
    "first",
    "float",
    "get",
    "group_by",
    "indent",
    "int",
    "join",
    "json_encode",
    "keys",
    "last",
    "length",
    "linebreaksbr",
    "lower",
    "map",
    "markdown",
    "newlines_to_br",
    "nth",
    "num_format",
    "pairs",
    "pluralize",
    "regex_replace",
    "replace",
    "reverse",
    "round",
    "safe",
    "slice",
    "slugify",
    "sort",
    "spaceless",
    "split",
    "str",
    "striptags",
    "title",
    "trim",
    "trim_end",
    "trim_start",
    "truncate",
    "unique",
    "upper",
    "urlencode",
    "urlencode_strict",
    "values",
    "wordcount",
];

/// Tera 2.4's built-in tests (`is defined`, …) and stillpoint's `placeholder`, sorted.
pub const TESTS: &[&str] = &[
    "array",
    "bool",
    "containing",
    "defined",
    "divisible_by",
    "ending_with",
    "even",
    "float",
    "integer",
    "iterable",
    "map",
    "none",
    "number",
    "odd",
    "placeholder",
    "starting_with",
    "string",
    "undefined",
];

/// Tera 2.4's built-in functions and stillpoint's, sorted.
pub const FUNCTIONS: &[&str] = &[
    "get_page",
    "get_section",
    "get_url",
    "load_data",
    "now",
    "range",
    "resize_image",
    "throw",
];

/// What a template called that does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    /// `{{ x | name }}`.
    Filter,
    /// `{% if x is name %}`.
    Test,
    /// `{{ name() }}`.
    Function,
}

impl Unknown {
    /// `filter`, `test` or `function`.
    pub fn word(self) -> &'static str {
        match self {
            Unknown::Filter => "filter",
            Unknown::Test => "test",
            Unknown::Function => "function",
        }
    }

    fn known(self) -> &'static [&'static str] {
        match self {
            Unknown::Filter => FILTERS,
            Unknown::Test => TESTS,
            Unknown::Function => FUNCTIONS,
        }
    }
}

/// Names that Zola (Tera 1) or Jinja templates use and stillpoint's do not, with what to write
/// instead here.
const ELSEWHERE: &[(Unknown, &str, &str)] = &[
    (
        Unknown::Filter,
        "string",
        "Jinja's `string` is called `str` here",
    ),
    (
        Unknown::Filter,
        "tojson",
        "Jinja's `tojson` is called `json_encode` here",
    ),
    (
        Unknown::Filter,
        "count",
        "Jinja's `count` is called `length` here",
    ),
    (Unknown::Filter, "e", "Jinja's `e` is called `escape` here"),
    (
        Unknown::Filter,
        "d",
        "Jinja's `d` is called `default` here: `x | default(value=\"…\")`",
    ),
    (
        Unknown::Filter,
        "items",
        "Jinja's `items` is called `pairs` here",
    ),
    (
        Unknown::Filter,
        "dictsort",
        "use `pairs | sort` for Jinja's `dictsort`",
    ),
    (
        Unknown::Function,
        "get_image_metadata",
        "Zola's `get_image_metadata` has no twin here: `resize_image(path=…)` gives `orig_width` and `orig_height`",
    ),
    (
        Unknown::Function,
        "url_for",
        "Jinja's `url_for` is `get_url(path=\"@/faq.md\")` here",
    ),
    (
        Unknown::Test,
        "equalto",
        "Jinja's `equalto` test is `==` here: `{% if a == b %}`",
    ),
];

/// The help for a filter, test or function `name` that does not exist: what to use instead
/// when Zola or Jinja knows the name, else "did you mean" the closest known name, else the
/// list of names there are.
pub fn unknown_help(kind: Unknown, name: &str) -> String {
    if let Some((_, _, advice)) = ELSEWHERE.iter().find(|(k, n, _)| *k == kind && *n == name) {
        return (*advice).to_string();
    }
    match crate::error::closest(kind.known().iter().copied(), name) {
        Some(c) => format!("did you mean `{c}`?"),
        None => format!(
            "the {}s there are: {}",
            kind.word(),
            kind.known()
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Splits Tera's "Variable `x` is not defined. Available variables: a, b" (or "Field `x` …
/// Available fields: …") into the message without the list, and the names listed. The list
/// depends on the page (a page's `extra` fields, `page` or `section`), so it is left out of the
/// message: the same mistake on every page is then one diagnostic (see
/// [`crate::error::merge_repeats`]).
pub fn split_available(message: &str) -> (&str, Vec<&str>) {
    for marker in [" Available variables: ", " Available fields: "] {
        if let Some((head, list)) = message.split_once(marker) {
            let head = head.strip_suffix('.').unwrap_or(head);
            return (head, list.split(", ").map(str::trim).collect());
        }
    }
    (message, Vec::new())
}

/// The variables only some templates see: `page` for a page, `section` and `paginator` for a
/// section's listing, `feed` for a feed.
const KIND_VARIABLES: &[&str] = &["page", "section", "paginator", "feed"];

/// The help for a variable or field that is not defined (message as from [`split_available`],
/// with the name in backticks): "did you mean" one of `available` when one is close, what the
/// page-kind variables are, else how to handle a value only some pages have.
pub fn undefined_help(message: &str, available: &[&str]) -> String {
    const GENERIC: &str = "check the spelling; for a value that only some pages have, use `{% if name is defined %}` or `name | default(value=\"…\")`";
    let name = message
        .split_once('`')
        .and_then(|(_, rest)| rest.split_once('`'))
        .map_or("", |(n, _)| n);
    if let Some(c) = crate::error::closest(available.iter().copied(), name).filter(|c| *c != name) {
        return format!("did you mean `{c}`? Otherwise {GENERIC}");
    }
    if message.starts_with("Variable") && KIND_VARIABLES.contains(&name) {
        return format!(
            "`{name}` is there only when the template renders {}; a template used for several kinds of page can test for it with `{{% if {name} is defined %}}`",
            match name {
                "page" => "a page",
                "feed" => "a feed (atom.xml)",
                _ => "a section (section.html, index.html)",
            }
        );
    }
    GENERIC.to_string()
}

/// The word after `{%` (and `-`) of each tag of `source`, with the rest of the tag.
fn tags(source: &str) -> impl Iterator<Item = (&str, &str)> {
    source.split("{%").skip(1).map(|after| {
        let tag = after.split("%}").next().unwrap_or("");
        let tag = tag
            .trim_start_matches(['-', '+'])
            .trim()
            .trim_end_matches(['-', '+']);
        let word_end = tag
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tag.len());
        (&tag[..word_end], tag[word_end..].trim())
    })
}

/// The template named by the `{% extends "…" %}` of `source`, if it has one.
pub fn extends_target(source: &str) -> Option<&str> {
    tags(source)
        .find(|(w, _)| *w == "extends")
        .and_then(|(_, rest)| {
            rest.trim_matches(['"', '\'', '`'])
                .split(['"', '\''])
                .next()
        })
}

/// The names of the components `source` defines (`{% component card(title) %}`), in order.
pub fn component_names(source: &str) -> Vec<&str> {
    tags(source)
        .filter(|(w, _)| *w == "component")
        .filter_map(|(_, rest)| rest.split(['(', ' ']).next())
        .filter(|n| !n.is_empty())
        .collect()
}

/// The help for a component `name` that no template defines (Tera 2's `{{<name … />}}`):
/// "did you mean" the closest of those that `sources` (every template's text) define, else
/// the list of them, else how to define one.
pub fn component_help<'a>(name: &str, sources: impl IntoIterator<Item = &'a str>) -> String {
    let mut defined: Vec<&str> = sources.into_iter().flat_map(component_names).collect();
    defined.sort_unstable();
    defined.dedup();
    if let Some(c) = crate::error::closest(defined.iter().copied(), name) {
        return format!("did you mean `{c}`?");
    }
    if defined.is_empty() {
        return "no template defines a component: define it with `{% component name(…) %}…{% endcomponent name %}`".to_string();
    }
    let list: Vec<String> = defined.iter().map(|n| format!("`{n}`")).collect();
    format!(
        "the components the templates define are: {}",
        list.join(", ")
    )
}

/// The names of the `{% block name %}` tags of `source`, in order.
pub fn block_names(source: &str) -> Vec<&str> {
    tags(source)
        .filter(|(w, _)| *w == "block")
        .filter_map(|(_, rest)| rest.split_whitespace().next())
        .collect()
}

/// One of the reports Tera joins into one message when templates use names it does not know
/// (`error: Unknown filter ...` then ` --> name:line:col`, the line, and `^^^` under the name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report<'a> {
    /// Tera's message, e.g. ``Unknown filter `date` ``.
    pub message: &'a str,
    /// The template's name in Tera (`partials/footer.html`).
    pub template: &'a str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Number of `^` under the name (at least 1).
    pub len: usize,
}

/// Reads the reports out of the text of Tera's message (see [`Report`]), in the order given.
/// A report without a location is left out: the caller falls back to the whole message.
pub fn parse_reports(text: &str) -> Vec<Report<'_>> {
    // (message, place, number of `^`) of each `error:` line, in order.
    type Partial<'a> = (&'a str, Option<(&'a str, usize, usize)>, usize);
    let mut found: Vec<Partial<'_>> = Vec::new();
    for line in text.lines() {
        if let Some(message) = line.strip_prefix("error: ") {
            found.push((message, None, 0));
            continue;
        }
        let Some((_, at, len)) = found.last_mut() else {
            continue;
        };
        let trimmed = line.trim_start();
        if let Some(loc) = trimmed.strip_prefix("--> ") {
            let mut parts = loc.rsplitn(3, ':');
            let col = parts.next().and_then(|c| c.parse().ok());
            let l = parts.next().and_then(|l| l.parse().ok());
            if let (Some(col), Some(l), Some(name)) = (col, l, parts.next())
                && at.is_none()
            {
                *at = Some((name, l, col));
            }
        } else if at.is_some() && *len == 0 && trimmed.starts_with('|') && line.contains('^') {
            *len = line.chars().filter(|c| *c == '^').count();
        }
    }
    found
        .into_iter()
        .filter_map(|(message, at, len)| {
            let (template, line, col) = at?;
            Some(Report {
                message,
                template,
                line,
                col,
                len: len.max(1),
            })
        })
        .collect()
}

/// What a report's message is about: the kind and the name between backticks.
pub fn unknown_name(message: &str) -> Option<(Option<Unknown>, &str)> {
    let (head, rest) = message.split_once('`')?;
    let (name, _) = rest.split_once('`')?;
    let kind = match head.trim() {
        "Unknown filter" => Some(Unknown::Filter),
        "Unknown test" => Some(Unknown::Test),
        "Unknown function" => Some(Unknown::Function),
        "Unknown template" => None,
        _ => return None,
    };
    Some((kind, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listed name is one a template may use, in an instance set up as stillpoint's,
    /// and a made-up one is not: the lists follow Tera and `register_functions`.
    #[test]
    fn listed_names_are_known_to_tera() {
        let known = |src: &str| {
            let mut tera = tera::Tera::new();
            super::super::functions::register_functions(&mut tera);
            super::super::functions::register_site_functions(
                &mut tera,
                &super::super::functions::Binding::default(),
            );
            super::super::functions::register_load_data(&mut tera, std::path::Path::new("."));
            match tera.add_raw_template("t.html", src) {
                Ok(()) => true,
                Err(e) => !e.to_string().contains("Unknown"),
            }
        };
        for f in FILTERS {
            assert!(known(&format!("{{{{ x | {f} }}}}")), "filter {f}");
        }
        for t in TESTS {
            assert!(
                known(&format!("{{% if x is {t} %}}{{% endif %}}")),
                "test {t}"
            );
        }
        for f in FUNCTIONS {
            assert!(known(&format!("{{{{ {f}() }}}}")), "function {f}");
        }
        assert!(!known("{{ x | no_such_filter }}"));
        assert!(!known("{% if x is no_such_test %}{% endif %}"));
        assert!(!known("{{ no_such_function() }}"));
        for list in [FILTERS, TESTS, FUNCTIONS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        }
    }

    #[test]
    fn help_names_the_alternative_or_the_closest() {
        assert_eq!(
            unknown_help(Unknown::Filter, "tojson"),
            "Jinja's `tojson` is called `json_encode` here"
        );
        assert_eq!(
            unknown_help(Unknown::Filter, "lenght"),
            "did you mean `length`?"
        );
        assert_eq!(
            unknown_help(Unknown::Function, "get_pge"),
            "did you mean `get_page`?"
        );
        assert_eq!(
            unknown_help(Unknown::Test, "defnied"),
            "did you mean `defined`?"
        );
        let far = unknown_help(Unknown::Function, "zzzzzz");
        assert!(
            far.starts_with("the functions there are: `get_page`"),
            "{far}"
        );
    }

    #[test]
    fn undefined_names_lose_the_page_specific_list() {
        let (m, list) = split_available(
            "Variable `pag` is not defined. Available variables: config, current_path, page",
        );
        assert_eq!(m, "Variable `pag` is not defined");
        assert_eq!(list, ["config", "current_path", "page"]);
        assert!(undefined_help(m, &list).starts_with("did you mean `page`?"));
        let (m, list) =
            split_available("Field `reviewd` is not defined. Available fields: reviewed");
        assert_eq!(m, "Field `reviewd` is not defined");
        assert!(undefined_help(m, &list).starts_with("did you mean `reviewed`?"));
        assert!(
            undefined_help("Variable `section` is not defined", &["config", "page"])
                .contains("only when the template renders a section")
        );
        assert!(
            undefined_help("Variable `zzz` is not defined", &[]).starts_with("check the spelling")
        );
        assert_eq!(split_available("other").0, "other");
    }

    #[test]
    fn blocks_and_parents_are_read_from_tags() {
        let src = "{% extends \"base.html\" %}\n{%- block title -%}T{% endblock title %}{% block body %}{% endblock %}";
        assert_eq!(extends_target(src), Some("base.html"));
        assert_eq!(block_names(src), ["title", "body"]);
        assert_eq!(extends_target("{% block x %}"), None);
        assert!(block_names("{% block").is_empty());
        assert_eq!(
            component_names("{% component card(title) %}{% endcomponent card %}{% component x %}"),
            ["card", "x"]
        );
    }

    #[test]
    fn reports_are_read_with_their_place() {
        let text = "error: Unknown filter `date`\n --> partials/footer.html:2:16\n  |\n2 | {{ page.date | date }}\n  |                ^^^^\n\nerror: Unknown function `x`\n  --> a:b.html:10:4\n   |\n10 | {{ x() }}\n   |    ^^^";
        let r = parse_reports(text);
        assert_eq!(
            r,
            vec![
                Report {
                    message: "Unknown filter `date`",
                    template: "partials/footer.html",
                    line: 2,
                    col: 16,
                    len: 4
                },
                Report {
                    message: "Unknown function `x`",
                    template: "a:b.html",
                    line: 10,
                    col: 4,
                    len: 3
                },
            ]
        );
        assert!(parse_reports("error: no place here").is_empty());
        assert_eq!(
            unknown_name("Unknown filter `date`"),
            Some((Some(Unknown::Filter), "date"))
        );
        assert_eq!(
            unknown_name("Unknown template `a.html`"),
            Some((None, "a.html"))
        );
        assert_eq!(unknown_name("Block `x` is not defined"), None);
    }
}
