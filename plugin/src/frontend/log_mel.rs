//! The `log_mel` feature kind: periodic-Hann STFT → 128 Slaney mel bands → `ln(mel + ε)`.

use super::{FeatureStream, FrontendConfig, MelFilterbank, StreamingStft};

/// Analysis-rate samples → log-mel frames.
pub struct LogMelStream {
    stft: StreamingStft,
    mel: MelFilterbank,
    log_mel: Vec<f32>,
    log_eps: f32,
    n_fft: usize,
}

impl LogMelStream {
    /// The STFT and filterbank for `config`.
    pub fn new(config: &FrontendConfig) -> Self {
        Self {
            stft: StreamingStft::new(config.n_fft, config.hop),
            mel: MelFilterbank::slaney(config),
            log_mel: vec![0.0; config.n_mels],
            log_eps: config.log_eps,
            n_fft: config.n_fft,
        }
    }
}

impl FeatureStream for LogMelStream {
    fn n_features(&self) -> usize {
        self.log_mel.len()
    }

    fn feed(&mut self, samples: &[f32], on_frame: &mut dyn FnMut(&[f32])) {
        let Self { stft, mel, log_mel, log_eps, .. } = self;
        stft.process(samples, |power| {
            mel.apply_log(power, *log_eps, log_mel);
            on_frame(log_mel);
        });
    }

    fn reset(&mut self) {
        self.stft.reset();
    }

    fn latency_samples(&self) -> usize {
        self.n_fft
    }
}
