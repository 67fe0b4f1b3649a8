//! `trans(key="book", lang=lang)`: a string of the theme in a language (Zola's `trans`).
//!
//! The site's strings come first (`translations:` of that language under `languages:` in
//! `config.yaml`), then the theme's own (`themes/<theme>/translations.yaml`, one map of
//! strings per language code), then the default theme's (built in); a key in none is an error naming the key, the language and
//! the files to add it to. `lang` defaults to the site's default language.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use tera::{Kwargs, State, Tera, Value};

use crate::config::Config;
use crate::error::Diagnostic;

/// Strings by language code, then by key.
type Table = BTreeMap<String, BTreeMap<String, String>>;

/// Every string `trans` can give.
#[derive(Debug, Default)]
pub(crate) struct Strings {
    /// The site's, from `config.yaml`.
    site: Table,
    /// The theme's, from its `translations.yaml`.
    theme: Table,
    /// That file as messages show it (none when the theme has none).
    theme_file: Option<PathBuf>,
    /// The default language.
    default: String,
}

/// The name of a theme's strings file, in the theme's folder.
pub const THEME_STRINGS: &str = "translations.yaml";

impl Strings {
    /// The site's strings from `config`, and its theme's from `translations.yaml` in the theme
    /// folder. Errors: that file unreadable or not a map of language code -> key -> text.
    pub(crate) fn load(config: &Config) -> Result<Strings, Box<Diagnostic>> {
        let site = config
            .languages
            .iter()
            .map(|l| (l.code.clone(), l.translations.clone()))
            .collect();
        let mut strings = Strings {
            site,
            default: config.language.clone(),
            ..Default::default()
        };
        let (Some(dir), Some(theme)) = (&config.theme_dir, &config.theme) else {
            return Ok(strings);
        };
        let path = dir.join(THEME_STRINGS);
        if !path.is_file() {
            return Ok(strings);
        }
        let shown = PathBuf::from("themes").join(theme).join(THEME_STRINGS);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Box::new(
                Diagnostic::error(format!("could not read {}: {e}", shown.display()))
                    .in_file(&shown),
            )
        })?;
        strings.theme = crate::yaml::from_str(&text).map_err(|e| {
            Box::new(crate::yaml::to_diagnostic(
                &e,
                &crate::yaml::YamlSource {
                    what: "invalid theme strings",
                    file: &shown,
                    source: &text,
                    first_line: 1,
                    fence_line: text.lines().count() + 1,
                    fields: &[],
                    unknown_help: "write one map of strings per language code, like `fr: { book: \"Réserver\" }`",
                },
            ))
        })?;
        strings.theme_file = Some(shown);
        Ok(strings)
    }

    /// The string `key` in `lang` (or in its primary language: `en` for `en-CA`): the site's,
    /// else the theme's. Errors: the message naming
    /// the key, the language and where to add it.
    pub(crate) fn get(&self, key: &str, lang: &str) -> Result<&str, String> {
        // `en-CA` falls back to `en`, as the theme's words are by primary language.
        let primary = lang.split('-').next().unwrap_or(lang);
        let found = [&self.site, &self.theme, builtin()]
            .into_iter()
            .find_map(|t| {
                [lang, primary]
                    .into_iter()
                    .find_map(|l| t.get(l).and_then(|m| m.get(key)))
            });
        if let Some(s) = found {
            return Ok(s);
        }
        let place = if lang == self.default {
            format!("`languages: {lang}: translations:` in config.yaml")
        } else {
            format!("`translations:` of `{lang}` under `languages:` in config.yaml")
        };
        let theme = self
            .theme_file
            .as_ref()
            .map_or_else(String::new, |f| format!(" or to {}", f.display()));
        Err(format!(
            "trans: no string `{key}` for the language `{lang}`: add `{key}: \"…\"` to {place}{theme}"
        ))
    }
}

/// The default theme's own words (its `translations.yaml`, built in): the last place `trans`
/// looks, so a site with an older copy of the theme, without the file, still builds.
fn builtin() -> &'static Table {
    static BUILTIN: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    BUILTIN.get_or_init(|| {
        crate::yaml::from_str(include_str!("../../themes/default/translations.yaml"))
            .unwrap_or_default()
    })
}

/// Registers `trans(key, lang)` on `tera`, answering from `strings`.
pub(super) fn register(tera: &mut Tera, strings: Arc<Strings>) {
    tera.register_function(
        "trans",
        move |kwargs: Kwargs, _: &State| -> tera::TeraResult<Value> {
            let key = kwargs.must_get::<&str>("key")?;
            let lang = kwargs.get::<&str>("lang")?.unwrap_or(&strings.default);
            strings
                .get(key, lang)
                .map(Value::from)
                .map_err(tera::Error::message)
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_strings_come_before_the_theme_and_a_missing_one_is_named() {
        let strings = Strings {
            site: BTreeMap::from([(
                "fr".to_string(),
                BTreeMap::from([("book".to_string(), "Réserver une séance".to_string())]),
            )]),
            theme: BTreeMap::from([(
                "fr".to_string(),
                BTreeMap::from([
                    ("book".to_string(), "Réserver".to_string()),
                    ("menu".to_string(), "Menu".to_string()),
                ]),
            )]),
            theme_file: Some(PathBuf::from("themes/default/translations.yaml")),
            default: "en".into(),
        };
        assert_eq!(strings.get("book", "fr"), Ok("Réserver une séance"));
        assert_eq!(strings.get("menu", "fr"), Ok("Menu"));
        assert_eq!(strings.get("menu", "fr-CA"), Ok("Menu"));
        assert_eq!(
            strings.get("skip_to_main", "en-CA"),
            Ok("Skip to main content")
        );
        let e = strings.get("hours", "fr").unwrap_err();
        assert_eq!(
            e,
            "trans: no string `hours` for the language `fr`: add `hours: \"…\"` to `translations:` of `fr` under `languages:` in config.yaml or to themes/default/translations.yaml"
        );
    }
}
