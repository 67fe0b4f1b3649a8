//! Sites in several languages (issue 18): `about.fr.md` is the French version of `about.md`
//! at `/fr/…`, on the fixture `languages/` (English and a partial French translation) built
//! by the real binary with the default theme, and every mistake an owner can make with them.

use crate::support::TestSite;

#[test]
fn a_french_translation_is_published_under_fr_with_its_own_slug() {
    let site = TestSite::fixture_with_default_theme("languages");
    site.build().success();
    insta::assert_snapshot!("languages_output_files", site.list("public").join("\n"));
    insta::assert_snapshot!(
        "languages_french_page",
        site.read("public/fr/a-propos/index.html")
    );
    insta::assert_snapshot!("languages_sitemap", site.read("public/sitemap.xml"));
    insta::assert_snapshot!(
        "languages_french_feed",
        site.read("public/fr/journal/atom.xml")
    );
    // Dates in each language's form.
    site.assert_file_contains(
        "public/fr/a-propos/index.html",
        "Publié le <time datetime=\"2026-11-01\">1er novembre 2026</time>",
    );
    site.assert_file_contains(
        "public/about/index.html",
        "Published <time datetime=\"2026-11-01\">2026-11-01</time>",
    );
    // A dotted suffix that is not a language is an ordinary page, as before.
    site.assert_file_contains("public/v1-2/index.html", "<html lang=\"en\">");
}

#[test]
fn listings_neighbours_and_menus_are_per_language() {
    let site = TestSite::fixture_with_default_theme("languages");
    site.build().success();
    let fr_journal = site.read("public/fr/journal/index.html");
    assert!(fr_journal.contains("Première note"), "{fr_journal}");
    assert!(
        !fr_journal.contains("Second note") && !fr_journal.contains("First note"),
        "the French listing shows French pages only\n{fr_journal}"
    );
    let en_journal = site.read("public/journal/index.html");
    assert!(!en_journal.contains("Première note"), "{en_journal}");
    // The French home links to the French page, `@/about.md` from a French page.
    let fr_home = site.read("public/fr/index.html");
    assert!(
        fr_home.contains("href=\"a-propos/\">qui nous sommes</a>"),
        "{fr_home}"
    );
    assert!(fr_home.contains("<html lang=\"fr\">"), "{fr_home}");
    // The English pages keep the English menu and words, with a switcher to French.
    let about = site.read("public/about/index.html");
    assert!(about.contains(">Book a session<") || !about.contains("button cta"));
    assert!(
        about.contains("<a href=\"./\" aria-current=\"page\">About</a>"),
        "{about}"
    );
    assert!(
        about.contains("<a href=\"../fr/a-propos/\" hreflang=\"fr\" lang=\"fr\">FR</a>"),
        "{about}"
    );
    // A page without a translation switches to the French home page.
    let prices = site.read("public/prices/index.html");
    assert!(
        prices.contains("<a href=\"../fr/\" hreflang=\"fr\" lang=\"fr\">FR</a>"),
        "{prices}"
    );
    assert!(!prices.contains("hreflang=\"x-default\""), "{prices}");
}

#[test]
fn a_site_in_one_language_has_no_switcher_and_no_alternates() {
    let site = TestSite::fixture_with_default_theme("feed");
    site.build().success();
    let home = site.read("public/index.html");
    assert!(!home.contains("language-switcher"), "{home}");
    assert!(!home.contains("hreflang"), "{home}");
    let sitemap = site.read("public/sitemap.xml");
    assert!(!sitemap.contains("xhtml"), "{sitemap}");
}

/// The errors of a run as (message, `file:line:col`).
fn errors_of(site: &TestSite) -> Vec<(String, String)> {
    let run = site.build();
    run.code(1);
    run.errors()
}

#[test]
fn a_translation_without_a_source_is_an_error_at_its_file() {
    let site = TestSite::fixture_with_default_theme("languages");
    site.file(
        "content/contact.fr.md",
        "---\ntitle: Contact\n---\nBonjour.\n",
    );
    let before = site.list("public");
    assert_eq!(
        errors_of(&site),
        [(
            "content/contact.fr.md is a translation of contact.md, which is not in content/"
                .to_string(),
            "content/contact.fr.md:1:1".to_string()
        )]
    );
    assert_eq!(site.list("public"), before, "public/ stays as it was");
}

#[test]
fn two_files_for_one_page_and_language_are_an_error() {
    let site = TestSite::fixture_with_default_theme("languages");
    site.file("content/about/index.fr.md", "---\ntitle: Autre\n---\n");
    let errors = errors_of(&site);
    assert!(
        errors.contains(&(
            "two files for one page in `fr`: content/about.fr.md and content/about/index.fr.md"
                .to_string(),
            "content/about/index.fr.md:1:1".to_string()
        )),
        "{errors:?}"
    );
}

#[test]
fn an_unknown_language_in_a_menu_link_is_an_error_at_its_line() {
    let site = TestSite::fixture_with_default_theme("languages");
    let config = site.read("config.yaml");
    site.file(
        "config.yaml",
        &config.replace("@/about.fr.md", "@/about.de.md"),
    );
    let errors = errors_of(&site);
    assert_eq!(
        errors,
        [(
            "menu entry \"À propos\": `de` in `@/about.de.md` is not a language of this site (its languages: en, fr)"
                .to_string(),
            "config.yaml:15:35".to_string()
        )]
    );
}

