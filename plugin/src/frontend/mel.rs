//! Slaney-style mel filterbank, numerically the same as `librosa.filters.mel(htk=False, norm="slaney")`.

use super::FrontendConfig;

/// Bands computed together: one SIMD lane each.
const LANES: usize = 8;

/// Up to [`LANES`] neighbouring bands over the bins any of them touches: for each bin from
/// `first_bin` on, the weight of every band (zero outside its triangle, and in unused lanes).
struct BandBlock {
    first_bin: usize,
    bands: usize,
    weights: Vec<[f32; LANES]>,
}

/// Bins summed in separate running sums, so that consecutive bins do not wait for each other's add.
const INTERLEAVE: usize = 2;

impl BandBlock {
    /// Every band's weighted sum of `power` (the block's bins): bin `i` goes to running sum
    /// `i % INTERLEAVE`, and the sums are added at the end.
    #[inline(always)]
    fn sums(&self, power: &[f32]) -> [f32; LANES] {
        let mut partial = [[0.0f32; LANES]; INTERLEAVE];
        let (bins, weights) = (power.chunks_exact(INTERLEAVE), self.weights.chunks_exact(INTERLEAVE));
        let (bins_left, weights_left) = (bins.remainder(), weights.remainder());
        for (bins, weights) in bins.zip(weights) {
            for ((sum, &p), w) in partial.iter_mut().zip(bins).zip(weights) {
                for lane in 0..LANES {
                    sum[lane] += p * w[lane];
                }
            }
        }
        for ((sum, &p), w) in partial.iter_mut().zip(bins_left).zip(weights_left) {
            for lane in 0..LANES {
                sum[lane] += p * w[lane];
            }
        }
        std::array::from_fn(|lane| partial[0][lane] + partial[1][lane])
    }
}

/// Mel filterbank applied to power spectra, stored as blocks of neighbouring bands: each bin's
/// power is multiplied into all the block's bands at once, so the bands are the vector lanes and
/// no horizontal sums are needed (summing band by band kept the compiler scalar and was a quarter
/// of a frame's cost).
pub struct MelFilterbank {
    blocks: Vec<BandBlock>,
    n_mels: usize,
    n_bins: usize,
}

const F_SP: f64 = 200.0 / 3.0;
const MIN_LOG_HZ: f64 = 1000.0;
const MIN_LOG_MEL: f64 = MIN_LOG_HZ / F_SP;

/// Hz → mel on the Slaney scale (linear below 1 kHz, logarithmic above).
pub fn hz_to_mel(hz: f64) -> f64 {
    if hz >= MIN_LOG_HZ {
        MIN_LOG_MEL + (hz / MIN_LOG_HZ).ln() / log_step()
    } else {
        hz / F_SP
    }
}

/// Mel → Hz on the Slaney scale.
pub fn mel_to_hz(mel: f64) -> f64 {
    if mel >= MIN_LOG_MEL {
        MIN_LOG_HZ * (log_step() * (mel - MIN_LOG_MEL)).exp()
    } else {
        F_SP * mel
    }
}

/// Natural log of a positive, finite, normal f32, in a form the compiler vectorises (libm's `ln`
/// is a scalar call and was a third of the frame's cost). Splits x = m·2^e with m in [√½, √2),
/// then ln m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.172, by its odd series to s¹¹: the truncation
/// error is below 1e-9 and the result within a few ulps of `f32::ln` (tested).
#[inline(always)]
pub fn ln_positive(x: f32) -> f32 {
    let bits = x.to_bits() as i32;
    // Re-bias so that the mantissa lands in [√½, √2): 0x3f3504f3 is √½ as f32 bits.
    let offset = bits - 0x3f35_04f3;
    let exponent = (offset >> 23) as f32;
    let mantissa = f32::from_bits((bits - (offset & !0x007f_ffff)) as u32);
    let s = (mantissa - 1.0) / (mantissa + 1.0);
    let s2 = s * s;
    let series = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0)))));
    exponent * std::f32::consts::LN_2 + 2.0 * s * series
}

fn log_step() -> f64 {
    6.4f64.ln() / 27.0
}

