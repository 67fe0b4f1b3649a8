//! Output names too long for a file system: a file or folder name of more than 255 bytes
//! (the limit of ext4, NTFS and APFS) fails on the disk with "File name too long" and on the
//! host. Every source of names (a page's `slug:` or file name, `path:`, aliases, taxonomy
//! terms, static and bundle files) is checked where the outputs are, before anything is
//! written: `check` and `build` both fail with an error naming the content file and the line
//! that makes the name, and `public/` stays as it was. And `stillpoint new page` cuts the file
//! name of a very long title.

use crate::support::{TestSite, tree_hash};

/// A site with a home page and `content/faq.md`.
fn site() -> TestSite {
    let site = TestSite::new();
    site.file("content/_index.md", "---\ntitle: Home\n---\nHome.\n")
        .file("content/faq.md", "---\ntitle: FAQ\n---\nQuestions.\n");
    site
}

/// Builds `site` over a built `public/`: the build fails with code 1, leaves `public/` as it
/// was, and `check` fails with the same errors. Returns the errors about long names as
/// (message, `file:line:col`), and the build's stderr.
fn long_name_errors(site: &TestSite) -> (Vec<(String, String)>, String) {
    site.seed_output();
    let before = tree_hash(&site.path("public"));
    let run = site.build();
    run.code(1);
    assert_eq!(
        before,
        tree_hash(&site.path("public")),
        "public/ changed after a failed build"
    );
    run.stderr_lacks("os error");
    let errors: Vec<_> = run
        .errors()
        .into_iter()
        .filter(|(m, _)| m.contains("bytes long: file systems take at most 255"))
        .collect();
    let check = site.run(&["check"]);
    check.code(1);
    for (message, _) in &errors {
        check.stderr_has(message);
    }
    (errors, run.stderr.clone())
}

#[test]
fn a_slug_of_300_characters_is_an_error_at_its_line_in_check_and_build() {
    let site = site();
    let slug = "a".repeat(300);
    site.file(
        "content/long.md",
        &format!("---\ntitle: Long\nslug: \"{slug}\"\n---\nText.\n"),
    );
    let (errors, stderr) = long_name_errors(&site);
    assert_eq!(errors.len(), 1, "{stderr}");
    let (message, at) = &errors[0];
    assert!(
        message.starts_with("content/long.md would be written to a folder named \"aaaa")
            && message.contains("300 bytes long"),
        "{message}"
    );
    assert_eq!(at, "content/long.md:3:7");
    assert!(stderr.contains("help: shorten the `slug:`"), "{stderr}");
}

#[test]
fn a_slug_of_255_bytes_builds() {
    let site = site();
    let slug = "b".repeat(255);
    site.file(
        "content/long.md",
        &format!("---\ntitle: Long\nslug: \"{slug}\"\n---\nText.\n"),
    );
    site.build().success();
    assert!(site.exists(&format!("public/{slug}/index.html")));
}

