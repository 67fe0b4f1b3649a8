//! Shortcodes, part of stage 5: finding `{{ name(key="value") }}` and
//! `{% name(key="value") %}body{% end %}` calls in a page body.
//!
//! The syntax is Zola's (<https://www.getzola.org/documentation/content/shortcodes/>):
//!
//! - inline: `{{ name(key="value", n=3, ratio=1.5, flag=true, list=[1, "a"]) }}`;
//! - with a body: `{% name(key="value") %}` … `{% end %}`; bodies may hold other shortcodes;
//! - argument values are strings (in `"`, `'` or `` ` ``, taken as written: no escapes), integers,
//!   floats, `true`/`false`, or arrays of those;
//! - `{{/* name() */}}` and `{%/* name() */%}` write the call itself as text (`{{ name() }}`), to
//!   show shortcode syntax on a page.
//!
//! Unlike Zola, shortcode syntax inside code (fenced and indented code blocks, inline code spans,
//! as CommonMark finds them) is left alone, so code examples need no escaping. Text such as
//! `{{ price }}` that is not a name followed by `(` is also left alone.
//!
//! [`parse`] is pure, never panics and runs in time linear in the body (plus one CommonMark pass to
//! find the code). It does not render anything: [`expand`] does, through the templates.

pub mod expand;

use std::ops::Range;

use pulldown_cmark::{Event, Tag};

/// One piece of a page body: plain text, literal text from an escaped call, or a shortcode call.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// Markdown text, as the byte range of the body it comes from.
    Text(Range<usize>),
    /// Text to write as it is in place of the byte range `range` (from `{{/* … */}}`).
    Literal {
        /// The text to write, e.g. `{{ name() }}`.
        text: String,
        /// The escaped call in the body.
        range: Range<usize>,
    },
    /// A shortcode call.
    Call(Call),
}

/// How many `{% name() %}` calls may be open around one another. Each level costs stack when
/// the body is expanded and when its tree is dropped; thousands of levels overflowed it. Hugo and
/// Zola have no such limit written down; 64 is far more than any page needs.
pub const MAX_DEPTH: usize = 64;

/// A shortcode call found in a page body. All ranges are byte ranges of the body given to [`parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The shortcode's name: `callout` in `{% callout(kind="note") %}`.
    pub name: String,
    /// Where the name is.
    pub name_range: Range<usize>,
    /// The arguments, in the order written (no name twice).
    pub args: Vec<Arg>,
    /// The whole call, `{{ … }}`, or the opening tag `{% … %}` of a call with a body.
    pub range: Range<usize>,
    /// The body, for `{% … %}` calls.
    pub body: Option<Body>,
}

/// The body of a `{% name() %}…{% end %}` call.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The text between the opening tag and `{% end %}`.
    pub range: Range<usize>,
    /// That text, as pieces (shortcodes may be nested).
    pub pieces: Vec<Piece>,
    /// The `{% end %}` tag.
    pub end_range: Range<usize>,
}

/// One `key=value` argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// The argument's name.
    pub name: String,
    /// Its value.
    pub value: Value,
    /// From the name to the end of the value.
    pub range: Range<usize>,
}

/// An argument value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A quoted string, without its quotes.
    Str(String),
    /// A whole number (fits in 64 bits).
    Int(i64),
    /// A number with a decimal point.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `[a, b, …]`.
    Array(Vec<Value>),
}

impl Value {
    /// The value as JSON, for a template context.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
        }
    }
}

/// A shortcode written wrongly. `range` is a byte range of the body given to [`parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, in plain words.
    pub message: String,
    /// A short label for the highlighted text.
    pub label: String,
    /// What to do about it.
    pub help: String,
    /// Where (never empty unless the body is).
    pub range: Range<usize>,
    /// For a problem inside a call's arguments or at its end: where the call starts (its `{{`
    /// or `{%` and name), which may be lines before `range` (an unclosed quote runs on).
    pub call: Option<Range<usize>>,
}

/// Splits a page body (markdown after the front matter) into text and shortcode calls.
///
/// Errors, at the first problem: a call whose arguments are not `name=value` pairs (an unquoted
/// string, a missing `)` or `}}`/`%}`, an argument given twice), a `{% end %}` with no opening
/// call, an opening call with no `{% end %}` (reported where it opens), and a call opened inside
/// [`MAX_DEPTH`] others (reported at its opening tag).
pub fn parse(body: &str) -> Result<Vec<Piece>, ParseError> {
    Scanner {
        src: body,
        code: code_ranges(body)?,
        code_at: 0,
    }
    .run()
}

