//! Search engines and sharing: the plain-text meta description of a page, and the
//! `json_encode` template filter that JSON-LD blocks are written with.
//!
//! In: a page's rendered HTML summary, or any template value. Out: text. Nothing here knows
//! about schema.org: the default theme builds its JSON-LD from `config.extra` in
//! `partials/seo.html`, as Tera values, and serializes them with [`json_encode`], so no
//! template ever concatenates JSON by hand.

use std::collections::HashSet;

use tera::{Kwargs, State, Value};

use crate::config::Config;
use crate::error::{Diagnostic, Span};
/// Kept here for `markdown.rs`, which imports it from `seo` (the toolbox is [`crate::html`]).
pub(crate) use crate::html::decode_entities;
use crate::html::plain_text;
use crate::site::SiteTree;

/// The longest meta description kept, in characters: search engines show about 155–160.
pub const DESCRIPTION_MAX_CHARS: usize = 160;

/// A meta description from a page's summary HTML: the text without tags, entities decoded,
/// whitespace collapsed, cut at the last word boundary within [`DESCRIPTION_MAX_CHARS`] with
/// `…` added when cut. `None` when there is no text.
pub fn description_from_html(html: &str) -> Option<String> {
    let text = plain_text(html);
    if text.is_empty() {
        return None;
    }
    Some(truncate_words(&text, DESCRIPTION_MAX_CHARS))
}

/// Cuts `text` to at most `max` characters at a word boundary, adding `…` when it cut.
pub fn truncate_words(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    // Leave room for the ellipsis.
    let limit = text
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    let cut = text[..limit]
        .rfind(char::is_whitespace)
        .filter(|&i| i > 0)
        .unwrap_or(limit);
    let head = text[..cut].trim_end_matches(|c: char| c.is_whitespace() || ",;:".contains(c));
    format!("{head}…")
}

/// The `json_encode` filter (Zola's name): any value as JSON, compact, or indented with
/// `pretty=true`; `skip_none=true` leaves out map entries whose value is none, at any depth (for
/// JSON-LD built from optional settings). Safe inside `<script>`: `<`, `>` and `&` are written as `\u003c`, `\u003e`
/// and `\u0026`, and U+2028/U+2029 as escapes too, so neither `</script>` nor `<!--` can
/// appear in the output; the JSON means the same. The result is not marked safe: inside a
/// `<script type="application/ld+json">` write `{{ value | json_encode | safe }}`.
///
/// Errors: a value that JSON cannot represent (none: Tera's values are all JSON values).
pub fn json_encode(value: Value, kwargs: Kwargs, _: &State) -> tera::TeraResult<String> {
    let pretty = kwargs.get::<bool>("pretty")?.unwrap_or(false);
    let skip_none = kwargs.get::<bool>("skip_none")?.unwrap_or(false);
    let mut json_value = serde_json::to_value(&value)
        .map_err(|e| tera::Error::message(format!("json_encode: {e}")))?;
    if skip_none {
        drop_nulls(&mut json_value);
    }
    let json = if pretty {
        serde_json::to_string_pretty(&json_value)
    } else {
        serde_json::to_string(&json_value)
    }
    .map_err(|e| tera::Error::message(format!("json_encode: {e}")))?;
    Ok(escape_for_script(&json))
}

/// Removes the entries whose value is null from every object in `v`.
fn drop_nulls(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(drop_nulls);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// The `placeholder` template test: true for text holding a part in square brackets, like
/// `[Phone number — to be added]`, the default theme's mark for a value the site owner has not
/// filled in yet. Such values are shown as text on the page but never published as data (no
/// `tel:` link, no JSON-LD `telephone`). False for anything that is not text.
pub fn is_placeholder(value: &Value, _: Kwargs, _: &State) -> tera::TeraResult<bool> {
    Ok(value.as_str().is_some_and(is_placeholder_text))
}

/// The rule behind the `placeholder` test, for Rust callers (the `book` shortcode's link):
/// whether `s` holds a part in square brackets (see [`placeholder_parts`]).
pub fn is_placeholder_text(s: &str) -> bool {
    placeholder_parts(s).next().is_some()
}

/// The placeholder rule itself, part by part: the byte ranges of `s` that run from a `[` to
/// the next `]` after it, brackets included, left to right (`"[a], [b]"` has two; in
/// `"[a [b] c]"` the part is `"[a [b]"`). A `[` with no `]` after it starts no part. Used by
/// [`is_placeholder_text`] and by `check --publish` ([`crate::publish`]), which reports each
/// part where it is written.
pub fn placeholder_parts(s: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let open = from + s.get(from..)?.find('[')?;
        let close = open + s[open..].find(']')?;
        from = close + 1;
        Some(open..close + 1)
    })
}

