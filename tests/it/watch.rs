//! `stillpoint watch`: the real binary in the background on a copy of `tests/fixtures/live`,
//! edited the ways editors and tools save files. Every save must give the new text in
//! `public/` and exactly one rebuild line; editor junk must give neither output nor rebuilds;
//! a bad save keeps the last good site; a random sequence of edits must end with exactly the
//! site a clean build gives (handed cases 15 and 17).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::live::{
    BIN, CHANGE_TIMEOUT, LiveSite, QUIET, Running, START_TIMEOUT, is_build_line, page, wait_for,
};
use crate::support::{SplitMix, copy_tree, seed};

/// Starts `stillpoint watch` on `site` (extra `args`, e.g. `--poll`) and waits for its first
/// build, which must succeed.
fn start_watch(site: &LiveSite, args: &[&str]) -> Running {
    let mut all = vec!["watch"];
    all.extend_from_slice(args);
    let w = site.spawn(&all);
    let (_, first) = w.wait_line(0, START_TIMEOUT, "the first build line", is_build_line);
    assert!(
        first.starts_with("Built ") && !first.contains("changed"),
        "first build line: {first}\n{}",
        w.transcript()
    );
    site.wait_until_watching(&w);
    w
}

/// Waits until `public/rel` contains `needle`; panics with the transcript if it does not
/// within [`CHANGE_TIMEOUT`].
fn wait_output(site: &LiveSite, w: &Running, rel: &str, needle: &str, what: &str) {
    let ok = wait_for(CHANGE_TIMEOUT, || {
        site.output(rel).is_some_and(|t| t.contains(needle))
    });
    assert!(
        ok,
        "{what}: public/{rel} does not contain {needle:?} after {CHANGE_TIMEOUT:?}; it holds:\n{}\n{}",
        site.output(rel).unwrap_or_else(|| "(no such file)".into()),
        w.transcript()
    );
}

/// After a save done since `mark`: the output shows `needle`, and exactly one rebuild line,
/// naming `changed` and successful, was printed (checked again after a quiet moment, so a
/// second rebuild of the same save would be seen).
fn expect_one_rebuild(
    site: &LiveSite,
    w: &Running,
    mark: usize,
    changed: &str,
    rel: &str,
    needle: &str,
    what: &str,
) {
    let line = w.wait_rebuild(mark, what);
    wait_output(site, w, rel, needle, what);
    std::thread::sleep(Duration::from_millis(500));
    let lines = w.rebuilds_since(mark);
    assert_eq!(
        lines.len(),
        1,
        "{what}: expected exactly one rebuild line, got {lines:#?}\n{}",
        w.transcript()
    );
    assert!(
        line.starts_with(&format!("{changed} changed: rebuilt ")),
        "{what}: rebuild line {line:?} should start with `{changed} changed: rebuilt `\n{}",
        w.transcript()
    );
}

fn faq(text: &str) -> String {
    page("FAQ", &format!("{text} text."))
}

/// Vim's save: move the original aside to `NAME~`, write a new file, delete the backup.
fn vim_save(path: &Path, text: &str) {
    let mut backup = path.as_os_str().to_owned();
    backup.push("~");
    fs::rename(path, &backup).unwrap();
    fs::write(path, text).unwrap();
    fs::remove_file(&backup).unwrap();
}

/// The save of VS Code and many tools: write `.NAME.tmp123` beside the file, rename it over.
fn temp_rename_save(path: &Path, text: &str) {
    let name = path.file_name().unwrap().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.tmp123"));
    fs::write(&tmp, text).unwrap();
    fs::rename(&tmp, path).unwrap();
}

fn assert_no_junk_in_output(site: &LiveSite) {
    let junk: Vec<String> = site
        .output_tree()
        .into_keys()
        .filter(|p| {
            p.contains(".#")
                || p.contains('~')
                || p.contains('#')
                || p.contains(".swp")
                || p.contains("4913")
                || p.contains("tmp123")
        })
        .collect();
    assert!(junk.is_empty(), "editor junk in public/: {junk:?}");
}

#[test]
fn watch_builds_first_then_prints_one_line_per_save() {
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);
    assert!(
        w.lines()[0].starts_with("Watching "),
        "first line: {}",
        w.transcript()
    );
    wait_output(&site, &w, "faq/index.html", "FAQ-V1", "initial build");
    assert!(site.output("index.html").unwrap().contains("HOME-TEXT"));

    let m = w.mark();
    site.write("content/faq.md", &faq("FAQ-V2"));
    expect_one_rebuild(
        &site,
        &w,
        m,
        "content/faq.md",
        "faq/index.html",
        "FAQ-V2",
        "in-place write",
    );
    assert!(w.is_alive(), "{}", w.transcript());
}

