//! What every inference step shares: the doc and its facts, and the proposal
//! as it is built.

use super::score::Score;
use crate::analyze::facts::Facts;
use crate::analyze::finding::{Finding, Kind, Value};
use crate::analyze::model::{Block, OauthBlock, ParamSuggestion};
use crate::analyze::scan::Doc;

/// What every step reads: the doc, its facts, and each unit's text lowercased.
pub(super) struct Ctx<'a> {
    pub(super) doc: &'a Doc,
    pub(super) facts: &'a Facts,
    pub(super) unit_lower: Vec<String>,
    /// The spec's non-secret parameters, when there is a spec.
    pub(super) spec_params: &'a [String],
}

/// The proposal as it is built: findings in the order they are printed.
pub(super) struct Proposal {
    pub(super) findings: Vec<Finding>,
    pub(super) block: Block,
    pub(super) oauth: Option<OauthBlock>,
    pub(super) params: Vec<ParamSuggestion>,
    /// The query parameter that carries the key: not an extra parameter of the call.
    pub(super) auth_query_param: Option<String>,
}

impl Proposal {
    pub(super) fn push(&mut self, kind: Kind, value: Value, s: &Score) {
        self.findings.push(Finding { kind, value, lines: s.lines(), confidence: s.conf() });
    }
    pub(super) fn push_text(&mut self, kind: Kind, text: &str, s: &Score) {
        self.push(kind, Value::Text(text.to_string()), s);
    }
    pub(super) fn add_param(&mut self, name: &str, secret: bool) {
        if !name.is_empty() && !self.params.iter().any(|p| p.name == name) {
            self.params.push(ParamSuggestion { name: name.to_string(), secret });
        }
    }
}
