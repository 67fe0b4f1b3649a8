//! Taxonomies (issue 18): `taxonomies:` in config.yaml, terms in front matter, the term list,
//! term pages (paginated), term feeds, `page.taxonomies`, `get_taxonomy` and
//! `get_taxonomy_url`, on the fixture `taxonomies/` (tags on pages of two sections) built by the
//! real binary with the default theme; and the errors for bad values.

use crate::support::TestSite;

/// The `<main>` element of an HTML page.
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>") + "</main>".len();
    &html[start..end]
}

#[test]
fn term_list_term_pages_and_feeds_are_written() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    site.build().success();
    let files: Vec<String> = site
        .list("public")
        .into_iter()
        .filter(|f| f.starts_with("tags/") || f.starts_with("categories/"))
        .collect();
    insta::assert_snapshot!("taxonomies_output_files", files.join("\n"));
    insta::assert_snapshot!(
        "taxonomies_tags_list_main",
        main_of(&site.read("public/tags/index.html"))
    );
    insta::assert_snapshot!(
        "taxonomies_relaxation_page_1_main",
        main_of(&site.read("public/tags/relaxation/index.html"))
    );
    insta::assert_snapshot!(
        "taxonomies_relaxation_atom",
        site.read("public/tags/relaxation/atom.xml")
    );
    // Terms that slugify alike are one term, named as first seen (blog/first.md writes
    // "Relaxation", treatments/cst.md "relaxation"; blog/first.md writes "research" and
    // treatments/cst.md "Research").
    site.assert_file_contains("public/tags/index.html", ">Relaxation</a>")
        .assert_file_contains("public/tags/index.html", ">research</a>")
        .assert_file_lacks("public/tags/index.html", ">Research</a>");
    // Newest first, the undated page last: on the second listing page.
    site.assert_file_contains(
        "public/tags/relaxation/page/2/index.html",
        "Craniosacral therapy",
    )
    .assert_file_contains(
        "public/tags/relaxation/page/2/index.html",
        "<title>Relaxation · Tags · Tag test (page 2)</title>",
    )
    .assert_file_contains(
        "public/tags/relaxation/page/1/index.html",
        "https://tags.example/tags/relaxation/",
    );
    // No `feed: true` on categories: no feed.
    site.assert_missing("public/categories/news/atom.xml");
}

#[test]
fn term_pages_are_in_the_sitemap() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    site.build().success();
    let sitemap = site.read("public/sitemap.xml");
    insta::assert_snapshot!("taxonomies_sitemap", sitemap);
    for url in [
        "https://tags.example/tags/",
        "https://tags.example/tags/relaxation/",
        "https://tags.example/tags/relaxation/page/2/",
        "https://tags.example/tags/research/",
        "https://tags.example/categories/news/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>{url}</loc>")),
            "{url} not in\n{sitemap}"
        );
    }
}

#[test]
fn pages_show_their_terms_as_links_and_only_when_they_have_some() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    site.build().success();
    site.assert_file_contains(
        "public/blog/second/index.html",
        r#"<a href="../../tags/relaxation/">relaxation</a>"#,
    )
    .assert_file_contains(
        "public/blog/second/index.html",
        r#"<a href="../../categories/news/">News</a>"#,
    )
    .assert_file_lacks("public/treatments/massage/index.html", "page-terms");
}

#[test]
fn check_follows_links_to_term_pages() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    // content/_index.md links to /tags/ and /tags/relaxation/.
    site.run(&["check"]).success();
    site.file(
        "content/about.md",
        "---\ntitle: About\n---\nSee [calm](/tags/calm/).\n",
    );
    site.run(&["check"]).code(1).stderr_has("/tags/calm/");
}

#[test]
fn an_unknown_taxonomy_is_an_error_at_its_line_naming_the_configured_ones() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    site.build().success();
    let before = site.output_tree();
    site.file(
        "content/blog/fourth.md",
        "---\ntitle: Fourth\ntaxonomies:\n  tag: [calm]\n---\nBody.\n",
    );
    let run = site.build();
    run.code(1);
    assert_eq!(
        run.errors(),
        [(
            "content/blog/fourth.md uses the taxonomy `tag`, which config.yaml does not list"
                .to_string(),
            "content/blog/fourth.md:4:3".to_string()
        )]
    );
    run.stderr_has("did you mean `tags`? config.yaml lists: tags, categories");
    crate::support::assert_same_tree(&before, &site.output_tree());
}

