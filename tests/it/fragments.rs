//! Page-independent template parts rendered once per build, and page values made without the
//! fields no template can show (issue 20): the output with both on equals the output with both
//! off (`STILLPOINT_NO_PART_CACHE=1`, `STILLPOINT_ALL_PAGE_FIELDS=1`), byte for byte, on every
//! fixture, the studio site and a nav site; errors inside a part are reported as without the
//! cache; incremental rebuilds still know what a part read.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use stillpoint::BuildOptions;
use stillpoint::config::{Config, Overrides};
use stillpoint::incremental::{LiveBuild, Update};
use stillpoint::templates::{ALL_PAGE_FIELDS, NO_PART_CACHE, PageFields, Templates};

use crate::support::{TestSite, copy_tree, file_tree, fixtures_dir};

/// What one build by the real binary gave: exit code, stderr, and the output files.
#[derive(Debug, PartialEq)]
struct Outcome {
    code: i32,
    stderr: String,
    files: BTreeMap<String, Vec<u8>>,
}

/// Builds `root` into a fresh folder with the part cache and the page fields' analysis on or
/// off.
fn build(root: &Path, cache: bool) -> Outcome {
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("public");
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("stillpoint");
    cmd.args([
        "build",
        "--root",
        root.to_str().unwrap(),
        "-o",
        dest.to_str().unwrap(),
    ])
    .env("NO_COLOR", "1")
    .env_remove(NO_PART_CACHE)
    .env_remove(ALL_PAGE_FIELDS);
    if !cache {
        cmd.env(NO_PART_CACHE, "1").env(ALL_PAGE_FIELDS, "1");
    }
    let o = cmd.output().unwrap();
    // The one line that differs from run to run: "Built … in 12 ms".
    let stderr: Vec<&str> = std::str::from_utf8(&o.stderr)
        .unwrap()
        .lines()
        .map(|l| match l.rfind(" in ") {
            Some(i) if l.starts_with("Built ") && l.ends_with(" ms") => &l[..i],
            _ => l,
        })
        .collect();
    Outcome {
        code: o.status.code().unwrap_or(-1),
        stderr: stderr.join("\n").replace(dest.to_str().unwrap(), "[OUT]"),
        files: file_tree(&dest),
    }
}

/// Asserts that `root` builds the same with the cache on and off (files, or the error).
fn same_both_ways(root: &Path) -> Outcome {
    let on = build(root, true);
    let off = build(root, false);
    assert_eq!(on.code, off.code, "{}: {}", root.display(), on.stderr);
    assert_eq!(on.stderr, off.stderr, "{}", root.display());
    let differ: Vec<&String> = on
        .files
        .keys()
        .chain(off.files.keys())
        .filter(|k| on.files.get(*k) != off.files.get(*k))
        .collect();
    assert!(
        differ.is_empty(),
        "{}: these files differ: {differ:?}",
        root.display()
    );
    on
}

/// The parts the templates of the site at `root` have: (template, line).
fn parts(root: &Path) -> Vec<(String, usize)> {
    let config = Config::load(root, &Overrides::default()).unwrap();
    let templates = Templates::load(&config).unwrap();
    templates
        .cached_parts()
        .into_iter()
        .map(|(t, l)| (t.to_string(), l))
        .collect()
}

/// What the templates of the site at `root` can show of a page value.
fn page_fields(root: &Path) -> PageFields {
    let config = Config::load(root, &Overrides::default()).unwrap();
    Templates::load(&config).unwrap().page_fields()
}

/// Whether the templates of the site at `root` can show a page's table of contents.
fn shows_toc(root: &Path) -> bool {
    page_fields(root).shows("toc")
}

