//! One module per command family; each returns the exit code.

pub mod credentials;
pub mod generate;
