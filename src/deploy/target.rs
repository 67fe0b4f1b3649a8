//! Deploy targets as written (`--target`, `deploy: target:`): which kind each is, and the one
//! place that connects to it.
//!
//! - a plain path or `file:///…`: a folder ([`super::folder`]);
//! - `git+file://…`, `git+ssh://…`, `git+https://…`, with `#branch` (default `gh-pages`):
//!   a git branch ([`super::git`]);
//! - `sftp://user@host[:port]/path`, `ftp://…`, `ftps://…`: see `deploy::sftp` and
//!   `deploy::ftp`.

use std::path::{Path, PathBuf};

use super::settings::{PASSWORD_VARIABLE, address_example, expand_home, has_password};
use super::{ConnectOptions, DeployError, Remote};

/// The branch a git target deploys to when its URL names none.
pub const DEFAULT_BRANCH: &str = "gh-pages";

/// A deploy target, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A folder on this computer (a mounted drive or share).
    Folder(PathBuf),
    /// A git repository's branch: the repository's URL for `git` (without `git+`) and the
    /// branch.
    Git {
        /// The URL as `git` takes it (`ssh://…`, `https://…`, `file:///…`).
        url: String,
        /// The branch.
        branch: String,
    },
    /// An `sftp://`, `ftp://` or `ftps://` URL.
    Remote(url::Url),
}

/// Understands `text`, a target as written. A relative folder is relative to `base` (the
/// current folder for `--target`, the site's root for `config.yaml`).
///
/// # Errors
/// A URL with a password (it goes in `STILLPOINT_DEPLOY_PASSWORD`), a scheme stillpoint
/// cannot deploy to, or a `file:` URL that is not a local path.
pub fn parse(text: &str, base: &Path) -> Result<Target, DeployError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DeployError::new(
            "the deploy target is empty",
            "give the folder or address the site goes to, outside the site's own folder (for example --target /media/usb/site or sftp://user@host/www)",
        ));
    }
    if has_password(text) {
        return Err(DeployError::new(
            "the deploy target's address holds a password",
            format!(
                "write the address without it (`{}`) and set the environment variable {PASSWORD_VARIABLE}, or let stillpoint ask for it",
                address_example(text)
            ),
        ));
    }
    let Some((scheme, _)) = text.split_once("://") else {
        return Ok(Target::Folder(base.join(expand_home(text))));
    };
    // A Windows path such as `C:\site` has no `://`; anything with one is a URL.
    let url = url::Url::parse(text).map_err(|e| {
        DeployError::new(
            format!("the deploy target `{text}` is not a valid address: {e}"),
            "write a folder, or an address like sftp://user@host/folder",
        )
    })?;
    match scheme.to_ascii_lowercase().as_str() {
        "file" => url.to_file_path().map(Target::Folder).map_err(|()| {
            DeployError::new(
                format!("the deploy target `{text}` is not a folder on this computer"),
                "write it as file:///full/path/to/folder, or as a plain path",
            )
        }),
        "git+file" | "git+ssh" | "git+https" | "git+http" => {
            let branch = url
                .fragment()
                .filter(|b| !b.is_empty())
                .unwrap_or(DEFAULT_BRANCH)
                .to_string();
            let plain = text.split('#').next().unwrap_or(text);
            Ok(Target::Git {
                url: plain["git+".len()..].to_string(),
                branch,
            })
        }
        "sftp" | "ftp" | "ftps" => Ok(Target::Remote(url)),
        other => Err(DeployError::new(
            format!("stillpoint cannot deploy to `{other}://` addresses"),
            "use a folder, sftp://, ftp://, ftps://, git+ssh://, git+https:// or git+file://",
        )),
    }
}

/// Refuses a folder target that would put the site into its own sources: `folder` is the
/// site's folder `site_root`, inside it (`content/`, `public/`, `static/`, …) or holds it (a
/// parent of the site). Both are compared canonicalized (symlinks resolved); a folder that does
/// not exist yet is compared as its nearest existing ancestor plus the rest.
///
/// # Errors
/// The clash, naming the folder and saying to deploy outside the site's folder.
pub fn check_folder(folder: &Path, site_root: &Path) -> Result<(), DeployError> {
    let target = resolved(folder);
    let site = resolved(site_root);
    let clash = if target == site {
        Some("is the site's own folder")
    } else if target.starts_with(&site) {
        Some("is inside the site's folder")
    } else if site.starts_with(&target) {
        Some("holds the site's folder")
    } else {
        None
    };
    match clash {
        None => Ok(()),
        Some(why) => Err(DeployError::new(
            format!(
                "the deploy target {} {why} ({}): deploying there would overwrite the site's own files",
                folder.display(),
                site_root.display()
            ),
            "deploy to a folder outside the site's folder, for example a mounted drive (--target /media/usb/site) or a folder next to it (--target ../site-online)",
        )),
    }
}

