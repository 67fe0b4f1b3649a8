//! `markdown.highlight_code`: fenced code with a language, coloured at build time.
//!
//! In: the page's events after the walk. Out: the text of each fenced code block that names a
//! known language replaced by `<span class="z-…">` tokens (raw HTML inside pulldown-cmark's own
//! `<pre><code class="language-x">`), and a warning for each language no grammar knows, which
//! is then left plain. Code without a language is not touched.
//!
//! The tokens carry classes, never colours: the theme owns them (the default theme's are in
//! `themes/default/static/css/site.css`, "highlighted code"). Classes are the grammar's scope names, each part
//! prefixed with `z-` as Zola's `highlight_theme = "css"` writes them: a Rust keyword is
//! `<span class="z-keyword z-other z-rust">`. The grammars are syntect's Sublime Text set
//! (feature `highlight`), plus a small TOML grammar of our own (`toml.sublime-syntax`); they
//! are loaded once per process, on the first code block that names a language.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

use crate::error::Diagnostic;

use super::Positions;

/// Whether `body` may hold a fenced code block (```` ``` ```` or `~~~`): a cheap test, so a page
/// without one costs no walk over its events.
pub(super) fn may_have_fences(body: &str) -> bool {
    memchr::memmem::find(body.as_bytes(), b"```").is_some()
        || memchr::memmem::find(body.as_bytes(), b"~~~").is_some()
}

/// The language a fenced block's info string names: its first word, before any `,` or `{`
/// (```` ```rust,ignore ```` and ```` ```python {linenos} ```` name `rust` and `python`).
pub(crate) fn info_language(info: &str) -> &str {
    info.split([' ', '\t', ',', '{']).next().unwrap_or_default()
}