/// Escapes the characters of a JSON text that could end a `<script>` element or start an
/// HTML comment inside it. `<`, `>`, `&`, U+2028 and U+2029 can only occur inside JSON strings,
/// where the `\uXXXX` forms mean the same characters.
pub fn escape_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The checks of this module, for [`crate::render::site`]: share images
/// ([`check_share_images`]) and `opening_hours` ([`check_opening_hours`]).
pub fn check(tree: &SiteTree, config: &Config, outputs: &HashSet<String>) -> Vec<Diagnostic> {
    let mut out = check_share_images(tree, config, outputs);
    out.extend(check_opening_hours(config));
    out
}

/// The day names schema.org's `DayOfWeek` has (`https://schema.org/Monday`, …).
pub const DAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "PublicHolidays",
];

/// True for `HH:MM` or `HH:MM:SS` on a 24-hour clock (schema.org `Time`).
fn is_time(t: &str) -> bool {
    let parts: Vec<&str> = t.split(':').collect();
    let ok = |p: &str, max: u32| p.len() == 2 && p.parse::<u32>().is_ok_and(|n| n <= max);
    matches!(parts.len(), 2 | 3)
        && ok(parts[0], 24)
        && ok(parts[1], 59)
        && parts.get(2).is_none_or(|s| ok(s, 59))
}

/// Checks `extra.opening_hours` of `config.yaml` (the JSON-LD opening hours of the default
/// theme): a list of `{ days, opens, closes }`, days being names from [`DAYS`] (one, or a
/// list), times `HH:MM`. Errors point at the offending value's line.
pub fn check_opening_hours(config: &Config) -> Vec<Diagnostic> {
    let Some(hours) = config.extra.get("opening_hours") else {
        return Vec::new();
    };
    let source = &config.config_source;
    let start = source
        .split('\n')
        .position(|l| l.trim_start().starts_with("opening_hours:"))
        .unwrap_or(0);
    let error = |what: String, value: &str, help: &str| {
        let d = Diagnostic::error(format!("in config.yaml, `opening_hours`: {what}"))
            .in_file("config.yaml")
            .label("opening hours for search engines")
            .help(help.to_string());
        let found = source
            .split('\n')
            .enumerate()
            .skip(start)
            .find(|(_, l)| !value.is_empty() && l.contains(value));
        let span = match found {
            Some((i, l)) => {
                let b = l.find(value).unwrap_or(0);
                Span::new(i + 1, l[..b].chars().count() + 1, value.chars().count())
            }
            None => Span::new(start + 1, 1, "opening_hours".len()),
        };
        d.at(span, source)
    };
    let example = "write one line per group of days, like `- { days: [Monday, Tuesday], opens: \"09:00\", closes: \"17:00\" }`";
    let Some(list) = hours.as_array() else {
        return vec![error("it must be a list".into(), "", example)];
    };
    let mut out = Vec::new();
    for item in list {
        let Some(map) = item.as_object() else {
            let text = item.as_str().unwrap_or("");
            out.push(error(
                "each line needs `days`, `opens` and `closes`".into(),
                text,
                example,
            ));
            continue;
        };
        let days: Vec<&serde_json::Value> = match map.get("days") {
            Some(serde_json::Value::Array(a)) => a.iter().collect(),
            Some(v) => vec![v],
            None => Vec::new(),
        };
        if days.is_empty() {
            out.push(error("a line has no `days`".into(), "", example));
        }
        for d in days {
            let name = d.as_str().unwrap_or("");
            if !DAYS.contains(&name) {
                let shown = if name.is_empty() {
                    d.to_string()
                } else {
                    name.to_string()
                };
                out.push(error(
                    format!("`{shown}` is not a day name"),
                    &shown,
                    &format!("write the day in full, in English: {}", DAYS.join(", ")),
                ));
            }
        }
        for key in ["opens", "closes"] {
            match map.get(key).and_then(|v| v.as_str()) {
                Some(t) if is_time(t) => {}
                Some(t) => out.push(error(
                    format!("`{key}: {t}` is not a time"),
                    t,
                    "write the time on a 24-hour clock in quotes, like `opens: \"09:00\"` or `closes: \"17:30\"`",
                )),
                None => out.push(error(format!("a line has no `{key}`"), "", example)),
            }
        }
    }
    out
}

