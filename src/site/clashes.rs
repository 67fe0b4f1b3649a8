//! Part of stage 4: output paths that a host would take for one name (issue 17). Windows
//! (NTFS) and macOS (APFS, HFS+) ignore upper and lower case in file names, and macOS also
//! ignores how an accented letter is typed (`é` as one character, or `e` plus a combining
//! accent): `Logo.png` and `logo.png`, or `café` typed both ways, are two files on Linux and one
//! file there, so uploading a site built on Linux silently loses one of them.
//!
//! [`clashes`] takes every output path with what writes it, and compares each path and every
//! folder on the way to it under [`fold`], in one pass with a hash map keyed by the folded
//! path. It only finds the clashes; [`super::outputs::copies`] turns them into errors naming
//! both sources. Two outputs spelled exactly alike are not its business: the exact checks
//! (`collisions`, `copies`) report those.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use icu_normalizer::{ComposingNormalizerBorrowed, DecomposingNormalizerBorrowed};
use unicase::UniCase;

use super::outputs::Writer;
use super::urls::entry_span;
use super::{AssetCopy, SiteTree};
use crate::error::{Diagnostic, Span};
use crate::templates::FastMap;

/// The form in which two names are one name on a host that ignores case and Unicode
/// normalization: canonical decomposition (NFD), full Unicode case folding (CaseFolding.txt,
/// mappings C and F: `Σ` and `ς` -> `σ`, `ß` -> `ss`), then canonical composition (NFC). This is
/// Unicode's canonical caseless match (The Unicode Standard, ch. 3, D145), with NFC in place
/// of the final NFD so that the folded form of an NFC name reads as it is written.
///
/// Borrowed when `name` is ASCII without capitals (nearly every output path).
pub(crate) fn fold(name: &str) -> Cow<'_, str> {
    if name.is_ascii() {
        // std's own loops, which run optimized in a debug build too (a byte loop here would not).
        let lower = name.to_ascii_lowercase();
        return if lower == name {
            Cow::Borrowed(name)
        } else {
            Cow::Owned(lower)
        };
    }
    let decomposed = DecomposingNormalizerBorrowed::new_nfd().normalize(name);
    let folded = UniCase::unicode(decomposed.as_ref()).to_folded_case();
    let composed = ComposingNormalizerBorrowed::new_nfc().normalize(&folded);
    Cow::Owned(composed.into_owned())
}

/// How two names that [`fold`] to one name differ, for the error's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Differs {
    /// Only in upper and lower case (`Logo.png`, `logo.png`).
    Case,
    /// Only in how an accented letter is typed (`é` as one character or as two).
    Accents,
    /// In both.
    CaseAndAccents,
    /// Not at all: the same name is a file for one output and a folder for the other.
    Nothing,
}

/// How `a` and `b`, which fold to one name, differ.
pub(crate) fn differs(a: &str, b: &str) -> Differs {
    if a == b {
        return Differs::Nothing;
    }
    let nfc = ComposingNormalizerBorrowed::new_nfc();
    if nfc.normalize(a) == nfc.normalize(b) {
        Differs::Accents
    } else if UniCase::new(a) == UniCase::new(b) {
        Differs::Case
    } else {
        Differs::CaseAndAccents
    }
}

/// One place in the output tree, as an output reaches it: the file itself, or a folder on the
/// way to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spot<'a, S> {
    /// The path up to this place, as the output spells it: `About` (a folder), `About/x.png`.
    pub(crate) spelled: &'a str,
    /// True for a folder on the way to the output, false for the output file itself.
    pub(crate) folder: bool,
    /// What writes the output.
    pub(crate) by: S,
}

/// Two outputs that reach one place of a case-insensitive host under different names (or
/// one as a file and the other as a folder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Clash<'a, S> {
    /// The place as the first output (in the order given) reached it.
    pub(crate) first: Spot<'a, S>,
    /// The place as a later output reached it.
    pub(crate) second: Spot<'a, S>,
}

