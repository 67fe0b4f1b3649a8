//! The site's reference list for citations: `data/references.yaml`, read once per build.
//!
//! In: the site root. Out: [`References`], the entries by key in file order. The `cite` and
//! `references` shortcodes use it (see [`crate::shortcodes::expand`]). The file is a map from a
//! key (the name used in `{{ cite(key="haller-2020") }}`) to an entry:
//!
//! ```yaml
//! haller-2020:
//!   authors: Haller H, Lauche R, Sundberg T, Dobos G, Cramer H   # or a list of names
//!   year: 2020                                                    # or text, e.g. "n.d."
//!   title: "Craniosacral therapy for chronic pain: a systematic review"
//!   journal: BMC Musculoskelet Disord        # optional
//!   details: "2020;21:1"                     # optional: volume, issue, pages
//!   doi: 10.1186/s12891-019-3017-y          # optional
//!   pmid: "31992279"                          # optional
//!   url: https://example.org/                 # optional
//!   short: Haller 2020                        # optional: how a citation names it
//!   note: Full report at …                    # optional, shown after the entry
//! ```
//!
//! Only `title` is required. A malformed file or an unknown field is an error naming the file
//! and line.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Diagnostic, Error, Result};

/// Where the reference list lives, relative to the site root.
pub const REFERENCES_FILE: &str = "data/references.yaml";

const FIELDS: &[&str] = &[
    "authors", "year", "title", "journal", "details", "doi", "pmid", "url", "short", "note",
];

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Authors {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Urls {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Year {
    Number(i64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    authors: Option<Authors>,
    year: Option<Year>,
    title: String,
    journal: Option<String>,
    details: Option<String>,
    doi: Option<String>,
    pmid: Option<Year>,
    url: Option<Urls>,
    short: Option<String>,
    note: Option<String>,
}

/// One entry of the reference list, as templates see it (all text fields; absent ones empty).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    /// The key it is cited by.
    pub key: String,
    /// Authors, joined with ", " when given as a list.
    pub authors: String,
    /// The year as written (`2020`, `n.d.`).
    pub year: String,
    /// The title.
    pub title: String,
    /// The journal or publisher.
    pub journal: String,
    /// Volume, issue and pages.
    pub details: String,
    /// The DOI without `https://doi.org/`.
    pub doi: String,
    /// The PubMed id.
    pub pmid: String,
    /// A web address: the first `url`, else the DOI's `https://doi.org/…`, else the PubMed page.
    pub url: String,
    /// Every link to show: the DOI (`doi:…`), the PubMed page (`PMID …`), then each `url`
    /// (its text is the host name without `www.`).
    pub links: Vec<Link>,
    /// How a citation names it: `short`, else the first author's first word and the year
    /// (`Haller 2020`).
    pub short: String,
    /// Anything else to show after the entry.
    pub note: String,
}

/// A link of an entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    /// Where it goes.
    pub url: String,
    /// What it says.
    pub text: String,
}

/// The host of `url` without `www.`, or the whole `url` when it has none.
fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.strip_prefix("www.").unwrap_or(host).to_string()
}

/// The reference list: entries in file order.
#[derive(Debug, Clone, Default)]
pub struct References {
    /// The entries, in the order of the file.
    pub entries: Vec<Entry>,
    /// False when the site has no `data/references.yaml`.
    pub exists: bool,
    /// True when `data/references.yaml` exists but could not be read (its errors are reported
    /// once, by whoever loaded it): citations then report nothing of their own.
    pub unreadable: bool,
}

impl References {
    /// Reads `data/references.yaml` under `root`; an absent file gives an empty list.
    ///
    /// Errors: an unreadable file, a YAML syntax error, a field that is not one of the known
    /// ones, an entry without `title`: each with the file and line.
    pub fn load(root: &Path) -> Result<References> {
        let path = root.join(REFERENCES_FILE);
        if !path.is_file() {
            return Ok(References::default());
        }
        let bytes = crate::fs::read(&path)?;
        let shown = Path::new(REFERENCES_FILE);
        let text = crate::content::decode_utf8(&bytes, shown)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        Self::parse(text).map_err(|d| Error::one(*d))
    }

    /// Parses the text of a references file (see the module doc). Errors as [`Self::load`].
    pub fn parse(text: &str) -> std::result::Result<References, Box<Diagnostic>> {
        let entries = if crate::yaml::is_empty_document(text) {
            Vec::new()
        } else {
            raw_entries(text)?
                .into_iter()
                .map(|(key, raw)| Entry::from_raw(key, raw))
                .collect()
        };
        Ok(References {
            entries,
            exists: true,
            unreadable: false,
        })
    }

