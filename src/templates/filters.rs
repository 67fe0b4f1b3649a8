//! Zola's template filters that Tera 2.4 does not ship, with Zola's names and arguments, so a
//! theme ported from Zola renders: Tera 1's `date`, `filesizeformat`, `slugify`, `striptags`,
//! `spaceless`, `urlencode`, `urlencode_strict`, `linebreaksbr`, `as_str`, `concat`, `map`,
//! `filter` and `slice`, and Zola's own `markdown`, `base64_encode`, `base64_decode`,
//! `regex_replace` and `num_format` (Zola's "Built-in filters", templates/overview).
//!
//! Pure functions of their input and arguments: no file, no clock (the function `now()` is the
//! one thing that reads it), no time zone of the machine (a date without an offset is read
//! in UTC unless `timezone` says otherwise).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::markdown::{self, LinkResolver, LinkTarget};

/// Registers every filter of this module; `markdown` renders with `settings`.
pub(super) fn register(tera: &mut Tera, settings: &markdown::Settings) {
    tera.register_filter("date", date);
    tera.register_filter("filesizeformat", filesizeformat);
    tera.register_filter("slugify", |s: &str, _: Kwargs, _: &State| slug::slugify(s));
    tera.register_filter("striptags", |s: &str, _: Kwargs, _: &State| striptags(s));
    tera.register_filter("spaceless", |s: &str, _: Kwargs, _: &State| spaceless(s));
    tera.register_filter("urlencode", |s: &str, _: Kwargs, _: &State| {
        utf8_percent_encode(s, URLENCODE).to_string()
    });
    tera.register_filter("urlencode_strict", |s: &str, _: Kwargs, _: &State| {
        utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
    });
    tera.register_filter("linebreaksbr", linebreaksbr);
    tera.register_filter("as_str", as_str);
    tera.register_filter("concat", concat);
    tera.register_filter("map", map);
    tera.register_filter("filter", filter);
    tera.register_filter("slice", slice);
    tera.register_filter("base64_encode", |s: &str, _: Kwargs, _: &State| {
        base64::engine::general_purpose::STANDARD.encode(s)
    });
    tera.register_filter("base64_decode", base64_decode);
    let cache = Arc::new(Mutex::new(HashMap::new()));
    tera.register_filter(
        "regex_replace",
        move |s: &str, kwargs: Kwargs, _: &State| regex_replace(s, &kwargs, &cache),
    );
    tera.register_filter("num_format", num_format);
    let settings = settings.clone();
    tera.register_filter("markdown", move |s: &str, kwargs: Kwargs, _: &State| {
        markdown_filter(s, &kwargs, &settings)
    });
}

