//! A folder as a deploy target: a mounted drive, a USB stick or a network share
//! (`file:///media/usb/site` or a plain path).
//!
//! Each file is written under a temporary name in its own folder (`.name.stillpoint-tmp`) and
//! renamed over the old one, so a reader (a web server serving the folder) sees the old file
//! or the whole new one, never half of it.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{DeployError, Remote};

/// A connected folder target.
#[derive(Debug)]
pub struct Folder {
    root: PathBuf,
}

/// Opens the folder `root` as a target.
///
/// # Errors
/// When `root` does not exist or is not a folder: the message names it and the help says to
/// create it or fix the path (a deploy never creates the target's top folder, so a typo or an
/// unplugged drive is not filled with a site).
pub fn connect(root: &Path) -> Result<Folder, DeployError> {
    match std::fs::metadata(root) {
        Ok(m) if m.is_dir() => Ok(Folder {
            root: root.to_path_buf(),
        }),
        Ok(_) => Err(DeployError::new(
            format!(
                "the deploy target {} is a file, not a folder",
                root.display()
            ),
            "give the folder the site goes into, with --target or `deploy: target:` in config.yaml",
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(DeployError::new(
            format!("the deploy target folder {} does not exist", root.display()),
            "create the folder first (or plug in the drive that holds it), or fix the path in --target or `deploy: target:` in config.yaml",
        )),
        Err(e) => Err(io_error(root, "open", &e)),
    }
}

/// A [`DeployError`] for an I/O error on `path` while doing `what`, in plain words.
fn io_error(path: &Path, what: &str, e: &std::io::Error) -> DeployError {
    use std::io::ErrorKind as K;
    let help = match e.kind() {
        K::PermissionDenied => {
            "you may not write there: check the folder's permissions, or deploy to a folder you own"
        }
        K::StorageFull => "the drive is full: free some space, then deploy again",
        K::ReadOnlyFilesystem => "the drive is read-only: mount it for writing, then deploy again",
        _ => "check the folder, then deploy again: it carries on where it stopped",
    };
    DeployError::new(format!("could not {what} {}: {e}", path.display()), help)
}

impl Folder {
    fn full(&self, path: &str) -> PathBuf {
        let mut p = self.root.clone();
        p.extend(path.split('/'));
        p
    }
}

impl Remote for Folder {
    fn describe(&self) -> String {
        format!("the folder {}", self.root.display())
    }

    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>, DeployError> {
        let full = self.full(path);
        match std::fs::read(&full) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&full, "read", &e)),
        }
    }

    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), DeployError> {
        let full = self.full(path);
        let parent = full.parent().unwrap_or(&self.root).to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|e| io_error(&parent, "create the folder", &e))?;
        let name = full
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = parent.join(format!(".{name}.stillpoint-tmp"));
        let written = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
            .and_then(|()| std::fs::rename(&tmp, &full));
        written.map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io_error(&full, "write", &e)
        })
    }

    fn remove(&mut self, path: &str) -> Result<(), DeployError> {
        let full = self.full(path);
        match std::fs::remove_file(&full) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&full, "remove", &e)),
        }
        // Empty parent folders go too, up to the root; one that is not empty stays.
        let mut dir = full.parent();
        while let Some(d) = dir {
            if d == self.root || !d.starts_with(&self.root) || std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), DeployError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_read_remove_and_empty_parents() {
        let dir = tempfile::tempdir().unwrap();
        let mut f = connect(dir.path()).unwrap();
        f.put("a/b/c.html", b"one").unwrap();
        f.put("a/keep.txt", b"k").unwrap();
        f.put("a/b/c.html", b"two").unwrap();
        assert_eq!(f.read("a/b/c.html").unwrap().unwrap(), b"two");
        assert_eq!(f.read("nope").unwrap(), None);
        assert!(!dir.path().join("a/b/.c.html.stillpoint-tmp").exists());
        f.remove("a/b/c.html").unwrap();
        assert!(!dir.path().join("a/b").exists());
        assert!(dir.path().join("a/keep.txt").exists());
        f.remove("a/b/c.html").unwrap();
        f.remove("a/keep.txt").unwrap();
        assert!(!dir.path().join("a").exists());
        assert!(dir.path().exists());
    }

    #[test]
    fn missing_folder_says_to_create_it() {
        let dir = tempfile::tempdir().unwrap();
        let e = connect(&dir.path().join("nope")).unwrap_err();
        assert!(e.message.contains("does not exist"), "{e:?}");
        assert!(e.help.contains("create the folder"), "{e:?}");
    }
}
