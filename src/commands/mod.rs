//! One module per command family; each returns the exit code.

pub mod generate;
