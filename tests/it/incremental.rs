//! Incremental rebuilds (`serve`, issue 5): after seeded random saves, the site kept in memory
//! by [`stillpoint::incremental::LiveBuild`] must equal a clean build of the same files byte
//! for byte, or fail with the same diagnostics; and body edits must really be rebuilt
//! incrementally (rendering fewer files than the site has).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use stillpoint::incremental::{Early, LiveBuild, Update};
use stillpoint::{BuildOptions, render_diagnostics};

use crate::support::{SplitMix, TestSite, seed};

/// Every markdown file under `content/`, relative to the site root (`content/faq.md`), sorted.
fn markdown_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![root.join("content")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                let rel = path.strip_prefix(root).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// One random save of `text` (the file's current text; `original` is its text at the start).
/// Returns the new text and what was done.
fn edit(rng: &mut SplitMix, n: usize, text: &str, original: &str) -> (String, &'static str) {
    const WORDS: [&str; 6] = ["cedar", "delta", "ember", "fjord", "grove", "heron"];
    let word = |rng: &mut SplitMix| WORDS[rng.below(WORDS.len())];
    match rng.below(16) {
        0..=2 => {
            let para = format!(
                "\n{} {} *{}* {n}, {}.\n",
                word(rng),
                word(rng),
                word(rng),
                "and more ".repeat(rng.below(40))
            );
            (format!("{text}{para}"), "a paragraph added")
        }
        3 | 4 => {
            let w = word(rng);
            (
                format!("{text}\n## {w} {n}\n\nUnder {w}. See [above](#{w}-{n}).\n"),
                "a heading and a link to it added",
            )
        }
        5 => {
            // The first word of the body (after the front matter) replaced: summaries change.
            let start = body_start(text);
            let body = &text[start..];
            let replaced = body.replacen(|c: char| c.is_alphabetic(), "Z", 1);
            (format!("{}{replaced}", &text[..start]), "a letter changed")
        }
        6 => (original.to_string(), "restored"),
        7 if text.starts_with("---\n") => (
            text.replacen("---\n", &format!("---\ndescription: \"Changed {n}\"\n"), 1),
            "a description added (front matter)",
        ),
        10 | 11 if text.starts_with("---\n") && text.contains("\ntitle:") => {
            // A new title (it may move the page in its section's order).
            let start = text.find("\ntitle:").unwrap() + 1;
            let end = start + text[start..].find('\n').unwrap();
            let title = format!("title: \"{} {n}\"", word(rng));
            (
                format!("{}{title}{}", &text[..start], &text[end..]),
                "the title changed (front matter)",
            )
        }
        9 if text.contains("\ntags: [") => {
            // A tag added (the fixture `taxonomies` only: other texts have no `tags:`), a new
            // term or one another page has.
            let w = if rng.below(2) == 0 {
                word(rng)
            } else {
                "research"
            };
            (
                text.replacen("\ntags: [", &format!("\ntags: [{w}, "), 1),
                "a tag added (front matter)",
            )
        }
        12 if text.starts_with("---\n") => {
            // A new date (few days, so equal dates happen): the page may move, its feed and
            // the sitemap change.
            let line = format!("date: 2026-03-0{}", 1 + rng.below(4));
            (
                set_field(text, "date", Some(&line)),
                "the date changed (front matter)",
            )
        }
        13 if text.starts_with("---\n") => {
            let line = format!("weight: {}", rng.below(4));
            let line = (rng.below(3) > 0).then_some(line.as_str());
            (
                set_field(text, "weight", line),
                "the weight changed (front matter)",
            )
        }
        14 if text.starts_with("---\n") => {
            let line = (rng.below(2) == 0).then_some("updated: 2026-04-01");
            let (field, what) = match rng.below(2) {
                0 => ("updated", "`updated` changed (front matter)"),
                _ => ("date", "the date removed (front matter)"),
            };
            (
                set_field(text, field, line.filter(|_| field == "updated")),
                what,
            )
        }
        // On a section too: a draft home page is made like a missing one (it once panicked).
        15 if text.starts_with("---\n") => {
            let line = (!text.contains("\ndraft: true")).then_some("draft: true");
            (
                set_field(text, "draft", line),
                "draft toggled (front matter)",
            )
        }
        8 => (
            format!("{text}\nA [broken link](@/missing-{n}.md).\n"),
            "a broken link added",
        ),
        _ => (
            format!("{text}\nA line with `code {n}` and a [link](#nowhere-{n}).\n"),
            "a link to a missing anchor added",
        ),
    }
}

/// `text` (which starts with front matter) with the line of `field` replaced by `line`, or
/// removed when `line` is `None`; a new line goes first in the front matter.
fn set_field(text: &str, field: &str, line: Option<&str>) -> String {
    let end = body_start(text).max(4);
    let key = format!("\n{field}:");
    match text[..end].find(&key) {
        Some(at) => {
            let start = at + 1;
            let stop = start + text[start..].find('\n').unwrap();
            match line {
                Some(l) => format!("{}{l}{}", &text[..start], &text[stop..]),
                None => format!("{}{}", &text[..start], &text[stop + 1..]),
            }
        }
        None => match line {
            Some(l) => format!("---\n{l}\n{}", &text[4..]),
            None => text.to_string(),
        },
    }
}

/// A save that adds, removes or renames a file, or gives it a new text.
enum FileSave {
    /// The file's new text.
    Text(String),
    /// The file deleted.
    Delete,
    /// The file moved to this path (relative to the site root).
    Rename(String),
    /// A new page at this path, beside the file.
    New(String),
}

/// A save of the file `file` (relative to the site root) that is not an edit of its text: it
/// is deleted or renamed, or a new page appears beside it.
fn file_save(rng: &mut SplitMix, n: usize, file: &str) -> (FileSave, &'static str) {
    let folder = file.rsplit_once('/').map_or("", |(f, _)| f);
    match rng.below(3) {
        0 => (FileSave::Delete, "deleted"),
        1 => (
            FileSave::Rename(format!("{folder}/renamed-{n}.md")),
            "renamed",
        ),
        _ => (
            FileSave::New(format!("{folder}/new-{n}.md")),
            "a new page beside it",
        ),
    }
}

/// The text of a new page made at step `n`.
fn new_page_text(n: usize) -> String {
    format!(
        "---\ntitle: \"New page {n}\"\ndate: 2026-03-0{}\n---\nA new page, number {n}.\n",
        1 + n % 4
    )
}

/// Writes `text` to `path`, or removes the file for `None`.
fn write_or_remove(path: &Path, text: Option<&str>) {
    match text {
        Some(t) => fs::write(path, t).unwrap(),
        None => {
            let _ = fs::remove_file(path);
        }
    }
}

/// Where the body starts: after the closing `---` of the front matter, if any.
fn body_start(text: &str) -> usize {
    if let Some(rest) = text.strip_prefix("---\n")
        && let Some(end) = rest.find("\n---\n")
    {
        return 4 + end + 5;
    }
    0
}

/// The site as a clean in-memory build makes it: files, or the diagnostics.
fn clean(options: &BuildOptions) -> Result<BTreeMap<String, Vec<u8>>, String> {
    stillpoint::build_in_memory(options)
        .map(|(_, built)| built.files.into_iter().collect())
        .map_err(|e| render_diagnostics(&e.into_diagnostics(), false))
}

/// The options for the site at `root`, a live build of it, and the files of its first (full)
/// build.
fn first_build(root: &Path) -> (BuildOptions, LiveBuild, BTreeMap<String, Vec<u8>>) {
    let options = BuildOptions {
        root: root.to_path_buf(),
        ..Default::default()
    };
    let mut live = LiveBuild::new(options.clone());
    let Update::Full(built) = live.rebuild(&[]).unwrap() else {
        panic!("the first build must be a full one");
    };
    (options, live, built.files.into_iter().collect())
}

/// The files handed to an [`Early`] publisher, each call's files in a list of its own.
type Handed = std::sync::Arc<std::sync::Mutex<Vec<Vec<(String, Vec<u8>)>>>>;

/// An early publisher (fast render) that keeps what it is handed, for any number of other
/// files (`min_rest`).
fn early_kept(min_rest: usize) -> (Early, Handed) {
    let handed = Handed::default();
    let keep = std::sync::Arc::clone(&handed);
    let early = Early {
        publish: std::sync::Arc::new(move |files| keep.lock().unwrap().push(files)),
        min_rest,
    };
    (early, handed)
}

/// `steps` random saves of one or two markdown files of `site`, each checked against a clean
/// build. Every rebuild renders the saved documents' own files first ([`Early`] with no
/// minimum): what they are handed early must be among the rebuild's files, byte for byte.
/// Returns how many rebuilds were incremental.
pub(crate) fn random_saves(site: &TestSite, seed: u64, steps: usize) -> usize {
    let root = site.root().to_path_buf();
    let mut files = markdown_files(&root);
    let mut originals: Vec<String> = files
        .iter()
        .map(|f| fs::read_to_string(root.join(f)).unwrap())
        .collect();
    let (options, mut live, mut served) = first_build(&root);
    assert_eq!(Ok(&served), clean(&options).as_ref());
    let mut rng = SplitMix(seed);
    let mut partial = 0;
    let mut handed_early = 0;
    let mut log = vec![format!("seed {seed} on {}", root.display())];
    // Each file's text before the last save (`None`: it did not exist).
    let mut undo: Vec<(String, Option<String>)> = Vec::new();
    for n in 0..steps {
        let mut changed = Vec::new();
        if !undo.is_empty() {
            // The owner fixes the error of the last save.
            for (file, text) in undo.drain(..).rev() {
                write_or_remove(&root.join(&file), text.as_deref());
                log.push(format!("{n}: {file} undone"));
                changed.push(file);
            }
        } else {
            for _ in 0..1 + usize::from(rng.below(4) == 0) {
                let k = rng.below(files.len());
                let path = root.join(&files[k]);
                let text = fs::read_to_string(&path).ok();
                let Some(old) = text.clone() else {
                    // Deleted or renamed by an earlier save: it comes back, a new page.
                    fs::write(&path, &originals[k]).unwrap();
                    log.push(format!("{n}: {} written again (a new page)", files[k]));
                    undo.push((files[k].clone(), None));
                    changed.push(files[k].clone());
                    continue;
                };
                let (new, what) = match rng.below(8) {
                    0 => file_save(&mut rng, n, &files[k]),
                    _ => {
                        let (new, what) = edit(&mut rng, n, &old, &originals[k]);
                        (FileSave::Text(new), what)
                    }
                };
                log.push(format!("{n}: {} {what}", files[k]));
                match new {
                    FileSave::Text(new) => fs::write(&path, new).unwrap(),
                    FileSave::Delete => fs::remove_file(&path).unwrap(),
                    FileSave::Rename(to) => {
                        fs::remove_file(&path).unwrap();
                        fs::write(root.join(&to), &old).unwrap();
                        undo.push((to.clone(), None));
                        changed.push(to.clone());
                        files.push(to);
                        originals.push(old.clone());
                    }
                    FileSave::New(to) => {
                        let text = new_page_text(n);
                        fs::write(root.join(&to), &text).unwrap();
                        undo.push((to.clone(), None));
                        changed.push(to.clone());
                        files.push(to);
                        originals.push(text);
                        continue;
                    }
                }
                undo.push((files[k].clone(), text));
                changed.push(files[k].clone());
            }
        }
        changed.sort();
        changed.dedup();
        let expected = clean(&options);
        if expected.is_ok() {
            undo.clear();
        }
        let (early, handed) = early_kept(0);
        let rebuilt = live.rebuild_with(&changed, Some(early));
        let handed = std::mem::take(&mut *handed.lock().unwrap());
        assert!(handed.len() <= 1, "files were handed early more than once");
        handed_early += handed.len();
        match rebuilt {
            Ok(Update::Full(built)) => served = built.files.into_iter().collect(),
            Ok(Update::Partial { files, removed, .. }) => {
                partial += 1;
                for (path, bytes) in handed.iter().flatten() {
                    assert!(
                        files.iter().any(|(p, b)| p == path && b == bytes),
                        "{path} was handed early but is not in the rebuild's files as it was"
                    );
                }
                assert!(
                    files.len() < served.len(),
                    "an incremental rebuild rendered every file"
                );
                for path in removed {
                    served.remove(&path);
                }
                for (path, bytes) in files {
                    served.insert(path, bytes);
                }
            }
            Err(e) => {
                let got = render_diagnostics(&e.into_diagnostics(), false);
                assert_eq!(
                    Err(&got),
                    expected.as_ref().map(|_| ()),
                    "a rebuild failed where a clean build did not, after:\n{}",
                    log.join("\n")
                );
                continue;
            }
        }
        let Ok(expected) = expected else {
            panic!(
                "a rebuild succeeded where a clean build failed, after:\n{}",
                log.join("\n")
            );
        };
        let differ: std::collections::BTreeSet<&String> = expected
            .keys()
            .chain(served.keys())
            .filter(|k| expected.get(*k) != served.get(*k))
            .collect();
        assert!(
            differ.is_empty(),
            "after step {n} these files differ from a clean build: {differ:?}\nsteps:\n{}",
            log.join("\n")
        );
    }
    // Most incremental rebuilds render a saved page's own file: some must have gone early.
    assert!(
        partial == 0 || handed_early > 0,
        "{partial} incremental rebuilds, and none handed its own files early"
    );
    partial
}

#[test]
fn incremental_rebuilds_equal_clean_builds_over_random_saves() {
    // Fixture k uses seed + k.
    let seed = seed(
        "incremental::incremental_rebuilds_equal_clean_builds_over_random_saves",
        42,
    );
    for (k, name) in [
        "live",
        "context",
        "sections",
        "feed",
        "pagination",
        "links",
        "citations",
        "taxonomies",
        "languages",
        "taxonomies_languages",
    ]
    .iter()
    .enumerate()
    {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let config = fs::read_to_string(fixture.join("config.yaml")).unwrap();
        let site = if config.contains("theme: default") && !fixture.join("themes").exists() {
            TestSite::fixture_with_default_theme(name)
        } else {
            TestSite::fixture(name)
        };
        let partial = random_saves(&site, seed.wrapping_add(k as u64), 40);
        // An edit of a page with tags is a full build by design (its term pages show it): a
        // third of `taxonomies`' files have tags, three of seven of `taxonomies_languages`'.
        // Dates, weights, drafts, new, deleted and renamed pages are incremental too (when
        // nothing points at the page): about half of the 40 saves are.
        let least = match *name {
            "taxonomies" | "taxonomies_languages" => 6,
            _ => 12,
        };
        assert!(
            partial >= least,
            "{name}: only {partial} of 40 rebuilds were incremental"
        );
    }
}

#[test]
fn incremental_rebuilds_of_the_studio_site_equal_clean_builds() {
    let site = TestSite::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["content", "data", "static", "themes"] {
        crate::support::copy_tree(&repo.join(dir), &site.path(dir));
    }
    fs::copy(repo.join("config.yaml"), site.path("config.yaml")).unwrap();
    let seed = seed(
        "incremental::incremental_rebuilds_of_the_studio_site_equal_clean_builds",
        7,
    );
    let partial = random_saves(&site, seed, 30);
    assert!(
        partial >= 6,
        "only {partial} of 30 rebuilds were incremental"
    );
}

/// Adding a translation, then retitling it (the source's `translations` and its switcher show
/// the title), then removing it: each rebuild equals a clean build (issue 18).
#[test]
fn adding_and_retitling_a_translation_rebuilds_like_a_clean_build() {
    let site = TestSite::fixture_with_default_theme("languages");
    let (options, mut live, mut served) = first_build(site.root());
    let page = "content/prices.fr.md";
    let steps = [
        Some("---\ntitle: Tarifs\ndate: 2026-10-02\n---\nQuatre-vingt-dix dollars.\n"),
        Some("---\ntitle: Nos tarifs\ndate: 2026-10-02\n---\nQuatre-vingt-dix dollars.\n"),
        Some("---\ntitle: Nos tarifs\ndate: 2026-10-02\n---\nCent dollars.\n"),
        None,
    ];
    for (n, text) in steps.into_iter().enumerate() {
        match text {
            Some(t) => {
                site.file(page, t);
            }
            None => fs::remove_file(site.path(page)).unwrap(),
        }
        match live.rebuild(&[page.to_string()]).unwrap() {
            Update::Full(built) => served = built.files.into_iter().collect(),
            Update::Partial { files, .. } => served.extend(files),
        }
        let expected = clean(&options).unwrap();
        let differ: Vec<&String> = expected
            .keys()
            .chain(served.keys())
            .filter(|k| expected.get(*k) != served.get(*k))
            .collect();
        assert!(
            differ.is_empty(),
            "step {n}: these files differ: {differ:?}"
        );
    }
}

/// A page read by another page's template through `get_page` is rendered again in that other
/// page when only its body changes (the dependency comes from the recorded reads, not from the
/// page's section).
#[test]
fn a_body_edit_reaches_the_pages_that_read_it_with_get_page() {
    let site = TestSite::new();
    site.file("content/a.md", "---\ntitle: A\n---\nFirst words of A.\n")
        .file("content/b.md", "---\ntitle: B\n---\nB's body.\n")
        .file(
            "templates/page.html",
            "<h1>{{ page.title }}</h1>{% if page.title == \"B\" %}{% set a = get_page(path=\"a.md\") %}<p>{{ a.summary | safe }}</p>{% endif %}{{ page.content | safe }}",
        );
    let mut live = LiveBuild::new(BuildOptions {
        root: site.root().to_path_buf(),
        ..Default::default()
    });
    live.rebuild(&[]).unwrap();
    site.file("content/a.md", "---\ntitle: A\n---\nNew words of A.\n");
    let Update::Partial { files, .. } = live.rebuild(&["content/a.md".into()]).unwrap() else {
        panic!("a body edit must be rebuilt incrementally");
    };
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert!(names.contains(&"a/index.html"), "{names:?}");
    let b = &files
        .iter()
        .find(|(p, _)| p == "b/index.html")
        .unwrap_or_else(|| panic!("b reads a through get_page: {names:?}"))
        .1;
    assert!(String::from_utf8_lossy(b).contains("New words of A."));
    assert!(
        !names.contains(&"sitemap.xml"),
        "the sitemap shows no body: {names:?}"
    );
}

/// A new date that moves a page in its section's order is rebuilt incrementally: the page, its
/// old and new neighbours, the section's listing and feed and the sitemap are rendered again,
/// and the site equals a clean build.
#[test]
fn a_date_that_moves_a_page_is_rebuilt_incrementally() {
    let site = TestSite::new();
    site.file(
        "content/blog/_index.md",
        "---\ntitle: Blog\nfeed: true\n---\n",
    )
    .file("content/blog/a.md", "---\ntitle: A\ndate: 2026-01-01\n---\nA.\n")
    .file("content/blog/b.md", "---\ntitle: B\ndate: 2026-01-02\n---\nB.\n")
    .file("content/blog/c.md", "---\ntitle: C\ndate: 2026-01-03\n---\nC.\n")
    .file("content/blog/d.md", "---\ntitle: D\ndate: 2026-01-04\n---\nD.\n")
    .file(
        "templates/page.html",
        "{{ page.title }}|{% if page.lower %}{{ page.lower.title }}{% endif %}|{% if page.higher %}{{ page.higher.title }}{% endif %}",
    )
    .file(
        "templates/section.html",
        "{% for p in section.pages %}{{ p.title }} {{ p.date }};{% endfor %}",
    );
    let (options, mut live, mut served) = first_build(site.root());
    // A, the oldest, becomes the newest: D, C, B, A -> A, D, C, B.
    site.file(
        "content/blog/a.md",
        "---\ntitle: A\ndate: 2026-02-01\n---\nA.\n",
    );
    let Update::Partial { files, .. } = live.rebuild(&["content/blog/a.md".into()]).unwrap() else {
        panic!("a new date must be rebuilt incrementally");
    };
    let mut names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    names.sort_unstable();
    // B lost its neighbour A; D gained it; C kept its neighbours.
    assert_eq!(
        names,
        [
            "blog/a/index.html",
            "blog/atom.xml",
            "blog/b/index.html",
            "blog/d/index.html",
            "blog/index.html",
            "sitemap.xml"
        ]
    );
    served.extend(files);
    assert_eq!(served, clean(&options).unwrap());
    let d = String::from_utf8_lossy(&served["blog/d/index.html"]).into_owned();
    assert!(d.starts_with("D|A|C"), "{d}");
}

/// New, deleted, renamed pages and drafts are rebuilt incrementally: each step is a partial
/// rebuild whose files and removals make the site a clean build makes.
#[test]
fn new_deleted_renamed_and_draft_pages_are_rebuilt_incrementally() {
    let site = TestSite::new();
    site.file("content/blog/_index.md", "---\ntitle: Blog\nfeed: true\n---\n")
        .file("content/blog/a.md", "---\ntitle: A\ndate: 2026-01-01\n---\nA.\n")
        .file("content/blog/b.md", "---\ntitle: B\ndate: 2026-01-02\n---\nB.\n")
        .file("content/blog/c.md", "---\ntitle: C\ndate: 2026-01-03\n---\nC.\n")
        .file(
            "templates/page.html",
            "{{ page.title }}|{% if page.lower %}{{ page.lower.title }}{% endif %}|{% if page.higher %}{{ page.higher.title }}{% endif %}",
        )
        .file(
            "templates/section.html",
            "{% for p in section.pages %}{{ p.title }};{% endfor %}",
        );
    let (options, mut live, mut served) = first_build(site.root());
    let a = "---\ntitle: A\ndate: 2026-01-01\n---\nA.\n";
    /// A saved path, its new text (`None`: deleted), another changed path, the files removed.
    type Step<'a> = (&'a str, Option<&'a str>, &'a [&'a str], &'a [&'a str]);
    let steps: [Step<'_>; 6] = [
        // path, new text (None: deleted), extra changed path, files removed
        (
            "content/blog/d.md",
            Some("---\ntitle: D\ndate: 2026-01-04\n---\nD.\n"),
            &[],
            &[],
        ),
        ("content/blog/b.md", None, &[], &["blog/b/index.html"]),
        (
            "content/blog/c.md",
            None,
            &["content/blog/e.md"],
            &["blog/c/index.html"],
        ),
        (
            "content/blog/a.md",
            Some("---\ntitle: A\ndate: 2026-01-01\ndraft: true\n---\nA.\n"),
            &[],
            &["blog/a/index.html"],
        ),
        ("content/blog/a.md", Some(a), &[], &[]),
        (
            "content/blog/d.md",
            Some("---\ntitle: D\ndate: 2025-01-04\n---\nD.\n"),
            &[],
            &[],
        ),
    ];
    for (n, (path, text, also, gone)) in steps.into_iter().enumerate() {
        match text {
            Some(t) => {
                site.file(path, t);
            }
            None => fs::remove_file(site.path(path)).unwrap(),
        }
        if also == ["content/blog/e.md"] {
            site.file(
                "content/blog/e.md",
                "---\ntitle: C\ndate: 2026-01-03\n---\nC.\n",
            );
        }
        let mut changed = vec![path.to_string()];
        changed.extend(also.iter().map(|s| s.to_string()));
        let Update::Partial { files, removed, .. } = live.rebuild(&changed).unwrap() else {
            panic!("step {n} must be rebuilt incrementally");
        };
        assert_eq!(removed, gone, "step {n}");
        for r in &removed {
            served.remove(r);
        }
        served.extend(files);
        let expected = clean(&options).unwrap();
        let differ: Vec<&String> = expected
            .keys()
            .chain(served.keys())
            .filter(|k| expected.get(*k) != served.get(*k))
            .collect();
        assert!(
            differ.is_empty(),
            "step {n}: these files differ: {differ:?}"
        );
    }
    let listing = String::from_utf8_lossy(&served["blog/index.html"]).into_owned();
    assert_eq!(listing, "C;A;D;");
}

/// A section's new title and description are rebuilt incrementally: its listing, its feed and
/// the pages that show it through `get_section` are rendered again, and the site equals a
/// clean build. A title that reorders the parent's subsections is a full build.
#[test]
fn a_section_title_is_rebuilt_incrementally() {
    let site = TestSite::new();
    site.file("content/_index.md", "---\ntitle: Home\n---\n")
        .file("content/blog/_index.md", "---\ntitle: Blog\nfeed: true\n---\n")
        .file("content/news/_index.md", "---\ntitle: News\n---\n")
        .file("content/blog/a.md", "---\ntitle: A\ndate: 2026-01-01\n---\nA.\n")
        .file("content/faq.md", "---\ntitle: FAQ\n---\nFAQ.\n")
        .file(
            "templates/page.html",
            "{{ page.title }}{% if page.title == \"FAQ\" %}{% set b = get_section(path=\"blog/_index.md\", metadata_only=true) %}|{{ b.title }}{% endif %}",
        )
        .file(
            "templates/section.html",
            "{{ section.title }}:{{ section.description }}",
        )
        .file(
            "templates/index.html",
            "{% for s in section.subsections %}{{ s }};{% endfor %}",
        );
    let (options, mut live, mut served) = first_build(site.root());
    let blog = "content/blog/_index.md";
    site.file(
        blog,
        "---\ntitle: Journal\ndescription: Notes\nfeed: true\n---\n",
    );
    let Update::Partial { files, .. } = live.rebuild(&[blog.into()]).unwrap() else {
        panic!("a section's new title must be rebuilt incrementally");
    };
    let mut names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["blog/atom.xml", "blog/index.html", "faq/index.html"]
    );
    served.extend(files);
    assert_eq!(served, clean(&options).unwrap());
    assert_eq!(served["faq/index.html"], b"FAQ|Journal");
    // "Zebra" sorts after "News": the home page's list of subsections changes.
    site.file(blog, "---\ntitle: Zebra\nfeed: true\n---\n");
    let Update::Full(built) = live.rebuild(&[blog.into()]).unwrap() else {
        panic!("a title that reorders the subsections needs a full build");
    };
    assert_eq!(
        built.files.into_iter().collect::<BTreeMap<_, _>>(),
        clean(&options).unwrap()
    );
}

/// Fast render: given an early publisher, a section's retitling hands the section's own page
/// to it first, then renders the rest; the rebuild's files are those of a rebuild without it.
/// Below the publisher's minimum of other files, nothing is handed early. A rebuild that fails
/// after handing files early fails as a clean build does (`serve` then puts back what it
/// published early).
#[test]
fn fast_render_hands_a_saved_sections_own_page_first() {
    let site = TestSite::new();
    site.file("content/_index.md", "---\ntitle: Home\n---\n")
        .file("content/blog/_index.md", "---\ntitle: Blog\nfeed: true\n---\n")
        .file("content/blog/a.md", "---\ntitle: A\ndate: 2026-01-01\n---\nA.\n")
        .file("content/faq.md", "---\ntitle: FAQ\n---\nFAQ.\n")
        .file("content/help.md", "---\ntitle: Help\n---\nHelp.\n")
        .file(
            "templates/page.html",
            "{% set b = get_section(path=\"blog/_index.md\", metadata_only=true) %}\
             {% if b.title == \"Broken\" and page.title == \"FAQ\" %}{{ throw(message=\"no\") }}{% endif %}\
             {{ page.title }}|{{ b.title }}",
        )
        .file("templates/section.html", "{{ section.title }}")
        .file("templates/index.html", "home");
    let (options, mut live, mut served) = first_build(site.root());
    let blog = "content/blog/_index.md";
    let names = |files: &[(String, Vec<u8>)]| {
        let mut n: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
        n.sort_unstable();
        n
    };

    site.file(blog, "---\ntitle: Journal\nfeed: true\n---\n");
    let (early, handed) = early_kept(3);
    let Update::Partial { files, .. } = live.rebuild_with(&[blog.into()], Some(early)).unwrap()
    else {
        panic!("a section's new title must be rebuilt incrementally");
    };
    let handed = std::mem::take(&mut *handed.lock().unwrap());
    assert_eq!(handed.len(), 1, "the section's page is handed early once");
    assert_eq!(names(&handed[0]), ["blog/index.html"]);
    assert_eq!(handed[0][0].1, b"Journal");
    assert_eq!(
        names(&files),
        [
            "blog/a/index.html",
            "blog/atom.xml",
            "blog/index.html",
            "faq/index.html",
            "help/index.html"
        ]
    );
    served.extend(files);
    assert_eq!(served, clean(&options).unwrap());
    assert_eq!(served["help/index.html"], b"Help|Journal");

    // Four other files are too few for a minimum of five.
    site.file(blog, "---\ntitle: Notes\nfeed: true\n---\n");
    let (early, handed) = early_kept(5);
    let Update::Partial { files, .. } = live.rebuild_with(&[blog.into()], Some(early)).unwrap()
    else {
        panic!("a section's new title must be rebuilt incrementally");
    };
    assert!(handed.lock().unwrap().is_empty());
    served.extend(files);
    assert_eq!(served, clean(&options).unwrap());

    // The section's page renders, the FAQ does not: handed early, then the same error as a
    // clean build.
    site.file(blog, "---\ntitle: Broken\nfeed: true\n---\n");
    let (early, handed) = early_kept(0);
    let got = live
        .rebuild_with(&[blog.into()], Some(early))
        .expect_err("the FAQ's template throws");
    assert_eq!(names(&handed.lock().unwrap()[0]), ["blog/index.html"]);
    assert_eq!(
        render_diagnostics(&got.into_diagnostics(), false),
        clean(&options).expect_err("a clean build fails too")
    );
}

/// A page that something still points at is not deleted incrementally: a link from another
/// page, or a template's `get_url`, fails the rebuild exactly as it fails a clean build.
#[test]
fn deleting_a_page_that_is_still_linked_fails_like_a_clean_build() {
    // `b` is in another section than `a`: `a` is not its neighbour, and nothing else renders
    // `a` again.
    for (linker, text) in [
        ("content/a.md", "---\ntitle: A\n---\nSee [B](/blog/b/).\n"),
        (
            "templates/page.html",
            "{{ page.title }}{% if page.title == \"A\" %}{{ get_url(path=\"@/blog/b.md\") }}{% endif %}",
        ),
    ] {
        let site = TestSite::new();
        site.file("content/a.md", "---\ntitle: A\n---\nA.\n")
            .file("content/blog/_index.md", "---\ntitle: Blog\n---\n")
            .file("content/blog/b.md", "---\ntitle: B\n---\nB.\n")
            .file("content/blog/c.md", "---\ntitle: C\n---\nC.\n")
            .file("templates/page.html", "{{ page.title }}")
            .file(linker, text);
        let options = BuildOptions {
            root: site.root().to_path_buf(),
            ..Default::default()
        };
        let mut live = LiveBuild::new(options.clone());
        live.rebuild(&[]).unwrap();
        fs::remove_file(site.path("content/blog/b.md")).unwrap();
        let expected = clean(&options).expect_err("a clean build fails");
        let got = live
            .rebuild(&["content/blog/b.md".into()])
            .expect_err(linker);
        assert_eq!(render_diagnostics(&got.into_diagnostics(), false), expected);
    }
}
