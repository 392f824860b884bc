//! Streaming front-end: host-rate audio → 22 050 Hz mono → the card's feature kind (log-mel,
//! constant-Q, CQT chroma or modified group delay), frame by frame.
//!
//! One code path serves the live plugin, offline analysis and training, so the features a model
//! sees are identical everywhere. After construction nothing here allocates.

mod chroma;
mod config;
mod constant_q;
mod cqt;
mod framer;
mod halfband;
mod kind;
mod log_mel;
mod mel;
mod modgd;
mod resample;
mod sanitize;
mod stft;

pub use config::{FrontendConfig, FrontendError};
pub use constant_q::{ConstantQ, ConstantQSettings};
pub use kind::{build_stream, FeatureKind, FeatureStream};
pub use mel::MelFilterbank;
pub use resample::StreamResampler;
pub use sanitize::replace_non_finite;
pub use stft::{periodic_hann, StreamingStft};

/// Turns a stream of host-rate mono samples into feature frames, calling back once per frame.
pub struct Frontend {
    config: FrontendConfig,
    resampler: StreamResampler,
    features: Box<dyn FeatureStream>,
    emitted: u64,
    non_finite_samples: u64,
}

impl Frontend {
    /// Builds every buffer and FFT plan for audio arriving at `input_rate` Hz.
    pub fn new(input_rate: f64, config: FrontendConfig) -> Result<Self, FrontendError> {
        config.validate()?;
        let features = build_stream(&config)?;
        Ok(Self { resampler: StreamResampler::new(input_rate, config.sample_rate)?, features, config, emitted: 0, non_finite_samples: 0 })
    }

    /// Feeds host-rate samples; `on_frame` receives each completed frame (`n_mels` values: mel
    /// bands, or the kind's bins). Non-finite samples (NaN, ±Inf) are replaced by silence and counted.
    pub fn process(&mut self, input: &[f32], mut on_frame: impl FnMut(&[f32])) {
        let Self { resampler, features, emitted, non_finite_samples, .. } = self;
        let mut counted = |frame: &[f32]| {
            *emitted += 1;
            on_frame(frame);
        };
        *non_finite_samples += resampler.process(input, |resampled| features.feed(resampled, &mut counted));
    }

    /// End of stream: flushes the resampler's tail (so a file yields as many frames as a batch
    /// analysis would). Log-mel and modgd emit no last partial frame (librosa's `center=False`);
    /// the centred constant-Q kinds emit the frames librosa pads with zeros.
    pub fn finish(&mut self, mut on_frame: impl FnMut(&[f32])) {
        let Self { resampler, features, emitted, .. } = self;
        let mut counted = |frame: &[f32]| {
            *emitted += 1;
            on_frame(frame);
        };
        resampler.flush(|resampled| features.feed(resampled, &mut counted));
        features.finish(&mut counted);
    }

    /// Clears all history, as if the stream started anew (counters are kept).
    pub fn reset(&mut self) {
        self.resampler.reset();
        self.features.reset();
    }

    /// Seconds from a frame's reference point to the analysis of it: the resampler's delay at
    /// `input_rate` plus the kind's own.
    pub fn latency_s(&self, input_rate: f64) -> f64 {
        self.resampler.delay_input_samples() / input_rate + self.features.latency_samples() as f64 / self.config.sample_rate as f64
    }

    /// The settings this front-end was built with.
    pub fn config(&self) -> &FrontendConfig {
        &self.config
    }

    /// How many NaN/±Inf input samples were replaced by silence so far.
    pub fn non_finite_samples(&self) -> u64 {
        self.non_finite_samples
    }

    /// How many frames have been emitted so far.
    pub fn frames_emitted(&self) -> u64 {
        self.emitted
    }
}
