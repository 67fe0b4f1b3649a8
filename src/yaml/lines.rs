//! YAML read line by line, as the owner wrote it: the mistake behind a parser error, said in
//! plain words at the line where it is, and warnings about values that parse but do not say
//! what the owner meant. Used for `config.yaml` and front matter alike (and every other YAML
//! file read through [`super::to_diagnostic`]).
//!
//! libyaml reports where it gave up, in its own words: an unclosed quote is "did not find
//! expected key" at the *next* key, a `{` never closed makes the next entries part of the value
//! ("menu[5].weight has the wrong type"), a tab is "found a tab character that violates
//! indentation". [`find_mistake`] scans the lines up to that point for what a person does wrong
//! (a quote or bracket left open, a tab used to indent, a quote that ends a value early, a `: `
//! inside a plain value). It only runs once the parser has failed, so a rare valid form it
//! misreads (a quoted value continued on a line indented no deeper) never stops a build.
//!
//! In: the whole file text and the lines the YAML occupies. Out: a [`Mistake`] or warnings.
//! No parsing of values: that stays with the YAML crate.

use std::path::Path;

use crate::error::{Diagnostic, Span};

/// What the owner did wrong on one line, with the words to say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mistake {
    /// Where: the quote, bracket or tab itself.
    pub span: Span,
    /// The end of the message ("this quote is never closed").
    pub reason: String,
    /// The label under the highlighted text.
    pub label: String,
    /// What to do.
    pub help: String,
}

/// How one line reads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scan {
    /// Nothing wrong seen.
    Fine,
    /// A value of the form `|` or `>`: the lines indented deeper are its text.
    BlockScalar,
    /// A quote (`"` or `'`) opened at this character column and not closed on the line.
    OpenQuote(char, usize),
    /// A `{` or `[` opened at this column and not closed on the line.
    OpenBracket(char, usize),
    /// A quoted value closed at this column, with more text after it.
    TextAfterQuote(char, usize),
    /// An item of a `{…}` or `[…]` (from the first column to the second, included) followed by
    /// more without a comma: a quoted one followed by text (`["a/" "b/"]`,
    /// `{ name: "FAQ" url: x }`), or a plain value followed by a key (`{ name: FAQ url: x }`).
    MissingComma(usize, usize),
    /// A plain value starting at this column holds `: ` (at the second column).
    ColonInValue(usize, usize),
}

/// Finds the mistake behind a YAML error on the lines `first_line..=last_line` of `source`
/// (1-based file lines), looking no further than `upto` (the line the parser stopped at) when
/// it is known. `syntax` says the text is not valid YAML; when it is valid (the error is a
/// value of the wrong type, an unknown key), only a quote or bracket left open can be behind
/// it, having swallowed the entries after it. `None` when no line shows one of the mistakes
/// this module knows; the caller then explains the parser's own message.
pub(crate) fn find_mistake(
    source: &str,
    first_line: usize,
    last_line: usize,
    upto: Option<usize>,
    syntax: bool,
) -> Option<Mistake> {
    let lines: Vec<&str> = source
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let end = last_line.min(lines.len());
    let region = lines.get(first_line.saturating_sub(1)..end)?;
    let mut block: Option<usize> = None;
    // The lines read so far, for the indentation checks; `unsure` once a quote or bracket
    // was left open on purpose (a value continued on the next lines).
    let mut shapes: Vec<Shape> = Vec::new();
    let mut unsure = false;
    for (i, line) in region.iter().enumerate() {
        let number = first_line + i;
        if upto.is_some_and(|u| number > u) {
            break;
        }
        let content = line.trim_start_matches([' ', '\t']);
        let lead = &line[..line.len() - content.len()];
        let indent = lead.chars().count();
        if let Some(b) = block {
            if content.is_empty() || indent > b {
                continue;
            }
            block = None;
        }
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Some(t) = lead.find('\t')
            && syntax
        {
            return Some(Mistake {
                span: Span::new(number, lead[..t].chars().count() + 1, 1),
                reason: "a tab is used to indent a line".into(),
                label: "use spaces, not a tab".into(),
                help: "indent with spaces, not tabs: delete the tab and type spaces instead".into(),
            });
        }
        // Curly quotes are ordinary characters to YAML; the caller has advice for them.
        if line.contains(['\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}']) {
            continue;
        }
        let scanned = scan(content);
        if syntax && !unsure && matches!(scanned, Scan::Fine | Scan::BlockScalar) {
            let shape = Shape::of(content, indent, number);
            if let Some(m) = misplaced(&shape, &shapes, content) {
                return Some(m);
            }
            shapes.push(shape);
        }
        let line = Line {
            content,
            number,
            indent,
        };
        if let Some(m) = line.mistake(&scanned, || ends_entry(region, i, indent), syntax) {
            return Some(m);
        }
        match scanned {
            Scan::BlockScalar => block = Some(indent),
            Scan::OpenQuote(..) | Scan::OpenBracket(..) => unsure = true,
            _ => {}
        }
    }
    None
}

