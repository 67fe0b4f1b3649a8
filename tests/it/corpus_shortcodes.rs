//! Bad-input corpus, shortcode templates (issue 12 §2): a mistake in a shortcode's template was
//! printed once per use of the shortcode, each at the call. Now the same mistake met at several
//! calls is one diagnostic at the template's own `file:line:col`, naming how many uses and
//! where; a call that alone fails (a bad argument) is still reported at the call. Each case
//! runs the real binary on a small site (see [`crate::corpus`]) and asserts the exact message.

use crate::corpus::{case, check, run_all};
use crate::support::{Run, TestSite, copy_tree};

/// A `note` shortcode whose line 2 writes a variable no call gives (`texte` for `text`).
const BAD_NOTE: &str = "<aside class=\"note\">\n{{ texte }}\n</aside>\n";

/// Two pages with five uses of `note`: three on `content/a.md` (lines 4, 6 and 8), two on
/// `content/b.md` (both on line 4; the second gives `title` instead of `text`, so Tera's
/// "did you mean" differs for it, yet it is the same mistake).
fn five_uses_of_note(s: &TestSite) {
    s.file("templates/shortcodes/note.html", BAD_NOTE)
        .file(
            "content/a.md",
            "---\ntitle: A\n---\nOne {{ note(text=\"x\") }}\n\n{{ note(text=\"y\") }}\n\nThree {{ note(text=\"z\") }}.\n",
        )
        .file(
            "content/b.md",
            "---\ntitle: B\n---\nB {{ note(text=\"w\") }} and {{ note(title=\"v\") }}.\n",
        );
}

/// The one diagnostic of [`five_uses_of_note`]: at the template, with the uses.
const ONCE: &str = "error: template error in templates/shortcodes/note.html: Variable `texte` is not defined (used 5 times on 2 pages: content/a.md:4:5, content/a.md:6:1, content/b.md:4:3 and 2 more)\n --> templates/shortcodes/note.html:2:4\n  |\n2 | {{ texte }}\n  |    ^^^^^\n  |\n  = note: the shortcode `note` stopped here at each use named above; if those uses lack an argument this line needs, give it to each of them\n  = help: did you mean `text`? Otherwise check the spelling; for a value that only some pages have, use `{% if name is defined %}` or `name | default(value=\"…\")`\n";

/// `price` doubles its `amount`: right for a number, an error for text.
const PRICE: &str = "<b>{{ amount * 2 }}</b>\n";

/// Err naming what is missing unless `text` holds `wanted`, and `error:` `n` times.
fn holds_n(run: &Run, wanted: &str, n: usize) -> Result<(), String> {
    if run.code != 1 {
        return Err(format!("expected exit 1, got {}", run.code));
    }
    if !run.stderr.contains(wanted) {
        return Err(format!("stderr should contain {wanted:?}"));
    }
    match run.stderr.matches("error:").count() {
        c if c == n => Ok(()),
        c => Err(format!("{c} errors printed, want {n}")),
    }
}

#[test]
fn shortcode_templates_corpus() {
    let cases = vec![
        case(
            "same_mistake_in_a_shortcode_template_is_shown_once",
            five_uses_of_note,
            check(|_, run| holds_n(run, ONCE, 1)),
        ),
        case(
            "same_mistake_in_a_shortcode_template_is_shown_once_by_check",
            five_uses_of_note,
            check(|s, _| {
                let run = s.run(&["check", "--root", s.root().to_str().unwrap()]);
                holds_n(&run, ONCE, 1)?;
                if run.stderr.contains("\n1 error, ") {
                    Ok(())
                } else {
                    Err("check should count 1 error".into())
                }
            }),
        ),
        // One call with text where the template needs a number: the call is what is wrong,
        // so it is reported at the call, though the other calls use the same template.
        case(
            "bad_argument_to_one_call_is_shown_at_the_call",
            |s| {
                s.file("templates/shortcodes/price.html", PRICE).file(
                    "content/q.md",
                    "---\ntitle: Q\n---\nA {{ price(amount=10) }}, B {{ price(amount=20) }}.\n\nC {{ price(amount=\"ten\") }}.\n",
                );
            },
            check(|_, run| {
                holds_n(
                    run,
                    "error: the shortcode `price` could not be rendered (in content/q.md): Math operations can only be done on numbers, found `string`\n --> content/q.md:6:3\n  |\n6 | C {{ price(amount=\"ten\") }}.\n  |   ^^^^^^^^^^^^^^^^^^^^^^^^^ its template templates/shortcodes/price.html stopped here\n  |\n  = note: the template is templates/shortcodes/price.html; the error is at templates/shortcodes/price.html:1:7\n  = help: check the arguments given here against what templates/shortcodes/price.html expects\n",
                    1,
                )
            }),
        ),
        // A mistake met at one call only is also shown at the call.
        case(
            "mistake_met_at_one_call_is_shown_at_the_call",
            |s| {
                s.file("templates/shortcodes/note.html", BAD_NOTE).file(
                    "content/q.md",
                    "---\ntitle: Q\n---\nText.\n\n{{ note(text=\"x\") }}\n",
                );
            },
            check(|_, run| {
                holds_n(
                    run,
                    "error: the shortcode `note` could not be rendered (in content/q.md): Variable `texte` is not defined\n --> content/q.md:6:1\n  |\n6 | {{ note(text=\"x\") }}\n  | ^^^^^^^^^^^^^^^^^^^^ its template templates/shortcodes/note.html stopped here\n  |\n  = note: the template is templates/shortcodes/note.html; the error is at templates/shortcodes/note.html:2:4\n  = help: did you mean `text`? Otherwise check the spelling; for a value that only some pages have, use `{% if name is defined %}` or `name | default(value=\"…\")`\n",
                    1,
                )
            }),
        ),
        // The theme's templates are parsed under two names (`shortcodes/cite.html` and
        // `default/templates/shortcodes/cite.html`): an unknown filter in one was printed twice.
        case(
            "unknown_filter_in_a_theme_shortcode_is_shown_once",
            |s| {
                let theme = s.path("themes/default");
                copy_tree(
                    &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
                    &theme,
                );
                let cite = theme.join("templates/shortcodes/cite.html");
                let text = std::fs::read_to_string(&cite).unwrap();
                std::fs::write(
                    &cite,
                    text.replace("[{{ number }}]", "[{{ number | romn }}]"),
                )
                .unwrap();
                s.file(
                    "config.yaml",
                    "title: \"Minimal site\"\nbase_url: \"https://example.org\"\ntheme: default\n",
                );
            },
            check(|_, run| {
                holds_n(
                    run,
                    "error: template error in themes/default/templates/shortcodes/cite.html: there is no filter `romn`\n --> themes/default/templates/shortcodes/cite.html:2:126\n  |\n2 | ...ence {{ number }}: {{ reference.short }}\">[{{ number | romn }}]</a></sup>\n  |                                                           ^^^^ unknown filter\n  |\n  = help: did you mean `round`?\n",
                    1,
                )
            }),
        ),
    ];
    run_all("shortcode templates", cases);
}