/// The clashes among `outputs` (paths relative to the output folder, with `/`; a path ending
/// in `/` names a folder the build reserves), at most one per output, in the order given.
/// An output clashes where its folded path (see [`fold`]), or the folded path of a folder on
/// the way to it, was reached before spelled otherwise, or as a file where this output needs
/// a folder (or the reverse). A clash of the file itself is reported before one of its
/// folders (one file would overwrite the other); a pair of folders is reported once, however
/// many files each side puts in it. Two outputs spelled exactly alike are left to the exact
/// checks.
///
/// One pass: each path is folded once, and each of its folders is looked up by a slice of the
/// folded path; only places not seen before allocate.
pub(crate) fn clashes<'a, S: Copy>(
    outputs: impl IntoIterator<Item = (&'a str, S)>,
) -> Vec<Clash<'a, S>> {
    let outputs = outputs.into_iter();
    let mut seen: FastMap<Cow<'a, str>, Spot<'a, S>> =
        FastMap::with_capacity_and_hasher(outputs.size_hint().0 * 2, Default::default());
    let mut reported_folders: HashSet<(String, &'a str)> = HashSet::new();
    let mut found = Vec::new();
    for (path, by) in outputs {
        let folded = fold(path);
        let (mut file_clash, mut folder_clash) = (None, None);
        for (f_end, p_end, folder) in levels(path, &folded) {
            let key = &folded[..f_end];
            let here = Spot {
                spelled: &path[..p_end],
                folder,
                by,
            };
            let Some(first) = seen.get(key) else {
                // A path that folds to itself is its own key: no copy.
                let key = match &folded {
                    Cow::Borrowed(_) => Cow::Borrowed(&path[..p_end]),
                    Cow::Owned(_) => Cow::Owned(key.to_string()),
                };
                seen.insert(key, here);
                continue;
            };
            // One folder shared, or one file twice (an exact collision, reported elsewhere).
            if first.spelled == here.spelled && first.folder == here.folder {
                continue;
            }
            let clash = Clash {
                first: *first,
                second: here,
            };
            if !folder {
                file_clash = Some(clash);
            } else if reported_folders.insert((key.to_string(), here.spelled)) {
                folder_clash = folder_clash.or(Some(clash));
            }
        }
        found.extend(file_clash.or(folder_clash));
    }
    found
}

/// The places on the way to `path`, each as (end in `folded`, end in `path`, is a folder):
/// each folder, then the file (none when `path` ends in `/`). [`fold`] neither adds nor
/// removes a `/` (no character decomposes to, composes with or folds to one), so the n-th `/`
/// of both strings ends the same folder.
fn levels<'p>(path: &'p str, folded: &'p str) -> impl Iterator<Item = (usize, usize, bool)> + 'p {
    // memchr, not `match_indices`: it runs optimized in a debug build too.
    let slashes = |s: &'p str| memchr::memchr_iter(b'/', s.as_bytes());
    let folders = slashes(folded)
        .zip(slashes(path))
        .filter(|&(_, p)| p > 0)
        .map(|(f, p)| (f, p, true));
    let file = (!path.ends_with('/')).then_some((folded.len(), path.len(), false));
    folders.chain(file)
}

/// What writes an output, for [`errors`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The folder of processed images, which the build fills as pages ask for them.
    Processed,
    /// A generated file.
    Generated(Writer),
    /// A copied file, by index into the copies.
    Copied(usize),
}

/// The errors for every [`Clash`] among the build's outputs: the `processed_images/` folder
/// first (the build's own name wins), then the generated files (`outputs`, as
/// [`SiteTree::outputs`] lists them), then the `copies`. Each names both sources (with the line
/// of a front-matter `path:` or `aliases:` entry) and is placed at the second; `root` is the
/// site folder, which copied files are named relative to.
pub(super) fn errors(
    tree: &SiteTree,
    outputs: &[(&str, Writer)],
    copies: &[AssetCopy],
    root: &Path,
) -> Vec<Diagnostic> {
    let processed = format!("{}/", crate::images::OUTPUT_DIR);
    let all = std::iter::once((processed.as_str(), Source::Processed))
        .chain(outputs.iter().map(|&(o, w)| (o, Source::Generated(w))))
        .chain(
            copies
                .iter()
                .enumerate()
                .map(|(i, c)| (c.to.as_str(), Source::Copied(i))),
        );
    let named = |s: Source| named(tree, copies, root, s);
    let mut errors: Vec<Diagnostic> = long_names(all.clone())
        .into_iter()
        .map(|long| long_name_error(&long, named(long.by), name_origin(tree, long.by)))
        .collect();
    errors.extend(
        clashes(all)
            .into_iter()
            .map(|c| clash_error(&c, named(c.first.by), named(c.second.by))),
    );
    errors
}

