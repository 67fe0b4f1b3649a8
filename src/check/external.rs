//! `check --external`: requests every distinct external `http://` / `https://` link once.
//!
//! In: the external links found in markdown and in the built pages ([`super::ExternalLink`],
//! with file and position) and [`Settings`]. Out: diagnostics at every place a bad URL is written, and notes about the
//! check itself. Each distinct URL (without its `#fragment`) is requested once with `GET`, by
//! at most [`Settings::concurrency`] threads at a time, each request limited to
//! [`Settings::timeout`]. Redirects are followed by hand (up to [`MAX_REDIRECTS`]) so that a
//! permanent one can be reported.
//!
//! What is reported, and why:
//! - 404 and 410 (the page is gone): an **error**, as a broken internal link is;
//! - a permanent redirect (301, 308) that ends at a working page: a warning naming the new
//!   address, to update the link;
//! - other 4xx, 5xx, time-outs and connection failures: warnings, because they are often
//!   temporary or a site refusing automated requests (401, 403, 429), which a person should
//!   look at rather than fail a build on.
//!
//! `https://` needs the `https` cargo feature (TLS); without it those links are listed in a note
//! as not checked.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use super::{ExternalLink, is_http, read_texts, template_dirs};
use crate::config::Config;
use crate::error::Diagnostic;
use crate::error::{line_text as line_of, span_at};
use crate::html::fixed_paths;
use crate::render::BuiltSite;
use crate::site::SiteTree;

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 5;

/// How to check external links.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Time allowed for one request, connection included.
    pub timeout: Duration,
    /// Requests in flight at once (at least 1).
    pub concurrency: usize,
    /// URL prefixes not to request (from `check.skip_external` and `--skip-external`).
    pub skip: Vec<String>,
}

/// What a request for one URL found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer, with no permanent redirect on the way.
    Ok,
    /// A 2xx answer after a permanent redirect to `to` (the last permanent hop's target).
    Moved {
        /// The address to use instead.
        to: String,
    },
    /// The page is gone (404, 410).
    Gone(u16),
    /// Any other unsuccessful status.
    Status(u16),
    /// More than [`MAX_REDIRECTS`] redirects, or a redirect without a usable `Location`.
    RedirectLoop,
    /// No answer within the time-out.
    Timeout,
    /// The request failed (name resolution, connection, TLS…), with the client's reason.
    Failed(String),
}

