//! Image processing, inside stages 5 and 7: responsive variants for markdown images, and the
//! `resize_image` template function.
//!
//! In: the files the build copies (static files and page-bundle assets: output path -> source
//! file), the site root and the base URL. Out: HTML for a markdown image ([`Processor::picture`]),
//! resized images for templates ([`Processor::resize`]), and the list of processed files to
//! publish under `/processed_images/` ([`Processor::published`]).
//!
//! **What a markdown image becomes.** `![A calm room](room.jpg)` pointing at a JPEG, PNG or WebP
//! file the site publishes is rewritten to an `<img>` with the real `width` and `height` (so the
//! page does not jump while it loads), a `srcset` of widths 480, 800 and 1200 px (never wider than
//! the original; an original narrower than 1200 px is its own largest width) and a `sizes` that
//! matches the default theme's text column ([`SIZES`]). The fallback variants keep the
//! original's format (JPEG at quality [`JPEG_QUALITY`], PNG at best compression).
//!
//! **WebP.** The `image` crate's WebP encoder is lossless only (image-rs/image#2186). Lossless
//! WebP of a photograph is usually several times larger than a JPEG of it (see the commit that
//! added this module for the numbers we measured), while for flat graphics it beats PNG. So every
//! image also gets lossless WebP variants, and a `<picture>` with a WebP `<source>` is written
//! only when the WebP variants are smaller in total than the fallback ones; otherwise the plain
//! `<img>` is written and no WebP file is published. Lossy WebP or AVIF would need libwebp (C) or
//! rav1e, which `crates.md` rules out for now.
//!
//! **Lazy loading.** Every markdown image of a page except the first gets `loading="lazy"` and
//! `decoding="async"`: the first is the likeliest to be on screen when the page opens (and
//! lazy-loading it would delay the largest paint). Images placed by templates are not counted.
//!
//! **Pass-through.** SVG, GIF (which may be animated) and any other format are left exactly as
//! written: pulldown-cmark's plain `<img>`.
//!
//! **Cache.** A variant's file name is a hash of the original's bytes, the operation, the output
//! size and format, and [`ENCODER_VERSION`]; variants are kept in `.stillpoint-cache/images/` at
//! the site root (a dot-folder: the content walk and `watch` skip it; `.gitignore` lists it), and
//! a rebuild reuses them without decoding the original. Within one build each original is read
//! once and each variant made once, however many pages or threads ask for it; pages are rendered
//! in parallel (rayon), so different images are processed in parallel.
//!
//! Errors: an image that cannot be read or decoded, or a cache folder that cannot be written, is
//! an [`ImageError`] naming the file; the caller adds the page, line and column. Nothing here
//! panics on bad input, and decoding uses the `image` crate's default memory limits.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use crate::html::escape;

/// The cache folder, relative to the site root.
pub const CACHE_DIR: &str = ".stillpoint-cache/images";

/// The output folder of processed images, relative to the output root.
pub const OUTPUT_DIR: &str = "processed_images";

/// Widths, in pixels, of the responsive variants of a markdown image.
pub const RESPONSIVE_WIDTHS: [u32; 3] = [480, 800, 1200];

/// The `sizes` attribute of markdown images: the full viewport on narrow screens, else the
/// default theme's text column (70ch, about 40em).
pub const SIZES: &str = "(min-width: 45em) 40em, 100vw";

/// JPEG quality (1–100) of JPEG variants.
pub const JPEG_QUALITY: u8 = 82;

/// Part of every cache key: raise it when the encoding of variants changes, so old cache
/// files are not reused.
pub const ENCODER_VERSION: u32 = 1;

/// An image that cannot be processed: what went wrong, naming the file, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageError {
    /// One sentence, naming the file.
    pub message: String,
    /// What the site owner can do about it.
    pub help: String,
}

type Outcome<T> = std::result::Result<T, ImageError>;

