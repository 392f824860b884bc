//! The taught class's head: L2-regularised logistic regression on embeddings, positives and
//! negatives weighted to count equally. Hand-written (full-batch gradient descent, a few
//! hundred steps on at most a few thousand vectors); a crate such as linfa-logistic would bring
//! ndarray and argmin into the plugin for these forty lines.

/// `sigmoid(weights · x + bias)`, on raw embeddings (the standardisation is folded in).
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticHead {
    pub weights: Vec<f32>,
    pub bias: f32,
}

const STEPS: usize = 400;
const LEARNING_RATE: f32 = 0.5;
const L2: f32 = 1e-1;

impl LogisticHead {
    /// Fits the head to tell `positives` from `negatives` (both non-empty, same width).
    pub fn fit(positives: &[&[f32]], negatives: &[&[f32]]) -> Self {
        let dim = positives.first().or(negatives.first()).map_or(0, |x| x.len());
        let (mean, scale) = standardisation(positives.iter().chain(negatives).copied(), dim);
        let standardise = |x: &[f32]| -> Vec<f32> { x.iter().zip(&mean).zip(&scale).map(|((v, m), s)| (v - m) * s).collect() };
        let examples: Vec<(Vec<f32>, f32, f32)> = positives
            .iter()
            .map(|x| (standardise(x), 1.0, 0.5 / positives.len() as f32))
            .chain(negatives.iter().map(|x| (standardise(x), 0.0, 0.5 / negatives.len() as f32)))
            .collect();
        let (mut weights, mut bias) = (vec![0.0f32; dim], 0.0f32);
        for _ in 0..STEPS {
            let mut gradient = weights.iter().map(|w| L2 * w).collect::<Vec<f32>>();
            let mut bias_gradient = 0.0;
            for (x, target, weight) in &examples {
                let error = weight * (sigmoid(dot(&weights, x) + bias) - target);
                gradient.iter_mut().zip(x).for_each(|(g, v)| *g += error * v);
                bias_gradient += error;
            }
            weights.iter_mut().zip(&gradient).for_each(|(w, g)| *w -= LEARNING_RATE * g);
            bias -= LEARNING_RATE * bias_gradient;
        }
        // Fold the standardisation in: w·((x − m)·s) + b = (w·s)·x + (b − Σ w·s·m).
        let folded: Vec<f32> = weights.iter().zip(&scale).map(|(w, s)| w * s).collect();
        let bias = bias - folded.iter().zip(&mean).map(|(w, m)| w * m).sum::<f32>();
        Self { weights: folded, bias }
    }

    /// The head's score of one embedding, 0–1.
    pub fn score(&self, embedding: &[f32]) -> f32 {
        sigmoid(dot(&self.weights, embedding) + self.bias)
    }
}

/// Per-dimension mean and 1/std (1 where a dimension never varies).
fn standardisation<'a>(xs: impl Iterator<Item = &'a [f32]> + Clone, dim: usize) -> (Vec<f32>, Vec<f32>) {
    let count = xs.clone().count().max(1) as f32;
    let mut mean = vec![0.0f32; dim];
    xs.clone().for_each(|x| mean.iter_mut().zip(x).for_each(|(m, v)| *m += v / count));
    let mut variance = vec![0.0f32; dim];
    xs.for_each(|x| variance.iter_mut().zip(x).zip(&mean).for_each(|((s, v), m)| *s += (v - m) * (v - m) / count));
    let scale = variance.iter().map(|v| if *v > 1e-12 { 1.0 / v.sqrt() } else { 1.0 }).collect();
    (mean, scale)
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_two_clouds_and_scores_raw_embeddings() {
        // Positives sit at +3 on dimension 1 (scaled ×100: the standardisation must cope),
        // negatives at −3; dimension 0 is noise shared by both.
        let point = |i: usize, side: f32| vec![((i * 7) % 5) as f32, 100.0 * (side * 3.0 + ((i * 3) % 4) as f32 * 0.25)];
        let positives: Vec<Vec<f32>> = (0..20).map(|i| point(i, 1.0)).collect();
        let negatives: Vec<Vec<f32>> = (0..200).map(|i| point(i, -1.0)).collect();
        let (positive_slices, negative_slices): (Vec<&[f32]>, Vec<&[f32]>) =
            (positives.iter().map(Vec::as_slice).collect(), negatives.iter().map(Vec::as_slice).collect());
        let head = LogisticHead::fit(&positive_slices, &negative_slices);
        assert!(positives.iter().all(|x| head.score(x) > 0.85), "{head:?}");
        assert!(negatives.iter().all(|x| head.score(x) < 0.15), "{head:?}");
        assert!(head.score(&[2.0, 0.0]) > 0.1 && head.score(&[2.0, 0.0]) < 0.9, "the boundary lies between the clouds");
    }
}
