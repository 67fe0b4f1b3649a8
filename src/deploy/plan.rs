//! The deploy plan: the new build compared with the target's manifest, as the list of uploads
//! in a safe order and the list of removals. Pure: reads and writes nothing.
//!
//! The safe order never shows a visitor a page that points at a missing file, even when the
//! deploy stops half-way: files other than pages first (stylesheets, images, PDFs), then new
//! pages, then changed pages (which may link to the new ones), then `sitemap.xml`, feeds and
//! `robots.txt` (which list the pages); the manifest after them, and only then the removals,
//! which only ever name files of the old manifest.

use std::collections::{BTreeMap, BTreeSet};

use super::manifest::{Entry, Manifest};

/// Why a file is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Not on the target as far as the manifest knows.
    New,
    /// On the target with other content (or content the manifest is unsure of).
    Changed,
}

/// One file to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The path relative to the site's root.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// New or changed.
    pub change: Change,
}

/// What a deploy does, in order: see the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The files to send, in the safe order.
    pub uploads: Vec<Upload>,
    /// How many files of the site are already on the target as they are.
    pub unchanged: usize,
    /// The files to remove (named by the old manifest, gone from the site): pages first, then
    /// the other files, each by path.
    pub removals: Vec<String>,
    /// The manifest to write before the uploads, when some are new (it lists them as
    /// pending, so an interrupted deploy still knows them as its own).
    pub before: Option<Manifest>,
    /// The manifest to write after the uploads: the new site, the removals still pending.
    pub after: Manifest,
    /// True when the target had no manifest: nothing is removed, everything is sent.
    pub first: bool,
}

impl Plan {
    /// The total size of the uploads, in bytes.
    pub fn upload_bytes(&self) -> u64 {
        self.uploads.iter().map(|u| u.size).sum()
    }

    /// True when the deploy has nothing to send or remove.
    pub fn is_empty(&self) -> bool {
        self.uploads.is_empty() && self.removals.is_empty()
    }
}

/// The plan to bring a target holding what `old` records (`None`: no manifest, a first
/// deploy) to the site `site` (path → hash and size, as [`Manifest::files`]).
pub fn plan(site: &BTreeMap<String, Entry>, old: Option<&Manifest>) -> Plan {
    let empty = Manifest::default();
    let old_manifest = old.unwrap_or(&empty);
    let pending: BTreeSet<&str> = old_manifest.pending.iter().map(String::as_str).collect();
    let mut uploads = Vec::new();
    let mut unchanged = 0;
    for (path, entry) in site {
        let known = old_manifest.files.get(path);
        let change = match known {
            Some(e) if e == entry && !pending.contains(path.as_str()) => {
                unchanged += 1;
                continue;
            }
            Some(_) => Change::Changed,
            None if pending.contains(path.as_str()) => Change::Changed,
            None => Change::New,
        };
        uploads.push(Upload {
            path: path.clone(),
            size: entry.size,
            change,
        });
    }
    uploads.sort_by(|a, b| stage(a).cmp(&stage(b)).then_with(|| a.path.cmp(&b.path)));
    let mut removals: Vec<String> = old_manifest
        .files
        .keys()
        .map(String::as_str)
        .chain(pending.iter().copied())
        .filter(|p| !site.contains_key(*p))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(str::to_string)
        .collect();
    // Pages go before the files they may use, so a half-done removal leaves no page behind
    // that points at a removed stylesheet or image.
    removals.sort_by_key(|p| (!is_page(p), p.clone()));
    let before = uploads
        .iter()
        .any(|u| u.change == Change::New)
        .then(|| before_manifest(old_manifest, &uploads));
    Plan {
        uploads,
        unchanged,
        after: Manifest::new(site.clone(), removals.clone()),
        removals,
        before,
        first: old.is_none(),
    }
}

/// The manifest written before the uploads: the old one, with the new files (and the old
/// pending ones) pending.
fn before_manifest(old: &Manifest, uploads: &[Upload]) -> Manifest {
    let pending: BTreeSet<String> = old
        .pending
        .iter()
        .cloned()
        .chain(
            uploads
                .iter()
                .filter(|u| !old.files.contains_key(&u.path))
                .map(|u| u.path.clone()),
        )
        .collect();
    Manifest::new(old.files.clone(), pending.into_iter().collect())
}

/// True for an HTML page.
fn is_page(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".html") || lower.ends_with(".htm")
}

