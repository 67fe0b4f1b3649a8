//! What the templates can see of a page's value: whether any template can show a page's table
//! of contents (`toc`) or its summary (`summary`), decided from the template text, so that a
//! build whose templates never show them does not make and hold them for nothing (issue 20,
//! "build mode keeps less"; at 10,000 pages of 15 headings, the tables of contents alone are
//! about 15 MiB and 6% of a build's instructions, the summaries 6 MiB).
//!
//! The answer must never be "no" where a template could show a table of contents, so the
//! analysis is a conservative one over every template (the site's, the theme's, the built-in
//! ones, shortcodes and render hooks), with [`super::fragments`]'s tokenizer, and it answers
//! "yes" to anything it does not understand (a tag it does not know, a component, an
//! expression it cannot parse). Each expression is parsed as Tera 2.4's parser does (same
//! operators and binding powers) and given one abstract value: may it hold a page's value (a
//! page, a list of pages, a section with its pages, a paginator, a taxonomy)? Then:
//!
//! - `x.toc`, `x?.toc`, and any string literal with a dotted segment `toc` (`x["toc"]`,
//!   `map(attribute="toc")`, `sort(attribute="extra.toc")`, `get(key="toc")`) show it, and
//!   the same for `summary`;
//! - so does anything that shows a whole value that may hold a page: printing it (`{{ p }}`), a
//!   filter other than those that pass a list or map through unread ([`PASS_FILTERS`]) or count
//!   it (`length`; a page value without a table of contents keeps its `toc` key), a comparison,
//!   `in`, `~` or arithmetic, a function's argument, a subscript by a computed key, a test
//!   other than one of type, and `for k, v in p` (its values may be the table itself);
//! - a name bound by `set` or `for` (or a list comprehension) may hold a page when any binding
//!   of that name, in any template, may (included templates see their includer's names, so
//!   names are not scoped); a context name may hold one when it is one of [`PAGE_ROOTS`].
//!
//! What stays exact: a page value made without its table of contents or summary still has
//! the key (`toc` empty, `summary` none, as for a page without headings or summary), so
//! `length`, `keys` of a page, `is defined` and truthiness of a page or of a list of pages
//! are what they were.
//!
//! Rust code that reads page values is not a template: a feed's entries take each page's
//! summary from its value, so a build with a feed keeps summaries
//! (`crate::render::plan::Plan`).

use std::collections::HashSet;

use super::fragments::{Kind, Tok, tokenize};

/// The context names whose values may hold page values (`crate::render::job`): the page, its
/// section (with its pages), a paginator, a taxonomy and its terms, and Tera's own
/// `__tera_context` (every name). Every other context name (`config`, `current_url`, `lang`, a
/// shortcode's arguments, a feed's entries) holds none; a new context name that holds pages
/// must be added here.
const PAGE_ROOTS: &[&str] = &[
    "page",
    "section",
    "paginator",
    "taxonomy",
    "term",
    "terms",
    "__tera_context",
];

/// Fields of the values that may hold pages whose own value never holds a page's value
/// (`crate::templates::context`): `page.title` is text, `page.lower` a small card. Any other
/// field of such a value (`pages`, `items`, or one this list does not know) is taken to hold
/// pages.
const PLAIN_FIELDS: &[&str] = &[
    "title",
    "description",
    "meta_description",
    "date",
    "updated",
    "weight",
    "draft",
    "slug",
    "path",
    "permalink",
    "content",
    "summary",
    "toc",
    "word_count",
    "reading_time",
    "extra",
    "assets",
    "ancestors",
    "relative_path",
    "taxonomies",
    "lang",
    "lower",
    "higher",
    "translations",
    "feed_url",
    "paginate_by",
    "subsections",
    "name",
    "page_count",
    "current_index",
    "number_pagers",
    "first",
    "last",
    "previous",
    "next",
    "base_url",
    "paginate_path",
    "feed",
    "level",
    "id",
    "children",
];

