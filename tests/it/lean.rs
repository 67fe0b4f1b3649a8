//! `build` keeps less than `serve`, `watch` and `check` (issue 20, "Build mode keeps less"):
//! once the markdown is rendered it drops the documents' markdown bodies and the link records,
//! yet writes the same files and reports template errors at the same front-matter lines.

use stillpoint::config::{Config, Overrides};
use stillpoint::output::MemorySink;
use stillpoint::site::SiteTree;
use stillpoint::templates::Templates;

use crate::support::TestSite;

/// Stages 1–4 of the site at `root`: its config, site tree and templates.
fn read(root: &std::path::Path) -> (Config, SiteTree, Templates) {
    let config = Config::load(root, &Overrides::default()).unwrap();
    let files = stillpoint::content::discover(&config).unwrap();
    let docs = stillpoint::content::parse(&files).unwrap();
    let tree = SiteTree::assemble(docs, &files, &config).unwrap();
    let templates = Templates::load(&config).unwrap();
    (config, tree, templates)
}

/// Output files: path and bytes, as a [`MemorySink`] gives them.
type Files = Vec<(String, Vec<u8>)>;

/// Every file of a lean render (`render::site`, as `build` renders) and of a kept one
/// (`render::site_retained`, as `serve` renders), with the lean tree afterwards.
fn render_both(root: &std::path::Path) -> (Files, Files, SiteTree) {
    let (config, mut tree, templates) = read(root);
    let mut timings = stillpoint::Timings::start();
    let statics = stillpoint::render::static_files(&config).unwrap();
    let lean = MemorySink::new();
    stillpoint::render::site(&config, &mut tree, &templates, statics, &lean, &mut timings).unwrap();

    let (config, kept_tree, templates) = read(root);
    let statics = stillpoint::render::static_files(&config).unwrap();
    let kept = MemorySink::new();
    stillpoint::render::site_retained(
        &config,
        &kept_tree,
        &templates,
        statics,
        &kept,
        &mut timings,
        false,
    )
    .unwrap();
    // `serve` keeps the bodies.
    assert!(kept_tree.pages.iter().all(|p| !p.doc.body().is_empty()));
    (lean.into_files(), kept.into_files(), tree)
}

#[test]
fn build_drops_markdown_bodies_and_writes_the_same_files() {
    // Neighbours (`lower`/`higher`, shared cards), a table of contents and listings.
    let site = TestSite::fixture("sections");
    site.file(
        "content/blog/toc.md",
        "---\ntitle: Headings\nweight: 3\n---\nFirst paragraph.\n\n## One\n\nText.\n\n## Two\n\nMore.\n",
    );
    site.file(
        "templates/page.html",
        "{{ page.title }}|{{ page.content | safe }}|{% if page.lower %}L:{{ page.lower.title }} {{ page.lower.permalink }} {{ page.lower.date }}{% endif %}|{% if page.higher %}{{ page.higher.title }} {{ page.higher.path }}{% endif %}|{% for h in page.toc %}{{ h.id }} {{ h.permalink }};{% endfor %}|{{ page.summary | safe }}",
    );
    let (lean, kept, tree) = render_both(site.root());
    assert!(!lean.is_empty());
    assert_eq!(lean.len(), kept.len());
    for ((a, x), (b, y)) in lean.iter().zip(&kept) {
        assert_eq!(a, b);
        assert_eq!(
            String::from_utf8_lossy(x),
            String::from_utf8_lossy(y),
            "{a} differs"
        );
    }
    let shows = |text: &str| {
        lean.iter()
            .any(|(_, bytes)| String::from_utf8_lossy(bytes).contains(text))
    };
    let some_neighbour = shows("L:");
    assert!(shows("two "), "no table of contents");
    assert!(some_neighbour, "no page shows a neighbour");
    // The bodies are gone, the front matter stays.
    assert!(tree.pages.len() > 1);
    for p in &tree.pages {
        assert_eq!(p.doc.body(), "", "{}", p.doc.relative);
        assert!(p.doc.source.starts_with("---"), "{}", p.doc.relative);
        assert_eq!(p.doc.source.len(), p.doc.body_start);
    }
    for d in tree.sections.iter().filter_map(|s| s.doc.as_ref()) {
        assert_eq!(d.body(), "", "{}", d.relative);
    }
}

#[test]
fn build_still_points_template_errors_at_the_front_matter() {
    let site = TestSite::fixture("minimal");
    site.file(
        "content/about.md",
        "---\ntitle: About us\nextra:\n  phone: true\n---\nA long body that build no longer keeps.\n",
    );
    site.file(
        "templates/page.html",
        "{{ page.title }} {{ page.extra.phone | replace(from=\"1\", to=\"2\") }}",
    );
    site.build()
        .code(1)
        .stderr_has("content/about.md:4")
        .stderr_has("phone: true");
}