/// `path` made absolute and canonical as far as it exists: its nearest existing ancestor
/// canonicalized, then the rest with `.` dropped and `..` applied.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest = Vec::new();
    let mut existing = absolute.as_path();
    let base = loop {
        if let Ok(c) = existing.canonicalize() {
            break c;
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break existing.to_path_buf(),
        }
    };
    let mut out = base;
    for part in rest.iter().rev() {
        match part.to_str() {
            Some(".") => {}
            Some("..") => {
                out.pop();
            }
            _ => out.push(part),
        }
    }
    out
}

/// Connects to `target`, to deploy the site whose folder is `site_root`.
///
/// # Errors
/// Those of each kind of target's `connect`.
pub fn connect(
    target: &Target,
    options: &ConnectOptions,
    site_root: &Path,
) -> Result<Box<dyn Remote>, DeployError> {
    match target {
        Target::Folder(path) => Ok(Box::new(super::folder::connect(path)?)),
        Target::Git { url, branch } => Ok(Box::new(super::git::connect(url, branch, site_root)?)),
        Target::Remote(url) => connect_remote(url, options),
    }
}

/// `sftp://`, `ftp://` and `ftps://`.
/// Connects to an SFTP, FTP or FTPS target with the protocol's module; a protocol left out of
/// this build (its cargo feature off) is an error saying so.
fn connect_remote(
    url: &url::Url,
    options: &ConnectOptions,
) -> Result<Box<dyn Remote>, DeployError> {
    match url.scheme() {
        #[cfg(feature = "sftp")]
        "sftp" => super::sftp::connect(url, options),
        #[cfg(feature = "ftp")]
        "ftp" | "ftps" => super::ftp::connect(url, options),
        scheme => {
            let _ = options;
            Err(DeployError::new(
                format!("this copy of stillpoint was built without {scheme}:// targets"),
                "build it with its default features (cargo build --release), or deploy to a folder or a git branch",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_target() {
        let base = Path::new("/site");
        assert_eq!(
            parse("out", base).unwrap(),
            Target::Folder(PathBuf::from("/site/out"))
        );
        assert_eq!(
            parse("/media/usb/site", base).unwrap(),
            Target::Folder(PathBuf::from("/media/usb/site"))
        );
        assert_eq!(
            parse("file:///media/usb/site", base).unwrap(),
            Target::Folder(PathBuf::from("/media/usb/site"))
        );
        assert_eq!(
            parse("git+ssh://git@codeberg.org/studio/pages.git#pages", base).unwrap(),
            Target::Git {
                url: "ssh://git@codeberg.org/studio/pages.git".into(),
                branch: "pages".into()
            }
        );
        assert_eq!(
            parse("git+file:///tmp/repo", base).unwrap(),
            Target::Git {
                url: "file:///tmp/repo".into(),
                branch: "gh-pages".into()
            }
        );
        assert!(matches!(
            parse("sftp://studio@host/www", base).unwrap(),
            Target::Remote(_)
        ));
        let e = parse("sftp://studio:secret@host/www", base).unwrap_err();
        assert!(e.help.contains(PASSWORD_VARIABLE), "{e:?}");
        let e = parse("ftp://studio:secret@host/www", base).unwrap_err();
        assert!(e.help.contains("`ftp://user@host/folder`"), "{e:?}");
        let e = parse("s3://bucket", base).unwrap_err();
        assert!(e.message.contains("s3://"), "{e:?}");
        let e = parse("  ", base).unwrap_err();
        assert!(e.message.contains("empty"), "{e:?}");
    }

    #[test]
    fn home_is_expanded_in_a_folder_target() {
        let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
            return;
        };
        assert_eq!(
            parse("~/site-online", Path::new("/site")).unwrap(),
            Target::Folder(PathBuf::from(home).join("site-online"))
        );
    }

    #[test]
    fn a_folder_in_or_around_the_site_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("content")).unwrap();
        for bad in [
            "",
            "content",
            "public",
            "static/new/deeper",
            ".",
            "..",
            "content/../themes",
        ] {
            let e = check_folder(&site.join(bad), &site).unwrap_err();
            assert!(e.message.contains("overwrite"), "{bad}: {e:?}");
        }
        let e = check_folder(dir.path(), &site).unwrap_err();
        assert!(e.message.contains("holds the site"), "{e:?}");
        check_folder(&dir.path().join("online"), &site).unwrap();
        check_folder(&site.join("../site-online/x"), &site).unwrap();
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(site.join("content"), &link).unwrap();
            assert!(check_folder(&link.join("sub"), &site).is_err());
        }
    }
}
