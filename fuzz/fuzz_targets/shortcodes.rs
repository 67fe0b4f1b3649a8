//! The shortcode parser (`src/shortcodes.rs`): any text as a page body. Checks that every range
//! it returns lies inside the body on character boundaries, that the pieces cover the body in
//! order, and that an error points inside the body with words to show.
#![no_main]

use std::ops::Range;

use libfuzzer_sys::fuzz_target;
use stillpoint::shortcodes::{self, Piece};

fn in_body(body: &str, r: &Range<usize>, what: &str) {
    assert!(
        r.start <= r.end && r.end <= body.len(),
        "{what} {r:?} outside a body of {} bytes",
        body.len()
    );
    assert!(
        body.is_char_boundary(r.start) && body.is_char_boundary(r.end),
        "{what} {r:?} cuts a character"
    );
}

/// Checks `pieces` covering `within` in order; returns nothing, panics on a broken invariant.
fn check(body: &str, pieces: &[Piece], within: &Range<usize>) {
    let mut at = within.start;
    for p in pieces {
        let r = match p {
            Piece::Text(r) => r.clone(),
            Piece::Literal { range, .. } => range.clone(),
            Piece::Call(c) => {
                in_body(body, &c.range, "call");
                in_body(body, &c.name_range, "name");
                assert_eq!(&body[c.name_range.clone()], c.name);
                for a in &c.args {
                    in_body(body, &a.range, "argument");
                    let _ = a.value.to_json();
                }
                match &c.body {
                    Some(b) => {
                        in_body(body, &b.range, "body");
                        in_body(body, &b.end_range, "end tag");
                        assert!(c.range.end <= b.range.start && b.range.end <= b.end_range.start);
                        check(body, &b.pieces, &b.range);
                        c.range.start..b.end_range.end
                    }
                    None => c.range.clone(),
                }
            }
        };
        in_body(body, &r, "piece");
        assert!(r.start >= at, "piece {r:?} starts before {at}");
        at = r.end;
    }
    assert!(at <= within.end);
}

// After libFuzzer's aborting panic hook: a panic that stillpoint catches and reports (the
// markdown parser's, see `stillpoint::panics`) is tested as the error it becomes; any other
// panic still aborts.
fuzz_target!(init: stillpoint::panics::install_hook(), |data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    match shortcodes::parse(body) {
        Ok(pieces) => check(body, &pieces, &(0..body.len())),
        Err(e) => {
            in_body(body, &e.range, "error");
            assert!(!body.is_empty() || e.range.is_empty());
            assert!(!e.message.is_empty() && !e.help.is_empty());
            let _ = stillpoint::error::line_col(body, e.range.start);
        }
    }
});
