//! YAML 1.1's timestamp type, read by hand: serde_yaml reads YAML 1.2, which has no timestamps,
//! so a front-matter date reaches us as the text written, quoted or not.
//!
//! In: a scalar's text. Out: its [`Timestamp`] fields as written, or `None` when the text does
//! not have the shape of a timestamp. Nothing here knows the calendar: `2026-02-30`, hour 25 or
//! offset `+25` are read as written, and the caller (front_matter.rs, `DateValue`) refuses them
//! in plain words.
//!
//! The shape is the regular expression of <https://yaml.org/type/timestamp.html>:
//!
//! ```text
//! [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]                  (a date)
//! [0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?                (or a date and time:)
//!   ([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\.[0-9]*)?
//!   (([ \t]*)Z|[-+][0-9][0-9]?(:[0-9][0-9])?)?
//! ```
//!
//! with its examples' reading of the last line: spaces or tabs may come before a numeric offset
//! too (`2001-12-14 21:59:43.10 -5`, as PyYAML and Ruby's Psych read it). Two additions that
//! Jekyll and Hugo sites carry: a four-digit offset without a colon (`+0530`, ISO 8601's basic
//! form, which Ruby's `Time.parse` writes), and a lowercase `z`.

/// A timestamp's fields as written (ranges only as wide as their digits allow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timestamp {
    /// 0000 to 9999.
    pub year: i16,
    /// 0 to 99.
    pub month: i8,
    /// 0 to 99.
    pub day: i8,
    /// The time of day, for a date and time.
    pub time: Option<Time>,
}

/// The time part of a [`Timestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Time {
    /// 0 to 99.
    pub hour: i8,
    /// 0 to 99.
    pub minute: i8,
    /// 0 to 99.
    pub second: i8,
    /// The fraction of a second in nanoseconds (digits past the ninth are dropped).
    pub nanosecond: i32,
    /// The UTC offset, if one is written: `Z` is `Some(Offset { negative: false, 0, 0 })`.
    pub offset: Option<Offset>,
}

/// A written UTC offset: its sign, hours (0 to 99) and minutes (0 to 99).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Offset {
    /// West of UTC (`-05:00`).
    pub negative: bool,
    /// 0 to 99.
    pub hours: i8,
    /// 0 to 99.
    pub minutes: i8,
}

/// Reads `text` (surrounding blanks ignored) as a YAML 1.1 timestamp; `None` when it has
/// another shape.
pub(crate) fn parse(text: &str) -> Option<Timestamp> {
    let mut s = Scanner {
        rest: text.trim().as_bytes(),
    };
    let year = s.digits(4, 4)?;
    s.byte(b'-')?;
    let month = s.digits(1, 2)?;
    s.byte(b'-')?;
    let day = s.digits(1, 2)?;
    let date_only = s.rest.is_empty();
    // A date alone has two-digit month and day; one digit is only allowed before a time.
    if date_only && text.trim().len() != 10 {
        return None;
    }
    let time = if date_only { None } else { Some(time(&mut s)?) };
    s.rest.is_empty().then_some(Timestamp {
        year: i16::try_from(year).ok()?,
        month: i8::try_from(month).ok()?,
        day: i8::try_from(day).ok()?,
        time,
    })
}

/// The part after the date: `T`, `t` or blanks, then `h:mm:ss`, a fraction and an offset.
fn time(s: &mut Scanner<'_>) -> Option<Time> {
    if s.byte(b'T').or_else(|| s.byte(b't')).is_none() && s.blanks() == 0 {
        return None;
    }
    let hour = s.digits(1, 2)?;
    s.byte(b':')?;
    let minute = s.digits(2, 2)?;
    s.byte(b':')?;
    let second = s.digits(2, 2)?;
    let nanosecond = match s.byte(b'.') {
        Some(()) => s.fraction(),
        None => 0,
    };
    s.blanks();
    let offset = offset(s)?;
    Some(Time {
        hour: i8::try_from(hour).ok()?,
        minute: i8::try_from(minute).ok()?,
        second: i8::try_from(second).ok()?,
        nanosecond,
        offset,
    })
}

/// `Z`, `z`, `+h`, `-hh`, `+hh:mm`, `+hhmm`, or nothing (`Some(None)`); `None` for anything
/// else.
fn offset(s: &mut Scanner<'_>) -> Option<Option<Offset>> {
    if s.rest.is_empty() {
        return Some(None);
    }
    if s.byte(b'Z').or_else(|| s.byte(b'z')).is_some() {
        return Some(Some(Offset {
            negative: false,
            hours: 0,
            minutes: 0,
        }));
    }
    let negative = match s.rest.first() {
        Some(b'+') => false,
        Some(b'-') => true,
        _ => return None,
    };
    s.rest = s.rest.get(1..)?;
    let (hours, minutes) = match s.digit_count() {
        1 | 2 => {
            let hours = s.digits(1, 2)?;
            let minutes = match s.byte(b':') {
                Some(()) => s.digits(2, 2)?,
                None => 0,
            };
            (hours, minutes)
        }
        4 => (s.digits(2, 2)?, s.digits(2, 2)?),
        _ => return None,
    };
    Some(Some(Offset {
        negative,
        hours: i8::try_from(hours).ok()?,
        minutes: i8::try_from(minutes).ok()?,
    }))
}

