//! Soft (Wiener-style) masks: each source's share of a bin is its model's power over the sum of
//! every source's, so the stems and the residual add up to the mix exactly.

use realfft::num_complex::Complex32;

use crate::nmf::Matrix;
use crate::BINS;

/// Floor of the sum of the sources' model powers: bins nothing explains go to the residual.
const FLOOR: f32 = 1e-12;

/// Per source, its model `W_s·H_s` (bins × frames) from the templates' columns it owns:
/// `owner[column]` is a source index, `sources` of them.
pub fn source_models(w: &Matrix, h: &Matrix, owner: &[usize], sources: usize) -> Vec<Matrix> {
    let mut models: Vec<Matrix> = (0..sources).map(|_| Matrix::zeros(w.rows, h.cols)).collect();
    for (column, &source) in owner.iter().enumerate() {
        let model = &mut models[source];
        let activations = &h.data[column * h.cols..(column + 1) * h.cols];
        if activations.iter().all(|&a| a == 0.0) {
            continue;
        }
        for f in 0..w.rows {
            let weight = w.at(f, column);
            if weight == 0.0 {
                continue;
            }
            let row = &mut model.data[f * h.cols..(f + 1) * h.cols];
            row.iter_mut().zip(activations).for_each(|(m, &a)| *m += weight * a);
        }
    }
    models
}

/// Adds to the last source (the residual) what no source explains, `max(V − Σ models, 0)`, so
/// energy that none of the templates fits goes to the residual, not to whichever stem is open.
pub fn add_unexplained(v: &Matrix, models: &mut [Matrix]) {
    let (last, stems) = models.split_last_mut().expect("at least the residual");
    for (i, &magnitude) in v.data.iter().enumerate() {
        let explained: f32 = stems.iter().map(|m| m.data[i]).sum::<f32>() + last.data[i];
        last.data[i] += (magnitude - explained).max(0.0);
    }
}

/// Splits frame `frame`'s spectrum `mix` into `stems[s]` for every source but the last, which is
/// not a stem: what the stems leave of the mix goes to `residual`. `power` 2 is the Wiener mask;
/// 1 divides the magnitudes.
pub fn split_frame(mix: &[Complex32], models: &[Matrix], frame: usize, power: f32, stems: &mut [Vec<Complex32>], residual: &mut [Complex32]) {
    residual.copy_from_slice(mix);
    for bin in 0..BINS {
        let weight = |model: &Matrix| model.at(bin, frame).powf(power);
        let total: f32 = models.iter().map(weight).sum();
        for (stem, model) in stems.iter_mut().zip(models) {
            let share = if total > FLOOR { weight(model) / total } else { 0.0 };
            stem[bin] = mix[bin] * share;
            residual[bin] -= stem[bin];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_residual_add_up_to_the_mix_and_follow_their_models() {
        let w = Matrix { rows: BINS, cols: 3, data: (0..BINS * 3).map(|i| if i % 3 == (i / 3) % 2 { 1.0 } else { 0.1 }).collect() };
        let h = Matrix { rows: 3, cols: 1, data: vec![1.0, 2.0, 0.5] };
        let models = source_models(&w, &h, &[0, 1, 2], 3);
        let mix: Vec<Complex32> = (0..BINS).map(|b| Complex32::new(b as f32, 1.0)).collect();
        let mut stems = vec![vec![Complex32::default(); BINS]; 2];
        let mut residual = vec![Complex32::default(); BINS];
        split_frame(&mix, &models, 0, 2.0, &mut stems, &mut residual);
        for bin in 0..BINS {
            let sum = stems[0][bin] + stems[1][bin] + residual[bin];
            assert!((sum - mix[bin]).norm() < 1e-4 * (1.0 + mix[bin].norm()));
        }
        // Even bins: source 0's template is 1.0, source 1's 0.1 (times 2): source 0 takes most.
        assert!(stems[0][10].norm() > 10.0 * stems[1][10].norm());
        let silent = source_models(&w, &Matrix { rows: 3, cols: 1, data: vec![0.0; 3] }, &[0, 1, 2], 3);
        split_frame(&mix, &silent, 0, 2.0, &mut stems, &mut residual);
        assert_eq!(residual, mix, "nothing explained: all to the residual");
        let mut models = source_models(&w, &h, &[0, 1, 2], 3);
        let v = Matrix { rows: BINS, cols: 1, data: vec![100.0; BINS] };
        add_unexplained(&v, &mut models);
        split_frame(&mix, &models, 0, 2.0, &mut stems, &mut residual);
        assert!(residual[10].norm() > 0.9 * mix[10].norm(), "a loud bin the templates do not explain goes to the residual");
    }
}
