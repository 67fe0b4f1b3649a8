//! The command line: `stillpoint build`, `watch` and `serve` (clap, derive API).

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
