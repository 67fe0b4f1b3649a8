//! Stage 8: writes the site to disk without ever losing the previous site.
//!
//! Rendered files reach a [`Sink`] as they are rendered (stage 7 streams them), so a build never
//! holds every page in memory: `build` writes them straight into a [`Staging`] folder, `serve`
//! keeps them in a [`MemorySink`].
//!
//! The site is written into a new staging folder beside the output folder, then swapped in
//! with two renames; only then is the old copy deleted. A build that fails at any point leaves
//! `public/` byte-identical (Zola #574 and #1217 wiped it first; we don't). Dotfiles at the top
//! of the old output that the build does not produce (`.git`, `.nojekyll`) are carried over. A
//! folder that stillpoint did not make (no marker file), the site root, or a folder holding
//! `content/` or `config.yaml` is never replaced.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::fs;
use crate::render::BuiltSite;
use crate::site::AssetCopy;

/// The marker file stillpoint leaves in every output folder it makes.
pub const MARKER: &str = ".stillpoint-output";

const MARKER_TEXT: &str =
    "This folder is made by stillpoint (`stillpoint build`); it is replaced on every build.\n";

fn absolute(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) => absolute(parent).join(name),
        _ => p.to_path_buf(),
    }
}

/// Checks that `out` may be replaced by a build of the site at `root`.
///
/// Errors: `out` is the site root or contains it, holds `content/` or `config.yaml`, is a file,
/// or is a non-empty folder without stillpoint's marker.
pub fn check_replaceable(root: &Path, out: &Path) -> Result<()> {
    let root_abs = absolute(root);
    let out_abs = absolute(out);
    let shown = out.display();
    let refuse =
        |why: String, help: &str| Err(Error::one(Diagnostic::error(why).help(help.to_string())));
    if root_abs.starts_with(&out_abs) {
        return refuse(
            format!(
                "the output folder {shown} is the site folder itself (or contains it); building there would delete your content"
            ),
            "set `output_dir` in config.yaml (or --output) to a new folder such as `public`",
        );
    }
    if let Some(dir) = ["content", "templates", "themes", "static"]
        .into_iter()
        .find(|d| out_abs.starts_with(root_abs.join(d)))
    {
        return refuse(
            format!("the output folder {shown} is inside the site's {dir}/ folder"),
            "choose an output folder outside content/, templates/, themes/ and static/, such as `public`; otherwise the next build would publish the last one again",
        );
    }
    if out_abs.join("content").exists() || out_abs.join("config.yaml").exists() {
        return refuse(
            format!(
                "the output folder {shown} holds content/ or config.yaml: it looks like a site, not a build output"
            ),
            "choose another output folder; stillpoint replaces its output folder on every build",
        );
    }
    if out_abs.exists() {
        if !out_abs.is_dir() {
            return refuse(
                format!("the output path {shown} is a file, not a folder"),
                "move that file away or choose another output folder",
            );
        }
        let names = fs::read_dir_names(&out_abs)?;
        if !names.is_empty() && !out_abs.join(MARKER).is_file() {
            return refuse(
                format!(
                    "the output folder {shown} was not made by stillpoint, so it will not be replaced"
                ),
                "move that folder away or choose another output folder (`output_dir` in config.yaml, or --output); stillpoint only replaces folders it made",
            );
        }
    }
    Ok(())
}

/// Where a build puts each output file as soon as it is rendered, so that no build has to hold
/// the whole site in memory: [`Staging`] writes to disk (`build`), [`MemorySink`] keeps the bytes
/// (`serve`), [`NullSink`] drops them (dry runs).
pub trait Sink: Sync {
    /// Takes one output file: its path relative to the output folder (with `/`, as in
    /// `faq/index.html`) and its bytes. Called from many threads at once.
    ///
    /// Errors: [`Error::Io`] when the file cannot be written.
    fn write(&self, path: &str, bytes: Vec<u8>) -> Result<()>;

    /// Told, before they are written, the paths of the files that will be written (relative,
    /// with `/`; the rendered files at once, then the copies), so that a sink on disk can make
    /// their folders once, parents first, instead of checking for them with every file. A
    /// path left out is still written. The default does nothing.
    ///
    /// Errors: [`Error::Io`] when a folder cannot be created.
    fn announce(&self, _paths: &[&str]) -> Result<()> {
        Ok(())
    }
}

/// A [`Sink`] that keeps every file in memory, for `serve` and tests.
#[derive(Debug, Default)]
pub struct MemorySink {
    files: std::sync::Mutex<Vec<(String, Vec<u8>)>>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// The files written so far, sorted by path.
    pub fn into_files(self) -> Vec<(String, Vec<u8>)> {
        let mut files = self
            .files
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }
}

