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
    "extra",
];

/// The front matter of a page or section (`design.md`, "Content").
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FrontMatter {
    /// Title; numbers are taken as text (`title: 2024`), YAML 1.2 keeps `yes`/`no` as text.
    #[serde(deserialize_with = "text")]
    pub title: Option<String>,
    /// Meta description and summary.
    #[serde(deserialize_with = "text")]
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
    #[serde(deserialize_with = "text")]
    pub slug: Option<String>,
    /// The whole URL path, e.g. `book/`.
    #[serde(deserialize_with = "text")]
    pub path: Option<String>,
    /// A template other than `page.html` / `section.html`.
    pub template: Option<String>,
    /// Old URLs that redirect here.
    pub aliases: Vec<String>,
    /// Anything, for templates as `page.extra`.
    pub extra: Option<serde_json::Value>,
}

/// A date or date-time from front matter, kept as written in one of the accepted forms:
/// `2026-11-29`, `2026-11-29T10:00:00`, `2026-11-29 10:00:00`, `2026-11-29T10:00:00-07:00`
/// (also with `Z`, and with a space instead of `T`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateValue {
    /// A calendar date.
    Date(jiff::civil::Date),
    /// A date and time without a time zone.
    DateTime(jiff::civil::DateTime),
    /// A date and time with a UTC offset.
    Offset(jiff::Timestamp, jiff::tz::Offset),
}

impl DateValue {
    /// Parses the accepted forms; `None` for anything else (including impossible dates).
    pub fn parse(text: &str) -> Option<DateValue> {
        let t = text.trim();
        if t.len() == 10
            && let Ok(d) = t.parse::<jiff::civil::Date>()
        {
            return Some(DateValue::Date(d));
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

    /// As templates see it: `YYYY-MM-DD` for dates, RFC 3339 for date-times (without an
    /// offset when none was written).
    pub fn to_template_string(&self) -> String {
        match self {
            DateValue::Date(d) => d.to_string(),
            DateValue::DateTime(dt) => dt.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
            DateValue::Offset(ts, off) => ts
                .to_zoned_datetime(jiff::tz::TimeZone::fixed(*off))
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
        }
    }

    /// The date part, `YYYY-MM-DD`, for the sitemap.
    pub fn date_string(&self) -> String {
        self.to_template_string().chars().take(10).collect()
    }

    /// A number for ordering: seconds since 1970, reading times without an offset as UTC.
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

impl<'de> Deserialize<'de> for DateValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = scalar_text(d)?;
        DateValue::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{s}` is not a date: write it as 2026-11-29 or 2026-11-29T10:00:00-07:00"
            ))
        })
    }
}

/// Accepts any scalar (text, number) as text: `title: 2024` is the text "2024".
fn text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    scalar_text(d).map(Some)
}

fn scalar_text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("text")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(V)
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
                || e.message.contains("invalid type: sequence") && !e.message.contains(':')
            {
                d = d.help("front matter is a list of `name: value` lines, like `title: About us`");
            }
            Error::one(d)
        })?
    };
    Ok((front, body_start, closing_line + 1))
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
        for bad in ["2026-02-30", "29/11/2026", "tomorrow", "2026-13-01"] {
            assert!(DateValue::parse(bad).is_none(), "{bad}");
        }
        let err = p("---\ndate: 2026-02-30\n---\n").unwrap_err();
        assert_eq!(err.into_diagnostics()[0].span.unwrap().line, 2);
    }
}
