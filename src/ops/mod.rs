//! Work several commands share: each command in `commands/` parses its
//! arguments and calls one of these.

pub mod analysis;
pub mod commit;
pub mod contract;
pub mod generate;
pub mod spec_merge;
pub mod verdict;
