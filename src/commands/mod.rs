//! One module per command family; each returns the exit code.

pub mod analyze;
pub mod generate;
