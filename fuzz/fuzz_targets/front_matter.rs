//! The front matter splitter and parser, with the lint and the diagnostics as the owner sees
//! them: any bytes as a page file (`content/fuzz.md`) or section file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stillpoint::content;
use stillpoint_fuzz::{show, source_file};

fuzz_target!(|data: &[u8]| {
    let root = std::path::Path::new("/site");
    // The first byte picks page or section; the rest is the file.
    let (relative, bytes) = match data.split_first() {
        Some((b, rest)) if b % 2 == 0 => ("blog/_index.md", rest),
        _ => ("fuzz.md", data),
    };
    match content::document_from_bytes(&source_file(root, relative), bytes) {
        Ok(doc) => {
            assert!(doc.body_start <= doc.source.len());
            assert!(doc.source.is_char_boundary(doc.body_start));
            assert!(doc.body_line >= 1);
            let _ = doc.body();
            if !doc.warnings.is_empty() {
                let _ = stillpoint::render_diagnostics(&doc.warnings, false);
            }
        }
        Err(e) => show(e),
    }
});
