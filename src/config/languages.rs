//! Part of stage 1: `language:` and `languages:` in `config.yaml` -> [`Language`]s.
//!
//! The shape is Zola's: `language: en` is the default language (its pages have no URL
//! prefix); `languages:` adds others by code, each with its own `title`, `description`, `menu`
//! and `translations` (the strings `trans()` gives the theme). The default language may be
//! listed too, for its `translations` only. Codes are BCP 47 tags (`fr`, `fr-ca`).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Checked, MenuItem, RawMenuItem, is_language_tag, resolve_menu};
use crate::error::{Diagnostic, Span};

/// The keys of one language under `languages:`, for did-you-mean hints.
pub const LANGUAGE_KEYS: &[&str] = &["title", "description", "menu", "translations"];

/// One entry of `languages:` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawLanguage {
    /// The site title in this language.
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub title: Option<String>,
    /// The default meta description in this language.
    #[serde(deserialize_with = "crate::yaml::text_or_null")]
    pub description: Option<String>,
    /// The main navigation of this language's pages.
    pub menu: Vec<RawMenuItem>,
    /// Strings for the theme, by key (`book: "Réserver une séance"`), read by `trans()`.
    pub translations: BTreeMap<String, String>,
}

/// A language of the site, resolved.
#[derive(Debug, Clone, Default)]
pub struct Language {
    /// Its BCP 47 code as written in `config.yaml` (`fr`, `fr-ca`); the URL prefix of its
    /// pages (`/fr/`) unless it is the default language.
    pub code: String,
    /// The site title in this language (the top-level `title` for the default language).
    pub title: String,
    /// The meta description in this language (the top-level one for the default language).
    pub description: String,
    /// Its menu (the top-level `menu` for the default language), sorted by weight.
    pub menu: Vec<MenuItem>,
    /// Its strings for the theme, by key.
    pub translations: BTreeMap<String, String>,
    /// Where its code is written in `config.yaml` (none for a default language not listed).
    pub span: Option<Span>,
}

impl super::Config {
    /// True when the site has more than one language (`languages:` adds one).
    pub fn is_multilingual(&self) -> bool {
        self.languages.len() > 1
    }

    /// The site title in the language `code` (`title` under `languages:`), the top-level
    /// `title` for the default language or a code the site does not have.
    pub fn title_in(&self, code: &str) -> &str {
        self.language_named(code)
            .map_or(self.title.as_str(), |l| l.title.as_str())
    }

    /// The language with `code`, if the site has it.
    pub fn language_named(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }

    /// The source and language of a translation's content path: `about.fr.md` ->
    /// (`about.md`, `fr`), `blog/_index.fr.md` -> (`blog/_index.md`, `fr`), when `fr` is a
    /// language of the site other than the default one. `None` for every other name
    /// (`v1.2.md` stays an ordinary page), and always for a site in one language.
    pub fn split_language(&self, relative: &str) -> Option<(String, &str)> {
        if !self.is_multilingual() {
            return None;
        }
        let (folder, name) = relative
            .rsplit_once('/')
            .map_or(("", relative), |(f, n)| (f, n));
        let stem = crate::content::strip_markdown_ext(name);
        if stem.len() == name.len() {
            return None;
        }
        let (base, code) = stem.rsplit_once('.')?;
        let lang = self.languages[1..].iter().find(|l| l.code == code)?;
        let ext = &name[stem.len()..];
        let source = if folder.is_empty() {
            format!("{base}{ext}")
        } else {
            format!("{folder}/{base}{ext}")
        };
        Some((source, lang.code.as_str()))
    }

    /// The content path of the translation of `relative` into `code`: `about.md` ->
    /// `about.fr.md`. `relative` itself for the default language.
    pub fn translated_relative(&self, relative: &str, code: &str) -> String {
        if code == self.language {
            return relative.to_string();
        }
        translation_path(relative, code)
    }

    /// The site path prefix of a language: empty for the default one, `/fr` for `fr`
    /// (lower case, as URLs are).
    pub fn language_prefix(&self, code: &str) -> String {
        if code == self.language {
            String::new()
        } else {
            format!("/{}", code.to_ascii_lowercase())
        }
    }
}

/// The content path of the translation of `relative` into `code`: `about.md` ->
/// `about.fr.md`, `blog/_index.md` -> `blog/_index.fr.md`.
pub fn translation_path(relative: &str, code: &str) -> String {
    let name_at = relative.rfind('/').map_or(0, |i| i + 1);
    let stem = crate::content::strip_markdown_ext(&relative[name_at..]);
    let at = name_at + stem.len();
    format!("{}.{code}{}", &relative[..at], &relative[at..])
}

/// The site's languages: the default one (`default`, with the top-level `title`,
/// `description` and `menu`) first, then the others of `raw` in code order.
///
/// Errors (diagnostics without their file; the caller adds `config.yaml`): a code that is not
/// a language tag, and `title`/`description`/`menu` given for the default language under
/// `languages:` (they belong at the top of the file).
pub(super) fn resolve(
    raw: BTreeMap<String, RawLanguage>,
    default: Language,
    source: &str,
    found: &mut Vec<Diagnostic>,
) -> Vec<Language> {
    let (languages, errors) = resolve_all(raw, default, source);
    found.extend(errors.into_iter().map(|d| d.in_file("config.yaml")));
    languages
}

impl Language {
    /// The default language `code`, with the top-level `title`, `description` and `menu`.
    pub(super) fn default_of(
        code: &str,
        title: &str,
        description: Option<&str>,
        menu: &[MenuItem],
    ) -> Language {
        Language {
            code: code.to_string(),
            title: title.to_string(),
            description: description.unwrap_or_default().to_string(),
            menu: menu.to_vec(),
            ..Default::default()
        }
    }
}

