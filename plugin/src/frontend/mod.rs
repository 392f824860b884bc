//! Streaming front-end: host-rate audio → 22 050 Hz mono → the card's feature kind (log-mel,
//! constant-Q, CQT chroma or modified group delay), frame by frame.
//!
//! One code path serves the live plugin, offline analysis and training, so the features a model
//! sees are identical everywhere. After construction nothing here allocates.

mod chroma;
mod config;
mod constant_q;
mod constant_q_stream;
mod cqt;
mod framer;
mod halfband;
mod kind;
mod log_mel;
mod mel;
mod modgd;
mod real_power;
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

/// Turns a stream of host-rate mono samples into feature frames, calling back once per frame:
/// one feature kind, or several (a model with several inputs) from one resampler.
pub struct Frontend {
    /// The inputs' settings, the main input's first.
    configs: Vec<FrontendConfig>,
    resampler: StreamResampler,
    features: Vec<Box<dyn FeatureStream>>,
    emitted: u64,
    non_finite_samples: u64,
}

impl Frontend {
    /// Builds every buffer and FFT plan for audio arriving at `input_rate` Hz.
    pub fn new(input_rate: f64, config: FrontendConfig) -> Result<Self, FrontendError> {
        Self::with_inputs(input_rate, vec![config])
    }

    /// One front-end computing every kind in `configs` (all at the same analysis rate).
    pub fn with_inputs(input_rate: f64, configs: Vec<FrontendConfig>) -> Result<Self, FrontendError> {
        let Some(main) = configs.first() else {
            return Err(FrontendError::InvalidSetting { name: "kind", problem: "no feature kind asked for".into() });
        };
        if let Some(other) = configs.iter().find(|config| config.sample_rate != main.sample_rate) {
            return Err(FrontendError::InvalidSetting { name: "sample_rate", problem: format!("inputs at {} and {} Hz", main.sample_rate, other.sample_rate) });
        }
        configs.iter().try_for_each(FrontendConfig::validate)?;
        let features = configs.iter().map(build_stream).collect::<Result<_, _>>()?;
        Ok(Self { resampler: StreamResampler::new(input_rate, main.sample_rate)?, features, configs, emitted: 0, non_finite_samples: 0 })
    }

    /// Feeds host-rate samples; `on_frame` receives each completed frame of the main input
    /// (`n_mels` values: mel bands, or the kind's bins). Non-finite samples (NaN, ±Inf) are
    /// replaced by silence and counted.
    pub fn process(&mut self, input: &[f32], mut on_frame: impl FnMut(&[f32])) {
        self.process_inputs(input, |index, frame| {
            if index == 0 {
                on_frame(frame);
            }
        });
    }

    /// Like [`Self::process`], for every input: `on_frame(input index, frame)`. Within each piece
    /// of resampled audio the extra inputs' frames come first, so a main-input window always
    /// finds the others' frames up to its own end.
    pub fn process_inputs(&mut self, input: &[f32], mut on_frame: impl FnMut(usize, &[f32])) {
        let Self { resampler, features, emitted, non_finite_samples, .. } = self;
        *non_finite_samples += resampler.process(input, |resampled| feed_all(features, emitted, resampled, &mut on_frame));
    }

    /// End of stream: flushes the resampler's tail (so a file yields as many frames as a batch
    /// analysis would). Log-mel and modgd emit no last partial frame (librosa's `center=False`);
    /// the centred constant-Q kinds emit the frames librosa pads with zeros.
    pub fn finish(&mut self, mut on_frame: impl FnMut(&[f32])) {
        self.finish_inputs(|index, frame| {
            if index == 0 {
                on_frame(frame);
            }
        });
    }

    /// Like [`Self::finish`], for every input.
    pub fn finish_inputs(&mut self, mut on_frame: impl FnMut(usize, &[f32])) {
        let Self { resampler, features, emitted, .. } = self;
        resampler.flush(|resampled| feed_all(features, emitted, resampled, &mut on_frame));
        for (index, stream) in features.iter_mut().enumerate().rev() {
            stream.finish(&mut |frame| {
                *emitted += u64::from(index == 0);
                on_frame(index, frame);
            });
        }
    }

    /// Clears all history, as if the stream started anew (counters are kept).
    pub fn reset(&mut self) {
        self.resampler.reset();
        self.features.iter_mut().for_each(|stream| stream.reset());
    }

    /// Seconds from a main-input frame's reference point to the analysis of it: the resampler's
    /// delay at `input_rate` plus the kind's own.
    pub fn latency_s(&self, input_rate: f64) -> f64 {
        self.resampler.delay_input_samples() / input_rate + self.features[0].latency_samples() as f64 / self.configs[0].sample_rate as f64
    }

    /// The main input's settings.
    pub fn config(&self) -> &FrontendConfig {
        &self.configs[0]
    }

    /// Every input's settings, the main input's first.
    pub fn configs(&self) -> &[FrontendConfig] {
        &self.configs
    }

    /// How many NaN/±Inf input samples were replaced by silence so far.
    pub fn non_finite_samples(&self) -> u64 {
        self.non_finite_samples
    }

    /// How many main-input frames have been emitted so far.
    pub fn frames_emitted(&self) -> u64 {
        self.emitted
    }
}

/// Feeds `samples` to every stream, extra inputs first, counting the main input's frames.
fn feed_all(features: &mut [Box<dyn FeatureStream>], emitted: &mut u64, samples: &[f32], on_frame: &mut impl FnMut(usize, &[f32])) {
    for (index, stream) in features.iter_mut().enumerate().rev() {
        stream.feed(samples, &mut |frame| {
            *emitted += u64::from(index == 0);
            on_frame(index, frame);
        });
    }
}
