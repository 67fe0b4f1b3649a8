//! A git branch as a deploy target (GitHub Pages, Codeberg Pages, Cloudflare Pages, Netlify):
//! the site becomes the whole tree of a new commit on the branch, pushed with the owner's own
//! git set-up (SSH keys, credential helper), through the `git` command.
//!
//! The branch is fetched (its last commit only) into a temporary bare repository; `read` gives
//! the files of its tree, `put` and `remove` change a list of (path, blob), and `finish` writes
//! that list as a tree (`update-index`, `write-tree`), commits it on top of the branch
//! (`commit-tree`) and pushes it. A push either happens whole or not at all, so a git target is
//! never half-deployed. A deploy that changes nothing makes no commit. Files the owner
//! committed to the branch by hand (a `CNAME`, `.nojekyll`) stay, as on any target.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::{DeployError, Remote};

/// A connected git target.
#[derive(Debug)]
pub struct GitBranch {
    url: String,
    branch: String,
    dir: tempfile::TempDir,
    /// The branch's last commit, when it exists.
    parent: Option<String>,
    /// path → (mode, blob id).
    entries: BTreeMap<String, (String, String)>,
}

/// Fetches `branch` of the repository at `url` (as `git` takes it) into a temporary
/// repository, and checks that the branch does not hold the source of a site: a `config.yaml`
/// beside a `content/` folder, or the branch the folder `site_root` (the site being deployed)
/// is checked out on, from the same repository.
///
/// # Errors
/// When `git` is not installed, the repository cannot be reached (the message carries git's
/// own words), the branch's tree cannot be read, or the branch holds a site's source.
pub fn connect(url: &str, branch: &str, site_root: &Path) -> Result<GitBranch, DeployError> {
    let dir = tempfile::Builder::new()
        .prefix("stillpoint-deploy-")
        .tempdir()
        .map_err(|e| {
            DeployError::new(
                format!("could not make a temporary folder for git: {e}"),
                "check the space in the temporary folder",
            )
        })?;
    let mut target = GitBranch {
        url: url.to_string(),
        branch: branch.to_string(),
        dir,
        parent: None,
        entries: BTreeMap::new(),
    };
    let init = Command::new("git")
        .args(["init", "--bare", "-q"])
        .arg(target.dir.path())
        .stdin(Stdio::null())
        .output();
    if !init.as_ref().is_ok_and(|o| o.status.success()) {
        let why = match init {
            Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
            Err(e) => e.to_string(),
        };
        return Err(DeployError::new(
            format!(
                "could not run git to deploy to {}: {why}",
                target.describe()
            ),
            "install git (https://git-scm.com), then deploy again",
        ));
    }
    let heads = target.git(
        &["ls-remote", "--heads", url, &format!("refs/heads/{branch}")],
        None,
    )?;
    if !heads.trim().is_empty() {
        let refspec = format!("+refs/heads/{branch}:refs/heads/{branch}");
        target.git(&["fetch", "-q", "--depth", "1", url, &refspec], None)?;
        let parent = target.git(&["rev-parse", &format!("refs/heads/{branch}")], None)?;
        target.parent = Some(parent.trim().to_string());
        target.entries = target.tree_entries()?;
        refuse_source_branch(&target, site_root)?;
    }
    Ok(target)
}

/// Refuses to deploy into a branch that holds a site's source, since the deploy commit would
/// mix the built site into it: a branch whose tree has a `config.yaml` beside a `content/`
/// folder (at its top or in any folder), or the branch `site_root` is checked out on, when
/// the branch's last commit is one of that checkout's own (the same repository).
///
/// # Errors
/// Saying which branch holds the source and to deploy to a branch of its own.
fn refuse_source_branch(target: &GitBranch, site_root: &Path) -> Result<(), DeployError> {
    let has_source = target.entries.keys().any(|path| {
        path.strip_suffix("config.yaml")
            .filter(|folder| folder.is_empty() || folder.ends_with('/'))
            .is_some_and(|folder| {
                let content = format!("{folder}content/");
                target
                    .entries
                    .range(content.clone()..)
                    .next()
                    .is_some_and(|(p, _)| p.starts_with(&content))
            })
    });
    let checked_out = target
        .parent
        .as_deref()
        .is_some_and(|tip| is_checked_out_branch(site_root, &target.branch, tip));
    if !has_source && !checked_out {
        return Ok(());
    }
    let why = if has_source {
        "it has a config.yaml beside content/"
    } else {
        "it is the branch this site's folder is checked out on"
    };
    Err(DeployError::new(
        format!(
            "{} holds this site's source ({why}); a deploy there would mix the built site into it",
            target.describe()
        ),
        "deploy to a branch of its own, such as gh-pages: end the target with `#gh-pages` (nothing was pushed)",
    ))
}

/// Whether the folder `site_root` is in a git checkout whose current branch is `branch` and
/// whose repository has the commit `tip`.
fn is_checked_out_branch(site_root: &Path, branch: &str, tip: &str) -> bool {
    let run = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(site_root)
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    run(&["symbolic-ref", "-q", "--short", "HEAD"]).as_deref() == Some(branch)
        && run(&["cat-file", "-e", &format!("{tip}^{{commit}}")]).is_some()
}

