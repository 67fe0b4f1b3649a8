//! The disk cache of [`super`]: variant file names (a hash of what makes the variant), writes
//! that leave no half file, and pruning what a build did not use. In: a [`Processor`]'s cache
//! folder. Out: files in it; nothing here decides which variants a page needs.

use std::path::Path;
use std::sync::PoisonError;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{
    CACHE_DIR, ENCODER_VERSION, Format, Op, Original, Outcome, Processor, Resized, problem,
};

impl Processor {
    /// Removes from the cache the variants this build did not ask for (pictures removed or
    /// changed, sizes no longer used), as Zola prunes its processed images after a build. Call
    /// it once every page and template has been rendered. Only files the processor names
    /// (16 hex digits and an image extension) are removed, and temporary files of a write
    /// older than an hour (from a build that was killed); anything else in the folder is left
    /// alone. Returns how many files were removed; the cache is an optimisation, so a file
    /// that cannot be removed is skipped.
    pub fn prune_cache(&self) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.cache_dir) else {
            return 0;
        };
        let touched = self.touched.lock().unwrap_or_else(PoisonError::into_inner);
        let hour = std::time::Duration::from_secs(3600);
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let stale_tmp = name.starts_with(".tmp-")
                && entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > hour);
            let unused = is_cache_name(name) && !touched.contains(name);
            if (stale_tmp || unused) && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// Writes a cache file through a temporary file and a rename, so a file in the cache is
    /// always whole (two builds at once, or an interrupted one, cannot leave half a file).
    pub(super) fn store(&self, path: &Path, data: &[u8]) -> Outcome<()> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let fail = |e: std::io::Error| {
            problem(
                format!(
                    "could not write the image cache {}: {e}",
                    self.cache_dir.display()
                ),
                format!(
                    "check that the site folder can be written; {CACHE_DIR} may be deleted at any time"
                ),
            )
        };
        std::fs::create_dir_all(&self.cache_dir).map_err(fail)?;
        // A plain file (not `tempfile`, which makes it private to the owner): the published
        // copy keeps these permissions, and a web server must be able to read it.
        let tmp = self.cache_dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let written = std::fs::write(&tmp, data).and_then(|()| std::fs::rename(&tmp, path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(fail(e));
        }
        Ok(())
    }
}

/// Whether `name` is a cache file name the processor makes: 16 lowercase hex digits, a dot and
/// the extension of a format it writes.
fn is_cache_name(name: &str) -> bool {
    name.split_once('.').is_some_and(|(stem, ext)| {
        stem.len() == 16
            && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            && matches!(ext, "jpg" | "png" | "webp")
    })
}

/// The cache file name of a variant: the last part of its `static_path`.
pub(super) fn file_name(r: &Resized) -> &str {
    r.static_path.rsplit('/').next().unwrap_or(&r.static_path)
}

/// The cache file name of the variant of `original` made by `op` at `size` in `format`: 16 hex
/// digits of a hash of the original's content, the operation, the size, the format and
/// [`ENCODER_VERSION`], and the format's extension.
pub(super) fn cache_name(original: &Original, op: Op, size: (u32, u32), format: Format) -> String {
    let (w, h) = size;
    let key = format!(
        "{:032x}|{}|{w}x{h}|{}|v{ENCODER_VERSION}",
        original.hash,
        op.key(),
        format.extension()
    );
    format!(
        "{:016x}.{}",
        xxhash_rust::xxh3::xxh3_64(key.as_bytes()),
        format.extension()
    )
}
