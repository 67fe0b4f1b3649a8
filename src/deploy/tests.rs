//! The deploy stages over a folder target, with a target that fails at the Nth change: after
//! every failure no page on the target links to a missing file, and the next deploy completes.

use std::collections::BTreeMap;
use std::path::Path;

use super::folder::{self, Folder};
use super::manifest::MANIFEST_PATH;
use super::*;

/// A folder target whose `fail_at`-th change (put or remove, counting from 0) fails.
struct Failing {
    inner: Folder,
    changes: usize,
    fail_at: usize,
}

impl Remote for Failing {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>, DeployError> {
        self.inner.read(path)
    }
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), DeployError> {
        self.tick()?;
        self.inner.put(path, bytes)
    }
    fn remove(&mut self, path: &str) -> Result<(), DeployError> {
        self.tick()?;
        self.inner.remove(path)
    }
    fn finish(&mut self) -> Result<(), DeployError> {
        self.inner.finish()
    }
}

impl Failing {
    fn tick(&mut self) -> Result<(), DeployError> {
        let n = self.changes;
        self.changes += 1;
        if n == self.fail_at {
            Err(DeployError::new("connection lost", "deploy again"))
        } else {
            Ok(())
        }
    }
}

fn local(files: &[(&str, &str)]) -> LocalSite {
    let mut site = LocalSite::default();
    for (path, text) in files {
        let bytes = text.as_bytes().to_vec();
        site.files
            .insert(path.to_string(), (entry_of(&bytes), Source::Memory(bytes)));
    }
    site
}

fn deploy_to(remote: &mut dyn Remote, site: &LocalSite) -> Result<Plan, DeployError> {
    let old = read_manifest(remote)?;
    let plan = plan::plan(&site.entries(), old.as_ref());
    execute(remote, &plan, site, &mut |_| ControlFlow::Continue(()))?;
    Ok(plan)
}

/// Every file under `dir`, path → bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    out
}

/// The links of every page on the target that point at a missing file.
fn broken_links(dir: &Path) -> Vec<String> {
    let mut broken = Vec::new();
    for (path, bytes) in files(dir) {
        if !path.ends_with(".html") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        for attr in ["href=\"", "src=\""] {
            for part in text.split(attr).skip(1) {
                let link = part.split('"').next().unwrap_or_default();
                let page_dir = Path::new(&path).parent().unwrap_or(Path::new(""));
                let mut target = dir.join(page_dir).join(link);
                if link.ends_with('/') || link.is_empty() {
                    target = target.join("index.html");
                }
                if !target.is_file() {
                    broken.push(format!("{path} -> {link}"));
                }
            }
        }
    }
    broken
}

fn v1() -> LocalSite {
    local(&[
        (
            "index.html",
            r#"<link href="css/a.css"><a href="about/">About</a>"#,
        ),
        (
            "about/index.html",
            r#"<link href="../css/a.css"><img src="../img/x.png">"#,
        ),
        ("css/a.css", "body{}"),
        ("img/x.png", "png"),
        ("sitemap.xml", "<urlset>index about</urlset>"),
    ])
}

/// The next version: a new stylesheet and page, `about/` gone, the home page changed.
fn v2() -> LocalSite {
    local(&[
        (
            "index.html",
            r#"<link href="css/b.css"><a href="new/">New</a>"#,
        ),
        (
            "new/index.html",
            r#"<link href="../css/b.css"><img src="../img/y.png">"#,
        ),
        ("css/b.css", "body{color:red}"),
        ("img/y.png", "png2"),
        ("sitemap.xml", "<urlset>index new</urlset>"),
    ])
}

fn same_as(dir: &Path, site: &LocalSite, hand: &[&str]) {
    let mut on_target = files(dir);
    assert!(on_target.remove(MANIFEST_PATH).is_some());
    for h in hand {
        assert!(on_target.remove(*h).is_some(), "{h} was removed");
    }
    let expected: BTreeMap<String, Vec<u8>> = site
        .files
        .keys()
        .map(|p| (p.clone(), site.bytes(p).unwrap()))
        .collect();
    assert_eq!(on_target, expected);
}

