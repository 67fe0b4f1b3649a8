//! `stillpoint new DIR`: a new site that builds and passes `check --strict` as it is; and
//! `stillpoint new page`: a new page in an existing site, from an archetype ([`new_page`]).
//!
//! In: a folder that does not exist yet or is empty, and not inside another site ([`create`]).
//! Out: `config.yaml` with placeholders (the business details the default theme shows), the
//! default theme (embedded in the binary, see [`THEME_FILES`]), example pages that show front
//! matter, links between pages (`@/…`), a health page with a review date, a page bundle with an
//! image, and a `.gitignore` for `public/`. Like `zola init` and `hugo new site`, it refuses a
//! folder that already has files, so it never overwrites anything; unlike them it also refuses a
//! folder inside a site (`stillpoint new content/x.md`, the habit of `hugo new content/x.md`),
//! whose next build would publish the new site's `config.yaml` and templates.

mod languages;
pub use languages::parse_codes;

use std::path::{Component, Path, PathBuf};

use crate::config::{Config, Overrides};
use crate::content::{self, SourceFile, SourceKind};
use crate::error::{Diagnostic, Error, Result};
use crate::fs;

/// The default theme's files, embedded at compile time: (path under `themes/default/`, bytes).
/// The one list of them; a unit test checks it against `themes/default/` on disk, so a file
/// added to the theme and not here (or the other way round) fails the tests.
pub const THEME_FILES: &[(&str, &[u8])] = &[
    ("README.md", include_bytes!("../themes/default/README.md")),
    ("archetypes/default.md", DEFAULT_ARCHETYPE.as_bytes()),
    ("archetypes/health.md", HEALTH_ARCHETYPE.as_bytes()),
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
        "templates/markdown/image.html",
        include_bytes!("../themes/default/templates/markdown/image.html"),
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
    (
        "templates/taxonomy_list.html",
        include_bytes!("../themes/default/templates/taxonomy_list.html"),
    ),
    (
        "templates/taxonomy_single.html",
        include_bytes!("../themes/default/templates/taxonomy_single.html"),
    ),
    (
        "translations.yaml",
        include_bytes!("../themes/default/translations.yaml"),
    ),
];

/// The default theme's archetype for a page, also the built-in one when neither the site nor
/// its theme has an archetype (see [`new_page`]).
const DEFAULT_ARCHETYPE: &str = include_str!("../themes/default/archetypes/default.md");

/// The default theme's archetype for a page in a health section, also the built-in one.
const HEALTH_ARCHETYPE: &str = include_str!("../themes/default/archetypes/health.md");

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
/// Errors: `dir` is a file, a folder that is not empty, or a folder inside a site (see
/// [`enclosing_site`]; nothing is written then); a folder or file that cannot be created
/// ([`Error::Io`]).
pub fn create(dir: &Path) -> Result<()> {
    create_on(dir, jiff::ZonedDateTime::now().date())
}

/// [`create`], with the date written as the example health page's review date.
///
/// Errors: as [`create`].
pub fn create_on(dir: &Path, today: jiff::civil::Date) -> Result<()> {
    create_in_languages(dir, today, &[])
}

/// [`create_on`], with the site in the languages `codes` (`new --languages en,fr`; see
/// [`parse_codes`]): the first is the default language, each other gets its `languages:`
/// entry and a home and about page. Empty `codes`: the site in English, as [`create_on`].
///
/// Errors: as [`create`].
pub fn create_in_languages(dir: &Path, today: jiff::civil::Date, codes: &[String]) -> Result<()> {
    if let Some(site) = enclosing_site(dir) {
        return Err(Error::one(inside_site_error(dir, &site)));
    }
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
    let mut files = site_files(today);
    languages::add_languages(&mut files, codes);
    for (path, bytes) in files {
        let to = dir.join(&path);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&to, &bytes)?;
    }
    Ok(())
}

