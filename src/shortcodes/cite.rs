//! Citations, part of shortcode expansion ([`super`]): `cite(key=…)` numbers the entries of
//! `data/references.yaml` in order of first citation on the page, and `references()` lists the
//! cited entries in that order, with links back to each citation grouped by the section heading
//! above it. A page that cites without calling `references()` gets the list at its end.
//!
//! In: the calls, as [`Expander`] meets them, and the page's HTML with placeholders. Out: the
//! `cite` template's context and the `references` placeholders' HTML. It reads no files: the
//! reference list comes in [`super::Env`].
//!
//! A child of `expand` (declared there with `#[path]`), as it adds to the [`Expander`] and reads
//! its placeholders.

use std::collections::HashMap;

use tera::{Context, Value};

use super::{
    BLOCK_CLOSE, BLOCK_OPEN, Expander, INLINE_CLOSE, INLINE_OPEN, number_before, strip_tags,
};
use crate::markdown;
use crate::references::REFERENCES_FILE;
use crate::shortcodes::Call;

/// One use of `cite`: which entry, which placeholder, and its anchor id.
pub(super) struct Cite {
    pub(super) key: String,
    pub(super) output: usize,
    pub(super) id: String,
}

impl Expander<'_> {
    /// Numbers a citation and adds `number`, `reference`, `id` and `href` to its context.
    /// False (with an error recorded) when the key is missing or unknown.
    pub(super) fn cite(&mut self, call: &Call, ctx: &mut Context) -> bool {
        let refs = self.env.references;
        let Some(arg) = call.args.iter().find(|a| a.name == "key") else {
            self.error(
                call.range.clone(),
                "the shortcode `cite` needs a `key`".into(),
                "no key",
                "name the reference, as in `{{ cite(key=\"haller-2020\") }}`; keys are the names in data/references.yaml".into(),
            );
            return false;
        };
        let crate::shortcodes::Value::Str(key) = &arg.value else {
            self.error(
                arg.range.clone(),
                "the `key` of `cite` must be text in quotes".into(),
                "not text",
                "write `key=\"haller-2020\"`".into(),
            );
            return false;
        };
        if refs.unreadable {
            // The list's own mistake is the one error; each citation would only repeat it.
            return false;
        }
        if !refs.exists {
            self.error(
                arg.range.clone(),
                format!("`cite` needs a reference list, but there is no {REFERENCES_FILE}"),
                "no reference list",
                format!("create {REFERENCES_FILE} with an entry `{key}:` (see the README)"),
            );
            return false;
        }
        let Some(entry) = refs.get(key) else {
            let help = match crate::error::closest(refs.entries.iter().map(|e| e.key.as_str()), key)
            {
                Some(k) => format!("did you mean `{k}`? Keys are the names in {REFERENCES_FILE}"),
                None => format!("add `{key}:` to {REFERENCES_FILE}, or check the spelling"),
            };
            self.error(
                arg.range.clone(),
                format!("no reference `{key}` in {REFERENCES_FILE}"),
                "unknown reference",
                help,
            );
            return false;
        };
        let number = match self.cited.iter().position(|k| k == key) {
            Some(i) => i + 1,
            None => {
                self.cited.push(key.clone());
                self.cited.len()
            }
        };
        let uses = self.cites.iter().filter(|c| c.key == *key).count();
        let id = format!("cite:{key}:{}", uses + 1);
        ctx.insert("number", &number);
        ctx.insert("reference", entry);
        ctx.insert("id", &id);
        ctx.insert("href", &format!("#ref:{key}"));
        self.cites.push(Cite {
            key: key.clone(),
            output: usize::MAX,
            id,
        });
        true
    }

    /// Renders the `references()` placeholders, now that every citation and the section
    /// heading above it are known. `html` is the page's HTML with placeholders.
    pub(super) fn fill_lists(&mut self, html: &str) {
        if self.lists.is_empty() {
            return;
        }
        let items = self.reference_items(html);
        let lists = self.lists.clone();
        for (n, auto, offset) in lists {
            let mut ctx = Context::new();
            ctx.insert_value("config", self.env.config.clone());
            ctx.insert_value(self.env.page_key, self.env.page.get().clone());
            ctx.insert_value("references", Value::from(items.clone()));
            ctx.insert("auto", &auto);
            let template = "shortcodes/references.html";
            if !self.env.templates.has(template) {
                self.error(
                    offset..offset + 1,
                    "the page cites references, but there is no shortcode `references` to list them".into(),
                    "needs a reference list",
                    "add templates/shortcodes/references.html, or use a theme that has one".into(),
                );
                return;
            }
            match self
                .env
                .templates
                .render(template, &ctx, &self.doc.shown.display().to_string())
            {
                Ok(h) => {
                    if let Some(o) = self.outputs.get_mut(n) {
                        *o = h;
                    }
                }
                Err(d) => {
                    let call = Call {
                        name: "references".into(),
                        name_range: offset..offset + 1,
                        args: Vec::new(),
                        range: offset..offset + 1,
                        body: None,
                    };
                    self.template_error(&call, template, &d);
                }
            }
        }
    }

    /// The cited entries in citation order, as the `references` template sees them: each
    /// entry's fields plus `number`, `citations` (id and section of each use) and `sections`
    /// (the first use in each section). `html` is the page's HTML with placeholders.
    fn reference_items(&self, html: &str) -> Vec<Value> {
        let sections = sections_of_placeholders(html);
        let mut items: Vec<Value> = Vec::new();
        for (i, key) in self.cited.iter().enumerate() {
            let Some(entry) = self.env.references.get(key) else {
                continue;
            };
            let mut citations = Vec::new();
            let mut grouped: Vec<serde_json::Value> = Vec::new();
            for c in self.cites.iter().filter(|c| &c.key == key) {
                let (sid, stitle) = sections.get(&c.output).cloned().unwrap_or_default();
                citations.push(
                    serde_json::json!({"id": c.id, "section_id": sid, "section_title": stitle}),
                );
                if !grouped.iter().any(|g| g["section_id"] == sid.as_str()) {
                    grouped
                        .push(serde_json::json!({"id": c.id, "section_id": sid, "title": stitle}));
                }
            }
            let mut v = serde_json::to_value(entry).unwrap_or_default();
            if let Some(m) = v.as_object_mut() {
                m.insert("number".into(), (i + 1).into());
                m.insert("citations".into(), citations.into());
                m.insert("sections".into(), grouped.into());
            }
            items.push(Value::from_serializable(&v));
        }
        items
    }
}

