//! Test harness: `TestSite`, after mdBook's `BookTest`.
//!
//! `TestSite::fixture("minimal")` copies `tests/fixtures/minimal/` into a fresh temporary folder
//! (every copy writable, so tests may edit it), `.file(path, text)` adds or replaces a file, and
//! `.build()` runs the real `stillpoint` binary on it with `--root`, returning what it printed
//! with the temporary path replaced by `[ROOT]`, so messages can be compared and snapshotted.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// The folder holding the fixtures.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// The three templates every small site needs, printing the fields tests look for.
pub const INDEX_HTML: &str = r#"<!doctype html>
<html lang="{{ config.language }}"><head><meta charset="utf-8"><title>{{ config.title }}</title></head>
<body>
<h1>{{ section.title }}</h1>
<main>
{{ section.content | safe }}
</main>
<ul class="pages">
{% for p in section.pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a></li>
{% endfor %}</ul>
</body>
</html>
"#;

/// See [`INDEX_HTML`].
pub const SECTION_HTML: &str = r#"<!doctype html>
<html lang="{{ config.language }}"><head><meta charset="utf-8"><title>{{ section.title }}</title></head>
<body>
<h1>{{ section.title }}</h1>
<main>
{{ section.content | safe }}
</main>
<ul class="pages">
{% for p in section.pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a></li>
{% endfor %}</ul>
</body>
</html>
"#;

/// See [`INDEX_HTML`].
pub const PAGE_HTML: &str = r#"<!doctype html>
<html lang="{{ config.language }}"><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body>
<h1>{{ page.title }}</h1>
<main>
{{ page.content | safe }}
</main>
</body>
</html>
"#;

/// A site in a temporary folder. The folder is deleted when the value is dropped.
pub struct TestSite {
    _dir: TempDir,
    root: PathBuf,
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output, with the site's path replaced by `[ROOT]`.
    pub stdout: String,
    /// Standard error, with the site's path replaced by `[ROOT]`.
    pub stderr: String,
}

impl Run {
    /// Panics (showing stderr) unless the run exited with 0.
    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "expected success\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics (showing stderr) unless the run exited with `code`.
    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit code {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics unless stderr contains `text`.
    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "expected stderr to contain {text:?}\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    /// Panics if stderr contains `text`.
    #[track_caller]
    pub fn stderr_lacks(&self, text: &str) -> &Self {
        assert!(
            !self.stderr.contains(text),
            "expected stderr not to contain {text:?}\n--- stderr\n{}",
            self.stderr
        );
        self
    }

    /// Each error of the run: its first line without `error: `, and the `file:line:col` of the
    /// `--> ` line after it ("" when there is none), in order.
    pub fn errors(&self) -> Vec<(String, String)> {
        let lines: Vec<&str> = self.stderr.lines().collect();
        let mut out = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            if let Some(message) = line.strip_prefix("error: ") {
                let at = lines
                    .get(i + 1)
                    .and_then(|l| l.trim_start().strip_prefix("--> "))
                    .unwrap_or_default();
                out.push((message.to_string(), at.to_string()));
            }
        }
        out
    }

    /// Stderr with the build time (`in 12 ms`) replaced, for snapshots.
    pub fn stderr_stable(&self) -> String {
        let mut out = String::with_capacity(self.stderr.len());
        for line in self.stderr.split_inclusive('\n') {
            match (line.rfind(" in "), line.trim_end().ends_with(" ms")) {
                (Some(i), true) if line.starts_with("Built ") => {
                    out.push_str(&line[..i]);
                    out.push_str(" in [ELAPSED] ms");
                    if line.ends_with('\n') {
                        out.push('\n');
                    }
                }
                _ => out.push_str(line),
            }
        }
        out
    }
}

/// Copies the folder `from` into `to` (created): folders, files (made writable, so that tests
/// may edit copies of read-only fixtures) and symbolic links as links.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(fs::read_link(entry.path()).unwrap(), &target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
            let mut perms = fs::metadata(&target).unwrap().permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            fs::set_permissions(&target, perms).unwrap();
        }
    }
}

impl TestSite {
    fn in_tempdir() -> (TempDir, PathBuf) {
        let dir = tempfile::Builder::new()
            .prefix("stillpoint-it-")
            .tempdir()
            .unwrap();
        let root = dir.path().join("site");
        fs::create_dir(&root).unwrap();
        (dir, root)
    }

