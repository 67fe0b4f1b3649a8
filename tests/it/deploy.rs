//! `stillpoint deploy` to a folder and to a git branch (`git+file://`), with the real binary:
//! the target equals the build, a second deploy sends only what changed, a renamed page's old
//! files go, files put on the target by hand stay, `--dry-run` changes nothing, and the errors
//! are plain.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::support::{Run, TestSite, copy_tree, file_tree};

const MANIFEST: &str = ".stillpoint-deploy.json";

/// The studio site (the repository's own content) in a temporary folder.
pub(crate) fn studio_site() -> TestSite {
    let site = TestSite::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["content", "data", "static", "themes"] {
        if repo.join(dir).is_dir() {
            copy_tree(&repo.join(dir), &site.path(dir));
        }
    }
    fs::copy(repo.join("config.yaml"), site.path("config.yaml")).unwrap();
    site
}

/// A small site that is ready to publish, with a stylesheet and two pages.
pub(crate) fn small_site() -> TestSite {
    let site = TestSite::fixture("minimal");
    site.file("static/css/site.css", "body { margin: 0 }\n")
        .file(
            "config.yaml",
            "title: \"Minimal site\"\nbase_url: \"https://studio.org\"\n",
        );
    site
}

/// `stillpoint deploy --root SITE --no-verify ARGS…`.
pub(crate) fn deploy(site: &TestSite, args: &[&str]) -> Run {
    let mut all = vec![
        "deploy",
        "--root",
        site.root().to_str().unwrap(),
        "--no-verify",
    ];
    all.extend_from_slice(args);
    site.run(&all)
}

/// An empty folder beside the site, as a target.
fn target_dir(site: &TestSite, name: &str) -> PathBuf {
    let dir = site.root().parent().unwrap().join(name);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// `public/` after `stillpoint build`.
pub(crate) fn built(site: &TestSite) -> BTreeMap<String, Vec<u8>> {
    site.build().success();
    let mut files = file_tree(&site.path("public"));
    // The mark `build` leaves in its own output folder.
    files.remove(".stillpoint-output");
    files
}

/// The target's files without the manifest and the given hand-placed files.
pub(crate) fn deployed(dir: &Path, hand: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let mut files = file_tree(dir);
    assert!(
        files.remove(MANIFEST).is_some(),
        "no manifest in {}",
        dir.display()
    );
    for h in hand {
        assert!(files.remove(*h).is_some(), "{h} did not survive");
    }
    files
}

fn mtimes(dir: &Path) -> BTreeMap<String, SystemTime> {
    file_tree(dir)
        .keys()
        .map(|k| {
            (
                k.clone(),
                fs::metadata(dir.join(k)).unwrap().modified().unwrap(),
            )
        })
        .collect()
}

/// The number in `uploaded N files`, `removed N` and `N unchanged` of the summary line.
pub(crate) fn counts(run: &Run) -> (usize, usize, usize) {
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("uploaded ") || l.starts_with("would upload "))
        .unwrap_or_else(|| panic!("no summary line:\n{}", run.stderr));
    let words: Vec<&str> = line.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let i = words.iter().position(|x| *x == "unchanged").unwrap();
    let unchanged = words[i - 1].parse::<usize>().unwrap();
    (
        after_or(&words, "uploaded") + after_or(&words, "upload"),
        after_or(&words, "removed") + after_or(&words, "remove"),
        unchanged,
    )
}

fn after_or(words: &[&str], w: &str) -> usize {
    words
        .iter()
        .position(|x| *x == w)
        .and_then(|i| words[i + 1].parse().ok())
        .unwrap_or(0)
}

fn hand_placed(dir: &Path) {
    fs::write(dir.join(".htaccess"), "Options -Indexes\n").unwrap();
    fs::create_dir_all(dir.join("other-app")).unwrap();
    fs::write(dir.join("other-app/x.html"), "<p>another app</p>\n").unwrap();
}

const HAND: &[&str] = &[".htaccess", "other-app/x.html"];

