//! Sample-rate conversion to the analysis rate (the plugin's own resampler) and small pitch shifts.

use anyhow::Result;
use rand::{Rng, RngExt};
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

/// A player's vibrato: a sinusoidal pitch wobble that fades in after the attack.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vibrato {
    /// Peak deviation, in semitones.
    pub depth_semitones: f64,
    pub rate_hz: f64,
    /// Time from the note's start until the wobble is at full depth, in seconds.
    pub onset_s: f64,
    /// Phase at the note's start, in radians.
    pub phase: f64,
}

impl Vibrato {
    /// Depth 0.1–0.4 semitones, rate 4.5–7 Hz, full after 0.1–0.4 s: what string, wind and voice
    /// players use.
    pub fn draw(rng: &mut impl Rng) -> Self {
        Self {
            depth_semitones: rng.random_range(0.1..0.4),
            rate_hz: rng.random_range(4.5..7.0),
            onset_s: rng.random_range(0.1..0.4),
            phase: rng.random_range(0.0..std::f64::consts::TAU),
        }
    }

    /// The deviation `n` samples into the note, in semitones.
    fn semitones_at(&self, n: usize) -> f64 {
        let t = n as f64 / RATE as f64;
        let depth = self.depth_semitones * (t / self.onset_s).min(1.0);
        depth * (std::f64::consts::TAU * self.rate_hz * t + self.phase).sin()
    }
}

/// Up to `length` samples of `samples` played `semitones` higher (shorter) or lower (longer),
/// wavering with `vibrato` when given, by linear interpolation: fine for the few semitones it is
/// used for.
pub fn shift_pitch(samples: &[f32], semitones: f64, vibrato: Option<Vibrato>, length: usize) -> Vec<f32> {
    let speed = 2f64.powf(semitones / 12.0);
    let mut position = 0.0;
    let mut output = Vec::with_capacity(length);
    for n in 0..length {
        if position + 1.0 >= samples.len() as f64 {
            break;
        }
        let (index, fraction) = (position as usize, position.fract() as f32);
        output.push(samples[index] + fraction * (samples[index + 1] - samples[index]));
        position = match vibrato {
            Some(vibrato) => position + speed * 2f64.powf(vibrato.semitones_at(n) / 12.0),
            None => (n + 1) as f64 * speed,
        };
    }
    output
}

#[cfg(test)]
mod tests {
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::SeedableRng;

    use super::*;

    /// Frequency of a tone over 50 ms from sample `at`: upward zero crossings located to a
    /// fraction of a sample, their count over the time between the first and the last.
    fn frequency_near(signal: &[f32], at: usize) -> f64 {
        let part = &signal[at..at + RATE as usize / 20];
        let crossings: Vec<f64> = (1..part.len())
            .filter(|&n| part[n - 1] < 0.0 && part[n] >= 0.0)
            .map(|n| n as f64 - 1.0 + f64::from(part[n - 1] / (part[n - 1] - part[n])))
            .collect();
        (crossings.len() - 1) as f64 * RATE as f64 / (crossings[crossings.len() - 1] - crossings[0])
    }

    #[test]
    fn vibrato_wavers_around_the_shifted_pitch_and_none_keeps_it_steady() {
        let tone: Vec<f32> = (0..2 * RATE as usize).map(|n| (std::f64::consts::TAU * 440.0 * n as f64 / RATE as f64).sin() as f32).collect();
        let steady = shift_pitch(&tone, 12.0, None, RATE as usize / 2);
        assert!((frequency_near(&steady, 2_000) - 880.0).abs() < 1.0, "an octave up is 880 Hz");
        let vibrato = Vibrato { depth_semitones: 0.4, rate_hz: 5.0, onset_s: 0.01, phase: 0.0 };
        let wavering = shift_pitch(&tone, 0.0, Some(vibrato), RATE as usize);
        let frequencies: Vec<f64> = (0..16).map(|k| frequency_near(&wavering, k * RATE as usize / 20)).collect();
        let (low, high) = frequencies.iter().fold((f64::MAX, 0f64), |(lo, hi), &f| (lo.min(f), hi.max(f)));
        assert!(low < 440.0 - 4.0 && high > 440.0 + 4.0, "the pitch should waver around 440 Hz: {frequencies:?}");
        assert!(high / low < 2f64.powf(0.9 / 12.0), "no more than ±0.4 semitones: {low:.1}–{high:.1} Hz");
        let drawn = Vibrato::draw(&mut Xoshiro256PlusPlus::seed_from_u64(3));
        assert!((0.1..0.4).contains(&drawn.depth_semitones) && (4.5..7.0).contains(&drawn.rate_hz));
    }
}