impl GitBranch {
    /// Runs `git` in the temporary repository with `args`, feeding it `input`; its standard
    /// output as text.
    fn git(&self, args: &[&str], input: Option<&[u8]>) -> Result<String, DeployError> {
        let out = self.git_bytes(args, input)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn git_bytes(&self, args: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>, DeployError> {
        let mut cmd = Command::new("git");
        cmd.arg("--git-dir")
            .arg(self.dir.path())
            .args(args)
            .env("GIT_INDEX_FILE", self.dir.path().join("stillpoint-index"))
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| {
            DeployError::new(
                format!("could not run git to deploy to {}: {e}", self.describe()),
                "install git (https://git-scm.com), then deploy again",
            )
        })?;
        if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
            // A write error shows up as git's failure below.
            let _ = stdin.write_all(bytes);
        }
        let out = child.wait_with_output().map_err(|e| {
            DeployError::new(format!("git stopped unexpectedly: {e}"), "deploy again")
        })?;
        if out.status.success() {
            return Ok(out.stdout);
        }
        let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
        Err(DeployError::new(
            format!(
                "git could not {} for {}: {said}",
                args.first().copied().unwrap_or("run"),
                self.describe()
            ),
            "check that the repository's address is right and that `git push` to it works from this computer (your SSH key or saved password), then deploy again",
        ))
    }

    fn tree_entries(&self) -> Result<BTreeMap<String, (String, String)>, DeployError> {
        let out = self.git_bytes(
            &[
                "ls-tree",
                "-r",
                "-z",
                &format!("refs/heads/{}", self.branch),
            ],
            None,
        )?;
        let mut entries = BTreeMap::new();
        for record in out.split(|b| *b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            let Some((meta, path)) = record.split_once('\t') else {
                continue;
            };
            let mut parts = meta.split(' ');
            if let (Some(mode), Some("blob"), Some(id)) = (parts.next(), parts.next(), parts.next())
            {
                entries.insert(path.to_string(), (mode.to_string(), id.to_string()));
            }
        }
        Ok(entries)
    }

    /// Whether git knows who commits; when not, the commit is made as "stillpoint".
    fn identity_env(&self) -> Vec<(&'static str, &'static str)> {
        if self.git(&["var", "GIT_COMMITTER_IDENT"], None).is_ok() {
            return Vec::new();
        }
        vec![
            ("GIT_AUTHOR_NAME", "stillpoint"),
            ("GIT_AUTHOR_EMAIL", "stillpoint@localhost"),
            ("GIT_COMMITTER_NAME", "stillpoint"),
            ("GIT_COMMITTER_EMAIL", "stillpoint@localhost"),
        ]
    }

    fn commit(&self, tree: &str) -> Result<String, DeployError> {
        let mut cmd = Command::new("git");
        cmd.arg("--git-dir").arg(self.dir.path());
        cmd.args(["commit-tree", tree, "-m", "Deploy by stillpoint"]);
        if let Some(p) = &self.parent {
            cmd.args(["-p", p]);
        }
        cmd.envs(self.identity_env());
        let out = cmd.stdin(Stdio::null()).output().map_err(|e| {
            DeployError::new(
                format!("could not run git: {e}"),
                "install git, then deploy again",
            )
        })?;
        if !out.status.success() {
            return Err(DeployError::new(
                format!(
                    "git could not make the deploy commit: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
                "check your git set-up (`git config user.name`), then deploy again",
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

impl Remote for GitBranch {
    fn describe(&self) -> String {
        format!("the branch {} of {}", self.branch, self.url)
    }

    fn drifted(&mut self, files: &[(&str, u64)]) -> Result<Vec<String>, DeployError> {
        Ok(files
            .iter()
            .filter(|(path, _)| !self.entries.contains_key(*path))
            .map(|(path, _)| (*path).to_owned())
            .collect())
    }

    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>, DeployError> {
        match self.entries.get(path) {
            Some((_, id)) => Ok(Some(self.git_bytes(&["cat-file", "blob", id], None)?)),
            None => Ok(None),
        }
    }

    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), DeployError> {
        let id = self.git(&["hash-object", "-w", "--stdin"], Some(bytes))?;
        self.entries
            .insert(path.to_string(), ("100644".into(), id.trim().to_string()));
        Ok(())
    }

    fn remove(&mut self, path: &str) -> Result<(), DeployError> {
        self.entries.remove(path);
        Ok(())
    }

    fn finish(&mut self) -> Result<(), DeployError> {
        let _ = std::fs::remove_file(self.dir.path().join("stillpoint-index"));
        let mut list = Vec::new();
        for (path, (mode, id)) in &self.entries {
            list.extend_from_slice(format!("{mode} {id}\t{path}").as_bytes());
            list.push(0);
        }
        self.git(
            &["update-index", "--add", "-z", "--index-info"],
            Some(&list),
        )?;
        let tree = self.git(&["write-tree"], None)?.trim().to_string();
        if let Some(parent) = &self.parent {
            let old = self.git(&["rev-parse", &format!("{parent}^{{tree}}")], None)?;
            if old.trim() == tree {
                return Ok(());
            }
        } else if self.entries.is_empty() {
            return Ok(());
        }
        let commit = self.commit(&tree)?;
        let refspec = format!("{commit}:refs/heads/{}", self.branch);
        self.git(&["push", "-q", &self.url, &refspec], None)?;
        Ok(())
    }
}

/// True when `git` can be run (for tests and messages).
pub fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