#[test]
fn language_settings_are_checked_like_the_rest_of_config() {
    let site = TestSite::fixture_with_default_theme("languages");
    let config = site.read("config.yaml");
    site.file("config.yaml", &config.replace("  fr:\n", "  french:\n"));
    let errors = errors_of(&site);
    assert_eq!(
        errors[0].0,
        "`french` under `languages:` is not a language code"
    );
    assert_eq!(errors[0].1, "config.yaml:11:3");

    site.file(
        "config.yaml",
        &config.replace("    menu:\n", "    menus:\n"),
    );
    let run = site.build();
    run.code(1)
        .stderr_has(
            "error: invalid setting in config.yaml: unknown field `menus`\n  --> config.yaml:14:5",
        )
        .stderr_has("did you mean `menu`? Otherwise remove it; a language takes `title`, `description`, `menu` and `translations`");
}

#[test]
fn a_string_missing_for_a_language_names_the_key_the_language_and_the_files() {
    let site = TestSite::fixture_with_default_theme("languages");
    site.file(
        "templates/page.html",
        "{% extends \"default/templates/page.html\" %}{% block head %}{{ trans(key=\"hours\", lang=lang) }}{% endblock head %}",
    );
    let run = site.build();
    run.code(1).stderr_has(
        "trans: no string `hours` for the language `en`: add `hours: \"…\"` to `languages: en: translations:` in config.yaml or to themes/default/translations.yaml",
    );
}

#[test]
fn check_warns_about_a_translation_older_than_its_source_and_counts_per_language() {
    let site = TestSite::fixture_with_default_theme("languages");
    let run = site.run(&["check"]);
    run.code(0)
        .stderr_has(
            "warning: about.fr.md may be out of date: about.md was updated on 2026-12-01, this translation on 2026-11-20\n --> content/about.fr.md:5:1",
        )
        .stderr_has("note: fr: 2 of 5 pages translated; not translated from the menu: Prices (prices.md)")
        // A translation may keep its source's title.
        .stderr_lacks("two pages have the title \"Journal\"")
        // The French note is newer than its source: no warning.
        .stderr_lacks("first.fr.md may be out of date");

    site.file(
        "content/about.fr.md",
        &site
            .read("content/about.fr.md")
            .replace("2026-11-20", "2026-12-01"),
    );
    site.file(
        "content/prices.fr.md",
        "---\ntitle: Tarifs\ndate: 2026-10-02\n---\n",
    );
    site.run(&["check"])
        .code(0)
        .stderr_lacks("may be out of date")
        .stderr_has("note: fr: 3 of 5 pages translated; every menu page is translated");
}

#[test]
fn new_with_languages_makes_a_bilingual_site_that_passes_check_strict() {
    let site = TestSite::empty();
    site.run(&[
        "new",
        "studio",
        "--languages",
        "en,fr",
        "--today",
        "2026-11-29",
    ])
    .success();
    let root = site.path("studio");
    let root = root.to_str().unwrap();
    site.run(&["check", "--strict", "--root", root])
        .code(0)
        .stderr_has("0 errors, 0 warnings")
        .stderr_has("note: fr: 1 of 3 pages translated");
    site.run(&["build", "--root", root]).success();
    site.assert_file_contains("studio/public/fr/about/index.html", "<html lang=\"fr\">");
    site.assert_file_contains("studio/public/fr/index.html", "Bienvenue à Mon studio");

    site.run(&["new", "other", "--languages", "en,french"])
        .code(1)
        .stderr_has("`french` in --languages is not a language code");
    site.assert_missing("other");
}

#[test]
fn a_translated_page_bundle_has_its_files_beside_it() {
    let site = TestSite::fixture_with_default_theme("languages");
    site.file(
        "content/visit/index.md",
        "---\ntitle: Visit\n---\nSee [the map](map.txt).\n",
    )
    .file(
        "content/visit/index.fr.md",
        "---\ntitle: Visite\nslug: visite\n---\nVoir [le plan](map.txt).\n",
    )
    .file("content/visit/map.txt", "north\n");
    site.build().success();
    assert_eq!(site.read("public/visit/map.txt"), "north\n");
    assert_eq!(site.read("public/fr/visite/map.txt"), "north\n");
    site.assert_file_contains(
        "public/fr/visite/index.html",
        "href=\"map.txt\">le plan</a>",
    );
}

#[test]
fn a_french_section_is_paginated_over_its_french_pages_only() {
    let site = TestSite::fixture_with_default_theme("languages");
    site.file(
        "content/journal/_index.fr.md",
        "---\ntitle: Journal\npaginate_by: 1\n---\n",
    )
    .file(
        "content/journal/second.fr.md",
        "---\ntitle: Deuxième note\ndate: 2026-10-06\n---\nUne autre.\n",
    );
    site.build().success();
    let first = site.read("public/fr/journal/index.html");
    let second = site.read("public/fr/journal/page/2/index.html");
    assert!(
        first.contains("Deuxième note") && !first.contains("Première note"),
        "{first}"
    );
    assert!(second.contains("Première note"), "{second}");
    assert!(
        first.contains("<p class=\"pagination-status\">Page 1 sur 2</p>"),
        "{first}"
    );
    assert!(
        first.contains("<span class=\"pager-label\">Suivant</span> Page 2"),
        "{first}"
    );
    site.assert_missing("public/fr/journal/page/3/index.html");
    // Neighbours stay in the language: the newer French note's neighbour is the older one.
    site.assert_file_contains("public/fr/journal/first/index.html", "Deuxième note");
    site.assert_file_lacks("public/fr/journal/first/index.html", "Second note");
}
