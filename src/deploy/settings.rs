//! `deploy:` in `config.yaml`: where `stillpoint deploy` publishes the site.
//!
//! ```yaml
//! deploy:
//!   target: "sftp://studio@host.example/www"   # or a folder, ftp://, git+ssh://…#gh-pages
//!   identity_file: "~/.ssh/studio_deploy"      # optional: the SSH key for sftp://
//! ```
//!
//! A password is never written here nor in the target's URL: it comes from the
//! `STILLPOINT_DEPLOY_PASSWORD` environment variable, or from a prompt on a terminal
//! ([`password_for`]), and either place is refused with an error saying so.

use std::path::PathBuf;

use serde::Deserialize;

use crate::error::Diagnostic;

/// The keys of `deploy:` in `config.yaml`.
pub const DEPLOY_KEYS: &[&str] = &["target", "identity_file"];

/// The environment variable a deploy password comes from.
pub const PASSWORD_VARIABLE: &str = "STILLPOINT_DEPLOY_PASSWORD";

/// The password for `user` at the target `shown`: `given` (from [`PASSWORD_VARIABLE`]) when
/// set, else, when `interactive`, asked on the terminal without echo (rpassword reads
/// `/dev/tty`, as `ssh` and `sudo` do). `None` off a terminal, or when nothing can be read.
pub fn password_for(
    given: Option<&str>,
    interactive: bool,
    user: &str,
    shown: &str,
) -> Option<String> {
    if let Some(p) = given {
        return Some(p.to_owned());
    }
    if !interactive {
        return None;
    }
    ask_password(user, shown)
}

/// Asks for the password of `user` at `shown` on the terminal, without echo.
fn ask_password(user: &str, shown: &str) -> Option<String> {
    let prompt = format!("Password for {user} at {shown} (not shown as you type): ");
    let password = rpassword::prompt_password(prompt).ok()?;
    (!password.is_empty()).then_some(password)
}

/// `deploy:` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawDeploy {
    /// The deploy target: a folder, `file:///…`, `sftp://…`, `ftp://…`, `ftps://…`,
    /// `git+ssh://…`, `git+https://…` or `git+file:///…` (see [`super::target`]).
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub target: Option<String>,
    /// The SSH private key for `sftp://` targets (`~/` is the home folder).
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub identity_file: Option<String>,
    /// Accepted only to be refused with a message saying where a password goes.
    pub password: Option<serde::de::IgnoredAny>,
}

/// The resolved `deploy:` settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeploySettings {
    /// The target as written (resolved when the deploy starts: a relative folder is relative
    /// to the site's root).
    pub target: Option<String>,
    /// The SSH key file, `~/` expanded.
    pub identity_file: Option<PathBuf>,
}

/// Resolves `deploy:`. `source` is the text of `config.yaml`, to place errors.
///
/// # Errors
/// A diagnostic (without its file: the caller adds `config.yaml`) at its line when a
/// `password:` is given or the target's URL holds a password.
pub fn resolve(raw: RawDeploy, source: &str) -> Result<DeploySettings, Box<Diagnostic>> {
    let RawDeploy {
        target,
        identity_file,
        password,
    } = raw;
    let place =
        |d: Diagnostic, key: &str| match crate::config::nested_value_span(source, "deploy", key) {
            Some(span) => d.at(span, source),
            None => d,
        };
    if password.is_some() {
        return Err(Box::new(place(
            Diagnostic::error("a password does not go in config.yaml, which is part of the site's files and may be shared or published")
                .label("remove this line")
                .help(format!("remove `password:` from `deploy:` and set the environment variable {PASSWORD_VARIABLE} when you deploy, or let stillpoint ask for it")),
            "password",
        )));
    }
    if let Some(t) = &target
        && has_password(t)
    {
        return Err(Box::new(place(
            Diagnostic::error("the deploy target's address holds a password; a password does not go in config.yaml")
                .label("the part between `:` and `@` is a password")
                .help(format!("write the address without it (`{}`) and set the environment variable {PASSWORD_VARIABLE} when you deploy, or let stillpoint ask for it", address_example(t))),
            "target",
        )));
    }
    Ok(DeploySettings {
        target: target
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
        identity_file: identity_file.map(|f| expand_home(&f)),
    })
}

/// The address `target` written without its password, as an example for the help:
/// `{scheme}://user@host/folder` with the target's own scheme (`sftp`, `ftp`, `ftps`,
/// `git+https`…); `sftp` when it has none.
pub fn address_example(target: &str) -> String {
    let scheme = target
        .split_once("://")
        .map(|(s, _)| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty() && !s.contains(char::is_whitespace))
        .unwrap_or_else(|| "sftp".to_string());
    format!("{scheme}://user@host/folder")
}

/// True when `target` is a URL with a password (`sftp://user:secret@host/`).
pub fn has_password(target: &str) -> bool {
    url::Url::parse(target).is_ok_and(|u| u.password().is_some())
}

/// `path` with a leading `~/` replaced by the home folder (`HOME`, or `USERPROFILE` on
/// Windows), when it is known.
pub fn expand_home(path: &str) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))
    {
        return PathBuf::from(home).join(rest);
    }
    PathBuf::from(path)
}
