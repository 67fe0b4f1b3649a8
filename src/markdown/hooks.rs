//! Render hooks: `templates/markdown/image.html`, `link.html` and `heading.html` (the site's,
//! else the theme's) write markdown images, links and headings in place of the built-in HTML,
//! as Hugo's `render-image.html`, `render-link.html` and `render-heading.html` do.
//!
//! In: the events after the walk (links resolved, heading ids given, images sent to the image
//! processor) and a [`LinkResolver`] that says which hooks exist and renders them. Out: the
//! events, each hooked element replaced by one raw HTML event (the events inside it become empty
//! text, so event indexes stay valid for the summary). A hook that fails is a problem at the
//! element's place in the content file, carrying the template's own error.
//!
//! Nothing here runs when no hook exists: [`render_mapped`](super::render_mapped) asks
//! [`LinkResolver::has_hook`] first, so a site without hooks pays one check per page.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};
use tera::Context;

use super::{Positions, Rendered, Settings, heading_level};
use crate::error::{Diagnostic, Span};

/// One of the three render hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// `markdown/image.html`: markdown images.
    Image,
    /// `markdown/link.html`: markdown links (autolinks included).
    Link,
    /// `markdown/heading.html`: markdown headings.
    Heading,
}

impl Hook {
    /// The template's name, under `templates/`.
    pub fn template(self) -> &'static str {
        match self {
            Hook::Image => "markdown/image.html",
            Hook::Link => "markdown/link.html",
            Hook::Heading => "markdown/heading.html",
        }
    }

    /// What the hook writes, for messages: `image`, `link`, `heading`.
    pub fn word(self) -> &'static str {
        match self {
            Hook::Image => "image",
            Hook::Link => "link",
            Hook::Heading => "heading",
        }
    }
}

/// One responsive variant of a processed image, as the image hook's `variants` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImageVariant {
    /// Absolute URL of the variant file.
    pub url: String,
    /// Its width and height in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// `jpg`, `png` or `webp` (the file extension).
    pub format: &'static str,
    /// Its MIME type (`image/webp`), for a `<source type>`.
    #[serde(rename = "type")]
    pub mime: &'static str,
}

/// One `<source>` of a `<picture>`: a MIME type and the `srcset` of that format's variants.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImageSource {
    /// The MIME type (`image/webp`).
    #[serde(rename = "type")]
    pub mime: &'static str,
    /// `url 480w, url 800w`, narrowest first.
    pub srcset: String,
}

/// A markdown image the image processor made responsive: the built-in HTML (written when the
/// site has no image hook) and what the image hook receives instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    /// The built-in `<picture>`/`<img>` markup (images/picture.rs).
    pub html: String,
    /// URL of the largest variant in the original's format (the `<img src>`).
    pub url: String,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// Every variant published, the original's format first, each narrowest first.
    pub variants: Vec<ImageVariant>,
    /// The `srcset` of the variants in the original's format.
    pub srcset: String,
    /// The other formats (WebP) as `<source>`s; empty when none is smaller.
    pub sources: Vec<ImageSource>,
    /// The `sizes` attribute the variants are made for.
    pub sizes: &'static str,
}

/// What the image hook is given about one markdown image, besides its [`Picture`].
pub(super) struct ImageCall<'e> {
    /// The destination as written in the markdown.
    pub(super) destination: &'e str,
    /// The resolved URL (the site path made absolute), before pulldown-cmark's escaping.
    pub(super) url: &'e str,
    pub(super) alt: &'e str,
    pub(super) title: &'e str,
    /// The page's first markdown image (not lazy-loaded).
    pub(super) first: bool,
    /// Inside a markdown link.
    pub(super) in_link: bool,
    pub(super) span: Span,
}