/// Filters whose result holds what their input (and the named arguments below) hold, without
/// reading a page's fields: they pick, cut, reorder or join lists, or give a default. `sort`,
/// `unique`, `filter`, `group_by` and `map` read the field their `attribute` names (a string
/// literal, checked like every literal), and without one compare whole values, which shows
/// them.
const PASS_FILTERS: &[&str] = &[
    "first", "last", "nth", "slice", "reverse", "default", "concat", "safe", "sort", "unique",
    "filter", "group_by", "map",
];

/// Arguments of [`PASS_FILTERS`] whose value the result holds: (filter, argument).
const PASS_ARGS: &[(&str, &str)] = &[("default", "value"), ("concat", "with")];

/// Tests of a value's type: a page value without its table of contents has the same type.
const TYPE_TESTS: &[&str] = &[
    "defined",
    "undefined",
    "none",
    "string",
    "number",
    "integer",
    "float",
    "bool",
    "map",
    "array",
    "iterable",
];

/// Functions whose result holds page values.
const PAGE_FUNCTIONS: &[&str] = &["get_page", "get_section", "get_taxonomy"];

/// Functions whose result holds no page value (text, a URL, numbers, the site's data files).
const PLAIN_FUNCTIONS: &[&str] = &[
    "get_url",
    "get_taxonomy_url",
    "trans",
    "range",
    "now",
    "load_data",
    "resize_image",
    "throw",
    "super",
    super::fragments::PART_FUNCTION,
];

/// The fields a page value may be made without, in [`PageFields`]'s order.
const OPTIONAL: [&str; 2] = ["toc", "summary"];

/// What the templates can see of a page value, as `templates::seen` decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageFields {
    /// A template may show a page's table of contents (`toc`). When false, page values are
    /// made with an empty `toc`.
    pub toc: bool,
    /// A template may show a page's summary (`summary`). When false, page values are made
    /// with `summary` none.
    pub summary: bool,
}

impl PageFields {
    /// Every field shown: what to assume without the templates' text.
    pub const ALL: PageFields = PageFields {
        toc: true,
        summary: true,
    };
}

/// What `templates` (the text of every template a build can render, in any order) can show of
/// a page's value. Pure; [`PageFields::ALL`] when any template holds what the analysis does
/// not understand.
pub(crate) fn seen(templates: &[&str]) -> PageFields {
    let [toc, summary] = shown(templates).unwrap_or([true; 2]);
    PageFields { toc, summary }
}

/// Whether `templates` may show each of [`OPTIONAL`]; None when one of them holds what the
/// analysis does not understand.
fn shown(templates: &[&str]) -> Option<[bool; 2]> {
    let pieces: Vec<_> = templates
        .iter()
        .map(|t| tokenize(t))
        .collect::<Option<_>>()?;
    let mut scan = Scan::default();
    // The bindings grow with each pass (a name found to hold pages can make another one hold
    // them); the last pass, with nothing new, is the answer.
    loop {
        let before = scan.page_names.len();
        scan.shown = [false; 2];
        for piece in pieces.iter().flatten() {
            match &piece.kind {
                Kind::Text | Kind::Comment | Kind::Raw => {}
                Kind::Expr(toks) => scan.print(toks)?,
                Kind::Tag(toks) => scan.tag(toks)?,
            }
        }
        if scan.page_names.len() == before {
            return Some(scan.shown);
        }
    }
}

/// The state of the analysis over every template.
#[derive(Debug, Default)]
struct Scan<'a> {
    /// The names bound (by `set`, `set_global`, `for` or a list comprehension) to a value
    /// that may hold page values.
    page_names: HashSet<&'a str>,
    /// A template may show each of [`OPTIONAL`].
    shown: [bool; 2],
}

/// An abstract value: may it hold a page's value (`true`), anywhere inside it?
type Pages = bool;

/// A named argument of a function, filter or test.
struct Arg<'a> {
    name: &'a str,
    pages: Pages,
    /// The text of its value when that is one string literal (`attribute="title"`).
    literal: Option<&'a str>,
}

