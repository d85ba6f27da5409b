//! Editing `connector_spec.yaml` as text.

pub mod emit;
