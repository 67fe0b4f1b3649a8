//! A folder as a deploy target: a mounted drive, a USB stick or a network share
//! (`file:///media/usb/site` or a plain path).
//!
//! Each file is written under a temporary name in its own folder (`.name.stillpoint-tmp`) and
//! renamed over the old one, so a reader (a web server serving the folder) sees the old file
//! or the whole new one, never half of it.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::preflight::{self, InTheWay};
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

    /// Checks that the site file `path` can be written: each folder on the way is a folder
    /// (or missing), the file itself is not a folder, and no folder on the way is a symbolic
    /// link leading outside the target. `Ok(Some(…))` is the file or folder in the way.
    fn check_path(&self, path: &str) -> Result<Option<InTheWay>, DeployError> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut here = self.root.clone();
        for (i, part) in parts.iter().enumerate() {
            here.push(part);
            let last = i + 1 == parts.len();
            let Ok(meta) = std::fs::symlink_metadata(&here) else {
                return Ok(None);
            };
            if meta.file_type().is_symlink() {
                self.check_link(&here)?;
            }
            let is_dir = std::fs::metadata(&here).is_ok_and(|m| m.is_dir());
            let (found, needed) = match (last, is_dir) {
                (true, true) => ("a folder", "file"),
                (false, false) => ("a file", "folder"),
                _ => continue,
            };
            return Ok(Some(InTheWay {
                shown: here.display().to_string(),
                found,
                site_path: parts[..=i].join("/"),
                needed,
            }));
        }
        Ok(None)
    }

    /// Refuses a symbolic link `link` inside the target that leads outside it.
    fn check_link(&self, link: &Path) -> Result<(), DeployError> {
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        match link.canonicalize() {
            Ok(to) if !to.starts_with(&root) => Err(DeployError::new(
                format!(
                    "{} in the deploy target is a link to {}, outside the target",
                    link.display(),
                    to.display()
                ),
                "stillpoint does not write through a link that leaves the target: replace the link with a real folder, or remove it, then deploy again",
            )),
            _ => Ok(()),
        }
    }
}

impl Remote for Folder {
    fn describe(&self) -> String {
        format!("the folder {}", self.root.display())
    }

    fn preflight(&mut self, paths: &[&str]) -> Result<(), DeployError> {
        let mut found = Vec::new();
        for path in paths {
            found.extend(self.check_path(path)?);
        }
        preflight::in_the_way(found)
    }

    fn drifted(&mut self, files: &[(&str, u64)]) -> Result<Vec<String>, DeployError> {
        Ok(files
            .iter()
            .filter(|(path, size)| {
                !std::fs::metadata(self.full(path)).is_ok_and(|m| m.is_file() && m.len() == *size)
            })
            .map(|(path, _)| (*path).to_owned())
            .collect())
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
        preflight::in_the_way(self.check_path(path)?.into_iter().collect())?;
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
    fn a_file_or_folder_in_the_way_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("gift-cards"), "mine").unwrap();
        std::fs::create_dir_all(dir.path().join("about.html")).unwrap();
        let mut f = connect(dir.path()).unwrap();
        let e = f
            .preflight(&["a.css", "gift-cards/index.html"])
            .unwrap_err();
        assert!(e.message.contains("gift-cards"), "{e:?}");
        assert!(e.message.contains("is a file"), "{e:?}");
        assert!(e.help.contains("move or delete"), "{e:?}");
        let e = f
            .preflight(&["gift-cards/index.html", "gift-cards/a.jpg", "about.html"])
            .unwrap_err();
        assert!(
            e.message.starts_with("2 things in the deploy target"),
            "{e:?}"
        );
        assert!(
            e.message
                .contains("gift-cards in the deploy target is a file"),
            "{e:?}"
        );
        assert!(
            e.message
                .contains("about.html in the deploy target is a folder"),
            "{e:?}"
        );
        let e = f.put("about.html", b"x").unwrap_err();
        assert!(e.message.contains("is a folder"), "{e:?}");
        assert_eq!(
            std::fs::read(dir.path().join("gift-cards")).unwrap(),
            b"mine"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_leading_outside_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("images")).unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("inside")).unwrap();
        let mut f = connect(dir.path()).unwrap();
        f.put("inside/a.txt", b"ok").unwrap();
        let e = f.put("images/a.png", b"x").unwrap_err();
        assert!(e.message.contains("outside the target"), "{e:?}");
        assert!(!outside.path().join("a.png").exists());
    }

    #[test]
    fn missing_folder_says_to_create_it() {
        let dir = tempfile::tempdir().unwrap();
        let e = connect(&dir.path().join("nope")).unwrap_err();
        assert!(e.message.contains("does not exist"), "{e:?}");
        assert!(e.help.contains("create the folder"), "{e:?}");
    }
}
