//! Bad input: one fixture under `tests/fixtures/invalid/` per kind of error. Each build must exit
//! with 1, say where the problem is (`file:line:col`), leave `public/` exactly as it was, and print
//! a message whose full wording is kept in a snapshot so changes to it are reviewed.

use crate::support::{Run, TestSite, assert_same_tree};

fn invalid(name: &str) -> TestSite {
    TestSite::fixture(&format!("invalid/{name}"))
}

/// Builds `site` over a `public/` left by an earlier build, and checks that the build fails with
/// exit code 1, that stderr holds every string of `expected`, that `public/` is unchanged, and
/// that the whole of stderr matches the snapshot `invalid__<name>`.
#[track_caller]
fn fails_cleanly(site: &TestSite, name: &str, expected: &[&str]) -> Run {
    site.seed_output();
    let before = site.output_tree();
    let run = site.build();
    run.code(1)
        .stderr_lacks("panicked")
        .stderr_has("The site was not built; the output folder is unchanged.");
    for text in expected {
        run.stderr_has(text);
    }
    assert_same_tree(&before, &site.output_tree());
    assert!(
        std::fs::read_dir(site.root()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with(".stillpoint-")),
        "a staging folder was left in the site root"
    );
    insta::assert_snapshot!(format!("invalid__{name}"), run.stderr_stable());
    run
}

#[test]
fn yaml_syntax_error_points_at_the_line_in_the_content_file() {
    let site = invalid("yaml_syntax");
    fails_cleanly(
        &site,
        "yaml_syntax",
        &[
            "invalid front matter in content/faq.md",
            "--> content/faq.md:2:",
            "title: FAQ: the questions",
            "help:",
        ],
    );
}

#[test]
fn wrong_type_points_at_the_value() {
    let site = invalid("wrong_type");
    fails_cleanly(
        &site,
        "wrong_type",
        &[
            "error: invalid front matter in content/faq.md: `weight` has the wrong type",
            "--> content/faq.md:3:9",
            "3 | weight: first",
            "^^^^^ expected a whole number",
            "help: write a whole number, like `weight: 3`",
        ],
    );
}

#[test]
fn unknown_front_matter_field_suggests_the_known_field_and_extra() {
    let site = invalid("unknown_field");
    let run = fails_cleanly(
        &site,
        "unknown_field",
        &["content/faq.md:2:1", "`titel`", "extra"],
    );
    let help = run
        .stderr
        .lines()
        .find(|l| l.contains("help:"))
        .expect("a help line");
    assert!(help.contains("`title`"), "help should name `title`: {help}");
    assert!(
        help.contains("extra"),
        "help should mention `extra`: {help}"
    );
}

#[test]
fn unclosed_front_matter_points_at_its_first_line() {
    let site = invalid("unclosed_front_matter");
    fails_cleanly(
        &site,
        "unclosed_front_matter",
        &["content/faq.md:1:1", "never closed", "---"],
    );
}

#[test]
fn content_that_is_not_utf8_is_named_with_line_and_column() {
    let site = invalid("invalid_utf8");
    // Written here, not in the fixture, so that git cannot change the bytes.
    site.bytes(
        "content/latin1.md",
        b"---\ntitle: Caf\xe9\n---\nA na\xefve Latin-1 file.\n",
    );
    fails_cleanly(&site, "invalid_utf8", &["content/latin1.md:2:11", "UTF-8"]);
}

#[test]
fn date_that_is_not_a_date_points_at_the_value() {
    let site = invalid("bad_date");
    fails_cleanly(
        &site,
        "bad_date",
        &["content/faq.md:3:7", "next tuesday", "2026-11-29"],
    );
}

#[test]
fn template_syntax_error_names_the_template_and_line() {
    let site = invalid("template_syntax");
    // A tag without its condition: the error is on the line of the tag.
    site.file(
        "templates/page.html",
        "<!doctype html>\n<html lang=\"en\"><head><title>{{ page.title }}</title></head>\n<body>\n{% if %}\n{{ page.content | safe }}\n{% endif %}\n</body>\n</html>\n",
    );
    fails_cleanly(
        &site,
        "template_syntax",
        &["templates/page.html:4:", "{% if %}"],
    );
}