/// `path` made absolute (from the current folder) with `.` and `..` resolved by name, without
/// touching the disk (the folder may not exist yet).
fn absolute(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether `folder` is a stillpoint site: it holds `config.yaml` beside a `content/` folder, or
/// a `config.yaml` with a top-level `base_url` key (stillpoint's required key; Hugo's is
/// `baseURL`).
fn is_site(folder: &Path) -> bool {
    let config = folder.join("config.yaml");
    config.is_file()
        && (folder.join("content").is_dir()
            || std::fs::read_to_string(&config).is_ok_and(|text| {
                text.lines().any(|l| {
                    l.strip_prefix("base_url")
                        .is_some_and(|rest| rest.trim_start().starts_with(':'))
                })
            }))
}

/// The site that `dir` is inside, if any: the nearest folder above it that is a stillpoint
/// site (`config.yaml` beside `content/`, or a `config.yaml` with `base_url`), as an absolute
/// path. A new site there would be read as part of that site's content, templates or
/// static files, and published by its next build.
pub fn enclosing_site(dir: &Path) -> Option<PathBuf> {
    absolute(dir)
        .ancestors()
        .skip(1)
        .find(|a| is_site(a))
        .map(Path::to_path_buf)
}

/// `to` as written from `from` (both absolute and without `.` or `..`): `content/x.md`,
/// `../my-site`, `.`.
fn relative_to(to: &Path, from: &Path) -> PathBuf {
    let common = to
        .components()
        .zip(from.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out: PathBuf = from.components().skip(common).map(|_| "..").collect();
    out.extend(to.components().skip(common));
    if out.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        out
    }
}

/// The error for `stillpoint new DIR` with `DIR` inside `site`, with the `new page` command
/// that does what was probably meant.
fn inside_site_error(dir: &Path, site: &Path) -> Diagnostic {
    let abs = absolute(dir);
    let cwd = absolute(Path::new("."));
    let in_site = abs
        .strip_prefix(site)
        .unwrap_or(&abs)
        .to_string_lossy()
        .into_owned();
    let in_content = in_site.strip_prefix("content/").unwrap_or(&in_site);
    let page = if content::is_markdown_name(in_content) {
        quoted_arg(in_content)
    } else {
        "\"Page title\"".to_string()
    };
    let root = match relative_to(site, &cwd) {
        r if r == Path::new(".") => String::new(),
        r => format!(" --root {}", quoted_arg(&r.to_string_lossy())),
    };
    let beside = site.parent().map_or_else(
        || PathBuf::from("my-site"),
        |p| relative_to(&p.join("my-site"), &cwd),
    );
    let beside = quoted_arg(&beside.to_string_lossy());
    Diagnostic::error(format!(
        "{} is inside the site in {}: a new site there would become part of that site, and its next build would publish the new site's files",
        dir.display(),
        site.display()
    ))
    .help(format!(
        "to add a page to that site, use `stillpoint new page {page}{root}` (it writes the page into content/); to start another site, choose a folder outside it, like `stillpoint new {beside}`"
    ))
}

/// `arg` as typed on a command line: in double quotes when it has a space or a quote.
fn quoted_arg(arg: &str) -> String {
    if arg.contains([' ', '"', '\'', '&', '(', ')']) {
        format!("\"{}\"", arg.replace('"', "\\\""))
    } else {
        arg.to_string()
    }
}

/// A page written by [`new_page`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPage {
    /// The page's file, from the site root: `content/prices.md`.
    pub file: PathBuf,
    /// Where its text came from: `archetypes/default.md`,
    /// `themes/default/archetypes/health.md`, or `the built-in archetype for a health page`.
    pub archetype: String,
    /// Its address once published (the permalink, from `base_url`).
    pub url: String,
    /// Whether it is a draft (`draft: true`), left out of the site until that line goes.
    pub draft: bool,
    /// Whether the file name was cut to [`NEW_PAGE_SLUG_MAX`] characters because the title is
    /// longer (the title in the page stays whole).
    pub shortened: bool,
}