/// The files that differ (or exist on one side only) between two builds.
fn differing(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> (usize, usize) {
    let changed = b.iter().filter(|(k, v)| a.get(*k) != Some(*v)).count();
    let removed = a.keys().filter(|k| !b.contains_key(*k)).count();
    (changed, removed)
}

#[test]
fn studio_site_to_a_folder_equals_the_build_and_a_page_edit_sends_only_what_changed() {
    let site = studio_site();
    let target = target_dir(&site, "usb");
    hand_placed(&target);
    let run = deploy(&site, &["--target", target.to_str().unwrap(), "--force"]);
    run.success()
        .stderr_has("first deploy")
        .stderr_has("deployed anyway because of --force");
    let first = built(&site);
    assert_eq!(counts(&run), (first.len(), 0, 0));
    assert_eq!(deployed(&target, HAND), first);

    // One page edited: only the files whose bytes changed are sent; the rest keep their times.
    let before = mtimes(&target);
    let page = site.path("content/about.md");
    let text = fs::read_to_string(&page).unwrap();
    fs::write(
        &page,
        format!("{text}\nOne more sentence about the studio.\n"),
    )
    .unwrap();
    let second = built(&site);
    let (changed, removed) = differing(&first, &second);
    assert!(changed >= 1 && removed == 0, "{changed} {removed}");
    let run = deploy(&site, &["--target", target.to_str().unwrap(), "--force"]);
    run.success();
    assert_eq!(counts(&run), (changed, 0, second.len() - changed));
    assert_eq!(deployed(&target, HAND), second);
    let after = mtimes(&target);
    for (path, bytes) in &second {
        if first.get(path) == Some(bytes) {
            assert_eq!(before[path], after[path], "{path} was sent again");
        }
    }
    for h in HAND {
        assert_eq!(before[*h], after[*h]);
    }
}

#[test]
fn renamed_page_old_files_go_and_hand_placed_files_stay() {
    let site = small_site();
    let target = target_dir(&site, "share");
    let t = target.to_str().unwrap().to_string();
    deploy(&site, &["--target", &t]).success();
    hand_placed(&target);
    assert!(target.join("about/index.html").is_file());
    let text = fs::read_to_string(site.path("content/about.md")).unwrap();
    site.remove("content/about.md")
        .file("content/about-us.md", &text);
    let run = deploy(&site, &["--target", &t]);
    run.success();
    let (_, removed, _) = counts(&run);
    assert_eq!(removed, 1, "{}", run.stderr);
    assert!(
        !target.join("about").exists(),
        "the old page's folder stays"
    );
    assert_eq!(deployed(&target, HAND), built(&site));
    // Nothing changed: nothing sent.
    let run = deploy(&site, &["--target", &t]);
    run.success();
    assert_eq!(counts(&run).0, 0);
}

#[test]
fn dry_run_lists_with_sizes_and_changes_nothing() {
    let site = small_site();
    let target = target_dir(&site, "dry");
    let t = target.to_str().unwrap().to_string();
    // From config.yaml's `deploy: target:` this time (relative to the site's root).
    site.file(
        "config.yaml",
        "title: \"Minimal site\"\nbase_url: \"https://studio.org\"\ndeploy:\n  target: \"../dry\"\n",
    );
    let run = deploy(&site, &["--dry-run"]);
    run.success()
        .stderr_has("(dry run)")
        .stderr_has("  upload  css/site.css (new, 19 B)")
        .stderr_has("would upload");
    assert!(file_tree(&target).is_empty());
    deploy(&site, &[]).success();
    hand_placed(&target);
    site.remove("content/about.md")
        .file("content/new.md", "---\ntitle: New\n---\nNew page.\n");
    let (listing, times) = (file_tree(&target), mtimes(&target));
    let run = deploy(&site, &["--target", &t, "--dry-run"]);
    run.success()
        .stderr_has("  remove  about/index.html")
        .stderr_has("  upload  new/index.html (new, ");
    assert_eq!(file_tree(&target), listing);
    assert_eq!(mtimes(&target), times);
}

#[test]
fn missing_folder_damaged_manifest_and_not_ready_site_are_plain_errors() {
    let site = small_site();
    let missing = site.root().parent().unwrap().join("not-there");
    deploy(&site, &["--target", missing.to_str().unwrap()])
        .code(1)
        .stderr_has("does not exist")
        .stderr_has("create the folder");
    assert!(!missing.exists());

    let target = target_dir(&site, "t");
    let t = target.to_str().unwrap().to_string();
    deploy(&site, &["--target", &t]).success();
    fs::write(target.join(MANIFEST), "{\"version\": 1, \"files\": [oops").unwrap();
    site.remove("content/about.md");
    let listing = file_tree(&target);
    deploy(&site, &["--target", &t])
        .code(1)
        .stderr_has("cannot be read")
        .stderr_has("delete it");
    assert_eq!(file_tree(&target), listing);

    // The studio site still has placeholders: refused, listing them, unless --force.
    let studio = studio_site();
    let target = target_dir(&studio, "studio");
    let run = deploy(&studio, &["--target", target.to_str().unwrap()]);
    run.code(1)
        .stderr_has("not ready to publish")
        .stderr_has("--force")
        .stderr_has("config.yaml:");
    assert!(file_tree(&target).is_empty());

    // No target anywhere.
    deploy(&site, &[]).code(1).stderr_has("no deploy target");
}

#[test]
fn permission_denied_is_a_plain_error_and_removes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let site = small_site();
    let target = target_dir(&site, "locked");
    let t = target.to_str().unwrap().to_string();
    deploy(&site, &["--target", &t]).success();
    site.file("content/extra.md", "---\ntitle: Extra\n---\nMore.\n");
    fs::set_permissions(&target, fs::Permissions::from_mode(0o555)).unwrap();
    let probe = target.join(".probe");
    if fs::write(&probe, "x").is_ok() {
        let _ = fs::remove_file(&probe);
        fs::set_permissions(&target, fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: running as root, where a read-only folder can still be written");
        return;
    }
    let listing = file_tree(&target);
    let run = deploy(&site, &["--target", &t]);
    fs::set_permissions(&target, fs::Permissions::from_mode(0o755)).unwrap();
    run.code(1)
        .stderr_has("Permission denied")
        .stderr_has("permissions");
    assert_eq!(file_tree(&target), listing);
    deploy(&site, &["--target", &t]).success();
}

#[test]
fn passwords_in_config_or_target_are_refused_with_where_they_go() {
    let site = small_site();
    site.file(
        "config.yaml",
        "title: \"Minimal site\"\nbase_url: \"https://studio.org\"\ndeploy:\n  target: \"sftp://me@host/www\"\n  password: \"hunter2\"\n",
    );
    deploy(&site, &[])
        .code(1)
        .stderr_has("config.yaml:5:")
        .stderr_has("STILLPOINT_DEPLOY_PASSWORD");
    site.file(
        "config.yaml",
        "title: \"Minimal site\"\nbase_url: \"https://studio.org\"\ndeploy:\n  target: \"sftp://me:hunter2@host/www\"\n",
    );
    deploy(&site, &[])
        .code(1)
        .stderr_has("config.yaml:4:")
        .stderr_has("STILLPOINT_DEPLOY_PASSWORD");
    deploy(&site, &["--target", "ftp://me:pw@host/www"])
        .code(1)
        .stderr_has("STILLPOINT_DEPLOY_PASSWORD");
    // The help's example uses the target's own scheme.
    site.file(
        "config.yaml",
        "title: \"Minimal site\"\nbase_url: \"https://studio.org\"\ndeploy:\n  target: \"ftps://me:hunter2@host/www\"\n",
    );
    deploy(&site, &[])
        .code(1)
        .stderr_has("`ftps://user@host/folder`");
    site.file(
        "config.yaml",
        "title: \"Minimal site\"\nbase_url: \"https://studio.org\"\n",
    );
    deploy(&site, &["--target", "ftp://me:pw@host/www"])
        .code(1)
        .stderr_has("`ftp://user@host/folder`")
        .stderr_lacks("sftp://");
}

// ---------------------------------------------------------------------------------------------
// git+file://

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Owner")
        .env("GIT_AUTHOR_EMAIL", "owner@studio.org")
        .env("GIT_COMMITTER_NAME", "Owner")
        .env("GIT_COMMITTER_EMAIL", "owner@studio.org")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn has_git() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The files of `branch` in the bare repository `repo`: path → bytes.
pub(crate) fn branch_tree(repo: &Path, branch: &str) -> BTreeMap<String, Vec<u8>> {
    let names = git(repo, &["ls-tree", "-r", "--name-only", "-z", branch]);
    names
        .split('\0')
        .filter(|n| !n.is_empty())
        .map(|n| {
            let out = Command::new("git")
                .args(["show", &format!("{branch}:{n}")])
                .current_dir(repo)
                .output()
                .unwrap();
            (n.to_string(), out.stdout)
        })
        .collect()
}

#[test]
fn git_branch_target_gets_the_site_as_its_tree_and_no_change_makes_no_commit() {
    if !has_git() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let site = studio_site();
    let repo = target_dir(&site, "pages.git");
    git(&repo, &["init", "--bare", "-q"]);
    let url = format!("git+file://{}#gh-pages", repo.display());
    let notes = "---\ntitle: Notes\ndescription: Notes from the studio.\n---\nSome notes.\n";
    site.file("content/notes.md", notes);
    deploy(&site, &["--target", &url, "--force"]).success();
    let first = built(&site);
    let mut tree = branch_tree(&repo, "gh-pages");
    assert!(tree.remove(MANIFEST).is_some());
    assert_eq!(tree, first);
    let head = git(&repo, &["rev-parse", "gh-pages"]);

    // Nothing changed: no commit.
    deploy(&site, &["--target", &url, "--force"]).success();
    assert_eq!(git(&repo, &["rev-parse", "gh-pages"]), head);

    // A CNAME committed to the branch by hand stays; a renamed page's old files go.
    let work = target_dir(&site, "work");
    git(
        &work,
        &["clone", "-q", "-b", "gh-pages", repo.to_str().unwrap(), "."],
    );
    fs::write(work.join("CNAME"), "studio.org\n").unwrap();
    git(&work, &["add", "CNAME"]);
    git(&work, &["commit", "-q", "-m", "CNAME"]);
    git(&work, &["push", "-q", "origin", "gh-pages"]);
    site.remove("content/notes.md")
        .file("content/studio-notes.md", notes);
    let run = deploy(&site, &["--target", &url, "--force"]);
    run.success();
    let second = built(&site);
    let mut tree = branch_tree(&repo, "gh-pages");
    assert!(tree.remove(MANIFEST).is_some());
    assert_eq!(tree.remove("CNAME").as_deref(), Some(&b"studio.org\n"[..]));
    assert_eq!(tree, second);
    assert!(counts(&run).1 >= 1, "{}", run.stderr);
    assert!(!tree.contains_key("notes/index.html"));
    // One new commit on top of the owner's.
    let log = git(&repo, &["log", "--format=%s", "gh-pages"]);
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        ["Deploy by stillpoint", "CNAME", "Deploy by stillpoint"]
    );
}