/// Every folder under `dir` with a `config.yaml`.
fn sites(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.join("config.yaml").is_file() {
        out.push(dir.to_path_buf());
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut subs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subs.sort();
    for s in subs {
        if s.file_name()
            .is_some_and(|n| n != "themes" && n != "content")
        {
            sites(&s, out);
        }
    }
}

#[test]
fn every_fixture_builds_the_same_with_and_without_the_part_cache() {
    let mut all = Vec::new();
    sites(&fixtures_dir(), &mut all);
    assert!(all.len() > 40, "{all:?}");
    let (mut built, mut without_toc) = (0, 0);
    for fixture in &all {
        let rel = fixture.strip_prefix(fixtures_dir()).unwrap();
        let site = TestSite::fixture(rel.to_str().unwrap());
        let config = fs::read_to_string(site.path("config.yaml")).unwrap_or_default();
        if config.contains("theme: default") && !site.path("themes/default").exists() {
            copy_tree(
                &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
                &site.path("themes/default"),
            );
        }
        let code = same_both_ways(site.root()).code;
        built += usize::from(code == 0);
        without_toc += usize::from(code == 0 && !shows_toc(site.root()));
    }
    assert!(built > 20, "only {built} fixtures built");
    // Both kinds of site are among them: page values with and without tables of contents.
    assert!(
        without_toc > 3 && without_toc < built - 3,
        "{without_toc} of {built}"
    );
}

#[test]
fn the_studio_site_builds_the_same_with_and_without_the_part_cache() {
    let site = TestSite::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["content", "data", "static", "themes", "templates"] {
        if repo.join(dir).exists() {
            copy_tree(&repo.join(dir), &site.path(dir));
        }
    }
    fs::copy(repo.join("config.yaml"), site.path("config.yaml")).unwrap();
    assert_eq!(same_both_ways(site.root()).code, 0);
    // The theme shows a page's table of contents (`partials/toc.html`).
    assert!(shows_toc(site.root()));
}

/// The bench site's nav (`gen_site.py --flavor ours`): every section on every page.
const NAV_BASE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head><title>{% block title %}{{ config.title }}{% endblock title %}</title></head>
<body>
<header><a href="{{ config.base_url | safe }}/">{{ config.title }}</a></header>
<nav>
<ul>
{%- set root = get_section(path="_index.md", metadata_only=true) %}
{%- for sp in root.subsections %}
{%- set s = get_section(path=sp, metadata_only=true) %}
<li><a href="{{ s.permalink | safe }}">{{ s.title }}</a></li>
{%- endfor %}
</ul>
</nav>
<main>
{% block content %}{% endblock content %}
</main>
</body>
</html>
"#;

const NAV_INDEX: &str = r#"{% extends "base.html" %}
{% block content %}<h1>{{ section.title }}</h1>
<ul>
{%- for sp in section.subsections %}
{%- set s = get_section(path=sp, metadata_only=true) %}
<li><a href="{{ s.permalink | safe }}">{{ s.title }}</a>: {{ s.description }}</li>
{%- endfor %}
</ul>{% endblock content %}
"#;

const NAV_SECTION: &str = r#"{% extends "base.html" %}
{% block title %}{{ section.title }} | {{ config.title }}{% endblock title %}
{% block content %}<h1>{{ section.title }}</h1>
<ul>{% for p in section.pages %}<li><a href="{{ p.permalink | safe }}">{{ p.title }}</a></li>{% endfor %}</ul>
{% endblock content %}
"#;

const NAV_PAGE: &str = r#"{% extends "base.html" %}
{% block title %}{{ page.title }} | {{ config.title }}{% endblock title %}
{% block content %}<article><h1>{{ page.title }}</h1>{{ page.content | safe }}</article>{% endblock content %}
"#;

/// A site of `sections` sections of `pages` pages each, with the nav on every page.
fn nav_site(sections: usize, pages: usize) -> TestSite {
    let site = TestSite::new();
    site.file("templates/base.html", NAV_BASE)
        .file("templates/index.html", NAV_INDEX)
        .file("templates/section.html", NAV_SECTION)
        .file("templates/page.html", NAV_PAGE)
        .file("content/_index.md", "---\ntitle: Home\n---\nWelcome.\n");
    for s in 0..sections {
        site.file(
            &format!("content/s{s}/_index.md"),
            &format!("---\ntitle: Section <{s}> & co\ndescription: About {s}\nweight: {s}\n---\n"),
        );
        for p in 0..pages {
            site.file(
                &format!("content/s{s}/p{p}.md"),
                &format!(
                    "---\ntitle: Page {p} of {s}\ndate: 2026-01-{:02}\n---\nText {p}.\n",
                    p + 1
                ),
            );
        }
    }
    site
}

#[test]
fn a_nav_of_every_section_is_rendered_once_and_the_same() {
    let site = nav_site(6, 4);
    assert_eq!(parts(site.root()), vec![("base.html".to_string(), 5)]);
    let out = same_both_ways(site.root());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = String::from_utf8_lossy(&out.files["s3/p2/index.html"]).into_owned();
    // Escaped as the page is (the section's title has `<` and `&`), whitespace as written.
    assert!(
        page.contains("<ul>\n<li><a href=\"../../s0/\">Section &lt;0&gt; &amp; co</a></li>\n<li>"),
        "{page}"
    );
    assert!(page.contains("</a></li>\n</ul>\n</nav>"), "{page}");
}

/// Page values leave a page's table of contents out only when no template can show it: the
/// nav site's templates show none; a listing that shows its pages' tables of contents sees
/// every heading.
#[test]
fn tables_of_contents_are_made_where_a_template_can_show_them() {
    let site = nav_site(2, 2);
    for s in 0..2 {
        for p in 0..2 {
            site.file(
                &format!("content/s{s}/p{p}.md"),
                &format!("---\ntitle: Page {p} of {s}\n---\n## One {p}\n\nText.\n\n### Two\n"),
            );
        }
    }
    assert!(!shows_toc(site.root()));
    let out = same_both_ways(site.root());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(String::from_utf8_lossy(&out.files["s1/p0/index.html"]).contains("<h3 id=\"two\">"));

    site.file(
        "templates/section.html",
        r#"{% extends "base.html" %}
{% block content %}<ul>{% for p in section.pages %}<li>{{ p.title }}: {{ p.toc | length }}
{%- for h in p.toc %} {{ h.title }} ({{ h.children | length }}) {{ h.permalink }}{% endfor %}</li>{% endfor %}</ul>
{% endblock content %}
"#,
    );
    assert!(shows_toc(site.root()));
    let out = same_both_ways(site.root());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let section = String::from_utf8_lossy(&out.files["s1/index.html"]).into_owned();
    assert!(
        section.contains("<li>Page 1 of 1: 1 One 1 (1) https://example.org/s1/p1/#one-1</li>"),
        "{section}"
    );
}

/// Page values leave a page's summary out only when no template can show it and no feed
/// takes it: the nav site shows none; a listing that shows summaries, or a section's feed,
/// gets them.
#[test]
fn summaries_are_made_where_a_template_or_a_feed_can_show_them() {
    let site = nav_site(2, 2);
    for s in 0..2 {
        for p in 0..2 {
            site.file(
                &format!("content/s{s}/p{p}.md"),
                &format!(
                    "---\ntitle: Page {p} of {s}\ndate: 2026-01-0{}\n---\nFirst {s} {p}.\n\nSecond.\n",
                    p + 1
                ),
            );
        }
    }
    assert!(!page_fields(site.root()).shows("summary"));
    assert_eq!(same_both_ways(site.root()).code, 0);

    // A feed takes each page's summary from its value.
    site.file(
        "content/s1/_index.md",
        "---\ntitle: Section 1\nfeed: true\n---\n",
    );
    let out = same_both_ways(site.root());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let feed = String::from_utf8_lossy(&out.files["s1/atom.xml"]).into_owned();
    assert!(feed.contains("First 1 0."), "{feed}");
    assert!(feed.contains("<summary type=\"html\">"), "{feed}");

    site.file(
        "templates/section.html",
        r#"{% extends "base.html" %}
{% block content %}<ul>{% for p in section.pages %}<li>{{ p.title }}: {{ p.summary | safe }}</li>{% endfor %}</ul>
{% endblock content %}
"#,
    );
    assert!(page_fields(site.root()).shows("summary"));
    let out = same_both_ways(site.root());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let section = String::from_utf8_lossy(&out.files["s0/index.html"]).into_owned();
    assert!(
        section.contains("<li>Page 1 of 0: <p>First 0 1.</p>"),
        "{section}"
    );
}

/// A page value holds only the fields the templates name (the nav site names its title,
/// permalink and content), and all of them where a template counts or walks its keys or
/// shows a field it does not have (the error's help finds the field meant among them).
#[test]
fn page_values_hold_every_field_where_a_template_can_tell() {
    let site = nav_site(2, 2);
    let fields = page_fields(site.root());
    assert!(fields.shows("content") && !fields.shows("slug") && !fields.shows("lower"));
    assert_eq!(same_both_ways(site.root()).code, 0);

    site.file(
        "templates/section.html",
        r#"{% extends "base.html" %}
{% block content %}{% for p in section.pages %}<p>{{ p | length }}:{% for k in p %} {{ k }}{% endfor %}</p>{% endfor %}
{% endblock content %}
"#,
    );
    let out = same_both_ways(site.root());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let section = String::from_utf8_lossy(&out.files["s1/index.html"]).into_owned();
    // One name over a map walks its values: every field's, the page's `slug` among them.
    assert!(section.contains("<p>24: Page 1 of 1 "), "{section}");
    assert!(section.contains(" false p1 /s1/p1/ "), "{section}");

    // No template names `title`: the misspelt field's help still finds it.
    site.file(
        "templates/base.html",
        "<html>{% block content %}{% endblock content %}</html>\n",
    )
    .file("templates/index.html", "{% extends \"base.html\" %}\n")
    .file("templates/section.html", "{% extends \"base.html\" %}\n")
    .file(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block content %}{{ page.titel }}{% endblock content %}\n",
    );
    let out = same_both_ways(site.root());
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("did you mean `title`?"),
        "{}",
        out.stderr
    );
}

