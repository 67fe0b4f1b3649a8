//! Data files for templates: the `load_data(path="data/prices.yaml")` template function, as in
//! Zola (<https://www.getzola.org/documentation/templates/overview/#load-data>).
//!
//! In: a path relative to the site root, and optionally a `format`. Out: the file's content as
//! a template value. The format comes from `format=` or else the file's extension:
//!
//! - `yaml`/`yml`, `json`, `toml`: the document as it is (maps, lists, text, numbers);
//! - `csv`: Zola's shape, `{ headers: [first row], records: [[row], …] }`, every cell text;
//! - `plain` (any other extension): the text itself.
//!
//! Errors name the file and, for a syntax error, its line and column. A path may not leave the
//! site root. Files are read once per build and shared between pages (the cache lives as long
//! as the templates, which are loaded anew for every build).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::error::Diagnostic;

/// A data file's value, or why it cannot be loaded: a diagnostic with only a message, one
/// sentence naming the file (and, for a syntax error, its line and column), which
/// `load_data` passes on as the template function's error. Boxed, as a `Diagnostic` is large.
pub type Loaded = Result<serde_json::Value, Box<Diagnostic>>;

fn problem(message: String) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(message))
}

/// A cache of loaded data files: (path, format) -> value, or the error.
#[derive(Debug, Default)]
pub struct DataCache {
    loaded: Mutex<HashMap<(String, String), Loaded>>,
}

impl DataCache {
    /// [`load`], once per path and format. The error is a [`Diagnostic`]: pass on its
    /// `message` (its `Display` is the whole rendered diagnostic).
    pub fn load(&self, root: &Path, path: &str, format: Option<&str>) -> Loaded {
        let key = (path.to_string(), format.unwrap_or("").to_string());
        if let Ok(map) = self.loaded.lock()
            && let Some(v) = map.get(&key)
        {
            return v.clone();
        }
        let value = load(root, path, format);
        if let Ok(mut map) = self.loaded.lock() {
            map.insert(key, value.clone());
        }
        value
    }
}

