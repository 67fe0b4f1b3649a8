//! The bad-input corpus for files and pages (issue 12, sections 2 and 3): an image or link
//! whose address has a space, copies and leftovers in `content/`, `stillpoint new` inside a
//! site, and `stillpoint new page`. Each mistake is one case run by [`crate::corpus::run_case`]
//! (the real binary over a built `public/`, never a panic, a failed build changes nothing),
//! with the exact message it must give; cases that go through `check` or `new` run those
//! commands in their expectation.
//!
//! Then `stillpoint new page` itself: archetypes from the site, the theme or built in, the
//! address it prints (the one the build uses), and the refusals.

use crate::corpus::{builds, case, check, fails, page, run_all};
use crate::support::{Run, TestSite};

/// A small SVG picture.
const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"3\"/>\n";

/// Runs `stillpoint check` on the case's site.
fn run_check(site: &TestSite) -> Run {
    site.run(&["check", "--root", site.root().to_str().unwrap()])
}

/// `Ok` when `text` holds every one of `wanted`, else what is missing.
fn holds(what: &str, text: &str, wanted: &[&str]) -> Result<(), String> {
    match wanted.iter().find(|w| !text.contains(*w)) {
        None => Ok(()),
        Some(w) => Err(format!("{what} should contain {w:?}\n--- {what}\n{text}")),
    }
}

/// A case whose build succeeds, then whose `check` output holds every text of `wanted`.
fn check_says(
    name: &'static str,
    setup: impl Fn(&TestSite) + 'static,
    wanted: &'static [&'static str],
) -> crate::corpus::Case {
    case(
        name,
        setup,
        check(move |s, run| {
            if run.code != 0 {
                return Err("expected the build to succeed".into());
            }
            holds("check's stderr", &run_check(s).stderr, wanted)
        }),
    )
}

const PRICES: &str = "---\ntitle: Prices\ndescription: What a session costs.\n---\nPRICES-BODY\n";

