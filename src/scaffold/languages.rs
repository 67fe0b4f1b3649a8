//! `stillpoint new DIR --languages en,fr`: the new site in several languages. The first code
//! is the default language (`language:`); each other gets a `languages:` entry in
//! `config.yaml` (title, description, a menu of its pages) and translations of the home page
//! and the about page (`_index.fr.md`, `about.fr.md`): in French for `fr`, for any other code
//! the English text marked to be translated. The site passes `check --strict` as it is.

use crate::error::Diagnostic;

/// The codes of `--languages en,fr`, in order, trimmed. Errors: an empty list, a code that is
/// not a language code (`french`), or a code given twice.
pub fn parse_codes(text: &str) -> Result<Vec<String>, Box<Diagnostic>> {
    let codes: Vec<String> = text
        .split(',')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let error = |message: String| {
        Box::new(
            Diagnostic::error(message)
                .help("write language codes separated by commas, the default language first, like `--languages en,fr`"),
        )
    };
    if codes.is_empty() {
        return Err(error("--languages needs at least one language code".into()));
    }
    for (i, code) in codes.iter().enumerate() {
        let primary = code.split('-').next().map_or(0, str::len);
        let letters = code
            .split('-')
            .all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric()));
        if !(2..=3).contains(&primary) || !letters {
            return Err(error(format!(
                "`{code}` in --languages is not a language code"
            )));
        }
        if codes[..i].contains(code) {
            return Err(error(format!("`{code}` is given twice in --languages")));
        }
    }
    Ok(codes)
}

/// The new site's `files` (path, bytes) in the languages `codes` (the first is the default):
/// `config.yaml` with `language:` and `languages:`, and the translated pages.
pub(super) fn add_languages(files: &mut Vec<(String, Vec<u8>)>, codes: &[String]) {
    let Some((default, others)) = codes.split_first() else {
        return;
    };
    if let Some((_, config)) = files.iter_mut().find(|(p, _)| p == "config.yaml") {
        let text = String::from_utf8_lossy(config)
            .replace("language: \"en\"\n", &format!("language: \"{default}\"\n"));
        let block: String = others.iter().map(|c| language_block(c)).collect();
        let text = text.replacen(
            "\n# Settings of `stillpoint check`.",
            &format!(
                "\n# More languages: `about.fr.md` is the French version of `about.md` (see the README,\n# \"Two languages\").\nlanguages:\n{block}\n# Settings of `stillpoint check`."
            ),
            1,
        );
        *config = text.into_bytes();
    }
    for code in others {
        let (home, about) = pages(code);
        files.push((format!("content/_index.{code}.md"), home.into_bytes()));
        files.push((format!("content/about.{code}.md"), about.into_bytes()));
    }
}

/// The `languages:` entry of `code`.
fn language_block(code: &str) -> String {
    let (title, description, about) = if code == "fr" {
        (
            "Mon studio",
            "Une phrase sur l’entreprise, pour les moteurs de recherche.",
            "À propos",
        )
    } else {
        (
            "My Studio",
            "A short sentence about the business, for search engines.",
            "About",
        )
    };
    format!(
        "  {code}:\n    title: \"{title}\"\n    description: \"{description}\"\n    menu:\n      - {{ name: \"{about}\", url: \"@/about.{code}.md\", weight: 30 }}\n    # Words of the theme in this language, for `trans(key=…)` (see themes/default/translations.yaml).\n    translations: {{}}\n"
    )
}

/// The home page and the about page in `code`.
fn pages(code: &str) -> (String, String) {
    if code == "fr" {
        return (
            format!(
                "---\ntitle: Bienvenue à Mon studio\ndescription: Un petit studio calme. Découvrez qui nous sommes.\n---\n\nCeci est la page d’accueil en français : le fichier `content/_index.{code}.md`.\n\n- [À propos du studio](@/about.md) : depuis une page en français, ce lien mène à la page en\n  français quand elle existe.\n"
            ),
            "---\ntitle: À propos du studio\ndescription: Qui nous sommes et comment nous travaillons. Remplacez ce texte par le vôtre.\nweight: 30\n---\n\nQuelques phrases sur l’entreprise ici.\n".to_string(),
        );
    }
    (
        format!(
            "---\ntitle: Welcome to My Studio ({code})\ndescription: The home page in `{code}`: translate this text.\n---\n\nThis is the home page in `{code}`: the file `content/_index.{code}.md`. Translate it.\n\n- [About the studio](@/about.md)\n"
        ),
        format!(
            "---\ntitle: About the studio ({code})\ndescription: Who we are, in `{code}`: translate this text.\nweight: 30\n---\n\nThe about page in `{code}`: translate it.\n"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_are_checked() {
        assert_eq!(parse_codes("en, fr").unwrap(), ["en", "fr"]);
        assert_eq!(parse_codes("fr-CA,en").unwrap(), ["fr-CA", "en"]);
        for (bad, message) in [
            ("", "--languages needs at least one language code"),
            (
                "en,french",
                "`french` in --languages is not a language code",
            ),
            ("en,fr,en", "`en` is given twice in --languages"),
        ] {
            assert_eq!(parse_codes(bad).unwrap_err().message, message);
        }
    }
}
