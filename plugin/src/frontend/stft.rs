//! Streaming short-time Fourier transform: periodic Hann window, power spectrum per hop.

use super::framer::Framer;
use super::real_power::RealPower;

/// Frames a sample stream (`n_fft` long, every `hop` samples, no centre padding, as librosa's
/// `center=False`) and hands each frame's power spectrum (`n_fft/2 + 1` bins) to a callback.
pub struct StreamingStft {
    framer: Framer,
    window: Vec<f32>,
    windowed: Vec<f32>,
    real_power: RealPower,
    power: Vec<f32>,
}

impl StreamingStft {
    /// Plans the FFT and allocates every buffer for frames of `n_fft` samples every `hop` samples.
    pub fn new(n_fft: usize, hop: usize) -> Self {
        Self {
            framer: Framer::new(n_fft, hop),
            window: periodic_hann(n_fft),
            windowed: vec![0.0; n_fft],
            real_power: RealPower::new(n_fft),
            power: vec![0.0; n_fft / 2 + 1],
        }
    }

    /// Consumes `samples`; calls `on_power` with the power spectrum of every frame completed.
    #[inline(always)]
    pub fn process(&mut self, samples: &[f32], mut on_power: impl FnMut(&[f32])) {
        let Self { framer, window, windowed, real_power, power } = self;
        framer.push(samples, #[inline(always)] |frame| {
            for ((dst, &x), &w) in windowed.iter_mut().zip(frame).zip(window.iter()) {
                *dst = x * w;
            }
            real_power.process(windowed, power);
            on_power(power);
        });
    }

    /// Forgets any partial frame.
    pub fn reset(&mut self) {
        self.framer.reset();
    }
}

/// The periodic ("fftbins=True") Hann window that librosa and scipy use for spectra.
pub fn periodic_hann(len: usize) -> Vec<f32> {
    (0..len)
        .map(|n| {
            let phase = 2.0 * std::f64::consts::PI * n as f64 / len as f64;
            (0.5 - 0.5 * phase.cos()) as f32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_arrive_every_hop_regardless_of_chunking() {
        let signal: Vec<f32> = (0..5000).map(|i| (i as f32 * 0.01).sin()).collect();
        let collect = |chunk: usize| {
            let mut stft = StreamingStft::new(1024, 512);
            let mut frames = Vec::new();
            for part in signal.chunks(chunk) {
                stft.process(part, |p| frames.push(p.to_vec()));
            }
            frames
        };
        let whole = collect(signal.len());
        assert_eq!(whole.len(), 1 + (5000 - 1024) / 512);
        for chunk in [1, 7, 512, 1023, 4096] {
            assert_eq!(collect(chunk), whole, "chunk size {chunk}");
        }
    }

    #[test]
    fn sine_power_peaks_at_its_bin() {
        let bin = 40.0;
        let signal: Vec<f32> =
            (0..1024).map(|n| (2.0 * std::f32::consts::PI * bin * n as f32 / 1024.0).sin()).collect();
        let mut stft = StreamingStft::new(1024, 512);
        let mut peak = 0;
        stft.process(&signal, |p| {
            peak = p.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0
        });
        assert_eq!(peak, 40);
    }

    #[test]
    fn periodic_hann_matches_definition() {
        let w = periodic_hann(4);
        let expected = [0.0, 0.5, 1.0, 0.5];
        for (a, b) in w.iter().zip(expected) {
            assert!((a - b).abs() < 1e-7);
        }
    }
}
