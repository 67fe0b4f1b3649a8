//! Taxonomies (issue 18): pages grouped by the terms they name in front matter, in Zola's
//! shape.
//!
//! - **Config**: `taxonomies: [{ name: tags, feed: true, paginate_by: 10 }]` in `config.yaml`
//!   ([`RawTaxonomy`], resolved by [`resolve`] into [`TaxonomyConfig`]s). Zola's keys: `name`,
//!   `feed`, `paginate_by`, `paginate_path`.
//! - **Front matter**: `taxonomies: { tags: [relaxation, research] }` (Zola's form), and
//!   `tags: [...]` / `categories: [...]` as a short form of the same (Hugo's two default
//!   taxonomies). A taxonomy that `config.yaml` does not list is an error at its line
//!   ([`page_errors`]).
//! - **Site**: `taxonomies` groups the pages into [`Term`]s. Terms whose names slugify alike
//!   (`Relaxation`, `relaxation`) are one term, named as first seen: pages in content-path
//!   order, each page's terms in written order (Zola merges them the same way). Terms are
//!   sorted by name, ignoring case; a term's pages newest first (pages without a `date` after
//!   them, in the site's order). The taxonomy lists its terms at `/tags/`, each term its pages
//!   at `/tags/<term>/` (paginated with the sections' pagination code,
//!   `listings::pager_list`) and, with `feed: true`, an Atom feed at
//!   `/tags/<term>/atom.xml`.
//!
//! Every address is decided here, in stage 4, with the others; the generated files join
//! [`SiteTree::outputs`](super::SiteTree::outputs), so the collision check, the sitemap and the
//! link checks see them. With no taxonomy configured nothing here walks the pages (the only
//! per-page work is the unknown-taxonomy check, which runs in the listings' existing loop).
//!
//! Languages (as in Zola): on a site with several languages each language has its own
//! taxonomies, made from its own pages only. The default language's are at `/tags/`, another
//! language's under its prefix ([`Config::language_prefix`]): `/fr/tags/`, `/fr/tags/<term>/`
//! and `/fr/tags/<term>/atom.xml`. [`SiteTree::taxonomies`](super::SiteTree::taxonomies) holds
//! them language by language in the order of `languages:` (the default language first), each
//! with the configured taxonomies in their order; a term's `translations` are the same term
//! (same slug) in the languages that have it. A site in one language has exactly one
//! taxonomy per configured one, as before.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Deserializer};

use super::listings::{Feed, Pager, dated_newest_first, pager_list};
use super::{Alias, Page, output_for_path, slugify};
use crate::config::Config;
use crate::content::front_matter::FrontMatter;
use crate::error::{Diagnostic, Span};

/// The keys of one entry of `taxonomies:` in `config.yaml` (Zola's), for did-you-mean hints.
pub const TAXONOMY_KEYS: &[&str] = &["name", "feed", "paginate_by", "paginate_path"];

/// The front matter fields that are a short form of `taxonomies: { <field>: [...] }`.
pub const SHORT_FORMS: &[&str] = &["tags", "categories"];

/// One entry of `taxonomies:` in `config.yaml`, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawTaxonomy {
    /// The taxonomy's name, as front matter names it: `tags`.
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub name: Option<String>,
    /// Write an Atom feed for each term.
    pub feed: bool,
    /// List this many pages per term page (none: all on one).
    pub paginate_by: Option<i64>,
    /// The path segment before a listing page's number (default `page`).
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub paginate_path: Option<String>,
}

/// A configured taxonomy, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxonomyConfig {
    /// The name front matter uses: `tags`.
    pub name: String,
    /// The URL segment: the name slugified (`tags`).
    pub slug: String,
    /// An Atom feed per term.
    pub feed: bool,
    /// Pages per term page; none: one page per term.
    pub paginate_by: Option<usize>,
    /// The segment before a listing page's number: `page` (`/tags/x/page/2/`).
    pub paginate_path: String,
}

