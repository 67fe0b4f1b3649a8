//! Health pages (`extra.health: true`) and their review date: `extra.reviewed` must be there,
//! be a date, not be in the future, and be no older than `check.review_months`.

use super::front_matter::{fence_span, front_matter_text};
use crate::config;
use crate::content::{self, Document};
use crate::error::Diagnostic;

/// Whether a page is health information: `extra.health: true` in its front matter.
pub fn is_health_page(doc: &Document) -> bool {
    doc.front
        .extra
        .as_ref()
        .and_then(|e| e.get("health"))
        .and_then(serde_json::Value::as_bool)
        == Some(true)
}

/// The health-page review check: `extra.reviewed` must be a date, not in the future, and no
/// older than `months` before `today`.
pub fn check_health(
    doc: &Document,
    months: u32,
    today: jiff::civil::Date,
    out: &mut Vec<Diagnostic>,
) {
    if is_health_page(doc) {
        out.extend(review_warning(doc, months, today));
    }
}

/// The warning about a health page's review date, if any.
fn review_warning(doc: &Document, months: u32, today: jiff::civil::Date) -> Option<Diagnostic> {
    let at = |key: &str, message: String| at_extra(doc, key, Diagnostic::warning(message));
    let Some(reviewed) = doc.front.extra.as_ref().and_then(|e| e.get("reviewed")) else {
        return Some(
            at("health", format!("{} is a health page without a review date", doc.shown.display()))
            .label("health information")
            .help(format!(
                "after checking that the page is still accurate, add `reviewed: {today}` under `extra:`; the page shows it as \"Reviewed on\""
            )),
        );
    };
    let text = match reviewed {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let Some(date) = date_of(&text) else {
        return Some(
            at("reviewed", format!("`reviewed: {text}` is not a date"))
                .label("expected a date like 2026-11-29")
                .help("write the date of the last review as year-month-day, like `reviewed: 2026-11-29`"),
        );
    };
    if date > today {
        return Some(
            at(
                "reviewed",
                format!("the review date {date} is in the future (today is {today})"),
            )
            .label("in the future")
            .help("write the date the page was actually reviewed"),
        );
    }
    let due = date.checked_add(jiff::Span::new().months(i64::from(months)));
    due.is_ok_and(|due| due < today).then(|| {
        at("reviewed", format!("health information last reviewed on {date}, more than {months} months ago"))
            .label("due for review")
            .help(format!(
                "check that the page is still accurate (the research, the advice, the links), then set `reviewed: {today}`; `check.review_months` in config.yaml sets how often"
            ))
    })
}

/// `d` in `doc`, at the value of `key` under `extra:` in its front matter, else at the front
/// matter's fence.
fn at_extra(doc: &Document, key: &str, d: Diagnostic) -> Diagnostic {
    let d = d.in_file(&doc.shown);
    let fm = front_matter_text(doc);
    match config::nested_value_span(fm, "extra", key).or_else(|| fence_span(doc)) {
        Some(span) => d.at(span, &doc.source),
        None => d,
    }
}

/// The day of a front-matter date, date-time or date-time with an offset (in that offset).
pub(super) fn date_of(text: &str) -> Option<jiff::civil::Date> {
    use content::front_matter::DateValue;
    match DateValue::parse(text)? {
        DateValue::Date(d) => Some(d),
        DateValue::DateTime(dt) => Some(dt.date()),
        DateValue::Offset(ts, off) => {
            Some(ts.to_zoned_datetime(jiff::tz::TimeZone::fixed(off)).date())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::tests::doc;

    fn health(reviewed: &str, months: u32, today: jiff::civil::Date) -> Vec<String> {
        let d = doc(&format!(
            "---\ntitle: T\nextra:\n  health: true\n  reviewed: {reviewed}\n---\nText.\n"
        ));
        let mut out = Vec::new();
        check_health(&d, months, today, &mut out);
        out.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn review_is_due_the_day_after_the_months_have_passed() {
        let today = jiff::civil::date(2026, 11, 29);
        assert!(health("2025-11-29", 12, today).is_empty());
        assert_eq!(
            health("2025-11-28", 12, today),
            ["health information last reviewed on 2025-11-28, more than 12 months ago"]
        );
        assert!(health("2026-05-29", 6, today).is_empty());
        assert_eq!(health("2026-05-28", 6, today).len(), 1);
        // A date-time counts by its date; today itself is not the future.
        assert!(health("2026-11-29T08:00:00-07:00", 12, today).is_empty());
        assert_eq!(
            health("2026-11-30", 12, today),
            ["the review date 2026-11-30 is in the future (today is 2026-11-29)"]
        );
    }

    #[test]
    fn only_health_true_makes_a_health_page() {
        assert!(is_health_page(&doc("---\nextra:\n  health: true\n---\n")));
        assert!(!is_health_page(&doc("---\nextra:\n  health: false\n---\n")));
        assert!(!is_health_page(&doc(
            "---\nextra:\n  health: \"yes\"\n---\n"
        )));
        assert!(!is_health_page(&doc("---\ntitle: x\n---\n")));
    }
}
