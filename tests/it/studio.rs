//! The studio's own site (the repository root): it builds, every mission page is there, and
//! every link into the site, with its anchor, lands on something that exists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{file_for_url, ids, links};

const BASE: &str = "https://example.com";

pub(crate) struct Built {
    _dir: tempfile::TempDir,
    pub(crate) out: PathBuf,
    stderr: String,
}

pub(crate) fn build_studio() -> Built {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = assert_cmd::cargo::cargo_bin_cmd!("stillpoint")
        .args(["build", "--root"])
        .arg(root)
        .arg("--output")
        .arg(&out)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    Built {
        _dir: dir,
        out,
        stderr,
    }
}

/// Every HTML file of the output, relative path -> text.
pub(crate) fn pages(out: &Path) -> BTreeMap<String, String> {
    crate::support::tree_hash(out)
        .into_iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .map(|(k, v)| (k, String::from_utf8(v).unwrap()))
        .collect()
}

#[test]
fn studio_site_builds_cleanly_with_every_mission_page() {
    let built = build_studio();
    assert!(
        !built.stderr.contains("warning"),
        "the studio site should build without warnings:\n{}",
        built.stderr
    );
    for file in [
        "index.html",
        "what-is-cst/index.html",
        "how-a-session-works/index.html",
        "evidence/index.html",
        "faq/index.html",
        "book/index.html",
        "about/index.html",
        "policies/index.html",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "css/site.css",
    ] {
        assert!(built.out.join(file).is_file(), "missing {file}");
    }
}

