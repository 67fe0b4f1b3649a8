//! A page added to or removed from a finished [`SiteTree`], for incremental rebuilds
//! ([`crate::incremental`]). Only the page's own entries change here (its place in its
//! section's `pages`, the link and output maps, the neighbours that pointed at it): the
//! section's order, neighbours and feed are made again by the caller, as stage 4 makes them.

use std::collections::HashMap;

use super::urls::parent_folder;
use super::{Item, Page, SiteTree};
use crate::config::Config;
use crate::content::Document;

impl SiteTree {
    /// The page a new document becomes, as stage 4 makes it ([`super::pages`]): URL, title,
    /// section, ancestors. `None` when stage 4 would report something about it (an error, a
    /// missing title), for a site in more than one language (translations link pages), or for
    /// a page bundle's `index.md` (it takes its folder's files): a full build does those.
    pub(crate) fn new_page(&self, doc: Document, config: &Config) -> Option<Page> {
        if config.is_multilingual() || doc.relative.rsplit('/').next() == Some("index.md") {
            return None;
        }
        let folders: HashMap<String, usize> = self
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (parent_folder(&s.relative).to_string(), i))
            .collect();
        match super::pages::page(doc, &self.sections, &folders, config) {
            Ok((page, None)) => Some(page),
            _ => None,
        }
    }

    /// Adds `page` (from [`SiteTree::new_page`]) as the last page, in its section's `pages`
    /// (last: the caller sorts the section again). Returns its index.
    pub(crate) fn insert_page(&mut self, page: Page) -> usize {
        let i = self.pages.len();
        self.by_relative
            .insert(page.doc.relative.clone(), Item::Page(i));
        self.by_output.insert(page.output.clone(), Item::Page(i));
        self.sections[page.section].pages.push(i);
        self.pages.push(page);
        i
    }

    /// Removes page `i`; the last page takes its index (`swap_remove`), and every index of the
    /// last page in the tree becomes `i`. Returns the removed page and the pages that had it as
    /// a neighbour (by their new index); the caller sorts its section again.
    pub(crate) fn remove_page(&mut self, i: usize) -> (Page, Vec<usize>) {
        let last = self.pages.len() - 1;
        let page = self.pages.swap_remove(i);
        let section = &mut self.sections[page.section];
        section.pages.retain(|&p| p != i);
        if let Some(feed) = &mut section.feed {
            feed.pages.retain(|&p| p != i);
        }
        self.by_relative.remove(&page.doc.relative);
        self.by_output.remove(&page.output);
        let moved = |p: usize| if p == last { i } else { p };
        if i != last {
            for s in &mut self.sections {
                s.pages.iter_mut().for_each(|p| *p = moved(*p));
                if let Some(feed) = &mut s.feed {
                    feed.pages.iter_mut().for_each(|p| *p = moved(*p));
                }
            }
            for p in &mut self.pages {
                p.lower = p.lower.map(moved);
                p.higher = p.higher.map(moved);
            }
            let moved_page = &self.pages[i];
            self.by_relative
                .insert(moved_page.doc.relative.clone(), Item::Page(i));
            self.by_output
                .insert(moved_page.output.clone(), Item::Page(i));
        }
        let neighbours = page
            .lower
            .into_iter()
            .chain(page.higher)
            .map(moved)
            .collect();
        (page, neighbours)
    }
}
