//! The template context: the theme API. Only the values built here reach Tera, so a renamed
//! field is a change in this one file (and in its snapshot test), never an accident
//! (mdBook #2813). Names follow Zola's (`design.md`, "Templates").
//!
//! In: the [`SiteTree`], the [`Config`] and each document's rendered markdown. Out: one
//! [`tera::Value`] per page and section, built once and shared by every listing that shows it
//! (a section listing 10,000 pages clones 10,000 reference-counted handles, not the pages).

use tera::{Map, Value};

use super::PageFields;
use crate::config::Config;
use crate::markdown::{Heading, Rendered};
use crate::site::taxonomies::{Taxonomy, Term};
use crate::site::{MenuLink, Page, Section, SiteTree};

/// The meta description of a page or section: its front matter `description`, else its
/// summary as plain text cut at a word boundary to 160 characters ([`crate::seo`]), else none
/// (the theme then uses `config.description`).
fn meta_description(description: Option<&str>, rendered: Option<&Rendered>) -> Value {
    match description.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => v(d),
        None => rendered
            .and_then(|r| r.summary.as_deref())
            .and_then(crate::seo::description_from_html)
            .map_or_else(Value::none, Value::from),
    }
}

fn v<T: Into<Value>>(x: T) -> Value {
    x.into()
}

fn opt_str(x: Option<&str>) -> Value {
    x.map_or_else(Value::none, Value::from)
}

fn insert(map: &mut Map, key: &'static str, value: Value) {
    map.insert(key.into(), value);
}

/// The one empty list and the one empty map that every value shares: a page has several
/// (`assets`, `translations`, `taxonomies`, `extra`), and every heading of a table of
/// contents has `children`, so making each anew costs megabytes at 10,000 pages. A value is
/// reference-counted and never changed once made, so sharing it shows templates the same.
static EMPTY: std::sync::LazyLock<(Value, Value)> =
    std::sync::LazyLock::new(|| (Value::from(Vec::<Value>::new()), Value::from(Map::new())));

/// `items` as a list value (the shared one when empty, see [`EMPTY`]).
fn list(items: Vec<Value>) -> Value {
    if items.is_empty() {
        EMPTY.0.clone()
    } else {
        Value::from(items)
    }
}

/// `map` as a value (the shared one when empty, see [`EMPTY`]).
fn map_value(map: Map) -> Value {
    if map.is_empty() {
        EMPTY.1.clone()
    } else {
        Value::from(map)
    }
}

/// `config` as templates see it: title, base_url, description, language, theme, menu (each
/// `{name, url, weight}` with `url` resolved to an absolute URL), minify, extra, and
/// `ready_to_publish`: `ready`, which the build takes from [`crate::publish::is_ready`] (true
/// when `check --publish` finds nothing left to fill in; the default theme asks search engines
/// not to index a site that is not ready).
pub fn config_value(config: &Config, menu: &[MenuLink], ready: bool) -> Value {
    config_value_with(config, menu, &[], ready)
}

/// [`config_value`] with `languages`: each language of the site by code (`config.languages.fr`),
/// as `{code, title, description, menu}`, its menu resolved (`menus[k]` is that of
/// `config.languages[k]`); none for a site in one language.
pub fn config_value_with(
    config: &Config,
    menu: &[MenuLink],
    menus: &[Vec<MenuLink>],
    ready: bool,
) -> Value {
    let mut m = Map::new();
    insert(&mut m, "title", v(config.title.as_str()));
    insert(&mut m, "base_url", v(config.base_url.as_str()));
    insert(&mut m, "urls", v(config.urls.name()));
    insert(&mut m, "description", v(config.description.as_str()));
    insert(&mut m, "language", v(config.language.as_str()));
    insert(&mut m, "theme", opt_str(config.theme.as_deref()));
    insert(&mut m, "menu", menu_value(menu));
    if config.is_multilingual() {
        insert(&mut m, "languages", languages_value(config, menus));
    }
    insert(&mut m, "minify", v(config.minify));
    insert(&mut m, "extra", Value::from_serializable(&config.extra));
    insert(&mut m, "ready_to_publish", v(ready));
    Value::from(m)
}

