//! Precision, recall and F1 (micro, macro, per class), threshold-free average precision, and the
//! per-class threshold grid search.

use serde::Serialize;

/// Per item: the values compared with thresholds, and the truth.
pub type Items = Vec<(Vec<f32>, Vec<bool>)>;

/// Per-class decision counts.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub tp: Vec<u64>,
    pub fp: Vec<u64>,
    pub fn_: Vec<u64>,
}

/// Scores of one evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    pub micro_precision: f32,
    pub micro_recall: f32,
    pub micro_f1: f32,
    pub macro_f1: f32,
    pub per_class_f1: Vec<f32>,
    pub per_class_precision: Vec<f32>,
    pub per_class_recall: Vec<f32>,
}

fn ratio(a: u64, b: u64) -> f32 {
    if b == 0 { 0.0 } else { a as f32 / b as f32 }
}

fn f1(tp: u64, fp: u64, fn_: u64) -> f32 {
    ratio(2 * tp, 2 * tp + fp + fn_)
}

impl Counts {
    pub fn new(classes: usize) -> Self {
        Self { tp: vec![0; classes], fp: vec![0; classes], fn_: vec![0; classes] }
    }

    /// Adds one item: `values ≥ thresholds` against `truth`.
    pub fn add(&mut self, values: &[f32], thresholds: &[f32], truth: &[bool]) {
        for c in 0..self.tp.len() {
            match (values[c] >= thresholds[c], truth[c]) {
                (true, true) => self.tp[c] += 1,
                (true, false) => self.fp[c] += 1,
                (false, true) => self.fn_[c] += 1,
                (false, false) => {}
            }
        }
    }

    /// Micro and macro scores; macro averages the classes that occur (in truth or prediction).
    pub fn scores(&self) -> Scores {
        let (tp, fp, fn_): (u64, u64, u64) = (self.tp.iter().sum(), self.fp.iter().sum(), self.fn_.iter().sum());
        let classes = 0..self.tp.len();
        let per_class_f1: Vec<f32> = classes.clone().map(|c| f1(self.tp[c], self.fp[c], self.fn_[c])).collect();
        let occurring: Vec<usize> = classes.clone().filter(|&c| self.tp[c] + self.fp[c] + self.fn_[c] > 0).collect();
        Scores {
            micro_precision: ratio(tp, tp + fp),
            micro_recall: ratio(tp, tp + fn_),
            micro_f1: f1(tp, fp, fn_),
            macro_f1: occurring.iter().map(|&c| per_class_f1[c]).sum::<f32>() / occurring.len().max(1) as f32,
            per_class_precision: classes.clone().map(|c| ratio(self.tp[c], self.tp[c] + self.fp[c])).collect(),
            per_class_recall: classes.map(|c| ratio(self.tp[c], self.tp[c] + self.fn_[c])).collect(),
            per_class_f1,
        }
    }
}

/// How well the scores rank each class's positives above its negatives, whatever the thresholds.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// Average precision per class; none where the class never plays.
    pub per_class_ap: Vec<Option<f32>>,
    /// Mean of the classes that play.
    pub mean_ap: f32,
}

/// Average precision of every class over `items` (`(values, truth)` pairs).
pub fn ranking<'a, I>(items: I, classes: usize) -> Ranking
where
    I: IntoIterator<Item = &'a (Vec<f32>, Vec<bool>)>,
    I::IntoIter: Clone,
{
    let items = items.into_iter();
    let per_class_ap: Vec<Option<f32>> = (0..classes).map(|c| average_precision(items.clone().map(|(values, truth)| (values[c], truth[c])).collect())).collect();
    let playing: Vec<f32> = per_class_ap.iter().flatten().copied().collect();
    Ranking { mean_ap: playing.iter().sum::<f32>() / playing.len().max(1) as f32, per_class_ap }
}

/// The mean, over the positives, of the precision among the items scored at least as high as
/// each; tied scores rank negatives first (the pessimistic order). None without positives.
fn average_precision(mut scored: Vec<(f32, bool)>) -> Option<f32> {
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let (mut seen_positive, mut precision_sum) = (0u64, 0.0f64);
    for (rank, _) in scored.iter().enumerate().filter(|(_, (_, positive))| *positive) {
        seen_positive += 1;
        precision_sum += seen_positive as f64 / (rank + 1) as f64;
    }
    (seen_positive > 0).then(|| (precision_sum / seen_positive as f64) as f32)
}

/// One point of a precision-recall curve: deciding "plays" at `value ≥ threshold`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    pub threshold: f32,
    pub precision: f32,
    pub recall: f32,
}