#[test]
fn studio_links_into_the_site_resolve_with_their_anchors() {
    let built = build_studio();
    let pages = pages(&built.out);
    let mut checked = 0;
    let mut problems = Vec::new();
    for (file, html) in &pages {
        for link in links(html) {
            if link != BASE && !link.starts_with(&format!("{BASE}/")) {
                continue;
            }
            checked += 1;
            let target = file_for_url(&built.out, BASE, &link).unwrap();
            if !target.is_file() {
                problems.push(format!("{file}: {link} -> missing {}", target.display()));
                continue;
            }
            if let Some((_, anchor)) = link.split_once('#') {
                let rel = target
                    .strip_prefix(&built.out)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                let target_ids = ids(&pages[&rel]);
                if !target_ids.iter().any(|i| *i == anchor) {
                    problems.push(format!("{file}: {link} -> no id `{anchor}` in {rel}"));
                }
            }
        }
        // Links to an anchor on the same page.
        for link in links(html) {
            if let Some(anchor) = link.strip_prefix('#') {
                checked += 1;
                if !ids(html).iter().any(|i| i == anchor) {
                    problems.push(format!("{file}: #{anchor} -> no such id on the page"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
    assert!(checked >= 30, "only {checked} links checked");
}

#[test]
fn studio_pages_have_one_h1_and_a_language() {
    let built = build_studio();
    for (file, html) in pages(&built.out) {
        if html.contains("http-equiv=\"refresh\"") {
            continue; // a redirect for an alias
        }
        assert_eq!(html.matches("<h1").count(), 1, "{file}: exactly one <h1");
        assert_eq!(
            html.matches("<html lang=").count(),
            1,
            "{file}: <html lang="
        );
    }
}

#[test]
fn studio_faq_and_evidence_have_their_structure() {
    let built = build_studio();
    let faq = std::fs::read_to_string(built.out.join("faq/index.html")).unwrap();
    assert!(
        faq.matches("<h2").count() >= 8,
        "the FAQ should have at least 8 questions"
    );
    let evidence = std::fs::read_to_string(built.out.join("evidence/index.html")).unwrap();
    assert!(
        evidence.contains("<ol class=\"references\">"),
        "no reference list"
    );
}

#[test]
fn studio_sitemap_and_robots_use_the_base_url() {
    let built = build_studio();
    let sitemap = std::fs::read_to_string(built.out.join("sitemap.xml")).unwrap();
    for page in ["/", "/faq/", "/evidence/", "/book/"] {
        assert!(
            sitemap.contains(&format!("<loc>{BASE}{page}</loc>")),
            "sitemap lacks {page}"
        );
    }
    let robots = std::fs::read_to_string(built.out.join("robots.txt")).unwrap();
    assert!(
        robots.contains(&format!("Sitemap: {BASE}/sitemap.xml")),
        "{robots}"
    );
}

#[test]
fn studio_pager_follows_the_menu_order() {
    // The pages of the home section are ordered by weight, as in the menu: what-is-cst (10),
    // how-a-session-works (20), evidence (30). The theme shows `page.lower` as "Previous" and
    // `page.higher` as "Next".
    let built = build_studio();
    let html = std::fs::read_to_string(built.out.join("how-a-session-works/index.html")).unwrap();
    let rel = |kind: &str| {
        html.lines()
            .find(|l| l.contains(&format!("rel=\"{kind}\"")))
            .and_then(|l| links(l).into_iter().next())
    };
    assert_eq!(rel("prev").as_deref(), Some("../what-is-cst/"));
    assert_eq!(rel("next").as_deref(), Some("../evidence/"));
}

/// `(number, href, id)` of every `<sup class="cite">` link of `html`, in order.
fn citations(html: &str) -> Vec<(usize, String, String)> {
    html.split("<sup class=\"cite\">")
        .skip(1)
        .map(|chunk| {
            let attr = |name: &str| {
                let start = chunk.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                chunk[start..][..chunk[start..].find('"').unwrap()].to_string()
            };
            let text = &chunk[chunk.find(">[").unwrap() + 2..];
            let number = text[..text.find(']').unwrap()].parse().unwrap();
            (number, attr("href"), attr("id"))
        })
        .collect()
}

#[test]
fn studio_evidence_numbers_its_citations_and_lists_what_it_cites() {
    let built = build_studio();
    let html = std::fs::read_to_string(built.out.join("evidence/index.html")).unwrap();
    let cites = citations(&html);
    assert!(cites.len() >= 40, "{} citations", cites.len());
    // Numbers go up in order of first citation, and one key keeps its number.
    let mut seen: Vec<String> = Vec::new();
    for (n, href, _) in &cites {
        match seen.iter().position(|h| h == href) {
            Some(i) => assert_eq!(*n, i + 1, "{href}"),
            None => {
                seen.push(href.clone());
                assert_eq!(*n, seen.len(), "{href}");
            }
        }
    }
    // The list holds exactly the cited entries, in that order, each linking back to citations
    // that exist on the page.
    let list = &html[html.find("<ol class=\"references\">").unwrap()..];
    let list = &list[..list.find("</ol>").unwrap()];
    let items: Vec<String> = list
        .split("<li id=\"")
        .skip(1)
        .map(|c| format!("#{}", &c[..c.find('"').unwrap()]))
        .collect();
    assert_eq!(items, seen);
    let page_ids = ids(&html);
    for back in links(list).iter().filter(|l| l.starts_with("#cite:")) {
        assert!(page_ids.contains(&back[1..].to_string()), "{back}");
    }
    assert!(list.contains(
        "<li id=\"ref:haller-2020\">Haller H, Lauche R, Sundberg T, Dobos G, Cramer H. Craniosacral therapy for chronic pain"
    ));
    insta::assert_snapshot!("studio_evidence_references", list);
}

#[test]
fn studio_every_reference_is_cited_somewhere() {
    let built = build_studio();
    let data =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/references.yaml"))
            .unwrap();
    let keys: Vec<&str> = data
        .lines()
        .filter(|l| !l.starts_with([' ', '#']) && l.ends_with(':'))
        .map(|l| l.trim_end_matches(':'))
        .collect();
    assert!(keys.len() >= 30, "{keys:?}");
    let listed: String = pages(&built.out).into_values().collect();
    for key in keys {
        assert!(
            listed.contains(&format!("<li id=\"ref:{key}\">")),
            "{key} is in data/references.yaml but no page lists it"
        );
    }
}

/// The text a reader sees on each page of the studio site (tags removed), without the reference
/// list, whose titles are the sources' own words.
fn page_texts(out: &Path) -> BTreeMap<String, String> {
    pages(out)
        .into_iter()
        .map(|(file, html)| {
            let body = match html.find("<ol class=\"references\">") {
                Some(i) => &html[..i],
                None => &html[..],
            };
            let mut text = String::new();
            let mut in_tag = false;
            for c in body.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        text.push(' ');
                    }
                    _ if !in_tag => text.push(c),
                    _ => {}
                }
            }
            (file, text.replace("&#39;", "'"))
        })
        .collect()
}

/// The pages that give health advice say what to do when a symptom comes on suddenly (911) and
/// where to ask when unsure (Health Link 811), and any page that sends readers to a doctor also
/// names 911: "see a doctor before you book" is the wrong advice for a possible stroke.
#[test]
fn studio_urgent_symptoms_are_sent_to_911_and_811() {
    let built = build_studio();
    let texts = page_texts(&built.out);
    for file in [
        "index.html",
        "how-a-session-works/index.html",
        "faq/index.html",
        "book/index.html",
        "evidence/index.html",
    ] {
        let text = &texts[file];
        assert!(text.contains("call 911"), "{file}: no \"call 911\"");
        assert!(text.contains("811"), "{file}: no Health Link 811");
    }
    // Any page that sends readers to a doctor also says when to call 911 instead.
    for (file, text) in &texts {
        if text.contains("see a doctor") || text.contains("see your doctor") {
            assert!(
                text.contains("911"),
                "{file} sends readers to a doctor but never says when to call 911"
            );
        }
    }
}

/// The content brief's "must not say" list: none of these appears in the text of any page (the
/// reference list is left out: its titles are the sources' words, not the studio's claims).
#[test]
fn studio_pages_say_nothing_from_the_must_not_say_list() {
    let built = build_studio();
    let banned = [
        "autism",
        "dementia",
        "ptsd",
        "chronic fatigue",
        "scoliosis",
        "concussion",
        "colic",
        "immune",
        "spinal cord injur",
        "clinically proven",
        "research shows it works",
        "safe for all",
        "safe for every",
        "no side effects",
        "releases restrictions",
        "restores cerebrospinal",
        "relieves pressure on the brain",
        "balances the nervous system",
        "registered massage",
        " rmt",
    ];
    for (file, text) in page_texts(&built.out) {
        let lower = text.to_lowercase();
        for phrase in banned {
            assert!(!lower.contains(phrase), "{file} says \"{phrase}\"");
        }
    }
}

/// No booking button leads in a circle and no booking action is announced while the booking
/// link is a placeholder: there is no "Book a session" link at all, and the JSON-LD has no
/// `ReserveAction`. The booking page says plainly that booking is not open on the site yet.
#[test]
fn studio_booking_is_honest_while_its_link_is_a_placeholder() {
    let built = build_studio();
    for (file, html) in pages(&built.out) {
        assert!(!html.contains("ReserveAction"), "{file}: a booking action");
        assert!(
            !html.contains(">Book a session</a>"),
            "{file}: a booking button"
        );
    }
    let texts = page_texts(&built.out);
    assert!(
        texts["book/index.html"].contains("You cannot book through this site yet."),
        "{}",
        texts["book/index.html"]
    );
}
