//! Integration tests of stillpoint: one binary (mdBook's and ripgrep's layout), one module per
//! area. Most tests run the real `stillpoint` binary on a copy of a small fixture under
//! `tests/fixtures/` through [`support::TestSite`].
//!
//! Snapshots (insta) live in `tests/it/snapshots/`; review changes with `cargo insta review`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod anchors;
mod assets;
mod attack;
mod browser;
mod build;
mod cases;
mod check;
mod cli;
mod collisions;
mod deploy;
mod corpus;
mod corpus_files;
mod corpus_publish;
mod corpus_shortcodes;
mod corpus_templates;
mod corpus_trial;
mod corpus_yaml;
mod dates;
mod deploy_remote;
mod errors;
mod faults;
mod feed_links;
mod fragments;
mod hooks;
mod highlight;
mod ids;
mod images;
mod incremental;
mod listings;
mod markdown_features;
mod math;
mod names;
mod live;
mod portable;
mod publish;
mod seo;
mod serve;
mod languages;
mod lean;
mod limits;
mod shortcodes;
mod stress;
mod studio;
mod summaries;
mod support;
mod taxonomies;
mod taxonomies_languages;
mod tera_filters;
mod urls;
mod watch;