/// A deploy into the branch that holds the site's source (a bare clone of the site's own
/// repository) is refused before anything is pushed: the branch's tree has a config.yaml
/// beside content/, or it is the branch the site's folder is checked out on.
#[test]
fn a_git_deploy_into_the_branch_of_the_source_is_refused() {
    if !has_git() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let site = small_site();
    let root = site.root();
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "the site"]);
    let bare = target_dir(&site, "src.git");
    git(
        &bare,
        &["clone", "-q", "--bare", root.to_str().unwrap(), "."],
    );
    let head = git(&bare, &["rev-parse", "main"]);
    let url = format!("git+file://{}#main", bare.display());
    for extra in [&[][..], &["--dry-run"][..]] {
        let mut args = vec!["--target", url.as_str()];
        args.extend_from_slice(extra);
        deploy(&site, &args)
            .code(1)
            .stderr_has("the branch main of")
            .stderr_has("holds this site's source (it has a config.yaml beside content/)")
            .stderr_has("such as gh-pages");
        assert_eq!(git(&bare, &["rev-parse", "main"]), head);
    }

    // The site in a folder of the repository is found too.
    let nested = target_dir(&site, "nested");
    git(&nested, &["init", "-q", "-b", "main"]);
    copy_tree(root, &nested.join("www"));
    fs::remove_dir_all(nested.join("www/.git")).unwrap();
    git(&nested, &["add", "."]);
    git(&nested, &["commit", "-q", "-m", "the site in www/"]);
    let nested_bare = target_dir(&site, "nested.git");
    git(
        &nested_bare,
        &["clone", "-q", "--bare", nested.to_str().unwrap(), "."],
    );
    let url = format!("git+file://{}#main", nested_bare.display());
    deploy(&site, &["--target", &url])
        .code(1)
        .stderr_has("holds this site's source");

    // A branch without the site's files, but the one the site is checked out on: refused.
    git(root, &["checkout", "-q", "-b", "notes"]);
    git(root, &["rm", "-q", "-r", "--cached", "."]);
    fs::write(root.join("notes.txt"), "notes\n").unwrap();
    git(root, &["add", "notes.txt"]);
    git(root, &["commit", "-q", "-m", "notes only"]);
    git(root, &["push", "-q", bare.to_str().unwrap(), "notes"]);
    let notes = git(&bare, &["rev-parse", "notes"]);
    let url = format!("git+file://{}#notes", bare.display());
    deploy(&site, &["--target", &url, "--force"])
        .code(1)
        .stderr_has("it is the branch this site's folder is checked out on");
    assert_eq!(git(&bare, &["rev-parse", "notes"]), notes);

    // A branch of its own in the same repository is fine.
    let url = format!("git+file://{}#gh-pages", bare.display());
    deploy(&site, &["--target", &url, "--force"]).success();
    assert!(branch_tree(&bare, "gh-pages").contains_key("index.html"));
}

