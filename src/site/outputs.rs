//! Part of stage 4: the one list of the files a build writes. [`SiteTree::outputs`] names
//! every generated file with what writes it (the built-in files, sections, pages, aliases,
//! later listing pages, feeds); `collisions` checks that each has one source, and
//! [`copies`] merges the copied files (`static/`, then `content/`) with it, for render's
//! static-versus-generated check and the link checks.
//!
//! Also here: the aliases step, which decides the output file of each `aliases:` entry.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::urls::{normalize_path, output_for_path, outside_path_error};
use super::{Alias, AssetCopy, Page, Section, SiteTree};
use crate::config::Config;
use crate::error::Diagnostic;

/// The built-in sitemap, written at the top of the output folder.
pub const SITEMAP: &str = "sitemap.xml";
/// The built-in `robots.txt`.
pub const ROBOTS: &str = "robots.txt";
/// The built-in not-found page.
pub const NOT_FOUND: &str = "404.html";
/// Output files that the build writes itself; a page may not take them.
pub const BUILTIN_OUTPUTS: [&str; 3] = [SITEMAP, ROBOTS, NOT_FOUND];

/// What writes an output file (indexes are into the [`SiteTree`]'s lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// One of [`BUILTIN_OUTPUTS`].
    Builtin(&'static str),
    /// A section's page (its first listing page when paginated).
    Section(usize),
    /// A page.
    Page(usize),
    /// An alias page, by index into [`SiteTree::aliases`].
    Alias(usize),
    /// A section's listing page after the first: (section, index into its `pagers`).
    Pager(usize, usize),
    /// A section's feed.
    Feed(usize),
    /// A taxonomy's list of terms, by index into [`SiteTree::taxonomies`].
    Taxonomy(usize),
    /// A term's page: (taxonomy, term); with `Some(k)`, its listing page `k` (at least 1).
    Term(usize, usize, Option<usize>),
    /// A term's feed: (taxonomy, term).
    TermFeed(usize, usize),
}

/// The aliases of every page, then every section (front matter `aliases:`), each redirecting
/// to its document's permalink; an alias that leaves the site is left out with an error in
/// `errors`. A name with a dot (`old.html`) is an output file; anything else a folder.
pub(super) fn aliases(
    pages: &[Page],
    sections: &[Section],
    errors: &mut Vec<Diagnostic>,
) -> Vec<Alias> {
    let mut aliases = Vec::new();
    let all_docs = pages.iter().map(|p| (&p.doc, &p.permalink)).chain(
        sections
            .iter()
            .filter_map(|s| s.doc.as_ref().map(|d| (d, &s.permalink))),
    );
    for (doc, permalink) in all_docs {
        for a in &doc.front.aliases {
            if let Some(e) = outside_path_error(doc, "aliases", a) {
                errors.push(e);
                continue;
            }
            aliases.push(Alias {
                output: alias_output(a),
                target: permalink.clone(),
                from: doc.shown.clone(),
                listing: false,
            });
        }
    }
    aliases
}

/// The output file of an `aliases:` entry: `old.html` -> `old.html`, `old/` -> `old/index.html`.
pub(super) fn alias_output(a: &str) -> String {
    if a.trim_matches('/').contains('.') && !a.ends_with('/') {
        a.trim_matches('/').to_string()
    } else {
        output_for_path(&normalize_path(a))
    }
}

impl SiteTree {
    /// Every file the build generates (not the copied ones), with what writes it, in the order
    /// sources claim them: the built-in files, sections, pages, front-matter aliases, each
    /// section's later listing pages and feed, then the redirects from `page/1/`.
    pub fn outputs(&self) -> Vec<(&str, Writer)> {
        let builtin = BUILTIN_OUTPUTS.iter().map(|&r| (r, Writer::Builtin(r)));
        let sections = self.sections.iter().enumerate();
        let pages = self.pages.iter().enumerate();
        let aliases = |listing: bool| {
            let all = self.aliases.iter().enumerate();
            all.filter(move |(_, a)| a.listing == listing)
                .map(|(i, a)| (a.output.as_str(), Writer::Alias(i)))
        };
        let listings = self.sections.iter().enumerate().flat_map(|(si, s)| {
            let pagers = s.pagers.iter().enumerate().skip(1);
            let pagers = pagers.map(move |(k, p)| (p.output.as_str(), Writer::Pager(si, k)));
            pagers.chain(
                s.feed
                    .iter()
                    .map(move |f| (f.output.as_str(), Writer::Feed(si))),
            )
        });
        builtin
            .chain(sections.map(|(i, s)| (s.output.as_str(), Writer::Section(i))))
            .chain(pages.map(|(i, p)| (p.output.as_str(), Writer::Page(i))))
            .chain(aliases(false))
            .chain(listings)
            .chain(self.taxonomy_outputs())
            .chain(aliases(true))
            .collect()
    }

