//! The `stillpoint` binary: parses the command line, calls the library, prints what happened,
//! and turns the result into an exit code: 0 success, 1 the site has an error, 2 bad usage
//! (clap exits with 2 itself).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

mod cli;

use cli::{Cli, Command};
use stillpoint::{BuildOptions, Diagnostic, config::Overrides, render_diagnostics};

/// Prints diagnostics to stderr, in colour when stderr is a terminal. The one place that
/// prints them, for every command.
#[allow(clippy::print_stderr)]
fn report(diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    eprint!("{}", render_diagnostics(diagnostics, color));
}

#[allow(clippy::print_stderr)]
fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => {
            let options = BuildOptions {
                root: args.root,
                overrides: Overrides {
                    output_dir: args.output,
                    base_url: args.base_url,
                    drafts: args.drafts,
                },
                dry_run: false,
            };
            match stillpoint::build(&options) {
                Ok(done) => {
                    report(&done.warnings);
                    eprintln!(
                        "Built {} pages ({} files) into {} in {} ms",
                        done.pages,
                        done.files,
                        done.output_dir.display(),
                        done.elapsed_ms
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    report(&e.into_diagnostics());
                    eprintln!("The site was not built; the output folder is unchanged.");
                    ExitCode::from(1)
                }
            }
        }
    }
}