/// The longest file or folder name, in bytes, that the common file systems take: ext4, Btrfs,
/// XFS and ZFS count 255 bytes of UTF-8; NTFS 255 UTF-16 units and APFS 255 characters, which
/// a name of 255 bytes never exceeds. A longer name fails on the disk ("File name too long",
/// os error 36) or on the host.
pub(crate) const NAME_MAX: usize = 255;

/// An output with a file or folder name longer than [`NAME_MAX`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LongName<'a, S> {
    /// The output path up to and including the long name: `blog/aaaa…`.
    pub(crate) spelled: &'a str,
    /// The long name itself (the last part of `spelled`).
    pub(crate) name: &'a str,
    /// True when the long name is a folder on the way to the output, false for the file.
    pub(crate) folder: bool,
    /// What writes the output.
    pub(crate) by: S,
}

/// The outputs among `outputs` (paths relative to the output folder, with `/`) with a file or
/// folder name longer than [`NAME_MAX`] bytes, in the order given; each long place once (a
/// section with a long `path:` writes its page, its listing pages and its feed under it: one
/// report), and at most one per output (its first long name). One scan of each path's bytes;
/// nothing is allocated unless a name is too long.
pub(crate) fn long_names<'a, S: Copy>(
    outputs: impl IntoIterator<Item = (&'a str, S)>,
) -> Vec<LongName<'a, S>> {
    let mut reported: HashSet<&'a str> = HashSet::new();
    let mut found = Vec::new();
    for (path, by) in outputs {
        let mut start = 0;
        let ends = memchr::memchr_iter(b'/', path.as_bytes()).chain(std::iter::once(path.len()));
        for end in ends {
            if end - start > NAME_MAX {
                let spelled = &path[..end];
                if reported.insert(spelled) {
                    found.push(LongName {
                        spelled,
                        name: &path[start..end],
                        folder: end < path.len(),
                        by,
                    });
                }
                break;
            }
            start = end + 1;
        }
    }
    found
}

/// Where the long name of a generated output is written in a content file, as (span, the
/// document's text, the front-matter field): the `path:` or `aliases:` entry (as for
/// clashes), else a page's `slug:`, else the first page's entry of a taxonomy term (with that
/// page's file, which the error is then placed in). `None` when the name comes from a file or
/// folder name.
fn name_origin(tree: &SiteTree, source: Source) -> Option<Origin<'_>> {
    let Source::Generated(w) = source else {
        return None;
    };
    if let Some((span, text, field)) = front_matter_origin(tree, w) {
        return Some((None, span, text, field));
    }
    match w {
        Writer::Page(i) => {
            let doc = &tree.pages[i].doc;
            doc.front.slug.as_ref()?;
            let span = crate::yaml::key_value_span(&doc.source, "slug")?;
            Some((None, span, &doc.source, "slug"))
        }
        Writer::Term(t, k, _) | Writer::TermFeed(t, k) => {
            let tax = &tree.taxonomies[t];
            let term = &tax.terms[k];
            let doc = &tree.pages[*term.pages.first()?].doc;
            let span = entry_span(&doc.source, &tax.config.name, &term.name)?;
            Some((Some(doc.shown.clone()), span, &doc.source, "taxonomy"))
        }
        _ => None,
    }
}

/// Where a long name is written: the content file when it is not the source's own file, the
/// place, the document's text and the front-matter field (see [`name_origin`]).
type Origin<'t> = (Option<PathBuf>, Span, &'t str, &'static str);