#[test]
fn tags_without_a_configured_taxonomy_say_how_to_add_one() {
    let site = TestSite::fixture_with_default_theme("minimal");
    site.file(
        "content/tagged.md",
        "---\ntitle: Tagged\ntags: [calm]\n---\nBody.\n",
    );
    let run = site.build();
    run.code(1)
        .stderr_has("uses the taxonomy `tags`, which config.yaml does not list")
        .stderr_has("add `taxonomies: [{ name: tags }]` to config.yaml");
    assert_eq!(run.errors()[0].1, "content/tagged.md:3:1");
}

#[test]
fn a_term_that_is_not_text_is_an_error_at_its_line() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    site.file(
        "content/blog/fourth.md",
        "---\ntitle: Fourth\ntags: [calm, { a: b }]\n---\nBody.\n",
    );
    let run = site.build();
    run.code(1).stderr_has("expected text");
    assert!(
        run.errors()[0].1.starts_with("content/blog/fourth.md:3:"),
        "{:?}",
        run.errors()
    );
}

#[test]
fn an_unknown_taxonomy_setting_suggests_the_closest() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    let config = site.read("config.yaml").replace("feed: true", "fed: true");
    site.file("config.yaml", &config);
    let run = site.build();
    run.code(1).stderr_has("`fed`").stderr_has("feed");
    assert!(
        run.errors()[0].1.starts_with("config.yaml:6:"),
        "{:?}",
        run.errors()
    );
}

#[test]
fn a_page_at_a_term_address_is_a_clash() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    site.file("content/tags.md", "---\ntitle: Tags page\n---\nBody.\n");
    site.build()
        .code(1)
        .stderr_has("two files want the same web address /tags/: content/tags.md and the tags list (config.yaml)");
}

#[test]
fn get_taxonomy_and_get_taxonomy_url_answer_from_the_terms() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    site.file(
        "templates/index.html",
        "{% set tags = get_taxonomy(kind=\"tags\") %}{{ tags.kind.name }}:\
         {% for t in tags.items %} {{ t.name }}={{ t.page_count }}({% for p in t.pages %}{{ p.title }};{% endfor %}){% endfor %}\n\
         {{ get_taxonomy_url(kind=\"tags\", name=\"RELAXATION\") }}\n",
    );
    site.build().success();
    assert_eq!(
        site.read("public/index.html"),
        "tags: Relaxation=3(Second post;First post;Craniosacral therapy;) research=3(Third post;First post;Craniosacral therapy;)\n\
         https://tags.example/tags/relaxation/\n"
    );
    site.file(
        "templates/index.html",
        "{{ get_taxonomy_url(kind=\"tags\", name=\"relaxing\") }}",
    );
    site.build().code(1).stderr_has(
        "get_taxonomy_url: no page has the tags term `relaxing` (did you mean `Relaxation`?)",
    );
    site.file("templates/index.html", "{{ get_taxonomy(kind=\"tag\") }}");
    site.build()
        .code(1)
        .stderr_has("get_taxonomy: there is no taxonomy `tag` (did you mean `tags`?)");
}

/// Under `serve`/`watch`, a body edit of a page without terms stays incremental; an edit of a
/// page with terms (its term pages show it) and a new tag are full rebuilds, equal to clean
/// builds (the random saves of `incremental.rs` also run on this fixture).
#[test]
fn edits_of_pages_with_terms_rebuild_the_term_pages() {
    use stillpoint::BuildOptions;
    use stillpoint::incremental::{LiveBuild, Update};
    let site = TestSite::fixture_with_default_theme("taxonomies");
    let mut live = LiveBuild::new(BuildOptions {
        root: site.root().to_path_buf(),
        ..Default::default()
    });
    live.rebuild(&[]).unwrap();
    site.file(
        "content/treatments/massage.md",
        "---\ntitle: Massage\n---\nStill no tags here.\n",
    );
    let update = live
        .rebuild(&["content/treatments/massage.md".into()])
        .unwrap();
    assert!(
        matches!(update, Update::Partial { .. }),
        "a page without terms stays incremental"
    );
    site.file(
        "content/treatments/massage.md",
        "---\ntitle: Massage\ntags: [calm]\n---\nStill no tags here.\n",
    );
    let Update::Full(built) = live
        .rebuild(&["content/treatments/massage.md".into()])
        .unwrap()
    else {
        panic!("a new tag is a full rebuild");
    };
    assert!(built.files.iter().any(|(p, _)| p == "tags/calm/index.html"));
}