    /// A copy of `tests/fixtures/<name>/` (`name` may be nested: `invalid/wrong_type`).
    pub fn fixture(name: &str) -> Self {
        let (dir, root) = Self::in_tempdir();
        let from = fixtures_dir().join(name);
        assert!(from.is_dir(), "no fixture {}", from.display());
        copy_tree(&from, &root);
        TestSite { _dir: dir, root }
    }

    /// A site with a `config.yaml` (title, base_url `https://example.org`) and the three
    /// standard templates, but no content.
    pub fn new() -> Self {
        let (dir, root) = Self::in_tempdir();
        let site = TestSite { _dir: dir, root };
        site.file(
            "config.yaml",
            "title: Test site\nbase_url: https://example.org\n",
        )
        .file("templates/index.html", INDEX_HTML)
        .file("templates/section.html", SECTION_HTML)
        .file("templates/page.html", PAGE_HTML);
        site
    }

    /// A copy of `tests/fixtures/<name>/` with this repository's `themes/default/` copied into
    /// it, for fixtures whose `config.yaml` says `theme: default`.
    pub fn fixture_with_default_theme(name: &str) -> Self {
        let site = Self::fixture(name);
        copy_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
            &site.root.join("themes/default"),
        );
        site
    }

    /// An empty folder.
    pub fn empty() -> Self {
        let (dir, root) = Self::in_tempdir();
        TestSite { _dir: dir, root }
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A path inside the site root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Writes `text` to `rel`, creating folders.
    pub fn file(&self, rel: &str, text: &str) -> &Self {
        self.bytes(rel, text.as_bytes())
    }

    /// Writes `bytes` to `rel`, creating folders.
    pub fn bytes(&self, rel: &str, bytes: &[u8]) -> &Self {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, bytes).unwrap();
        self
    }

    /// Deletes a file or folder.
    pub fn remove(&self, rel: &str) -> &Self {
        let p = self.path(rel);
        if p.is_dir() {
            fs::remove_dir_all(&p).unwrap();
        } else {
            fs::remove_file(&p).unwrap();
        }
        self
    }

    /// Runs `stillpoint build --root <site>`.
    pub fn build(&self) -> Run {
        self.build_with(&[])
    }

    /// Runs `stillpoint build --root <site> <args...>`.
    pub fn build_with(&self, args: &[&str]) -> Run {
        let mut all = vec!["build", "--root", self.root.to_str().unwrap()];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// Runs the binary with exactly `args`, in the site's folder.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.root, args)
    }

    /// Runs the binary with exactly `args`, in the folder `cwd`.
    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        let out = assert_cmd::cargo::cargo_bin_cmd!("stillpoint")
            .args(args)
            .current_dir(cwd)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: self.normalize(&String::from_utf8_lossy(&out.stdout)),
            stderr: self.normalize(&String::from_utf8_lossy(&out.stderr)),
        }
    }

    /// Replaces the temporary folder's path (as given and canonical) by `[ROOT]` (the site
    /// root) or `[TMP]` (its parent, where `--output` folders go).
    pub fn normalize(&self, text: &str) -> String {
        let mut text = text.to_string();
        let mut roots = vec![self.root.clone()];
        if let Ok(c) = self.root.canonicalize() {
            roots.push(c);
        }
        for r in &roots {
            text = text.replace(r.to_str().unwrap(), "[ROOT]");
        }
        for r in &roots {
            text = text.replace(r.parent().unwrap().to_str().unwrap(), "[TMP]");
        }
        text
    }

    /// A path next to the site root (outside it), for `--output`.
    pub fn outside(&self, name: &str) -> PathBuf {
        self.root.parent().unwrap().join(name)
    }

    /// The text of `rel`.
    #[track_caller]
    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// The bytes of `rel`.
    #[track_caller]
    pub fn read_bytes(&self, rel: &str) -> Vec<u8> {
        fs::read(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Whether `rel` exists.
    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// Panics unless the file `rel` contains `text`.
    #[track_caller]
    pub fn assert_file_contains(&self, rel: &str, text: &str) -> &Self {
        let body = self.read(rel);
        assert!(
            body.contains(text),
            "{rel} should contain {text:?}\n--- {rel}\n{body}"
        );
        self
    }

    /// Panics if the file `rel` contains `text`.
    #[track_caller]
    pub fn assert_file_lacks(&self, rel: &str, text: &str) -> &Self {
        let body = self.read(rel);
        assert!(
            !body.contains(text),
            "{rel} should not contain {text:?}\n--- {rel}\n{body}"
        );
        self
    }

    /// Panics if `rel` exists.
    #[track_caller]
    pub fn assert_missing(&self, rel: &str) -> &Self {
        assert!(!self.exists(rel), "{rel} should not exist");
        self
    }

    /// Makes `public/` look like an earlier build by stillpoint (its marker, a page, a dotfile),
    /// so a failed build can be checked to leave it alone.
    pub fn seed_output(&self) -> &Self {
        self.file("public/.stillpoint-output", "made by stillpoint\n")
            .file("public/index.html", "<p>the previous site</p>\n")
            .file("public/faq/index.html", "<p>the previous FAQ</p>\n")
            .file("public/.nojekyll", "")
    }

    /// Every file and folder under `public/` with its bytes.
    pub fn output_tree(&self) -> BTreeMap<String, Vec<u8>> {
        tree_hash(&self.path("public"))
    }

    /// The sorted list of files under `rel` (relative, with `/`).
    pub fn list(&self, rel: &str) -> Vec<String> {
        tree_hash(&self.path(rel))
            .into_keys()
            .filter(|k| !k.ends_with('/'))
            .collect()
    }
}

/// Every file (path -> bytes) and folder (`path/` -> empty) under `dir`, relative, with `/`.
/// Symbolic links are recorded as `-> target`. Compare two calls to see that nothing changed.
pub fn tree_hash(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                let target = fs::read_link(&path).unwrap();
                out.insert(rel, format!("-> {}", target.display()).into_bytes());
            } else if kind.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(base, &path, out);
            } else {
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Every file under `dir` (path -> bytes): [`tree_hash`] without the folder entries, for
/// comparing a watched output with a clean build, where an empty folder does not matter.
pub fn file_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = tree_hash(dir);
    files.retain(|k, _| !k.ends_with('/'));
    files
}

