//! Markdown images of [`super`]: the responsive variants of an original and the `<img>` or
//! `<picture>` HTML with `srcset` and `sizes`. In: an output path, alt text and title. Out:
//! HTML; the variants it uses are recorded as published.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::PoisonError;

use super::cache::file_name;
use super::{
    Format, Op, Original, Outcome, Processor, RESPONSIVE_WIDTHS, Resized, SIZES, escape,
    is_processable_name, problem,
};
use crate::markdown::{ImageSource, ImageVariant, Picture};

impl Processor {
    /// The HTML for a markdown image whose target is the output file `output_path` (`a/b.jpg`,
    /// already resolved from the page's URL and checked to exist). `alt` and `title` are plain
    /// text (escaped here); `first` is true for the page's first markdown image (not lazy).
    ///
    /// Returns None for a file the processor does not handle (not a copied file, or SVG, GIF and
    /// other formats, by extension): the image is then written as it is.
    ///
    /// Errors: the file cannot be read or decoded, or the cache cannot be written.
    pub fn picture(
        &self,
        output_path: &str,
        alt: &str,
        title: &str,
        first: bool,
    ) -> Option<Outcome<String>> {
        self.picture_parts(output_path, alt, title, first)
            .map(|r| r.map(|p| p.html))
    }

    /// [`Self::picture`] with the parts of its HTML, for the image render hook
    /// (`templates/markdown/image.html`): the variants, their `srcset`s and sizes.
    pub fn picture_parts(
        &self,
        output_path: &str,
        alt: &str,
        title: &str,
        first: bool,
    ) -> Option<Outcome<Picture>> {
        let source = self.sources.get(output_path)?;
        if !is_processable_name(output_path) {
            return None;
        }
        Some(self.picture_of(source, alt, title, first))
    }

    /// The steps of [`Self::picture`]: the variants of `source` (widths, in its format and in
    /// WebP), the ones to publish, and the HTML.
    fn picture_of(&self, source: &Path, alt: &str, title: &str, first: bool) -> Outcome<Picture> {
        let original = self.original(source)?;
        let (fallback, webp) = self.variants_of(&original)?;
        let use_webp = !webp.is_empty()
            && webp.iter().map(|r| r.bytes).sum::<u64>()
                < fallback.iter().map(|r| r.bytes).sum::<u64>();
        {
            let mut map = self
                .published
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let webp = webp.iter().filter(|_| use_webp);
            for r in fallback.iter().chain(webp) {
                map.insert(r.static_path.clone(), self.cache_dir.join(file_name(r)));
            }
        }
        let Some(largest) = fallback.last() else {
            return Err(problem(
                format!("{} gave no image variants", original.shown),
                "this is a bug in stillpoint; please report it".into(),
            ));
        };
        let webp = if use_webp { &webp[..] } else { &[] };
        let html = picture_html(largest, &fallback, webp, alt, title, first);
        let variant = |r: &Resized, f: Format| ImageVariant {
            url: r.url.clone(),
            width: r.width,
            height: r.height,
            format: f.extension(),
            mime: f.mime(),
        };
        let variants = (fallback.iter().map(|r| variant(r, original.format)))
            .chain(webp.iter().map(|r| variant(r, Format::Webp)))
            .collect();
        let sources = if webp.is_empty() {
            Vec::new()
        } else {
            vec![ImageSource {
                mime: Format::Webp.mime(),
                srcset: srcset(webp),
            }]
        };
        Ok(Picture {
            html,
            url: largest.url.clone(),
            width: largest.width,
            height: largest.height,
            variants,
            srcset: srcset(&fallback),
            sources,
            sizes: SIZES,
        })
    }

    /// The responsive variants of `original`, made in parallel: (in its own format, in
    /// lossless WebP unless it is WebP already), each from the narrowest width up.
    fn variants_of(&self, original: &Original) -> Outcome<(Vec<Resized>, Vec<Resized>)> {
        let w = original.width;
        let mut widths: Vec<u32> = RESPONSIVE_WIDTHS
            .iter()
            .copied()
            .filter(|&x| x < w)
            .collect();
        if w < RESPONSIVE_WIDTHS[RESPONSIVE_WIDTHS.len() - 1] {
            widths.push(w);
        } else {
            widths.push(RESPONSIVE_WIDTHS[RESPONSIVE_WIDTHS.len() - 1]);
        }
        widths.dedup();
        // Lossless WebP alongside, unless the original is WebP already.
        let formats: &[Format] = if original.format == Format::Webp {
            &[Format::Webp]
        } else {
            &[original.format, Format::Webp]
        };
        let jobs: Vec<(u32, Format)> = widths
            .iter()
            .flat_map(|&x| formats.iter().map(move |&f| (x, f)))
            .collect();
        // Variants of one image in parallel: each variant is made once (OnceMap) and its
        // making does not use rayon.
        use rayon::prelude::*;
        let made: Vec<Outcome<Resized>> = jobs
            .par_iter()
            .map(|&(x, f)| self.variant(original, Op::FitWidth(x), f))
            .collect();
        let made: Vec<Resized> = made.into_iter().collect::<Outcome<_>>()?;
        let (fallback, webp): (Vec<_>, Vec<_>) = made
            .into_iter()
            .zip(&jobs)
            .partition(|(_, (_, f))| *f == original.format);
        let drop_job = |v: Vec<(Resized, _)>| v.into_iter().map(|(r, _)| r).collect();
        Ok((drop_job(fallback), drop_job(webp)))
    }
}

/// The HTML of a markdown image: an `<img>` of the `fallback` variants (`largest` gives its
/// `src` and size), inside a `<picture>` with a WebP `<source>` when `webp` has variants.
fn picture_html(
    largest: &Resized,
    fallback: &[Resized],
    webp: &[Resized],
    alt: &str,
    title: &str,
    first: bool,
) -> String {
    let mut html = String::new();
    if !webp.is_empty() {
        let _ = write!(
            html,
            r#"<picture><source type="image/webp" srcset="{}" sizes="{SIZES}">"#,
            escape(&srcset(webp))
        );
    }
    let _ = write!(
        html,
        r#"<img src="{}" srcset="{}" sizes="{SIZES}" width="{}" height="{}" alt="{}""#,
        escape(&largest.url),
        escape(&srcset(fallback)),
        largest.width,
        largest.height,
        escape(alt)
    );
    if !title.is_empty() {
        let _ = write!(html, r#" title="{}""#, escape(title));
    }
    if !first {
        html.push_str(r#" loading="lazy" decoding="async""#);
    }
    html.push('>');
    if !webp.is_empty() {
        html.push_str("</picture>");
    }
    html
}

/// The `srcset` of `list`: `url 480w, url 800w`.
fn srcset(list: &[Resized]) -> String {
    list.iter()
        .map(|r| format!("{} {}w", r.url, r.width))
        .collect::<Vec<_>>()
        .join(", ")
}
