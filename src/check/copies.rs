//! Pages and sections named like a file manager's duplicate of the page beside them.

use std::path::Path;

use crate::content;
use crate::error::Diagnostic;
use crate::site::SiteTree;

/// Warnings for pages and sections whose name is what a file manager or a download gives a
/// duplicate ([`content::copy_of`]: `prices copy.md`, `prices (1).md`, `prices - Copy.md`,
/// `Copy of prices.md`; for a page bundle or a section, its folder: `studio copy/index.md`)
/// when the original is beside it (`prices.md`, or a bundle or section named `prices`). Such a
/// copy builds, as its own page at its own address, so only `check` names it.
pub fn probable_copies(tree: &SiteTree) -> Vec<Diagnostic> {
    let split = |relative: &str| -> (String, String) {
        let (folder, file) = relative.rsplit_once('/').unwrap_or(("", relative));
        (folder.to_string(), file.to_string())
    };
    // (folder, name, shown path, URL path) of every page and section: a page's name is its file
    // name without the extension; a bundle's or section's, its folder's name.
    let mut named: Vec<(String, String, &Path, &str)> = Vec::new();
    for p in &tree.pages {
        let (folder, file) = split(&p.doc.relative);
        named.push(if p.doc.is_bundle() {
            let (parent, name) = split(&folder);
            (parent, name, p.doc.shown.as_path(), p.path.as_str())
        } else {
            let stem = content::strip_markdown_ext(&file).to_string();
            (folder, stem, p.doc.shown.as_path(), p.path.as_str())
        });
    }
    for s in &tree.sections {
        if let Some(d) = &s.doc
            && d.relative != "_index.md"
        {
            let (folder, _) = split(&d.relative);
            let (parent, name) = split(&folder);
            named.push((parent, name, d.shown.as_path(), s.path.as_str()));
        }
    }
    let mut out = Vec::new();
    for (folder, name, shown, path) in &named {
        let Some(original) = content::copy_of(name) else {
            continue;
        };
        let Some(&(_, _, original_shown, _)) = named
            .iter()
            .find(|(f, n, _, _)| f == folder && n.eq_ignore_ascii_case(original))
        else {
            continue;
        };
        out.push(
            Diagnostic::warning(format!(
                "{} looks like an accidental copy of {} (its name is the one a file manager gives a duplicate); it is published as a page of its own at {path}",
                shown.display(),
                original_shown.display()
            ))
            .in_file(shown)
            .help("delete it if it is a copy; if it is meant to be a page of its own, give it a name of its own (the page's address comes from it)"),
        );
    }
    out
}
