//! Complex STFT in and overlap-add out, streaming. Frames are `N_FFT` long every `HOP` samples,
//! periodic Hann windows for analysis and synthesis. The stream starts with `N_FFT − HOP` zeros,
//! so frame k covers samples `[k·HOP − (N_FFT − HOP), k·HOP + HOP)`: its centre is that of the
//! models' frame k − 2 (which covers `[j·HOP, j·HOP + 1024)`), and every input sample lies in
//! four frames, so overlap-add gives the input back exactly.

use std::sync::Arc;

use instrumeter::frontend::periodic_hann;
use realfft::num_complex::Complex32;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use crate::{HOP, N_FFT};

/// Zeros ahead of the stream (and frames before the first whole one): `N_FFT − HOP`.
pub const LEAD: usize = N_FFT - HOP;
/// The models' frame length (their front-end's STFT), in samples.
const MODEL_FRAME: usize = 1024;
/// Separation frames ahead of the models' frame 0: frame k's centre `k·HOP − LEAD + N_FFT/2`
/// is model frame j's centre `j·HOP + MODEL_FRAME/2` for j = k − 2.
pub const LEAD_FRAMES: u64 = ((LEAD + MODEL_FRAME / 2 - N_FFT / 2) / HOP) as u64;

/// The models' frame that separation frame `frame` lines up with (the first for the lead frames).
pub fn model_frame(frame: u64) -> u64 {
    frame.saturating_sub(LEAD_FRAMES)
}

/// Samples in → one complex spectrum (`BINS` values) per hop.
pub struct SpectrumStream {
    window: Vec<f32>,
    pending: Vec<f32>,
    filled: usize,
    fft: Arc<dyn RealToComplex<f32>>,
    fft_input: Vec<f32>,
    spectrum: Vec<Complex32>,
    scratch: Vec<Complex32>,
}

impl Default for SpectrumStream {
    fn default() -> Self {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(N_FFT);
        Self {
            window: periodic_hann(N_FFT),
            pending: vec![0.0; N_FFT],
            filled: LEAD,
            fft_input: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            fft,
        }
    }
}

impl SpectrumStream {
    /// Consumes `samples`; hands each completed frame's spectrum to `on_frame`.
    pub fn push(&mut self, mut samples: &[f32], mut on_frame: impl FnMut(&[Complex32])) {
        while !samples.is_empty() {
            let take = (N_FFT - self.filled).min(samples.len());
            self.pending[self.filled..self.filled + take].copy_from_slice(&samples[..take]);
            self.filled += take;
            samples = &samples[take..];
            if self.filled == N_FFT {
                for ((dst, &x), &w) in self.fft_input.iter_mut().zip(&self.pending).zip(&self.window) {
                    *dst = x * w;
                }
                self.fft.process_with_scratch(&mut self.fft_input, &mut self.spectrum, &mut self.scratch).expect("buffers sized by the plan");
                on_frame(&self.spectrum);
                self.pending.copy_within(HOP.., 0);
                self.filled = N_FFT - HOP;
            }
        }
    }

    /// Pushes the zeros that complete every frame touching the `samples` pushed so far.
    pub fn finish(&mut self, samples: u64, on_frame: impl FnMut(&[Complex32])) {
        let pad = LEAD + (HOP - samples as usize % HOP) % HOP;
        self.push(&vec![0.0; pad], on_frame);
    }
}

/// One complex spectrum per hop in → samples out (windowed overlap-add), the lead dropped.
pub struct OverlapAdd {
    window: Vec<f32>,
    /// `1 / (N_FFT · Σₖ w²(n − k·HOP))`: the inverse FFT's scale and the windows' overlap.
    scale: f32,
    accumulator: Vec<f32>,
    lead_to_skip: usize,
    ifft: Arc<dyn ComplexToReal<f32>>,
    spectrum: Vec<Complex32>,
    frame: Vec<f32>,
    scratch: Vec<Complex32>,
}

impl Default for OverlapAdd {
    fn default() -> Self {
        let ifft = RealFftPlanner::<f32>::new().plan_fft_inverse(N_FFT);
        let window = periodic_hann(N_FFT);
        let overlap: f32 = (0..N_FFT / HOP).map(|k| window[k * HOP].powi(2)).sum();
        Self {
            scale: 1.0 / (N_FFT as f32 * overlap),
            window,
            accumulator: vec![0.0; N_FFT],
            lead_to_skip: LEAD,
            spectrum: ifft.make_input_vec(),
            frame: ifft.make_output_vec(),
            scratch: ifft.make_scratch_vec(),
            ifft,
        }
    }
}

impl OverlapAdd {
    /// Adds one frame's spectrum; hands the samples no later frame touches to `on_samples`.
    pub fn add(&mut self, spectrum: &[Complex32], mut on_samples: impl FnMut(&[f32])) {
        self.spectrum.copy_from_slice(spectrum);
        // A real signal's DC and Nyquist bins are real; masks keep them so up to rounding.
        self.spectrum[0].im = 0.0;
        self.spectrum[N_FFT / 2].im = 0.0;
        self.ifft.process_with_scratch(&mut self.spectrum, &mut self.frame, &mut self.scratch).expect("buffers sized by the plan");
        for ((acc, &x), &w) in self.accumulator.iter_mut().zip(&self.frame).zip(&self.window) {
            *acc += x * w * self.scale;
        }
        let skip = self.lead_to_skip.min(HOP);
        self.lead_to_skip -= skip;
        if skip < HOP {
            on_samples(&self.accumulator[skip..HOP]);
        }
        self.accumulator.copy_within(HOP.., 0);
        self.accumulator[N_FFT - HOP..].fill(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(len: usize) -> Vec<f32> {
        let mut state = 12345u32;
        (0..len)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect()
    }

    #[test]
    fn spectra_overlap_added_give_the_input_back() {
        let input = noise(10_000);
        let (mut stft, mut ola, mut output) = (SpectrumStream::default(), OverlapAdd::default(), Vec::new());
        let mut frames = 0;
        for chunk in input.chunks(777) {
            stft.push(chunk, |spectrum| {
                frames += 1;
                ola.add(spectrum, |samples| output.extend_from_slice(samples));
            });
        }
        stft.finish(input.len() as u64, |spectrum| {
            frames += 1;
            ola.add(spectrum, |samples| output.extend_from_slice(samples));
        });
        assert!(output.len() >= input.len(), "{} of {} samples", output.len(), input.len());
        let error = input.iter().zip(&output).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(error < 1e-5, "largest error {error}");
        assert_eq!(frames, input.len().div_ceil(HOP) + LEAD / HOP, "one frame per hop, plus the lead");
    }

    #[test]
    fn frame_k_is_centred_on_model_frame_k_minus_two() {
        // A click at the centre of model frame 5 (samples 2560..3584, centre 3072) peaks in the
        // energy of separation frame 7 alone among its neighbours.
        let mut input = vec![0.0f32; 8192];
        input[5 * HOP + 512] = 1.0;
        let mut stft = SpectrumStream::default();
        let mut energies = Vec::new();
        stft.push(&input, |spectrum| energies.push(spectrum.iter().map(|c| c.norm_sqr()).sum::<f32>()));
        let loudest = (0..energies.len()).max_by(|&a, &b| energies[a].total_cmp(&energies[b])).unwrap();
        assert_eq!(model_frame(loudest as u64), 5);
    }
}
