//! Reports for CI: JUnit XML (`check`, `lint`, `run`) and SARIF 2.1.0
//! (`lint`), written to standard output.

pub mod junit;
pub mod sarif;
