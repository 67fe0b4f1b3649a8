//! Deploy over FTP (`ftp://user@host[:port]/path`, RFC 959) and FTPS with explicit TLS
//! (`ftps://…`, RFC 4217: `AUTH TLS` on the usual port, then `PBSZ 0` and `PROT P` so files
//! travel encrypted too).
//!
//! Built on `suppaftp` (blocking), TLS through rustls with the Mozilla root certificates
//! (`webpki-roots`), behind the cargo feature `ftp`. Transfers are binary, in passive mode;
//! when a host answers `PASV` with a private address (a host behind NAT), the control
//! connection's address is used instead, as FileZilla does.
//!
//! FTPS speaks TLS 1.2 (with rustls' forward-secret AEAD cipher suites only): most FTP servers
//! (vsftpd's default `require_ssl_reuse=YES`, ProFTPD without `NoSessionReuseRequired`) accept
//! a data connection only when it resumes the control connection's TLS session, and with TLS
//! 1.3 tickets vsftpd refuses that resumption (`522 … session reuse required`, seen in the
//! tests); TLS 1.2 session resumption works with them.
//!
//! **Plain `ftp://` sends the password and the files unencrypted**: the caller warns (see
//! [`is_plaintext`]); prefer `ftps://` or `sftp://` where the host offers them.
//!
//! The path of the URL is absolute on the host (`ftp://me@host/www` is `/www`, as FileZilla
//! reads it); `/~/www` is `www` in the folder the login starts in. Without a user, the login is
//! `anonymous` (RFC 1738). The folder must exist: a deploy never creates the root of its target.

use std::collections::HashSet;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use suppaftp::types::FileType;
use suppaftp::{FtpError, RustlsConnector, RustlsFtpStream, Status};

use super::preflight::{self, Kind, Listing};
use super::remote::{ConnectOptions, DeployError, Remote};
use super::settings::password_for;

/// How long connecting, and then each command or transfer, may wait for the host.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Whether `url` is plain `ftp://`: the password and the files cross the network unencrypted,
/// and the caller should say so before it connects.
pub fn is_plaintext(url: &url::Url) -> bool {
    url.scheme() == "ftp"
}

/// Connects to an `ftp://` or `ftps://` target, logs in and checks that its folder exists.
///
/// `options.password` is the password (required for a named user; `anonymous` logs in
/// without one). For `ftps://`, the host's certificate must be signed by a known authority or
/// be among `options.certificates` (see [`connect_trusting`]).
///
/// # Errors
/// In plain words, naming the target: a URL with a password; no password for a user; a host
/// that cannot be reached (with host:port); no TLS offered or a certificate not trusted
/// (`ftps://`); a wrong user or password; a folder that does not exist on the host.
pub fn connect(url: &url::Url, options: &ConnectOptions) -> Result<Box<dyn Remote>, DeployError> {
    connect_trusting(url, options, options.certificates.as_deref())
}

/// [`connect`], also trusting the certificates in the PEM file `certificates` for `ftps://`:
/// for a host whose certificate is self-signed (the file is the host's certificate, as your
/// host gives it or as `openssl s_client -starttls ftp -showcerts` prints it).
///
/// # Errors
/// As [`connect`], and when the PEM file cannot be read or holds no certificate.
pub fn connect_trusting(
    url: &url::Url,
    options: &ConnectOptions,
    certificates: Option<&Path>,
) -> Result<Box<dyn Remote>, DeployError> {
    let target = Target::parse(url, options)?;
    let stream = open_control(&target)?;
    let mut ftp = RustlsFtpStream::connect_with_stream(stream)
        .map_err(|e| target.failed("could not start the FTP session", &e))?;
    if target.secure {
        let tls = tls_config(&target, certificates)?;
        ftp = ftp
            .into_secure(RustlsConnector::from(tls), &target.host)
            .map_err(|e| target.no_tls(&e))?;
    }
    ftp.login(target.user.as_str(), target.password.as_str())
        .map_err(|e| target.login_failed(&e))?;
    ftp.transfer_type(FileType::Binary)
        .map_err(|e| target.failed("could not switch to binary transfers", &e))?;
    ftp.set_passive_nat_workaround(true);
    let mut remote = FtpRemote {
        ftp,
        target,
        root: String::new(),
        folders: HashSet::new(),
    };
    remote.enter_root()?;
    Ok(Box::new(remote))
}

