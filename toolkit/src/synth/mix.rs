//! One clip: 1–4 stems of distinct classes at random levels (or a band, `band.rs`), augmented,
//! with its labels.

use anyhow::Result;
use instrumeter::models::INSTRUMENTS;
use rand::rngs::Xoshiro256PlusPlus;
use rand::seq::index::sample;
use rand::{Rng, RngExt, SeedableRng};
use serde::Serialize;

use super::augment::{db_to_gain, Augmentation, StemTimbre};
use super::band::Band;
use super::labels::{frame_count, frame_levels_db, labels, normalise_loudest_frame, Labels, CLASSES};
use super::phrase::{weighted, Activity};
use super::seeds::{mix64, phrase_seed};
use super::stem::{render_stem, Sources, StemSource};
use super::Split;

/// Stems per clip, with weights: solos and duos are common, trios and quartets appear.
const STEM_COUNTS: [(usize, u32); 4] = [(1, 30), (2, 35), (3, 20), (4, 15)];
/// Range of a stem's level in the mix (its loudest frame's RMS), in dB.
const LEVEL_DB: std::ops::Range<f32> = -20.0..0.0;
/// Salt of the stem-timbre draws: their own random stream, so valid and test clips (no timbre
/// augmentation) are the same clips with or without it.
const TIMBRE_SALT: u64 = 0x7153_B1E5;
/// Salt of the band draws: their own stream, so clips that are not bands stay as they were.
const BAND_SALT: u64 = 0xBA5D_0B0E;

/// A rendered clip: audio at the analysis rate, its labels, and its manifest entry.
pub struct Clip {
    pub audio: Vec<f32>,
    /// Each stem as it sounds in the mix, `(class, audio)`, when the sources ask for dry stems
    /// (the mix is then their sum).
    pub stems: Vec<(usize, Vec<f32>)>,
    pub labels: Labels,
    pub record: ClipRecord,
}

#[derive(Serialize)]
pub struct ClipRecord {
    pub id: String,
    pub stems: Vec<StemRecord>,
    /// Set for a band clip (`--band-mixes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
    pub augmentation: Augmentation,
    /// The augmentation's overall gain (peak normalisation), in dB.
    pub gain_db: f32,
    /// Classes present by the presence rule.
    pub present: Vec<&'static str>,
}

#[derive(Serialize)]
pub struct StemRecord {
    pub class: &'static str,
    pub source: StemSource,
    pub level_db: f32,
    pub phrase_seed: u64,
    pub activity: Activity,
    /// Training stems only.
    pub timbre: Option<StemTimbre>,
    /// A band's bass stem was low-passed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub band_lowpass: bool,
}

/// The clip that `clip_seed` decides: `samples` long, its stems' phrases seeded apart per split.
pub fn render_clip(sources: &Sources, split: Split, id: String, clip_seed: u64, samples: usize) -> Result<Clip> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(clip_seed);
    let mut band_rng = Xoshiro256PlusPlus::seed_from_u64(mix64(clip_seed ^ BAND_SALT));
    let band = (sources.band_share > 0.0 && band_rng.random_bool(sources.band_share)).then(|| Band::draw(&mut band_rng));
    let (mut mix, mut stems, mut records) = (vec![0.0; samples], Vec::new(), Vec::new());
    let playable: Vec<usize> = (0..CLASSES).filter(|&class| sources.can_play(class)).collect();
    for (index, (class, level_db)) in stem_plan(&mut rng, band.as_ref(), &playable).into_iter().enumerate() {
        let seed = phrase_seed(clip_seed, split, index);
        let mut stem = render_stem(sources, class, seed, samples)?;
        let timbre = (split == Split::Train && sources.stem_timbre).then(|| StemTimbre::draw(&mut Xoshiro256PlusPlus::seed_from_u64(mix64(seed ^ TIMBRE_SALT))));
        if let Some(timbre) = &timbre {
            timbre.apply(&mut stem.audio);
        }
        let band_lowpass = band.as_ref().is_some_and(|band| band.low_pass_if_bass(class, &mut stem.audio));
        if timbre.is_some() || band_lowpass {
            normalise_loudest_frame(&mut stem.audio);
        }
        let gain = db_to_gain(level_db);
        mix.iter_mut().zip(&stem.audio).for_each(|(out, v)| *out += gain * v);
        records.push(StemRecord { class: INSTRUMENTS[class].0, source: stem.source, level_db, phrase_seed: seed, activity: stem.activity, timbre, band_lowpass });
        stems.push((class, stem.audio, level_db));
    }
    let augmentation = Augmentation::draw(&mut rng);
    let (augmentation, gain) = if sources.dry_stems {
        let dry = augmentation.dry();
        let gain = dry.normalise_peak(&mut mix);
        (dry, gain)
    } else {
        let gain = augmentation.apply(&mut mix, &mut rng);
        (augmentation, gain)
    };
    let gain_db = 20.0 * gain.log10();
    let levels: Vec<(usize, Vec<f32>)> =
        stems.iter().map(|(class, audio, level_db)| (*class, frame_levels_db(audio).into_iter().map(|db| db + level_db + gain_db).collect())).collect();
    let labels = labels(&levels, frame_count(samples));
    let present = (0..CLASSES).filter(|&class| labels.presence[class]).map(|class| INSTRUMENTS[class].0).collect();
    let kept_stems = if sources.dry_stems {
        stems.iter().map(|(class, audio, level_db)| (*class, audio.iter().map(|v| v * db_to_gain(*level_db) * gain).collect())).collect()
    } else {
        Vec::new()
    };
    Ok(Clip { audio: mix, stems: kept_stems, labels, record: ClipRecord { id, stems: records, band, augmentation, gain_db, present } })
}