impl Sink for MemorySink {
    fn write(&self, path: &str, bytes: Vec<u8>) -> Result<()> {
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((path.to_string(), bytes));
        Ok(())
    }
}

/// A [`Sink`] that drops what it is given (a build that only checks).
#[derive(Debug, Default)]
pub struct NullSink;

impl Sink for NullSink {
    fn write(&self, _path: &str, _bytes: Vec<u8>) -> Result<()> {
        Ok(())
    }
}

/// A staging folder beside the output folder: rendered files are written into it as they come
/// ([`Sink`]); [`Staging::publish`] then copies the static files and swaps it in. Dropped
/// without `publish` (a failed build), it is deleted and the output folder is untouched.
#[derive(Debug)]
pub struct Staging {
    dir: tempfile::TempDir,
    out: PathBuf,
    parent: PathBuf,
    /// Top-level names starting with `.` that the build wrote (they replace the old output's).
    dot_names: std::sync::Mutex<BTreeSet<String>>,
}

impl Staging {
    /// The staging folder's path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Checks that `config.output_dir` may be replaced ([`check_replaceable`]), removes the
    /// staging folders of dead builds beside it, and creates a new staging folder.
    ///
    /// Errors: the output folder may not be replaced (pointing at `output_dir:` in config.yaml
    /// when it comes from there), or the staging folder cannot be created.
    pub fn create(config: &Config) -> Result<Staging> {
        let out = &config.output_dir;
        check_replaceable(&config.root, out).map_err(|e| match (e, config.output_span) {
            // Point at `output_dir:` in config.yaml when the folder comes from there.
            (Error::Diagnostics(ds), Some(span)) => Error::Diagnostics(
                ds.into_iter()
                    .map(|d| d.in_file("config.yaml").at(span, &config.config_source))
                    .collect(),
            ),
            (e, _) => e,
        })?;
        let parent = out
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        fs::create_dir_all(&parent)?;
        remove_stale_folders(&parent);
        let dir = our_folder_in(&parent, "staging")?;
        Ok(Staging {
            dir,
            out: out.clone(),
            parent,
            dot_names: std::sync::Mutex::new(BTreeSet::new()),
        })
    }

    fn note_name(&self, rel: &str) {
        let top = rel.split('/').next().unwrap_or(rel);
        if top.starts_with('.') {
            self.dot_names
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(top.to_string());
        }
    }

    /// Copies `copies` (static files and content assets) into the staging folder, adds the
    /// marker file, and swaps the staging folder in place of the output folder, carrying over
    /// the old output's top-level dotfiles that the build does not produce.
    ///
    /// Errors: any I/O error while copying (the old output is then untouched) or while
    /// swapping (the old output is put back).
    pub fn publish(self, copies: &[AssetCopy]) -> Result<()> {
        let stage = self.dir.path();
        let to: Vec<&str> = copies.iter().map(|c| c.to.as_str()).collect();
        to.iter().for_each(|t| self.note_name(t));
        self.announce(&to)?;
        // A file deleted since the build listed it (during a watch rebuild) is left out: the
        // next rebuild, which its deletion triggers, reflects that anyway.
        copies
            .par_iter()
            .try_for_each(|c| match fs::copy(&c.from, &stage.join(&c.to)) {
                Err(Error::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound && !c.from.exists() =>
                {
                    Ok(())
                }
                other => other,
            })?;
        fs::write(&stage.join(MARKER), MARKER_TEXT.as_bytes())?;
        let Staging {
            dir: staging,
            out,
            parent,
            dot_names,
        } = self;
        let out = &out;
        let stage = staging.path();

        if !out.exists() {
            fs::rename(stage, out)?;
            let _ = staging.keep();
            return Ok(());
        }

        let produced = dot_names
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let moved = carry_dotfiles(out, stage, &produced)?;
        let aside = our_folder_in(&parent, "old")?;
        let old = aside.path().join("site");
        if let Err(e) = fs::rename(out, &old) {
            put_back(&moved);
            return Err(e);
        }
        if let Err(e) = fs::rename(stage, out) {
            let _ = std::fs::rename(&old, out);
            put_back(&moved);
            return Err(e);
        }
        let _ = staging.keep();
        // Deleting the old copy may fail (a file held open elsewhere); the new site is in place.
        remove_tree(&old);
        drop(aside);
        Ok(())
    }
}

impl Sink for Staging {
    /// Writes the file into the staging folder: open, write, close. Its folder was made by
    /// [`Sink::announce`]; when it was not announced there, the folder is made on the first
    /// "not found".
    fn write(&self, path: &str, bytes: Vec<u8>) -> Result<()> {
        self.note_name(path);
        let to = self.dir.path().join(path);
        match std::fs::write(&to, &bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some((d, _)) = path.rsplit_once('/') {
                    fs::create_dir_all(&self.dir.path().join(d))?;
                }
                fs::write(&to, &bytes)
            }
            other => other.map_err(|source| Error::Io {
                action: "could not write",
                path: to,
                source,
            }),
        }
    }

