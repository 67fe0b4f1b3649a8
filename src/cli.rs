//! The command line: `stillpoint build`, `watch`, `serve`, `check`, `new` and `deploy` (clap,
//! derive API).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use stillpoint::urls::UrlMode;

/// `--urls MODE`: one of [`UrlMode::NAMES`]. Errors: the text naming the three values.
fn parse_urls(name: &str) -> Result<UrlMode, String> {
    UrlMode::from_name(name).ok_or_else(|| {
        format!("`{name}` is not a way to write URLs: use relative, absolute or files")
    })
}

/// stillpoint turns a folder of markdown files into a fast, accessible website.
#[derive(Debug, Parser)]
#[command(name = "stillpoint", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (public/ by default).
    Build(BuildArgs),
    /// Build the site, then rebuild it whenever a file changes.
    Watch(WatchArgs),
    /// Serve the site on a local address and reload the browser after every change.
    Serve(ServeArgs),
    /// Build the site without writing it and report problems: broken links, missing images,
    /// content and accessibility issues, health pages due for review.
    Check(CheckArgs),
    /// Create a new site in DIR, with the default theme and example pages; or, with
    /// `new page`, a new page in the site.
    New(NewArgs),
    /// Build the site and publish it to its deploy target (a folder, a git branch, SFTP or
    /// FTP), sending only what changed. Try it first with --dry-run.
    Deploy(DeployArgs),
}

/// Options of `stillpoint deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The site folder (the one holding config.yaml).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Where to publish, instead of `deploy: target:` in config.yaml: a folder, file:///…,
    /// sftp://user@host/path, ftp://…, ftps://…, or git+ssh://…, git+https://…,
    /// git+file:///… with #branch (gh-pages by default).
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// List what would be uploaded and removed, with sizes, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Deploy even when `check --publish` finds the site not ready (placeholders left).
    #[arg(long)]
    pub force: bool,
    /// Send every file again, even those the last deploy recorded as unchanged (after files
    /// were deleted or edited on the host by hand).
    #[arg(long)]
    pub full: bool,
    /// The SSH host key fingerprint to accept (SHA256:…) for a host not yet in known_hosts.
    #[arg(long, value_name = "FINGERPRINT")]
    pub host_key: Option<String>,
    /// Do not fetch the pages from base_url after the deploy to verify them.
    #[arg(long)]
    pub no_verify: bool,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// How the site's own links are written: relative, absolute or files; replaces `urls`
    /// from config.yaml.
    #[arg(long, value_name = "MODE", value_parser = parse_urls)]
    pub urls: Option<UrlMode>,
}

/// Options of `stillpoint check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The site folder (the one holding config.yaml).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// How the site's own links are written: relative (works at any address and in a
    /// sub-folder), absolute (from base_url) or files (relative, also opened from the disk);
    /// replaces `urls` from config.yaml.
    #[arg(long, value_name = "MODE", value_parser = parse_urls)]
    pub urls: Option<UrlMode>,
    /// Exit with 1 when there are warnings, not only errors.
    #[arg(long)]
    pub strict: bool,
    /// Before publishing: also report, as errors, every placeholder still in the site (a part
    /// in [square brackets]), a base_url that is a placeholder address, and a placeholder_notice
    /// still set.
    #[arg(long)]
    pub publish: bool,
    /// Also request external http:// and https:// links, once per address.
    #[arg(long)]
    pub external: bool,
    /// Do not request external links starting with this address (repeatable; added to
    /// `check.skip_external` in config.yaml).
    #[arg(long, value_name = "URL")]
    pub skip_external: Vec<String>,
    /// Seconds allowed for each external request.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub timeout: f64,
    /// External requests in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Check health-page review dates as if today were DATE (YYYY-MM-DD; for tests).
    #[arg(long, hide = true, value_name = "DATE")]
    pub today: Option<jiff::civil::Date>,
}

