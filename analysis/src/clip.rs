//! Per-file clip aggregation with constant memory: running class-wise sums and sums of squares
//! give S1, S2 and RMS.

use instrumeter::engine::decide;
use instrumeter::models::{AggregationMethod, ModelCard};

/// Running class-wise sums and sums of squares over every row (frame or window) of a file.
pub struct ClipAggregate {
    sums: Vec<f64>,
    squares: Vec<f64>,
    rows: u64,
}

/// The aggregated scores of a whole file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClipScores {
    /// Class-wise mean (Han et al.'s S1).
    pub s1: Vec<f32>,
    /// Class-wise sum divided by the largest class sum (S2).
    pub s2: Vec<f32>,
    /// Class-wise root mean square.
    pub rms: Vec<f32>,
    /// The card's method and thresholds applied.
    pub method: AggregationMethod,
    pub decisions: Vec<bool>,
}

impl ClipAggregate {
    pub fn new(classes: usize) -> Self {
        Self { sums: vec![0.0; classes], squares: vec![0.0; classes], rows: 0 }
    }

    /// Adds one row of per-class values.
    pub fn add(&mut self, values: &[f32]) {
        for ((sum, square), &v) in self.sums.iter_mut().zip(&mut self.squares).zip(values) {
            *sum += v as f64;
            *square += v as f64 * v as f64;
        }
        self.rows += 1;
    }

    /// S1, S2, RMS and the card's decisions.
    pub fn finish(&self, card: &ModelCard) -> ClipScores {
        let rows = self.rows.max(1) as f64;
        let top = self.sums.iter().copied().fold(0.0, f64::max);
        let s1: Vec<f32> = self.sums.iter().map(|s| (s / rows) as f32).collect();
        let s2: Vec<f32> = self.sums.iter().map(|s| if top > 0.0 { (s / top) as f32 } else { 0.0 }).collect();
        let rms: Vec<f32> = self.squares.iter().map(|s| (s / rows).sqrt() as f32).collect();
        let method = card.aggregation.method;
        let mut scores = ClipScores { decisions: Vec::new(), s1, s2, rms, method };
        let mut decisions = vec![false; scores.s1.len()];
        decide(scores.by(method), &card.clip_threshold_vector(), &mut decisions);
        scores.decisions = decisions;
        scores
    }
}

impl ClipScores {
    /// The scores `method` aggregates to.
    pub fn by(&self, method: AggregationMethod) -> &[f32] {
        match method {
            AggregationMethod::S1 => &self.s1,
            AggregationMethod::S2 => &self.s2,
            AggregationMethod::Rms => &self.rms,
        }
    }

    /// "heard: Piano, Drums" — the classes decided present.
    pub fn summary(&self, card: &ModelCard) -> String {
        let heard: Vec<&str> =
            card.labels.iter().zip(&self.decisions).filter(|(_, &on)| on).map(|(l, _)| l.name.as_str()).collect();
        if heard.is_empty() {
            "heard: nothing above threshold".into()
        } else {
            format!("heard: {}", heard.join(", "))
        }
    }
}