/// The longest slug, in characters, that `stillpoint new page` makes from a title: a longer
/// title's slug is cut at the last word boundary before it. Far below the 255 bytes a file
/// system takes for a name, and a web address stays readable.
pub const NEW_PAGE_SLUG_MAX: usize = 80;

/// `slug` (lower-case ASCII words joined by `-`, as [`crate::site::slugify`] makes) cut to at
/// most `max` bytes (characters, for such a slug): at the last `-` within them, or at `max`
/// itself when the first word is longer. Returns the slug unchanged when it is short enough.
pub fn shorten_slug(slug: &str, max: usize) -> &str {
    if slug.len() <= max {
        return slug;
    }
    let mut end = max;
    while !slug.is_char_boundary(end) {
        end -= 1;
    }
    let head = &slug[..end];
    // A `-` right after the cut: the cut ends a whole word.
    if slug[end..].starts_with('-') {
        return head;
    }
    match head.rfind('-') {
        Some(cut) if cut > 0 => &head[..cut],
        _ => head,
    }
}

/// `stillpoint new page NAME`: writes a new page into the site at `root`, from an archetype, and
/// says where it is and what its address will be.
///
/// `name` is a title (`Prices`, written to `content/prices.md`: the file name is the title's
/// slug) or a file path ending in `.md` inside `content/` (`faq/insurance.md`, with or without
/// a leading `content/`; its title is the file name in words, "Insurance"). Any other name is a
/// title, slugified as a whole (a `/` in it makes no folder), except that a title may follow a
/// folder of `content/` that exists: `faq/Insurance questions` writes
/// `content/faq/insurance-questions.md` when `content/faq/` is there. A title's slug longer
/// than [`NEW_PAGE_SLUG_MAX`] characters is cut at a word boundary ([`shorten_slug`]; the
/// title itself stays whole, and [`NewPage::shortened`] says so).
///
/// The archetype (Hugo's name and idea, simplified) is a markdown file, front matter and body,
/// looked up first in the site's `archetypes/`, then in the theme's: `<section>.md` for a page
/// in the top-level folder `<section>` of `content/` (a bundle `studio/index.md` is a page of
/// the folder that holds `studio/`), then `health.md` when the nearest `_index.md` above the
/// page has `extra.health: true` (a health section), then `default.md`; without one, the
/// built-in archetype is the default theme's. In it, `{{ title }}` becomes the
/// title (with `"` and `\` escaped in the front matter, so write it as `title: "{{ title }}"`)
/// and `{{ date }}` becomes `today` (`YYYY-MM-DD`); everything else is copied as it is. The
/// address comes from [`crate::site::page_url`], the rule of a build.
///
/// Errors: `config.yaml` cannot be loaded (as [`Config::load`]); a name that is not inside
/// `content/`, is hidden, is a section's `_index.md` or gives no file name; the file exists
/// already (nothing is ever overwritten); another page or section has the page's address; an
/// archetype that is not UTF-8 or gives front matter that does not parse; a file or folder
/// that cannot be written.
pub fn new_page(root: &Path, name: &str, today: jiff::civil::Date) -> Result<NewPage> {
    // With drafts, so that a draft page's address counts as taken.
    let config = Config::load(
        root,
        &Overrides {
            drafts: true,
            ..Overrides::default()
        },
    )?;
    let (relative, title, shortened) = page_relative(root, name)?;
    let shown = Path::new("content").join(&relative);
    let path = root.join(&shown);
    if path.exists() || path.is_symlink() {
        return Err(Error::one(
            Diagnostic::error(format!(
                "{} already exists: `stillpoint new page` never overwrites a file",
                shown.display()
            ))
            .in_file(&shown)
            .help("edit that file, or give the new page another title or file name"),
        ));
    }
    let (folder, file_name) = relative.rsplit_once('/').unwrap_or(("", relative.as_str()));
    // A bundle (`studio/index.md`) is a page of the section its folder is in.
    let section_folder = if file_name == "index.md" {
        folder.rsplit_once('/').map_or("", |(parent, _)| parent)
    } else {
        folder
    };
    let health = in_health_section(root, section_folder);
    let (archetype_name, text) = archetype(root, &config, section_folder, health)?;
    let text = fill_archetype(&text, &title, today);
    let file = SourceFile {
        path: path.clone(),
        relative: relative.clone(),
        kind: SourceKind::Page,
    };
    let doc = content::document_from_bytes(&file, text.as_bytes()).map_err(|e| {
        let why = e
            .into_diagnostics()
            .first()
            .map_or_else(String::new, |d| format!(": {}", d.message));
        let d = Diagnostic::error(format!(
            "the page made from {archetype_name} would not build{why}"
        ));
        let d = if archetype_name.ends_with(".md") {
            d.in_file(&archetype_name)
        } else {
            d
        };
        Error::one(
            d.help(format!(
                "fix the front matter of {archetype_name}; `{{{{ title }}}}` and `{{{{ date }}}}` are filled in, the rest is copied as it is (put `{{{{ title }}}}` in double quotes)"
            )),
        )
    })?;
    let url_path = crate::site::page_url(&doc).path;
    if let Some(owner) = address_owner(&config, &url_path) {
        return Err(Error::one(
            Diagnostic::error(format!(
                "{} would have the address {url_path}, which {} has already",
                shown.display(),
                owner.display()
            ))
            .in_file(&owner)
            .help("give the new page another title or file name"),
        ));
    }
    let url = config.permalink(&url_path);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    // `create_new`: never overwrite, even a file made since the check above.
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    written.map_err(|source| Error::Io {
        action: "could not write",
        path: shown.clone(),
        source,
    })?;
    Ok(NewPage {
        file: shown,
        archetype: archetype_name,
        url,
        draft: doc.front.draft,
        shortened,
    })
}

