//! Procedural phrases: melodies and chords in a scale, with rhythm, rests and dynamics.

use rand::{Rng, RngExt};
use serde::Serialize;

use super::instruments::{Melodic, Program};

/// One note, timed in seconds from the phrase's start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Note {
    pub start: f64,
    pub length: f64,
    pub key: u8,
    pub velocity: u8,
}

/// When a stem plays: its phrase starts `pre_roll_s` before the clip (so a clip may open
/// mid-note), and only notes starting in `[from_s, to_s)` of clip time sound (late entries and
/// early endings).
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Activity {
    pub pre_roll_s: f64,
    pub from_s: f64,
    pub to_s: f64,
}

/// Longest time a phrase may start before its clip, in seconds.
pub const MAX_PRE_ROLL_S: f64 = 1.5;
/// Note lengths a phrase draws from, in beats.
const LENGTHS_BEATS: [f64; 9] = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0];
/// Share of note slots left silent.
const REST_SHARE: f64 = 0.15;
/// Melodic steps in scale degrees, with weights: mostly steps, some skips, rare leaps.
const STEPS: [(i32, u32); 11] = [(-7, 1), (-4, 1), (-3, 2), (-2, 5), (-1, 9), (0, 3), (1, 9), (2, 5), (3, 2), (4, 1), (7, 1)];
const SCALES: [&[i32]; 5] = [&[0, 2, 4, 5, 7, 9, 11], &[0, 2, 3, 5, 7, 8, 10], &[0, 2, 3, 5, 7, 9, 10], &[0, 2, 4, 7, 9], &[0, 3, 5, 7, 10]];

impl Activity {
    pub fn draw(rng: &mut impl Rng, clip_s: f64) -> Self {
        let pre_roll_s = rng.random_range(0.0..MAX_PRE_ROLL_S);
        let from_s = if rng.random_bool(0.25) { rng.random_range(0.1..0.6) * clip_s } else { -pre_roll_s };
        let to_s = if rng.random_bool(0.2) { rng.random_range(0.5..0.95) * clip_s } else { clip_s };
        Self { pre_roll_s, from_s, to_s }
    }

    /// Phrase length needed to cover the clip.
    pub fn span_s(&self, clip_s: f64) -> f64 {
        self.pre_roll_s + clip_s
    }

    /// The notes of `phrase` that start while the stem is active. Where that leaves none, the
    /// stem becomes active throughout, so that no stem is silent.
    pub fn keep_active(&mut self, phrase: Vec<Note>, clip_s: f64) -> Vec<Note> {
        let (from, to) = (self.from_s + self.pre_roll_s, self.to_s + self.pre_roll_s);
        if !phrase.iter().any(|note| (from..to).contains(&note.start)) {
            (self.from_s, self.to_s) = (-self.pre_roll_s, clip_s);
            return phrase;
        }
        phrase.into_iter().filter(|note| (from..to).contains(&note.start)).collect()
    }
}

/// Seconds per beat of a tempo drawn from 70–150 BPM.
pub fn draw_beat_s(rng: &mut impl Rng) -> f64 {
    60.0 / rng.random_range(70.0..150.0)
}

/// A phrase's loudness: a base velocity with a crescendo or diminuendo, accents and jitter.
pub struct Dynamics {
    base: f64,
    slope_per_s: f64,
}

impl Dynamics {
    pub fn draw(rng: &mut impl Rng, span_s: f64) -> Self {
        Self { base: rng.random_range(45.0..115.0), slope_per_s: rng.random_range(-30.0..30.0) / span_s }
    }

    pub fn velocity(&self, rng: &mut impl Rng, time_s: f64, accent: f64) -> u8 {
        let velocity = self.base + self.slope_per_s * time_s + accent + rng.random_range(-8.0..8.0);
        velocity.clamp(12.0, 127.0) as u8
    }
}

/// A scale on a root, mapping scale degrees (0 = the root in MIDI octave −1) to keys, limited to
/// a program's range.
struct Scale {
    root: i32,
    steps: &'static [i32],
    lowest: i32,
    highest: i32,
}

impl Scale {
    fn draw(rng: &mut impl Rng, program: &Program) -> Self {
        let (root, steps) = (rng.random_range(0..12), SCALES[rng.random_range(0..SCALES.len())]);
        let mut scale = Self { root, steps, lowest: 0, highest: 0 };
        let in_range: Vec<i32> = (0..128).filter(|&d| (program.low as i32..=program.high as i32).contains(&scale.key(d))).collect();
        (scale.lowest, scale.highest) = (in_range[0], in_range[in_range.len() - 1]);
        scale
    }

