//! The `stillpoint` binary: parses the command line, calls the library, prints what happened,
//! and turns the result into an exit code: 0 success, 1 the site has an error, 2 bad usage
//! (clap exits with 2 itself).

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;

mod cli;

use cli::{BuildArgs, CheckArgs, Cli, Command};
use stillpoint::check::CheckReport;
use stillpoint::live::{Rebuild, WatchEvent};
use stillpoint::serve::{ServeEvent, ServeOptions};
use stillpoint::watch::Notice;
use stillpoint::{BuildOptions, Diagnostic, config::Overrides, render_diagnostics};

/// Writes `text` to stderr. A closed stderr (the reader of a pipe stopped early, as
/// `stillpoint check | head -3` does) or any other write error is ignored: there is nowhere
/// left to report it, and the exit code stays the one the command decided. Rust ignores
/// SIGPIPE, so `eprint!` would panic (exit 101) there instead; every message of the binary goes
/// through here (ripgrep does the same).
fn to_stderr(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// `eprint!` through [`to_stderr`].
macro_rules! say_raw {
    ($($arg:tt)*) => {
        to_stderr(&format!($($arg)*))
    };
}

/// `eprintln!` through [`to_stderr`].
macro_rules! say {
    ($($arg:tt)*) => {
        to_stderr(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// Whether diagnostics are printed in colour: when stderr is a terminal and `NO_COLOR` is not
/// set.
fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Prints diagnostics to stderr (see [`color`]), with their count when there are several. The
/// one place that prints them, for every command but `check`, which has [`report_check`].
fn report(diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    say_raw!("{}", render_diagnostics(diagnostics, color()));
}

/// Prints `check`'s report: its diagnostics (see [`color`]), its notes, then its summary line,
/// which counts the pages too (so the diagnostics are printed without [`report`]'s count).
fn report_check(found: &CheckReport) {
    say_raw!("{}", stillpoint::render_each(&found.diagnostics, color()));
    for note in &found.notes {
        say!("note: {note}");
    }
    say!("{}", found.summary_line());
}

/// Prints one watch/serve rebuild: its diagnostics, then its one summary line.
fn report_rebuild(r: &Rebuild) {
    match &r.outcome {
        Ok(done) => report(&done.warnings),
        Err(diags) => report(diags),
    }
    say!("{}", r.summary_line());
}

fn report_notice(n: &Notice) {
    match n {
        Notice::Polling(why) => say!(
            "note: file events are not available ({why}); checking for changes every few hundred ms instead"
        ),
        Notice::WatchError(e) => say!("note: the watcher reported: {e}"),
    }
}

fn build_options(args: BuildArgs) -> BuildOptions {
    BuildOptions {
        root: args.root,
        overrides: Overrides {
            output_dir: args.output,
            base_url: args.base_url,
            drafts: args.drafts,
            urls: args.urls,
            ..Overrides::default()
        },
        dry_run: false,
    }
}

/// A flag set on Ctrl-C, so that watch and serve stop cleanly (and serve removes its private
/// build folder).
fn stop_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let s = Arc::clone(&stop);
    let _ = ctrlc::set_handler(move || s.store(true, Ordering::Relaxed));
    stop
}

/// The exit code of `watch` and `serve` once they stop: 0 when stopped (Ctrl-C), 1 after
/// printing why they could not run (build errors never end them).
fn live_exit(result: stillpoint::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e.into_diagnostics());
            ExitCode::from(1)
        }
    }
}

