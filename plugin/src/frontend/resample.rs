//! Streaming conversion of host-rate mono audio to the analysis rate (rubato), allocation-free.

use rubato::audioadapter_buffers::direct::SequentialSlice;
use rubato::{Async, Fft, FixedAsync, FixedSync, Resampler, SincInterpolationParameters, WindowFunction};

use super::{replace_non_finite, FrontendError};

/// Input samples gathered before each resampler call (≈ 11–93 ms at common host rates).
const CHUNK: usize = 1024;
/// Largest FFT-resampler block (from the rates' GCD) accepted before falling back to sinc.
const MAX_FFT_BLOCK: usize = 4096;
/// Host rates this front-end accepts, in Hz.
const RATE_RANGE: std::ops::RangeInclusive<f64> = 8_000.0..=768_000.0;

/// Host rate → analysis rate. Rates with a small integer ratio use rubato's synchronous FFT
/// resampler; any other rate uses its asynchronous sinc resampler; equal rates pass through.
pub struct StreamResampler {
    resampler: Option<Box<dyn Resampler<f32>>>,
    pending: Vec<f32>,
    filled: usize,
    output: Vec<f32>,
    /// Output samples still to discard so the stream lines up with its input (the filter delay).
    delay_to_skip: usize,
    input_samples: u64,
    output_samples: u64,
}

impl StreamResampler {
    /// Builds the resampler and all of its buffers.
    pub fn new(input_rate: f64, output_rate: u32) -> Result<Self, FrontendError> {
        if !input_rate.is_finite() || !RATE_RANGE.contains(&input_rate) {
            return Err(FrontendError::UnsupportedSampleRate(input_rate));
        }
        let resampler = if input_rate == output_rate as f64 {
            None
        } else {
            Some(build_resampler(input_rate, output_rate)?)
        };
        let output_len = resampler.as_ref().map_or(0, |r| r.output_frames_max());
        let delay_to_skip = resampler.as_ref().map_or(0, |r| r.output_delay());
        Ok(Self { resampler, pending: vec![0.0; CHUNK], filled: 0, output: vec![0.0; output_len], delay_to_skip, input_samples: 0, output_samples: 0 })
    }

    /// Consumes host-rate `input`, handing analysis-rate audio to `on_output` in pieces.
    /// Returns how many non-finite input samples were replaced by silence.
    pub fn process(&mut self, mut input: &[f32], mut on_output: impl FnMut(&[f32])) -> u64 {
        let mut replaced = 0;
        while !input.is_empty() {
            let take = (CHUNK - self.filled).min(input.len());
            replaced += replace_non_finite(&input[..take], &mut self.pending[self.filled..self.filled + take]);
            self.filled += take;
            self.input_samples += take as u64;
            input = &input[take..];
            if self.resampler.is_none() || self.filled == CHUNK {
                self.emit_chunk(u64::MAX, &mut on_output);
            }
        }
        replaced
    }

    /// End of stream: pushes silence through the filter until every input sample has come out
    /// (the output then holds `ceil(input × ratio)` samples in all, as a batch resampler gives).
    pub fn flush(&mut self, mut on_output: impl FnMut(&[f32])) {
        let Some(ratio) = self.resampler.as_ref().map(|r| r.resample_ratio()) else { return };
        let expected = (self.input_samples as f64 * ratio).ceil() as u64;
        while self.output_samples < expected {
            self.pending[self.filled..].fill(0.0);
            self.filled = CHUNK;
            self.emit_chunk(expected, &mut on_output);
        }
        self.filled = 0;
    }

    /// Resamples (or passes through) the pending chunk, trims the start-up delay, and hands on at
    /// most `limit` samples in all.
    fn emit_chunk(&mut self, limit: u64, on_output: &mut impl FnMut(&[f32])) {
        let produced = match self.resampler.as_mut() {
            None => {
                self.output_samples += self.filled as u64;
                on_output(&self.pending[..self.filled]);
                self.filled = 0;
                return;
            }
            Some(resampler) => resample_chunk(resampler.as_mut(), &self.pending, &mut self.output),
        };
        self.filled = 0;
        let skipped = self.delay_to_skip.min(produced);
        self.delay_to_skip -= skipped;
        let allowed = (limit - self.output_samples).min((produced - skipped) as u64) as usize;
        self.output_samples += allowed as u64;
        on_output(&self.output[skipped..skipped + allowed]);
    }

