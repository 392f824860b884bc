//! Non-negative matrix factorisation `V ≈ W·H` by β-divergence multiplicative updates
//! (Févotte & Idier 2011): activations alone against fixed templates (separation), or both
//! (learning templates). Row-major matrices; products by `matrixmultiply`'s sgemm.

use serde::{Deserialize, Serialize};

/// Floor of every model value `W·H`, so ratios and powers stay finite.
const FLOOR: f32 = 1e-9;

/// How a factorisation runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NmfSettings {
    /// β of the divergence: 2 Euclidean, 1 Kullback–Leibler (the default), 0 Itakura–Saito.
    pub beta: f32,
    pub iterations: usize,
}

impl Default for NmfSettings {
    fn default() -> Self {
        Self { beta: 1.0, iterations: 60 }
    }
}

/// A `rows × cols` row-major matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f32>,
}

impl Matrix {
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Self { rows, cols, data: vec![0.0; rows * cols] }
    }

    pub fn at(&self, row: usize, col: usize) -> f32 {
        self.data[row * self.cols + col]
    }
}

/// `out = a · b` for row-major `a` (m × k) and `b` (k × n), `a` optionally read transposed.
fn product(a: &Matrix, a_transposed: bool, b: &Matrix, b_transposed: bool, out: &mut Matrix) {
    let (m, k) = if a_transposed { (a.cols, a.rows) } else { (a.rows, a.cols) };
    let n = if b_transposed { b.rows } else { b.cols };
    let (rsa, csa) = if a_transposed { (1, a.cols as isize) } else { (a.cols as isize, 1) };
    let (rsb, csb) = if b_transposed { (1, b.cols as isize) } else { (b.cols as isize, 1) };
    assert_eq!((out.rows, out.cols), (m, n), "product shape");
    // SAFETY: the strides and sizes describe `a`, `b` and `out` exactly (checked shapes above;
    // each matrix's data is rows × cols long), and `out` does not alias the inputs.
    unsafe {
        matrixmultiply::sgemm(m, k, n, 1.0, a.data.as_ptr(), rsa, csa, b.data.as_ptr(), rsb, csb, 0.0, out.data.as_mut_ptr(), out.cols as isize, 1);
    }
}

/// Work matrices of one factorisation, reused across iterations.
struct Work {
    model: Matrix,
    ratio: Matrix,
    power: Matrix,
}

impl Work {
    fn new(v: &Matrix) -> Self {
        Self { model: Matrix::zeros(v.rows, v.cols), ratio: Matrix::zeros(v.rows, v.cols), power: Matrix::zeros(v.rows, v.cols) }
    }

    /// `model = W·H`, `ratio = V ⊙ model^(β−2)`, `power = model^(β−1)`.
    fn refresh(&mut self, v: &Matrix, w: &Matrix, h: &Matrix, beta: f32) {
        product(w, false, h, false, &mut self.model);
        for ((m, (r, p)), &x) in self.model.data.iter_mut().zip(self.ratio.data.iter_mut().zip(self.power.data.iter_mut())).zip(&v.data) {
            *m = m.max(FLOOR);
            (*r, *p) = if beta == 1.0 { (x / *m, 1.0) } else { (x * m.powf(beta - 2.0), m.powf(beta - 1.0)) };
        }
    }
}

/// Multiplies `target` by `numerator / denominator`, element-wise.
fn multiply_by_ratio(target: &mut Matrix, numerator: &Matrix, denominator: &Matrix) {
    for ((t, &n), &d) in target.data.iter_mut().zip(&numerator.data).zip(&denominator.data) {
        *t *= n / d.max(FLOOR);
    }
}

/// Updates `h` (K × T) so that `w` (F × K, fixed) times it approximates `v` (F × T). Entries of
/// `h` that are zero stay zero: that is how activations are gated.
pub fn fit_activations(v: &Matrix, w: &Matrix, h: &mut Matrix, settings: NmfSettings) {
    let mut work = Work::new(v);
    let (mut numerator, mut denominator) = (Matrix::zeros(h.rows, h.cols), Matrix::zeros(h.rows, h.cols));
    for _ in 0..settings.iterations {
        work.refresh(v, w, h, settings.beta);
        product(w, true, &work.ratio, false, &mut numerator);
        product(w, true, &work.power, false, &mut denominator);
        multiply_by_ratio(h, &numerator, &denominator);
    }
}

