//! authgen: from a connector's `connector_spec.yaml` to a reviewed, passing,
//! committed `auth_test.py`.
//!
//! Pipeline: [`spec`] → [`plan`] → [`render`] → [`sync`] (changeset, diff,
//! atomic write); [`pipeline`] chains them and [`cli`] dispatches.

pub mod analyze;
pub mod args;
pub mod cli;
pub mod commands;
pub mod credentials;
pub mod doc_example;
pub mod error;
pub mod git;
pub mod http;
pub mod layout;
pub mod lint;
pub mod mockapi;
pub mod ops;
pub mod pipeline;
pub mod plan;
pub mod render;
pub mod report;
pub mod runner;
pub mod sandbox;
pub mod secret_forms;
pub mod spec;
pub mod specwrite;
pub mod suggest;
pub mod sync;
pub mod term;
