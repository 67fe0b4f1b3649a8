//! `stillpoint deploy`: publishes the built site to the owner's host (a folder, SFTP, FTP or a
//! git branch), sending only what changed, in an order that never shows a visitor a broken page.
//!
//! The stages, each a function passing values:
//! 1. the site is built in memory, as `build` builds it ([`crate::build_retained`]), and the
//!    `check --publish` readiness check runs on it ([`crate::publish::findings`]); a site that is
//!    not ready is refused unless forced. The build is not written to `public/`: the deploy
//!    sends exactly what was checked, and `public/` stays the owner's last `build`;
//! 2. [`collect`] hashes every output file (the files the build rendered and those it copies);
//! 3. [`target::connect`] reaches the target, [`read_manifest`] reads what the last deploy
//!    uploaded ([`manifest`]);
//! 4. [`plan::plan`] decides what to send, keep and remove, in the safe order;
//! 5. [`execute`] carries the plan out (nothing, for a dry run);
//! 6. [`verify::verify`] fetches the home page and the changed pages from `base_url`.

pub mod folder;
pub mod git;
pub mod manifest;
pub mod plan;
mod preflight;
pub mod remote;
pub mod settings;
pub mod target;
pub mod verify;
#[cfg(feature = "sftp")]
pub mod sftp;
#[cfg(feature = "ftp")]
pub mod ftp;

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use remote::{ConnectOptions, DeployError, Remote};

use crate::{BuildOptions, Diagnostic, Error};
use manifest::{Entry, MANIFEST_PATH, Manifest};
use plan::Plan;

/// What `stillpoint deploy` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    /// The site and its build options (`dry_run` is ignored: the site is built in memory).
    pub build: BuildOptions,
    /// `--target`: replaces `deploy.target` of config.yaml. A relative folder here is relative
    /// to the current folder; in config.yaml, to the site's root.
    pub target: Option<String>,
    /// `--dry-run`: show the plan, change nothing.
    pub dry_run: bool,
    /// `--force`: deploy a site that is not ready to publish.
    pub force: bool,
    /// `--full`: send every file, ignoring the hashes the target's manifest records (its list
    /// of files still decides what is removed).
    pub full: bool,
    /// `--no-verify`: do not fetch the pages from `base_url` afterwards.
    pub no_verify: bool,
    /// How to connect (`identity_file` is filled from config.yaml when not given).
    pub connect: ConnectOptions,
}

/// Why a deploy did not happen or did not complete.
#[derive(Debug)]
pub enum DeployFailure {
    /// The site has errors and was not built.
    Build(Error),
    /// The site is not ready to publish (and `--force` was not given): what is left to do.
    NotReady(Vec<Diagnostic>),
    /// The target could not be reached or written.
    Target(DeployError),
}

/// One step of the uploads, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// Files sent so far (before this one).
    pub done: usize,
    /// Files to send in all.
    pub total: usize,
    /// Bytes sent so far (before this file).
    pub bytes_done: u64,
    /// Bytes to send in all.
    pub bytes_total: u64,
    /// The file being sent.
    pub path: &'a str,
}

impl Progress<'_> {
    /// The progress bar as one line of at most `width` characters (a terminal's width), to be
    /// redrawn in place: `[#####·····] 12/40 files, 120 KB of 1.2 MB  css/site.css`. The bar
    /// follows the bytes (a big photo moves it more than a small page); the file's path is
    /// shortened from the left to fit, and dropped on a narrow terminal.
    pub fn bar(&self, width: usize) -> String {
        const BAR: usize = 20;
        let share = if self.bytes_total == 0 {
            self.done as f64 / self.total.max(1) as f64
        } else {
            self.bytes_done as f64 / self.bytes_total as f64
        };
        let filled = ((share * BAR as f64) as usize).min(BAR);
        let line = format!(
            "[{}{}] {}/{} files, {} of {}",
            "#".repeat(filled),
            "·".repeat(BAR - filled),
            self.done + 1,
            self.total,
            human_size(self.bytes_done),
            human_size(self.bytes_total)
        );
        let used = line.chars().count();
        let room = width.saturating_sub(used + 2);
        if room < 10 {
            return line.chars().take(width.max(1)).collect();
        }
        let count = self.path.chars().count();
        let path: String = if count <= room {
            self.path.to_owned()
        } else {
            let tail: String = self.path.chars().skip(count - (room - 1)).collect();
            format!("…{tail}")
        };
        format!("{line}  {path}")
    }
}