/// Resolves `taxonomies:` from `config.yaml` (`source` is its text, for positions); the
/// errors go to `errors`, and the entries with one are left out.
///
/// Errors (each at its line): an entry without a `name`, a name without a letter or digit, a
/// name given twice, `paginate_by` below 1, a `paginate_path` that is not one plain segment.
pub fn resolve(
    raw: Vec<RawTaxonomy>,
    source: &str,
    errors: &mut Vec<Diagnostic>,
) -> Vec<TaxonomyConfig> {
    let mut out: Vec<TaxonomyConfig> = Vec::with_capacity(raw.len());
    for (k, t) in raw.into_iter().enumerate() {
        let Some(name) = t.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
            errors.push(config_error(
                source,
                format!("taxonomy number {} in config.yaml has no `name`", k + 1),
                "taxonomies",
                "give each taxonomy a name, like `- { name: tags }`",
            ));
            continue;
        };
        let slug = slugify(name);
        if slug.is_empty() {
            errors.push(config_error(
                source,
                format!(
                    "the taxonomy name `{name}` has no letter or digit to make a web address from"
                ),
                name,
                "name the taxonomy with letters, like `tags` or `topics`",
            ));
            continue;
        }
        if out.iter().any(|o| o.name == name || o.slug == slug) {
            let mut d = Diagnostic::error(format!(
                "the taxonomy `{name}` is listed twice in config.yaml"
            ))
            .in_file("config.yaml")
            .help("remove one of the two entries");
            // The second entry (or the first, when they are written differently).
            let written = format!("name: {name}");
            if let Some(span) =
                nth_line_of(source, &written, 1).or_else(|| line_of(source, &written))
            {
                d = d.at(span, source);
            }
            errors.push(d);
            continue;
        }
        let name = name.to_string();
        let (paginate_by, paginate_path) = pagination(&name, &t, source, errors);
        out.push(TaxonomyConfig {
            name,
            slug,
            feed: t.feed,
            paginate_by,
            paginate_path,
        });
    }
    out
}

/// The `paginate_by` and `paginate_path` of taxonomy `name`; a mistake goes to `errors`.
fn pagination(
    name: &str,
    t: &RawTaxonomy,
    source: &str,
    errors: &mut Vec<Diagnostic>,
) -> (Option<usize>, String) {
    let paginate_by = match t.paginate_by {
        None => None,
        Some(n) if n >= 1 => usize::try_from(n).ok(),
        Some(n) => {
            errors.push(config_error(
                source,
                format!("`paginate_by: {n}` of the taxonomy `{name}` is not a number of pages"),
                "paginate_by",
                "write a whole number of 1 or more, like `paginate_by: 10`, or remove it to list every page of a term on one page",
            ));
            None
        }
    };
    let paginate_path = t.paginate_path.clone().unwrap_or_else(|| "page".into());
    if paginate_path.is_empty() || slugify(&paginate_path) != paginate_path {
        errors.push(config_error(
            source,
            format!(
                "`paginate_path: {paginate_path}` of the taxonomy `{name}` is not a plain word"
            ),
            "paginate_path",
            "use lower-case letters, digits and hyphens, like `page`",
        ));
    }
    (paginate_by, paginate_path)
}

/// An error in `config.yaml`, at the first line holding `near`.
fn config_error(source: &str, message: String, near: &str, help: &str) -> Diagnostic {
    let mut d = Diagnostic::error(message).in_file("config.yaml").help(help);
    if let Some(span) = line_of(source, near) {
        d = d.at(span, source);
    }
    d
}

/// The first line of `source` that contains `text`, as a span over it.
fn line_of(source: &str, text: &str) -> Option<Span> {
    nth_line_of(source, text, 0)
}

/// The `n`th (0-based) line of `source` that contains `text`, as a span over it.
fn nth_line_of(source: &str, text: &str, n: usize) -> Option<Span> {
    let lines = source.split('\n').enumerate();
    lines
        .filter(|(_, l)| l.contains(text))
        .nth(n)
        .and_then(|(i, line)| {
            let b = line.find(text)?;
            Some(Span::new(
                i + 1,
                line[..b].chars().count() + 1,
                text.chars().count(),
            ))
        })
}

