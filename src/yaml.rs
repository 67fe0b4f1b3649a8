//! The only module that names the YAML crate (serde_yaml, chosen by the owner and deprecated
//! upstream): swapping it for `yaml_serde` is then one line in `Cargo.toml`.
//!
//! In: YAML text. Out: a deserialized value, or a [`YamlError`] whose position is relative to
//! the text given (callers shift it to the file position). YAML is read the YAML 1.2 way, so
//! `yes`, `no` and `on` are strings, not booleans (Jekyll #7514).

mod lines;
pub(crate) mod timestamp;

use serde::de::DeserializeOwned;

pub(crate) use lines::{lint, value_at};

/// A YAML syntax or type error, positioned in the text that was parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct YamlError {
    /// The message without serde_yaml's own " at line L column C" suffix.
    pub message: String,
    /// 1-based line in the parsed text, if known.
    pub line: Option<usize>,
    /// 1-based column in the parsed text, if known.
    pub col: Option<usize>,
    /// True when the text is not valid YAML at all (a syntax error, not a value of the wrong
    /// type or an unknown key).
    pub syntax: bool,
}

/// Deserializes `text` as `T`. Errors: syntax errors, type mismatches, unknown or duplicate keys,
/// with the position serde_yaml gives (missing and duplicate fields come without a useful one,
/// serde-yaml #153: those return `line: None`).
///
/// Text read as a number (`title: 1.10`, `1e3`, `0x10`, `007`, `.5`) keeps its digits as
/// written: see [`text`]. serde_yaml resolves a plain scalar to a number before a field sees it,
/// so when a first pass meets such a value, the text is read a second time with every [`text`]
/// field and text map key taking the scalar as written.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            READING.set(Reading::Typed);
            GUIDES.with_borrow_mut(std::collections::VecDeque::clear);
        }
    }
    let _reset = Reset;
    READING.set(Reading::Typed);
    GUIDES.with_borrow_mut(std::collections::VecDeque::clear);
    let first = parse::<T>(text)?;
    if READING.get() != Reading::SawNumber {
        return Ok(first);
    }
    READING.set(Reading::AsWritten);
    // The second pass cannot meet a type the first did not accept, except a map key that is
    // itself a list or a map (read as text by the first pass): keep the first reading then.
    Ok(parse::<T>(text).unwrap_or(first))
}

/// How [`text`] fields read a scalar in the current [`from_str`] pass (one thread parses one
/// document at a time, from start to end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// First pass: YAML types; remember whether a number was read as text.
    Typed,
    /// First pass, after a [`text`] field met a number.
    SawNumber,
    /// Second pass: every [`text`] field takes its scalar exactly as written.
    AsWritten,
}

thread_local! {
    static READING: std::cell::Cell<Reading> = const { std::cell::Cell::new(Reading::Typed) };
    /// What each [`text_map`] read in the first pass, in document order: the second pass
    /// follows it to know which scalars were numbers (serde_yaml cannot be asked for a
    /// scalar's text without knowing first that the node is a scalar).
    static GUIDES: std::cell::RefCell<std::collections::VecDeque<serde_json::Value>> =
        const { std::cell::RefCell::new(std::collections::VecDeque::new()) };
}

/// A field whose value is text (`title`, `description`, `slug`, `path`): a number is taken as
/// the text written (`title: 1.10` is "1.10", not "1.1"; `title: 007` is "007"); null, a
/// boolean (`true`), a list or a map are type errors. `deserialize_with` target.
pub(crate) fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    scalar_text(d).map(Some)
}

/// [`text`], but null (`title: ~`, `title:`) is taken as absent, for settings whose absence
/// gets its own message (`config.yaml`'s `title`). `deserialize_with` target.
pub(crate) fn text_or_null<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("text")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: serde::Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            scalar_text(d).map(Some)
        }
    }
    d.deserialize_option(V)
}

/// [`text`] without the `Option`.
pub(crate) fn scalar_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    scalar_text_into(d, |t| Ok(t.to_string()))
}

