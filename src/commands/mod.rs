//! One module per command family; each returns the exit code.

pub mod analyze;
pub mod generate;
pub mod lint;
pub mod spec;