/// An output format of a processed image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JPEG (`.jpg`), lossy, at [`JPEG_QUALITY`]; transparency is dropped.
    Jpeg,
    /// PNG, lossless.
    Png,
    /// WebP, lossless (the only WebP the `image` crate writes).
    Webp,
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
        }
    }

    /// The MIME type, for `<source type>`.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
        }
    }

    /// Parses the `format` argument of `resize_image`: `jpg`/`jpeg`, `png`, `webp`; `auto` (and
    /// no argument) gives None, meaning the original's format (as Zola).
    pub fn parse(s: &str) -> Option<Option<Format>> {
        match s {
            "auto" => Some(None),
            "jpg" | "jpeg" => Some(Some(Format::Jpeg)),
            "png" => Some(Some(Format::Png)),
            "webp" => Some(Some(Format::Webp)),
            _ => None,
        }
    }

    fn from_image(f: ImageFormat) -> Option<Format> {
        match f {
            ImageFormat::Jpeg => Some(Format::Jpeg),
            ImageFormat::Png => Some(Format::Png),
            ImageFormat::WebP => Some(Format::Webp),
            _ => None,
        }
    }
}

/// A resize operation, as Zola's `resize_image` names them. Sizes in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// Exactly `width` × `height`; the aspect ratio may change.
    Scale(u32, u32),
    /// `width` wide, the height keeping the aspect ratio.
    FitWidth(u32),
    /// `height` high, the width keeping the aspect ratio.
    FitHeight(u32),
    /// As large as fits inside `width` × `height`, keeping the aspect ratio; never enlarged.
    Fit(u32, u32),
    /// Exactly `width` × `height`, scaled to cover it and cropped at the centre.
    Fill(u32, u32),
}

impl Op {
    /// Builds an operation from `resize_image`'s `op`, `width` and `height` arguments.
    ///
    /// Errors: an unknown `op`, a size the operation needs but did not get, or a size of 0.
    pub fn from_args(op: &str, width: Option<u32>, height: Option<u32>) -> Outcome<Op> {
        let need = |v: Option<u32>, name: &str| -> Outcome<u32> {
            match v {
                Some(0) => Err(ImageError {
                    message: format!("resize_image: `{name}` must be at least 1"),
                    help: format!("give `{name}` in pixels, like {name}=800"),
                }),
                Some(n) => Ok(n),
                None => Err(ImageError {
                    message: format!("resize_image: op=\"{op}\" needs `{name}`"),
                    help: format!("add {name}=… in pixels"),
                }),
            }
        };
        match op {
            "scale" => Ok(Op::Scale(need(width, "width")?, need(height, "height")?)),
            "fit_width" => Ok(Op::FitWidth(need(width, "width")?)),
            "fit_height" => Ok(Op::FitHeight(need(height, "height")?)),
            "fit" => Ok(Op::Fit(need(width, "width")?, need(height, "height")?)),
            "fill" => Ok(Op::Fill(need(width, "width")?, need(height, "height")?)),
            _ => Err(ImageError {
                message: format!("resize_image: unknown op `{op}`"),
                help: "use one of fit_width, fit_height, fit, fill, scale".into(),
            }),
        }
    }

    /// The output size for an original of `w` × `h`. Never 0.
    pub fn output_size(self, w: u32, h: u32) -> (u32, u32) {
        let scaled = |a: u32, num: u32, den: u32| -> u32 {
            let v = (f64::from(a) * f64::from(num) / f64::from(den.max(1))).round();
            // In range: a ratio of two u32 values times a u32, clamped.
            (v.clamp(1.0, f64::from(u32::MAX))) as u32
        };
        match self {
            Op::Scale(tw, th) | Op::Fill(tw, th) => (tw, th),
            Op::FitWidth(tw) => (tw, scaled(h, tw, w)),
            Op::FitHeight(th) => (scaled(w, th, h), th),
            Op::Fit(tw, th) => {
                if w <= tw && h <= th {
                    (w, h)
                } else if u64::from(w) * u64::from(th) >= u64::from(h) * u64::from(tw) {
                    // Wider than the box: the width limits.
                    (tw, scaled(h, tw, w))
                } else {
                    (scaled(w, th, h), th)
                }
            }
        }
    }

