//! Stage 8: writes a [`BuiltSite`] to disk without ever losing the previous site.
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

/// Stage 8: publishes `site` into `config.output_dir`.
///
/// Errors: see [`check_replaceable`]; any I/O error while writing the staging folder (the old
/// output is then untouched) or while swapping (the old output is put back).
pub fn publish(site: &BuiltSite, config: &Config) -> Result<()> {
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
    let staging_prefix = format!(".stillpoint-staging-{}-", std::process::id());
    let staging = tempfile::Builder::new()
        .prefix(&staging_prefix)
        .tempdir_in(&parent)
        .map_err(|source| Error::Io {
            action: "could not create a folder in",
            path: parent.clone(),
            source,
        })?;
    let stage = staging.path();

    // Folders first (in parallel: with pretty URLs nearly every page has its own), then files.
    let mut dirs = BTreeSet::new();
    for rel in site
        .files
        .iter()
        .map(|(r, _)| r.as_str())
        .chain(site.copies.iter().map(|c| c.to.as_str()))
    {
        if let Some((d, _)) = rel.rsplit_once('/') {
            dirs.insert(d);
        }
    }
    let dirs: Vec<&str> = dirs.into_iter().collect();
    dirs.par_iter()
        .try_for_each(|d| fs::create_dir_all(&stage.join(d)))?;
    site.files
        .par_iter()
        .try_for_each(|(rel, bytes)| fs::write(&stage.join(rel), bytes))?;
    // A file deleted since the build listed it (during a watch rebuild) is left out: the
    // next rebuild, which its deletion triggers, reflects that anyway.
    site.copies
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

    if !out.exists() {
        fs::rename(stage, out)?;
        let _ = staging.keep();
        return Ok(());
    }

    // Carry over top-level dotfiles the build does not produce.
    let produced: BTreeSet<&str> = site
        .files
        .iter()
        .map(|(r, _)| r.as_str())
        .chain(site.copies.iter().map(|c| c.to.as_str()))
        .map(|r| r.split('/').next().unwrap_or(r))
        .collect();
    let mut moved = Vec::new();
    for name in fs::read_dir_names(out)? {
        let Some(n) = name.to_str() else { continue };
        if n.starts_with('.') && n != MARKER && !produced.contains(n) {
            let from = out.join(n);
            let to = stage.join(n);
            if let Err(e) = fs::rename(&from, &to) {
                for (f, t) in moved.iter().rev() {
                    let _ = std::fs::rename(t, f);
                }
                return Err(e);
            }
            moved.push((from, to));
        }
    }

    let aside_prefix = format!(".stillpoint-old-{}-", std::process::id());
    let aside = tempfile::Builder::new()
        .prefix(&aside_prefix)
        .tempdir_in(&parent)
        .map_err(|source| Error::Io {
            action: "could not create a folder in",
            path: parent.clone(),
            source,
        })?;
    let old = aside.path().join("site");
    if let Err(e) = fs::rename(out, &old) {
        for (f, t) in moved.iter().rev() {
            let _ = std::fs::rename(t, f);
        }
        return Err(e);
    }
    if let Err(e) = fs::rename(stage, out) {
        let _ = std::fs::rename(&old, out);
        for (f, t) in moved.iter().rev() {
            let _ = std::fs::rename(t, f);
        }
        return Err(e);
    }
    let _ = staging.keep();
    // Deleting the old copy may fail (a file held open elsewhere); the new site is in place.
    drop(aside);
    Ok(())
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
}
