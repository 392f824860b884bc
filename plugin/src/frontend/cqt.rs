//! The `cqt` feature kind (seed 002): log-power constant-Q, 12 bins per octave from 55 Hz (A1),
//! perceptually weighted: `ln(|C|² + ε) + A(f)·ln10/10`, librosa's `perceptual_weighting` in nepers.

use super::constant_q::ConstantQSettings;
use super::constant_q_stream::{ConstantQStream, MagnitudeMap};
use super::mel::ln_positive;

/// Seed 002's transform at the analysis rate. The paper's 8 octaves (55 Hz–14 kHz) need 28 kHz
/// audio; at 22 050 Hz the top octave has no content, so this keeps 7 (84 bins, 55–6 645 Hz).
pub const SEED_002: ConstantQSettings = ConstantQSettings { sample_rate: 22_050.0, hop: 512, fmin: 55.0, n_bins: 84, bins_per_octave: 12 };

/// Log-power plus the A-weighting of each bin's centre frequency.
pub struct LogWeighted {
    weights: Vec<f32>,
    log_eps: f32,
}

/// The `cqt` stream for `settings`, with `ln(· + log_eps)`.
pub fn stream(settings: ConstantQSettings, log_eps: f32) -> Result<ConstantQStream<LogWeighted>, String> {
    let weights = settings.frequencies().iter().map(|&f| (a_weighting_db(f) * std::f64::consts::LN_10 / 10.0) as f32).collect();
    ConstantQStream::new(settings, LogWeighted { weights, log_eps })
}

impl MagnitudeMap for LogWeighted {
    fn n_features(&self) -> usize {
        self.weights.len()
    }

    fn map(&self, magnitudes: &[f32], out: &mut [f32]) {
        for ((out, &m), &w) in out.iter_mut().zip(magnitudes).zip(&self.weights) {
            *out = ln_positive(m * m + self.log_eps) + w;
        }
    }
}

/// librosa's `A_weighting(f, min_db=-80)` in dB.
pub fn a_weighting_db(frequency: f64) -> f64 {
    let f2 = frequency * frequency;
    let c = [12_194.217f64.powi(2), 20.598_997f64.powi(2), 107.652_65f64.powi(2), 737.862_23f64.powi(2)];
    let weight = 2.0
        + 20.0
            * (c[0].log10() + 2.0 * f2.log10()
                - (f2 + c[0]).log10()
                - (f2 + c[1]).log10()
                - 0.5 * (f2 + c[2]).log10()
                - 0.5 * (f2 + c[3]).log10());
    weight.max(-80.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weighting_is_zero_near_1khz_and_cuts_the_bass() {
        assert!(a_weighting_db(1000.0).abs() < 0.01);
        assert!((a_weighting_db(55.0) + 28.557).abs() < 1e-3, "{}", a_weighting_db(55.0));
    }
}