/// A body edit is rebuilt incrementally (issue 5): only the page and the home page that lists
/// it are written, in place, as readable as the files of a full build, and `public/` then
/// equals a clean build.
#[test]
fn watch_writes_only_the_files_a_body_edit_touches() {
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);
    let before = site.output_tree();
    let m = w.mark();
    site.write("content/faq.md", &faq("FAQ-INCREMENTAL"));
    let line = w.wait_rebuild(m, "a body edit");
    assert!(
        line.contains("content/faq.md changed: rebuilt 2 pages (2 files)"),
        "{line}\n{}",
        w.transcript()
    );
    assert!(
        site.output("faq/index.html")
            .unwrap()
            .contains("FAQ-INCREMENTAL")
    );
    let after = site.output_tree();
    let written: Vec<&String> = after
        .keys()
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert_eq!(
        written,
        ["faq/index.html"],
        "only the page's bytes change here"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |rel: &str| {
            fs::metadata(site.path(&format!("public/{rel}")))
                .unwrap()
                .permissions()
                .mode()
        };
        assert_eq!(mode("faq/index.html"), mode("robots.txt"));
        assert_eq!(mode("index.html"), mode("robots.txt"));
    }
    w.stop();
    let (diff, _) = site.differences_from_clean_build("after an incremental rebuild");
    assert!(diff.is_none(), "{}", diff.unwrap_or_default());
}

/// A save made right after the first build line is rebuilt. (This failed on every run while
/// the watches were set up only after the first build: such a save was lost until the next
/// one. Fixed by starting the watcher before the first build, `watch::SiteWatcher::start`.)
#[test]
fn watch_sees_a_save_made_right_after_the_first_build() {
    let site = LiveSite::new("live");
    let mut w = site.spawn(&["watch"]);
    let (_, first) = w.wait_line(0, START_TIMEOUT, "the first build line", is_build_line);
    assert!(first.starts_with("Built "), "{}", w.transcript());
    site.write("content/faq.md", &faq("FAQ-EARLY"));
    w.wait_rebuild(0, "a save made right after the first build line");
    wait_output(&site, &w, "faq/index.html", "FAQ-EARLY", "early save");
    assert!(w.is_alive(), "{}", w.transcript());
}

#[test]
fn watch_sees_a_write_temp_then_rename_save() {
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);
    let m = w.mark();
    temp_rename_save(&site.path("content/faq.md"), &faq("FAQ-TMP"));
    expect_one_rebuild(
        &site,
        &w,
        m,
        "content/faq.md",
        "faq/index.html",
        "FAQ-TMP",
        "temp + rename save",
    );
    assert_no_junk_in_output(&site);
    assert!(w.is_alive(), "{}", w.transcript());
}

#[test]
fn watch_sees_a_vim_style_save() {
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);
    let m = w.mark();
    vim_save(&site.path("content/faq.md"), &faq("FAQ-VIM"));
    expect_one_rebuild(
        &site,
        &w,
        m,
        "content/faq.md",
        "faq/index.html",
        "FAQ-VIM",
        "Vim-style save",
    );
    assert_no_junk_in_output(&site);
    assert!(w.is_alive(), "{}", w.transcript());
}

#[test]
fn watch_sees_a_sed_in_place_save() {
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);
    // `sed -i` writes a temporary `sedXXXXXX` in the same folder and renames it over the file.
    let m = w.mark();
    let tmp = site.path("content/sedAb12Cd");
    fs::write(&tmp, faq("FAQ-SED")).unwrap();
    fs::rename(&tmp, site.path("content/faq.md")).unwrap();
    expect_one_rebuild(
        &site,
        &w,
        m,
        "content/faq.md",
        "faq/index.html",
        "FAQ-SED",
        "sed -i style save (emulated)",
    );
    // And the real sed, when it is there (it is on Debian).
    if Command::new("sed").arg("--version").output().is_ok() {
        let m = w.mark();
        let status = Command::new("sed")
            .args(["-i", "s/FAQ-SED/FAQ-REALSED/"])
            .arg(site.path("content/faq.md"))
            .status()
            .unwrap();
        assert!(status.success());
        expect_one_rebuild(
            &site,
            &w,
            m,
            "content/faq.md",
            "faq/index.html",
            "FAQ-REALSED",
            "real sed -i",
        );
    }
    assert!(w.is_alive(), "{}", w.transcript());
}