/// Byte ranges of code (blocks and inline spans) in `body`, in order and not overlapping.
/// Errors: the markdown parser fails on `body` ([`crate::markdown::ParserFailure`], at the
/// line that sets it off).
fn code_ranges(body: &str) -> Result<Vec<Range<usize>>, ParseError> {
    let events =
        crate::markdown::events(body, crate::markdown::options()).map_err(|f| ParseError {
            message: crate::markdown::ParserFailure::MESSAGE.to_string(),
            label: crate::markdown::ParserFailure::LABEL.to_string(),
            help: format!("{}; {}", crate::markdown::ParserFailure::HELP, f.note()),
            range: f.line,
            call: None,
        })?;
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut skip_until = 0;
    for (event, range) in events {
        if range.start < skip_until {
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(_)) | Event::Code(_) => {
                skip_until = range.end;
                out.push(range);
            }
            _ => {}
        }
    }
    Ok(out)
}

struct Scanner<'a> {
    src: &'a str,
    code: Vec<Range<usize>>,
    /// Index of the first code range that may still contain a later position.
    code_at: usize,
}

/// An opening `{% name() %}` waiting for its `{% end %}`, with the pieces of the enclosing level.
struct Open {
    call: Call,
    outer: Vec<Piece>,
    outer_text_start: usize,
}

/// What [`Scanner::run`] has built so far: the pieces of the current level, the `{% %}` calls
/// open around it, and where the text not yet added starts.
#[derive(Default)]
struct Built {
    pieces: Vec<Piece>,
    stack: Vec<Open>,
    text_start: usize,
}

impl Built {
    /// Adds the text up to `start`, then `piece`; text starts again at `end`.
    fn add(&mut self, start: usize, piece: Piece, end: usize) {
        push_text(&mut self.pieces, self.text_start..start);
        self.pieces.push(piece);
        self.text_start = end;
    }

    /// Opens `call`'s body, which ends at `end`: its pieces go to a new level. Errors: the
    /// call would be more than [`MAX_DEPTH`] levels deep (reported at its opening tag).
    fn open(&mut self, call: Call, end: usize) -> Result<(), ParseError> {
        if self.stack.len() >= MAX_DEPTH {
            let name = &call.name;
            return Err(err(
                format!(
                    "the shortcode `{name}` is inside {MAX_DEPTH} other shortcodes; at most {MAX_DEPTH} levels of shortcodes inside shortcodes are allowed"
                ),
                "one level too deep",
                &format!(
                    "close the shortcodes around it with `{{% end %}}` sooner, so no more than {MAX_DEPTH} are open at once"
                ),
                call.range,
            ));
        }
        self.stack.push(Open {
            call,
            outer: std::mem::take(&mut self.pieces),
            outer_text_start: self.text_start,
        });
        self.text_start = end;
        Ok(())
    }

    /// Closes the innermost open call with the `{% end %}` at `i..end`: the current level
    /// becomes its body. Errors: no call is open.
    fn close(&mut self, i: usize, end: usize) -> Result<(), ParseError> {
        let Some(open) = self.stack.pop() else {
            return Err(err(
                "`{% end %}` closes a shortcode that was never opened".into(),
                "nothing to close",
                "remove this `{% end %}`, or add the opening `{% name(...) %}` before it",
                i..end,
            ));
        };
        push_text(&mut self.pieces, self.text_start..i);
        let mut call = open.call;
        call.body = Some(Body {
            range: call.range.end..i,
            pieces: std::mem::replace(&mut self.pieces, open.outer),
            end_range: i..end,
        });
        self.text_start = open.outer_text_start;
        self.add(call.range.start, Piece::Call(call), end);
        Ok(())
    }

    /// The pieces, with the text after the last call up to `len`. Errors: a call still open.
    fn finish(mut self, len: usize) -> Result<Vec<Piece>, ParseError> {
        if let Some(open) = self.stack.pop() {
            let name = &open.call.name;
            return Err(err(
                format!(
                    "the shortcode `{name}` is opened here but never closed with `{{% end %}}`"
                ),
                "opened here",
                &format!(
                    "add `{{% end %}}` after the text that belongs inside `{name}`; a shortcode without a body is written `{{{{ {name}(...) }}}}`"
                ),
                open.call.range,
            ));
        }
        push_text(&mut self.pieces, self.text_start..len);
        Ok(self.pieces)
    }
}

fn err(message: String, label: &str, help: &str, range: Range<usize>) -> ParseError {
    ParseError {
        message,
        label: label.to_string(),
        help: help.to_string(),
        range,
        call: None,
    }
}

fn push_text(pieces: &mut Vec<Piece>, range: Range<usize>) {
    if !range.is_empty() {
        pieces.push(Piece::Text(range));
    }
}

