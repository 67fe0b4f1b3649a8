//! Front matter: the YAML block between a first line `---` and the next line `---`.
//!
//! In: a file's text (BOM already removed). Out: [`FrontMatter`] plus where the body starts.
//! CRLF line endings and trailing blanks on the `---` lines are accepted (Jekyll #2756, #2650);
//! an empty block, or one holding only comments, means "no fields set" (serde-yaml #86). Unknown
//! fields are errors that suggest the closest field or `extra:` (no `#[serde(flatten)]`, which
//! would defeat `deny_unknown_fields`, serde-yaml #153). The split is done here by hand:
//! pulldown-cmark's metadata blocks would also swallow `---` pairs in the body.

use std::path::Path;

use serde::{Deserialize, Deserializer};

use crate::error::{Diagnostic, Error, Result, Span};
use crate::yaml;

/// The fields a page or section may set, for did-you-mean hints.
pub const FIELDS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "weight",
    "draft",
    "slug",
    "path",
    "template",
    "aliases",
    "feed",
    "paginate_by",
    "taxonomies",
    "tags",
    "categories",
    "extra",
];

/// The fields under `extra` that hold a date, documented by the default theme
/// (themes/default/README.md: `reviewed`, the date a health page was last reviewed). Each is
/// read as [`DateValue`], like `date` and `updated`: a value in another form is an error at its
/// line, and templates see it written as `date` is.
pub const EXTRA_DATES: &[&str] = &["reviewed"];

fn extra<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<serde_json::Map<String, serde_json::Value>>, D::Error> {
    yaml::strict_map_with::<D, DateValue>(d, EXTRA_DATES)
}

/// The front matter of a page or section (`design.md`, "Content").
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FrontMatter {
    /// Title; numbers are taken as the text written (`title: 2024`, `title: 1.10`), YAML 1.2
    /// keeps `yes`/`no` as text.
    #[serde(deserialize_with = "crate::yaml::text")]
    pub title: Option<String>,
    /// Meta description and summary.
    #[serde(deserialize_with = "crate::yaml::text")]
    pub description: Option<String>,
    /// Publication date.
    pub date: Option<DateValue>,
    /// Last update.
    pub updated: Option<DateValue>,
    /// Order within the section (ascending).
    pub weight: Option<i64>,
    /// Left out unless `--drafts`.
    pub draft: bool,
    /// Replaces the file name in the URL.
    #[serde(deserialize_with = "crate::yaml::text")]
    pub slug: Option<String>,
    /// The whole URL path, e.g. `book/`.
    #[serde(deserialize_with = "crate::yaml::text")]
    pub path: Option<String>,
    /// A template other than `page.html` / `section.html`.
    pub template: Option<String>,
    /// Old URLs that redirect here.
    pub aliases: Vec<String>,
    /// Sections only: write an Atom feed of the section's pages at `<section>/atom.xml`
    /// (Zola's `generate_feeds`).
    pub feed: bool,
    /// Sections only: list this many pages per listing page, with `/<section>/page/2/` and
    /// further pages, as Zola's `paginate_by`; 1 or more.
    #[serde(deserialize_with = "positive")]
    pub paginate_by: Option<usize>,
    /// Pages only: the terms of each taxonomy, `taxonomies: { tags: [relaxation] }` (Zola's
    /// form; see [`crate::site::taxonomies`]).
    #[serde(deserialize_with = "crate::site::taxonomies::terms_map")]
    pub taxonomies: Option<std::collections::BTreeMap<String, Vec<String>>>,
    /// Short form of `taxonomies: { tags: [...] }`.
    #[serde(deserialize_with = "crate::site::taxonomies::terms")]
    pub tags: Option<Vec<String>>,
    /// Short form of `taxonomies: { categories: [...] }`.
    #[serde(deserialize_with = "crate::site::taxonomies::terms")]
    pub categories: Option<Vec<String>>,
    /// Anything, for templates as `page.extra`: a group of `name: value` fields, none given
    /// twice. The dates among them ([`EXTRA_DATES`]) are read as `date` is.
    #[serde(deserialize_with = "extra")]
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A date or date-time from front matter, kept as written in one of the accepted forms: every
/// form of YAML 1.1's timestamp type (<https://yaml.org/type/timestamp.html>: `2026-11-29`,
/// `2026-11-29T10:00:00-07:00`, `2026-11-29 10:00:00`, `2026-11-29 9:00:00.5 -7`, `Z`), the
/// `+0530` offset Jekyll and Hugo sites carry, and the extended ISO 8601 forms jiff reads
/// (`2026-11-29T10:00`). Nothing depends on the time zone of the machine building the site: a
/// date-time without an offset is read as UTC wherever an instant is needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateValue {
    /// A calendar date.
    Date(jiff::civil::Date),
    /// A date and time without a time zone.
    DateTime(jiff::civil::DateTime),
    /// A date and time with a UTC offset (the instant, and the offset written).
    Offset(jiff::Timestamp, jiff::tz::Offset),
}