/// The image hook's output for `call`, processed into `picture` or not. Its variables: `url`,
/// `destination`, `alt`, `title`, `width`, `height` (null when not processed), `variants`,
/// `srcset`, `sources`, `sizes`, `lazy`, `in_link`, `line`, `column`.
pub(super) fn image(
    resolver: &dyn super::LinkResolver,
    call: &ImageCall<'_>,
    picture: Option<&Picture>,
) -> Result<String, Box<Diagnostic>> {
    let mut ctx = Context::new();
    ctx.insert("destination", call.destination);
    ctx.insert("alt", call.alt);
    ctx.insert("title", call.title);
    ctx.insert("lazy", &!call.first);
    ctx.insert("in_link", &call.in_link);
    match picture {
        Some(p) => {
            ctx.insert("url", &p.url);
            ctx.insert("width", &p.width);
            ctx.insert("height", &p.height);
            ctx.insert("variants", &p.variants);
            ctx.insert("srcset", &p.srcset);
            ctx.insert("sources", &p.sources);
            ctx.insert("sizes", p.sizes);
        }
        None => {
            ctx.insert("url", &percent_encoded(call.url));
            ctx.insert("width", &None::<u32>);
            ctx.insert("height", &None::<u32>);
            ctx.insert("variants", &Vec::<ImageVariant>::new());
            ctx.insert("srcset", "");
            ctx.insert("sources", &Vec::<ImageSource>::new());
            ctx.insert("sizes", "");
        }
    }
    render(resolver, Hook::Image, ctx, call.span)
}

/// Renders `hook` with `ctx` plus the element's `line` and `column`; its error becomes a
/// problem at `span`. One newline at the end of the output (the file's last line break) is
/// dropped, so an inline hook adds no space.
fn render(
    resolver: &dyn super::LinkResolver,
    hook: Hook,
    mut ctx: Context,
    span: Span,
) -> Result<String, Box<Diagnostic>> {
    ctx.insert("line", &span.line);
    ctx.insert("column", &span.col);
    match resolver.render_hook(hook, ctx) {
        Ok(mut html) => {
            if html.ends_with('\n') {
                html.pop();
                if html.ends_with('\r') {
                    html.pop();
                }
            }
            Ok(html)
        }
        Err(e) => Err(Box::new(
            e.at_line(span, None)
                .label(format!("its {} hook stopped here", hook.word())),
        )),
    }
}

type Events<'a> = [(Event<'a>, Range<usize>)];

/// The link hook over every markdown link of `events` (before the external-link settings,
/// which the hook then decides on itself). Variables: `url` (resolved: an `@/` link as its
/// address), `title`, `text` (the link's inner HTML), `internal`, `line`, `column`.
pub(super) fn links(
    events: &mut Events<'_>,
    resolver: &dyn super::LinkResolver,
    positions: &mut Positions<'_>,
    settings: &Settings,
    out: &mut Rendered,
) {
    let mut open: Vec<usize> = Vec::new();
    for i in 0..events.len() {
        match &events[i].0 {
            Event::Start(Tag::Link { .. }) => open.push(i),
            Event::End(TagEnd::Link) => {
                let Some(start) = open.pop() else { continue };
                let Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    ..
                }) = &events[start].0
                else {
                    continue;
                };
                let url = if *link_type == pulldown_cmark::LinkType::Email
                    && !dest_url.starts_with("mailto:")
                {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.to_string()
                };
                let mut ctx = Context::new();
                ctx.insert("internal", &is_internal(&url, settings));
                ctx.insert("url", &percent_encoded(&url));
                ctx.insert("title", title.as_ref());
                ctx.insert("text", &inner_html(&events[start + 1..i]));
                let span = positions.span(events[start].1.clone());
                replace(
                    events,
                    start,
                    i,
                    render(resolver, Hook::Link, ctx, span),
                    out,
                    false,
                );
            }
            _ => {}
        }
    }
}

/// The plain text of every heading of `events`, in order (before the link hook replaces the
/// text of links in them).
pub(super) fn heading_texts(events: &Events<'_>) -> Vec<String> {
    let mut texts = Vec::new();
    let mut open: Option<usize> = None;
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::Heading { .. }) => open = Some(i),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(start) = open.take() {
                    texts.push(plain_text(&events[start + 1..i]));
                }
            }
            _ => {}
        }
    }
    texts
}

