//! Evidence for one finding: pieces combine as independent signals,
//! `1 - Π(1 - w)`, so agreement raises confidence and no single mention
//! reaches certainty.

use std::collections::BTreeSet;

use super::weights::{MAX_CONFIDENCE, MAX_SINGLE_WEIGHT, TIE};

/// Combined weight and the lines and units the evidence came from.
#[derive(Debug, Clone)]
pub struct Score {
    /// `Π(1 - w)`: the chance every piece is wrong.
    pub miss: f64,
    pub lines: BTreeSet<usize>,
    pub units: BTreeSet<usize>,
}

impl Default for Score {
    fn default() -> Self {
        Score { miss: 1.0, lines: BTreeSet::new(), units: BTreeSet::new() }
    }
}

impl Score {
    pub fn add(&mut self, weight: f64, line: usize, unit: usize) {
        self.miss *= 1.0 - weight.clamp(0.0, MAX_SINGLE_WEIGHT);
        self.lines.insert(line);
        self.units.insert(unit);
    }
    pub fn merge(&mut self, other: &Score) {
        self.miss *= other.miss;
        self.lines.extend(&other.lines);
        self.units.extend(&other.units);
    }
    pub fn conf(&self) -> f64 {
        (1.0 - self.miss).min(MAX_CONFIDENCE)
    }
    /// Set the confidence outright, keeping lines and units.
    pub fn set_conf(&mut self, conf: f64) {
        self.miss = 1.0 - conf;
    }
    pub fn first_line(&self) -> usize {
        self.lines.first().copied().unwrap_or(usize::MAX)
    }
    pub fn lines(&self) -> Vec<usize> {
        self.lines.iter().copied().collect()
    }
}

/// The candidate with the highest confidence; ties go to the one the doc names first.
pub fn best<K: Clone>(cands: impl IntoIterator<Item = (K, Score)>) -> Option<(K, Score)> {
    let mut out: Option<(K, Score)> = None;
    for (k, s) in cands {
        let better = match &out {
            None => true,
            Some((_, b)) => {
                s.conf() > b.conf() + TIE || (s.conf() - b.conf()).abs() <= TIE && s.first_line() < b.first_line()
            }
        };
        if better {
            out = Some((k, s));
        }
    }
    out
}
