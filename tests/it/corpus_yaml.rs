//! Bad-input corpus for YAML in `config.yaml` and front matter (issue 12, §2): a value's YAML
//! type leaking into a theme error, curly quotes in `config.yaml`, the parser's words at the
//! wrong line for a quote, bracket or tab, and date fields read differently. Each case is one
//! small site built by the real binary through [`crate::corpus::run_all`], with the exact
//! message and its `file:line:col` (for the theme's errors, the value's line in the site; the
//! theme's own lines are left out, so that editing the theme does not break these cases).

use std::path::Path;

use crate::corpus::{Case, builds, case, check, config, fails, page, run_all};
use crate::support::{TestSite, copy_tree};

/// The config of the themed cases: the default theme, and `extra` as given (indented by two
/// spaces, starting on line 5).
fn themed_config(extra: &str) -> String {
    format!("title: \"Studio\"\nbase_url: \"https://example.org\"\ntheme: default\nextra:\n{extra}")
}

/// A case on the default theme: the theme copied in, the site's own templates removed,
/// `config.yaml` from [`themed_config`], and `files` written.
fn themed(
    name: &'static str,
    extra: &'static str,
    files: &'static [(&'static str, &'static str)],
    expect: crate::corpus::Expect,
) -> Case {
    case(
        name,
        move |s: &TestSite| {
            copy_tree(
                &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
                &s.path("themes/default"),
            );
            s.remove("templates");
            s.file("config.yaml", &themed_config(extra));
            for (f, text) in files {
                s.file(f, text);
            }
        },
        expect,
    )
}

/// A build that succeeds and prints `texts` (warnings) on stderr.
fn warns(texts: &'static [&'static str]) -> crate::corpus::Expect {
    check(move |_, run| {
        if run.code != 0 {
            return Err("expected success".into());
        }
        match texts.iter().find(|t| !run.stderr.contains(**t)) {
            Some(t) => Err(format!("stderr should contain {t:?}")),
            None => Ok(()),
        }
    })
}