/// `name` cut to its first 40 characters, with `…` when cut.
fn shortened(name: &str) -> String {
    match name.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    }
}

/// The error for one output name too long for a file system: what writes it, the name
/// (shortened) and its length, placed at the front-matter line that makes the name when there
/// is one (`origin`, from [`name_origin`]), with what to shorten.
fn long_name_error(
    long: &LongName<'_, Source>,
    by: Named<'_>,
    origin: Option<Origin<'_>>,
) -> Diagnostic {
    let kind = if long.folder { "folder" } else { "file" };
    let d = Diagnostic::error(format!(
        "{} would be written to a {kind} named {:?}, which is {} bytes long: file systems take at most {NAME_MAX} (ext4, NTFS, APFS), so the build would fail and the site could not be uploaded",
        by.text,
        shortened(long.name),
        long.name.len()
    ))
    .note(format!("the address starts /{}", shortened(long.spelled)));
    let help = match origin.as_ref().map(|o| o.3) {
        Some("slug") => {
            "shorten the `slug:` (a few words say it best: a short slug is also a better web address)"
        }
        Some("path") => "shorten the part of `path:` that is too long",
        Some("aliases") => "shorten the alias",
        Some(_) => "shorten the term (a tag or category), or name it with fewer words",
        None if by.file.as_ref().is_some_and(|f| f.starts_with("content")) => {
            "rename the file or folder to a shorter name, or set a shorter `slug:` in its front matter"
        }
        None => "rename the file or folder to a shorter name",
    };
    let mut d = d.help(help);
    let file = origin.as_ref().and_then(|o| o.0.clone()).or(by.file);
    if let Some(file) = file {
        d = d.in_file(file);
    }
    match origin {
        Some((_, span, source, "taxonomy")) => d.at(span, source).label("this term"),
        Some((_, span, source, field)) => d.at(span, source).label(format!("this `{field}:`")),
        None => d,
    }
}

/// A source as an error names it: `static/Logo.png`, `content/b.md` with the line of its
/// `path:`.
struct Named<'t> {
    /// As the message names it.
    text: String,
    /// The file, if the source is one.
    file: Option<PathBuf>,
    /// Where in the file, and the file's text, for a front-matter `path:` or `aliases:`.
    at: Option<(Span, &'t str)>,
}

/// How a message names `source`.
fn named<'t>(tree: &'t SiteTree, copies: &[AssetCopy], root: &Path, source: Source) -> Named<'t> {
    match source {
        Source::Processed => Named {
            text: "the folder where the build writes processed images".into(),
            file: None,
            at: None,
        },
        Source::Copied(i) => {
            let from = &copies[i].from;
            let shown = from.strip_prefix(root).unwrap_or(from).to_path_buf();
            Named {
                text: shown.display().to_string(),
                file: Some(shown),
                at: None,
            }
        }
        Source::Generated(w) => {
            let (file, _) = tree.claim(w);
            let mut text = tree.claim_text(w);
            let at = front_matter_origin(tree, w);
            if let Some((span, _, field)) = at {
                text = format!("{text}, `{field}:` on line {}", span.line);
            }
            let file = (!matches!(w, Writer::Builtin(_))).then_some(file);
            Named {
                text,
                file,
                at: at.map(|(span, source, _)| (span, source)),
            }
        }
    }
}

/// Where a generated output's address is written in front matter: the `path:` of a page or
/// section, or the `aliases:` entry of an alias; as (span, the document's text, field).
fn front_matter_origin(tree: &SiteTree, w: Writer) -> Option<(Span, &str, &'static str)> {
    let with_path = |doc: &'_ crate::content::Document| doc.front.path.is_some();
    let doc = match w {
        Writer::Page(i) => Some(&tree.pages[i].doc).filter(|d| with_path(d)),
        Writer::Section(i) => tree.sections[i].doc.as_ref().filter(|d| with_path(d)),
        Writer::Alias(i) if !tree.aliases[i].listing => {
            let alias = &tree.aliases[i];
            let doc = tree
                .pages
                .iter()
                .map(|p| &p.doc)
                .chain(tree.sections.iter().filter_map(|s| s.doc.as_ref()))
                .find(|d| d.shown == alias.from)?;
            let written = doc
                .front
                .aliases
                .iter()
                .find(|a| super::outputs::alias_output(a) == alias.output)?;
            let span = entry_span(&doc.source, "aliases", written)?;
            return Some((span, &doc.source, "aliases"));
        }
        _ => None,
    }?;
    let span = crate::yaml::key_value_span(&doc.source, "path")?;
    Some((span, &doc.source, "path"))
}