/// Checks the share images (`extra.image` of pages and sections, and of `config.yaml`): a path
/// that is not a full URL must name a file the build writes, looked up beside the page (a page
/// bundle's file) and then from the top of the site (`static/`). `outputs` is every output file
/// (relative, with `/`). Returns an error for each missing one, at its line.
pub fn check_share_images(
    tree: &SiteTree,
    config: &Config,
    outputs: &HashSet<String>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let exists = |folder: &str, image: &str| {
        let top = image.trim_start_matches('/');
        (!image.starts_with('/') && outputs.contains(&format!("{folder}{image}")))
            || outputs.contains(top)
    };
    let items = tree.pages.iter().map(|p| (&p.doc, p.path.as_str())).chain(
        tree.sections
            .iter()
            .filter_map(|s| s.doc.as_ref().map(|d| (d, s.path.as_str()))),
    );
    for (doc, path) in items {
        let Some(image) = doc
            .front
            .extra
            .as_ref()
            .and_then(|e| e.get("image"))
            .and_then(|v| v.as_str())
        else {
            continue;
        };
        if image.is_empty() || crate::site::is_external(image) {
            continue;
        }
        if !exists(path.trim_start_matches('/'), image) {
            out.push(missing_image(
                image,
                &doc.shown,
                &doc.source,
                "put the picture beside the page (a page bundle: a folder with index.md and the picture) or in static/, and write its path, like `image: images/room.jpg`",
            ));
        }
    }
    if let Some(image) = config.extra.get("image").and_then(|v| v.as_str())
        && !image.is_empty()
        && !crate::site::is_external(image)
        && !exists("", image)
    {
        out.push(missing_image(
            image,
            std::path::Path::new("config.yaml"),
            &config.config_source,
            "put the picture in static/ and write its path from there, like `image: images/room.jpg`",
        ));
    }
    out
}

fn missing_image(image: &str, shown: &std::path::Path, source: &str, help: &str) -> Diagnostic {
    let mut d = Diagnostic::error(format!(
        "the share image `{image}` of {} does not exist",
        shown.display()
    ))
    .in_file(shown)
    .label("no such file")
    .help(help.to_string());
    if let Some((i, line)) = source.split('\n').enumerate().find(|(_, l)| {
        l.trim_start()
            .strip_prefix("image:")
            .is_some_and(|v| v.contains(image))
    }) {
        let col = line
            .find(image)
            .map_or(1, |b| line[..b].chars().count() + 1);
        d = d.at(Span::new(i + 1, col, image.chars().count()), source);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_parts_run_from_each_open_bracket_to_the_next_close() {
        fn parts(s: &str) -> Vec<&str> {
            placeholder_parts(s).map(|r| &s[r]).collect()
        }
        let cases: &[(&str, &[&str])] = &[
            (
                "[Phone number — to be added]",
                &["[Phone number — to be added]"],
            ),
            ("call [a], then [b]", &["[a]", "[b]"]),
            ("[a [b] c]", &["[a [b]"]),
            ("[]", &["[]"]),
            ("no brackets", &[]),
            ("] before [", &[]),
            ("open [ only", &[]),
            ("", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(parts(text), *want, "{text:?}");
            assert_eq!(is_placeholder_text(text), !want.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn an_empty_summary_gives_no_description() {
        assert_eq!(description_from_html("<p>  </p>"), None);
    }

    #[test]
    fn descriptions_are_cut_at_a_word_boundary() {
        let long = "word ".repeat(60);
        let d = truncate_words(long.trim(), 160);
        assert!(d.chars().count() <= 160, "{d}");
        assert!(d.ends_with("word…"), "{d}");
        assert_eq!(truncate_words("short text", 160), "short text");
        assert_eq!(truncate_words("abc, def ghi", 10), "abc, def…");
        // One long word: cut inside it rather than return nothing.
        assert_eq!(truncate_words("abcdefghijkl", 5), "abcd…");
    }

    #[test]
    fn times_are_24_hour_clock() {
        for ok in ["09:00", "17:30", "00:00", "24:00", "10:15:30"] {
            assert!(is_time(ok), "{ok}");
        }
        for bad in ["9:00", "9am", "17:60", "25:00", "", "09:00:"] {
            assert!(!is_time(bad), "{bad}");
        }
    }

    #[test]
    fn json_for_scripts_cannot_close_the_script() {
        let out = escape_for_script(r#"{"a":"</script><!-- & \u2028"}"#);
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["a"], "</script><!-- & \u{2028}");
    }
}
