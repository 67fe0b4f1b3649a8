//! What a render read: the pages and sections each output file's templates asked for through
//! `get_page` and `get_section`, returned with the file by `crate::render::run` when the
//! build records them, so that an incremental rebuild ([`crate::incremental`]) knows which files
//! show which pages.
//!
//! Nothing is hidden in thread-locals: each copy of the bound templates made for recording
//! (`crate::templates::BoundTemplates::recording`) notes its reads in its own `Recorder`,
//! and a copy serves one worker at a time, so its lock is never contended. A build that does
//! not record uses the bound templates as they are, with no recorder at all.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// A read of another page's or section's value by a template function. A 64-bit hash of what
/// was read, so that recording a nav of 100 sections on each of 10,000 pages allocates
/// nothing; two reads with the same hash only make a rebuild render a file more than needed,
/// never less.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Read(u64);

impl Read {
    /// `get_page(path=…)`: the page's whole value.
    pub fn page(path: &str) -> Read {
        Read(xxhash_rust::xxh3::xxh3_64(path.as_bytes()) ^ 0x1)
    }

    /// `get_section(path=…)`: the section's own fields (`metadata_only=true`, `with_pages`
    /// false), or also its pages' values.
    pub fn section(path: &str, with_pages: bool) -> Read {
        Read(xxhash_rust::xxh3::xxh3_64(path.as_bytes()) ^ if with_pages { 0x2 } else { 0x3 })
    }
}

/// Where the template functions of one recording copy of the templates note their reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recorder(Arc<Mutex<Vec<Read>>>);

impl Recorder {
    /// Notes `read` for the render running with this copy.
    pub(crate) fn note(&self, read: Read) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(read);
    }

    /// Notes every read of `reads` at once (one lock: a cached template part's reads, noted
    /// on each page that shows it).
    pub(crate) fn note_all(&self, reads: &[Read]) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(reads);
    }

    /// The reads noted since the last call, sorted, each once.
    pub(crate) fn take(&self) -> Vec<Read> {
        let mut reads = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        reads.sort_unstable();
        reads.dedup();
        reads.shrink_to_fit();
        reads
    }
}

/// What every output file read at its last render, both ways round.
#[derive(Debug, Default)]
pub(crate) struct ReadLog {
    /// Job `j` read `by_job[j]` (sorted).
    by_job: Vec<Vec<Read>>,
    /// A read -> the jobs that made it (and, after incremental rebuilds, maybe some that no
    /// longer do: a job is then rendered more than needed, never less).
    readers: HashMap<Read, Vec<u32>>,
}

impl ReadLog {
    /// The log of a full render: `reads[j]` is what job `j` read.
    pub(crate) fn new(by_job: Vec<Vec<Read>>) -> ReadLog {
        let mut readers: HashMap<Read, Vec<u32>> = HashMap::new();
        for (j, list) in by_job.iter().enumerate() {
            for r in list {
                readers.entry(*r).or_default().push(j as u32);
            }
        }
        ReadLog { by_job, readers }
    }

    /// The jobs that read `read` at their last render.
    pub(crate) fn readers(&self, read: &Read) -> impl Iterator<Item = usize> + '_ {
        self.readers
            .get(read)
            .into_iter()
            .flatten()
            .map(|&j| j as usize)
    }

    /// A new job, last, that has read nothing yet ([`ReadLog::update`] records its reads).
    pub(crate) fn push(&mut self) {
        self.by_job.push(Vec::new());
    }

    /// Forgets job `j`; the last job takes its index, as `Vec::swap_remove` does to the jobs.
    pub(crate) fn swap_remove(&mut self, j: usize) {
        let last = self.by_job.len() - 1;
        for read in &self.by_job[j] {
            if let Some(list) = self.readers.get_mut(read) {
                list.retain(|&k| k as usize != j);
            }
        }
        if j != last {
            for read in &self.by_job[last] {
                if let Some(list) = self.readers.get_mut(read) {
                    list.iter_mut()
                        .filter(|k| **k as usize == last)
                        .for_each(|k| *k = j as u32);
                }
            }
        }
        self.by_job.swap_remove(j);
    }

    /// Job `j` was rendered again and read `reads`.
    pub(crate) fn update(&mut self, j: usize, reads: Vec<Read>) {
        if self.by_job[j] == reads {
            return; // as at its last render: most files of an incremental rebuild
        }
        for read in &reads {
            if self.by_job[j].binary_search(read).is_err() {
                self.readers.entry(*read).or_default().push(j as u32);
            }
        }
        self.by_job[j] = reads;
    }
}