/// The links of every page under `dir` that point inside the site at a missing file (`/` is
/// the folder's top).
pub(crate) fn broken_links(dir: &Path) -> Vec<String> {
    let mut broken = Vec::new();
    for (path, bytes) in file_tree(dir) {
        if !path.ends_with(".html") {
            continue;
        }
        let page_dir = Path::new(&path).parent().unwrap().to_path_buf();
        for link in crate::support::links(&String::from_utf8_lossy(&bytes)) {
            let link = link
                .split(['#', '?'])
                .next()
                .unwrap_or_default()
                .to_string();
            if link.contains("://") || link.starts_with("mailto:") || link.starts_with("tel:") {
                continue;
            }
            let mut target = match link.strip_prefix('/') {
                Some(rest) => dir.join(rest),
                None => dir.join(&page_dir).join(&link),
            };
            if link.is_empty() || link.ends_with('/') || target.is_dir() {
                target = target.join("index.html");
            }
            if !target.is_file() {
                broken.push(format!("{path} -> {link}"));
            }
        }
    }
    broken
}

/// The small site whose pages use a stylesheet: the first version of the interrupted deploys.
pub(crate) fn cut_site() -> TestSite {
    let site = small_site();
    site.file(
        "templates/page.html",
        &crate::support::PAGE_HTML.replace(
            "<head>",
            "<head><link rel=\"stylesheet\" href=\"../css/site.css\">",
        ),
    );
    site
}

