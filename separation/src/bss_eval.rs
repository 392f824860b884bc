//! BSS-eval source scores (Vincent, Gribonval & Févotte 2006) as `mir_eval.separation.
//! bss_eval_sources(…, compute_permutation=False)` computes them: each estimate is projected on
//! the delayed copies (0–511 samples) of its own reference and of all references; SDR, SIR and
//! SAR are the energy ratios of target, interference and artifacts. Checked against mir_eval on
//! committed fixtures (`tests/bss_fixtures.rs`).

use std::sync::Arc;

use anyhow::{ensure, Result};
use realfft::num_complex::Complex64;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use serde::Serialize;

/// Length of the distortion filters, in taps (mir_eval's `flen`).
const FILTER_TAPS: usize = 512;

/// Scores per source, in dB (+∞ where a denominator is zero, as mir_eval's `_safe_db`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BssScores {
    pub sdr: Vec<f64>,
    pub sir: Vec<f64>,
    pub sar: Vec<f64>,
}

/// Scores `estimates[j]` against `references[j]` for every j (all the same length, none silent).
pub fn bss_eval_sources(references: &[Vec<f64>], estimates: &[Vec<f64>]) -> Result<BssScores> {
    if let Some(j) = estimates.iter().position(|s| is_silent(s)) {
        anyhow::bail!("estimate {j} is silent (all zeros): BSS-eval cannot score it");
    }
    bss_eval_with_misses(references, estimates)
}

/// As [`bss_eval_sources`], but a silent estimate (a stem the separation left empty) scores
/// SDR −∞ and SIR, SAR NaN instead of failing the rest.
pub fn bss_eval_with_misses(references: &[Vec<f64>], estimates: &[Vec<f64>]) -> Result<BssScores> {
    let sources = references.len();
    ensure!(sources > 0 && estimates.len() == sources, "{} references and {} estimates: one estimate per reference", sources, estimates.len());
    let samples = references[0].len();
    ensure!(samples > 0 && references.iter().chain(estimates).all(|s| s.len() == samples), "every reference and estimate must have the same, non-zero length");
    if let Some(j) = references.iter().position(|s| is_silent(s)) {
        anyhow::bail!("reference {j} is silent (all zeros): BSS-eval cannot score it");
    }
    let spectra = Spectra::new(references, samples);
    let all = Projector::new(&spectra, &(0..sources).collect::<Vec<_>>())?;
    let mut scores = BssScores { sdr: Vec::new(), sir: Vec::new(), sar: Vec::new() };
    for (j, estimate) in estimates.iter().enumerate() {
        let (sdr, sir, sar) = if is_silent(estimate) {
            (f64::NEG_INFINITY, f64::NAN, f64::NAN)
        } else {
            let estimate_spectrum = spectra.transform(estimate);
            let own = Projector::new(&spectra, &[j])?.project(&spectra, &estimate_spectrum);
            let full = all.project(&spectra, &estimate_spectrum);
            criteria(&own, &full, estimate)
        };
        scores.sdr.push(sdr);
        scores.sir.push(sir);
        scores.sar.push(sar);
    }
    Ok(scores)
}

fn is_silent(signal: &[f64]) -> bool {
    signal.iter().all(|&v| v == 0.0)
}

/// SDR, SIR, SAR from the projections on the own reference (`s_true + e_spat`) and on all
/// references, and the estimate (mir_eval's `_bss_decomp_mtifilt` then `_bss_source_crit`).
fn criteria(own: &[f64], full: &[f64], estimate: &[f64]) -> (f64, f64, f64) {
    let (mut target, mut interference, mut artifacts, mut error, mut target_plus) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for n in 0..own.len() {
        let e_interf = full[n] - own[n];
        let e_artif = estimate.get(n).copied().unwrap_or(0.0) - full[n];
        target += own[n] * own[n];
        interference += e_interf * e_interf;
        artifacts += e_artif * e_artif;
        error += (e_interf + e_artif).powi(2);
        target_plus += (own[n] + e_interf).powi(2);
    }
    (safe_db(target, error), safe_db(target, interference), safe_db(target_plus, artifacts))
}

fn safe_db(numerator: f64, denominator: f64) -> f64 {
    if denominator == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (numerator / denominator).log10()
    }
}

/// The references' spectra, zero-padded to a power of two ≥ samples + taps − 1.
struct Spectra {
    samples: usize,
    fft: Arc<dyn RealToComplex<f64>>,
    ifft: Arc<dyn ComplexToReal<f64>>,
    references: Vec<Vec<Complex64>>,
}

impl Spectra {
    fn new(references: &[Vec<f64>], samples: usize) -> Self {
        let n_fft = (samples + FILTER_TAPS - 1).next_power_of_two();
        let mut planner = RealFftPlanner::<f64>::new();
        let (fft, ifft) = (planner.plan_fft_forward(n_fft), planner.plan_fft_inverse(n_fft));
        let mut spectra = Self { samples, fft, ifft, references: Vec::new() };
        spectra.references = references.iter().map(|r| spectra.transform(r)).collect();
        spectra
    }

    fn n_fft(&self) -> usize {
        self.fft.len()
    }

    fn transform(&self, signal: &[f64]) -> Vec<Complex64> {
        let mut input = self.fft.make_input_vec();
        input[..signal.len()].copy_from_slice(signal);
        let mut output = self.fft.make_output_vec();
        self.fft.process(&mut input, &mut output).expect("buffers sized by the plan");
        output
    }