/// Handed case 15: Vim-style, temp + rename, Vim again, the config file saved Vim-style, and a
/// real Vim when installed; every later save of the same file is still seen.
// See: shared case 15, https://github.com/getzola/zola/issues/2266
#[test]
fn watch_sees_repeated_saves_of_one_file_and_of_the_config() {
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);
    let faq_path = site.path("content/faq.md");
    type Save = fn(&Path, &str);
    let saves: [(&str, Save); 5] = [
        ("SAVE-V2", vim_save),
        ("SAVE-V3", temp_rename_save),
        ("SAVE-V4", vim_save),
        ("SAVE-V5", |p, t| fs::write(p, t).unwrap()),
        ("SAVE-V6", vim_save),
    ];
    for (i, (marker, save)) in saves.into_iter().enumerate() {
        let m = w.mark();
        save(&faq_path, &faq(marker));
        expect_one_rebuild(
            &site,
            &w,
            m,
            "content/faq.md",
            "faq/index.html",
            marker,
            &format!("save number {} of content/faq.md", i + 2),
        );
    }

    let m = w.mark();
    vim_save(
        &site.path("config.yaml"),
        "title: \"Live Site V2\"\nbase_url: \"https://example.org/\"\n",
    );
    expect_one_rebuild(
        &site,
        &w,
        m,
        "config.yaml",
        "index.html",
        "Live Site V2",
        "Vim-style save of config.yaml",
    );
    for rel in ["index.html", "faq/index.html", "404.html"] {
        let text = site.output(rel).unwrap();
        assert!(
            text.contains("Live Site V2") && !text.contains("Live Site V1"),
            "public/{rel} should show the new title:\n{text}"
        );
    }
    // A second Vim save of the config is seen too.
    let m = w.mark();
    vim_save(
        &site.path("config.yaml"),
        "title: \"Live Site V3\"\nbase_url: \"https://example.org/\"\n",
    );
    expect_one_rebuild(
        &site,
        &w,
        m,
        "config.yaml",
        "faq/index.html",
        "Live Site V3",
        "second Vim-style save of config.yaml",
    );

    // The real editor, when installed (Debian's vim writes `4913`, a backup, then the file).
    let vim_ok = Command::new("vim")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if vim_ok {
        let m = w.mark();
        let status = Command::new("vim")
            .args([
                "-u",
                "NONE",
                "-N",
                "-es",
                "-c",
                "%s/SAVE-V6/SAVE-V7/",
                "-c",
                "wq",
            ])
            .arg(&faq_path)
            .stdin(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "vim failed");
        expect_one_rebuild(
            &site,
            &w,
            m,
            "content/faq.md",
            "faq/index.html",
            "SAVE-V7",
            "a real vim save",
        );
    }
    assert_no_junk_in_output(&site);
    assert!(w.is_alive(), "{}", w.transcript());
}

/// A save whose steps come further apart than the debounce window (a plain `fs::write`:
/// truncate, then write; a Vim save: move aside, then create and write; a slow editor, a sync
/// client, a network share) gives one rebuild, of the finished file: the watcher waits while a
/// file is open for writing or moved away mid-save. (Found when a loaded CI machine gave two
/// rebuilds, the first of an empty or missing page.)
#[test]
fn watch_waits_for_a_slow_save_to_finish() {
    use std::io::Write;
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);
    let faq_path = site.path("content/faq.md");
    let mut backup = faq_path.as_os_str().to_owned();
    backup.push("~");
    let slow_write = |text: &str, pause_ms: u64| {
        let mut f = fs::File::create(&faq_path).unwrap(); // truncates: the page is empty now
        std::thread::sleep(Duration::from_millis(pause_ms));
        let (head, tail) = text.split_at(text.len() / 2);
        f.write_all(head.as_bytes()).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(pause_ms));
        f.write_all(tail.as_bytes()).unwrap();
    };
    let cases: [(&str, u64, bool); 4] = [
        ("written in two parts 150 ms apart", 150, false),
        ("written in two parts 400 ms apart", 400, false),
        ("moved aside, then written 60 ms later", 60, true),
        ("moved aside, then written 100 ms later", 100, true),
    ];
    for (i, (what, pause_ms, aside)) in cases.into_iter().enumerate() {
        let marker = format!("SLOW-SAVE-{i}");
        let m = w.mark();
        if aside {
            fs::rename(&faq_path, &backup).unwrap();
            std::thread::sleep(Duration::from_millis(pause_ms));
            slow_write(&faq(&marker), pause_ms / 2);
            fs::remove_file(&backup).unwrap();
        } else {
            slow_write(&faq(&marker), pause_ms);
        }
        expect_one_rebuild(
            &site,
            &w,
            m,
            "content/faq.md",
            "faq/index.html",
            &marker,
            &format!("a save {what}"),
        );
    }
    assert!(w.is_alive(), "{}", w.transcript());
}