/// What a deploy did (or, for a dry run, would do).
#[derive(Debug)]
pub struct DeployReport {
    /// The target as messages name it.
    pub target: String,
    /// The plan that was carried out.
    pub plan: Plan,
    /// True for a dry run: nothing was changed.
    pub dry_run: bool,
    /// Wall time of the uploads and removals.
    pub elapsed: Duration,
    /// The build's warnings.
    pub warnings: Vec<Diagnostic>,
    /// The readiness findings that `--force` let through.
    pub forced: Vec<Diagnostic>,
    /// What fetching the site from `base_url` found (`None` when not tried).
    pub verified: Option<verify::Verification>,
}

impl DeployReport {
    /// The summary line: `uploaded 3 files (42 KB), removed 1, 18 unchanged, in 2.1 s`, or
    /// for a dry run `would upload …, would remove …`.
    pub fn summary_line(&self) -> String {
        let n = self.plan.uploads.len();
        let files = if n == 1 { "file" } else { "files" };
        let size = human_size(self.plan.upload_bytes());
        let removed = self.plan.removals.len();
        let unchanged = self.plan.unchanged;
        if self.dry_run {
            format!(
                "would upload {n} {files} ({size}), would remove {removed}, {unchanged} unchanged (dry run: nothing was changed)"
            )
        } else {
            format!(
                "uploaded {n} {files} ({size}), removed {removed}, {unchanged} unchanged, in {}",
                human_duration(self.elapsed)
            )
        }
    }
}

/// A duration for people: `40 ms` under a second, else `2.1 s`.
pub fn human_duration(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// A size for people: `512 B`, `42 KB`, `3.4 MB` (1 KB = 1000 bytes).
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b < 1000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{} KB", (b + 500) / 1000),
        b => format!("{:.1} MB", b as f64 / 1_000_000.0),
    }
}

/// Where an output file's bytes are: rendered in memory, or a file the build copies.
#[derive(Debug)]
pub enum Source {
    /// Rendered by the build.
    Memory(Vec<u8>),
    /// Copied as it is (a static file, a page's image).
    Disk(PathBuf),
}

/// The built site, ready to deploy: every output file with its manifest entry.
#[derive(Debug, Default)]
pub struct LocalSite {
    /// path → (hash and size, bytes).
    pub files: BTreeMap<String, (Entry, Source)>,
}

impl LocalSite {
    /// The manifest entries of the site's files.
    pub fn entries(&self) -> BTreeMap<String, Entry> {
        self.files
            .iter()
            .map(|(p, (e, _))| (p.clone(), e.clone()))
            .collect()
    }

    /// The bytes of the output file `path`.
    ///
    /// # Errors
    /// When the file is not part of the site, or a copied file cannot be read any more.
    pub fn bytes(&self, path: &str) -> Result<Vec<u8>, DeployError> {
        match self.files.get(path) {
            Some((_, Source::Memory(b))) => Ok(b.clone()),
            Some((_, Source::Disk(from))) => std::fs::read(from).map_err(|e| {
                DeployError::new(
                    format!("could not read {}: {e}", from.display()),
                    "the file changed during the deploy: deploy again",
                )
            }),
            None => Err(DeployError::new(
                format!("{path} is not part of the built site"),
                "deploy again",
            )),
        }
    }
}

