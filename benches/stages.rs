//! Criterion benchmarks of the build stages (issue 5): front matter, markdown, templates and
//! output, plus the whole pipeline without writing, on a small synthetic site made here (the
//! same shape as `gen_site.py`'s: sections of pages, a nav listing every section on every page).
//!
//! Run: `cargo bench --bench stages` (add `-- --quick` for a short run). Whole-site timings
//! against the floor and Hugo are `bench/compare.sh`'s job, not this file's.

// A benchmark fails loudly on a broken set-up: unwrap is the point here, as in tests.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stillpoint::markdown::{LinkResolver, LinkTarget};
use stillpoint::output::Sink;
use stillpoint::templates::{SiteData, Templates};
use stillpoint::{BuildOptions, config};

const SECTIONS: usize = 10;
const PAGES_PER_SECTION: usize = 20;

const BASE: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{% block title %}{{ config.title }}{% endblock title %}</title></head>
<body><nav><ul>
{%- set root = get_section(path="_index.md", metadata_only=true) %}
{%- for sp in root.subsections %}
{%- set s = get_section(path=sp, metadata_only=true) %}
<li><a href="{{ s.permalink | safe }}">{{ s.title }}</a></li>
{%- endfor %}
</ul></nav><main>{% block content %}{% endblock content %}</main></body></html>
"#;
const PAGE: &str = r#"{% extends "base.html" %}
{% block title %}{{ page.title }} | {{ config.title }}{% endblock title %}
{% block content %}<article><h1>{{ page.title }}</h1>
<p><time datetime="{{ page.date }}">{{ page.date }}</time></p>
{{ page.content | safe }}</article>{% endblock content %}
"#;
const SECTION: &str = r#"{% extends "base.html" %}
{% block content %}<h1>{{ section.title }}</h1><ul>
{%- for p in section.pages %}<li><a href="{{ p.permalink | safe }}">{{ p.title }}</a></li>{%- endfor %}
</ul>{% endblock content %}
"#;

