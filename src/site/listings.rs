//! Part of stage 4: the extra outputs of a section, decided with every other URL in
//! [`super::SiteTree::assemble`].
//!
//! - **Pagination** (`paginate_by: N` in a section's `_index.md`), as Zola does it: the first
//!   listing page is the section itself (`/blog/`), the next ones are `/blog/page/2/`,
//!   `/blog/page/3/`, …, and `/blog/page/1/` redirects to `/blog/`. An empty section still has
//!   its one listing page.
//! - **Feeds** (`feed: true`): an Atom feed of the section's pages at `/blog/atom.xml`
//!   (`/atom.xml` for the home page). As in Zola, only pages with a `date` are in a feed, newest
//!   first; a section whose pages have no dates gets no feed and a warning.
//!
//! In: the sections with their ordered pages. Out: [`Pager`]s and [`Feed`]s on each section,
//! redirect pages for `page/1/`, errors for `feed`/`paginate_by` on a page (they belong in an
//! `_index.md`). Nothing here renders anything.

use super::{Alias, Findings, Page, Section, output_for_path};
use crate::config::Config;
use crate::error::Diagnostic;

/// Gives each section its listing pages and feed; returns the redirects from `page/1/` of the
/// paginated sections. Errors for `feed`/`paginate_by` on a page go to `found.errors`,
/// warnings for a feed without dated pages to `found.warnings`.
pub(super) fn listings(
    sections: &mut [Section],
    pages: &[Page],
    config: &Config,
    found: &mut Findings,
) -> Vec<Alias> {
    for p in pages {
        found.errors.extend(page_field_errors(p));
        found
            .errors
            .extend(super::taxonomies::page_errors(p, config));
    }
    let mut redirects = Vec::new();
    for s in sections.iter_mut() {
        found.errors.extend(super::taxonomies::section_error(s));
        let (pagers, first) = pagers(s, config);
        s.pagers = pagers;
        redirects.extend(first);
        let (feed, warning) = feed(s, pages, config);
        s.feed = feed;
        found.warnings.extend(warning);
    }
    redirects
}

/// The path segment before a listing page's number: `/blog/page/2/` (Zola's default
/// `paginate_path`).
pub const PAGINATE_PATH: &str = "page";

/// One listing page of a paginated section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// 1-based number of this listing page.
    pub index: usize,
    /// Site path: `/blog/` for the first, `/blog/page/2/` after.
    pub path: String,
    /// Absolute URL.
    pub permalink: String,
    /// Output file: `blog/index.html`, `blog/page/2/index.html`.
    pub output: String,
    /// Which of the section's pages (positions in [`Section::pages`]) this listing page shows.
    pub pages: std::ops::Range<usize>,
}

/// A section's Atom feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// Site path: `/blog/atom.xml`.
    pub path: String,
    /// Absolute URL.
    pub permalink: String,
    /// Output file: `blog/atom.xml`.
    pub output: String,
    /// The pages in the feed (indexes into the site's pages): those with a date, newest first.
    pub pages: Vec<usize>,
}

/// An error for `feed:` or `paginate_by:` in a page's front matter: both describe a listing,
/// so they belong in the `_index.md` of a section.
pub fn page_field_errors(page: &Page) -> Vec<Diagnostic> {
    let f = &page.doc.front;
    let mut out = Vec::new();
    for (set, key) in [(f.feed, "feed"), (f.paginate_by.is_some(), "paginate_by")] {
        if !set {
            continue;
        }
        let mut d = Diagnostic::error(format!(
            "`{key}` in {} has no effect on a page",
            page.doc.shown.display()
        ))
        .in_file(&page.doc.shown)
        .label("only a section's _index.md can have this")
        .help(format!(
            "move `{key}:` to the _index.md of the folder whose pages it should list, or delete the line"
        ));
        if let Some(span) = crate::yaml::key_value_span(&page.doc.source, key) {
            d = d.at(span, &page.doc.source);
        }
        out.push(d);
    }
    out
}

