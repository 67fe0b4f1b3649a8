//! The floor: the least work any markdown site generator must do, for comparing stillpoint
//! against (issue 5). It reads every markdown file under `SITE/content`, strips the front matter
//! (the lines between the first two `---` lines), renders the body with pulldown-cmark and writes
//! the HTML as `OUT/<path>/index.html` (pretty URLs; `_index.md` gives its folder's
//! `index.html`), in parallel with rayon. No templates, no links, no listings.
//!
//! Usage: `cargo run --release --example floor -- SITE OUT` (the command line that
//! `/work/shared/bench/run_anchors.py --floor` expects). OUT must not exist yet.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pulldown_cmark::{Options, Parser, html};
use rayon::prelude::*;

fn body(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else {
        return text;
    };
    match rest.find("\n---\n") {
        Some(end) => &rest[end + 5..],
        None => text,
    }
}

fn output_for(rel: &Path) -> PathBuf {
    let stem = rel.with_extension("");
    if stem.file_name().is_some_and(|n| n == "_index") {
        stem.with_file_name("index.html")
    } else {
        stem.join("index.html")
    }
}

fn run(site: &Path, out: &Path) -> std::io::Result<usize> {
    let content = site.join("content");
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    files.par_iter().try_for_each(|path| {
        let text = std::fs::read_to_string(path)?;
        let mut html_out = String::with_capacity(text.len() * 3 / 2);
        html::push_html(&mut html_out, Parser::new_ext(body(&text), options));
        let rel = path.strip_prefix(&content).unwrap_or(path);
        let to = out.join(output_for(rel));
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(to, html_out)
    })?;
    Ok(files.len())
}

#[allow(clippy::print_stderr)]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [site, out] = args.as_slice() else {
        eprintln!("usage: floor SITE OUT");
        return ExitCode::from(2);
    };
    match run(Path::new(site), Path::new(out)) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("floor: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_stripped_and_sections_keep_their_folder() {
        assert_eq!(body("---\ntitle: a\n---\n# x\n"), "# x\n");
        assert_eq!(body("# no front matter\n"), "# no front matter\n");
        assert_eq!(
            output_for(Path::new("sec-1/page-2.md")),
            Path::new("sec-1/page-2/index.html")
        );
        assert_eq!(
            output_for(Path::new("sec-1/_index.md")),
            Path::new("sec-1/index.html")
        );
        assert_eq!(output_for(Path::new("_index.md")), Path::new("index.html"));
    }
}