    /// Makes the folders of `paths` in the staging folder, each with one `mkdir`: every
    /// ancestor folder once, sorted (a parent sorts before its children), the trees of
    /// different top-level folders in parallel.
    fn announce(&self, paths: &[&str]) -> Result<()> {
        let mut folders = folders_of(paths);
        // One tree per top-level folder, its parents before its children (a path sorts after
        // its prefixes; `a-b` sorts between `a` and `a/b`, hence the top folder first).
        folders.sort_unstable_by_key(|f| (top_folder(f), *f));
        let trees: Vec<&[&str]> = folders
            .chunk_by(|a, b| top_folder(a) == top_folder(b))
            .collect();
        let stage = self.dir.path();
        trees.par_iter().try_for_each(|tree| {
            tree.iter().try_for_each(|f| {
                let dir = stage.join(f);
                match std::fs::create_dir(&dir) {
                    Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists || !dir.is_dir() => {
                        Err(Error::Io {
                            action: "could not create folder",
                            path: dir,
                            source: e,
                        })
                    }
                    _ => Ok(()),
                }
            })
        })
    }
}

/// Moves the top-level dotfiles of the old output `out` (`.git`, `.nojekyll`) that the build did
/// not produce into `stage`; returns the (from, to) pairs moved, for [`put_back`].
///
/// Errors: the old output cannot be listed or a move fails (those before it are put back).
fn carry_dotfiles(
    out: &Path,
    stage: &Path,
    produced: &BTreeSet<String>,
) -> Result<Vec<(PathBuf, PathBuf)>> {
    let mut moved = Vec::new();
    for name in fs::read_dir_names(out)? {
        let Some(n) = name.to_str() else { continue };
        if n.starts_with('.') && n != MARKER && !produced.contains(n) {
            let (from, to) = (out.join(n), stage.join(n));
            if let Err(e) = fs::rename(&from, &to) {
                put_back(&moved);
                return Err(e);
            }
            moved.push((from, to));
        }
    }
    Ok(moved)
}

/// Undoes [`carry_dotfiles`], last move first; failures are ignored (best effort on an error
/// path).
fn put_back(moved: &[(PathBuf, PathBuf)]) {
    for (f, t) in moved.iter().rev() {
        let _ = std::fs::rename(t, f);
    }
}

/// The first part of a relative path: `a` of `a/b/c`.
fn top_folder(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

/// Every folder that holds one of `paths` (relative, with `/`), with all its ancestors, once
/// each: `a/b/c.html` gives `a` and `a/b`.
fn folders_of<'a>(paths: &[&'a str]) -> Vec<&'a str> {
    let mut folders = BTreeSet::new();
    for p in paths {
        let mut end = 0;
        while let Some(i) = p[end..].find('/') {
            end += i;
            folders.insert(&p[..end]);
            end += 1;
        }
    }
    folders.into_iter().collect()
}

/// Deletes the folder `dir` and everything in it, the entries of each folder in parallel (so
/// both cores unlink the 10,000 files and folders of an old copy of the site). Symbolic links
/// are removed, never followed. Failures are ignored: what is left is deleted with the
/// temporary folder holding `dir`, or by the next build.
fn remove_tree(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let entries: Vec<(PathBuf, bool)> = entries
        .filter_map(|e| e.ok())
        .map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_dir())))
        .collect();
    entries.par_iter().for_each(|(path, is_dir)| {
        if *is_dir {
            remove_tree(path);
        } else {
            let _ = std::fs::remove_file(path);
        }
    });
    let _ = std::fs::remove_dir(dir);
}

/// Stage 8 for a site built in memory: publishes `site` into `config.output_dir` through a
/// [`Staging`] folder.
///
/// Errors: see [`Staging::create`] and [`Staging::publish`]; on any error the output folder is
/// left as it was.
pub fn publish(site: &BuiltSite, config: &Config) -> Result<()> {
    let staging = Staging::create(config)?;
    let paths: Vec<&str> = site.files.iter().map(|(rel, _)| rel.as_str()).collect();
    staging.announce(&paths)?;
    site.files
        .par_iter()
        .try_for_each(|(rel, bytes)| staging.write(rel, bytes.clone()))?;
    staging.publish(&site.copies)
}