/// Hashes every output file of `site`: those rendered in memory and those the build copies.
/// The manifest's own path is left out (a site cannot overwrite it).
///
/// # Errors
/// When a file to copy cannot be read.
pub fn collect(site: crate::render::BuiltSite) -> Result<LocalSite, DeployError> {
    let mut local = LocalSite::default();
    for (path, bytes) in site.files {
        let entry = entry_of(&bytes);
        local.files.insert(path, (entry, Source::Memory(bytes)));
    }
    for copy in site.copies {
        let bytes = std::fs::read(&copy.from).map_err(|e| {
            DeployError::new(
                format!("could not read {}: {e}", copy.from.display()),
                "check the file, then deploy again",
            )
        })?;
        local
            .files
            .insert(copy.to, (entry_of(&bytes), Source::Disk(copy.from)));
    }
    local.files.remove(MANIFEST_PATH);
    Ok(local)
}

/// The manifest entry (hash and size) of `bytes`.
pub(crate) fn entry_of(bytes: &[u8]) -> Entry {
    Entry {
        hash: manifest::hash_bytes(bytes),
        size: bytes.len() as u64,
    }
}

/// The manifest on the target, or `None` when there is none (a first deploy).
///
/// # Errors
/// When it cannot be read, or is damaged ([`Manifest::parse`]).
pub fn read_manifest(remote: &mut dyn Remote) -> Result<Option<Manifest>, DeployError> {
    match remote.read(MANIFEST_PATH)? {
        Some(bytes) => Manifest::parse(&bytes, &remote.describe()).map(Some),
        None => Ok(None),
    }
}

