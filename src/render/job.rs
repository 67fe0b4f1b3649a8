//! Stage 7 for one file: a [`Job`]'s context built from the [`Plan`], rendered through the
//! bound templates, its links into the site made relative (`urls:`), minified when asked.

use tera::{Context, Value};

use super::plan::{Job, JobContext, Plan, base_context};
use crate::config::Config;
use crate::content::Document;
use crate::error::Diagnostic;
use crate::site::SiteTree;
use crate::templates::{BoundTemplates, context};

/// What every job of a render reads from.
pub(crate) struct JobEnv<'a> {
    pub(crate) config: &'a Config,
    pub(crate) tree: &'a SiteTree,
    pub(crate) plan: &'a Plan,
}

/// Renders one job: its bytes (minified HTML when the plan says so), or the diagnostic of a
/// missing template or a template error.
pub(crate) fn render_job(
    job: &Job,
    templates: &BoundTemplates,
    env: &JobEnv<'_>,
) -> std::result::Result<Vec<u8>, Box<Diagnostic>> {
    if !templates.unbound().has(&job.template) {
        return Err(Box::new(missing_template(job, templates, env.tree)));
    }
    let context = job_context(job, env);
    let html = templates
        .render(&job.template, &context, &job.shown)
        .map_err(|d| {
            // A template error on a value: also point at its line in config.yaml or the page.
            let template = d
                .file
                .as_deref()
                .and_then(|f| templates.unbound().source_of(f));
            Box::new(crate::templates::origin::point_at_value(
                *d,
                template,
                env.config,
                document(job, env.tree),
            ))
        })?;
    Ok(finish(html, &job.output, templates, env))
}

/// A rendered file's bytes: an HTML file's links into the site made relative (`urls:`; the
/// template parts it shows from their links found once), then minified when the plan says so;
/// any other file as rendered.
fn finish(html: String, output: &str, templates: &BoundTemplates, env: &JobEnv<'_>) -> Vec<u8> {
    if !output.ends_with(".html") {
        return html.into_bytes();
    }
    let site = crate::urls::Site {
        base_url: &env.config.base_url,
        base_path: &env.config.base_path,
        mode: env.config.urls,
    };
    let pieces = templates.url_pieces(site);
    let html = match crate::urls::rewrite_with(&html, output, site, pieces) {
        std::borrow::Cow::Borrowed(_) => html,
        std::borrow::Cow::Owned(rewritten) => rewritten,
    };
    if env.plan.minify {
        crate::minify::html(html.as_bytes())
    } else {
        html.into_bytes()
    }
}

/// The page or section document a job renders, if any.
fn document<'t>(job: &Job, tree: &'t SiteTree) -> Option<&'t Document> {
    match &job.context {
        JobContext::Page(i) => Some(&tree.pages[*i].doc),
        JobContext::Section(i) | JobContext::Pager(i, _) => tree.sections[*i].doc.as_ref(),
        JobContext::Feed(_)
        | JobContext::Sitemap
        | JobContext::Ready(_)
        | JobContext::Taxonomy(_)
        | JobContext::Term(..)
        | JobContext::TermFeed(..) => None,
    }
}

/// The error for a `template:` that names no loaded template, at that line of the front matter.
fn missing_template(job: &Job, templates: &BoundTemplates, tree: &SiteTree) -> Diagnostic {
    let mut d = Diagnostic::error(format!(
        "the template `{}` named by {} does not exist",
        job.template, job.shown
    ))
    .in_file(job.shown.clone())
    .help(match templates.unbound().closest_name(&job.template) {
        _ if job.template.starts_with("taxonomy_") => format!("a taxonomy in config.yaml needs the template `{}`: add it to templates/ (the default theme has one), or remove the taxonomy", job.template),
        Some(c) => format!("did you mean `{c}`? `template:` names a file in templates/ or in the theme's templates/"),
        None => "check the `template:` field in the front matter, or add the file to templates/".to_string(),
    });
    if let Some(src) = document(job, tree).map(|d| d.source.as_str())
        && let Some(span) = crate::yaml::key_value_span(src, "template")
    {
        d = d.at(span, src);
    }
    d
}