    /// `real(ifft(a · conj(b)))`, scaled: `out[m] = Σₙ x[n + m]·y[n]` (circular).
    fn correlation(&self, a: &[Complex64], b: &[Complex64]) -> Vec<f64> {
        let mut product: Vec<Complex64> = a.iter().zip(b).map(|(x, y)| x * y.conj()).collect();
        self.inverse(&mut product)
    }

    fn inverse(&self, spectrum: &mut [Complex64]) -> Vec<f64> {
        let n = self.n_fft();
        spectrum[0].im = 0.0;
        spectrum[n / 2].im = 0.0;
        let mut output = self.ifft.make_output_vec();
        self.ifft.process(spectrum, &mut output).expect("buffers sized by the plan");
        output.iter_mut().for_each(|v| *v /= n as f64);
        output
    }
}

/// Least-squares projection on the delayed copies of some references: the Cholesky factor of
/// their Gram matrix `G[(i,a),(k,b)] = ⟨sᵢ delayed a, sₖ delayed b⟩`.
struct Projector {
    sources: Vec<usize>,
    factor: Cholesky,
}

impl Projector {
    fn new(spectra: &Spectra, sources: &[usize]) -> Result<Self> {
        let (n, size) = (spectra.n_fft(), sources.len() * FILTER_TAPS);
        let mut gram = vec![0.0; size * size];
        for (bi, &i) in sources.iter().enumerate() {
            for (bk, &k) in sources.iter().enumerate().skip(bi) {
                let r = spectra.correlation(&spectra.references[i], &spectra.references[k]);
                for a in 0..FILTER_TAPS {
                    for b in 0..FILTER_TAPS {
                        // ⟨sᵢ[· − a], sₖ[· − b]⟩ = r[b − a] (indices modulo n).
                        let value = r[(b + n - a) % n];
                        gram[(bi * FILTER_TAPS + a) * size + bk * FILTER_TAPS + b] = value;
                        gram[(bk * FILTER_TAPS + b) * size + bi * FILTER_TAPS + a] = value;
                    }
                }
            }
        }
        Ok(Self { sources: sources.to_vec(), factor: Cholesky::new(gram, size)? })
    }

    /// The projection of the estimate (given by its spectrum) on the span, `samples + taps − 1` long.
    fn project(&self, spectra: &Spectra, estimate: &[Complex64]) -> Vec<f64> {
        let n = spectra.n_fft();
        let mut inner = Vec::with_capacity(self.sources.len() * FILTER_TAPS);
        for &i in &self.sources {
            let r = spectra.correlation(&spectra.references[i], estimate);
            inner.extend((0..FILTER_TAPS).map(|a| r[(n - a) % n]));
        }
        let filters = self.factor.solve(&inner);
        let mut sum = vec![Complex64::default(); n / 2 + 1];
        for (block, &i) in self.sources.iter().enumerate() {
            let filter = spectra.transform(&filters[block * FILTER_TAPS..(block + 1) * FILTER_TAPS]);
            sum.iter_mut().zip(filter.iter().zip(&spectra.references[i])).for_each(|(s, (f, r))| *s += f * r);
        }
        let mut projection = spectra.inverse(&mut sum);
        projection.truncate(spectra.samples + FILTER_TAPS - 1);
        projection
    }
}

/// `G = L·Lᵀ` of a symmetric positive (semi-)definite matrix, written out here (a few lines; no
/// linear-algebra crate is in the tree). A Gram matrix that is singular to rounding gets a ridge
/// of 1e-12 of its mean diagonal, where mir_eval would fall back to least squares.
struct Cholesky {
    size: usize,
    lower: Vec<f64>,
}

impl Cholesky {
    fn new(matrix: Vec<f64>, size: usize) -> Result<Self> {
        if let Some(factor) = Self::factor(&matrix, size, 0.0) {
            return Ok(factor);
        }
        let ridge = 1e-12 * (0..size).map(|i| matrix[i * size + i]).sum::<f64>() / size as f64;
        Self::factor(&matrix, size, ridge).ok_or_else(|| anyhow::anyhow!("the references' Gram matrix is not positive definite"))
    }

    fn factor(matrix: &[f64], size: usize, ridge: f64) -> Option<Self> {
        let mut lower = vec![0.0; size * size];
        for i in 0..size {
            for j in 0..=i {
                let dot: f64 = (0..j).map(|k| lower[i * size + k] * lower[j * size + k]).sum();
                let value = matrix[i * size + j] + if i == j { ridge } else { 0.0 } - dot;
                if i == j {
                    if value <= 0.0 || !value.is_finite() {
                        return None;
                    }
                    lower[i * size + i] = value.sqrt();
                } else {
                    lower[i * size + j] = value / lower[j * size + j];
                }
            }
        }
        Some(Self { size, lower })
    }

    fn solve(&self, rhs: &[f64]) -> Vec<f64> {
        let (n, l) = (self.size, &self.lower);
        let mut y = rhs.to_vec();
        for i in 0..n {
            let dot: f64 = (0..i).map(|k| l[i * n + k] * y[k]).sum();
            y[i] = (y[i] - dot) / l[i * n + i];
        }
        for i in (0..n).rev() {
            let dot: f64 = (i + 1..n).map(|k| l[k * n + i] * y[k]).sum();
            y[i] = (y[i] - dot) / l[i * n + i];
        }
        y
    }
}
