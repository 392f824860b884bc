//! Sample-rate conversion to the analysis rate (the plugin's own resampler) and small pitch shifts.

use anyhow::Result;
use instrumeter::frontend::StreamResampler;

use super::RATE;

/// `samples` at `rate` Hz, converted to the analysis rate.
pub fn to_analysis_rate(samples: &[f32], rate: f64) -> Result<Vec<f32>> {
    let mut resampler = StreamResampler::new(rate, RATE)?;
    let mut output = Vec::with_capacity((samples.len() as f64 * RATE as f64 / rate) as usize + 1);
    resampler.process(samples, |block| output.extend_from_slice(block));
    resampler.flush(|block| output.extend_from_slice(block));
    Ok(output)
}

/// Up to `length` samples of `samples` played `semitones` higher (shorter) or lower (longer), by
/// linear interpolation: fine for the ±2 semitones it is used for.
pub fn shift_pitch(samples: &[f32], semitones: f64, length: usize) -> Vec<f32> {
    let speed = 2f64.powf(semitones / 12.0);
    (0..length)
        .map(|n| n as f64 * speed)
        .take_while(|&position| position + 1.0 < samples.len() as f64)
        .map(|position| {
            let (index, fraction) = (position as usize, position.fract() as f32);
            samples[index] + fraction * (samples[index + 1] - samples[index])
        })
        .collect()
}