impl<'a> Scan<'a> {
    /// `{{ … }}`: printing a value that may hold a page shows all of it.
    fn print(&mut self, toks: &[Tok<'a>]) -> Option<()> {
        let pages = self.whole(toks)?;
        self.shows_whole(pages);
        Some(())
    }

    /// A value that may hold pages is shown whole.
    fn shows_whole(&mut self, pages: Pages) {
        if pages {
            self.shown = [true; 2];
        }
    }

    /// Field `name` of a page may be shown.
    fn shown_field(&mut self, name: &str) {
        if let Some(k) = OPTIONAL.iter().position(|f| *f == name) {
            self.shown[k] = true;
        }
    }

    fn bind(&mut self, name: &'a str, pages: Pages) {
        if pages {
            self.page_names.insert(name);
        }
    }

    /// `{% … %}`.
    fn tag(&mut self, toks: &[Tok<'a>]) -> Option<()> {
        let Some(Tok::Ident(word)) = toks.first() else {
            return None;
        };
        let rest = &toks[1..];
        match *word {
            "set" | "set_global" => {
                let Some(Tok::Ident(name)) = rest.first() else {
                    return None;
                };
                match rest.get(1) {
                    Some(Tok::Op("=")) => {
                        let pages = self.whole(&rest[2..])?;
                        self.bind(name, pages);
                    }
                    // A block `set`: its value is text; its filters read only that text.
                    None | Some(Tok::Op("|")) => {
                        let mut p = Parser {
                            scan: self,
                            toks: &rest[1..],
                            at: 0,
                        };
                        while p.eat(Tok::Op("|")) {
                            p.filter(false)?;
                        }
                        if p.at != p.toks.len() {
                            return None;
                        }
                        self.bind(name, false);
                    }
                    _ => return None,
                }
            }
            "for" => {
                let inn = rest.iter().position(|t| *t == Tok::Ident("in"))?;
                let pages = self.whole(&rest[inn + 1..])?;
                self.bind_loop(&rest[..inn], pages)?;
            }
            "if" | "elif" => {
                // Truthiness: a page value without its `toc` or `summary` is as truthy.
                self.whole(rest)?;
            }
            "filter" => {
                let mut p = Parser {
                    scan: self,
                    toks: rest,
                    at: 0,
                };
                p.filter(false)?;
                if p.at != p.toks.len() {
                    return None;
                }
            }
            // No expression in them (an `include` names templates with string literals).
            "else" | "endif" | "endfor" | "endset" | "endfilter" | "block" | "endblock"
            | "extends" | "include" | "break" | "continue" => {}
            _ => return None,
        }
        Some(())
    }

    /// Binds a `for`'s (or a list comprehension's) names `vars` (`x` or `k, v`) to the items
    /// of a value that may hold pages (`pages`). With two names over such a value, its values
    /// may be a page's fields themselves: shown.
    fn bind_loop(&mut self, vars: &[Tok<'a>], pages: Pages) -> Option<()> {
        match vars {
            [Tok::Ident(v)] => self.bind(v, pages),
            [Tok::Ident(k), Tok::Op(","), Tok::Ident(v)] => {
                self.shows_whole(pages);
                self.bind(k, pages);
                self.bind(v, pages);
            }
            _ => return None,
        }
        Some(())
    }

    /// A whole expression: its abstract value, None if it is not one expression.
    fn whole(&mut self, toks: &[Tok<'a>]) -> Option<Pages> {
        let mut p = Parser {
            scan: self,
            toks,
            at: 0,
        };
        let pages = p.expr(0)?;
        (p.at == toks.len()).then_some(pages)
    }

    /// The abstract value of the name `name` read where it is not bound in the same place.
    fn name(&self, name: &str) -> Pages {
        PAGE_ROOTS.contains(&name) || self.page_names.contains(name)
    }

    /// A literal as written: a string shows each field of [`OPTIONAL`] that is one of its
    /// dotted segments (an attribute path, a key).
    fn literal(&mut self, text: &str) {
        if let Some(s) = string_literal(text) {
            s.split('.').for_each(|segment| self.shown_field(segment));
        }
    }
}

/// The text of a string literal as written (`"toc"`, `'toc'`, `` `toc` ``) without its quotes;
/// None for a number or bool.
fn string_literal(text: &str) -> Option<&str> {
    let quote = text
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    text.strip_prefix(quote)?.strip_suffix(quote)
}

/// Tera 2.4's binding powers (`parsing/parser.rs`): (left, right).
fn binding_power(op: &str) -> Option<(u8, u8)> {
    Some(match op {
        "or" => (1, 2),
        "and" => (3, 4),
        "in" | "is" | "not" => (5, 6),
        "==" | "!=" | "<" | "<=" | ">" | ">=" => (7, 8),
        "+" | "-" => (11, 12),
        "*" | "/" | "%" | "~" | "//" => (13, 14),
        "**" => (16, 15),
        "|" => (17, 18),
        _ => return None,
    })
}

/// A Pratt parser of one expression's tokens, as Tera 2.4's, computing abstract values.
struct Parser<'s, 'a, 't> {
    scan: &'s mut Scan<'a>,
    toks: &'t [Tok<'a>],
    at: usize,
}

impl<'a> Parser<'_, 'a, '_> {
    fn peek(&self) -> Option<Tok<'a>> {
        self.toks.get(self.at).copied()
    }

    fn eat(&mut self, t: Tok<'a>) -> bool {
        let yes = self.peek() == Some(t);
        self.at += usize::from(yes);
        yes
    }

    fn expect(&mut self, t: Tok<'a>) -> Option<()> {
        self.eat(t).then_some(())
    }

    fn ident(&mut self) -> Option<&'a str> {
        match self.peek()? {
            Tok::Ident(w) => {
                self.at += 1;
                Some(w)
            }
            _ => None,
        }
    }

