//! Bad-input corpus from a trial run on a copy of the studio site: one mistake reported many
//! times over (a reference list that could not be read, reported again at every citation),
//! links in raw HTML that were never checked, a comma missing in a YAML flow collection
//! answered with harmful advice. Each case runs the real binary on a small site (see
//! [`crate::corpus`]) and asserts the exact message with its `file:line:col`.

use std::path::Path;

use crate::corpus::{Case, builds, case, check, config, fails, page, run_all};
use crate::support::{Run, TestSite, copy_tree};

/// Copies the `cite` and `references` shortcode templates of the `citations` fixture into `s`,
/// writes `data/references.yaml` as `list`, and two pages citing it three times.
fn cited(s: &TestSite, list: &str) {
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/citations/templates/shortcodes"),
        &s.path("templates/shortcodes"),
    );
    s.file("data/references.yaml", list)
        .file(
            "content/a.md",
            "---\ntitle: A\n---\nOne {{ cite(key=\"smith-2020\") }} and {{ cite(key=\"lee-nd\") }}.\n",
        )
        .file(
            "content/b.md",
            "---\ntitle: B\n---\nTwo {{ cite(key=\"smith-2020\") }}.\n",
        );
}

/// A failed build whose stderr is exactly `want` followed by the closing line.
fn exactly(want: &'static str) -> crate::corpus::Expect {
    check(move |_, run: &Run| {
        let full = format!("{want}\nThe site was not built; the output folder is unchanged.\n");
        if run.code == 1 && run.stderr == full {
            Ok(())
        } else {
            Err(format!("want exit 1 and stderr exactly:\n{full}"))
        }
    })
}

/// A reference list that cannot be read is one error, at the list; the citations that needed
/// it say nothing of their own (they used to say "there is no data/references.yaml" each).
fn reference_list_cases() -> Vec<Case> {
    vec![
        case(
            "references_tab",
            |s| {
                cited(
                    s,
                    "smith-2020:\n  title: \"A trial\"\n\tyear: 2020\nlee-nd:\n  title: \"What we know\"\n",
                )
            },
            exactly(
                "error: the reference list has a mistake in data/references.yaml: a tab is used to indent a line\n --> data/references.yaml:3:1\n  |\n3 |     year: 2020\n  | ^^^^ use spaces, not a tab\n  |\n  = help: indent with spaces, not tabs: delete the tab and type spaces instead\n",
            ),
        ),
        case(
            "references_unclosed_quote",
            |s| {
                cited(
                    s,
                    "smith-2020:\n  title: \"A trial\n  year: 2020\nlee-nd:\n  title: \"What we know\"\n",
                )
            },
            check(|_, run: &Run| one_error_at(run, "data/references.yaml:")),
        ),
        case(
            "references_missing_title",
            |s| {
                cited(
                    s,
                    "smith-2020:\n  year: 2020\nlee-nd:\n  title: \"What we know\"\n",
                )
            },
            exactly(
                "error: the reference list has a mistake in data/references.yaml: smith-2020: missing field `title`\n --> data/references.yaml:2:3\n  |\n2 |   year: 2020\n  |   ^ `title` is missing\n  |\n  = help: add a line like `title: ...`\n",
            ),
        ),
    ]
}

/// One error in all, at `place`, and no citation claiming the list is absent.
fn one_error_at(run: &Run, place: &str) -> Result<(), String> {
    let errors = run.stderr.matches("error:").count();
    if run.code != 1 || errors != 1 || !run.stderr.contains(place) {
        return Err(format!(
            "want exit 1 and one error at {place}, got {errors}"
        ));
    }
    if run.stderr.contains("there is no data/references.yaml") {
        return Err("a citation says the list is absent".into());
    }
    Ok(())
}