/// Handed case 17, build half: lock, backup and swap files present in content/, templates/
/// and static/ do not break `build` and are not published.
// See: shared case 17, https://github.com/rust-lang/mdBook/issues/2224
#[test]
fn build_ignores_editor_lock_backup_and_swap_files() {
    let site = LiveSite::new("live");
    let lock = "user@host.12345:1700000000";
    for rel in [
        "content/.#faq.md",
        "templates/.#page.html",
        "static/.#style.css",
    ] {
        std::os::unix::fs::symlink(lock, site.path(rel)).unwrap();
    }
    let faq_text = fs::read_to_string(site.path("content/faq.md")).unwrap();
    site.write("content/faq.md~", &faq_text);
    site.write("content/#faq.md#", &faq_text);
    fs::write(
        site.path("content/.faq.md.swp"),
        (0..4096u32)
            .map(|i| (i * 7 % 256) as u8)
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    site.write("content/4913", "");
    let out = Command::new(BIN)
        .arg("build")
        .arg("--root")
        .arg(site.root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "build failed with editor junk present:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(site.output("faq/index.html").unwrap().contains("FAQ-V1"));
    assert_no_junk_in_output(&site);
}

/// Handed case 17, watch half: lock and swap churn neither stops the watcher nor rebuilds nor
/// reaches the output; a real save afterwards is picked up.
// See: shared case 17, https://github.com/rust-lang/mdBook/issues/2224 (watch half)
#[test]
fn watch_ignores_editor_junk_churn() {
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);
    wait_output(&site, &w, "faq/index.html", "FAQ-V1", "initial build");
    let before = site.output_tree();
    let m = w.mark();
    std::os::unix::fs::symlink("user@host.12345:1700000000", site.path("content/.#faq.md"))
        .unwrap();
    for i in 0..5u8 {
        fs::write(site.path("content/.faq.md.swp"), vec![i; 4096]).unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    site.write("content/4913", "");
    fs::remove_file(site.path("content/4913")).unwrap();
    site.write("content/faq.md~", &faq("BACKUP"));
    site.write("content/#faq.md#", &faq("AUTOSAVE"));
    site.write("templates/.page.html.swp", "swap");
    site.write("static/style.css~", "backup");
    std::thread::sleep(QUIET);
    assert!(w.is_alive(), "the watcher died:\n{}", w.transcript());
    let rebuilds = w.rebuilds_since(m);
    assert!(
        rebuilds.is_empty(),
        "editor junk alone caused rebuilds: {rebuilds:#?}\n{}",
        w.transcript()
    );
    assert_eq!(
        site.output_tree(),
        before,
        "public/ changed without a rebuild"
    );

    let m = w.mark();
    site.write("content/faq.md", &faq("FAQ-V2"));
    fs::remove_file(site.path("content/.#faq.md")).unwrap();
    fs::remove_file(site.path("content/.faq.md.swp")).unwrap();
    expect_one_rebuild(
        &site,
        &w,
        m,
        "content/faq.md",
        "faq/index.html",
        "FAQ-V2",
        "real save after churn",
    );
    assert_no_junk_in_output(&site);
    assert!(w.is_alive(), "{}", w.transcript());
}

#[test]
fn watch_follows_pages_created_deleted_and_renamed() {
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);

    let m = w.mark();
    site.write("content/pricing.md", &page("Pricing", "PRICING-V1 text."));
    w.wait_rebuild(m, "a new page");
    wait_output(&site, &w, "pricing/index.html", "PRICING-V1", "new page");
    wait_output(&site, &w, "index.html", "pricing/", "new page listed");

    let m = w.mark();
    fs::remove_file(site.path("content/faq.md")).unwrap();
    w.wait_rebuild(m, "a deleted page");
    let gone = wait_for(CHANGE_TIMEOUT, || {
        site.output("faq/index.html").is_none()
            && site
                .output("index.html")
                .is_some_and(|t| !t.contains("/faq/"))
    });
    assert!(
        gone,
        "deleted page still in the output (public/faq/index.html exists: {}); index:\n{}\n{}",
        site.output("faq/index.html").is_some(),
        site.output("index.html").unwrap_or_default(),
        w.transcript()
    );

    let m = w.mark();
    fs::rename(
        site.path("content/pricing.md"),
        site.path("content/prices.md"),
    )
    .unwrap();
    w.wait_rebuild(m, "a renamed page");
    let moved = wait_for(CHANGE_TIMEOUT, || {
        site.output("pricing/index.html").is_none()
            && site
                .output("prices/index.html")
                .is_some_and(|t| t.contains("PRICING-V1"))
    });
    assert!(
        moved,
        "after renaming pricing.md to prices.md: old exists {}, new exists {}\n{}",
        site.output("pricing/index.html").is_some(),
        site.output("prices/index.html").is_some(),
        w.transcript()
    );
    let index = site.output("index.html").unwrap();
    assert!(
        index.contains("prices/") && !index.contains("pricing/"),
        "{index}"
    );
    assert!(w.is_alive(), "{}", w.transcript());
}

#[test]
fn watch_picks_up_a_folder_of_pages_moved_in_at_once() {
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);
    let outside = site.scratch().join("guides");
    fs::create_dir_all(outside.join("deep")).unwrap();
    fs::write(
        outside.join("_index.md"),
        page("Guides", "GUIDES-SECTION text."),
    )
    .unwrap();
    fs::write(outside.join("one.md"), page("One", "GUIDE-ONE text.")).unwrap();
    fs::write(outside.join("two.md"), page("Two", "GUIDE-TWO text.")).unwrap();
    fs::write(
        outside.join("deep").join("three.md"),
        page("Three", "GUIDE-THREE text."),
    )
    .unwrap();
    let m = w.mark();
    fs::rename(&outside, site.path("content/guides")).unwrap();
    w.wait_rebuild(m, "a folder moved into content/");
    for (rel, needle) in [
        ("guides/index.html", "GUIDES-SECTION"),
        ("guides/one/index.html", "GUIDE-ONE"),
        ("guides/two/index.html", "GUIDE-TWO"),
        ("guides/deep/three/index.html", "GUIDE-THREE"),
    ] {
        wait_output(&site, &w, rel, needle, "folder moved in");
    }
    // The moved-in folder is watched from now on: an edit inside it is seen.
    let m = w.mark();
    site.write("content/guides/one.md", &page("One", "GUIDE-ONE-V2 text."));
    expect_one_rebuild(
        &site,
        &w,
        m,
        "content/guides/one.md",
        "guides/one/index.html",
        "GUIDE-ONE-V2",
        "edit inside a moved-in folder",
    );
    let m = w.mark();
    site.write(
        "content/guides/deep/three.md",
        &page("Three", "GUIDE-THREE-V2 text."),
    );
    expect_one_rebuild(
        &site,
        &w,
        m,
        "content/guides/deep/three.md",
        "guides/deep/three/index.html",
        "GUIDE-THREE-V2",
        "edit in a nested moved-in folder",
    );
    assert!(w.is_alive(), "{}", w.transcript());
}