#[test]
fn unclosed_block_error_points_at_the_tag_that_opens_it() {
    // The fixture's page.html opens `{% if page.title %}` on line 6 and never closes it. Tera
    // notices at the end of the file; the owner needs to be sent to line 6, not to the blank
    // last line.
    let site = invalid("template_syntax");
    let run = site.build();
    run.code(1).stderr_has("templates/page.html");
    assert!(
        run.stderr.contains("templates/page.html:6:"),
        "the error should point at line 6, where the `{{% if %}}` opens\n{}",
        run.stderr
    );
}

#[test]
fn undefined_variable_names_template_line_and_page() {
    let site = invalid("undefined_variable");
    fails_cleanly(
        &site,
        "undefined_variable",
        &[
            "templates/page.html:5:7",
            "page_subtitle",
            "while rendering content/faq.md",
        ],
    );
}

#[test]
fn missing_page_template_is_named() {
    let site = invalid("missing_template");
    fails_cleanly(
        &site,
        "missing_template",
        &["`page.html`", "templates/page.html"],
    );
}

#[test]
fn broken_internal_link_points_at_line_and_column() {
    let site = invalid("broken_link");
    fails_cleanly(
        &site,
        "broken_link",
        &["content/about.md:6:5", "`@/nope.md`", "broken link"],
    );
}

#[test]
fn broken_anchor_points_at_the_link() {
    let site = invalid("broken_anchor");
    fails_cleanly(
        &site,
        "broken_anchor",
        &["content/about.md:4:6", "@/faq.md#nope", "content/faq.md"],
    );
}

#[test]
fn two_pages_with_one_url_are_both_named() {
    let site = invalid("url_collision");
    let run = fails_cleanly(&site, "url_collision", &["/faq/"]);
    let message = run.stderr.lines().next().unwrap();
    assert!(
        message.contains("content/faq.md") && message.contains("content/questions.md"),
        "the message should name both files: {message}"
    );
}

#[test]
fn alias_that_takes_a_page_url_is_a_collision() {
    let site = invalid("url_collision");
    site.remove("content/questions.md").file(
        "content/about.md",
        "---\ntitle: About\naliases: [\"faq/\"]\n---\nAbout.\n",
    );
    let run = site.build();
    run.code(1)
        .stderr_has("content/faq.md")
        .stderr_has("content/about.md");
}

#[test]
fn unknown_theme_points_at_the_config_line() {
    let site = invalid("unknown_theme");
    fails_cleanly(&site, "unknown_theme", &["config.yaml:3:8", "`nope`"]);
}

#[test]
fn unknown_config_key_suggests_the_closest_key() {
    let site = invalid("unknown_config_key");
    fails_cleanly(
        &site,
        "unknown_config_key",
        &["config.yaml:3:1", "`theem`", "did you mean `theme`"],
    );
}

#[test]
fn missing_base_url_is_named() {
    let site = invalid("missing_base_url");
    fails_cleanly(&site, "missing_base_url", &["config.yaml", "`base_url`"]);
}

#[cfg(unix)]
#[test]
fn dangling_symlink_in_content_is_named() {
    // Tests may run as root, where `chmod 000` does not stop reading: a link to nothing is a file
    // that cannot be read for anyone.
    let site = invalid("unreadable_file");
    std::os::unix::fs::symlink("nowhere.md", site.path("content/page.md")).unwrap();
    fails_cleanly(&site, "unreadable_file", &["content/page.md"]);
}

#[test]
fn folder_where_config_file_is_expected_is_named() {
    let site = invalid("unreadable_file");
    site.remove("config.yaml");
    std::fs::create_dir(site.path("config.yaml")).unwrap();
    let run = site.build();
    run.code(1)
        .stderr_has("config.yaml")
        .stderr_lacks("panicked");
}

#[test]
fn broken_menu_link_points_at_the_config_line() {
    let site = invalid("broken_menu_link");
    fails_cleanly(
        &site,
        "broken_menu_link",
        &["config.yaml:5:", "@/prices.md", "Prices"],
    );
}

#[test]
fn broken_get_url_in_a_template_is_an_error() {
    let site = invalid("broken_get_url");
    fails_cleanly(
        &site,
        "broken_get_url",
        &["templates/page.html:8:", "contact.md", "content/faq.md"],
    );
}