impl<'a> Scanner<'a> {
    /// The end of the code range holding `pos`, if `pos` is in code.
    fn code_end(&mut self, pos: usize) -> Option<usize> {
        while let Some(r) = self.code.get(self.code_at) {
            if r.end <= pos {
                self.code_at += 1;
            } else {
                return (r.start <= pos).then_some(r.end);
            }
        }
        None
    }

    /// Walks the body from one `{` to the next: code is skipped, and each `{{`/`{%` is an
    /// escaped call ([`Self::escaped`]), a `{% end %}` ([`Built::close`]), a call
    /// ([`Self::call`]) or plain text.
    fn run(mut self) -> Result<Vec<Piece>, ParseError> {
        let src = self.src;
        let bytes = src.as_bytes();
        let mut built = Built::default();
        let mut pos = 0;
        // Once an escape's close is missing, it is missing for every later escape too:
        // searching again each time would make many unclosed escapes quadratic.
        let mut unclosed_escape = [false; 2];
        while let Some(found) = src.get(pos..).and_then(|rest| rest.find('{')) {
            let i = pos + found;
            pos = i + 1;
            let next = bytes.get(i + 1).copied();
            if next != Some(b'{') && next != Some(b'%') {
                continue;
            }
            if let Some(end) = self.code_end(i) {
                pos = end.max(pos);
                continue;
            }
            let inline = next == Some(b'{');
            let end = if bytes.get(i + 2) == Some(&b'/') && bytes.get(i + 3) == Some(&b'*') {
                let unclosed = &mut unclosed_escape[usize::from(inline)];
                self.escaped(i, inline, unclosed, &mut built)
            } else if let Some(end) = self.end_tag(i, inline) {
                built.close(i, end)?;
                Some(end)
            } else {
                self.call(i, inline, &mut built)?
            };
            if let Some(end) = end {
                pos = end;
            }
        }
        built.finish(src.len())
    }

    /// `{{/* … */}}` or `{%/* … */%}` at `i`: the call written as text. Returns where it ends,
    /// or `None` when its close is missing (then it is text); `unclosed` remembers that.
    fn escaped(
        &self,
        i: usize,
        inline: bool,
        unclosed: &mut bool,
        built: &mut Built,
    ) -> Option<usize> {
        let src = self.src;
        let close = if inline { "*/}}" } else { "*/%}" };
        let found = if *unclosed {
            None
        } else {
            src.get(i + 4..).and_then(|r| r.find(close))
        };
        *unclosed = found.is_none();
        let inner_end = i + 4 + found?;
        let end = inner_end + close.len();
        let (open, shut) = if inline { ("{{", "}}") } else { ("{%", "%}") };
        let text = format!("{open}{}{shut}", src.get(i + 4..inner_end).unwrap_or(""));
        built.add(
            i,
            Piece::Literal {
                text,
                range: i..end,
            },
            end,
        );
        Some(end)
    }

    /// Where the `{% end %}` starting at `i` ends, if it is one.
    fn end_tag(&self, i: usize, inline: bool) -> Option<usize> {
        let at = skip_ws(self.src, i + 2);
        if inline || word_at(self.src, at) != Some("end") {
            return None;
        }
        let after = skip_ws(self.src, at + 3);
        self.src
            .get(after..)
            .is_some_and(|r| r.starts_with("%}"))
            .then_some(after + 2)
    }

    /// A call `{{ name(…) }}` or `{% name(…) %}` at `i`, added to `built` (a `{% %}` one
    /// opens a body). Returns where it ends, or `None` when the text is no call (no name
    /// followed by `(`). Errors: anything wrong after the `(`.
    fn call(&self, i: usize, inline: bool, built: &mut Built) -> Result<Option<usize>, ParseError> {
        let src = self.src;
        let at = skip_ws(src, i + 2);
        let Some(name) = ident_at(src, at) else {
            return Ok(None);
        };
        let name_range = at..at + name.len();
        let at = skip_ws(src, name_range.end);
        if src.as_bytes().get(at) != Some(&b'(') {
            return Ok(None);
        }
        // From here on it is a shortcode call: anything wrong is an error, told with where
        // the call starts.
        let in_call = |e: ParseError| ParseError {
            call: Some(i..name_range.end),
            ..e
        };
        let (args, after_args) = self.args(at + 1, name, i).map_err(in_call)?;
        let close = if inline { "}}" } else { "%}" };
        let at = skip_ws(src, after_args);
        if !src.get(at..).is_some_and(|r| r.starts_with(close)) {
            let what = if inline { "`}}`" } else { "`%}`" };
            return Err(in_call(err(
                format!("the shortcode `{name}` is not closed with {what}"),
                &format!("expected {what} here"),
                &format!(
                    "end the call with {what}, as in `{}`",
                    example(inline, name)
                ),
                at..next_char_end(src, at),
            )));
        }
        let end = at + 2;
        let call = Call {
            name: name.to_string(),
            name_range,
            args,
            range: i..end,
            body: None,
        };
        if inline {
            built.add(i, Piece::Call(call), end);
        } else {
            built.open(call, end)?;
        }
        Ok(Some(end))
    }