/// A quoted item of a `{…}` or `[…]` followed by more text: a comma is missing there. The advice
/// used to be to put the whole line in single quotes, which would have made the menu entry
/// text.
fn missing_comma_cases() -> Vec<Case> {
    vec![
        config(
            "missing_comma_in_menu_entry",
            "title: \"Minimal site\"\nbase_url: \"https://example.org\"\nmenu:\n  - { name: \"About\" url: \"@/about.md\" }\n",
            fails(&[
                "error: invalid setting in config.yaml: a comma is missing after \"About\"\n --> config.yaml:4:20\n  |\n4 |   - { name: \"About\" url: \"@/about.md\" }\n  |                    ^ a comma belongs here\n  |\n  = help: items of a `{…}` or `[…]` are separated by commas, like `- { name: \"About\", url: \"@/about.md\" }`\n",
            ]),
        ),
        page(
            "missing_comma_in_front_matter_list",
            "---\ntitle: Q\naliases: [\"a/\" \"b/\"]\n---\nBODY\n",
            fails(&[
                "error: invalid front matter in content/q.md: a comma is missing after \"a/\"\n --> content/q.md:3:15\n  |\n3 | aliases: [\"a/\" \"b/\"]\n  |               ^ a comma belongs here\n  |\n  = help: items of a `{…}` or `[…]` are separated by commas, like `aliases: [\"a/\", \"b/\"]`\n",
            ]),
        ),
        config(
            "missing_comma_after_a_plain_value",
            "title: \"Minimal site\"\nbase_url: \"https://example.org\"\nmenu:\n  - { name: About us url: \"@/about.md\" }\n",
            fails(&[
                "error: invalid setting in config.yaml: a comma is missing after `About us`\n --> config.yaml:4:21\n  |\n4 |   - { name: About us url: \"@/about.md\" }\n  |                     ^ a comma belongs here\n  |\n  = help: items of a `{…}` or `[…]` are separated by commas, like `- { name: About us, url: \"@/about.md\" }`\n",
            ]),
        ),
        page(
            "missing_comma_single_quotes",
            "---\ntitle: Q\ntags: ['calm', 'sleep' 'pain']\n---\nBODY\n",
            fails(&[
                "error: invalid front matter in content/q.md: a comma is missing after 'sleep'\n --> content/q.md:3:23\n",
            ]),
        ),
    ]
}

/// Links and images written as raw HTML in a page: checked as markdown's are, with the same
/// message at the address's place; `@/` becomes the page's address. They used to pass
/// unchecked, and `@/about.md` was published as written.
fn raw_html_cases() -> Vec<Case> {
    vec![
        page(
            "raw_html_links_to_nothing",
            "---\ntitle: Q\n---\nSee <a href=\"/nothing/\">x</a> and <a href=\"@/nope.md\">y</a>.\n",
            fails(&[
                "error: link to a file that the site does not have: `/nothing/` (it points to /nothing) (in content/q.md)\n --> content/q.md:4:14\n  |\n4 | See <a href=\"/nothing/\">x</a> and <a href=\"@/nope.md\">y</a>.\n  |              ^^^^^^^^^ broken link\n  |\n  = help: link to pages with their file name, like `[FAQ](@/faq.md)`; they are checked and survive a change of address\n",
                "error: link to a page that does not exist: `@/nope.md` (in content/q.md)\n --> content/q.md:4:44\n  |\n4 | See <a href=\"/nothing/\">x</a> and <a href=\"@/nope.md\">y</a>.\n  |                                            ^^^^^^^^^ broken link\n  |\n  = help: link to a page by its file under content/, like `@/faq.md`\n",
                "2 errors found\n",
            ]),
        ),
        page(
            "raw_html_images_of_nothing",
            "---\ntitle: Q\n---\n<p><img alt=\"r\" src=\"nothing.png\">\n<img alt=\"room\" src=\"/images/nothing.png\"></p>\n",
            fails(&[
                "error: link to a file that the site does not have: `nothing.png` (it points to /q/nothing.png) (in content/q.md)\n --> content/q.md:4:22\n",
                "error: link to a file that the site does not have: `/images/nothing.png` (it points to /images/nothing.png) (in content/q.md)\n --> content/q.md:5:22\n  |\n5 | <img alt=\"room\" src=\"/images/nothing.png\"></p>\n  |                      ^^^^^^^^^^^^^^^^^^^ broken link\n",
                "2 errors found\n",
            ]),
        ),
        page(
            "raw_html_anchor_that_does_not_exist",
            "---\ntitle: Q\n---\n<a href=\"#nowhere\">up</a>\n\n## Top\n",
            fails(&[
                "error: link to an anchor that does not exist: `#nowhere` (no heading or element with id `nowhere` in content/q.md) (in content/q.md)\n --> content/q.md:4:10\n",
            ]),
        ),
        page(
            "raw_html_page_link_becomes_its_address",
            "---\ntitle: Q\n---\nSee <a href=\"@/about.md\">about</a>.\n\n<div>\n<a class=\"b\"\n   href='@/about.md'>again</a> <!-- <a href=\"@/nope.md\"> -->\n</div>\n",
            builds(&[
                (
                    "public/q/index.html",
                    "See <a href=\"../about/\">about</a>.",
                ),
                (
                    "public/q/index.html",
                    "<a class=\"b\"\n   href='../about/'>again</a> <!-- <a href=\"@/nope.md\"> -->",
                ),
            ]),
        ),
    ]
}