/// One page's markdown: about 3 KB of headings, paragraphs, lists, a table and links.
fn page_source(s: usize, p: usize) -> String {
    let mut text = format!(
        "---\ntitle: \"Page {p} of section {s}\"\ndescription: \"A page for benchmarks\"\ndate: 2024-03-{:02}\nweight: {p}\n---\n",
        p % 28 + 1
    );
    for h in 0..4 {
        text.push_str(&format!("\n## Heading {h}\n\nSome *emphasis*, some **strong text**, `inline code` and a [link to another page](/sec-{s}/page-{}/). ", (p + h) % PAGES_PER_SECTION + 1));
        text.push_str("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris.\n\n");
        text.push_str("- first item with [an external link](https://example.org/)\n- second item\n- third item\n\n");
        text.push_str(
            "### A smaller heading\n\n1. one\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
    }
    text
}

fn write_site(root: &Path) {
    let w = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    w(
        "config.yaml",
        "base_url: \"https://example.org\"\ntitle: \"Bench Site\"\n",
    );
    w("templates/base.html", BASE);
    w("templates/page.html", PAGE);
    w("templates/section.html", SECTION);
    w("templates/index.html", SECTION);
    w("content/_index.md", "---\ntitle: Home\n---\nWelcome.\n");
    for s in 1..=SECTIONS {
        w(
            &format!("content/sec-{s}/_index.md"),
            &format!("---\ntitle: Section {s}\nweight: {s}\n---\nSection {s}.\n"),
        );
        for p in 1..=PAGES_PER_SECTION {
            w(&format!("content/sec-{s}/page-{p}.md"), &page_source(s, p));
        }
    }
}

struct AllExternal;
impl LinkResolver for AllExternal {
    fn resolve(&self, _: &str) -> LinkTarget {
        LinkTarget::External
    }
}

fn front_matter(c: &mut Criterion) {
    let source = page_source(1, 1);
    let mut g = c.benchmark_group("front_matter");
    g.throughput(Throughput::Bytes(source.len() as u64));
    g.bench_function("page", |b| {
        b.iter(|| stillpoint::content::front_matter::parse(black_box(&source), Path::new("p.md")))
    });
    g.finish();
}

fn markdown(c: &mut Criterion) {
    let source = page_source(1, 1);
    let body = &source[source.find("\n---\n").unwrap() + 5..];
    let mut g = c.benchmark_group("markdown");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("page", |b| {
        b.iter(|| stillpoint::markdown::render(black_box(body), 7, &AllExternal))
    });
    g.finish();
}

fn site_data() -> SiteData {
    let mut metadata = stillpoint::templates::FastMap::default();
    let subsections: Vec<tera::Value> = (1..=SECTIONS)
        .map(|s| tera::Value::from(format!("sec-{s}/_index.md")))
        .collect();
    let mut root = tera::Map::new();
    root.insert("subsections".into(), tera::Value::from(subsections));
    metadata.insert("_index.md".into(), tera::Value::from(root));
    for s in 1..=SECTIONS {
        let mut m = tera::Map::new();
        m.insert("title".into(), tera::Value::from(format!("Section {s}")));
        m.insert(
            "permalink".into(),
            tera::Value::from(format!("https://example.org/sec-{s}/")),
        );
        metadata.insert(format!("sec-{s}/_index.md"), tera::Value::from(m));
    }
    SiteData {
        section_metadata: std::sync::Arc::new(metadata),
        ..Default::default()
    }
}

fn templates(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path());
    let config = config::Config::load(dir.path(), &config::Overrides::default()).unwrap();
    let templates = Templates::load(&config).unwrap().bind(site_data());
    let mut page = tera::Map::new();
    page.insert("title".into(), tera::Value::from("A page"));
    page.insert("date".into(), tera::Value::from("2024-03-01"));
    page.insert(
        "content".into(),
        tera::Value::safe_string(&"<p>Some text of the page.</p>\n".repeat(60)),
    );
    let mut config_value = tera::Map::new();
    config_value.insert("title".into(), tera::Value::from("Bench Site"));
    let mut ctx = tera::Context::new();
    ctx.insert_value("config", tera::Value::from(config_value));
    ctx.insert_value("page", tera::Value::from(page));
    let mut g = c.benchmark_group("templates");
    g.bench_function("page with a nav of 10 sections", |b| {
        b.iter(|| {
            templates
                .render("page.html", black_box(&ctx), "bench")
                .unwrap()
        })
    });
    g.finish();
}

fn output(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path());
    let out = dir.path().join("public");
    let overrides = config::Overrides {
        output_dir: Some(out),
        ..Default::default()
    };
    let config = config::Config::load(dir.path(), &overrides).unwrap();
    let html = "<p>Some text of the page.</p>\n".repeat(300).into_bytes();
    let mut g = c.benchmark_group("output");
    g.sample_size(20);
    g.bench_function("200 pages to a staging folder, then the swap", |b| {
        b.iter(|| {
            let staging = stillpoint::output::Staging::create(&config).unwrap();
            for i in 0..200 {
                staging
                    .write(&format!("p-{i}/index.html"), html.clone())
                    .unwrap();
            }
            staging.publish(&[]).unwrap();
        })
    });
    g.finish();
}

fn pipeline(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path());
    let options = BuildOptions {
        root: dir.path().to_path_buf(),
        dry_run: true,
        ..Default::default()
    };
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(20);
    g.throughput(Throughput::Elements((SECTIONS * PAGES_PER_SECTION) as u64));
    g.bench_function("200 pages, nothing written", |b| {
        b.iter(|| stillpoint::build(&options).unwrap())
    });
    g.finish();
}

criterion_group!(stages, front_matter, markdown, templates, output, pipeline);
criterion_main!(stages);
