//! The `modgd` feature kind (seed 004, Table 4; Murthy & Gadde): the modified group delay
//! `sign(τ)·|τ|^α` with `τ = (X_R·Y_R + X_I·Y_I) / S^(2γ)`, X = DFT(x), Y = DFT(n·x), S the
//! cepstrally smoothed |X|, over 50 ms frames every 10 ms, first 128 bins, output as
//! `sign·ln(1 + |τ_m|)`: τ_m spans 0 to ~10⁶ (it scales with the signal's level), which neither a
//! network nor the trainer's f16 feature cache takes raw; the log compresses it as log-mel
//! compresses power. Computed in f64: the division by the smoothed spectrum magnifies float32
//! round-off past 1e-3.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use super::framer::Framer;
use super::mel::ln_positive;
use super::FeatureStream;

/// The settings of one modified-group-delay front-end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModgdSettings {
    /// Frame length in samples (50 ms).
    pub frame: usize,
    /// Hop in samples (10 ms).
    pub hop: usize,
    /// DFT length (the frame, zero-padded).
    pub n_fft: usize,
    pub alpha: f32,
    pub gamma: f32,
    /// Quefrencies kept on each side of the real cepstrum when smoothing |X|.
    pub lifter: usize,
    /// Bins output per frame, from 0 Hz up.
    pub bins: usize,
    /// Floor added to |X| before its log.
    pub spectrum_eps: f32,
}

/// Seed 004's settings at 22 050 Hz (`int(0.05·sr)`, `int(0.01·sr)`); the paper leaves the DFT
/// length, window (Hamming here) and lifter open.
pub const SEED_004: ModgdSettings =
    ModgdSettings { frame: 1102, hop: 220, n_fft: 2048, alpha: 0.9, gamma: 0.5, lifter: 30, bins: 128, spectrum_eps: 1e-10 };

impl ModgdSettings {
    /// Checks that the settings can be computed.
    pub fn check(&self) -> Result<(), String> {
        if self.hop == 0 || self.hop > self.frame || self.frame > self.n_fft {
            return Err(format!("need 1 ≤ hop ≤ frame ≤ n_fft, got {self:?}"));
        }
        if self.bins == 0 || self.bins > self.n_fft / 2 + 1 || self.lifter == 0 || self.lifter > self.n_fft / 2 {
            return Err(format!("need 1 ≤ bins ≤ n_fft/2 + 1 and 1 ≤ lifter ≤ n_fft/2, got {self:?}"));
        }
        Ok(())
    }
}

/// Streaming modified group delay frames.
pub struct ModgdStream {
    settings: ModgdSettings,
    framer: Framer,
    window: Vec<f64>,
    forward: Arc<dyn RealToComplex<f64>>,
    inverse: Arc<dyn ComplexToReal<f64>>,
    time: Vec<f64>,
    spectrum_x: Vec<Complex<f64>>,
    spectrum_y: Vec<Complex<f64>>,
    log_magnitude: Vec<Complex<f64>>,
    /// `cos(2π·q·k / n_fft)` for the output bins k and the kept quefrencies q (row per bin).
    cosines: Vec<f64>,
    scratch: Vec<Complex<f64>>,
    frame: Vec<f32>,
}

impl ModgdStream {
    /// Plans the transforms and allocates every buffer.
    pub fn new(settings: ModgdSettings) -> Result<Self, String> {
        settings.check()?;
        let mut planner = RealFftPlanner::<f64>::new();
        let (forward, inverse) = (planner.plan_fft_forward(settings.n_fft), planner.plan_fft_inverse(settings.n_fft));
        let scratch_len = forward.get_scratch_len().max(inverse.get_scratch_len());
        let window = (0..settings.frame).map(|n| 0.54 - 0.46 * (2.0 * std::f64::consts::PI * n as f64 / settings.frame as f64).cos()).collect();
        let turn = 2.0 * std::f64::consts::PI / settings.n_fft as f64;
        let cosines = (0..settings.bins).flat_map(|k| (0..settings.lifter).map(move |q| (turn * (q * k) as f64).cos())).collect();
        Ok(Self {
            framer: Framer::new(settings.frame, settings.hop),
            window,
            time: forward.make_input_vec(),
            spectrum_x: forward.make_output_vec(),
            spectrum_y: forward.make_output_vec(),
            log_magnitude: forward.make_output_vec(),
            cosines,
            scratch: vec![Complex::new(0.0, 0.0); scratch_len],
            frame: vec![0.0; settings.bins],
            forward,
            inverse,
            settings,
        })
    }
}