/// Reads and parses the data file `path` (relative to `root`, with `/`).
///
/// Errors (one sentence naming the file, see [`Loaded`]): a path outside the site, a missing or unreadable
/// file, a file that is not UTF-8, an unknown `format`, and a syntax error (with its line and
/// column).
pub fn load(root: &Path, path: &str, format: Option<&str>) -> Loaded {
    let rel = Path::new(path);
    if path.is_empty()
        || rel
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(problem(format!(
            "load_data: `{path}` must be a path inside the site, relative to its root, like `data/prices.yaml`"
        )));
    }
    let full: PathBuf = root.join(rel);
    let format = match format {
        Some(f) => f.to_ascii_lowercase(),
        None => rel
            .extension()
            .and_then(|e| e.to_str())
            .map_or("plain".to_string(), str::to_ascii_lowercase),
    };
    let bytes = std::fs::read(&full).map_err(|e| {
        problem(if e.kind() == std::io::ErrorKind::NotFound {
            format!("load_data: there is no file {path} in the site")
        } else {
            format!("load_data: could not read {path}: {e}")
        })
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        problem(format!(
            "load_data: {path} is not UTF-8 text; save it as UTF-8"
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    parse(text, &format, path)
}

/// Parses `text` as `format`; `shown` names the file in messages. Errors: see [`load`].
pub fn parse(text: &str, format: &str, shown: &str) -> Loaded {
    let value = match format {
        "yaml" | "yml" => {
            if crate::yaml::is_empty_document(text) {
                return Ok(serde_json::Value::Null);
            }
            crate::yaml::from_str(text).map_err(|e| match (e.line, e.col) {
                (Some(l), Some(c)) => format!("{shown}, line {l}, column {c}: {}", e.message),
                _ => format!("{shown}: {}", e.message),
            })
        }
        "json" => serde_json::from_str(text).map_err(|e| {
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            format!("{shown}, line {}, column {}: {msg}", e.line(), e.column())
        }),
        "toml" => toml::from_str::<serde_json::Value>(text).map_err(|e| {
            let msg = e.message().to_string();
            match e.span() {
                Some(span) => {
                    let (l, c) = crate::error::line_col(text, span.start);
                    format!("{shown}, line {l}, column {c}: {msg}")
                }
                None => format!("{shown}: {msg}"),
            }
        }),
        "csv" => return csv_value(text, shown),
        "plain" | "txt" | "md" | "html" => Ok(serde_json::Value::String(text.to_string())),
        other => Err(format!(
            "load_data: `{other}` is not a format it knows; use yaml, json, toml, csv or plain"
        )),
    };
    value.map_err(problem)
}

/// CSV as Zola gives it: `{ headers, records }`. As in Zola, every row must have as many
/// fields as the header row (the first), and a quoted field must be closed.
fn csv_value(text: &str, shown: &str) -> Loaded {
    if let Some((line, col)) = unclosed_quote(text) {
        return Err(problem(format!(
            "{shown}, line {line}, column {col}: this quote is never closed, so the rest of the file would be read as one field; add the closing `\"` (and write a quote inside a quoted field as `\"\"`)"
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            problem(format!("{shown}, line {line}: {e}"))
        })?;
        if let Some(header) = rows.first()
            && header.len() != record.len()
        {
            let line = record.position().map_or(0, csv::Position::line);
            return Err(problem(format!(
                "{shown}, line {line}: this row has {} but the header row has {}; give every row one field per column (a comma inside a field needs the field in quotes: `\"Session, 60 min\"`)",
                fields(record.len()),
                fields(header.len())
            )));
        }
        rows.push(record.iter().map(str::to_string).collect());
    }
    let mut rows = rows.into_iter();
    let headers = rows.next().unwrap_or_default();
    Ok(serde_json::json!({ "headers": headers, "records": rows.collect::<Vec<_>>() }))
}

/// "1 field", "3 fields".
fn fields(n: usize) -> String {
    if n == 1 {
        "1 field".to_string()
    } else {
        format!("{n} fields")
    }
}

/// The line and column (from 1, in characters) of a quote that opens a CSV field and is never
/// closed, as RFC 4180 reads quotes: only a quote at the start of a field opens one, and `""`
/// inside it is a quote.
fn unclosed_quote(text: &str) -> Option<(usize, usize)> {
    let (mut line, mut col) = (1, 0);
    let mut open: Option<(usize, usize)> = None;
    let mut field_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        col += 1;
        match (open.is_some(), c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                col += 1;
            }
            (true, '"') => open = None,
            (false, '"') if field_start => open = Some((line, col)),
            (false, ',') => field_start = true,
            (_, '\n') => {
                line += 1;
                col = 0;
                field_start = true;
            }
            _ => field_start = false,
        }
        if c != ',' && c != '\n' {
            field_start = false;
        }
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_parses() {
        assert_eq!(
            parse("a: 1\nb: [x]\n", "yaml", "f").unwrap(),
            serde_json::json!({"a": 1, "b": ["x"]})
        );
        assert_eq!(
            parse("{\"a\": true}", "json", "f").unwrap(),
            serde_json::json!({"a": true})
        );
        assert_eq!(
            parse("a = 1\n[t]\nb = \"x\"\n", "toml", "f").unwrap(),
            serde_json::json!({"a": 1, "t": {"b": "x"}})
        );
        assert_eq!(
            parse(
                "name,price\n\"Session, 60 min\",90\nStudent,70\n",
                "csv",
                "f"
            )
            .unwrap(),
            serde_json::json!({"headers": ["name", "price"], "records": [["Session, 60 min", "90"], ["Student", "70"]]})
        );
        // Quotes inside quoted fields, a quote inside an unquoted field, a newline in quotes.
        assert_eq!(
            parse(
                "a,b\n\"say \"\"hi\"\"\",5\"\n\"two\nlines\",x\n",
                "csv",
                "f"
            )
            .unwrap(),
            serde_json::json!({"headers": ["a", "b"], "records": [["say \"hi\"", "5\""], ["two\nlines", "x"]]})
        );
        assert_eq!(parse("hi", "plain", "f").unwrap(), serde_json::json!("hi"));
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let e = parse("a: 1\nb: [\n", "yaml", "data/x.yaml").unwrap_err();
        assert!(e.message.starts_with("data/x.yaml, line "), "{e}");
        let e = parse("{\n\"a\": }", "json", "data/x.json").unwrap_err();
        assert!(e.message.starts_with("data/x.json, line 2, column"), "{e}");
        let e = parse("a = 1\nb = \n", "toml", "data/x.toml").unwrap_err();
        assert!(e.message.starts_with("data/x.toml, line 2, column"), "{e}");
        let e = parse("a,b\n\"x,y\n", "csv", "data/x.csv").unwrap_err();
        assert!(
            e.message
                .starts_with("data/x.csv, line 2, column 1: this quote is never closed"),
            "{e}"
        );
        let e = parse("name,price\nA,1\nSession,90,extra\n", "csv", "data/p.csv").unwrap_err();
        assert!(
            e.message.starts_with(
                "data/p.csv, line 3: this row has 3 fields but the header row has 2 fields"
            ),
            "{e}"
        );
        let e = parse("name,price\nShort\n", "csv", "data/p.csv").unwrap_err();
        assert!(
            e.message.contains("line 2: this row has 1 field but"),
            "{e}"
        );
        let e = parse("x", "xml", "f").unwrap_err();
        assert!(e.message.contains("not a format"));
    }

    #[test]
    fn paths_must_stay_inside_the_site() {
        let root = Path::new("/nonexistent-root");
        for bad in ["../x.yaml", "/etc/passwd", ""] {
            assert!(
                load(root, bad, None)
                    .unwrap_err()
                    .message
                    .contains("inside the site"),
                "{bad}"
            );
        }
        assert!(
            load(root, "data/none.yaml", None)
                .unwrap_err()
                .message
                .contains("there is no file data/none.yaml")
        );
    }
}