#[test]
fn files_corpus() {
    let cases = vec![
        // An image or a link whose address has a space is text in CommonMark: an error at it.
        page(
            "image_path_with_a_space",
            "---\ntitle: Q\n---\n![The room](/images/my photo.jpg)\n",
            fails(&[
                "error: `![The room](/images/my photo.jpg)` is not an image: its address has a space in it, so the page shows this markdown as plain text (in content/q.md)\n --> content/q.md:4:1\n",
                "= help: put the address in angle brackets, `](</images/my photo.jpg>)`, or rename the file without spaces (`/images/my-photo.jpg`) and write that name here; to show the brackets as text, write `\\]` instead of `]`\n",
            ]),
        ),
        page(
            "link_path_with_a_space",
            "---\ntitle: Q\n---\nText.\n\nSee [the menu](files/menu 2024.pdf) first.\n",
            fails(&[
                "error: `[the menu](files/menu 2024.pdf)` is not a link: its address has a space in it, so the page shows this markdown as plain text (in content/q.md)\n --> content/q.md:6:5\n",
                "rename the file without spaces (`files/menu-2024.pdf`)",
            ]),
        ),
        page(
            "image_with_a_space_in_a_list_in_a_quote",
            "---\ntitle: Q\n---\n> - ![A](a b.png) and ![B](c d.png)\n",
            fails(&[
                "error: `![A](a b.png)` is not an image",
                " --> content/q.md:4:5\n",
                "error: `![B](c d.png)` is not an image",
                " --> content/q.md:4:23\n",
            ]),
        ),
        page(
            "link_text_over_two_lines_with_a_space_in_the_address",
            "---\ntitle: Q\n---\n[the treatment\nroom](my photo.jpg)\n",
            fails(&[
                "error: `](my photo.jpg)` is not a link: its address has a space in it",
                " --> content/q.md:5:5\n",
            ]),
        ),
        page(
            "space_in_an_address_inside_code_is_code",
            "---\ntitle: Q\n---\n`![a](b c.jpg)`\n\n```\n[x](y z)\n```\n\n\\[a\\](b c)\n",
            builds(&[("public/q/index.html", "<code>![a](b c.jpg)</code>")]),
        ),
        // An SVG is used as it is (no image cache), so the case stays about the address.
        case(
            "space_in_an_address_in_angle_brackets_works",
            |s| {
                s.file("static/images/my photo.svg", SVG).file(
                    "content/q.md",
                    "---\ntitle: Q\n---\n![The room](</images/my photo.svg>)\n",
                );
            },
            builds(&[(
                "public/q/index.html",
                "<img src=\"../images/my%20photo.svg\" alt=\"The room\" />",
            )]),
        ),
        // Patch, merge, backup and system leftovers: never published, without a word.
        case(
            "leftovers_are_not_published",
            |s| {
                s.file("content/prices.md", PRICES);
                for name in [
                    "prices.md.orig",
                    "prices.md.rej",
                    "prices.md.bak",
                    "prices.md~",
                    ".prices.md.swp",
                    "prices.md.tmp",
                    ".DS_Store",
                    "Thumbs.db",
                    "desktop.ini",
                    "PRICES.MD.ORIG",
                ] {
                    s.file(&format!("content/{name}"), PRICES);
                }
                s.file("static/style.css.orig", "old");
            },
            check(|s, run| {
                let published = s.list("public");
                if run.code != 0 || !s.exists("public/prices/index.html") {
                    return Err("expected a build with the prices page".into());
                }
                let leaked: Vec<&String> = published
                    .iter()
                    .filter(|f| {
                        let f = f.to_lowercase();
                        f.contains(".orig")
                            || f.contains(".rej")
                            || f.contains(".bak")
                            || f.contains('~')
                            || f.contains(".swp")
                            || f.contains(".tmp")
                            || f.contains("ds_store")
                            || f.contains("thumbs")
                            || f.contains("desktop.ini")
                    })
                    .collect();
                if !leaked.is_empty() {
                    return Err(format!("published: {leaked:?}"));
                }
                if run.stderr.contains("warning") {
                    return Err("leftovers are skipped silently, like editor junk".into());
                }
                Ok(())
            }),
        ),
        // A page's markdown under another ending: not published, and the build says why.
        case(
            "page_source_with_another_markdown_ending",
            |s| {
                s.file("content/prices.mdown", PRICES);
            },
            check(|s, run| {
                if run.code != 0 || s.exists("public/prices.mdown") {
                    return Err("expected a build without public/prices.mdown".into());
                }
                holds(
                    "stderr",
                    &run.stderr,
                    &[
                        "warning: content/prices.mdown is not published: it holds a page's markdown, but only files ending in .md or .markdown become pages\n--> content/prices.mdown\n = help: if it is a page, rename it to `prices.md`; if it is an old copy, delete it or move it out of content/\n",
                    ],
                )
            }),
        ),
        case(
            "old_copy_of_a_page_source",
            |s| {
                s.file("content/prices.md", PRICES)
                    .file("content/prices.md.old", PRICES)
                    .file("content/prices.md.txt", PRICES);
            },
            check(|s, run| {
                if run.code != 0
                    || s.exists("public/prices.md.old")
                    || s.exists("public/prices.md.txt")
                {
                    return Err("expected a build without the copies".into());
                }
                holds(
                    "stderr",
                    &run.stderr,
                    &[
                        "warning: content/prices.md.old is not published: it holds a page's markdown, but only files ending in .md or .markdown become pages\n--> content/prices.md.old\n = help: it looks like an old copy of content/prices.md: delete it, or move it out of content/ to keep it\n",
                        "warning: content/prices.md.txt is not published",
                    ],
                )
            }),
        ),
        case(
            "text_file_with_front_matter",
            |s| {
                s.file("content/faq/notes.txt", PRICES)
                    .file("content/faq/hours.txt", "Monday to Friday, 9 to 5.\n")
                    .file("content/faq/menu.pdf", "%PDF-1.4\n");
            },
            check(|s, run| {
                if run.code != 0 || s.exists("public/faq/notes.txt") {
                    return Err("expected a build without public/faq/notes.txt".into());
                }
                // Files a page links to are published as before.
                if !s.exists("public/faq/hours.txt") || !s.exists("public/faq/menu.pdf") {
                    return Err(format!("downloads missing: {:?}", s.list("public")));
                }
                holds(
                    "stderr",
                    &run.stderr,
                    &[
                        "warning: content/faq/notes.txt is not published: it holds a page's markdown, but only files ending in .md or .markdown become pages\n--> content/faq/notes.txt\n = help: if it is a page, rename it to `notes.md`; if it is an old copy, delete it or move it out of content/\n",
                    ],
                )
            }),
        ),
        // A file manager's duplicate builds, as its own page; check names it.
        check_says(
            "finder_copy_of_a_page",
            |s| {
                s.file("content/prices.md", PRICES)
                    .file("content/prices copy.md", PRICES);
            },
            &[
                "warning: content/prices copy.md looks like an accidental copy of content/prices.md (its name is the one a file manager gives a duplicate); it is published as a page of its own at /prices-copy/\n--> content/prices copy.md\n = help: delete it if it is a copy; if it is meant to be a page of its own, give it a name of its own (the page's address comes from it)\n",
            ],
        ),
        check_says(
            "explorer_browser_and_drive_copies",
            |s| {
                s.file("content/faq/prices.md", PRICES)
                    .file("content/faq/prices (1).md", PRICES)
                    .file("content/faq/prices - Copy.md", PRICES)
                    .file("content/faq/Copy of prices.md", PRICES)
                    .file("content/studio/index.md", PRICES)
                    .file("content/studio copy/index.md", PRICES);
            },
            &[
                "warning: content/faq/prices (1).md looks like an accidental copy of content/faq/prices.md",
                "it is published as a page of its own at /faq/prices-1/",
                "warning: content/faq/prices - Copy.md looks like an accidental copy of content/faq/prices.md",
                "warning: content/faq/Copy of prices.md looks like an accidental copy of content/faq/prices.md",
                "warning: content/studio copy/index.md looks like an accidental copy of content/studio/index.md",
            ],
        ),
        case(
            "copy_like_name_without_an_original",
            |s| {
                s.file("content/ad copy.md", PRICES);
            },
            check(|s, run| {
                let checked = run_check(s);
                if run.code == 0
                    && s.exists("public/ad-copy/index.html")
                    && !checked.stderr.contains("accidental copy")
                {
                    Ok(())
                } else {
                    Err(format!("expected no copy warning\n{}", checked.stderr))
                }
            }),
        ),
        // `stillpoint new content/x.md` (Hugo's habit) inside a site.
        case(
            "new_site_inside_a_site",
            |_| {},
            check(|s, _| {
                let run = s.run(&["new", "content/x.md"]);
                if run.code != 1 || s.exists("content/x.md") {
                    return Err(format!(
                        "expected a refusal that writes nothing\n{}",
                        run.stderr
                    ));
                }
                holds(
                    "stderr",
                    &run.stderr,
                    &[
                        "error: content/x.md is inside the site in [ROOT]: a new site there would become part of that site, and its next build would publish the new site's files\n",
                        " = help: to add a page to that site, use `stillpoint new page x.md` (it writes the page into content/); to start another site, choose a folder outside it, like `stillpoint new ../my-site`\n",
                    ],
                )?;
                let deeper = s.run_in(&s.path("content"), &["new", "my site"]);
                if deeper.code != 1 || s.exists("content/my site") {
                    return Err(format!("expected a refusal\n{}", deeper.stderr));
                }
                holds(
                    "stderr",
                    &deeper.stderr,
                    &[
                        "use `stillpoint new page \"Page title\" --root ..` (it writes the page into content/); to start another site, choose a folder outside it, like `stillpoint new ../../my-site`",
                    ],
                )
            }),
        ),
        case(
            "new_page_over_an_existing_page",
            |s| {
                s.file("content/prices.md", PRICES);
            },
            check(|s, _| {
                let run = s.run(&["new", "page", "Prices"]);
                if run.code != 1 || s.read("content/prices.md") != PRICES {
                    return Err(format!("expected a refusal\n{}", run.stderr));
                }
                holds(
                    "stderr",
                    &run.stderr,
                    &[
                        "error: content/prices.md already exists: `stillpoint new page` never overwrites a file\n--> content/prices.md\n = help: edit that file, or give the new page another title or file name\n",
                    ],
                )
            }),
        ),
        case(
            "new_page_at_an_address_another_page_has",
            |s| {
                s.file("content/blog/_index.md", "---\ntitle: Blog\n---\n")
                    .file(
                        "content/x.md",
                        "---\ntitle: X\nslug: gifts\ndraft: true\n---\n",
                    );
            },
            check(|s, _| {
                let run = s.run(&["new", "page", "Blog"]);
                if run.code != 1 || s.exists("content/blog.md") {
                    return Err(format!("expected a refusal\n{}", run.stderr));
                }
                holds(
                    "stderr",
                    &run.stderr,
                    &[
                        "error: content/blog.md would have the address /blog/, which content/blog/_index.md has already\n--> content/blog/_index.md\n = help: give the new page another title or file name\n",
                    ],
                )?;
                // A draft's address is taken too.
                let run = s.run(&["new", "page", "Gifts"]);
                if run.code != 1 || s.exists("content/gifts.md") {
                    return Err(format!("expected a refusal\n{}", run.stderr));
                }
                holds(
                    "stderr",
                    &run.stderr,
                    &[
                        "error: content/gifts.md would have the address /gifts/, which content/x.md has already\n",
                    ],
                )
            }),
        ),
        case(
            "new_page_outside_content",
            |_| {},
            check(|s, _| {
                let run = s.run(&["new", "page", "../secret.md"]);
                if run.code != 1 || s.exists("../secret.md") {
                    return Err(format!("expected a refusal\n{}", run.stderr));
                }
                holds(
                    "stderr",
                    &run.stderr,
                    &[
                        "error: cannot make a page from `../secret.md`: a page must be inside the content/ folder\n",
                    ],
                )
            }),
        ),
        case(
            "new_page_from_a_broken_archetype",
            |s| {
                s.file("archetypes/default.md", "---\ntitle: {{ title }}\n---\n");
            },
            check(|s, _| {
                let run = s.run(&["new", "page", "Prices: 2026"]);
                if run.code != 1 || s.exists("content/prices-2026.md") {
                    return Err(format!("expected a refusal\n{}", run.stderr));
                }
                holds(
                    "stderr",
                    &run.stderr,
                    &[
                        "error: the page made from archetypes/default.md would not build: invalid front matter in content/prices-2026.md",
                        "--> archetypes/default.md\n",
                        "(put `{{ title }}` in double quotes)",
                    ],
                )
            }),
        ),
    ];
    run_all("files", cases);
}

