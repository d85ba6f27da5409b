//! One module per command family; each returns the exit code.

pub mod analyze;
pub mod commit;
pub mod completions;
pub mod credentials;
pub mod demo;
pub mod generate;
pub mod lint;
pub mod man;
pub mod run;
pub mod setup;
pub mod spec;
