//! The SFTP and FTP/FTPS deploy targets at the `Remote` level, against real servers that each
//! test starts on 127.0.0.1 on a free port, with a throw-away configuration, host key and user
//! key in a temporary folder, and stops by its PID (with the session processes it forked).
//!
//! OpenSSH's `sshd` and `vsftpd` come from Debian (`.ci/run` installs them); a test whose server
//! is missing says so and passes. Tests that need a user with a password (password logins,
//! permission denied, FTPS) create the local user `stillpoint-deploy-test` once, as root.
//! Full-disk tests mount a small tmpfs (root only), and say so and pass where mounting fails.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use stillpoint::deploy::{ConnectOptions, DeployError, Remote, ftp, sftp};
use tempfile::TempDir;

const SSHD: &str = "/usr/sbin/sshd";
const VSFTPD: &str = "/usr/sbin/vsftpd";
/// The local user the password tests log in as, and its password.
const USER: &str = "stillpoint-deploy-test";
const PASSWORD: &str = "deploy-test-password-7";

/// Says why a test does not run here (and lets it pass).
#[allow(clippy::print_stderr)]
fn skip(why: &str) {
    eprintln!("skipped: {why}");
}

fn installed(binary: &str) -> bool {
    if Path::new(binary).exists() {
        return true;
    }
    skip(&format!("{binary} is not installed (.ci/run installs it)"));
    false
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn wait_for_port(port: u16) {
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("the test server on port {port} did not start");
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Kills `pid` and every process below it (a server and the sessions it forked), with SIGKILL.
fn kill_tree(pid: u32) {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...: the command name may hold spaces, so split after ')'.
        let after = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest)
            .unwrap_or_default();
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parents.push((child, ppid));
        }
    }
    let mut doomed = vec![pid];
    let mut i = 0;
    while i < doomed.len() {
        let parent = doomed[i];
        doomed.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    let pids: Vec<String> = doomed.iter().map(u32::to_string).collect();
    let _ = Command::new("kill")
        .arg("-9")
        .args(&pids)
        .stderr(Stdio::null())
        .status();
}

/// A server process, restarted with the same command on the same port, killed in `Drop`.
struct Process {
    command: Vec<String>,
    port: u16,
    child: Option<Child>,
}

impl Process {
    fn start(command: Vec<String>, port: u16) -> Process {
        let mut process = Process {
            command,
            port,
            child: None,
        };
        process.restart();
        process
    }

