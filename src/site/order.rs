//! Part of stage 4: the order of a section's pages (weight, then date newest first, then
//! title, as `design.md` says) and of its subsections.

use super::Page;

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