#[test]
fn watch_keeps_the_last_good_site_after_a_bad_save_and_recovers() {
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);
    wait_output(&site, &w, "faq/index.html", "FAQ-V1", "initial build");
    let good = site.output_tree();

    let m = w.mark();
    site.write(
        "content/faq.md",
        "---\ntitle: FAQ\nweight: first\n---\nFAQ-BAD text.\n",
    );
    let (_, line) = w.wait_line(m, CHANGE_TIMEOUT, "the failed rebuild line", |l| {
        l.contains("the last good version is kept")
    });
    assert!(
        line.starts_with("content/faq.md changed: the site has 1 error;"),
        "{line}\n{}",
        w.transcript()
    );
    let printed = w.since(m).join("\n");
    assert!(
        printed.contains("content/faq.md:3:"),
        "the diagnostic should point at content/faq.md:3:COLUMN:\n{printed}"
    );
    assert!(printed.contains("weight"), "{printed}");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        site.output_tree(),
        good,
        "public/ changed after a failed rebuild"
    );
    assert!(w.is_alive(), "the watcher died:\n{}", w.transcript());

    let m = w.mark();
    site.write(
        "content/faq.md",
        "---\ntitle: FAQ\nweight: 2\n---\nFAQ-FIXED text.\n",
    );
    expect_one_rebuild(
        &site,
        &w,
        m,
        "content/faq.md",
        "faq/index.html",
        "FAQ-FIXED",
        "good save after a bad one",
    );
    assert!(w.is_alive(), "{}", w.transcript());
}

#[test]
fn watch_poll_mode_picks_up_saves() {
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &["--poll"]);
    let m = w.mark();
    site.write("content/faq.md", &faq("FAQ-POLL-1"));
    w.wait_rebuild(m, "a save in --poll mode");
    wait_output(&site, &w, "faq/index.html", "FAQ-POLL-1", "--poll in place");
    let m = w.mark();
    vim_save(&site.path("content/faq.md"), &faq("FAQ-POLL-2"));
    w.wait_rebuild(m, "a Vim-style save in --poll mode");
    wait_output(
        &site,
        &w,
        "faq/index.html",
        "FAQ-POLL-2",
        "--poll Vim-style",
    );
    assert!(w.is_alive(), "{}", w.transcript());
}