/// A resolved menu as templates see it: a list of `{name, url, weight}`.
fn menu_value(menu: &[MenuLink]) -> Value {
    let items: Vec<Value> = menu
        .iter()
        .map(|m| {
            let mut i = Map::new();
            insert(&mut i, "name", v(m.name.as_str()));
            insert(&mut i, "url", v(m.url.as_str()));
            insert(
                &mut i,
                "weight",
                m.weight.map_or_else(Value::none, Value::from),
            );
            Value::from(i)
        })
        .collect();
    Value::from(items)
}

/// `config.languages`: code -> `{code, title, description, menu}` (see [`config_value_with`]).
fn languages_value(config: &Config, menus: &[Vec<MenuLink>]) -> Value {
    let mut all = Map::new();
    for (k, lang) in config.languages.iter().enumerate() {
        let mut l = Map::new();
        insert(&mut l, "code", v(lang.code.as_str()));
        insert(&mut l, "title", v(lang.title.as_str()));
        insert(&mut l, "description", v(lang.description.as_str()));
        insert(
            &mut l,
            "menu",
            menus
                .get(k)
                .map_or_else(|| Value::from(Vec::<Value>::new()), |m| menu_value(m)),
        );
        all.insert(lang.code.clone().into(), Value::from(l));
    }
    Value::from(all)
}

/// `translations` of a page or section: each version (`items`, by index into `tree`'s pages
/// or sections, in language order) as `{lang, title, permalink}`.
fn translations_value<'t>(items: impl Iterator<Item = (&'t str, &'t str, &'t str)>) -> Value {
    list(
        items
            .map(|(lang, title, permalink)| {
                let mut m = Map::new();
                insert(&mut m, "lang", v(lang));
                insert(&mut m, "title", v(title));
                insert(&mut m, "permalink", v(permalink));
                Value::from(m)
            })
            .collect::<Vec<_>>(),
    )
}

fn toc_value(toc: &[Heading], permalink: &str) -> Value {
    let items: Vec<Value> = toc
        .iter()
        .map(|h| {
            let mut m = Map::with_capacity(5);
            insert(&mut m, "level", v(u32::from(h.level)));
            insert(&mut m, "id", v(h.id.as_str()));
            insert(&mut m, "title", v(h.title.as_str()));
            insert(&mut m, "permalink", v(format!("{permalink}#{}", h.id)));
            insert(&mut m, "children", toc_value(&h.children, permalink));
            Value::from(m)
        })
        .collect();
    list(items)
}

fn extra_value(extra: Option<&serde_json::Map<String, serde_json::Value>>) -> Value {
    match extra {
        Some(e) => Value::from_serializable(e),
        None => EMPTY.1.clone(),
    }
}

/// Reading time in whole minutes at 200 words a minute, at least 1 for a non-empty page
/// (Zola's rule).
pub fn reading_time(words: usize) -> usize {
    words.div_ceil(200)
}

/// The fields of a page value, in the order [`page_map`] and `neighbours_into` make them
/// (Zola's names, `design.md`, "Templates"). A value holds those its [`PageFields`] show.
pub const PAGE_FIELDS: [&str; 24] = [
    "title",
    "description",
    "meta_description",
    "date",
    "updated",
    "weight",
    "draft",
    "slug",
    "path",
    "permalink",
    "content",
    "summary",
    "toc",
    "word_count",
    "reading_time",
    "extra",
    "assets",
    "ancestors",
    "relative_path",
    "taxonomies",
    "lang",
    "lower",
    "higher",
    "translations",
];

/// Inserts field `key` made by `value` when `fields` shows it (no template can show the
/// others, [`super::Templates::page_fields`], so they are neither made nor held).
fn put(m: &mut Map, fields: PageFields, key: &'static str, value: impl FnOnce() -> Value) {
    if fields.shows(key) {
        insert(m, key, value());
    }
}