    /// The files of the taxonomies: each list of terms, then each term's page, later listing
    /// pages and feed.
    fn taxonomy_outputs(&self) -> impl Iterator<Item = (&str, Writer)> {
        self.taxonomies.iter().enumerate().flat_map(|(t, tax)| {
            let terms = tax.terms.iter().enumerate().flat_map(move |(k, term)| {
                let own = std::iter::once((term.output.as_str(), Writer::Term(t, k, None)));
                let pagers = term.pagers.iter().enumerate().skip(1);
                let pagers =
                    pagers.map(move |(p, pg)| (pg.output.as_str(), Writer::Term(t, k, Some(p))));
                let feed = term
                    .feed
                    .iter()
                    .map(move |f| (f.output.as_str(), Writer::TermFeed(t, k)));
                own.chain(pagers).chain(feed)
            });
            std::iter::once((tax.output.as_str(), Writer::Taxonomy(t))).chain(terms)
        })
    }

    /// How a collision error names a taxonomy's file: `the tags list`, `the tags term
    /// "relaxation"`, with ` (listing page 2)` or ` (its feed)`.
    fn taxonomy_text(&self, w: Writer) -> Option<String> {
        let term = |t: usize, k: usize| {
            format!(
                "the {} term \"{}\"",
                self.taxonomies[t].config.name, self.taxonomies[t].terms[k].name
            )
        };
        Some(match w {
            Writer::Taxonomy(t) => {
                format!("the {} list (config.yaml)", self.taxonomies[t].config.name)
            }
            Writer::Term(t, k, None) => term(t, k),
            Writer::Term(t, k, Some(p)) => format!(
                "{} (listing page {})",
                term(t, k),
                self.taxonomies[t].terms[k].pagers[p].index
            ),
            Writer::TermFeed(t, k) => format!("{} (its feed)", term(t, k)),
            _ => return None,
        })
    }

    /// The file shown as the source of a section: its `_index.md`, or "the home page".
    fn section_shown(&self, i: usize) -> PathBuf {
        self.sections[i]
            .doc
            .as_ref()
            .map_or_else(|| PathBuf::from("the home page"), |d| d.shown.clone())
    }

    /// The source file of an output, and what it is besides the file's own page, as the
    /// collision error names it: (`blog/_index.md`, ` (its feed)`).
    pub(super) fn claim(&self, w: Writer) -> (PathBuf, &'static str) {
        match w {
            Writer::Builtin(r) => (PathBuf::from(r), ""),
            Writer::Section(i) => (self.section_shown(i), ""),
            Writer::Page(i) => (self.pages[i].doc.shown.clone(), ""),
            Writer::Alias(i) if self.aliases[i].listing => {
                (self.aliases[i].from.clone(), " (a listing page)")
            }
            Writer::Alias(i) => (self.aliases[i].from.clone(), " (an alias)"),
            Writer::Pager(s, _) => (self.section_shown(s), " (a listing page)"),
            Writer::Feed(s) => (self.section_shown(s), " (its feed)"),
            Writer::Taxonomy(_) | Writer::Term(..) | Writer::TermFeed(..) => {
                (PathBuf::from("config.yaml"), " (a taxonomy page)")
            }
        }
    }

    /// What writes an output, as a collision error names it: `the built-in sitemap.xml`,
    /// `blog/_index.md (its feed)`.
    pub(super) fn claim_text(&self, w: Writer) -> String {
        match w {
            Writer::Builtin(r) => format!("the built-in {r}"),
            w => self.taxonomy_text(w).unwrap_or_else(|| {
                let (src, what) = self.claim(w);
                format!("{}{what}", src.display())
            }),
        }
    }