const TODAY: &str = "2026-11-29";

/// A new site made by `stillpoint new` (the default theme and its archetypes), in `site/`.
fn new_site() -> TestSite {
    let dir = TestSite::empty();
    dir.run(&["new", "site", "--today", TODAY]).success();
    dir
}

#[test]
fn new_page_writes_the_theme_archetype_and_prints_the_address_the_build_uses() {
    let dir = new_site();
    let run = dir.run(&[
        "new",
        "page",
        "Prices & fees",
        "--root",
        "site",
        "--today",
        TODAY,
    ]);
    run.success();
    assert_eq!(
        run.stderr,
        "Created content/prices-fees.md (from themes/default/archetypes/default.md).\nIts address will be https://example.com/prices-fees/\nIt is a draft: `stillpoint serve --drafts` shows it; delete the line `draft: true` when it is ready to publish.\n"
    );
    let theme = dir.read("site/themes/default/archetypes/default.md");
    assert_eq!(
        dir.read("site/content/prices-fees.md"),
        theme.replace("{{ title }}", "Prices & fees")
    );
    // A draft: left out of the site, and at the printed address with --drafts.
    dir.run(&["build", "--root", "site"]).success();
    assert!(!dir.exists("site/public/prices-fees/index.html"));
    dir.run(&["build", "--root", "site", "--drafts"]).success();
    assert!(
        dir.read("site/public/prices-fees/index.html")
            .contains("Prices &amp; fees")
    );
}

