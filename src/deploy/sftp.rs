//! Deploy over SFTP (`sftp://user@host[:port]/path`): the SSH file transfer protocol, version 3
//! (draft-ietf-secsh-filexfer-02), as OpenSSH's `sftp-server` and every shared host speak it.
//!
//! Built on `russh` (SSH) and `russh-sftp` (its raw SFTP requests), pure Rust, behind the cargo
//! feature `sftp`. The SSH part follows OpenSSH's client:
//! - the host's key is checked against `known_hosts` (`ConnectOptions::known_hosts`, else
//!   `~/.ssh/known_hosts`; plain and hashed host names, `[host]:port` for other ports). A host
//!   not listed is shown with its `SHA256:` fingerprint (as `ssh-keygen -lf` prints it) and the
//!   owner is asked on a terminal (a yes adds it to `known_hosts`, as `ssh` does); off a
//!   terminal it is refused unless `--host-key` gives that fingerprint. A host whose key
//!   changed is always refused.
//! - keys are tried in `ssh`'s order: `deploy.identity_file` alone when it is set, else the SSH
//!   agent's keys (`SSH_AUTH_SOCK`), then `~/.ssh/id_ed25519`, `id_ecdsa` and `id_rsa` (keys
//!   without a passphrase; a key with one goes into the agent). Then the password, when there
//!   is one.
//!
//! The path of the URL is absolute on the host (`sftp://me@host/www` is `/www`); `/~/www` is
//! `www` in the user's home folder, as in the `sftp` URI draft (draft-ietf-secsh-scp-sftp-ssh-uri).
//! The folder must exist: a deploy never creates the root of its target.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use russh::client::{self, Handle};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};
use russh_sftp::client::RawSftpSession;
use russh_sftp::client::error::Error as SftpError;
use russh_sftp::protocol::{FileAttributes, FileType, OpenFlags, StatusCode};

use super::preflight::{self, Kind, Listing};
use super::remote::{ConnectOptions, DeployError, Remote};
use super::settings::password_for;

/// How long connecting (TCP, SSH handshake) may take before the host is called unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long one SFTP request may wait for its answer.
const REQUEST_TIMEOUT_SECS: u64 = 30;
/// Bytes per SFTP write or read request: what every server accepts (OpenSSH allows 256 KiB).
const CHUNK: usize = 32 * 1024;
/// Write requests in flight at once, so a far host is not paid one round trip per 32 KiB.
const WRITES_IN_FLIGHT: usize = 16;
/// OpenSSH's extension that renames over an existing file atomically (POSIX `rename(2)`).
const POSIX_RENAME: &str = "posix-rename@openssh.com";

/// Connects to an `sftp://` target and checks that its folder exists.
///
/// `url` is `sftp://user@host[:port]/path` (the user is required; the port defaults to 22);
/// `options` gives the key, the password, the accepted host key and where `known_hosts` is.
///
/// # Errors
/// In plain words, naming the target: a URL with a password or without a user; a host that
/// cannot be reached (with host:port); an unknown or changed host key; no key and no password
/// accepted; a folder that does not exist on the host.
pub fn connect(url: &url::Url, options: &ConnectOptions) -> Result<Box<dyn Remote>, DeployError> {
    let target = Target::parse(url)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| DeployError::new(format!("could not start the SFTP client: {e}"), ""))?;
    let session = runtime.block_on(open_session(&target, options))?;
    let mut remote = SftpRemote {
        runtime,
        target,
        ssh: session.ssh,
        sftp: session.sftp,
        posix_rename: session.posix_rename,
        statvfs: session.statvfs,
        folders: HashSet::new(),
    };
    remote.check_root()?;
    Ok(Box::new(remote))
}

/// What the URL names: who, where, and the root folder.
#[derive(Debug, Clone)]
struct Target {
    user: String,
    host: String,
    port: u16,
    /// The root folder as a prefix for paths: `/www/`, `/`, or `` / `www/` in the home folder.
    root: String,
    /// The URL without a password, for messages.
    shown: String,
}