/// A term as written in front matter: text (a number is taken as written, like a title).
struct TermText(String);

impl<'de> Deserialize<'de> for TermText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::yaml::scalar_text(d).map(TermText)
    }
}

/// A list of terms: `[relaxation, research]`, or one term written alone (`tags: research`).
/// `deserialize_with` target for `tags:`/`categories:`; a map, or a list inside the list, is
/// a type error at its position.
pub(crate) fn terms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a list of terms, like [relaxation, research]")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(vec![v.to_string()]))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(vec![v.to_string()]))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(vec![v.to_string()]))
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(TermText(t)) = a.next_element()? {
                out.push(t);
            }
            Ok(Some(out))
        }
    }
    d.deserialize_any(V)
}

/// A list of terms, for the values of the `taxonomies:` map.
struct Terms(Vec<String>);

impl<'de> Deserialize<'de> for Terms {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        terms(d).map(|t| Terms(t.unwrap_or_default()))
    }
}

/// `taxonomies: { tags: [relaxation] }` in front matter: taxonomy name -> terms.
/// `deserialize_with` target.
pub(crate) fn terms_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, Vec<String>>>, D::Error> {
    let m: Option<BTreeMap<String, Terms>> = Deserialize::deserialize(d)?;
    Ok(m.map(|m| m.into_iter().map(|(k, v)| (k, v.0)).collect()))
}

/// Every taxonomy a front matter names, with its terms as written: the `taxonomies:` map,
/// then the short forms (`tags:`), in that order; a name given both ways has both lists.
pub fn page_terms(front: &FrontMatter) -> Vec<(&str, &[String])> {
    let mut out: Vec<(&str, &[String])> = front
        .taxonomies
        .iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect();
    for (name, list) in [("tags", &front.tags), ("categories", &front.categories)] {
        if let Some(list) = list {
            out.push((name, list.as_slice()));
        }
    }
    out
}

/// True when the front matter names a term of any taxonomy.
pub fn has_terms(front: &FrontMatter) -> bool {
    front.tags.as_ref().is_some_and(|t| !t.is_empty())
        || front.categories.as_ref().is_some_and(|t| !t.is_empty())
        || front
            .taxonomies
            .as_ref()
            .is_some_and(|m| m.values().any(|t| !t.is_empty()))
}

/// Errors for the taxonomies a page names that `config.yaml` does not list (at the line of
/// the name, naming the configured ones), and for terms without a letter or digit.
pub fn page_errors(page: &Page, config: &Config) -> Vec<Diagnostic> {
    let front = &page.doc.front;
    if front.taxonomies.is_none() && front.tags.is_none() && front.categories.is_none() {
        return Vec::new();
    }
    let doc = &page.doc;
    let known: Vec<&str> = config.taxonomies.iter().map(|t| t.name.as_str()).collect();
    let mut out = Vec::new();
    for (name, list) in page_terms(front) {
        let short = (name == "tags" && front.tags.is_some())
            || (name == "categories" && front.categories.is_some());
        if !known.contains(&name) {
            let mut d = Diagnostic::error(format!(
                "{} uses the taxonomy `{name}`, which config.yaml does not list",
                doc.shown.display()
            ))
            .in_file(&doc.shown)
            .label("not a configured taxonomy")
            .help(match (known.is_empty(), crate::error::closest(known.iter().copied(), name)) {
                (true, _) => format!(
                    "add `taxonomies: [{{ name: {name} }}]` to config.yaml to make pages for it, or remove the line"
                ),
                (false, Some(c)) => format!(
                    "did you mean `{c}`? config.yaml lists: {}; add `{{ name: {name} }}` there to make a new one",
                    known.join(", ")
                ),
                (false, None) => format!(
                    "config.yaml lists: {}; add `{{ name: {name} }}` to `taxonomies:` there to make a new one",
                    known.join(", ")
                ),
            });
            if let Some(span) = name_span(doc, name, short) {
                d = d.at(span, &doc.source);
            }
            out.push(d);
            continue;
        }
        for term in list.iter().filter(|t| slugify(t).is_empty()) {
            let mut d = Diagnostic::error(format!(
                "the {name} term `{term}` in {} has no letter or digit to make a web address from",
                doc.shown.display()
            ))
            .in_file(&doc.shown)
            .label("an empty term")
            .help("write the term with letters or digits, or remove it");
            if let Some(span) = name_span(doc, name, short) {
                d = d.at(span, &doc.source);
            }
            out.push(d);
        }
    }
    out
}

