//! One solo stem: a class's phrase, played by a SoundFont program or built from real notes, or a
//! solo recording.

use anyhow::{bail, Result};
use instrumeter::models::INSTRUMENTS;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use serde::Serialize;

use super::instruments::{style, ClassStyle, Program, Texture};
use super::labels::{is_silent, normalise_loudest_frame};
use super::phrase::{melody, weighted, Activity, Note};
use super::real_notes::RealNote;
use super::real_phrase::Playing;
use super::render::{render, Patch, DRUM_BANK};
use super::solos::{self, Solo, SOLO_SHARE};
use super::soundfonts::LoadedFont;
use super::{drums, real_phrase, RATE};

/// Share of a class's training and validation stems played with a GUS patch set's waveforms,
/// when one is given.
const PATCH_SHARE: f64 = 0.25;
/// Draws of a stem before a silent one is accepted.
const ATTEMPTS: usize = 4;
/// Deepest vibrato (GM modulation wheel) a phrase gets.
const MAX_MODULATION: u8 = 60;

/// What one split's stems are made from, and how training stems vary their timbre.
#[derive(Default)]
pub struct Sources<'a> {
    pub fonts: &'a [LoadedFont],
    /// Real notes per class, in the models' class order.
    pub notes: &'a [Vec<RealNote>],
    /// Notes unrolled from a GUS patch set per class; empty for test or without `--patches`.
    pub patches: &'a [Vec<RealNote>],
    /// Solo recordings per class; empty but for training with `--solos`.
    pub solos: &'a [Vec<Solo>],
    pub stem_timbre: bool,
    /// Largest body shift of a melodic SoundFont stem, in semitones (see `Patch::body_shift`);
    /// 0 leaves every stem's body where the font has it.
    pub body_shift: u8,
    /// Largest body shift of a stem of recorded notes (real notes, GUS patches), in semitones;
    /// body and pitch move together.
    pub note_body_shift: u8,
    /// Held notes of recorded phrases on vibrato classes get a player's vibrato (training only).
    pub note_vibrato: bool,
    /// Share of clips that are bands (`band.rs`); 0 but for training with `--band-mixes`.
    pub band_share: f64,
    /// Share of the stems of a class with real notes that are played with them (where SoundFonts
    /// are there too); `None`: each class's own share (`ClassStyle::real_share`).
    pub real_share: Option<f64>,
    /// Mixes stay dry (no tilt, room or noise; the peak gain only) and keep their stems.
    pub dry_stems: bool,
}

impl Sources<'_> {
    /// Whether a stem of `class` can be made: any class can when SoundFonts are there, else a
    /// class needs real notes.
    pub fn can_play(&self, class: usize) -> bool {
        !self.fonts.is_empty() || self.notes.get(class).is_some_and(|pool| !pool.is_empty())
    }
}

/// Where a stem's sound came from (recorded in the manifest).
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StemSource {
    SoundFont { font: &'static str, bank: u8, program: u8, body_shift: i8 },
    RealNotes { files: Vec<String>, body_shift: i8 },
    GusPatch { files: Vec<String>, body_shift: i8 },
    Solo { file: String },
}

/// A clip-long solo, its loudest frame at 0 dB RMS.
pub struct Stem {
    pub audio: Vec<f32>,
    pub source: StemSource,
    pub activity: Activity,
}

/// The stem of `class` that `seed` decides, `clip_samples` long. A draw that leaves the clip
/// silent (every note in the pre-roll, say) is drawn again, a few times at most.
pub fn render_stem(sources: &Sources, class: usize, seed: u64, clip_samples: usize) -> Result<Stem> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut stem = draw_stem(&mut rng, sources, class, clip_samples)?;
    for _ in 1..ATTEMPTS {
        if !is_silent(&stem.audio) {
            break;
        }
        stem = draw_stem(&mut rng, sources, class, clip_samples)?;
    }
    normalise_loudest_frame(&mut stem.audio);
    Ok(stem)
}

