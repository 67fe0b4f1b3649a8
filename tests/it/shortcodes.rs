//! Shortcodes and citations (issue 4, items 1 and 2): the `shortcodes/` and `citations/`
//! fixtures rendered and snapshotted, and every shortcode error through the real binary with
//! its exact `file:line:col` and wording.

use std::path::Path;

use crate::support::{TestSite, assert_same_tree};

/// The `<main>` element of `html`.
fn main_of(html: &str) -> &str {
    let start = html.find("<main>").unwrap();
    let end = html.find("</main>").unwrap() + "</main>".len();
    &html[start..end]
}

/// Copies the repository's default theme into `site` (as `themes/default`).
fn with_default_theme(site: &TestSite) {
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    for entry in walkdir::WalkDir::new(&theme) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&theme).unwrap();
            site.bytes(
                &format!("themes/default/{}", rel.to_str().unwrap()),
                &std::fs::read(entry.path()).unwrap(),
            );
        }
    }
}

fn shortcodes_site() -> TestSite {
    let site = TestSite::fixture("shortcodes");
    with_default_theme(&site);
    site
}

#[test]
fn shortcodes_render_inline_with_bodies_and_leave_code_alone() {
    let site = shortcodes_site();
    site.build_with(&["--urls", "absolute"])
        .success()
        .stderr_lacks("warning");
    let html = site.read("public/prices/index.html");
    let main = main_of(&html);
    // Inline calls inside a paragraph, with `nth` and `page`.
    assert!(main.contains("<p>A session costs <span class=\"price\">90 CAD</span> (price 1 on Prices), or <span class=\"price\">70 CAD</span> (price 2 on Prices) for students.</p>"));
    // A body is markdown: emphasis, paragraphs and checked `@/` links.
    assert!(main.contains("<div class=\"note note-caution\">\n<p>Bring <strong>comfortable</strong> clothes. See <a href=\"https://example.org/book/\">booking</a>.</p>\n<p>A second paragraph.</p>\n</div>"));
    // The site's callout wins over the theme's.
    assert!(main.contains("<div class=\"site-callout\">"));
    // A template that does not write `body` drops it.
    assert!(!main.contains("This text is dropped"));
    // The theme's figure and booking button.
    assert!(main.contains("<img src=\"https://example.org/room.svg\" alt=\"The treatment room\""));
    assert!(
        main.contains("<a class=\"button\" href=\"https://example.org/book/\">Book a session</a>")
    );
    // Code and escapes are left as written.
    assert!(main.contains("<code>{{ price(amount=1) }}</code>"));
    assert!(main.contains("or {{ price(amount=1) }} escaped."));
    assert!(main.contains("<pre><code>{{ price(amount=2) }}\n{% note() %}\n</code></pre>"));
    assert!(main.contains("<pre><code>{{ price(amount=3) }}\n</code></pre>"));
    insta::assert_snapshot!("shortcodes_prices_main", main);
}

#[test]
fn booking_button_without_a_real_address_is_plain_text() {
    let site = shortcodes_site();
    site.file(
        "config.yaml",
        "title: S\nbase_url: https://example.org\ntheme: default\nextra:\n  phone: \"[Phone — to be added]\"\n",
    );
    site.build().success();
    site.assert_file_contains(
        "public/prices/index.html",
        "<span class=\"button button-placeholder\">Book a session (booking details to be added)</span>",
    );
}

#[test]
fn theme_callout_has_a_visible_label_for_each_kind() {
    let site = shortcodes_site();
    site.remove("templates/shortcodes/callout.html").file(
        "content/c.md",
        "---\ntitle: C\n---\n{% callout(kind=\"caution\") %}\nSee a doctor **first**.\n{% end %}\n\n{% callout() %}\nA note.\n{% end %}\n",
    );
    site.build().success();
    let html = site.read("public/c/index.html");
    insta::assert_snapshot!("shortcodes_theme_callouts", main_of(&html));
    assert!(html.contains("role=\"note\""));
    assert!(html.contains("Caution</p>"));
    assert!(html.contains("Note</p>"));
}

#[test]
fn citations_number_in_order_and_list_what_is_cited() {
    let site = TestSite::fixture("citations");
    site.build().success().stderr_lacks("warning");
    let explicit = site.read("public/explicit/index.html");
    let automatic = site.read("public/automatic/index.html");
    insta::assert_snapshot!("citations_explicit_main", main_of(&explicit));
    insta::assert_snapshot!("citations_automatic_main", main_of(&automatic));
    assert!(!explicit.contains("unused-2001"));
    // Numbers restart on each page.
    assert!(automatic.contains("href=\"#ref:smith-2020\">[1]</a>"));
    assert!(explicit.contains("href=\"#ref:smith-2020\">[2]</a>"));
}