impl MelFilterbank {
    /// Builds the filterbank for `config` (weights computed in f64 like librosa, stored as f32).
    pub fn slaney(config: &FrontendConfig) -> Self {
        let n_bins = config.n_fft / 2 + 1;
        let sr = config.sample_rate as f64;
        let fft_freqs: Vec<f64> = (0..n_bins).map(|k| k as f64 * sr / config.n_fft as f64).collect();
        let (mel_lo, mel_hi) = (hz_to_mel(config.fmin as f64), hz_to_mel(config.fmax as f64));
        let edges: Vec<f64> = (0..config.n_mels + 2)
            .map(|i| mel_to_hz(mel_lo + (mel_hi - mel_lo) * i as f64 / (config.n_mels + 1) as f64))
            .collect();
        let rows: Vec<Vec<f32>> = (0..config.n_mels).map(|m| triangle(&fft_freqs, &edges[m..m + 3])).collect();
        let blocks = rows.chunks(LANES).map(band_block).collect();
        Self { blocks, n_mels: config.n_mels, n_bins }
    }

    /// Number of mel bands.
    pub fn n_mels(&self) -> usize {
        self.n_mels
    }

    /// Writes `ln(mel_power + log_eps)` of one power spectrum into `out` (one value per band).
    #[inline(always)]
    pub fn apply_log(&self, power: &[f32], log_eps: f32, out: &mut [f32]) {
        debug_assert_eq!(power.len(), self.n_bins);
        for (block, dst) in self.blocks.iter().zip(out.chunks_mut(LANES)) {
            let sums = block.sums(&power[block.first_bin..block.first_bin + block.weights.len()]);
            for (value, sum) in dst.iter_mut().zip(&sums[..block.bands]) {
                *value = sum + log_eps;
            }
        }
        for value in out.iter_mut() {
            *value = ln_positive(*value);
        }
    }

    /// The dense `[n_mels][n_fft/2+1]` weight matrix (for tests and export).
    pub fn dense_weights(&self) -> Vec<Vec<f32>> {
        let mut rows = Vec::with_capacity(self.n_mels);
        for block in &self.blocks {
            for lane in 0..block.bands {
                let mut row = vec![0.0; self.n_bins];
                for (bin, weights) in block.weights.iter().enumerate() {
                    row[block.first_bin + bin] = weights[lane];
                }
                rows.push(row);
            }
        }
        rows
    }
}

/// The block of `rows` (dense weights of up to [`LANES`] neighbouring bands) over the bins where
/// any of them is non-zero.
fn band_block(rows: &[Vec<f32>]) -> BandBlock {
    let touched = |row: &Vec<f32>| (row.iter().position(|&w| w > 0.0), row.iter().rposition(|&w| w > 0.0));
    let first_bin = rows.iter().filter_map(|row| touched(row).0).min().unwrap_or(0);
    let end = rows.iter().filter_map(|row| touched(row).1).max().map_or(first_bin, |last| last + 1);
    let weights = (first_bin..end)
        .map(|bin| {
            let mut lanes = [0.0; LANES];
            for (lane, row) in rows.iter().enumerate() {
                lanes[lane] = row[bin];
            }
            lanes
        })
        .collect();
    BandBlock { first_bin, bands: rows.len(), weights }
}

/// The Slaney-normalised triangle over `edges = [lower, centre, upper]` (Hz): its weight at every
/// FFT bin.
fn triangle(fft_freqs: &[f64], edges: &[f64]) -> Vec<f32> {
    let (lower, centre, upper) = (edges[0], edges[1], edges[2]);
    let area_norm = 2.0 / (upper - lower);
    let weight = |f: f64| {
        let rising = (f - lower) / (centre - lower);
        let falling = (upper - f) / (upper - centre);
        (rising.min(falling).max(0.0) * area_norm) as f32
    };
    fft_freqs.iter().map(|&f| weight(f)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slaney_scale_round_trips_and_is_linear_below_1khz() {
        assert!((hz_to_mel(600.0) - 9.0).abs() < 1e-12);
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
        for hz in [0.0, 123.0, 999.0, 1000.0, 4321.0, 11025.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9);
        }
    }

    #[test]
    fn fast_ln_matches_the_library_log() {
        // Relative to the result's size: a few float32 ulps.
        let mut worst = 0.0f32;
        let mut x = 1e-12f32;
        while x < 1e12 {
            worst = worst.max((ln_positive(x) - x.ln()).abs() / x.ln().abs().max(1.0));
            x *= 1.000_37;
        }
        assert!(worst < 3e-7, "worst relative |Δ| {worst}");
    }

    #[test]
    fn every_band_has_weight_and_bands_rise_in_frequency() {
        let bank = MelFilterbank::slaney(&FrontendConfig::default());
        assert_eq!(bank.n_mels(), 128);
        let mut last_first = 0;
        for row in bank.dense_weights() {
            let first = row.iter().position(|&w| w > 0.0).expect("every band has weight");
            assert!(first >= last_first);
            last_first = first;
        }
    }
}