    /// Parses `key=value, …)` from `at` (just after `(`); returns the arguments and the position
    /// after `)`. `call_start` is where the call begins, for messages.
    fn args(
        &self,
        mut at: usize,
        name: &str,
        call_start: usize,
    ) -> Result<(Vec<Arg>, usize), ParseError> {
        let src = self.src;
        let bytes = src.as_bytes();
        let mut args: Vec<Arg> = Vec::new();
        loop {
            at = skip_ws(src, at);
            match bytes.get(at) {
                Some(b')') => return Ok((args, at + 1)),
                None => {
                    return Err(err(
                        format!("the shortcode `{name}` has no closing `)`"),
                        "the call starts here",
                        "close the argument list with `)`",
                        call_start..next_char_end(src, call_start + 1),
                    ));
                }
                _ => {}
            }
            let Some(key) = ident_at(src, at) else {
                return Err(missing_paren_or(src, at, name, || {
                    err(
                        format!("the shortcode `{name}` has an argument without a name"),
                        "expected an argument name",
                        "write arguments as `name=value`, separated by commas, e.g. `kind=\"note\"`",
                        at..next_char_end(src, at),
                    )
                }));
            };
            let key_range = at..at + key.len();
            at = skip_ws(src, key_range.end);
            if bytes.get(at) != Some(&b'=') {
                return Err(err(
                    format!("the argument `{key}` of the shortcode `{name}` has no value"),
                    "expected `=` and a value",
                    &format!(
                        "write `{key}=\"...\"`; arguments are `name=value` pairs separated by commas"
                    ),
                    key_range,
                ));
            }
            at = skip_ws(src, at + 1);
            let value_start = at;
            let (value, end) = self.value(at, key, name, 0)?;
            if args.iter().any(|a| a.name == key) {
                return Err(err(
                    format!("the shortcode `{name}` is given `{key}` twice"),
                    "given again here",
                    &format!("keep one `{key}=...`"),
                    key_range.start..end,
                ));
            }
            args.push(Arg {
                name: key.to_string(),
                value,
                range: key_range.start..end,
            });
            at = skip_ws(src, end);
            match bytes.get(at) {
                Some(b',') => at += 1,
                Some(b')') => {}
                _ => {
                    if let Some(e) = quote_runs_on(src, value_start..end, key, name) {
                        return Err(e);
                    }
                    return Err(missing_paren_or(src, at, name, || {
                        err(
                            format!(
                                "the shortcode `{name}` is missing a comma or `)` after `{key}`"
                            ),
                            "expected `,` or `)`",
                            "separate arguments with commas and end the list with `)`; text values need quotes",
                            at..next_char_end(src, at),
                        )
                    }));
                }
            }
        }
    }

    /// Parses one value at `at`; returns it and the position after it. `key` and `name` are
    /// the argument's and the shortcode's, for messages; `depth` counts the lists around it.
    fn value(
        &self,
        at: usize,
        key: &str,
        name: &str,
        depth: usize,
    ) -> Result<(Value, usize), ParseError> {
        match self.src.as_bytes().get(at) {
            Some(&q @ (b'"' | b'\'' | b'`')) => self.quoted(at, q as char, key, name),
            Some(b'[') if depth < 8 => self.list(at, key, name, depth),
            _ => self.word(at, key, name),
        }
    }

    /// Text in quotes `q` starting at `at`, taken as written.
    fn quoted(
        &self,
        at: usize,
        q: char,
        key: &str,
        name: &str,
    ) -> Result<(Value, usize), ParseError> {
        let src = self.src;
        let Some(len) = src.get(at + 1..).and_then(|r| r.find(q)) else {
            return Err(err(
                format!("the text given to `{key}` in the shortcode `{name}` has no closing quote"),
                "this quote is never closed",
                &format!("end the text with {q}"),
                at..at + 1,
            ));
        };
        let text = src.get(at + 1..at + 1 + len).unwrap_or("");
        Ok((Value::Str(text.to_string()), at + 2 + len))
    }

