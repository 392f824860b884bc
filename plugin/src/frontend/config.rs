//! Front-end settings (as stored in model cards) and the errors they can raise.

use thiserror::Error;

use super::kind::FeatureKind;
use super::{chroma, cqt, modgd};

/// What the front-end computes; the defaults are the product's fixed feature set.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontendConfig {
    /// Which features (the other fields describe them; non-mel kinds have fixed settings).
    pub kind: FeatureKind,
    /// Analysis sample rate in Hz (audio is resampled to this).
    pub sample_rate: u32,
    /// FFT size and window length in samples.
    pub n_fft: usize,
    /// Hop between frames in samples.
    pub hop: usize,
    /// Values per frame: mel bands, or the kind's bins (the name is log-mel's).
    pub n_mels: usize,
    /// Lowest mel band edge (lowest bin's centre for the other kinds) in Hz.
    pub fmin: f32,
    /// Highest mel band edge (highest bin's centre for the other kinds) in Hz.
    pub fmax: f32,
    /// Floor added before the natural log: `ln(mel + log_eps)`.
    pub log_eps: f32,
}

impl Default for FrontendConfig {
    fn default() -> Self {
        Self {
            kind: FeatureKind::LogMel,
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
    /// The settings this build computes for `kind` (log-mel's are the defaults). Constant-Q kinds
    /// have no single FFT (`n_fft` 0); modgd's `n_fft` is its DFT length.
    pub fn for_kind(kind: FeatureKind) -> Self {
        let constant_q = |settings: crate::frontend::ConstantQSettings, n_features: usize| Self {
            kind,
            n_fft: 0,
            hop: settings.hop,
            n_mels: n_features,
            fmin: settings.fmin as f32,
            fmax: *settings.frequencies().last().expect("at least two bins") as f32,
            ..Self::default()
        };
        match kind {
            FeatureKind::LogMel => Self::default(),
            FeatureKind::Cqt => constant_q(cqt::SEED_002, cqt::SEED_002.n_bins),
            FeatureKind::CqtChroma => constant_q(chroma::SEED_004, chroma::N_CHROMA),
            FeatureKind::Modgd => {
                let settings = modgd::SEED_004;
                let bin_hz = Self::default().sample_rate as f32 / settings.n_fft as f32;
                Self { kind, n_fft: settings.n_fft, hop: settings.hop, n_mels: settings.bins, fmin: 0.0, fmax: (settings.bins - 1) as f32 * bin_hz, log_eps: settings.spectrum_eps, ..Self::default() }
            }
        }
    }

    /// Analysis-rate samples from a frame's first sample to its centre (frame `t` is centred on
    /// `t·hop + this`): half the window for log-mel and modgd; 0 for the constant-Q kinds,
    /// whose frames are centred on `t·hop` (librosa pads their start).
    pub fn frame_centre_samples(&self) -> usize {
        match self.kind {
            FeatureKind::LogMel => self.n_fft / 2,
            FeatureKind::Modgd => modgd::SEED_004.frame / 2,
            FeatureKind::Cqt | FeatureKind::CqtChroma => 0,
        }
    }

    /// The analysis window's name, as cards record it.
    pub fn window_name(&self) -> &'static str {
        match self.kind {
            FeatureKind::Modgd => "hamming",
            _ => "hann",
        }
    }

    /// The frame a silent stream gives (offline analysis pads a file's end with it).
    pub fn silence_frame(&self) -> Vec<f32> {
        match self.kind {
            FeatureKind::LogMel => vec![self.log_eps.ln(); self.n_mels],
            FeatureKind::Cqt => {
                cqt::SEED_002.frequencies().iter().map(|&f| self.log_eps.ln() + (cqt::a_weighting_db(f) * std::f64::consts::LN_10 / 10.0) as f32).collect()
            }
            FeatureKind::CqtChroma | FeatureKind::Modgd => vec![0.0; self.n_mels],
        }
    }

    /// Checks that the settings describe a front-end this code can compute.
    pub fn validate(&self) -> Result<(), FrontendError> {
        if self.kind != FeatureKind::LogMel {
            let computed = Self::for_kind(self.kind);
            if *self != computed {
                return Err(FrontendError::InvalidSetting {
                    name: "kind",
                    problem: format!("the `{}` front-end computes {computed:?}; the settings ask for {self:?}", self.kind.name()),
                });
            }
            return Ok(());
        }
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
