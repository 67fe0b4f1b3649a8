use super::*;

const ROOT: Site<'static> = Site {
    base_url: "https://example.com",
    base_path: "",
    mode: UrlMode::Relative,
};

const SUB: Site<'static> = Site {
    base_url: "https://example.com/studio",
    base_path: "/studio",
    mode: UrlMode::Relative,
};

fn files(site: Site<'static>) -> Site<'static> {
    Site {
        mode: UrlMode::Files,
        ..site
    }
}

#[test]
fn links_are_relative_to_the_page_at_each_depth() {
    let html = r#"<a href="https://example.com/prices/">P</a>"#;
    assert_eq!(
        rewrite(html, "index.html", ROOT),
        r#"<a href="prices/">P</a>"#
    );
    assert_eq!(
        rewrite(html, "faq/index.html", ROOT),
        r#"<a href="../prices/">P</a>"#
    );
    assert_eq!(
        rewrite(html, "blog/page/2/index.html", ROOT),
        r#"<a href="../../../prices/">P</a>"#
    );
    assert_eq!(
        rewrite(html, "prices/index.html", ROOT),
        r#"<a href="./">P</a>"#
    );
}

#[test]
fn the_home_page_link() {
    let html = r#"<a href="https://example.com/">Home</a><a href="https://example.com">x</a>"#;
    assert_eq!(
        rewrite(html, "index.html", ROOT),
        r#"<a href="./">Home</a><a href="./">x</a>"#
    );
    assert_eq!(
        rewrite(html, "faq/index.html", ROOT),
        r#"<a href="../">Home</a><a href="../">x</a>"#
    );
}

#[test]
fn base_path_and_root_relative_links() {
    let html = r#"<link rel="stylesheet" href="/studio/css/site.css?h=1"><a href="https://example.com/studio/faq/">F</a><a href="/other/">O</a>"#;
    assert_eq!(
        rewrite(html, "faq/index.html", SUB),
        r#"<link rel="stylesheet" href="../css/site.css?h=1"><a href="./">F</a><a href="/other/">O</a>"#
    );
    // A URL that only starts like the base URL is not in the site.
    let html =
        r#"<a href="https://example.com/studios/">x</a><a href="https://example.com/">y</a>"#;
    assert_eq!(rewrite(html, "index.html", SUB), html);
}

#[test]
fn anchors_and_queries_are_kept() {
    let html = r##"<a href="https://example.com/faq/#cost">c</a><a href="#top">t</a><img src="https://example.com/a.png?v=2#x">"##;
    assert_eq!(
        rewrite(html, "blog/index.html", ROOT),
        r##"<a href="../faq/#cost">c</a><a href="#top">t</a><img src="../a.png?v=2#x">"##
    );
}

#[test]
fn srcset_candidates_each_rewritten() {
    let html = r#"<img srcset="https://example.com/img/a-400.webp 400w, https://example.com/img/a-800.webp 800w,https://cdn.net/x.webp 2x" src='https://example.com/img/a.jpg'>"#;
    assert_eq!(
        rewrite(html, "faq/index.html", ROOT),
        r#"<img srcset="../img/a-400.webp 400w, ../img/a-800.webp 800w,https://cdn.net/x.webp 2x" src='../img/a.jpg'>"#
    );
}

#[test]
fn external_and_other_attributes_untouched() {
    let html = r#"<a href="https://other.org/" data-x="https://example.com/faq/" title="https://example.com/">x</a><a href="mailto:a@example.com">m</a><a href=//example.com/x>p</a>"#;
    assert_eq!(rewrite(html, "faq/index.html", ROOT), html);
}

#[test]
fn canonical_meta_json_ld_scripts_and_comments_untouched() {
    let html = concat!(
        r#"<link rel="canonical" href="https://example.com/faq/">"#,
        r#"<meta property="og:url" content="https://example.com/faq/">"#,
        r#"<meta name="twitter:image" content="https://example.com/a.png">"#,
        r#"<script type="application/ld+json">{"url":"https://example.com/faq/","x":"<a href=\"https://example.com/\">"}</script>"#,
        r#"<style>a{background:url("https://example.com/a.png")} /* <a href="/x/"> */</style>"#,
        r#"<!-- <a href="https://example.com/"> -->"#,
    );
    assert_eq!(rewrite(html, "faq/index.html", ROOT), html);
    // A script's src is a link.
    assert_eq!(
        rewrite(
            r#"<script src="https://example.com/js/a.js"></script><a href="/b/">b</a>"#,
            "faq/index.html",
            ROOT
        ),
        r#"<script src="../js/a.js"></script><a href="../b/">b</a>"#
    );
}

#[test]
fn forms_video_and_alias_refresh() {
    let html = r#"<form action="https://example.com/search/"><video poster="https://example.com/p.jpg"></video>"#;
    assert_eq!(
        rewrite(html, "a/index.html", ROOT),
        r#"<form action="../search/"><video poster="../p.jpg"></video>"#
    );
    let alias = r#"<meta http-equiv="refresh" content="0; url=https://example.com/faq/"><a href="https://example.com/faq/">here</a>"#;
    assert_eq!(
        rewrite(alias, "old/path/index.html", ROOT),
        r#"<meta http-equiv="refresh" content="0; url=../../faq/"><a href="../../faq/">here</a>"#
    );
}

#[test]
fn files_mode_ends_page_links_in_index_html() {
    let html = r#"<a href="https://example.com/">h</a><a href="https://example.com/faq/#x">f</a><link href="https://example.com/css/s.css">"#;
    assert_eq!(
        rewrite(html, "index.html", files(ROOT)),
        r#"<a href="./index.html">h</a><a href="faq/index.html#x">f</a><link href="css/s.css">"#
    );
    assert_eq!(
        rewrite(html, "faq/index.html", files(ROOT)),
        r#"<a href="../index.html">h</a><a href="./index.html#x">f</a><link href="../css/s.css">"#
    );
}

#[test]
fn not_found_page_is_root_relative() {
    let html = r#"<link rel="stylesheet" href="https://example.com/studio/css/site.css"><a href="https://example.com/studio/">home</a><a href="/studio/faq/#x">f</a>"#;
    let expected = r#"<link rel="stylesheet" href="/studio/css/site.css"><a href="/studio/">home</a><a href="/studio/faq/#x">f</a>"#;
    assert_eq!(rewrite(html, "404.html", SUB), expected);
    assert_eq!(rewrite(html, "404.html", files(SUB)), expected);
}

#[test]
fn absolute_mode_and_unchanged_pages_borrow() {
    let html = r#"<a href="https://example.com/faq/">f</a>"#;
    let absolute = Site {
        mode: UrlMode::Absolute,
        ..ROOT
    };
    assert!(matches!(
        rewrite(html, "x/index.html", absolute),
        Cow::Borrowed(_)
    ));
    assert!(matches!(
        rewrite("<p>no links</p>", "x/index.html", ROOT),
        Cow::Borrowed(_)
    ));
}

#[test]
fn odd_markup_does_not_break_the_scan() {
    let html = "<p>a < b</p><a href=https://example.com/x/>x</a><A HREF='https://example.com/y/'>y</A><img src=\"https://example.com/z.png\" alt=\"a > b\"><a href=\"unterminated";
    assert_eq!(
        rewrite(html, "index.html", ROOT),
        "<p>a < b</p><a href=x/>x</a><A HREF='y/'>y</A><img src=\"z.png\" alt=\"a > b\"><a href=\"unterminated"
    );
}

#[test]
fn base_url_in_text_or_in_a_comment_before_a_link_is_left() {
    let html = "<p>Visit https://example.com/faq/ or =\"/x\" today</p><!-- https://example.com/ --><SCRIPT>x</SCRIPT><a href=\"/faq/\">f</a>";
    assert_eq!(
        rewrite(html, "a/index.html", ROOT),
        "<p>Visit https://example.com/faq/ or =\"/x\" today</p><!-- https://example.com/ --><SCRIPT>x</SCRIPT><a href=\"../faq/\">f</a>"
    );
}

#[test]
fn relative_paths_compare_whole_folder_names() {
    let rel = |dir: &str, target: &str| {
        let mut out = String::new();
        super::write_relative(dir, target, &mut out);
        out
    };
    let cases = [
        ("", "/", "./"),
        ("", "/css/site.css", "css/site.css"),
        ("a", "/a/", "./"),
        ("a", "/a/x.css", "x.css"),
        ("a", "/ab/", "../ab/"),
        ("ab", "/a/", "../a/"),
        ("a/b", "/a/", "../"),
        ("a/b", "/a/c/x.css", "../c/x.css"),
        ("a/b", "/a/b/", "./"),
        ("a/b", "/a/bc/", "../bc/"),
        ("a/bc", "/a/b/", "../b/"),
        ("a/b/c", "/", "../../../"),
        ("a/b/c", "/x/y/z.png", "../../../x/y/z.png"),
        ("blog/page/2", "/blog/", "../../"),
    ];
    for (dir, target, want) in cases {
        assert_eq!(rel(dir, target), want, "from {dir:?} to {target:?}");
    }
}

#[test]
fn spaces_around_the_equals_sign_and_a_srcset_that_starts_outside() {
    let page = r#"<a href = "https://example.com/faq/">F</a><img srcset="https://cdn.example.net/a.png 1x, https://example.com/b.png 2x" src='/c.png'>"#;
    assert_eq!(
        rewrite(page, "blog/x/index.html", ROOT),
        r#"<a href = "../../faq/">F</a><img srcset="https://cdn.example.net/a.png 1x, ../../b.png 2x" src='../../c.png'>"#
    );
}

/// Pieces for the splice tests: the first seven can be spliced, the others cannot.
const PIECES: &[&str] = &[
    "<nav><a href=\"https://example.com/n1/\">1</a> <a href=\"/n2/#a\">2</a></nav>",
    "\n<ul><li><a href=\"https://example.com/\">home</a></li></ul>",
    "<!-- x --><a href=\"/q/?x=1\">q</a><img srcset=\"/a.png 1x, https://example.com/b.png 2x\">",
    "<script>var x = '<a href=\"/no/\">';</script><a href=\"/r/\">r</a>",
    // Starts and ends inside tags (kept from its first `<` to its last `>`).
    "/\">Home</a></header><nav><a href=\"/t/\">t</a></nav><a class=\"",
    // Ends in an open tag or comment (kept up to its last `>`).
    "<a href=\"/u/\">u</a><",
    "<a href=\"/v/\">v</a><!-- open",
    // An open comment; an upper-case script end; no link.
    "<a href=\"/w/\">v</a><!-- <p> ",
    "<script>x</SCRIPT><a href=\"/x/\">x</a>",
    "<p>no link</p>",
];

/// Bits of pages around the pieces, many of them half a construct, so that a piece lands in
/// a tag, a quoted value, a comment, a script or a style as often as in text.
const BITS: &[&str] = &[
    "<a href=\"https://example.com/x/\">x</a>",
    "<a title=\"<b\" href=\"/y/\">",
    "<a title=\"x\">",
    "<!-- c ",
    " -->",
    "<!-- <a href=\"/in-comment/\"> -->",
    "<script>",
    "</script>",
    "<script src=\"/s.js\">",
    "</SCRIPT>",
    "var a = \"<a href='/x'>\";",
    "<style>",
    "</style>",
    "<div class=\"",
    "\">",
    "\"",
    "'",
    "<",
    ">",
    "=",
    "href=",
    "srcset=",
    " src=\"/img.png\"",
    "<meta http-equiv=\"refresh\" content=\"0; url=/r/\">",
    "<link rel=\"canonical\" href=\"https://example.com/c/\">",
    "a < b",
    "x=/y",
    "\n",
    "<p>",
    "</p>",
    "<a href=/unquoted/>",
    "<img srcset=\"/a.png 1x, /b.png 2x\">",
];

/// A seeded xorshift: each call gives a number below its argument.
fn below(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}

/// Splicing the pieces gives the bytes of one scan, wherever they land: 20,000 pages made of
/// random bits and pieces, at three depths and the 404 page, under two sites and both modes.
#[test]
fn splicing_pieces_gives_the_bytes_of_one_scan() {
    let mut next = below(0x5eed_1234_abcd_0001);
    let sites = [ROOT, SUB, files(ROOT)];
    let outputs = [
        "index.html",
        "faq/index.html",
        "blog/page/2/index.html",
        "404.html",
    ];
    let mut spliced = 0;
    for _ in 0..20_000 {
        let mut html = String::new();
        for _ in 0..1 + next(8) {
            if next(3) == 0 {
                html.push_str(PIECES[next(PIECES.len())]);
            } else {
                html.push_str(BITS[next(BITS.len())]);
            }
        }
        let site = sites[next(sites.len())];
        let output = outputs[next(outputs.len())];
        let pieces: Vec<Piece> = PIECES.iter().filter_map(|p| Piece::new(p, site)).collect();
        let (got, n) = splice(&html, output, site, &pieces);
        assert_eq!(got, rewrite(&html, output, site), "{html:?} at {output}");
        spliced += n;
    }
    assert!(spliced > 2_000, "only {spliced} pieces were spliced");
}

#[test]
fn only_pieces_that_scan_alone_are_kept() {
    let kept: Vec<bool> = PIECES
        .iter()
        .map(|p| Piece::new(p, ROOT).is_some())
        .collect();
    assert_eq!(
        kept,
        [
            true, true, true, true, true, true, true, false, false, false
        ]
    );
    assert!(
        Piece::new(
            PIECES[0],
            Site {
                mode: UrlMode::Absolute,
                ..ROOT
            }
        )
        .is_none()
    );
}

#[test]
fn a_piece_is_spliced_unless_a_comment_script_or_style_is_open_before_it() {
    let pieces = [Piece::new(PIECES[0], ROOT).unwrap()];
    let nav = PIECES[0];
    let at = |before: &str, after: &str| {
        let html = format!(
            "<header><a href=\"/\">h</a></header>{before}{nav}{after}<p><a href=\"/z/\">z</a></p>"
        );
        let (got, n) = splice(&html, "faq/index.html", ROOT, &pieces);
        assert_eq!(got, rewrite(&html, "faq/index.html", ROOT));
        n
    };
    assert_eq!(at("", ""), 1);
    assert_eq!(
        at("<script type=\"application/ld+json\">{}</script>", ""),
        1
    );
    assert_eq!(at("<!-- ", " -->"), 0, "in a comment");
    assert_eq!(at("<script>", "</script>"), 0, "in a script");
    assert_eq!(at("<style>", "</style>"), 0, "in a style");
    // The scan reads a tag only back to the last `<` before a link, which in a piece is the
    // piece's own: one in an open tag or a quoted value is read as on its own, and spliced.
    assert_eq!(at("<div title=\"", "\">"), 1, "in a quoted value");
    assert_eq!(at("<div ", ">"), 1, "in a tag");
    let html = format!("{nav}<p>x</p>{nav}");
    assert_eq!(splice(&html, "a/index.html", ROOT, &pieces).1, 2);
    assert_eq!(
        splice(&html, "a/index.html", ROOT, &pieces).0,
        "<nav><a href=\"../n1/\">1</a> <a href=\"../n2/#a\">2</a></nav><p>x</p><nav><a href=\"../n1/\">1</a> <a href=\"../n2/#a\">2</a></nav>"
    );
}

/// A piece written once for a folder is reused for the other pages of that folder
/// ([`Piece::write_for`]): over 5,000 pages a site, in random folders made of the names the
/// piece links into (so that pages sit in, beside and above the folders it links to), one set of
/// pieces shared by all gives the bytes of one scan, under two sites and both modes.
#[test]
fn a_piece_written_for_a_folder_serves_the_other_pages_of_the_folder() {
    const NAV: &str = "<nav><a href=\"/\">h</a><a href=\"/blog/\">b</a>\
        <a href=\"/blog/a/\">ba</a><img src=\"/blog/a/x.png\"><a href=\"/faq/#q\">f</a>\
        <a href=\"/blog/page/2/\">p</a><a href=\"/docs\">d</a><a href=\"/blog/a/b/c/?x=1\">c</a>\
        <a href=\"https://example.com/a/b/\">full</a></nav>";
    const NAMES: &[&str] = &["blog", "a", "b", "c", "page", "2", "faq", "docs", "x", "ab"];
    let mut next = below(0x5eed_1234_abcd_0002);
    for site in [ROOT, SUB, files(ROOT)] {
        let nav = NAV
            .replace("=\"/", &format!("=\"{}/", site.base_path))
            .replace("https://example.com/a", &format!("{}/a", site.base_url));
        let pieces = [Piece::new(&nav, site).unwrap()];
        let mut reused = 0;
        for _ in 0..5_000 {
            let output = match next(12) {
                0 => "index.html".to_string(),
                1 => "404.html".to_string(),
                _ => {
                    let depth = 1 + next(4);
                    let dir: Vec<&str> = (0..depth).map(|_| NAMES[next(NAMES.len())]).collect();
                    format!("{}/index.html", dir.join("/"))
                }
            };
            let html = format!("<p>before</p>{nav}<a href=\"/after/\">after</a>");
            let cached = pieces[0].written.lock().unwrap().len();
            let (got, n) = splice(&html, &output, site, &pieces);
            assert_eq!(n, 1);
            assert_eq!(got, rewrite(&html, &output, site), "at {output}");
            reused += usize::from(pieces[0].written.lock().unwrap().len() == cached);
        }
        let folders = pieces[0].written.lock().unwrap().len();
        assert!(folders > 50, "only {folders} folders kept a written piece");
        assert!(reused > 3_000, "only {reused} pages reused a written piece");
    }
}