/// Applies a seeded random sequence of page edits, creations, renames and deletions (single
/// operations and small bursts) while `watch` runs, then compares `public/` byte for byte with
/// a clean `build` of the same sources.
#[test]
fn watch_after_random_edits_equals_a_clean_build() {
    let seed = seed(
        "watch::watch_after_random_edits_equals_a_clean_build",
        0x5EED_2024,
    );
    let mut rng = SplitMix(seed);
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);
    let words = [
        "alpha", "bravo", "cedar", "delta", "ember", "fjord", "grove",
    ];
    let dirs = ["", "notes/"];
    site.write("content/notes/_index.md", &page("Notes", "NOTES section."));
    let m = w.mark();
    w.wait_rebuild(m, "the notes section");

    // The pages alive, as paths under content/.
    let mut pages: Vec<String> = vec!["faq.md".into()];
    let mut next_id = 0;
    let mut log: Vec<String> = Vec::new();
    let mut ops = 0;
    while ops < 40 {
        let burst = if rng.below(4) == 0 {
            2 + rng.below(3)
        } else {
            1
        };
        let m = w.mark();
        // Pages created or renamed in this burst are not deleted in it (a file created and
        // removed within one debounce window may, rightly, give no event at all).
        let mut born: Vec<String> = Vec::new();
        for _ in 0..burst {
            ops += 1;
            let deletable: Vec<usize> = (0..pages.len())
                .filter(|i| !born.contains(&pages[*i]))
                .collect();
            let mut choice = if pages.is_empty() { 0 } else { rng.below(10) };
            if choice == 9 && deletable.is_empty() {
                choice = 0;
            }
            match choice {
                0..=2 => {
                    next_id += 1;
                    let rel = format!("{}p{next_id}.md", dirs[rng.below(2)]);
                    let text = page(
                        &format!("Page {next_id}"),
                        &format!("{} {}", words[rng.below(7)], rng.next()),
                    );
                    site.write(&format!("content/{rel}"), &text);
                    log.push(format!("create {rel}"));
                    born.push(rel.clone());
                    pages.push(rel);
                }
                3..=6 => {
                    let rel = pages[rng.below(pages.len())].clone();
                    let old = fs::read_to_string(site.path(&format!("content/{rel}"))).unwrap();
                    // Half the edits keep the front matter (an incremental rebuild).
                    let front = old
                        .strip_prefix("---\n")
                        .and_then(|rest| rest.find("\n---\n"))
                        .map(|end| old[..4 + end + 5].to_string())
                        .filter(|_| rng.below(2) == 0)
                        .unwrap_or_else(|| {
                            format!(
                                "---\ntitle: Edited {}\nweight: {}\n---\n",
                                rng.below(100),
                                rng.below(5)
                            )
                        });
                    let text = format!("{front}{} *{}*\n", words[rng.below(7)], rng.next());
                    let path = site.path(&format!("content/{rel}"));
                    match rng.below(3) {
                        0 => fs::write(&path, text).unwrap(),
                        1 => temp_rename_save(&path, &text),
                        _ => vim_save(&path, &text),
                    }
                    log.push(format!("edit {rel}"));
                }
                7..=8 => {
                    let i = rng.below(pages.len());
                    next_id += 1;
                    let to = format!("{}p{next_id}.md", dirs[rng.below(2)]);
                    fs::rename(
                        site.path(&format!("content/{}", pages[i])),
                        site.path(&format!("content/{to}")),
                    )
                    .unwrap();
                    log.push(format!("rename {} -> {to}", pages[i]));
                    born.push(to.clone());
                    pages[i] = to;
                }
                _ => {
                    let rel = pages.swap_remove(deletable[rng.below(deletable.len())]);
                    fs::remove_file(site.path(&format!("content/{rel}"))).unwrap();
                    log.push(format!("delete {rel}"));
                }
            }
        }
        log.push("-- wait".into());
        wait_burst(&w, m, &log, seed);
    }
    // Let a rebuild that started during the last burst be followed by its last one.
    let mut seen = w.mark();
    let settled = wait_for(CHANGE_TIMEOUT, || {
        std::thread::sleep(Duration::from_millis(600));
        let now = w.mark();
        let quiet = now == seen;
        seen = now;
        quiet
    });
    assert!(settled, "the watcher never settled\n{}", w.transcript());
    assert!(w.is_alive(), "{}", w.transcript());
    w.stop();
    let failed: Vec<String> = w
        .lines()
        .into_iter()
        .filter(|l| l.contains("the last good version is kept"))
        .collect();
    assert!(
        failed.is_empty(),
        "a rebuild failed (seed {seed}): {failed:#?}\n{}",
        w.transcript()
    );

    // Files rewritten in place by incremental rebuilds are as readable as the rest.
    #[cfg(unix)]
    for rel in site.output_tree().keys() {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(site.path(&format!("public/{rel}")))
            .unwrap()
            .permissions()
            .mode();
        assert!(mode & 0o044 == 0o044, "public/{rel} has mode {mode:o}");
    }
    let (diff, fresh) = site.differences_from_clean_build(&format!("seed {seed}"));
    assert!(fresh.contains_key(".stillpoint-output"));
    assert!(site.output_tree().contains_key(".stillpoint-output"));
    if let Some(diff) = diff {
        panic!(
            "{diff}\noperations:\n{}\n{}",
            log.join("\n"),
            w.transcript()
        );
    }
}

