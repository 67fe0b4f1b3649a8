//! Link resolution (`src/site.rs`): any text as a link target written in a page, in a section,
//! in a page bundle, and in `config.yaml` or a template, against a fixed small site at the host
//! root and below a base path.
#![no_main]

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stillpoint::config::Config;
use stillpoint::markdown::{LinkResolver, LinkTarget};
use stillpoint::site::{self, SiteTree};
use stillpoint_fuzz::{fixed_document, source_file};

struct Fixture {
    trees: Vec<(Config, SiteTree)>,
    outputs: HashSet<String>,
}

const DOCS: &[(&str, &str)] = &[
    ("_index.md", "---\ntitle: Home\n---\n# Home\n"),
    ("faq.md", "---\ntitle: FAQ\n---\n## Price {#price}\n"),
    ("Über uns.md", "---\ntitle: Über\n---\nx\n"),
    ("blog/_index.md", "---\ntitle: Blog\n---\n"),
    ("blog/post.md", "---\ntitle: Post\ndate: 2026-11-29\n---\n"),
    ("blog/bundle/index.md", "---\ntitle: Bundle\n---\n"),
    ("blog/draft.md", "---\ntitle: Draft\ndraft: true\n---\n"),
    ("deep/a/b/c.md", "---\ntitle: Deep\npath: elsewhere/c\n---\n"),
];

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let root = Path::new("/site");
        let files: Vec<_> = DOCS.iter().map(|(r, _)| source_file(root, r)).collect();
        let docs: Vec<_> = DOCS
            .iter()
            .map(|(r, t)| fixed_document(root, r, t))
            .collect();
        let mut trees = Vec::new();
        for (base_url, base_path) in [
            ("https://example.com", ""),
            ("https://example.org/docs", "/docs"),
        ] {
            let mut config = Config::for_test(root);
            config.base_url = base_url.into();
            config.base_path = base_path.into();
            let tree = match SiteTree::assemble(docs.clone(), &files, &config) {
                Ok(t) => t,
                Err(e) => panic!("fixture site does not assemble: {e:?}"),
            };
            trees.push((config, tree));
        }
        let outputs: HashSet<String> = [
            "index.html",
            "faq/index.html",
            "blog/index.html",
            "blog/post/index.html",
            "blog/bundle/index.html",
            "blog/bundle/photo.jpg",
            "images/a b.png",
            "sitemap.xml",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        Fixture { trees, outputs }
    })
}

fuzz_target!(|data: &[u8]| {
    let target = String::from_utf8_lossy(data);
    let f = fixture();
    for (config, tree) in &f.trees {
        // Drafts are not rendered, so links are only resolved from published documents.
        for (relative, _) in DOCS.iter().filter(|(r, _)| tree.get(r).is_some()) {
            let links = tree.resolver_for(relative, &f.outputs, &config.base_path);
            match links.resolve(&target) {
                LinkTarget::Internal { url, page, anchor } => {
                    // Every URL is decided by the site tree: an absolute permalink of this
                    // site, or an anchor on the same page.
                    assert!(
                        url.starts_with(&config.base_url) || url.starts_with('#'),
                        "{target:?} from {relative} gave {url:?}"
                    );
                    assert!(
                        tree.get(&page).is_some(),
                        "{target:?} from {relative} names {page:?}, which is not a page"
                    );
                    // The anchor is what follows the first `#`, percent-decoded (an id may
                    // hold a `#`, written `%23`): a `#` in it was in the target after the first.
                    if let Some(a) = anchor {
                        let escaped = target.to_ascii_lowercase().contains("%23");
                        assert!(!a.contains('#') || target.matches('#').count() > 1 || escaped);
                    }
                }
                LinkTarget::Broken(d) => assert!(!d.message.is_empty()),
                LinkTarget::External => {}
            }
        }
        match site::resolve_site_link(tree, config, &target) {
            Ok(url) => {
                if !site::is_external(&target) {
                    assert!(url.starts_with(&config.base_url), "{target:?} gave {url:?}");
                }
            }
            Err(d) => assert!(!d.message.is_empty()),
        }
    }
});