/// The next version of [`cut_site`]: a new stylesheet used by every page, two new pages listed
/// on the home page, `about/` gone.
pub(crate) fn cut_site_next(site: &TestSite) {
    site.file("static/css/new.css", "p { color: teal }\n")
        .file(
            "templates/page.html",
            &crate::support::PAGE_HTML.replace(
                "<head>",
                "<head><link rel=\"stylesheet\" href=\"../css/new.css\">",
            ),
        )
        .file("content/new.md", "---\ntitle: New\n---\nNew page.\n")
        .file("content/zz.md", "---\ntitle: Last\n---\nLast page.\n")
        .remove("content/about.md");
}

/// A deploy stopped by a file it cannot write (a folder where its temporary file goes, which
/// works as root too and which the check before uploading does not see), at several points: no page on the target links to a missing file, and the next
/// deploy completes.
#[test]
fn an_interrupted_deploy_leaves_no_broken_page_and_the_next_one_finishes() {
    for blocked in ["css/new.css", "new/index.html", "zz/index.html"] {
        let site = cut_site();
        let target = target_dir(&site, "cut");
        let t = target.to_str().unwrap().to_string();
        deploy(&site, &["--target", &t]).success();
        assert_eq!(broken_links(&target), Vec::<String>::new());
        // The crawler sees a missing stylesheet.
        let css = fs::read(target.join("css/site.css")).unwrap();
        fs::remove_file(target.join("css/site.css")).unwrap();
        assert_eq!(
            broken_links(&target),
            ["about/index.html -> ../css/site.css"]
        );
        fs::write(target.join("css/site.css"), css).unwrap();
        cut_site_next(&site);
        let (dir, name) = blocked.rsplit_once('/').unwrap();
        let blocker = target.join(dir).join(format!(".{name}.stillpoint-tmp"));
        fs::create_dir_all(blocker.join("in-the-way")).unwrap();
        deploy(&site, &["--target", &t])
            .code(1)
            .stderr_has("could not write");
        fs::remove_dir_all(&blocker).unwrap();
        assert_eq!(
            broken_links(&target),
            Vec::<String>::new(),
            "cut at {blocked}"
        );
        deploy(&site, &["--target", &t]).success();
        assert_eq!(deployed(&target, &[]), built(&site), "cut at {blocked}");
        assert_eq!(broken_links(&target), Vec::<String>::new());
    }
}