    /// An expression whose operators bind at least as tightly as `min`.
    fn expr(&mut self, min: u8) -> Option<Pages> {
        let mut lhs = self.primary()?;
        while let Some(tok) = self.peek() {
            let op = match tok {
                Tok::Op("[") => {
                    self.at += 1;
                    lhs = self.subscript(lhs)?;
                    continue;
                }
                Tok::Ident("if") => {
                    // A ternary `a if c else b` (Tera's left binding power 0).
                    if min > 0 {
                        break;
                    }
                    self.at += 1;
                    self.expr(0)?;
                    self.expect(Tok::Ident("else"))?;
                    let other = self.expr(0)?;
                    return Some(lhs || other);
                }
                Tok::Op(op) | Tok::Ident(op) => op,
                Tok::Lit(_) => return None,
            };
            let Some((left, right)) = binding_power(op) else {
                break;
            };
            if left < min {
                break;
            }
            self.at += 1;
            lhs = match op {
                "|" => self.filter(lhs)?,
                "is" => {
                    self.eat(Tok::Ident("not"));
                    self.test(lhs)?
                }
                "not" => {
                    // `not in`.
                    self.expect(Tok::Ident("in"))?;
                    let rhs = self.expr(right)?;
                    self.scan.shows_whole(lhs || rhs);
                    false
                }
                "and" | "or" => {
                    // Truthiness; the result is one of the two values.
                    let rhs = self.expr(right)?;
                    lhs || rhs
                }
                _ => {
                    let rhs = self.expr(right)?;
                    self.scan.shows_whole(lhs || rhs);
                    false
                }
            };
        }
        Some(lhs)
    }

    /// A literal, a name with its `.field`s and subscripts, a function call, a unary
    /// operation, a parenthesised expression, an array (or list comprehension) or a map.
    fn primary(&mut self) -> Option<Pages> {
        let tok = self.peek()?;
        self.at += 1;
        match tok {
            Tok::Lit(text) => {
                self.scan.literal(text);
                Some(false)
            }
            Tok::Ident("none" | "None" | "null") => Some(false),
            Tok::Ident("not") => {
                // Truthiness.
                self.expr(5)?;
                Some(false)
            }
            Tok::Op("-") => {
                let pages = self.expr(20)?;
                self.scan.shows_whole(pages);
                Some(false)
            }
            Tok::Op("(") => {
                let pages = self.expr(0)?;
                self.expect(Tok::Op(")"))?;
                Some(pages)
            }
            Tok::Op("[") => self.array(),
            Tok::Op("{") => self.map(),
            Tok::Ident(name) => {
                if self.peek() == Some(Tok::Op("(")) {
                    return self.call(name);
                }
                let mut pages = self.scan.name(name);
                loop {
                    match self.peek() {
                        Some(Tok::Op("." | "?.")) => {
                            self.at += 1;
                            let field = self.ident()?;
                            pages = self.field(pages, field);
                        }
                        Some(Tok::Op("[" | "?[")) => {
                            self.at += 1;
                            pages = self.subscript(pages)?;
                        }
                        _ => return Some(pages),
                    }
                }
            }
            _ => None,
        }
    }