    /// `[a, b, …]` starting at `at`.
    fn list(
        &self,
        at: usize,
        key: &str,
        name: &str,
        depth: usize,
    ) -> Result<(Value, usize), ParseError> {
        let src = self.src;
        let bytes = src.as_bytes();
        let mut items = Vec::new();
        let mut p = skip_ws(src, at + 1);
        loop {
            if bytes.get(p) == Some(&b']') {
                return Ok((Value::Array(items), p + 1));
            }
            let (v, end) = self.value(p, key, name, depth + 1)?;
            items.push(v);
            p = skip_ws(src, end);
            match bytes.get(p) {
                Some(b',') => p = skip_ws(src, p + 1),
                Some(b']') => {}
                _ => {
                    return Err(err(
                        format!(
                            "the list given to `{key}` in the shortcode `{name}` is not closed with `]`"
                        ),
                        "expected `,` or `]`",
                        "write lists as `[1, 2, \"three\"]`",
                        p..next_char_end(src, p),
                    ));
                }
            }
        }
    }

    /// An unquoted word at `at`: `true`, `false` or a number; anything else is an error.
    fn word(&self, at: usize, key: &str, name: &str) -> Result<(Value, usize), ParseError> {
        let src = self.src;
        let word_end = src
            .get(at..)
            .map(|r| {
                at + r
                    .find(|c: char| c.is_whitespace() || matches!(c, ',' | ')' | ']' | '}' | '%'))
                    .unwrap_or(r.len())
            })
            .unwrap_or(at);
        let word = src.get(at..word_end).unwrap_or("");
        match word {
            "true" => return Ok((Value::Bool(true), word_end)),
            "false" => return Ok((Value::Bool(false), word_end)),
            _ => {}
        }
        if is_number(word) {
            if let Ok(i) = word.parse::<i64>() {
                return Ok((Value::Int(i), word_end));
            }
            if let Ok(f) = word.parse::<f64>() {
                return Ok((Value::Float(f), word_end));
            }
        }
        if word.is_empty() {
            return Err(err(
                format!("the argument `{key}` of the shortcode `{name}` has no value after `=`"),
                "expected a value",
                &format!(
                    "write `{key}=\"...\"` (text in quotes, numbers and true/false as they are)"
                ),
                at..next_char_end(src, at),
            ));
        }
        Err(err(
            format!(
                "the value of `{key}` in the shortcode `{name}` is text without quotes: `{word}`"
            ),
            "text needs quotes",
            &format!("put it in double quotes: `{key}=\"{word}\"`"),
            at..word_end,
        ))
    }
}

/// For a call that fails after the value at `value` (`key`'s, in the shortcode `name`): when
/// that value is quoted text holding a `}}` or `%}`, its closing quote is most likely missing
/// and the text ran on into a later call, which is where the failure was found. Says so, at
/// the opening quote. A value that really holds `}}` is not refused: this only words an error
/// the call has anyway.
fn quote_runs_on(src: &str, value: Range<usize>, key: &str, name: &str) -> Option<ParseError> {
    let text = src.get(value.clone())?;
    let quote = text
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    if !text.contains("}}") && !text.contains("%}") {
        return None;
    }
    Some(err(
        format!(
            "the text given to `{key}` in the shortcode `{name}` runs past the end of the call: its closing quote is missing"
        ),
        "this quote is not closed before the call ends",
        &format!("end the text with {quote} before `)`, as in `{key}={quote}...{quote})`"),
        value.start..value.start + 1,
    ))
}

/// If the call's text ends at `at` (a `}}`, `%}` or the end of the body), the error is a missing
/// `)`; otherwise the one `other` makes.
fn missing_paren_or(
    src: &str,
    at: usize,
    name: &str,
    other: impl FnOnce() -> ParseError,
) -> ParseError {
    let rest = src.get(at..).unwrap_or("");
    if rest.is_empty() || rest.starts_with("}}") || rest.starts_with("%}") {
        err(
            format!("the shortcode `{name}` has no closing `)`"),
            "expected `)` before this",
            "close the argument list with `)`, as in `name(key=\"value\")`",
            at..next_char_end(src, at),
        )
    } else {
        other()
    }
}

fn example(inline: bool, name: &str) -> String {
    if inline {
        format!("{{{{ {name}(...) }}}}")
    } else {
        format!("{{% {name}(...) %}}")
    }
}