/// A page's meta description comes from its summary when it has no `description`: a template
/// that shows only `meta_description` keeps each page's summary until its value is made.
#[test]
fn a_meta_description_made_from_the_summary_is_kept() {
    let site = nav_site(1, 2);
    site.file(
        "templates/page.html",
        "<meta name=\"description\" content=\"{{ page.meta_description }}\">{{ page.content | safe }}\n",
    )
    .file(
        "content/s0/p1.md",
        "---\ntitle: P\n---\nThe first paragraph, *in* a summary.\n\nThe second.\n",
    );
    let fields = page_fields(site.root());
    assert!(fields.shows("meta_description") && !fields.shows("summary"));
    let out = same_both_ways(site.root());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = String::from_utf8_lossy(&out.files["s0/p1/index.html"]).into_owned();
    assert!(
        page.contains("content=\"The first paragraph, in a summary.\""),
        "{page}"
    );
}

/// Templates that must keep (some of) their text uncached, next to parts that must not change
/// what they show.
#[test]
fn page_dependent_templates_stay_as_they_are() {
    let site = nav_site(3, 2);
    site.file(
        "templates/base.html",
        r#"<!DOCTYPE html>
<html><head><title>{% block title %}{{ config.title }}{% endblock title %}</title></head>
<body>
<nav>{% set r = get_section(path="_index.md") %}{% for sp in r.subsections %}{% set s = get_section(path=sp) %}<a href="{{ s.permalink }}"{% if current_path == s.path %} aria-current="page"{% endif %}>{{ s.title }}</a>{% endfor %}</nav>
{%- set home = get_section(path="_index.md", metadata_only=true) %}
<p>{{ home.title }}</p>
{%- if now(timestamp=true) > 0 %}<p>built</p>{% endif %}
{# a comment with {% for x in y %} inside #}
{% raw %}{{ not a tag }} {% for %}{% endraw %}
<aside>  {%- for n in range(end=3) -%}  <b>{{ n }}</b>  {%- endfor -%}  </aside>
{% block content %}{% for n in range(end=2) %}<i>{{ n }}</i>{% endfor %}{% endblock content %}
{% if page is defined %}{% for n in range(end=2) %}<u>{{ n }}</u>{% endfor %}{{ page.title }}{% endif %}
<footer>{{ home.description | default(value="-") }}</footer>
</body></html>
"#,
    )
    .file(
        "templates/section.html",
        r#"{% extends "base.html" %}{% block content %}<h1>{{ section.title }}</h1>{% endblock content %}"#,
    );
    let found = parts(site.root());
    // The spaced `<aside>` loop, the block's default loop, and the loop inside `if page`;
    // not the nav (reads `current_path`), the `set home` (read in the footer after a
    // page-dependent `if`), nor the `now()` line.
    let lines: Vec<usize> = found.iter().map(|(_, l)| *l).collect();
    assert_eq!(lines, vec![10, 11, 12], "{found:?}");
    let out = same_both_ways(site.root());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = String::from_utf8_lossy(&out.files["s1/p0/index.html"]).into_owned();
    assert!(
        page.contains("<aside><b>0</b><b>1</b><b>2</b></aside>"),
        "{page}"
    );
    assert!(page.contains("{{ not a tag }} {% for %}"), "{page}");
    // The nav reads `current_path`: the section's own link is marked on its page only.
    assert!(!page.contains("aria-current"), "{page}");
    let section = String::from_utf8_lossy(&out.files["s1/index.html"]).into_owned();
    assert!(
        section.contains("aria-current=\"page\">Section &lt;1&gt;"),
        "{section}"
    );
}

/// An error inside a part (a missing section) is the error of a build without the cache:
/// same message, file, line and column.
#[test]
fn an_error_inside_a_part_is_reported_as_without_the_cache() {
    let site = nav_site(2, 1);
    site.file(
        "templates/base.html",
        &NAV_BASE.replace(
            r#"{%- set s = get_section(path=sp, metadata_only=true) %}"#,
            r#"{%- set s = get_section(path=sp, metadata_only=true) %}{%- set nope = get_section(path="nope/_index.md") %}"#,
        ),
    );
    assert_eq!(parts(site.root()).len(), 1);
    let out = same_both_ways(site.root());
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("nope/_index.md"), "{}", out.stderr);
    assert!(
        out.stderr.contains("templates/base.html:10:"),
        "{}",
        out.stderr
    );
}

