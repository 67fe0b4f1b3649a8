//! `markdown.math`: `$…$` and `$$…$$` as MathML, made at build time (no JavaScript, no fonts).
//!
//! In: the page's events after the walk, with pulldown-cmark's `ENABLE_MATH` on (so inline and
//! display math arrive as their own events, never inside code). Out: each replaced by a
//! `<math>` element (MathML Core, written by the `pulldown-latex` crate; `display="block"` for
//! `$$…$$`), with the LaTeX kept as an `<annotation encoding="application/x-tex">` so it can be
//! copied. LaTeX the converter cannot read is an error at the math's place in the file, with
//! its reason; the math is then written as its LaTeX source.

use std::ops::Range;

use pulldown_cmark::Event;
use pulldown_cmark_escape::escape_html;
use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage};

use crate::error::Diagnostic;

use super::Positions;

/// Whether `body` may hold math: a `$` somewhere (a cheap test before any walk over events).
pub(super) fn may_have_math(body: &str) -> bool {
    memchr::memchr(b'$', body.as_bytes()).is_some()
}

/// Replaces every math event of `events` with MathML; returns an error for each that is not
/// valid LaTeX (labelled "invalid math", at the opening `$`).
pub(super) fn math_events(
    events: &mut [(Event<'_>, Range<usize>)],
    positions: &mut Positions<'_>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (event, range) in events.iter_mut() {
        let (latex, display) = match event {
            Event::InlineMath(latex) => (latex, false),
            Event::DisplayMath(latex) => (latex, true),
            _ => continue,
        };
        let html = match to_mathml(latex, display) {
            Ok(html) => html,
            Err(reason) => {
                problems.push(invalid_math(&reason, positions.span(range.clone())));
                let mut plain = String::with_capacity(latex.len() + 4);
                let fence = if display { "$$" } else { "$" };
                plain.push_str(fence);
                // Writing into a String cannot fail.
                let _ = escape_html(&mut plain, latex);
                plain.push_str(fence);
                plain
            }
        };
        *event = Event::InlineHtml(html.into());
    }
    problems
}

/// LaTeX math to a `<math>` element; `display` for a block (`$$…$$`). Errors: the converter's
/// reason in its words, without its context lines (`unbalanced group found, expected it to be
/// closed with `}``); a panic of the converter is caught and said to be one ([`crate::panics`]).
pub(crate) fn to_mathml(latex: &str, display: bool) -> Result<String, String> {
    crate::panics::catch(|| convert(latex, display)).unwrap_or_else(|reason| {
        Err(format!(
            "the math converter (pulldown-latex) stopped on it, with this message: {reason}"
        ))
    })
}

/// [`to_mathml`] without the guard against a panic of the converter.
fn convert(latex: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let events: Result<Vec<_>, _> = Parser::new(latex, &storage).collect();
    let events = events.map_err(|e| reason(&e.to_string()))?;
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(latex),
        ..RenderConfig::default()
    };
    let mut out = String::with_capacity(latex.len() * 8);
    pulldown_latex::push_mathml(
        &mut out,
        events.into_iter().map(Ok::<_, std::convert::Infallible>),
        config,
    )
    .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The first line of pulldown-latex's message, without its "parsing error: " prefix and with
/// its words made plainer where they are jargon ("primitive") or misspelt ("unkown").
fn reason(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    let first = first
        .strip_prefix("parsing error: ")
        .unwrap_or(first)
        .trim();
    first.replace("unkown", "unknown").replace(
        "unknown primitive command found",
        "a command that LaTeX math does not have (check its spelling)",
    )
}

/// The error for math that is not valid LaTeX.
fn invalid_math(reason: &str, span: crate::error::Span) -> Diagnostic {
    Diagnostic::error(format!("this math is not valid LaTeX: {reason}"))
        .at_line(span, None)
        .label("invalid math")
        .help("fix the LaTeX between the `$` signs; to write a plain dollar sign with `math: true`, write `\\$`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_integral_becomes_mathml() {
        let html = to_mathml(r"\int_0^1 x\,dx", false).unwrap_or_default();
        assert!(html.starts_with("<math"), "{html}");
        assert!(html.contains("∫"), "{html}");
        assert!(
            html.contains("<annotation encoding=\"application/x-tex\">"),
            "{html}"
        );
        assert!(!html.contains("x,dx"), "{html}");
    }

    #[test]
    fn reasons_are_in_plain_words() {
        assert_eq!(
            to_mathml(r"\foo{x}", false),
            Err("a command that LaTeX math does not have (check its spelling)".to_string())
        );
        let env = to_mathml(r"\begin{nope} x \end{nope}", false)
            .err()
            .unwrap_or_default();
        assert!(env.starts_with("unknown mathematical environment"), "{env}");
    }

    #[test]
    fn display_math_is_a_block() {
        let html = to_mathml("E = mc^2", true).unwrap_or_default();
        assert!(html.contains("display=\"block\""), "{html}");
    }

    #[test]
    fn invalid_latex_gives_the_reason_in_one_line() {
        let err = to_mathml(r"\frac{1}{", false).err().unwrap_or_default();
        assert!(
            !err.is_empty() && !err.contains('\n') && !err.starts_with("parsing"),
            "{err}"
        );
    }

    #[test]
    fn a_dollar_is_a_cheap_test() {
        assert!(may_have_math("costs $5"));
        assert!(!may_have_math("costs five"));
    }
}
