//! Search engines and sharing in the default theme: the `<head>` of a business site with every
//! detail filled in (snapshots), and JSON-LD that parses as JSON and uses only real schema.org
//! terms, checked against `tests/fixtures/schema_org_vocabulary.json`, on that fixture and on
//! the studio site (whose placeholders must never reach the JSON-LD).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::support::TestSite;

/// The part of schema.org the theme uses (see the file's `about`).
struct Vocabulary {
    types: BTreeMap<String, Vec<String>>,
    properties: BTreeMap<String, Vec<String>>,
    members: BTreeSet<String>,
}

impl Vocabulary {
    fn load() -> Self {
        let path = crate::support::fixtures_dir().join("schema_org_vocabulary.json");
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let map = |key: &str| -> BTreeMap<String, Vec<String>> {
            v[key]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, list)| {
                    let list = list.as_array().unwrap();
                    (
                        k.clone(),
                        list.iter()
                            .map(|s| s.as_str().unwrap().to_string())
                            .collect(),
                    )
                })
                .collect()
        };
        let members = map("enumerations").into_values().flatten().collect();
        Vocabulary {
            types: map("types"),
            properties: map("properties"),
            members,
        }
    }

    /// `ty` and all its supertypes.
    fn ancestors(&self, ty: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut todo = vec![ty.to_string()];
        while let Some(t) = todo.pop() {
            if out.insert(t.clone()) {
                todo.extend(self.types.get(&t).cloned().unwrap_or_default());
            }
        }
        out
    }

    /// Checks one JSON-LD node and everything inside it, adding a line to `problems` for each
    /// unknown type, unknown property, property used outside its domain, or unknown
    /// `https://schema.org/...` value.
    fn check(&self, v: &Value, at: &str, problems: &mut Vec<String>) {
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.check(item, &format!("{at}[{i}]"), problems);
                }
            }
            Value::String(s) => {
                if let Some(term) = s.strip_prefix("https://schema.org/")
                    && !self.members.contains(term)
                    && !self.types.contains_key(term)
                {
                    problems.push(format!("{at}: unknown schema.org value {s}"));
                }
            }
            Value::Object(map) => {
                let ty = map.get("@type").and_then(Value::as_str);
                if let Some(t) = ty
                    && !self.types.contains_key(t)
                {
                    problems.push(format!("{at}: unknown type {t}"));
                }
                let ancestors = ty.map(|t| self.ancestors(t)).unwrap_or_default();
                for (key, value) in map {
                    let here = format!("{at}.{key}");
                    if key.starts_with('@') {
                        if key == "@context" && value != "https://schema.org" {
                            problems.push(format!("{here}: context is {value}"));
                        }
                        continue;
                    }
                    match (self.properties.get(key), ty) {
                        (None, _) => problems.push(format!("{here}: unknown property {key}")),
                        (Some(_), None) => {
                            problems.push(format!("{here}: property on a node without @type"))
                        }
                        (Some(domains), Some(t)) => {
                            if !domains.iter().any(|d| ancestors.contains(d)) {
                                problems.push(format!(
                                    "{here}: {key} is not a property of {t} (its domains: {})",
                                    domains.join(", ")
                                ));
                            }
                        }
                    }
                    self.check(value, &here, problems);
                }
            }
            _ => {}
        }
    }
}

/// Every `<script type="application/ld+json">` block of `html`, parsed; panics (naming `file`)
/// on one that is not JSON.
fn json_ld(file: &str, html: &str) -> Vec<Value> {
    let open = r#"<script type="application/ld+json">"#;
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(open) {
        let body = &rest[i + open.len()..];
        let end = body.find("</script>").unwrap();
        let v: Value = serde_json::from_str(&body[..end])
            .unwrap_or_else(|e| panic!("{file}: JSON-LD is not JSON ({e}):\n{}", &body[..end]));
        out.push(v);
        rest = &body[end..];
    }
    out
}