/// `Ok` when every argument given to the filter `name` is one of `known`. Errors: the first
/// unknown one, with the closest known name (`date(fromat=…)`: "did you mean `format`?"), so a
/// misspelled argument is not silently left out.
fn known_arguments(name: &str, kwargs: &Kwargs, known: &[&str]) -> TeraResult<()> {
    for (key, _) in kwargs.iter() {
        let key = key.to_string();
        if known.contains(&key.as_str()) {
            continue;
        }
        let hint = match crate::error::closest(known.iter().copied(), &key) {
            Some(near) => format!("did you mean `{near}`? "),
            None => String::new(),
        };
        return Err(tera::Error::message(format!(
            "the `{name}` filter has no argument `{key}`: {hint}its arguments are {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(())
}

/// Tera 1's `urlencode` set: Python's `urllib.parse.quote` (everything but letters, digits,
/// `-_.~` and `/` is percent-encoded).
const URLENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `date(format="%Y-%m-%d", timezone=…)`: a date as text (Zola's and Tera 1's filter, with
/// jiff's strftime: `%d %B %Y`, `%A`, `%H:%M`, `%z`, …).
///
/// Input: a Unix timestamp in seconds, or text: `2026-11-29`, `2026-11-29T10:00:00`,
/// `2026-11-29 10:00:00` (both read in `timezone`, else UTC), `2026-11-29T10:00:00-07:00`
/// (kept at its offset unless `timezone` is given), or `…[America/Edmonton]`. `timezone` is an
/// IANA name (`America/Edmonton`) or `UTC`. Errors: a value that is not a date, an unknown time
/// zone, a format jiff cannot write, and `locale` (month names are English only).
fn date(value: &Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    known_arguments("date", &kwargs, &["format", "timezone", "locale"])?;
    let format = kwargs.get::<&str>("format")?.unwrap_or("%Y-%m-%d");
    if kwargs.get::<&Value>("locale")?.is_some() {
        return Err(tera::Error::message(
            "date: `locale` is not supported; month and day names are written in English",
        ));
    }
    let tz = match kwargs.get::<&str>("timezone")? {
        Some(name) => Some(jiff::tz::TimeZone::get(name).map_err(|_| {
            tera::Error::message(format!(
                "date: unknown time zone `{name}`: write an IANA name like `America/Edmonton`, or `UTC`"
            ))
        })?),
        None => None,
    };
    let zoned = to_zoned(value, tz)?;
    jiff::fmt::strtime::format(format, &zoned)
        .map_err(|e| tera::Error::message(format!("date: cannot write the format `{format}`: {e}")))
}

/// A date value read as [`date`] documents; `tz` converts it (or places a date without an
/// offset).
fn to_zoned(value: &Value, tz: Option<jiff::tz::TimeZone>) -> TeraResult<jiff::ZonedDateTime> {
    use jiff::fmt::temporal::{DateTimeParser, Pieces};
    static PARSER: DateTimeParser = DateTimeParser::new();
    let place = tz.clone().unwrap_or(jiff::tz::TimeZone::UTC);
    let not_a_date = |shown: String| {
        tera::Error::message(format!(
            "date: {shown} is not a date: write 2026-11-29, 2026-11-29T10:00:00-07:00 or a Unix timestamp"
        ))
    };
    let zoned = if let Some(seconds) = value.as_i64() {
        jiff::Timestamp::from_second(seconds)
            .map(|t| t.to_zoned_datetime(place))
            .map_err(|_| not_a_date(format!("`{seconds}`")))?
    } else if let Some(text) = value.as_str() {
        let text = text.trim();
        PARSER
            .parse_zoned_datetime(text)
            .or_else(|_| {
                PARSER.parse_timestamp(text).map(|t| {
                    let offset = Pieces::parse(text).ok().and_then(|p| p.to_numeric_offset());
                    t.to_zoned_datetime(offset.map_or(place.clone(), jiff::tz::TimeZone::fixed))
                })
            })
            .or_else(|_| {
                PARSER
                    .parse_datetime(text)
                    .and_then(|d| d.to_zoned_datetime(place.clone()))
            })
            .or_else(|_| {
                PARSER
                    .parse_date(text)
                    .and_then(|d| d.to_zoned_datetime(place.clone()))
            })
            .map_err(|_| not_a_date(format!("`{text}`")))?
    } else {
        return Err(not_a_date(format!("a {}", value.name())));
    };
    Ok(match tz {
        Some(tz) => zoned.with_time_zone(tz),
        None => zoned,
    })
}

/// `filesizeformat(binary=false)`: a number of bytes for people, `1.5 KB` (Tera 1: powers of
/// 1024 with the KB, MB… labels); with `binary=true`, `1.5 KiB`. At most one decimal, none
/// when it is zero.
fn filesizeformat(bytes: u64, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    known_arguments("filesizeformat", &kwargs, &["binary"])?;
    let binary = kwargs.get::<bool>("binary")?.unwrap_or(false);
    let units: [&str; 7] = if binary {
        ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    } else {
        ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
    };
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < units.len() {
        size /= 1024.0;
        unit += 1;
    }
    let label = units.get(unit).copied().unwrap_or("B");
    if unit == 0 {
        return Ok(format!("{bytes} {label}"));
    }
    let text = format!("{size:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    Ok(format!("{text} {label}"))
}

/// Tera 1's `striptags`: HTML comments and tags removed, the rest as written.
fn striptags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = if after.starts_with("<!--") {
            after.find("-->").map(|e| e + 3)
        } else {
            after.find('>').map(|e| e + 1)
        };
        match end {
            Some(e) => rest = &after[e..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Tera 1's `spaceless`: whitespace between a `>` and the next `<` removed.
fn spaceless(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('>') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let trimmed = rest.trim_start();
        if trimmed.starts_with('<') {
            rest = trimmed;
        }
    }
    out.push_str(rest);
    out
}

/// Tera 1's `linebreaksbr`: each line break (`\n` or `\r\n`) becomes `<br>`. The text is
/// escaped first unless it is already safe, and the result is safe (the `<br>` must stay tags).
fn linebreaksbr(value: &Value, _: Kwargs, _: &State) -> TeraResult<Value> {
    let text = value
        .as_str()
        .ok_or_else(|| tera::Error::message("linebreaksbr: the value must be text"))?;
    let escaped = if value.is_safe() {
        text.to_string()
    } else {
        crate::html::escape(text)
    };
    Ok(Value::safe_string(
        &escaped.replace("\r\n", "<br>").replace('\n', "<br>"),
    ))
}

/// Tera 1's `as_str`: any value as text (Tera 2 calls it `str`).
fn as_str(value: &Value, _: Kwargs, _: &State) -> String {
    value.to_string()
}

/// Tera 1's `concat(with=…)`: a list with `with` appended (each item of `with` when it is a
/// list). A value that is not a list becomes a list of one.
fn concat(value: &Value, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    known_arguments("concat", &kwargs, &["with"])?;
    let with = kwargs.must_get::<&Value>("with")?;
    let mut items: Vec<Value> = match value.as_array() {
        Some(a) => a.to_vec(),
        None => vec![value.clone()],
    };
    match with.as_array() {
        Some(a) => items.extend(a.iter().cloned()),
        None => items.push(with.clone()),
    }
    Ok(Value::from(items))
}

/// Tera 1's `map(attribute=…)`: the value at `attribute` (a dotted path) of each item, the
/// items without it left out.
fn map(items: &[Value], kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    known_arguments("map", &kwargs, &["attribute"])?;
    let attribute = kwargs.must_get::<&str>("attribute")?;
    Ok(Value::from(
        items
            .iter()
            .filter_map(|item| item.get_from_path(attribute))
            .filter(|v| !v.is_undefined())
            .cloned()
            .collect::<Vec<_>>(),
    ))
}

/// Tera 1's `filter(attribute=…, value=…)`: the items whose `attribute` (a dotted path) equals
/// `value`; without `value`, those where it is present and not null.
fn filter(items: &[Value], kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    known_arguments("filter", &kwargs, &["attribute", "value"])?;
    let attribute = kwargs.must_get::<&str>("attribute")?;
    let wanted = kwargs.get::<&Value>("value")?;
    Ok(Value::from(
        items
            .iter()
            .filter(|item| {
                let found = item
                    .get_from_path(attribute)
                    .filter(|v| !v.is_undefined() && !v.is_none());
                match (found, wanted) {
                    (Some(v), Some(w)) => v == w,
                    (Some(_), None) => true,
                    (None, _) => false,
                }
            })
            .cloned()
            .collect::<Vec<_>>(),
    ))
}

/// Tera 1's `slice(start=0, end=…)`: the items from `start` up to (not including) `end`; a
/// negative index counts from the end. Out-of-range indexes are clamped.
fn slice(items: &[Value], kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    known_arguments("slice", &kwargs, &["start", "end"])?;
    let len = items.len() as i64;
    let at = |i: i64| -> usize {
        let i = if i < 0 { len + i } else { i };
        i.clamp(0, len) as usize
    };
    let start = at(kwargs.get::<i64>("start")?.unwrap_or(0));
    let end = at(kwargs.get::<i64>("end")?.unwrap_or(len));
    Ok(Value::from(
        items
            .get(start..end.max(start))
            .unwrap_or_default()
            .to_vec(),
    ))
}

/// Zola's `base64_decode`: standard base64 (with padding) to text. Errors: not base64, or
/// bytes that are not UTF-8 text.
fn base64_decode(text: &str, _: Kwargs, _: &State) -> TeraResult<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| tera::Error::message(format!("base64_decode: not base64: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|_| tera::Error::message("base64_decode: the decoded bytes are not UTF-8 text"))
}

/// Zola's `regex_replace(pattern=…, rep=…)`: every match of `pattern` (the `regex` crate's syntax, without Unicode classes)
/// replaced by `rep`, where `$1` or `${name}` is a group. Each pattern is compiled once per
/// set of templates.
fn regex_replace(
    text: &str,
    kwargs: &Kwargs,
    cache: &Mutex<HashMap<String, regex_lite::Regex>>,
) -> TeraResult<String> {
    known_arguments("regex_replace", kwargs, &["pattern", "rep"])?;
    let pattern = kwargs.must_get::<&str>("pattern")?;
    let rep = kwargs.must_get::<&str>("rep")?;
    let mut cache = cache.lock().unwrap_or_else(PoisonError::into_inner);
    if !cache.contains_key(pattern) {
        let re = regex_lite::Regex::new(pattern).map_err(|e| {
            tera::Error::message(format!(
                "regex_replace: `{pattern}` is not a valid pattern: {e}"
            ))
        })?;
        cache.insert(pattern.to_string(), re);
    }
    Ok(cache.get(pattern).map_or_else(
        || text.to_string(),
        |re| re.replace_all(text, rep).into_owned(),
    ))
}

/// Zola's `num_format(locale="en")`: a whole number with the locale's thousands separator
/// (`1,234,567` in English, `1 234 567` in French with narrow no-break spaces, `1.234.567` in
/// German). Errors: a locale not in the table below (the message lists them).
fn num_format(number: i64, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    known_arguments("num_format", &kwargs, &["locale"])?;
    let locale = kwargs.get::<&str>("locale")?.unwrap_or("en");
    let language = locale
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let separator = match language.as_str() {
        "en" | "ja" | "zh" | "ko" | "he" | "th" => ",",
        "fr" | "nb" | "no" | "sv" | "fi" | "cs" | "sk" | "pl" | "uk" | "ru" => "\u{202f}",
        "de" | "es" | "it" | "nl" | "pt" | "da" | "id" | "tr" | "el" | "ro" => ".",
        _ => {
            return Err(tera::Error::message(format!(
                "num_format: unknown locale `{locale}`: use one of en, fr, de, es, it, nl, pt, sv, da, fi, nb, pl, cs, sk, ru, uk, el, ro, tr, id, ja, zh, ko, he, th"
            )));
        }
    };
    let digits = number.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() * 2);
    if number < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    Ok(out)
}

/// Links in the `markdown` filter's text are left as written: it has no page to resolve them
/// from.
struct AsWritten;

impl LinkResolver for AsWritten {
    fn resolve(&self, _: &str) -> LinkTarget {
        LinkTarget::External
    }
}

/// Zola's `markdown(inline=false)`: the text rendered as markdown with the site's `markdown:`
/// settings; with `inline=true`, without the `<p>` around a single paragraph. The result is
/// safe (it is HTML).
fn markdown_filter(
    text: &str,
    kwargs: &Kwargs,
    settings: &markdown::Settings,
) -> TeraResult<Value> {
    known_arguments("markdown", kwargs, &["inline"])?;
    let inline = kwargs.get::<bool>("inline")?.unwrap_or(false);
    let html = markdown::render_mapped(text, None, 1, &AsWritten, settings).html;
    let html = if inline {
        let trimmed = html.trim_end();
        match trimmed
            .strip_prefix("<p>")
            .and_then(|s| s.strip_suffix("</p>"))
        {
            Some(inner) if !inner.contains("<p>") => inner.to_string(),
            _ => html,
        }
    } else {
        html
    };
    Ok(Value::safe_string(&html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn striptags_and_spaceless_follow_tera_1() {
        assert_eq!(
            striptags("<b>Joel</b> <!-- x > y --> <i>is</i> a>b"),
            "Joel  is a>b"
        );
        assert_eq!(striptags("a <unclosed"), "a ");
        assert_eq!(
            spaceless("<p>\n<a> </a>\r\n </p> x <b>"),
            "<p><a></a></p> x <b>"
        );
    }
}