#[test]
fn taxonomy_settings_are_checked_with_their_line() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    site.file(
        "config.yaml",
        "title: T\nbase_url: https://tags.example\ntheme: default\ntaxonomies:\n  - { name: tags }\n  - { name: tags }\n  - { name: topics, paginate_by: 0 }\n  - { feed: true }\n",
    );
    let run = site.build();
    run.code(1);
    assert_eq!(
        run.errors(),
        [
            (
                "the taxonomy `tags` is listed twice in config.yaml".to_string(),
                "config.yaml:6:7".to_string()
            ),
            (
                "`paginate_by: 0` of the taxonomy `topics` is not a number of pages".to_string(),
                "config.yaml:7:21".to_string()
            ),
            (
                "taxonomy number 4 in config.yaml has no `name`".to_string(),
                "config.yaml:4:1".to_string()
            ),
        ]
    );
}

#[test]
fn a_taxonomys_own_templates_are_used_as_in_zola() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    site.file(
        "templates/tags/list.html",
        "{% for t in terms %}{{ t.slug }} {% endfor %}",
    )
    .file(
        "templates/tags/single.html",
        "{{ term.name }}: {{ paginator.current_index }}/{{ paginator.number_pagers }}",
    );
    site.build().success();
    assert_eq!(site.read("public/tags/index.html"), "relaxation research ");
    assert_eq!(
        site.read("public/tags/relaxation/page/2/index.html"),
        "Relaxation: 2/2"
    );
    // categories has no own templates: the theme's taxonomy_list.html.
    site.assert_file_contains("public/categories/index.html", "<h1>Categories</h1>");
}

/// Odd values of `tags:` and `taxonomies:` an owner may write: each ends cleanly (no panic),
/// builds or fails with exit code 1 and an error located in the page, and a failed build
/// leaves `public/` as it was.
#[test]
fn odd_term_values_end_cleanly() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    site.build().success();
    let before = site.output_tree();
    // (front matter lines, builds)
    let cases: &[(&str, bool)] = &[
        ("tags:", true),
        ("tags: []", true),
        ("tags: research", true),
        ("tags: [Détente, détente, \"Research \"]", true),
        ("tags: [2024, 1.50]", true),
        ("tags: [\"\"]", false),
        ("tags: [\"!!!\"]", false),
        ("tags: { a: b }", false),
        ("tags: [[a]]", false),
        ("tags: true", false),
        ("taxonomies: [tags]", false),
        ("taxonomies: 3", false),
        ("taxonomies:\n  tags: { x: y }", false),
        ("taxonomies:\n  topics: [a]", false),
    ];
    for (lines, builds) in cases {
        site.file(
            "content/blog/odd.md",
            &format!("---\ntitle: Odd\n{lines}\n---\nBody.\n"),
        );
        let run = site.build();
        assert!(!run.stderr.contains("panicked"), "{lines}: {}", run.stderr);
        if *builds {
            run.success();
            site.remove("content/blog/odd.md");
            site.build().success();
        } else {
            run.code(1);
            let errors = run.errors();
            assert!(
                errors
                    .iter()
                    .any(|(_, at)| at.starts_with("content/blog/odd.md:")),
                "{lines}: {errors:?}\n{}",
                run.stderr
            );
            crate::support::assert_same_tree(&before, &site.output_tree());
        }
    }
}

#[test]
fn terms_on_a_section_are_an_error() {
    let site = TestSite::fixture_with_default_theme("taxonomies");
    site.file(
        "content/blog/_index.md",
        "---\ntitle: Blog\ntags: [news]\n---\n",
    );
    let run = site.build();
    run.code(1);
    assert_eq!(
        run.errors(),
        [(
            "`tags` in content/blog/_index.md has no effect on a section".to_string(),
            "content/blog/_index.md:3:1".to_string()
        )]
    );
}