/// The types of the top-level JSON-LD nodes of every HTML file, after checking each against
/// the vocabulary (the test fails listing every problem).
fn check_site(pages: &BTreeMap<String, String>) -> BTreeMap<String, Vec<String>> {
    let vocab = Vocabulary::load();
    let mut problems = Vec::new();
    let mut types = BTreeMap::new();
    for (file, html) in pages {
        let blocks = json_ld(file, html);
        for (n, b) in blocks.iter().enumerate() {
            vocab.check(b, &format!("{file} block {n}"), &mut problems);
            if b.get("@context").is_none() {
                problems.push(format!("{file} block {n}: no @context"));
            }
        }
        types.insert(
            file.clone(),
            blocks
                .iter()
                .map(|b| b["@type"].as_str().unwrap_or("?").to_string())
                .collect(),
        );
    }
    assert!(
        problems.is_empty(),
        "JSON-LD problems:\n{}",
        problems.join("\n")
    );
    types
}

fn html_files(site: &TestSite) -> BTreeMap<String, String> {
    crate::studio::pages(&site.path("public"))
}

/// The `<head>` element of a page, for snapshots.
/// The `<head>` of a page, with the stylesheet's `cachebust` hash (`?h=` and 20 hex digits)
/// written as `?h=[hash]`, so a change to the theme's CSS does not change these snapshots.
fn head(html: &str) -> String {
    let start = html.find("<head>").unwrap();
    let end = html.find("</head>").unwrap();
    let head = &html[start..end + "</head>".len()];
    let mut out = String::with_capacity(head.len());
    let mut rest = head;
    while let Some(i) = rest.find("?h=") {
        let digits = rest[i + 3..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .count();
        out.push_str(&rest[..i]);
        out.push_str(if digits == 20 {
            "?h=[hash]"
        } else {
            &rest[i..i + 3 + digits]
        });
        rest = &rest[i + 3 + digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn vocabulary_check_catches_wrong_terms() {
    let vocab = Vocabulary::load();
    let mut problems = Vec::new();
    let bad: Value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "MassageStudio",
        "openingHoursSpecification": {"@type": "OpeningHoursSpecification", "dayOfWeek": "https://schema.org/Funday"},
    });
    vocab.check(&bad, "bad", &mut problems);
    let wrong_domain: Value = serde_json::json!({"@type": "WebSite", "telephone": "1"});
    vocab.check(&wrong_domain, "wrong", &mut problems);
    let joined = problems.join("\n");
    for expected in [
        "unknown type MassageStudio",
        "unknown schema.org value https://schema.org/Funday",
        "telephone is not a property of WebSite",
    ] {
        assert!(joined.contains(expected), "{expected} not in:\n{joined}");
    }
}

#[test]
fn seo_fixture_json_ld_is_valid_schema_org() {
    let site = TestSite::fixture_with_default_theme("seo");
    site.build().success();
    let types = check_site(&html_files(&site));
    assert_eq!(
        types["index.html"],
        ["HealthAndBeautyBusiness", "WebSite"],
        "the home page describes the business and the web site"
    );
    assert_eq!(types["guides/first-visit/index.html"], ["BreadcrumbList"]);
    assert_eq!(types["guides/room/index.html"], ["BreadcrumbList"]);
    assert!(
        types["about/index.html"].is_empty(),
        "a top-level page has no breadcrumbs"
    );
    assert!(types["guides/index.html"].is_empty());

    // The values come through, escaped for <script> but the same once parsed.
    let home = site.read("public/index.html");
    assert!(
        !home.contains("Massage </script>"),
        "</script> inside JSON-LD must be escaped"
    );
    let business = &json_ld("index.html", &home)[0];
    assert_eq!(business["name"], "Quiet Hands Massage </script> Ltd.");
    assert_eq!(business["telephone"], "+1 780 555 0100");
    assert_eq!(business["address"]["postalCode"], "T5J 0A1");
    assert_eq!(
        business["openingHoursSpecification"][1]["dayOfWeek"][0],
        "https://schema.org/Saturday"
    );
    assert_eq!(
        business["potentialAction"]["target"]["urlTemplate"],
        "https://booking.example/quiet-hands"
    );
    let crumbs = &json_ld("", &site.read("public/guides/first-visit/index.html"))[0];
    let names: Vec<&str> = crumbs["itemListElement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Quiet Hands Studio", "Guides", "Your first visit"]);
    assert_eq!(
        crumbs["itemListElement"][1]["item"],
        "https://quiet.example/studio/guides/"
    );
}

#[test]
fn seo_fixture_heads() {
    let site = TestSite::fixture_with_default_theme("seo");
    site.build().success();
    for (name, file) in [
        ("seo_head_home", "public/index.html"),
        ("seo_head_page_with_description", "public/about/index.html"),
        (
            "seo_head_page_summary_description",
            "public/notes/index.html",
        ),
        (
            "seo_head_bundle_image_and_breadcrumbs",
            "public/guides/room/index.html",
        ),
        (
            "seo_head_dated_page",
            "public/guides/first-visit/index.html",
        ),
    ] {
        insta::assert_snapshot!(name, head(&site.read(file)));
    }
}

#[test]
fn meta_description_comes_from_description_then_summary_then_config() {
    let site = TestSite::fixture_with_default_theme("seo");
    site.file("content/empty.md", "---\ntitle: Empty\n---\n");
    site.build().success();
    site.assert_file_contains(
        "public/about/index.html",
        r#"<meta name="description" content="Who we are: two therapists, one quiet room.">"#,
    );
    let notes = site.read("public/notes/index.html");
    let start = notes.find(r#"<meta name="description" content=""#).unwrap() + 34;
    let text = &notes[start..start + notes[start..].find('"').unwrap()];
    assert!(text.starts_with("This page has no description"), "{text}");
    assert!(
        text.ends_with('…') && !text.contains("second paragraph"),
        "{text}"
    );
    assert!(text.replace("&amp;", "&").chars().count() <= 160, "{text}");
    site.assert_file_contains(
        "public/empty/index.html",
        r#"<meta name="description" content="Gentle massage in Edmonton &amp; area.">"#,
    );
}

#[test]
fn studio_json_ld_is_valid_and_publishes_no_placeholder() {
    let built = crate::studio::build_studio();
    let pages = crate::studio::pages(&built.out);
    let types = check_site(&pages);
    assert_eq!(types["index.html"], ["HealthAndBeautyBusiness", "WebSite"]);
    for (file, html) in &pages {
        for block in json_ld(file, html) {
            let text = block.to_string();
            assert!(
                !text.contains('['),
                "{file}: a placeholder reached the JSON-LD: {text}"
            );
        }
    }
    let business = &json_ld("index.html", &pages["index.html"])[0];
    assert!(business.get("telephone").is_none() && business.get("email").is_none());
    assert_eq!(business["address"]["addressLocality"], "Edmonton");
    assert!(business["address"].get("streetAddress").is_none());
    insta::assert_snapshot!("studio_head_home", head(&pages["index.html"]));
}

#[test]
fn a_missing_share_image_is_an_error_at_its_line() {
    let site = TestSite::fixture_with_default_theme("seo");
    site.file(
        "content/pic.md",
        "---\ntitle: Pic\nextra:\n  image: missing.jpg\n---\nHi.\n",
    );
    site.seed_output();
    let before = site.output_tree();
    site.build()
        .code(1)
        .stderr_has("error: the share image `missing.jpg` of content/pic.md does not exist")
        .stderr_has("--> content/pic.md:4:10")
        .stderr_has("help: put the picture beside the page")
        .stderr_lacks("seo.html");
    crate::support::assert_same_tree(&before, &site.output_tree());

    let site = TestSite::fixture_with_default_theme("seo");
    let config = site
        .read("config.yaml")
        .replace("images/share.png", "images/gone.png");
    site.file("config.yaml", &config);
    site.build()
        .code(1)
        .stderr_has("the share image `images/gone.png` of config.yaml does not exist")
        .stderr_has("--> config.yaml:");
}

#[test]
fn bad_opening_hours_are_errors_at_their_line_in_config() {
    let site = TestSite::fixture_with_default_theme("seo");
    let config = site.read("config.yaml").replace(
        "  opening_hours:\n",
        "  opening_hours:\n    - { days: [Monday, Tues], opens: \"9am\", closes: \"17:00\" }\n    - \"Sat 10-2\"\n",
    );
    site.file("config.yaml", &config);
    let run = site.build();
    run.code(1)
        .stderr_has("error: in config.yaml, `opening_hours`: `Tues` is not a day name")
        .stderr_has("--> config.yaml:22:")
        .stderr_has("help: write the day in full, in English: Monday, Tuesday")
        .stderr_has("`opens: 9am` is not a time")
        .stderr_has("each line needs `days`, `opens` and `closes`")
        .stderr_has("--> config.yaml:23:")
        .stderr_lacks("seo.html");

    // One day may be written without a list.
    let site = TestSite::fixture_with_default_theme("seo");
    let config = site
        .read("config.yaml")
        .replace("days: [Saturday]", "days: Saturday");
    site.file("config.yaml", &config);
    site.build().success();
    let business = &json_ld("index.html", &site.read("public/index.html"))[0];
    assert_eq!(
        business["openingHoursSpecification"][1]["dayOfWeek"],
        serde_json::json!(["https://schema.org/Saturday"])
    );
}

/// One rule for placeholders everywhere (the footer, the booking button, the JSON-LD): a value
/// with a part in square brackets is shown as text and never becomes a `tel:`/`mailto:` link or
/// data. The footer and the button used to test only for a leading `[`.
#[test]
fn a_placeholder_anywhere_in_a_value_never_becomes_a_link() {
    let site = TestSite::fixture_with_default_theme("seo");
    let config = site
        .read("config.yaml")
        .replace(
            "phone: \"+1 780 555 0100\"",
            "phone: \"+1 780 [number to be added]\"",
        )
        .replace(
            "email: \"hello@quiet.example\"",
            "email: \"hello@[domain to be added]\"",
        )
        .replace(
            "  booking_url: \"https://booking.example/quiet-hands\"\n",
            "",
        );
    assert!(!config.contains("booking.example"), "{config}");
    site.file("config.yaml", &config);
    site.build().code(0);
    let pages = html_files(&site);
    let home = &pages["index.html"];
    assert!(home.contains("+1 780 [number to be added]"), "{home}");
    assert!(home.contains("hello@[domain to be added]"), "{home}");
    for (file, html) in &pages {
        assert!(
            !html.contains("tel:") && !html.contains("mailto:"),
            "{file}: a placeholder became a link"
        );
        for block in json_ld(file, html) {
            let text = block.to_string();
            assert!(
                !text.contains("to be added"),
                "{file}: placeholder in JSON-LD: {text}"
            );
        }
    }

    // Real values still become links.
    let site = TestSite::fixture_with_default_theme("seo");
    site.build().code(0);
    let home = &html_files(&site)["index.html"];
    assert!(home.contains("href=\"tel:+17805550100\""), "{home}");
    assert!(
        home.contains("href=\"mailto:hello@quiet.example\""),
        "{home}"
    );
}

/// A `booking_url` that is still a `[placeholder]` makes no booking link anywhere: no "Book a
/// session" button (header, home page, footer) and no `ReserveAction` for search engines. A real
/// phone number then takes its place for the button, but a `tel:` link is not a booking page, so
/// search engines are still told of none.
#[test]
fn a_placeholder_booking_url_makes_no_booking_link_and_no_reserve_action() {
    let site = TestSite::fixture_with_default_theme("seo");
    let config = site
        .read("config.yaml")
        .replace(
            "booking_url: \"https://booking.example/quiet-hands\"",
            "booking_url: \"[Online booking link — to be added]\"",
        )
        .replace(
            "phone: \"+1 780 555 0100\"",
            "phone: \"[Phone number — to be added]\"",
        )
        .replace(
            "email: \"hello@quiet.example\"",
            "email: \"[Email address — to be added]\"",
        );
    assert!(config.contains("[Online booking link"), "{config}");
    site.file("config.yaml", &config);
    site.build().success();
    let pages = html_files(&site);
    for (file, html) in &pages {
        assert!(
            !html.contains("Réserver une séance") && !html.contains("href=\"["),
            "{file}: a booking button from a placeholder"
        );
        assert!(
            !html.contains("ReserveAction"),
            "{file}: a booking action from a placeholder"
        );
    }
    let business = &json_ld("index.html", &pages["index.html"])[0];
    assert!(business.get("potentialAction").is_none(), "{business}");

    // A real phone number is the button's link, but still no ReserveAction.
    site.file(
        "config.yaml",
        &config.replace(
            "phone: \"[Phone number — to be added]\"",
            "phone: \"+1 780 555 0100\"",
        ),
    );
    site.build().success();
    let home = &html_files(&site)["index.html"];
    assert!(
        // The fixture is in `fr-CA`: the theme's button speaks French (issue 18).
        home.contains("<a class=\"button cta\" href=\"tel:+17805550100\">Réserver une séance</a>"),
        "{home}"
    );
    assert!(!home.contains("ReserveAction"), "{home}");
}