/// `-?digits(.digits)?`
fn is_number(word: &str) -> bool {
    let digits = word.strip_prefix('-').unwrap_or(word);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// The position after any whitespace (spaces, tabs, line breaks) at `at`.
fn skip_ws(src: &str, at: usize) -> usize {
    src.get(at..).map_or(at, |r| {
        at + r.len() - r.trim_start_matches([' ', '\t', '\n', '\r']).len()
    })
}

/// The identifier (`[A-Za-z_][A-Za-z0-9_]*`) at `at`, if any.
fn ident_at(src: &str, at: usize) -> Option<&str> {
    let rest = src.get(at..)?;
    let first = rest.bytes().next()?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let len = rest
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(rest.len());
    rest.get(..len)
}

/// The identifier at `at`, as a whole word.
fn word_at(src: &str, at: usize) -> Option<&str> {
    ident_at(src, at)
}

/// The end of the character at `at` (or `at` at the end of the text), so a range covers it.
fn next_char_end(src: &str, at: usize) -> usize {
    src.get(at..)
        .and_then(|r| r.chars().next())
        .map_or(at.min(src.len()), |c| at + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::line_col;

    fn calls(pieces: &[Piece]) -> Vec<&Call> {
        pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Call(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    fn texts<'a>(src: &'a str, pieces: &[Piece]) -> Vec<&'a str> {
        pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Text(r) => src.get(r.clone()),
                _ => None,
            })
            .collect()
    }

    fn error_at(src: &str) -> (String, (usize, usize)) {
        let e = parse(src).unwrap_err();
        (e.message, line_col(src, e.range.start))
    }

    #[test]
    fn plain_text_is_one_piece() {
        let src = "Hello *world*.\n";
        assert_eq!(parse(src).unwrap(), vec![Piece::Text(0..src.len())]);
        assert_eq!(parse("").unwrap(), vec![]);
    }

    #[test]
    fn inline_call_with_every_kind_of_value() {
        let src = r#"a {{ fig(s="x y", t='q', u=`b`, n=3, m=-2, f=1.5, yes=true, no=false, l=[1, "two", [3]]) }} b"#;
        let pieces = parse(src).unwrap();
        assert_eq!(texts(src, &pieces), vec!["a ", " b"]);
        let c = calls(&pieces)[0];
        assert_eq!(c.name, "fig");
        assert_eq!(&src[c.name_range.clone()], "fig");
        assert_eq!(&src[c.range.clone()], &src[2..src.len() - 2]);
        let values: Vec<(&str, &Value)> =
            c.args.iter().map(|a| (a.name.as_str(), &a.value)).collect();
        assert_eq!(
            values,
            vec![
                ("s", &Value::Str("x y".into())),
                ("t", &Value::Str("q".into())),
                ("u", &Value::Str("b".into())),
                ("n", &Value::Int(3)),
                ("m", &Value::Int(-2)),
                ("f", &Value::Float(1.5)),
                ("yes", &Value::Bool(true)),
                ("no", &Value::Bool(false)),
                (
                    "l",
                    &Value::Array(vec![
                        Value::Int(1),
                        Value::Str("two".into()),
                        Value::Array(vec![Value::Int(3)])
                    ])
                ),
            ]
        );
        assert!(c.body.is_none());
    }

    #[test]
    fn spacing_is_free_and_trailing_comma_allowed() {
        for src in [
            "{{a()}}",
            "{{ a( ) }}",
            "{{\n  a(\n    k = \"v\",\n  )\n}}",
            "{{ a (k=\"v\") }}",
        ] {
            let pieces = parse(src).unwrap();
            assert_eq!(calls(&pieces).len(), 1, "{src}");
            assert_eq!(calls(&pieces)[0].range, 0..src.len(), "{src}");
        }
    }

    #[test]
    fn body_call_keeps_its_body_and_nested_calls() {
        let src = "x\n{% callout(kind=\"note\") %}\nSee {{ cite(key=\"a\") }}.\n{% end %}\ny";
        let pieces = parse(src).unwrap();
        assert_eq!(texts(src, &pieces), vec!["x\n", "\ny"]);
        let c = calls(&pieces)[0];
        assert_eq!(c.name, "callout");
        assert_eq!(&src[c.range.clone()], "{% callout(kind=\"note\") %}");
        let body = c.body.as_ref().unwrap();
        assert_eq!(&src[body.range.clone()], "\nSee {{ cite(key=\"a\") }}.\n");
        assert_eq!(&src[body.end_range.clone()], "{% end %}");
        assert_eq!(texts(src, &body.pieces), vec!["\nSee ", ".\n"]);
        assert_eq!(calls(&body.pieces)[0].name, "cite");
    }

    #[test]
    fn bodies_nest_and_end_closes_the_innermost() {
        let src = "{% a() %}1{% b() %}2{% end %}3{% end %}";
        let pieces = parse(src).unwrap();
        let a = calls(&pieces)[0];
        let body = a.body.as_ref().unwrap();
        assert_eq!(&src[body.range.clone()], "1{% b() %}2{% end %}3");
        let b = calls(&body.pieces)[0];
        assert_eq!(b.name, "b");
        assert_eq!(&src[b.body.as_ref().unwrap().range.clone()], "2");
        assert_eq!(texts(src, &body.pieces), vec!["1", "3"]);
        // `{%end%}` and `{%  end  %}` are ends too.
        assert!(parse("{% a() %}x{%end%}").is_ok());
        assert!(parse("{% a() %}x{%   end   %}").is_ok());
    }

    #[test]
    fn code_is_left_alone() {
        let cases = [
            "```\n{{ a() }}\n{% b() %}\n```\n",
            "~~~md\n{% end %}\n~~~\n",
            "Text\n\n    {{ a(unquoted) }}\n",
            "Use `{{ a() }}` or ``{% end %}``.",
            "- item\n\n  ```\n  {{ a(\n  ```\n",
        ];
        for src in cases {
            let pieces = parse(src).unwrap();
            assert!(calls(&pieces).is_empty(), "{src}");
        }
        // Outside the code it still works.
        let src = "`{{ a() }}` {{ b() }}\n```\n{{ c() }}\n```\n{{ d() }}";
        let names: Vec<String> = calls(&parse(src).unwrap())
            .iter()
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(names, vec!["b", "d"]);
        // Backticks inside a quoted value do not hide the call.
        let src = "{{ a(t=\"use `x` here\") }}";
        assert_eq!(calls(&parse(src).unwrap()).len(), 1);
        // A code block inside a body is left alone too.
        let src = "{% a() %}\n```\n{% end %}\n```\n{% end %}";
        let a = calls(&parse(src).unwrap())[0].clone();
        assert!(calls(&a.body.unwrap().pieces).is_empty());
    }

    #[test]
    fn escaped_calls_are_written_as_text() {
        let src = "Write {{/* cite(key=\"x\") */}} and {%/* end */%}.";
        let pieces = parse(src).unwrap();
        let literals: Vec<&str> = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Literal { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(literals, vec!["{{ cite(key=\"x\") }}", "{% end %}"]);
        assert!(calls(&pieces).is_empty());
        // An escape that never closes is just text.
        assert!(calls(&parse("{{/* a() }}").unwrap()).is_empty());
    }

    #[test]
    fn braces_that_are_not_calls_are_text() {
        for src in [
            "{{ price }}",
            "{% if x %}",
            "{{",
            "{%",
            "{ {a()} }",
            "{{ 1() }}",
            "{{}}",
            "{",
            "a { b } c",
            "{{ é() }}",
        ] {
            let pieces = parse(src).unwrap();
            assert!(calls(&pieces).is_empty(), "{src}");
            assert_eq!(texts(src, &pieces).concat(), src);
        }
    }

    #[test]
    fn unicode_around_and_inside_calls() {
        let src = "Café ☕ {{ note(t=\"naïve — 日本\") }} über";
        let pieces = parse(src).unwrap();
        assert_eq!(texts(src, &pieces), vec!["Café ☕ ", " über"]);
        assert_eq!(
            calls(&pieces)[0].args[0].value,
            Value::Str("naïve — 日本".into())
        );
        let (_, pos) = error_at("日本 {{ a(k=值) }}");
        assert_eq!(pos, (1, 11));
    }

    #[test]
    fn unquoted_string_is_an_error_at_the_value() {
        let (msg, pos) = error_at("line one\nSee {{ cite(key=haller) }}");
        assert_eq!(
            msg,
            "the value of `key` in the shortcode `cite` is text without quotes: `haller`"
        );
        assert_eq!(pos, (2, 17));
        let e = parse("{{ cite(key=haller) }}").unwrap_err();
        assert_eq!(e.range, 12..18);
        assert!(e.help.contains("key=\"haller\""));
    }

    #[test]
    fn missing_paren_is_an_error() {
        let (msg, pos) = error_at("{{ cite(key=\"a\" }}");
        assert_eq!(msg, "the shortcode `cite` has no closing `)`");
        assert_eq!(pos, (1, 17));
        let (msg, pos) = error_at("x {{ cite(");
        assert_eq!(msg, "the shortcode `cite` has no closing `)`");
        assert_eq!(pos, (1, 3));
        let (msg, _) = error_at("{% a(k=1 %}x{% end %}");
        assert_eq!(msg, "the shortcode `a` has no closing `)`");
    }

    #[test]
    fn other_argument_errors() {
        let cases = [
            (
                "{{ a(k) }}",
                "the argument `k` of the shortcode `a` has no value",
                (1, 6),
            ),
            (
                "{{ a(k=) }}",
                "the argument `k` of the shortcode `a` has no value after `=`",
                (1, 8),
            ),
            (
                "{{ a(k=\"x) }}",
                "the text given to `k` in the shortcode `a` has no closing quote",
                (1, 8),
            ),
            (
                "{{ a(k=1, k=2) }}",
                "the shortcode `a` is given `k` twice",
                (1, 11),
            ),
            (
                "{{ a(k=1 j=2) }}",
                "the shortcode `a` is missing a comma or `)` after `k`",
                (1, 10),
            ),
            (
                "{{ a(\"v\") }}",
                "the shortcode `a` has an argument without a name",
                (1, 6),
            ),
            (
                "{{ a(k=[1, 2) }}",
                "the list given to `k` in the shortcode `a` is not closed with `]`",
                (1, 13),
            ),
            (
                "{{ a() x",
                "the shortcode `a` is not closed with `}}`",
                (1, 8),
            ),
            (
                "{% a() }}",
                "the shortcode `a` is not closed with `%}`",
                (1, 8),
            ),
            (
                "{{ a(k=1.) }}",
                "the value of `k` in the shortcode `a` is text without quotes: `1.`",
                (1, 8),
            ),
        ];
        for (src, want, pos) in cases {
            assert_eq!(error_at(src), (want.to_string(), pos), "{src}");
        }
    }

    #[test]
    fn unclosed_body_is_reported_where_it_opens() {
        let (msg, pos) = error_at("a\n\n  {% callout() %}\nbody\n");
        assert_eq!(
            msg,
            "the shortcode `callout` is opened here but never closed with `{% end %}`"
        );
        assert_eq!(pos, (3, 3));
        // The innermost of two is the one reported.
        let (msg, pos) = error_at("{% a() %}\n{% b() %}\n{% end %}");
        assert!(msg.contains("`a`"), "{msg}");
        assert_eq!(pos, (1, 1));
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_an_error_at_the_call_too_deep() {
        let nested =
            |n: usize| format!("{}x\n{}", "{% c() %}\n".repeat(n), "{% end %}\n".repeat(n));
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        let (msg, pos) = error_at(&nested(MAX_DEPTH + 1));
        assert!(msg.contains("inside 64 other shortcodes"), "{msg}");
        assert_eq!(pos, (MAX_DEPTH + 1, 1));
        // Thousands of levels are refused the same way, not by running out of stack.
        let (_, pos) = error_at(&nested(100_000));
        assert_eq!(pos, (MAX_DEPTH + 1, 1));
    }

    #[test]
    fn end_without_opening_is_an_error() {
        let (msg, pos) = error_at("text\nmore {% end %}");
        assert_eq!(msg, "`{% end %}` closes a shortcode that was never opened");
        assert_eq!(pos, (2, 6));
        let (msg, _) = error_at("{% a() %}{% end %}{% end %}");
        assert_eq!(msg, "`{% end %}` closes a shortcode that was never opened");
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for src in [
            "{{ a(k=\"\u{0}\") }}",
            "{{ a(k=[[[[[[[[[[[[1]]]]]]]]]]]]) }}",
            "{% end",
            "{{/*",
            "{%/* x */}}",
            "{{ a(k=-) }}",
            "{{ a(k=99999999999999999999999) }}",
            "\u{FEFF}{{ a() }}",
            "{{ a(k=\"é\"",
            "`{{ a() `}}",
            "{%",
        ] {
            let _ = parse(src);
        }
        // Every prefix and suffix of a body full of calls parses or errs, never panics.
        let full = "é {{ a(k=\"v\", l=[1, 'x']) }}\n{% b(n=2) %}\n`{{ c() }}`\n```\n{% end %}\n```\n{{/* d() */}}{% end %} ☕";
        let bounds: Vec<usize> = full.char_indices().map(|(i, _)| i).collect();
        for &i in &bounds {
            let _ = parse(&full[..i]);
            let _ = parse(&full[i..]);
        }
        assert!(parse(full).is_ok());
        // Many unclosed escapes, openings and names stay linear (this would take minutes if
        // each one searched the rest of the body).
        let many = "{{/* {%/* {{ a {% b ".repeat(40_000);
        assert!(parse(&many).is_ok());
        let many = "{% a() %}".repeat(20_000);
        assert!(parse(&many).is_err());
        // A huge integer is a float rather than an error.
        let p = parse("{{ a(k=99999999999999999999999) }}").unwrap();
        assert!(matches!(calls(&p)[0].args[0].value, Value::Float(_)));
    }

    /// The body the shortcode fuzz target found pulldown-cmark 0.13.6 panicking on (CI, stop
    /// 25), with a call after it: an error at the line that sets the parser off, not a panic.
    #[test]
    fn a_body_the_markdown_parser_fails_on_is_an_error_at_its_line() {
        let body = "{{ a() }}\n\n- {    }\n    {    }\n  -\n\n{{ b() }}\n";
        let e = parse(body).unwrap_err();
        assert_eq!(&body[e.range.clone()], "  -");
        assert_eq!(line_col(body, e.range.start), (5, 1));
        assert_eq!(e.message, crate::markdown::ParserFailure::MESSAGE);
        assert!(
            e.help.contains("pulldown-cmark's own message"),
            "{}",
            e.help
        );
        let bare = "- {    }\n    {    }\n  -";
        assert_eq!(&bare[parse(bare).unwrap_err().range], "  -");
    }
}