#[test]
fn a_target_that_is_the_site_inside_it_or_around_it_is_refused() {
    let site = small_site();
    let before = file_tree(site.root());
    let parent = site.root().parent().unwrap().to_str().unwrap().to_string();
    for bad in ["", ".", "content", "public", "static/new", &parent] {
        let run = site.run_in(
            site.root(),
            &["deploy", "--no-verify", "--force", "--target", bad],
        );
        run.code(1).stderr_has("deploy target");
        if !bad.is_empty() {
            run.stderr_has("overwrite the site's own files")
                .stderr_has("outside the site's folder");
        }
        assert_eq!(file_tree(site.root()), before, "target `{bad}`");
    }
}

/// A file where the site needs a folder and a folder where it needs a file: both are named in
/// the one error, before anything is sent.
#[test]
fn a_file_in_the_way_of_a_site_folder_is_named_before_anything_is_sent() {
    let site = small_site();
    let target = target_dir(&site, "in-the-way");
    let t = target.to_str().unwrap().to_string();
    fs::write(target.join("about"), "the owner's own notes").unwrap();
    fs::create_dir_all(target.join("robots.txt/old")).unwrap();
    fs::write(target.join("robots.txt/old/x.txt"), "mine").unwrap();
    let listing = file_tree(&target);
    let run = deploy(&site, &["--target", &t]);
    run.code(1)
        .stderr_has("2 things in the deploy target")
        .stderr_has("about in the deploy target is a file")
        .stderr_has("robots.txt in the deploy target is a folder")
        .stderr_has("move or delete")
        .stderr_lacks("carries on")
        .stderr_lacks("os error");
    assert_eq!(file_tree(&target), listing, "something was sent");
    fs::remove_file(target.join("about")).unwrap();
    fs::remove_dir_all(target.join("robots.txt")).unwrap();
    deploy(&site, &["--target", &t]).success();
}

#[cfg(unix)]
#[test]
fn a_link_in_the_target_leading_outside_is_not_written_through() {
    let site = small_site();
    let target = target_dir(&site, "linked");
    let outside = target_dir(&site, "elsewhere");
    std::os::unix::fs::symlink(&outside, target.join("about")).unwrap();
    deploy(&site, &["--target", target.to_str().unwrap()])
        .code(1)
        .stderr_has("outside the target");
    assert!(file_tree(&outside).is_empty());
}

#[test]
fn forced_dry_run_and_a_failed_verify_read_right() {
    let site = small_site();
    site.file(
        "config.yaml",
        "title: \"Minimal site\"\nbase_url: \"https://example.com\"\n",
    );
    let target = target_dir(&site, "words");
    let t = target.to_str().unwrap().to_string();
    deploy(&site, &["--target", &t, "--force", "--dry-run"])
        .success()
        .stderr_has("(1 thing left to do;")
        .stderr_has("would be deployed anyway because of --force")
        .stderr_lacks(", deployed anyway");
    assert!(file_tree(&target).is_empty());
    // Nobody listens at the site's address: a warning, and the deploy still succeeds.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    site.file(
        "config.yaml",
        &format!("title: \"Minimal site\"\nbase_url: \"http://127.0.0.1:{port}\"\n"),
    );
    let root = site.root().to_str().unwrap();
    site.run(&["deploy", "--root", root, "--target", &t, "--force"])
        .success()
        .stderr_has("warning: could not verify");
}

/// A file deleted or changed (in size) on the host by hand is sent again by the next deploy
/// of a folder target, without `--full`; `--full` sends everything again.
#[test]
fn a_file_deleted_or_changed_on_the_host_by_hand_is_sent_again() {
    let site = small_site();
    let target = target_dir(&site, "full");
    let t = target.to_str().unwrap().to_string();
    deploy(&site, &["--target", &t]).success();
    hand_placed(&target);
    let n = built(&site).len();
    fs::remove_file(target.join("css/site.css")).unwrap();
    fs::write(target.join("index.html"), "<p>edited on the host</p>").unwrap();
    let run = deploy(&site, &["--target", &t, "--dry-run"]);
    run.success()
        .stderr_has("upload  css/site.css (changed")
        .stderr_has("upload  index.html (changed");
    let run = deploy(&site, &["--target", &t]);
    run.success();
    assert_eq!(counts(&run), (2, 0, n - 2), "{}", run.stderr);
    assert_eq!(deployed(&target, HAND), built(&site));
    let run = deploy(&site, &["--target", &t]);
    assert_eq!(counts(&run), (0, 0, n), "{}", run.stderr);
    let run = deploy(&site, &["--target", &t, "--full"]);
    run.success();
    assert_eq!(counts(&run), (n, 0, 0), "{}", run.stderr);
    assert_eq!(deployed(&target, HAND), built(&site));
}