    /// What writes an output, as the error for a copied file over it names it:
    /// `the generated sitemap.xml`, `an alias of https://…`, `blog/_index.md (listing page 2)`.
    pub fn written_by(&self, w: Writer) -> String {
        let shown = |s: usize| self.section_shown(s).display().to_string();
        match w {
            Writer::Builtin(r) => format!("the generated {r}"),
            Writer::Section(i) => shown(i),
            Writer::Page(i) => self.pages[i].doc.shown.display().to_string(),
            Writer::Alias(i) => format!("an alias of {}", self.aliases[i].target),
            Writer::Pager(s, k) => {
                format!(
                    "{} (listing page {})",
                    shown(s),
                    self.sections[s].pagers[k].index
                )
            }
            Writer::Feed(s) => format!("{} (its feed)", shown(s)),
            w => self.taxonomy_text(w).unwrap_or_default(),
        }
    }
}

/// An error for each generated file that a second source also claims (see
/// [`SiteTree::outputs`] for the order; the first claim keeps the file), naming both and
/// pointing at the second.
pub(super) fn collisions(tree: &SiteTree, config: &Config) -> Vec<Diagnostic> {
    let outputs = tree.outputs();
    let mut first: HashMap<&str, Writer> = HashMap::with_capacity(outputs.len());
    let mut errors = Vec::new();
    for (output, w) in outputs {
        let Some(&by) = first.get(output) else {
            first.insert(output, w);
            continue;
        };
        let (src, _) = tree.claim(w);
        let path = format!("/{}", output.trim_end_matches("index.html"));
        let folder = config.output_dir.file_name().and_then(|n| n.to_str());
        let (a, b) = (tree.claim_text(by), tree.claim_text(w));
        // Two names that look alike: say they differ only in how an accent is typed.
        let how = match super::clashes::differs(&a, &b) {
            super::clashes::Differs::Accents => {
                " (their names differ only in how an accented letter is typed: as one character, or as a letter and an accent mark)"
            }
            _ => "",
        };
        errors.push(
            Diagnostic::error(format!(
                "two files want the same web address {path}: {a} and {b}{how}"
            ))
            .in_file(src)
            .help(format!(
                "rename one of them, or give one a different `slug:` or `path:` in its front matter (both would be written to {}/{output})",
                folder.unwrap_or("public")
            )),
        );
    }
    errors
}

/// The files a build copies, merged with the files it generates.
#[derive(Debug)]
pub struct Copies {
    /// Files to copy: those of `static/`, then those of `content/` (a `content/` file replaces
    /// a `static/` one with the same destination).
    pub copies: Vec<AssetCopy>,
    /// Every file the build writes, generated or copied (relative to the output folder, with
    /// `/`), for checking links that are not `@/` links.
    pub outputs: HashSet<String>,
    /// A copied file that would overwrite a generated one, naming both.
    pub errors: Vec<Diagnostic>,
    /// `content/` and `static/` both have a file for one destination.
    pub warnings: Vec<Diagnostic>,
}

