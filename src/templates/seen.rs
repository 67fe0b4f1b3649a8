//! What the templates can see of a page's value: which of its fields ([`PAGE_FIELDS`]) any
//! template can show, decided from the template text, so that a build does not make and hold
//! what no template shows (issue 20, "build mode keeps less"; at 10,000 pages of 15 headings,
//! the tables of contents alone are about 15 MiB and 6% of a build's instructions, and a
//! template that shows a page's title, date and content leaves out 19 of its 24 fields,
//! about 15 MiB more).
//!
//! The answer must never leave out a field a template could show, so the analysis is a
//! conservative one over every template (the site's, the theme's, the built-in ones,
//! shortcodes and render hooks), with [`super::fragments`]'s tokenizer, and it answers "every
//! field" to anything it does not understand (a tag it does not know, a component, an
//! expression it cannot parse). Each expression is parsed as Tera 2.4's parser does (same
//! operators and binding powers) and given one abstract value ([`Pages`]): may it hold a
//! page's value (a page, a list of pages, a section with its pages, a paginator, a taxonomy),
//! and may it be one itself? Then:
//!
//! - `x.toc`, `x?.toc`, and any string literal with a dotted segment `toc` (`x["toc"]`,
//!   `map(attribute="toc")`, `sort(attribute="extra.toc")`, `get(key="toc")`) show `toc`, and
//!   the same for every field;
//! - anything that shows a whole value that may hold a page shows every field: printing it
//!   (`{{ p }}`), a filter other than those that pass a list or map through unread
//!   ([`PASS_FILTERS`]) or count it (`length`), a comparison, `in`, `~` or arithmetic, a
//!   function's argument, a subscript by a computed key, a test other than one of type, and
//!   `for k, v in p`;
//! - so does anything that may count or walk the keys of a page value itself (not of a list of
//!   them): `page | length`, any filter of it but `default`, `{% for x in page %}`, spreading
//!   it (`{...page}`), since a value without some fields has fewer keys;
//! - a name bound by `set` or `for` (or a list comprehension) may hold a page (or be one) when
//!   any binding of that name, in any template, may (included templates see their includer's
//!   names, so names are not scoped); a context name may hold one when it is one of
//!   [`PAGE_ROOTS`].
//!
//! What stays exact: a page value holds the fields shown and [`ALWAYS`], so it is never empty
//! and as true in `{% if page %}`; a field that is not there is read only where it is named,
//! and a name marks it shown. A field no page has (`page.titel`) is taken to be a page itself,
//! so printing it (where its error lists the fields the value has) shows every field.
//!
//! Rust code that reads page values is not a template: a feed's entries take each page's
//! summary and content from its value, so a build with a feed keeps them
//! (`crate::render::plan::Plan`).

use std::collections::HashSet;

use super::context::PAGE_FIELDS;
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

/// Fields of the values that may hold pages, besides a page's own ([`PAGE_FIELDS`]), whose
/// value never holds a page's value (`crate::templates::context`): a section's, a paginator's,
/// a term's, a heading's.
const OTHER_PLAIN_FIELDS: &[&str] = &[
    "feed_url",
    "paginate_by",
    "subsections",
    "name",
    "page_count",
    "current_index",
    "number_pagers",
    "total_pages",
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

/// Whether `field` of a value that may hold pages never holds a page's value: every page
/// field (`page.title` is text, `page.lower` a small card) and [`OTHER_PLAIN_FIELDS`]. Any
/// other field (`pages`, `items`, or one stillpoint does not make) is taken to hold pages.
fn plain_field(field: &str) -> bool {
    PAGE_FIELDS.contains(&field) || OTHER_PLAIN_FIELDS.contains(&field)
}

/// Fields of the values that may hold pages whose value is a list of them (or of terms): none
/// is a page value itself.
const LIST_FIELDS: &[&str] = &["pages", "items"];

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

/// What the templates can show of a page value: a set of [`PAGE_FIELDS`], as `templates::seen`
/// decides it. A page value holds only these.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PageFields(u32);

impl PageFields {
    /// Every field shown: what to assume without the templates' text.
    pub const ALL: PageFields = PageFields((1 << PAGE_FIELDS.len()) - 1);

    /// No field shown.
    const NONE: PageFields = PageFields(0);

    /// Whether `field` is shown: true for one of [`PAGE_FIELDS`] in the set, and for any
    /// other name (not a page field: nothing here leaves it out).
    pub fn shows(self, field: &str) -> bool {
        bit(field).is_none_or(|b| self.0 & b != 0)
    }

    /// The set with `field` (one of [`PAGE_FIELDS`]; any other name changes nothing).
    #[must_use]
    pub fn with(self, field: &str) -> PageFields {
        PageFields(self.0 | bit(field).unwrap_or(0))
    }

    /// How many fields are shown.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether no field is shown.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::fmt::Debug for PageFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = PAGE_FIELDS.iter().filter(|n| self.shows(n));
        f.debug_set().entries(shown).finish()
    }
}