/// The fields of a page without its neighbours and translations ([`PAGE_FIELDS`] up to
/// `lang`), those `fields` shows only.
pub fn page_map(page: &Page, rendered: &Rendered, fields: PageFields) -> Map {
    let f = &page.doc.front;
    let date = |d: Option<&crate::content::DateValue>| {
        d.map_or_else(Value::none, |d| v(d.to_template_string()))
    };
    // Room for every field shown, `lower`, `higher` and `translations` included (no rehash).
    let mut m = Map::with_capacity(fields.len());
    put(&mut m, fields, "title", || v(page.title.as_str()));
    put(&mut m, fields, "description", || {
        opt_str(f.description.as_deref())
    });
    put(&mut m, fields, "meta_description", || {
        meta_description(f.description.as_deref(), Some(rendered))
    });
    put(&mut m, fields, "date", || date(f.date.as_ref()));
    put(&mut m, fields, "updated", || date(f.updated.as_ref()));
    put(&mut m, fields, "weight", || {
        f.weight.map_or_else(Value::none, Value::from)
    });
    put(&mut m, fields, "draft", || v(f.draft));
    put(&mut m, fields, "slug", || v(page.slug.as_str()));
    put(&mut m, fields, "path", || v(page.path.as_str()));
    put(&mut m, fields, "permalink", || v(page.permalink.as_str()));
    put(&mut m, fields, "content", || {
        Value::safe_string(&rendered.html)
    });
    put(&mut m, fields, "summary", || {
        let summary = rendered.summary.as_deref();
        summary.map_or_else(Value::none, Value::safe_string)
    });
    put(&mut m, fields, "toc", || {
        toc_value(&rendered.toc, &page.permalink)
    });
    put(&mut m, fields, "word_count", || v(rendered.word_count));
    put(&mut m, fields, "reading_time", || {
        v(reading_time(rendered.word_count))
    });
    put(&mut m, fields, "extra", || extra_value(f.extra.as_ref()));
    put(&mut m, fields, "assets", || {
        list(page.assets.iter().map(|a| v(a.as_str())).collect())
    });
    put(&mut m, fields, "ancestors", || {
        list(page.ancestors.iter().map(|a| v(a.as_str())).collect())
    });
    put(&mut m, fields, "relative_path", || {
        v(page.doc.relative.as_str())
    });
    put(&mut m, fields, "taxonomies", || page_taxonomies(page));
    put(&mut m, fields, "lang", || v(page.lang.as_str()));
    m
}

/// `page.taxonomies`, as in Zola: taxonomy name -> the page's terms as written (`tags:` is
/// `taxonomies.tags`); an empty map for a page without terms.
fn page_taxonomies(page: &Page) -> Value {
    let mut by_name: std::collections::BTreeMap<&str, Vec<Value>> = Default::default();
    for (name, terms) in crate::site::taxonomies::page_terms(&page.doc.front) {
        let listed = by_name.entry(name).or_default();
        listed.extend(terms.iter().map(|t| v(t.as_str())));
    }
    let mut m = Map::new();
    for (name, terms) in by_name {
        m.insert(name.to_string().into(), Value::from(terms));
    }
    map_value(m)
}

/// A neighbour as `lower`/`higher` show it: title, permalink, path, description, date.
fn neighbour(page: &Page) -> Value {
    let mut m = Map::with_capacity(5);
    insert(&mut m, "title", v(page.title.as_str()));
    insert(&mut m, "permalink", v(page.permalink.as_str()));
    insert(&mut m, "path", v(page.path.as_str()));
    insert(
        &mut m,
        "description",
        opt_str(page.doc.front.description.as_deref()),
    );
    insert(
        &mut m,
        "date",
        page.doc
            .front
            .date
            .as_ref()
            .map_or_else(Value::none, |d| v(d.to_template_string())),
    );
    Value::from(m)
}

/// Every page's value, in `tree.pages` order (see [`page_value`]), with the fields `fields`
/// shows. Takes the pages' renderings (`rendered[i]` is page `i`'s) and drops each once its
/// value is made, so the markdown output is not held beside the values. A page's
/// `lower`/`higher` card is made once and shared by both neighbours that show it (memory at
/// 10,000 pages), and not at all when no template shows them.
pub fn page_values(tree: &SiteTree, rendered: Vec<Rendered>, fields: PageFields) -> Vec<Value> {
    use rayon::prelude::*;
    let cards: Vec<Option<Value>> = if fields.shows("lower") || fields.shows("higher") {
        tree.pages
            .par_iter()
            .map(|p| (p.lower.is_some() || p.higher.is_some()).then(|| neighbour(p)))
            .collect()
    } else {
        Vec::new()
    };
    let card = |n: usize| {
        cards
            .get(n)
            .cloned()
            .flatten()
            .unwrap_or_else(|| neighbour(&tree.pages[n]))
    };
    rendered
        .into_par_iter()
        .enumerate()
        .map(|(i, r)| {
            let m = page_map(&tree.pages[i], &r, fields);
            neighbours_into(tree, i, m, fields, card)
        })
        .collect()
}

