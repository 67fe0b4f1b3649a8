//! The command line: exit codes (0, 1, 2), options, and the rules for the output folder.

use crate::support::{TestSite, assert_same_tree, tree_hash};

#[test]
fn help_exits_0_and_lists_build() {
    let site = TestSite::empty();
    let run = site.run(&["--help"]);
    run.success();
    assert!(run.stdout.contains("build"), "{}", run.stdout);
    let run = site.run(&["build", "--help"]);
    run.success();
    for flag in ["--root", "--output", "--base-url", "--drafts"] {
        assert!(run.stdout.contains(flag), "{flag} missing:\n{}", run.stdout);
    }
}

#[test]
fn version_exits_0() {
    let run = TestSite::empty().run(&["--version"]);
    run.success();
    assert!(
        run.stdout.contains(env!("CARGO_PKG_VERSION")),
        "{}",
        run.stdout
    );
}

#[test]
fn usage_errors_exit_2() {
    let site = TestSite::fixture("minimal");
    site.run(&["frobnicate"]).code(2);
    site.run(&["build", "--no-such-flag"]).code(2);
    site.run(&[]).code(2);
    site.run(&["build", "--root"]).code(2);
    site.assert_missing("public");
}

#[test]
fn folder_without_config_exits_1_naming_config_yaml() {
    let site = TestSite::empty();
    site.file("content/_index.md", "---\ntitle: Home\n---\n");
    let run = site.build();
    run.code(1)
        .stderr_has("config.yaml")
        .stderr_lacks("panicked");
    site.assert_missing("public");
}

#[test]
fn missing_root_folder_exits_1() {
    let site = TestSite::empty();
    let missing = site.path("not-here");
    let run = site.run(&["build", "--root", missing.to_str().unwrap()]);
    run.code(1).stderr_has("not-here");
}

#[test]
fn build_without_root_uses_the_current_folder() {
    let site = TestSite::fixture("minimal");
    site.run(&["build"]).success();
    site.assert_file_contains("public/about/index.html", "About us");
}

#[test]
fn output_option_writes_there_and_not_to_public() {
    let site = TestSite::fixture("minimal");
    let out = site.outside("elsewhere");
    site.build_with(&["--output", out.to_str().unwrap()])
        .success()
        .stderr_has("[TMP]/elsewhere");
    assert!(out.join("about/index.html").is_file());
    assert!(out.join(".stillpoint-output").is_file());
    site.assert_missing("public");
}

#[test]
fn output_dir_from_config_is_relative_to_the_site_root() {
    let site = TestSite::fixture("minimal");
    site.file(
        "config.yaml",
        "title: Minimal site\nbase_url: https://example.org\noutput_dir: dist\n",
    );
    // Run from another folder: `output_dir` follows the site, not the current folder.
    let elsewhere = site.outside("cwd");
    std::fs::create_dir(&elsewhere).unwrap();
    site.run_in(
        &elsewhere,
        &["build", "--root", site.root().to_str().unwrap()],
    )
    .success();
    assert!(!elsewhere.join("dist").exists());
    assert!(site.exists("dist/about/index.html"));
    site.assert_missing("public");
}

#[test]
fn base_url_option_changes_permalinks() {
    let site = TestSite::fixture("minimal");
    site.build_with(&["--base-url", "https://other.org/sub", "--urls", "absolute"])
        .success();
    site.assert_file_contains("public/index.html", "href=\"https://other.org/sub/about/\"")
        .assert_file_contains(
            "public/sitemap.xml",
            "<loc>https://other.org/sub/about/</loc>",
        )
        .assert_file_lacks("public/sitemap.xml", "example.org");
}

#[test]
fn invalid_base_url_option_exits_1() {
    let site = TestSite::fixture("minimal");
    site.build_with(&["--base-url", "not a url"])
        .code(1)
        .stderr_has("`--base-url` is not a web address")
        .stderr_has("the value came from --base-url, not config.yaml")
        .stderr_lacks("--> config.yaml");
    site.build_with(&["--base-url", "https://x.org//sub"])
        .code(1)
        .stderr_has("like `--base-url https://x.org/sub`");
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_make() {
    let site = TestSite::fixture("minimal");
    site.file("public/notes.txt", "my own notes");
    site.file("public/photos/cat.jpg", "meow");
    let before = site.output_tree();
    site.build()
        .code(1)
        .stderr_has("was not made by stillpoint");
    assert_same_tree(&before, &site.output_tree());

    let mine = site.outside("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("keep.txt"), "keep me").unwrap();
    let before = tree_hash(&mine);
    site.build_with(&["--output", mine.to_str().unwrap()])
        .code(1);
    assert_same_tree(&before, &tree_hash(&mine));
}

#[test]
fn writes_into_an_existing_empty_folder() {
    let site = TestSite::fixture("minimal");
    std::fs::create_dir(site.path("public")).unwrap();
    site.build().success();
    assert!(site.exists("public/about/index.html"));
}

#[test]
fn refuses_to_write_over_the_site_root() {
    let site = TestSite::fixture("minimal");
    let before = tree_hash(site.root());
    site.build_with(&["--output", site.root().to_str().unwrap()])
        .code(1)
        .stderr_has("site folder");
    assert_same_tree(&before, &tree_hash(site.root()));
    site.run(&["build", "--output", "."]).code(1);
    assert_same_tree(&before, &tree_hash(site.root()));
}

#[test]
fn refuses_a_folder_that_holds_a_site() {
    let site = TestSite::fixture("minimal");
    let other = TestSite::fixture("minimal");
    let before = tree_hash(other.root());
    site.build_with(&["--output", other.root().to_str().unwrap()])
        .code(1)
        .stderr_has("config.yaml");
    assert_same_tree(&before, &tree_hash(other.root()));
}

#[test]
fn top_level_dotfiles_survive_rebuilds() {
    let site = TestSite::fixture("minimal");
    site.build().success();
    site.file("public/.git/HEAD", "ref: refs/heads/main\n")
        .file("public/.git/objects/ab/cdef", "object")
        .file("public/.nojekyll", "");
    site.build().success();
    assert_eq!(site.read("public/.git/HEAD"), "ref: refs/heads/main\n");
    assert_eq!(site.read("public/.git/objects/ab/cdef"), "object");
    assert!(site.exists("public/.nojekyll"));
    site.build().success();
    assert!(site.exists("public/.git/HEAD"));
}

#[test]
fn rebuild_removes_pages_whose_source_is_gone_and_stray_files() {
    let site = TestSite::fixture("minimal");
    site.file("content/old.md", "---\ntitle: Old page\n---\nOLD\n");
    site.build().success();
    assert!(site.exists("public/old/index.html"));
    site.file("public/stray.html", "left by hand");
    site.remove("content/old.md");
    site.build().success();
    site.assert_missing("public/old")
        .assert_missing("public/stray.html")
        .assert_file_lacks("public/index.html", "Old page")
        .assert_file_lacks("public/sitemap.xml", "/old/");
}

#[test]
fn no_staging_folders_are_left_behind() {
    let site = TestSite::fixture("minimal");
    site.build().success();
    site.build().success();
    site.file("content/about.md", "---\nweight: x\n---\n");
    site.build().code(1);
    let names: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with(".stillpoint-")),
        "left behind: {names:?}"
    );
}

#[test]
fn success_message_names_page_count_and_output() {
    let site = TestSite::fixture("minimal");
    let run = site.build();
    run.success();
    insta::assert_snapshot!("cli_success_message", run.stderr_stable());
}
