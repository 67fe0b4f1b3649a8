//! The `markdown:` settings of `config.yaml`, resolved ([`Settings`]), and the pulldown-cmark
//! options they choose. Names and defaults follow Zola's `[markdown]` section (issue 19), except
//! that GitHub alerts and definition lists are on by default.

use pulldown_cmark::Options;

/// How markdown is rendered: `markdown:` in `config.yaml`, resolved by `Config::load`.
///
/// Every page body, section body, shortcode body, summary, feed entry and table of contents
/// goes through the one render that reads these, so a setting holds everywhere at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Curly quotes, dashes and ellipses (`"a"` → “a”, `--` → –). Default true.
    pub smart_punctuation: bool,
    /// `> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`, `[!CAUTION]` block quotes become
    /// alert boxes that look like the default theme's `callout` shortcode. Default true.
    pub github_alerts: bool,
    /// `Term` then `: definition` lines become `<dl><dt><dd>`. Default true.
    pub definition_lists: bool,
    /// `:smile:` (GitHub's emoji shortcodes) becomes 😄 outside code. Default false.
    pub render_emoji: bool,
    /// Fenced code with a language is coloured at build time as `<span class="z-…">` tokens
    /// (highlight.rs); an unknown language is left plain, with a warning. Default true.
    pub highlight_code: bool,
    /// `$…$` and `$$…$$` become MathML at build time (math.rs); invalid LaTeX is an error.
    /// Off (the default), a `$` is a dollar sign.
    pub math: bool,
    /// Links to other sites open in a new tab: `target="_blank"` with `rel="noopener"`.
    pub external_links_target_blank: bool,
    /// Links to other sites get `rel="nofollow"`.
    pub external_links_no_follow: bool,
    /// Links to other sites get `rel="noreferrer"`.
    pub external_links_no_referrer: bool,
    /// A class for links to other sites ("" for none).
    pub external_links_class: String,
    /// The site's own host names (lower case), from `base_url`: an `http(s)` link to one of
    /// them is not a link to another site. Empty: every `http(s)` link is external.
    pub site_hosts: Vec<String>,
}

impl Default for Settings {
    /// Zola's defaults with alerts and definition lists on; no site host.
    fn default() -> Self {
        Settings {
            smart_punctuation: true,
            github_alerts: true,
            definition_lists: true,
            render_emoji: false,
            highlight_code: true,
            math: false,
            external_links_target_blank: false,
            external_links_no_follow: false,
            external_links_no_referrer: false,
            external_links_class: String::new(),
            site_hosts: Vec::new(),
        }
    }
}

impl Settings {
    /// The pulldown-cmark options for these settings: stillpoint's dialect (`design.md`,
    /// Content: CommonMark plus tables, GFM footnotes, strikethrough, task lists and heading
    /// attributes `{#id .class}`), plus smart punctuation, math, GitHub alerts (`ENABLE_GFM`, which
    /// in pulldown-cmark 0.13 turns on only the block quote tags) and definition lists as set.
    ///
    /// Built flag by flag on purpose: `Options::all()` would also turn on metadata blocks,
    /// which swallow any `---` … `---` pair in the body, and other extensions we don't document.
    pub fn options(&self) -> Options {
        let mut options = Options::ENABLE_TABLES
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_HEADING_ATTRIBUTES;
        options.set(Options::ENABLE_SMART_PUNCTUATION, self.smart_punctuation);
        options.set(Options::ENABLE_GFM, self.github_alerts);
        options.set(Options::ENABLE_DEFINITION_LIST, self.definition_lists);
        options.set(Options::ENABLE_MATH, self.math);
        options
    }

    /// Whether a link's destination (after the site's own links were resolved) is on another
    /// site: `http://` or `https://` (any case) to a host that is not one of
    /// [`site_hosts`](Self::site_hosts).
    pub fn is_external(&self, dest: &str) -> bool {
        let lower = dest.get(..8).unwrap_or(dest).to_ascii_lowercase();
        let rest = if lower.starts_with("https://") {
            &dest[8..]
        } else if lower.starts_with("http://") {
            &dest[7..]
        } else {
            return false;
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let host = match host_port.rsplit_once(':') {
            Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
            _ => host_port,
        };
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        !self.site_hosts.contains(&host)
    }

    /// Whether any external-link setting is on (else links are left as pulldown-cmark writes
    /// them).
    pub(crate) fn marks_external_links(&self) -> bool {
        self.external_links_target_blank
            || self.external_links_no_follow
            || self.external_links_no_referrer
            || !self.external_links_class.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_means_http_to_another_host() {
        let s = Settings {
            site_hosts: vec!["example.com".into()],
            ..Settings::default()
        };
        for (dest, external) in [
            ("https://other.org/a", true),
            ("HTTP://other.org", true),
            ("http://other.org:8080/x?y#z", true),
            ("https://example.com/faq/", false),
            ("https://EXAMPLE.com.:443/", false),
            ("https://user@example.com/", false),
            ("https://example.com.evil.org/", true),
            ("mailto:a@other.org", false),
            ("/faq/", false),
            ("../faq/", false),
            ("#top", false),
            ("tel:+1780", false),
            ("ftp://other.org", false),
        ] {
            assert_eq!(s.is_external(dest), external, "{dest}");
        }
    }

    #[test]
    fn options_follow_the_settings() {
        let on = Settings::default().options();
        assert!(on.contains(Options::ENABLE_SMART_PUNCTUATION));
        assert!(on.contains(Options::ENABLE_GFM));
        assert!(on.contains(Options::ENABLE_DEFINITION_LIST));
        let off = Settings {
            smart_punctuation: false,
            github_alerts: false,
            definition_lists: false,
            ..Settings::default()
        }
        .options();
        assert!(!off.contains(Options::ENABLE_SMART_PUNCTUATION));
        assert!(!off.contains(Options::ENABLE_GFM));
        assert!(!off.contains(Options::ENABLE_DEFINITION_LIST));
        assert!(!off.contains(Options::ENABLE_MATH));
        let math = Settings {
            math: true,
            ..Settings::default()
        };
        assert!(math.options().contains(Options::ENABLE_MATH));
        assert!(off.contains(Options::ENABLE_TABLES | Options::ENABLE_HEADING_ATTRIBUTES));
    }
}