/// On a git branch, a file deleted by hand (a commit of its own) is sent again.
#[test]
fn a_file_deleted_by_hand_on_a_git_branch_is_sent_again() {
    if !has_git() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let site = small_site();
    let repo = target_dir(&site, "pages.git");
    git(&repo, &["init", "--bare", "-q"]);
    let target = format!("git+file://{}", repo.display());
    deploy(&site, &["--target", &target]).success();
    let work = target_dir(&site, "work");
    git(
        &work,
        &["clone", "-q", "-b", "gh-pages", repo.to_str().unwrap(), "."],
    );
    git(&work, &["rm", "-q", "css/site.css"]);
    git(&work, &["commit", "-q", "-m", "by hand"]);
    git(&work, &["push", "-q", "origin", "gh-pages"]);
    let run = deploy(&site, &["--target", &target]);
    run.success();
    assert_eq!(counts(&run).0, 1, "{}", run.stderr);
    let mut tree = branch_tree(&repo, "gh-pages");
    assert!(tree.remove(MANIFEST).is_some());
    assert_eq!(tree, built(&site));
}

/// Off a terminal there is no progress bar: one summary line, in the issue's form.
#[test]
fn off_a_terminal_the_deploy_prints_one_summary_line() {
    let site = small_site();
    let target = target_dir(&site, "summary");
    let run = deploy(&site, &["--target", target.to_str().unwrap()]);
    run.success();
    assert!(!run.stderr.contains('\r'), "{:?}", run.stderr);
    assert!(
        !run.stderr.contains("[#") && !run.stderr.contains("·"),
        "{}",
        run.stderr
    );
    let summaries: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("uploaded "))
        .collect();
    assert_eq!(summaries.len(), 1, "{}", run.stderr);
    let n = built(&site).len();
    let line = summaries[0];
    let prefix = format!("uploaded {n} files (");
    assert!(line.starts_with(&prefix), "{line}");
    let rest = line.split_once("), ").unwrap().1;
    assert!(rest.starts_with("removed 0, 0 unchanged, in "), "{line}");
    assert!(line.ends_with(" ms") || line.ends_with(" s"), "{line}");
}

/// Ctrl-C (a real SIGINT to the binary) during a git deploy: the deploy stops with exit code
/// 130 and a plain message, nothing is pushed, no temporary repository is left in the
/// temporary folder; the next deploy completes.
#[test]
fn ctrl_c_during_a_git_deploy_leaves_no_temporary_clone() {
    if !has_git() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let site = small_site();
    // Enough files that the uploads (one `git hash-object` each) last a while.
    for i in 0..1500 {
        site.file(&format!("static/files/f{i}.txt"), &format!("file {i}\n"));
    }
    let repo = target_dir(&site, "pages.git");
    git(&repo, &["init", "--bare", "-q"]);
    let tmp = target_dir(&site, "tmp");
    let target = format!("git+file://{}", repo.display());
    let root = site.root().to_str().unwrap().to_owned();
    let child = Command::new(assert_cmd::cargo::cargo_bin!("stillpoint"))
        .args([
            "deploy",
            "--root",
            &root,
            "--no-verify",
            "--target",
            &target,
        ])
        .env("TMPDIR", &tmp)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let clone_made = || {
        fs::read_dir(&tmp).unwrap().flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("stillpoint-deploy-")
        })
    };
    let mut waited = 0;
    while !clone_made() {
        assert!(waited < 24_000, "no temporary repository was made");
        std::thread::sleep(std::time::Duration::from_millis(5));
        waited += 1;
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("was stopped before it was complete"),
        "{stderr}"
    );
    let left: Vec<_> = fs::read_dir(&tmp).unwrap().flatten().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(git(&repo, &["branch", "--list"]), "", "nothing was pushed");

    deploy(&site, &["--target", &target]).success();
    let mut tree = branch_tree(&repo, "gh-pages");
    assert!(tree.remove(MANIFEST).is_some());
    assert_eq!(tree, built(&site));
}
