//! Pages that come and go in an incremental rebuild: a new page, a deleted one, a page made a
//! draft or published again (a rename is a deletion and a new page, as `watch` reports it).
//! Each check here says when the change is one only a full build does right; those are
//! conservative (a full build is always correct).

use super::State;
use crate::content::{self, Document};
use crate::render::JobContext;
use crate::render::reads::Read;
use crate::site::{self, Page};

/// True when a page of `doc` may come or go without a full build: a site in one language
/// (translations link pages); not a page bundle's `index.md` (it owns its folder's files);
/// no aliases (their redirect files), no taxonomy terms (term pages list it), no share image
/// (checked by the image processor), no placeholder (`config.ready_to_publish` counts
/// them), a `title` and no warnings (the build's warnings would change).
fn plain(doc: &Document, multilingual: bool) -> bool {
    let f = &doc.front;
    !multilingual
        && doc.relative.rsplit('/').next() != Some("index.md")
        && f.aliases.is_empty()
        && !site::taxonomies::has_terms(f)
        && !f.extra.as_ref().is_some_and(|e| e.contains_key("image"))
        && !crate::publish::document_has_placeholders(doc)
        && f.title.is_some()
        && doc.warnings.is_empty()
}

impl State {
    /// True when page `i` can leave the site without a full build: it is [`plain`], owns no
    /// files, and nothing may point at it: no template read it through `get_page` (its
    /// readers would fail), no link with an anchor into it, and no other document, template or
    /// `config.yaml` (the menu) names its file or its address (a link to it fails a clean
    /// build, which then reports it).
    pub(super) fn removable(&self, i: usize) -> bool {
        let page = &self.tree.pages[i];
        let relative = page.doc.relative.as_str();
        if !plain(&page.doc, self.config.is_multilingual()) || !page.assets.is_empty() {
            return false;
        }
        let plan = &self.retained.plan;
        let read_by_others = self.retained.reads.readers(&Read::page(relative)).any(|j| {
            plan.jobs
                .get(j)
                .is_some_and(|job| !matches!(job.context, JobContext::Page(p) if p == i))
        });
        let anchored = plan
            .records
            .values()
            .any(|r| r.anchors.iter().any(|a| a.page == relative));
        if read_by_others || anchored {
            return false;
        }
        let name = relative.rsplit('/').next().unwrap_or(relative);
        let address = page.path.trim_matches('/');
        let slug = address.rsplit('/').next().unwrap_or(address);
        // A link by URL names the page's address, or (relative, from its own folder or one
        // below) its last segment.
        let folder = relative.rsplit_once('/').map_or("", |(f, _)| f);
        let (name, address, slug) = (Needle::new(name), Needle::new(address), Needle::new(slug));
        let names = |d: &Document| {
            name.in_text(&d.source)
                || address.in_text(&d.source)
                || d.relative.starts_with(folder) && slug.in_text(&d.source)
        };
        let others = self.tree.pages.iter().enumerate().filter(|&(k, _)| k != i);
        let mut docs = others
            .map(|(_, p)| &p.doc)
            .chain(self.tree.sections.iter().filter_map(|s| s.doc.as_ref()));
        // `config.yaml` (the menu) and the templates (`get_url`) name pages too.
        let templates = self.retained.templates.unbound();
        let mut texts = templates
            .sources()
            .chain(std::iter::once(self.config.config_source.as_str()));
        !page.path.trim_matches('/').is_empty()
            && !docs.any(names)
            && !texts.any(|t| name.in_text(t) || address.in_text(t))
    }

    /// The page a new document `doc` becomes, when it can join the site without a full
    /// build: [`plain`]; not in a page bundle's folder; no stage 4 error or warning
    /// ([`site::SiteTree::new_page`]); and an output file no other file has, under any
    /// spelling of upper and lower case (a clash a clean build reports).
    pub(super) fn addable(&self, doc: Document) -> Option<Page> {
        if !plain(&doc, self.config.is_multilingual())
            || doc.relative.split('/').any(content::is_ignored_name)
        {
            return None;
        }
        let folder = doc.relative.rsplit_once('/').map_or("", |(f, _)| f);
        let bundle = if folder.is_empty() {
            "index.md".to_string()
        } else {
            format!("{folder}/index.md")
        };
        if self.tree.get(&bundle).is_some() {
            return None;
        }
        let page = self.tree.new_page(doc, &self.config)?;
        if !site::listings::page_field_errors(&page).is_empty()
            || !site::taxonomies::page_errors(&page, &self.config).is_empty()
        {
            return None;
        }
        let own = page.output.trim_end_matches("index.html");
        let own_file = own.trim_end_matches('/');
        let clash = |o: &String| {
            let lower = o.to_ascii_lowercase();
            lower == own_file || lower.starts_with(own) && !o.starts_with(own)
        };
        let plan = &self.retained.plan;
        if own.is_empty()
            || !own
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_/.".contains(&b))
            || plan.outputs.contains(&page.output)
            || self.tree.by_output.contains_key(&page.output)
            || plan.outputs.iter().any(clash)
        {
            return None;
        }
        Some(page)
    }

    /// Removes page `i` from the tree and the plan; a page made a draft is named in the
    /// tree's drafts. Returns the removed page and the pages that had it as a neighbour.
    pub(super) fn remove_page(&mut self, i: usize, draft: bool) -> (Page, Vec<usize>) {
        let (page, neighbours) = self.tree.remove_page(i);
        let crate::render::Retained { plan, reads, .. } = &mut self.retained;
        plan.remove_page(i, &page, reads);
        if draft {
            let at = self
                .tree
                .drafts
                .binary_search(&page.doc.relative)
                .unwrap_or_else(|at| at);
            self.tree.drafts.insert(at, page.doc.relative.clone());
        }
        (page, neighbours)
    }

    /// Adds `page` to the tree and the plan (no longer a draft, if it was one). Returns its
    /// index.
    pub(super) fn add_page(&mut self, page: Page) -> usize {
        self.tree.drafts.retain(|d| *d != page.doc.relative);
        let i = self.tree.insert_page(page);
        let crate::render::Retained { plan, reads, .. } = &mut self.retained;
        plan.add_page(&self.tree, i, reads);
        i
    }
}

/// A name looked for in many texts as a whole name: not inside a longer name (the characters
/// around it are not letters, digits, `-` or `_`), so `page-1` is not found in `page-12`.
struct Needle<'a> {
    finder: memchr::memmem::Finder<'a>,
}

impl<'a> Needle<'a> {
    fn new(name: &'a str) -> Self {
        Needle {
            finder: memchr::memmem::Finder::new(name.as_bytes()),
        }
    }

    /// Whether `text` holds the name as a whole name.
    fn in_text(&self, text: &str) -> bool {
        let part = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        let bytes = text.as_bytes();
        let len = self.finder.needle().len();
        self.finder.find_iter(bytes).any(|at| {
            let end = at + len;
            !(at > 0 && part(bytes[at - 1]) || bytes.get(end).is_some_and(|&b| part(b)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Needle;

    fn mentions(text: &str, name: &str) -> bool {
        Needle::new(name).in_text(text)
    }

    #[test]
    fn a_name_is_found_whole_only() {
        assert!(mentions("see [x](/blog/page-1/).", "blog/page-1"));
        assert!(mentions("[x](@/blog/page-1.md)", "page-1.md"));
        assert!(mentions("page-1", "page-1"));
        assert!(!mentions("see /blog/page-12/", "blog/page-1"));
        assert!(!mentions("see /blog/my-page-1/", "page-1"));
        assert!(!mentions("subpage-1.md", "page-1.md"));
    }
}