/// Writes `files` (path relative to `dir`, bytes) into the published folder `dir` in place, each
/// through a temporary file beside it that is renamed over the old one, so a reader (a web
/// server, a browser) sees each file whole, old or new. For incremental rebuilds in `watch`.
///
/// Errors: a folder or file that cannot be created, written or renamed (the files before it
/// are already replaced).
pub fn replace_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<()> {
    use std::io::Write as _;
    for (rel, bytes) in files {
        let to = dir.join(rel);
        let parent = to.parent().unwrap_or(dir);
        let io = |action: &'static str, source: std::io::Error| Error::Io {
            action,
            path: to.clone(),
            source,
        };
        std::fs::create_dir_all(parent).map_err(|e| io("could not create the folder of", e))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".stillpoint-")
            .tempfile_in(parent)
            .map_err(|e| io("could not write", e))?;
        tmp.write_all(bytes).map_err(|e| io("could not write", e))?;
        // A temporary file is private (0600); the file it replaces is readable by the web
        // server: keep the old file's permissions, or those of a new file.
        let permissions = match std::fs::metadata(&to) {
            Ok(meta) => meta.permissions(),
            Err(_) => new_file_permissions(parent).map_err(|e| io("could not write", e))?,
        };
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(|e| io("could not write", e))?;
        tmp.persist(&to)
            .map_err(|e| io("could not replace", e.error))?;
    }
    Ok(())
}

