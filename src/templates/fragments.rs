//! Page-independent template parts: the runs of a template whose output is the same on every
//! page (a nav of every section, say), found from the template text, so that they are rendered
//! once per build instead of once per page (issue 20; Hugo's `partialCached`, decided here
//! without asking theme authors to mark anything).
//!
//! Tera 2's parser is private, so this module has its own small tokenizer of Tera 2 syntax
//! (text, `{{ }}`, `{% %}`, `{# #}`, `{% raw %}`, whitespace control, strings), which mirrors
//! Tera's lexer, and an analysis of the statements it finds. A run of consecutive statements at
//! one nesting level (a `for` with its `endfor`, an `if` with its `endif`) is a part when:
//!
//! - the only name it reads from the context is `config`; names it introduces itself (`set`,
//!   `for` variables, `loop`) are fine, but a name it `set`s must not be read anywhere else
//!   (a `set` leaks into the rest of the template and into child blocks);
//! - it calls only functions whose result depends on their arguments alone ([`FUNCTIONS`]),
//!   and only filters and tests that do not read Tera's state beyond the escaping mode
//!   ([`FILTERS`], [`TESTS`]);
//! - it holds no `block`, `extends`, `include`, component, `set_global`, `filter` section or
//!   block `set`;
//! - it holds a `for` loop or a function call (else rendering it is as cheap as looking it up).
//!
//! Anything the tokenizer does not understand leaves its whole template as it is. The output:
//! each template's text with every part replaced by one `{{ __part(id=N) }}` tag that keeps the
//! part's whitespace control, line breaks and the columns of what follows it on its last line
//! (so Tera's error places still point at the file as written), and the parts' own texts.

use std::collections::HashMap;

/// The template functions whose result depends only on their arguments and the site's data
/// (none reads Tera's `State`; see `functions.rs` and `trans.rs`). `now`, `load_data`,
/// `resize_image`, `super`, `throw` and anything else make a run page-dependent.
pub(crate) const FUNCTIONS: &[&str] = &[
    "get_section",
    "get_page",
    "get_url",
    "get_taxonomy",
    "get_taxonomy_url",
    "trans",
    "range",
];

/// Filters whose output depends only on their input, their arguments and the escaping mode
/// (Tera 2.4's built-ins and stillpoint's, `filters.rs`; `escape`, `replace` and `indent` read
/// the escaping mode, which a part is rendered in both ways for).
pub(crate) const FILTERS: &[&str] = &[
    "safe",
    "default",
    "upper",
    "lower",
    "wordcount",
    "escape",
    "escape_html",
    "escape_xml",
    "newlines_to_br",
    "pluralize",
    "trim",
    "trim_start",
    "trim_end",
    "replace",
    "capitalize",
    "title",
    "truncate",
    "indent",
    "str",
    "int",
    "float",
    "length",
    "reverse",
    "split",
    "abs",
    "round",
    "first",
    "last",
    "nth",
    "join",
    "sort",
    "unique",
    "get",
    "values",
    "keys",
    "pairs",
    "group_by",
    "date",
    "filesizeformat",
    "slugify",
    "striptags",
    "spaceless",
    "urlencode",
    "urlencode_strict",
    "linebreaksbr",
    "as_str",
    "concat",
    "map",
    "filter",
    "slice",
    "base64_encode",
    "base64_decode",
    "regex_replace",
    "num_format",
    "markdown",
    "json_encode",
];

/// Tests that depend only on their input and arguments (Tera 2.4's and `placeholder`).
pub(crate) const TESTS: &[&str] = &[
    "string",
    "number",
    "map",
    "bool",
    "array",
    "integer",
    "float",
    "none",
    "iterable",
    "defined",
    "undefined",
    "odd",
    "even",
    "divisible_by",
    "starting_with",
    "ending_with",
    "containing",
    "placeholder",
];

/// Words of Tera's expressions that are not names.
const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "if", "else", "none", "None", "null", "for",
];

/// The name of the function a rewritten template calls for a part.
pub(crate) const PART_FUNCTION: &str = "__part";

/// A pseudo-name read by `break` and `continue`, bound by the `for` they leave.
const LOOP_EXIT: &str = "\u{0}loop-exit";

/// One part: a run of a template rendered once per build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    /// The template it is in.
    pub(crate) template: String,
    /// Its 1-based line in that template.
    pub(crate) line: usize,
    /// Its text, exactly as in the template.
    pub(crate) source: String,
}

/// What [`rewrite`] found: the templates it changed (name, new text) and the parts, part `N`
/// being `parts[N]`.
#[derive(Debug, Default)]
pub(crate) struct Rewrite {
    pub(crate) files: Vec<(String, String)>,
    pub(crate) parts: Vec<Part>,
}

