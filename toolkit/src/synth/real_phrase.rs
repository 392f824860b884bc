//! A phrase played with real notes: one family's recordings placed at the phrase's notes, with
//! velocity gains, small pitch shifts by resampling, a player's vibrato where asked, and release
//! fades.

use std::collections::BTreeSet;

use rand::{Rng, RngExt};

use super::drums::role_of_key;
use super::phrase::Note;
use super::real_notes::RealNote;
use super::resample::{shift_pitch, Vibrato};
use super::RATE;

/// Fade at the end of each held note, in seconds.
const RELEASE_S: f64 = 0.08;
/// Share of melodic notes shifted in pitch, and the largest shift in semitones.
const SHIFT_SHARE: f64 = 0.4;
const MAX_SHIFT_SEMITONES: f64 = 2.0;
/// Gain per velocity step below or above velocity 100, in dB.
const DB_PER_VELOCITY: f32 = 0.25;
/// Share of held notes that get vibrato when a phrase asks for it, and the shortest such note.
const VIBRATO_SHARE: f64 = 0.7;
const VIBRATO_MIN_LENGTH_S: f64 = 0.3;

/// How a phrase's notes are played.
#[derive(Debug, Clone, Copy)]
pub enum Playing {
    /// Each note a hit of its key's drum role.
    Drums,
    /// Each note resampled `body_shift` semitones higher (plus a small shift of its own on some
    /// notes); with `vibrato`, most held notes waver in pitch as a player's do.
    Melodic { body_shift: f64, vibrato: bool },
}

/// `notes` played with notes from `pool` (one class), `samples` long; also the files it used.
/// Melodic notes pick any file of one family; drum notes pick a file of the key's drum role, from
/// the family's kit where it has one.
pub fn render(rng: &mut impl Rng, pool: &[RealNote], notes: &[Note], playing: Playing, samples: usize) -> (Vec<f32>, Vec<String>) {
    let family = &pool[rng.random_range(0..pool.len())].family;
    let members: Vec<&RealNote> = pool.iter().filter(|note| &note.family == family).collect();
    let (mut output, mut used) = (vec![0.0; samples], BTreeSet::new());
    for note in notes {
        let source = match playing {
            Playing::Drums => drum_source(rng, &members, pool, note.key),
            Playing::Melodic { .. } => Some(members[rng.random_range(0..members.len())]),
        };
        let Some(source) = source else { continue };
        let length = ((note.length + RELEASE_S) * RATE as f64) as usize;
        let mut sound = match playing {
            Playing::Drums => shift_pitch(&source.samples, 0.0, None, length),
            Playing::Melodic { body_shift, vibrato } => {
                let own_shift = if rng.random_bool(SHIFT_SHARE) { rng.random_range(-MAX_SHIFT_SEMITONES..MAX_SHIFT_SEMITONES) } else { 0.0 };
                let wavers = vibrato && note.length >= VIBRATO_MIN_LENGTH_S && rng.random_bool(VIBRATO_SHARE);
                shift_pitch(&source.samples, body_shift + own_shift, wavers.then(|| Vibrato::draw(rng)), length)
            }
        };
        fade_out(&mut sound, (RELEASE_S * RATE as f64) as usize);
        let gain = 10f32.powf((note.velocity as f32 - 100.0) * DB_PER_VELOCITY / 20.0);
        add_at(&mut output, &sound, (note.start * RATE as f64) as usize, gain);
        used.insert(source.name.clone());
    }
    (output, used.into_iter().collect())
}

/// A file for drum `key`'s role: from the family's kit, else from any kit, else none.
fn drum_source<'a>(rng: &mut impl Rng, family: &[&'a RealNote], pool: &'a [RealNote], key: u8) -> Option<&'a RealNote> {
    let role = role_of_key(key);
    let in_kit: Vec<&RealNote> = family.iter().copied().filter(|note| note.role == role).collect();
    let candidates = if in_kit.is_empty() { pool.iter().filter(|note| note.role == role).collect() } else { in_kit };
    (!candidates.is_empty()).then(|| candidates[rng.random_range(0..candidates.len())])
}

/// A linear fade over the last `length` samples.
fn fade_out(sound: &mut [f32], length: usize) {
    let length = length.min(sound.len());
    let start = sound.len() - length;
    for (index, sample) in sound[start..].iter_mut().enumerate() {
        *sample *= 1.0 - index as f32 / length as f32;
    }
}

fn add_at(output: &mut [f32], sound: &[f32], start: usize, gain: f32) {
    let Some(target) = output.get_mut(start..) else { return };
    target.iter_mut().zip(sound).for_each(|(out, v)| *out += gain * v);
}

#[cfg(test)]
mod tests {
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::SeedableRng;

    use super::*;
    use crate::synth::drums::DrumRole;

    /// Frequency of a tone from its upward zero crossings.
    fn frequency(signal: &[f32]) -> f64 {
        let crossings = signal.windows(2).filter(|pair| pair[0] < 0.0 && pair[1] >= 0.0).count();
        crossings as f64 * RATE as f64 / signal.len() as f64
    }

    #[test]
    fn a_body_shift_moves_every_note_by_that_many_semitones_give_or_take_its_own_shift() {
        let tone = (0..RATE as usize).map(|n| (std::f64::consts::TAU * 440.0 * n as f64 / RATE as f64).sin() as f32).collect();
        let pool = [RealNote { name: "flu/a4.wav".into(), family: "a".into(), role: DrumRole::Other, samples: tone }];
        let notes = [Note { start: 0.0, length: 0.5, key: 69, velocity: 100 }];
        let played = |body_shift, seed| render(&mut Xoshiro256PlusPlus::seed_from_u64(seed), &pool, &notes, Playing::Melodic { body_shift, vibrato: false }, RATE as usize / 2).0;
        let semitones = |signal: &[f32]| 12.0 * (frequency(&signal[..RATE as usize / 4]) / 440.0).log2();
        for seed in 0..8 {
            let (plain, shifted) = (semitones(&played(0.0, seed)), semitones(&played(7.0, seed)));
            assert!(plain.abs() <= MAX_SHIFT_SEMITONES + 0.3, "seed {seed}: unshifted note moved {plain:.2} semitones");
            assert!((shifted - plain - 7.0).abs() < 0.3, "seed {seed}: body shift of 7 moved the note {:.2} semitones", shifted - plain);
        }
    }
}