#[test]
fn every_error_of_a_stage_is_reported_at_once() {
    // Two bad pages: both are reported by one build (collect, then fail).
    let site = invalid("wrong_type");
    site.file(
        "content/about.md",
        "---\ntitle: About\ndraft: perhaps\n---\nAbout.\n",
    );
    let run = site.build();
    run.code(1)
        .stderr_has("content/faq.md:3:9")
        .stderr_has("content/about.md:3:")
        .stderr_has("2 errors");
}

#[test]
fn content_and_template_errors_are_reported_together() {
    let site = invalid("wrong_type");
    site.file("templates/section.html", "{% for %}\n");
    let run = site.build();
    run.code(1)
        .stderr_has("content/faq.md:3:9")
        .stderr_has("templates/section.html:1:");
}

#[test]
fn page_without_title_warns_and_falls_back_to_heading_then_file_name() {
    let site = TestSite::fixture("missing_title");
    let run = site.build();
    run.success()
        .stderr_has("warning: content/how-a-session-works.md has no title")
        .stderr_has("warning: content/prices.md has no title")
        .stderr_has("\"How a session works\"")
        .stderr_has("\"Prices and payment\"");
    site.assert_file_contains(
        "public/how-a-session-works/index.html",
        "<title>How a session works</title>",
    )
    .assert_file_contains(
        "public/prices/index.html",
        "<title>Prices and payment</title>",
    );
    insta::assert_snapshot!("warning__missing_title", run.stderr_stable());
}

// See: fresh-user trial, rows 50-53: front matter that does not start with exactly `---` on
// the first line was published as text on the page, with only a misleading "no title" warning.
#[test]
fn front_matter_not_on_the_first_line_or_with_wrong_fences_is_an_error() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "\n---\ntitle: FAQ\n---\nbody\n",
            "content/faq.md:2:1",
            "must start on the very first line",
        ),
        (
            "+++\ntitle = \"FAQ\"\n+++\nbody\n",
            "content/faq.md:1:1",
            "TOML",
        ),
        (
            "\u{2014}\ntitle: FAQ\n\u{2014}\nbody\n",
            "content/faq.md:1:1",
            "must be exactly three hyphens",
        ),
        (
            "----\ntitle: FAQ\n----\nbody\n",
            "content/faq.md:1:1",
            "must be exactly three hyphens",
        ),
        (
            "title: FAQ\ndescription: d\n---\nbody\n",
            "content/faq.md:1:1",
            "no opening `---` line",
        ),
    ];
    for (text, at, says) in cases {
        let site = TestSite::fixture("minimal");
        site.file("content/faq.md", text);
        site.build().code(1).stderr_has(at).stderr_has(says);
    }
}

// See: fresh-user trial, rows 3, 5, 8c, 39, 43, 45, 47, 49: the parser's words replaced by
// what the owner did wrong, at the right line.
#[test]
fn front_matter_mistakes_get_plain_advice() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "---\ntitle: *New* FAQ\n---\n",
            "content/faq.md:2:8",
            "cannot start with `*`",
        ),
        (
            "---\ntitle: @home tips\n---\n",
            "content/faq.md:2:8",
            "cannot start with `@`",
        ),
        (
            "---\ntitle:FAQ\n---\n",
            "content/faq.md:2:6",
            "put a space after the colon",
        ),
        (
            "---\ntitle: \u{201c}FAQ: answers\u{201d}\n---\n",
            "content/faq.md:2:8",
            "curly quotes",
        ),
        (
            "---\ntitle:\n---\n",
            "content/faq.md:2:",
            "write the value after the colon",
        ),
        (
            "---\nextra:\n\tplace: x\n---\n",
            "content/faq.md:3:1",
            "indent with spaces, not tabs",
        ),
    ];
    for (text, at, says) in cases {
        let site = TestSite::fixture("minimal");
        site.file("content/faq.md", text);
        site.build()
            .code(1)
            .stderr_has(at)
            .stderr_has(says)
            .stderr_lacks(" column ");
    }
}

#[test]
fn a_hash_that_cuts_a_value_and_curly_quoted_values_are_warned_about() {
    let site = TestSite::fixture("minimal");
    site.file(
        "content/faq.md",
        "---\ntitle: Edmonton #1 studio\ndescription: \u{201c}Gentle\u{201d}\n---\nbody\n",
    );
    site.build()
        .success()
        .stderr_has("warning: in content/faq.md, the text after `#` on line 2 is read as a comment")
        .stderr_has("content/faq.md:2:17")
        .stderr_has("title: \"Edmonton #1 studio\"")
        .stderr_has("starts with a curly quote");
}

