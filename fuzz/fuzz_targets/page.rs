//! The whole page pipeline, through the code a build uses: any bytes as one more page of the
//! studio site (`content/fuzz.md`, the project's own `content/`, `config.yaml` and theme),
//! parsed, placed in the site tree, rendered to HTML with the link and anchor checks and the
//! theme's templates; diagnostics are rendered as the owner would see them.
//!
//! The config, the parsed templates, the studio's documents and its static files are loaded
//! once. Each input renders with its own copy of the templates (`Templates::unbound`), because
//! a render binds the site's data to the template functions (`get_url`, `get_page`,
//! `get_section`) once and for all: a shared copy would answer every later input from the first
//! input's site. The static files are passed as a build passes them: without them every link
//! to an image in `static/` is broken and no input ever reached the templates.
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
    /// Parsed once; never rendered with (see the module doc), only copied per input.
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

fuzz_target!(|data: &[u8]| {
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
    let tree = match site::SiteTree::assemble(docs, &files, &f.config) {
        Ok(t) => t,
        Err(e) => return show(e),
    };
    // A fresh template set per input: the render binds this input's site to it.
    let templates = f.templates.unbound();
    let sink = output::MemorySink::new();
    let rendered = render::site(
        &f.config,
        &tree,
        &templates,
        f.statics.clone(),
        &sink,
        &mut Timings::start(),
    );
    // The shared set must stay unbound, or the next input would read this input's site.
    assert!(
        f.templates.data().is_none(),
        "the shared template set was bound to one input's site"
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