/// Precision and recall of `class` at every distinct score, highest threshold first (tied scores
/// enter together). Empty when the class never plays.
pub fn precision_recall_curve(items: &Items, class: usize) -> Vec<CurvePoint> {
    let mut scored: Vec<(f32, bool)> = items.iter().map(|(values, truth)| (values[class], truth[class])).collect();
    let positives = scored.iter().filter(|(_, positive)| *positive).count() as u64;
    if positives == 0 {
        return Vec::new();
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut tp, mut fp, mut curve) = (0u64, 0u64, Vec::new());
    for (k, &(value, positive)) in scored.iter().enumerate() {
        if positive { tp += 1 } else { fp += 1 }
        if scored.get(k + 1).is_none_or(|next| next.0 != value) {
            curve.push(CurvePoint { threshold: value, precision: ratio(tp, tp + fp), recall: ratio(tp, positives) });
        }
    }
    curve
}

/// For each class, the threshold in 0.01 steps that maximises that class's F1 over `items`
/// (`(values, truth)` pairs); ties keep the threshold nearest 0.5.
pub fn tune_thresholds(items: &[(Vec<f32>, Vec<bool>)], classes: usize) -> Vec<f32> {
    (0..classes)
        .map(|c| {
            let candidates = (1..100).map(|step| step as f32 / 100.0);
            let score = |t: f32| {
                let (mut tp, mut fp, mut fn_) = (0, 0, 0);
                for (values, truth) in items {
                    match (values[c] >= t, truth[c]) {
                        (true, true) => tp += 1,
                        (true, false) => fp += 1,
                        (false, true) => fn_ += 1,
                        _ => {}
                    }
                }
                f1(tp, fp, fn_)
            };
            candidates
                .map(|t| (t, score(t)))
                .fold((0.5, -1.0), |best, (t, s)| if s > best.1 || (s == best.1 && (t - 0.5).abs() < (best.0 - 0.5f32).abs()) { (t, s) } else { best })
                .0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micro_and_macro_f1_by_hand() {
        let mut counts = Counts::new(2);
        // Class 0: tp 2, fp 1, fn 0 → F1 0.8; class 1: tp 0, fp 0, fn 1 → F1 0.
        counts.add(&[0.9, 0.1], &[0.5, 0.5], &[true, true]);
        counts.add(&[0.8, 0.2], &[0.5, 0.5], &[true, false]);
        counts.add(&[0.7, 0.0], &[0.5, 0.5], &[false, false]);
        let s = counts.scores();
        assert!((s.per_class_f1[0] - 0.8).abs() < 1e-6 && s.per_class_f1[1] == 0.0);
        assert!((s.micro_f1 - 4.0 / 6.0).abs() < 1e-6, "micro: tp 2 fp 1 fn 1");
        assert!((s.macro_f1 - 0.4).abs() < 1e-6);
    }

    #[test]
    fn average_precision_by_hand() {
        // Class 0 ranks: + (0.9), − (0.8), + (0.7) → (1/1 + 2/3) / 2; class 1 never plays.
        let items = vec![(vec![0.9, 0.1], vec![true, false]), (vec![0.8, 0.2], vec![false, false]), (vec![0.7, 0.3], vec![true, false])];
        let r = ranking(&items, 2);
        assert!((r.per_class_ap[0].unwrap() - 5.0 / 6.0).abs() < 1e-6);
        assert_eq!(r.per_class_ap[1], None);
        assert!((r.mean_ap - 5.0 / 6.0).abs() < 1e-6, "classes that never play do not count");
        let tied = vec![(vec![0.5], vec![true]), (vec![0.5], vec![false])];
        assert!((ranking(&tied, 1).mean_ap - 0.5).abs() < 1e-6, "ties rank the negative first");
    }

    #[test]
    fn precision_recall_curve_by_hand() {
        // Scores 0.9 (+), 0.8 (−), 0.8 (+), 0.1 (−): the tie at 0.8 enters as one step.
        let items = vec![(vec![0.9], vec![true]), (vec![0.8], vec![false]), (vec![0.8], vec![true]), (vec![0.1], vec![false])];
        let curve = precision_recall_curve(&items, 0);
        let point = |threshold, precision, recall| CurvePoint { threshold, precision, recall };
        assert_eq!(curve, vec![point(0.9, 1.0, 0.5), point(0.8, 2.0 / 3.0, 1.0), point(0.1, 0.5, 1.0)]);
        assert!(precision_recall_curve(&vec![(vec![0.5], vec![false])], 0).is_empty(), "a class that never plays has no curve");
    }

    #[test]
    fn the_grid_search_finds_the_separating_threshold() {
        let items = vec![(vec![0.30], vec![true]), (vec![0.25], vec![true]), (vec![0.2], vec![false]), (vec![0.1], vec![false])];
        let t = tune_thresholds(&items, 1)[0];
        assert!(t > 0.2 && t <= 0.25, "{t}");
    }
}