    /// `.field` of a value that may hold pages (`pages`).
    fn field(&mut self, pages: Pages, field: &str) -> Pages {
        if pages {
            self.scan.shown_field(field);
        }
        pages && !PLAIN_FIELDS.contains(&field)
    }

    /// After `[`: a subscript or slice of a value that may hold pages (`pages`), to its `]`.
    fn subscript(&mut self, pages: Pages) -> Option<Pages> {
        let result = match (self.peek(), self.toks.get(self.at + 1)) {
            (Some(Tok::Lit(text)), Some(Tok::Op("]"))) => {
                self.at += 1;
                self.scan.literal(text);
                match string_literal(text) {
                    Some(key) => self.field(pages, key),
                    // An index: an item of a list.
                    None => pages,
                }
            }
            _ => {
                // A computed key or a slice: every part is read; a computed key may name any
                // field.
                let mut keyed = false;
                let mut sliced = false;
                while self.peek() != Some(Tok::Op("]")) {
                    if self.eat(Tok::Op(":")) {
                        sliced = true;
                        continue;
                    }
                    let key = self.expr(0)?;
                    self.scan.shows_whole(key);
                    keyed = true;
                }
                if keyed && !sliced {
                    self.scan.shows_whole(pages);
                }
                pages
            }
        };
        self.expect(Tok::Op("]"))?;
        Some(result)
    }

    /// A function call `name(…)`, at its `(`.
    fn call(&mut self, name: &str) -> Option<Pages> {
        let args = self.kwargs()?;
        self.scan.shows_whole(args.iter().any(|a| a.pages));
        if PAGE_FUNCTIONS.contains(&name) {
            Some(true)
        } else {
            Some(!PLAIN_FUNCTIONS.contains(&name))
        }
    }