#[test]
fn new_page_in_a_health_section_gets_the_health_archetype_with_todays_review() {
    let dir = new_site();
    dir.file(
        "site/content/care/_index.md",
        "---\ntitle: Care\nextra:\n  health: true\n---\n",
    );
    let run = dir.run(&[
        "new",
        "page",
        "content/care/after a session.md",
        "--root",
        "site",
        "--today",
        TODAY,
    ]);
    run.success().stderr_has(
        "Created content/care/after a session.md (from themes/default/archetypes/health.md).\nIts address will be https://example.com/care/after-a-session/\n",
    );
    let text = dir.read("site/content/care/after a session.md");
    assert!(text.contains("title: \"After a session\"\n"), "{text}");
    assert!(
        text.contains("  health: true\n") && text.contains("  reviewed: 2026-11-29\n"),
        "{text}"
    );
    // The page passes check's health review with --drafts as it is.
    dir.run(&["check", "--root", "site", "--drafts", "--today", TODAY])
        .success()
        .stderr_lacks("care/after a session.md is a health page without");
}

#[test]
fn new_page_prefers_the_sites_archetypes_and_follows_their_slug() {
    let dir = new_site();
    dir.file(
        "site/archetypes/default.md",
        "---\ntitle: \"{{ title }}\"\nslug: \"list-{{ date }}\"\n---\n# {{ title }}\n",
    )
    .file(
        "site/archetypes/faq.md",
        "---\ntitle: \"Q: {{ title }}\"\n---\n",
    );
    let run = dir.run(&[
        "new",
        "page",
        "Say \"hi\"",
        "--root",
        "site",
        "--today",
        TODAY,
    ]);
    run.success().stderr_has(
        "Created content/say-hi.md (from archetypes/default.md).\nIts address will be https://example.com/list-2026-11-29/\n",
    );
    assert_eq!(
        dir.read("site/content/say-hi.md"),
        "---\ntitle: \"Say \\\"hi\\\"\"\nslug: \"list-2026-11-29\"\n---\n# Say \"hi\"\n"
    );
    // Not a draft: published at the printed address.
    dir.run(&["build", "--root", "site"]).success();
    assert!(dir.exists("site/public/list-2026-11-29/index.html"));
    // A section's own archetype wins in that section (Hugo's rule).
    dir.run(&[
        "new",
        "page",
        "faq/insurance.md",
        "--root",
        "site",
        "--today",
        TODAY,
    ])
    .success()
    .stderr_has("(from archetypes/faq.md)");
    assert_eq!(
        dir.read("site/content/faq/insurance.md"),
        "---\ntitle: \"Q: Insurance\"\n---\n"
    );
}

