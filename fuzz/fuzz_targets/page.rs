//! The whole page pipeline, through the code a build uses: any bytes as one more page of the
//! studio site (`content/fuzz.md`, the project's own `content/`, `config.yaml` and theme),
//! parsed, placed in the site tree, rendered to HTML with the link and anchor checks and the
//! theme's templates; diagnostics are rendered as the owner would see them.
//!
//! The config, the parsed templates, the studio's documents and its static files are loaded
//! once. The loaded templates are unbound; each render binds its own input's site data to a
//! fresh copy (`Templates::bind`, inside `render::site`), so no input's template functions
//! (`get_url`, `get_page`, `get_section`) answer from another input's site. The static files are
//! passed as a build passes them: without them every link to an image in `static/` is broken
//! and no input ever reached the templates.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stillpoint::config::{Config, Overrides};
use stillpoint::content::{self, Document, SourceFile};
use stillpoint::site::AssetCopy;
use stillpoint::templates::Templates;
use stillpoint::{Timings, output, render, site};
use stillpoint_fuzz::{project_root, show, source_file};

struct Fixture {
    config: Config,
    /// Parsed once, unbound; every render binds a copy to its input's site (see the module doc).
    templates: Templates,
    files: Vec<SourceFile>,
    docs: Vec<Document>,
    /// The theme's and the site's `static/` files, as `build` lists them.
    statics: Vec<AssetCopy>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let root = project_root();
        let run = || -> stillpoint::Result<Fixture> {
            let config = Config::load(&root, &Overrides::default())?;
            let templates = Templates::load(&config)?;
            let files = content::discover(&config)?;
            let docs = content::parse(&files)?;
            let statics = render::static_files(&config)?;
            Ok(Fixture {
                config,
                templates,
                files,
                docs,
                statics,
            })
        };
        match run() {
            Ok(f) => f,
            Err(e) => panic!("the studio site does not load: {e:?}"),
        }
    })
}

// After libFuzzer's aborting panic hook: a panic that stillpoint catches and reports (the
// markdown parser's, see `stillpoint::panics`) is tested as the error it becomes; any other
// panic still aborts.
fuzz_target!(init: stillpoint::panics::install_hook(), |data: &[u8]| {
    let f = fixture();
    let file = source_file(&f.config.root, "fuzz.md");
    let doc = match content::document_from_bytes(&file, data) {
        Ok(d) => d,
        Err(e) => return show(e),
    };
    let mut files = f.files.clone();
    files.push(file);
    let mut docs = f.docs.clone();
    docs.push(doc);
    let mut tree = match site::SiteTree::assemble(docs, &files, &f.config) {
        Ok(t) => t,
        Err(e) => return show(e),
    };
    // The render binds a fresh copy of the templates to this input's site.
    let sink = output::MemorySink::new();
    let rendered = render::site(
        &f.config,
        &mut tree,
        &f.templates,
        f.statics.clone(),
        &sink,
        &mut Timings::start(),
    );
    match rendered {
        Ok(_) => {
            for (path, bytes) in &sink.into_files() {
                assert!(!path.starts_with('/') && !path.split('/').any(|s| s == ".."), "{path}");
                if path.ends_with(".html") {
                    assert!(std::str::from_utf8(bytes).is_ok(), "{path} is not UTF-8");
                }
            }
        }
        Err(e) => show(e),
    }
});
