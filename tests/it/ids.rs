//! Every id on a page is unique, and a checked link lands where it says (issue 17): headings
//! keep the ids their text gives, `{#custom}` ids win, and footnotes, citations and the default
//! theme take ids with a colon, which no heading can make.

use crate::support::{TestSite, copy_tree, ids};

/// The ids of `html` that appear more than once.
fn repeated(html: &str) -> Vec<String> {
    let all = ids(html);
    let mut seen = std::collections::HashSet::new();
    all.into_iter()
        .filter(|id| !seen.insert(id.clone()))
        .collect()
}

/// A page whose footnotes are named like its headings, and a page that links to both.
fn footnote_site() -> TestSite {
    let site = TestSite::new();
    site.file(
        "content/notes.md",
        "---\ntitle: Notes\n---\nA claim[^sources] and a second[^1], the first again[^sources].\n\n## Sources\n\nText.\n\n## 1\n\nMore.\n\n[^sources]: Where it comes from.\n[^1]: A numbered note.\n",
    )
    .file(
        "content/links.md",
        "---\ntitle: Links\n---\n[the sources](@/notes.md#sources), [one](@/notes.md#1), [the note](@/notes.md#fn:sources) and [back](@/notes.md#fnref:sources).\n",
    );
    site
}

// See: issue 17, "a footnote named `sources` and a `## Sources` heading"
#[test]
fn a_heading_keeps_its_id_when_a_footnote_has_the_same_name() {
    let site = footnote_site();
    site.build().success();
    let html = site.read("public/notes/index.html");
    assert!(html.contains(r#"<h2 id="sources">Sources</h2>"#), "{html}");
    assert!(html.contains(r#"<h2 id="1">1</h2>"#), "{html}");
    assert!(
        html.contains(r#"<div class="footnote-definition" id="fn:sources"><sup class="footnote-definition-label">1</sup>"#),
        "{html}"
    );
    assert!(
        html.contains(r##"<sup class="footnote-reference" id="fnref:sources"><a href="#fn:sources">1</a></sup>"##),
        "{html}"
    );
    // The second reference to the same footnote has its own id; numbers are pulldown-cmark's.
    assert!(
        html.contains(r##"<sup class="footnote-reference" id="fnref:sources:2"><a href="#fn:sources">1</a></sup>"##),
        "{html}"
    );
    assert!(
        html.contains(r##"id="fnref:1"><a href="#fn:1">2</a>"##),
        "{html}"
    );
    assert!(html.contains(r#"id="fn:1""#), "{html}");
    assert_eq!(repeated(&html), Vec::<String>::new());
    // The checked links land on the heading, and the footnote ids can be linked too.
    site.assert_file_contains("public/links/index.html", r#"href="../notes/#sources""#)
        .assert_file_contains("public/links/index.html", r#"href="../notes/#1""#);
}

#[test]
fn a_link_to_a_footnote_by_its_bare_label_is_an_error() {
    let site = footnote_site();
    site.file(
        "content/links.md",
        "---\ntitle: Links\n---\n\n[the note](@/notes.md#fn:nowhere)\n",
    );
    let run = site.build();
    run.code(1);
    assert_eq!(
        run.errors(),
        vec![(
            "link to an anchor that does not exist: `@/notes.md#fn:nowhere` (no heading or element with id `fn:nowhere` in content/notes.md) (in content/links.md)".to_string(),
            "content/links.md:5:1".to_string()
        )]
    );
}

#[test]
fn a_custom_id_wins_over_a_heading_whose_text_makes_it() {
    let site = TestSite::new();
    site.file(
        "content/page.md",
        "---\ntitle: Page\n---\n## Prices\n\n## Our rates {#prices}\n\n[rates](#prices)\n",
    );
    site.build().success();
    let html = site.read("public/page/index.html");
    assert!(html.contains(r#"<h2 id="prices-1">Prices</h2>"#), "{html}");
    assert!(html.contains(r#"<h2 id="prices">Our rates</h2>"#), "{html}");
    assert_eq!(repeated(&html), Vec::<String>::new());
}

#[test]
fn two_headings_with_one_custom_id_is_an_error_naming_both_lines() {
    let site = TestSite::new();
    site.file(
        "content/page.md",
        "---\ntitle: Page\n---\n## Prices {#rates}\n\nText.\n\n## Opening hours {#rates}\n",
    );
    let run = site.build();
    run.code(1);
    assert_eq!(
        run.errors(),
        vec![(
            "two headings have the id `rates`: line 4 and line 8 (in content/page.md)".to_string(),
            "content/page.md:8:1".to_string()
        )]
    );
    run.stderr_has("give one of the two headings another `{#…}`");
    assert!(!site.exists("public/page/index.html"));
    // `check` says the same.
    let check = site.run(&["check"]);
    check.code(1);
    assert_eq!(check.errors(), run.errors());
}

/// The default theme's own ids and the citations' ids have a colon: a page's headings named
/// "Main", "References" or like a reference keep their own ids, and no id is written twice.
#[test]
fn the_default_theme_and_citations_leave_heading_ids_alone() {
    let site = TestSite::empty();
    copy_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &site.path("themes/default"),
    );
    site.file(
        "config.yaml",
        "title: Ids\nbase_url: https://example.org\ntheme: default\n",
    )
    .file(
        "data/references.yaml",
        "smith-2020:\n  authors: Smith A\n  year: 2020\n  title: A trial\n",
    )
    .file("content/_index.md", "---\ntitle: Home\n---\nHome.\n")
    .file(
        "content/evidence.md",
        "---\ntitle: Evidence\ndescription: What the trials say.\n---\nA claim {{ cite(key=\"smith-2020\") }}.\n\n## Main\n\nText.\n\n## References\n\nText.\n\n## Ref Smith 2020\n\nText.\n\n## Page title\n\nText.\n\n## Footer contact\n\n[up](#main), [list](#sp:references), [entry](#ref:smith-2020), [skip](#sp:main)\n",
    );
    site.build().success();
    let html = site.read("public/evidence/index.html");
    for (id, title) in [
        ("main", "Main"),
        ("references", "References"),
        ("ref-smith-2020", "Ref Smith 2020"),
        ("page-title", "Page title"),
        ("footer-contact", "Footer contact"),
    ] {
        assert!(
            html.contains(&format!(r#"id="{id}">{title}</h2>"#)),
            "{id}\n{html}"
        );
    }
    assert!(html.contains(r#"<main id="sp:main""#), "{html}");
    assert!(html.contains(r##"href="#sp:main""##), "{html}");
    assert!(html.contains(r#"<h2 id="sp:references">"#), "{html}");
    assert!(html.contains(r#"<li id="ref:smith-2020">"#), "{html}");
    assert!(
        html.contains(r##"id="cite:smith-2020:1" href="#ref:smith-2020""##),
        "{html}"
    );
    assert_eq!(repeated(&html), Vec::<String>::new());
}

/// A site's own template writing a plain id (`<main id="main">`): a heading whose text makes
/// it gets a suffix; a link to `#main` lands on the template's element, and says so when a
/// heading was meant; a link to a template's id is not "missing".
#[test]
fn a_heading_steps_aside_for_an_id_of_the_sites_own_template() {
    let site = TestSite::new();
    site.file(
        "templates/page.html",
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ page.title }}</title></head>\n<body>\n<a href=\"#main\">Skip</a>\n<main id=\"main\">\n{{ page.content | safe }}\n</main>\n<footer id=\"contact\"></footer>\n</body>\n</html>\n",
    )
    .file(
        "content/page.md",
        "---\ntitle: Page\n---\n## Main\n\nText.\n\n## Rates\n",
    )
    .file(
        "content/other.md",
        "---\ntitle: Other\n---\n\n[main](@/page.md#main) and [contact](@/page.md#contact) and [rates](@/page.md#rates)\n",
    );
    let run = site.build();
    run.success();
    let html = site.read("public/page/index.html");
    assert!(html.contains(r#"<h2 id="main-1">Main</h2>"#), "{html}");
    assert_eq!(repeated(&html), Vec::<String>::new());
    run.stderr_has("warning: `@/page.md#main` lands on the element with id `main` written by the template templates/page.html, not on the heading of content/page.md whose text makes `main`: that heading's id is `main-1` (in content/other.md)")
        .stderr_has("content/other.md:5:1")
        .stderr_has("to link to the heading, write `#main-1`");
    // One warning: `#contact` is the template's element, and no heading wanted it.
    assert_eq!(run.stderr.matches("warning: ").count(), 1, "{}", run.stderr);
    let check = site.run(&["check"]);
    check
        .success()
        .stderr_has("lands on the element with id `main`");
}

/// A `{#custom}` id wins even over a template's id, but the page then has it twice: a warning
/// at the heading, and the build goes on.
#[test]
fn a_custom_id_that_the_template_uses_too_is_kept_with_a_warning() {
    let site = TestSite::new();
    site.file(
        "templates/page.html",
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ page.title }}</title></head>\n<body>\n<main id=\"main\">\n{{ page.content | safe }}\n</main>\n</body>\n</html>\n",
    )
    .file(
        "content/page.md",
        "---\ntitle: Page\n---\nText.\n\n## Start here {#main}\n",
    );
    let run = site.build();
    run.success()
        .stderr_has("warning: the heading's id `main` is also an id of the page's template, so the page has two elements with that id and a link to `#main` lands on the first, the template's (in content/page.md)")
        .stderr_has("content/page.md:6:1");
    site.assert_file_contains("public/page/index.html", r#"<h2 id="main">Start here</h2>"#);
}