/// One line of the text, with where it is, for the mistakes found on it.
struct Line<'a> {
    /// The line without its indentation.
    content: &'a str,
    /// The 1-based line number.
    number: usize,
    /// Its indentation, in characters.
    indent: usize,
}

impl Line<'_> {
    /// The mistake `scanned` shows on this line, if it is one: a quote or bracket left open
    /// where the entry `ends` (else it may continue on the next lines), or, when the text is
    /// not valid YAML (`syntax`), text after a quote, a missing comma or a second `: `.
    fn mistake(&self, scanned: &Scan, ends: impl Fn() -> bool, syntax: bool) -> Option<Mistake> {
        match *scanned {
            Scan::OpenQuote(q, col) if ends() => Some(self.unclosed_quote(q, col)),
            Scan::OpenBracket(b, col) if ends() => Some(self.unclosed_bracket(b, col)),
            Scan::TextAfterQuote(q, col) if syntax => Some(self.text_after_quote(q, col)),
            Scan::MissingComma(open, close) if syntax => Some(self.missing_comma(open, close)),
            Scan::ColonInValue(start, colon) if syntax => Some(self.colon_in_value(start, colon)),
            _ => None,
        }
    }

    /// The 1-based column of the character `col` of `content`.
    fn at(&self, col: usize) -> usize {
        self.indent + col
    }

    /// The quote `q` at `col` is never closed.
    fn unclosed_quote(&self, q: char, col: usize) -> Mistake {
        let (content, number) = (self.content, self.number);
        let value = content[byte(content, col)..].trim_end();
        Mistake {
            span: Span::new(number, self.at(col) + 1, value.chars().count().max(1)),
            reason: "this quote is never closed".into(),
            label: "this quote is never closed".into(),
            help: format!(
                "add the closing {q} at the end of the value, like `{}{q}`",
                content.trim_end()
            ),
        }
    }

    /// The bracket `b` at `col` is never closed.
    fn unclosed_bracket(&self, b: char, col: usize) -> Mistake {
        let (content, number) = (self.content, self.number);
        let close = if b == '{' { '}' } else { ']' };
        // `{ name: x }` is written with spaces inside, `[a, b]` usually without.
        let space = if content[byte(content, col) + 1..].starts_with(' ') {
            " "
        } else {
            ""
        };
        Mistake {
            span: Span::new(number, self.at(col) + 1, 1),
            reason: format!("this `{b}` is never closed"),
            label: format!("this `{b}` is never closed"),
            help: format!(
                "add the closing `{close}` at the end of the line, like `{}{space}{close}`",
                content.trim_end()
            ),
        }
    }

    /// Text follows the quote `q` at `col` that closed the value.
    fn text_after_quote(&self, q: char, col: usize) -> Mistake {
        let (content, number) = (self.content, self.number);
        let (key, value) = split_key(content);
        let value = value.trim();
        let value = value
            .strip_prefix(q)
            .and_then(|v| v.strip_suffix(q))
            .unwrap_or(value);
        let other = if q == '"' { '\'' } else { '"' };
        Mistake {
            span: Span::new(number, self.at(col) + 1, 1),
            reason: "a quote ends the value before the end of the line".into(),
            label: "the value ends at this quote".into(),
            help: if value.contains(other) {
                format!(
                    "to put {q} inside a quoted value, write it twice (`{q}{q}`) in single quotes, or as `\\\"` in double quotes"
                )
            } else {
                format!(
                    "to use {q} inside the value, put the whole value in {} instead, like `{key}{other}{}{other}`",
                    if other == '\'' {
                        "single quotes"
                    } else {
                        "double quotes"
                    },
                    value
                )
            },
        }
    }

    /// In a `{…}` or `[…]`, the item at `open..=close` is followed by more text without a comma.
    fn missing_comma(&self, open: usize, close: usize) -> Mistake {
        let (content, number) = (self.content, self.number);
        // Inside `{…}` or `[…]`, text after a quoted item is almost always the next
        // item, the comma between them forgotten.
        let item: String = content.chars().skip(open).take(close + 1 - open).collect();
        let item = if item.starts_with(['"', '\'']) {
            item
        } else {
            format!("`{item}`")
        };
        let after = byte(content, close + 1);
        let rest = &content[after..];
        let comma = if rest.starts_with([' ', '\t']) {
            ","
        } else {
            ", "
        };
        Mistake {
            span: Span::new(number, self.at(close + 1) + 1, 1),
            reason: format!("a comma is missing after {item}"),
            label: "a comma belongs here".into(),
            help: format!(
                "items of a `{{…}}` or `[…]` are separated by commas, like `{}{comma}{}`",
                &content[..after],
                rest.trim_end()
            ),
        }
    }

    /// A plain value starting at `start` has `: ` at `colon`.
    fn colon_in_value(&self, start: usize, colon: usize) -> Mistake {
        let (content, number) = (self.content, self.number);
        let (key, value) = split_key(content);
        Mistake {
            span: Span::new(number, self.at(colon) + 1, 1),
            reason: "a value with `: ` in it needs quotes".into(),
            label: "`: ` inside a value".into(),
            help: format!(
                "put the whole value in double quotes, like `{key}\"{}\"`",
                if value.is_empty() {
                    content[byte(content, start)..].trim_end()
                } else {
                    value.trim()
                }
            ),
        }
    }
}