/// Checks `links` (see the module docs). Returns (diagnostics, notes).
pub fn check_links(links: &[ExternalLink], settings: &Settings) -> (Vec<Diagnostic>, Vec<String>) {
    let mut notes = Vec::new();
    let (urls, skipped, no_tls) = to_request(links, settings);
    if !no_tls.is_empty() {
        notes.push(format!(
            "{} https:// address{} not checked: this stillpoint was built without the `https` feature (cargo install --path . --features https)",
            no_tls.len(),
            if no_tls.len() == 1 { " was" } else { "es were" }
        ));
    }
    let outcomes = request_all(&urls, settings);
    let mut diags = Vec::new();
    // Offline: one warning instead of one per link.
    let failures: Vec<&str> = outcomes
        .values()
        .filter_map(|o| match o {
            Outcome::Failed(why) => Some(why.as_str()),
            _ => None,
        })
        .collect();
    if urls.len() >= 2 && failures.len() == urls.len() {
        diags.push(
            Diagnostic::warning(format!(
                "none of the {} external addresses could be reached ({})",
                urls.len(),
                failures.first().copied().unwrap_or_default()
            ))
            .help("this computer may be offline: connect to the Internet and run `stillpoint check --external` again"),
        );
        notes.push(format!("requested {} external addresses", urls.len()));
        return (diags, notes);
    }
    for l in links {
        let url = without_fragment(&l.url);
        let Some(outcome) = outcomes.get(url) else {
            continue;
        };
        if let Some(d) = diagnostic(outcome, url, settings.timeout) {
            let mut d = d.in_file(&l.file);
            if let Some(span) = l.span {
                d = d.at_line(span, l.line_text.clone());
            }
            diags.push(d);
        }
    }
    notes.push(format!(
        "requested {} external address{}{}",
        urls.len(),
        if urls.len() == 1 { "" } else { "es" },
        if skipped > 0 {
            format!(
                "; skipped {skipped} link{} on the skip list",
                if skipped == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        }
    ));
    (diags, notes)
}

/// The distinct addresses of `links` to request (without their `#fragment`, sorted), the
/// number of links on the skip list, and the distinct `https://` addresses left out because
/// this build has no TLS.
fn to_request(links: &[ExternalLink], settings: &Settings) -> (Vec<String>, usize, Vec<String>) {
    let mut to_visit: BTreeMap<String, ()> = BTreeMap::new();
    let mut skipped = 0usize;
    let mut no_tls: Vec<String> = Vec::new();
    for l in links {
        let url = without_fragment(&l.url);
        if settings.skip.iter().any(|p| url.starts_with(p.as_str())) {
            skipped += 1;
            continue;
        }
        if !cfg!(feature = "https")
            && url
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        {
            if !no_tls.contains(&url.to_string()) {
                no_tls.push(url.to_string());
            }
            continue;
        }
        to_visit.insert(url.to_string(), ());
    }
    (to_visit.into_keys().collect(), skipped, no_tls)
}

fn diagnostic(outcome: &Outcome, url: &str, timeout: Duration) -> Option<Diagnostic> {
    let d = match outcome {
        Outcome::Ok => return None,
        Outcome::Moved { to } => Diagnostic::warning(format!("the page at {url} has moved to {to}"))
            .label("moved permanently")
            .help(format!("change the link to {to}")),
        Outcome::Gone(code) => Diagnostic::error(format!(
            "broken external link: {url} answers {code} ({})",
            reason(*code)
        ))
        .label("page not found")
        .help("find where the page went (search the site, or the Internet Archive at web.archive.org) and update or remove the link"),
        Outcome::Status(code) => Diagnostic::warning(format!(
            "the external link {url} answers {code} ({})",
            reason(*code)
        ))
        .label("not a working page")
        .help(if (401..=403).contains(code) || *code == 429 {
            "the site may refuse automated checks: open the link in a browser; if it works, add it to `check.skip_external` in config.yaml"
        } else {
            "open the link in a browser; if it stays broken, update or remove it"
        }),
        Outcome::RedirectLoop => Diagnostic::warning(format!(
            "the external link {url} redirects more than {MAX_REDIRECTS} times"
        ))
        .label("too many redirects")
        .help("open the link in a browser and use the address it ends at"),
        Outcome::Timeout => Diagnostic::warning(format!(
            "the external link {url} did not answer within {} seconds",
            timeout.as_secs_f64()
        ))
        .label("no answer")
        .help("the site may be slow or down for now: try again later, or raise --timeout"),
        Outcome::Failed(why) => Diagnostic::warning(format!(
            "the external link {url} could not be reached: {why}"
        ))
        .label("unreachable")
        .help("check the address for typos; if it is right, the site may be down for now"),
    };
    Some(d)
}

fn reason(code: u16) -> &'static str {
    match code {
        400 => "bad request",
        401 => "login required",
        403 => "forbidden",
        404 => "not found",
        410 => "gone",
        429 => "too many requests",
        500 => "server error",
        502 => "bad gateway",
        503 => "unavailable",
        504 => "gateway time-out",
        _ => "not a success",
    }
}

fn without_fragment(url: &str) -> &str {
    url.split_once('#').map_or(url, |(u, _)| u)
}

