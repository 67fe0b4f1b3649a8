//! Byte offsets to file positions: the one place that turns an offset in a text into a line
//! and a column ([`Span`]), and a line number into that line's text.
//!
//! Lines are counted at `\n` (a `\r\n` file counts the same), columns in characters, 1-based.
//! [`Positions`] serves many lookups in one page body; [`line_col`], [`span_at`] and
//! [`line_text`] answer one.

use std::ops::Range;

use super::Span;

/// Where each byte of a markdown text made by the shortcode step came from in the page's own
/// body: a list of `(offset in the made text, offset in the body, copied)` segments, sorted by
/// the first field. A copied segment maps byte for byte; any other (a shortcode's placeholder)
/// maps every byte to where its call starts.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    /// The segments, see the type's doc.
    pub segments: Vec<(usize, usize, bool)>,
}

impl SourceMap {
    /// The body offset of `offset` in the made text.
    pub fn to_source(&self, offset: usize) -> usize {
        let i = self.segments.partition_point(|s| s.0 <= offset);
        match i.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(made, source, true)) => source + (offset - made),
            Some(&(_, source, false)) => source,
            None => offset,
        }
    }
}

/// Byte offsets of the body to file positions. Line starts are found lazily, once, and column
/// counting resumes from the previous lookup when it is on the same line further right, so many
/// links on one very long line stay linear. Used by markdown, `check.rs` and `publish.rs`, so
/// their diagnostics point where the build's do.
pub(crate) struct Positions<'a> {
    body: &'a str,
    /// Line number in the file of the body's first line, minus one.
    line_offset: usize,
    line_starts: Option<Vec<usize>>,
    /// (byte offset, line index, 1-based col) of the previous lookup.
    last: Option<(usize, usize, usize)>,
    /// Offsets given to `span` are in a text made from `body` (see [`SourceMap`]).
    map: Option<&'a SourceMap>,
}

impl<'a> Positions<'a> {
    /// Positions in `body`, a text that starts on line `first_line` (1-based; 0 is taken as 1)
    /// of its file.
    pub(crate) fn new(body: &'a str, first_line: usize) -> Self {
        Self {
            body,
            line_offset: first_line.max(1) - 1,
            line_starts: None,
            last: None,
            map: None,
        }
    }

    /// The same, for offsets in a text made from `body` by the shortcode step.
    pub(crate) fn mapped(mut self, map: &'a SourceMap) -> Self {
        self.map = Some(map);
        self
    }