#[test]
fn new_page_without_a_theme_uses_the_built_in_archetype() {
    let site = TestSite::fixture("minimal");
    site.run(&["new", "page", "Prices", "--today", TODAY])
        .success()
        .stderr_has("Created content/prices.md (from the built-in archetype).\nIts address will be https://example.org/prices/\n");
    assert_eq!(
        site.read("content/prices.md"),
        include_str!("../../themes/default/archetypes/default.md").replace("{{ title }}", "Prices")
    );
}

#[test]
fn new_dir_still_makes_a_site_and_new_page_is_the_subcommand() {
    let dir = TestSite::empty();
    dir.run(&["new", "my-site", "--today", TODAY])
        .success()
        .stderr_has("cargo run --release -- serve --root my-site");
    assert!(dir.exists("my-site/config.yaml"));
    // A site in a folder called `page`: written as a path.
    dir.run(&["new", "./page", "--today", TODAY]).success();
    assert!(dir.exists("page/config.yaml"));
    // `new page` without a name is a usage error.
    dir.run(&["new", "page"]).code(2);
    // A name with a space typed without quotes: a usage error that says to quote it.
    dir.run(&["new", "my", "studio"])
        .code(2)
        .stderr_has("error: `stillpoint new` takes one folder name, but got 2 words; for a name with spaces, put it in quotes: stillpoint new \"my studio\"\n");
    assert!(!dir.exists("my") && !dir.exists("studio"));
}