/// Updates both `w` and `h`; `w`'s columns end scaled to sum to 1 (`h` takes the scale).
pub fn fit_templates(v: &Matrix, w: &mut Matrix, h: &mut Matrix, settings: NmfSettings) {
    let mut work = Work::new(v);
    let (mut h_num, mut h_den) = (Matrix::zeros(h.rows, h.cols), Matrix::zeros(h.rows, h.cols));
    let (mut w_num, mut w_den) = (Matrix::zeros(w.rows, w.cols), Matrix::zeros(w.rows, w.cols));
    for _ in 0..settings.iterations {
        work.refresh(v, w, h, settings.beta);
        product(w, true, &work.ratio, false, &mut h_num);
        product(w, true, &work.power, false, &mut h_den);
        multiply_by_ratio(h, &h_num, &h_den);
        work.refresh(v, w, h, settings.beta);
        product(&work.ratio, false, h, true, &mut w_num);
        product(&work.power, false, h, true, &mut w_den);
        multiply_by_ratio(w, &w_num, &w_den);
    }
    normalise_columns(w, h);
}

/// Scales each column of `w` to sum 1 and the matching row of `h` the other way.
fn normalise_columns(w: &mut Matrix, h: &mut Matrix) {
    for k in 0..w.cols {
        let sum: f32 = (0..w.rows).map(|f| w.at(f, k)).sum();
        if sum > 0.0 {
            (0..w.rows).for_each(|f| w.data[f * w.cols + k] /= sum);
            h.data[k * h.cols..(k + 1) * h.cols].iter_mut().for_each(|x| *x *= sum);
        }
    }
}

/// β-divergence `D(V | W·H)` summed over every entry.
pub fn divergence(v: &Matrix, w: &Matrix, h: &Matrix, beta: f32) -> f64 {
    let mut model = Matrix::zeros(v.rows, v.cols);
    product(w, false, h, false, &mut model);
    v.data
        .iter()
        .zip(&model.data)
        .map(|(&x, &m)| {
            let (x, m) = (x.max(FLOOR) as f64, m.max(FLOOR) as f64);
            match beta {
                b if b == 1.0 => x * (x / m).ln() - x + m,
                b if b == 0.0 => x / m - (x / m).ln() - 1.0,
                b => {
                    let b = b as f64;
                    (x.powf(b) + (b - 1.0) * m.powf(b) - b * x * m.powf(b - 1.0)) / (b * (b - 1.0))
                }
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two known templates, activations that switch between them, and their product.
    fn two_part_problem() -> (Matrix, Matrix, Matrix) {
        let w = Matrix { rows: 4, cols: 2, data: vec![0.7, 0.0, 0.3, 0.1, 0.0, 0.5, 0.0, 0.4] };
        let h = Matrix { rows: 2, cols: 6, data: vec![1.0, 2.0, 0.0, 0.0, 1.0, 3.0, 0.0, 0.0, 2.0, 1.0, 1.0, 0.5] };
        let mut v = Matrix::zeros(4, 6);
        product(&w, false, &h, false, &mut v);
        (v, w, h)
    }

    #[test]
    fn activations_against_true_templates_reach_the_true_activations() {
        let (v, w, truth) = two_part_problem();
        for beta in [1.0, 2.0, 0.5] {
            let mut h = Matrix { rows: 2, cols: 6, data: vec![1.0; 12] };
            let before = divergence(&v, &w, &h, beta);
            fit_activations(&v, &w, &mut h, NmfSettings { beta, iterations: 2000 });
            assert!(divergence(&v, &w, &h, beta) < before * 1e-4, "β {beta}");
            for (found, expected) in h.data.iter().zip(&truth.data) {
                assert!((found - expected).abs() < 0.02, "β {beta}: {found} vs {expected}");
            }
        }
    }

    #[test]
    fn gated_activations_stay_zero_and_the_divergence_never_rises() {
        let (v, w, _) = two_part_problem();
        let mut h = Matrix { rows: 2, cols: 6, data: vec![1.0; 12] };
        h.data[3] = 0.0;
        let mut last = divergence(&v, &w, &h, 1.0);
        for _ in 0..20 {
            fit_activations(&v, &w, &mut h, NmfSettings { beta: 1.0, iterations: 1 });
            let now = divergence(&v, &w, &h, 1.0);
            assert!(now <= last * (1.0 + 1e-6), "{now} > {last}");
            last = now;
        }
        assert_eq!(h.data[3], 0.0);
    }

    #[test]
    fn learnt_templates_are_normalised_and_explain_the_data() {
        let (v, _, _) = two_part_problem();
        let mut w = Matrix { rows: 4, cols: 2, data: vec![0.3, 0.2, 0.2, 0.3, 0.25, 0.25, 0.35, 0.15] };
        let mut h = Matrix { rows: 2, cols: 6, data: vec![1.0; 12] };
        fit_templates(&v, &mut w, &mut h, NmfSettings { beta: 1.0, iterations: 3000 });
        for k in 0..2 {
            let sum: f32 = (0..4).map(|f| w.at(f, k)).sum();
            assert!((sum - 1.0).abs() < 1e-5);
        }
        let total: f64 = v.data.iter().map(|&x| x as f64).sum();
        assert!(divergence(&v, &w, &h, 1.0) < total * 1e-3);
    }
}
