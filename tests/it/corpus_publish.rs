//! The bad-input corpus for `check --publish` (issue 13, section 4): odd files that hold
//! placeholders, each checked by the real binary under the corpus watchdog. The sites have a
//! real `base_url`, so the build's own readiness scan (`config.ready_to_publish`) reads every
//! page too. Each case: no panic, no hang, the exit code, and the exact messages with their
//! `file:line:col` (or the file alone, where the text cannot be found as written).

use crate::corpus::{LIMIT, run_guarded};
use crate::support::TestSite;

/// One case: the files it writes over a small ready site, the exit code, and every error's
/// first line and location (the file alone when there is no line), in order.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    code: i32,
    errors: Vec<(String, String)>,
}

fn case(
    name: &'static str,
    files: &[(&'static str, &[u8])],
    code: i32,
    errors: &[(&str, &str)],
) -> Case {
    Case {
        name,
        files: files.iter().map(|(p, b)| (*p, b.to_vec())).collect(),
        code,
        errors: errors
            .iter()
            .map(|(m, a)| (m.to_string(), a.to_string()))
            .collect(),
    }
}

fn site() -> TestSite {
    let site = TestSite::new();
    site.file(
        "config.yaml",
        "title: Studio\nbase_url: https://www.stillpoint-studio.ca\n",
    )
    .file("content/_index.md", "---\ntitle: Home\n---\nWelcome.\n");
    site
}

fn run_case(c: &Case) -> Result<(), String> {
    let site = site();
    for (path, bytes) in &c.files {
        site.bytes(path, bytes);
    }
    let root = site.root().to_str().unwrap().to_string();
    let g = run_guarded(&site, &["check", "--publish", "--root", &root], &[], LIMIT);
    let run = &g.run;
    if g.timed_out || g.signal.is_some() || run.stderr.contains("panicked at") {
        return Err(format!("did not end cleanly\n{}", run.stderr));
    }
    if run.code != c.code {
        return Err(format!(
            "exit {} instead of {}\n{}",
            run.code, c.code, run.stderr
        ));
    }
    let got = run.errors();
    let want = &c.errors;
    if &got != want {
        return Err(format!(
            "errors differ\n  want: {want:?}\n  got:  {got:?}\n{}",
            run.stderr
        ));
    }
    Ok(())
}

#[test]
fn publish_corpus() {
    let many: String = "[a] ".repeat(2000);
    let many_page = format!("---\ntitle: Many\n---\n{many}\n");
    let mut cases = vec![
        case(
            "crlf_page",
            &[(
                "content/a.md",
                b"---\r\ntitle: A\r\ndescription: \"[About]\"\r\n---\r\nHello [name].\r\n",
            )],
            1,
            &[
                (
                    "placeholder left in the front matter of content/a.md: `description` is \"[About]\"",
                    "content/a.md:3:15",
                ),
                (
                    "placeholder left in the text of content/a.md: \"[name]\"",
                    "content/a.md:5:7",
                ),
            ],
        ),
        case(
            "byte_order_mark",
            &[("content/a.md", "\u{feff}---\ntitle: A\n---\n[x]\n".as_bytes())],
            1,
            &[(
                "placeholder left in the text of content/a.md: \"[x]\"",
                "content/a.md:4:1",
            )],
        ),
        case(
            "nul_before_a_placeholder",
            &[("content/a.md", b"---\ntitle: A\n---\nA\0 [x]\n")],
            1,
            &[(
                "placeholder left in the text of content/a.md: \"[x]\"",
                "content/a.md:4:4",
            )],
        ),
        case(
            "folded_yaml_value_over_two_lines",
            &[(
                "config.yaml",
                "title: Studio\nbase_url: https://www.stillpoint-studio.ca\nextra:\n  intro: >\n    [Intro, to be\n    added]\n".as_bytes(),
            )],
            1,
            &[(
                "placeholder left in config.yaml: `extra.intro` is \"[Intro, to be added]\"",
                "config.yaml:5:5",
            )],
        ),
        case(
            "escaped_quote_in_a_yaml_value",
            &[(
                "config.yaml",
                b"title: Studio\nbase_url: https://www.stillpoint-studio.ca\nextra:\n  phone: \"[Phone \\\"mobile\\\"]\"\n",
            )],
            1,
            &[(
                "placeholder left in config.yaml: `extra.phone` is \"[Phone \"mobile\"]\"",
                "config.yaml:4:11",
            )],
        ),
        case(
            "unicode_escape_cannot_be_located",
            &[(
                "config.yaml",
                b"title: Studio\nbase_url: https://www.stillpoint-studio.ca\nextra:\n  phone: \"\\u005BPhone]\"\n",
            )],
            1,
            &[("placeholder left in config.yaml: `extra.phone` is \"[Phone]\"", "config.yaml")],
        ),
        case(
            "list_in_front_matter_extra",
            &[(
                "content/a.md",
                b"---\ntitle: A\nextra:\n  days: [Monday]\n  tags: [\"ok\", \"[tag]\"]\n---\nText.\n",
            )],
            1,
            &[(
                "placeholder left in the front matter of content/a.md: `extra.tags[1]` is \"[tag]\"",
                "content/a.md:5:17",
            )],
        ),
        case(
            "heading_with_attributes_and_html_comment",
            &[(
                "content/a.md",
                b"---\ntitle: A\n---\n## [Heading] {#h}\n\n<!-- [not text] -->\n",
            )],
            1,
            &[(
                "placeholder left in the text of content/a.md: \"[Heading]\"",
                "content/a.md:4:4",
            )],
        ),
        case(
            "broken_data_file_is_left_to_the_build",
            &[("data/broken.yaml", b"a: [unclosed\n")],
            0,
            &[],
        ),
        case(
            "data_file_that_is_not_utf8",
            &[("data/latin1.csv", b"name\n[caf\xe9]\n")],
            0,
            &[],
        ),
        case(
            "toml_comment_and_array",
            &[(
                "data/a.toml",
                b"# [not this]\ndays = [\"Monday\"]\nnote = \"[note]\" # [nor this]\n",
            )],
            1,
            &[(
                "placeholder left in data/a.toml: `note` is \"[note]\"",
                "data/a.toml:3:9",
            )],
        ),
    ];
    let mut many_errors = Vec::new();
    for i in 0..2000 {
        many_errors.push((
            "placeholder left in the text of content/many.md: \"[a]\"".to_string(),
            format!("content/many.md:4:{}", 1 + 4 * i),
        ));
    }
    cases.push(Case {
        name: "two_thousand_on_one_line",
        files: vec![("content/many.md", many_page.into_bytes())],
        code: 1,
        errors: many_errors,
    });
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            run_case(c)
                .err()
                .map(|e| format!("=== case `{}`: {e}", c.name))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} publish cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