/// The URL without its password, for messages.
fn shown_url(url: &url::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_password(None);
    shown.to_string()
}

/// What the URL and the options name: who, where, how.
struct Target {
    user: String,
    password: String,
    host: String,
    port: u16,
    /// The root folder as the URL gives it (`/www`, or `www` for `/~/www`; empty: the login's).
    root: String,
    secure: bool,
    shown: String,
}

impl Target {
    fn parse(url: &url::Url, options: &ConnectOptions) -> Result<Target, DeployError> {
        let shown = shown_url(url);
        if url.password().is_some() {
            return Err(DeployError::new(
                format!("the deploy target {shown} has a password in it"),
                "a password never goes in the target: set STILLPOINT_DEPLOY_PASSWORD in the \
                 terminal before deploying",
            ));
        }
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let user = match decode(url.username()) {
            u if u.is_empty() => "anonymous".to_owned(),
            u => u,
        };
        let password = match (&options.password, user.as_str()) {
            (Some(p), _) => p.clone(),
            (None, "anonymous" | "ftp") => "anonymous@".to_owned(),
            (None, _) => {
                password_for(None, options.interactive, &user, &shown).ok_or_else(|| {
                    DeployError::new(
                        format!("no password for the user {user} of {shown}"),
                        "set STILLPOINT_DEPLOY_PASSWORD in the terminal before deploying, or run \
                     the deploy in a terminal to be asked for it",
                    )
                })?
            }
        };
        let host = url.host_str().unwrap_or_default();
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
        let secure = url.scheme() == "ftps";
        Ok(Target {
            user,
            password,
            port: url.port().unwrap_or(21),
            host,
            root,
            secure,
            shown,
        })
    }