/// Highlights every fenced code block of `events` that names a language; returns a warning for
/// each language no grammar knows, at its code block's first line (labelled "unknown
/// language", with the closest known name as help).
pub(super) fn code_blocks(
    events: &mut [(Event<'_>, Range<usize>)],
    positions: &mut Positions<'_>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let lang = match &events[i].0 {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                info_language(info).to_string()
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let start = i;
        let end = events[start..]
            .iter()
            .position(|(e, _)| matches!(e, Event::End(TagEnd::CodeBlock)))
            .map_or(events.len(), |n| start + n);
        i = end + 1;
        if lang.is_empty() {
            continue;
        }
        let code: String = events[start + 1..end]
            .iter()
            .filter_map(|(e, _)| match e {
                Event::Text(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        // A grammar that panics on this text (syntect's regexes run on the owner's code) is
        // caught like one that fails on it: the code is shown plain ([`crate::panics`]).
        let highlighted =
            crate::panics::catch(|| grammar::highlight(&lang, &code)).unwrap_or(Highlighted::Plain);
        match highlighted {
            Highlighted::Html(html) => {
                let mut html = Some(html);
                for (event, _) in &mut events[start + 1..end] {
                    *event = Event::Html(html.take().unwrap_or_default().into());
                }
            }
            Highlighted::Plain => {}
            Highlighted::Unknown(closest) => {
                let span = positions.span(events[start].1.clone());
                problems.push(unknown_language(&lang, closest, span));
            }
        }
    }
    problems
}

/// The warning for a code block whose language no grammar knows.
fn unknown_language(lang: &str, closest: Option<String>, span: crate::error::Span) -> Diagnostic {
    let help = match closest {
        Some(name) => format!(
            "did you mean `{name}`? The code is shown without colours until the language is one stillpoint knows (README, \"Code in colour and math\")"
        ),
        None => "the code is shown without colours; write a language stillpoint knows (README, \"Code in colour and math\"), or `text`".to_string(),
    };
    Diagnostic::warning(format!(
        "code block in a language stillpoint cannot colour: `{lang}`"
    ))
    .at_line(span, None)
    .label("unknown language")
    .help(help)
}

/// What [`grammar::highlight`] made of one code block.
#[derive(Debug, PartialEq, Eq)]
// Built without `highlight`, only `Plain` is ever made.
#[cfg_attr(not(feature = "highlight"), allow(dead_code))]
pub(crate) enum Highlighted {
    /// The tokens as HTML, for inside `<code>`.
    Html(String),
    /// Left as pulldown-cmark writes it: plain text asked for (`text`), or no highlighter built in.
    Plain,
    /// No grammar for the language; the closest known name, if one is close.
    Unknown(Option<String>),
}

#[cfg(feature = "highlight")]
pub(crate) mod grammar {
    //! syntect's grammars, loaded once.

    use std::sync::OnceLock;

    use syntect::html::{ClassStyle, ClassedHTMLGenerator};
    use syntect::parsing::{SyntaxDefinition, SyntaxReference, SyntaxSet};
    use syntect::util::LinesWithEndings;

    use super::Highlighted;

    /// Our TOML grammar (syntect's default set has none).
    const TOML: &str = include_str!("toml.sublime-syntax");

    /// Names that mean "no colours", without a warning.
    const PLAIN: [&str; 4] = ["text", "plain", "plaintext", "txt"];

    /// Other names people write for a language, and the name the grammars know it by.
    const ALIASES: [(&str, &str); 8] = [
        ("shell", "bash"),
        ("console", "bash"),
        ("zsh", "bash"),
        ("jsx", "js"),
        ("svg", "xml"),
        ("jinja", "html"),
        ("tera", "html"),
        ("htm", "html"),
    ];

    /// The grammars: syntect's defaults and TOML. Built on first use (tens of milliseconds).
    fn syntaxes() -> &'static SyntaxSet {
        static SET: OnceLock<SyntaxSet> = OnceLock::new();
        SET.get_or_init(|| {
            let defaults = SyntaxSet::load_defaults_newlines();
            match SyntaxDefinition::load_from_str(TOML, true, Some("toml")) {
                Ok(toml) => {
                    let mut builder = defaults.into_builder();
                    builder.add(toml);
                    builder.build()
                }
                // Our own file, tested (tests::toml_grammar_loads): never taken.
                Err(_) => defaults,
            }
        })
    }

    /// The grammar for a language name as written after ```` ``` ```` (any case): a file
    /// extension (`rs`, `py`, `yml`), a grammar's name (`rust`, `python`), or an alias.
    fn find(lang: &str) -> Option<&'static SyntaxReference> {
        let lower = lang.to_ascii_lowercase();
        let name = ALIASES
            .iter()
            .find(|(alias, _)| *alias == lower)
            .map_or(lower.as_str(), |(_, name)| name);
        syntaxes().find_syntax_by_token(name)
    }

    /// Every name [`find`] knows, for suggestions.
    fn known_names() -> Vec<String> {
        let mut names: Vec<String> = syntaxes()
            .syntaxes()
            .iter()
            .flat_map(|s| {
                s.file_extensions
                    .iter()
                    .cloned()
                    .chain(std::iter::once(s.name.to_ascii_lowercase()))
            })
            .collect();
        names.extend(ALIASES.iter().map(|(alias, _)| alias.to_string()));
        names
    }

    /// `code` in the language `lang`, as class-tagged HTML.
    pub(crate) fn highlight(lang: &str, code: &str) -> Highlighted {
        if PLAIN.contains(&lang.to_ascii_lowercase().as_str()) {
            return Highlighted::Plain;
        }
        let Some(syntax) = find(lang) else {
            let names = known_names();
            let closest =
                crate::error::closest(names.iter().map(String::as_str), lang).map(str::to_string);
            return Highlighted::Unknown(closest);
        };
        let style = ClassStyle::SpacedPrefixed { prefix: "z-" };
        let mut html = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), style);
        for line in LinesWithEndings::from(code) {
            if html
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                // A grammar that fails on this text: the code is still shown, plain.
                return Highlighted::Plain;
            }
        }
        Highlighted::Html(html.finalize())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn toml_grammar_loads() {
            assert!(SyntaxDefinition::load_from_str(TOML, true, Some("toml")).is_ok());
        }

        #[test]
        fn the_languages_site_owners_need_are_known() {
            for lang in [
                "html",
                "css",
                "js",
                "javascript",
                "json",
                "yaml",
                "yml",
                "toml",
                "markdown",
                "md",
                "bash",
                "sh",
                "shell",
                "rust",
                "rs",
                "python",
                "py",
                "xml",
            ] {
                assert!(find(lang).is_some(), "{lang}");
                assert!(
                    matches!(highlight(lang, "a = 1\n"), Highlighted::Html(h) if h.contains("class=\"z-")),
                    "{lang}"
                );
            }
        }

        #[test]
        fn unknown_languages_suggest_the_closest_name() {
            assert_eq!(
                highlight("pyhton", "x\n"),
                Highlighted::Unknown(Some("python".into()))
            );
            assert_eq!(highlight("TEXT", "x\n"), Highlighted::Plain);
        }

        #[test]
        fn odd_code_does_not_panic() {
            let odd = [
                "",
                "\n\n",
                "\"unclosed",
                "<!-- <a href='",
                "/* never ends",
                "'''\n\\",
                "\u{0}\u{FEFF}\r\n\t]]]]{{{{",
                "a\rb\r",
            ];
            for lang in [
                "html", "css", "js", "json", "yaml", "toml", "md", "bash", "rust", "python",
            ] {
                for code in odd {
                    let _ = highlight(lang, code);
                }
                let _ = highlight(lang, &"([{<\"'".repeat(500));
            }
        }

        #[test]
        fn toml_tokens() {
            let Highlighted::Html(html) = highlight("toml", "[a]\nkey = \"v\" # c\n") else {
                panic!("toml is known");
            };
            assert!(html.contains("z-comment"), "{html}");
            assert!(html.contains("z-string"), "{html}");
            assert!(html.contains("z-entity"), "{html}");
        }
    }
}

#[cfg(not(feature = "highlight"))]
pub(crate) mod grammar {
    //! Built without the `highlight` feature: code is never coloured, and no language is unknown.

    use super::Highlighted;

    /// Always [`Highlighted::Plain`].
    pub(crate) fn highlight(_lang: &str, _code: &str) -> Highlighted {
        Highlighted::Plain
    }
}
