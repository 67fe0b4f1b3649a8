//! Taxonomies per language (issue 18), as in Zola: on the fixture `taxonomies_languages/`
//! (tags on English and French pages, with feeds), built by the real binary with the default
//! theme, each language has its own terms: the default language's under `/tags/`, French
//! ones under `/fr/tags/`, each listing only the pages of its language.

use crate::support::TestSite;

/// The `<main>` element of an HTML page.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>") + "</main>".len();
    &html[start..end]
}

#[test]
fn each_language_has_its_own_terms() {
    let site = TestSite::fixture_with_default_theme("taxonomies_languages");
    site.build().success();
    let files: Vec<String> = site
        .list("public")
        .into_iter()
        .filter(|f| f.starts_with("tags/") || f.starts_with("fr/tags/"))
        .collect();
    assert_eq!(
        files,
        [
            "fr/tags/detente/atom.xml",
            "fr/tags/detente/index.html",
            "fr/tags/index.html",
            "fr/tags/relaxation/atom.xml",
            "fr/tags/relaxation/index.html",
            "tags/index.html",
            "tags/relaxation/atom.xml",
            "tags/relaxation/index.html",
            "tags/research/atom.xml",
            "tags/research/index.html",
        ]
    );
    // Each term lists the pages of its language only.
    site.assert_file_contains("public/tags/relaxation/index.html", "A calm session")
        .assert_file_lacks("public/tags/relaxation/index.html", "Une séance calme")
        .assert_file_contains("public/fr/tags/relaxation/index.html", "Une séance calme")
        .assert_file_lacks("public/fr/tags/relaxation/index.html", "A calm session")
        .assert_file_contains("public/tags/index.html", ">Research</a>")
        .assert_file_lacks("public/tags/index.html", "Détente")
        .assert_file_lacks("public/fr/tags/index.html", "Research");
    // A French term page is in French, with its alternates and a switcher to the same term.
    let fr = site.read("public/fr/tags/relaxation/index.html");
    assert!(fr.contains("<html lang=\"fr\">"), "{fr}");
    assert!(
        fr.contains(
            "<link rel=\"alternate\" hreflang=\"en\" href=\"https://tags.example/tags/relaxation/\">"
        ),
        "{fr}"
    );
    assert!(
        fr.contains("<a href=\"../../../tags/relaxation/\" hreflang=\"en\""),
        "{fr}"
    );
    insta::assert_snapshot!("taxonomies_languages_fr_relaxation_main", main_of(&fr));
    // A term only French pages have: the switcher leads to the English home page.
    site.assert_file_contains(
        "public/fr/tags/detente/index.html",
        "<a href=\"../../../\" hreflang=\"en\"",
    )
    .assert_file_contains(
        "public/fr/tags/relaxation/index.html",
        "<title>Relaxation · Tags · Studio des tags</title>",
    )
    .assert_file_contains("public/fr/tags/relaxation/index.html", ">Flux</a>")
    .assert_file_contains("public/tags/relaxation/index.html", ">Feed</a>")
    .assert_file_contains("public/fr/tags/index.html", "<html lang=\"fr\">")
    .assert_file_contains(
        "public/fr/tags/index.html",
        "<a href=\"../../tags/\" hreflang=\"en\"",
    )
    .assert_file_contains("public/tags/index.html", "<html lang=\"en\">");
}

#[test]
fn the_french_term_feed_is_french() {
    let site = TestSite::fixture_with_default_theme("taxonomies_languages");
    site.build().success();
    let feed = site.read("public/fr/tags/relaxation/atom.xml");
    insta::assert_snapshot!("taxonomies_languages_fr_relaxation_atom", feed);
    assert!(feed.contains("xml:lang=\"fr\""), "{feed}");
    assert!(feed.contains("Une séance calme"), "{feed}");
    assert!(!feed.contains("A calm session"), "{feed}");
}

#[test]
fn term_pages_of_every_language_are_in_the_sitemap() {
    let site = TestSite::fixture_with_default_theme("taxonomies_languages");
    site.build().success();
    let sitemap = site.read("public/sitemap.xml");
    for url in [
        "https://tags.example/tags/",
        "https://tags.example/tags/relaxation/",
        "https://tags.example/fr/tags/",
        "https://tags.example/fr/tags/relaxation/",
        "https://tags.example/fr/tags/detente/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>{url}</loc>")),
            "{url} not in\n{sitemap}"
        );
    }
    // A term in both languages, and the list of terms, name their other version.
    assert!(
        sitemap.contains(
            "<xhtml:link rel=\"alternate\" hreflang=\"fr\" href=\"https://tags.example/fr/tags/relaxation/\"/>"
        ),
        "{sitemap}"
    );
    insta::assert_snapshot!("taxonomies_languages_sitemap", sitemap);
    // `check` follows the links of the French term pages too.
    site.run(&["check"]).success();
}

#[test]
fn get_taxonomy_and_its_url_take_a_language() {
    let site = TestSite::fixture_with_default_theme("taxonomies_languages");
    site.file(
        "templates/tag-check.html",
        "{% set en = get_taxonomy(kind=\"tags\") %}{% set fr = get_taxonomy(kind=\"tags\", lang=\"fr\") %}\
         en={{ en.lang }}:{% for t in en.items %}{{ t.name }}/{{ t.page_count }} {% endfor %}\n\
         fr={{ fr.lang }}:{% for t in fr.items %}{{ t.name }}/{{ t.page_count }} {% endfor %}\n\
         {{ get_taxonomy_url(kind=\"tags\", name=\"relaxation\") }}\n\
         {{ get_taxonomy_url(kind=\"tags\", name=\"Détente\", lang=\"fr\") }}\n",
    )
    .file(
        "content/check.md",
        "---\ntitle: Check\ntemplate: tag-check.html\n---\n",
    );
    site.build().success();
    assert_eq!(
        site.read("public/check/index.html"),
        "en=en:Relaxation/1 Research/2 \n\
         fr=fr:Détente/1 Relaxation/1 \n\
         https://tags.example/tags/relaxation/\n\
         https://tags.example/fr/tags/detente/\n"
    );
    // A term only another language has, and a language the site lacks, are clear errors.
    site.file(
        "templates/tag-check.html",
        "{{ get_taxonomy_url(kind=\"tags\", name=\"Détente\") }}",
    );
    site.build()
        .code(1)
        .stderr_has("no page has the tags term `Détente`");
    site.file(
        "templates/tag-check.html",
        "{{ get_taxonomy(kind=\"tags\", lang=\"de\") }}",
    );
    site.build()
        .code(1)
        .stderr_has("the site has no language `de` (its languages: en, fr)");
}
