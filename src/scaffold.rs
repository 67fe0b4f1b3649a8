//! `stillpoint new DIR`: a new site that builds and passes `check --strict` as it is.
//!
//! In: a folder that does not exist yet or is empty. Out: `config.yaml` with placeholders (the
//! business details the default theme shows), the default theme (embedded in the binary, see
//! [`THEME_FILES`]), example pages that show front matter, links between pages (`@/…`), a
//! health page with a review date, a page bundle with an image, and a `.gitignore` for
//! `public/`. Like `zola init` and `hugo new site`, it refuses a folder that already has files,
//! so it never overwrites anything.

use std::path::Path;

use crate::error::{Diagnostic, Error, Result};
use crate::fs;

/// The default theme's files, embedded at compile time: (path under `themes/default/`, bytes).
/// The one list of them; a unit test checks it against `themes/default/` on disk, so a file
/// added to the theme and not here (or the other way round) fails the tests.
pub const THEME_FILES: &[(&str, &[u8])] = &[
    ("README.md", include_bytes!("../themes/default/README.md")),
    (
        "static/css/site.css",
        include_bytes!("../themes/default/static/css/site.css"),
    ),
    (
        "static/favicon.svg",
        include_bytes!("../themes/default/static/favicon.svg"),
    ),
    (
        "templates/404.html",
        include_bytes!("../themes/default/templates/404.html"),
    ),
    (
        "templates/base.html",
        include_bytes!("../themes/default/templates/base.html"),
    ),
    (
        "templates/index.html",
        include_bytes!("../themes/default/templates/index.html"),
    ),
    (
        "templates/page.html",
        include_bytes!("../themes/default/templates/page.html"),
    ),
    (
        "templates/partials/dates.html",
        include_bytes!("../themes/default/templates/partials/dates.html"),
    ),
    (
        "templates/partials/footer.html",
        include_bytes!("../themes/default/templates/partials/footer.html"),
    ),
    (
        "templates/partials/header.html",
        include_bytes!("../themes/default/templates/partials/header.html"),
    ),
    (
        "templates/partials/page-list.html",
        include_bytes!("../themes/default/templates/partials/page-list.html"),
    ),
    (
        "templates/partials/pagination.html",
        include_bytes!("../themes/default/templates/partials/pagination.html"),
    ),
    (
        "templates/partials/section-health.html",
        include_bytes!("../themes/default/templates/partials/section-health.html"),
    ),
    (
        "templates/partials/seo.html",
        include_bytes!("../themes/default/templates/partials/seo.html"),
    ),
    (
        "templates/partials/toc.html",
        include_bytes!("../themes/default/templates/partials/toc.html"),
    ),
    (
        "templates/section.html",
        include_bytes!("../themes/default/templates/section.html"),
    ),
    (
        "templates/shortcodes/book.html",
        include_bytes!("../themes/default/templates/shortcodes/book.html"),
    ),
    (
        "templates/shortcodes/callout.html",
        include_bytes!("../themes/default/templates/shortcodes/callout.html"),
    ),
    (
        "templates/shortcodes/cite.html",
        include_bytes!("../themes/default/templates/shortcodes/cite.html"),
    ),
    (
        "templates/shortcodes/figure.html",
        include_bytes!("../themes/default/templates/shortcodes/figure.html"),
    ),
    (
        "templates/shortcodes/references.html",
        include_bytes!("../themes/default/templates/shortcodes/references.html"),
    ),
];

const CONFIG: &str = r#"# Site settings. See stillpoint's README, "config.yaml", for every key.
title: "My Studio"
# The address where the site will live. Change it before you publish.
base_url: "https://example.com"
description: "A short sentence about the business, for search engines."
language: "en"
theme: default

# The main navigation, in this order. `@/file.md` links to a page in content/.
menu:
  - { name: "What to expect", url: "@/what-to-expect.md", weight: 10 }
  - { name: "Visit us", url: "@/visit/index.md", weight: 20 }
  - { name: "About", url: "@/about.md", weight: 30 }

# Settings of `stillpoint check`.
check:
  # Months after a health page's `reviewed:` date before check says it is due for review.
  review_months: 12

extra:
  # PLACEHOLDERS: replace every value in [square brackets], then delete `placeholder_notice`.
  placeholder_notice: "Contact details on this site are placeholders."
  # A value with a part in [square brackets] is shown on the pages as it is, but never
  # published for search engines nor made into a phone or email link.
  business_name: "[Business name]"
  address:
    street: "[Street address]"
    city: "[City]"
    region: "[Province or state]"
    postal_code: "[Postal code]"
    country: "[Country code, like CA]"
  phone: "[Phone number]"
  email: "[Email address]"
  # Shown in the footer as written.
  hours:
    - "[Opening hours]"
  # For search engines, once the hours are known, one line per group of days:
  # opening_hours:
  #   - { days: [Monday, Tuesday, Wednesday, Thursday, Friday], opens: "09:00", closes: "17:00" }
  booking_url: "@/visit/index.md"
"#;

const HOME: &str = r#"---
title: Welcome to My Studio
description: A calm, small studio. Find out what to expect at a visit, where we are and who we are.
---

This is the home page: the file `content/_index.md`. Edit it, save, and the page in the browser
changes by itself while `stillpoint serve` runs.

## Start here {#start-here}

- [What to expect at a visit](@/what-to-expect.md) — an example health page, with a review date.
- [How to find us](@/visit/index.md) — an example page bundle: a page with its own photo.
- [About the studio](@/about.md) — an example of front matter fields.
"#;

const ABOUT: &str = r#"---
# Everything between the two `---` lines is the front matter: settings of this page.
title: About the studio
description: Who we are and how we work. Replace this text with your own.
# Smaller weights come first in lists and menus.
weight: 30
# Your own fields go under `extra:`; templates see them as `page.extra`.
extra:
  author: "[Your name]"