#[test]
fn output_inside_the_content_folder_is_refused() {
    let site = TestSite::fixture("minimal");
    let out = site.path("content/public");
    site.build_with(&["--output", out.to_str().unwrap()])
        .code(1)
        .stderr_has("is inside the site's content/ folder");
    assert!(!out.exists());
}

#[test]
fn a_config_yml_gets_a_rename_hint() {
    let site = TestSite::fixture("minimal");
    let text = site.read("config.yaml");
    site.remove("config.yaml").file("config.yml", &text);
    site.build().code(1).stderr_has("rename it to config.yaml");
}

/// A broken CSV data file read with `load_data` stops the build naming the file and line: an
/// unclosed quote, a row longer and a row shorter than the header row.
#[test]
fn broken_csv_data_file_names_the_file_and_line() {
    let site = TestSite::new();
    site.file("content/_index.md", "---\ntitle: Home\n---\n")
        .file(
            "templates/index.html",
            "{% set p = load_data(path=\"data/prices.csv\") %}{{ p.records | length }}\n",
        );
    for (csv, said) in [
        (
            "name,price\n\"Session,90\n",
            "data/prices.csv, line 2, column 1: this quote is never closed",
        ),
        (
            "name,price\nSession,90,extra\n",
            "data/prices.csv, line 2: this row has 3 fields but the header row has 2 fields",
        ),
        (
            "name,price\nSession,90\nShort\n",
            "data/prices.csv, line 3: this row has 1 field but the header row has 2 fields",
        ),
    ] {
        site.file("data/prices.csv", csv);
        site.build()
            .code(1)
            .stderr_has(said)
            .stderr_has("--> templates/index.html:1:");
    }
    site.file("data/prices.csv", "name,price\n\"Session, 60 min\",90\n");
    site.build().success();
    assert_eq!(site.read("public/index.html"), "1\n");
}

/// Zola's `{% import %}` and `{% macro %}` say that Tera 2 has no macros and what to use, at the
/// tag's line; a backslash in a template string says to double it.
#[test]
fn zola_macros_and_backslashes_in_templates_get_plain_help() {
    let site = TestSite::new();
    site.file("content/_index.md", "---\ntitle: Home\n---\n");
    for (template, at) in [
        (
            "<p>\n{% import \"macros.html\" as macros %}\n",
            "--> templates/index.html:2:",
        ),
        (
            "<p>\n\n{% macro hello(name) %}Hi {{ name }}{% endmacro %}\n",
            "--> templates/index.html:3:",
        ),
    ] {
        site.file("templates/index.html", template);
        site.build()
            .code(1)
            .stderr_has("unknown tag: Tera 2 has no macros")
            .stderr_has(at)
            .stderr_has("{% include \"name.html\" %}")
            .stderr_has("{% component hello(name) %}")
            .stderr_lacks("needs its `{% end");
    }
    site.file(
        "templates/index.html",
        "<p>\n{% set pattern = \"\\d+\" %}{{ pattern }}\n",
    );
    site.build()
        .code(1)
        .stderr_has("--> templates/index.html:2:")
        .stderr_has("double it, as in `\"\\\\d\"`")
        .stderr_lacks("needs its `{% end");
}

/// `content/café.md` typed twice, once with `é` as one character and once as `e` plus an accent
/// mark: the clash says the names differ only in how the accent is typed.
#[test]
fn two_pages_named_alike_but_for_the_accent_say_so() {
    let site = TestSite::new();
    let page = "---\ntitle: Café\n---\nText\n";
    site.file("content/_index.md", "---\ntitle: Home\n---\n")
        .file("content/caf\u{e9}.md", page)
        .file("content/cafe\u{301}.md", page);
    site.build()
        .code(1)
        .stderr_has("two files want the same web address /cafe/")
        .stderr_has("differ only in how an accented letter is typed");
}

/// `slug: ""` points at the slug line and says it is empty.
#[test]
fn an_empty_slug_points_at_its_line() {
    let site = TestSite::new();
    site.file("content/_index.md", "---\ntitle: Home\n---\n")
        .file("content/fm.md", "---\ntitle: Fm\nslug: \"\"\n---\nText\n");
    site.build()
        .code(1)
        .stderr_has("the `slug:` of content/fm.md is empty")
        .stderr_has("--> content/fm.md:3:");
}