/// The bit of `field` in a [`PageFields`], if it is one of [`PAGE_FIELDS`].
fn bit(field: &str) -> Option<u32> {
    PAGE_FIELDS.iter().position(|f| *f == field).map(|k| 1 << k)
}

/// The fields every page value holds whatever the templates show: one, so that a page value is
/// never an empty map (an empty map is false in `{% if page %}`, a page value is true).
const ALWAYS: &str = "permalink";

/// What `templates` (the text of every template a build can render, in any order) can show of
/// a page's value, with [`ALWAYS`]. Pure; [`PageFields::ALL`] when any template holds what the
/// analysis does not understand.
pub(crate) fn seen(templates: &[&str]) -> PageFields {
    shown(templates).map_or(PageFields::ALL, |f| f.with(ALWAYS))
}

/// The fields `templates` may show; None when one of them holds what the analysis does not
/// understand.
fn shown(templates: &[&str]) -> Option<PageFields> {
    let pieces: Vec<_> = templates
        .iter()
        .map(|t| tokenize(t))
        .collect::<Option<_>>()?;
    let mut scan = Scan {
        page_names: HashSet::new(),
        page_items: HashSet::new(),
        shown: PageFields::NONE,
    };
    // The bindings grow with each pass (a name found to hold pages can make another one hold
    // them); the last pass, with nothing new, is the answer.
    loop {
        let before = scan.bound();
        scan.shown = PageFields::NONE;
        for piece in pieces.iter().flatten() {
            match &piece.kind {
                Kind::Text | Kind::Comment | Kind::Raw => {}
                Kind::Expr(toks) => scan.print(toks)?,
                Kind::Tag(toks) => scan.tag(toks)?,
            }
        }
        if scan.bound() == before {
            return Some(scan.shown);
        }
    }
}

/// The state of the analysis over every template.
#[derive(Debug)]
struct Scan<'a> {
    /// The names bound (by `set`, `set_global`, `for` or a list comprehension) to a value
    /// that may hold page values.
    page_names: HashSet<&'a str>,
    /// Those of them that may be bound to a page value itself.
    page_items: HashSet<&'a str>,
    /// The page fields a template may show.
    shown: PageFields,
}

/// An abstract value: may it hold a page's value anywhere inside it (`holds`), and may it be a
/// page's value itself (`page`: counting or walking its keys would see which fields it has)?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pages {
    holds: bool,
    page: bool,
}

impl Pages {
    /// Holds no page value (text, a number, `config`).
    const NONE: Pages = Pages {
        holds: false,
        page: false,
    };
    /// A list, map or section that holds page values, but is none itself.
    const HOLDS: Pages = Pages {
        holds: true,
        page: false,
    };
    /// May be a page value.
    const PAGE: Pages = Pages {
        holds: true,
        page: true,
    };

    /// An item or value taken out of this one: may be a page value when this holds one.
    fn item(self) -> Pages {
        if self.holds { Pages::PAGE } else { Pages::NONE }
    }

    /// A list or map made of this value's items (a filter's result): holds a page value when
    /// this does, and is none.
    fn list(self) -> Pages {
        if self.holds {
            Pages::HOLDS
        } else {
            Pages::NONE
        }
    }
}

impl std::ops::BitOr for Pages {
    type Output = Pages;

    /// Either of two values (`a or b`, `a if c else b`, the items of a list).
    fn bitor(self, other: Pages) -> Pages {
        Pages {
            holds: self.holds || other.holds,
            page: self.page || other.page,
        }
    }
}