/// The web address of a place: `/About/`, `/logo.png`, `/faq/` for `faq/index.html`.
fn address(spot: &Spot<'_, Source>) -> String {
    if spot.folder {
        format!("/{}/", spot.spelled)
    } else {
        format!("/{}", spot.spelled.trim_end_matches("index.html"))
    }
}

/// The error for one clash, at its second source, naming both.
fn clash_error(clash: &Clash<'_, Source>, first: Named<'_>, second: Named<'_>) -> Diagnostic {
    let (a, b) = (address(&clash.first), address(&clash.second));
    let how = match differs(clash.first.spelled, clash.second.spelled) {
        Differs::Case => "upper and lower case",
        Differs::Accents => {
            "how an accented letter is typed (as one character, or as a letter and an accent mark)"
        }
        Differs::CaseAndAccents => "upper and lower case and in how an accented letter is typed",
        Differs::Nothing => {
            let (file, folder) = if clash.first.folder {
                (&second, &first)
            } else {
                (&first, &second)
            };
            let d = Diagnostic::error(format!(
                "{} is a file for {} and a folder for {}: no host can have both",
                a.trim_end_matches('/'),
                file.text,
                folder.text
            ))
            .help("rename one of them, or give the page a different `slug:` or `path:`");
            return placed(d, first, second);
        }
    };
    let theme_file = first.text.starts_with("themes/") && second.text.starts_with("static/");
    let help = if theme_file && !clash.first.folder {
        format!(
            "to use your file in place of the theme's, name it exactly as the theme does: static/{}",
            clash.first.spelled
        )
    } else {
        "rename one of them so that the names differ in more than that, or write both the same way if they are meant to be one (a page's address comes from its file name, `slug:` or `path:`)".to_string()
    };
    let (one, what_then) = if clash.first.folder || clash.second.folder {
        (
            "folder",
            "the files of both would go into one folder, and links to one of the two spellings stop working",
        )
    } else {
        ("file", "one would overwrite the other")
    };
    let d = Diagnostic::error(format!(
        "{a} and {b} differ only in {how}: {} and {}",
        first.text, second.text
    ))
    .note(format!(
        "on Windows and macOS hosts these two are one {one}: {what_then} when the site is uploaded"
    ))
    .help(help);
    placed(d, first, second)
}