#[test]
fn yaml_corpus() {
    let cases = vec![
        // A value's YAML type leaks into a theme error: config.yaml's extra is text as typed.
        themed(
            "unquoted_phone_number_is_the_text_typed",
            "  phone: 7805550142\n  email: 0123@example.org\n  address:\n    city: Edmonton\n    postal_code: 01234\n",
            &[],
            builds(&[
                (
                    "public/index.html",
                    "href=\"tel:7805550142\">7805550142</a>",
                ),
                ("public/index.html", "\"telephone\":\"7805550142\""),
                ("public/index.html", "\"postalCode\":\"01234\""),
            ]),
        ),
        themed(
            "phone_number_with_a_plus_keeps_it",
            "  phone: +17805550142\n",
            &[],
            builds(&[(
                "public/index.html",
                "href=\"tel:+17805550142\">+17805550142</a>",
            )]),
        ),
        themed(
            "config_value_of_the_wrong_type_points_at_config_yaml",
            "  phone: true\n",
            &[],
            fails(&[
                "error: template error in themes/default/templates/base.html: `extra.phone` in config.yaml is true or false, but the template needs text",
                "  ::: config.yaml:5:10",
                " 5 |   phone: true\n   |          ---- this is true or false",
                "help: change `phone` in config.yaml to text: put it in double quotes, like `phone: \"true\"`",
            ]),
        ),
        // The footer reads it through `{% set x = config.extra %}`.
        themed(
            "config_value_read_through_a_template_variable_points_at_config_yaml",
            "  booking_url: \"@/about.md\"\n  phone: [780, 555]\n",
            &[],
            fails(&[
                "error: template error in themes/default/templates/partials/footer.html: `extra.phone` in config.yaml is a list, but the template needs text",
                "  ::: config.yaml:6:10",
                " 6 |   phone: [780, 555]\n   |          ---------- this is a list",
                "help: change `phone` in config.yaml to text",
            ]),
        ),
        themed(
            "front_matter_value_of_the_wrong_type_points_at_the_page",
            "  phone: \"780-555-0142\"\n",
            &[(
                "content/q.md",
                "---\ntitle: Q\nextra:\n  image: 5\n---\nText.\n",
            )],
            fails(&[
                "error: template error in themes/default/templates/partials/seo.html: `extra.image` in content/q.md is a number, but the template needs text",
                "  ::: content/q.md:4:10",
                " 4 |   image: 5\n   |          - this is a number",
                "help: change `image` in content/q.md to text: put it in double quotes, like `image: \"5\"`",
            ]),
        ),
        // Curly quotes in config.yaml: the same warning as in front matter.
        config(
            "curly_quotes_in_config_are_warned_about",
            "title: \"Minimal site\"\nbase_url: \"https://example.org\"\nextra:\n  phone: \u{201c}780-555-0142\u{201d}\n  hours:\n    - \u{201c}Mon to Fri\u{201d}\n",
            warns(&[
                "warning: in config.yaml, the value on line 4 starts with a curly quote\n --> config.yaml:4:10",
                "warning: in config.yaml, the value on line 6 starts with a curly quote\n --> config.yaml:6:7",
                "the curly quotes become part of the text",
                "help: if you meant to quote the text, use straight quotes \"…\", or leave the quotes out",
            ]),
        ),
        config(
            "hash_in_config_value_is_warned_about",
            "title: Edmonton #1 studio\nbase_url: \"https://example.org\"\n",
            warns(&[
                "warning: in config.yaml, the text after `#` on line 1 is read as a comment and left out\n --> config.yaml:1:17",
                "help: put the whole value in double quotes, like `title: \"Edmonton #1 studio\"`",
            ]),
        ),
        // YAML jargon and the wrong line: the mistake, where it is.
        config(
            "unclosed_quote_in_config",
            "title: \"Minimal site\"\nbase_url: \"https://example.org\"\nextra:\n  phone: \"780-555-0142\n  email: \"a@example.org\"\n",
            fails(&[
                "error: invalid setting in config.yaml: this quote is never closed\n --> config.yaml:4:10",
                "^^^^^^^^^^^^^ this quote is never closed",
                "help: add the closing \" at the end of the value, like `phone: \"780-555-0142\"`",
            ]),
        ),
        config(
            "unclosed_quote_on_the_last_line_of_config",
            "title: \"Minimal site\"\nbase_url: \"https://example.org\n",
            fails(&[
                "error: invalid setting in config.yaml: this quote is never closed\n --> config.yaml:2:11",
            ]),
        ),
        config(
            "menu_entry_missing_its_closing_brace",
            "title: \"Minimal site\"\nbase_url: \"https://example.org\"\nmenu:\n  - { name: \"Home\", url: \"/\", weight: 1 }\n  - { name: \"About\", url: \"@/about.md\", weight: 2\n  - { name: \"Blog\", url: \"/blog/\", weight: 3 }\n",
            fails(&[
                "error: invalid setting in config.yaml: this `{` is never closed\n --> config.yaml:5:5",
                "^ this `{` is never closed",
                "help: add the closing `}` at the end of the line, like `- { name: \"About\", url: \"@/about.md\", weight: 2 }`",
            ]),
        ),
        config(
            "list_missing_its_closing_bracket_in_config",
            "title: \"Minimal site\"\nbase_url: \"https://example.org\"\ncheck:\n  skip_external: [\"https://a.org/\", \"https://b.org/\"\n  review_months: 6\n",
            fails(&[
                "error: invalid setting in config.yaml: this `[` is never closed\n --> config.yaml:4:18",
                "help: add the closing `]` at the end of the line, like `skip_external: [\"https://a.org/\", \"https://b.org/\"]`",
            ]),
        ),
        config(
            "tab_before_a_key_in_config",
            "title: \"Minimal site\"\nbase_url: \"https://example.org\"\nextra:\n  phone: \"780\"\n\temail: \"a@example.org\"\n",
            fails(&[
                "error: invalid setting in config.yaml: a tab is used to indent a line\n --> config.yaml:5:1",
                "use spaces, not a tab",
                "help: indent with spaces, not tabs: delete the tab and type spaces instead",
            ]),
        ),
        config(
            "colon_in_a_config_value",
            "title: Studio: gentle care\nbase_url: \"https://example.org\"\n",
            fails(&[
                "error: invalid setting in config.yaml: a value with `: ` in it needs quotes\n --> config.yaml:1:14",
                "help: put the whole value in double quotes, like `title: \"Studio: gentle care\"`",
            ]),
        ),
        page(
            "unclosed_quote_in_front_matter",
            "---\ntitle: \"Our prices\ndescription: What a session costs.\n---\nText.\n",
            fails(&[
                "error: invalid front matter in content/q.md: this quote is never closed\n --> content/q.md:2:8",
                "help: add the closing \" at the end of the value, like `title: \"Our prices\"`",
            ]),
        ),
        page(
            "unclosed_single_quote_before_the_fence",
            "---\ntitle: Q\ndescription: 'It''s gentle\n---\nText.\n",
            fails(&[
                "error: invalid front matter in content/q.md: this quote is never closed\n --> content/q.md:3:14",
            ]),
        ),
        page(
            "unclosed_brace_in_front_matter",
            "---\ntitle: Q\nextra: { health: true, reviewed: 2026-11-29\nweight: 3\n---\nText.\n",
            fails(&[
                "error: invalid front matter in content/q.md: this `{` is never closed\n --> content/q.md:3:8",
                "help: add the closing `}` at the end of the line, like `extra: { health: true, reviewed: 2026-11-29 }`",
            ]),
        ),
        page(
            "unclosed_bracket_in_front_matter",
            "---\ntitle: Q\naliases: [/old-q/, /older-q/\nweight: 3\n---\nText.\n",
            fails(&[
                "error: invalid front matter in content/q.md: this `[` is never closed\n --> content/q.md:3:10",
                "help: add the closing `]` at the end of the line, like `aliases: [/old-q/, /older-q/]`",
            ]),
        ),
        page(
            "tab_before_a_key_in_front_matter",
            "---\ntitle: Q\n\tweight: 3\n---\nText.\n",
            fails(&[
                "error: invalid front matter in content/q.md: a tab is used to indent a line\n --> content/q.md:3:1",
            ]),
        ),
        page(
            "quote_ending_a_value_early",
            "---\ntitle: \"The \"best\" studio\"\n---\nText.\n",
            fails(&[
                "error: invalid front matter in content/q.md: a quote ends the value before the end of the line\n --> content/q.md:2:13",
                "help: to use \" inside the value, put the whole value in single quotes instead, like `title: 'The \"best\" studio'`",
            ]),
        ),
        page(
            "field_indented_under_a_field_with_a_value",
            "---\ntitle: Q\n  description: What a session costs.\n---\nText.\n",
            fails(&[
                "error: invalid front matter in content/q.md: this line is indented more than the line above\n --> content/q.md:3:3",
                "help: start `description:` in the same column as `title:` on line 2; only the fields inside a group (under a line ending in `:`) are indented more",
            ]),
        ),
        config(
            "field_lined_up_with_no_line_above_in_config",
            "title: \"Minimal site\"\nbase_url: \"https://example.org\"\nextra:\n  address:\n    street: \"1 Main St\"\n   city: Edmonton\n",
            fails(&[
                "error: invalid setting in config.yaml: this line does not line up with the lines above\n --> config.yaml:6:4",
                "help: indent `city:` with as many spaces as the field it goes with: 4 like `street:` on line 5, or 2 like `address:` on line 4",
            ]),
        ),
        page(
            "field_without_its_colon",
            "---\ntitle: Q\nweight 3\n---\nText.\n",
            fails(&[
                "error: invalid front matter in content/q.md: this line has no `:` after the field's name\n --> content/q.md:3:7",
                "help: write the field as `name: value`, like `weight: 3`",
            ]),
        ),
        // Every date field is read the same way.
        page(
            "reviewed_in_another_form_is_the_same_error_as_date",
            "---\ntitle: Q\nextra:\n  reviewed: 5/12/2026\n  health: true\n---\nText.\n",
            fails(&[
                "error: invalid front matter in content/q.md: `5/12/2026` is not a date: write it as 2026-11-29 or 2026-11-29T10:00:00-07:00\n --> content/q.md:4:13",
                "^^^^^^^^^ not a date in a form stillpoint reads",
                "help: write dates as 2026-11-29, or with a time as 2026-11-29T10:00:00-07:00; check that the day exists",
            ]),
        ),
        page(
            "date_in_another_form",
            "---\ntitle: Q\ndate: 5/12/2026\n---\nText.\n",
            fails(&[
                "error: invalid front matter in content/q.md: `5/12/2026` is not a date: write it as 2026-11-29 or 2026-11-29T10:00:00-07:00\n --> content/q.md:3:7",
                "^^^^^^^^^ not a date in a form stillpoint reads",
            ]),
        ),
        page(
            "quoted_reviewed_in_another_form",
            "---\ntitle: Q\nextra:\n  reviewed: \"12.05.2026\"\n---\nText.\n",
            fails(&[
                "error: invalid front matter in content/q.md: `12.05.2026` is not a date: write it as 2026-11-29 or 2026-11-29T10:00:00-07:00\n --> content/q.md:4:14",
            ]),
        ),
        case(
            "reviewed_of_a_section_in_another_form",
            |s: &TestSite| {
                s.file(
                    "content/_index.md",
                    "---\ntitle: Home\nextra:\n  reviewed: tomorrow\n---\nWelcome.\n",
                );
            },
            fails(&[
                "error: invalid front matter in content/_index.md: `tomorrow` is not a date: write it as 2026-11-29 or 2026-11-29T10:00:00-07:00\n --> content/_index.md:4:13",
            ]),
        ),
        config(
            "valid_multiline_values_still_build",
            "title: \"Minimal site\"\nbase_url: \"https://example.org\"\ndescription: \"A long\n  description\"\ncheck:\n  skip_external: [\n    \"https://a.org/\",\n  ]\n",
            builds(&[("public/about/index.html", "<title>About us</title>")]),
        ),
    ];
    run_all("yaml", cases);
}
