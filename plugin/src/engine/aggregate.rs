//! Clip aggregation of window scores (Han et al. 2017): S1 = class-wise mean; S2 = class-wise sum
//! divided by the largest class sum; and RMS = class-wise root mean square. Each then compares
//! with per-class thresholds.

use crate::models::AggregationMethod;

/// Aggregates `windows` (each `classes` scores) into `out` with `method`.
pub fn aggregate<'a>(method: AggregationMethod, windows: impl Iterator<Item = &'a [f32]>, out: &mut [f32]) {
    out.fill(0.0);
    let squared = method == AggregationMethod::Rms;
    let mut count = 0usize;
    for scores in windows {
        for (o, &s) in out.iter_mut().zip(scores) {
            *o += if squared { s * s } else { s };
        }
        count += 1;
    }
    let divisor = match method {
        AggregationMethod::S1 | AggregationMethod::Rms => count as f32,
        AggregationMethod::S2 => out.iter().copied().fold(0.0, f32::max),
    };
    if divisor > 0.0 {
        out.iter_mut().for_each(|o| *o /= divisor);
    }
    if squared {
        out.iter_mut().for_each(|o| *o = o.sqrt());
    }
}

/// Aggregation over the most recent `capacity` windows, for live decisions.
pub struct SlidingAggregator {
    classes: usize,
    capacity: usize,
    scores: Vec<f32>,
    count: usize,
}

impl SlidingAggregator {
    /// Keeps the last `capacity` windows of `classes` scores.
    pub fn new(classes: usize, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self { classes, capacity, scores: vec![0.0; classes * capacity], count: 0 }
    }

    /// Adds one window's scores.
    pub fn push(&mut self, scores: &[f32]) {
        let slot = self.count % self.capacity;
        self.scores[slot * self.classes..(slot + 1) * self.classes].copy_from_slice(scores);
        self.count += 1;
    }

    /// Aggregates the windows held so far into `out`.
    pub fn aggregate(&self, method: AggregationMethod, out: &mut [f32]) {
        let held = self.count.min(self.capacity);
        aggregate(method, self.scores.chunks_exact(self.classes).take(held), out);
    }
}

/// Writes `value ≥ threshold` per class into `decisions`.
pub fn decide(values: &[f32], thresholds: &[f32], decisions: &mut [bool]) {
    for ((d, &v), &t) in decisions.iter_mut().zip(values).zip(thresholds) {
        *d = v >= t;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three windows of three classes, by hand:
    /// sums = [1.5, 0.6, 0.3]; S1 = sums / 3 = [0.5, 0.2, 0.1]; S2 = sums / 1.5 = [1.0, 0.4, 0.2];
    /// sums of squares = [1.07, 0.14, 0.05]; RMS = √(squares / 3).
    const WINDOWS: [[f32; 3]; 3] = [[0.9, 0.1, 0.0], [0.5, 0.3, 0.1], [0.1, 0.2, 0.2]];

    fn run(method: AggregationMethod) -> [f32; 3] {
        let mut out = [0.0; 3];
        aggregate(method, WINDOWS.iter().map(|w| &w[..]), &mut out);
        out
    }

    fn close(a: [f32; 3], b: [f32; 3]) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
    }

    #[test]
    fn s1_is_the_class_wise_mean() {
        assert!(close(run(AggregationMethod::S1), [0.5, 0.2, 0.1]));
    }

    #[test]
    fn s2_is_the_class_wise_sum_over_the_largest_sum() {
        assert!(close(run(AggregationMethod::S2), [1.0, 0.4, 0.2]));
    }

    #[test]
    fn rms_is_the_class_wise_root_mean_square() {
        let expected = [1.07f32, 0.14, 0.05].map(|squares| (squares / 3.0).sqrt());
        assert!(close(run(AggregationMethod::Rms), expected));
    }

    #[test]
    fn rms_ranks_a_class_heard_clearly_once_above_one_suspected_faintly_throughout() {
        let windows = [[0.9f32, 0.3], [0.0, 0.3], [0.0, 0.3]];
        let mut out = [0.0; 2];
        aggregate(AggregationMethod::S1, windows.iter().map(|w| &w[..]), &mut out);
        assert!((out[0] - 0.3).abs() < 1e-6 && (out[1] - 0.3).abs() < 1e-6, "the mean cannot tell them apart: {out:?}");
        aggregate(AggregationMethod::Rms, windows.iter().map(|w| &w[..]), &mut out);
        assert!(out[0] > out[1] + 0.2, "RMS {out:?}");
    }

    #[test]
    fn thresholds_decide_per_class_and_s1_can_find_nothing() {
        let mut decisions = [false; 3];
        decide(&run(AggregationMethod::S2), &[0.5, 0.4, 0.5], &mut decisions);
        assert_eq!(decisions, [true, true, false]);
        decide(&run(AggregationMethod::S1), &[0.6, 0.6, 0.6], &mut decisions);
        assert_eq!(decisions, [false, false, false]);
    }

    #[test]
    fn the_sliding_aggregate_forgets_old_windows() {
        let mut live = SlidingAggregator::new(3, 2);
        for w in &WINDOWS {
            live.push(w);
        }
        let mut out = [0.0; 3];
        live.aggregate(AggregationMethod::S1, &mut out);
        assert!(close(out, [0.3, 0.25, 0.15]));
    }

    #[test]
    fn silence_everywhere_gives_zero_not_nan() {
        let mut out = [1.0; 3];
        for method in [AggregationMethod::S1, AggregationMethod::S2, AggregationMethod::Rms] {
            aggregate(method, [[0.0f32; 3]].iter().map(|w| &w[..]), &mut out);
            assert_eq!(out, [0.0; 3]);
        }
    }
}