    /// Clears the resampler's history and any partial chunk.
    pub fn reset(&mut self) {
        self.filled = 0;
        if let Some(resampler) = self.resampler.as_mut() {
            resampler.reset();
            self.delay_to_skip = resampler.output_delay();
        }
        (self.input_samples, self.output_samples) = (0, 0);
    }

    /// How long a sample waits inside the resampler before it comes out, in input-rate samples
    /// (the filter delay plus up to one chunk of buffering). The delay is trimmed from the
    /// stream's start, so output sample n still corresponds to input time n / output rate.
    pub fn delay_input_samples(&self) -> f64 {
        self.resampler
            .as_ref()
            .map_or(0.0, |r| r.output_delay() as f64 / r.resample_ratio() + CHUNK as f64)
    }
}

fn build_resampler(input_rate: f64, output_rate: u32) -> Result<Box<dyn Resampler<f32>>, FrontendError> {
    let error = |reason: String| FrontendError::Resampler { from: input_rate, to: output_rate, reason };
    let integral_rate = input_rate.fract() == 0.0;
    let fft_block = integral_rate.then(|| input_rate as usize / gcd(input_rate as usize, output_rate as usize));
    match fft_block {
        Some(block) if block <= MAX_FFT_BLOCK => {
            let (rate_in, rate_out) = (input_rate as usize, output_rate as usize);
            // One FFT block per chunk: the sharpest anti-aliasing filter this chunk size allows.
            Fft::<f32>::new_custom(rate_in, rate_out, CHUNK, 1, 1, WindowFunction::BlackmanHarris2, FixedSync::Input)
                .map(|r| Box::new(r) as Box<dyn Resampler<f32>>)
                .map_err(|e| error(e.to_string()))
        }
        _ => {
            let ratio = output_rate as f64 / input_rate;
            let params = SincInterpolationParameters::default();
            Async::<f32>::new_sinc(ratio, 1.0, &params, CHUNK, 1, FixedAsync::Input)
                .map(|r| Box::new(r) as Box<dyn Resampler<f32>>)
                .map_err(|e| error(e.to_string()))
        }
    }
}

/// Runs one full input chunk through the resampler; returns the number of output samples.
fn resample_chunk(resampler: &mut dyn Resampler<f32>, input: &[f32], output: &mut [f32]) -> usize {
    let input_frames = input.len();
    let output_frames = output.len();
    let (Ok(input), Ok(mut output)) = (
        SequentialSlice::new(input, 1, input_frames),
        SequentialSlice::new_mut(output, 1, output_frames),
    ) else {
        return 0;
    };
    // Buffers are sized from the resampler's own maxima, so this cannot fail; if it ever did,
    // dropping one chunk of analysis audio is the safe outcome.
    resampler.process_into_buffer(&input, &mut output, None).map_or(0, |(_, written)| written)
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resample_all(rate: f64, seconds: f64) -> (StreamResampler, usize) {
        let mut resampler = StreamResampler::new(rate, 22_050).unwrap();
        let input = vec![0.25f32; (rate * seconds) as usize];
        let mut produced = 0;
        for block in input.chunks(333) {
            resampler.process(block, |out| produced += out.len());
        }
        (resampler, produced)
    }

    #[test]
    fn output_length_follows_the_rate_ratio() {
        for rate in [22_050.0, 32_000.0, 44_100.0, 48_000.0, 88_200.0, 96_000.0, 192_000.0, 44_056.0, 47_999.5] {
            let (resampler, produced) = resample_all(rate, 2.0);
            let expected = 2.0 * 22_050.0;
            let slack = (CHUNK as f64 * 22_050.0 / rate) + resampler.output.len() as f64;
            assert!((produced as f64 - expected).abs() <= slack, "{rate} Hz: {produced} samples");
        }
    }

    #[test]
    fn rejects_rates_it_cannot_handle() {
        for rate in [0.0, -44_100.0, f64::NAN, f64::INFINITY, 1_000.0, 10_000_000.0] {
            assert!(matches!(
                StreamResampler::new(rate, 22_050),
                Err(FrontendError::UnsupportedSampleRate(_))
            ));
        }
    }

    #[test]
    fn counts_and_silences_non_finite_input() {
        let mut resampler = StreamResampler::new(22_050.0, 22_050).unwrap();
        let mut seen = Vec::new();
        let replaced = resampler.process(&[1.0, f32::NAN, f32::INFINITY, -f32::INFINITY, 0.5], |out| {
            seen.extend_from_slice(out)
        });
        assert_eq!(replaced, 3);
        assert_eq!(seen, [1.0, 0.0, 0.0, 0.0, 0.5]);
    }
}
