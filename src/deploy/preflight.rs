//! The check before anything is uploaded that nothing on a remote host stands in the way of the
//! site: no file where the site needs a folder, no folder where it puts a file. Stillpoint never
//! replaces what it did not put there, so such a clash would stop the deploy half-way; named
//! first, it stops the deploy before any change.
//!
//! Folder targets use [`InTheWay`] and its error only; the listing check is for SFTP and FTP.
//!
//! The protocol only lists folders ([`check`] takes the listing as a function): each folder
//! above an upload is listed once, and only when it exists, so a first deploy into an empty
//! folder lists the root alone and a one-page edit lists the few folders above that page.

use std::collections::HashMap;

use super::DeployError;

/// What a name in a folder of the target is.
#[cfg_attr(not(any(feature = "sftp", feature = "ftp")), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A file.
    File,
    /// A folder.
    Folder,
    /// A link or anything else the listing cannot tell: not checked further (the upload will
    /// say if it cannot write there).
    Other,
}

/// The names in one folder of the target.
#[cfg_attr(not(any(feature = "sftp", feature = "ftp")), allow(dead_code))]
pub(crate) type Listing = HashMap<String, Kind>;

/// One thing in the target standing where the site needs something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InTheWay {
    /// The path as the host names it (`/www/prices`).
    pub shown: String,
    /// What is there: `a file` or `a folder`.
    pub found: &'static str,
    /// The site's path there, relative to the target's root (`prices`).
    pub site_path: String,
    /// What the site needs there: `file` or `folder`.
    pub needed: &'static str,
}

/// Checks that each of `paths` (relative to the target's root) can be written. `list` lists a
/// folder known to exist (relative to the root; `""` is the root); `full` gives a path as the
/// host names it, for messages.
///
/// # Errors
/// Every path in the way, all named in one error ([`in_the_way`]), saying the owner must move
/// or delete them; or the first error of `list`.
#[cfg_attr(not(any(feature = "sftp", feature = "ftp")), allow(dead_code))]
pub(crate) fn check(
    paths: &[&str],
    list: &mut dyn FnMut(&str) -> Result<Listing, DeployError>,
    full: &dyn Fn(&str) -> String,
) -> Result<(), DeployError> {
    let mut listings: HashMap<String, Listing> = HashMap::new();
    let mut found = Vec::new();
    for path in paths {
        let parts: Vec<&str> = path.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            let folder = parts[..i].join("/");
            if !listings.contains_key(&folder) {
                let listing = list(&folder)?;
                listings.insert(folder.clone(), listing);
            }
            let last = i + 1 == parts.len();
            let kind = listings.get(&folder).and_then(|l| l.get(*part)).copied();
            let site_path = parts[..=i].join("/");
            match (kind, last) {
                (Some(Kind::Folder), true) => found.push(InTheWay {
                    shown: full(&site_path),
                    found: "a folder",
                    site_path,
                    needed: "file",
                }),
                (Some(Kind::File), false) => found.push(InTheWay {
                    shown: full(&site_path),
                    found: "a file",
                    site_path,
                    needed: "folder",
                }),
                (Some(Kind::Folder), false) => continue,
                _ => {}
            }
            break;
        }
    }
    in_the_way(found)
}

/// The error naming all of `found` (each once, in the order found), or `Ok` when it is empty.
///
/// # Errors
/// When `found` is not empty: one line per path in the way, and the help to move or delete
/// them.
pub(crate) fn in_the_way(mut found: Vec<InTheWay>) -> Result<(), DeployError> {
    let mut seen = std::collections::HashSet::new();
    found.retain(|f| seen.insert(f.shown.clone()));
    let line = |f: &InTheWay| {
        format!(
            "{} in the deploy target is {}, but the site needs a {} there ({})",
            f.shown, f.found, f.needed, f.site_path
        )
    };
    match found.as_slice() {
        [] => Ok(()),
        [one] => Err(DeployError::new(
            line(one),
            format!(
                "stillpoint does not replace what it did not put there: move or delete {} yourself, then deploy again",
                one.shown
            ),
        )),
        many => {
            let lines: Vec<String> = many.iter().map(|f| format!("\n  - {}", line(f))).collect();
            Err(DeployError::new(
                format!(
                    "{} things in the deploy target stand where the site needs something else:{}",
                    many.len(),
                    lines.concat()
                ),
                "stillpoint does not replace what it did not put there: move or delete each of them yourself, then deploy again",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> HashMap<String, Listing> {
        let l = |items: &[(&str, Kind)]| {
            items
                .iter()
                .map(|(n, k)| ((*n).to_owned(), *k))
                .collect::<Listing>()
        };
        HashMap::from([
            (
                String::new(),
                l(&[
                    ("about", Kind::File),
                    ("css", Kind::Folder),
                    ("blog", Kind::Folder),
                    ("link", Kind::Other),
                ]),
            ),
            ("css".into(), l(&[("site.css", Kind::Folder)])),
            ("blog".into(), l(&[("first", Kind::Folder)])),
            ("blog/first".into(), l(&[("index.html", Kind::File)])),
        ])
    }

    fn run(paths: &[&str]) -> (Result<(), DeployError>, Vec<String>) {
        let host = host();
        let mut listed = Vec::new();
        let mut list = |folder: &str| {
            listed.push(folder.to_owned());
            Ok(host
                .get(folder)
                .cloned()
                .expect("only existing folders are listed"))
        };
        let result = check(paths, &mut list, &|p| format!("/www/{p}"));
        (result, listed)
    }

    #[test]
    fn files_and_folders_in_the_way_are_named() {
        let (r, _) = run(&["index.html", "about/index.html"]);
        let e = r.unwrap_err();
        assert!(
            e.message
                .starts_with("/www/about in the deploy target is a file"),
            "{e:?}"
        );
        assert!(e.help.contains("move or delete /www/about"), "{e:?}");
        let (r, _) = run(&["css/site.css"]);
        let e = r.unwrap_err();
        assert!(
            e.message
                .contains("/www/css/site.css in the deploy target is a folder"),
            "{e:?}"
        );
    }

    #[test]
    fn only_existing_folders_are_listed_each_once() {
        let (r, listed) = run(&[
            "blog/first/index.html",
            "blog/second/index.html",
            "new/deep/index.html",
            "link/x.html",
            "blog/first/photo.jpg",
        ]);
        r.unwrap();
        assert_eq!(listed, ["", "blog", "blog/first"]);
    }

    #[test]
    fn every_path_in_the_way_is_named_at_once_each_once() {
        let (r, _) = run(&[
            "about/index.html",
            "about/photo.jpg",
            "index.html",
            "css/site.css",
        ]);
        let e = r.unwrap_err();
        assert_eq!(
            e.message,
            "2 things in the deploy target stand where the site needs something else:\n  \
             - /www/about in the deploy target is a file, but the site needs a folder there (about)\n  \
             - /www/css/site.css in the deploy target is a folder, but the site needs a file there (css/site.css)"
        );
        assert!(e.help.contains("move or delete each of them"), "{e:?}");
    }
}
