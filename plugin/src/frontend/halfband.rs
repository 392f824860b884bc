//! 2:1 decimation exactly as `librosa.resample(res_type="polyphase", scale=True)` does it between
//! constant-Q octaves: scipy's `resample_poly(x, 1, 2)` (a zero-phase 41-tap Kaiser(5) low-pass at
//! half the band), times √2.

/// Taps on each side of the centre tap (scipy's `half_len = 10 · max(up, down)`).
pub const HALF_LEN: usize = 20;
const TAPS: usize = 2 * HALF_LEN + 1;

/// Streams `y[m] = √2 · Σ_d h[d] · x[2m + d]`, d = −20…20, with x = 0 before the stream starts.
/// A half-band filter's taps vanish at even offsets but the centre, so only the 20 odd-offset
/// taps and the centre one are applied.
pub struct HalfBandDecimator {
    /// The taps at odd offsets −19, −17, …, 19 (indices 1, 3, …, 39), and the centre tap.
    odd_taps: [f32; HALF_LEN],
    centre_tap: f32,
    /// The last 41 inputs, stored twice so that they are always contiguous, oldest first, at
    /// `history[position..position + TAPS]`.
    history: [f32; 2 * TAPS],
    position: usize,
    inputs: u64,
    outputs: u64,
    /// Outputs from this index on are zero (librosa cuts each octave to ⌈n/2⌉ samples).
    output_limit: u64,
}

impl HalfBandDecimator {
    /// The decimator, its filter designed here.
    pub fn new() -> Self {
        let taps = design_taps().map(|h| (h * std::f64::consts::SQRT_2) as f32);
        let odd_taps = std::array::from_fn(|i| taps[2 * i + 1]);
        Self { odd_taps, centre_tap: taps[HALF_LEN], history: [0.0; 2 * TAPS], position: 0, inputs: 0, outputs: 0, output_limit: u64::MAX }
    }

    /// Takes one input sample; returns the output it completes, if any (every second input once
    /// the filter has looked 20 samples ahead).
    #[inline]
    pub fn push(&mut self, sample: f32) -> Option<f32> {
        self.history[self.position] = sample;
        self.history[self.position + TAPS] = sample;
        self.position = (self.position + 1) % TAPS;
        self.inputs += 1;
        // Output m needs inputs up to 2m + HALF_LEN.
        let newest = self.inputs - 1;
        if newest < HALF_LEN as u64 || !(newest - HALF_LEN as u64).is_multiple_of(2) {
            return None;
        }
        let index = self.outputs;
        self.outputs += 1;
        if index >= self.output_limit {
            return Some(0.0);
        }
        // `position` now points at the oldest sample, x[2m − 20].
        let window = &self.history[self.position..self.position + TAPS];
        let odd: f32 = self.odd_taps.iter().enumerate().map(|(i, h)| window[2 * i + 1] * h).sum();
        Some(odd + window[HALF_LEN] * self.centre_tap)
    }

    /// From now on, outputs at index `limit` and later are zero (end of stream).
    pub fn limit_outputs(&mut self, limit: u64) {
        self.output_limit = limit;
    }

    /// Clears the history, as if the stream started anew.
    pub fn reset(&mut self) {
        *self = Self::new();
    }
}

/// scipy's `firwin(41, 0.5, window=("kaiser", 5.0))`: windowed sinc, scaled to unit DC gain.
fn design_taps() -> [f64; TAPS] {
    let mut taps = [0.0; TAPS];
    for (n, tap) in taps.iter_mut().enumerate() {
        let m = n as f64 - HALF_LEN as f64;
        *tap = 0.5 * sinc(0.5 * m) * kaiser(n, TAPS, 5.0);
    }
    let sum: f64 = taps.iter().sum();
    taps.map(|t| t / sum)
}

fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
    }
}

/// The symmetric Kaiser window's `n`-th value (`scipy.signal.windows.kaiser(len, beta)`).
fn kaiser(n: usize, len: usize, beta: f64) -> f64 {
    let ratio = 2.0 * n as f64 / (len - 1) as f64 - 1.0;
    bessel_i0(beta * (1.0 - ratio * ratio).max(0.0).sqrt()) / bessel_i0(beta)
}

/// Modified Bessel function of the first kind, order 0, by its power series.
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, quarter_x2) = (1.0, 1.0, x * x / 4.0);
    for k in 1..64 {
        term *= quarter_x2 / (k * k) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taps_match_scipy_firwin() {
        // scipy.signal.firwin(41, 0.5, window=("kaiser", 5.0)), printed with numpy, centre and two neighbours.
        let taps = design_taps();
        assert!((taps[20] - 0.500_258_735_298_03).abs() < 1e-9, "{}", taps[20]);
        assert!((taps[19] - 0.316_700_345_680_30).abs() < 1e-9, "{}", taps[19]);
        assert!(taps[18].abs() < 1e-12, "even offsets vanish in a half-band filter");
        assert!((taps[0] - taps[40]).abs() < 1e-15);
    }

    #[test]
    fn decimates_a_low_tone_and_keeps_its_level() {
        let mut decimator = HalfBandDecimator::new();
        let tone = |n: usize| (2.0 * std::f32::consts::PI * 0.01 * n as f32).sin();
        let outputs: Vec<f32> = (0..4000).filter_map(|n| decimator.push(tone(n))).collect();
        assert_eq!(outputs.len(), (4000 - HALF_LEN) / 2);
        // √2 · x[2m]: the pass band is flat and the filter has no delay.
        for (m, &y) in outputs.iter().enumerate().skip(50) {
            assert!((y - std::f32::consts::SQRT_2 * tone(2 * m)).abs() < 1e-3, "output {m}");
        }
    }
}