/// How a date may be written, for messages.
const DATE_FORMS: &str = "write it as 2026-11-29 or 2026-11-29T10:00:00-07:00";

/// The widest UTC offsets in use, in seconds: -12:00 (Baker Island) to +14:00 (Kiribati).
const OFFSET_RANGE: std::ops::RangeInclusive<i32> = -12 * 3600..=14 * 3600;

impl DateValue {
    /// Parses the accepted forms; `None` for anything else (including impossible dates).
    pub fn parse(text: &str) -> Option<DateValue> {
        DateValue::read(text).ok()
    }

    /// [`DateValue::parse`] with the reason when `text` is not a date, in plain words that
    /// follow "`text` is not a date: ": how to write a date when it has another form, or what
    /// does not exist when it has the form but not the value (`February 2026 has 28 days`,
    /// `there is no hour 25`, `there is no UTC offset +25:00`).
    pub fn read(text: &str) -> std::result::Result<DateValue, String> {
        let value = match yaml::timestamp::parse(text) {
            Some(ts) => from_timestamp(ts)?,
            None => extended_iso(text).ok_or_else(|| DATE_FORMS.to_string())?,
        };
        if let DateValue::Offset(_, offset) = value
            && !OFFSET_RANGE.contains(&offset.seconds())
        {
            let minutes = offset.seconds().unsigned_abs() / 60;
            return Err(no_offset(offset.seconds() < 0, minutes / 60, minutes % 60));
        }
        Ok(value)
    }

    /// As templates see it: `YYYY-MM-DD` for dates, RFC 3339 for date-times (without an
    /// offset when none was written; a fraction of a second only when one was written).
    pub fn to_template_string(&self) -> String {
        match self {
            DateValue::Date(d) => d.to_string(),
            DateValue::DateTime(dt) => dt.strftime("%Y-%m-%dT%H:%M:%S%.f").to_string(),
            DateValue::Offset(ts, off) => ts
                .to_zoned_datetime(jiff::tz::TimeZone::fixed(*off))
                .strftime("%Y-%m-%dT%H:%M:%S%.f%:z")
                .to_string(),
        }
    }

    /// As RFC 3339 with an offset, for Atom feeds (RFC 4287, 3.3): a date is midnight UTC, a
    /// date-time without an offset is read as UTC (as [`DateValue::sort_key`] does), and a
    /// written offset is kept: `2026-11-29` -> `2026-11-29T00:00:00Z`.
    pub fn to_rfc3339(&self) -> String {
        match self {
            DateValue::Date(d) => format!("{d}T00:00:00Z"),
            DateValue::DateTime(_) => format!("{}Z", self.to_template_string()),
            DateValue::Offset(..) => self.to_template_string(),
        }
    }

    /// The date part, `YYYY-MM-DD`, for the sitemap: the day written (in its own offset).
    pub fn date_string(&self) -> String {
        self.to_template_string().chars().take(10).collect()
    }

    /// A number for ordering: seconds since 1970, reading times without an offset as UTC
    /// (a date is its midnight UTC), so the machine's time zone never changes the order.
    pub fn sort_key(&self) -> i64 {
        let utc = || jiff::tz::TimeZone::UTC;
        match self {
            DateValue::Date(d) => d
                .to_zoned_datetime(utc())
                .map(|z| z.timestamp().as_second())
                .unwrap_or(0),
            DateValue::DateTime(dt) => dt
                .to_zoned_datetime(utc())
                .map(|z| z.timestamp().as_second())
                .unwrap_or(0),
            DateValue::Offset(ts, _) => ts.as_second(),
        }
    }
}

