//! The deploy manifest: the record stillpoint keeps on the target, at [`MANIFEST_PATH`], of
//! what it uploaded (each file's path, content hash and size). The plan compares the new build
//! with it, so only new and changed files are sent, and only files named in it are ever
//! replaced or removed: a file the owner put on the target by hand is never touched.
//!
//! Format (JSON, versioned):
//! `{"version": 1, "generator": "stillpoint", "files": {"index.html": {"hash": "…", "size": 123}},
//! "pending": ["new/index.html"]}`. `hash` is the 128-bit xxh3 of the bytes as 32 hex digits.
//!
//! `pending` makes an interrupted deploy finish on the next run. It lists files stillpoint may
//! have put on the target, or may not yet have removed, whose content it does not know: the
//! files a deploy is about to upload for the first time (written before the uploads), and the
//! files it is about to remove (written before the removals). The next plan sends a pending
//! file again when the site has it and removes it when the site does not. A changed file keeps
//! its old hash until the deploy completes, so it is sent again too.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::DeployError;

/// Where the manifest lives, relative to the target's root.
pub const MANIFEST_PATH: &str = ".stillpoint-deploy.json";

/// The version of the manifest format this stillpoint writes and reads.
pub const MANIFEST_VERSION: u32 = 1;

/// One uploaded file as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The 128-bit xxh3 of the file's bytes, as 32 lowercase hex digits ([`hash_bytes`]).
    pub hash: String,
    /// The size in bytes.
    pub size: u64,
}

/// What stillpoint uploaded to a target: see the module docs for the format.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The format's version ([`MANIFEST_VERSION`]).
    pub version: u32,
    /// Always `stillpoint`, so a person who opens the file knows what wrote it.
    #[serde(default)]
    pub generator: String,
    /// Every file uploaded and still on the target, by path.
    pub files: BTreeMap<String, Entry>,
    /// Files that may be on the target from an unfinished deploy (see the module docs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<String>,
}

impl Manifest {
    /// The same manifest with every file's hash forgotten, so a plan made from it sends every
    /// file again (`stillpoint deploy --full`) while still removing the files it lists that the
    /// site no longer has.
    pub fn without_hashes(mut self) -> Manifest {
        for entry in self.files.values_mut() {
            entry.hash.clear();
        }
        self
    }

    /// The same manifest with the hashes of `paths` forgotten (files no longer on the target as
    /// recorded: a plan made from it sends them again).
    pub fn forgetting(mut self, paths: &[String]) -> Manifest {
        for path in paths {
            if let Some(entry) = self.files.get_mut(path) {
                entry.hash.clear();
            }
        }
        self
    }

    /// A manifest listing `files`, and `pending` (see the module docs).
    pub fn new(files: BTreeMap<String, Entry>, pending: Vec<String>) -> Self {
        Manifest {
            version: MANIFEST_VERSION,
            generator: "stillpoint".into(),
            files,
            pending,
        }
    }

    /// Reads a manifest from the bytes found on `target` (as [`super::Remote::describe`]
    /// names it).
    ///
    /// # Errors
    /// When the bytes are not a manifest (not JSON, another shape) or one of a newer version:
    /// the message says so in plain words and the help says what to do. Nothing is uploaded
    /// or removed after such an error.
    pub fn parse(bytes: &[u8], target: &str) -> Result<Manifest, DeployError> {
        let unreadable = |why: String| {
            DeployError::new(
                format!("the deploy record {MANIFEST_PATH} on {target} cannot be read: {why}"),
                "stillpoint keeps this file to know what it uploaded last time; if it was edited or damaged, delete it from the target: the next deploy then sends every file again and removes nothing (old files stay on the target until you delete them)",
            )
        };
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| unreadable(format!("it is not valid JSON ({e})")))?;
        let version = value.get("version").and_then(serde_json::Value::as_u64);
        match version {
            Some(v) if v > u64::from(MANIFEST_VERSION) => {
                return Err(DeployError::new(
                    format!(
                        "the deploy record {MANIFEST_PATH} on {target} was written by a newer stillpoint (format {v})"
                    ),
                    "deploy with the newer stillpoint, or update this one",
                ));
            }
            Some(_) => {}
            None => return Err(unreadable("it has no format version".into())),
        }
        let manifest: Manifest = serde_json::from_value(value)
            .map_err(|e| unreadable(format!("it does not have the expected fields ({e})")))?;
        if let Some(bad) = manifest
            .files
            .keys()
            .chain(&manifest.pending)
            .find(|p| !is_safe_path(p))
        {
            return Err(unreadable(format!(
                "it names `{bad}`, which is not a path inside the site"
            )));
        }
        Ok(manifest)
    }

    /// The manifest as the bytes stored on the target (pretty JSON, one file a line, so a
    /// person can read it).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }
}

/// The manifest hash of `bytes`: xxh3-128 as 32 lowercase hex digits.
pub fn hash_bytes(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// True when `path` is a relative `/`-separated path inside the target's root: not empty, no
/// leading `/` or `\`, no `.` or `..` part, no empty part. A manifest naming anything else
/// (edited by hand, or by something else) is refused, so a deploy never removes a file outside
/// its folder.
pub fn is_safe_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && !path.contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_damage_in_plain_words() {
        let mut files = BTreeMap::new();
        files.insert(
            "index.html".to_string(),
            Entry {
                hash: hash_bytes(b"hi"),
                size: 2,
            },
        );
        let m = Manifest::new(files, vec!["old.html".into()]);
        let back = Manifest::parse(&m.to_bytes(), "folder /x").unwrap();
        assert_eq!(back, m);

        let e = Manifest::parse(b"{not json", "folder /x").unwrap_err();
        assert!(e.message.contains("cannot be read"), "{e:?}");
        assert!(e.message.contains("not valid JSON"), "{e:?}");
        assert!(e.help.contains("delete it"), "{e:?}");

        let e = Manifest::parse(br#"{"version": 9, "files": {}}"#, "t").unwrap_err();
        assert!(e.message.contains("newer stillpoint"), "{e:?}");

        let e = Manifest::parse(
            br#"{"version": 1, "files": {"../etc/passwd": {"hash": "0", "size": 1}}}"#,
            "t",
        )
        .unwrap_err();
        assert!(e.message.contains("../etc/passwd"), "{e:?}");
    }

    #[test]
    fn safe_paths() {
        assert!(is_safe_path("a/b/index.html"));
        assert!(is_safe_path(".well-known/x"));
        for bad in ["", "/a", "a//b", "a/../b", "./a", "a\\b", "C:/x"] {
            assert!(!is_safe_path(bad), "{bad}");
        }
    }
}