/// Page `i`'s `value` (made with `fields`) with `lower`, `higher` and `translations` made
/// again from the tree (after a neighbour's title or description changed).
pub fn with_neighbours(tree: &SiteTree, i: usize, value: &Value, fields: PageFields) -> Value {
    let m = value.as_map().cloned().unwrap_or_default();
    neighbours_into(tree, i, m, fields, |n| neighbour(&tree.pages[n]))
}

/// Page `i`'s value: [`page_map`] with `lower`, `higher` and `translations`, the fields
/// `fields` shows only.
pub fn page_value(tree: &SiteTree, i: usize, rendered: &Rendered, fields: PageFields) -> Value {
    let m = page_map(&tree.pages[i], rendered, fields);
    neighbours_into(tree, i, m, fields, |n| neighbour(&tree.pages[n]))
}

/// `m` with page `i`'s `lower`, `higher` (page `n`'s card is `card(n)`, see [`neighbour`])
/// and `translations`, those `fields` shows, as a value.
fn neighbours_into(
    tree: &SiteTree,
    i: usize,
    mut m: Map,
    fields: PageFields,
    card: impl Fn(usize) -> Value,
) -> Value {
    let p = &tree.pages[i];
    let of = |n: Option<usize>| n.map_or_else(Value::none, &card);
    put(&mut m, fields, "lower", || of(p.lower));
    put(&mut m, fields, "higher", || of(p.higher));
    put(&mut m, fields, "translations", || {
        let versions = p.translations.iter().map(|&j| {
            let t = &tree.pages[j];
            (t.lang.as_str(), t.title.as_str(), t.permalink.as_str())
        });
        translations_value(versions)
    });
    debug_assert_eq!(m.len(), fields.len(), "a value holds the fields shown");
    Value::from(m)
}

/// A section's value: title, description, meta_description, path, permalink, content, toc, word_count,
/// reading_time, extra, relative_path, feed_url (none without a feed), paginate_by (none
/// without pagination), ancestors, subsections (content paths, as in Zola),
/// and `pages` (the page values, in order) unless `metadata_only`.
pub fn section_value(
    tree: &SiteTree,
    section: &Section,
    rendered: Option<&Rendered>,
    pages: &[Value],
    metadata_only: bool,
) -> Value {
    let front = section.doc.as_ref().map(|d| &d.front);
    let mut m = section_content(section, rendered);
    insert(&mut m, "relative_path", v(section.relative.as_str()));
    insert(&mut m, "lang", v(section.lang.as_str()));
    let versions = section.translations.iter().map(|&j| {
        let t = &tree.sections[j];
        (t.lang.as_str(), t.title.as_str(), t.permalink.as_str())
    });
    insert(&mut m, "translations", translations_value(versions));
    insert(
        &mut m,
        "feed_url",
        opt_str(section.feed.as_ref().map(|f| f.permalink.as_str())),
    );
    insert(
        &mut m,
        "paginate_by",
        front
            .and_then(|f| f.paginate_by)
            .map_or_else(Value::none, Value::from),
    );
    insert(
        &mut m,
        "ancestors",
        Value::from(
            section
                .ancestors
                .iter()
                .map(|a| v(a.as_str()))
                .collect::<Vec<_>>(),
        ),
    );
    insert(
        &mut m,
        "subsections",
        Value::from(
            section
                .subsections
                .iter()
                .map(|&i| v(tree.sections[i].relative.as_str()))
                .collect::<Vec<_>>(),
        ),
    );
    if !metadata_only {
        insert(
            &mut m,
            "pages",
            Value::from(
                section
                    .pages
                    .iter()
                    .map(|&i| pages[i].clone())
                    .collect::<Vec<_>>(),
            ),
        );
    }
    Value::from(m)
}

