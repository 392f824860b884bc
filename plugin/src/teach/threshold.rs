//! The taught class's decision threshold: the one that maximises F1 on the tuning windows.

/// Precision, recall and F1 of deciding `score ≥ threshold` (0 where undefined).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Scores {
    pub precision: f32,
    pub recall: f32,
    pub f1: f32,
}

/// Scores of `threshold` on the positives' and the negatives' scores.
pub fn scores_at(positives: &[f32], negatives: &[f32], threshold: f32) -> Scores {
    let true_positives = positives.iter().filter(|s| **s >= threshold).count() as f32;
    let false_positives = negatives.iter().filter(|s| **s >= threshold).count() as f32;
    let ratio = |a: f32, b: f32| if b > 0.0 { a / b } else { 0.0 };
    let precision = ratio(true_positives, true_positives + false_positives);
    let recall = ratio(true_positives, positives.len() as f32);
    Scores { precision, recall, f1: ratio(2.0 * precision * recall, precision + recall) }
}

/// The threshold on a 0.01 grid (0.05–0.95) with the best F1; ties go to the middle of the
/// best stretch, the margin furthest from both classes.
pub fn tune(positives: &[f32], negatives: &[f32]) -> f32 {
    let grid: Vec<f32> = (5..=95).map(|i| i as f32 / 100.0).collect();
    let f1: Vec<f32> = grid.iter().map(|&t| scores_at(positives, negatives, t).f1).collect();
    let best = f1.iter().copied().fold(f32::MIN, f32::max);
    let first = f1.iter().position(|v| *v == best).unwrap_or(0);
    let last = first + f1[first..].iter().take_while(|v| **v == best).count() - 1;
    grid[(first + last) / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_middle_of_the_gap_between_classes() {
        let threshold = tune(&[0.8, 0.9, 0.95], &[0.1, 0.2, 0.3]);
        assert!((threshold - 0.55).abs() < 0.02, "{threshold}");
        assert_eq!(scores_at(&[0.8, 0.9, 0.95], &[0.1, 0.2, 0.3], threshold).f1, 1.0);
        let scores = scores_at(&[0.8, 0.4], &[0.6, 0.1], 0.5);
        assert_eq!((scores.precision, scores.recall, scores.f1), (0.5, 0.5, 0.5));
    }
}
