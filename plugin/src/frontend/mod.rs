//! Streaming log-mel front-end: host-rate audio → 22 050 Hz mono → STFT → mel → ln, frame by frame.
//!
//! One code path serves the live plugin, offline analysis and training, so the features a model
//! sees are identical everywhere. After construction nothing here allocates.

mod config;
mod mel;
mod resample;
mod sanitize;
mod stft;

pub use config::{FrontendConfig, FrontendError};
pub use mel::MelFilterbank;
pub use resample::StreamResampler;
pub use sanitize::replace_non_finite;
pub use stft::{periodic_hann, StreamingStft};

/// Turns a stream of host-rate mono samples into log-mel frames, calling back once per frame.
pub struct LogMelFrontend {
    config: FrontendConfig,
    resampler: StreamResampler,
    frames: FrameMaker,
    non_finite_samples: u64,
}

/// Analysis-rate samples → log-mel frames.
struct FrameMaker {
    stft: StreamingStft,
    mel: MelFilterbank,
    log_mel: Vec<f32>,
    log_eps: f32,
    emitted: u64,
}

impl FrameMaker {
    fn feed(&mut self, samples: &[f32], on_frame: &mut impl FnMut(&[f32])) {
        let Self { stft, mel, log_mel, log_eps, emitted } = self;
        stft.process(samples, |power| {
            mel.apply_log(power, *log_eps, log_mel);
            *emitted += 1;
            on_frame(log_mel);
        });
    }
}

impl LogMelFrontend {
    /// Builds every buffer and FFT plan for audio arriving at `input_rate` Hz.
    pub fn new(input_rate: f64, config: FrontendConfig) -> Result<Self, FrontendError> {
        config.validate()?;
        let frames = FrameMaker {
            stft: StreamingStft::new(config.n_fft, config.hop),
            mel: MelFilterbank::slaney(&config),
            log_mel: vec![0.0; config.n_mels],
            log_eps: config.log_eps,
            emitted: 0,
        };
        Ok(Self { resampler: StreamResampler::new(input_rate, config.sample_rate)?, frames, config, non_finite_samples: 0 })
    }

    /// Feeds host-rate samples; `on_frame` receives each completed `n_mels` log-mel frame.
    /// Non-finite samples (NaN, ±Inf) are replaced by silence and counted.
    pub fn process(&mut self, input: &[f32], mut on_frame: impl FnMut(&[f32])) {
        let Self { resampler, frames, non_finite_samples, .. } = self;
        *non_finite_samples += resampler.process(input, |resampled| frames.feed(resampled, &mut on_frame));
    }

    /// End of stream: flushes the resampler's tail (so a file yields as many frames as a batch
    /// analysis would). A last partial frame is not emitted, as with librosa's `center=False`.
    pub fn finish(&mut self, mut on_frame: impl FnMut(&[f32])) {
        let Self { resampler, frames, .. } = self;
        resampler.flush(|resampled| frames.feed(resampled, &mut on_frame));
    }

    /// Clears all history, as if the stream started anew (counters are kept).
    pub fn reset(&mut self) {
        self.resampler.reset();
        self.frames.stft.reset();
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
        self.frames.emitted
    }

    /// How long a sample waits in the resampler, in host-rate samples (zero without resampling).
    pub fn resampler_delay_input_samples(&self) -> f64 {
        self.resampler.delay_input_samples()
    }
}