/// The first fields of a section's value, from its `_index.md` (title to extra; see
/// [`section_value`]).
fn section_content(section: &Section, rendered: Option<&Rendered>) -> Map {
    let front = section.doc.as_ref().map(|d| &d.front);
    let mut m = Map::new();
    insert(&mut m, "title", v(section.title.as_str()));
    insert(
        &mut m,
        "description",
        opt_str(front.and_then(|f| f.description.as_deref())),
    );
    insert(
        &mut m,
        "meta_description",
        meta_description(front.and_then(|f| f.description.as_deref()), rendered),
    );
    insert(&mut m, "path", v(section.path.as_str()));
    insert(&mut m, "permalink", v(section.permalink.as_str()));
    insert(
        &mut m,
        "content",
        Value::safe_string(rendered.map_or("", |r| r.html.as_str())),
    );
    insert(
        &mut m,
        "toc",
        rendered.map_or_else(
            || Value::from(Vec::<Value>::new()),
            |r| toc_value(&r.toc, &section.permalink),
        ),
    );
    let words = rendered.map_or(0, |r| r.word_count);
    insert(&mut m, "word_count", v(words));
    insert(&mut m, "reading_time", v(reading_time(words)));
    insert(
        &mut m,
        "extra",
        extra_value(front.and_then(|f| f.extra.as_ref())),
    );
    m
}

/// The `paginator` of listing page `index` (0-based) of a paginated section, with Zola's
/// fields: paginate_by, base_url (the listing pages' URL before their number), number_pagers,
/// total_pages (pages listed over all listing pages), current_index (1-based), first, last,
/// previous and next (absolute URLs; previous/next none at the ends), and pages (the page
/// values listed here).
pub fn paginator_value(section: &Section, index: usize, pages: &[Value]) -> Value {
    let per = section
        .doc
        .as_ref()
        .and_then(|d| d.front.paginate_by)
        .unwrap_or(1);
    let base_url = format!(
        "{}{}/",
        section.permalink,
        crate::site::listings::PAGINATE_PATH
    );
    paginator_of(&section.pagers, index, per, base_url, &section.pages, pages)
}

/// The `paginator` of listing page `index` (0-based) of `pagers`, which list `listed` (indexes
/// into `pages`) `per` to a page; `base_url` is the listing pages' URL before their number.
/// For sections ([`paginator_value`]) and taxonomy terms alike.
fn paginator_of(
    pagers: &[crate::site::Pager],
    index: usize,
    per: usize,
    base_url: String,
    listed: &[usize],
    pages: &[Value],
) -> Value {
    let pager = &pagers[index];
    let mut m = Map::new();
    insert(&mut m, "paginate_by", v(per));
    insert(&mut m, "base_url", v(base_url));
    insert(&mut m, "number_pagers", v(pagers.len()));
    insert(&mut m, "total_pages", v(listed.len()));
    insert(&mut m, "current_index", v(pager.index));
    let url =
        |p: Option<&crate::site::Pager>| p.map_or_else(Value::none, |p| v(p.permalink.as_str()));
    insert(&mut m, "first", url(pagers.first()));
    insert(&mut m, "last", url(pagers.last()));
    insert(
        &mut m,
        "previous",
        url(index.checked_sub(1).and_then(|i| pagers.get(i))),
    );
    insert(&mut m, "next", url(pagers.get(index + 1)));
    insert(
        &mut m,
        "pages",
        Value::from(
            listed[pager.pages.clone()]
                .iter()
                .map(|&i| pages[i].clone())
                .collect::<Vec<_>>(),
        ),
    );
    Value::from(m)
}

/// `html`, a page's rendered content, with each link to a place on the page itself
/// (`href="#sources"`, footnotes included) written after the page's `permalink`, for a feed
/// entry: a feed reader shows the entry away from the page, where `#sources` would point into
/// the reader's own view (issue 17). Every other link of the content is absolute already
/// ([`crate::site::DocLinks`]). A scanner over the markup stillpoint writes: an `href="#`
/// outside a tag would be escaped (`&quot;`) in markdown's output, so each one is an attribute.
fn anchors_on_page<'h>(html: &'h str, permalink: &str) -> std::borrow::Cow<'h, str> {
    if !html.contains("href=\"#") && !html.contains("href='#") {
        return std::borrow::Cow::Borrowed(html);
    }
    let html = html
        .replace("href=\"#", &format!("href=\"{permalink}#"))
        .replace("href='#", &format!("href='{permalink}#"));
    std::borrow::Cow::Owned(html)
}

/// The text of field `key` of a page or section value, if it is a string.
fn str_field<'a>(value: &'a Value, key: &'static str) -> Option<&'a str> {
    value.as_map()?.get(&tera::value::Key::Str(key))?.as_str()
}