#[test]
fn long_paths_aliases_section_paths_and_terms_each_name_their_line() {
    let site = site();
    let long = |c: &str| c.repeat(256);
    site.file(
        "config.yaml",
        "title: Test site\nbase_url: https://example.org\ntaxonomies:\n  - name: tags\n",
    )
    .file("templates/taxonomy_list.html", "{{ taxonomy.name }}")
    .file("templates/taxonomy_single.html", "{{ term.name }}")
    .file(
        "content/p.md",
        &format!("---\ntitle: P\npath: \"/x/{}/y/\"\n---\nText.\n", long("p")),
    )
    .file(
        "content/al.md",
        &format!(
            "---\ntitle: Al\naliases:\n  - /fine/\n  - \"/old/{}/\"\n---\nText.\n",
            long("q")
        ),
    )
    .file(
        "content/blog/_index.md",
        &format!(
            "---\ntitle: Blog\npath: \"{}\"\npaginate_by: 1\n---\n",
            long("s")
        ),
    )
    .file("content/blog/one.md", "---\ntitle: One\n---\nOne.\n")
    .file("content/blog/two.md", "---\ntitle: Two\n---\nTwo.\n")
    .file(
        "content/t.md",
        &format!(
            "---\ntitle: T\ntags:\n  - short\n  - \"{}\"\n---\nText.\n",
            long("t")
        ),
    );
    let (errors, stderr) = long_name_errors(&site);
    let mut at: Vec<&str> = errors.iter().map(|(_, a)| a.as_str()).collect();
    at.sort_unstable();
    // One error per long name, however many outputs (listing pages, feed) sit under it.
    assert_eq!(
        at,
        [
            "content/al.md:5:6",
            "content/blog/_index.md:3:7",
            "content/p.md:3:7",
            "content/t.md:5:6",
        ],
        "{stderr}"
    );
    for help in [
        "help: shorten the part of `path:`",
        "help: shorten the alias",
        "help: shorten the term",
    ] {
        assert!(stderr.contains(help), "{help}\n{stderr}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn static_and_bundle_file_names_of_255_bytes_build() {
    // A file system takes names of at most 255 bytes, so a source file cannot be longer; the
    // output keeps its name, and a 255-byte name builds (the limit is not off by one).
    let site = site();
    let name = format!("{}.txt", "n".repeat(251));
    site.file(&format!("static/{name}"), "static")
        .file("content/bundle/index.md", "---\ntitle: B\n---\nB.\n")
        .file(&format!("content/bundle/{name}"), "bundle");
    site.build().success();
    assert!(site.exists(&format!("public/{name}")));
    assert!(site.exists(&format!("public/bundle/{name}")));
}

/// A file name within the disk's limit whose slug is longer: 80 Chinese characters are 240
/// bytes, and their slug spells each one out in Latin letters.
#[test]
fn a_page_file_name_whose_slug_grows_too_long_is_an_error_naming_the_file() {
    let site = site();
    let name = "\u{4e2d}\u{6587}".repeat(40);
    site.file(
        &format!("content/{name}.md"),
        "---\ntitle: Chinese\n---\nText.\n",
    );
    let (errors, stderr) = long_name_errors(&site);
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0]
            .0
            .starts_with(&format!("content/{name}.md would be written")),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "help: rename the file or folder to a shorter name, or set a shorter `slug:`"
        ),
        "{stderr}"
    );
}

#[test]
fn a_bundle_under_a_long_slug_is_reported_once_for_the_page() {
    let site = site();
    site.file(
        "content/trip/index.md",
        &format!("---\ntitle: Trip\nslug: {}\n---\nText.\n", "z".repeat(260)),
    )
    .file("content/trip/photo.txt", "a file of the bundle");
    let (errors, stderr) = long_name_errors(&site);
    assert_eq!(errors.len(), 1, "{stderr}");
    assert_eq!(errors[0].1, "content/trip/index.md:3:7");
}

/// Issue: `stillpoint new page "<70-word title>"` failed with "File name too long". The file
/// name is cut at a word boundary (at most 80 characters), the title stays whole, and the
/// owner is told.
#[test]
fn new_page_with_a_very_long_title_gets_a_short_file_name() {
    let site = site();
    let title = (0..70)
        .map(|i| format!("word{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    let run = site.run(&["new", "page", &title, "--today", "2026-01-02"]);
    run.success();
    // word0 to word9 take 59 characters with their hyphens, word10 to word12 another 21:
    // exactly 80, cut before `-word13`.
    let slug = (0..13)
        .map(|i| format!("word{i}"))
        .collect::<Vec<_>>()
        .join("-");
    assert_eq!(slug.len(), 80);
    let file = format!("content/{slug}.md");
    assert!(site.exists(&file), "{}\n{}", run.stdout, run.stderr);
    assert!(site.read(&file).contains(&title), "the title is whole");
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains(&format!("Created {file}")) && said.contains("The title is long"),
        "{said}"
    );
    assert!(
        said.contains(&format!("https://example.org/{slug}/")),
        "the address is the short slug: {said}"
    );
    // The new page is a draft: a build with drafts publishes it.
    site.build_with(&["--drafts"]).success();
    assert!(site.exists(&format!("public/{slug}/index.html")));
}

/// `deploy` used to upload part of the site and then fail on the long name; now its build
/// refuses the site first and nothing reaches the target.
#[test]
fn deploy_of_a_site_with_a_long_slug_uploads_nothing() {
    let site = site();
    site.file(
        "content/long.md",
        &format!(
            "---\ntitle: Long\nslug: \"{}\"\n---\nText.\n",
            "a".repeat(300)
        ),
    );
    let target = site.outside("target");
    std::fs::create_dir_all(&target).unwrap();
    let run = site.run(&[
        "deploy",
        "--target",
        target.to_str().unwrap(),
        "--force",
        "--no-verify",
    ]);
    run.code(1)
        .stderr_has("300 bytes long")
        .stderr_lacks("os error");
    assert!(
        std::fs::read_dir(&target).unwrap().next().is_none(),
        "something was uploaded"
    );
}