#[test]
fn an_interrupted_deploy_never_breaks_a_page_and_the_next_one_finishes() {
    let mut n = 0;
    loop {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".htaccess"), "hand").unwrap();
        let mut target = folder::connect(dir.path()).unwrap();
        deploy_to(&mut target, &v1()).unwrap();
        same_as(dir.path(), &v1(), &[".htaccess"]);
        let mut failing = Failing {
            inner: folder::connect(dir.path()).unwrap(),
            changes: 0,
            fail_at: n,
        };
        let failed = deploy_to(&mut failing, &v2()).is_err();
        assert_eq!(
            broken_links(dir.path()),
            Vec::<String>::new(),
            "failure at change {n}"
        );
        // Twice interrupted: fail again at the first change of the second try.
        let mut again = Failing {
            inner: folder::connect(dir.path()).unwrap(),
            changes: 0,
            fail_at: n % 3,
        };
        let _ = deploy_to(&mut again, &v2());
        assert_eq!(
            broken_links(dir.path()),
            Vec::<String>::new(),
            "failure at change {n}"
        );
        let mut target = folder::connect(dir.path()).unwrap();
        deploy_to(&mut target, &v2()).unwrap();
        same_as(dir.path(), &v2(), &[".htaccess"]);
        // A deploy after the finished one has nothing to do.
        let plan = deploy_to(&mut target, &v2()).unwrap();
        assert!(plan.is_empty(), "after failure at change {n}: {plan:?}");
        if !failed {
            break;
        }
        n += 1;
    }
    // Early manifest, 5 uploads, manifest, 3 removals, manifest: every point was cut.
    assert_eq!(n, 11);
}

#[test]
fn first_deploy_into_a_folder_with_files_keeps_them_and_later_removes_only_its_own() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("other-app")).unwrap();
    std::fs::write(dir.path().join("other-app/x.html"), "mine").unwrap();
    std::fs::create_dir_all(dir.path().join("about")).unwrap();
    std::fs::write(dir.path().join("about/old.html"), "mine too").unwrap();
    let mut target = folder::connect(dir.path()).unwrap();
    let plan = deploy_to(&mut target, &v1()).unwrap();
    assert!(plan.first && plan.removals.is_empty());
    let plan = deploy_to(&mut target, &v2()).unwrap();
    assert_eq!(
        plan.removals,
        ["about/index.html", "css/a.css", "img/x.png"]
    );
    same_as(dir.path(), &v2(), &["other-app/x.html", "about/old.html"]);
}

#[test]
fn a_damaged_manifest_stops_the_deploy_before_any_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut target = folder::connect(dir.path()).unwrap();
    deploy_to(&mut target, &v1()).unwrap();
    std::fs::write(dir.path().join(MANIFEST_PATH), "{ broken").unwrap();
    let before = files(dir.path());
    let e = deploy_to(&mut target, &v2()).unwrap_err();
    assert!(e.message.contains("cannot be read"), "{e:?}");
    assert_eq!(files(dir.path()), before);
}

#[test]
fn summary_line_and_sizes() {
    assert_eq!(human_size(999), "999 B");
    assert_eq!(human_size(42_400), "42 KB");
    assert_eq!(human_size(3_400_000), "3.4 MB");
    assert_eq!(human_duration(Duration::from_millis(40)), "40 ms");
    assert_eq!(human_duration(Duration::from_millis(999)), "999 ms");
    assert_eq!(human_duration(Duration::from_millis(2100)), "2.1 s");
    let plan = plan::plan(&v1().entries(), None);
    let report = DeployReport {
        target: "t".into(),
        plan,
        dry_run: false,
        elapsed: Duration::from_millis(2100),
        warnings: vec![],
        forced: vec![],
        verified: None,
    };
    assert_eq!(
        report.summary_line(),
        "uploaded 5 files (136 B), removed 0, 0 unchanged, in 2.1 s"
    );
}

#[test]
fn progress_bar_follows_the_bytes_and_fits_the_terminal() {
    let p = Progress {
        done: 11,
        total: 40,
        bytes_done: 600_000,
        bytes_total: 1_200_000,
        path: "blog/2024/a-long-page-name/index.html",
    };
    assert_eq!(
        p.bar(100),
        "[##########··········] 12/40 files, 600 KB of 1.2 MB  blog/2024/a-long-page-name/index.html"
    );
    let narrow = p.bar(72);
    assert_eq!(narrow.chars().count(), 72, "{narrow}");
    assert!(narrow.ends_with("MB  …e-name/index.html"), "{narrow}");
    assert_eq!(
        p.bar(60),
        "[##########··········] 12/40 files, 600 KB of 1.2 MB",
        "no room for the path"
    );
    let tiny = p.bar(30);
    assert_eq!(tiny.chars().count(), 30, "{tiny}");
    let empty = Progress {
        done: 0,
        total: 2,
        bytes_done: 0,
        bytes_total: 0,
        path: "a",
    };
    assert!(
        empty
            .bar(80)
            .starts_with("[····················] 1/2 files, 0 B of 0 B")
    );
}