impl Target {
    fn parse(url: &url::Url) -> Result<Target, DeployError> {
        let mut shown = url.clone();
        let _ = shown.set_password(None);
        let shown = shown.to_string();
        if url.password().is_some() {
            return Err(DeployError::new(
                format!("the deploy target {shown} has a password in it"),
                "a password never goes in the target: set STILLPOINT_DEPLOY_PASSWORD in the \
                 terminal before deploying",
            ));
        }
        let user = decode(url.username());
        let host = url.host_str().unwrap_or_default().to_owned();
        if user.is_empty() || host.is_empty() {
            return Err(DeployError::new(
                format!("the deploy target {shown} names no user or no host"),
                "write it as sftp://user@host/folder, with the user name your host gave you",
            ));
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let path = decode(url.path());
        let root = match path.strip_prefix("/~") {
            Some(rest) => rest.trim_start_matches('/').to_owned(),
            None if path.is_empty() => "/".to_owned(),
            None => path,
        };
        let root = if root.is_empty() || root.ends_with('/') {
            root
        } else {
            format!("{root}/")
        };
        let port = url.port().unwrap_or(22);
        Ok(Target {
            user,
            host,
            port,
            root,
            shown,
        })
    }

    fn host_port(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The path on the host of `path` (relative to the root); `""` is the root itself.
    fn full(&self, path: &str) -> String {
        let joined = format!("{}{path}", self.root);
        match joined.trim_end_matches('/') {
            "" if self.root.starts_with('/') => "/".to_owned(),
            "" => ".".to_owned(),
            trimmed => trimmed.to_owned(),
        }
    }
}

/// Percent-decodes a URL part (a user name or path with spaces or non-ASCII letters).
fn decode(part: &str) -> String {
    percent_encoding::percent_decode_str(part)
        .decode_utf8_lossy()
        .into_owned()
}

/// What the host-key check saw, for the message after a refused handshake.
#[derive(Debug, Clone)]
enum HostKeyProblem {
    Unknown { fingerprint: String, key: PublicKey },
    Changed { fingerprint: String, line: usize },
    Unreadable(String),
}

/// The SSH client's handler: checks the host key and records why one was refused.
struct HostCheck {
    host: String,
    port: u16,
    known_hosts: PathBuf,
    /// A fingerprint the owner accepted (`--host-key`, or a yes on the terminal).
    accept: Option<String>,
    problem: Arc<Mutex<Option<HostKeyProblem>>>,
}

impl client::Handler for HostCheck {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_public_key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let key = server_public_key.public_key();
        let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
        let known =
            russh::keys::check_known_hosts_path(&self.host, self.port, &key, &self.known_hosts);
        let problem = match known {
            Ok(true) => return Ok(true),
            Err(russh::keys::Error::KeyChanged { line }) => {
                HostKeyProblem::Changed { fingerprint, line }
            }
            Ok(false)
                if self
                    .accept
                    .as_deref()
                    .is_some_and(|a| same_fingerprint(a, &fingerprint)) =>
            {
                return Ok(true);
            }
            Ok(false) => HostKeyProblem::Unknown { fingerprint, key },
            Err(e) => HostKeyProblem::Unreadable(e.to_string()),
        };
        if let Ok(mut slot) = self.problem.lock() {
            *slot = Some(problem);
        }
        Ok(false)
    }
}

/// Whether the owner's `--host-key` names `fingerprint` (`SHA256:` prefix optional).
fn same_fingerprint(given: &str, fingerprint: &str) -> bool {
    let bare = |f: &str| {
        f.trim()
            .trim_start_matches("SHA256:")
            .trim_end_matches('=')
            .to_owned()
    };
    !given.trim().is_empty() && bare(given) == bare(fingerprint)
}

/// A logged-in SSH connection with its SFTP subsystem started.
struct Session {
    ssh: Handle<HostCheck>,
    sftp: RawSftpSession,
    posix_rename: bool,
    statvfs: bool,
}

/// Connects, checks the host key (asking on a terminal), logs in and starts SFTP.
async fn open_session(target: &Target, options: &ConnectOptions) -> Result<Session, DeployError> {
    let known_hosts = known_hosts_path(options);
    let accept = options.host_key.clone();
    let mut ssh = match handshake(target, &known_hosts, accept).await {
        Ok(ssh) => ssh,
        Err(HandshakeError::Plain(e)) => return Err(e),
        Err(HandshakeError::HostKey(problem)) => {
            let accepted = host_key_decision(target, &known_hosts, problem, options)?;
            handshake(target, &known_hosts, Some(accepted))
                .await
                .map_err(|e| match e {
                    HandshakeError::Plain(e) => e,
                    HandshakeError::HostKey(_) => host_key_changed_during(target),
                })?
        }
    };
    authenticate(&mut ssh, target, options).await?;
    let channel = ssh
        .channel_open_session()
        .await
        .map_err(|e| lost(target, &e.to_string()))?;
    channel
        .request_subsystem(true, "sftp")
        .await
        .map_err(|e| lost(target, &e.to_string()))?;
    let sftp = RawSftpSession::new(channel.into_stream());
    sftp.set_timeout(REQUEST_TIMEOUT_SECS);
    let version = sftp.init().await.map_err(|_| {
        DeployError::new(
            format!("the host of {} did not start SFTP", target.shown),
            "ask your host whether SFTP is enabled for this user",
        )
    })?;
    Ok(Session {
        ssh,
        posix_rename: version.extensions.contains_key(POSIX_RENAME),
        statvfs: version.extensions.contains_key("statvfs@openssh.com"),
        sftp,
    })
}

fn known_hosts_path(options: &ConnectOptions) -> PathBuf {
    options
        .known_hosts
        .clone()
        .unwrap_or_else(|| home().join(".ssh").join("known_hosts"))
}

fn home() -> PathBuf {
    std::env::home_dir().unwrap_or_default()
}

enum HandshakeError {
    Plain(DeployError),
    HostKey(HostKeyProblem),
}

/// TCP connect and SSH key exchange, with the host key checked by [`HostCheck`].
async fn handshake(
    target: &Target,
    known_hosts: &Path,
    accept: Option<String>,
) -> Result<Handle<HostCheck>, HandshakeError> {
    let problem = Arc::new(Mutex::new(None));
    let handler = HostCheck {
        host: target.host.clone(),
        port: target.port,
        known_hosts: known_hosts.to_owned(),
        accept,
        problem: Arc::clone(&problem),
    };
    let config = Arc::new(client::Config {
        inactivity_timeout: Some(Duration::from_secs(120)),
        keepalive_interval: Some(Duration::from_secs(15)),
        ..client::Config::default()
    });
    let address = (target.host.as_str(), target.port);
    let connecting = async {
        let socket = tokio::net::TcpStream::connect(address).await?;
        let _ = socket.set_nodelay(true);
        client::connect_stream(config, socket, handler).await
    };
    let result = tokio::time::timeout(CONNECT_TIMEOUT, connecting).await;
    let seen = problem.lock().ok().and_then(|mut p| p.take());
    match (result, seen) {
        (Ok(Ok(handle)), _) => Ok(handle),
        (Ok(Err(_)), Some(problem)) => Err(HandshakeError::HostKey(problem)),
        (Ok(Err(e)), None) => Err(HandshakeError::Plain(unreachable(target, &e))),
        (Err(_), _) => Err(HandshakeError::Plain(DeployError::new(
            format!(
                "could not connect to {} for {}: no answer in {} seconds",
                target.host_port(),
                target.shown,
                CONNECT_TIMEOUT.as_secs()
            ),
            "check the host name and port in deploy.target, and your network connection",
        ))),
    }
}

/// The error for a connection that failed before the host key was seen.
fn unreachable(target: &Target, error: &russh::Error) -> DeployError {
    let why = match error {
        russh::Error::IO(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => "the connection was refused".to_owned(),
            std::io::ErrorKind::TimedOut => "no answer".to_owned(),
            _ => io.to_string(),
        },
        other => other.to_string(),
    };
    DeployError::new(
        format!(
            "could not connect to {} for {}: {why}",
            target.host_port(),
            target.shown
        ),
        "check the host name and port in deploy.target (SFTP is usually port 22), and that the \
         host is up",
    )
}

/// Decides about a refused host key: a changed key is refused; an unknown one is asked about
/// on a terminal (a yes adds it to `known_hosts`) and refused otherwise. Returns the accepted
/// fingerprint.
fn host_key_decision(
    target: &Target,
    known_hosts: &Path,
    problem: HostKeyProblem,
    options: &ConnectOptions,
) -> Result<String, DeployError> {
    match problem {
        HostKeyProblem::Changed { fingerprint, line } => Err(DeployError::new(
            format!(
                "WARNING: THE HOST KEY OF {} HAS CHANGED. It is now {fingerprint}, not the one \
                 on line {line} of {}. Someone may be impersonating the host; nothing was sent.",
                target.host_port(),
                known_hosts.display()
            ),
            "ask your host whether they changed the server's key. Only if they did, remove line \
             {line} from known_hosts (ssh-keygen -R) and deploy again.",
        )),
        HostKeyProblem::Unreadable(why) => Err(DeployError::new(
            format!("could not read {}: {why}", known_hosts.display()),
            "fix or move that file, or set where it is",
        )),
        HostKeyProblem::Unknown { fingerprint, key } => {
            if options.interactive && ask_host_key(target, &fingerprint) {
                remember_host_key(target, known_hosts, &key)?;
                return Ok(fingerprint);
            }
            Err(DeployError::new(
                format!(
                    "the host {} of {} is not in {}; its key fingerprint is {fingerprint}",
                    target.host_port(),
                    target.shown,
                    known_hosts.display()
                ),
                format!(
                    "check with your host that {fingerprint} is their server's key, then deploy \
                     with --host-key {fingerprint} (or once from a terminal, to answer yes)"
                ),
            ))
        }
    }
}

fn host_key_changed_during(target: &Target) -> DeployError {
    DeployError::new(
        format!(
            "the host key of {} changed between two connections",
            target.host_port()
        ),
        "deploy again; if it happens again, ask your host about their server's key",
    )
}

/// Shows an unknown host's fingerprint on the terminal and asks; true for a yes.
fn ask_host_key(target: &Target, fingerprint: &str) -> bool {
    use std::io::{BufRead, Write};
    let mut err = std::io::stderr();
    let _ = write!(
        err,
        "The host {} is not known yet.\nIts key fingerprint is {fingerprint}.\nCheck it with \
         your host. Connect and remember it (yes/no)? ",
        target.host_port()
    );
    let _ = err.flush();
    let mut answer = String::new();
    let read = std::io::stdin().lock().read_line(&mut answer);
    read.is_ok() && matches!(answer.trim().to_ascii_lowercase().as_str(), "yes" | "y")
}

fn remember_host_key(
    target: &Target,
    known_hosts: &Path,
    key: &PublicKey,
) -> Result<(), DeployError> {
    if let Some(folder) = known_hosts.parent() {
        let _ = std::fs::create_dir_all(folder);
    }
    russh::keys::known_hosts::learn_known_hosts_path(&target.host, target.port, key, known_hosts)
        .map_err(|e| {
            DeployError::new(
                format!(
                    "could not add the host key to {}: {e}",
                    known_hosts.display()
                ),
                "check that the file can be written",
            )
        })
}

/// Logs in: the identity file alone when set, else the agent's keys and `~/.ssh`'s; then the
/// password, when there is one.
async fn authenticate(
    ssh: &mut Handle<HostCheck>,
    target: &Target,
    options: &ConnectOptions,
) -> Result<(), DeployError> {
    let rsa_hash = ssh.best_supported_rsa_hash().await.ok().flatten().flatten();
    if let Some(file) = &options.identity_file {
        let key = load_key(file).map_err(|why| {
            DeployError::new(
                format!(
                    "could not use the SSH key {} for {}: {why}",
                    file.display(),
                    target.shown
                ),
                "check deploy.identity_file; a key with a passphrase goes into the SSH agent \
                 (ssh-add) instead",
            )
        })?;
        if try_key(ssh, target, key, rsa_hash).await? {
            return Ok(());
        }
    } else if try_agent(ssh, target, rsa_hash).await?
        || try_home_keys(ssh, target, rsa_hash).await?
    {
        return Ok(());
    }
    let shown = target.shown.as_str();
    let password = password_for(
        options.password.as_deref(),
        options.interactive,
        &target.user,
        shown,
    );
    if let Some(password) = &password {
        let result = ssh
            .authenticate_password(target.user.as_str(), password.as_str())
            .await
            .map_err(|e| lost(target, &e.to_string()))?;
        if result.success() {
            return Ok(());
        }
        return Err(DeployError::new(
            format!(
                "the host of {} refused the password for the user {}",
                target.shown, target.user
            ),
            "check the password (in STILLPOINT_DEPLOY_PASSWORD, or as you typed it) and the user name in deploy.target",
        ));
    }
    Err(DeployError::new(
        format!(
            "the host of {} accepted none of your SSH keys for the user {}",
            target.shown, target.user
        ),
        "add your public key (~/.ssh/id_ed25519.pub) to the host's ~/.ssh/authorized_keys, set \
         deploy.identity_file, or set STILLPOINT_DEPLOY_PASSWORD",
    ))
}

/// A private key from a file, when it has no passphrase.
fn load_key(file: &Path) -> Result<russh::keys::PrivateKey, String> {
    russh::keys::load_secret_key(file, None).map_err(|e| match e {
        russh::keys::Error::KeyIsEncrypted => "it is protected by a passphrase".to_owned(),
        russh::keys::Error::IO(io) => io.to_string(),
        other => other.to_string(),
    })
}

async fn try_key(
    ssh: &mut Handle<HostCheck>,
    target: &Target,
    key: russh::keys::PrivateKey,
    rsa_hash: Option<HashAlg>,
) -> Result<bool, DeployError> {
    let hash = key.algorithm().is_rsa().then_some(rsa_hash).flatten();
    let key = PrivateKeyWithHashAlg::new(Arc::new(key), hash);
    let result = ssh
        .authenticate_publickey(target.user.as_str(), key)
        .await
        .map_err(|e| lost(target, &e.to_string()))?;
    Ok(result.success())
}

/// Tries each key the SSH agent holds; false when there is no agent or none is accepted.
async fn try_agent(
    ssh: &mut Handle<HostCheck>,
    target: &Target,
    rsa_hash: Option<HashAlg>,
) -> Result<bool, DeployError> {
    if std::env::var_os("SSH_AUTH_SOCK").is_none() {
        return Ok(false);
    }
    let Ok(mut agent) = russh::keys::agent::client::AgentClient::connect_env().await else {
        return Ok(false);
    };
    let identities = agent.request_identities().await.unwrap_or_default();
    for identity in identities {
        let key = identity.public_key().into_owned();
        let hash = key.algorithm().is_rsa().then_some(rsa_hash).flatten();
        match ssh
            .authenticate_publickey_with(target.user.as_str(), key, hash, &mut agent)
            .await
        {
            Ok(result) if result.success() => return Ok(true),
            Ok(_) => {}
            Err(russh::AgentAuthError::Send(_)) => return Err(lost(target, "connection closed")),
            Err(_) => {}
        }
    }
    Ok(false)
}

/// Tries `~/.ssh/id_ed25519`, `id_ecdsa` and `id_rsa` (those present and without a passphrase).
async fn try_home_keys(
    ssh: &mut Handle<HostCheck>,
    target: &Target,
    rsa_hash: Option<HashAlg>,
) -> Result<bool, DeployError> {
    let folder = home().join(".ssh");
    for name in ["id_ed25519", "id_ecdsa", "id_rsa"] {
        let Ok(key) = load_key(&folder.join(name)) else {
            continue;
        };
        if try_key(ssh, target, key, rsa_hash).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The error for a connection lost in the middle of the work.
fn lost(target: &Target, why: &str) -> DeployError {
    DeployError::new(
        format!(
            "the connection to {} ({}) was lost: {why}",
            target.host_port(),
            target.shown
        ),
        "deploy again: it continues where it stopped, and the site stays as it was meanwhile",
    )
}

/// A connected SFTP target.
struct SftpRemote {
    /// Runs the async SSH client for the blocking [`Remote`] methods.
    runtime: tokio::runtime::Runtime,
    target: Target,
    ssh: Handle<HostCheck>,
    sftp: RawSftpSession,
    /// Whether the server renames over a file atomically (OpenSSH does).
    posix_rename: bool,
    /// Whether the server tells its free space (to name a full disk as such).
    statvfs: bool,
    /// Folders (relative to the root) known to exist, so each is made or checked once.
    folders: HashSet<String>,
}

impl SftpRemote {
    /// Checks that the root folder exists and is a folder.
    fn check_root(&mut self) -> Result<(), DeployError> {
        let root = self.target.full("");
        let stat = self.runtime.block_on(self.sftp.stat(root.as_str()));
        match stat {
            Ok(attrs) if attrs.attrs.is_dir() => Ok(()),
            Ok(_) => Err(DeployError::new(
                format!(
                    "{} is a file on the host of {}, not a folder",
                    root, self.target.shown
                ),
                "fix the path in deploy.target",
            )),
            Err(SftpError::Status(s)) if s.status_code == StatusCode::NoSuchFile => {
                Err(DeployError::new(
                    format!(
                        "the folder {root} does not exist on the host of {}",
                        self.target.shown
                    ),
                    format!("create {root} on the host, or fix the path in deploy.target"),
                ))
            }
            Err(e) => Err(self.failed(&format!("could not open the folder {root}"), &e)),
        }
    }

    /// The error for a failed SFTP request, in plain words; `what` says what was being done.
    fn failed(&self, what: &str, error: &SftpError) -> DeployError {
        let shown = &self.target.shown;
        match error {
            SftpError::Status(s) => match s.status_code {
                StatusCode::PermissionDenied => DeployError::new(
                    format!("{what} on {shown}: permission denied"),
                    format!(
                        "check that the user {} may write to that folder on the host, or fix the \
                         path in deploy.target",
                        self.target.user
                    ),
                ),
                StatusCode::NoSuchFile => DeployError::new(
                    format!("{what} on {shown}: no such file or folder"),
                    "deploy again; if it fails again, check the path in deploy.target",
                ),
                StatusCode::ConnectionLost | StatusCode::NoConnection => {
                    lost(&self.target, &s.error_message)
                }
                _ => DeployError::new(
                    format!("{what} on {shown}: the host said \"{}\"", s.error_message),
                    "check the folder on the host (space, permissions), then deploy again",
                ),
            },
            SftpError::Timeout => lost(&self.target, "no answer in 30 seconds"),
            other => lost(&self.target, &other.to_string()),
        }
    }

    /// A failed write: a full disk when the server says how little space is left.
    fn write_failed(&self, path: &str, size: usize, error: &SftpError) -> DeployError {
        let full = self.target.full(path);
        if let SftpError::Status(s) = error
            && s.status_code == StatusCode::Failure
            && self.statvfs
        {
            let parent = parent_of(&full);
            let space = self.runtime.block_on(self.sftp.statvfs(parent));
            if let Ok(space) = space
                && space.blocks_avail.saturating_mul(space.fragment_size) < size as u64 + 4096
            {
                return disk_full(&self.target.shown, path);
            }
        }
        self.failed(&format!("could not write {path}"), error)
    }

    /// Makes the folders above `path` that are not there yet.
    fn make_parents(&mut self, path: &str) -> Result<(), DeployError> {
        let mut end = 0;
        while let Some(slash) = path[end..].find('/') {
            end += slash;
            let folder = &path[..end];
            end += 1;
            if self.folders.contains(folder) {
                continue;
            }
            let full = self.target.full(folder);
            let made = self.runtime.block_on(async {
                match self.sftp.stat(full.as_str()).await {
                    Ok(_) => Ok(()),
                    Err(SftpError::Status(s)) if s.status_code == StatusCode::NoSuchFile => self
                        .sftp
                        .mkdir(full.as_str(), FileAttributes::empty())
                        .await
                        .map(|_| ()),
                    Err(e) => Err(e),
                }
            });
            made.map_err(|e| self.failed(&format!("could not create the folder {folder}"), &e))?;
            self.folders.insert(folder.to_owned());
        }
        Ok(())
    }

    /// Writes `bytes` to the file `full` (created or truncated), several requests in flight.
    async fn write_file(&self, full: &str, bytes: &[u8]) -> Result<(), SftpError> {
        let flags = OpenFlags::CREATE | OpenFlags::TRUNCATE | OpenFlags::WRITE;
        let handle = self
            .sftp
            .open(full, flags, FileAttributes::empty())
            .await?
            .handle;
        let writes = futures_util::stream::iter(bytes.chunks(CHUNK).enumerate())
            .map(|(i, chunk)| {
                let handle = handle.clone();
                async move {
                    self.sftp
                        .write(handle, (i * CHUNK) as u64, chunk.to_vec())
                        .await
                }
            })
            .buffer_unordered(WRITES_IN_FLIGHT)
            .try_collect::<Vec<_>>()
            .await;
        let closed = self.sftp.close(handle).await;
        writes?;
        closed.map(|_| ())
    }

    /// Renames `from` over `to`: atomically with OpenSSH's extension, else by removing `to`
    /// first when the plain rename refuses to overwrite (SFTP version 3 servers must refuse).
    async fn rename_over(&self, from: &str, to: &str) -> Result<(), SftpError> {
        if self.posix_rename {
            let mut data = Vec::with_capacity(8 + from.len() + to.len());
            for part in [from, to] {
                data.extend_from_slice(&(part.len() as u32).to_be_bytes());
                data.extend_from_slice(part.as_bytes());
            }
            return match self.sftp.extended(POSIX_RENAME, data).await? {
                russh_sftp::protocol::Packet::Status(s) if s.status_code == StatusCode::Ok => {
                    Ok(())
                }
                russh_sftp::protocol::Packet::Status(s) => Err(SftpError::Status(s)),
                _ => Err(SftpError::UnexpectedPacket),
            };
        }
        match self.sftp.rename(from, to).await {
            Ok(_) => Ok(()),
            Err(SftpError::Status(s)) if s.status_code == StatusCode::Failure => {
                match self.sftp.remove(to).await {
                    Ok(_) => {}
                    Err(SftpError::Status(s)) if s.status_code == StatusCode::NoSuchFile => {}
                    Err(e) => return Err(e),
                }
                self.sftp.rename(from, to).await.map(|_| ())
            }
            Err(e) => Err(e),
        }
    }
}

/// The folder part of a host path (`/www/a/b.html` -> `/www/a`).
fn parent_of(full: &str) -> &str {
    match full.rfind('/') {
        Some(0) => "/",
        Some(i) => &full[..i],
        None => ".",
    }
}

/// The temporary name `path` is written under before the rename: a hidden file beside it.
pub(crate) fn temporary_name(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((folder, name)) => format!("{folder}/.{name}.stillpoint-part"),
        None => format!(".{path}.stillpoint-part"),
    }
}

/// The error for a full disk on the host.
pub(crate) fn disk_full(shown: &str, path: &str) -> DeployError {
    DeployError::new(
        format!("the disk of {shown} is full: {path} could not be written"),
        "free space on the host (or ask your host for more), then deploy again; the site stays \
         as it was meanwhile",
    )
}

impl SftpRemote {
    /// The names in `folder` (relative to the root, known to exist) and what each is, from its
    /// `readdir` attributes (a name without a file type is [`Kind::Other`]).
    fn list(&self, folder: &str) -> Result<Listing, DeployError> {
        let full = self.target.full(folder);
        let sftp = &self.sftp;
        let listed = self.runtime.block_on(async {
            let handle = sftp.opendir(full.as_str()).await?.handle;
            let mut listing = Listing::new();
            let read = loop {
                match sftp.readdir(handle.as_str()).await {
                    Ok(name) if name.files.is_empty() => break Ok(()),
                    Ok(name) => listing.extend(name.files.into_iter().map(|f| {
                        let kind = match f.attrs.permissions.map(|_| f.attrs.file_type()) {
                            Some(FileType::Dir) => Kind::Folder,
                            Some(FileType::File) => Kind::File,
                            _ => Kind::Other,
                        };
                        (f.filename, kind)
                    })),
                    Err(SftpError::Status(s)) if s.status_code == StatusCode::Eof => break Ok(()),
                    Err(e) => break Err(e),
                }
            };
            let _ = sftp.close(handle).await;
            read.map(|()| listing)
        });
        listed.map_err(|e| self.failed(&format!("could not list the folder {full}"), &e))
    }
}

impl Remote for SftpRemote {
    fn describe(&self) -> String {
        self.target.shown.clone()
    }

    fn preflight(&mut self, paths: &[&str]) -> Result<(), DeployError> {
        let this = &*self;
        preflight::check(paths, &mut |folder| this.list(folder), &|p| {
            this.target.full(p)
        })
    }

    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>, DeployError> {
        let full = self.target.full(path);
        let sftp = &self.sftp;
        let result = self.runtime.block_on(async {
            let handle = sftp
                .open(full.as_str(), OpenFlags::READ, FileAttributes::empty())
                .await?;
            let mut bytes = Vec::new();
            let read = loop {
                match sftp
                    .read(handle.handle.as_str(), bytes.len() as u64, CHUNK as u32)
                    .await
                {
                    Ok(data) if data.data.is_empty() => break Ok(()),
                    Ok(data) => bytes.extend_from_slice(&data.data),
                    Err(SftpError::Status(s)) if s.status_code == StatusCode::Eof => break Ok(()),
                    Err(e) => break Err(e),
                }
            };
            let _ = sftp.close(handle.handle).await;
            read.map(|()| bytes)
        });
        match result {
            Ok(bytes) => Ok(Some(bytes)),
            Err(SftpError::Status(s)) if s.status_code == StatusCode::NoSuchFile => Ok(None),
            Err(e) => Err(self.failed(&format!("could not read {path}"), &e)),
        }
    }

    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), DeployError> {
        self.make_parents(path)?;
        let full = self.target.full(path);
        let part = temporary_name(&full);
        let written = self.runtime.block_on(self.write_file(&part, bytes));
        let result = match written {
            Ok(()) => self
                .runtime
                .block_on(self.rename_over(&part, &full))
                .map_err(|e| self.failed(&format!("could not replace {path}"), &e)),
            Err(e) => Err(self.write_failed(path, bytes.len(), &e)),
        };
        if result.is_err() {
            let _ = self.runtime.block_on(self.sftp.remove(part.as_str()));
        }
        result
    }

    fn remove(&mut self, path: &str) -> Result<(), DeployError> {
        let full = self.target.full(path);
        match self.runtime.block_on(self.sftp.remove(full.as_str())) {
            Ok(_) => {}
            Err(SftpError::Status(s)) if s.status_code == StatusCode::NoSuchFile => {}
            Err(e) => return Err(self.failed(&format!("could not remove {path}"), &e)),
        }
        let mut folder = path;
        while let Some((parent, _)) = folder.rsplit_once('/') {
            let full = self.target.full(parent);
            if self
                .runtime
                .block_on(self.sftp.rmdir(full.as_str()))
                .is_err()
            {
                break;
            }
            self.folders.remove(parent);
            folder = parent;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), DeployError> {
        let _ = self.sftp.close_session();
        let _ = self.runtime.block_on(self.ssh.disconnect(
            russh::Disconnect::ByApplication,
            "deploy finished",
            "en",
        ));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Result<Target, DeployError> {
        Target::parse(&url::Url::parse(url).map_err(|e| DeployError::new(e.to_string(), ""))?)
    }

    #[test]
    fn the_path_is_absolute_unless_it_starts_with_a_tilde() -> Result<(), DeployError> {
        let t = target("sftp://studio@example.org/www")?;
        assert_eq!(
            (t.user.as_str(), t.port, t.full("a/b.html")),
            ("studio", 22, "/www/a/b.html".into())
        );
        assert_eq!(t.full(""), "/www");
        let t = target("sftp://studio@example.org:2222/~/public%20html/")?;
        assert_eq!(
            (t.port, t.full("index.html"), t.full("")),
            (2222, "public html/index.html".into(), "public html".into())
        );
        assert_eq!(target("sftp://me@h")?.full("x"), "/x");
        assert_eq!(target("sftp://me@h/")?.full(""), "/");
        assert_eq!(target("sftp://me@h/~/")?.full(""), ".");
        Ok(())
    }

    #[test]
    fn a_password_or_a_missing_user_in_the_url_is_refused() {
        let err = target("sftp://studio:secret@example.org/www").err();
        let err = err.map(|e| e.message).unwrap_or_default();
        assert!(
            err.contains("has a password") && !err.contains("secret"),
            "{err}"
        );
        assert!(target("sftp://example.org/www").is_err());
    }

    #[test]
    fn fingerprints_compare_with_or_without_their_prefix() {
        let fp = "SHA256:abcDEF123";
        assert!(same_fingerprint("SHA256:abcDEF123", fp));
        assert!(same_fingerprint(" abcDEF123 ", fp));
        assert!(!same_fingerprint("SHA256:abcdef123", fp));
        assert!(!same_fingerprint("", fp));
    }

    #[test]
    fn temporary_names_are_hidden_files_beside_the_target() {
        assert_eq!(
            temporary_name("/www/a/b.html"),
            "/www/a/.b.html.stillpoint-part"
        );
        assert_eq!(temporary_name("b.html"), ".b.html.stillpoint-part");
        assert_eq!(parent_of("/www/a/b.html"), "/www/a");
        assert_eq!(parent_of("/b.html"), "/");
    }
}