/// Waits for a rebuild line after `mark`; on timeout, panics with the operations so far.
fn wait_burst(w: &Running, mark: usize, log: &[String], seed: u64) {
    let ok = wait_for(CHANGE_TIMEOUT, || !w.rebuilds_since(mark).is_empty());
    assert!(
        ok,
        "no rebuild line within {CHANGE_TIMEOUT:?} (seed {seed}); operations:\n{}\n{}",
        log.join("\n"),
        w.transcript()
    );
}

/// A change under `data/` rebuilds: here a data file read by `load_data` in a shortcode.
#[test]
fn watch_rebuilds_when_a_data_file_changes() {
    let site = LiveSite::new("live");
    site.write(
        "templates/shortcodes/fact.html",
        "{% set facts = load_data(path=\"data/facts.yaml\") %}{{ facts.text }}",
    );
    site.write("data/facts.yaml", "text: DATA-V1\n");
    site.write("content/faq.md", &faq("FAQ {{ fact() }}"));
    let w = start_watch(&site, &[]);
    wait_output(&site, &w, "faq/index.html", "DATA-V1", "initial build");
    let m = w.mark();
    site.write("data/facts.yaml", "text: DATA-V2\n");
    expect_one_rebuild(
        &site,
        &w,
        m,
        "data/facts.yaml",
        "faq/index.html",
        "DATA-V2",
        "data file save",
    );
}

/// Takes the site folder `dir` away and puts it back, the two ways a user does: renamed out of
/// the site and back (`mv content /tmp/x; mv /tmp/x content`), or deleted and copied back from
/// a backup (`rm -rf content; cp -r backup content`). Waits for the rebuild of each step, so
/// the folder is really gone for one build.
fn take_away_and_back(site: &LiveSite, w: &Running, dir: &str, by_copy: bool) {
    let away = site
        .scratch()
        .join(format!("{}-away-{by_copy}", dir.replace('/', "-")));
    let m = w.mark();
    if by_copy {
        copy_tree(&site.path(dir), &away);
        fs::remove_dir_all(site.path(dir)).unwrap();
    } else {
        fs::rename(site.path(dir), &away).unwrap();
    }
    w.wait_rebuild(m, &format!("{dir}/ taken away"));
    let m = w.mark();
    if by_copy {
        copy_tree(&away, &site.path(dir));
    } else {
        fs::rename(&away, site.path(dir)).unwrap();
    }
    w.wait_rebuild(m, &format!("{dir}/ put back"));
}

/// An edit inside each watched folder (a page, a template, a static file, a data file) that
/// shows in the output, as (file, text, output file, marker).
fn edits_in(dir: &str, marker: &str) -> (String, String, &'static str) {
    match dir {
        "content" => ("content/faq.md".into(), faq(marker), "faq/index.html"),
        "templates" => (
            "templates/page.html".into(),
            format!(
                "{}<!-- {marker} -->\n",
                fs::read_to_string(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/fixtures/live/templates/page.html"
                ))
                .unwrap()
            ),
            "faq/index.html",
        ),
        "static" => (
            "static/style.css".into(),
            format!("/* {marker} */\n"),
            "style.css",
        ),
        _ => unreachable!("{dir}"),
    }
}

/// Issue: after `content/` was deleted and re-created, or renamed away and back, `watch` saw
/// no more edits in it (the watch had gone with the old folder). Every watched folder, both
/// ways, twice over: edits inside it must keep showing.
#[test]
fn watch_keeps_watching_a_folder_deleted_or_moved_away_and_back() {
    let site = LiveSite::new("live");
    let mut w = start_watch(&site, &[]);
    for (round, by_copy) in [false, true, false].into_iter().enumerate() {
        for dir in ["content", "templates", "static"] {
            take_away_and_back(&site, &w, dir, by_copy);
            let marker = format!("MARKER-{dir}-{round}");
            let (file, text, out) = edits_in(dir, &marker);
            let m = w.mark();
            site.write(&file, &text);
            let what = format!("an edit in {dir}/ after it came back (round {round})");
            w.wait_rebuild(m, &what);
            wait_output(&site, &w, out, &marker, &what);
        }
    }
    assert!(w.is_alive(), "{}", w.transcript());
}