/// `d` placed at the second source (at its front-matter line, if any), with the first
/// source's front-matter line shown beside it.
fn placed(mut d: Diagnostic, first: Named<'_>, second: Named<'_>) -> Diagnostic {
    if let Some(file) = second.file.or_else(|| first.file.clone()) {
        d = d.in_file(file);
    }
    if let Some((span, source)) = second.at {
        d = d.at(span, source).label("this address");
    }
    if let (Some(file), Some((span, source))) = (first.file, first.at) {
        d = d.related(file, span, source, "the other address");
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_ignores_case_and_how_accents_are_typed() {
        for (a, b) in [
            ("Logo.png", "logo.png"),
            ("caf\u{e9}.png", "cafe\u{301}.png"),
            ("CAFE\u{301}.png", "caf\u{e9}.png"),
            (
                "\u{3a3}\u{39f}\u{3a6}\u{399}\u{391}",
                "\u{3c3}\u{3bf}\u{3c6}\u{3b9}\u{3b1}",
            ),
            // Final sigma folds to sigma; lower-casing would keep them apart.
            ("\u{3c3}", "\u{3c2}"),
            // Full folding: sharp s is `ss`, and the Kelvin sign is `k`.
            ("stra\u{df}e", "STRASSE"),
            ("\u{212a}elvin", "kelvin"),
            ("\u{c5}ngstr\u{f6}m/", "a\u{30a}ngstro\u{308}m/"),
        ] {
            assert_eq!(fold(a), fold(b), "{a:?} and {b:?}");
        }
        for (a, b) in [("cafe.png", "caf\u{e9}.png"), ("logo.png", "logo.jpg")] {
            assert_ne!(fold(a), fold(b), "{a:?} and {b:?}");
        }
        assert!(matches!(fold("blog/post/index.html"), Cow::Borrowed(_)));
        assert_eq!(fold("Blog/Post/"), "blog/post/");
    }

    #[test]
    fn differs_says_how() {
        assert_eq!(differs("Logo.png", "logo.png"), Differs::Case);
        assert_eq!(differs("caf\u{e9}", "cafe\u{301}"), Differs::Accents);
        assert_eq!(differs("CAF\u{c9}", "cafe\u{301}"), Differs::CaseAndAccents);
        assert_eq!(differs("blog", "blog"), Differs::Nothing);
    }

    /// The clashes of `outputs` (each numbered by its place in the list) as
    /// `first spelled (n, folder?) ~ second spelled (n, folder?)`.
    fn shown(outputs: &[&str]) -> Vec<String> {
        let spot = |s: Spot<'_, usize>| {
            let kind = if s.folder { "folder" } else { "file" };
            format!("{} ({} {kind})", s.spelled, s.by)
        };
        clashes(outputs.iter().enumerate().map(|(i, o)| (*o, i)))
            .into_iter()
            .map(|c| format!("{} ~ {}", spot(c.first), spot(c.second)))
            .collect()
    }

    #[test]
    fn clashes_find_files_and_folders_once_each() {
        assert_eq!(
            shown(&[
                "processed_images/",
                "index.html",
                "about/index.html",
                "faq/index.html",
                "logo.png",
                "Logo.png",
                "About/a.png",
                "About/b.png",
                "About/B.png",
                "Processed_Images/x.jpg",
                "faq/index.html",
                "logo.png/x",
            ]),
            [
                "logo.png (4 file) ~ Logo.png (5 file)",
                "about (2 folder) ~ About (6 folder)",
                "About/b.png (7 file) ~ About/B.png (8 file)",
                "processed_images (0 folder) ~ Processed_Images (9 folder)",
                "logo.png (4 file) ~ logo.png (11 folder)",
            ]
        );
    }

    #[test]
    fn clashes_compare_names_typed_two_ways() {
        assert_eq!(
            shown(&[
                "caf\u{e9}/index.html",
                "cafe\u{301}/menu.pdf",
                "x/caf\u{e9}.png"
            ]),
            ["caf\u{e9} (0 folder) ~ cafe\u{301} (1 folder)"]
        );
        assert!(shown(&["a/b.png", "a/c.png", "b/a.png", "a.png"]).is_empty());
    }

    #[test]
    fn long_names_are_found_once_per_place_at_more_than_255_bytes() {
        let (ok, long) = ("a".repeat(255), "b".repeat(256));
        // `é` is two bytes: 128 of them are 256 bytes in 128 characters.
        let accented = "\u{e9}".repeat(128);
        let outputs = [
            format!("{ok}/index.html"),
            format!("{long}/index.html"),
            format!("{long}/page/2/index.html"),
            format!("x/{long}"),
            format!("x/{accented}/index.html"),
            format!("{long}/{long}/index.html"),
        ];
        let found: Vec<(usize, bool, usize)> =
            long_names(outputs.iter().enumerate().map(|(i, o)| (o.as_str(), i)))
                .into_iter()
                .map(|l| (l.by, l.folder, l.name.len()))
                .collect();
        // The second listing page and the nested long folder share the first long place.
        assert_eq!(found, [(1, true, 256), (3, false, 256), (4, true, 256)]);
    }

    #[test]
    fn shortened_keeps_forty_characters() {
        assert_eq!(shortened("short"), "short");
        let cut = shortened(&"\u{e9}".repeat(50));
        assert_eq!(cut.chars().count(), 41);
        assert!(cut.ends_with('…'));
    }
}