/// How a line is laid out: where its entry starts, its key, and whether the key has a value on
/// the line.
#[derive(Debug, Clone)]
struct Shape {
    /// The 1-based line.
    number: usize,
    /// The column (0-based) where the entry starts: after the indentation and any `- `.
    start: usize,
    /// A `- ` item.
    item: bool,
    /// `name` of a `name:` line.
    key: Option<String>,
    /// The key has a value on its line (`title: x`, not `extra:` or `text: |`).
    value: bool,
}

impl Shape {
    fn of(content: &str, indent: usize, number: usize) -> Shape {
        let mut rest = content;
        let mut start = indent;
        while let Some(r) = rest.strip_prefix("- ") {
            let t = r.trim_start_matches(' ');
            start += rest.len() - t.len();
            rest = t;
        }
        let key = is_key(rest).then(|| {
            let end = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].find(q).map_or(0, |j| j + 2),
                _ => rest.find(':').unwrap_or(0),
            };
            rest[..end].to_string()
        });
        let value = key.as_ref().is_some_and(|k| {
            let v = rest[k.len() + 1..].trim();
            let v = if v.starts_with('#') { "" } else { v };
            !v.is_empty() && !v.starts_with(['|', '>', '&', '!'])
        });
        Shape {
            number,
            start,
            item: start > indent,
            key,
            value,
        }
    }
}

/// A line that does not fit the layout of the lines above (`shapes`): a field indented more
/// than a `name: value` line above it, a field that lines up with no line above, a line with
/// no `:` among fields.
fn misplaced(shape: &Shape, shapes: &[Shape], content: &str) -> Option<Mistake> {
    let prev = shapes.last()?;
    let number = shape.number;
    if let Some(key) = &shape.key {
        let len = key.chars().count().max(1);
        let at = Span::new(number, shape.start + 1, len);
        if shape.start > prev.start && !shape.item && prev.value {
            let above = prev.key.as_deref().unwrap_or_default();
            return Some(Mistake {
                span: at,
                reason: "this line is indented more than the line above".into(),
                label: format!("indented more than `{above}:` above"),
                help: format!(
                    "start `{key}:` in the same column as `{above}:` on line {}; only the fields inside a group (under a line ending in `:`) are indented more",
                    prev.number
                ),
            });
        }
        if shape.start < prev.start && !shape.item {
            let outer = shapes.iter().rev().find(|s| s.start <= shape.start)?;
            if outer.start < shape.start {
                let inner = shapes.iter().rev().find(|s| s.start > shape.start)?;
                let name = |s: &Shape| {
                    s.key
                        .clone()
                        .map_or_else(|| "-".into(), |k| format!("{k}:"))
                };
                return Some(Mistake {
                    span: at,
                    reason: "this line does not line up with the lines above".into(),
                    label: "lined up with no line above".into(),
                    help: format!(
                        "indent `{key}:` with as many spaces as the field it goes with: {} like `{}` on line {}, or {} like `{}` on line {}",
                        inner.start,
                        name(inner),
                        inner.number,
                        outer.start,
                        name(outer),
                        outer.number
                    ),
                });
            }
        }
        return None;
    }
    let text = content.trim_end();
    let sibling = shapes.iter().rev().find(|s| s.start <= shape.start);
    if !shape.item
        && sibling.is_some_and(|s| s.start == shape.start && s.key.is_some())
        && !text.starts_with(['-', '[', '{', '"', '\'', '?', ':', '|', '>', '&', '*', '!'])
    {
        let word_end = text.find([' ', ':']).unwrap_or(text.len());
        let (word, rest) = text.split_at(word_end);
        let rest = rest.trim_start_matches(':').trim_start();
        return Some(Mistake {
            span: Span::new(number, shape.start + word.chars().count() + 1, 1),
            reason: "this line has no `:` after the field's name".into(),
            label: "a `:` is missing here".into(),
            help: format!("write the field as `name: value`, like `{word}: {rest}`"),
        });
    }
    None
}

/// The byte index of character column `col` (0-based) in `s`.
fn byte(s: &str, col: usize) -> usize {
    s.char_indices().nth(col).map_or(s.len(), |(b, _)| b)
}

/// Splits `key: value` (or `- key: value`) after its first `: `: (`key: `, `value`); a line
/// without one gives ("", the line).
fn split_key(content: &str) -> (&str, &str) {
    match content.find(": ") {
        Some(i) => (&content[..i + 2], content[i + 2..].trim_end()),
        None => ("", content.trim_end()),
    }
}

/// True when the entry on `region[i]` (indented by `indent`) ends there: the next line that is
/// not blank or a comment starts a new entry (`name:` or `- `) indented no deeper, or there
/// is none. A quote or bracket left open on such a line swallows what follows: a mistake.
fn ends_entry(region: &[&str], i: usize, indent: usize) -> bool {
    let next = region.iter().skip(i + 1).find(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    });
    let Some(next) = next else {
        return true;
    };
    let content = next.trim_start_matches([' ', '\t']);
    let next_indent = next.len() - content.len();
    next_indent <= indent && (content == "-" || content.starts_with("- ") || is_key(content))
}