/// A YAML timestamp's fields checked against the calendar and the clock.
fn from_timestamp(ts: yaml::timestamp::Timestamp) -> std::result::Result<DateValue, String> {
    let date = calendar_date(ts.year, ts.month, ts.day)?;
    let Some(time) = ts.time else {
        return Ok(DateValue::Date(date));
    };
    let no = |what: &str, n: i8, range: &str| format!("there is no {what} {n}: {range}");
    if time.hour > 23 {
        return Err(no("hour", time.hour, "hours go from 0 to 23"));
    }
    if time.minute > 59 {
        return Err(no("minute", time.minute, "minutes go from 00 to 59"));
    }
    if time.second > 60 {
        return Err(no("second", time.second, "seconds go from 00 to 59"));
    }
    // A leap second (`23:59:60`, RFC 3339 5.6) is read as :59, as jiff reads it.
    let second = time.second.min(59);
    let clock = jiff::civil::Time::new(time.hour, time.minute, second, time.nanosecond)
        .map_err(|_| DATE_FORMS.to_string())?;
    let datetime = date.to_datetime(clock);
    let Some(written) = time.offset else {
        return Ok(DateValue::DateTime(datetime));
    };
    let sign = if written.negative { -1 } else { 1 };
    let seconds = sign * (i32::from(written.hours) * 3600 + i32::from(written.minutes) * 60);
    if written.minutes > 59 || !OFFSET_RANGE.contains(&seconds) {
        return Err(no_offset(written.negative, written.hours, written.minutes));
    }
    let offset = jiff::tz::Offset::from_seconds(seconds).map_err(|_| DATE_FORMS.to_string())?;
    let instant = datetime
        .to_zoned_datetime(jiff::tz::TimeZone::fixed(offset))
        .map_err(|_| DATE_FORMS.to_string())?
        .timestamp();
    Ok(DateValue::Offset(instant, offset))
}

/// The day `year-month-day`, or what does not exist (`there is no month 13`, `February 2026
/// has 28 days`).
fn calendar_date(year: i16, month: i8, day: i8) -> std::result::Result<jiff::civil::Date, String> {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let Some(name) = usize::try_from(month - 1).ok().and_then(|i| MONTHS.get(i)) else {
        return Err(format!(
            "there is no month {month}: months go from 01 to 12"
        ));
    };
    let days = jiff::civil::Date::new(year, month, 1)
        .map_err(|_| DATE_FORMS.to_string())?
        .days_in_month();
    if day < 1 {
        return Err(format!("there is no day {day}: days go from 01 to {days}"));
    }
    if day > days {
        return Err(format!("{name} {year} has {days} days"));
    }
    jiff::civil::Date::new(year, month, day).map_err(|_| DATE_FORMS.to_string())
}

/// The message for an offset no place uses, as written (`+25`, `+05:75`).
fn no_offset(
    negative: bool,
    hours: impl std::fmt::Display,
    minutes: impl std::fmt::Display,
) -> String {
    let sign = if negative { '-' } else { '+' };
    format!(
        "there is no UTC offset {sign}{hours:02}:{minutes:02}: offsets go from -12:00 to +14:00"
    )
}

/// The extended ISO 8601 and RFC 3339 forms that are not YAML timestamps but that jiff reads
/// (`2026-11-29T10:00`, `2026-11-29T10:00:00-07:00[America/Edmonton]`): accepted as before.
/// Only the extended forms: jiff also reads the basic `20261129`, which in front matter is
/// more likely a typo than a date.
fn extended_iso(text: &str) -> Option<DateValue> {
    let t = text.trim();
    if t.as_bytes().get(4) != Some(&b'-') || t.as_bytes().get(7) != Some(&b'-') {
        return None;
    }
    let normalized = if t.len() > 10 && t.as_bytes().get(10) == Some(&b' ') {
        format!("{}T{}", &t[..10], t[11..].trim_start())
    } else {
        t.to_string()
    };
    if let Ok(ts) = normalized.parse::<jiff::Timestamp>() {
        let offset = jiff::fmt::temporal::Pieces::parse(&normalized)
            .ok()
            .and_then(|p| p.to_numeric_offset())
            .unwrap_or(jiff::tz::Offset::UTC);
        return Some(DateValue::Offset(ts, offset));
    }
    if !normalized.contains('[')
        && let Ok(dt) = normalized.parse::<jiff::civil::DateTime>()
    {
        return Some(DateValue::DateTime(dt));
    }
    None
}

impl From<DateValue> for serde_json::Value {
    /// The date as templates see it ([`DateValue::to_template_string`]).
    fn from(d: DateValue) -> Self {
        serde_json::Value::String(d.to_template_string())
    }
}

impl<'de> Deserialize<'de> for DateValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        yaml::scalar_text_into(d, |s| {
            DateValue::read(s).map_err(|why| format!("`{s}` is not a date: {why}"))
        })
    }
}

/// A whole number of 1 or more (for `paginate_by`): 0 and negative numbers are errors that
/// name the value, so the message can point at it.
fn positive<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<usize>, D::Error> {
    let n = i64::deserialize(d)?;
    match usize::try_from(n) {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(serde::de::Error::custom(format!(
            "`{n}` is not a number of pages: write a whole number of 1 or more, like `paginate_by: 10`"
        ))),
    }
}