/// Merges the site's `content/` files ([`SiteTree::assets`]) into `statics` (the `static/`
/// files, theme then site) and checks the copies against the generated files. `root` is the
/// site folder: errors name a copied file relative to it.
///
/// Errors (in [`Copies::errors`]): a copied file with the path of a generated one; then any
/// two outputs, generated, copied or the `processed_images/` folder, whose paths differ only
/// in upper and lower case or in how an accented letter is typed, which Windows and macOS
/// hosts take for one file or folder (see `clashes.rs`).
pub fn copies(tree: &SiteTree, statics: Vec<AssetCopy>, root: &Path) -> Copies {
    let mut warnings = Vec::new();
    let mut copies: Vec<AssetCopy> = statics;
    let static_paths: HashSet<String> = copies.iter().map(|c| c.to.clone()).collect();
    for a in &tree.assets {
        if static_paths.contains(&a.to) {
            warnings.push(Diagnostic::warning(format!(
                "content/ and static/ both have a file for {}; the one in content/ is used",
                a.to
            )));
            copies.retain(|c| c.to != a.to);
        }
        copies.push(a.clone());
    }
    let outputs = tree.outputs();
    let generated: HashMap<&str, Writer> = outputs.iter().copied().collect();
    let mut errors = Vec::new();
    for c in &copies {
        if let Some(&by) = generated.get(c.to.as_str()) {
            let shown = c.from.strip_prefix(root).unwrap_or(&c.from);
            errors.push(
                Diagnostic::error(format!(
                    "{} would overwrite {} (both are written to {})",
                    shown.display(),
                    tree.written_by(by),
                    c.to
                ))
                .in_file(shown)
                .help("rename or remove one of the two"),
            );
        }
    }
    // Outputs that a case-insensitive host would merge (issue 17).
    errors.extend(super::clashes::errors(tree, &outputs, &copies, root));
    let outputs: HashSet<String> = generated
        .keys()
        .map(|k| k.to_string())
        .chain(copies.iter().map(|c| c.to.clone()))
        .collect();
    Copies {
        copies,
        outputs,
        errors,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{discover, parse};

    /// Assembles a site made of `files` (path under the site folder, text) in a temporary
    /// folder; gives the folder (kept alive), its config and the result.
    fn assemble(files: &[(&str, &str)]) -> (tempfile::TempDir, Config, crate::Result<SiteTree>) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let config = Config::for_test(dir.path());
        let found = discover(&config).unwrap();
        let docs = parse(&found).unwrap();
        let tree = SiteTree::assemble(docs, &found, &config);
        (dir, config, tree)
    }

    /// A site with a generated file of every kind: home, section, page, alias, listing pages,
    /// the redirect from `page/1/`, a feed; and a content/ file.
    const EVERY_KIND: &[(&str, &str)] = &[
        ("content/_index.md", "---\ntitle: Home\n---\n"),
        (
            "content/blog/_index.md",
            "---\ntitle: Blog\npaginate_by: 1\nfeed: true\n---\n",
        ),
        (
            "content/blog/a.md",
            "---\ntitle: A\ndate: 2024-01-02\naliases: [old/]\n---\n",
        ),
        (
            "content/blog/b.md",
            "---\ntitle: B\ndate: 2024-01-01\n---\n",
        ),
        ("content/faq.md", "---\ntitle: FAQ\n---\n"),
        ("content/blog/pic.png", "png"),
    ];

    /// render.rs's static-versus-generated check as it was before [`copies`] (render.rs,
    /// `site_retained`), kept to hold the messages equal.
    fn copies_as_render_did(
        tree: &SiteTree,
        statics: Vec<AssetCopy>,
        root: &Path,
    ) -> (Vec<AssetCopy>, HashSet<String>, Vec<String>, Vec<String>) {
        let mut warnings = Vec::new();
        let mut generated: HashMap<String, String> = HashMap::new();
        for p in &tree.pages {
            generated.insert(p.output.clone(), p.doc.shown.display().to_string());
        }
        for s in &tree.sections {
            generated.insert(
                s.output.clone(),
                s.doc
                    .as_ref()
                    .map_or_else(|| "the home page".into(), |d| d.shown.display().to_string()),
            );
        }
        for a in &tree.aliases {
            generated.insert(a.output.clone(), format!("an alias of {}", a.target));
        }
        for s in &tree.sections {
            let shown = s
                .doc
                .as_ref()
                .map_or_else(|| "the home page".into(), |d| d.shown.display().to_string());
            for p in s.pagers.iter().skip(1) {
                let by = format!("{shown} (listing page {})", p.index);
                generated.insert(p.output.clone(), by);
            }
            if let Some(f) = &s.feed {
                generated.insert(f.output.clone(), format!("{shown} (its feed)"));
            }
        }
        for r in ["sitemap.xml", "robots.txt", "404.html"] {
            generated.insert(r.to_string(), format!("the generated {r}"));
        }
        let mut copies: Vec<AssetCopy> = statics;
        let static_paths: HashSet<String> = copies.iter().map(|c| c.to.clone()).collect();
        for a in &tree.assets {
            if static_paths.contains(&a.to) {
                warnings.push(format!(
                    "content/ and static/ both have a file for {}; the one in content/ is used",
                    a.to
                ));
                copies.retain(|c| c.to != a.to);
            }
            copies.push(a.clone());
        }
        let mut errors = Vec::new();
        for c in &copies {
            if let Some(by) = generated.get(&c.to) {
                let shown = c.from.strip_prefix(root).unwrap_or(&c.from);
                errors.push(format!(
                    "{} would overwrite {by} (both are written to {}) [{}]",
                    shown.display(),
                    c.to,
                    shown.display()
                ));
            }
        }
        let outputs: HashSet<String> = generated
            .keys()
            .cloned()
            .chain(copies.iter().map(|c| c.to.clone()))
            .collect();
        (copies, outputs, errors, warnings)
    }

    #[test]
    fn copies_give_the_messages_render_gave() {
        let (dir, _config, tree) = assemble(EVERY_KIND);
        let tree = tree.unwrap();
        let root = dir.path();
        let statics: Vec<AssetCopy> = [
            "index.html",
            "blog/index.html",
            "faq/index.html",
            "blog/a/index.html",
            "old/index.html",
            "blog/page/1/index.html",
            "blog/page/2/index.html",
            "blog/atom.xml",
            "sitemap.xml",
            "robots.txt",
            "404.html",
            "blog/pic.png",
            "css/site.css",
        ]
        .iter()
        .map(|to| AssetCopy {
            from: root.join("static").join(to),
            to: to.to_string(),
        })
        .collect();
        let (want_copies, want_outputs, want_errors, want_warnings) =
            copies_as_render_did(&tree, statics.clone(), root);
        let got = copies(&tree, statics, root);
        assert_eq!(got.copies, want_copies);
        assert_eq!(got.outputs, want_outputs);
        let errors: Vec<String> = got
            .errors
            .iter()
            .map(|d| {
                assert!(
                    d.is_error() && d.help.as_deref() == Some("rename or remove one of the two")
                );
                format!("{} [{}]", d.message, d.file.as_ref().unwrap().display())
            })
            .collect();
        assert_eq!(errors, want_errors);
        assert_eq!(errors.len(), 11, "{errors:#?}");
        let warnings: Vec<String> = got.warnings.iter().map(|d| d.message.clone()).collect();
        assert_eq!(warnings, want_warnings);
        assert_eq!(
            warnings,
            ["content/ and static/ both have a file for blog/pic.png; the one in content/ is used"]
        );
        // A few in full, as a reader would see them.
        for want in [
            "static/blog/page/2/index.html would overwrite content/blog/_index.md (listing page 2) (both are written to blog/page/2/index.html) [static/blog/page/2/index.html]",
            "static/old/index.html would overwrite an alias of https://example.com/blog/a/ (both are written to old/index.html) [static/old/index.html]",
            "static/sitemap.xml would overwrite the generated sitemap.xml (both are written to sitemap.xml) [static/sitemap.xml]",
        ] {
            assert!(
                errors.iter().any(|e| e == want),
                "{want}\nnot in {errors:#?}"
            );
        }
    }

    #[test]
    fn outputs_list_every_generated_file_once() {
        let (_dir, _config, tree) = assemble(EVERY_KIND);
        let tree = tree.unwrap();
        let mut files: Vec<&str> = tree.outputs().into_iter().map(|(f, _)| f).collect();
        files.sort();
        assert_eq!(
            files,
            [
                "404.html",
                "blog/a/index.html",
                "blog/atom.xml",
                "blog/b/index.html",
                "blog/index.html",
                "blog/page/1/index.html",
                "blog/page/2/index.html",
                "faq/index.html",
                "index.html",
                "old/index.html",
                "robots.txt",
                "sitemap.xml",
            ]
        );
    }

    /// The collision errors of a site, as (message, file).
    fn collision_errors(files: &[(&str, &str)]) -> Vec<(String, String)> {
        let (_dir, _config, tree) = assemble(files);
        let Err(crate::Error::Diagnostics(ds)) = tree else {
            panic!("no error");
        };
        ds.iter()
            .filter(|d| d.is_error())
            .map(|d| {
                (
                    d.message.clone(),
                    d.file.as_ref().unwrap().display().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn collisions_name_both_sources_first_claim_first() {
        let errors = collision_errors(&[
            (
                "content/faq.md",
                "---\ntitle: FAQ\naliases: [sitemap.xml, blog/]\n---\n",
            ),
            ("content/questions.md", "---\ntitle: Q\nslug: faq\n---\n"),
            (
                "content/blog/_index.md",
                "---\ntitle: Blog\npaginate_by: 1\nfeed: true\n---\n",
            ),
            (
                "content/blog/a.md",
                "---\ntitle: A\ndate: 2024-01-02\n---\n",
            ),
            (
                "content/blog/b.md",
                "---\ntitle: B\ndate: 2024-01-01\naliases: [blog/page/2/]\n---\n",
            ),
        ]);
        let shown: Vec<String> = errors.iter().map(|(m, f)| format!("{m} [{f}]")).collect();
        assert_eq!(
            shown,
            [
                "two files want the same web address /faq/: content/faq.md and content/questions.md [content/questions.md]",
                "two files want the same web address /sitemap.xml: the built-in sitemap.xml and content/faq.md (an alias) [content/faq.md]",
                "two files want the same web address /blog/: content/blog/_index.md and content/faq.md (an alias) [content/faq.md]",
                "two files want the same web address /blog/page/2/: content/blog/b.md (an alias) and content/blog/_index.md (a listing page) [content/blog/_index.md]",
            ],
        );
    }
}