/// The unread rest of the text.
struct Scanner<'a> {
    rest: &'a [u8],
}

impl Scanner<'_> {
    /// Takes `b` if it comes next.
    fn byte(&mut self, b: u8) -> Option<()> {
        let rest = self.rest.strip_prefix(&[b])?;
        self.rest = rest;
        Some(())
    }

    /// Takes spaces and tabs; how many.
    fn blanks(&mut self) -> usize {
        let n = self
            .rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        self.rest = &self.rest[n..];
        n
    }

    /// How many ASCII digits come next.
    fn digit_count(&self) -> usize {
        self.rest.iter().take_while(|b| b.is_ascii_digit()).count()
    }

    /// A number of `min` to `max` digits: `None` if fewer come, and the digits past `max`
    /// are left for the caller (which then finds what it expects missing).
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let n = self.digit_count().min(max);
        if n < min {
            return None;
        }
        let value = self.rest[..n]
            .iter()
            .fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
        self.rest = &self.rest[n..];
        Some(value)
    }

    /// The digits of a fraction of a second, as nanoseconds (no digits: 0).
    fn fraction(&mut self) -> i32 {
        let n = self.digit_count();
        let mut nanos = 0i32;
        for i in 0..9 {
            let digit = self.rest.get(i).filter(|_| i < n).map_or(0, |d| d - b'0');
            nanos = nanos * 10 + i32::from(digit);
        }
        self.rest = &self.rest[n..];
        nanos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i16, mo: i8, d: i8, time: Option<Time>) -> Option<Timestamp> {
        Some(Timestamp {
            year: y,
            month: mo,
            day: d,
            time,
        })
    }

    fn t(h: i8, mi: i8, s: i8, ns: i32, offset: Option<(bool, i8, i8)>) -> Option<Time> {
        Some(Time {
            hour: h,
            minute: mi,
            second: s,
            nanosecond: ns,
            offset: offset.map(|(negative, hours, minutes)| Offset {
                negative,
                hours,
                minutes,
            }),
        })
    }

    #[test]
    fn the_forms_of_the_yaml_timestamp_page() {
        let cases = [
            // The examples of https://yaml.org/type/timestamp.html.
            (
                "2001-12-15T02:59:43.1Z",
                ts(2001, 12, 15, t(2, 59, 43, 100_000_000, Some((false, 0, 0)))),
            ),
            (
                "2001-12-14t21:59:43.10-05:00",
                ts(2001, 12, 14, t(21, 59, 43, 100_000_000, Some((true, 5, 0)))),
            ),
            (
                "2001-12-14 21:59:43.10 -5",
                ts(2001, 12, 14, t(21, 59, 43, 100_000_000, Some((true, 5, 0)))),
            ),
            (
                "2001-12-15 2:59:43.10",
                ts(2001, 12, 15, t(2, 59, 43, 100_000_000, None)),
            ),
            ("2002-12-14", ts(2002, 12, 14, None)),
            // What the regular expression allows besides.
            ("2001-1-2T3:04:05", ts(2001, 1, 2, t(3, 4, 5, 0, None))),
            (
                "2001-12-14\t \t21:59:43 \tZ",
                ts(2001, 12, 14, t(21, 59, 43, 0, Some((false, 0, 0)))),
            ),
            (
                "2001-12-14 21:59:43.",
                ts(2001, 12, 14, t(21, 59, 43, 0, None)),
            ),
            (
                "2001-12-14 21:59:43.1234567891234",
                ts(2001, 12, 14, t(21, 59, 43, 123_456_789, None)),
            ),
            (
                "2001-12-14 21:59:43+5:30",
                ts(2001, 12, 14, t(21, 59, 43, 0, Some((false, 5, 30)))),
            ),
            (
                "2017-12-27 20:46:24 -05:00",
                ts(2017, 12, 27, t(20, 46, 24, 0, Some((true, 5, 0)))),
            ),
            // ISO 8601's basic offset, and blanks around the whole.
            (
                " 2017-12-27 20:46:24 +0530 ",
                ts(2017, 12, 27, t(20, 46, 24, 0, Some((false, 5, 30)))),
            ),
            // Read as written; the calendar is the caller's business.
            (
                "2026-02-30 25:61:99 +25",
                ts(2026, 2, 30, t(25, 61, 99, 0, Some((false, 25, 0)))),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), want, "{text:?}");
        }
    }

    #[test]
    fn other_shapes_are_not_timestamps() {
        for text in [
            "",
            "2026",
            "2026-11",
            "2026-1-5",
            "20261129",
            "26-11-29",
            "29/11/2026",
            "2026-11-29T",
            "2026-11-29 10:00",
            "2026-11-29T10:00:00-",
            "2026-11-29T10:00:00+053",
            "2026-11-29T10:00:00+05:3",
            "2026-11-29T10:00:00+05:30:00",
            "2026-11-29T10:00:00-07:00[America/Edmonton]",
            "2026-11-29T10:00:00 Z x",
            "2026-11-29x10:00:00",
            "2026-11-29T100:00:00",
            "2026-11-29T10:00:00.5 .5",
            "２０２６-11-29",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }
}
