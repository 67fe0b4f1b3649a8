//! Dates as YAML and people write them (issue 17): every form of YAML 1.1's timestamp type
//! (<https://yaml.org/type/timestamp.html>) and the `+0530` offset of Jekyll and Hugo sites, as
//! `date`, `updated` and `extra.reviewed`, quoted or not; what the page, the feed, the sitemap
//! and `check` make of them; the same output under any `TZ`; impossible dates refused at their
//! line. On the fixture `dates/` (default theme), whose pages the tests write.

use crate::support::{TestSite, tree_hash};

/// A journal page dated `date` (a front-matter line's value as written), with `more` front
/// matter lines.
fn page(title: &str, date: &str, more: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndate: {date}\n{more}---\n\nText of {title}.\n")
}

/// The dates site with a page per form: (file stem, `date:` as written, what the page's
/// `<time datetime>` and the feed's `<updated>` say (the feed adds `Z` where no offset is
/// written), the day shown).
const FORMS: &[(&str, &str, &str, &str)] = &[
    // A space between the time and the offset: Jekyll's own form.
    (
        "jekyll",
        "2017-12-27 20:46:24 -05:00",
        "2017-12-27T20:46:24-05:00",
        "2017-12-27",
    ),
    (
        "jekyll-quoted",
        "\"2017-12-27 20:46:24 -0500\"",
        "2017-12-27T20:46:24-05:00",
        "2017-12-27",
    ),
    // The examples of the YAML timestamp page.
    (
        "yaml-spaced",
        "2001-12-14 21:59:43.10 -5",
        "2001-12-14T21:59:43.1-05:00",
        "2001-12-14",
    ),
    (
        "yaml-lower-t",
        "2001-12-14t21:59:43.10-05:00",
        "2001-12-14T21:59:43.1-05:00",
        "2001-12-14",
    ),
    (
        "yaml-one-digit-hour",
        "'2001-12-15 2:59:43.10'",
        "2001-12-15T02:59:43.1",
        "2001-12-15",
    ),
    (
        "yaml-z",
        "2001-12-15T02:59:43.1Z",
        "2001-12-15T02:59:43.1+00:00",
        "2001-12-15",
    ),
    // An offset whose day is not UTC's day: the day written is the day shown.
    (
        "kolkata",
        "2026-11-29 01:00:00 +0530",
        "2026-11-29T01:00:00+05:30",
        "2026-11-29",
    ),
];

fn forms_site() -> TestSite {
    let site = TestSite::fixture_with_default_theme("dates");
    for (stem, date, _, _) in FORMS {
        site.file(&format!("content/journal/{stem}.md"), &page(stem, date, ""));
    }
    site
}

/// The text of every `<tag>` inside the `<entry>` whose `<title>` is `title`, in `xml`.
fn entry_field(xml: &str, title: &str, tag: &str) -> String {
    let entry = xml
        .split("<entry>")
        .find(|e| e.contains(&format!("<title>{title}</title>")))
        .unwrap_or_else(|| panic!("no entry {title} in\n{xml}"));
    let open = format!("<{tag}>");
    let from = entry
        .find(&open)
        .unwrap_or_else(|| panic!("no {tag} in {entry}"))
        + open.len();
    entry[from..entry[from..].find('<').unwrap() + from].to_string()
}

