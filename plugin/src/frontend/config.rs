//! Front-end settings (as stored in model cards) and the errors they can raise.

use thiserror::Error;

/// What the front-end computes; the defaults are the product's fixed feature set.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontendConfig {
    /// Analysis sample rate in Hz (audio is resampled to this).
    pub sample_rate: u32,
    /// FFT size and window length in samples.
    pub n_fft: usize,
    /// Hop between frames in samples.
    pub hop: usize,
    /// Number of mel bands.
    pub n_mels: usize,
    /// Lowest mel band edge in Hz.
    pub fmin: f32,
    /// Highest mel band edge in Hz.
    pub fmax: f32,
    /// Floor added before the natural log: `ln(mel + log_eps)`.
    pub log_eps: f32,
}

impl Default for FrontendConfig {
    fn default() -> Self {
        Self {
            sample_rate: 22_050,
            n_fft: 1024,
            hop: 512,
            n_mels: 128,
            fmin: 0.0,
            fmax: 11_025.0,
            log_eps: 1e-10,
        }
    }
}

/// Why a front-end could not be built.
#[derive(Debug, Error, PartialEq)]
pub enum FrontendError {
    #[error("unsupported input sample rate {0} Hz: expected a finite rate between 8 000 and 768 000 Hz")]
    UnsupportedSampleRate(f64),
    #[error("invalid front-end setting `{name}`: {problem}")]
    InvalidSetting { name: &'static str, problem: String },
    #[error("could not build the resampler from {from} Hz to {to} Hz: {reason}")]
    Resampler { from: f64, to: u32, reason: String },
}

impl FrontendConfig {
    /// Checks that the settings describe a front-end this code can compute.
    pub fn validate(&self) -> Result<(), FrontendError> {
        let invalid = |name, problem: String| Err(FrontendError::InvalidSetting { name, problem });
        if !(8_000..=192_000).contains(&self.sample_rate) {
            return invalid("sample_rate", format!("{} Hz is outside 8 000–192 000 Hz", self.sample_rate));
        }
        if self.n_fft < 16 || !self.n_fft.is_multiple_of(2) {
            return invalid("n_fft", format!("{} must be even and at least 16", self.n_fft));
        }
        if self.hop == 0 || self.hop > self.n_fft {
            return invalid("hop", format!("{} must be between 1 and n_fft ({})", self.hop, self.n_fft));
        }
        if self.n_mels == 0 || self.n_mels > self.n_fft / 2 {
            return invalid("n_mels", format!("{} must be between 1 and n_fft/2", self.n_mels));
        }
        let nyquist = self.sample_rate as f32 / 2.0;
        if !(self.fmin >= 0.0 && self.fmin < self.fmax && self.fmax <= nyquist) {
            return invalid("fmin/fmax", format!("need 0 ≤ fmin < fmax ≤ {nyquist}, got {}–{}", self.fmin, self.fmax));
        }
        if !(self.log_eps > 0.0 && self.log_eps.is_finite()) {
            return invalid("log_eps", format!("{} must be a positive finite number", self.log_eps));
        }
        Ok(())
    }

    /// Seconds of audio between two frames.
    pub fn frame_period_s(&self) -> f64 {
        self.hop as f64 / self.sample_rate as f64
    }
}