/// The listing pages of a section that has `paginate_by` (empty otherwise), and the redirect
/// from `<section>/page/1/` to the section.
pub fn pagers(section: &Section, config: &Config) -> (Vec<Pager>, Option<Alias>) {
    let Some((doc, per)) = section
        .doc
        .as_ref()
        .and_then(|d| Some((d, d.front.paginate_by.filter(|n| *n > 0)?)))
    else {
        return (Vec::new(), None);
    };
    let pagers = pager_list(
        &section.path,
        PAGINATE_PATH,
        section.pages.len(),
        per,
        config,
    );
    let first = Alias {
        output: output_for_path(&format!("{}{PAGINATE_PATH}/1/", section.path)),
        target: section.permalink.clone(),
        from: doc.shown.clone(),
        listing: true,
    };
    (pagers, Some(first))
}

/// The site path of listing page `index` (1-based) of the section at `section_path`.
pub fn pager_path(section_path: &str, index: usize) -> String {
    pager_path_with(section_path, PAGINATE_PATH, index)
}

/// The site path of listing page `index` (1-based) of the listing at `base` (`/blog/`), with
/// `segment` before the number (`page`).
fn pager_path_with(base: &str, segment: &str, index: usize) -> String {
    if index <= 1 {
        base.to_string()
    } else {
        format!("{base}{segment}/{index}/")
    }
}

/// The listing pages of `total` pages shown `per` to a page at `base` (`/blog/`, a section or
/// a taxonomy term), the first at `base` itself and the next at `<base><segment>/2/`: at least
/// one, even for no pages. Sections and taxonomy terms paginate alike (Zola's rules).
pub(super) fn pager_list(
    base: &str,
    segment: &str,
    total: usize,
    per: usize,
    config: &Config,
) -> Vec<Pager> {
    let count = total.div_ceil(per).max(1);
    (1..=count)
        .map(|index| {
            let path = pager_path_with(base, segment, index);
            Pager {
                index,
                permalink: config.permalink(&path),
                output: output_for_path(&path),
                path,
                pages: (index - 1) * per..(index * per).min(total),
            }
        })
        .collect()
}

/// Which of `list` (indexes into `pages`) have a `date`, newest first; equal dates keep the
/// order of `list`. A feed's entries, for sections and taxonomy terms alike.
pub(super) fn dated_newest_first(list: &[usize], pages: &[Page]) -> Vec<usize> {
    let mut dated: Vec<usize> = list
        .iter()
        .copied()
        .filter(|&i| pages[i].doc.front.date.is_some())
        .collect();
    dated.sort_by_key(|&i| {
        std::cmp::Reverse(
            pages[i]
                .doc
                .front
                .date
                .as_ref()
                .map_or(i64::MIN, |d| d.sort_key()),
        )
    });
    dated
}

/// The feed of a section with `feed: true`, or a warning when none of its pages has a date.
pub fn feed(
    section: &Section,
    pages: &[Page],
    config: &Config,
) -> (Option<Feed>, Option<Diagnostic>) {
    let Some(doc) = section.doc.as_ref().filter(|d| d.front.feed) else {
        return (None, None);
    };
    let dated = dated_newest_first(&section.pages, pages);
    if dated.is_empty() {
        let mut d = Diagnostic::warning(format!(
            "{} asks for a feed, but none of its pages has a `date`, so no feed is written",
            doc.shown.display()
        ))
        .in_file(&doc.shown)
        .label("no page to put in the feed")
        .help("give the pages a `date:` in their front matter (a feed lists pages by date), or remove `feed: true`");
        if let Some(span) = crate::yaml::key_value_span(&doc.source, "feed") {
            d = d.at(span, &doc.source);
        }
        return (None, Some(d));
    }
    let path = format!("{}atom.xml", section.path);
    (
        Some(Feed {
            permalink: config.permalink(&path),
            output: output_for_path(&path),
            path,
            pages: dated,
        }),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_paths_follow_zola() {
        assert_eq!(pager_path("/blog/", 1), "/blog/");
        assert_eq!(pager_path("/blog/", 2), "/blog/page/2/");
        assert_eq!(pager_path("/", 3), "/page/3/");
        assert_eq!(
            output_for_path(&pager_path("/blog/", 2)),
            "blog/page/2/index.html"
        );
    }
}