/// True for a line made only of dash-like characters (`----`, Word's `—`, `–`) or `+++`: an
/// attempt at a front matter fence that is not exactly `---`.
fn looks_like_fence(line: &str) -> bool {
    let t = line.trim();
    t == "+++"
        || (!t.is_empty()
            && t.chars()
                .all(|c| matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')))
}

/// True for a `name: value` (or TOML `name = value`) line whose name is a front matter field.
fn looks_like_field(line: &str) -> bool {
    let t = line.trim_start();
    FIELDS.iter().any(|f| {
        t.strip_prefix(f)
            .is_some_and(|rest| rest.trim_start().starts_with([':', '=']))
    })
}

/// Finds front matter that is meant but not recognised because the file does not start with
/// exactly `---` on its first line: blank lines before it, four dashes, a dash that a word
/// processor turned into `—`, TOML's `+++`, or a missing opening line. Published as it is, it
/// would show up as text on the page (fresh-user trial, rows 50–53), so it is an error.
fn misplaced_front_matter(source: &str, shown: &Path) -> Option<Diagnostic> {
    let lines: Vec<&str> = source.lines().take(60).collect();
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    let opener = lines[first];
    let fields_follow = |from: usize| {
        lines
            .iter()
            .skip(from)
            .take_while(|l| !looks_like_fence(l))
            .any(|l| looks_like_field(l))
    };
    let closes = |from: usize| lines.iter().skip(from).any(|l| looks_like_fence(l));
    let (span_line, message, help) = if looks_like_fence(opener)
        && fields_follow(first + 1)
        && closes(first + 1)
    {
        let t = opener.trim();
        if t == "---" {
            (
                first + 1,
                "the front matter must start on the very first line of the file".to_string(),
                "delete the empty lines above the first `---`".to_string(),
            )
        } else if t == "+++" {
            (
                first + 1,
                "front matter between `+++` lines (TOML) is not supported".to_string(),
                "use YAML between `---` lines: `---`, then `title: About us`, then `---`"
                    .to_string(),
            )
        } else {
            (
                first + 1,
                format!("the front matter line `{t}` must be exactly three hyphens `---`"),
                "write `---` (three hyphens, nothing else) on the first line and on the line after the last field; word processors may turn `---` into a long dash".to_string(),
            )
        }
    } else if looks_like_field(opener) && closes(first + 1) {
        (
            first + 1,
            "the front matter has no opening `---` line".to_string(),
            "add a line with only `---` at the very top of the file, above this one".to_string(),
        )
    } else {
        return None;
    };
    Some(
        Diagnostic::error(format!("{message} ({})", shown.display()))
            .in_file(shown)
            .at(
                Span::new(span_line, 1, opener.trim_end().chars().count().max(1)),
                source,
            )
            .label("front matter is not recognised here")
            .help(help),
    )
}

/// Warnings about front matter that parsed but probably does not say what the owner meant:
/// a ` #` inside an unquoted value starts a YAML comment and silently cuts the value
/// (`title: Edmonton #1 studio` is "Edmonton"), and a value in curly quotes keeps the quotes.
/// The same checks as `config.yaml`'s (`yaml::lint`), on the lines between the fences.
pub fn lint(source: &str, shown: &Path) -> Vec<Diagnostic> {
    let mut lines = source.split('\n');
    if lines.next().is_none_or(|first| first.trim_end() != "---") {
        return Vec::new();
    }
    // The block ends at the closing fence (or, unclosed, at the end: parse reports that).
    let count = lines.take_while(|l| l.trim_end() != "---").count();
    yaml::lint(source, 2, count + 1, shown)
}

/// Splits `source` into front matter and body and parses the front matter.
///
/// Returns (front matter, byte offset of the body, 1-based line of the body). A file that does
/// not start with a `---` line has no front matter. Errors (with file, line and column): a
/// block that is never closed; YAML syntax errors; a value of the wrong type; unknown fields;
/// a block that is not a list of `name: value` fields.
pub fn parse(source: &str, shown: &Path) -> Result<(FrontMatter, usize, usize)> {
    let mut lines = source.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Ok((FrontMatter::default(), 0, 1));
    };
    if first.trim_end() != "---" {
        if let Some(d) = misplaced_front_matter(source, shown) {
            return Err(Error::one(d));
        }
        return Ok((FrontMatter::default(), 0, 1));
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut closing = None;
    for (i, line) in lines.enumerate() {
        if line.trim_end() == "---" {
            closing = Some((offset, offset + line.len(), i + 2));
            break;
        }
        offset += line.len();
    }
    let Some((yaml_end, body_start, closing_line)) = closing else {
        return Err(Error::one(
            Diagnostic::error(format!(
                "the front matter in {} is never closed",
                shown.display()
            ))
            .in_file(shown)
            .at(Span::new(1, 1, 3), source)
            .label("front matter starts here")
            .help("add a line with only `---` after the last field, before the text of the page"),
        ));
    };
    let yaml_text = source[yaml_start..yaml_end].replace("\r\n", "\n");
    if let Some(at) = source[..yaml_end].find('\0') {
        let line = source[..at].matches('\n').count() + 1;
        let col = source[..at]
            .rsplit('\n')
            .next()
            .map_or(0, |l| l.chars().count())
            + 1;
        return Err(Error::one(
            Diagnostic::error(format!("the front matter in {} contains an invisible NUL character", shown.display()))
                .in_file(shown)
                .at(Span::new(line, col, 1), source)
                .label("here")
                .help("delete the character (retype the line); it usually comes from copying text out of another program"),
        ));
    }
    let front = if yaml::is_empty_document(&yaml_text) {
        FrontMatter::default()
    } else {
        yaml::from_str::<FrontMatter>(&yaml_text).map_err(|e| {
            let mut d = yaml::to_diagnostic(
                &e,
                &yaml::YamlSource {
                    what: "invalid front matter",
                    file: shown,
                    source,
                    first_line: 2,
                    fence_line: closing_line,
                    fields: FIELDS,
                    unknown_help: "put your own fields under `extra:`",
                },
            );
            if e.message.contains("expected struct FrontMatter")
                && d.label.as_deref() != Some("no space after the colon")
            {
                d = d.help("front matter is a list of `name: value` lines, like `title: About us`");
            }
            Error::one(d)
        })?
    };
    match front.slug.as_deref() {
        Some(slug) if crate::site::slugify(slug).is_empty() => {
            Err(Error::one(empty_slug(slug, source, shown)))
        }
        _ => Ok((front, body_start, closing_line + 1)),
    }
}

/// The error for a `slug:` that gives no web address: empty, or without a letter or digit.
/// It points at the `slug:` line of `source`.
fn empty_slug(slug: &str, source: &str, shown: &Path) -> Diagnostic {
    let what = if slug.trim().is_empty() {
        "is empty".to_string()
    } else {
        format!("`{slug}` has no letter or digit to make a web address from")
    };
    let mut d = Diagnostic::error(format!("the `slug:` of {} {what}", shown.display()))
        .in_file(shown)
        .label("no web address can be made from this")
        .help("write the last part of the page's web address there, like `slug: gift-cards`, or remove the line to use the file's name");
    if let Some(span) = yaml::key_value_span(source, "slug") {
        d = d.at(span, source);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<(FrontMatter, usize, usize)> {
        parse(s, Path::new("content/t.md"))
    }

    #[test]
    fn splits_lf_crlf_and_trailing_blanks() {
        for src in [
            "---\ntitle: Hi\n---\nBody\n",
            "---\r\ntitle: Hi\r\n---\r\nBody\r\n",
            "--- \ntitle: Hi\n---\t\nBody\n",
        ] {
            let (fm, start, line) = p(src).unwrap();
            assert_eq!(fm.title.as_deref(), Some("Hi"), "{src:?}");
            assert!(src[start..].starts_with("Body"), "{src:?}");
            assert_eq!(line, 4);
        }
    }

    #[test]
    fn empty_blank_and_comment_only_blocks_set_nothing() {
        for src in [
            "---\n---\nB",
            "---\n\n---\nB",
            "---\n# nothing here yet\n---\nB",
            "no front matter",
        ] {
            let (fm, _, _) = p(src).unwrap();
            assert_eq!(fm, FrontMatter::default(), "{src:?}");
        }
    }

    #[test]
    fn yaml_12_scalars_become_text() {
        for (v, want) in [
            ("yes", "yes"),
            ("no", "no"),
            ("on", "on"),
            ("2024", "2024"),
            ("\"true\"", "true"),
        ] {
            let (fm, _, _) = p(&format!("---\ntitle: {v}\n---\n")).unwrap();
            assert_eq!(fm.title.as_deref(), Some(want));
        }
    }

    #[test]
    fn numbers_in_text_fields_keep_the_text_as_written() {
        for v in [
            "1.10",
            "1e3",
            "0x10",
            "0o17",
            "007",
            ".5",
            "-0",
            "+1",
            "1_000",
            ".inf",
            "-.Inf",
            ".NaN",
            "2024",
            "3.0",
            "1.0e+10",
            "12345678901234567890123",
        ] {
            let src = format!(
                "---\ntitle: {v}\ndescription: {v}\nslug: {v}\npath: p{v}\nextra:\n  {v}: {v}\n---\n"
            );
            let (fm, _, _) = p(&src).unwrap();
            assert_eq!(fm.title.as_deref(), Some(v), "{v}");
            assert_eq!(fm.description.as_deref(), Some(v), "{v}");
            assert_eq!(fm.slug.as_deref(), Some(v), "{v}");
            assert_eq!(fm.path.as_deref(), Some(format!("p{v}").as_str()), "{v}");
            // A key under extra is text as written too; its value stays a YAML value.
            let extra = fm.extra.unwrap();
            assert!(extra.contains_key(v), "{v}: {extra:?}");
        }
        // Quoted, folded and aliased forms, and the next file parsed on the same thread.
        let (fm, _, _) = p("---\ntitle: &t 1.10\ndescription: *t\n---\n").unwrap();
        assert_eq!(fm.description.as_deref(), Some("1.10"));
        let (fm, _, _) = p("---\ntitle: \"1.10\"\ndescription: >-\n  1.10\n---\n").unwrap();
        assert_eq!(fm.title.as_deref(), Some("1.10"));
        assert_eq!(fm.description.as_deref(), Some("1.10"));
        let (fm, _, _) = p("---\ntitle: 1.10\nextra:\n  price: 1.10\n---\n").unwrap();
        assert_eq!(fm.extra.unwrap()["price"], serde_json::json!(1.1));
        // Null, booleans and lists stay errors, also when another field is a number.
        for src in [
            "---\ntitle: 1.10\ndescription: ~\n---\n",
            "---\ntitle: 1.10\ndescription: true\n---\n",
            "---\ndescription: [1.10]\ntitle: 1.10\n---\n",
        ] {
            assert!(p(src).is_err(), "{src}");
        }
    }

    #[test]
    fn empty_slug_is_an_error_at_its_line() {
        for (slug, said) in [
            ("\"\"", "is empty"),
            ("\"!!\"", "`!!` has no letter or digit"),
        ] {
            let src = format!("---\ntitle: Hi\nslug: {slug}\n---\nText\n");
            let d = &p(&src).unwrap_err().into_diagnostics()[0];
            assert!(d.message.contains("the `slug:` of "), "{d:?}");
            assert!(d.message.contains(said), "{d:?}");
            assert_eq!(d.span.unwrap().line, 3, "{d:?}");
        }
        assert!(p("---\nslug: café\n---\n").is_ok());
    }

    #[test]
    fn unrecognised_front_matter_is_an_error() {
        for (src, line) in [
            ("\n---\ntitle: x\n---\nbody\n", 2),
            ("+++\ntitle = \"x\"\n+++\nbody\n", 1),
            ("\u{2014}\ntitle: x\n\u{2014}\nbody\n", 1),
            ("----\ntitle: x\n----\nbody\n", 1),
            ("title: x\ndescription: y\n---\nbody\n", 1),
        ] {
            let err = p(src).unwrap_err();
            let d = &err.into_diagnostics()[0];
            assert_eq!(d.span.unwrap().line, line, "{src:?}: {d:?}");
        }
        // Ordinary bodies are not front matter.
        for src in [
            "Just text.\n\n---\n\nMore.\n",
            "----\n\nA rule first.\n",
            "# Title\n",
        ] {
            assert!(p(src).is_ok(), "{src:?}");
        }
    }

    #[test]
    fn lint_warns_about_comments_and_curly_quotes() {
        let w = lint(
            "---\ntitle: Edmonton #1 studio\ndescription: \u{201c}Hi\u{201d}\nextra:\n  a: \"#ok\"\n# note\n---\n",
            Path::new("content/t.md"),
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[0].span.unwrap().line, 2);
        assert_eq!(w[0].span.unwrap().col, 17);
        assert_eq!(w[1].span.unwrap().line, 3);
        assert!(lint("no front matter # here\n", Path::new("x")).is_empty());
    }

    #[test]
    fn unclosed_front_matter_is_error_at_line_1() {
        let err = p("---\ntitle: x\nbody\n").unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert!(d.message.contains("never closed"));
        assert_eq!(d.span.unwrap().line, 1);
    }

    #[test]
    fn wrong_type_points_at_value() {
        let err = p("---\ntitle: FAQ\nweight: first\n---\n").unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert_eq!(d.span, Some(Span::new(3, 9, 5)), "{d:?}");
        assert_eq!(d.label.as_deref(), Some("expected a whole number"));
    }

    #[test]
    fn unknown_field_suggests_closest_and_extra() {
        let err = p("---\ntitel: FAQ\n---\n").unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert_eq!(d.span.unwrap().line, 2, "{d:?}");
        let help = d.help.as_deref().unwrap();
        assert!(
            help.contains("did you mean `title`") && help.contains("extra"),
            "{help}"
        );
    }

    #[test]
    fn syntax_error_is_positioned_in_file() {
        let err = p("---\ntitle: x\ntags: [a, b\n---\n").unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert!(d.span.unwrap().line >= 3, "{d:?}");
    }

    #[test]
    fn dates_in_accepted_forms() {
        for (s, out) in [
            ("2026-11-29", "2026-11-29"),
            ("2026-11-29T10:00:00", "2026-11-29T10:00:00"),
            ("2026-11-29 10:00:00", "2026-11-29T10:00:00"),
            ("2026-11-29T10:00:00-07:00", "2026-11-29T10:00:00-07:00"),
            ("2026-11-29T10:00:00Z", "2026-11-29T10:00:00+00:00"),
        ] {
            assert_eq!(
                DateValue::parse(s)
                    .map(|d| d.to_template_string())
                    .as_deref(),
                Some(out),
                "{s}"
            );
        }
        for (s, out) in [
            ("2026-11-29", "2026-11-29T00:00:00Z"),
            ("2026-11-29 10:00:00", "2026-11-29T10:00:00Z"),
            ("2026-11-29T10:00:00-07:00", "2026-11-29T10:00:00-07:00"),
        ] {
            assert_eq!(DateValue::parse(s).unwrap().to_rfc3339(), out, "{s}");
        }
        for bad in [
            "2026-02-30",
            "29/11/2026",
            "tomorrow",
            "2026-13-01",
            "20261129",
        ] {
            assert!(DateValue::parse(bad).is_none(), "{bad}");
        }
        let err = p("---\ndate: 2026-02-30\n---\n").unwrap_err();
        assert_eq!(err.into_diagnostics()[0].span.unwrap().line, 2);
    }

    // See: issue 17 ("Dates as YAML and people write them").
    #[test]
    fn every_yaml_timestamp_form_is_a_date() {
        for (s, shown, feed) in [
            // https://yaml.org/type/timestamp.html
            (
                "2001-12-15T02:59:43.1Z",
                "2001-12-15T02:59:43.1+00:00",
                "2001-12-15T02:59:43.1+00:00",
            ),
            (
                "2001-12-14t21:59:43.10-05:00",
                "2001-12-14T21:59:43.1-05:00",
                "2001-12-14T21:59:43.1-05:00",
            ),
            (
                "2001-12-14 21:59:43.10 -5",
                "2001-12-14T21:59:43.1-05:00",
                "2001-12-14T21:59:43.1-05:00",
            ),
            (
                "2001-12-15 2:59:43.10",
                "2001-12-15T02:59:43.1",
                "2001-12-15T02:59:43.1Z",
            ),
            ("2002-12-14", "2002-12-14", "2002-12-14T00:00:00Z"),
            // Jekyll's and Hugo's: a space before the offset, with and without a colon.
            (
                "2017-12-27 20:46:24 -05:00",
                "2017-12-27T20:46:24-05:00",
                "2017-12-27T20:46:24-05:00",
            ),
            (
                "2017-12-27 20:46:24 +0530",
                "2017-12-27T20:46:24+05:30",
                "2017-12-27T20:46:24+05:30",
            ),
            (
                "2017-12-27T20:46:24+0530",
                "2017-12-27T20:46:24+05:30",
                "2017-12-27T20:46:24+05:30",
            ),
            (
                "2017-1-2 3:04:05 Z",
                "2017-01-02T03:04:05+00:00",
                "2017-01-02T03:04:05+00:00",
            ),
            (
                "2016-12-31 23:59:60Z",
                "2016-12-31T23:59:59+00:00",
                "2016-12-31T23:59:59+00:00",
            ),
            (
                "2026-11-29 10:00:00 +14",
                "2026-11-29T10:00:00+14:00",
                "2026-11-29T10:00:00+14:00",
            ),
            (
                "2026-11-29 10:00:00 -12",
                "2026-11-29T10:00:00-12:00",
                "2026-11-29T10:00:00-12:00",
            ),
        ] {
            let d = DateValue::parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(d.to_template_string(), shown, "{s}");
            assert_eq!(d.to_rfc3339(), feed, "{s}");
            // What a template shows is read back as the same date.
            assert_eq!(
                DateValue::parse(&d.to_template_string()),
                Some(d.clone()),
                "{s}"
            );
        }
        // The offset's instant: 20:46:24 at -05:00 is 01:46:24 UTC the next day.
        let d = DateValue::parse("2017-12-27 20:46:24 -5").unwrap();
        assert_eq!(
            d.sort_key(),
            DateValue::parse("2017-12-28T01:46:24Z").unwrap().sort_key()
        );
        assert_eq!(d.date_string(), "2017-12-27");
    }

    #[test]
    fn impossible_dates_say_what_does_not_exist() {
        for (s, why) in [
            ("2026-02-30", "February 2026 has 28 days"),
            ("2024-02-30 10:00:00", "February 2024 has 29 days"),
            ("2026-04-31T10:00:00Z", "April 2026 has 30 days"),
            ("2026-11-00", "there is no day 0: days go from 01 to 30"),
            (
                "2026-13-01",
                "there is no month 13: months go from 01 to 12",
            ),
            ("2026-00-01", "there is no month 0: months go from 01 to 12"),
            (
                "2026-11-29T25:00:00Z",
                "there is no hour 25: hours go from 0 to 23",
            ),
            (
                "2026-11-29 24:00:00",
                "there is no hour 24: hours go from 0 to 23",
            ),
            (
                "2026-11-29 10:60:00",
                "there is no minute 60: minutes go from 00 to 59",
            ),
            (
                "2026-11-29 10:00:61",
                "there is no second 61: seconds go from 00 to 59",
            ),
            (
                "2026-11-29 10:00:00 +25",
                "there is no UTC offset +25:00: offsets go from -12:00 to +14:00",
            ),
            (
                "2026-11-29T10:00:00-13:00",
                "there is no UTC offset -13:00: offsets go from -12:00 to +14:00",
            ),
            (
                "2026-11-29T10:00:00+05:75",
                "there is no UTC offset +05:75: offsets go from -12:00 to +14:00",
            ),
            (
                "2026-11-29T10:00+25:00",
                "there is no UTC offset +25:00: offsets go from -12:00 to +14:00",
            ),
            ("29/11/2026", DATE_FORMS),
            ("2026-1-5", DATE_FORMS),
        ] {
            assert_eq!(DateValue::read(s), Err(why.to_string()), "{s}");
        }
        let d = &p("---\ndate: 2026-02-30 10:00:00 -5\n---\n")
            .unwrap_err()
            .into_diagnostics()[0];
        assert_eq!(
            d.message,
            "invalid front matter in content/t.md: `2026-02-30 10:00:00 -5` is not a date: February 2026 has 28 days"
        );
        assert_eq!(d.span, Some(Span::new(2, 7, 22)));
        assert_eq!(d.label.as_deref(), Some("no such day or time"));
    }

    #[test]
    fn dates_under_extra_are_read_as_date_is() {
        let (fm, _, _) = p("---\nextra:\n  reviewed: 2026-11-29 10:00:00\n  other: 5/12/2026\n  deep: {reviewed: x}\n---\n").unwrap();
        let extra = fm.extra.unwrap();
        assert_eq!(extra["reviewed"], "2026-11-29T10:00:00");
        assert_eq!(extra["other"], "5/12/2026");
        let (fm, _, _) = p("---\nextra:\n  reviewed:\n---\n").unwrap();
        assert_eq!(fm.extra.unwrap().get("reviewed"), None);
        // The same message as `date`, at the value, quoted or not, also after a number made
        // the document be read twice (`title: 2024`).
        for (src, col) in [
            ("---\nextra:\n  reviewed: 5/12/2026\n---\n", 13),
            ("---\nextra:\n  reviewed: \"5/12/2026\"\n---\n", 14),
            (
                "---\ntitle: 2024\nextra:\n  health: true\n  reviewed: 5/12/2026 # x\n---\n",
                13,
            ),
        ] {
            let d = &p(src).unwrap_err().into_diagnostics()[0];
            assert_eq!(
                d.message,
                "invalid front matter in content/t.md: `5/12/2026` is not a date: write it as 2026-11-29 or 2026-11-29T10:00:00-07:00",
                "{src}"
            );
            let span = d.span.unwrap();
            assert_eq!((span.col, span.len), (col, 9), "{src}");
            assert_eq!(
                d.label.as_deref(),
                Some("not a date in a form stillpoint reads")
            );
        }
        let d = &p("---\ndate: \"5/12/2026\"\n---\n")
            .unwrap_err()
            .into_diagnostics()[0];
        assert_eq!(d.span, Some(Span::new(2, 8, 9)));
    }
}