    fn key(&self, degree: i32) -> i32 {
        let size = self.steps.len() as i32;
        self.root + 12 * degree.div_euclid(size) + self.steps[degree.rem_euclid(size) as usize]
    }

    /// A start in the lower two thirds of the range, where most lines live.
    fn start(&self, rng: &mut impl Rng) -> i32 {
        rng.random_range(self.lowest..=self.lowest + (self.highest - self.lowest) * 2 / 3)
    }

    /// The next degree after `degree`, reflected back into range.
    fn step(&self, rng: &mut impl Rng, degree: i32) -> i32 {
        let step = weighted(rng, &STEPS);
        let next = if (self.lowest..=self.highest).contains(&(degree + step)) { degree + step } else { degree - step };
        next.clamp(self.lowest, self.highest)
    }
}

/// Picks a value by weight.
pub fn weighted<T: Copy>(rng: &mut impl Rng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|(_, weight)| weight).sum();
    let mut ticket = rng.random_range(0..total);
    for &(value, weight) in choices {
        if ticket < weight {
            return value;
        }
        ticket -= weight;
    }
    unreachable!("the ticket is below the total weight")
}

/// A note length in beats, log-normally weighted around `mean_beats`.
fn draw_length_beats(rng: &mut impl Rng, mean_beats: f64) -> f64 {
    let closeness = |beats: f64| (-(beats / mean_beats).ln().powi(2) / 0.5).exp();
    let total: f64 = LENGTHS_BEATS.iter().map(|&beats| closeness(beats)).sum();
    let mut ticket = rng.random_range(0.0..total);
    for beats in LENGTHS_BEATS {
        ticket -= closeness(beats);
        if ticket < 0.0 {
            return beats;
        }
    }
    LENGTHS_BEATS[LENGTHS_BEATS.len() - 1]
}

/// A melodic phrase (with chords where the style has them) covering `span_s` seconds.
pub fn melody(rng: &mut impl Rng, style: &Melodic, program: &Program, span_s: f64) -> Vec<Note> {
    let (beat_s, scale, dynamics) = (draw_beat_s(rng), Scale::draw(rng, program), Dynamics::draw(rng, span_s));
    let mean_beats = style.beats_per_note * rng.random_range(0.6..1.6);
    let mut degree = scale.start(rng);
    let (mut notes, mut time) = (Vec::new(), 0.0);
    while time < span_s {
        let slot_s = draw_length_beats(rng, mean_beats) * beat_s;
        if !rng.random_bool(REST_SHARE) {
            let on_beat = (time / beat_s).fract() < 0.05;
            let velocity = dynamics.velocity(rng, time, if on_beat { 6.0 } else { 0.0 });
            let length = slot_s * rng.random_range(style.ring.0..=style.ring.1);
            let extra = if rng.random_bool(style.chord_share) { rng.random_range(style.chord_extra.0..=style.chord_extra.1) } else { 0 };
            let strum_s = style.strum_s * rng.random_range(0.3..1.0);
            // The melody note on top, stacked thirds of the scale below it.
            for (index, key) in (0..=extra as i32).map(|i| scale.key(degree - 2 * i)).filter(|&key| key >= program.low as i32).enumerate() {
                let start = time + index as f64 * strum_s / (extra.max(1) as f64);
                notes.push(Note { start, length, key: key as u8, velocity });
            }
            degree = scale.step(rng, degree);
        }
        time += slot_s;
    }
    notes
}

#[cfg(test)]
mod tests {
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::SeedableRng;

    use super::*;
    use crate::synth::instruments::{style, Texture};

    #[test]
    fn melodies_stay_in_range_and_cover_the_span() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        for class in 0..12 {
            let style = style(class);
            let Texture::Melodic(melodic) = &style.texture else { continue };
            let program = &style.programs[0];
            let notes = melody(&mut rng, melodic, program, 4.0);
            assert!(!notes.is_empty(), "class {class} played nothing");
            assert!(notes.iter().all(|n| (program.low..=program.high).contains(&n.key)), "class {class} left its range");
            assert!(notes.iter().all(|n| n.start < 4.0 + 0.1 && n.velocity > 0));
        }
    }
}