/// The permissions a file created in `dir` gets (the process's umask applied), found by
/// creating one.
fn new_file_permissions(dir: &Path) -> std::io::Result<std::fs::Permissions> {
    let probe = dir.join(format!(".stillpoint-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    let permissions = std::fs::metadata(&probe).map(|m| m.permissions());
    let _ = std::fs::remove_file(&probe);
    permissions
}

/// Whether the process that made a staging or old-copy folder still runs, from the process id
/// in its name (`.stillpoint-staging-<pid>-<random>`): `Some(false)` when it is gone, `None`
/// when that cannot be told (no id in the name, or no `/proc` on this system). The id is in
/// the name, not in a file inside, so there is no moment when a killed build leaves a folder
/// without it.
fn owner_alive(name: &str) -> Option<bool> {
    let rest = name
        .strip_prefix(".stillpoint-staging-")
        .or_else(|| name.strip_prefix(".stillpoint-old-"))?;
    let pid: u32 = rest.split('-').next()?.parse().ok()?;
    if pid == std::process::id() {
        return Some(true);
    }
    let proc = Path::new("/proc");
    proc.is_dir().then(|| proc.join(pid.to_string()).exists())
}

/// A new temporary folder `.stillpoint-KIND-PID-XXXX` in `parent` (beside the output folder,
/// on the same file system, so renames out of it are atomic). Errors: it cannot be created.
fn our_folder_in(parent: &Path, kind: &str) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(&format!(".stillpoint-{kind}-{}-", std::process::id()))
        .tempdir_in(parent)
        .map_err(|source| Error::Io {
            action: "could not create a folder in",
            path: parent.to_path_buf(),
            source,
        })
}

/// Deletes staging and old-copy folders that an interrupted build (power cut, `kill -9`) left
/// beside the output folder: those whose owning process is gone, and, where that cannot be
/// told, those older than a minute (a younger one may belong to a build running right now).
/// Failures are ignored: the folders are hidden and harmless.
fn remove_stale_folders(parent: &Path) {
    let Ok(names) = fs::read_dir_names(parent) else {
        return;
    };
    for name in names {
        let Some(n) = name.to_str() else { continue };
        if !(n.starts_with(".stillpoint-staging-") || n.starts_with(".stillpoint-old-")) {
            continue;
        }
        let path = parent.join(n);
        if !path.is_dir() || path.is_symlink() {
            continue;
        }
        let stale = match owner_alive(n) {
            Some(alive) => !alive,
            None => std::fs::symlink_metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(60)),
        };
        if stale {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_of_dead_builds_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // No process has the id 4194305 (above Linux's pid_max).
        let dead = dir.path().join(".stillpoint-staging-4194305-abc");
        let live = dir
            .path()
            .join(format!(".stillpoint-staging-{}-abc", std::process::id()));
        let young = dir.path().join(".stillpoint-old-young");
        let other = dir.path().join(".keep-me");
        for d in [&dead, &live, &young, &other] {
            std::fs::create_dir(d).unwrap();
        }
        remove_stale_folders(dir.path());
        assert!(!dead.exists());
        assert!(live.exists() && young.exists() && other.exists());
    }

    fn bare_staging(dir: &Path) -> Staging {
        Staging {
            dir: tempfile::tempdir_in(dir).unwrap(),
            out: dir.join("public"),
            parent: dir.to_path_buf(),
            dot_names: std::sync::Mutex::new(BTreeSet::new()),
        }
    }

    #[test]
    fn folders_of_lists_every_ancestor_once() {
        let mut got = folders_of(&["a/b/c.html", "a/b/d.html", "x.html", "a-b/index.html"]);
        got.sort_unstable();
        assert_eq!(got, ["a", "a-b", "a/b"]);
    }

    #[test]
    fn expected_folders_are_made_once_and_files_written_into_them() {
        let dir = tempfile::tempdir().unwrap();
        let staging = bare_staging(dir.path());
        // `a-b` sorts between `a` and `a/b`: each tree is still made parents first.
        let paths = [
            "a/b/c/index.html",
            "a-b/index.html",
            "a/index.html",
            "robots.txt",
            "z/y/x/w/index.html",
        ];
        staging.announce(&paths).unwrap();
        for d in ["a", "a/b", "a/b/c", "a-b", "z/y/x/w"] {
            assert!(staging.path().join(d).is_dir(), "{d} not made");
        }
        // Told twice (an incremental caller, a retry): nothing fails.
        staging.announce(&paths).unwrap();
        for p in paths {
            staging.write(p, p.as_bytes().to_vec()).unwrap();
        }
        // A path that was not announced is written too.
        staging
            .write("late/deep/index.html", b"late".to_vec())
            .unwrap();
        for p in paths.iter().chain(&["late/deep/index.html"]) {
            assert!(staging.path().join(p).is_file(), "{p} not written");
        }
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let staging = bare_staging(dir.path());
        std::fs::write(staging.path().join("taken"), "a file").unwrap();
        let err = staging.announce(&["taken/index.html"]).unwrap_err();
        assert!(err.to_string().contains("taken"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn remove_tree_deletes_everything_and_follows_no_link() {
        let dir = tempfile::tempdir().unwrap();
        let keep = dir.path().join("keep");
        std::fs::create_dir(&keep).unwrap();
        std::fs::write(keep.join("precious.txt"), "keep me").unwrap();
        let old = dir.path().join("old");
        for i in 0..30 {
            let d = old.join(format!("sec-{i}/page-{i}/deeper"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("index.html"), "x").unwrap();
            std::fs::write(old.join(format!("sec-{i}/index.html")), "x").unwrap();
        }
        std::fs::write(old.join("robots.txt"), "x").unwrap();
        std::os::unix::fs::symlink(&keep, old.join("link-to-dir")).unwrap();
        std::os::unix::fs::symlink(keep.join("precious.txt"), old.join("link-to-file")).unwrap();
        remove_tree(&old);
        assert!(!old.exists());
        assert_eq!(
            std::fs::read_to_string(keep.join("precious.txt")).unwrap(),
            "keep me"
        );
    }

    #[test]
    fn refuses_site_root_and_foreign_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("content")).unwrap();
        std::fs::write(root.join("config.yaml"), "").unwrap();
        assert!(check_replaceable(root, root).is_err());
        assert!(check_replaceable(&root.join("content"), root).is_err());
        let foreign = root.join("mine");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
        assert!(check_replaceable(root, &foreign).is_err());
        std::fs::create_dir(root.join("empty")).unwrap();
        assert!(check_replaceable(root, &root.join("empty")).is_ok());
        assert!(check_replaceable(root, &root.join("public")).is_ok());
        assert!(check_replaceable(root, &root.join("content/public")).is_err());
        assert!(check_replaceable(root, &root.join("static/out")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn replaced_files_keep_their_permissions_and_new_ones_get_the_usual() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("faq/index.html");
        std::fs::create_dir_all(old.parent().unwrap()).unwrap();
        std::fs::write(&old, "old").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        let fresh = dir.path().join("fresh.html");
        std::fs::write(&fresh, "").unwrap();
        let usual = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
        std::fs::remove_file(&fresh).unwrap();
        replace_files(
            dir.path(),
            &[
                ("faq/index.html".into(), b"new".to_vec()),
                ("new/index.html".into(), b"made".to_vec()),
            ],
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "new");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&old), 0o644);
        assert_eq!(mode(&dir.path().join("new/index.html")), usual);
        let left: Vec<_> = std::fs::read_dir(dir.path().join("faq"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 1, "temporary files left: {left:?}");
    }
}