    /// The entry cited as `key`.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// The entries of a (non-empty) references file as written, in file order. Errors: the YAML
/// mistake, as a diagnostic at its line in [`REFERENCES_FILE`].
fn raw_entries(text: &str) -> std::result::Result<Vec<(String, RawEntry)>, Box<Diagnostic>> {
    match crate::yaml::from_str::<serde_yaml_map::Ordered<RawEntry>>(text) {
        Ok(m) => Ok(m.0),
        Err(e) => {
            let at = crate::yaml::YamlSource {
                what: "the reference list has a mistake",
                file: Path::new(REFERENCES_FILE),
                source: text,
                first_line: 1,
                fence_line: text.lines().count() + 1,
                fields: FIELDS,
                unknown_help: "a reference has the fields authors, year, title, journal, details, doi, pmid, url, short and note",
            };
            Err(Box::new(crate::yaml::to_diagnostic(&e, &at)))
        }
    }
}

impl Entry {
    /// The entry cited as `key`, from its fields as written: every field as text, the links
    /// and `url` worked out, and `short` made when it is not given.
    fn from_raw(key: String, r: RawEntry) -> Entry {
        let authors = match r.authors {
            Some(Authors::One(s)) => s,
            Some(Authors::Many(v)) => v.join(", "),
            None => String::new(),
        };
        let text = |y: Option<Year>| match y {
            Some(Year::Number(n)) => n.to_string(),
            Some(Year::Text(s)) => s,
            None => String::new(),
        };
        let year = text(r.year);
        let pmid = text(r.pmid);
        let doi = r.doi.unwrap_or_default();
        let urls = match r.url {
            Some(Urls::One(u)) => vec![u],
            Some(Urls::Many(v)) => v,
            None => Vec::new(),
        };
        let links = links(&doi, &pmid, &urls);
        let url = urls
            .first()
            .cloned()
            .or_else(|| links.first().map(|l| l.url.clone()))
            .unwrap_or_default();
        let short = r.short.unwrap_or_else(|| {
            let first = authors
                .split([' ', ','])
                .find(|w| !w.is_empty())
                .unwrap_or(&key);
            if year.is_empty() {
                first.to_string()
            } else {
                format!("{first} {year}")
            }
        });
        Entry {
            key,
            authors,
            year,
            title: r.title,
            journal: r.journal.unwrap_or_default(),
            details: r.details.unwrap_or_default(),
            doi,
            pmid,
            url,
            links,
            short,
            note: r.note.unwrap_or_default(),
        }
    }
}

/// An entry's links: the DOI, the PubMed page, then each of `urls`, for those given.
fn links(doi: &str, pmid: &str, urls: &[String]) -> Vec<Link> {
    let mut links = Vec::new();
    if !doi.is_empty() {
        links.push(Link {
            url: format!("https://doi.org/{doi}"),
            text: format!("doi:{doi}"),
        });
    }
    if !pmid.is_empty() {
        links.push(Link {
            url: format!("https://pubmed.ncbi.nlm.nih.gov/{pmid}/"),
            text: format!("PMID {pmid}"),
        });
    }
    for u in urls {
        links.push(Link {
            url: u.clone(),
            text: host(u),
        });
    }
    links
}

/// A YAML map read in file order (serde's maps do not keep it).
mod serde_yaml_map {
    use std::fmt;

    use serde::Deserialize;
    use serde::de::{MapAccess, Visitor};

    pub struct Ordered<T>(pub Vec<(String, T)>);

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<T>(std::marker::PhantomData<T>);
            impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
                type Value = Ordered<T>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a map from citation keys to references")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                    let mut out: Vec<(String, T)> = Vec::new();
                    while let Some(key) = map.next_key::<String>()? {
                        if out.iter().any(|(k, _)| *k == key) {
                            return Err(serde::de::Error::custom(format!(
                                "the key `{key}` is given twice"
                            )));
                        }
                        let value = map.next_value::<T>()?;
                        out.push((key, value));
                    }
                    Ok(Ordered(out))
                }
            }
            d.deserialize_map(V(std::marker::PhantomData))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_file_order_and_derive_url_and_short() {
        let r = References::parse(
            "b-2020:\n  authors: [Haller H, Lauche R]\n  year: 2020\n  title: T\n  doi: 10.1/x\na-nd:\n  authors: Upledger JE\n  year: n.d.\n  title: U\n  pmid: 123\n",
        )
        .unwrap();
        let keys: Vec<&str> = r.entries.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, vec!["b-2020", "a-nd"]);
        assert_eq!(r.entries[0].authors, "Haller H, Lauche R");
        assert_eq!(r.entries[0].url, "https://doi.org/10.1/x");
        assert_eq!(r.entries[0].short, "Haller 2020");
        assert_eq!(r.entries[1].url, "https://pubmed.ncbi.nlm.nih.gov/123/");
        assert_eq!(r.entries[1].short, "Upledger n.d.");
        assert_eq!(r.entries[0].links[0].text, "doi:10.1/x");
        let r = References::parse("a:\n  title: T\n  url: [https://www.x.org/a, http://y.com]\n")
            .unwrap();
        let texts: Vec<&str> = r.entries[0].links.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, vec!["x.org", "y.com"]);
    }

    #[test]
    fn unknown_field_is_an_error_at_its_line() {
        let d = References::parse("a:\n  title: T\n  jornal: X\n").unwrap_err();
        assert_eq!(d.span.map(|s| s.line), Some(3));
        assert_eq!(d.file.as_deref(), Some(Path::new(REFERENCES_FILE)));
        assert!(d.help.unwrap_or_default().contains("journal"));
    }

    #[test]
    fn syntax_error_names_the_line() {
        let d = References::parse("a:\n  title: T\n b: [\n").unwrap_err();
        assert!(d.span.is_some());
        assert!(d.message.contains(REFERENCES_FILE), "{}", d.message);
    }
}