/// The context a job renders with, built here on the worker thread.
fn job_context(job: &Job, env: &JobEnv<'_>) -> Context {
    let (tree, plan) = (env.tree, env.plan);
    let base = |path: &str| base_context(env.config, &plan.config_value, path);
    match &job.context {
        JobContext::Ready(c) => {
            // Made before the config value was known: `config` goes in here.
            let mut c = c.as_ref().clone();
            c.insert_value("config", plan.config_value.clone());
            c.insert("lang", &env.config.language);
            c
        }
        JobContext::Sitemap => {
            let mut c = base(&format!("/{}", job.output));
            c.insert("lang", &env.config.language);
            c.insert_value("entries", super::plan::sitemap_entries(tree));
            c.insert("multilingual", &env.config.is_multilingual());
            c
        }
        JobContext::Page(i) => {
            let mut c = base(&tree.pages[*i].path);
            c.insert("lang", &tree.pages[*i].lang);
            c.insert_value("page", plan.page_values[*i].clone());
            c
        }
        JobContext::Feed(si) => {
            let s = &tree.sections[*si];
            let mut c = base(s.feed.as_ref().map_or(&s.path, |f| &f.path));
            c.insert("lang", &s.lang);
            c.insert_value("feed", plan.feeds[*si].clone().unwrap_or_else(Value::none));
            c.insert_value("section", plan.section_values[*si].clone());
            c
        }
        JobContext::Taxonomy(_) | JobContext::Term(..) | JobContext::TermFeed(..) => {
            taxonomy_context(job, env)
        }
        JobContext::Section(i) | JobContext::Pager(i, _) => {
            let s = &tree.sections[*i];
            let k = match &job.context {
                JobContext::Pager(_, k) => *k,
                _ => 0,
            };
            let mut c = base(s.pagers.get(k).map_or(&s.path, |p| &p.path));
            c.insert("lang", &s.lang);
            c.insert_value("section", plan.section_values[*i].clone());
            if !s.pagers.is_empty() {
                c.insert_value(
                    "paginator",
                    context::paginator_value(s, k, &plan.page_values),
                );
            }
            c
        }
    }
}

/// The context of a taxonomy job: `taxonomy` and `terms` (each with its pages) for the list
/// of terms; `taxonomy`, `term` and `paginator` (when paginated) for a term's page; `feed`
/// and `term` for a term's feed. Zola's names.
fn taxonomy_context(job: &Job, env: &JobEnv<'_>) -> Context {
    let (tree, plan) = (env.tree, env.plan);
    let base = |path: &str| base_context(env.config, &plan.config_value, path);
    let (pages, all) = (&plan.page_values, tree.taxonomies.as_slice());
    match job.context {
        JobContext::Taxonomy(t) => {
            let tax = &tree.taxonomies[t];
            let mut c = base(&tax.path);
            c.insert("lang", &tax.lang);
            c.insert_value("taxonomy", context::taxonomy_value(tax, all));
            let terms: Vec<Value> = tax
                .terms
                .iter()
                .map(|term| context::term_value(term, all, pages, false))
                .collect();
            c.insert_value("terms", Value::from(terms));
            c
        }
        JobContext::Term(t, k, p) => {
            let tax = &tree.taxonomies[t];
            let term = &tax.terms[k];
            let mut c = base(term.pagers.get(p).map_or(&term.path, |pg| &pg.path));
            c.insert("lang", &tax.lang);
            c.insert_value("taxonomy", context::taxonomy_value(tax, all));
            c.insert_value("term", context::term_value(term, all, pages, false));
            if !term.pagers.is_empty() {
                c.insert_value(
                    "paginator",
                    context::term_paginator_value(tax, term, p, pages),
                );
            }
            c
        }
        JobContext::TermFeed(t, k) => {
            let tax = &tree.taxonomies[t];
            let term = &tax.terms[k];
            let mut c = base(term.feed.as_ref().map_or(&term.path, |f| &f.path));
            c.insert("lang", &tax.lang);
            c.insert_value(
                "feed",
                context::term_feed_value(env.config, tree, (tax, term), pages),
            );
            c.insert_value("term", context::term_value(term, all, pages, true));
            c
        }
        _ => Context::new(),
    }
}