/// [`resolve`], returning the errors without their file.
fn resolve_all(
    raw: BTreeMap<String, RawLanguage>,
    default: Language,
    source: &str,
) -> (Vec<Language>, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut languages = vec![default];
    for (code, lang) in raw {
        let span = code_span(source, &code);
        if let Err(d) = check_code(&code, span, source) {
            errors.push(*d);
            continue;
        }
        if code == languages[0].code {
            if lang.title.is_some() || lang.description.is_some() || !lang.menu.is_empty() {
                let mut d = Diagnostic::error(format!(
                    "`languages: {code}:` is the default language: only its `translations` go here"
                ))
                .help("write the title, description and menu of the default language at the top of config.yaml");
                if let Some(s) = span {
                    d = d.at(s, source);
                }
                errors.push(d);
            }
            languages[0].translations = lang.translations;
            languages[0].span = span;
            continue;
        }
        languages.push(Language {
            title: lang.title.unwrap_or_else(|| languages[0].title.clone()),
            description: lang
                .description
                .unwrap_or_else(|| languages[0].description.clone()),
            menu: resolve_menu(lang.menu, source),
            translations: lang.translations,
            code,
            span,
        });
    }
    (languages, errors)
}

/// The error for a language code that is not a BCP 47 tag, at `span`.
fn check_code(code: &str, span: Option<Span>, source: &str) -> Checked<()> {
    // A primary language subtag has two or three letters (`french` is not one).
    let primary = code.split('-').next().map_or(0, str::len);
    if is_language_tag(code) && (2..=3).contains(&primary) {
        return Ok(());
    }
    let mut d = Diagnostic::error(format!(
        "`{code}` under `languages:` is not a language code"
    ))
    .help("write a language code like `fr` or `fr-ca` (BCP 47)");
    if let Some(s) = span {
        d = d.at(s, source);
    }
    Err(Box::new(d))
}

/// Where the key `code:` is written under `languages:` in `source`.
fn code_span(source: &str, code: &str) -> Option<Span> {
    let start = source
        .split('\n')
        .position(|l| l.trim_end().starts_with("languages:"))?;
    source
        .split('\n')
        .enumerate()
        .skip(start + 1)
        .find_map(|(i, line)| {
            let t = line.trim_start();
            let key = t
                .strip_prefix(code)
                .filter(|rest| rest.starts_with(':'))
                .or_else(|| {
                    t.strip_prefix('"')
                        .and_then(|r| r.strip_prefix(code))
                        .filter(|r| r.starts_with("\":"))
                })?;
            let _ = key;
            let col = line.len() - t.len() + 1 + usize::from(t.starts_with('"'));
            Some(Span::new(i + 1, col, code.chars().count()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translations_are_named_by_a_configured_language_suffix() {
        let mut config = crate::config::Config::for_test(std::path::Path::new("/site"));
        assert_eq!(config.split_language("about.fr.md"), None);
        config.languages.push(Language {
            code: "fr".into(),
            ..Default::default()
        });
        assert_eq!(
            config.split_language("about.fr.md"),
            Some(("about.md".into(), "fr"))
        );
        assert_eq!(
            config.split_language("blog/_index.fr.md"),
            Some(("blog/_index.md".into(), "fr"))
        );
        assert_eq!(config.split_language("v1.2.md"), None);
        assert_eq!(config.split_language("about.en.md"), None);
        assert_eq!(config.split_language("photo.fr.jpg"), None);
        assert_eq!(
            config.translated_relative("blog/a.md", "fr"),
            "blog/a.fr.md"
        );
        assert_eq!(config.translated_relative("a.md", "en"), "a.md");
        assert_eq!(config.language_prefix("fr"), "/fr");
    }

    fn default() -> Language {
        Language {
            code: "en".into(),
            title: "Studio".into(),
            ..Default::default()
        }
    }

    #[test]
    fn languages_resolve_default_first_with_titles_falling_back() {
        let source = "language: en\nlanguages:\n  fr:\n    title: Studio FR\n  de: {}\n";
        let raw: BTreeMap<String, RawLanguage> = BTreeMap::from([
            (
                "fr".into(),
                RawLanguage {
                    title: Some("Studio FR".into()),
                    ..Default::default()
                },
            ),
            ("de".into(), RawLanguage::default()),
        ]);
        let (langs, errors) = resolve_all(raw, default(), source);
        assert!(errors.is_empty());
        let codes: Vec<&str> = langs.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["en", "de", "fr"]);
        assert_eq!(langs[1].title, "Studio");
        assert_eq!(langs[2].title, "Studio FR");
        assert_eq!(langs[2].span, Some(Span::new(3, 3, 2)));
    }

    #[test]
    fn bad_codes_and_default_language_titles_are_errors_at_their_line() {
        let source = "languages:\n  french: {}\n  en:\n    title: x\n";
        let raw = BTreeMap::from([
            ("french".to_string(), RawLanguage::default()),
            (
                "en".to_string(),
                RawLanguage {
                    title: Some("x".into()),
                    ..Default::default()
                },
            ),
        ]);
        let (langs, errors) = resolve_all(raw, default(), source);
        assert_eq!(langs.len(), 1);
        assert_eq!(errors.len(), 2);
        assert!(
            errors[0].message.contains("only its `translations`"),
            "{}",
            errors[0].message
        );
        assert!(
            errors[1]
                .message
                .contains("`french` under `languages:` is not a language code")
        );
    }
}