#[test]
fn trial_corpus() {
    let mut cases = reference_list_cases();
    cases.extend(missing_comma_cases());
    cases.extend(raw_html_cases());
    run_all("trial", cases);
}

/// The exit code of the binary run with `args` in `site`, its stdout and stderr pipes whose
/// reading ends are closed right after it starts, before it writes anything (as
/// `stillpoint build | head -1` does once `head` has its line).
fn code_with_pipes_closed(site: &TestSite, args: &[&str]) -> Option<i32> {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stillpoint"))
        .args(args)
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    child.wait().unwrap().code()
}

/// A closed pipe is not a crash: the exit code stays the command's own (it was 101, a panic
/// in `eprint!`, since Rust ignores SIGPIPE).
#[test]
fn closed_pipe_keeps_the_exit_code() {
    let good = TestSite::fixture("minimal");
    let root = good.root().to_str().unwrap().to_string();
    assert_eq!(
        code_with_pipes_closed(&good, &["build", "--root", &root]),
        Some(0)
    );
    assert_eq!(
        code_with_pipes_closed(&good, &["check", "--root", &root]),
        Some(0)
    );

    let bad = TestSite::fixture("minimal");
    for i in 0..40 {
        bad.file(
            &format!("content/p{i}.md"),
            "---\ntitle: P\n---\n[a](/nowhere/) [b](/nothing/) [c](/none/)\n",
        );
    }
    let root = bad.root().to_str().unwrap().to_string();
    assert_eq!(
        code_with_pipes_closed(&bad, &["build", "--root", &root]),
        Some(1)
    );
    assert_eq!(
        code_with_pipes_closed(&bad, &["check", "--root", &root]),
        Some(1)
    );
    assert_eq!(
        code_with_pipes_closed(&bad, &["check", "--publish", "--root", &root]),
        Some(1)
    );
}

/// `stillpoint new page NAME`: a NAME that does not end in `.md` is a title, slugified as a
/// whole; a `/` in it made folders (`What? Why! 100% / Yes` made a folder `What? Why! 100% `
/// and a page "Yes"). Only a folder of `content/` that exists is taken from before a `/`.
#[test]
fn new_page_title_with_odd_characters() {
    let site = TestSite::fixture("minimal");
    site.file("content/faq/first.md", "---\ntitle: First\n---\n");
    let made = [
        (
            "What? Why! 100% / Yes",
            "content/what-why-100-yes.md",
            "What? Why! 100% / Yes",
        ),
        ("Prices   ", "content/prices.md", "Prices"),
        (
            "Über Café – Preise",
            "content/uber-cafe-preise.md",
            "Über Café – Preise",
        ),
        ("  / Gift cards", "content/gift-cards.md", "/ Gift cards"),
        (
            "blog/First post",
            "content/blog-first-post.md",
            "blog/First post",
        ),
        ("a/../b", "content/a-b.md", "a/../b"),
        (
            "faq/Insurance questions",
            "content/faq/insurance-questions.md",
            "Insurance questions",
        ),
        ("content/About us", "content/about-us.md", "About us"),
        (
            "care/after a session.md",
            "content/care/after a session.md",
            "After a session",
        ),
    ];
    for (name, file, title) in made {
        let run = site.run(&["new", "page", name, "--today", "2026-12-01"]);
        run.success().stderr_has(&format!("Created {file} (from "));
        let text = site.read(file);
        assert!(
            text.contains(&format!("title: \"{title}\"\n")),
            "{name:?} -> {file}:\n{text}"
        );
    }
    let no_letters = |typed: &str| {
        format!(
            "error: cannot make a page from `{typed}`: the title has no letters or digits to make a file name from\n |\n = help: give a title with letters, or a file name ending in .md\n"
        )
    };
    let refused = [
        ("/", no_letters("/")),
        ("..", no_letters("..")),
        ("?", no_letters("?")),
        ("  ", "error: cannot make a page from ``: there is no title or file name\n |\n = help: give a title, like `stillpoint new page \"Prices\"`, or a file, like `stillpoint new page faq/insurance.md`\n".to_string()),
        ("", "error: cannot make a page from ``: there is no title or file name\n".to_string()),
        ("../x.md", "error: cannot make a page from `../x.md`: a page must be inside the content/ folder\n |\n = help: write the path from content/, without `..`, like `faq/insurance.md`\n".to_string()),
    ];
    for (name, message) in refused {
        let run = site.run(&["new", "page", name, "--today", "2026-12-01"]);
        run.code(1).stderr_has(&message);
    }
    // Nothing but the pages above was made: no folder from a title's `/`.
    let mut folders: Vec<String> = std::fs::read_dir(site.path("content"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert_eq!(folders, ["care", "faq"], "folders in content/");
}