/// Every `href="…"` and `src="…"` value in `html`, with `&amp;` decoded.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            // Only whole attribute names (not `data-href=`).
            let before = rest[..i].chars().last();
            rest = &rest[i + attr.len()..];
            let Some(end) = rest.find('"') else { break };
            if before.is_none_or(|c| c.is_whitespace()) {
                out.push(rest[..end].replace("&amp;", "&"));
            }
            rest = &rest[end..];
        }
    }
    out
}

/// Every `id="…"` value in `html`.
pub fn ids(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        let Some(end) = rest.find('"') else { break };
        out.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    out
}

/// Percent-decodes a URL path (`%C3%BC` -> `ü`).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The file under `out` that the site URL `url` (which starts with `base`) is served from:
/// `base/faq/` -> `out/faq/index.html`. None if `url` is not under `base`.
pub fn file_for_url(out: &Path, base: &str, url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix(base)?;
    let rest = rest.split(['#', '?']).next().unwrap_or_default();
    let rest = percent_decode(rest.trim_start_matches('/'));
    let mut p = out.join(&rest);
    if rest.is_empty() || rest.ends_with('/') || p.is_dir() {
        p = p.join("index.html");
    }
    Some(p)
}

/// Panics, listing what differs, unless two [`tree_hash`] results are equal.
#[track_caller]
pub fn assert_same_tree(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) {
    if before == after {
        return;
    }
    let mut diff = Vec::new();
    for (k, v) in before {
        match after.get(k) {
            None => diff.push(format!("removed: {k}")),
            Some(w) if w != v => diff.push(format!("changed: {k}")),
            Some(_) => {}
        }
    }
    for k in after.keys() {
        if !before.contains_key(k) {
            diff.push(format!("added: {k}"));
        }
    }
    panic!("the output folder changed:\n{}", diff.join("\n"));
}

/// The seed of a random test: the number in the environment variable `STILLPOINT_SEED` when it
/// is set, else `default`. Printed on stderr (the test harness shows it when the test fails),
/// with the command that replays the run. Panics if `STILLPOINT_SEED` is not a number.
#[allow(clippy::print_stderr)]
pub fn seed(test: &str, default: u64) -> u64 {
    let seed = match std::env::var("STILLPOINT_SEED") {
        Ok(s) => s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("STILLPOINT_SEED={s:?} is not a whole number")),
        Err(_) => default,
    };
    eprintln!(
        "{test}: seed {seed}; replay with STILLPOINT_SEED={seed} cargo test --test it {test} -- --include-ignored"
    );
    seed
}

/// A seed that differs from run to run (the clock's nanoseconds), for [`seed`]'s default where
/// each run should try new random moments.
pub fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
}

/// A small deterministic PRNG (SplitMix64), so the random tests need no crate and a failure
/// can be replayed from its seed (see [`seed`]).
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
