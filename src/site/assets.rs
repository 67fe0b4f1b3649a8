//! Part of stage 4: where the files under `content/` that are not pages go. A page bundle's
//! files (a folder with `index.md`) go beside its page, keeping their sub-folders; any other
//! file goes beside its folder's URL.

use std::collections::HashMap;

use super::urls::{folder_path, parent_folder};
use super::{AssetCopy, Page};
use crate::config::Config;
use crate::content::{SourceFile, SourceKind};

/// The copies of the asset files among `files`, in their order; the permalink of each bundle
/// file is added to its page's `assets`.
pub(super) fn place(files: &[SourceFile], pages: &mut [Page], config: &Config) -> Vec<AssetCopy> {
    let bundle_dirs: HashMap<String, usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.doc.is_bundle())
        .map(|(i, p)| (parent_folder(&p.doc.relative).to_string(), i))
        .collect();
    let mut assets = Vec::new();
    for f in files.iter().filter(|f| f.kind == SourceKind::Asset) {
        let folder = parent_folder(&f.relative);
        let name = f.relative.rsplit('/').next().unwrap_or(&f.relative);
        let to = match owner(folder, &bundle_dirs) {
            Some((pi, dir)) => {
                let inner = f
                    .relative
                    .strip_prefix(dir)
                    .unwrap_or(&f.relative)
                    .trim_start_matches('/');
                let to = format!("{}{}", pages[pi].path.trim_start_matches('/'), inner);
                pages[pi].assets.push(config.permalink(&format!("/{to}")));
                translated_copies(f, inner, pi, dir, pages, config, &mut assets);
                to
            }
            None => format!("{}{}", folder_path(folder).trim_start_matches('/'), name),
        };
        assets.push(AssetCopy {
            from: f.path.clone(),
            to,
        });
    }
    assets
}

/// The copies of the bundle file `f` (at `inner` in the bundle `dir` of page `pi`) beside each
/// translation of the page that is a bundle in the same folder (`about/index.fr.md`), so its
/// relative links to the bundle's pictures work at `/fr/about/` too.
fn translated_copies(
    f: &SourceFile,
    inner: &str,
    pi: usize,
    dir: &str,
    pages: &mut [Page],
    config: &Config,
    assets: &mut Vec<AssetCopy>,
) {
    let others: Vec<usize> = pages[pi]
        .translations
        .iter()
        .copied()
        .filter(|&j| j != pi && parent_folder(&pages[j].doc.relative) == dir)
        .collect();
    for j in others {
        let to = format!("{}{}", pages[j].path.trim_start_matches('/'), inner);
        pages[j].assets.push(config.permalink(&format!("/{to}")));
        assets.push(AssetCopy {
            from: f.path.clone(),
            to,
        });
    }
}

/// The nearest enclosing bundle of a file in `folder` (its page and folder), if any.
fn owner<'a>(folder: &'a str, bundle_dirs: &HashMap<String, usize>) -> Option<(usize, &'a str)> {
    let mut d = folder;
    loop {
        if let Some(&pi) = bundle_dirs.get(d) {
            return Some((pi, d));
        }
        if d.is_empty() {
            return None;
        }
        d = parent_folder(d);
    }
}