/// Finds the parts of `templates` (name, text; all of them, since a `set` leaks into other
/// templates) and rewrites the templates that have some. Pure: the same input gives the same
/// output, with the parts numbered in the order of the names given, then of their place.
pub(crate) fn rewrite(templates: &[(&str, &str)]) -> Rewrite {
    let analyses: Vec<Option<Analysis<'_>>> = templates.iter().map(|(_, t)| analyse(t)).collect();
    let Some(world) = World::new(&analyses, templates) else {
        return Rewrite::default();
    };
    let mut out = Rewrite::default();
    for (t, (name, text)) in templates.iter().enumerate() {
        let Some(a) = &analyses[t] else { continue };
        let mut runs = Vec::new();
        find_runs(a, &a.root, t, &world, &mut runs);
        if runs.is_empty() {
            continue;
        }
        let mut new = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in runs {
            let id = out.parts.len();
            let (s, e) = (a.pieces[start].start, a.pieces[end].end);
            let Some(tag) = replacement(
                &text[s..e],
                id,
                a.pieces[start].ws_start,
                a.pieces[end].ws_end,
            ) else {
                continue;
            };
            new.push_str(&text[at..s]);
            new.push_str(&tag);
            at = e;
            out.parts.push(Part {
                template: (*name).to_string(),
                line: text[..s].matches('\n').count() + 1,
                source: text[s..e].to_string(),
            });
        }
        if at > 0 {
            new.push_str(&text[at..]);
            out.files.push(((*name).to_string(), new));
        }
    }
    out
}

/// The tag that stands for part `id` whose text is `run`: `{{ __part(id=N) }}` with the run's
/// whitespace control at both ends, its line breaks inside, and spaces so that its last line is
/// as long (in characters, as Tera counts columns) as the run's. None when the run is too short
/// for that.
fn replacement(run: &str, id: usize, ws_start: bool, ws_end: bool) -> Option<String> {
    let head = format!(
        "{{{{{}{PART_FUNCTION}(id={id})",
        if ws_start { "-" } else { "" }
    );
    let tail = if ws_end { "-}}" } else { "}}" };
    let breaks = run.matches('\n').count();
    let last = run.rsplit('\n').next().unwrap_or(run).chars().count();
    let used = if breaks == 0 {
        head.len() + tail.len()
    } else {
        tail.len()
    };
    let pad = last.checked_sub(used)?;
    let mut out = head;
    if breaks > 0 {
        out.push_str(&"\n".repeat(breaks));
    }
    out.push_str(&" ".repeat(pad));
    out.push_str(tail);
    Some(out)
}

/// A token inside `{{ }}` or `{% %}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Tok<'a> {
    Ident(&'a str),
    /// A string, number or bool, as written (a string with its quotes).
    Lit(&'a str),
    Op(&'a str),
}

#[derive(Debug)]
pub(super) enum Kind<'a> {
    Text,
    Comment,
    Raw,
    Expr(Vec<Tok<'a>>),
    Tag(Vec<Tok<'a>>),
}

/// One piece of a template: a text, a comment, a raw block or a tag, at bytes `start..end`.
#[derive(Debug)]
pub(super) struct Piece<'a> {
    pub(super) kind: Kind<'a>,
    start: usize,
    end: usize,
    ws_start: bool,
    ws_end: bool,
}

/// Splits `src` as Tera 2.4's lexer does. None for anything it does not understand (an
/// unclosed tag or string, a character Tera would refuse).
pub(super) fn tokenize(src: &str) -> Option<Vec<Piece<'_>>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let two = b.get(i..i + 2);
        let ws = b.get(i + 2) == Some(&b'-');
        let inner = i + 2 + usize::from(ws);
        let piece = match two {
            Some(b"{{") => {
                let (toks, end, ws_end) = lex_inner(src, inner, "}}")?;
                Piece {
                    kind: Kind::Expr(toks),
                    start: i,
                    end,
                    ws_start: ws,
                    ws_end,
                }
            }
            Some(b"{%") => match raw_block(src, inner) {
                Some((end, ws_end)) => Piece {
                    kind: Kind::Raw,
                    start: i,
                    end,
                    ws_start: ws,
                    ws_end,
                },
                None => {
                    let (toks, end, ws_end) = lex_inner(src, inner, "%}")?;
                    Piece {
                        kind: Kind::Tag(toks),
                        start: i,
                        end,
                        ws_start: ws,
                        ws_end,
                    }
                }
            },
            Some(b"{#") => {
                let at = src[inner..].find("#}")?;
                Piece {
                    kind: Kind::Comment,
                    start: i,
                    end: inner + at + 2,
                    ws_start: ws,
                    ws_end: at > 0 && b[inner + at - 1] == b'-',
                }
            }
            _ => {
                let next = b[i + 1..]
                    .windows(2)
                    .position(|w| matches!(w, b"{{" | b"{%" | b"{#"))
                    .map_or(b.len(), |p| i + 1 + p);
                Piece {
                    kind: Kind::Text,
                    start: i,
                    end: next,
                    ws_start: false,
                    ws_end: false,
                }
            }
        };
        i = piece.end;
        out.push(piece);
    }
    Some(out)
}