/// An error for terms in a section's `_index.md`: only pages have terms (as in Zola).
pub fn section_error(section: &super::Section) -> Option<Diagnostic> {
    let doc = section.doc.as_ref().filter(|d| has_terms(&d.front))?;
    let (name, _) = page_terms(&doc.front).into_iter().next()?;
    let short = name == "tags" || name == "categories";
    let mut d = Diagnostic::error(format!(
        "`{name}` in {} has no effect on a section",
        doc.shown.display()
    ))
    .in_file(&doc.shown)
    .label("only pages have tags and other terms")
    .help("move the terms to the pages of this folder, or delete the line");
    if let Some(span) = name_span(doc, name, short) {
        d = d.at(span, &doc.source);
    }
    Some(d)
}

/// Where taxonomy `name` is written in a document's front matter: `taxonomies: { name: … }`,
/// or the short form `name: …`.
fn name_span(doc: &crate::content::Document, name: &str, short: bool) -> Option<Span> {
    let last = doc.source[..doc.body_start].matches('\n').count();
    let at = crate::yaml::value_at(&doc.source, 2, last, &["taxonomies", name]).or_else(|| {
        short
            .then(|| crate::yaml::key_value_span(&doc.source, name))
            .flatten()
    })?;
    // The name itself, on the line of its value.
    let line = doc.source.split('\n').nth(at.line - 1)?;
    let col = line
        .find(name)
        .map_or(at.col, |b| line[..b].chars().count() + 1);
    Some(Span::new(at.line, col, name.chars().count()))
}

/// A taxonomy with its terms and their pages.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// Its settings from `config.yaml`.
    pub config: TaxonomyConfig,
    /// The language of its pages: the site's `language`, or another of `languages:`.
    pub lang: String,
    /// Every version of this taxonomy in the site's languages, itself included, as indexes
    /// into [`SiteTree::taxonomies`](super::SiteTree::taxonomies) in the order of
    /// `languages:` (empty for a site in one language).
    pub translations: Vec<usize>,
    /// Site path of the list of terms: `/tags/`.
    pub path: String,
    /// Absolute URL of the list of terms.
    pub permalink: String,
    /// Output file of the list of terms: `tags/index.html`.
    pub output: String,
    /// The terms, sorted by name (ignoring case).
    pub terms: Vec<Term>,
}

/// One term of a taxonomy and its pages.
#[derive(Debug, Clone)]
pub struct Term {
    /// The name as first written.
    pub name: String,
    /// The URL segment: the name slugified.
    pub slug: String,
    /// Site path: `/tags/relaxation/`.
    pub path: String,
    /// Absolute URL.
    pub permalink: String,
    /// Output file: `tags/relaxation/index.html`.
    pub output: String,
    /// Its pages (indexes into the site's pages), newest first, undated after in site order.
    pub pages: Vec<usize>,
    /// Listing pages when the taxonomy has `paginate_by` (the first is the term's own page);
    /// empty otherwise.
    pub pagers: Vec<Pager>,
    /// The term's Atom feed, with `feed: true` and dated pages.
    pub feed: Option<Feed>,
    /// The same term (same slug) in the languages whose pages have it, itself included, as
    /// (taxonomy, term) indexes into [`SiteTree::taxonomies`](super::SiteTree::taxonomies),
    /// in the order of `languages:` (empty for a site in one language).
    pub translations: Vec<(usize, usize)>,
}