    /// The part of the original to scale, for [`Op::Fill`]: (left, top, width, height).
    fn crop(self, w: u32, h: u32) -> Option<(f64, f64, f64, f64)> {
        let Op::Fill(tw, th) = self else {
            return None;
        };
        let (w, h, tw, th) = (f64::from(w), f64::from(h), f64::from(tw), f64::from(th));
        if w / h > tw / th {
            let cw = h * tw / th;
            Some(((w - cw) / 2.0, 0.0, cw, h))
        } else {
            let ch = w * th / tw;
            Some((0.0, (h - ch) / 2.0, w, ch))
        }
    }

    fn key(self) -> String {
        match self {
            Op::Scale(w, h) => format!("scale-{w}x{h}"),
            Op::FitWidth(w) => format!("fit_width-{w}"),
            Op::FitHeight(h) => format!("fit_height-{h}"),
            Op::Fit(w, h) => format!("fit-{w}x{h}"),
            Op::Fill(w, h) => format!("fill-{w}x{h}"),
        }
    }
}

/// A processed image, as `resize_image` returns it (Zola's fields).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Resized {
    /// Absolute URL of the processed file.
    pub url: String,
    /// Path of the processed file in the output folder: `processed_images/<hash>.<ext>`.
    pub static_path: String,
    /// Width of the processed image, in pixels.
    pub width: u32,
    /// Height of the processed image, in pixels.
    pub height: u32,
    /// Width of the original, in pixels (after its EXIF orientation).
    pub orig_width: u32,
    /// Height of the original, in pixels (after its EXIF orientation).
    pub orig_height: u32,
    /// Size of the processed file, in bytes.
    #[serde(skip)]
    pub bytes: u64,
}

/// An original image, read once per build.
struct Original {
    /// Path shown in messages (relative to the site root).
    shown: String,
    bytes: Vec<u8>,
    hash: u128,
    format: Format,
    width: u32,
    height: u32,
    decoded: OnceLock<Outcome<Arc<DynamicImage>>>,
}

/// A map whose values are computed once, even when many threads ask at the same time.
///
/// Rayon caution: a value's computation must not itself use rayon, or a worker could wait for a
/// cell that it is initialising further up its own stack.
struct OnceMap<K, V>(Mutex<HashMap<K, Arc<OnceLock<V>>>>);

impl<K: std::hash::Hash + Eq, V: Clone> OnceMap<K, V> {
    fn new() -> Self {
        OnceMap(Mutex::new(HashMap::new()))
    }

    fn get_or_init(&self, key: K, init: impl FnOnce() -> V) -> V {
        let cell = {
            let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(map.entry(key).or_default())
        };
        cell.get_or_init(init).clone()
    }
}

/// Processes the images of one build. Shared by every page and template (it is `Sync`).
pub struct Processor {
    root: PathBuf,
    cache_dir: PathBuf,
    base_url: String,
    /// Output path (`about/room.jpg`) -> source file.
    sources: HashMap<String, PathBuf>,
    originals: OnceMap<PathBuf, Outcome<Arc<Original>>>,
    variants: OnceMap<String, Outcome<Resized>>,
    published: Mutex<BTreeMap<String, PathBuf>>,
    /// Cache file names of every variant this build asked for (published or not).
    touched: Mutex<HashSet<String>>,
    encoded: AtomicUsize,
}

impl std::fmt::Debug for Processor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processor")
            .field("cache_dir", &self.cache_dir)
            .finish_non_exhaustive()
    }
}

impl Processor {
    /// A processor for the site at `root` (cache in `root/`[`CACHE_DIR`]) whose URLs start with
    /// `base_url` (no trailing slash). `sources` maps each copied file's output path (with `/`,
    /// no leading `/`) to its source file; only those files can be processed.
    pub fn new(
        root: &Path,
        base_url: &str,
        sources: impl IntoIterator<Item = (String, PathBuf)>,
    ) -> Self {
        Processor {
            root: root.to_path_buf(),
            cache_dir: root.join(CACHE_DIR),
            base_url: base_url.trim_end_matches('/').to_string(),
            sources: sources.into_iter().collect(),
            originals: OnceMap::new(),
            variants: OnceMap::new(),
            published: Mutex::new(BTreeMap::new()),
            touched: Mutex::new(HashSet::new()),
            encoded: AtomicUsize::new(0),
        }
    }