/// Options of `stillpoint new`: `new DIR` creates a site, `new page NAME` a page. `page` is a
/// subcommand, so `stillpoint new page` always means a page (a site in a folder called `page`
/// is `stillpoint new ./page`).
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct NewArgs {
    /// `page`: a new page instead of a new site.
    #[command(subcommand)]
    pub what: Option<NewCommand>,
    /// The folder to create the site in; it must not exist or be empty, and not be inside
    /// another site.
    // Several words are taken, to refuse a name with spaces typed without quotes with that
    // advice (`NewArgs::folder`).
    #[arg(value_name = "DIR", required = true, num_args = 1..)]
    pub dir: Vec<PathBuf>,
    /// Write DATE (YYYY-MM-DD) as the example health page's review date instead of today's
    /// (for tests, so that they do not depend on the day they run).
    #[arg(long, hide = true, value_name = "DATE")]
    pub today: Option<jiff::civil::Date>,
    /// Make the site in these languages, the default first: `--languages en,fr` adds French
    /// versions of the home and about pages (`_index.fr.md`, `about.fr.md`) at /fr/.
    #[arg(long, value_name = "CODES")]
    pub languages: Option<String>,
}

impl NewArgs {
    /// The one folder given to `new`. Errors (a usage error, exit 2): no folder, or several
    /// words, as from `stillpoint new my site` without quotes.
    pub fn folder(&self) -> Result<&PathBuf, clap::Error> {
        match self.dir.as_slice() {
            [one] => Ok(one),
            words => {
                use clap::CommandFactory;
                let joined = words
                    .iter()
                    .map(|w| w.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" ");
                let mut cli = Cli::command();
                cli.build();
                let mut command = match cli.find_subcommand_mut("new") {
                    Some(new) => new.clone(),
                    None => cli,
                };
                Err(command.error(
                    clap::error::ErrorKind::TooManyValues,
                    format!(
                        "`stillpoint new` takes one folder name, but got {} words; for a name with spaces, put it in quotes: stillpoint new \"{joined}\"",
                        words.len()
                    ),
                ))
            }
        }
    }
}

/// What `stillpoint new` makes besides a site.
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// Add a page to the site, from an archetype (the site's archetypes/, else the theme's,
    /// else a built-in one): `stillpoint new page "Prices"` or `stillpoint new page
    /// faq/insurance.md`.
    Page(NewPageArgs),
}

/// Options of `stillpoint new page`.
#[derive(Debug, Args)]
pub struct NewPageArgs {
    /// The page's title (`"Prices"` writes content/prices.md), or its file inside content/
    /// (`faq/insurance.md`). A name ending in .md is a file (folders are made as needed);
    /// anything else is a title, made into a file name as a whole: a `/` in a title makes no
    /// folder (`"Before / after"` writes content/before-after.md), except after a folder of
    /// content/ that exists (`"faq/Insurance questions"` with content/faq/ there).
    #[arg(value_name = "TITLE_OR_FILE")]
    pub name: String,
    /// The site folder (the one holding config.yaml).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Write DATE (YYYY-MM-DD) for `{{ date }}` instead of today's (for tests).
    #[arg(long, hide = true, value_name = "DATE")]
    pub today: Option<jiff::civil::Date>,
}

/// Options of `stillpoint build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site folder (the one holding config.yaml).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Write the site here instead of `output_dir` from config.yaml.
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Use this base URL instead of `base_url` from config.yaml.
    #[arg(long, short = 'u', value_name = "URL")]
    pub base_url: Option<String>,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// How the site's own links are written: relative (works at any address and in a
    /// sub-folder), absolute (from base_url) or files (relative, also opened from the disk);
    /// replaces `urls` from config.yaml.
    #[arg(long, value_name = "MODE", value_parser = parse_urls)]
    pub urls: Option<UrlMode>,
    /// Print how long each stage of the build took.
    #[arg(long)]
    pub timings: bool,
}

/// Options of `stillpoint watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The site options, as for `build`.
    #[command(flatten)]
    pub build: BuildArgs,
    /// Check for changes regularly instead of relying on file-system events (for network and
    /// container file systems).
    #[arg(long)]
    pub poll: bool,
}

/// Options of `stillpoint serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site folder (the one holding config.yaml).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// The address to listen on.
    #[arg(long, short, default_value = "127.0.0.1", value_name = "ADDRESS")]
    pub interface: IpAddr,
    /// The port to listen on (the next free one is used if it is taken).
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// Open the site in the web browser.
    #[arg(long)]
    pub open: bool,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// How the site's own links are written: relative (works at any address and in a
    /// sub-folder), absolute (from base_url) or files (relative, also opened from the disk);
    /// replaces `urls` from config.yaml.
    #[arg(long, value_name = "MODE", value_parser = parse_urls)]
    pub urls: Option<UrlMode>,
    /// Check for changes regularly instead of relying on file-system events.
    #[arg(long)]
    pub poll: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