fn draw_stem(rng: &mut impl Rng, sources: &Sources, class: usize, clip_samples: usize) -> Result<Stem> {
    let clip_s = clip_samples as f64 / RATE as f64;
    let mut activity = Activity::draw(rng, clip_s);
    let span_s = activity.span_s(clip_s);
    let (style, real) = (style(class), &sources.notes[class]);
    let pre_roll = (activity.pre_roll_s * RATE as f64) as usize;
    if let Some(pool) = sources.solos.get(class).filter(|pool| !pool.is_empty() && rng.random_bool(SOLO_SHARE)) {
        let (audio, file) = solos::play(rng, pool, &activity, pre_roll, pre_roll + clip_samples);
        return Ok(Stem { audio: clip_of(audio, pre_roll, clip_samples), source: StemSource::Solo { file }, activity });
    }
    let patch_pool = sources.patches.get(class).filter(|pool| !pool.is_empty() && rng.random_bool(PATCH_SHARE));
    let use_real = patch_pool.is_none() && !real.is_empty() && (sources.fonts.is_empty() || rng.random_bool(sources.real_share.unwrap_or(style.real_share)));
    let (audio, source) = if let Some(pool) = patch_pool {
        let body_shift = draw_body_shift(rng, sources.note_body_shift, style);
        let (audio, files) = recorded_phrase(rng, &mut activity, style, pool, (body_shift, sources.note_vibrato), span_s, clip_s);
        (audio, StemSource::GusPatch { files, body_shift })
    } else if use_real {
        let body_shift = draw_body_shift(rng, sources.note_body_shift, style);
        let (audio, files) = recorded_phrase(rng, &mut activity, style, real, (body_shift, sources.note_vibrato), span_s, clip_s);
        (audio, StemSource::RealNotes { files, body_shift })
    } else {
        let (font, program, bank) = pick_program(rng, sources.fonts, style, class)?;
        let notes = activity.keep_active(phrase(rng, style, program, span_s), clip_s);
        let vibrato = matches!(&style.texture, Texture::Melodic(melodic) if melodic.vibrato);
        let modulation = if vibrato { rng.random_range(0..=MAX_MODULATION) } else { 0 };
        let body_shift = draw_body_shift(rng, sources.body_shift, style);
        let patch = Patch { bank, program: program.number, modulation, body_shift };
        let audio = render(&font.font, &patch, &notes, span_s)?;
        (audio, StemSource::SoundFont { font: font.file, bank, program: program.number, body_shift })
    };
    let audio = clip_of(audio, pre_roll, clip_samples);
    Ok(Stem { audio, source, activity })
}

/// A body shift in `-largest..=largest` semitones for a melodic stem; none for drums, and no draw
/// at all when `largest` is 0 (so such splits stay as they were).
fn draw_body_shift(rng: &mut impl Rng, largest: u8, style: &ClassStyle) -> i8 {
    let largest = largest as i8;
    if largest == 0 || matches!(style.texture, Texture::Drums) {
        return 0;
    }
    rng.random_range(-largest..=largest)
}

/// A phrase played with recorded notes from `pool` (one class), each resampled `body_shift`
/// semitones higher (with a player's vibrato where `vibrato` is asked and the class has one), and
/// the files it used.
fn recorded_phrase(rng: &mut impl Rng, activity: &mut Activity, style: &ClassStyle, pool: &[RealNote], (body_shift, vibrato): (i8, bool), span_s: f64, clip_s: f64) -> (Vec<f32>, Vec<String>) {
    let notes = activity.keep_active(phrase(rng, style, &style.programs[0], span_s), clip_s);
    let playing = match &style.texture {
        Texture::Drums => Playing::Drums,
        Texture::Melodic(melodic) => Playing::Melodic { body_shift: body_shift as f64, vibrato: vibrato && melodic.vibrato },
    };
    real_phrase::render(rng, pool, &notes, playing, (span_s * RATE as f64).ceil() as usize)
}

fn phrase(rng: &mut impl Rng, style: &ClassStyle, program: &Program, span_s: f64) -> Vec<Note> {
    match &style.texture {
        Texture::Melodic(melodic) => melody(rng, melodic, program, span_s),
        Texture::Drums => drums::groove(rng, span_s),
    }
}

/// One of the class's programs by weight, in any font that has it; and its bank.
fn pick_program<'a>(rng: &mut impl Rng, fonts: &'a [LoadedFont], style: &'static ClassStyle, class: usize) -> Result<(&'a LoadedFont, &'static Program, u8)> {
    let bank = if matches!(style.texture, Texture::Drums) { DRUM_BANK } else { 0 };
    let available: Vec<((&LoadedFont, &Program), u32)> =
        fonts.iter().flat_map(|font| style.programs.iter().filter(move |p| font.has(bank, p.number)).map(move |p| ((font, p), p.weight))).collect();
    if available.is_empty() {
        bail!("no SoundFont has a GM program for {} and it has no real notes: install fluid-soundfont-gm or pass --real-notes", INSTRUMENTS[class].0);
    }
    let (font, program) = weighted(rng, &available);
    Ok((font, program, bank))
}

/// `length` samples of `audio` from `start`, padded with silence.
fn clip_of(audio: Vec<f32>, start: usize, length: usize) -> Vec<f32> {
    let mut clip: Vec<f32> = audio.into_iter().skip(start).take(length).collect();
    clip.resize(length, 0.0);
    clip
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_shifts_stay_in_range_spare_drums_and_draw_nothing_when_off() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let class = |code: &str| INSTRUMENTS.iter().position(|(c, _)| *c == code).unwrap();
        let (flute, drums) = (style(class("flu")), style(class("dru")));
        let shifts: Vec<i8> = (0..200).map(|_| draw_body_shift(&mut rng, 3, flute)).collect();
        assert!(shifts.iter().all(|s| (-3..=3).contains(s)));
        assert!(shifts.contains(&-3) && shifts.contains(&3) && shifts.contains(&0), "the whole range is drawn");
        assert!((0..50).all(|_| draw_body_shift(&mut rng, 3, drums) == 0), "drum keys choose sounds: never shifted");
        let (mut off, mut untouched) = (Xoshiro256PlusPlus::seed_from_u64(4), Xoshiro256PlusPlus::seed_from_u64(4));
        assert_eq!(draw_body_shift(&mut off, 0, flute), 0);
        assert_eq!(off.random::<u64>(), untouched.random::<u64>(), "no draw when off, so splits without it stay as they were");
    }
}