/// An error after a part (a misspelt name) lists the same variables, and so gives the same
/// hint, as without the cache, though the part's `set`s no longer run.
#[test]
fn an_error_after_a_part_is_reported_as_without_the_cache() {
    let site = nav_site(2, 1);
    site.file(
        "templates/page.html",
        &NAV_PAGE.replace("{{ page.title }}</h1>", "{{ roo.title }}</h1>"),
    );
    assert_eq!(parts(site.root()).len(), 1);
    let out = same_both_ways(site.root());
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("templates/page.html:3:"),
        "{}",
        out.stderr
    );
}

/// A part's reads are noted on every page that shows it: a body edit of the page a part reads
/// with `get_page` is rebuilt incrementally in every page.
#[test]
fn incremental_rebuilds_know_what_a_part_read() {
    let site = nav_site(2, 2);
    site.file("content/about.md", "---\ntitle: About\n---\nFirst words.\n")
        .file(
            "templates/page.html",
            "<h1>{{ page.title }}</h1>\n{% set about = get_page(path=\"about.md\") %}<p>{{ about.content | striptags | trim }}</p>\n{{ page.content | safe }}",
        );
    assert!(parts(site.root()).contains(&("page.html".to_string(), 2)));
    let options = BuildOptions {
        root: site.root().to_path_buf(),
        ..Default::default()
    };
    let mut live = LiveBuild::new(options.clone());
    live.rebuild(&[]).unwrap();
    site.file("content/about.md", "---\ntitle: About\n---\nNew words.\n");
    let Update::Partial { files, .. } = live.rebuild(&["content/about.md".into()]).unwrap() else {
        panic!("a body edit must be rebuilt incrementally");
    };
    let (_, clean) = stillpoint::build_in_memory(&options).unwrap();
    let clean: BTreeMap<String, Vec<u8>> = clean.files.into_iter().collect();
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    for page in ["s0/p0/index.html", "s1/p1/index.html", "about/index.html"] {
        let got = files
            .iter()
            .find(|(p, _)| p == page)
            .unwrap_or_else(|| panic!("{page} shows about.md's body: {names:?}"));
        assert!(String::from_utf8_lossy(&got.1).contains("<p>New words.</p>"));
        assert_eq!(Some(&got.1), clean.get(page));
    }
}

/// The random saves of `incremental.rs` on the nav site: every rebuild, incremental or full,
/// equals a clean build.
#[test]
fn incremental_rebuilds_of_the_nav_site_equal_clean_builds() {
    let site = nav_site(4, 3);
    assert!(!parts(site.root()).is_empty());
    let seed = crate::support::seed(
        "fragments::incremental_rebuilds_of_the_nav_site_equal_clean_builds",
        20,
    );
    let partial = crate::incremental::random_saves(&site, seed, 30);
    assert!(
        partial >= 5,
        "only {partial} of 30 rebuilds were incremental"
    );
}