    /// How many variants this processor encoded (rather than found in the cache).
    pub fn encoded(&self) -> usize {
        self.encoded.load(Ordering::Relaxed)
    }

    /// Removes from the cache the variants this build did not ask for (pictures removed or
    /// changed, sizes no longer used), as Zola prunes its processed images after a build. Call
    /// it once every page and template has been rendered. Only files the processor names
    /// (16 hex digits and an image extension) are removed, and temporary files of a write
    /// older than an hour (from a build that was killed); anything else in the folder is left
    /// alone. Returns how many files were removed; the cache is an optimisation, so a file
    /// that cannot be removed is skipped.
    pub fn prune_cache(&self) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.cache_dir) else {
            return 0;
        };
        let touched = self.touched.lock().unwrap_or_else(PoisonError::into_inner);
        let hour = std::time::Duration::from_secs(3600);
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let stale_tmp = name.starts_with(".tmp-")
                && entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > hour);
            let unused = is_cache_name(name) && !touched.contains(name);
            if (stale_tmp || unused) && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// The processed files used by the pages so far: (output path, cache file), sorted.
    pub fn published(&self) -> Vec<(String, PathBuf)> {
        let map = self
            .published
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

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
        let source = self.sources.get(output_path)?;
        if !is_processable_name(output_path) {
            return None;
        }
        Some(self.picture_of(source, alt, title, first))
    }

    fn picture_of(&self, source: &Path, alt: &str, title: &str, first: bool) -> Outcome<String> {
        let original = self.original(source)?;
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
            .map(|&(x, f)| self.variant(&original, Op::FitWidth(x), f))
            .collect();
        let made: Vec<Resized> = made.into_iter().collect::<Outcome<_>>()?;
        let mut fallback: Vec<&Resized> = Vec::new();
        let mut webp: Vec<&Resized> = Vec::new();
        for (r, (_, f)) in made.iter().zip(&jobs) {
            if *f == original.format {
                fallback.push(r);
            } else {
                webp.push(r);
            }
        }
        let use_webp = !webp.is_empty()
            && webp.iter().map(|r| r.bytes).sum::<u64>()
                < fallback.iter().map(|r| r.bytes).sum::<u64>();
        let srcset = |list: &[&Resized]| -> String {
            list.iter()
                .map(|r| format!("{} {}w", r.url, r.width))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut publish: Vec<&Resized> = fallback.clone();
        if use_webp {
            publish.extend(webp.iter().copied());
        }
        {
            let mut map = self
                .published
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            for r in publish {
                map.insert(r.static_path.clone(), self.cache_dir.join(file_name(r)));
            }
        }
        let Some(largest) = fallback.last() else {
            return Err(ImageError {
                message: format!("{} gave no image variants", original.shown),
                help: "this is a bug in stillpoint; please report it".into(),
            });
        };
        let mut html = String::new();
        if use_webp {
            let _ = write!(
                html,
                r#"<picture><source type="image/webp" srcset="{}" sizes="{SIZES}">"#,
                escape(&srcset(&webp))
            );
        }
        let _ = write!(
            html,
            r#"<img src="{}" srcset="{}" sizes="{SIZES}" width="{}" height="{}" alt="{}""#,
            escape(&largest.url),
            escape(&srcset(&fallback)),
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
        if use_webp {
            html.push_str("</picture>");
        }
        Ok(html)
    }

    /// `resize_image`: resizes the file published at `path` (`images/room.jpg` for
    /// `static/images/room.jpg`, `about/room.jpg` for a file in the `about` page bundle; a
    /// leading `/` is allowed) with `op`, into `format` (None: the original's format), and
    /// publishes the result.
    ///
    /// Errors: no such file, a format that cannot be resized (SVG, GIF…), or an unreadable image.
    pub fn resize(&self, path: &str, op: Op, format: Option<Format>) -> Outcome<Resized> {
        let key = path.trim_start_matches('/');
        let Some(source) = self.sources.get(key) else {
            let help = match crate::error::closest(
                self.sources
                    .keys()
                    .filter(|k| is_processable_name(k))
                    .map(String::as_str),
                key,
            ) {
                Some(k) => format!("did you mean `{k}`?"),
                None => "give the path as published: `images/room.jpg` for static/images/room.jpg, `about/room.jpg` for a file in the about page's bundle".into(),
            };
            return Err(ImageError {
                message: format!("resize_image: there is no image `{path}` in the site"),
                help,
            });
        };
        if !is_processable_name(key) {
            return Err(ImageError {
                message: format!("resize_image: `{path}` is not a JPEG, PNG or WebP image"),
                help: "only .jpg, .jpeg, .png and .webp files can be resized; use SVG and GIF files as they are".into(),
            });
        }
        let original = self.original(source)?;
        let r = self.variant(&original, op, format.unwrap_or(original.format))?;
        self.published
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(r.static_path.clone(), self.cache_dir.join(file_name(&r)));
        Ok(r)
    }

    /// Reads an original once per build: bytes, content hash, format and size (from the header
    /// only; decoding waits until a variant is missing from the cache).
    fn original(&self, source: &Path) -> Outcome<Arc<Original>> {
        self.originals
            .get_or_init(source.to_path_buf(), || self.read_original(source))
    }

    fn read_original(&self, source: &Path) -> Outcome<Arc<Original>> {
        let shown = source
            .strip_prefix(&self.root)
            .unwrap_or(source)
            .display()
            .to_string();
        let bytes = std::fs::read(source).map_err(|e| ImageError {
            message: format!("could not read the image {shown}: {e}"),
            help: "check that the file exists and can be read".into(),
        })?;
        let corrupt = |detail: String| {
            ImageError {
            message: format!("{shown} is not a readable image: {detail}"),
            help: "open it in an image editor and save it again as JPEG, PNG or WebP, or replace the file".into(),
        }
        };
        let (format, orientation, (mut width, mut height)) = {
            let reader = ImageReader::new(Cursor::new(&bytes[..]))
                .with_guessed_format()
                .map_err(|e| corrupt(e.to_string()))?;
            let format = reader
                .format()
                .and_then(Format::from_image)
                .ok_or_else(|| corrupt("its contents are not JPEG, PNG or WebP".into()))?;
            let mut decoder = reader.into_decoder().map_err(|e| corrupt(e.to_string()))?;
            let orientation = decoder.orientation().map_err(|e| corrupt(e.to_string()))?;
            (format, orientation, decoder.dimensions())
        };
        if matches!(
            orientation,
            image::metadata::Orientation::Rotate90
                | image::metadata::Orientation::Rotate270
                | image::metadata::Orientation::Rotate90FlipH
                | image::metadata::Orientation::Rotate270FlipH
        ) {
            std::mem::swap(&mut width, &mut height);
        }
        if width == 0 || height == 0 {
            return Err(corrupt("it has no pixels".into()));
        }
        let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
        Ok(Arc::new(Original {
            shown,
            bytes,
            hash,
            format,
            width,
            height,
            decoded: OnceLock::new(),
        }))
    }

    /// Makes one variant, or finds it in the cache; once per build per variant.
    fn variant(&self, original: &Original, op: Op, format: Format) -> Outcome<Resized> {
        let (w, h) = op.output_size(original.width, original.height);
        let key = format!(
            "{:032x}|{}|{w}x{h}|{}|v{ENCODER_VERSION}",
            original.hash,
            op.key(),
            format.extension()
        );
        let name = format!(
            "{:016x}.{}",
            xxhash_rust::xxh3::xxh3_64(key.as_bytes()),
            format.extension()
        );
        self.touched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.clone());
        self.variants.get_or_init(name.clone(), || {
            let path = self.cache_dir.join(&name);
            let bytes = match std::fs::metadata(&path) {
                Ok(m) if m.is_file() && m.len() > 0 => m.len(),
                _ => {
                    let data = self.encode(original, op, (w, h), format)?;
                    self.store(&path, &data)?;
                    self.encoded.fetch_add(1, Ordering::Relaxed);
                    data.len() as u64
                }
            };
            Ok(Resized {
                url: format!("{}/{OUTPUT_DIR}/{name}", self.base_url),
                static_path: format!("{OUTPUT_DIR}/{name}"),
                width: w,
                height: h,
                orig_width: original.width,
                orig_height: original.height,
                bytes,
            })
        })
    }

    fn encode(
        &self,
        original: &Original,
        op: Op,
        size: (u32, u32),
        format: Format,
    ) -> Outcome<Vec<u8>> {
        let decoded = original
            .decoded
            .get_or_init(|| decode(original).map(Arc::new))
            .clone()?;
        let fail = |e: String| {
            ImageError {
            message: format!("could not resize {}: {e}", original.shown),
            help: "open it in an image editor and save it again as JPEG, PNG or WebP, or replace the file".into(),
        }
        };
        let resized = resize(&decoded, op, size).map_err(fail)?;
        encode(&resized, format).map_err(|e| ImageError {
            message: format!(
                "could not write a {} version of {}: {e}",
                format.extension(),
                original.shown
            ),
            help: "try another `format`, or save the image again in an image editor".into(),
        })
    }

    /// Writes a cache file through a temporary file and a rename, so a file in the cache is
    /// always whole (two builds at once, or an interrupted one, cannot leave half a file).
    fn store(&self, path: &Path, data: &[u8]) -> Outcome<()> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let fail = |e: std::io::Error| ImageError {
            message: format!(
                "could not write the image cache {}: {e}",
                self.cache_dir.display()
            ),
            help: format!(
                "check that the site folder can be written; {CACHE_DIR} may be deleted at any time"
            ),
        };
        std::fs::create_dir_all(&self.cache_dir).map_err(fail)?;
        // A plain file (not `tempfile`, which makes it private to the owner): the published
        // copy keeps these permissions, and a web server must be able to read it.
        let tmp = self.cache_dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let written = std::fs::write(&tmp, data).and_then(|()| std::fs::rename(&tmp, path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(fail(e));
        }
        Ok(())
    }
}