impl std::ops::BitOrAssign for Pages {
    fn bitor_assign(&mut self, other: Pages) {
        *self = *self | other;
    }
}

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
        if pages.holds {
            self.shown = PageFields::ALL;
        }
    }

    /// The keys of a value that may be a page value are counted or walked (`length`, a `for`
    /// over it): which fields it has shows, so it must have them all.
    fn counts_keys(&mut self, pages: Pages) {
        if pages.page {
            self.shown = PageFields::ALL;
        }
    }

    /// Field `name` of a page may be shown.
    fn shown_field(&mut self, name: &str) {
        self.shown = self.shown.with(name);
    }

    fn bind(&mut self, name: &'a str, pages: Pages) {
        if pages.holds {
            self.page_names.insert(name);
        }
        if pages.page {
            self.page_items.insert(name);
        }
    }

    /// How many names are bound to values that may hold pages or be one (grows until the
    /// analysis is done).
    fn bound(&self) -> usize {
        self.page_names.len() + self.page_items.len()
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
                            p.filter(Pages::NONE)?;
                        }
                        if p.at != p.toks.len() {
                            return None;
                        }
                        self.bind(name, Pages::NONE);
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
                // Truthiness: a page value holds at least one field (`ALWAYS`), so it is true
                // whichever fields it holds.
                self.whole(rest)?;
            }
            "filter" => {
                let mut p = Parser {
                    scan: self,
                    toks: rest,
                    at: 0,
                };
                p.filter(Pages::NONE)?;
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
    /// of a value that may hold pages (`pages`): each may be a page. With two names over such
    /// a value, its values may be a page's fields themselves: shown. One name over a value that
    /// may be a page walks its keys.
    fn bind_loop(&mut self, vars: &[Tok<'a>], pages: Pages) -> Option<()> {
        match vars {
            [Tok::Ident(v)] => {
                self.counts_keys(pages);
                self.bind(v, pages.item());
            }
            [Tok::Ident(k), Tok::Op(","), Tok::Ident(v)] => {
                self.shows_whole(pages);
                self.bind(k, pages.item());
                self.bind(v, pages.item());
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
        Pages {
            holds: PAGE_ROOTS.contains(&name) || self.page_names.contains(name),
            page: name == "page" || self.page_items.contains(name),
        }
    }

    /// A literal as written: a string shows each page field that is one of its dotted segments
    /// (an attribute path, a key).
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
                    return Some(lhs | other);
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
                    self.scan.shows_whole(lhs | rhs);
                    Pages::NONE
                }
                "and" | "or" => {
                    // Truthiness; the result is one of the two values.
                    let rhs = self.expr(right)?;
                    lhs | rhs
                }
                _ => {
                    let rhs = self.expr(right)?;
                    self.scan.shows_whole(lhs | rhs);
                    Pages::NONE
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
                Some(Pages::NONE)
            }
            Tok::Ident("none" | "None" | "null") => Some(Pages::NONE),
            Tok::Ident("not") => {
                // Truthiness.
                self.expr(5)?;
                Some(Pages::NONE)
            }
            Tok::Op("-") => {
                let pages = self.expr(20)?;
                self.scan.shows_whole(pages);
                Some(Pages::NONE)
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

    /// `.field` of a value that may hold pages (`pages`): a field of a page when it may be
    /// one, else of what holds them (`section.title` is the section's). A field no value
    /// stillpoint makes has (a misspelt `page.titel`) may be a page: the message of the error
    /// it fails with, which lists the fields the value has, is only reached through a use that
    /// shows it whole.
    fn field(&mut self, pages: Pages, field: &str) -> Pages {
        if !pages.holds {
            return Pages::NONE;
        }
        if pages.page {
            self.scan.shown_field(field);
        }
        if plain_field(field) {
            Pages::NONE
        } else if LIST_FIELDS.contains(&field) {
            Pages::HOLDS
        } else {
            Pages::PAGE
        }
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
                    None => pages.item(),
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
                    pages.item()
                } else {
                    pages
                }
            }
        };
        self.expect(Tok::Op("]"))?;
        Some(result)
    }

    /// A function call `name(…)`, at its `(`.
    fn call(&mut self, name: &str) -> Option<Pages> {
        let args = self.kwargs()?;
        for a in &args {
            self.scan.shows_whole(a.pages);
        }
        Some(if name == "get_page" {
            Pages::PAGE
        } else if PAGE_FUNCTIONS.contains(&name) {
            Pages::HOLDS
        } else if PLAIN_FUNCTIONS.contains(&name) {
            Pages::NONE
        } else {
            Pages::PAGE
        })
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
        for a in args.iter().filter(|a| !passed(a)) {
            self.scan.shows_whole(a.pages);
        }
        // A filter of a page value itself (not of a list of them) may walk or count its keys;
        // `default` only passes it on.
        if name != "default" {
            self.scan.counts_keys(input);
        }
        let attribute = args.iter().find(|a| a.name == "attribute");
        let passed_pages = args
            .iter()
            .filter(|a| passed(a))
            .fold(Pages::NONE, |all, a| all | a.pages);
        match name {
            "length" => Some(Pages::NONE),
            _ if !PASS_FILTERS.contains(&name) => {
                self.scan.shows_whole(input);
                Some(Pages::NONE)
            }
            "sort" | "unique" if attribute.is_none() => {
                // Compares whole values.
                self.scan.shows_whole(input);
                Some(input.list())
            }
            "map" => {
                // The list of one field of each item.
                let plain = attribute
                    .and_then(|a| a.literal)
                    .and_then(|path| path.rsplit('.').next())
                    .is_some_and(plain_field);
                Some(if plain { Pages::NONE } else { input.list() })
            }
            "first" | "last" | "nth" => Some(input.item()),
            "default" => Some(input | passed_pages),
            _ => Some(input.list() | passed_pages.list()),
        }
    }

    /// After `is` (and `not`): a test of a value that may hold pages (`input`).
    fn test(&mut self, input: Pages) -> Option<Pages> {
        let name = self.ident()?;
        let args = self.kwargs()?;
        for a in &args {
            self.scan.shows_whole(a.pages);
        }
        if !TYPE_TESTS.contains(&name) {
            self.scan.shows_whole(input);
        }
        Some(Pages::NONE)
    }

    /// After `[`: an array literal or a list comprehension, to its `]`.
    fn array(&mut self) -> Option<Pages> {
        if self.eat(Tok::Op("]")) {
            return Some(Pages::NONE);
        }
        // A spread item's own items are the list's (`[...section.pages]`).
        let spread = self.eat(Tok::Op("..."));
        let first = self.expr(0)?;
        if !spread && self.eat(Tok::Ident("for")) {
            return self.comprehension(first);
        }
        let mut items = self.spread_items(spread, first);
        self.separated(Tok::Op("]"), true, |p| {
            let spread = p.eat(Tok::Op("..."));
            let item = p.expr(0)?;
            items |= p.spread_items(spread, item);
            Some(())
        })?;
        Some(items.list())
    }

    /// The items an array literal takes from `value`: the value, or its items when `spread`
    /// (`...value`; spreading a page value would walk its keys).
    fn spread_items(&mut self, spread: bool, value: Pages) -> Pages {
        if spread {
            self.scan.counts_keys(value);
            value.item()
        } else {
            value
        }
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
        Some(item.list())
    }

    /// After `{`: a map literal, to its `}`.
    fn map(&mut self) -> Option<Pages> {
        let mut pages = Pages::NONE;
        self.separated(Tok::Op("}"), false, |p| {
            let spread = p.eat(Tok::Op("..."));
            if !spread {
                match p.peek()? {
                    Tok::Lit(text) => p.scan.literal(text),
                    _ => return None,
                }
                p.at += 1;
                p.expect(Tok::Op(":"))?;
            }
            let value = p.expr(0)?;
            // A spread map's keys are the new map's: `{...page}` has a page value's fields.
            pages |= if spread { value } else { value.list() };
            Some(())
        })?;
        Some(pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toc(templates: &[&str]) -> bool {
        shown(templates).expect("understood").shows("toc")
    }

    fn summary(templates: &[&str]) -> bool {
        shown(templates).expect("understood").shows("summary")
    }

    /// The fields `templates` show, in [`PAGE_FIELDS`] order.
    fn fields(templates: &[&str]) -> Vec<&'static str> {
        let shown = seen(templates);
        PAGE_FIELDS.into_iter().filter(|f| shown.shows(f)).collect()
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

    /// The bench site's templates (`gen_site.py`): a page value holds what they name.
    #[test]
    fn a_page_value_holds_the_fields_the_templates_name() {
        let base = r#"{%- set root = get_section(path="_index.md", metadata_only=true) %}
{%- for sp in root.subsections %}{%- set s = get_section(path=sp, metadata_only=true) %}
<a href="{{ s.permalink | safe }}">{{ s.title }}</a>{%- endfor %}"#;
        let page = r#"{% block title %}{{ page.title }} | {{ config.title }}{% endblock title %}
<time datetime="{{ page.date }}">{{ page.date }}</time>{%- if page.description %}
<p>{{ page.description }}</p>{%- endif %}{{ page.content | safe }}"#;
        let section = r#"{% for p in section.pages %}<a href="{{ p.permalink | safe }}">{{ p.title }}</a>
<time datetime="{{ p.date }}">{{ p.date }}</time>{% endfor %} {{ section.pages | length }}"#;
        assert_eq!(
            fields(&[base, page, section]),
            ["title", "description", "date", "permalink", "content"]
        );
        // Every field can be named, by `.`, by key or by a filter's attribute.
        for f in PAGE_FIELDS {
            for t in [
                format!("{{{{ page.{f} }}}}"),
                format!("{{{{ page['{f}'] }}}}"),
                format!("{{{{ section.pages | map(attribute='{f}') | length }}}}"),
                format!("{{% for p in paginator.pages %}}{{{{ p.{f} | length }}}}{{% endfor %}}"),
            ] {
                let mut expected = vec![f, ALWAYS];
                expected.sort_by_key(|n| PAGE_FIELDS.iter().position(|p| p == n));
                expected.dedup();
                assert_eq!(fields(&[&t]), expected, "{t}");
            }
        }
        // Nothing named: the one field every page value has. A section's, a paginator's or a
        // term's own fields are not a page's.
        assert_eq!(fields(&["{{ config.title }}"]), [ALWAYS]);
        let containers = "{{ section.title }} {{ section.meta_description }} {% for t in terms %}{{ t.name }}{% endfor %}
{{ paginator.current_index }} {{ term.slug }} {% set s = get_section(path='a/_index.md') %}{{ s.description }}";
        assert_eq!(fields(&[containers]), [ALWAYS]);
    }

    /// A page value holds every field wherever its keys may be counted or walked, or a field
    /// it cannot have is used (its error lists the fields); a list of page values may be
    /// counted.
    #[test]
    fn counting_a_page_values_keys_shows_every_field() {
        let all = [
            "{{ page | length }}",
            "{% for k in page %}{{ k }}{% endfor %}",
            "{{ section.pages[0] | length }}",
            "{{ section.pages | first | length }}",
            "{{ section.pages | sort(attribute='date') | last | length }}",
            "{% for p in section.pages %}{{ p | length }}{% endfor %}",
            "{% for p in section.pages %}{% for k in p %}{{ k }}{% endfor %}{% endfor %}",
            "{% set p = get_page(path='a.md') %}{{ p | length }}",
            "{{ {...page} | length }}",
            "{{ [...page] | length }}",
            "{{ [page] | first | length }}",
            "{% set ps = [p for p in section.pages] %}{{ ps[1] | length }}",
            "{{ (page or section) | length }}",
            "{{ page | reverse }}",
            "{{ page.titel }}",
            "{% for p in section.pages %}{{ p.titel }}{% endfor %}",
            "{{ section.pages | map(attribute='titel') | join(sep=',') }}",
        ];
        for t in all {
            assert_eq!(seen(&[t]), PageFields::ALL, "{t:?}");
        }
        let counted = [
            "{{ section.pages | length }}",
            "{{ paginator.pages | length }}",
            "{{ term.pages | length }}",
            "{{ terms | length }}",
            "{{ taxonomy.items | length }}",
            "{{ [...section.pages] | length }}",
            "{{ [page, page] | length }}",
            "{{ section.pages | slice(end=2) | reverse | length }}",
            "{% for p in section.pages | reverse %}{% endfor %}",
            "{% if page %}{% endif %}{{ page | default(value=1) is map }}",
            "{{ __tera_context | length }}",
            "{{ paginator.total_pages }}",
        ];
        for t in counted {
            assert_eq!(fields(&[t]), [ALWAYS], "{t:?}");
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