/// A value built from a scalar's text by `build` (dates): the text is read as [`text`] reads
/// it, and an `Err` of `build` becomes an error placed at the value itself, named by its path
/// (`extra.reviewed: ...`), as serde_yaml places its own errors.
pub(crate) fn scalar_text_into<'de, D, T>(
    d: D,
    build: fn(&str) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct V<T>(fn(&str) -> Result<T, String>);
    impl<T> V<T> {
        fn number<E: serde::de::Error>(self, v: impl ToString) -> Result<T, E> {
            saw_number();
            (self.0)(&v.to_string()).map_err(E::custom)
        }
    }
    impl<T> serde::de::Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("text")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            (self.0)(v).map_err(E::custom)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<T, E> {
            self.number(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<T, E> {
            self.number(v)
        }
        fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<T, E> {
            self.number(v)
        }
        fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<T, E> {
            self.number(v)
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<T, E> {
            self.number(v)
        }
    }
    if READING.get() == Reading::AsWritten {
        d.deserialize_str(V(build))
    } else {
        d.deserialize_any(V(build))
    }
}

fn saw_number() {
    if READING.get() == Reading::Typed {
        READING.set(Reading::SawNumber);
    }
}

/// How deep `[` and `{` may nest in a YAML text before [`parse`] refuses it unread. serde_yaml
/// stops at 128 levels itself, but its scanner takes time quadratic in the depth to get there
/// (100,000 levels took minutes), so far deeper text is refused first.
const MAX_BRACKET_DEPTH: usize = 1000;

/// Where the outermost bracket of a run of `[`/`{` nested more than [`MAX_BRACKET_DEPTH`] deep
/// starts, as 1-based (line, column). Counts every bracket, quoted or not: that can only
/// overcount for text holding a thousand unclosed brackets, which no real file does.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut outer = 0;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                if depth == 0 {
                    outer = i;
                }
                depth += 1;
                if depth > MAX_BRACKET_DEPTH {
                    let before = text.get(..outer).unwrap_or("");
                    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
                    let col = before.get(line_start..).map_or(0, |l| l.chars().count());
                    return Some((before.matches('\n').count() + 1, col + 1));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn parse<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    if let Some((line, col)) = too_deep(text) {
        return Err(YamlError {
            message: format!(
                "`[` and `{{` are nested more than {MAX_BRACKET_DEPTH} levels deep here (recursion limit exceeded)"
            ),
            line: Some(line),
            col: Some(col),
            syntax: true,
        });
    }
    serde_yaml::from_str(text).map_err(|e| {
        let message = strip_positions(&e.to_string());
        let location = e.location();
        // serde_yaml puts errors it cannot place at line 1 column 1 of the document; report
        // those as unplaced rather than pointing at the wrong line.
        let placed = location
            .as_ref()
            .is_some_and(|l| !(l.line() == 1 && l.column() == 1 && l.index() == 0));
        YamlError {
            syntax: serde_yaml::from_str::<serde::de::IgnoredAny>(text).is_err(),
            message,
            line: location.as_ref().filter(|_| placed).map(|l| l.line()),
            col: location.as_ref().filter(|_| placed).map(|l| l.column()),
        }
    })
}

/// True when `text` holds no YAML content: only blank lines and `#` comments. serde_yaml cannot
/// deserialize such a document into a struct (serde-yaml #86), yet it means "no fields set".
pub(crate) fn is_empty_document(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    })
}

/// Where a YAML text sits and how to explain its errors.
pub(crate) struct YamlSource<'a> {
    /// Start of the message, e.g. "invalid front matter".
    pub what: &'a str,
    /// The file, as shown to the owner.
    pub file: &'a std::path::Path,
    /// The whole text of the file.
    pub source: &'a str,
    /// The 1-based file line where the YAML text begins.
    pub first_line: usize,
    /// The line to point at when serde_yaml gives no position (the closing `---`).
    pub fence_line: usize,
    /// The keys allowed at the top level, for did-you-mean.
    pub fields: &'a [&'a str],
    /// What to say about an unknown key besides the closest known one.
    pub unknown_help: &'a str,
}

/// Deserializes a map of anything (`extra:` in front matter and config) into JSON values, like
/// `serde_json::Map`'s own `Deserialize`, but refusing a key given twice at any depth: the
/// owner would otherwise lose one of the two values without a word, while a duplicate
/// top-level field is already an error. `deserialize_with` target.
pub(crate) fn strict_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, D::Error> {
    match serde::Deserialize::deserialize(d)? {
        StrictValue(serde_json::Value::Object(m)) => Ok(Some(m)),
        StrictValue(serde_json::Value::Null) => Ok(None),
        // Named here: serde_yaml does not say which field a value it already read belongs to.
        StrictValue(other) => Err(serde::de::Error::custom(format!(
            "extra: invalid type: {}, expected a map",
            match other {
                serde_json::Value::Array(_) => "sequence",
                serde_json::Value::String(_) => "string",
                serde_json::Value::Bool(_) => "boolean",
                _ => "number",
            }
        ))),
    }
}

