//! HTML minification for `minify: true` in `config.yaml`, after stage 7.
//!
//! In: one rendered HTML file. Out: the same document, smaller. Uses `minify-html` (the
//! minifier Zola uses), only when stillpoint is built with the cargo feature `minify`
//! (`cargo install --path . --features minify`): the crate more than doubles a clean build and
//! brings an advisory through rkyv (see `crates.md`), and web hosts compress HTML anyway.
//! Without the feature, [`AVAILABLE`] is false and the build warns that `minify: true` has no
//! effect, saying how to get it.
//!
//! The settings stay within the HTML standard (minify-html's spec-compliant defaults): closing
//! tags, `<html>`/`<head>` and the doctype are kept, attribute quotes are only dropped where
//! HTML allows, whitespace inside `<pre>` and `<textarea>` is kept, and inline CSS is minified.
//! JavaScript is left as written (the default theme has none, and JSON-LD must stay as it is).

/// Whether this build of stillpoint can minify HTML.
pub const AVAILABLE: bool = cfg!(feature = "minify");

/// Minifies one HTML document. Without the `minify` feature, returns it unchanged.
#[cfg(feature = "minify")]
pub fn html(input: &[u8]) -> Vec<u8> {
    let cfg = minify_html::Cfg {
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        minify_css: true,
        minify_js: false,
        ..minify_html::Cfg::new()
    };
    minify_html::minify(input, &cfg)
}

/// Minifies one HTML document. Without the `minify` feature, returns it unchanged.
#[cfg(not(feature = "minify"))]
pub fn html(input: &[u8]) -> Vec<u8> {
    input.to_vec()
}

#[cfg(all(test, feature = "minify"))]
mod tests {
    use super::*;

    #[test]
    fn whitespace_in_pre_is_kept_and_the_document_stays_whole() {
        let page = "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>T</title>\n  <style>\n    body { color : red ; }\n  </style>\n</head>\n<body>\n  <p>One   two</p>\n  <pre><code>fn main() {\n    let x  =  1;\n}\n</code></pre>\n  <textarea>  a\n  b</textarea>\n</body>\n</html>\n";
        let out = String::from_utf8(html(page.as_bytes())).unwrap();
        assert!(out.len() < page.len(), "{out}");
        assert!(out.starts_with("<!doctype html>"), "{out}");
        assert!(
            out.contains("<pre><code>fn main() {\n    let x  =  1;\n}\n</code></pre>"),
            "{out}"
        );
        assert!(out.contains("<textarea>  a\n  b</textarea>"), "{out}");
        assert!(out.contains("<p>One two</p>"), "{out}");
        assert!(
            out.contains("</body></html>") || out.contains("</body>\n</html>"),
            "{out}"
        );
        assert!(out.contains("color:red"), "{out}");
    }
}