/// The page or section of the site at `config.root` whose URL path is `path`, as the build
/// assembles the site (drafts included); `None` when there is none, or when the site does not
/// assemble (its own errors are for the build to report).
fn address_owner(config: &Config, path: &str) -> Option<PathBuf> {
    let files = content::discover(config).ok()?;
    let docs = content::parse(&files).ok()?;
    let tree = crate::site::SiteTree::assemble(docs, &files, config).ok()?;
    let pages = tree.pages.iter().map(|p| (&p.path, Some(&p.doc.shown)));
    let sections = tree
        .sections
        .iter()
        .map(|s| (&s.path, s.doc.as_ref().map(|d| &d.shown)));
    pages
        .chain(sections)
        .find(|(p, _)| p.as_str() == path)
        .map(|(_, shown)| {
            shown
                .cloned()
                .unwrap_or_else(|| PathBuf::from("the home page"))
        })
}

/// The page's path under `content/`, its title, and whether the title's slug was cut to
/// [`NEW_PAGE_SLUG_MAX`] for the file name, for `stillpoint new page NAME` in the site at
/// `root` (see [`new_page`]).
///
/// A NAME ending in `.md` or `.markdown` is a file: `/` separates folders, which are made as
/// needed. Anything else is a title, slugified as a whole by the build's [`crate::site::slugify`]
/// (`What? Why! 100% / Yes` -> `what-why-100-yes.md`); the only exception is a title after a
/// folder of `content/` that exists already (`faq/Insurance questions` with `content/faq/`
/// there), which goes into that folder. So a `/` in a title never makes a folder.
fn page_relative(root: &Path, name: &str) -> Result<(String, String, bool)> {
    let typed = name.trim();
    let mut shortened = false;
    let bad = |why: &str, help: &str| {
        Error::one(
            Diagnostic::error(format!("cannot make a page from `{typed}`: {why}"))
                .help(help.to_string()),
        )
    };
    let no_name = || {
        bad(
            "there is no title or file name",
            "give a title, like `stillpoint new page \"Prices\"`, or a file, like `stillpoint new page faq/insurance.md`",
        )
    };
    let (parts, title) = if content::is_markdown_name(typed) {
        let trimmed = typed.trim_start_matches("./");
        let trimmed = trimmed.strip_prefix("content/").unwrap_or(trimmed);
        if trimmed.starts_with('/') || Path::new(trimmed).is_absolute() {
            return Err(bad(
                "a page's file is given from the content/ folder",
                "write it like `faq/insurance.md` (for content/faq/insurance.md), or give a title: `stillpoint new page \"Prices\"`",
            ));
        }
        let parts: Vec<String> = trimmed
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .map(str::to_string)
            .collect();
        if parts.iter().any(|p| p == "..") {
            return Err(bad(
                "a page must be inside the content/ folder",
                "write the path from content/, without `..`, like `faq/insurance.md`",
            ));
        }
        let (folder, file_name) = match parts.as_slice() {
            [folder @ .., last] => (folder, last.as_str()),
            [] => return Err(no_name()),
        };
        let stem = match file_name {
            "index.md" => folder.last().map_or("index", String::as_str),
            other => content::strip_markdown_ext(other),
        };
        let title = crate::site::name_in_words(stem);
        (parts, title)
    } else {
        if typed.is_empty() {
            return Err(no_name());
        }
        let (folder, title) = match typed.rsplit_once('/') {
            Some((before, after)) if !after.trim().is_empty() => {
                match content_folder(root, before) {
                    Some(folder) => (folder, after.trim()),
                    None => (Vec::new(), typed),
                }
            }
            _ => (Vec::new(), typed),
        };
        let full = crate::site::slugify(title);
        let slug = shorten_slug(&full, NEW_PAGE_SLUG_MAX);
        shortened = slug.len() < full.len();
        if slug.is_empty() {
            return Err(bad(
                "the title has no letters or digits to make a file name from",
                "give a title with letters, or a file name ending in .md",
            ));
        }
        let mut parts = folder;
        parts.push(format!("{slug}.md"));
        (parts, title.to_string())
    };
    if parts.last().is_some_and(|p| p == "_index.md") {
        return Err(bad(
            "`_index.md` is a section's own file, not a page",
            "create the section's _index.md by hand; `stillpoint new page` writes pages, like `blog/first-post.md`",
        ));
    }
    if let Some(hidden) = parts.iter().find(|p| content::is_ignored_name(p)) {
        return Err(Error::one(
            Diagnostic::error(format!(
                "cannot make a page from `{typed}`: `{hidden}` is a name stillpoint never publishes (it starts with a dot, or is an editor's or a backup's name)"
            ))
            .help("choose a name that starts with a letter or digit"),
        ));
    }
    Ok((parts.join("/"), title, shortened))
}