    /// The file position of the byte range `range`: its start's line and column (in
    /// characters, `\r` not counted), and its length in characters up to the end of its first
    /// line (at least 1). An offset past the end, or inside a character, is taken as the end,
    /// or as the start of its line: never a panic.
    pub(crate) fn span(&mut self, range: Range<usize>) -> Span {
        let range = match self.map {
            Some(m) => {
                let start = m.to_source(range.start);
                start..m.to_source(range.end).max(start + 1)
            }
            None => range,
        };
        let body = self.body;
        let starts = self.line_starts.get_or_insert_with(|| {
            std::iter::once(0)
                .chain(body.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let start = range.start.min(body.len());
        let line = starts.partition_point(|&s| s <= start).saturating_sub(1);
        let line_start = starts.get(line).copied().unwrap_or(0);
        let (from, mut col) = match self.last {
            Some((offset, last_line, last_col)) if last_line == line && offset <= start => {
                (offset, last_col)
            }
            _ => (line_start, 1),
        };
        col += body
            .get(from..start)
            .map_or(0, |s| s.chars().filter(|&c| c != '\r').count());
        self.last = Some((start, line, col));
        // The span stays on its first line: a diagnostic underlines one line.
        let len = body.get(start..range.end.max(start)).map_or(0, |s| {
            s.chars().take_while(|&c| c != '\n' && c != '\r').count()
        });
        Span {
            line: self.line_offset + line + 1,
            col,
            len: len.max(1),
        }
    }
}

/// 1-based line and column (in characters, not counting `\r`) of byte `offset` in `text`. An
/// offset past the end is the end; one inside a character is that character's start.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = char_floor(text, offset);
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before
        .get(line_start..)
        .map_or(0, |s| s.chars().filter(|&c| c != '\r').count())
        + 1;
    (line, col)
}

/// The position of byte `offset` in `text` (a whole file), `len` characters long but no further
/// than the end of its line, and at least 1. Unlike [`line_col`], the column counts a `\r`
/// before `offset` on its line (only a lone `\r` can be there), as `check.rs` always has.
pub(crate) fn span_at(text: &str, offset: usize, len: usize) -> Span {
    let offset = char_floor(text, offset);
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    let shown = text
        .get(offset..)
        .unwrap_or("")
        .chars()
        .take(len)
        .take_while(|&c| c != '\n' && c != '\r')
        .count();
    Span::new(line, col, shown.max(1))
}

/// The text of line `line` (1-based) of `source`, without its line ending; `None` past the last
/// line. Line 0 is taken as line 1.
pub(crate) fn line_text(source: &str, line: usize) -> Option<String> {
    source
        .split('\n')
        .nth(line.saturating_sub(1))
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
}

/// `offset`, or the end of `text` when it is past it, moved back to a character boundary.
fn char_floor(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_resume_on_a_line_and_go_back() {
        let body = "ab\r\ncdé f\n\ng";
        let mut p = Positions::new(body, 3);
        let cases = [
            (
                0..2,
                Span {
                    line: 3,
                    col: 1,
                    len: 2,
                },
            ),
            (
                8..10,
                Span {
                    line: 4,
                    col: 4,
                    len: 2,
                },
            ),
            (
                9..10,
                Span {
                    line: 4,
                    col: 5,
                    len: 1,
                },
            ),
            (
                4..5,
                Span {
                    line: 4,
                    col: 1,
                    len: 1,
                },
            ),
            (
                12..13,
                Span {
                    line: 6,
                    col: 1,
                    len: 1,
                },
            ),
            (
                11..11,
                Span {
                    line: 5,
                    col: 1,
                    len: 1,
                },
            ),
            (
                99..120,
                Span {
                    line: 6,
                    col: 2,
                    len: 1,
                },
            ),
            // Not a char boundary (inside `é`): no panic, some position on the right line.
            (
                7..9,
                Span {
                    line: 4,
                    col: 1,
                    len: 1,
                },
            ),
        ];
        for (range, want) in cases {
            assert_eq!(p.span(range.clone()), want, "range {range:?}");
        }
        assert_eq!(Positions::new("x", 0).span(0..1).line, 1);
    }

    #[test]
    fn source_map_maps_copied_bytes_one_to_one_and_placeholders_to_their_call() {
        let map = SourceMap {
            segments: vec![(0, 0, true), (5, 5, false), (9, 20, true)],
        };
        let cases = [(0, 0), (4, 4), (5, 5), (8, 5), (9, 20), (12, 23)];
        for (made, source) in cases {
            assert_eq!(map.to_source(made), source, "offset {made}");
        }
        assert_eq!(SourceMap::default().to_source(7), 7);
        // Positions through the map: a placeholder's span covers the call it stands for.
        let body = "ab {{ x() }} cd";
        let map = SourceMap {
            segments: vec![(0, 0, true), (3, 3, false), (4, 12, true)],
        };
        let mut p = Positions::new(body, 2).mapped(&map);
        assert_eq!(p.span(3..4), Span::new(2, 4, 9));
        assert_eq!(p.span(5..7), Span::new(2, 14, 2));
    }

    #[test]
    fn line_col_counts_chars_and_skips_cr() {
        assert_eq!(line_col("ab\r\ncd", 4), (2, 1));
        assert_eq!(line_col("ab\r\ncd", 2), (1, 3));
        assert_eq!(line_col("é€x", 5), (1, 3));
        assert_eq!(line_col("é", 1), (1, 1));
        assert_eq!(line_col("x", 99), (1, 2));
        assert_eq!(line_col("a\rb", 2), (1, 2));
    }

    #[test]
    fn span_at_stays_on_its_line_and_counts_a_lone_cr() {
        let t = "{# <img src=x> #}\n<img src=\"{{ get_url(path='a.png') }}\" alt=\"\">\n<IMG src=/b.png>";
        let img = t.rfind("<IMG").unwrap_or_default();
        assert_eq!(span_at(t, img, 16), Span::new(3, 1, 16));
        assert_eq!(span_at("ab\ncdé f", 3, 99), Span::new(2, 1, 5));
        assert_eq!(span_at("ab\r\ncd", 1, 9), Span::new(1, 2, 1));
        assert_eq!(span_at("a\rb", 2, 1), Span::new(1, 3, 1));
        assert_eq!(span_at("x", 99, 3), Span::new(1, 2, 1));
        // Inside `é`: its start, no panic.
        assert_eq!(span_at("é!", 1, 1), Span::new(1, 1, 1));
    }

    #[test]
    fn line_text_leaves_out_the_line_ending() {
        let source = "one\r\ntwo\n\nfour";
        let cases = [
            (0, Some("one")),
            (1, Some("one")),
            (2, Some("two")),
            (3, Some("")),
            (4, Some("four")),
            (5, None),
        ];
        for (line, want) in cases {
            assert_eq!(line_text(source, line).as_deref(), want, "line {line}");
        }
    }
}
