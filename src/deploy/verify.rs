//! After a deploy: fetches the home page and the pages just sent from `base_url` and compares
//! them with what was uploaded, so a host that serves an old copy (a cache) or another folder
//! (the files went to the wrong place) shows up at once.

use std::time::Duration;

use super::LocalSite;
use super::plan::Plan;

/// At most this many pages are fetched (the home page first).
pub const MAX_PAGES: usize = 10;

/// What fetching the pages found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// Pages the host serves exactly as uploaded (their addresses).
    pub same: Vec<String>,
    /// Pages the host serves with other content.
    pub different: Vec<String>,
    /// Why some pages could not be fetched (the first reason), when that happened.
    pub unreachable: Option<String>,
}

impl Verification {
    /// One line for the owner.
    pub fn summary_line(&self) -> String {
        if let Some(first) = self.different.first() {
            return format!(
                "warning: the host serves {} of the {} pages checked differently from what was uploaded (first: {first}); a cache may still hold the old version, or the files went to another folder than the one the address shows",
                self.different.len(),
                self.different.len() + self.same.len()
            );
        }
        match &self.unreachable {
            Some(why) if self.same.is_empty() => {
                format!("warning: could not verify the site at its address: {why}")
            }
            Some(why) => format!(
                "warning: verified {} pages at the site's address; some could not be fetched: {why}",
                self.same.len()
            ),
            None => format!(
                "verified: the host serves what was uploaded ({} pages checked)",
                self.same.len()
            ),
        }
    }
}

/// The address of the output file `path` under `base_url` (`about/index.html` →
/// `https://example.com/about/`).
pub fn page_url(base_url: &str, path: &str) -> String {
    let shown = path.strip_suffix("index.html").unwrap_or(path);
    format!("{}/{shown}", base_url.trim_end_matches('/'))
}

/// True when `base_url` is a reserved example address (`example.com`, `*.test`…), where there
/// is no site to fetch. An IP address or `localhost` is fetched (a host on the owner's network).
fn is_example_address(base_url: &str) -> bool {
    let host = url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    let local = host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<std::net::IpAddr>().is_ok()
        || host.starts_with('[');
    !local && crate::publish::placeholder_address(base_url).is_some()
}

/// Fetches the home page and the pages `plan` sent (at most [`MAX_PAGES`]) from `base_url`
/// and compares them with `site`. `None` when `base_url` is a reserved example address
/// (there is nothing to fetch) or not a web address.
pub fn verify(base_url: &str, plan: &Plan, site: &LocalSite) -> Option<Verification> {
    if !(base_url.starts_with("http://") || base_url.starts_with("https://"))
        || is_example_address(base_url)
    {
        return None;
    }
    let mut paths = vec!["index.html"];
    paths.extend(
        plan.uploads
            .iter()
            .map(|u| u.path.as_str())
            .filter(|p| p.ends_with(".html") && *p != "index.html"),
    );
    paths.truncate(MAX_PAGES);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .user_agent(concat!(
            "stillpoint/",
            env!("CARGO_PKG_VERSION"),
            " (deploy)"
        ))
        .build()
        .into();
    let mut found = Verification::default();
    for path in paths {
        let Ok(expected) = site.bytes(path) else {
            continue;
        };
        let url = page_url(base_url, path);
        match agent
            .get(&url)
            .call()
            .and_then(|mut r| r.body_mut().read_to_vec())
        {
            Ok(body) if body == expected => found.same.push(url),
            Ok(_) => found.different.push(url),
            Err(e) => {
                found
                    .unreachable
                    .get_or_insert_with(|| format!("{url}: {e}"));
            }
        }
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::{Source, entry_of};
    use std::io::{BufRead, BufReader, Write};

    /// A web server on 127.0.0.1 that answers `/` with `home` and every other path with
    /// `other`, for `requests` requests. Returns its base URL.
    fn serve(home: &'static str, other: &'static str, requests: usize) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(requests) {
                let mut stream = stream.unwrap();
                let mut first = String::new();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                reader.read_line(&mut first).unwrap();
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let body = if first.starts_with("GET / ") {
                    home
                } else {
                    other
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        format!("http://127.0.0.1:{port}")
    }

    #[test]
    fn compares_what_the_host_serves_with_what_was_uploaded() {
        let mut site = LocalSite::default();
        for (path, text) in [("index.html", "home"), ("about/index.html", "about v2")] {
            let bytes = text.as_bytes().to_vec();
            site.files
                .insert(path.into(), (entry_of(&bytes), Source::Memory(bytes)));
        }
        let plan = crate::deploy::plan::plan(&site.entries(), None);
        let base = serve("home", "about v1", 2);
        let v = verify(&base, &plan, &site).unwrap();
        assert_eq!(v.same, [format!("{base}/")]);
        assert_eq!(v.different, [format!("{base}/about/")]);
        assert!(v.summary_line().contains("1 of the 2 pages"), "{v:?}");

        // Nobody listening: could not verify.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let v = verify(&format!("http://127.0.0.1:{closed}"), &plan, &site).unwrap();
        assert!(
            v.summary_line().starts_with("warning: could not verify"),
            "{v:?}"
        );

        // An example address is not fetched.
        assert_eq!(verify("https://example.com", &plan, &site), None);
    }

    #[test]
    fn page_urls_and_lines() {
        assert_eq!(
            page_url("https://a.org/studio", "about/index.html"),
            "https://a.org/studio/about/"
        );
        assert_eq!(page_url("https://a.org", "index.html"), "https://a.org/");
        assert_eq!(
            page_url("https://a.org", "404.html"),
            "https://a.org/404.html"
        );
        let v = Verification {
            same: vec![],
            different: vec![],
            unreachable: Some("x: offline".into()),
        };
        assert!(v.summary_line().starts_with("warning: could not verify"));
        let v = Verification {
            same: vec!["a".into()],
            different: vec!["b".into()],
            unreachable: None,
        };
        assert!(v.summary_line().contains("1 of the 2 pages"));
    }
}
