//! Image processing (issue 4, item 5): markdown images become responsive `<picture>`s with
//! resized variants, `resize_image` in templates, the image cache, and errors for missing and
//! corrupt images. Fixture: `tests/fixtures/images/` (a 600×300 JPEG in a page bundle, a
//! 300×200 PNG and an SVG in static/).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::support::TestSite;

/// The `<main>` element of an output page.
fn main_of(html: &str) -> &str {
    let start = html.find("<main>").unwrap();
    let end = html.find("</main>").unwrap();
    &html[start..end + "</main>".len()]
}

/// (url, width descriptor) of every candidate in every `srcset` of `html`.
fn srcset_candidates(html: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for part in html.split("srcset=\"").skip(1) {
        let value = &part[..part.find('"').unwrap()];
        for candidate in value.split(", ") {
            let (url, w) = candidate.rsplit_once(' ').unwrap();
            out.push((url.to_string(), w.trim_end_matches('w').parse().unwrap()));
        }
    }
    out
}

fn dimensions(site: &TestSite, url: &str) -> (u32, u32) {
    let rel = url.strip_prefix("https://example.org/").unwrap();
    let path = site.path(&format!("public/{rel}"));
    image::image_dimensions(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn cache_files(site: &TestSite) -> BTreeMap<PathBuf, SystemTime> {
    std::fs::read_dir(site.path(".stillpoint-cache/images"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.path(), e.metadata().unwrap().modified().unwrap())
        })
        .collect()
}

#[test]
fn markdown_images_become_pictures_with_resized_variants() {
    let site = TestSite::fixture("images");
    site.build_with(&["--urls", "absolute"]).success();
    let page = site.read("public/gallery/index.html");
    insta::assert_snapshot!("images_gallery_main", main_of(&page));

    // Every variant exists, at the width its srcset says, keeping the aspect ratio.
    let candidates = srcset_candidates(&page);
    assert_eq!(candidates.len(), 6, "{page}");
    for (url, w) in &candidates {
        let (fw, fh) = dimensions(&site, url);
        assert_eq!(fw, *w, "{url}");
        let expected_h = if url.contains(".png") || fw == 300 {
            200
        } else {
            w / 2
        };
        assert_eq!(fh, expected_h, "{url}");
    }
    // The JPEG: 480 and its own 600 px, as JPEG and WebP; never wider than the original.
    let jpeg_widths: Vec<u32> = candidates
        .iter()
        .filter(|(u, _)| u.ends_with(".jpg"))
        .map(|(_, w)| *w)
        .collect();
    assert_eq!(jpeg_widths, [480, 600]);
    // The first image is loaded at once; later ones lazily.
    let first = page.find("alt=\"A soft gradient").unwrap();
    let second = page.find("alt=\"A blue circle").unwrap();
    assert!(!page[..second].contains("loading=\"lazy\""), "{page}");
    assert!(page[second..].contains("loading=\"lazy\" decoding=\"async\""));
    assert!(first < second);
    // SVG passes through untouched, and the originals are still published.
    assert!(page.contains("<img src=\"https://example.org/images/logo.svg\" alt=\"Logo\" />"));
    assert_eq!(
        site.read_bytes("public/gallery/photo.jpg"),
        site.read_bytes("content/gallery/photo.jpg")
    );
}

#[test]
fn resize_image_in_templates_returns_zola_fields() {
    let site = TestSite::fixture("images");
    site.build_with(&["--urls", "absolute"]).success();
    let home = site.read("public/index.html");
    let thumb = home
        .lines()
        .find(|l| l.contains("class=\"thumb\""))
        .unwrap();
    assert!(
        thumb.contains("width=\"200\" height=\"200\"") && thumb.contains("data-orig=\"600x300\""),
        "{thumb}"
    );
    let url = thumb
        .split("src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(url.ends_with(".jpg"), "{url}");
    assert_eq!(dimensions(&site, url), (200, 200));

    let wide = home.lines().find(|l| l.contains("class=\"wide\"")).unwrap();
    let url = wide
        .split("src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(url.ends_with(".webp"), "format=\"webp\": {wide}");
    assert_eq!(dimensions(&site, url), (150, 100));
}

#[test]
fn second_build_reuses_the_image_cache() {
    let site = TestSite::fixture("images");
    site.build().success();
    let before = cache_files(&site);
    assert!(before.len() >= 8, "{before:?}");
    site.build().success();
    assert_eq!(
        cache_files(&site),
        before,
        "no cache file was written again"
    );

    // In process: the second build encodes nothing.
    let options = stillpoint::BuildOptions {
        root: site.root().to_path_buf(),
        dry_run: true,
        ..Default::default()
    };
    let (_, built) = stillpoint::build_in_memory(&options).unwrap();
    assert_eq!(built.images_encoded, 0);

    // A cache entry is what gets published: overwrite one and it is served as it is.
    let (jpg, _) = before
        .iter()
        .find(|(p, _)| p.extension().is_some_and(|e| e == "jpg"))
        .unwrap();
    std::fs::write(jpg, b"from the cache").unwrap();
    site.build().success();
    let name = jpg.file_name().unwrap().to_str().unwrap();
    assert_eq!(
        site.read_bytes(&format!("public/processed_images/{name}")),
        b"from the cache"
    );
}

/// Variants no page asks for any more leave the cache after a build (Zola prunes its processed
/// images the same way), and a file of the owner's in the cache folder stays.
#[test]
fn a_build_prunes_variants_no_page_uses() {
    let site = TestSite::fixture("images");
    site.build().success();
    let all = cache_files(&site);
    site.file(".stillpoint-cache/images/README.txt", "mine");
    let page = site
        .read("content/gallery/index.md")
        .replace("![A blue circle on orange](/images/diagram.png)", "");
    site.file("content/gallery/index.md", &page);
    site.build().success();
    let left = cache_files(&site);
    assert!(left.keys().any(|p| p.ends_with("README.txt")));
    let html = site.read("public/gallery/index.html");
    assert!(
        left.keys()
            .all(|p| p.ends_with("README.txt") || all.contains_key(p)),
        "nothing was made again: {left:?}"
    );
    let removed: Vec<_> = all.keys().filter(|p| !left.contains_key(*p)).collect();
    // The diagram's PNG variant and its WebP copy are gone; the photo's are kept.
    assert_eq!(removed.len(), 2, "{removed:?}");
    for p in removed {
        let name = p.file_name().unwrap().to_str().unwrap();
        assert!(!html.contains(name), "{name} is still used");
    }
    assert!(html.contains("processed_images/"), "{html}");
}

#[test]
fn a_fresh_build_encodes_every_variant_once() {
    let site = TestSite::fixture("images");
    let options = stillpoint::BuildOptions {
        root: site.root().to_path_buf(),
        dry_run: true,
        ..Default::default()
    };
    let (_, built) = stillpoint::build_in_memory(&options).unwrap();
    // JPEG 480 + 600 and PNG 300, each also as WebP (6), plus the two resize_image results.
    assert_eq!(built.images_encoded, 8);
}

#[test]
fn missing_image_is_an_error_at_its_line_and_column() {
    let site = TestSite::fixture("images");
    site.file(
        "content/gallery/index.md",
        "---\ntitle: Gallery\n---\n\nText first.\n\nSee ![the room](room.jpg) here.\n",
    );
    site.build()
        .code(1)
        .stderr_has("content/gallery/index.md:7:5")
        .stderr_has("`room.jpg`");
    assert!(!site.exists("public/gallery/index.html"));
}

#[test]
fn corrupt_image_is_an_error_naming_the_file_and_the_page() {
    let site = TestSite::fixture("images");
    site.file("content/gallery/photo.jpg", "this is not a JPEG");
    site.build()
        .code(1)
        .stderr_has("content/gallery/photo.jpg is not a readable image")
        .stderr_has("content/gallery/index.md:5:1")
        .stderr_has("save it again");

    // A truncated PNG too: an error, not a panic.
    let site = TestSite::fixture("images");
    let png = site.read_bytes("static/images/diagram.png");
    site.bytes("static/images/diagram.png", &png[..png.len() / 2]);
    site.build()
        .code(1)
        .stderr_has("static/images/diagram.png is not a readable image")
        .stderr_lacks("panicked");
}

#[test]
fn resize_image_errors_name_the_template() {
    let site = TestSite::fixture("images");
    site.file(
        "templates/index.html",
        "{% set r = resize_image(path=\"images/diagam.png\", width=10, height=10) %}{{ r.url }}",
    );
    site.build()
        .code(1)
        .stderr_has("there is no image `images/diagam.png`")
        .stderr_has("did you mean `images/diagram.png`?");

    site.file(
        "templates/index.html",
        "{% set r = resize_image(path=\"images/diagram.png\", width=10, op=\"squash\") %}{{ r.url }}",
    );
    site.build().code(1).stderr_has("unknown op `squash`");

    site.file(
        "templates/index.html",
        "{% set r = resize_image(path=\"images/logo.svg\", width=10, op=\"fit_width\") %}{{ r.url }}",
    );
    site.build()
        .code(1)
        .stderr_has("`images/logo.svg` is not a JPEG, PNG or WebP image");
}