/// One frame's modified group delay, with every buffer passed in.
struct Work<'a> {
    settings: &'a ModgdSettings,
    window: &'a [f64],
    forward: &'a dyn RealToComplex<f64>,
    inverse: &'a dyn ComplexToReal<f64>,
    time: &'a mut [f64],
    spectrum_x: &'a mut [Complex<f64>],
    spectrum_y: &'a mut [Complex<f64>],
    log_magnitude: &'a mut [Complex<f64>],
    cosines: &'a [f64],
    scratch: &'a mut [Complex<f64>],
}

impl Work<'_> {
    fn run(&mut self, samples: &[f32], out: &mut [f32]) {
        let s = self.settings;
        // X = DFT(w·x), Y = DFT(n·w·x).
        self.windowed(samples, false);
        self.forward.process_with_scratch(self.time, self.spectrum_x, self.scratch).expect("sized by the plan");
        self.windowed(samples, true);
        self.forward.process_with_scratch(self.time, self.spectrum_y, self.scratch).expect("sized by the plan");
        // Real cepstrum of ln(|X| + ε) (the fast f32 log: its 3e-7 relative error is far below
        // the smoothing's), liftered to quefrencies ±(lifter − 1) and summed back as cosines for
        // the output bins only: ln S_k = c_0 + 2 Σ_q c_q cos(2πqk/N).
        for (dst, x) in self.log_magnitude.iter_mut().zip(self.spectrum_x.iter()) {
            *dst = Complex::new(f64::from(ln_positive((x.norm() + f64::from(s.spectrum_eps)) as f32)), 0.0);
        }
        self.inverse.process_with_scratch(self.log_magnitude, self.time, self.scratch).expect("sized by the plan");
        let scale = 1.0 / s.n_fft as f64;
        let cepstrum = &self.time[..s.lifter];
        let bins = self.spectrum_x.iter().zip(self.spectrum_y.iter()).zip(self.cosines.chunks_exact(s.lifter));
        for (out, ((x, y), cosines)) in out.iter_mut().zip(bins) {
            let log_s = scale * (2.0 * cepstrum.iter().zip(cosines).map(|(c, cos)| c * cos).sum::<f64>() - cepstrum[0]);
            // S^(2γ) = exp(2γ · ln S).
            let tau = (x.re * y.re + x.im * y.im) / (2.0 * f64::from(s.gamma) * log_s).exp();
            let modified = tau.abs().powf(f64::from(s.alpha));
            *out = (tau.signum() * modified.ln_1p()) as f32;
        }
    }

    /// Fills the transform input with the windowed frame (times n when `ramp`), zero-padded.
    fn windowed(&mut self, samples: &[f32], ramp: bool) {
        self.time.fill(0.0);
        for (n, ((dst, &x), &w)) in self.time.iter_mut().zip(samples).zip(self.window).enumerate() {
            let x = f64::from(x) * w;
            *dst = if ramp { n as f64 * x } else { x };
        }
    }
}

impl FeatureStream for ModgdStream {
    fn n_features(&self) -> usize {
        self.settings.bins
    }

    fn feed(&mut self, samples: &[f32], on_frame: &mut dyn FnMut(&[f32])) {
        let Self { settings, framer, window, forward, inverse, time, spectrum_x, spectrum_y, log_magnitude, cosines, scratch, frame } = self;
        let mut work = Work { settings, window, forward: &**forward, inverse: &**inverse, time, spectrum_x, spectrum_y, log_magnitude, cosines, scratch };
        framer.push(samples, |samples| {
            work.run(samples, frame);
            on_frame(frame);
        });
    }

    fn reset(&mut self) {
        self.framer.reset();
    }

    fn latency_samples(&self) -> usize {
        self.settings.frame
    }
}
