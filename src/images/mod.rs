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
//! WebP of a photograph is usually several times larger than a JPEG of it (measured on a 720x477
//! photograph: JPEG q82 variants of 70.6 KB at 480w and 131.5 KB at 720w, lossless WebP 332.9 KB
//! and 688.9 KB, 4.7 to 5.2 times larger), while for flat graphics it beats PNG (a 300x200
//! diagram: PNG 2,631 B, WebP 2,300 B). So every image also gets lossless WebP variants, and a `<picture>` with a WebP `<source>` is written
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
//! a [`Diagnostic`] naming the file (see [`Outcome`]); the caller adds the page, line and column.
//! Nothing here panics on bad input. An original of more than [`MAX_PIXELS`] is refused from
//! its header, before any pixel is decoded (a 2.6 MB PNG can say it is 30000×30000 pixels, which
//! took 8 GB to decode), and decoding is limited to [`MAX_DECODED_BYTES`] (the `image` crate's
//! `Limits`, plus a check of the decoder's own size, as `DynamicImage::from_decoder` does not
//! apply the limits).
//!
//! Layout (Zola's imageproc split): this file holds the [`Processor`], which reads each original
//! once and makes each variant once; `ops.rs` the pixel work ([`Format`], [`Op`], decode, resize,
//! encode); `cache.rs` the cache files (names, whole-file writes, pruning); `picture.rs` the
//! `<img>`/`<picture>` HTML of a markdown image.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use image::{DynamicImage, ImageDecoder, ImageReader};

use crate::error::Diagnostic;

mod cache;
mod ops;
mod picture;

use cache::file_name;
use ops::{decode, encode, resize};

pub use ops::{Format, Op};

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

/// A value, or why an image cannot be processed: a diagnostic whose message names the image
/// file and whose help says what to do. It has no file or place: the caller knows the page,
/// line and column. Boxed, as a `Diagnostic` is large.
pub type Outcome<T> = std::result::Result<T, Box<Diagnostic>>;

/// The most pixels an original may have: 100 megapixels (10000×10000; a 50-megapixel camera's
/// photo is half that). Decoding takes 3 to 8 bytes per pixel.
pub const MAX_PIXELS: u64 = 100_000_000;

/// The most memory the decoded pixels of one original may take: 1 GiB (100 megapixels of 8-bit
/// RGBA is 400 MB; 16-bit RGBA 800 MB).
pub const MAX_DECODED_BYTES: u64 = 1 << 30;

/// The error for an original of `width`×`height` pixels when that is more than [`MAX_PIXELS`].
fn too_many_pixels(shown: &str, width: u32, height: u32) -> Option<Box<Diagnostic>> {
    let pixels = u64::from(width) * u64::from(height);
    (pixels > MAX_PIXELS).then(|| {
        problem(
            format!(
                "{shown} is {width} × {height} pixels ({} megapixels): stillpoint reads images of at most {} megapixels",
                pixels / 1_000_000,
                MAX_PIXELS / 1_000_000
            ),
            "make it smaller than 10000 × 10000 pixels in an image editor (2400 pixels across is plenty for a web page) and save it again".into(),
        )
    })
}

/// The help for an image that cannot be read or resized.
const RESAVE_HELP: &str =
    "open it in an image editor and save it again as JPEG, PNG or WebP, or replace the file";

/// The diagnostic of an [`Outcome`]: `message` names the image, `help` says what to do.
fn problem(message: String, help: String) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(message).help(help))
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

    /// The processed files used by the pages so far: (output path, cache file), sorted.
    pub fn published(&self) -> Vec<(String, PathBuf)> {
        let map = self
            .published
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
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
            return Err(problem(
                format!("resize_image: there is no image `{path}` in the site"),
                help,
            ));
        };
        if !is_processable_name(key) {
            let help = "only .jpg, .jpeg, .png and .webp files can be resized; use SVG and GIF files as they are";
            return Err(problem(
                format!("resize_image: `{path}` is not a JPEG, PNG or WebP image"),
                help.into(),
            ));
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
        let bytes = std::fs::read(source).map_err(|e| {
            problem(
                format!("could not read the image {shown}: {e}"),
                "check that the file exists and can be read".into(),
            )
        })?;
        let corrupt = |detail: String| {
            problem(
                format!("{shown} is not a readable image: {detail}"),
                RESAVE_HELP.into(),
            )
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
        if let Some(e) = too_many_pixels(&shown, width, height) {
            return Err(e);
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
        let name = cache::cache_name(original, op, (w, h), format);
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
        let resized = resize(&decoded, op, size).map_err(|e| {
            problem(
                format!("could not resize {}: {e}", original.shown),
                RESAVE_HELP.into(),
            )
        })?;
        encode(&resized, format).map_err(|e| {
            problem(
                format!(
                    "could not write a {} version of {}: {e}",
                    format.extension(),
                    original.shown
                ),
                "try another `format`, or save the image again in an image editor".into(),
            )
        })
    }
}

/// Whether a file name has an extension the processor handles (JPEG, PNG, WebP).
pub fn is_processable_name(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(ext.as_deref(), Some("jpg" | "jpeg" | "png" | "webp"))
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
        assert!(e.message.contains("squash") && e.help.unwrap().contains("fit_width"));
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

    /// A PNG whose header says it is 30000×30000 pixels of 8-bit grey, with one tiny
    /// compressed row: valid header, pixels not all there (the decoder must refuse it first).
    /// Made by hand (IHDR, one empty zlib block, IEND); the integration tests use it too.
    pub(crate) const PNG_CLAIMING_30000: &[u8] =
        include_bytes!("../../tests/fixtures/limits/claims-30000x30000.png");

    #[test]
    fn images_of_more_than_100_megapixels_are_refused_from_their_header() {
        let dir = tempfile::tempdir().unwrap();
        let huge = dir.path().join("static/huge.png");
        std::fs::create_dir_all(huge.parent().unwrap()).unwrap();
        std::fs::write(&huge, PNG_CLAIMING_30000).unwrap();
        let p = Processor::new(
            dir.path(),
            "https://example.org",
            [("huge.png".to_string(), huge.clone())],
        );
        let e = p.picture("huge.png", "", "", true).unwrap().unwrap_err();
        assert_eq!(
            e.message,
            "static/huge.png is 30000 × 30000 pixels (900 megapixels): stillpoint reads images of at most 100 megapixels"
        );
        assert!(e.help.as_deref().unwrap().contains("image editor"), "{e:?}");
        let e = p.resize("huge.png", Op::FitWidth(10), None).unwrap_err();
        assert!(e.message.contains("30000 × 30000"), "{e:?}");
        // Exactly 100 megapixels passes the header check (a wide panorama too).
        assert!(too_many_pixels("x", 10_000, 10_000).is_none());
        assert!(too_many_pixels("x", 200_000, 500).is_none());
        assert!(too_many_pixels("x", 10_001, 10_000).is_some());
    }

    #[test]
    fn decoding_refuses_images_over_the_limits_before_allocating() {
        let original = Original {
            shown: "static/huge.png".into(),
            bytes: PNG_CLAIMING_30000.to_vec(),
            hash: 0,
            format: Format::Png,
            width: 30_000,
            height: 30_000,
            decoded: OnceLock::new(),
        };
        let e = decode(&original).unwrap_err();
        assert!(e.message.contains("30000 × 30000 pixels"), "{e:?}");
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
