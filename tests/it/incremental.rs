//! Incremental rebuilds (`serve`, issue 5): after seeded random saves, the site kept in memory
//! by [`stillpoint::incremental::LiveBuild`] must equal a clean build of the same files byte
//! for byte, or fail with the same diagnostics; and body edits must really be rebuilt
//! incrementally (rendering fewer files than the site has).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use stillpoint::incremental::{LiveBuild, Update};
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
    match rng.below(12) {
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

/// `steps` random saves of one or two markdown files of `site`, each checked against a clean
/// build. Returns how many rebuilds were incremental.
pub(crate) fn random_saves(site: &TestSite, seed: u64, steps: usize) -> usize {
    let root = site.root().to_path_buf();
    let options = BuildOptions {
        root: root.clone(),
        ..Default::default()
    };
    let files = markdown_files(&root);
    let originals: Vec<String> = files
        .iter()
        .map(|f| fs::read_to_string(root.join(f)).unwrap())
        .collect();
    let mut live = LiveBuild::new(options.clone());
    let mut served: BTreeMap<String, Vec<u8>> = match live.rebuild(&[]).unwrap() {
        Update::Full(built) => built.files.into_iter().collect(),
        Update::Partial { .. } => panic!("the first build must be a full one"),
    };
    assert_eq!(Ok(&served), clean(&options).as_ref());
    let mut rng = SplitMix(seed);
    let mut partial = 0;
    let mut log = vec![format!("seed {seed} on {}", root.display())];
    let mut undo: Vec<(usize, String)> = Vec::new();
    for n in 0..steps {
        let mut changed = Vec::new();
        if !undo.is_empty() {
            // The owner fixes the error of the last save.
            for (k, text) in undo.drain(..).rev() {
                fs::write(root.join(&files[k]), text).unwrap();
                log.push(format!("{n}: {} undone", files[k]));
                changed.push(files[k].clone());
            }
        } else {
            for _ in 0..1 + usize::from(rng.below(4) == 0) {
                let k = rng.below(files.len());
                let path = root.join(&files[k]);
                let text = fs::read_to_string(&path).unwrap();
                let (new, what) = edit(&mut rng, n, &text, &originals[k]);
                fs::write(&path, new).unwrap();
                log.push(format!("{n}: {} {what}", files[k]));
                undo.push((k, text));
                changed.push(files[k].clone());
            }
        }
        changed.sort();
        changed.dedup();
        let expected = clean(&options);
        if expected.is_ok() {
            undo.clear();
        }
        match live.rebuild(&changed) {
            Ok(Update::Full(built)) => served = built.files.into_iter().collect(),
            Ok(Update::Partial { files, .. }) => {
                partial += 1;
                assert!(
                    files.len() < served.len(),
                    "an incremental rebuild rendered every file"
                );
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
        let least = match *name {
            "taxonomies" | "taxonomies_languages" => 5,
            _ => 10,
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
        partial >= 5,
        "only {partial} of 30 rebuilds were incremental"
    );
}

/// Adding a translation, then retitling it (the source's `translations` and its switcher show
/// the title), then removing it: each rebuild equals a clean build (issue 18).
#[test]
fn adding_and_retitling_a_translation_rebuilds_like_a_clean_build() {
    let site = TestSite::fixture_with_default_theme("languages");
    let options = BuildOptions {
        root: site.root().to_path_buf(),
        ..Default::default()
    };
    let mut live = LiveBuild::new(options.clone());
    let mut served: BTreeMap<String, Vec<u8>> = match live.rebuild(&[]).unwrap() {
        Update::Full(built) => built.files.into_iter().collect(),
        Update::Partial { .. } => panic!("the first build must be a full one"),
    };
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