---

Write a few sentences about the business here.

## How we work {#how-we-work}

Links to other pages use the file name after `@/`, and stillpoint checks them on every build:
see [what to expect at a visit](@/what-to-expect.md), or jump straight to
[the part about your first visit](@/what-to-expect.md#first-visit).
"#;

const VISIT: &str = r#"---
title: Visit us
description: Where the studio is, how to get there and what the room looks like.
weight: 20
---

This page is a *page bundle*: the folder `content/visit/` holds the page (`index.md`) and its
own files, such as the picture below, which is published beside the page. Replace `room.png`
with a photo of your own, and describe it between the brackets for people who cannot see it.

![Placeholder for a photo of the treatment room](room.png)

## Getting here {#getting-here}

[Directions, parking and public transport: to be added.]
"#;

const GITIGNORE: &str = "# The built site: stillpoint writes it on every build.\npublic/\n# Resized images, kept between builds so they are made only once.\n.stillpoint-cache/\n";

fn what_to_expect(today: jiff::civil::Date) -> String {
    format!(
        r#"---
title: What to expect at a visit
description: An example health page. It shows a note that it is general information, and the date it was last reviewed.
weight: 10
extra:
  # A health page: the theme adds a "not medical advice" note, and `stillpoint check` warns
  # when `reviewed` is missing or more than `check.review_months` old.
  health: true
  reviewed: {today}
---

Describe a visit here, in plain words.

{{% callout(kind="caution") %}}
This is an example of a *shortcode*: a ready-made block from the theme. Use it for what people
must not miss, such as when to see a doctor instead. Its text is ordinary markdown.
{{% end %}}

## Your first visit {{#first-visit}}

[What happens at the first visit: to be added.]

## After your visit {{#after}}

[What people may notice afterwards, and when to see a doctor: to be added.]
"#
    )
}

/// The example pages and other site files, with their paths under the new site's folder.
fn site_files(today: jiff::civil::Date) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("config.yaml".into(), CONFIG.into()),
        (".gitignore".into(), GITIGNORE.into()),
        ("content/_index.md".into(), HOME.into()),
        ("content/about.md".into(), ABOUT.into()),
        (
            "content/what-to-expect.md".into(),
            what_to_expect(today).into_bytes(),
        ),
        ("content/visit/index.md".into(), VISIT.into()),
        (
            "content/visit/room.png".into(),
            include_bytes!("scaffold/room.png").to_vec(),
        ),
    ];
    for (path, bytes) in THEME_FILES {
        files.push((format!("themes/default/{path}"), bytes.to_vec()));
    }
    files
}

/// Creates a new site in `dir` (see the module docs), creating missing parent folders. The
/// health page's review date is today's date.
///
/// Errors: `dir` is a file, or a folder that is not empty (nothing is written then); a folder
/// or file that cannot be created ([`Error::Io`]).
pub fn create(dir: &Path) -> Result<()> {
    create_on(dir, jiff::ZonedDateTime::now().date())
}

/// [`create`], with the date written as the example health page's review date.
///
/// Errors: as [`create`].
pub fn create_on(dir: &Path, today: jiff::civil::Date) -> Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            return Err(Error::one(
                Diagnostic::error(format!(
                    "{} is a file, not a folder: a new site needs an empty folder",
                    dir.display()
                ))
                .help("choose a name that is not taken, like `stillpoint new my-site`"),
            ));
        }
        if !fs::read_dir_names(dir)?.is_empty() {
            return Err(Error::one(
                Diagnostic::error(format!(
                    "{} is not empty: a new site is only created in an empty folder, so that nothing is overwritten",
                    dir.display()
                ))
                .help("choose a new folder name, like `stillpoint new my-site`, or empty this folder first"),
            ));
        }
    }
    for (path, bytes) in site_files(today) {
        let to = dir.join(&path);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&to, &bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// The embedded list and `themes/default/` on disk hold the same files with the same bytes.
    #[test]
    fn theme_files_match_the_theme_on_disk() {
        let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let on_disk: BTreeMap<String, Vec<u8>> = walkdir::WalkDir::new(&theme)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e.path().strip_prefix(&theme).unwrap();
                let rel = rel.to_string_lossy().replace('\\', "/");
                (rel, std::fs::read(e.path()).unwrap())
            })
            .collect();
        let embedded: BTreeMap<String, Vec<u8>> = THEME_FILES
            .iter()
            .map(|(p, b)| (p.to_string(), b.to_vec()))
            .collect();
        let disk_names: Vec<&String> = on_disk.keys().collect();
        let embedded_names: Vec<&String> = embedded.keys().collect();
        assert_eq!(
            embedded_names, disk_names,
            "THEME_FILES in src/scaffold.rs must list every file of themes/default/"
        );
        assert!(embedded == on_disk);
    }

    #[test]
    fn refuses_a_folder_with_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let today = jiff::civil::date(2026, 11, 29);
        let err = create_on(dir.path(), today).unwrap_err();
        let d = &err.into_diagnostics()[0];
        assert!(d.message.contains("is not empty"), "{d:?}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn creates_missing_parents_and_writes_todays_review_date() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("a/b/site");
        create_on(&site, jiff::civil::date(2026, 11, 29)).unwrap();
        let page = std::fs::read_to_string(site.join("content/what-to-expect.md")).unwrap();
        assert!(page.contains("reviewed: 2026-11-29"), "{page}");
        assert!(site.join("themes/default/templates/page.html").is_file());
        assert_eq!(
            std::fs::read_to_string(site.join(".gitignore")).unwrap(),
            GITIGNORE
        );
    }
}
