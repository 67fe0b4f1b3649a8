//! Pixel operations of [`super`]: the output [`Format`]s, the resize [`Op`]s, and decoding,
//! resizing and encoding one image. In: an original's bytes or pixels. Out: pixels or encoded
//! bytes. No disk and no cache here; errors are the libraries', worded by the caller, except
//! [`decode`]'s, which names the original.

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader};

use super::{
    JPEG_QUALITY, MAX_DECODED_BYTES, Original, Outcome, RESAVE_HELP, problem, too_many_pixels,
};

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

    /// The output format matching an original's format, if it is one we write.
    pub(super) fn from_image(f: ImageFormat) -> Option<Format> {
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
                Some(0) => Err(problem(
                    format!("resize_image: `{name}` must be at least 1"),
                    format!("give `{name}` in pixels, like {name}=800"),
                )),
                Some(n) => Ok(n),
                None => Err(problem(
                    format!("resize_image: op=\"{op}\" needs `{name}`"),
                    format!("add {name}=… in pixels"),
                )),
            }
        };
        match op {
            "scale" => Ok(Op::Scale(need(width, "width")?, need(height, "height")?)),
            "fit_width" => Ok(Op::FitWidth(need(width, "width")?)),
            "fit_height" => Ok(Op::FitHeight(need(height, "height")?)),
            "fit" => Ok(Op::Fit(need(width, "width")?, need(height, "height")?)),
            "fill" => Ok(Op::Fill(need(width, "width")?, need(height, "height")?)),
            _ => Err(problem(
                format!("resize_image: unknown op `{op}`"),
                "use one of fit_width, fit_height, fit, fill, scale".into(),
            )),
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
    pub(super) fn crop(self, w: u32, h: u32) -> Option<(f64, f64, f64, f64)> {
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

    /// The operation as part of a cache key (`fill-800x600`).
    pub(super) fn key(self) -> String {
        match self {
            Op::Scale(w, h) => format!("scale-{w}x{h}"),
            Op::FitWidth(w) => format!("fit_width-{w}"),
            Op::FitHeight(h) => format!("fit_height-{h}"),
            Op::Fit(w, h) => format!("fit-{w}x{h}"),
            Op::Fill(w, h) => format!("fill-{w}x{h}"),
        }
    }
}

/// Decodes `original` and turns it upright (EXIF orientation). Errors: the file is not a
/// readable image, it has more than [`super::MAX_PIXELS`], or its pixels would take more than
/// [`MAX_DECODED_BYTES`]; each is refused before the pixels are allocated.
pub(super) fn decode(original: &Original) -> Outcome<DynamicImage> {
    let corrupt = |e: image::ImageError| {
        problem(
            format!("{} is not a readable image: {e}", original.shown),
            RESAVE_HELP.into(),
        )
    };
    let mut reader = ImageReader::new(Cursor::new(&original.bytes[..]))
        .with_guessed_format()
        .map_err(|e| corrupt(e.into()))?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    if let Some(e) = too_many_pixels(&original.shown, width, height) {
        return Err(e);
    }
    if decoder.total_bytes() > MAX_DECODED_BYTES {
        return Err(problem(
            format!(
                "{} would take {} MB of memory to read, more than the {} MB allowed",
                original.shown,
                decoder.total_bytes() >> 20,
                MAX_DECODED_BYTES >> 20
            ),
            "save it again with fewer pixels, or as 8-bit JPEG or PNG, in an image editor".into(),
        ));
    }
    let orientation = decoder.orientation().map_err(corrupt)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// Resizes (and for `Fill` crops) to `size` with a Lanczos3 filter; 8-bit RGB or RGBA out.
/// Errors: the resizer's, which the caller words with the file's name.
pub(super) fn resize(
    src: &DynamicImage,
    op: Op,
    size: (u32, u32),
) -> Result<DynamicImage, fast_image_resize::ResizeError> {
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
    Resizer::new().resize(&src, &mut dst, &options)?;
    Ok(dst)
}

/// Encodes `img` as `format`. Errors: the encoder's, which the caller words with the file's
/// name.
pub(super) fn encode(img: &DynamicImage, format: Format) -> Result<Vec<u8>, image::ImageError> {
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
    result?;
    Ok(out)
}