/// Builds `site` over an earlier output and checks: exit 1, `public/` unchanged, and stderr is
/// exactly `expected` (the diagnostic as the owner sees it).
#[track_caller]
fn fails_with(site: &TestSite, expected: &str) {
    site.seed_output();
    let before = site.output_tree();
    let run = site.build();
    run.code(1).stderr_lacks("panicked");
    assert_same_tree(&before, &site.output_tree());
    assert_eq!(run.stderr_stable(), expected);
}

fn page(site: &TestSite, body: &str) {
    site.file("content/p.md", &format!("---\ntitle: P\n---\n{body}"));
}

const NOT_BUILT: &str = "\nThe site was not built; the output folder is unchanged.\n";

#[test]
fn unknown_shortcode_names_the_closest_and_lists_the_others() {
    let site = shortcodes_site();
    page(&site, "Intro.\n\nPrice: {{ prise(amount=1) }}\n");
    fails_with(
        &site,
        &format!(
            "error: there is no shortcode `prise` (in content/p.md)
 --> content/p.md:6:11
  |
6 | Price: {{{{ prise(amount=1) }}}}
  |           ^^^^^ unknown shortcode
  |
  = help: did you mean `price`? The shortcodes there are: `book`, `callout`, `cite`, `figure`, `hidden`, `note`, `price`, `references`
{NOT_BUILT}"
        ),
    );
}

/// A page whose shortcode fails has unknown ids, not missing ones: links from other pages to
/// its headings are not reported as broken too (they were, as one extra error per link).
#[test]
fn a_shortcode_error_does_not_also_break_the_links_into_its_page() {
    let site = shortcodes_site();
    page(&site, "## Rhythm\n\nPrice: {{ prise(amount=1) }}\n");
    site.file(
        "content/q.md",
        "---\ntitle: Q\n---\nSee [the rhythm](@/p.md#rhythm).\n",
    );
    let run = site.build();
    run.code(1)
        .stderr_has("there is no shortcode `prise`")
        .stderr_lacks("anchor that does not exist");
    // A link to a heading that really is missing is still reported.
    page(&site, "## Pulse\n");
    site.build()
        .code(1)
        .stderr_has("link to an anchor that does not exist: `@/p.md#rhythm`");
}

#[test]
fn unquoted_argument_is_an_error_at_the_value() {
    let site = shortcodes_site();
    page(&site, "{{ price(amount=90, currency=CAD) }}\n");
    fails_with(
        &site,
        &format!(
            "error: the value of `currency` in the shortcode `price` is text without quotes: `CAD` (in content/p.md)
 --> content/p.md:4:30
  |
4 | {{{{ price(amount=90, currency=CAD) }}}}
  |                              ^^^ text needs quotes
  |
  = help: put it in double quotes: `currency=\"CAD\"`
{NOT_BUILT}"
        ),
    );
}