    fn restart(&mut self) {
        let child = Command::new(&self.command[0])
            .args(&self.command[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        wait_for_port(self.port);
    }

    /// Cuts every connection at once, as a network failure would.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_tree(child.id());
            let _ = child.wait();
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Creates the password test user once (as root); false, with the reason printed, if it cannot.
fn test_user() -> bool {
    static MADE: OnceLock<Result<(), String>> = OnceLock::new();
    let made = MADE.get_or_init(|| {
        let exists = Command::new("id")
            .arg(USER)
            .output()
            .map_err(|e| e.to_string())?;
        if !exists.status.success() {
            let out = Command::new("useradd")
                .args(["-M", "-d", "/tmp", "-s", "/bin/sh", USER])
                .output()
                .map_err(|e| e.to_string())?;
            if !out.status.success() {
                return Err(String::from_utf8_lossy(&out.stderr).into_owned());
            }
        }
        let mut chpasswd = Command::new("chpasswd")
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        use std::io::Write;
        let mut stdin = chpasswd.stdin.take().ok_or("no stdin")?;
        writeln!(stdin, "{USER}:{PASSWORD}").map_err(|e| e.to_string())?;
        drop(stdin);
        let status = chpasswd.wait().map_err(|e| e.to_string())?;
        status
            .success()
            .then_some(())
            .ok_or_else(|| "chpasswd failed".to_owned())
    });
    match made {
        Ok(()) => true,
        Err(why) => {
            skip(&format!("could not create the user {USER}: {why}"));
            false
        }
    }
}

/// Gives the folder to the test user (and makes the temporary folder above it passable).
fn give_to_user(dir: &Path, folder: &Path) {
    run("chmod", &["755", dir.to_str().unwrap()]);
    run(
        "chown",
        &["-R", &format!("{USER}:"), folder.to_str().unwrap()],
    );
}

/// A small tmpfs mounted at a folder, unmounted in `Drop`.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(at: &Path) -> Option<SmallDisk> {
        std::fs::create_dir_all(at).unwrap();
        let target = at.to_str().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=128k,mode=0777", "tmpfs", target])
            .output()
            .ok()?;
        if !out.status.success() {
            skip(&format!(
                "cannot mount a tmpfs here: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
            return None;
        }
        Some(SmallDisk(at.to_owned()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Bytes that compress badly, of a given size, the same on every run.
fn noise(size: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Every file under `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    files.sort();
    files
}

/// put/read/remove semantics shared by every protocol: `site` is the folder the target's root
/// is on this machine.
fn check_round_trip(remote: &mut dyn Remote, site: &Path) {
    assert_eq!(remote.read("stillpoint-manifest.json").unwrap(), None);
    remote.put("index.html", b"<h1>one</h1>").unwrap();
    remote.put("css/site.css", b"body{}").unwrap();
    remote
        .put("blog/2024/first/index.html", b"<p>first</p>")
        .unwrap();
    let big = noise(300 * 1024 + 17);
    remote.put("images/big.bin", &big).unwrap();
    assert_eq!(
        remote.read("index.html").unwrap().as_deref(),
        Some(&b"<h1>one</h1>"[..])
    );
    assert_eq!(remote.read("images/big.bin").unwrap(), Some(big.clone()));
    assert_eq!(std::fs::read(site.join("images/big.bin")).unwrap(), big);

    remote.put("index.html", b"<h1>two</h1>").unwrap();
    assert_eq!(
        std::fs::read(site.join("index.html")).unwrap(),
        b"<h1>two</h1>"
    );
    remote.put("empty.txt", b"").unwrap();
    assert_eq!(remote.read("empty.txt").unwrap(), Some(Vec::new()));
    assert_eq!(
        listing(site),
        [
            "blog/2024/first/index.html",
            "css/site.css",
            "empty.txt",
            "images/big.bin",
            "index.html"
        ],
        "no temporary file is left behind"
    );

    remote.remove("blog/2024/first/index.html").unwrap();
    assert!(
        !site.join("blog").exists(),
        "emptied folders go, up to the root"
    );
    remote.remove("blog/2024/first/index.html").unwrap();
    remote.remove("css/site.css").unwrap();
    std::fs::write(site.join("images/by-hand.jpg"), b"owner's").unwrap();
    remote.remove("images/big.bin").unwrap();
    assert!(
        site.join("images/by-hand.jpg").exists(),
        "a folder still holding a file stays"
    );
    assert!(site.is_dir(), "the root stays");
    assert_eq!(
        listing(site),
        ["empty.txt", "images/by-hand.jpg", "index.html"]
    );
    remote.finish().unwrap();
}

fn assert_plain(error: &DeployError, target: &str, words: &[&str]) {
    let all = format!("{} / {}", error.message, error.help);
    assert!(all.contains(target), "names the target {target}: {all}");
    for word in words {
        assert!(all.contains(word), "says {word:?}: {all}");
    }
    assert!(
        !all.contains(PASSWORD) && !all.contains("wrong-password-1"),
        "no password: {all}"
    );
}

fn err(result: Result<Box<dyn Remote>, DeployError>) -> DeployError {
    match result {
        Ok(_) => panic!("connected, but should have failed"),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------------------------------------
// SFTP

/// An OpenSSH server for one test, with its host key, a user key and a known_hosts listing it.
struct Sshd {
    dir: TempDir,
    port: u16,
    process: Process,
}

impl Sshd {
    fn start() -> Option<Sshd> {
        if !installed(SSHD) {
            return None;
        }
        std::fs::create_dir_all("/run/sshd").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for key in ["host_key", "user_key", "other_key"] {
            run(
                "ssh-keygen",
                &[
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-f",
                    d.join(key).to_str().unwrap(),
                ],
            );
        }
        std::fs::copy(d.join("user_key.pub"), d.join("authorized_keys")).unwrap();
        let port = free_port();
        let host_pub = std::fs::read_to_string(d.join("host_key.pub")).unwrap();
        std::fs::write(
            d.join("known_hosts"),
            format!("[127.0.0.1]:{port} {host_pub}"),
        )
        .unwrap();
        std::fs::create_dir(d.join("site")).unwrap();
        let config = format!(
            "ListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nStrictModes no\nPermitRootLogin yes\n\
             PasswordAuthentication yes\nKbdInteractiveAuthentication no\nUsePAM no\n\
             MaxAuthTries 30\nSubsystem sftp internal-sftp\n",
            d = d.display()
        );
        std::fs::write(d.join("sshd_config"), config).unwrap();
        let command = [
            SSHD,
            "-D",
            "-e",
            "-f",
            &format!("{}/sshd_config", d.display()),
            "-p",
            &port.to_string(),
        ];
        let process = Process::start(command.iter().map(|s| s.to_string()).collect(), port);
        Some(Sshd { dir, port, process })
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn url(&self, user: &str, folder: &str) -> url::Url {
        let path = self.path(folder);
        url::Url::parse(&format!(
            "sftp://{user}@127.0.0.1:{}{}",
            self.port,
            path.display()
        ))
        .unwrap()
    }

    /// Options for root with the user key and this server's known_hosts.
    fn options(&self) -> ConnectOptions {
        ConnectOptions {
            identity_file: Some(self.path("user_key")),
            known_hosts: Some(self.path("known_hosts")),
            ..ConnectOptions::default()
        }
    }

    /// The host key's fingerprint as `ssh-keygen -l` prints it (`SHA256:…`).
    fn fingerprint(&self) -> String {
        let out = Command::new("ssh-keygen")
            .args([
                "-l",
                "-E",
                "sha256",
                "-f",
                self.path("host_key.pub").to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        text.split_whitespace().nth(1).unwrap().to_owned()
    }
}

#[test]
fn sftp_puts_reads_and_removes_files() {
    let Some(server) = Sshd::start() else { return };
    let url = server.url("root", "site");
    let mut remote = sftp::connect(&url, &server.options()).unwrap();
    assert_eq!(remote.describe(), url.as_str());
    check_round_trip(remote.as_mut(), &server.path("site"));
}

#[test]
fn sftp_refuses_an_unknown_host_key_unless_its_fingerprint_is_given() {
    let Some(server) = Sshd::start() else { return };
    std::fs::write(server.path("known_hosts"), "").unwrap();
    let url = server.url("root", "site");
    let fingerprint = server.fingerprint();
    assert!(fingerprint.starts_with("SHA256:"), "{fingerprint}");

    let e = err(sftp::connect(&url, &server.options()));
    assert_plain(
        &e,
        &format!("127.0.0.1:{}", server.port),
        &[&fingerprint, "--host-key"],
    );

    let wrong = ConnectOptions {
        host_key: Some("SHA256:notThisOne".into()),
        ..server.options()
    };
    assert!(sftp::connect(&url, &wrong).is_err());

    let given = ConnectOptions {
        host_key: Some(fingerprint),
        ..server.options()
    };
    let mut remote = sftp::connect(&url, &given).unwrap();
    remote.put("a.txt", b"a").unwrap();
    remote.finish().unwrap();
    assert_eq!(
        std::fs::read_to_string(server.path("known_hosts")).unwrap(),
        "",
        "not learned"
    );
}

#[test]
fn sftp_always_refuses_a_changed_host_key() {
    let Some(server) = Sshd::start() else { return };
    let other = std::fs::read_to_string(server.path("other_key.pub")).unwrap();
    std::fs::write(
        server.path("known_hosts"),
        format!("[127.0.0.1]:{} {other}", server.port),
    )
    .unwrap();
    let url = server.url("root", "site");
    let given = ConnectOptions {
        host_key: Some(server.fingerprint()),
        ..server.options()
    };
    let e = err(sftp::connect(&url, &given));
    assert_plain(
        &e,
        &format!("127.0.0.1:{}", server.port),
        &["HAS CHANGED", "line 1", "nothing was sent"],
    );
    assert!(listing(&server.path("site")).is_empty());
}

#[test]
fn sftp_says_a_password_was_refused() {
    let Some(server) = Sshd::start() else { return };
    let url = server.url("root", "site");
    let options = ConnectOptions {
        identity_file: None,
        password: Some("wrong-password-1".into()),
        ..server.options()
    };
    let e = err(sftp::connect(&url, &options));
    assert_plain(
        &e,
        url.as_str(),
        &["refused the password", "STILLPOINT_DEPLOY_PASSWORD"],
    );
}

#[test]
fn sftp_logs_in_with_a_password_and_names_permission_denied() {
    let Some(server) = Sshd::start() else { return };
    if !test_user() {
        return;
    }
    give_to_user(server.dir.path(), &server.path("site"));
    std::fs::create_dir(server.path("locked")).unwrap();
    let options = ConnectOptions {
        identity_file: None,
        password: Some(PASSWORD.into()),
        ..server.options()
    };
    let mut remote = sftp::connect(&server.url(USER, "site"), &options).unwrap();
    remote.put("a/b.html", b"hello").unwrap();
    assert_eq!(
        remote.read("a/b.html").unwrap().as_deref(),
        Some(&b"hello"[..])
    );
    remote.finish().unwrap();

    let url = server.url(USER, "locked");
    let mut remote = sftp::connect(&url, &options).unwrap();
    let e = remote.put("index.html", b"x").unwrap_err();
    assert_plain(&e, url.as_str(), &["index.html", "permission denied", USER]);
    assert!(listing(&server.path("locked")).is_empty());
}

#[test]
fn sftp_names_a_missing_folder_and_a_closed_port() {
    let Some(server) = Sshd::start() else { return };
    let e = err(sftp::connect(&server.url("root", "www"), &server.options()));
    let www = server.path("www");
    assert_plain(
        &e,
        "sftp://root@127.0.0.1",
        &[&format!("create {}", www.display()), "deploy.target"],
    );

    let closed = free_port();
    let url = url::Url::parse(&format!("sftp://root@127.0.0.1:{closed}/www")).unwrap();
    let e = err(sftp::connect(&url, &server.options()));
    assert_plain(&e, &format!("127.0.0.1:{closed}"), &["refused", "port"]);
}

#[test]
fn sftp_connection_cut_mid_deploy_is_plain_and_the_next_connection_works() {
    let Some(mut server) = Sshd::start() else {
        return;
    };
    let url = server.url("root", "site");
    let mut remote = sftp::connect(&url, &server.options()).unwrap();
    for i in 0..3 {
        remote.put(&format!("p{i}/index.html"), b"page").unwrap();
    }
    server.process.kill();
    let e = remote.put("p3/index.html", &noise(200_000)).unwrap_err();
    assert_plain(
        &e,
        &format!("127.0.0.1:{}", server.port),
        &["lost", "deploy again"],
    );
    drop(remote);

    server.process.restart();
    let mut remote = sftp::connect(&url, &server.options()).unwrap();
    remote.put("p3/index.html", b"page").unwrap();
    remote.finish().unwrap();
    let files = listing(&server.path("site"));
    for i in 0..4 {
        assert!(files.contains(&format!("p{i}/index.html")), "{files:?}");
    }
}

#[test]
fn sftp_names_a_full_disk() {
    let Some(server) = Sshd::start() else { return };
    let Some(_disk) = SmallDisk::mount(&server.path("site")) else {
        return;
    };
    let url = server.url("root", "site");
    let mut remote = sftp::connect(&url, &server.options()).unwrap();
    remote.put("small.txt", b"fits").unwrap();
    let e = remote.put("big.bin", &noise(400 * 1024)).unwrap_err();
    assert_plain(&e, url.as_str(), &["disk", "full", "big.bin"]);
    remote.finish().unwrap();
    assert_eq!(
        listing(&server.path("site")),
        ["small.txt"],
        "the partial file is removed"
    );
}

// ---------------------------------------------------------------------------------------------
// FTP and FTPS

/// A vsftpd for one test. `anon/` is the anonymous root (`pub/` writable, `locked/` not);
/// `site/` is the password user's root.
struct Vsftpd {
    dir: TempDir,
    port: u16,
    process: Process,
}

/// What a test's vsftpd allows.
#[derive(Clone, Copy, PartialEq)]
enum Login {
    Anonymous,
    User { tls: bool },
}

impl Vsftpd {
    fn start(login: Login) -> Option<Vsftpd> {
        if !installed(VSFTPD) || (login != Login::Anonymous && !test_user()) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for folder in ["anon/pub", "anon/locked", "site", "empty"] {
            std::fs::create_dir_all(d.join(folder)).unwrap();
        }
        run(
            "chmod",
            &[
                "555",
                d.join("anon").to_str().unwrap(),
                d.join("anon/locked").to_str().unwrap(),
            ],
        );
        run("chmod", &["777", d.join("anon/pub").to_str().unwrap()]);
        if login != Login::Anonymous {
            give_to_user(d, &d.join("site"));
        }
        let (port, passive) = (free_port(), free_port());
        let mut config = format!(
            "listen=YES\nlisten_address=127.0.0.1\nlisten_port={port}\nbackground=NO\n\
             seccomp_sandbox=NO\nwrite_enable=YES\npasv_enable=YES\npasv_address=127.0.0.1\n\
             pasv_min_port={passive}\npasv_max_port={passive}\nconnect_from_port_20=NO\n\
             xferlog_enable=NO\nsecure_chroot_dir={d}/empty\nanon_umask=022\nlocal_umask=022\n",
            d = d.display()
        );
        config += &match login {
            Login::Anonymous => format!(
                "anonymous_enable=YES\nlocal_enable=NO\nanon_root={}/anon\nanon_upload_enable=YES\n\
                 anon_mkdir_write_enable=YES\nanon_other_write_enable=YES\n\
                 anon_world_readable_only=NO\n",
                d.display()
            ),
            Login::User { .. } => format!(
                "anonymous_enable=NO\nlocal_enable=YES\nlocal_root={}/site\npam_service_name=vsftpd\n",
                d.display()
            ),
        };
        if login == (Login::User { tls: true }) {
            // require_ssl_reuse=YES is vsftpd's default, spelled out: each data connection must
            // resume the control connection's TLS session (what most FTPS hosts ask).
            Self::certificates(d);
            config += &format!(
                "ssl_enable=YES\nrsa_cert_file={d}/leaf.pem\nrsa_private_key_file={d}/leaf.key\n\
                 force_local_logins_ssl=YES\nforce_local_data_ssl=YES\nssl_ciphers=HIGH\n\
                 require_ssl_reuse=YES\n",
                d = d.display()
            );
        }
        std::fs::write(d.join("vsftpd.conf"), config).unwrap();
        let command = vec![
            VSFTPD.to_owned(),
            d.join("vsftpd.conf").display().to_string(),
        ];
        let process = Process::start(command, port);
        Some(Vsftpd { dir, port, process })
    }

    /// A throw-away authority (`ca.pem`) and the server's certificate for 127.0.0.1 signed by it.
    fn certificates(d: &Path) {
        let p = |name: &str| d.join(name).display().to_string();
        run(
            "openssl",
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &p("ca.key"),
                "-out",
                &p("ca.pem"),
                "-subj",
                "/CN=stillpoint test CA",
                "-days",
                "3650",
            ],
        );
        run(
            "openssl",
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &p("leaf.key"),
                "-out",
                &p("leaf.csr"),
                "-subj",
                "/CN=127.0.0.1",
            ],
        );
        std::fs::write(
            d.join("leaf.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        run(
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                &p("leaf.csr"),
                "-CA",
                &p("ca.pem"),
                "-CAkey",
                &p("ca.key"),
                "-CAcreateserial",
                "-out",
                &p("leaf.pem"),
                "-days",
                "3650",
                "-extfile",
                &p("leaf.ext"),
            ],
        );
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn url(&self, scheme: &str, user: Option<&str>, path: &str) -> url::Url {
        let user = user.map(|u| format!("{u}@")).unwrap_or_default();
        url::Url::parse(&format!("{scheme}://{user}127.0.0.1:{}{path}", self.port)).unwrap()
    }

    fn user_options(&self, password: &str) -> ConnectOptions {
        ConnectOptions {
            password: Some(password.into()),
            ..ConnectOptions::default()
        }
    }
}

#[test]
fn ftp_puts_reads_and_removes_files() {
    let Some(server) = Vsftpd::start(Login::Anonymous) else {
        return;
    };
    let url = server.url("ftp", None, "/pub");
    assert!(ftp::is_plaintext(&url));
    let mut remote = ftp::connect(&url, &ConnectOptions::default()).unwrap();
    assert_eq!(remote.describe(), url.as_str());
    check_round_trip(remote.as_mut(), &server.path("anon/pub"));
}

#[test]
fn ftps_logs_in_with_a_password_over_tls() {
    let Some(server) = Vsftpd::start(Login::User { tls: true }) else {
        return;
    };
    let site = server.path("site");
    let url = server.url("ftps", Some(USER), &site.display().to_string());
    assert!(!ftp::is_plaintext(&url));
    let options = server.user_options(PASSWORD);
    let ca = server.path("ca.pem");
    let mut remote = ftp::connect_trusting(&url, &options, Some(&ca)).unwrap();
    check_round_trip(remote.as_mut(), &site);

    let e = err(ftp::connect(&url, &options));
    assert_plain(
        &e,
        &format!("127.0.0.1:{}", server.port),
        &["TLS", "certificate"],
    );
    let plain = server.url("ftp", Some(USER), &site.display().to_string());
    let e = err(ftp::connect(&plain, &options));
    assert_plain(&e, plain.as_str(), &["refused"]);
}

#[test]
fn ftp_says_a_password_was_refused() {
    let Some(server) = Vsftpd::start(Login::User { tls: false }) else {
        return;
    };
    let url = server.url("ftp", Some(USER), "/");
    let e = err(ftp::connect(&url, &server.user_options("wrong-password-1")));
    assert_plain(
        &e,
        url.as_str(),
        &["refused the user", "password", "STILLPOINT_DEPLOY_PASSWORD"],
    );
    let mut remote = ftp::connect(&url, &server.user_options(PASSWORD)).unwrap();
    remote.finish().unwrap();
}

#[test]
fn ftp_names_a_missing_folder_permission_denied_and_a_closed_port() {
    let Some(server) = Vsftpd::start(Login::Anonymous) else {
        return;
    };
    let e = err(ftp::connect(
        &server.url("ftp", None, "/www"),
        &ConnectOptions::default(),
    ));
    assert_plain(
        &e,
        "ftp://127.0.0.1",
        &["create /www on the host", "deploy.target"],
    );

    let url = server.url("ftp", None, "/locked");
    let mut remote = ftp::connect(&url, &ConnectOptions::default()).unwrap();
    let e = remote.put("css/site.css", b"x").unwrap_err();
    assert_plain(&e, "ftp://", &["css", "refused", "may write"]);
    let e = remote.put("index.html", b"x").unwrap_err();
    assert_plain(&e, "ftp://", &["index.html", "refused", "may write"]);
    assert!(listing(&server.path("anon/locked")).is_empty());

    let closed = free_port();
    let url = url::Url::parse(&format!("ftp://127.0.0.1:{closed}/www")).unwrap();
    let e = err(ftp::connect(&url, &ConnectOptions::default()));
    assert_plain(&e, &format!("127.0.0.1:{closed}"), &["refused", "port"]);
}

#[test]
fn ftp_connection_cut_mid_deploy_is_plain_and_the_next_connection_works() {
    let Some(mut server) = Vsftpd::start(Login::Anonymous) else {
        return;
    };
    let url = server.url("ftp", None, "/pub");
    let mut remote = ftp::connect(&url, &ConnectOptions::default()).unwrap();
    for i in 0..3 {
        remote.put(&format!("p{i}/index.html"), b"page").unwrap();
    }
    server.process.kill();
    let e = remote.put("p3/index.html", &noise(200_000)).unwrap_err();
    assert_plain(
        &e,
        &format!("127.0.0.1:{}", server.port),
        &["lost", "deploy again"],
    );
    drop(remote);

    server.process.restart();
    let mut remote = ftp::connect(&url, &ConnectOptions::default()).unwrap();
    remote.put("p3/index.html", b"page").unwrap();
    remote.finish().unwrap();
    let files = listing(&server.path("anon/pub"));
    for i in 0..4 {
        assert!(files.contains(&format!("p{i}/index.html")), "{files:?}");
    }
}

#[test]
fn ftp_names_a_full_disk() {
    let Some(server) = Vsftpd::start(Login::Anonymous) else {
        return;
    };
    let Some(_disk) = SmallDisk::mount(&server.path("anon/pub")) else {
        return;
    };
    let url = server.url("ftp", None, "/pub");
    let mut remote = ftp::connect(&url, &ConnectOptions::default()).unwrap();
    remote.put("small.txt", b"fits").unwrap();
    let e = remote.put("big.bin", &noise(400 * 1024)).unwrap_err();
    assert_plain(&e, url.as_str(), &["disk", "full", "big.bin"]);
    remote.finish().unwrap();
    let mut left = String::new();
    let _ = std::fs::File::open(server.path("anon/pub/small.txt"))
        .unwrap()
        .read_to_string(&mut left);
    assert_eq!(left, "fits");
    assert_eq!(
        listing(&server.path("anon/pub")),
        ["small.txt"],
        "the partial file is removed"
    );
}

// ---------------------------------------------------------------------------------------------
// The studio site, whole

/// Puts every file of the built studio site through `remote` and checks that the target folder
/// `site` then equals `public/` byte for byte. Prints the time and bytes (not checked: no test
/// depends on the machine's speed).
#[allow(clippy::print_stderr)]
fn upload_studio(what: &str, mut remote: Box<dyn Remote>, site: &Path) {
    let built = crate::studio::build_studio();
    let start = std::time::Instant::now();
    let mut bytes = 0;
    let files = listing(&built.out);
    for file in &files {
        let data = std::fs::read(built.out.join(file)).unwrap();
        bytes += data.len();
        remote.put(file, &data).unwrap();
    }
    remote.finish().unwrap();
    let took = start.elapsed();
    eprintln!(
        "{what}: {} files, {bytes} bytes, in {took:.2?}",
        files.len()
    );
    assert_eq!(
        crate::support::file_tree(site),
        crate::support::file_tree(&built.out)
    );
}

#[test]
fn sftp_uploads_the_studio_site_byte_for_byte() {
    let Some(server) = Sshd::start() else { return };
    let remote = sftp::connect(&server.url("root", "site"), &server.options()).unwrap();
    upload_studio("the studio site over SFTP", remote, &server.path("site"));
}

#[test]
fn ftp_uploads_the_studio_site_byte_for_byte() {
    let Some(server) = Vsftpd::start(Login::Anonymous) else {
        return;
    };
    let remote =
        ftp::connect(&server.url("ftp", None, "/pub"), &ConnectOptions::default()).unwrap();
    upload_studio("the studio site over FTP", remote, &server.path("anon/pub"));
}

// ---------------------------------------------------------------------------------------------
// `stillpoint deploy` itself, the real binary, over SFTP and FTP

/// The studio site deployed with the command over SFTP (key from `deploy.identity_file`, host
/// key given with `--host-key`): the target equals the build; one page edited, the next deploy
/// sends only the files whose bytes changed.
#[test]
fn the_deploy_command_over_sftp_sends_the_site_then_only_what_changed() {
    use crate::deploy::{built, counts, deploy, deployed, studio_site};
    let Some(server) = Sshd::start() else { return };
    let site = studio_site();
    let config = site.read("config.yaml");
    site.file(
        "config.yaml",
        &format!(
            "{config}\ndeploy:\n  identity_file: \"{}\"\n",
            server.path("user_key").display()
        ),
    );
    let target = server.url("root", "site").to_string();
    let fingerprint = server.fingerprint();
    let args = ["--target", &target, "--host-key", &fingerprint, "--force"];
    let run = deploy(&site, &args);
    run.success().stderr_has("first deploy");
    let first = built(&site);
    assert_eq!(counts(&run), (first.len(), 0, 0));
    assert_eq!(deployed(&server.path("site"), &[]), first);

    let page = site.path("content/faq.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{text}\nOne more answer.\n")).unwrap();
    let second = built(&site);
    let changed = second
        .iter()
        .filter(|(p, b)| first.get(*p) != Some(*b))
        .count();
    let run = deploy(&site, &args);
    run.success();
    assert_eq!(counts(&run), (changed, 0, second.len() - changed));
    assert_eq!(deployed(&server.path("site"), &[]), second);
}

/// Over plain `ftp://` the command works and warns that nothing is encrypted.
#[test]
fn the_deploy_command_over_plain_ftp_warns_and_sends_the_site() {
    use crate::deploy::{built, deploy, deployed, studio_site};
    let Some(server) = Vsftpd::start(Login::Anonymous) else {
        return;
    };
    let site = studio_site();
    let target = server.url("ftp", None, "/pub").to_string();
    deploy(&site, &["--target", &target, "--force"])
        .success()
        .stderr_has(
            "warning: ftp:// sends the password and every file across the network unencrypted",
        );
    assert_eq!(deployed(&server.path("anon/pub"), &[]), built(&site));
}

// ---------------------------------------------------------------------------------------------
// The connection cut mid-deploy, with the real binary

/// A TCP proxy on 127.0.0.1 to a server's port that forwards everything until `budget` bytes
/// have gone from the client to the server, then cuts every connection at once (as a network
/// failure would) and closes the rest as they come.
struct CutProxy {
    port: u16,
    state: std::sync::Arc<ProxyState>,
}

#[derive(Default)]
struct ProxyState {
    /// Bytes forwarded from the clients to the server.
    sent: std::sync::atomic::AtomicU64,
    budget: u64,
    cut: std::sync::atomic::AtomicBool,
    streams: std::sync::Mutex<Vec<TcpStream>>,
}

impl ProxyState {
    fn cut_all(&self) {
        self.cut.store(true, std::sync::atomic::Ordering::SeqCst);
        for s in self.streams.lock().unwrap().iter() {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    }

    /// Forwards client bytes to the server within the budget; cuts everything when it is spent.
    fn client_to_server(&self, mut from: TcpStream, mut to: TcpStream) {
        use std::io::Write;
        use std::sync::atomic::Ordering;
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let sent = self.sent.fetch_add(n as u64, Ordering::SeqCst);
            let allowed = self.budget.saturating_sub(sent).min(n as u64) as usize;
            if to.write_all(&buf[..allowed]).is_err() {
                break;
            }
            if allowed < n {
                self.cut_all();
                return;
            }
        }
        let _ = to.shutdown(std::net::Shutdown::Write);
    }
}

fn copy_back(mut from: TcpStream, mut to: TcpStream) {
    let _ = std::io::copy(&mut from, &mut to);
    let _ = to.shutdown(std::net::Shutdown::Both);
}

impl CutProxy {
    fn start(upstream: u16, budget: u64) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = std::sync::Arc::new(ProxyState {
            budget,
            ..ProxyState::default()
        });
        let shared = std::sync::Arc::clone(&state);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if shared.cut.load(std::sync::atomic::Ordering::SeqCst) {
                    continue;
                }
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                let mut streams = shared.streams.lock().unwrap();
                streams.push(client.try_clone().unwrap());
                streams.push(server.try_clone().unwrap());
                drop(streams);
                let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                let state = std::sync::Arc::clone(&shared);
                std::thread::spawn(move || state.client_to_server(client, server));
                std::thread::spawn(move || copy_back(s2, c2));
            }
        });
        CutProxy { port, state }
    }

    fn sent(&self) -> u64 {
        self.state.sent.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for CutProxy {
    fn drop(&mut self) {
        self.state.cut_all();
        // Wakes the accepting thread, which then closes the listener's last connection.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// The cut-deploy scenario over one protocol: the first version deployed straight to the
/// server; the next version measured once through a proxy into a second folder; then, for a
/// fresh folder at each of several points of that traffic, the next version cut there: exit
/// code 1 with a plain message, no page on the target linking to a missing file; the deploy
/// run again straight to the server completes and the target equals the build.
fn cut_deploys(
    server_port: u16,
    target_of: &dyn Fn(u16, &str) -> String,
    folder_of: &dyn Fn(&str) -> PathBuf,
    config_tail: &str,
    extra: &[&str],
) {
    use crate::deploy::{broken_links, built, cut_site, cut_site_next, deploy, deployed};
    let deploy_to = |site: &crate::support::TestSite, target: String| {
        let mut args = vec!["--target", &target];
        args.extend_from_slice(extra);
        deploy(site, &args)
    };
    let setup = |name: &str| {
        let folder = folder_of(name);
        std::fs::create_dir_all(&folder).unwrap();
        run("chmod", &["777", folder.to_str().unwrap()]);
        let site = cut_site();
        let config = site.read("config.yaml");
        site.file("config.yaml", &format!("{config}{config_tail}"));
        site.file("static/images/photo.bin", "");
        std::fs::write(site.path("static/images/photo.bin"), noise(150_000)).unwrap();
        deploy_to(&site, target_of(server_port, name)).success();
        cut_site_next(&site);
        std::fs::write(site.path("static/images/photo.bin"), noise(150_001)).unwrap();
        site
    };
    let site = setup("probe");
    let proxy = CutProxy::start(server_port, u64::MAX);
    deploy_to(&site, target_of(proxy.port, "probe")).success();
    let total = proxy.sent();
    drop(proxy);
    for (i, part) in [15u64, 40, 70, 95].into_iter().enumerate() {
        let name = format!("cut{i}");
        let site = setup(&name);
        let proxy = CutProxy::start(server_port, total * part / 100);
        let cut = deploy_to(&site, target_of(proxy.port, &name));
        drop(proxy);
        cut.code(1).stderr_has("error: ").stderr_has("help: ");
        assert!(!cut.stderr.contains("panicked"), "{}", cut.stderr);
        let folder = folder_of(&name);
        assert_eq!(
            broken_links(&folder),
            Vec::<String>::new(),
            "cut after {part}% of {total} bytes:\n{}",
            cut.stderr
        );
        deploy_to(&site, target_of(server_port, &name)).success();
        assert_eq!(deployed(&folder, &[]), built(&site), "cut after {part}%");
        assert_eq!(broken_links(&folder), Vec::<String>::new());
    }
}

#[test]
fn the_deploy_command_cut_mid_deploy_over_sftp_leaves_no_broken_page() {
    let Some(server) = Sshd::start() else { return };
    let key = server.path("user_key").display().to_string();
    let fingerprint = server.fingerprint();
    let root = server.dir.path().to_owned();
    let target_of = |port: u16, name: &str| {
        format!("sftp://root@127.0.0.1:{port}{}", root.join(name).display())
    };
    let folder_of = |name: &str| root.join(name);
    let tail = format!("\ndeploy:\n  identity_file: \"{key}\"\n");
    let extra = ["--host-key", fingerprint.as_str()];
    cut_deploys(server.port, &target_of, &folder_of, &tail, &extra);
}

#[test]
fn the_deploy_command_cut_mid_deploy_over_ftp_leaves_no_broken_page() {
    let Some(server) = Vsftpd::start(Login::Anonymous) else {
        return;
    };
    let pub_dir = server.path("anon/pub");
    let target_of = |port: u16, name: &str| format!("ftp://127.0.0.1:{port}/pub/{name}");
    let folder_of = |name: &str| pub_dir.join(name);
    cut_deploys(server.port, &target_of, &folder_of, "", &[]);
}

// ---------------------------------------------------------------------------------------------
// FTPS and git+ssh:// with the real binary

/// `stillpoint deploy --root SITE --no-verify ARGS…` with extra environment variables.
fn deploy_with_env(
    site: &crate::support::TestSite,
    args: &[&str],
    env: &[(&str, &str)],
) -> crate::support::Run {
    let out = assert_cmd::cargo::cargo_bin_cmd!("stillpoint")
        .args([
            "deploy",
            "--root",
            site.root().to_str().unwrap(),
            "--no-verify",
        ])
        .args(args)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    crate::support::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// FTPS with the command: the password from STILLPOINT_DEPLOY_PASSWORD, the host's own
/// authority trusted through SSL_CERT_FILE (as for curl or git); without it, a plain refusal.
#[test]
fn the_deploy_command_over_ftps_sends_the_site() {
    use crate::deploy::{built, deployed, small_site};
    let Some(server) = Vsftpd::start(Login::User { tls: true }) else {
        return;
    };
    let site = small_site();
    let folder = server.path("site");
    let target = server
        .url("ftps", Some(USER), &folder.display().to_string())
        .to_string();
    let ca = server.path("ca.pem").display().to_string();
    let password = ("STILLPOINT_DEPLOY_PASSWORD", PASSWORD);
    let run = deploy_with_env(&site, &["--target", &target], &[password]);
    run.code(1);
    assert!(run.stderr.contains("certificate"), "{}", run.stderr);
    assert!(listing(&folder).is_empty());

    let env = [password, ("SSL_CERT_FILE", ca.as_str())];
    let run = deploy_with_env(&site, &["--target", &target], &env);
    run.success();
    assert!(!run.stderr.contains("unencrypted"), "{}", run.stderr);
    assert!(!run.stderr.contains(PASSWORD));
    assert_eq!(deployed(&folder, &[]), built(&site));
}

/// `git+ssh://` with the command, to a bare repository on the test's sshd, through the
/// owner's own git set-up (GIT_SSH_COMMAND with the key and known_hosts).
#[test]
fn the_deploy_command_over_git_ssh_pushes_the_site() {
    use crate::deploy::{branch_tree, built, has_git, small_site};
    if !has_git() {
        skip("git is not installed");
        return;
    }
    let Some(server) = Sshd::start() else { return };
    let repo = server.path("pages.git");
    run("git", &["init", "--bare", "-q", repo.to_str().unwrap()]);
    let ssh = format!(
        "ssh -i {} -o UserKnownHostsFile={} -o IdentitiesOnly=yes -o BatchMode=yes",
        server.path("user_key").display(),
        server.path("known_hosts").display()
    );
    let target = format!(
        "git+ssh://root@127.0.0.1:{}{}#pages",
        server.port,
        repo.display()
    );
    let env = [("GIT_SSH_COMMAND", ssh.as_str())];
    let site = small_site();
    deploy_with_env(&site, &["--target", &target], &env).success();
    let mut tree = branch_tree(&repo, "pages");
    assert!(tree.remove(".stillpoint-deploy.json").is_some());
    assert_eq!(tree, built(&site));

    site.file("content/about.md", "---\ntitle: About\n---\nEdited.\n");
    deploy_with_env(&site, &["--target", &target], &env).success();
    let mut tree = branch_tree(&repo, "pages");
    tree.remove(".stillpoint-deploy.json");
    assert_eq!(tree, built(&site));

    let run = deploy_with_env(
        &site,
        &["--target", &target],
        &[(
            "GIT_SSH_COMMAND",
            "ssh -o BatchMode=yes -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes",
        )],
    );
    run.code(1);
    assert!(run.stderr.contains("git could not"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// Questions on a terminal (a pseudo-terminal made by util-linux's `script`)

/// The pseudo-terminal of the `stillpoint` process below `pid`, once it runs.
fn terminal_of(pid: u32) -> Option<PathBuf> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if comm.trim() == "stillpoint" && ppid.is_some_and(|p| p == pid || p == child) {
            return std::fs::read_link(format!("/proc/{child}/fd/0")).ok();
        }
        if ppid == Some(pid)
            && let Some(found) = terminal_of(child)
        {
            return Some(found);
        }
    }
    None
}

/// True once the terminal `tty` no longer echoes what is typed.
fn echo_is_off(tty: &Path) -> bool {
    let out = Command::new("stty")
        .args(["-a", "-F", tty.to_str().unwrap()])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .any(|w| w == "-echo")
}

/// Runs `stillpoint ARGS…` on a pseudo-terminal with `env`; for each `(question, answer,
/// hidden)`, waits for the question on the screen (and, when `hidden`, for the terminal to stop
/// echoing), then types the answer. The exit code and everything the terminal showed.
fn on_terminal(
    args: &[&str],
    env: &[(&str, &str)],
    answers: &[(&str, &str, bool)],
) -> (i32, String) {
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    let binary = assert_cmd::cargo::cargo_bin!("stillpoint");
    let quoted: Vec<String> = std::iter::once(binary.to_str().unwrap())
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect();
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &quoted.join(" "), "/dev/null"])
        .env_remove("STILLPOINT_DEPLOY_PASSWORD")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let screen = Arc::new(Mutex::new(Vec::new()));
    let mut stdout = child.stdout.take().unwrap();
    let shown = Arc::clone(&screen);
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            shown.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let mut stdin = child.stdin.take().unwrap();
    let text = |s: &Arc<Mutex<Vec<u8>>>| String::from_utf8_lossy(&s.lock().unwrap()).into_owned();
    for (question, answer, hidden) in answers {
        let mut waited = 0;
        while !text(&screen).contains(question) {
            assert!(
                waited < 6000,
                "no {question:?} on the terminal:\n{}",
                text(&screen)
            );
            std::thread::sleep(Duration::from_millis(10));
            waited += 1;
        }
        if *hidden {
            let tty = loop {
                if let Some(tty) = terminal_of(child.id()) {
                    break tty;
                }
                std::thread::sleep(Duration::from_millis(10));
            };
            while !echo_is_off(&tty) {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
    let status = child.wait().unwrap();
    drop(stdin);
    reader.join().unwrap();
    (status.code().unwrap_or(-1), text(&screen))
}

fn script_installed() -> bool {
    let ok = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skip("util-linux's script is not installed");
    }
    ok
}

/// Over FTP with a user and no STILLPOINT_DEPLOY_PASSWORD: on a terminal, the password is asked
/// for and not shown as it is typed; off a terminal, the plain error.
#[test]
fn the_deploy_command_asks_for_the_password_on_a_terminal() {
    use crate::deploy::{built, deployed, small_site};
    if !script_installed() {
        return;
    }
    let Some(server) = Vsftpd::start(Login::User { tls: false }) else {
        return;
    };
    let site = small_site();
    let folder = server.path("site");
    let target = server
        .url("ftp", Some(USER), &folder.display().to_string())
        .to_string();
    let root = site.root().to_str().unwrap().to_owned();
    let args = [
        "deploy",
        "--root",
        &root,
        "--no-verify",
        "--target",
        &target,
    ];

    let run = deploy_with_env(&site, &["--target", &target], &[]);
    run.code(1)
        .stderr_has("no password for the user")
        .stderr_has("STILLPOINT_DEPLOY_PASSWORD");
    assert!(listing(&folder).is_empty());

    let (code, screen) = on_terminal(&args, &[], &[("Password for", PASSWORD, true)]);
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains(&format!("Password for {USER} at ftp://")),
        "{screen}"
    );
    assert!(
        !screen.contains(PASSWORD),
        "the password was shown:\n{screen}"
    );
    assert!(screen.contains("uploaded "), "{screen}");
    // The progress bar, redrawn in place, on a terminal.
    assert!(screen.contains("\r\x1b[2K[#"), "{screen:?}");
    assert!(screen.contains(" files, "), "{screen}");
    assert_eq!(deployed(&folder, &[]), built(&site));
}

/// An unknown host key on a terminal: its fingerprint is shown and the owner is asked; "no"
/// sends nothing, "yes" deploys and remembers the key in known_hosts, so the next deploy (off
/// a terminal) needs no --host-key.
#[test]
fn the_deploy_command_asks_about_an_unknown_host_key_on_a_terminal() {
    use crate::deploy::{built, deployed, small_site};
    if !script_installed() {
        return;
    }
    let Some(server) = Sshd::start() else { return };
    let home = server.path("home");
    std::fs::create_dir_all(&home).unwrap();
    let site = small_site();
    let config = site.read("config.yaml");
    site.file(
        "config.yaml",
        &format!(
            "{config}\ndeploy:\n  identity_file: \"{}\"\n",
            server.path("user_key").display()
        ),
    );
    let target = server.url("root", "site").to_string();
    let root = site.root().to_str().unwrap().to_owned();
    let args = [
        "deploy",
        "--root",
        &root,
        "--no-verify",
        "--target",
        &target,
    ];
    let env = [("HOME", home.to_str().unwrap()), ("SSH_AUTH_SOCK", "")];
    let fingerprint = server.fingerprint();

    let (code, screen) = on_terminal(&args, &env, &[("(yes/no)?", "no", false)]);
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains(&fingerprint), "{screen}");
    assert!(listing(&server.path("site")).is_empty());
    assert!(!home.join(".ssh/known_hosts").exists());

    let (code, screen) = on_terminal(&args, &env, &[("(yes/no)?", "yes", false)]);
    assert_eq!(code, 0, "{screen}");
    assert_eq!(deployed(&server.path("site"), &[]), built(&site));
    let known = std::fs::read_to_string(home.join(".ssh/known_hosts")).unwrap();
    assert!(
        known.contains(&format!("[127.0.0.1]:{}", server.port)),
        "{known}"
    );

    site.file("content/about.md", "---\ntitle: About\n---\nEdited.\n");
    let run = deploy_with_env(&site, &["--target", &target], &env);
    run.success();
    assert_eq!(deployed(&server.path("site"), &[]), built(&site));
}

// ---------------------------------------------------------------------------------------------
// Something in the way on the host, named before anything is uploaded

/// On the host, a file where the site needs the folder `about/` and a folder where the site
/// puts `css/site.css`: both are named at once, before anything is sent (the target is as it
/// was, no manifest); moved away, the deploy completes.
fn in_the_way_on_the_host(folder: &Path, target: &str, config_tail: &str, extra: &[&str]) {
    use crate::deploy::{built, deployed, small_site};
    let site = small_site();
    let config = site.read("config.yaml");
    site.file("config.yaml", &format!("{config}{config_tail}"));
    let mut args = vec!["--target", target];
    args.extend_from_slice(extra);

    std::fs::write(folder.join("about"), "the owner's notes").unwrap();
    std::fs::create_dir_all(folder.join("css/site.css/old")).unwrap();
    std::fs::write(folder.join("css/site.css/old/x.txt"), "x").unwrap();
    let run = deploy_with_env(&site, &args, &[]);
    run.code(1)
        .stderr_has("2 things in the deploy target")
        .stderr_has("about in the deploy target is a file")
        .stderr_has("css/site.css in the deploy target is a folder")
        .stderr_has("move or delete");
    assert_eq!(
        listing(folder),
        ["about", "css/site.css/old/x.txt"],
        "nothing was sent"
    );
    std::fs::remove_file(folder.join("about")).unwrap();
    std::fs::remove_dir_all(folder.join("css")).unwrap();

    deploy_with_env(&site, &args, &[]).success();
    assert_eq!(deployed(folder, &[]), built(&site));
}

#[test]
fn the_deploy_command_names_what_is_in_the_way_over_sftp() {
    let Some(server) = Sshd::start() else { return };
    let tail = format!(
        "\ndeploy:\n  identity_file: \"{}\"\n",
        server.path("user_key").display()
    );
    let target = server.url("root", "site").to_string();
    let fingerprint = server.fingerprint();
    let folder = server.path("site");
    in_the_way_on_the_host(&folder, &target, &tail, &["--host-key", &fingerprint]);
}

#[test]
fn the_deploy_command_names_what_is_in_the_way_over_ftp() {
    let Some(server) = Vsftpd::start(Login::Anonymous) else {
        return;
    };
    let target = server.url("ftp", None, "/pub").to_string();
    in_the_way_on_the_host(&server.path("anon/pub"), &target, "", &[]);
}

/// Over SFTP with no key the host accepts: on a terminal, the password is asked for (not shown
/// as it is typed) and the deploy completes.
#[test]
fn the_deploy_command_asks_for_the_sftp_password_on_a_terminal() {
    use crate::deploy::{built, deployed, small_site};
    if !script_installed() {
        return;
    }
    let Some(server) = Sshd::start() else { return };
    if !test_user() {
        return;
    }
    give_to_user(server.dir.path(), &server.path("site"));
    let home = server.path("home");
    std::fs::create_dir_all(&home).unwrap();
    let site = small_site();
    let target = server.url(USER, "site").to_string();
    let fingerprint = server.fingerprint();
    let root = site.root().to_str().unwrap().to_owned();
    let args = [
        "deploy",
        "--root",
        &root,
        "--no-verify",
        "--target",
        &target,
        "--host-key",
        &fingerprint,
    ];
    let env = [("HOME", home.to_str().unwrap()), ("SSH_AUTH_SOCK", "")];
    let (code, screen) = on_terminal(&args, &env, &[("Password for", PASSWORD, true)]);
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains(&format!("Password for {USER} at sftp://")),
        "{screen}"
    );
    assert!(
        !screen.contains(PASSWORD),
        "the password was shown:\n{screen}"
    );
    assert_eq!(deployed(&server.path("site"), &[]), built(&site));
}