/// `-? ws* name ws* -? %}` at the start of `s` (Tera's `skip_tag`): its length and whether it
/// ends with `-%}`.
fn skip_tag(s: &str, name: &str) -> Option<(usize, bool)> {
    let rest = s.strip_prefix('-').unwrap_or(s);
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let rest = rest.strip_prefix(name)?;
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let (rest, ws) = match rest.strip_prefix('-') {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let rest = rest.strip_prefix("%}")?;
    Some((s.len() - rest.len(), ws))
}

/// A `{% raw %}…{% endraw %}` block whose opening tag's inside starts at `inner`: the end of
/// the block and whether its `endraw` ends with `-%}`.
fn raw_block(src: &str, inner: usize) -> Option<(usize, bool)> {
    let (open, _) = skip_tag(&src[inner..], "raw")?;
    let mut at = inner + open;
    while let Some(p) = src[at..].find("{%") {
        at += p + 2;
        if let Some((len, ws)) = skip_tag(&src[at..], "endraw") {
            return Some((at + len, ws));
        }
    }
    None
}

/// The tokens of a tag's inside from `i` to its `end` (`}}` or `%}`), as Tera lexes them: the
/// tokens, the byte after the end, and whether the end has a `-`.
fn lex_inner<'a>(src: &'a str, mut i: usize, end: &str) -> Option<(Vec<Tok<'a>>, usize, bool)> {
    const TWO: &[&str] = &["//", "**", "==", "!=", ">=", "<=", "</", "?.", "?["];
    let b = src.as_bytes();
    let mut toks = Vec::new();
    loop {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let rest = src.get(i..)?;
        if rest.is_empty() {
            return None;
        }
        if rest.starts_with('-') && rest[1..].starts_with(end) {
            return Some((toks, i + 3, true));
        }
        if rest.starts_with(end) {
            return Some((toks, i + 2, false));
        }
        if rest.starts_with("...") {
            toks.push(Tok::Op("..."));
            i += 3;
            continue;
        }
        if let Some(op) = TWO.iter().find(|op| rest.starts_with(**op)) {
            toks.push(Tok::Op(op));
            i += 2;
            continue;
        }
        let c = b[i];
        match c {
            b'\'' | b'"' | b'`' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != c {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                if j >= b.len() {
                    return None;
                }
                toks.push(Tok::Lit(&src[i..=j]));
                i = j + 1;
            }
            b'0'..=b'9' => {
                let from = i;
                let mut dot = false;
                while i < b.len() && (b[i].is_ascii_digit() || (!dot && b[i] == b'.')) {
                    dot |= b[i] == b'.';
                    i += 1;
                }
                toks.push(Tok::Lit(&src[from..i]));
            }
            b'+' | b'-' | b'*' | b'/' | b'%' | b'!' | b'.' | b',' | b':' | b'~' | b'|' | b'='
            | b'>' | b'<' | b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'@' => {
                toks.push(Tok::Op(&src[i..=i]));
                i += 1;
            }
            c if c == b'_' || c.is_ascii_alphabetic() => {
                let n = b[i..]
                    .iter()
                    .take_while(|c| **c == b'_' || c.is_ascii_alphanumeric())
                    .count();
                let word = &src[i..i + n];
                toks.push(match word {
                    "true" | "True" | "false" | "False" => Tok::Lit(word),
                    w => Tok::Ident(w),
                });
                i += n;
            }
            _ => return None,
        }
    }
}

/// A statement at one nesting level: pieces `first..=last`, and the levels inside it where
/// parts may be found (a `for`'s bodies, an `if`'s branches, a `block`'s body).
#[derive(Debug)]
struct Node {
    first: usize,
    last: usize,
    children: Vec<Vec<Node>>,
}

/// A name read, at piece `piece`, bound by the `set` or `for` at piece `origin` (None: read
/// from the context).
#[derive(Debug, Clone, Copy)]
struct Read<'a> {
    name: &'a str,
    piece: usize,
    origin: Option<usize>,
}