    fn host_port(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The error for a failed command, in plain words; `what` says what was being done.
    fn failed(&self, what: &str, error: &FtpError) -> DeployError {
        let shown = &self.shown;
        match error {
            FtpError::UnexpectedResponse(response) => {
                let said = String::from_utf8_lossy(&response.body).trim().to_owned();
                match response.status {
                    Status::ActionAborted => DeployError::new(
                        format!(
                            "{what} on {shown}: the host could not finish it (\"{said}\"); its \
                             disk may be full"
                        ),
                        "check the free space on the host, then deploy again; the site stays as \
                         it was meanwhile",
                    ),
                    Status::RequestedActionNotTaken | Status::ExceededStorage => DeployError::new(
                        format!("{what} on {shown}: the host's disk is full (\"{said}\")"),
                        "free space on the host (or ask your host for more), then deploy \
                             again; the site stays as it was meanwhile",
                    ),
                    Status::FileUnavailable | Status::BadFilename | Status::NotLoggedIn => {
                        DeployError::new(
                            format!("{what} on {shown}: the host refused (\"{said}\")"),
                            format!(
                                "check that the user {} may write to that folder on the host \
                                 (permission denied?), or fix the path in deploy.target",
                                self.user
                            ),
                        )
                    }
                    _ => DeployError::new(
                        format!("{what} on {shown}: the host said \"{said}\""),
                        "check the folder on the host, then deploy again",
                    ),
                }
            }
            FtpError::ConnectionError(io) => self.lost(&io.to_string()),
            other => self.lost(&other.to_string()),
        }
    }

    fn lost(&self, why: &str) -> DeployError {
        DeployError::new(
            format!(
                "the connection to {} ({}) was lost: {why}",
                self.host_port(),
                self.shown
            ),
            "deploy again: it continues where it stopped, and the site stays as it was meanwhile",
        )
    }

    fn login_failed(&self, error: &FtpError) -> DeployError {
        match error {
            FtpError::UnexpectedResponse(r) if r.status == Status::NotLoggedIn => DeployError::new(
                format!(
                    "the host of {} refused the user {} or its password (\"{}\")",
                    self.shown,
                    self.user,
                    String::from_utf8_lossy(&r.body).trim()
                ),
                "check the password in STILLPOINT_DEPLOY_PASSWORD and the user name in \
                 deploy.target",
            ),
            other => self.failed("could not log in", other),
        }
    }

    fn no_tls(&self, error: &FtpError) -> DeployError {
        let why = match error {
            FtpError::SecureError(why) => why.clone(),
            FtpError::UnexpectedResponse(r) => String::from_utf8_lossy(&r.body).trim().to_owned(),
            other => other.to_string(),
        };
        DeployError::new(
            format!(
                "could not start TLS with {} for {}: {why}",
                self.host_port(),
                self.shown
            ),
            "check that the host offers FTPS with explicit TLS (AUTH TLS) on this port and that \
             its certificate is valid for this host name; ftp:// works without TLS, unencrypted",
        )
    }
}

/// Opens the TCP connection to the host, with a timeout on connect and on each read/write.
fn open_control(target: &Target) -> Result<TcpStream, DeployError> {
    let unreachable = |why: String| {
        DeployError::new(
            format!(
                "could not connect to {} for {}: {why}",
                target.host_port(),
                target.shown
            ),
            "check the host name and port in deploy.target (FTP is usually port 21), and that \
             the host is up",
        )
    };
    let addresses = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| unreachable(format!("the host name is not known ({e})")))?;
    let mut last = String::from("the host name has no address");
    for address in addresses {
        match TcpStream::connect_timeout(&address, TIMEOUT) {
            Ok(stream) => {
                let _ = stream.set_read_timeout(Some(TIMEOUT));
                let _ = stream.set_write_timeout(Some(TIMEOUT));
                return Ok(stream);
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                last = "the connection was refused".to_owned();
            }
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                last = format!("no answer in {} seconds", TIMEOUT.as_secs());
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(unreachable(last))
}

/// The TLS set-up for FTPS: Mozilla's root certificates, plus those in `certificates`.
fn tls_config(
    target: &Target,
    certificates: Option<&Path>,
) -> Result<Arc<suppaftp::rustls::ClientConfig>, DeployError> {
    use suppaftp::rustls;
    use suppaftp::rustls::pki_types::CertificateDer;
    use suppaftp::rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(file) = certificates {
        let unusable = |why: String| {
            DeployError::new(
                format!(
                    "could not use the certificates in {} for {}: {why}",
                    file.display(),
                    target.shown
                ),
                "give a PEM file with the host's certificate",
            )
        };
        let pem = std::fs::read(file).map_err(|e| unusable(e.to_string()))?;
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| unusable(e.to_string()))?;
            roots.add(cert).map_err(|e| unusable(e.to_string()))?;
            added += 1;
        }
        if added == 0 {
            return Err(unusable("it holds no certificate".to_owned()));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // TLS 1.2 for the data connections' session reuse: see the module's documentation.
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .map_err(|e| DeployError::new(format!("could not set up TLS: {e}"), ""))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A connected FTP or FTPS target; its working folder is the root.
struct FtpRemote {
    ftp: RustlsFtpStream,
    target: Target,
    /// The root's absolute path on the host, as `PWD` gave it after entering it.
    root: String,
    /// Folders (relative to the root) known to exist, so each is made or checked once.
    folders: HashSet<String>,
}

impl FtpRemote {
    /// Enters the root folder, or says it is missing.
    fn enter_root(&mut self) -> Result<(), DeployError> {
        let root = self.target.root.clone();
        if !root.is_empty() {
            self.ftp.cwd(&root).map_err(|e| match e {
                FtpError::UnexpectedResponse(r) if r.status == Status::FileUnavailable => {
                    DeployError::new(
                        format!(
                            "the folder {root} does not exist on the host of {}",
                            self.target.shown
                        ),
                        format!("create {root} on the host, or fix the path in deploy.target"),
                    )
                }
                other => self
                    .target
                    .failed(&format!("could not open the folder {root}"), &other),
            })?;
        }
        self.root = self
            .ftp
            .pwd()
            .map_err(|e| self.target.failed("could not read the current folder", &e))?;
        Ok(())
    }

    /// The absolute path on the host of `folder` (relative to the root).
    fn absolute(&self, folder: &str) -> String {
        format!("{}/{folder}", self.root.trim_end_matches('/'))
    }

    /// Whether the folder exists (`CWD` into it succeeds); comes back to the root.
    fn folder_exists(&mut self, folder: &str) -> Result<bool, DeployError> {
        let exists = self.ftp.cwd(self.absolute(folder)).is_ok();
        let root = self.root.clone();
        self.ftp.cwd(&root).map_err(|e| {
            self.target
                .failed("could not go back to the root folder", &e)
        })?;
        Ok(exists)
    }

    /// Makes the folders above `path` that are not there yet (`MKD`, one level at a time).
    fn make_parents(&mut self, path: &str) -> Result<(), DeployError> {
        let mut end = 0;
        while let Some(slash) = path[end..].find('/') {
            end += slash;
            let folder = path[..end].to_owned();
            end += 1;
            if self.folders.contains(&folder) {
                continue;
            }
            if let Err(e) = self.ftp.mkdir(&folder) {
                // MKD answers 550 both for "exists" and "not allowed": look before failing.
                if !matches!(e, FtpError::UnexpectedResponse(_)) || !self.folder_exists(&folder)? {
                    return Err(self
                        .target
                        .failed(&format!("could not create the folder {folder}"), &e));
                }
            }
            self.folders.insert(folder);
        }
        Ok(())
    }

    /// Renames `from` over `to`; when the host refuses to rename over a file, removes `to` first.
    fn rename_over(&mut self, from: &str, to: &str) -> Result<(), FtpError> {
        match self.ftp.rename(from, to) {
            Ok(()) => Ok(()),
            Err(FtpError::UnexpectedResponse(_)) => {
                let _ = self.ftp.rm(to);
                self.ftp.rename(from, to)
            }
            Err(e) => Err(e),
        }
    }
}

impl FtpRemote {
    /// The names in `folder` (relative to the root, known to exist) and what each is, from a
    /// `LIST` in the Unix or DOS form hosts give (lines that are neither are skipped; names
    /// starting with a dot are not listed by most hosts, so they are not checked).
    fn list(&mut self, folder: &str) -> Result<Listing, DeployError> {
        let full = self.absolute(folder);
        let lines = self.ftp.list(Some(&full)).map_err(|e| {
            self.target
                .failed(&format!("could not list the folder {full}"), &e)
        })?;
        Ok(lines
            .iter()
            .filter_map(|line| suppaftp::list::File::try_from(line.as_str()).ok())
            .map(|f| {
                let kind = if f.is_directory() {
                    Kind::Folder
                } else if f.is_file() {
                    Kind::File
                } else {
                    Kind::Other
                };
                (f.name().to_owned(), kind)
            })
            .collect())
    }

    /// `STOR`s `bytes` as `name`. A transfer broken off by the host (it closes the data
    /// connection when its disk is full) gives the host's reason (`451`, `452`, `552`), read
    /// from the control connection, rather than the broken pipe.
    fn store(&mut self, name: &str, bytes: &[u8]) -> Result<(), FtpError> {
        use std::io::Write;
        let mut stream = self.ftp.put_with_stream(name)?;
        let written = stream.write_all(bytes);
        match (written, stream.finish()) {
            (_, Err(reply @ FtpError::UnexpectedResponse(_))) => Err(reply),
            (Err(io), _) => Err(FtpError::ConnectionError(io)),
            (Ok(()), finished) => finished,
        }
    }
}

/// The temporary name `path` is written under before the rename: a hidden file beside it.
fn temporary_name(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((folder, name)) => format!("{folder}/.{name}.stillpoint-part"),
        None => format!(".{path}.stillpoint-part"),
    }
}

impl Remote for FtpRemote {
    fn preflight(&mut self, paths: &[&str]) -> Result<(), DeployError> {
        let root = self.root.trim_end_matches('/').to_owned();
        let full = move |p: &str| format!("{root}/{p}");
        preflight::check(paths, &mut |folder| self.list(folder), &full)
    }

    fn describe(&self) -> String {
        self.target.shown.clone()
    }

    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>, DeployError> {
        match self.ftp.retr_as_buffer(path) {
            Ok(cursor) => Ok(Some(cursor.into_inner())),
            Err(FtpError::UnexpectedResponse(r)) if r.status == Status::FileUnavailable => Ok(None),
            Err(e) => Err(self.target.failed(&format!("could not read {path}"), &e)),
        }
    }

    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), DeployError> {
        self.make_parents(path)?;
        let part = temporary_name(path);
        let result = match self.store(&part, bytes) {
            Ok(()) => self
                .rename_over(&part, path)
                .map_err(|e| self.target.failed(&format!("could not replace {path}"), &e)),
            Err(e) => Err(self.target.failed(&format!("could not write {path}"), &e)),
        };
        if result.is_err() {
            let _ = self.ftp.rm(&part);
        }
        result
    }

    fn remove(&mut self, path: &str) -> Result<(), DeployError> {
        if let Err(e) = self.ftp.rm(path) {
            // DELE answers 550 both for "no such file" and "not allowed": look before failing.
            let gone = matches!(&e, FtpError::UnexpectedResponse(r) if r.status == Status::FileUnavailable)
                && self.ftp.size(path).is_err();
            if !gone {
                return Err(self.target.failed(&format!("could not remove {path}"), &e));
            }
        }
        let mut folder = path;
        while let Some((parent, _)) = folder.rsplit_once('/') {
            if self.ftp.rmdir(parent).is_err() {
                break;
            }
            self.folders.remove(parent);
            folder = parent;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), DeployError> {
        let _ = self.ftp.quit();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str, password: Option<&str>) -> Result<Target, DeployError> {
        let url = url::Url::parse(url).map_err(|e| DeployError::new(e.to_string(), ""))?;
        let options = ConnectOptions {
            password: password.map(str::to_owned),
            ..ConnectOptions::default()
        };
        Target::parse(&url, &options)
    }

    #[test]
    fn urls_give_user_port_root_and_tls() -> Result<(), DeployError> {
        let t = target("ftps://studio@example.org:2121/www", Some("pw"))?;
        assert_eq!(
            (t.user.as_str(), t.port, t.root.as_str(), t.secure),
            ("studio", 2121, "/www", true)
        );
        let t = target("ftp://example.org/~/public%20html", None)?;
        assert_eq!(
            (t.user.as_str(), t.port, t.root.as_str(), t.secure),
            ("anonymous", 21, "public html", false)
        );
        assert_eq!(target("ftp://u@h", Some("p"))?.root, "/");
        Ok(())
    }

    #[test]
    fn a_named_user_needs_a_password_and_none_goes_in_the_url() {
        let missing = target("ftp://studio@example.org/www", None)
            .err()
            .map(|e| e.message);
        assert!(missing.unwrap_or_default().contains("no password"));
        let inline = target("ftp://studio:secret@example.org/www", None)
            .err()
            .map(|e| e.message);
        let inline = inline.unwrap_or_default();
        assert!(
            inline.contains("has a password") && !inline.contains("secret"),
            "{inline}"
        );
    }

    #[test]
    fn only_plain_ftp_is_plaintext() -> Result<(), url::ParseError> {
        assert!(is_plaintext(&url::Url::parse("ftp://h/x")?));
        assert!(!is_plaintext(&url::Url::parse("ftps://h/x")?));
        Ok(())
    }

    #[test]
    fn temporary_names_are_hidden_files_beside_the_target() {
        assert_eq!(temporary_name("a/b.html"), "a/.b.html.stillpoint-part");
        assert_eq!(temporary_name("b.html"), ".b.html.stillpoint-part");
    }
}