/// The upload stage of a file: 0 other files, 1 new pages, 2 changed pages, 3 the files that
/// list pages (sitemaps, feeds, `robots.txt`).
fn stage(u: &Upload) -> u8 {
    let name = u.path.rsplit('/').next().unwrap_or(&u.path);
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".xml") || lower == "robots.txt" || lower.ends_with(".rss") {
        3
    } else if is_page(&lower) {
        match u.change {
            Change::New => 1,
            Change::Changed => 2,
        }
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::manifest::hash_bytes;

    fn site(files: &[(&str, &str)]) -> BTreeMap<String, Entry> {
        files
            .iter()
            .map(|(p, text)| {
                (
                    p.to_string(),
                    Entry {
                        hash: hash_bytes(text.as_bytes()),
                        size: text.len() as u64,
                    },
                )
            })
            .collect()
    }

    fn paths(plan: &Plan) -> Vec<&str> {
        plan.uploads.iter().map(|u| u.path.as_str()).collect()
    }

    #[test]
    fn first_deploy_sends_everything_in_the_safe_order_and_removes_nothing() {
        let s = site(&[
            ("index.html", "home"),
            ("sitemap.xml", "map"),
            ("css/site.css", "css"),
            ("robots.txt", "r"),
            ("about/index.html", "about"),
            ("img/a.png", "png"),
            ("atom.xml", "feed"),
        ]);
        let p = plan(&s, None);
        assert!(p.first);
        assert_eq!(
            paths(&p),
            [
                "css/site.css",
                "img/a.png",
                "about/index.html",
                "index.html",
                "atom.xml",
                "robots.txt",
                "sitemap.xml"
            ]
        );
        assert!(p.removals.is_empty());
        assert_eq!(p.unchanged, 0);
        assert_eq!(p.upload_bytes(), 4 + 3 + 3 + 1 + 5 + 3 + 4);
        let before = p.before.as_ref().unwrap();
        assert!(before.files.is_empty());
        assert_eq!(before.pending.len(), 7);
        assert_eq!(p.after.files, s);
        assert!(p.after.pending.is_empty());
    }

    #[test]
    fn second_deploy_sends_new_and_changed_removes_only_old_manifest_files() {
        let old = Manifest::new(
            site(&[
                ("index.html", "home"),
                ("old/index.html", "old"),
                ("css/site.css", "css"),
            ]),
            vec![],
        );
        let s = site(&[
            ("index.html", "home v2"),
            ("new/index.html", "new"),
            ("css/site.css", "css"),
        ]);
        let p = plan(&s, Some(&old));
        assert!(!p.first);
        // The new page goes before the changed page that may link to it.
        assert_eq!(paths(&p), ["new/index.html", "index.html"]);
        assert_eq!(p.uploads[0].change, Change::New);
        assert_eq!(p.uploads[1].change, Change::Changed);
        assert_eq!(p.unchanged, 1);
        assert_eq!(p.removals, ["old/index.html"]);
        // Before the uploads: the old files, the new one pending; after: the removal pending.
        let before = p.before.as_ref().unwrap();
        assert_eq!(before.files, old.files);
        assert_eq!(before.pending, ["new/index.html"]);
        assert_eq!(p.after.pending, ["old/index.html"]);
    }

    #[test]
    fn nothing_changed_is_an_empty_plan_without_an_early_manifest() {
        let s = site(&[("index.html", "home"), ("a.css", "x")]);
        let old = Manifest::new(s.clone(), vec![]);
        let p = plan(&s, Some(&old));
        assert!(p.is_empty());
        assert_eq!(p.unchanged, 2);
        assert!(p.before.is_none());
    }

    #[test]
    fn pending_files_are_sent_again_or_removed() {
        // A deploy stopped after writing its early manifest: `new.html` may or may not be
        // there, `gone.html` was being removed.
        let old = Manifest::new(
            site(&[("index.html", "home")]),
            vec!["new.html".into(), "gone.html".into()],
        );
        let s = site(&[("index.html", "home"), ("new.html", "n")]);
        let p = plan(&s, Some(&old));
        assert_eq!(paths(&p), ["new.html"]);
        assert_eq!(p.uploads[0].change, Change::Changed);
        assert_eq!(p.removals, ["gone.html"]);
        assert_eq!(p.unchanged, 1);
        // Nothing new to the manifest: no early manifest needed.
        assert!(p.before.is_none());
    }

    #[test]
    fn a_file_uploaded_by_an_interrupted_deploy_is_sent_again() {
        // The early manifest was written and `b.html` uploaded with its new content, then the
        // deploy stopped: the manifest still has its old hash, so it is sent again.
        let old = Manifest::new(site(&[("b.html", "old")]), vec!["c.html".into()]);
        let s = site(&[("b.html", "new"), ("c.html", "c")]);
        let p = plan(&s, Some(&old));
        assert_eq!(paths(&p), ["b.html", "c.html"]);
        assert!(p.removals.is_empty());
    }
}
