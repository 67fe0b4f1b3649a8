//! Part of stage 4: the URL rules. A slug from a name, a site path from a folder or a
//! front-matter `path`, the output file of a site path, and a page's whole URL ([`page_url`]).
//! Pure functions of strings and front matter; [`super::SiteTree::assemble`] applies them.

use crate::content::{Document, strip_markdown_ext};
use crate::error::{Diagnostic, Span};

/// Turns a file or folder name into a URL slug: lower-case ASCII words joined by hyphens,
/// non-ASCII letters transliterated (`How a Session Works` -> `how-a-session-works`,
/// `Über uns` -> `uber-uns`, `1.0.0` -> `1-0-0`), as Zola's default slugify does.
pub fn slugify(name: &str) -> String {
    slug::slugify(name)
}

/// The error for a document whose front matter `path:` would leave the output folder (see
/// [`outside_path_error`]).
pub(super) fn check_path(doc: &Document) -> Result<(), Box<Diagnostic>> {
    match doc.front.path.as_deref() {
        Some(p) => outside_path_error(doc, "path", p).map_or(Ok(()), |e| Err(Box::new(e))),
        None => Ok(()),
    }
}

/// An error for a `path:` or `aliases:` value that would leave the output folder (`..`) or
/// mean a different folder on Windows (`\`), pointing at its line in the front matter.
pub(super) fn outside_path_error(doc: &Document, field: &str, value: &str) -> Option<Diagnostic> {
    if !value.split(['/', '\\']).any(|seg| seg == "..") && !value.contains('\\') {
        return None;
    }
    let mut d = Diagnostic::error(format!(
        "`{field}: {value}` in {} points outside the site",
        doc.shown.display()
    ))
    .in_file(&doc.shown)
    .label("`..` and `\\` are not allowed here")
    .help(format!(
        "write the address from the top of the site, like `{field}: book/`"
    ));
    if let Some(span) = entry_span(&doc.source, field, value) {
        d = d.at(span, &doc.source);
    }
    Some(d)
}

/// Where `value` is written for the front-matter `field` in `source` (a document's whole
/// text): on the `field:` line itself, or on a `- value` list line. `None` when no such line
/// has it.
pub(super) fn entry_span(source: &str, field: &str, value: &str) -> Option<Span> {
    let (i, line) = source.split('\n').enumerate().find(|(_, l)| {
        l.contains(value) && (l.trim_start().starts_with(field) || l.trim_start().starts_with('-'))
    })?;
    let col = line
        .find(value)
        .map_or(1, |b| line[..b].chars().count() + 1);
    Some(Span::new(i + 1, col, value.chars().count()))
}

/// Normalises a front-matter `path` to `/a/b/` form.
pub(super) fn normalize_path(p: &str) -> String {
    let inner: Vec<&str> = p
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if inner.is_empty() {
        "/".into()
    } else {
        format!("/{}/", inner.join("/"))
    }
}

/// The output file for a site path: `/faq/` -> `faq/index.html`, `/` -> `index.html`,
/// `/feed.xml` -> `feed.xml` (a last segment with a dot is taken as a file name).
pub fn output_for_path(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        "index.html".into()
    } else if !path.ends_with('/') && trimmed.rsplit('/').next().is_some_and(|s| s.contains('.')) {
        trimmed.to_string()
    } else {
        format!("{trimmed}/index.html")
    }
}

/// The slugified URL path of a content folder: `Blog Posts/2024` -> `/blog-posts/2024/`.
pub(super) fn folder_path(folder: &str) -> String {
    let parts: Vec<String> = folder
        .split('/')
        .filter(|s| !s.is_empty())
        .map(slugify)
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        "/".into()
    } else {
        format!("/{}/", parts.join("/"))
    }
}

/// Where a page is published, as [`page_url`] decides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUrl {
    /// The content folder whose URL the page sits under (`blog` for `blog/post.md` and for
    /// `blog/post/index.md`).
    pub url_folder: String,
    /// The file name without its extension, or a bundle's folder name: `post`.
    pub stem: String,
    /// Front matter `slug`, else the stem, slugified; empty when neither has a letter or digit.
    pub slug: String,
    /// The URL path from the site's top: `/blog/post/` (front matter `path` when set).
    pub path: String,
}

/// The URL of a page (not a section) from its content path and front matter: the one rule of
/// a build (pretty URLs, Zola's: `blog/My Post.md` -> `/blog/my-post/`; a bundle
/// `blog/post/index.md` -> `/blog/post/`; `slug:` replaces the name; `path:` the whole path).
/// `stillpoint new page` prints the address of the page it writes through it too.
pub fn page_url(doc: &Document) -> PageUrl {
    page_url_as(doc, &doc.relative)
}

/// [`page_url`] for `doc` as if its content path were `relative` (a translation's source:
/// `about.md` for `about.fr.md`).
pub(super) fn page_url_as(doc: &Document, relative: &str) -> PageUrl {
    let folder = parent_folder(relative).to_string();
    let is_bundle = relative == "index.md" || relative.ends_with("/index.md");
    let (url_folder, stem) = if is_bundle {
        let parent = parent_folder(&folder).to_string();
        let name = folder.rsplit('/').next().unwrap_or(&folder).to_string();
        (parent, name)
    } else {
        let name = relative.rsplit('/').next().unwrap_or(relative);
        (folder, strip_markdown_ext(name).to_string())
    };
    let slug = match &doc.front.slug {
        Some(s) => slugify(s),
        None => slugify(&stem),
    };
    let path = match &doc.front.path {
        Some(p) => normalize_path(p),
        None => format!("{}{}/", folder_path(&url_folder), slug),
    };
    PageUrl {
        url_folder,
        stem,
        slug,
        path,
    }
}

/// The folder of a content path: `blog/post.md` -> `blog`, `faq.md` -> ``.
pub(super) fn parent_folder(relative: &str) -> &str {
    relative.rsplit_once('/').map_or("", |(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_file_names() {
        for (name, slug) in [
            ("How a Session Works", "how-a-session-works"),
            ("Über uns", "uber-uns"),
            ("1.0.0", "1-0-0"),
            ("FAQ", "faq"),
            ("My Notes", "my-notes"),
        ] {
            assert_eq!(slugify(name), slug, "{name}");
        }
    }

    #[test]
    fn outputs_for_paths() {
        assert_eq!(output_for_path("/"), "index.html");
        assert_eq!(output_for_path("/faq/"), "faq/index.html");
        assert_eq!(output_for_path("/a/b/"), "a/b/index.html");
        assert_eq!(output_for_path("/feed.xml"), "feed.xml");
        assert_eq!(normalize_path("book"), "/book/");
        assert_eq!(normalize_path("/a//b/"), "/a/b/");
    }
}