/// True for a line starting `name:` (then a space or the end), with a plain or quoted name.
fn is_key(content: &str) -> bool {
    let name_end = match content.chars().next() {
        Some(q @ ('"' | '\'')) => match content[1..].find(q) {
            Some(j) => j + 2,
            None => return false,
        },
        _ => match content.find(':') {
            Some(j) if !content[..j].contains(['#', '{', '[', ',', '"']) => j,
            _ => return false,
        },
    };
    let rest = &content[name_end..];
    name_end > 0
        && rest.starts_with(':')
        && rest[1..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ' || c == '\t')
}

/// Reads one line's content (indentation removed) the way YAML tokenizes it, far enough to
/// see quotes and brackets left open, a block scalar, text after a closing quote, and a `: `
/// inside a plain value of a block mapping. One [`Tokens`] step per token.
fn scan(content: &str) -> Scan {
    let mut t = Tokens {
        chars: content.chars().collect(),
        i: 0,
        stack: Vec::new(),
        keyed: false,
    };
    loop {
        // At the start of a token.
        t.skip_space();
        let Some(&c) = t.chars.get(t.i) else {
            break;
        };
        let step = match c {
            '#' => Step::End,
            '"' | '\'' => t.quoted(c),
            '[' | '{' => {
                t.stack.push((c, t.i, false));
                t.i += 1;
                Step::Next
            }
            ']' | '}' => t.close_bracket(c),
            ',' if !t.stack.is_empty() => {
                if let Some(top) = t.stack.last_mut() {
                    top.2 = false;
                }
                t.i += 1;
                Step::Next
            }
            '-' | '?' if t.stack.is_empty() && t.blank_after(t.i, &[' ']) => {
                t.keyed = false;
                t.i += 1;
                Step::Next
            }
            '|' | '>' if t.stack.is_empty() => Step::Found(t.block_scalar()),
            _ => t.plain(),
        };
        match step {
            Step::Next => {}
            Step::End => break,
            Step::Found(scan) => return scan,
        }
    }
    match t.stack.first() {
        Some((b, col, _)) => Scan::OpenBracket(*b, *col),
        None => Scan::Fine,
    }
}

/// Where [`scan`] is on a line.
struct Tokens {
    chars: Vec<char>,
    /// The character column read next.
    i: usize,
    /// Open `{`/`[`: the bracket, its column, and (in a `{…}`) whether a key was read and its
    /// value is being read.
    stack: Vec<(char, usize, bool)>,
    /// A key was read on this line in block context (`name: `): a second one is an error.
    keyed: bool,
}

/// What [`scan`] does after a token.
enum Step {
    /// Reads the next token.
    Next,
    /// Stops: the rest of the line is a comment or a value it need not read.
    End,
    /// Stops with this answer.
    Found(Scan),
}

impl Tokens {
    fn skip_space(&mut self) {
        while self.i < self.chars.len() && matches!(self.chars[self.i], ' ' | '\t') {
            self.i += 1;
        }
    }

    /// True when the character after column `at` is one of `blanks`, or the line ends there.
    fn blank_after(&self, at: usize, blanks: &[char]) -> bool {
        self.chars.get(at + 1).is_none_or(|c| blanks.contains(c))
    }

    /// A key (`name:` or `"name":`) was read: in a `{…}` its value comes next; in block
    /// context the line has its key.
    fn read_key(&mut self) {
        match self.stack.last_mut() {
            None => self.keyed = true,
            Some(top) => top.2 = true,
        }
    }

    /// A quoted value or key at the current column, quote `q`: never closed, followed by a
    /// `:`, by the end of the line or of a flow item, or by more text (a mistake).
    fn quoted(&mut self, q: char) -> Step {
        let open = self.i;
        let Some(close) = closing_quote(&self.chars, open) else {
            return Step::Found(Scan::OpenQuote(q, open));
        };
        self.i = close + 1;
        self.skip_space();
        match self.chars.get(self.i) {
            None | Some('#') => Step::End,
            Some(':') if self.blank_after(self.i, &[' ', '\t']) => {
                self.read_key();
                self.i += 1;
                Step::Next
            }
            Some(',' | ']' | '}') if !self.stack.is_empty() => Step::Next,
            Some(_) if !self.stack.is_empty() => Step::Found(Scan::MissingComma(open, close)),
            Some(_) => Step::Found(Scan::TextAfterQuote(q, close)),
        }
    }

    /// `]` or `}`: closes the innermost bracket when it is the matching one.
    fn close_bracket(&mut self, c: char) -> Step {
        let want = if c == ']' { '[' } else { '{' };
        if self.stack.last().is_some_and(|(b, _, _)| *b == want) {
            self.stack.pop();
        }
        self.i += 1;
        Step::Next
    }

    /// `|` or `>` in block context: a block scalar when only its indicators (`-`, `+`, a
    /// digit) follow.
    fn block_scalar(&self) -> Scan {
        let rest: String = self.chars[self.i + 1..].iter().collect();
        let rest = rest.split(" #").next().unwrap_or_default().trim();
        if rest
            .chars()
            .all(|c| c == '-' || c == '+' || c.is_ascii_digit())
        {
            Scan::BlockScalar
        } else {
            Scan::Fine
        }
    }

    /// A plain scalar: up to `: `, ` #`, or in a flow collection `,`, `]`, `}`. A key followed
    /// by a second one (in an entry of a `{…}`, or on a block line) is a mistake.
    fn plain(&mut self) -> Step {
        let chars = &self.chars;
        let n = chars.len();
        let start = self.i;
        let mut i = start;
        while i < n {
            let c = chars[i];
            if c == ':' && self.blank_after(i, &[' ', '\t']) {
                break;
            }
            if c == '#' && i > start && chars[i - 1] == ' ' {
                break;
            }
            if !self.stack.is_empty() && matches!(c, ',' | ']' | '}') {
                break;
            }
            i += 1;
        }
        self.i = i;
        match chars.get(i) {
            Some(':') => self.plain_key(start),
            // A comment, or the end of a plain value in block context.
            Some('#') => Step::End,
            _ if self.stack.is_empty() => Step::End,
            _ => Step::Next,
        }
    }

    /// The plain scalar from `start` up to the current column ends with `: `: it is a key.
    fn plain_key(&mut self, start: usize) -> Step {
        let i = self.i;
        if let Some(top) = self.stack.last_mut() {
            // A second key in one entry of a `{…}`: `{ name: FAQ url: x }` is
            // `name: FAQ` and `url: x` without the comma between them.
            if top.0 == '{' && top.2 {
                let words = &self.chars[start..i];
                if let Some(gap) = words.iter().rposition(|c| *c == ' ' || *c == '\t')
                    && let Some(last) = words[..gap].iter().rposition(|c| *c != ' ' && *c != '\t')
                {
                    return Step::Found(Scan::MissingComma(start, start + last));
                }
            }
            top.2 = true;
        }
        if self.stack.is_empty() {
            if self.keyed {
                return Step::Found(Scan::ColonInValue(start, i));
            }
            self.keyed = true;
        }
        self.i += 1;
        Step::Next
    }
}

/// The index of the quote that closes the one at `open`, if it is on the line: `\"` does not
/// close a double-quoted value, `''` does not close a single-quoted one.
fn closing_quote(chars: &[char], open: usize) -> Option<usize> {
    let q = chars[open];
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if q == '"' => i += 2,
            c if c == q => {
                if q == '\'' && chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                } else {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Warnings about YAML that parsed but probably does not say what the owner meant, on the
/// lines `first_line..=last_line` of `source`: a ` #` inside an unquoted value starts a comment
/// and silently cuts the value (`title: Edmonton #1 studio` is "Edmonton"), and a value in
/// curly quotes (`phone: “780-555-0142”`, from a word processor) keeps the quotes as part of
/// the text. Values of `name: value` lines and of `- value` list items are looked at.
pub(crate) fn lint(
    source: &str,
    first_line: usize,
    last_line: usize,
    shown: &Path,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let lines = source
        .split('\n')
        .enumerate()
        .skip(first_line.saturating_sub(1))
        .take((last_line + 1).saturating_sub(first_line));
    let mut block: Option<usize> = None;
    for (i, line) in lines {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let content = line.trim_start();
        let indent = line.len() - content.len();
        if let Some(b) = block {
            if content.is_empty() || indent > b {
                continue;
            }
            block = None;
        }
        let Some(value) = PlainValue::on(line, i + 1) else {
            continue;
        };
        if value.text.starts_with(['|', '>']) {
            block = Some(indent);
            continue;
        }
        if value.text.starts_with(['"', '\'', '[', '{', '&', '*', '!']) {
            continue;
        }
        out.extend(value.comment_in_it(source, shown));
        out.extend(value.curly_quoted(source, shown));
    }
    out
}

/// The value of a `name: value` line or a `- value` item, for [`lint`].
struct PlainValue<'a> {
    /// The whole line.
    line: &'a str,
    /// Its 1-based number.
    number: usize,
    /// The key (`name`), empty for a list item.
    key: &'a str,
    /// The value, from its first character to the line's end.
    text: &'a str,
    /// The byte index of `text` in `line`.
    col: usize,
}

impl<'a> PlainValue<'a> {
    /// The value on `line` (line `number`), if it holds one: not a comment, nor a line
    /// without `: ` that is not a list item.
    fn on(line: &'a str, number: usize) -> Option<Self> {
        let content = line.trim_start();
        if content.starts_with('#') {
            return None;
        }
        let (body, is_item) = match content.strip_prefix("- ") {
            Some(b) => (b.trim_start(), true),
            None => (content, false),
        };
        let (key, text) = match body.split_once(": ") {
            Some((k, v)) if !k.is_empty() && !k.starts_with(['{', '[', '"', '\'', '#', '-']) => {
                (k.trim_end(), v.trim_start())
            }
            _ if is_item => ("", body),
            _ => return None,
        };
        Some(PlainValue {
            line,
            number,
            key,
            text,
            col: line.len() - text.len(),
        })
    }

    /// A ` #` in the value: the rest is a comment, left out of the value.
    fn comment_in_it(&self, source: &str, shown: &Path) -> Option<Diagnostic> {
        let PlainValue {
            line,
            number,
            key,
            text: v,
            col: value_col,
        } = *self;
        let h = v.find(" #").or_else(|| v.find("\t#"))?;
        let col = line[..value_col + h + 1].chars().count() + 1;
        let fix = if key.is_empty() {
            format!("- \"{}\"", v.trim_end())
        } else {
            format!("{key}: \"{}\"", v.trim_end())
        };
        let shown_d = shown.display();
        Some(
            Diagnostic::warning(format!(
                "in {shown_d}, the text after `#` on line {number} is read as a comment and left out"
            ))
            .in_file(shown)
            .at(
                Span::new(number, col, v[h + 1..].trim_end().chars().count().max(1)),
                source,
            )
            .label("everything from here on is ignored")
            .help(format!("put the whole value in double quotes, like `{fix}`")),
        )
    }

    /// A value starting with a curly quote: the quotes become part of the text.
    fn curly_quoted(&self, source: &str, shown: &Path) -> Option<Diagnostic> {
        let (v, number) = (self.text, self.number);
        if !v.starts_with(['\u{201c}', '\u{2018}']) {
            return None;
        }
        let col = self.line[..self.col].chars().count() + 1;
        let shown_d = shown.display();
        Some(
            Diagnostic::warning(format!(
                "in {shown_d}, the value on line {number} starts with a curly quote"
            ))
            .in_file(shown)
            .at(
                Span::new(number, col, v.trim_end().chars().count().max(1)),
                source,
            )
            .label("the curly quotes become part of the text")
            .help(
                "if you meant to quote the text, use straight quotes \"…\", or leave the quotes out",
            ),
        )
    }
}

/// Where the value at `path` (`["extra", "address", "city"]`) is written on the lines
/// `first_line..=last_line` of `source`: each key is looked for among the lines indented under
/// the one before, or, written in braces (`address: { city: x }`), on its parent's line. The
/// span covers the value on the key's line (without a trailing comment), or the key itself
/// when the value is on the lines below (a list, a group). `None` when a key is not found.
pub(crate) fn value_at(
    source: &str,
    first_line: usize,
    last_line: usize,
    path: &[&str],
) -> Option<Span> {
    let lines: Vec<&str> = source
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let end = last_line.min(lines.len());
    let indent_of = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let meaningful = |l: &str| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    };
    // The lines of the current block, as (0-based index range), and the parent's indent.
    let (mut lo, mut hi) = (first_line.saturating_sub(1), end);
    let mut parent: Option<(usize, usize)> = None; // (index, indent)
    for (depth, key) in path.iter().enumerate() {
        let last = depth + 1 == path.len();
        // The block's own keys are indented as its first line (deeper ones are their values).
        let child = (lo..hi)
            .find(|&i| meaningful(lines[i]))
            .map(|i| indent_of(lines[i]))
            .filter(|c| parent.is_none_or(|(_, pi)| *c > pi));
        let found = (lo..hi).find(|&i| {
            let l = lines[i];
            meaningful(l)
                && Some(indent_of(l)) == child
                && l.trim_start_matches([' ', '\t'])
                    .strip_prefix(key)
                    .is_some_and(|r| {
                        r.starts_with(':')
                            && r[1..].chars().next().is_none_or(|c| c == ' ' || c == '\t')
                    })
        });
        let Some(i) = found else {
            // `key: value` inside braces on the parent's line.
            let (pi, _) = parent?;
            return flow_value_span(lines[pi], pi + 1, key);
        };
        let line = lines[i];
        let indent = indent_of(line);
        if last {
            return Some(block_value_span(line, i + 1, indent, key));
        }
        parent = Some((i, indent));
        lo = i + 1;
        hi = (lo..hi)
            .find(|&j| meaningful(lines[j]) && indent_of(lines[j]) <= indent)
            .unwrap_or(hi);
    }
    None
}

/// The span of the value of `key:` written inside braces on `line` (line `number`): up to
/// the next `,` or `}`. `None` when the key is not there.
fn flow_value_span(line: &str, number: usize, key: &str) -> Option<Span> {
    let b = find_flow_key(line, key)?;
    let rest = &line[b + key.len() + 1..];
    let value = rest.trim_start();
    let start = b + key.len() + 1 + (rest.len() - value.len());
    let value_len = value
        .find([',', '}'])
        .map_or(value.trim_end(), |j| value[..j].trim_end())
        .chars()
        .count();
    Some(Span::new(
        number,
        line[..start].chars().count() + 1,
        value_len.max(1),
    ))
}

/// The span of the value of the `key:` that starts `line` (line `number`) at byte `indent`:
/// the value without a trailing comment, or the key itself when the value is on the lines
/// below.
fn block_value_span(line: &str, number: usize, indent: usize, key: &str) -> Span {
    let key_start = indent;
    let after = &line[key_start + key.len() + 1..];
    let value = after.trim_start();
    let value = match value.find(" #") {
        Some(j) => &value[..j],
        None => value,
    }
    .trim_end();
    if value.is_empty() {
        Span::new(
            number,
            line[..key_start].chars().count() + 1,
            key.chars().count(),
        )
    } else {
        let start = key_start + key.len() + 1 + (after.len() - after.trim_start().len());
        Span::new(
            number,
            line[..start].chars().count() + 1,
            value.chars().count(),
        )
    }
}

/// The byte index of `key:` written inside braces on `line` (after `{` or `,` and spaces).
fn find_flow_key(line: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(j) = line[from..].find(key) {
        let b = from + j;
        let before = line[..b].trim_end();
        let after = &line[b + key.len()..];
        if (before.ends_with('{') || before.ends_with(',')) && after.starts_with(':') {
            return Some(b);
        }
        from = b + key.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(src: &str) -> Option<(usize, usize, String)> {
        find_mistake(src, 1, src.lines().count(), None, true)
            .map(|m| (m.span.line, m.span.col, m.reason))
    }

    #[test]
    fn open_quotes_and_brackets_are_found_where_they_open() {
        let cases: &[(&str, (usize, usize, &str))] = &[
            (
                "title: x\nphone: \"780-555-0142\nemail: a@b.c\n",
                (2, 8, "this quote is never closed"),
            ),
            (
                "title: 'It''s\nemail: a@b.c\n",
                (1, 8, "this quote is never closed"),
            ),
            (
                "title: \"end of file\n",
                (1, 8, "this quote is never closed"),
            ),
            (
                "menu:\n  - { name: \"About\", url: \"@/about.md\", weight: 50\n  - { name: \"Book\", url: \"@/book.md\", weight: 60 }\n",
                (2, 5, "this `{` is never closed"),
            ),
            (
                "aliases: [/a, [/b]\nweight: 3\n",
                (1, 10, "this `[` is never closed"),
            ),
            (
                "extra:\n\tcity: x\n",
                (2, 1, "a tab is used to indent a line"),
            ),
            (
                "extra:\n  \tcity: x\n",
                (2, 3, "a tab is used to indent a line"),
            ),
            (
                "title: \"The \"best\" studio\"\n",
                (1, 13, "a quote ends the value before the end of the line"),
            ),
            (
                "title: FAQ: the questions\n",
                (1, 11, "a value with `: ` in it needs quotes"),
            ),
            (
                "menu:\n  - { name: \"FAQ\" url: \"@/faq.md\" }\n",
                (2, 18, "a comma is missing after \"FAQ\""),
            ),
            (
                "aliases: [\"a/\" \"b/\"]\n",
                (1, 15, "a comma is missing after \"a/\""),
            ),
            (
                "tags: ['x', 'y' z]\n",
                (1, 16, "a comma is missing after 'y'"),
            ),
            (
                "menu:\n  - { name: Our FAQ url: \"@/faq.md\" }\n",
                (2, 20, "a comma is missing after `Our FAQ`"),
            ),
            (
                "menu:\n  - { name: \"FAQ\", url: x weight: 3 }\n",
                (2, 26, "a comma is missing after `x`"),
            ),
        ];
        for (src, (line, col, reason)) in cases {
            assert_eq!(at(src), Some((*line, *col, reason.to_string())), "{src:?}");
        }
    }

    #[test]
    fn indentation_mistakes_are_found_at_their_line() {
        let cases: &[(&str, (usize, usize, &str))] = &[
            (
                "title: x\n  description: y\n",
                (2, 3, "this line is indented more than the line above"),
            ),
            (
                "extra:\n    a: 1\n  b: 2\n",
                (3, 3, "this line does not line up with the lines above"),
            ),
            (
                "aliases:\n  - /a\nweight 3\ntitle: x\n",
                (3, 7, "this line has no `:` after the field's name"),
            ),
            (
                "menu:\n  - name: a\n    url: b\n   weight: 3\n",
                (4, 4, "this line does not line up with the lines above"),
            ),
        ];
        for (src, (line, col, reason)) in cases {
            assert_eq!(at(src), Some((*line, *col, reason.to_string())), "{src:?}");
        }
    }

    #[test]
    fn valid_forms_are_not_mistakes() {
        for src in [
            "title: \"a \\\" quote\"\n",
            "title: 'it''s'\n",
            "title: it's \"fine\"\n",
            "url: https://example.com/a#b\n",
            "opens: 09:00\n",
            "- { name: \"A\", url: \"@/a.md\" } # menu\n",
            "aliases: [\n  /a,\n  /b\n]\n",
            "description: \"a long value\n  continued here\"\nweight: 3\n",
            "description: |\n  He said \"hi\n\tand left: then\nweight: 3\n",
            "\"quoted key\": value\n",
            "title: x # a comment with \" and {\n",
            "- name: A\n  url: /a\n",
            "menu:\n  - name: A\n    url: /a\n  - name: B\n    url: /b\ntitle: x\n",
            "extra:\n  address:\n    city: x\n  phone: y\ntitle: z\n",
            "description: a long\n  plain value\ntitle: x\n",
            "hours:\n- Mon\n- Tue\ntitle: x\n",
            "text: |\n  line\n    deeper\ntitle: x\n",
            "? complex\n: value\n",
        ] {
            assert_eq!(at(src), None, "{src:?}");
        }
    }

    #[test]
    fn only_lines_up_to_the_error_are_read() {
        let src = "title: x\nweight: first\nphone: \"open\nemail: y\n";
        assert_eq!(find_mistake(src, 1, 4, Some(2), true), None);
        assert!(find_mistake(src, 1, 4, Some(4), true).is_some());
        // Valid YAML with a wrong value: only a quote or bracket left open explains it.
        let tab = "extra:\n  a: \"x\" y\n\tb: 1\nweight: first\n";
        assert_eq!(find_mistake(tab, 1, 4, Some(4), false), None);
        let menu = "menu:\n  - { name: A, weight: 5\n  - { name: B }\n";
        assert!(find_mistake(menu, 1, 3, Some(2), false).is_some());
        // Front matter: the lines between the fences only.
        let fm = "---\ntitle: \"x\n---\nbody \"with an open quote\n";
        let m = find_mistake(fm, 2, 2, None, true).unwrap();
        assert_eq!((m.span.line, m.span.col), (2, 8));
    }

    #[test]
    fn values_are_found_by_their_path() {
        let src = "title: x\nextra:\n  phone: true # call us\n  address:\n    city: 12\n  hours:\n    - Mon\n  inline: { a: 1, b: [2] }\nphone: top\n";
        let at = |path: &[&str]| value_at(src, 1, 9, path).map(|s| (s.line, s.col, s.len));
        assert_eq!(at(&["extra", "phone"]), Some((3, 10, 4)));
        assert_eq!(at(&["phone"]), Some((9, 8, 3)));
        assert_eq!(at(&["extra", "address", "city"]), Some((5, 11, 2)));
        assert_eq!(at(&["extra", "hours"]), Some((6, 3, 5)));
        assert_eq!(at(&["extra", "inline", "a"]), Some((8, 16, 1)));
        assert_eq!(at(&["extra", "inline", "b"]), Some((8, 22, 3)));
        assert_eq!(at(&["extra", "city"]), None);
        assert_eq!(at(&["extra", "nope"]), None);
        // Front matter: only between the fences.
        let fm = "---\ntitle: x\nextra:\n  image: 5\n---\nimage: body\n";
        assert_eq!(
            value_at(fm, 2, 4, &["extra", "image"]),
            Some(Span::new(4, 10, 1))
        );
        assert_eq!(value_at(fm, 2, 4, &["image"]), None);
    }

    #[test]
    fn mangled_text_never_panics() {
        let samples = [
            "title: \"Our prices\"\nextra:\n  - { name: a, url: 'b' }\n  hours: [1, 2]\n  text: |\n    x\n",
            "menu:\n  - name: \u{e9}t\u{e9}\n    url: /a # c\n\"k\": v\n? q\n: r\n",
        ];
        let inserts = [
            '"', '\'', '{', '[', '}', ']', '\t', ':', '-', '#', ' ', '\n', '\u{201c}', '\u{e9}',
        ];
        for sample in samples {
            let chars: Vec<char> = sample.chars().collect();
            for i in 0..=chars.len() {
                for c in inserts {
                    let mut v = chars.clone();
                    v.insert(i, c);
                    let text: String = v.into_iter().collect();
                    let lines = text.split('\n').count();
                    for syntax in [true, false] {
                        let _ = find_mistake(&text, 1, lines, None, syntax);
                        let _ = find_mistake(&text, 2, lines, Some(3), syntax);
                    }
                    let _ = lint(&text, 1, lines, Path::new("x.yaml"));
                    let _ = value_at(&text, 1, lines, &["extra", "hours"]);
                    let _ = value_at(&text, 1, lines, &["menu", "url"]);
                }
                let cut: String = chars[..i].iter().collect();
                let _ = find_mistake(&cut, 1, 99, None, true);
                let _ = lint(&cut, 1, 99, Path::new("x.yaml"));
            }
        }
    }

    #[test]
    fn lint_reads_values_and_list_items() {
        let src = "phone: \u{201c}780\u{201d}\nhours:\n  - \u{201c}Mon\u{201d}\n  - Tue #2\nmenu:\n  - { name: \"\u{201c}x\u{201d}\" }\ntext: |\n  \u{201c}quoted\u{201d} #1\n";
        let w = lint(src, 1, 8, Path::new("config.yaml"));
        let at: Vec<(usize, usize)> = w
            .iter()
            .map(|d| (d.span.unwrap().line, d.span.unwrap().col))
            .collect();
        assert_eq!(at, [(1, 8), (3, 5), (4, 9)], "{w:?}");
        assert!(w[2].help.as_deref().unwrap().contains("`- \"Tue #2\"`"));
    }
}