/// The taxonomies of the site: one per configured taxonomy and language of the site (none,
/// and no pass over the pages, when `config.yaml` lists none), each term made from the pages
/// of its language only; and the redirects from each paginated term's `page/1/` to the term.
/// Pages with errors in their terms ([`page_errors`]) are reported elsewhere.
pub(super) fn taxonomies(pages: &[Page], config: &Config) -> (Vec<Taxonomy>, Vec<Alias>) {
    if config.taxonomies.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let mut grouped = group(pages);
    let languages: Vec<&str> = if config.is_multilingual() {
        config.languages.iter().map(|l| l.code.as_str()).collect()
    } else {
        vec![config.language.as_str()]
    };
    let mut redirects = Vec::new();
    let mut taxonomies: Vec<Taxonomy> = Vec::new();
    for lang in languages {
        for tc in &config.taxonomies {
            let path = format!("{}/{}/", config.language_prefix(lang), tc.slug);
            let mut terms: Vec<Term> = grouped
                .remove(&(lang, tc.name.as_str()))
                .unwrap_or_default()
                .into_iter()
                .map(|(slug, (name, list))| {
                    term(tc, &path, slug, name, list, pages, config, &mut redirects)
                })
                .collect();
            terms.sort_by(|a, b| {
                (a.name.to_lowercase(), &a.name).cmp(&(b.name.to_lowercase(), &b.name))
            });
            taxonomies.push(Taxonomy {
                config: tc.clone(),
                lang: lang.to_string(),
                translations: Vec::new(),
                permalink: config.permalink(&path),
                output: output_for_path(&path),
                path,
                terms,
            });
        }
    }
    if config.is_multilingual() {
        link_translations(&mut taxonomies);
    }
    (taxonomies, redirects)
}

/// Terms of the pages, grouped: (language, taxonomy name) -> term slug -> (name as first
/// seen, pages in content-path order).
type Grouped<'p> = HashMap<(&'p str, &'p str), BTreeMap<String, (String, Vec<usize>)>>;

/// The terms of `pages`, grouped by language and taxonomy ([`Grouped`]).
fn group(pages: &[Page]) -> Grouped<'_> {
    let mut grouped: Grouped<'_> = HashMap::new();
    for (i, p) in pages.iter().enumerate() {
        for (name, list) in page_terms(&p.doc.front) {
            let terms = grouped.entry((p.lang.as_str(), name)).or_default();
            for t in list {
                let slug = slugify(t);
                if slug.is_empty() {
                    continue;
                }
                let entry = terms.entry(slug).or_insert_with(|| (t.clone(), Vec::new()));
                if entry.1.last() != Some(&i) {
                    entry.1.push(i);
                }
            }
        }
    }
    grouped
}

/// Fills the `translations` of each taxonomy (the same taxonomy in every language) and of each
/// term (the same slug in the same taxonomy of the languages that have it). `taxonomies` is in
/// language order, so each list is too.
fn link_translations(taxonomies: &mut [Taxonomy]) {
    // Taxonomy name -> its versions; (name, term slug) -> its versions.
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_term: HashMap<(String, String), Vec<(usize, usize)>> = HashMap::new();
    for (t, tax) in taxonomies.iter().enumerate() {
        by_name.entry(tax.config.name.clone()).or_default().push(t);
        for (k, term) in tax.terms.iter().enumerate() {
            by_term
                .entry((tax.config.name.clone(), term.slug.clone()))
                .or_default()
                .push((t, k));
        }
    }
    for tax in taxonomies.iter_mut() {
        tax.translations = by_name[&tax.config.name].clone();
        for term in &mut tax.terms {
            term.translations = by_term[&(tax.config.name.clone(), term.slug.clone())].clone();
        }
    }
}