/// One template, analysed.
#[derive(Debug)]
struct Analysis<'a> {
    pieces: Vec<Piece<'a>>,
    root: Vec<Node>,
    reads: Vec<Read<'a>>,
    /// The `set`s (piece, name).
    sets: Vec<(usize, &'a str)>,
    /// Per piece: makes a run page-dependent (a forbidden tag, an unknown function).
    bad: Vec<bool>,
    /// Per piece: a `for` or a function call.
    worth: Vec<bool>,
    /// Binds the name `config` somewhere.
    binds_config: bool,
    /// Calls `super()`.
    calls_super: bool,
}

/// Tokenizes and analyses one template; None if it holds something not understood.
fn analyse(src: &str) -> Option<Analysis<'_>> {
    let pieces = tokenize(src)?;
    let n = pieces.len();
    let mut p = Parser {
        a: Analysis {
            pieces,
            root: Vec::new(),
            reads: Vec::new(),
            sets: Vec::new(),
            bad: vec![false; n],
            worth: vec![false; n],
            binds_config: false,
            calls_super: false,
        },
        pos: 0,
        scopes: vec![Vec::new()],
    };
    let (root, end) = p.level(&[])?;
    if end.is_some() {
        return None;
    }
    p.a.root = root;
    Some(p.a)
}

struct Parser<'a> {
    a: Analysis<'a>,
    pos: usize,
    /// The names bound at this point, innermost scope last: (name, piece of the binding).
    scopes: Vec<Vec<(&'a str, usize)>>,
}

impl<'a> Parser<'a> {
    fn tag(&self, at: usize) -> Option<&[Tok<'a>]> {
        match &self.a.pieces.get(at)?.kind {
            Kind::Tag(t) => Some(t),
            _ => None,
        }
    }