/// `(class, level_db)` per stem: the band's, or 1–4 distinct classes of `playable` at random
/// levels (every class playable draws exactly what it always drew).
fn stem_plan(rng: &mut impl Rng, band: Option<&Band>, playable: &[usize]) -> Vec<(usize, f32)> {
    match band {
        Some(band) => band.stems.clone(),
        None => {
            let count = weighted(rng, &STEM_COUNTS).min(playable.len());
            sample(rng, playable.len(), count).into_iter().map(|index| (playable[index], rng.random_range(LEVEL_DB))).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::real_notes::RealNote;
    use crate::synth::seeds::clip_seed;
    use crate::synth::RATE;

    /// A decaying two-partial tone: a stand-in for a recorded note, no SoundFont needed.
    fn fake_note(class: usize, index: usize) -> RealNote {
        let frequency = 110.0 * (1.0 + class as f32 / 4.0 + index as f32 / 7.0);
        let samples = (0..RATE as usize)
            .map(|n| {
                let t = n as f32 / RATE as f32;
                (-3.0 * t).exp() * ((std::f32::consts::TAU * frequency * t).sin() + 0.3 * (std::f32::consts::TAU * 3.0 * frequency * t).sin())
            })
            .collect();
        RealNote { name: format!("{}/fake{index}.flac", INSTRUMENTS[class].0), family: "fake".into(), role: crate::synth::drums::role_of_key(36 + index as u8), samples }
    }

    fn fake_notes() -> Vec<Vec<RealNote>> {
        (0..CLASSES).map(|class| (0..4).map(|index| fake_note(class, index)).collect()).collect()
    }

    fn render_from(sources: &Sources, split: Split, seed: u64) -> Clip {
        render_clip(sources, split, "x".into(), clip_seed(seed, split, 0), 3 * RATE as usize).unwrap()
    }

    fn render_in(split: Split, seed: u64) -> Clip {
        render_from(&Sources { notes: &fake_notes(), stem_timbre: true, ..Sources::default() }, split, seed)
    }

    fn render(seed: u64) -> Clip {
        render_in(Split::Train, seed)
    }

    /// The source kind of every stem of 20 training clips.
    fn training_stem_kinds(sources: &Sources) -> Vec<String> {
        (0..20)
            .flat_map(|seed| render_from(sources, Split::Train, seed).record.stems)
            .map(|stem| serde_json::to_value(&stem.source).unwrap()["kind"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn only_training_stems_get_a_random_timbre() {
        assert!(render(5).record.stems.iter().all(|stem| stem.timbre.is_some()));
        for split in [Split::Valid, Split::Test] {
            assert!(render_in(split, 5).record.stems.iter().all(|stem| stem.timbre.is_none()), "{}", split.name());
        }
    }

    #[test]
    fn stem_timbre_can_be_turned_off() {
        let clip = render_from(&Sources { notes: &fake_notes(), ..Sources::default() }, Split::Train, 5);
        assert!(clip.record.stems.iter().all(|stem| stem.timbre.is_none()));
    }

    #[test]
    fn a_patch_set_plays_some_stems_and_empty_pools_change_nothing() {
        let (notes, no_patches) = (fake_notes(), (0..CLASSES).map(|_| Vec::new()).collect::<Vec<Vec<RealNote>>>());
        let with_empty_pools = render_from(&Sources { notes: &notes, patches: &no_patches, stem_timbre: true, ..Sources::default() }, Split::Train, 5);
        assert_eq!(with_empty_pools.audio, render(5).audio);
        let patches = fake_notes();
        let kinds = training_stem_kinds(&Sources { notes: &notes, patches: &patches, stem_timbre: true, ..Sources::default() });
        let from_patches = kinds.iter().filter(|kind| *kind == "gus_patch").count();
        assert!(from_patches > 0 && from_patches < kinds.len() / 2, "{from_patches} of {} stems from the patch set", kinds.len());
    }

    #[test]
    fn solo_recordings_play_some_stems_and_empty_pools_change_nothing() {
        use crate::synth::solos::Solo;
        let (notes, no_solos) = (fake_notes(), (0..CLASSES).map(|_| Vec::new()).collect::<Vec<Vec<Solo>>>());
        let with_empty_pools = render_from(&Sources { notes: &notes, solos: &no_solos, stem_timbre: true, ..Sources::default() }, Split::Train, 5);
        assert_eq!(with_empty_pools.audio, render(5).audio);
        let solos: Vec<Vec<Solo>> = (0..CLASSES).map(|class| vec![Solo { name: format!("{class}.flac"), samples: fake_note(class, 0).samples }]).collect();
        let kinds = training_stem_kinds(&Sources { notes: &notes, solos: &solos, stem_timbre: true, ..Sources::default() });
        let solo_stems = kinds.iter().filter(|kind| *kind == "solo").count();
        assert!(solo_stems > 0 && solo_stems < kinds.len() / 2, "{solo_stems} of {} stems are solo recordings", kinds.len());
    }

    #[test]
    fn band_mixes_replace_some_training_clips_and_leave_the_others_as_they_were() {
        let notes = fake_notes();
        let with_bands = Sources { notes: &notes, stem_timbre: true, band_share: 0.5, ..Sources::default() };
        let classes = |clip: &Clip| clip.record.stems.iter().map(|stem| stem.class).collect::<Vec<_>>();
        let mut bands = 0;
        for seed in 0..20 {
            let clip = render_from(&with_bands, Split::Train, seed);
            match &clip.record.band {
                Some(_) => {
                    bands += 1;
                    assert!(classes(&clip).iter().any(|class| !["dru", "bas"].contains(class)), "a band has a front instrument");
                }
                None => assert_eq!(clip.audio, render(seed).audio, "a clip that is not a band is unchanged"),
            }
        }
        assert!((4..=16).contains(&bands), "{bands} of 20 clips are bands");
    }

    #[test]
    fn only_classes_with_notes_play_when_there_are_no_soundfonts() {
        let mut notes = fake_notes();
        notes.iter_mut().skip(2).for_each(Vec::clear);
        let sources = Sources { notes: &notes, ..Sources::default() };
        for seed in 0..10 {
            let clip = render_from(&sources, Split::Valid, seed);
            assert!(clip.record.stems.iter().all(|stem| [INSTRUMENTS[0].0, INSTRUMENTS[1].0].contains(&stem.class)), "seed {seed}");
        }
    }

    #[test]
    fn dry_stems_add_up_to_their_mix() {
        let notes = fake_notes();
        let clip = render_from(&Sources { notes: &notes, dry_stems: true, ..Sources::default() }, Split::Test, 7);
        assert_eq!(clip.stems.len(), clip.record.stems.len());
        assert!(clip.record.augmentation.room.is_none() && clip.record.augmentation.noise_db.is_none());
        for (n, &sample) in clip.audio.iter().enumerate() {
            let sum: f32 = clip.stems.iter().map(|(_, audio)| audio[n]).sum();
            assert!((sum - sample).abs() < 1e-5, "sample {n}: stems {sum} vs mix {sample}");
        }
        assert!(render(7).stems.is_empty(), "no stems unless asked");
    }

    #[test]
    fn a_clip_is_decided_by_its_seed_alone() {
        let (first, again, other) = (render(5), render(5), render(6));
        assert_eq!(first.audio, again.audio);
        assert_eq!(first.labels.targets, again.labels.targets);
        assert_ne!(first.audio, other.audio);
        assert_eq!(first.labels.targets.len(), 128);
        let peak = first.audio.iter().fold(0.0f32, |p, v| p.max(v.abs()));
        assert!(peak > 0.0 && peak < 1.0, "peak {peak}");
    }
}