    /// `(name=expr, …)` if the next token is `(`: the arguments.
    fn kwargs(&mut self) -> Option<Vec<Arg<'a>>> {
        let mut args = Vec::new();
        if self.eat(Tok::Op("(")) {
            self.separated(Tok::Op(")"), false, |p| {
                let name = p.ident()?;
                p.expect(Tok::Op("="))?;
                let from = p.at;
                let pages = p.expr(0)?;
                let literal = match &p.toks[from..p.at] {
                    [Tok::Lit(text)] => string_literal(text),
                    _ => None,
                };
                args.push(Arg {
                    name,
                    pages,
                    literal,
                });
                Some(())
            })?;
        }
        Some(args)
    }

    /// Items separated by commas, a trailing one allowed, up to and with `close`, each read by
    /// `item`; `after_one` when the first item was read already.
    fn separated(
        &mut self,
        close: Tok<'a>,
        after_one: bool,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        let mut first = !after_one;
        while !self.eat(close) {
            if !first {
                self.expect(Tok::Op(","))?;
                if self.eat(close) {
                    break;
                }
            }
            first = false;
            item(self)?;
        }
        Some(())
    }

    /// After `|`: a filter and its arguments applied to a value that may hold pages (`input`).
    fn filter(&mut self, input: Pages) -> Option<Pages> {
        let name = self.ident()?;
        let args = self.kwargs()?;
        let passed = |a: &Arg<'_>| PASS_ARGS.contains(&(name, a.name));
        self.scan
            .shows_whole(args.iter().any(|a| a.pages && !passed(a)));
        let attribute = args.iter().find(|a| a.name == "attribute");
        match name {
            "length" => Some(false),
            _ if !PASS_FILTERS.contains(&name) => {
                self.scan.shows_whole(input);
                Some(false)
            }
            "sort" | "unique" if attribute.is_none() => {
                // Compares whole values.
                self.scan.shows_whole(input);
                Some(input)
            }
            "map" => {
                // The list of one field of each item.
                let plain = attribute
                    .and_then(|a| a.literal)
                    .and_then(|path| path.rsplit('.').next())
                    .is_some_and(|field| PLAIN_FIELDS.contains(&field));
                Some(input && !plain)
            }
            _ => Some(input || args.iter().any(|a| a.pages && passed(a))),
        }
    }

    /// After `is` (and `not`): a test of a value that may hold pages (`input`).
    fn test(&mut self, input: Pages) -> Option<Pages> {
        let name = self.ident()?;
        let args = self.kwargs()?;
        let read = args.iter().any(|a| a.pages) || (input && !TYPE_TESTS.contains(&name));
        self.scan.shows_whole(read);
        Some(false)
    }

    /// After `[`: an array literal or a list comprehension, to its `]`.
    fn array(&mut self) -> Option<Pages> {
        if self.eat(Tok::Op("]")) {
            return Some(false);
        }
        self.eat(Tok::Op("..."));
        let mut pages = self.expr(0)?;
        if self.eat(Tok::Ident("for")) {
            return self.comprehension(pages);
        }
        self.separated(Tok::Op("]"), true, |p| {
            p.eat(Tok::Op("..."));
            pages |= p.expr(0)?;
            Some(())
        })?;
        Some(pages)
    }

    /// After `[item for`: a list comprehension whose item may hold pages (`item`), to its
    /// `]`. Its names are bound as a `for`'s are (the item was read before they were known to
    /// this pass; the next pass reads it with them).
    fn comprehension(&mut self, item: Pages) -> Option<Pages> {
        let from = self.at;
        while self.peek() != Some(Tok::Ident("in")) {
            self.at += 1;
            if self.at >= self.toks.len() {
                return None;
            }
        }
        let vars = &self.toks[from..self.at];
        self.at += 1;
        let target = self.expr(1)?;
        self.scan.bind_loop(vars, target)?;
        if self.eat(Tok::Ident("if")) {
            self.expr(1)?;
        }
        self.expect(Tok::Op("]"))?;
        Some(item)
    }

    /// After `{`: a map literal, to its `}`.
    fn map(&mut self) -> Option<Pages> {
        let mut pages = false;
        self.separated(Tok::Op("}"), false, |p| {
            if !p.eat(Tok::Op("...")) {
                match p.peek()? {
                    Tok::Lit(text) => p.scan.literal(text),
                    _ => return None,
                }
                p.at += 1;
                p.expect(Tok::Op(":"))?;
            }
            pages |= p.expr(0)?;
            Some(())
        })?;
        Some(pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toc(templates: &[&str]) -> bool {
        shown(templates).expect("understood")[0]
    }

    fn summary(templates: &[&str]) -> bool {
        shown(templates).expect("understood")[1]
    }

    #[test]
    fn templates_that_never_show_a_table_of_contents() {
        let bench_base = r#"<title>{% block title %}{{ config.title }}{% endblock title %}</title>
{%- set root = get_section(path="_index.md", metadata_only=true) %}
{%- for sp in root.subsections %}
{%- set s = get_section(path=sp, metadata_only=true) %}
<li><a href="{{ s.permalink | safe }}">{{ s.title }}</a></li>
{%- endfor %}{% block content %}{% endblock content %}"#;
        let page = r#"{% extends "base.html" %}
{% block content %}<h1>{{ page.title }}</h1><time datetime="{{ page.date }}">{{ page.date }}</time>
{%- if page.description %}<p>{{ page.description }}</p>{%- endif %}
{{ page.content | safe }}{% endblock content %}"#;
        let section = r#"{% for p in section.pages %}<a href="{{ p.permalink | safe }}">{{ p.title }}</a>{% endfor %}
{{ section.pages | length }} {% if section.pages %}yes{% endif %}
{% for p in section.pages | slice(end=3) | reverse %}{{ p.title | upper }}{% endfor %}
{% set newest = section.pages | sort(attribute="date") | last %}{{ newest.title }}
{{ page.lower.title ~ " · " ~ (page.higher.permalink | default(value="")) }}
{{ config.extra.toc }} {{ loop_var ~ "protocol" }} {% raw %}{{ page.toc }}{% endraw %}
{# page.toc #}{{ page.title if page.draft else "x" }} {{ [1, 2] | first }}
{% set xs = [page.title, 'b',] %}{{ xs | join(sep=', ') }} {{ [] | length }}
{% set m = {'t': page.title, ...config.extra,} %}{{ m.t }} {{ {} | length }}
{{ get_url(path="@/a.md", lang=page.lang) }} {{ now() | date(format="%Y") }}"#;
        assert!(!toc(&[bench_base, page, section]));
    }

    #[test]
    fn every_way_to_show_a_table_of_contents_is_found() {
        let shows = [
            "{{ page.toc }}",
            "{% for h in page.toc %}{{ h.title }}{% endfor %}",
            "{% if page?.toc %}x{% endif %}",
            "{{ page['toc'] | length }}",
            "{% for p in section.pages %}{{ p.toc | length }}{% endfor %}",
            "{{ section.pages | map(attribute=\"toc\") | length }}",
            "{{ section.pages | sort(attribute='extra.toc') | length }}",
            "{{ page | get(key=\"toc\") }}",
            "{{ page }}",
            "{{ page | json_encode }}",
            "{{ section.pages | first }}",
            "{{ section.pages | sort | length }}",
            "{% for k, v in page %}{{ k }}{% endfor %}",
            "{% set k = 'x' %}{{ page[k] }}",
            "{% set x = page %}{{ x }}",
            "{% set y = section.pages %}{% set x = y | first %}{{ x | json_encode }}",
            "{% set x = get_page(path='a.md') %}{{ x }}",
            "{% if page == other %}x{% endif %}",
            "{{ 'a' ~ page }}",
            "{{ page in section.pages }}",
            "{{ page not in section.pages }}",
            "{{ __tera_context }}",
            "{{ mystery(p=page) }}",
            "{{ mystery() }}",
            "{% set m = {'a': page} %}{{ m }}",
            "{% set l = [p for p in section.pages] %}{{ l }}",
            "{{ (page or config) }}",
            "{{ page.title if x else section }}",
            "{{ page is containing(pat='toc') }}",
            "{{ paginator.pages | first | json_encode }}",
            "{% set x = page.pages %}{{ x }}",
        ];
        for t in shows {
            assert!(toc(&[t]), "{t:?} shows a table of contents");
        }
    }

    #[test]
    fn summaries_are_told_apart_from_tables_of_contents() {
        let only_summary = "{% for p in section.pages %}{{ p.summary | safe }}{% endfor %}";
        assert!(summary(&[only_summary]) && !toc(&[only_summary]));
        let only_toc = "{{ section.pages | map(attribute='toc') | length }}";
        assert!(!summary(&[only_toc]) && toc(&[only_toc]));
        let both = "{{ section.pages | json_encode }}";
        assert!(summary(&[both]) && toc(&[both]));
        assert!(summary(&["{{ page | get(key='summary') }}"]));
        assert!(!summary(&["{{ config.extra.summary }} {{ page.title }}"]));
    }

    #[test]
    fn a_name_bound_in_one_template_is_read_in_another() {
        assert!(toc(&["{% set x = page %}", "{{ x }}"]));
        assert!(!toc(&["{% set x = page.title %}", "{{ x }}"]));
        // Found only on a second pass: `y` holds pages once `x` is known to.
        assert!(toc(&[
            "{{ y }}",
            "{% set y = x %}",
            "{% set x = section %}"
        ]));
    }

    #[test]
    fn what_is_not_understood_counts_as_shown() {
        let not_understood = [
            "{{ page.title",
            "{% unknown_tag %}",
            "{{ page.title page.date }}",
            "{% for in x %}{% endfor %}",
            "{% component Card(p) %}{{ p }}{% endcomponent %}",
            "{{ <Card p=page/> }}",
            "{% macro card(p) %}{{ p }}{% endmacro %}",
            "{{ get_page(path='a.md').title }}",
        ];
        for t in not_understood {
            assert_eq!(shown(&["{{ page.title }}", t]), None, "{t:?}");
            assert_eq!(seen(&[t]), PageFields::ALL, "{t:?}");
        }
    }
}