fn build_command(args: BuildArgs, show_timings: bool) -> ExitCode {
    match stillpoint::build(&build_options(args)) {
        Ok(done) => {
            report(&done.warnings);
            if show_timings {
                for (stage, us) in &done.timings.stages {
                    say!("{stage:>20}: {:>8.1} ms", *us as f64 / 1000.0);
                }
            }
            say!(
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
            say!("The site was not built; the output folder is unchanged.");
            ExitCode::from(1)
        }
    }
}

/// The build that `check` and `deploy` make in memory (nothing written to the output
/// folder), with the `--drafts` and `--urls` of their command line.
fn in_memory_build(
    root: std::path::PathBuf,
    drafts: bool,
    urls: Option<stillpoint::config::UrlMode>,
) -> BuildOptions {
    BuildOptions {
        root,
        overrides: Overrides {
            drafts,
            urls,
            ..Overrides::default()
        },
        dry_run: true,
    }
}

fn check_command(args: CheckArgs) -> ExitCode {
    let strict = args.strict;
    let options = stillpoint::check::CheckOptions {
        build: in_memory_build(args.root, args.drafts, args.urls),
        external: args.external,
        skip_external: args.skip_external,
        timeout: std::time::Duration::from_secs_f64(args.timeout.clamp(0.1, 600.0)),
        concurrency: usize::from(args.concurrency),
        today: args.today,
        publish: args.publish,
    };
    let found = stillpoint::check::check(&options);
    report_check(&found);
    ExitCode::from(found.exit_code(strict))
}

fn new_command(args: cli::NewArgs) -> ExitCode {
    if let Some(cli::NewCommand::Page(page)) = args.what {
        return new_page_command(page);
    }
    let dir = match args.folder() {
        Ok(dir) => dir,
        // A usage error: clap prints it and exits with 2.
        Err(e) => e.exit(),
    };
    let codes = match args
        .languages
        .as_deref()
        .map(stillpoint::scaffold::parse_codes)
    {
        None => Vec::new(),
        Some(Ok(codes)) => codes,
        Some(Err(d)) => {
            report(&[*d]);
            return ExitCode::from(1);
        }
    };
    let today = args
        .today
        .unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let created = stillpoint::scaffold::create_in_languages(dir, today, &codes);
    match created {
        Ok(()) => {
            say!(
                "Created a new site in {dir}.\nNext steps:\n  cd {dir}\n  stillpoint serve\nthen open http://127.0.0.1:1111/ and edit the files in content/.\n(Without the `stillpoint` command, from stillpoint's own folder: cargo run --release -- serve --root {dir}; `cargo install --locked --path .` there makes the command.)",
                dir = dir.display(),
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            report(&e.into_diagnostics());
            ExitCode::from(1)
        }
    }
}

fn new_page_command(args: cli::NewPageArgs) -> ExitCode {
    let today = args
        .today
        .unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    match stillpoint::scaffold::new_page(&args.root, &args.name, today) {
        Ok(page) => {
            say!(
                "Created {} (from {}).\nIts address will be {}",
                page.file.display(),
                page.archetype,
                page.url
            );
            if page.shortened {
                say!(
                    "The title is long, so the file name (and the address) takes only its first words; rename the file or set `slug:` to choose others."
                );
            }
            if page.draft {
                say!(
                    "It is a draft: `stillpoint serve --drafts` shows it; delete the line `draft: true` when it is ready to publish."
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            report(&e.into_diagnostics());
            ExitCode::from(1)
        }
    }
}

/// Prints the dry run's lists: each upload and removal with its size.
fn report_dry_run(report: &stillpoint::deploy::DeployReport) {
    use stillpoint::deploy::{human_size, plan::Change};
    for u in &report.plan.uploads {
        let why = match u.change {
            Change::New => "new",
            Change::Changed => "changed",
        };
        say!("  upload  {} ({why}, {})", u.path, human_size(u.size));
    }
    for r in &report.plan.removals {
        say!("  remove  {r}");
    }
}

/// Prints what a deploy did: its warnings, the dry run's lists, the summary line and what
/// fetching the site found.
fn report_deploy(done: &stillpoint::deploy::DeployReport) {
    report(&done.warnings);
    if !done.forced.is_empty() {
        let n = done.forced.len();
        let things = if n == 1 { "thing" } else { "things" };
        let how = if done.dry_run {
            "it would be deployed anyway because of --force (dry run: nothing was changed)"
        } else {
            "deployed anyway because of --force"
        };
        say!(
            "warning: the site is not ready to publish ({n} {things} left to do; see `stillpoint check --publish`), {how}"
        );
    }
    if done.dry_run {
        say!("Deploy to {} (dry run):", done.target);
        report_dry_run(done);
    } else if done.plan.first {
        say!(
            "note: first deploy to {}: every file was sent, nothing was removed",
            done.target
        );
    }
    say!("{}", done.summary_line());
    if let Some(v) = &done.verified {
        say!("{}", v.summary_line());
    }
}

/// The flag a first Ctrl-C (or SIGTERM) sets: the deploy stops before its next file and cleans
/// up (a git target's temporary repository is removed as it is dropped). A second Ctrl-C ends
/// the program at once.
fn deploy_stop_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let s = Arc::clone(&stop);
    let _ = ctrlc::set_handler(move || {
        if s.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    stop
}

/// The terminal's width in columns: `COLUMNS` when exported, else 80.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .filter(|w| *w > 0)
        .unwrap_or(80)
}

/// `stillpoint deploy`: its progress bar on a terminal, its lists, its summary line.
fn deploy_command(args: cli::DeployArgs) -> ExitCode {
    use stillpoint::deploy::{self, DeployFailure, DeployOptions, settings::PASSWORD_VARIABLE};
    let interactive = std::io::stderr().is_terminal();
    let options = DeployOptions {
        build: in_memory_build(args.root, args.drafts, args.urls),
        target: args.target,
        dry_run: args.dry_run,
        force: args.force,
        full: args.full,
        no_verify: args.no_verify,
        connect: deploy::ConnectOptions {
            host_key: args.host_key,
            password: std::env::var(PASSWORD_VARIABLE).ok(),
            interactive,
            certificates: std::env::var_os("SSL_CERT_FILE")
                .filter(|f| !f.is_empty())
                .map(std::path::PathBuf::from),
            ..Default::default()
        },
    };
    let stop = deploy_stop_flag();
    let mut progress = |p: deploy::Progress<'_>| {
        if stop.load(Ordering::SeqCst) {
            return std::ops::ControlFlow::Break(());
        }
        if interactive {
            say_raw!("\r\x1b[2K{}", p.bar(terminal_width()));
        }
        std::ops::ControlFlow::Continue(())
    };
    let result = deploy::deploy(&options, &mut progress);
    if interactive {
        say_raw!("\r\x1b[2K");
    }
    match result {
        Ok(done) => {
            report_deploy(&done);
            ExitCode::SUCCESS
        }
        Err(DeployFailure::Build(e)) => {
            report(&e.into_diagnostics());
            say!("The site was not built, so nothing was deployed.");
            ExitCode::from(1)
        }
        Err(DeployFailure::NotReady(findings)) => {
            report(&findings);
            say!(
                "The site is not ready to publish, so nothing was deployed: fix what is listed above (stillpoint check --publish lists it too), or deploy anyway with --force."
            );
            ExitCode::from(1)
        }
        Err(DeployFailure::Target(e)) => {
            say!("error: {}", e.message);
            say!("  help: {}", e.help);
            // 130 (128 + SIGINT): stopped by the owner, as shells report Ctrl-C.
            ExitCode::from(if stop.load(Ordering::SeqCst) { 130 } else { 1 })
        }
    }
}

fn main() -> ExitCode {
    // A library's panic on a page's text is reported as an error at that page, silently caught.
    stillpoint::panics::install_hook();
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => {
            let timings = args.timings;
            build_command(args, timings)
        }
        Command::Watch(args) => {
            let stop = stop_flag();
            let options = build_options(args.build);
            say!(
                "Watching {} for changes (Ctrl-C to stop)",
                options.root.display()
            );
            let result =
                stillpoint::live::watch_site(&options, args.poll, &stop, |event| match event {
                    WatchEvent::Rebuilt(r) => report_rebuild(&r),
                    WatchEvent::Notice(n) => report_notice(&n),
                });
            live_exit(result)
        }
        Command::Check(args) => check_command(args),
        Command::New(args) => new_command(args),
        Command::Deploy(args) => deploy_command(args),
        Command::Serve(args) => {
            let stop = stop_flag();
            let options = ServeOptions {
                root: args.root,
                interface: args.interface,
                port: args.port,
                drafts: args.drafts,
                urls: args.urls,
                poll: args.poll,
            };
            if !options.interface.is_loopback() {
                say!(
                    "warning: listening on {}, so other computers on the network can see this preview",
                    options.interface
                );
            }
            let open = args.open;
            let result = stillpoint::serve::serve(&options, &stop, |event| match event {
                ServeEvent::Listening { url, port_note } => {
                    if let Some(note) = port_note {
                        say!("note: {note}");
                    }
                    say!("Serving the site at {url} (Ctrl-C to stop)");
                    if open && let Err(e) = opener::open(&url) {
                        say!("note: could not open the browser: {e}");
                    }
                }
                ServeEvent::Rebuilt(r) => report_rebuild(&r),
                ServeEvent::Moved { url } => {
                    say!("The site is now at {url} (the path of base_url changed)");
                }
                ServeEvent::Notice(n) => report_notice(&n),
            });
            live_exit(result)
        }
    }
}