/// The same for the theme's folder inside `themes/`, and for `themes/` itself, and for
/// `config.yaml` renamed away and back.
#[test]
fn watch_keeps_watching_the_theme_and_the_config_after_they_come_back() {
    let site = LiveSite::new("live");
    fs::create_dir_all(site.path("themes/calm")).unwrap();
    fs::rename(site.path("templates"), site.path("themes/calm/templates")).unwrap();
    site.write(
        "config.yaml",
        "title: \"Live Site V1\"\nbase_url: \"https://example.org/\"\ntheme: calm\n",
    );
    let mut w = start_watch(&site, &[]);
    let page = site.path("themes/calm/templates/page.html");
    let template = fs::read_to_string(&page).unwrap();
    for (round, dir) in ["themes/calm", "themes", "themes/calm"].iter().enumerate() {
        take_away_and_back(&site, &w, dir, round == 1);
        let marker = format!("THEME-MARKER-{round}");
        let m = w.mark();
        fs::write(&page, format!("{template}<!-- {marker} -->\n")).unwrap();
        w.wait_rebuild(m, &format!("an edit in the theme after {dir}/ came back"));
        wait_output(&site, &w, "faq/index.html", &marker, "theme came back");
    }
    let away = site.scratch().join("config-away.yaml");
    let m = w.mark();
    fs::rename(site.path("config.yaml"), &away).unwrap();
    w.wait_rebuild(m, "config.yaml taken away");
    let m = w.mark();
    fs::rename(&away, site.path("config.yaml")).unwrap();
    w.wait_rebuild(m, "config.yaml put back");
    let m = w.mark();
    site.write(
        "config.yaml",
        "title: \"CONFIG-MARKER\"\nbase_url: \"https://example.org/\"\ntheme: calm\n",
    );
    w.wait_rebuild(m, "an edit of config.yaml after it came back");
    wait_output(
        &site,
        &w,
        "faq/index.html",
        "CONFIG-MARKER",
        "config came back",
    );
    assert!(w.is_alive(), "{}", w.transcript());
}

/// The same for `data/` (added to the fixture before the start), renamed away and back, and
/// deleted and copied back; a page reading it through `load_data` follows each version.
#[test]
fn watch_keeps_watching_a_data_folder_created_deleted_and_created_again() {
    let site = LiveSite::new("live");
    site.write(
        "templates/shortcodes/word.html",
        "{% set words = load_data(path=\"data/words.yaml\") %}{{ words.word }}",
    );
    site.write("data/words.yaml", "word: DATA-ONE\n");
    site.write("content/faq.md", &faq("FAQ {{ word() }}"));
    let mut w = start_watch(&site, &[]);
    wait_output(&site, &w, "faq/index.html", "DATA-ONE", "first build");
    for (round, by_copy) in [false, true].into_iter().enumerate() {
        take_away_and_back(&site, &w, "data", by_copy);
        let marker = format!("DATA-AGAIN-{round}");
        let m = w.mark();
        site.write("data/words.yaml", &format!("word: {marker}\n"));
        w.wait_rebuild(m, "an edit in data/ after it came back");
        wait_output(&site, &w, "faq/index.html", &marker, "data/ came back");
    }
    assert!(w.is_alive(), "{}", w.transcript());
}

/// The tester's steps with `serve`: `content/` moved away and back, then an edit, seen over
/// HTTP; then deleted and copied back from a backup, with a new page in the copy.
#[test]
fn serve_keeps_serving_edits_after_content_is_moved_away_and_back() {
    let site = LiveSite::new("live");
    let tmp = site.scratch().join("tmp");
    fs::create_dir_all(&tmp).unwrap();
    let mut run = site.spawn_env(
        &["serve", "--interface", "127.0.0.1", "--port", "0"],
        &[("TMPDIR", &tmp)],
    );
    let (addr, _) = crate::live::split_url(&run.served_url());
    let served = |target: &str, needle: &str| {
        wait_for(CHANGE_TIMEOUT, || {
            crate::live::http_get(&addr, target).is_ok_and(|r| r.text().contains(needle))
        })
    };
    take_away_and_back(&site, &run, "content", false);
    site.write("content/faq.md", &faq("MARKER-ONE"));
    assert!(served("/faq/", "MARKER-ONE"), "{}", run.transcript());

    let backup = site.scratch().join("backup");
    copy_tree(&site.path("content"), &backup);
    fs::write(backup.join("new.md"), page("New", "NEW-PAGE text.")).unwrap();
    let m = run.mark();
    fs::remove_dir_all(site.path("content")).unwrap();
    run.wait_rebuild(m, "content/ deleted");
    copy_tree(&backup, &site.path("content"));
    assert!(served("/new/", "NEW-PAGE"), "{}", run.transcript());
    site.write("content/faq.md", &faq("MARKER-TWO"));
    assert!(served("/faq/", "MARKER-TWO"), "{}", run.transcript());
    assert!(run.is_alive(), "{}", run.transcript());
}