/// Requests every URL once, `settings.concurrency` at a time. Returns each URL's outcome.
pub fn request_all(urls: &[String], settings: &Settings) -> HashMap<String, Outcome> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(settings.timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!(
            "stillpoint/",
            env!("CARGO_PKG_VERSION"),
            " (link check)"
        ))
        .build()
        .into();
    let queue = Mutex::new(urls.iter());
    let results = Mutex::new(HashMap::new());
    let workers = settings.concurrency.clamp(1, urls.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let next = match queue.lock() {
                        Ok(mut q) => q.next(),
                        Err(_) => None,
                    };
                    let Some(url) = next else { break };
                    let outcome = request(&agent, url);
                    if let Ok(mut r) = results.lock() {
                        r.insert(url.clone(), outcome);
                    }
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

/// One URL, following redirects by hand.
fn request(agent: &ureq::Agent, url: &str) -> Outcome {
    let mut current = url.to_string();
    let mut moved_to: Option<String> = None;
    for _ in 0..=MAX_REDIRECTS {
        let response = match agent.get(&current).call() {
            Ok(r) => r,
            Err(ureq::Error::Timeout(_)) => return Outcome::Timeout,
            Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::TimedOut => {
                return Outcome::Timeout;
            }
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        let status = response.status().as_u16();
        match status {
            200..=299 => {
                return match moved_to {
                    Some(to) => Outcome::Moved { to },
                    None => Outcome::Ok,
                };
            }
            301 | 302 | 303 | 307 | 308 => {
                let Some(location) = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                else {
                    return Outcome::RedirectLoop;
                };
                let Ok(next) = url::Url::parse(&current).and_then(|base| base.join(location))
                else {
                    return Outcome::RedirectLoop;
                };
                current = next.to_string();
                if status == 301 || status == 308 {
                    moved_to = Some(current.clone());
                }
            }
            404 | 410 => return Outcome::Gone(status),
            _ => return Outcome::Status(status),
        }
    }
    Outcome::RedirectLoop
}
/// External links in the built pages that markdown does not write (shortcodes, templates,
/// data files): each distinct address once, located by searching for it in `data/`, the
/// templates, `config.yaml` and the content files, in that order; else named by the page that
/// shows it, without a line. Links to the site itself (`base_url`) are left out: it may not be
/// published yet. Returns the links, and a warning for each file or folder of `data/` or the
/// templates that could not be read (its addresses are then not located in it).
pub fn output_external_links(
    config: &Config,
    tree: &SiteTree,
    built: &BuiltSite,
    known: &[ExternalLink],
) -> (Vec<ExternalLink>, Vec<Diagnostic>) {
    let found = addresses_in_output(config, tree, built, known);
    if found.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let mut problems = Vec::new();
    let sources = written_in(config, tree, &mut problems);
    let links = found
        .into_iter()
        .map(|(url, page)| locate(url, page, &sources))
        .collect();
    (links, problems)
}

/// The `http(s)` addresses of the built pages that are not in `known` and not the site's own,
/// each once, with the content file of the first page that shows it ("the built site" for a
/// page without one).
fn addresses_in_output<'a>(
    config: &Config,
    tree: &'a SiteTree,
    built: &BuiltSite,
    known: &[ExternalLink],
) -> Vec<(String, &'a Path)> {
    let mut seen: std::collections::HashSet<String> = known.iter().map(|l| l.url.clone()).collect();
    let output_to_source: HashMap<&str, &Path> = tree
        .pages
        .iter()
        .map(|p| (p.output.as_str(), p.doc.shown.as_path()))
        .chain(tree.sections.iter().filter_map(|s| {
            s.doc
                .as_ref()
                .map(|d| (s.output.as_str(), d.shown.as_path()))
        }))
        .collect();
    let mut found: Vec<(String, &Path)> = Vec::new();
    for (output, bytes) in &built.files {
        if !output.ends_with(".html") {
            continue;
        }
        let Ok(html) = std::str::from_utf8(bytes) else {
            continue;
        };
        for (_, url) in fixed_paths(html) {
            let url = url.replace("&amp;", "&");
            if is_http(&url)
                && !url.starts_with(config.base_url.as_str())
                && seen.insert(url.clone())
            {
                let page = output_to_source
                    .get(output.as_str())
                    .copied()
                    .unwrap_or(Path::new("the built site"));
                found.push((url, page));
            }
        }
    }
    found
}

/// The files an address may be written in, each read once, as (shown path, text): `data/`,
/// the templates, `config.yaml`, then the content files.
fn written_in(
    config: &Config,
    tree: &SiteTree,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, String)> {
    let mut dirs = vec![(config.root.join("data"), PathBuf::from("data"))];
    dirs.extend(template_dirs(config));
    let mut sources: Vec<(PathBuf, String)> = Vec::new();
    for (dir, shown) in dirs {
        let texts = read_texts(&dir, &shown, |_| true, problems);
        sources.extend(texts.into_iter().map(|(file, _, text)| (file, text)));
    }
    sources.push(("config.yaml".into(), config.config_source.clone()));
    for d in tree
        .pages
        .iter()
        .map(|p| &p.doc)
        .chain(tree.sections.iter().filter_map(|s| s.doc.as_ref()))
    {
        sources.push((d.shown.clone(), d.source.clone()));
    }
    sources
}

/// `url` at the first place it is written in `sources`, else named by `page`, without a line.
fn locate(url: String, page: &Path, sources: &[(PathBuf, String)]) -> ExternalLink {
    let written = sources
        .iter()
        .find_map(|(file, text)| text.find(&url).map(|i| (file, text, i)));
    match written {
        Some((file, text, i)) => {
            let span = span_at(text, i, url.len());
            ExternalLink {
                line_text: line_of(text, span.line),
                url,
                file: file.clone(),
                span: Some(span),
            }
        }
        None => ExternalLink {
            url,
            file: page.to_path_buf(),
            span: None,
            line_text: None,
        },
    }
}