/// One term: its address under `base` (`/tags/`), its pages in order, listing pages and feed.
#[allow(clippy::too_many_arguments)]
fn term(
    tc: &TaxonomyConfig,
    base: &str,
    slug: String,
    name: String,
    mut list: Vec<usize>,
    pages: &[Page],
    config: &Config,
    redirects: &mut Vec<Alias>,
) -> Term {
    let path = format!("{base}{slug}/");
    let permalink = config.permalink(&path);
    // Newest first; pages without a date after, in the site's order.
    list.sort_by_key(|&i| {
        let date = pages[i].doc.front.date.as_ref().map(|d| d.sort_key());
        (
            date.is_none(),
            std::cmp::Reverse(date.unwrap_or(i64::MIN)),
            i,
        )
    });
    let pagers = match tc.paginate_by {
        Some(per) => {
            redirects.push(Alias {
                output: output_for_path(&format!("{path}{}/1/", tc.paginate_path)),
                target: permalink.clone(),
                from: "config.yaml".into(),
                listing: true,
            });
            pager_list(&path, &tc.paginate_path, list.len(), per, config)
        }
        None => Vec::new(),
    };
    let feed = tc
        .feed
        .then(|| dated_newest_first(&list, pages))
        .and_then(|dated| {
            if dated.is_empty() {
                return None;
            }
            let feed_path = format!("{path}atom.xml");
            Some(Feed {
                permalink: config.permalink(&feed_path),
                output: output_for_path(&feed_path),
                path: feed_path,
                pages: dated,
            })
        });
    Term {
        name,
        slug,
        output: output_for_path(&path),
        path,
        permalink,
        pages: list,
        pagers,
        feed,
        translations: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_text(yaml: &str) -> Result<Vec<TaxonomyConfig>, Vec<Diagnostic>> {
        #[derive(Deserialize)]
        struct W {
            taxonomies: Vec<RawTaxonomy>,
        }
        let w: W = crate::yaml::from_str(yaml).unwrap();
        let mut errors = Vec::new();
        let out = resolve(w.taxonomies, yaml, &mut errors);
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    #[test]
    fn config_entries_resolve_with_zola_defaults() {
        let t = resolve_text(
            "taxonomies:\n  - { name: tags, feed: true, paginate_by: 2 }\n  - name: Big Topics\n",
        )
        .unwrap();
        assert_eq!(t[0].slug, "tags");
        assert!(t[0].feed);
        assert_eq!(t[0].paginate_by, Some(2));
        assert_eq!(t[0].paginate_path, "page");
        assert_eq!(t[1].slug, "big-topics");
        assert_eq!(t[1].paginate_by, None);
    }

    #[test]
    fn config_mistakes_are_errors_at_their_line() {
        let e = resolve_text("taxonomies:\n  - { name: tags }\n  - { name: tags }\n  - { feed: true }\n  - { name: x, paginate_by: 0 }\n").unwrap_err();
        let shown: Vec<(String, usize)> = e
            .iter()
            .map(|d| (d.message.clone(), d.span.as_ref().map_or(0, |s| s.line)))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "the taxonomy `tags` is listed twice in config.yaml".to_string(),
                    3
                ),
                (
                    "taxonomy number 3 in config.yaml has no `name`".to_string(),
                    1
                ),
                (
                    "`paginate_by: 0` of the taxonomy `x` is not a number of pages".to_string(),
                    5
                ),
            ]
        );
    }

    #[test]
    fn terms_accept_a_list_or_one_term_and_refuse_maps() {
        let (f, _, _) = crate::content::front_matter::parse(
            "---\ntags: [Relaxation, 2024]\ntaxonomies:\n  topics: research\n---\n",
            std::path::Path::new("a.md"),
        )
        .unwrap();
        assert_eq!(
            f.tags.as_deref(),
            Some(&["Relaxation".to_string(), "2024".into()][..])
        );
        assert_eq!(f.taxonomies.unwrap()["topics"], ["research"]);
        let e = crate::content::front_matter::parse(
            "---\ntitle: A\ntags: [{ a: b }]\n---\n",
            std::path::Path::new("a.md"),
        )
        .unwrap_err();
        let d = &e.into_diagnostics()[0];
        assert_eq!(d.span.as_ref().map(|s| s.line), Some(3), "{d:?}");
    }
}
