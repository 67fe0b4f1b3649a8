//! Which requests the dev server refuses before looking at the path (the path itself is checked
//! by `serve`'s `request_key`): anything a browser previewing the site never sends.
//!
//! - methods other than `GET` and `HEAD` (`CONNECT`, `POST`, …): 405;
//! - a `GET` or `HEAD` with a body (`Transfer-Encoding`, or a `Content-Length` other than 0),
//!   which browsers never send and request smuggling relies on: 400;
//! - absolute-form targets (`GET http://evil/ HTTP/1.1`, a proxy request) and authority-form
//!   ones: 400;
//! - when the server listens on a loopback address, a `Host` that is not a loopback name or
//!   address (`localhost`, `*.localhost`, `127.x.x.x`, `[::1]`, any port): 421. A web page on
//!   another site can make the browser ask `http://attacker.example:PORT/` after pointing that
//!   name at 127.0.0.1 (DNS rebinding); the `Host` header still names the other site. A `Host`
//!   with `..`, `/`, `\` or a control character is refused on any address.
//!
//! Malformed requests (a header without a colon, headers over hyper's size limit, HTTP/0.9) are
//! refused by hyper before they get here, with 400 or 431 or by closing the connection.

use axum::http::{HeaderMap, Method, StatusCode, Uri, header};

/// Why a request is refused, or `None` to answer it; `loopback` is whether the server listens on
/// a loopback address.
pub(crate) fn refusal(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    loopback: bool,
) -> Option<(StatusCode, &'static str)> {
    let host = headers.get(header::HOST).map(|h| h.as_bytes());
    if method != Method::GET && method != Method::HEAD {
        return Some((
            StatusCode::METHOD_NOT_ALLOWED,
            "This preview server only answers GET and HEAD.",
        ));
    }
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get_all(header::CONTENT_LENGTH)
            .iter()
            .any(|v| v.as_bytes() != b"0");
    if has_body {
        return Some((StatusCode::BAD_REQUEST, "A GET request has no body."));
    }
    if uri.scheme().is_some() || uri.authority().is_some() || !uri.path().starts_with('/') {
        return Some((
            StatusCode::BAD_REQUEST,
            "Ask for a path of the site, like /faq/ (this is not a proxy).",
        ));
    }
    let host = host?;
    let Ok(host) = std::str::from_utf8(host) else {
        return Some((StatusCode::BAD_REQUEST, "Bad Host header."));
    };
    if host.is_empty()
        || host.contains("..")
        || host.contains(['/', '\\', '@'])
        || host.chars().any(|c| c.is_control() || c == ' ')
    {
        return Some((StatusCode::BAD_REQUEST, "Bad Host header."));
    }
    if loopback && !is_loopback_host(host) {
        return Some((
            StatusCode::MISDIRECTED_REQUEST,
            "This preview answers only to localhost and 127.0.0.1.",
        ));
    }
    None
}

/// True for `localhost`, `x.localhost`, `127.a.b.c` and `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, port)) if port.is_empty() || port.starts_with(':') => ip,
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            Some(_) => return false,
            None => host,
        }
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(method: &str, target: &str, host: Option<&str>, loopback: bool) -> Option<u16> {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let uri: Uri = target.parse().unwrap();
        let mut headers = HeaderMap::new();
        if let Some(h) = host {
            headers.insert(header::HOST, h.parse().unwrap());
        }
        refusal(&m, &uri, &headers, loopback).map(|(s, _)| s.as_u16())
    }

    #[test]
    fn browsers_requests_pass() {
        for host in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LOCALHOST",
            "[::1]:8",
            "app.localhost:3",
            "127.1.2.3",
        ] {
            assert_eq!(r("GET", "/faq/", Some(host), true), None, "{host}");
        }
        assert_eq!(r("HEAD", "/", None, true), None);
        assert_eq!(r("GET", "/", Some("192.168.1.5:1111"), false), None);
    }

    #[test]
    fn others_are_refused() {
        assert_eq!(
            r("CONNECT", "127.0.0.1:1", Some("127.0.0.1"), true),
            Some(405)
        );
        assert_eq!(r("POST", "/", Some("127.0.0.1"), true), Some(405));
        assert_eq!(r("GET", "http://evil/", Some("127.0.0.1"), true), Some(400));
        assert_eq!(
            r("GET", "http://127.0.0.1:1/faq/", Some("127.0.0.1"), true),
            Some(400)
        );
        assert_eq!(r("GET", "*", Some("127.0.0.1"), true), Some(400));
        for host in [
            "evil.example",
            "evil.example:80",
            "127.0.0.1.evil.example",
            "localhost.evil",
            "[::2]",
            "[::1]x",
            "127.0.0.1:x",
        ] {
            assert_eq!(r("GET", "/", Some(host), true), Some(421), "{host}");
        }
        for host in ["..", "127.0.0.1/..", "a\\b", "", "a@127.0.0.1"] {
            assert_eq!(r("GET", "/", Some(host), false), Some(400), "{host}");
        }
    }
}