// See: issue 17, "Dates as YAML and people write them".
#[test]
fn every_yaml_timestamp_form_builds_and_page_feed_and_sitemap_agree() {
    let site = forms_site();
    site.build().success();
    let atom = site.read("public/journal/atom.xml");
    let sitemap = site.read("public/sitemap.xml");
    for (stem, written, datetime, day) in FORMS {
        let html = site.read(&format!("public/journal/{stem}/index.html"));
        // The page: the day written, and the whole date-time for machines.
        assert!(
            html.contains(&format!(
                "Published <time datetime=\"{datetime}\">{day}</time>"
            )),
            "{written}: {}",
            html.lines()
                .find(|l| l.contains("Published"))
                .unwrap_or("no Published line")
        );
        assert!(
            html.contains(&format!(
                "<meta property=\"article:published_time\" content=\"{datetime}\">"
            )),
            "{written}"
        );
        // The feed: RFC 3339 with an offset (none written: UTC).
        let floating = datetime.len() <= 21;
        let want = if floating {
            format!("{datetime}Z")
        } else {
            datetime.to_string()
        };
        assert_eq!(entry_field(&atom, stem, "updated"), want, "{written}");
        // The sitemap: the day written.
        let url = format!("<loc>https://dates.example/journal/{stem}/</loc>");
        let at = sitemap.find(&url).unwrap_or_else(|| panic!("{url}"));
        let lastmod = &sitemap[at..];
        assert!(
            lastmod[..lastmod.find("</url>").unwrap()]
                .contains(&format!("<lastmod>{day}</lastmod>")),
            "{written}: {lastmod}"
        );
    }
}

/// `updated` and `extra.reviewed` are read as `date` is, and what the page shows of them is the
/// day written.
#[test]
fn updated_and_reviewed_take_the_same_forms() {
    let site = TestSite::fixture_with_default_theme("dates");
    site.file(
        "content/journal/health.md",
        &page(
            "health",
            "2026-11-01 9:00:00 -7",
            "updated: \"2026-11-20 8:30:00 +0530\"\nextra:\n  health: true\n  reviewed: 2026-11-21 23:00:00 -05:00\n",
        ),
    );
    site.build().success();
    let html = site.read("public/journal/health/index.html");
    for want in [
        "Published <time datetime=\"2026-11-01T09:00:00-07:00\">2026-11-01</time>",
        "Updated <time datetime=\"2026-11-20T08:30:00+05:30\">2026-11-20</time>",
        "Reviewed on <time datetime=\"2026-11-21T23:00:00-05:00\">2026-11-21</time>",
    ] {
        assert!(html.contains(want), "{want}\n{html}");
    }
    let atom = site.read("public/journal/atom.xml");
    assert_eq!(
        entry_field(&atom, "health", "updated"),
        "2026-11-20T08:30:00+05:30"
    );
    assert_eq!(
        entry_field(&atom, "health", "published"),
        "2026-11-01T09:00:00-07:00"
    );
    // `check` reads the review date in its own offset: on 2026-11-21 it is not in the future.
    for (today, warns) in [("2026-11-21", false), ("2026-11-20", true)] {
        let run = site.run(&[
            "check",
            "--root",
            site.root().to_str().unwrap(),
            "--today",
            today,
        ]);
        assert_eq!(
            run.stderr
                .contains("the review date 2026-11-21 is in the future"),
            warns,
            "today {today}: {}",
            run.stderr
        );
    }
}

/// Runs `args` with the time zone `tz`.
fn run_in_zone(site: &TestSite, tz: &str, args: &[&str]) -> std::process::Output {
    assert_cmd::cargo::cargo_bin_cmd!("stillpoint")
        .args(args)
        .current_dir(site.root())
        .env("NO_COLOR", "1")
        .env("TZ", tz)
        .output()
        .unwrap()
}

