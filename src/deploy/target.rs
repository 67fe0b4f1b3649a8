//! Deploy targets as written (`--target`, `deploy: target:`): which kind each is, and the one
//! place that connects to it.
//!
//! - a plain path or `file:///…`: a folder ([`super::folder`]);
//! - `git+file://…`, `git+ssh://…`, `git+https://…`, with `#branch` (default `gh-pages`):
//!   a git branch ([`super::git`]);
//! - `sftp://user@host[:port]/path`, `ftp://…`, `ftps://…`: see `deploy::sftp` and
//!   `deploy::ftp`.

use std::path::{Path, PathBuf};

use super::settings::{PASSWORD_VARIABLE, has_password};
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
    if has_password(text) {
        return Err(DeployError::new(
            "the deploy target's address holds a password",
            format!(
                "write the address without it (`sftp://user@host/folder`) and set the environment variable {PASSWORD_VARIABLE}, or let stillpoint ask for it"
            ),
        ));
    }
    let Some((scheme, _)) = text.split_once("://") else {
        return Ok(Target::Folder(base.join(text)));
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

/// Connects to `target`.
///
/// # Errors
/// Those of each kind of target's `connect`.
pub fn connect(target: &Target, options: &ConnectOptions) -> Result<Box<dyn Remote>, DeployError> {
    match target {
        Target::Folder(path) => Ok(Box::new(super::folder::connect(path)?)),
        Target::Git { url, branch } => Ok(Box::new(super::git::connect(url, branch)?)),
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
        let e = parse("s3://bucket", base).unwrap_err();
        assert!(e.message.contains("s3://"), "{e:?}");
    }
}