/// The heading hook over every heading of `events` (after the walk gave each its id), with
/// `plains` from [`heading_texts`]. Variables: `level`, `id`, `anchor` (`#id`), `text` (inner
/// HTML), `plain` (the text as the table of contents has it), `classes`, `attributes`, `line`,
/// `column`; the caller adds `permalink`.
pub(super) fn headings(
    events: &mut Events<'_>,
    plains: Vec<String>,
    resolver: &dyn super::LinkResolver,
    positions: &mut Positions<'_>,
    out: &mut Rendered,
) {
    let mut plains = plains.into_iter();
    let mut open: Option<usize> = None;
    for i in 0..events.len() {
        match &events[i].0 {
            Event::Start(Tag::Heading { .. }) => open = Some(i),
            Event::End(TagEnd::Heading(_)) => {
                let Some(start) = open.take() else { continue };
                let Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) = &events[start].0
                else {
                    continue;
                };
                let id = id.as_deref().unwrap_or_default();
                let attributes: serde_json::Map<String, serde_json::Value> = attrs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.as_deref().unwrap_or_default().into()))
                    .collect();
                let classes: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
                let mut ctx = Context::new();
                ctx.insert("level", &heading_level(*level));
                ctx.insert("id", id);
                ctx.insert("anchor", &format!("#{id}"));
                ctx.insert("classes", &classes);
                ctx.insert("attributes", &attributes);
                let inner = &events[start + 1..i];
                ctx.insert("text", &inner_html(inner));
                ctx.insert("plain", &plains.next().unwrap_or_default());
                let span = positions.span(events[start].1.clone());
                let result = render(resolver, Hook::Heading, ctx, span);
                replace(events, start, i, result, out, true);
            }
            _ => {}
        }
    }
}

/// Puts a hook's output in place of the events `start..=end` (one raw HTML event, then empty
/// text); on error records the problem and leaves the built-in HTML.
fn replace(
    events: &mut Events<'_>,
    start: usize,
    end: usize,
    result: Result<String, Box<Diagnostic>>,
    out: &mut Rendered,
    block: bool,
) {
    match result {
        Ok(html) => {
            events[start].0 = if block {
                Event::Html(html.into())
            } else {
                Event::InlineHtml(html.into())
            };
            for slot in &mut events[start + 1..=end] {
                slot.0 = Event::Text(CowStr::Borrowed(""));
            }
            if block {
                // A block ends its line, as pulldown-cmark's own heading does.
                events[end].0 = Event::Html("\n".into());
            }
        }
        Err(problem) => out.problems.push(*problem),
    }
}

/// The HTML pulldown-cmark writes for `events` (an element's inside).
fn inner_html(events: &Events<'_>) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.iter().map(|(e, _)| e.clone()));
    html
}

