//! Part of stage 4: the order of a section's pages (weight, then date newest first, then
//! title, as `design.md` says) and of its subsections.

use super::{Page, Section};

/// Puts each page in its section's `pages`, in the section's order ([`order_pages`]); sets
/// each page's neighbours in that order; and orders each section's subsections.
pub(super) fn order(sections: &mut [Section], pages: &mut [Page]) {
    for (i, p) in pages.iter().enumerate() {
        sections[p.section].pages.push(i);
    }
    for s in sections.iter_mut() {
        order_pages(pages, &mut s.pages);
    }
    neighbours(sections, pages);
    order_subsections(sections);
}

/// Sorts `idx` (indexes into `pages`) into a section's order: pages with a `weight` first,
/// lightest first; then dated pages, newest first; then by title (ignoring case), and by
/// content path when titles are equal.
pub(crate) fn order_pages(pages: &[Page], idx: &mut [usize]) {
    idx.sort_by(|&a, &b| {
        let (pa, pb) = (&pages[a], &pages[b]);
        let wa = pa.doc.front.weight.map_or((1, 0), |w| (0, w));
        let wb = pb.doc.front.weight.map_or((1, 0), |w| (0, w));
        let da = pa
            .doc
            .front
            .date
            .as_ref()
            .map_or((1, 0), |d| (0, -d.sort_key()));
        let db = pb
            .doc
            .front
            .date
            .as_ref()
            .map_or((1, 0), |d| (0, -d.sort_key()));
        wa.cmp(&wb)
            .then(da.cmp(&db))
            .then_with(|| pa.title.to_lowercase().cmp(&pb.title.to_lowercase()))
            .then_with(|| pa.doc.relative.cmp(&pb.doc.relative))
    });
}

/// Zola's rule (`sort_section_pages`): `lower` is the page before in the section's order
/// (lighter, for weights), `higher` the page after.
fn neighbours(sections: &[Section], pages: &mut [Page]) {
    for s in sections {
        for (n, &pi) in s.pages.iter().enumerate() {
            pages[pi].lower = n.checked_sub(1).map(|h| s.pages[h]);
            pages[pi].higher = s.pages.get(n + 1).copied();
        }
    }
}

/// Orders each section's subsections: by `weight` (none last), then title (ignoring case),
/// then content path.
fn order_subsections(sections: &mut [Section]) {
    let section_order: Vec<(i64, String, String)> = sections
        .iter()
        .map(|s| {
            let w = s
                .doc
                .as_ref()
                .and_then(|d| d.front.weight)
                .unwrap_or(i64::MAX);
            (w, s.title.to_lowercase(), s.relative.clone())
        })
        .collect();
    for s in sections.iter_mut() {
        s.subsections
            .sort_by(|&a, &b| section_order[a].cmp(&section_order[b]));
    }
}
