//! File-system wrappers that always name the path in their error (mdBook's `utils/fs.rs` idea,
//! and the answer to Zola #1217 and mdBook #2525, whose errors said "stream did not contain valid
//! UTF-8" without saying which file).
//!
//! Every function returns [`Error::Io`] with the action and the path on failure.

use std::path::Path;

use crate::error::{Error, Result};

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Reads a whole file as bytes. Errors: [`Error::Io`] "could not read" with the path.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(io("could not read", path))
}

/// Writes `bytes` to `path`, replacing it. Errors: [`Error::Io`] "could not write".
pub fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(io("could not write", path))
}

/// Creates `path` and its missing parents. Errors: [`Error::Io`] "could not create folder".
pub fn create_dir_all(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(io("could not create folder", path))
}

/// Copies the file `from` to `to` (contents and permissions). Errors: [`Error::Io`] naming `from`.
pub fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(io("could not copy", from))
}

/// Renames `from` to `to` (same file system). Errors: [`Error::Io`] naming `from`.
pub fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(io("could not move", from))
}

/// Removes a folder and everything in it. Errors: [`Error::Io`] "could not delete".
pub fn remove_dir_all(path: &Path) -> Result<()> {
    std::fs::remove_dir_all(path).map_err(io("could not delete", path))
}

/// Lists the entries of a folder (names only, unsorted). Errors: [`Error::Io`] "could not list".
pub fn read_dir_names(path: &Path) -> Result<Vec<std::ffi::OsString>> {
    let entries = std::fs::read_dir(path).map_err(io("could not list", path))?;
    let mut names = Vec::new();
    for entry in entries {
        names.push(entry.map_err(io("could not list", path))?.file_name());
    }
    Ok(names)
}