/// Each placeholder's number -> the id and text of the nearest `<h2>`/`<h3>` before it.
fn sections_of_placeholders(html: &str) -> HashMap<usize, (String, String)> {
    let mut out = HashMap::new();
    let mut current = (String::new(), String::new());
    let mut i = 0;
    let close = INLINE_CLOSE.to_string();
    while let Some(rest) = html.get(i..) {
        let Some(next) = rest.find(['<', INLINE_OPEN]) else {
            break;
        };
        let at = i + next;
        let tail = html.get(at..).unwrap_or("");
        if let Some(t) = tail.strip_prefix(INLINE_OPEN) {
            if let Some((n, len)) = number_before(t, &close) {
                out.insert(n, current.clone());
                i = at + INLINE_OPEN.len_utf8() + len;
                continue;
            }
        } else if let Some(t) = tail.strip_prefix(BLOCK_OPEN) {
            if let Some((n, len)) = number_before(t, BLOCK_CLOSE) {
                out.insert(n, current.clone());
                i = at + BLOCK_OPEN.len() + len;
                continue;
            }
        } else if (tail.starts_with("<h2") || tail.starts_with("<h3"))
            && let Some(end) = tail.find('>')
        {
            let tag = tail.get(..end).unwrap_or("");
            let id = tag
                .split_once("id=\"")
                .and_then(|(_, r)| r.split_once('"'))
                .map(|(id, _)| id.to_string())
                .unwrap_or_default();
            // Headings are short: look for the end tag in a bounded window, so raw HTML with
            // many unclosed `<h2` stays linear.
            let mut cut = tail.len().min(end + 4096);
            while !tail.is_char_boundary(cut) {
                cut -= 1;
            }
            let window = tail.get(..cut).unwrap_or("");
            let inner_end = window.find("</h").unwrap_or(window.len());
            let inner = tail.get(end + 1..inner_end.max(end + 1)).unwrap_or("");
            current = (id, strip_tags(inner, Some((INLINE_OPEN, INLINE_CLOSE))));
            i = at + end + 1;
            continue;
        }
        i = at + tail.chars().next().map_or(1, char::len_utf8);
    }
    out
}

/// Removes placeholders from the table of contents' titles.
pub(super) fn clean_toc(toc: &mut [markdown::Heading]) {
    for h in toc {
        if h.title.contains(INLINE_OPEN) {
            h.title = strip_tags(&h.title, Some((INLINE_OPEN, INLINE_CLOSE)));
        }
        clean_toc(&mut h.children);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_know_their_section() {
        let html = format!(
            "<p>{INLINE_OPEN}0{INLINE_CLOSE}</p><h2 id=\"a\">Alpha <em>one</em></h2><p>{INLINE_OPEN}1{INLINE_CLOSE}</p><h3 id=\"b\">Beta</h3>{BLOCK_OPEN}2{BLOCK_CLOSE}"
        );
        let s = sections_of_placeholders(&html);
        assert_eq!(s[&0], (String::new(), String::new()));
        assert_eq!(s[&1], ("a".to_string(), "Alpha one".to_string()));
        assert_eq!(s[&2], ("b".to_string(), "Beta".to_string()));
    }
}
