//! The command line: `stillpoint build` and its options (clap, derive API).

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