/// The folders of `typed` (the text before a title's last `/`) when it names a folder of
/// `content/` under `root` that exists: `faq` or `content/faq` -> `["faq"]`, `.` or `content`
/// -> `[]`. `None` for anything else (the `/` is then part of the title): a folder that does
/// not exist, or a name with `..`, an empty part, or a hidden or editor's name.
fn content_folder(root: &Path, typed: &str) -> Option<Vec<String>> {
    if typed.is_empty() {
        return None;
    }
    let t = typed.trim_start_matches("./");
    let t = if t == "content" || t == "." {
        ""
    } else {
        t.strip_prefix("content/").unwrap_or(t)
    };
    if t.is_empty() {
        return Some(Vec::new());
    }
    let parts: Vec<String> = t.split('/').map(str::to_string).collect();
    let clean = parts.iter().all(|p| {
        !p.is_empty() && p.trim() == p && p != "." && p != ".." && !content::is_ignored_name(p)
    });
    (clean && root.join("content").join(t).is_dir()).then_some(parts)
}

/// Whether a page in `folder` (under `content/`) is in a health section: the nearest
/// `_index.md` from `folder` up to `content/_index.md` has `extra.health: true`. An `_index.md`
/// that cannot be read or parsed counts as not health (the build reports it).
fn in_health_section(root: &Path, folder: &str) -> bool {
    let mut f = folder;
    loop {
        let relative = if f.is_empty() {
            "_index.md".to_string()
        } else {
            format!("{f}/_index.md")
        };
        let path = root.join("content").join(&relative);
        if path.is_file() {
            let file = SourceFile {
                path: path.clone(),
                relative,
                kind: SourceKind::Section,
            };
            return std::fs::read(&path)
                .ok()
                .and_then(|b| content::document_from_bytes(&file, &b).ok())
                .is_some_and(|d| crate::check::is_health_page(&d));
        }
        if f.is_empty() {
            return false;
        }
        f = f.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
}

/// The archetype for a page in `folder` (see [`new_page`]): its name as shown and its text.
fn archetype(root: &Path, config: &Config, folder: &str, health: bool) -> Result<(String, String)> {
    let section = folder.split('/').next().filter(|s| !s.is_empty());
    let mut names: Vec<String> = Vec::new();
    names.extend(section.map(|s| format!("{s}.md")));
    if health {
        names.push("health.md".into());
    }
    names.push("default.md".into());
    let mut dirs = vec![root.join("archetypes")];
    dirs.extend(config.theme_dir.as_ref().map(|t| t.join("archetypes")));
    for dir in &dirs {
        for name in &names {
            let path = dir.join(name);
            if path.is_file() {
                let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                let bytes = fs::read(&path)?;
                let text = content::decode_utf8(&bytes, &shown)?;
                return Ok((shown.display().to_string(), text));
            }
        }
    }
    Ok(if health {
        (
            "the built-in archetype for a health page".into(),
            HEALTH_ARCHETYPE.into(),
        )
    } else {
        ("the built-in archetype".into(), DEFAULT_ARCHETYPE.into())
    })
}

/// Fills `{{ title }}` and `{{ date }}` (spaces inside the braces optional) in an archetype's
/// `text`. In the front matter (between the first two `---` lines) the title's `\` and `"` are
/// escaped, so that `title: "{{ title }}"` stays valid YAML for any title.
fn fill_archetype(text: &str, title: &str, today: jiff::civil::Date) -> String {
    let date = today.to_string();
    let fill = |part: &str, title: &str| {
        let mut out = part.to_string();
        for (key, value) in [("title", title), ("date", date.as_str())] {
            for form in [format!("{{{{ {key} }}}}"), format!("{{{{{key}}}}}")] {
                out = out.replace(&form, value);
            }
        }
        out
    };
    let escaped = title.replace('\\', "\\\\").replace('"', "\\\"");
    let front_end = text
        .strip_prefix("---")
        .and_then(|rest| rest.find("\n---").map(|i| i + 3 + 4));
    match front_end {
        Some(end) if text.starts_with("---\n") || text.starts_with("---\r\n") => {
            let (front, body) = text.split_at(end.min(text.len()));
            format!("{}{}", fill(front, &escaped), fill(body, title))
        }
        _ => fill(text, title),
    }
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
    fn page_names_become_paths_under_content() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("content/faq")).unwrap();
        std::fs::create_dir_all(root.path().join("content/.drafts")).unwrap();
        for (name, want, title) in [
            ("Prices", "prices.md", "Prices"),
            ("Prices & fees", "prices-fees.md", "Prices & fees"),
            ("Über uns", "uber-uns.md", "Über uns"),
            ("faq/insurance.md", "faq/insurance.md", "Insurance"),
            ("content/faq/insurance.md", "faq/insurance.md", "Insurance"),
            ("./content/faq.md", "faq.md", "Faq"),
            ("studio/index.md", "studio/index.md", "Studio"),
            ("Notes.markdown", "Notes.markdown", "Notes"),
            // A title after a folder of content/ that exists goes into it...
            (
                "faq/Insurance questions",
                "faq/insurance-questions.md",
                "Insurance questions",
            ),
            ("content/faq/Cost", "faq/cost.md", "Cost"),
            // ... any other `/` is part of the title.
            (
                "What? Why! 100% / Yes",
                "what-why-100-yes.md",
                "What? Why! 100% / Yes",
            ),
            ("blog/First post", "blog-first-post.md", "blog/First post"),
            ("faq/../Cost", "faq-cost.md", "faq/../Cost"),
            (".drafts/Cost", "drafts-cost.md", ".drafts/Cost"),
            ("/ Yes", "yes.md", "/ Yes"),
            ("faq/", "faq.md", "faq/"),
        ] {
            assert_eq!(
                page_relative(root.path(), name).unwrap(),
                (want.to_string(), title.to_string(), false),
                "{name}"
            );
        }
        for name in [
            "",
            "  ",
            "/",
            "..",
            "?",
            "/etc/x.md",
            "../x.md",
            "a/../../x.md",
            "???",
            "blog/_index.md",
            ".x.md",
            ".drafts/x.md",
        ] {
            assert!(page_relative(root.path(), name).is_err(), "{name}");
        }
    }

    #[test]
    fn archetypes_fill_title_and_date() {
        let today = jiff::civil::date(2026, 11, 29);
        let text =
            "---\ntitle: \"{{ title }}\"\nreviewed: {{date}}\n---\n# {{ title }} {{ other }}\n";
        assert_eq!(
            fill_archetype(text, r#"Say "hi" \ bye"#, today),
            "---\ntitle: \"Say \\\"hi\\\" \\\\ bye\"\nreviewed: 2026-11-29\n---\n# Say \"hi\" \\ bye {{ other }}\n"
        );
        assert_eq!(fill_archetype("{{ title }}", "A \"b\"", today), "A \"b\"");
    }

    #[test]
    fn relative_paths_between_folders() {
        for (to, from, want) in [
            ("/a/site", "/a/site", "."),
            ("/a/site", "/a/site/content", ".."),
            ("/a/site/content", "/a/site", "content"),
            ("/a/my-site", "/a/site/content", "../../my-site"),
        ] {
            assert_eq!(relative_to(Path::new(to), Path::new(from)), Path::new(want));
        }
    }

    #[test]
    fn a_folder_inside_a_site_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        create_on(&site, jiff::civil::date(2026, 11, 29)).unwrap();
        for inside in ["content/x.md", "themes/new", "a/b"] {
            let err = create_on(&site.join(inside), jiff::civil::date(2026, 11, 29)).unwrap_err();
            let d = &err.into_diagnostics()[0];
            assert!(d.message.contains("is inside the site in"), "{d:?}");
            assert!(!site.join(inside).exists(), "{inside}");
        }
        // A config.yaml alone is a site when it has stillpoint's `base_url`, not Hugo's `baseURL`.
        let other = dir.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("config.yaml"), "baseURL: https://x.org\n").unwrap();
        assert_eq!(enclosing_site(&other.join("new")), None);
        std::fs::write(
            other.join("config.yaml"),
            "title: X\nbase_url : https://x.org\n",
        )
        .unwrap();
        assert_eq!(
            enclosing_site(&other.join("new/deeper")),
            Some(other.clone())
        );
        // A site beside another is fine.
        create_on(&dir.path().join("site2"), jiff::civil::date(2026, 11, 29)).unwrap();
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

    #[test]
    fn long_slugs_are_cut_at_a_word_boundary() {
        assert_eq!(shorten_slug("prices", 80), "prices");
        assert_eq!(shorten_slug("one-two-three", 13), "one-two-three");
        assert_eq!(shorten_slug("one-two-three", 12), "one-two");
        // A cut that falls right before a `-` keeps the whole last word.
        assert_eq!(shorten_slug("one-two-three", 7), "one-two");
        assert_eq!(shorten_slug("one-two-three", 6), "one");
        // One word longer than the limit is cut inside it.
        assert_eq!(shorten_slug(&"x".repeat(90), 80), "x".repeat(80));
        let long = vec!["massage"; 40].join("-");
        let cut = shorten_slug(&long, NEW_PAGE_SLUG_MAX);
        assert!(
            cut.len() <= NEW_PAGE_SLUG_MAX && cut.ends_with("massage"),
            "{cut}"
        );
    }
}