#[test]
fn the_output_is_the_same_under_any_time_zone() {
    let site = forms_site();
    site.file(
        "content/journal/health.md",
        &page(
            "health",
            "2026-11-29",
            "extra:\n  health: true\n  reviewed: 2026-11-29 01:00:00 +0530\n",
        ),
    );
    let root = site.root().to_str().unwrap().to_string();
    let mut trees = Vec::new();
    for tz in [
        "UTC",
        "America/Edmonton",
        "Asia/Kolkata",
        "Pacific/Kiritimati",
    ] {
        let out = run_in_zone(&site, tz, &["build", "--root", &root]);
        assert!(
            out.status.success(),
            "{tz}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        trees.push((tz, tree_hash(&site.path("public"))));
        let check = run_in_zone(
            &site,
            tz,
            &["check", "--root", &root, "--today", "2026-11-29"],
        );
        let stderr = String::from_utf8_lossy(&check.stderr).to_string();
        assert!(check.status.success(), "{tz}: {stderr}");
        assert!(!stderr.contains("future"), "{tz}: {stderr}");
    }
    let (first_tz, first) = &trees[0];
    for (tz, tree) in &trees[1..] {
        assert_eq!(
            tree, first,
            "public/ under TZ={tz} differs from TZ={first_tz}"
        );
    }
}

/// A date-only day is its midnight UTC; dates with an offset are the instant they name; the
/// order is the same in the listing and the feed.
#[test]
fn pages_sort_by_the_instant_whatever_the_form() {
    let site = TestSite::fixture_with_default_theme("dates");
    for (stem, date) in [
        ("day-only", "2026-11-29"),
        ("kolkata-morning", "2026-11-29 10:00:00 +05:30"),
        ("kolkata-night", "2026-11-29 01:00:00 +0530"),
        ("edmonton-eve", "2026-11-28 21:00:00 -7"),
        ("no-offset", "'2026-11-29 2:00:00'"),
    ] {
        site.file(&format!("content/journal/{stem}.md"), &page(stem, date, ""));
    }
    site.build().success();
    // In UTC: 04:30, 04:00, 02:00, 00:00, and 19:30 the day before.
    let want = [
        "kolkata-morning",
        "edmonton-eve",
        "no-offset",
        "day-only",
        "kolkata-night",
    ];
    let order = |text: &str, marker: &str| -> Vec<String> {
        let mut found: Vec<(usize, String)> = want
            .iter()
            .map(|s| {
                (
                    text.find(&marker.replace("{}", s))
                        .unwrap_or_else(|| panic!("{s}")),
                    s.to_string(),
                )
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, s)| s).collect()
    };
    let listing = site.read("public/journal/index.html");
    assert_eq!(order(&listing, "href=\"{}/\""), want);
    let atom = site.read("public/journal/atom.xml");
    assert_eq!(order(&atom, "<title>{}</title>"), want);
}

// See: issue 17: "keep refusing impossible dates with their line".
#[test]
fn impossible_dates_are_refused_at_their_place_in_plain_words() {
    let site = forms_site();
    site.build().success();
    let before = tree_hash(&site.path("public"));
    for (front, at, why) in [
        (
            "date: 2026-02-30 10:00:00 -5",
            "content/journal/bad.md:3:7",
            "`2026-02-30 10:00:00 -5` is not a date: February 2026 has 28 days",
        ),
        (
            "date: 2026-11-29\nupdated: \"2026-11-29 25:00:00\"",
            "content/journal/bad.md:4:11",
            "`2026-11-29 25:00:00` is not a date: there is no hour 25: hours go from 0 to 23",
        ),
        (
            "date: 2026-11-29T10:00:00 +25:00",
            "content/journal/bad.md:3:7",
            "`2026-11-29T10:00:00 +25:00` is not a date: there is no UTC offset +25:00: offsets go from -12:00 to +14:00",
        ),
        (
            "date: 2026-11-29\nextra:\n  reviewed: 2025-02-29",
            "content/journal/bad.md:5:13",
            "`2025-02-29` is not a date: February 2025 has 28 days",
        ),
        (
            "date: 29/11/2026 10:00",
            "content/journal/bad.md:3:7",
            "`29/11/2026 10:00` is not a date: write it as 2026-11-29 or 2026-11-29T10:00:00-07:00",
        ),
    ] {
        site.file(
            "content/journal/bad.md",
            &format!("---\ntitle: Bad\n{front}\n---\nText.\n"),
        );
        let run = site.build();
        run.code(1);
        assert!(
            run.stderr.contains(&format!(
                "error: invalid front matter in content/journal/bad.md: {why}\n --> {at}"
            )),
            "{front}\n{}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert_eq!(
            tree_hash(&site.path("public")),
            before,
            "{front}: public/ changed"
        );
    }
}