/// [`strict_map`] where the top-level values named in `keys` are read as `T` and stored as it
/// converts to JSON; a `T` error is placed at the value, as for a field of the document itself.
/// Such a key with no value (null) is left out, as if not given. For front matter's date fields under `extra` (`reviewed`), which are
/// then read exactly as `date:` is. `deserialize_with` helper.
pub(crate) fn strict_map_with<'de, D, T>(
    d: D,
    keys: &[&str],
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de> + Into<serde_json::Value>,
{
    struct V<'k, T>(&'k [&'k str], std::marker::PhantomData<T>);
    impl<'de, T> serde::de::Visitor<'de> for V<'_, T>
    where
        T: serde::Deserialize<'de> + Into<serde_json::Value>,
    {
        type Value = Option<serde_json::Map<String, serde_json::Value>>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = serde_json::Map::new();
            while let Some(KeyText(key)) = a.next_key()? {
                let v = if self.0.contains(&key.as_str()) {
                    match a.next_value::<Option<T>>()? {
                        Some(v) => v.into(),
                        // `reviewed:` with nothing after it: not given.
                        None => continue,
                    }
                } else {
                    a.next_value::<StrictValue>()?.0
                };
                if out.insert(key.clone(), v).is_some() {
                    return Err(serde::de::Error::custom(format!("duplicate field `{key}`")));
                }
            }
            Ok(Some(out))
        }
    }
    d.deserialize_any(V::<T>(keys, std::marker::PhantomData))
}

/// [`strict_map`] for maps of text settings (`extra:` in `config.yaml`, whose values the theme
/// shows: phone, address parts, hours, names): every number in it, at any depth, is taken as the
/// text written, as [`text`] does for a single field (`phone: 7805550142` is the text
/// "7805550142", `postal_code: 01234` keeps its zero, `price: 1.10` its trailing zero).
/// Booleans, null, lists and maps keep their YAML types. `deserialize_with` target.
pub(crate) fn text_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, D::Error> {
    if READING.get() != Reading::AsWritten {
        let first = strict_map(d)?;
        let guide = first
            .clone()
            .map_or(serde_json::Value::Null, serde_json::Value::Object);
        if has_number(&guide) {
            saw_number();
        }
        GUIDES.with_borrow_mut(|g| g.push_back(guide));
        return Ok(first);
    }
    let guide = GUIDES
        .with_borrow_mut(std::collections::VecDeque::pop_front)
        .unwrap_or(serde_json::Value::Null);
    match serde::de::DeserializeSeed::deserialize(Guided(&guide), d)? {
        serde_json::Value::Object(m) => Ok(Some(m)),
        // The first pass accepted only a map or null here.
        _ => Ok(None),
    }
}

fn has_number(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(_) => true,
        serde_json::Value::Array(a) => a.iter().any(has_number),
        serde_json::Value::Object(m) => m.values().any(has_number),
        _ => false,
    }
}

/// Reads a value again, following what the first pass read (`self.0`): where that was a
/// number, the scalar is taken as the text written; elsewhere as [`StrictValue`] reads it.
/// Map entries and list items are matched by position (keys may read differently: `1.10`).
struct Guided<'g>(&'g serde_json::Value);

impl<'de> serde::de::DeserializeSeed<'de> for Guided<'_> {
    type Value = serde_json::Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        struct Seq<'g>(&'g [serde_json::Value]);
        impl<'de> serde::de::Visitor<'de> for Seq<'_> {
            type Value = serde_json::Value;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(self.0.len());
                let mut guides = self.0.iter();
                loop {
                    let item = match guides.next() {
                        Some(g) => a.next_element_seed(Guided(g))?,
                        None => a.next_element::<StrictValue>()?.map(|v| v.0),
                    };
                    match item {
                        Some(v) => out.push(v),
                        None => break,
                    }
                }
                Ok(serde_json::Value::Array(out))
            }
        }
        struct Map<'g>(&'g serde_json::Map<String, serde_json::Value>);
        impl<'de> serde::de::Visitor<'de> for Map<'_> {
            type Value = serde_json::Value;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = serde_json::Map::new();
                let mut guides = self.0.values();
                while let Some(KeyText(key)) = a.next_key()? {
                    let v = match guides.next() {
                        Some(g) => a.next_value_seed(Guided(g))?,
                        None => a.next_value::<StrictValue>()?.0,
                    };
                    out.insert(key, v);
                }
                Ok(serde_json::Value::Object(out))
            }
        }
        match self.0 {
            serde_json::Value::Number(_) => scalar_text(d).map(serde_json::Value::String),
            serde_json::Value::Array(a) => d.deserialize_seq(Seq(a)),
            serde_json::Value::Object(m) => d.deserialize_map(Map(m)),
            _ => <StrictValue as serde::Deserialize>::deserialize(d).map(|v| v.0),
        }
    }
}