/// Whether `name` is a cache file name the processor makes: 16 lowercase hex digits, a dot and
/// the extension of a format it writes.
fn is_cache_name(name: &str) -> bool {
    name.split_once('.').is_some_and(|(stem, ext)| {
        stem.len() == 16
            && stem.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            && matches!(ext, "jpg" | "png" | "webp")
    })
}

/// Whether a file name has an extension the processor handles (JPEG, PNG, WebP).
pub fn is_processable_name(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(ext.as_deref(), Some("jpg" | "jpeg" | "png" | "webp"))
}

fn file_name(r: &Resized) -> &str {
    r.static_path.rsplit('/').next().unwrap_or(&r.static_path)
}

fn decode(original: &Original) -> Outcome<DynamicImage> {
    let corrupt = |e: image::ImageError| ImageError {
        message: format!("{} is not a readable image: {e}", original.shown),
        help:
            "open it in an image editor and save it again as JPEG, PNG or WebP, or replace the file"
                .into(),
    };
    let reader = ImageReader::new(Cursor::new(&original.bytes[..]))
        .with_guessed_format()
        .map_err(|e| corrupt(e.into()))?;
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let orientation = decoder.orientation().map_err(corrupt)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// Resizes (and for `Fill` crops) to `size` with a Lanczos3 filter; 8-bit RGB or RGBA out.
fn resize(src: &DynamicImage, op: Op, size: (u32, u32)) -> Result<DynamicImage, String> {
    let src = if src.color().has_alpha() {
        DynamicImage::ImageRgba8(src.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(src.to_rgb8())
    };
    let crop = op.crop(src.width(), src.height());
    if crop.is_none() && (src.width(), src.height()) == size {
        return Ok(src);
    }
    let mut dst = DynamicImage::new(size.0, size.1, src.color());
    let mut options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    if let Some((left, top, w, h)) = crop {
        options = options.crop(left, top, w, h);
    }
    Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| e.to_string())?;
    Ok(dst)
}

fn encode(img: &DynamicImage, format: Format) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let result = match format {
        Format::Jpeg => {
            let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
            rgb.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut out,
                JPEG_QUALITY,
            ))
        }
        Format::Png => img.write_with_encoder(image::codecs::png::PngEncoder::new_with_quality(
            &mut out,
            image::codecs::png::CompressionType::Best,
            image::codecs::png::FilterType::Adaptive,
        )),
        Format::Webp => {
            img.write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut out))
        }
    };
    result.map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_sizes_follow_zola_ops() {
        let cases = [
            (Op::Scale(100, 50), (400, 300), (100, 50)),
            (Op::FitWidth(200), (400, 300), (200, 150)),
            (Op::FitWidth(800), (400, 300), (800, 600)),
            (Op::FitHeight(150), (400, 300), (200, 150)),
            (Op::Fit(100, 100), (400, 300), (100, 75)),
            (Op::Fit(100, 100), (300, 400), (75, 100)),
            (Op::Fit(1000, 1000), (400, 300), (400, 300)),
            (Op::Fill(100, 100), (400, 300), (100, 100)),
            (Op::FitWidth(1), (3000, 1), (1, 1)),
        ];
        for (op, (w, h), want) in cases {
            assert_eq!(op.output_size(w, h), want, "{op:?} of {w}x{h}");
        }
    }

    #[test]
    fn fill_crops_the_centre() {
        assert_eq!(
            Op::Fill(100, 100).crop(400, 200),
            Some((100.0, 0.0, 200.0, 200.0))
        );
        assert_eq!(
            Op::Fill(200, 100).crop(200, 400),
            Some((0.0, 150.0, 200.0, 100.0))
        );
        assert_eq!(Op::FitWidth(10).crop(400, 200), None);
    }

    #[test]
    fn bad_resize_arguments_are_errors() {
        assert!(Op::from_args("fill", Some(10), None).is_err());
        assert!(Op::from_args("fit_width", Some(0), None).is_err());
        let e = Op::from_args("squash", Some(1), Some(1)).unwrap_err();
        assert!(e.message.contains("squash") && e.help.contains("fit_width"));
        assert_eq!(
            Op::from_args("fit_height", None, Some(5)),
            Ok(Op::FitHeight(5))
        );
        assert_eq!(Format::parse("auto"), Some(None));
        assert_eq!(Format::parse("jpeg"), Some(Some(Format::Jpeg)));
        assert_eq!(Format::parse("gif"), None);
    }

    #[test]
    fn only_jpeg_png_and_webp_are_processed() {
        for name in ["a.jpg", "b/c.JPEG", "d.png", "e.webp"] {
            assert!(is_processable_name(name), "{name}");
        }
        for name in ["a.svg", "b.gif", "c.avif", "noext", "x.jpg.txt"] {
            assert!(!is_processable_name(name), "{name}");
        }
    }

    fn site_with_png(w: u32, h: u32) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("static/a.png");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([
                (x % 256) as u8,
                (y % 256) as u8,
                if x > w / 2 { 200 } else { 40 },
            ])
        });
        img.save(&path).unwrap();
        (dir, path)
    }

    #[test]
    fn pictures_are_made_once_and_then_come_from_the_cache() {
        let (dir, path) = site_with_png(1000, 500);
        let sources = [("a.png".to_string(), path)];
        let p = Processor::new(dir.path(), "https://example.org/", sources.clone());
        let first = p
            .picture("a.png", "A \"test\" <image>", "", true)
            .unwrap()
            .unwrap();
        assert!(first.contains(r#"width="1000" height="500""#), "{first}");
        assert!(
            first.contains(r#"alt="A &quot;test&quot; &lt;image&gt;""#),
            "{first}"
        );
        assert!(!first.contains("loading="), "the first image is not lazy");
        assert!(
            first.contains(" 480w, ") && first.contains(" 1000w"),
            "{first}"
        );
        // Three widths, as PNG and WebP.
        assert_eq!(p.encoded(), 6);
        let again = p.picture("a.png", "alt", "t", false).unwrap().unwrap();
        assert!(
            again.contains(r#"title="t" loading="lazy" decoding="async""#),
            "{again}"
        );
        assert_eq!(p.encoded(), 6, "same build: nothing made twice");
        let next_build = Processor::new(dir.path(), "https://example.org", sources);
        let cached = next_build.picture("a.png", "A \"test\" <image>", "", true);
        assert_eq!(cached, Some(Ok(first)));
        assert_eq!(next_build.encoded(), 0, "next build: all from the cache");
        assert!(!next_build.published().is_empty());
    }

    #[test]
    fn the_cache_keeps_what_the_build_used_and_nothing_else_of_ours() {
        let (dir, path) = site_with_png(1000, 500);
        let sources = [("a.png".to_string(), path)];
        let p = Processor::new(dir.path(), "https://example.org/", sources.clone());
        p.picture("a.png", "alt", "", true).unwrap().unwrap();
        let cache = dir.path().join(CACHE_DIR);
        let ours_before: Vec<_> = std::fs::read_dir(&cache).unwrap().flatten().collect();
        assert_eq!(ours_before.len(), 6);
        // An old variant, a user's file, a fresh and an old temporary file.
        std::fs::write(cache.join("0123456789abcdef.jpg"), b"old").unwrap();
        std::fs::write(cache.join("notes.txt"), b"mine").unwrap();
        std::fs::write(cache.join(".tmp-1-0"), b"in flight").unwrap();
        let old_tmp = cache.join(".tmp-2-0");
        std::fs::write(&old_tmp, b"killed").unwrap();
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        std::fs::File::options()
            .write(true)
            .open(&old_tmp)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();
        assert_eq!(p.prune_cache(), 2);
        let mut left: Vec<String> = std::fs::read_dir(&cache)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), 8, "{left:?}");
        assert!(left.contains(&"notes.txt".to_string()) && left.contains(&".tmp-1-0".to_string()));
        assert!(!left.contains(&"0123456789abcdef.jpg".to_string()));
        // The next build finds everything it needs: nothing is encoded again.
        let next = Processor::new(dir.path(), "https://example.org/", sources);
        next.picture("a.png", "alt", "", true).unwrap().unwrap();
        assert_eq!(next.encoded(), 0);
        assert_eq!(next.prune_cache(), 0);
        // A build without the picture removes its variants.
        let none = Processor::new(dir.path(), "https://example.org/", []);
        assert_eq!(none.prune_cache(), 6);
    }

    #[test]
    fn other_files_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let p = Processor::new(
            dir.path(),
            "https://example.org",
            [("logo.svg".to_string(), dir.path().join("logo.svg"))],
        );
        assert_eq!(p.picture("logo.svg", "", "", true), None);
        assert_eq!(p.picture("unknown.png", "", "", true), None);
    }

    #[test]
    fn corrupt_and_unreadable_images_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("static/bad.jpg");
        std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
        std::fs::write(&bad, b"\xff\xd8\xff\xe0 not really").unwrap();
        let p = Processor::new(
            dir.path(),
            "https://example.org",
            [
                ("bad.jpg".to_string(), bad),
                ("gone.png".to_string(), dir.path().join("static/gone.png")),
            ],
        );
        let e = p.picture("bad.jpg", "", "", true).unwrap().unwrap_err();
        assert!(
            e.message
                .starts_with("static/bad.jpg is not a readable image"),
            "{e:?}"
        );
        let e = p.picture("gone.png", "", "", true).unwrap().unwrap_err();
        assert!(
            e.message
                .contains("could not read the image static/gone.png"),
            "{e:?}"
        );
        let e = p.resize("bad.jpg", Op::FitWidth(10), None).unwrap_err();
        assert!(e.message.contains("static/bad.jpg"), "{e:?}");
    }
}