    fn keyword(&self, at: usize) -> Option<&'a str> {
        match self.tag(at)?.first()? {
            Tok::Ident(w) => Some(w),
            _ => None,
        }
    }

    fn bind(&mut self, name: &'a str, at: usize, outermost: bool) {
        self.a.binds_config |= name == "config";
        let scope = if outermost {
            self.scopes.first_mut()
        } else {
            self.scopes.last_mut()
        };
        if let Some(s) = scope {
            s.push((name, at));
        }
    }

    fn read(&mut self, name: &'a str, at: usize) {
        let origin = self
            .scopes
            .iter()
            .rev()
            .find_map(|s| s.iter().rev().find(|(n, _)| *n == name).map(|(_, o)| *o));
        self.a.reads.push(Read {
            name,
            piece: at,
            origin,
        });
    }

    /// A body in a scope of its own (with `bound` in it), up to one of `ends`: its statements
    /// and the end keyword found (not consumed).
    fn body(&mut self, bound: &[(&'a str, usize)], ends: &[&str]) -> Option<(Vec<Node>, &'a str)> {
        self.scopes.push(bound.to_vec());
        let r = self.level(ends);
        self.scopes.pop();
        let (nodes, end) = r?;
        Some((nodes, end?))
    }

    /// The statements up to one of `ends` (or the end of the template when `ends` is empty).
    fn level(&mut self, ends: &[&str]) -> Option<(Vec<Node>, Option<&'a str>)> {
        let mut nodes = Vec::new();
        loop {
            let Some(piece) = self.a.pieces.get(self.pos) else {
                return ends.is_empty().then_some((nodes, None));
            };
            let first = self.pos;
            match &piece.kind {
                Kind::Text | Kind::Comment | Kind::Raw => self.pos += 1,
                Kind::Expr(toks) => {
                    let toks = toks.clone();
                    self.expr(first, &toks);
                    self.pos += 1;
                }
                Kind::Tag(_) => {
                    let word = self.keyword(first)?;
                    if ends.contains(&word) {
                        return Some((nodes, Some(word)));
                    }
                    let children = self.statement(word)?;
                    nodes.push(Node {
                        first,
                        last: self.pos - 1,
                        children,
                    });
                    continue;
                }
            }
            nodes.push(Node {
                first,
                last: first,
                children: Vec::new(),
            });
        }
    }

    /// The tag statement starting with `word` at `self.pos`, through its end tag: the levels
    /// inside it where parts may be found.
    fn statement(&mut self, word: &'a str) -> Option<Vec<Vec<Node>>> {
        let at = self.pos;
        let toks: Vec<Tok<'a>> = self.tag(at)?.to_vec();
        self.pos += 1;
        match word {
            "set" | "set_global" => {
                let Some(Tok::Ident(name)) = toks.get(1).copied() else {
                    return None;
                };
                let global = word == "set_global";
                if toks.get(2) == Some(&Tok::Op("=")) {
                    self.expr(at, &toks[3..]);
                    self.a.bad[at] |= global;
                } else {
                    // A block `set`: captured, never a part, nothing searched inside.
                    self.a.bad[at] = true;
                    self.expr(at, &toks[2..]);
                    self.body(&[], &["endset"])?;
                    self.pos += 1;
                }
                self.bind(name, at, global);
                self.a.sets.push((at, name));
                Some(Vec::new())
            }
            "for" => self.for_loop(at, &toks),
            "if" => self.if_chain(at, &toks),
            "block" => {
                self.a.bad[at] = true;
                let (body, _) = self.body(&[], &["endblock"])?;
                self.pos += 1;
                Some(vec![body])
            }
            "filter" | "component" => {
                self.a.bad[at] = true;
                self.expr(at, &toks[1..]);
                let end = if word == "filter" {
                    "endfilter"
                } else {
                    "endcomponent"
                };
                self.body(&[], &[end])?;
                self.pos += 1;
                Some(Vec::new())
            }
            "include" | "extends" => {
                self.a.bad[at] = true;
                Some(Vec::new())
            }
            "break" | "continue" => {
                self.read(LOOP_EXIT, at);
                Some(Vec::new())
            }
            _ => None,
        }
    }

    fn for_loop(&mut self, at: usize, toks: &[Tok<'a>]) -> Option<Vec<Vec<Node>>> {
        let inn = toks.iter().position(|t| *t == Tok::Ident("in"))?;
        let mut bound = vec![("loop", at), (LOOP_EXIT, at)];
        for t in &toks[1..inn] {
            match t {
                Tok::Ident(v) => bound.push((v, at)),
                Tok::Op(",") => {}
                _ => return None,
            }
        }
        self.a.binds_config |= bound.iter().any(|(n, _)| *n == "config");
        self.expr(at, &toks[inn + 1..]);
        self.a.worth[at] = true;
        let (body, end) = self.body(&bound, &["endfor", "else"])?;
        let mut children = vec![body];
        if end == "else" {
            self.pos += 1;
            let (other, _) = self.body(&[], &["endfor"])?;
            children.push(other);
        }
        self.pos += 1;
        Some(children)
    }

    fn if_chain(&mut self, at: usize, toks: &[Tok<'a>]) -> Option<Vec<Vec<Node>>> {
        self.expr(at, &toks[1..]);
        let mut children = Vec::new();
        loop {
            let (body, end) = self.body(&[], &["elif", "else", "endif"])?;
            children.push(body);
            let here = self.pos;
            self.pos += 1;
            match end {
                "elif" => {
                    let toks: Vec<Tok<'a>> = self.tag(here)?.to_vec();
                    self.expr(here, &toks[1..]);
                }
                "else" => {
                    let (body, _) = self.body(&[], &["endif"])?;
                    children.push(body);
                    self.pos += 1;
                    return Some(children);
                }
                _ => return Some(children),
            }
        }
    }

    /// Notes what the expression `toks` (in the piece `at`) reads and calls.
    fn expr(&mut self, at: usize, toks: &[Tok<'a>]) {
        for (i, t) in toks.iter().enumerate() {
            let prev = |k: usize| i.checked_sub(k).and_then(|j| toks.get(j)).copied();
            let next = toks.get(i + 1).copied();
            match *t {
                Tok::Ident(name) => {
                    if matches!(prev(1), Some(Tok::Op("." | "?."))) {
                        continue;
                    }
                    if prev(1) == Some(Tok::Op("|")) {
                        self.a.bad[at] |= !FILTERS.contains(&name);
                    } else if prev(1) == Some(Tok::Ident("is"))
                        || (prev(1) == Some(Tok::Ident("not")) && prev(2) == Some(Tok::Ident("is")))
                    {
                        self.a.bad[at] |= !TESTS.contains(&name);
                    } else if next == Some(Tok::Op("(")) {
                        self.a.calls_super |= name == "super";
                        if FUNCTIONS.contains(&name) {
                            self.a.worth[at] = true;
                        } else {
                            self.a.bad[at] = true;
                        }
                    } else if next == Some(Tok::Op("=")) || KEYWORDS.contains(&name) {
                        // A keyword argument's name, or a keyword.
                    } else {
                        self.read(name, at);
                    }
                }
                Tok::Op("<") => {
                    // A component call (`<Name …/>`) where an operand starts; a comparison
                    // after one.
                    let after_operand = match prev(1) {
                        Some(Tok::Ident(w)) => !KEYWORDS.contains(&w),
                        Some(Tok::Lit(_) | Tok::Op(")" | "]" | "}")) => true,
                        _ => false,
                    };
                    self.a.bad[at] |= !after_operand;
                }
                Tok::Op("@" | "</") => self.a.bad[at] = true,
                _ => {}
            }
        }
    }
}

/// A read anywhere: (template, piece, origin).
type ReadAt = (usize, usize, Option<usize>);

/// What deciding a run needs to know about all the templates at once.
struct World<'a> {
    /// Name -> every read of it.
    reads: HashMap<&'a str, Vec<ReadAt>>,
    /// Words of templates not understood (they may read anything).
    unknown_words: std::collections::HashSet<&'a str>,
    any_super: bool,
}

impl<'a> World<'a> {
    /// None when nothing may be cached: `config` is bound by a template, or a template reads
    /// `__tera_context` (every variable).
    fn new(analyses: &'a [Option<Analysis<'a>>], templates: &[(&'a str, &'a str)]) -> Option<Self> {
        let mut w = World {
            reads: HashMap::new(),
            unknown_words: Default::default(),
            any_super: false,
        };
        for (t, a) in analyses.iter().enumerate() {
            let Some(a) = a else {
                let text = templates[t].1;
                w.unknown_words.extend(
                    text.split(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
                        .filter(|s| !s.is_empty()),
                );
                continue;
            };
            if a.binds_config {
                return None;
            }
            w.any_super |= a.calls_super;
            for r in &a.reads {
                w.reads
                    .entry(r.name)
                    .or_default()
                    .push((t, r.piece, r.origin));
            }
        }
        if w.reads.contains_key("__tera_context") || w.unknown_words.contains("__tera_context") {
            return None;
        }
        Some(w)
    }
}

/// The runs of `level` (and, outside them, of the levels inside its statements) that are parts,
/// as (first piece, last piece), in order.
fn find_runs(
    a: &Analysis<'_>,
    level: &[Node],
    t: usize,
    w: &World<'_>,
    out: &mut Vec<(usize, usize)>,
) {
    let mut k = 0;
    while k < level.len() {
        let found = (k..level.len())
            .rev()
            .find(|&m| is_part(a, &level[k..=m], t, w));
        match found {
            Some(m) => {
                out.push((level[k].first, level[m].last));
                k = m + 1;
            }
            None => {
                for child in &level[k].children {
                    find_runs(a, child, t, w, out);
                }
                k += 1;
            }
        }
    }
}

/// True if the statements `run` of template `t` make a part (see the module's rules).
fn is_part(a: &Analysis<'_>, run: &[Node], t: usize, w: &World<'_>) -> bool {
    let (Some(first), Some(last)) = (run.first(), run.last()) else {
        return false;
    };
    let is_tag = |p: usize| matches!(a.pieces[p].kind, Kind::Tag(_) | Kind::Expr(_));
    if !is_tag(first.first) || !is_tag(last.last) {
        return false;
    }
    let range = first.first..=last.last;
    if a.bad[range.clone()].iter().any(|b| *b) || !a.worth[range.clone()].iter().any(|b| *b) {
        return false;
    }
    let inside = |p: Option<usize>| p.is_some_and(|p| range.contains(&p));
    let reads_ok = a
        .reads
        .iter()
        .filter(|r| range.contains(&r.piece))
        .all(|r| inside(r.origin) || (r.origin.is_none() && r.name == "config"));
    if !reads_ok {
        return false;
    }
    // A name set in the run: read nowhere else, but after a binding of its own.
    a.sets
        .iter()
        .filter(|(p, _)| range.contains(p))
        .all(|(_, name)| {
            !w.unknown_words.contains(name)
                && w.reads
                    .get(name)
                    .into_iter()
                    .flatten()
                    .all(|&(rt, rp, ro)| {
                        if rt == t && range.contains(&rp) {
                            return true;
                        }
                        match ro {
                            None => false,
                            Some(o) if rt == t => o > *range.end(),
                            Some(_) => !w.any_super,
                        }
                    })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts_of(templates: &[(&str, &str)]) -> Vec<String> {
        rewrite(templates)
            .parts
            .into_iter()
            .map(|p| p.source)
            .collect()
    }

    fn one(src: &str) -> Vec<String> {
        parts_of(&[("t.html", src)])
    }

    const NAV: &str = "<nav><ul>\n{%- set root = get_section(path=\"_index.md\", metadata_only=true) %}\n{%- for sp in root.subsections %}\n{%- set s = get_section(path=sp, metadata_only=true) %}\n<li><a href=\"{{ s.permalink | safe }}\">{{ s.title }}</a></li>\n{%- endfor %}\n</ul></nav>\n<main>{% block content %}{% endblock content %}</main>\n";

    #[test]
    fn the_nav_of_every_section_is_a_part() {
        let r = rewrite(&[("base.html", NAV)]);
        assert_eq!(r.parts.len(), 1);
        let part = &r.parts[0].source;
        assert!(
            part.starts_with("{%- set root") && part.ends_with("{%- endfor %}"),
            "{part}"
        );
        assert_eq!(r.parts[0].line, 2);
        let (_, new) = &r.files[0];
        // Same lines, same columns after the part, whitespace control kept.
        assert_eq!(new.lines().count(), NAV.lines().count());
        assert!(new.contains("{{-__part(id=0)\n"), "{new}");
        let last_old = NAV.lines().nth(5).unwrap();
        let last_new = new.lines().nth(5).unwrap();
        assert_eq!(last_old.chars().count(), last_new.chars().count());
        assert!(last_new.ends_with("}}"), "{last_new}");
        assert!(new.contains("{% block content %}"));
    }

    #[test]
    fn a_nav_reading_the_page_or_current_path_is_not_a_part() {
        assert!(one("{% for s in get_section(path=\"_index.md\").pages %}{% if s.permalink == current_url %}x{% endif %}{% endfor %}").is_empty());
        assert!(
            one("{% for p in page.ancestors %}{{ get_section(path=p).title }}{% endfor %}")
                .is_empty()
        );
        assert!(one("{% for s in range(end=3) %}{{ current_path }}{% endfor %}").is_empty());
        assert!(one("{{ get_url(path=page.path) }}").is_empty());
    }

    #[test]
    fn a_set_read_later_keeps_its_run_out() {
        let src = "{% set root = get_section(path=\"_index.md\") %}{% for s in root.subsections %}{{ s }}{% endfor %}<p>{{ page.title }}{{ root.title }}</p>";
        assert!(one(src).is_empty());
        // Read next to the run, it joins the run.
        let src = "{% set root = get_section(path=\"_index.md\") %}{% for s in root.subsections %}{{ s }}{% endfor %}<p>{{ root.title }}</p>{{ page.title }}";
        assert_eq!(one(src).len(), 1);
        assert!(one(src)[0].ends_with("{{ root.title }}"));
        // Read in another template (a child's block): not a part either.
        let base = "{% set root = get_section(path=\"_index.md\") %}{% for s in root.subsections %}{{ s }}{% endfor %}{% block b %}{% endblock b %}";
        let child = "{% extends \"base.html\" %}{% block b %}{{ root.title }}{% endblock b %}";
        assert!(parts_of(&[("base.html", base), ("page.html", child)]).is_empty());
        // Read after a binding of its own elsewhere: the run is a part.
        let child =
            "{% extends \"base.html\" %}{% block b %}{% set root = 1 %}{{ root }}{% endblock b %}";
        assert_eq!(
            parts_of(&[("base.html", base), ("page.html", child)]).len(),
            1
        );
    }

    #[test]
    fn now_load_data_and_unknown_functions_are_page_dependent() {
        assert!(one("{{ now() }}").is_empty());
        assert!(one("{% for x in range(end=2) %}{{ now(utc=true) }}{% endfor %}").is_empty());
        assert!(one("{{ load_data(path=\"data/a.yaml\") }}").is_empty());
        assert!(one("{{ resize_image(path=\"a.jpg\", width=3) }}").is_empty());
        assert!(one("{% for x in range(end=2) %}{{ super() }}{% endfor %}").is_empty());
        assert_eq!(
            one("{% for x in range(end=2) %}{{ x | upper }}{% endfor %}").len(),
            1
        );
        assert!(one("{% for x in range(end=2) %}{{ x | mystery }}{% endfor %}").is_empty());
        assert!(
            one("{% for x in range(end=2) %}{% if x is mystery %}a{% endif %}{% endfor %}")
                .is_empty()
        );
    }

    #[test]
    fn blocks_includes_and_captures_are_never_inside_a_part() {
        // The part is inside the block, not around it.
        let src = "{% block nav %}{% for x in range(end=2) %}{{ x }}{% endfor %}{% endblock nav %}";
        assert_eq!(
            one(src),
            vec!["{% for x in range(end=2) %}{{ x }}{% endfor %}"]
        );
        assert!(one("{% for x in range(end=2) %}{% include \"a.html\" %}{% endfor %}").is_empty());
        assert!(
            one("{% filter upper %}{% for x in range(end=2) %}{{ x }}{% endfor %}{% endfilter %}")
                .is_empty()
        );
        assert!(
            one("{% set x %}{% for y in range(end=2) %}{{ y }}{% endfor %}{% endset %}").is_empty()
        );
        assert!(one("{% for x in range(end=2) %}{% set_global y = x %}{% endfor %}").is_empty());
        assert!(
            one("{% for x in range(end=2) %}{{ <Card title=\"a\" /> }}{% endfor %}").is_empty()
        );
        assert_eq!(
            one("{% for x in range(end=2) %}{% if x < 1 %}a{% endif %}{% endfor %}").len(),
            1
        );
    }

    #[test]
    fn a_part_inside_an_if_reading_the_page_is_found_inside_only() {
        let src = "{% if page.extra.nav %}\n{%- for x in range(end=3) %}{{ x }}{% endfor -%}\n{% endif %}";
        let r = rewrite(&[("t.html", src)]);
        assert_eq!(r.parts.len(), 1);
        assert_eq!(
            r.parts[0].source,
            "{%- for x in range(end=3) %}{{ x }}{% endfor -%}"
        );
        assert!(
            r.files[0].1.contains("{{-__part(id=0)") && r.files[0].1.contains("-}}\n{% endif %}")
        );
    }

    #[test]
    fn raw_blocks_and_comments_with_tags_are_text() {
        let src = "{% for x in range(end=2) %}{% raw %}{{ page.title }}{% endraw %}{# {% page %} #}{% endfor %}";
        assert_eq!(one(src).len(), 1);
        // A raw block is not a statement: a run neither starts nor ends with one.
        let src = "{% raw %}{% for %}{% endraw %}<p>{{ page.title }}</p>";
        assert!(one(src).is_empty());
    }

    #[test]
    fn loop_and_break_belong_to_a_for_inside_the_part() {
        assert_eq!(one("{% for x in range(end=5) %}{% if loop.index > 2 %}{% break %}{% endif %}{{ x }}{% endfor %}").len(), 1);
        // In the body of a loop over the page's items, no part reads `loop` or breaks.
        assert!(
            one("{% for p in page.items %}{{ get_url(path=\"a\") ~ loop.index }}{% endfor %}")
                .is_empty()
        );
        assert!(one("{% for p in page.items %}{% if get_url(path=\"a\") %}{% break %}{% endif %}{% endfor %}").is_empty());
    }

    #[test]
    fn rebinding_config_or_dumping_the_context_caches_nothing() {
        assert!(
            one("{% set config = 1 %}{% for x in range(end=2) %}{{ config.title }}{% endfor %}")
                .is_empty()
        );
        assert!(
            one("{% for x in range(end=2) %}{{ x }}{% endfor %}{{ __tera_context }}").is_empty()
        );
    }

    #[test]
    fn what_the_tokenizer_does_not_understand_leaves_the_template_alone() {
        assert!(one("{% for x in range(end=2) %}{{ x }}{% endfor %}{% mystery %}").is_empty());
        assert!(one("{% for x in range(end=2) %}{{ x }}{% endfor %}{{ \"open").is_empty());
        assert!(one("{% for x in range(end=2) %}{{ x }}{% endfor %}{% if a %}").is_empty());
        assert!(tokenize("{{ é }}").is_none());
        // A template not understood may read any name: a set of one of its words is kept out.
        let base = "{% set nav = get_section(path=\"_index.md\") %}{% for s in nav.subsections %}{{ s }}{% endfor %}";
        assert!(parts_of(&[("base.html", base), ("x.html", "{% mystery %}{{ nav }}")]).is_empty());
    }

    #[test]
    fn whitespace_control_and_columns_are_kept() {
        let src = "a  {%- for x in range(end=2) -%}  {{ x }}  {%- endfor -%}  b {{ page.title }}";
        let r = rewrite(&[("t.html", src)]);
        let new = &r.files[0].1;
        assert!(
            new.starts_with("a  {{-__part(id=0)") && new.contains("-}}  b {{ page.title }}"),
            "{new}"
        );
        assert_eq!(new.find("{{ page.title"), src.find("{{ page.title"));
        // A run too short to hold the tag is left as it is.
        assert!(replacement("{{ f() }}", 0, false, false).is_none());
    }

    #[test]
    fn tokenizer_mirrors_teras_lexer() {
        let p = tokenize("a{{- x | f(a=\"}}\") -}}b{#- c -#}{%- raw -%}{{{%- endraw %}").unwrap();
        let kinds: Vec<String> = p
            .iter()
            .map(|p| {
                format!(
                    "{:?}{}{}",
                    std::mem::discriminant(&p.kind),
                    p.ws_start,
                    p.ws_end
                )
            })
            .collect();
        assert_eq!(kinds.len(), 5, "{p:?}");
        assert!(p[1].ws_start && p[1].ws_end);
        assert!(matches!(&p[1].kind, Kind::Expr(t) if t.len() == 8));
        assert!(matches!(p[3].kind, Kind::Comment) && p[3].ws_start && p[3].ws_end);
        assert!(matches!(p[4].kind, Kind::Raw) && p[4].ws_start && !p[4].ws_end);
        assert_eq!(
            p[4].end,
            "a{{- x | f(a=\"}}\") -}}b{#- c -#}{%- raw -%}{{{%- endraw %}".len()
        );
    }
}
