//! What a deploy target can do: the one interface every kind of target (a folder, SFTP, FTP,
//! a git branch) implements, so the deploy plan (what to send, in which order, what to remove)
//! is decided once, in `deploy`, and never per protocol.
//!
//! Paths are relative to the target's root folder, `/`-separated, never starting with `/` and
//! never containing `..` (the plan only names files the build wrote or the manifest lists).

use std::fmt;

/// A deploy failure, in plain words: what went wrong at which target, and what to do.
///
/// `message` names the target (as [`Remote::describe`] gives it) and the file when one is
/// involved; `help` is the next step for the owner ("check the password in
/// STILLPOINT_DEPLOY_PASSWORD", "create the folder /www on the host first").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployError {
    /// One sentence saying what went wrong.
    pub message: String,
    /// What to do about it.
    pub help: String,
}

impl DeployError {
    /// A deploy error from its message and its help.
    pub fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        DeployError {
            message: message.into(),
            help: help.into(),
        }
    }
}

impl fmt::Display for DeployError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for DeployError {}

/// How to reach a target, besides its URL: the owner's choices from `config.yaml`'s `deploy:`
/// section and the command line.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// `deploy.identity_file`: the SSH private key to use instead of the agent and `~/.ssh`.
    pub identity_file: Option<std::path::PathBuf>,
    /// `--host-key`: the SSH host key fingerprint the owner accepts (`SHA256:…`), for a host not
    /// yet in `~/.ssh/known_hosts`, when not on a terminal.
    pub host_key: Option<String>,
    /// The password, from `STILLPOINT_DEPLOY_PASSWORD`; never from config.yaml or the URL.
    /// When `None` and `interactive`, it is asked for on the terminal when the host needs one.
    pub password: Option<String>,
    /// Whether a person is at a terminal to answer questions (an unknown host key, a password).
    pub interactive: bool,
    /// Where `known_hosts` is (default `~/.ssh/known_hosts`); tests point it at their own.
    pub known_hosts: Option<std::path::PathBuf>,
    /// A PEM file of certificates to trust for `ftps://` besides the usual authorities (from
    /// `SSL_CERT_FILE`, the variable OpenSSL, curl and git read): for a host whose certificate
    /// is self-signed or signed by the owner's own authority.
    pub certificates: Option<std::path::PathBuf>,
}

/// One connected deploy target. Every method works on paths relative to the target's root.
///
/// The deploy plan calls `read` for the manifest, then `put` for each new or changed file in a
/// safe order, then `put` for the manifest, then `remove` for files gone from the site, then
/// `finish`. A method returns as soon as its change is complete on the target; after an error
/// the plan stops and the owner runs the deploy again.
pub trait Remote {
    /// The target as shown in messages: its URL without a password (`sftp://studio@host/www`).
    fn describe(&self) -> String;

    /// Checks, before anything is written, that each of `paths` can be written: no file stands
    /// where a folder is needed and no folder where a file goes. The default checks nothing
    /// (a remote host is only asked as each file is sent).
    ///
    /// # Errors
    /// The first path that is in the way, naming it and saying the owner must move or delete it.
    fn preflight(&mut self, paths: &[&str]) -> Result<(), DeployError> {
        let _ = paths;
        Ok(())
    }

    /// Of `files` (paths and sizes the manifest records as on the target), those that are not
    /// there as recorded (deleted or changed by hand), so the deploy sends them again. Only
    /// targets that can tell without a round trip per folder answer (a folder: one `stat` per
    /// file; a git branch: its tree is already read); the default, for SFTP and FTP, finds
    /// nothing (`--full` sends everything again there).
    ///
    /// # Errors
    /// When the target cannot be read.
    fn drifted(&mut self, files: &[(&str, u64)]) -> Result<Vec<String>, DeployError> {
        let _ = files;
        Ok(Vec::new())
    }

    /// The bytes of the file at `path`, or `Ok(None)` when there is no such file.
    ///
    /// # Errors
    /// When the target cannot be read (connection lost, permission denied).
    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>, DeployError>;

    /// Writes `bytes` to `path`, creating its parent folders, so that a reader sees either the
    /// old file or the whole new one: written under a temporary name in the same folder, then
    /// renamed over `path` (where the protocol cannot rename over a file, the old file is
    /// removed just before the rename).
    ///
    /// # Errors
    /// When the file cannot be written (disk full, permission denied, connection lost). A
    /// temporary file left behind by a failure is removed on a best-effort basis.
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), DeployError>;

    /// Removes the file at `path`; a file already gone is not an error. A parent folder left
    /// empty is removed too, up to (not including) the target's root.
    ///
    /// # Errors
    /// When the file exists and cannot be removed.
    fn remove(&mut self, path: &str) -> Result<(), DeployError>;

    /// Completes the deploy: closes the connection; for a git target, commits the tree and
    /// pushes the branch.
    ///
    /// # Errors
    /// When the final step fails (a push refused, a connection that does not close cleanly).
    fn finish(&mut self) -> Result<(), DeployError>;
}
