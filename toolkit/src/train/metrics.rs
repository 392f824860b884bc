//! Scores per epoch: F1 (micro, macro, per class) at a 0.5 threshold, and the JSONL metrics log.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use instrumeter::models::INSTRUMENTS;
use serde::{Deserialize, Serialize};

const THRESHOLD: f32 = 0.5;

/// One line of `metrics.jsonl`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EpochMetrics {
    pub epoch: usize,
    pub learning_rate: f64,
    pub train_loss: f32,
    pub valid_loss: f32,
    pub valid_micro_f1: f32,
    pub valid_macro_f1: f32,
    /// F1 of each class that occurs in the targets or the predictions.
    pub valid_per_label_f1: BTreeMap<String, f32>,
    pub train_examples_per_s: f32,
}

impl EpochMetrics {
    pub fn append_to(&self, log: &Path) -> Result<()> {
        let mut file = OpenOptions::new().create(true).append(true).open(log).with_context(|| format!("cannot open {}", log.display()))?;
        writeln!(file, "{}", serde_json::to_string(self)?).with_context(|| format!("cannot write {}", log.display()))
    }
}

/// True/false positives and false negatives per class, over windows of `steps` outputs per class.
pub struct F1Counts {
    steps: usize,
    true_pos: Vec<u64>,
    false_pos: Vec<u64>,
    false_neg: Vec<u64>,
}

impl F1Counts {
    pub fn new(classes: usize, steps: usize) -> Self {
        Self { steps, true_pos: vec![0; classes], false_pos: vec![0; classes], false_neg: vec![0; classes] }
    }

    /// Adds windows of class-major probabilities and targets (targets ≥ 0.5 count as positive).
    pub fn add(&mut self, probabilities: &[f32], targets: &[f32]) {
        let classes = self.true_pos.len();
        for (index, (&p, &t)) in probabilities.iter().zip(targets).enumerate() {
            let class = (index / self.steps) % classes;
            match (p >= THRESHOLD, t >= THRESHOLD) {
                (true, true) => self.true_pos[class] += 1,
                (true, false) => self.false_pos[class] += 1,
                (false, true) => self.false_neg[class] += 1,
                (false, false) => {}
            }
        }
    }

    /// F1 over all classes' decisions pooled.
    pub fn micro(&self) -> f32 {
        let sum = |counts: &[u64]| counts.iter().sum();
        f1(sum(&self.true_pos), sum(&self.false_pos), sum(&self.false_neg)).unwrap_or(0.0)
    }

    /// Mean F1 of the classes that occur in the targets or the predictions.
    pub fn macro_f1(&self) -> f32 {
        let scores: Vec<f32> = self.per_label().into_values().collect();
        if scores.is_empty() {
            0.0
        } else {
            scores.iter().sum::<f32>() / scores.len() as f32
        }
    }

    /// F1 by label code, for the classes that occur in the targets or the predictions.
    pub fn per_label(&self) -> BTreeMap<String, f32> {
        (0..self.true_pos.len())
            .filter_map(|c| Some((INSTRUMENTS[c].0.to_string(), f1(self.true_pos[c], self.false_pos[c], self.false_neg[c])?)))
            .collect()
    }
}

/// `None` when there is nothing to score (no positives, no predictions).
fn f1(true_pos: u64, false_pos: u64, false_neg: u64) -> Option<f32> {
    let denominator = 2 * true_pos + false_pos + false_neg;
    (denominator > 0).then(|| (2 * true_pos) as f32 / denominator as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f1_counts_frame_outputs_per_class() {
        // Two classes × two frames per window, class-major: [c0t0, c0t1, c1t0, c1t1].
        let mut counts = F1Counts::new(2, 2);
        counts.add(&[0.9, 0.2, 0.7, 0.1], &[1.0, 1.0, 0.0, 0.0]);
        // class 0: one hit, one miss; class 1: one false alarm.
        assert_eq!(counts.per_label().get("cel"), Some(&(2.0 / 3.0)));
        assert_eq!(counts.per_label().get("cla"), Some(&0.0));
        assert!((counts.micro() - 0.5).abs() < 1e-6, "2·1 / (2·1 + 1 + 1)");
        assert!((counts.macro_f1() - 1.0 / 3.0).abs() < 1e-6);
    }
}