/// The text of `events` without tags, whitespace collapsed (as the table of contents has it).
fn plain_text(events: &Events<'_>) -> String {
    let mut text = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `url` percent-encoded as pulldown-cmark writes an `href` or `src` (spaces, non-ASCII and
/// other unsafe bytes as `%XX`), but not HTML-escaped: the hook's template escapes it. So a
/// hook that writes `{{ url }}` writes what the built-in HTML has.
fn percent_encoded(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_href(&mut out, url);
    out.replace("&#x27;", "'").replace("&amp;", "&")
}

/// Whether a link's resolved `url` stays on this site: a path, an anchor, or an `http(s)` URL
/// to one of the site's hosts (not `mailto:`, `tel:` or another site).
fn is_internal(url: &str, settings: &Settings) -> bool {
    let scheme = url.split_once(':').map(|(s, _)| s).filter(|s| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    match scheme {
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {
            !settings.is_external(url)
        }
        Some(_) => false,
        None => !url.starts_with("//"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{LinkResolver, LinkTarget, render};

    /// Every target external; hooks that write their variables, and fail on `fail`.
    struct Hooks(&'static [Hook]);

    impl LinkResolver for Hooks {
        fn resolve(&self, _target: &str) -> LinkTarget {
            LinkTarget::External
        }
        fn has_hook(&self, hook: Hook) -> bool {
            self.0.contains(&hook)
        }
        fn render_hook(&self, hook: Hook, ctx: Context) -> Result<String, Box<Diagnostic>> {
            let get = |k: &str| ctx.get(k).map(|v| v.to_string()).unwrap_or_default();
            if get("url").contains("fail") {
                return Err(Box::new(Diagnostic::error("the hook failed")));
            }
            Ok(match hook {
                Hook::Link => format!(
                    "[link {} {} internal={}]\n",
                    get("url"),
                    get("text"),
                    get("internal")
                ),
                Hook::Heading => format!(
                    "[h{} {} {} {}]",
                    get("level"),
                    get("id"),
                    get("text"),
                    get("plain")
                ),
                Hook::Image => format!(
                    "[img {} {} lazy={} in_link={}]",
                    get("url"),
                    get("alt"),
                    get("lazy"),
                    get("in_link")
                ),
            })
        }
    }

    #[test]
    fn links_in_headings_go_through_both_hooks_and_the_toc_keeps_the_text() {
        let all = Hooks(&[Hook::Link, Hook::Heading, Hook::Image]);
        let r = render("## A [*b*](/c) d\n\n[![x](/i.png)](/l)\n", 1, &all);
        assert_eq!(
            r.html,
            "[h2 a-b-d A [link /c <em>b</em> internal=true] d A b d]\n\
             <p>[link /l [img /i.png x lazy=false in_link=true] internal=true]</p>\n"
        );
        assert_eq!(r.toc[0].title, "A b d");
    }

    /// A resolver without hooks whose `render_hook` must never be called.
    struct NoHooks;

    impl LinkResolver for NoHooks {
        fn resolve(&self, _target: &str) -> LinkTarget {
            LinkTarget::External
        }
        fn render_hook(&self, hook: Hook, _ctx: Context) -> Result<String, Box<Diagnostic>> {
            panic!("the {} hook was rendered though none exists", hook.word())
        }
    }

    #[test]
    fn no_hook_leaves_the_built_in_html_and_renders_no_template() {
        let r = render("## A [b](/c)\n\n![i](/i.png)\n", 1, &NoHooks);
        assert_eq!(
            r.html,
            "<h2 id=\"a-b\">A <a href=\"/c\">b</a></h2>\n<p><img src=\"/i.png\" alt=\"i\" /></p>\n"
        );
        assert_eq!(
            r.html,
            render("## A [b](/c)\n\n![i](/i.png)\n", 1, &Hooks(&[])).html
        );
    }

    #[test]
    fn a_failing_hook_is_a_problem_at_the_element_and_the_element_is_kept() {
        let r = render("Intro\n\nSee [x](/fail) now.\n", 3, &Hooks(&[Hook::Link]));
        assert_eq!(r.problems.len(), 1);
        let span = r.problems[0].span.unwrap();
        assert_eq!((span.line, span.col), (5, 5));
        assert_eq!(
            r.problems[0].label.as_deref(),
            Some("its link hook stopped here")
        );
        assert!(r.html.contains("<a href=\"/fail\">x</a>"), "{}", r.html);
    }

    #[test]
    fn internal_is_this_site_only() {
        let s = Settings::default();
        assert!(is_internal("/about/", &s));
        assert!(is_internal("#top", &s));
        assert!(is_internal("../x/", &s));
        assert!(!is_internal("https://other.example/", &s));
        assert!(!is_internal("mailto:a@b.c", &s));
        assert!(!is_internal("tel:+1", &s));
        assert!(!is_internal("//cdn.example/x", &s));
    }

    #[test]
    fn urls_are_percent_encoded_but_not_escaped() {
        assert_eq!(percent_encoded("/café plan.svg"), "/caf%C3%A9%20plan.svg");
        assert_eq!(percent_encoded("/a?b=1&c='2'"), "/a?b=1&c='2'");
        assert_eq!(percent_encoded("/a&amp;b"), "/a&amp;b");
    }
}