/// A JSON value read from YAML with duplicate keys refused.
struct StrictValue(serde_json::Value);

impl<'de> serde::Deserialize<'de> for StrictValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StrictValue;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<StrictValue, E> {
                Ok(StrictValue(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<StrictValue, E> {
                Ok(StrictValue(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<StrictValue, E> {
                Ok(StrictValue(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<StrictValue, E> {
                Ok(StrictValue(v.into()))
            }
            // Whole numbers beyond 64 bits (`id: 12345678901234567890123`): the nearest
            // floating-point number, as JSON would read them.
            fn visit_i128<E>(self, v: i128) -> Result<StrictValue, E> {
                Ok(StrictValue((v as f64).into()))
            }
            fn visit_u128<E>(self, v: u128) -> Result<StrictValue, E> {
                Ok(StrictValue((v as f64).into()))
            }
            fn visit_str<E>(self, v: &str) -> Result<StrictValue, E> {
                Ok(StrictValue(v.into()))
            }
            fn visit_unit<E>(self) -> Result<StrictValue, E> {
                Ok(StrictValue(serde_json::Value::Null))
            }
            fn visit_none<E>(self) -> Result<StrictValue, E> {
                Ok(StrictValue(serde_json::Value::Null))
            }
            fn visit_some<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<StrictValue, D::Error> {
                serde::Deserialize::deserialize(d)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<StrictValue, A::Error> {
                let mut out = Vec::new();
                while let Some(StrictValue(v)) = a.next_element()? {
                    out.push(v);
                }
                Ok(StrictValue(serde_json::Value::Array(out)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<StrictValue, A::Error> {
                let mut out = serde_json::Map::new();
                while let Some(key) = a.next_key::<KeyText>()? {
                    let StrictValue(v) = a.next_value()?;
                    if out.insert(key.0.clone(), v).is_some() {
                        return Err(serde::de::Error::custom(format!(
                            "duplicate field `{}`",
                            key.0
                        )));
                    }
                }
                Ok(StrictValue(serde_json::Value::Object(out)))
            }
        }
        d.deserialize_any(V)
    }
}

/// A map key as text (YAML allows numbers and booleans as keys: `2024: x`).
struct KeyText(String);

impl<'de> serde::Deserialize<'de> for KeyText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if READING.get() == Reading::AsWritten {
            return scalar_text(d).map(KeyText);
        }
        match StrictValue::deserialize(d)?.0 {
            serde_json::Value::String(s) => Ok(KeyText(s)),
            n @ serde_json::Value::Number(_) => {
                saw_number();
                Ok(KeyText(n.to_string()))
            }
            other => Ok(KeyText(other.to_string())),
        }
    }
}

/// Turns a [`YamlError`] into a diagnostic pointing at the file's own line: an "unknown field"
/// error gets a did-you-mean naming the closest allowed key, a type error a label saying what
/// was expected, and a syntax error a hint about indentation and quoting.
///
/// The steps, in order: the owner's own mistake on the lines read ([`lines::find_mistake`]);
/// else the place serde_yaml gives ([`placed_span`]), explained by the kind of message
/// ([`value_mistake`], then [`message_mistake`]), with two fix-ups that know the line better
/// ([`no_space_after_colon`], [`owner_hint`]).
pub(crate) fn to_diagnostic(err: &YamlError, at: &YamlSource<'_>) -> crate::error::Diagnostic {
    let m = explain(err, at);
    let shown = at.file.to_string_lossy().replace('\\', "/");
    crate::error::Diagnostic::error(format!("{} in {shown}: {}", at.what, m.reason))
        .in_file(at.file)
        .label(m.label)
        .help(m.help)
        .at(m.span, at.source)
}

/// What went wrong, where, in the owner's words: the steps of [`to_diagnostic`].
fn explain(err: &YamlError, at: &YamlSource<'_>) -> lines::Mistake {
    // The owner's own mistake, on the lines up to where the parser stopped, in plain words.
    let upto = err.line.map(|l| l + at.first_line - 1);
    let last_line = at.fence_line.saturating_sub(1);
    if let Some(m) = lines::find_mistake(at.source, at.first_line, last_line, upto, err.syntax) {
        return m;
    }
    let span = placed_span(err, at);
    if let Some(m) = value_mistake(err, at, span) {
        return m;
    }
    let mut m = message_mistake(err, at, span);
    if err.message.contains("expected struct")
        && let Some(fix) = no_space_after_colon(at)
    {
        m = fix;
    }
    let line_text = at
        .source
        .split('\n')
        .nth(m.span.line.saturating_sub(1))
        .unwrap_or_default();
    m.reason = short_reason(&err.message);
    if let Some((label, help)) = owner_hint(line_text, &err.message) {
        m.reason = label.clone();
        m.label = label;
        m.help = help;
        m.span = value_span(at.source, m.span);
    }
    m
}

/// Where serde_yaml's error is, in file lines: its own position when it gives one; else the
/// value of the key the message names (`date: ...`), or the line holding the value the message
/// quotes in backticks; else the closing fence (or line 1 of a config file, which has none).
fn placed_span(err: &YamlError, at: &YamlSource<'_>) -> crate::error::Span {
    use crate::error::Span;
    let YamlSource {
        source,
        first_line,
        fence_line,
        ..
    } = *at;
    let mut span = match (err.line, err.col) {
        (Some(l), Some(c)) => Span::new(l + first_line - 1, c, 1),
        // A config file has no closing fence: point at its first line.
        _ if fence_line > source.lines().count() => Span::new(1, 1, 1),
        _ => Span::new(fence_line, 1, 3),
    };
    if err.line.is_some() {
        return span;
    }
    let msg = &err.message;
    // serde_yaml prefixes errors inside a value with the key's path ("date: ..."); when it gives
    // no position, point at that key's value.
    if let Some((key, _)) = msg.split_once(": ")
        && !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '[' || c == ']')
        && let Some(line) = key
            .rsplit('.')
            .next()
            .and_then(|k| find_key_line(source, k, first_line))
    {
        span = value_span(source, line);
    }
    // Our own value errors name the offending value in backticks: find its line.
    if span.line == fence_line
        && let Some(value) = between(msg, "`", "`")
        && let Some((i, line)) = yaml_lines(at).find(|(_, l)| l.contains(value))
    {
        let b = line.find(value).unwrap_or(0);
        span = Span::new(i + 1, line[..b].chars().count() + 1, value.chars().count());
    }
    span
}

/// The YAML lines of the file with their 0-based index: from `first_line` up to the fence.
fn yaml_lines<'a>(at: &YamlSource<'a>) -> impl Iterator<Item = (usize, &'a str)> {
    at.source
        .split('\n')
        .enumerate()
        .skip(at.first_line.saturating_sub(1))
        .take(at.fence_line.saturating_sub(at.first_line))
}

/// Our own value errors, whose messages carry their own words: `paginate_by: 0`
/// (front_matter.rs `positive`) and a date stillpoint cannot read. `None` for other messages.
fn value_mistake(
    err: &YamlError,
    at: &YamlSource<'_>,
    mut span: crate::error::Span,
) -> Option<lines::Mistake> {
    let msg = &err.message;
    if let Some((value, help)) = msg.split_once(" is not a number of pages: ") {
        return Some(lines::Mistake {
            span: value_span(at.source, span),
            reason: format!("{value} is not a number of pages"),
            label: "not a number of pages".into(),
            help: help.to_string(),
        });
    }
    if !msg.contains("is not a date") {
        return None;
    }
    if err.line.is_some() {
        // serde_yaml places a quoted value at its opening quote.
        let line = at.source.split('\n').nth(span.line.saturating_sub(1));
        if line
            .and_then(|l| l.chars().nth(span.col.saturating_sub(1)))
            .is_some_and(|c| c == '"' || c == '\'')
        {
            span.col += 1;
        }
        span.len = between(msg, "`", "`").map_or(1, |v| v.chars().count().max(1));
    }
    // A form stillpoint does not read, or the right form with a day, hour or offset that
    // does not exist (front_matter.rs `DateValue::read` says which).
    let (label, help) = if msg.contains("is not a date: write it as") {
        (
            "not a date in a form stillpoint reads",
            "write dates as 2026-11-29, or with a time as 2026-11-29T10:00:00-07:00; check that the day exists",
        )
    } else {
        (
            "no such day or time",
            "check the date against a calendar: the form is right, but this day, time or offset does not exist",
        )
    };
    Some(lines::Mistake {
        span,
        // Without the field's path (`extra.reviewed: `): the snippet shows the line.
        reason: msg
            .find('`')
            .map_or(msg.as_str(), |i| &msg[i..])
            .to_string(),
        label: label.into(),
        help: help.into(),
    })
}

/// serde_yaml's message explained by its kind: an unknown, duplicate or missing field, a value
/// of the wrong type, a tab, or any other syntax error. The reason is left empty: the caller
/// words it.
fn message_mistake(
    err: &YamlError,
    at: &YamlSource<'_>,
    mut span: crate::error::Span,
) -> lines::Mistake {
    let YamlSource {
        source, first_line, ..
    } = *at;
    let msg = &err.message;
    let (label, help) = if let Some(name) = between(msg, "unknown field `", "`") {
        // Point at the key itself: serde_yaml places the error at the key's line.
        if let Some(line) = find_key_line(source, name, first_line) {
            span = line;
        }
        span.len = name.chars().count().max(1);
        unknown_field(name, at)
    } else if let Some(name) = between(msg, "duplicate field `", "`") {
        // Point at the second occurrence: that is the line to delete or rename.
        if let Some(first) = find_key_line(source, name, first_line) {
            span = find_key_line(source, name, first.line + 1).unwrap_or(first);
        }
        let help = "keep only one line for this field".to_string();
        (format!("`{name}` is given twice"), help)
    } else if let Some(name) = between(msg, "missing field `", "`") {
        let help = format!("add a line like `{name}: ...`");
        (format!("`{name}` is missing"), help)
    } else if msg.contains("invalid type") {
        invalid_type(msg, at, &mut span)
    } else if msg.contains("cannot start any token")
        && let Some((i, line)) = yaml_lines(at)
            .find(|(_, l)| l.starts_with('\t') || l.trim_start_matches(' ').starts_with('\t'))
    {
        let col = line.find('\t').unwrap_or(0) + 1;
        span = crate::error::Span::new(i + 1, col, 1);
        let help = "indent with spaces, not tabs: YAML does not allow tabs for indentation";
        ("a tab character".to_string(), help.to_string())
    } else {
        let label = msg
            .split_once(": ")
            .filter(|(k, _)| !k.contains(' '))
            .map_or(msg.as_str(), |(_, rest)| rest);
        if span.len == 1 {
            span = value_span(source, span);
        }
        let help = "check the indentation and punctuation on this line: each field is `name: value`; put text containing `: ` or `#` in double quotes";
        (label.to_string(), help.to_string())
    };
    lines::Mistake {
        span,
        reason: String::new(),
        label,
        help,
    }
}

/// The label and help for an unknown field `name`: the closest known field, or all of them.
fn unknown_field(name: &str, at: &YamlSource<'_>) -> (String, String) {
    let (fields, unknown_help) = (at.fields, at.unknown_help);
    let help = match crate::error::closest(fields.iter().copied(), name) {
        Some(f) => format!("did you mean `{f}`? Otherwise {unknown_help}"),
        None => format!(
            "the known fields are: {}. Otherwise {unknown_help}",
            fields.join(", ")
        ),
    };
    (format!("`{name}` is not a known field"), help)
}

/// The label and help for "weight: invalid type: string \"first\", expected i64", moving
/// `span` to the field's value when the message names the field.
fn invalid_type(msg: &str, at: &YamlSource<'_>, span: &mut crate::error::Span) -> (String, String) {
    let (field, rest) = match msg.split_once(": invalid type: ") {
        Some((f, r)) => (Some(f), r),
        None => (None, msg.trim_start_matches("invalid type: ")),
    };
    let expected = rest
        .rsplit_once(", expected ")
        .map(|(_, e)| plain_expected(e))
        .unwrap_or_else(|| "a different kind of value".into());
    let key = field.and_then(|f| f.rsplit('.').next());
    if let Some(line) = key.and_then(|f| find_key_line(at.source, f, at.first_line)) {
        *span = value_span(at.source, line);
    }
    let help = match expected.as_str() {
        _ if rest.starts_with("unit value") => {
            "write the value after the colon, or delete the line".to_string()
        }
        "a whole number" => format!(
            "write a whole number, like `{}: 3`",
            key.unwrap_or("weight")
        ),
        "text" => "put the value in double quotes, like `title: \"Yes\"`".to_string(),
        "true or false" => "write `true` or `false`".to_string(),
        "a list" => "write a list, one `- item` per line under the field".to_string(),
        _ => format!("change the value to {expected}"),
    };
    (format!("expected {expected}"), help)
}

/// Front matter that is not a mapping at all: usually `title:FAQ` (no space after the colon),
/// which YAML reads as plain text. Points at the first such line; `None` when there is none.
fn no_space_after_colon(at: &YamlSource<'_>) -> Option<lines::Mistake> {
    let (i, line) = yaml_lines(at).find(|(_, l)| {
        let t = l.trim_start();
        t.split_once(':').is_some_and(|(k, v)| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                && !v.is_empty()
                && !v.starts_with([' ', '\t', '\r', '/'])
        })
    })?;
    let col = line.find(':').unwrap_or(0) + 1;
    Some(lines::Mistake {
        span: crate::error::Span::new(i + 1, col, 1),
        reason: String::new(),
        label: "no space after the colon".into(),
        help: "put a space after the colon, like `title: About us`".into(),
    })
}

/// Removes serde_yaml's own " at line L column C" parts: they count from the YAML text, not
/// from the file, and would contradict the position we show.
fn strip_positions(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at line ".len()..];
        let digits = after.trim_start_matches(|c: char| c.is_ascii_digit());
        match digits.strip_prefix(" column ") {
            Some(col) if digits.len() < after.len() => {
                rest = col.trim_start_matches(|c: char| c.is_ascii_digit());
            }
            _ => {
                out.push_str(" at line ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Characters that give a YAML value a special meaning when they start it (alias, anchor,
/// tag, block scalar, flow collection, reserved).
const SPECIAL_STARTS: &[char] = &['*', '&', '!', '@', '`', '%', '|', '>'];

/// Advice that speaks to the owner's likely mistake on the offending line, replacing the
/// parser's wording where we can tell what happened: curly quotes from a word processor, a
/// value starting with a special character, an empty value.
fn owner_hint(line: &str, msg: &str) -> Option<(String, String)> {
    let value = line
        .split_once(':')
        .map(|(_, v)| v.trim())
        .unwrap_or_default();
    if line.contains(['\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}'])
        && !msg.contains("invalid type")
    {
        return Some((
            "curly quotes from a word processor".into(),
            "use straight quotes: type the value as \"…\" with the \" key, or set your editor to stop replacing quotes".into(),
        ));
    }
    if let Some(c) = value.chars().next().filter(|c| SPECIAL_STARTS.contains(c))
        && !msg.contains("invalid type")
        && !msg.contains("recursion limit")
    {
        return Some((
            format!("a value cannot start with `{c}` unless it is in quotes"),
            "put the whole value in straight double quotes, like `title: \"*New* classes\"`".into(),
        ));
    }
    None
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(&s[i..j])
}

fn short_reason(msg: &str) -> String {
    if let Some(name) = between(msg, "unknown field `", "`") {
        format!("unknown field `{name}`")
    } else if msg.contains("invalid type") {
        let field = msg.split_once(": invalid type").map(|(f, _)| f);
        match field {
            Some(f) => format!("`{f}` has the wrong type"),
            None if msg.contains("expected struct") => {
                "it is not a list of `name: value` fields".into()
            }
            None => "a value has the wrong type".into(),
        }
    } else {
        msg.to_string()
    }
}

fn plain_expected(e: &str) -> String {
    let e = e.trim();
    match e {
        "i64" | "u64" | "i32" | "u32" | "usize" | "an integer" => "a whole number".into(),
        "a string" | "text" => "text".into(),
        "a boolean" => "true or false".into(),
        "a sequence" => "a list".into(),
        "a map" | "struct" => "a group of `name: value` fields".into(),
        other if other.starts_with("struct ") => "a group of `name: value` fields".into(),
        other => other.to_string(),
    }
}

/// Finds the line of a top-level or nested key `name:` in `source`, searching from `first_line`.
fn find_key_line(source: &str, name: &str, first_line: usize) -> Option<crate::error::Span> {
    source
        .split('\n')
        .enumerate()
        .skip(first_line.saturating_sub(1))
        .find_map(|(i, line)| {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            let rest = trimmed.strip_prefix(name)?;
            rest.trim_start().starts_with(':').then(|| {
                crate::error::Span::new(
                    i + 1,
                    line[..indent].chars().count() + 1,
                    name.chars().count(),
                )
            })
        })
}

/// The span of the value of the top-level (unindented) `key:` in `source`, for errors about a
/// field whose value was valid YAML but is wrong for the site (an unknown theme, a template that
/// does not exist). `None` when the key is not there.
pub(crate) fn key_value_span(source: &str, key: &str) -> Option<crate::error::Span> {
    source.split('\n').enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?;
        rest.trim_start().starts_with(':').then(|| {
            value_span(
                source,
                crate::error::Span::new(i + 1, 1, key.chars().count()),
            )
        })
    })
}

/// Widens a span on a `key: value` line to cover the value.
fn value_span(source: &str, at: crate::error::Span) -> crate::error::Span {
    let Some(line) = source.split('\n').nth(at.line.saturating_sub(1)) else {
        return at;
    };
    let line = line.strip_suffix('\r').unwrap_or(line);
    match line.find(": ") {
        Some(i) => {
            let value = line[i + 2..].trim_end();
            let start =
                line[..i + 2].chars().count() + 1 + (value.len() - value.trim_start().len());
            crate::error::Span::new(at.line, start, value.trim().chars().count().max(1))
        }
        None => at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn yes_no_on_are_strings() {
        let m: BTreeMap<String, String> = from_str("a: yes\nb: no\nc: on\n").unwrap();
        assert_eq!(m["a"], "yes");
        assert_eq!(m["b"], "no");
        assert_eq!(m["c"], "on");
    }

    #[test]
    fn brackets_nested_very_deep_are_refused_quickly_at_the_outermost() {
        let deep = |n: usize| format!("a: 1\nb:\n  c: {}{}\n", "[".repeat(n), "]".repeat(n));
        // Within serde_yaml's own limit: read; past it: serde_yaml's error.
        assert!(from_str::<serde_json::Value>(&deep(100)).is_ok());
        let e = from_str::<serde_json::Value>(&deep(500)).unwrap_err();
        assert!(e.message.contains("recursion limit exceeded"), "{e:?}");
        // Far past it: refused before serde_yaml reads it (it took minutes at 100,000).
        let e = from_str::<serde_json::Value>(&deep(100_000)).unwrap_err();
        assert!(e.message.contains("more than 1000 levels"), "{e:?}");
        assert_eq!((e.line, e.col), (Some(3), Some(6)));
        // Brackets that close stay uncounted, however many.
        let many = format!("a: \"{}\"\n", "[]{}".repeat(10_000));
        assert!(from_str::<serde_json::Value>(&many).is_ok());
    }

    #[test]
    fn syntax_error_has_position_and_no_suffix() {
        let e = from_str::<BTreeMap<String, String>>("a: [1, 2\nb: c\n").unwrap_err();
        assert!(!e.message.contains(" at line "), "{e:?}");
        assert!(e.line.is_some(), "{e:?}");
    }

    #[test]
    fn positions_inside_messages_are_removed() {
        assert_eq!(
            strip_positions(
                "did not find expected x at line 1 column 12, while scanning an alias at line 1 column 8"
            ),
            "did not find expected x, while scanning an alias"
        );
        assert_eq!(strip_positions("at line one"), "at line one");
    }

    #[test]
    fn duplicate_keys_in_extra_are_refused_at_any_depth() {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(default, deserialize_with = "strict_map")]
            extra: Option<serde_json::Map<String, serde_json::Value>>,
        }
        let ok: T = from_str("extra:\n  a: 1\n  b: [1, {c: 2}]\n  2024: x\n").unwrap();
        let m = ok.extra.unwrap();
        assert_eq!(m["a"], 1);
        assert_eq!(m["2024"], "x");
        let e = from_str::<T>("extra:\n  k: 1\n  k: 2\n").err().unwrap();
        assert!(e.message.contains("duplicate field `k`"), "{e:?}");
        let e = from_str::<T>("extra:\n  a:\n    k: 1\n    k: 2\n")
            .err()
            .unwrap();
        assert!(e.message.contains("duplicate field `k`"), "{e:?}");
        assert!(from_str::<T>("extra: 3\n").is_err());
        assert!(from_str::<T>("extra: [1]\n").is_err());
    }

    #[test]
    fn empty_documents() {
        for t in ["", "\n", "# only a comment\n", "  \n# x\n"] {
            assert!(is_empty_document(t), "{t:?}");
        }
        assert!(!is_empty_document("title: x"));
    }
}
