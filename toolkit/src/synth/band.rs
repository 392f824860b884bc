//! Band clips (`synth --band-mixes`): one or two front instruments, mostly with drums and bass, at a
//! band mix's levels, the bass often low-passed, so the models hear a bass line where most music
//! has one: under loud drums and guitars that mask its upper harmonics. Drums and bass are each
//! left out of some bands, so that neither becomes evidence for the other.

use std::ops::Range;

use instrumeter::models::INSTRUMENTS;
use rand::{Rng, RngExt};
use serde::Serialize;

use super::augment::{log_uniform, low_pass};
use super::phrase::weighted;

/// Classes that front a band, with weights (electric guitar first: rock's bass sits under it).
const FRONT: [(&str, u32); 7] = [("gel", 3), ("voi", 2), ("pia", 2), ("gac", 1), ("org", 1), ("sax", 1), ("tru", 1)];
/// Share of bands with drums, and with bass (drawn apart).
const DRUMS_SHARE: f64 = 0.8;
const BASS_SHARE: f64 = 0.7;
/// One front instrument or two, with weights.
const FRONT_COUNTS: [(usize, u32); 2] = [(1, 1), (2, 1)];
/// Levels of the stems in the mix (loudest frame RMS), in dB.
const DRUMS_DB: Range<f32> = -6.0..0.0;
const BASS_DB: Range<f32> = -12.0..-3.0;
const FRONT_DB: Range<f32> = -10.0..0.0;
/// Share of band clips whose bass is low-passed (amp and cabinet, a mix's EQ, masking), and the
/// corners of that low-pass (two one-pole sections, 12 dB per octave).
const BASS_LOWPASS_SHARE: f64 = 0.5;
const BASS_LOWPASS_HZ: Range<f32> = 300.0..2000.0;

/// What a band clip plays: a class and its level per stem, and the bass's low-pass.
#[derive(Clone, Debug, Serialize)]
pub struct Band {
    /// `(class, level_db)`: drums and bass (when in the band), then the front instruments.
    #[serde(skip)]
    pub stems: Vec<(usize, f32)>,
    pub bass_lowpass_hz: Option<f32>,
}

impl Band {
    pub fn draw(rng: &mut impl Rng) -> Self {
        let mut stems = Vec::new();
        for (code, share, levels) in [("dru", DRUMS_SHARE, DRUMS_DB), ("bas", BASS_SHARE, BASS_DB)] {
            if rng.random_bool(share) {
                stems.push((class_of(code), rng.random_range(levels)));
            }
        }
        let mut front = FRONT.to_vec();
        for _ in 0..weighted(rng, &FRONT_COUNTS) {
            let code = weighted(rng, &front);
            front.retain(|&(other, _)| other != code);
            stems.push((class_of(code), rng.random_range(FRONT_DB)));
        }
        let bass_lowpass_hz = rng.random_bool(BASS_LOWPASS_SHARE).then(|| log_uniform(rng, BASS_LOWPASS_HZ.start, BASS_LOWPASS_HZ.end));
        Self { stems, bass_lowpass_hz }
    }

    /// Low-passes `audio` when it is this band's bass stem and the band draws a low-pass.
    pub fn low_pass_if_bass(&self, class: usize, audio: &mut [f32]) -> bool {
        match self.bass_lowpass_hz {
            Some(corner) if class == class_of("bas") => {
                low_pass(audio, corner);
                low_pass(audio, corner);
                true
            }
            _ => false,
        }
    }
}

fn class_of(code: &str) -> usize {
    INSTRUMENTS.iter().position(|(c, _)| *c == code).expect("band classes are instrument codes")
}

#[cfg(test)]
mod tests {
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn a_band_is_one_or_two_distinct_front_instruments_mostly_with_drums_and_bass() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let bands: Vec<Band> = (0..200).map(|_| Band::draw(&mut rng)).collect();
        let with = |code: &str| bands.iter().filter(|band| band.stems.iter().any(|&(class, _)| class == class_of(code))).count();
        assert!((140..190).contains(&with("dru")) && (115..165).contains(&with("bas")), "drums in {}, bass in {} of 200", with("dru"), with("bas"));
        for band in &bands {
            let front: Vec<usize> = band.stems.iter().map(|&(class, _)| class).filter(|&class| class != class_of("dru") && class != class_of("bas")).collect();
            assert!((1..=2).contains(&front.len()));
            assert!(front.iter().all(|&class| FRONT.iter().any(|(code, _)| class_of(code) == class)));
            assert!(front.len() < 2 || front[0] != front[1], "front instruments are distinct");
        }
        let low_passed = bands.iter().filter(|band| band.bass_lowpass_hz.is_some()).count();
        assert!((60..140).contains(&low_passed), "{low_passed} of 200 basses low-passed");
    }

    #[test]
    fn only_the_bass_is_low_passed() {
        let band = Band { stems: Vec::new(), bass_lowpass_hz: Some(500.0) };
        let alternating: Vec<f32> = (0..64).map(|n| if n % 2 == 0 { 1.0 } else { -1.0 }).collect();
        let (mut bass, mut guitar) = (alternating.clone(), alternating.clone());
        assert!(band.low_pass_if_bass(class_of("bas"), &mut bass));
        assert!(!band.low_pass_if_bass(class_of("gel"), &mut guitar));
        assert_eq!(guitar, alternating);
        assert!(bass[32..].iter().all(|v| v.abs() < 0.05), "the Nyquist tone is gone from the bass");
    }
}