#[test]
fn missing_paren_is_an_error() {
    let site = shortcodes_site();
    page(&site, "{{ price(amount=90 }}\n");
    fails_with(
        &site,
        &format!(
            "error: the shortcode `price` has no closing `)` (in content/p.md)
 --> content/p.md:4:20
  |
4 | {{{{ price(amount=90 }}}}
  |                    ^ expected `)` before this
  |
  = help: close the argument list with `)`, as in `name(key=\"value\")`
{NOT_BUILT}"
        ),
    );
}

/// An unclosed quote runs on into the next call, where the call fails: the error is at the
/// quote and says it is not closed. An unclosed argument list is found on a later line: the
/// error also shows where the call starts.
#[test]
fn a_call_that_runs_on_is_shown_where_it_starts() {
    let site = shortcodes_site();
    page(
        &site,
        "Fees{{ price(amount=90, currency=\"CAD) }} or {{ price(amount=5, currency=\"EUR\") }}.\n",
    );
    fails_with(
        &site,
        &format!(
            "error: the text given to `currency` in the shortcode `price` runs past the end of the call: its closing quote is missing (in content/p.md)
 --> content/p.md:4:34
  |
4 | Fees{{{{ price(amount=90, currency=\"CAD) }}}} or {{{{ price(amount=5, currency=\"EUR\") }}}}.
  |                                  ^ this quote is not closed before the call ends
  |
  = help: end the text with \" before `)`, as in `currency=\"...\")`
{NOT_BUILT}"
        ),
    );
    // A value that really holds `}}`, in a call that is right, is kept.
    page(&site, "{{ price(amount=90, currency=\"C }} D\") }}\n");
    site.build().success();
    page(
        &site,
        "{{ price(amount=90,\n  currency=\"CAD\"\n\nMore text.\n",
    );
    fails_with(
        &site,
        &format!(
            "error: the shortcode `price` is missing a comma or `)` after `currency` (in content/p.md)
 --> content/p.md:7:1
  |
7 | More text.
  | ^ expected `,` or `)`
  |
 ::: content/p.md:4:1
  |
4 | {{{{ price(amount=90,
  | -------- the shortcode call starts here
  |
  = help: separate arguments with commas and end the list with `)`; text values need quotes
{NOT_BUILT}"
        ),
    );
}

#[test]
fn unclosed_body_is_reported_where_it_opens() {
    let site = shortcodes_site();
    page(&site, "Text.\n\n{% note() %}\nNever closed.\n");
    fails_with(
        &site,
        &format!(
            "error: the shortcode `note` is opened here but never closed with `{{% end %}}` (in content/p.md)
 --> content/p.md:6:1
  |
6 | {{% note() %}}
  | ^^^^^^^^^^^^ opened here
  |
  = help: add `{{% end %}}` after the text that belongs inside `note`; a shortcode without a body is written `{{{{ note(...) }}}}`
{NOT_BUILT}"
        ),
    );
}

#[test]
fn end_without_opening_is_an_error() {
    let site = shortcodes_site();
    page(&site, "Text. {% end %}\n");
    fails_with(
        &site,
        &format!(
            "error: `{{% end %}}` closes a shortcode that was never opened (in content/p.md)
 --> content/p.md:4:7
  |
4 | Text. {{% end %}}
  |       ^^^^^^^^^ nothing to close
  |
  = help: remove this `{{% end %}}`, or add the opening `{{% name(...) %}}` before it
{NOT_BUILT}"
        ),
    );
}

#[test]
fn figure_without_alt_points_at_the_call_and_names_the_template() {
    let site = shortcodes_site();
    page(&site, "Intro.\n\n{{ figure(src=\"/room.svg\") }}\n");
    fails_with(
        &site,
        &format!(
            "error: the shortcode `figure` could not be rendered (in content/p.md): the figure needs `alt`: a short description of the image for people who cannot see it, e.g. alt=\"The treatment room\"
 --> content/p.md:6:1
  |
6 | {{{{ figure(src=\"/room.svg\") }}}}
  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ its template themes/default/templates/shortcodes/figure.html stopped here
  |
  = note: the template is themes/default/templates/shortcodes/figure.html; the error is at themes/default/templates/shortcodes/figure.html:6:4
  = help: check the arguments given here against what themes/default/templates/shortcodes/figure.html expects
{NOT_BUILT}"
        ),
    );
}

#[test]
fn figure_with_a_missing_image_is_an_error_at_the_src() {
    let site = shortcodes_site();
    page(&site, "{{ figure(src=\"/nope.jpg\", alt=\"x\") }}\n");
    let run = site.build();
    run.code(1)
        .stderr_has("--> content/p.md:4:11")
        .stderr_has("no such file");
}

#[test]
fn positions_after_shortcodes_stay_right() {
    let site = shortcodes_site();
    // A broken link after an inline call on the same line, and after a body of several lines.
    page(
        &site,
        "{{ price(amount=1) }} and [x](@/nope.md)\n\n{% note() %}\nBody\n\nmore\n{% end %} [y](@/gone.md)\n",
    );
    let run = site.build();
    run.code(1)
        .stderr_has("--> content/p.md:4:27")
        .stderr_has("--> content/p.md:10:11");
}

#[test]
fn unknown_citation_key_has_a_did_you_mean() {
    let site = TestSite::fixture("citations");
    site.file(
        "content/automatic.md",
        "---\ntitle: A\n---\nClaim {{ cite(key=\"smith-2002\") }}.\n",
    );
    fails_with(
        &site,
        &format!(
            "error: no reference `smith-2002` in data/references.yaml (in content/automatic.md)
 --> content/automatic.md:4:15
  |
4 | Claim {{{{ cite(key=\"smith-2002\") }}}}.
  |               ^^^^^^^^^^^^^^^^ unknown reference
  |
  = help: did you mean `smith-2020`? Keys are the names in data/references.yaml
{NOT_BUILT}"
        ),
    );
}

#[test]
fn malformed_references_file_names_its_line() {
    let site = TestSite::fixture("citations");
    site.file(
        "data/references.yaml",
        "smith-2020:\n  title: T\n  jornal: J\n",
    );
    let run = site.build();
    run.code(1)
        .stderr_has("the reference list has a mistake in data/references.yaml")
        .stderr_has("--> data/references.yaml:3:")
        .stderr_has("journal");
}

#[test]
fn cite_without_a_references_file_says_what_to_create() {
    let site = TestSite::fixture("citations");
    site.remove("data/references.yaml");
    let run = site.build();
    run.code(1)
        .stderr_has("`cite` needs a reference list, but there is no data/references.yaml")
        .stderr_has("--> content/automatic.md:4:19");
}

#[test]
fn load_data_reads_each_format_relative_to_the_site_root() {
    let site = TestSite::new();
    site.file("content/_index.md", "---\ntitle: Home\n---\n")
        .file("data/a.yaml", "name: Yaml\n")
        .file("data/b.json", "{\"name\": \"Json\"}")
        .file("data/c.toml", "name = \"Toml\"\n")
        .file("data/d.csv", "service,price\n\"Session, 60 min\",90\n")
        .file(
            "templates/index.html",
            "{% set a = load_data(path=\"data/a.yaml\") %}{% set b = load_data(path=\"data/b.json\") %}{% set c = load_data(path=\"data/c.toml\") %}{% set d = load_data(path=\"data/d.csv\") %}{{ a.name }} {{ b.name }} {{ c.name }} {{ d.headers[1] }}={{ d.records[0][0] }}/{{ d.records[0][1] }}\n",
        );
    site.build().success();
    assert_eq!(
        site.read("public/index.html"),
        "Yaml Json Toml price=Session, 60 min/90\n"
    );
}

#[test]
fn load_data_syntax_error_names_the_data_file_and_line() {
    let site = TestSite::new();
    site.file("content/_index.md", "---\ntitle: Home\n---\n")
        .file("data/prices.json", "{\n  \"a\": 1,\n  \"b\": \n}\n")
        .file(
            "templates/index.html",
            "{% set p = load_data(path=\"data/prices.json\") %}{{ p.a }}\n",
        );
    let run = site.build();
    run.code(1)
        .stderr_has("data/prices.json, line 4, column 1")
        .stderr_has("--> templates/index.html:1:")
        .stderr_has("help: fix the data file at the line named");
    site.file("data/prices.json", "{}").file(
        "templates/index.html",
        "{% set p = load_data(path=\"../outside.json\") %}\n",
    );
    site.build()
        .code(1)
        .stderr_has("must be a path inside the site");
}

#[test]
fn inline_shortcode_in_a_heading_stays_out_of_the_table_of_contents() {
    let site = shortcodes_site();
    site.file(
        "templates/page.html",
        "{% for h in page.toc %}[{{ h.title }}]{% endfor %}\n{{ page.content | safe }}",
    );
    page(&site, "## Prices {{ price(amount=5) }}\n");
    site.build().success();
    let html = site.read("public/p/index.html");
    assert!(html.starts_with("[Prices]\n"), "{html}");
    assert!(
        html.contains("<span class=\"price\">5 CAD</span>"),
        "{html}"
    );
}

/// The booking button follows the theme's one placeholder rule: a phone or email with a part
/// in square brackets anywhere is not made into a link (it used to look for a leading `[` only).
#[test]
fn the_booking_button_never_links_a_placeholder() {
    let site = shortcodes_site();
    site.file(
        "config.yaml",
        "title: \"Shortcodes\"\nbase_url: \"https://example.org\"\ntheme: default\nextra:\n  phone: \"+1 780 [number to be added]\"\n  email: \"hello@[domain to be added]\"\n",
    );
    site.build().success();
    let html = site.read("public/prices/index.html");
    let main = main_of(&html);
    assert!(
        !main.contains("tel:") && !main.contains("mailto:"),
        "{main}"
    );
    assert!(
        main.contains("<span class=\"button button-placeholder\">Book a session (booking details to be added)</span>"),
        "{main}"
    );

    // A real phone number still becomes the link.
    site.file(
        "config.yaml",
        "title: \"Shortcodes\"\nbase_url: \"https://example.org\"\ntheme: default\nextra:\n  phone: \"+1 780 555 0100\"\n",
    );
    site.build().success();
    let html = site.read("public/prices/index.html");
    assert!(
        main_of(&html).contains("<a class=\"button\" href=\"tel:+17805550100\">Book a session</a>"),
        "{html}"
    );
}