/// The `feed` of a section's Atom feed (RFC 4287), as the `atom.xml` template sees it: url
/// (the feed's own address), alternate (the section's), title, language, author (the string
/// `config.extra.author`, else the site title), updated (the newest entry's date, RFC 3339), and
/// entries, newest first, each with title, permalink, published (`date`), updated (`updated`,
/// else `date`), summary (HTML: the description, else the summary; or none) and content (HTML),
/// the last two read from the page values `pages` ([`page_values`]). Only pages with a `date`
/// are in it.
pub fn feed_value(config: &Config, tree: &SiteTree, section: &Section, pages: &[Value]) -> Value {
    let Some(feed) = &section.feed else {
        return Value::none();
    };
    let title = if section.parent.is_none() {
        config.title_in(&section.lang).to_string()
    } else {
        format!("{} · {}", section.title, config.title_in(&section.lang))
    };
    let alternate = (section.permalink.as_str(), title, section.lang.as_str());
    feed_of(config, tree, feed, alternate, pages)
}

/// The `feed` value of `feed` (see [`feed_value`]), whose HTML page is `alternate.0`, whose
/// title is `alternate.1` and whose language is `alternate.2`: for sections and taxonomy terms
/// alike.
fn feed_of(
    config: &Config,
    tree: &SiteTree,
    feed: &crate::site::Feed,
    alternate: (&str, String, &str),
    pages: &[Value],
) -> Value {
    let mut m = Map::new();
    insert(&mut m, "url", v(feed.permalink.as_str()));
    insert(&mut m, "alternate", v(alternate.0));
    insert(&mut m, "title", v(alternate.1));
    insert(&mut m, "language", v(alternate.2));
    let author = config
        .extra
        .get("author")
        .and_then(|a| a.as_str())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or(&config.title);
    insert(&mut m, "author", v(author));
    let mut newest: Option<(i64, String)> = None;
    let entries: Vec<Value> = feed
        .pages
        .iter()
        .map(|&i| {
            let page = &tree.pages[i];
            let f = &page.doc.front;
            let updated = f.updated.as_ref().or(f.date.as_ref());
            if let Some(u) = updated
                && newest.as_ref().is_none_or(|(k, _)| u.sort_key() > *k)
            {
                newest = Some((u.sort_key(), u.to_rfc3339()));
            }
            let mut e = Map::new();
            insert(&mut e, "title", v(page.title.as_str()));
            insert(&mut e, "permalink", v(page.permalink.as_str()));
            insert(
                &mut e,
                "published",
                f.date
                    .as_ref()
                    .map_or_else(Value::none, |d| v(d.to_rfc3339())),
            );
            insert(
                &mut e,
                "updated",
                updated.map_or_else(Value::none, |d| v(d.to_rfc3339())),
            );
            let summary = f
                .description
                .as_deref()
                .map(|d| {
                    v(d.replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;"))
                })
                .or_else(|| {
                    let summary = str_field(&pages[i], "summary")?;
                    Some(v(anchors_on_page(summary, &page.permalink).as_ref()))
                })
                .unwrap_or_else(Value::none);
            insert(&mut e, "summary", summary);
            let content = str_field(&pages[i], "content").unwrap_or_default();
            insert(
                &mut e,
                "content",
                v(anchors_on_page(content, &page.permalink).as_ref()),
            );
            Value::from(e)
        })
        .collect();
    insert(
        &mut m,
        "updated",
        newest.map_or_else(Value::none, |(_, s)| v(s)),
    );
    insert(&mut m, "entries", Value::from(entries));
    Value::from(m)
}

/// A taxonomy as templates see it (Zola's `taxonomy`): name, slug, permalink, paginate_by,
/// paginate_path, feed, lang, and `translations` (its list of terms in each language of the
/// site: `lang`, `title`, `permalink`, as `page.translations`; empty in one language). `all`
/// is [`SiteTree::taxonomies`], where the translations are found.
pub fn taxonomy_value(tax: &Taxonomy, all: &[Taxonomy]) -> Value {
    let c = &tax.config;
    let mut m = Map::new();
    insert(&mut m, "name", v(c.name.as_str()));
    insert(&mut m, "slug", v(c.slug.as_str()));
    insert(&mut m, "permalink", v(tax.permalink.as_str()));
    insert(
        &mut m,
        "paginate_by",
        c.paginate_by.map_or_else(Value::none, Value::from),
    );
    insert(&mut m, "paginate_path", v(c.paginate_path.as_str()));
    insert(&mut m, "feed", v(c.feed));
    insert(&mut m, "lang", v(tax.lang.as_str()));
    let translations = tax.translations.iter().map(|&t| {
        let other = &all[t];
        let title = other.config.name.as_str();
        translation_value(&other.lang, title, &other.permalink)
    });
    insert(
        &mut m,
        "translations",
        Value::from(translations.collect::<Vec<_>>()),
    );
    Value::from(m)
}

/// One entry of a taxonomy's or term's `translations`: `lang`, `title`, `permalink`.
fn translation_value(lang: &str, title: &str, permalink: &str) -> Value {
    let mut m = Map::new();
    insert(&mut m, "lang", v(lang));
    insert(&mut m, "title", v(title));
    insert(&mut m, "permalink", v(permalink));
    Value::from(m)
}

/// A term as templates see it (Zola's `term`): name, slug, path, permalink, page_count,
/// feed_url (none without a feed), `translations` (the same term in the other languages that
/// have it, itself included: `lang`, `title`, `permalink`; empty in one language; `all` is
/// [`SiteTree::taxonomies`]), and pages (the page values, newest first) unless
/// `metadata_only`.
pub fn term_value(term: &Term, all: &[Taxonomy], pages: &[Value], metadata_only: bool) -> Value {
    let mut m = Map::new();
    insert(&mut m, "name", v(term.name.as_str()));
    insert(&mut m, "slug", v(term.slug.as_str()));
    insert(&mut m, "path", v(term.path.as_str()));
    insert(&mut m, "permalink", v(term.permalink.as_str()));
    insert(&mut m, "page_count", v(term.pages.len()));
    insert(
        &mut m,
        "feed_url",
        opt_str(term.feed.as_ref().map(|f| f.permalink.as_str())),
    );
    let translations = term.translations.iter().map(|&(t, k)| {
        let other = &all[t].terms[k];
        translation_value(&all[t].lang, &other.name, &other.permalink)
    });
    insert(
        &mut m,
        "translations",
        Value::from(translations.collect::<Vec<_>>()),
    );
    if !metadata_only {
        let list: Vec<Value> = term.pages.iter().map(|&i| pages[i].clone()).collect();
        insert(&mut m, "pages", Value::from(list));
    }
    Value::from(m)
}

/// What `get_taxonomy(kind=…)` gives, as Zola's: `kind` (the [`taxonomy_value`]), `permalink`,
/// `lang` and `items` (every [`term_value`] with its pages).
pub fn get_taxonomy_value(tax: &Taxonomy, all: &[Taxonomy], pages: &[Value]) -> Value {
    let mut m = Map::new();
    insert(&mut m, "kind", taxonomy_value(tax, all));
    insert(&mut m, "permalink", v(tax.permalink.as_str()));
    insert(&mut m, "lang", v(tax.lang.as_str()));
    let items: Vec<Value> = tax
        .terms
        .iter()
        .map(|t| term_value(t, all, pages, false))
        .collect();
    insert(&mut m, "items", Value::from(items));
    Value::from(m)
}

/// The `paginator` of listing page `index` (0-based) of a paginated term: as a section's
/// ([`paginator_value`]).
pub fn term_paginator_value(tax: &Taxonomy, term: &Term, index: usize, pages: &[Value]) -> Value {
    let c = &tax.config;
    let base_url = format!("{}{}/", term.permalink, c.paginate_path);
    let per = c.paginate_by.unwrap_or(1);
    paginator_of(&term.pagers, index, per, base_url, &term.pages, pages)
}

/// The `feed` of a term's Atom feed: as a section's ([`feed_value`]), titled
/// "`term` · `site title`" (`Relaxation · Studio`, the title in the taxonomy's language), in
/// the taxonomy's language.
pub fn term_feed_value(
    config: &Config,
    tree: &SiteTree,
    (tax, term): (&Taxonomy, &Term),
    pages: &[Value],
) -> Value {
    let Some(feed) = &term.feed else {
        return Value::none();
    };
    let title = format!("{} · {}", term.name, config.title_in(&tax.lang));
    let alternate = (term.permalink.as_str(), title, tax.lang.as_str());
    feed_of(config, tree, feed, alternate, pages)
}