/// Carries out `plan` on `remote`: the early manifest (when there is one), the uploads in
/// order, the new manifest, the removals, the manifest again without them, then
/// [`Remote::finish`]. `progress` is called before each upload; when it answers
/// `ControlFlow::Break` (the owner pressed Ctrl-C), the deploy stops there.
///
/// # Errors
/// The first error of the target, or a stop asked for by `progress`; what was done before it
/// stays done, and the manifest on the target lets the next deploy finish the job (see
/// [`manifest`]). Nothing is committed or pushed on a git target.
pub fn execute(
    remote: &mut dyn Remote,
    plan: &Plan,
    site: &LocalSite,
    progress: &mut dyn FnMut(Progress<'_>) -> ControlFlow<()>,
) -> Result<(), DeployError> {
    if let Some(before) = &plan.before {
        remote.put(MANIFEST_PATH, &before.to_bytes())?;
    }
    let total = plan.uploads.len();
    let bytes_total = plan.upload_bytes();
    let mut bytes_done = 0;
    for (done, upload) in plan.uploads.iter().enumerate() {
        let step = progress(Progress {
            done,
            total,
            bytes_done,
            bytes_total,
            path: &upload.path,
        });
        if step.is_break() {
            return Err(stopped(&remote.describe()));
        }
        remote.put(&upload.path, &site.bytes(&upload.path)?)?;
        bytes_done += upload.size;
    }
    if !plan.is_empty() || plan.first {
        remote.put(MANIFEST_PATH, &plan.after.to_bytes())?;
    }
    for path in &plan.removals {
        remote.remove(path)?;
    }
    if !plan.removals.is_empty() {
        let done = Manifest::new(plan.after.files.clone(), Vec::new());
        remote.put(MANIFEST_PATH, &done.to_bytes())?;
    }
    remote.finish()
}

/// The error of a deploy stopped by the owner (Ctrl-C) before it was complete.
pub(crate) fn stopped(target: &str) -> DeployError {
    DeployError::new(
        format!("the deploy to {target} was stopped before it was complete"),
        "run stillpoint deploy again to finish it (until then the site online is the old one, plus some new files)",
    )
}

/// `stillpoint deploy`: builds the site, checks it is ready, and deploys it (see the module
/// docs). `progress` is called before each upload, and stops the deploy when it answers
/// `ControlFlow::Break` (see [`execute`]).
///
/// # Errors
/// See [`DeployFailure`]: a build error, a site not ready to publish (without `force`), no
/// target given, or the target's errors. After a target error, running the deploy again
/// finishes the job.
pub fn deploy(
    options: &DeployOptions,
    progress: &mut dyn FnMut(Progress<'_>) -> ControlFlow<()>,
) -> Result<DeployReport, DeployFailure> {
    let built = crate::build_retained(&options.build, false).map_err(DeployFailure::Build)?;
    let findings = crate::publish::findings(&built.config, &built.tree);
    if !findings.is_empty() && !options.force {
        return Err(DeployFailure::NotReady(findings));
    }
    let config = built.config;
    let target = resolve_target(options, &config).map_err(DeployFailure::Target)?;
    if let target::Target::Folder(folder) = &target {
        target::check_folder(folder, &config.root).map_err(DeployFailure::Target)?;
    }
    let mut connect = options.connect.clone();
    if connect.identity_file.is_none() {
        connect
            .identity_file
            .clone_from(&config.deploy.identity_file);
    }
    let mut site = built.site;
    let mut warnings = std::mem::take(&mut site.warnings);
    if let target::Target::Remote(url) = &target
        && url.scheme() == "ftp"
    {
        warnings.push(
            Diagnostic::warning(
                "ftp:// sends the password and every file across the network unencrypted",
            )
            .help("use sftp:// or ftps:// if your host offers either"),
        );
    }
    let local = collect(site).map_err(DeployFailure::Target)?;
    let mut remote =
        target::connect(&target, &connect, &config.root).map_err(DeployFailure::Target)?;
    let mut old = read_manifest(remote.as_mut()).map_err(DeployFailure::Target)?;
    if options.full {
        old = old.map(Manifest::without_hashes);
    } else if let Some(manifest) = old {
        old = Some(forget_drifted(remote.as_mut(), manifest, &local)?);
    }
    let plan = plan::plan(&local.entries(), old.as_ref());
    let started = Instant::now();
    let uploads: Vec<&str> = plan.uploads.iter().map(|u| u.path.as_str()).collect();
    remote.preflight(&uploads).map_err(DeployFailure::Target)?;
    if options.dry_run {
        remote.finish().map_err(DeployFailure::Target)?;
    } else {
        execute(remote.as_mut(), &plan, &local, progress).map_err(DeployFailure::Target)?;
    }
    let elapsed = started.elapsed();
    let verified = (!options.dry_run && !options.no_verify)
        .then(|| verify::verify(&config.base_url, &plan, &local))
        .flatten();
    Ok(DeployReport {
        target: remote.describe(),
        plan,
        dry_run: options.dry_run,
        elapsed,
        warnings,
        forced: findings,
        verified,
    })
}

/// `old` with the hashes forgotten of the site's files that the target no longer holds as
/// recorded ([`Remote::drifted`]: deleted or changed by hand), so they are sent again. Only the
/// files the site still has unchanged are asked about.
fn forget_drifted(
    remote: &mut dyn Remote,
    old: Manifest,
    site: &LocalSite,
) -> Result<Manifest, DeployFailure> {
    let asked: Vec<(&str, u64)> = old
        .files
        .iter()
        .filter(|(path, entry)| site.files.get(*path).is_some_and(|(e, _)| e == *entry))
        .map(|(path, entry)| (path.as_str(), entry.size))
        .collect();
    let drifted = remote.drifted(&asked).map_err(DeployFailure::Target)?;
    Ok(old.forgetting(&drifted))
}

/// The target to deploy to: `--target`, else `deploy.target` of config.yaml.
fn resolve_target(
    options: &DeployOptions,
    config: &crate::config::Config,
) -> Result<target::Target, DeployError> {
    if let Some(t) = &options.target {
        let here = std::env::current_dir().unwrap_or_default();
        return target::parse(t, &here);
    }
    match &config.deploy.target {
        Some(t) => target::parse(t, &config.root),
        None => Err(DeployError::new(
            "no deploy target: stillpoint does not know where to publish the site",
            "add it to config.yaml (`deploy:` then `  target: \"/media/usb/site\"` or an sftp://, ftp:// or git+ssh:// address), or give it with --target",
        )),
    }
}

#[cfg(test)]
mod tests;
