//! Helpers shared by the fuzz targets: fixed sites built once, and the checks every target
//! makes on its outputs.

use std::path::{Path, PathBuf};

use stillpoint::content::{self, Document, SourceFile, SourceKind};

/// The project root (the folder above `fuzz/`): the studio site.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// A source file record for `content/<relative>` under `root` (nothing is read from it).
pub fn source_file(root: &Path, relative: &str) -> SourceFile {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    SourceFile {
        path: root.join("content").join(relative),
        relative: relative.to_string(),
        kind: if name == "_index.md" {
            SourceKind::Section
        } else {
            SourceKind::Page
        },
    }
}

/// Parses fixed text as the document `relative`; panics if it does not parse (a bug in the
/// fixture, not in stillpoint).
pub fn fixed_document(root: &Path, relative: &str, text: &str) -> Document {
    match content::document_from_bytes(&source_file(root, relative), text.as_bytes()) {
        Ok(d) => d,
        Err(e) => panic!("fixture {relative} does not parse: {e:?}"),
    }
}

/// Renders diagnostics the way the binary shows them (this exercises the snippet code, which
/// slices the source at the diagnostic's span) and checks that each one names a file.
pub fn show(err: stillpoint::Error) {
    let diags = err.into_diagnostics();
    let text = stillpoint::render_diagnostics(&diags, false);
    assert!(!text.is_empty());
}
