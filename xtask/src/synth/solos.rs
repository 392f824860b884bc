//! Solo recordings in Medley-solos-DB layout as training stems: its training subset only, so its
//! validation and test subsets stay unseen.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{ensure, Context, Result};
use instrumeter::models::INSTRUMENTS;
use rand::{Rng, RngExt};
use rayon::prelude::*;
use serde::Serialize;

use super::labels::normalise_loudest_frame;
use super::phrase::Activity;
use super::resample::to_analysis_rate;
use super::{progress_bar, RATE};
use crate::audio::read_mono;
use crate::eval::datasets::medley_solos_subset;

/// The only subset whose clips are trained on.
const SUBSET: &str = "training";
/// Share of a class's training stems played by one of its solo recordings, when it has some.
pub const SOLO_SHARE: f64 = 0.3;
/// Fade where a solo stem enters or stops inside the clip, in seconds.
const FADE_S: f64 = 0.01;
/// Credit the dataset's licence (CC BY 4.0) asks for.
const CREDIT: &str = "Medley-solos-DB (V. Lostanlen, C.-E. Cella, R. Bittner, S. Essid; CC BY 4.0)";

/// One decoded solo recording at the analysis rate, its loudest frame at 0 dB RMS.
pub struct Solo {
    /// The file name in `audio/`.
    pub name: String,
    pub samples: Vec<f32>,
}

/// Per class (models' order), the solo recordings trained on.
pub struct Solos {
    pub per_class: Vec<Vec<Solo>>,
    assignment: SoloAssignment,
}

/// Which recordings played training stems, for the manifest and the cards.
#[derive(Clone, Serialize)]
pub struct SoloAssignment {
    pub dir: String,
    pub subset: &'static str,
    pub credit: &'static str,
    pub train: BTreeMap<&'static str, Vec<String>>,
}

impl Solos {
    pub fn assignment(&self) -> SoloAssignment {
        self.assignment.clone()
    }
}

/// Decodes the training-subset clips of the Medley-solos-DB folder `dir`.
pub fn load(dir: &Path) -> Result<Solos> {
    let clips = medley_solos_subset(dir, Some(SUBSET))?;
    ensure!(!clips.is_empty(), "no {SUBSET}-subset audio in {} (Medley-solos-DB layout: audio/*.flac + Medley-solos-DB_metadata.csv)", dir.display());
    let progress = progress_bar(clips.len() as u64, "solos");
    let decoded = clips
        .into_par_iter()
        .map(|clip| {
            let class = clip.presence.iter().position(|&present| present).context("a Medley-solos-DB row names one instrument")?;
            let solo = decode(&clip.path).map(|samples| (class, Solo { name: file_name(&clip.path), samples }));
            progress.inc(1);
            solo
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let mut per_class: Vec<Vec<Solo>> = INSTRUMENTS.iter().map(|_| Vec::new()).collect();
    decoded.into_iter().for_each(|(class, solo)| per_class[class].push(solo));
    let train = INSTRUMENTS.iter().zip(&per_class).filter(|(_, solos)| !solos.is_empty()).map(|((code, _), solos)| (*code, solos.iter().map(|s| s.name.clone()).collect())).collect();
    let assignment = SoloAssignment { dir: dir.display().to_string(), subset: SUBSET, credit: CREDIT, train };
    Ok(Solos { per_class, assignment })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned())
}

fn decode(path: &Path) -> Result<Vec<f32>> {
    let (samples, rate) = read_mono(path).with_context(|| format!("{}: remove its row from the metadata or restore the file", path.display()))?;
    let mut solo = to_analysis_rate(&samples, rate as f64)?;
    normalise_loudest_frame(&mut solo);
    Ok(solo)
}

/// `span` samples of one recording from `pool`: a random excerpt that starts `pre_roll` samples in
/// (where the clip starts) and sounds only while `activity` says the stem is active; and its name.
pub fn play(rng: &mut impl Rng, pool: &[Solo], activity: &Activity, pre_roll: usize, span: usize) -> (Vec<f32>, String) {
    let solo = &pool[rng.random_range(0..pool.len())];
    let clip_length = span.saturating_sub(pre_roll);
    let start = rng.random_range(0..=solo.samples.len().saturating_sub(clip_length));
    let mut audio = vec![0.0; span];
    audio[pre_roll..].iter_mut().zip(&solo.samples[start..]).for_each(|(out, &v)| *out = v);
    let seconds_to_sample = |s: f64| ((s * RATE as f64) as isize + pre_roll as isize).clamp(0, span as isize) as usize;
    gate(&mut audio, seconds_to_sample(activity.from_s), seconds_to_sample(activity.to_s));
    (audio, solo.name.clone())
}

/// Silences `audio` outside `from..to`, with short linear fades inside it.
fn gate(audio: &mut [f32], from: usize, to: usize) {
    let fade = (FADE_S * RATE as f64) as usize;
    for (index, sample) in audio.iter_mut().enumerate() {
        let inside = index.saturating_sub(from).min(to.saturating_sub(index + 1));
        let gain = if index < from || index >= to { 0.0 } else { (inside as f32 / fade as f32).min(1.0) };
        *sample *= gain;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::SeedableRng;

    fn class(code: &str) -> usize {
        INSTRUMENTS.iter().position(|(c, _)| *c == code).unwrap()
    }

    #[test]
    fn only_the_training_subset_is_loaded_per_class_and_recorded() {
        let dir = std::env::temp_dir().join(format!("instrumeter-solos-{}", std::process::id()));
        crate::signals::write_medley_solos(&dir, &[("training", "trumpet", 6, "u1"), ("validation", "flute", 3, "u2"), ("test", "trumpet", 6, "u3")]);
        let solos = load(&dir).unwrap();
        let counts: Vec<usize> = solos.per_class.iter().map(Vec::len).collect();
        assert_eq!(counts[class("tru")], 1);
        assert_eq!(counts.iter().sum::<usize>(), 1, "validation and test clips are never trained on");
        let trumpet = &solos.per_class[class("tru")][0];
        assert_eq!(trumpet.name, "Medley-solos-DB_training-6_u1.flac");
        assert!((trumpet.samples.len() as i64 - RATE as i64).abs() < 64, "resampled to the analysis rate: {}", trumpet.samples.len());
        assert_eq!(solos.assignment().train.keys().collect::<Vec<_>>(), [&"tru"]);
    }

    #[test]
    fn a_folder_without_training_clips_is_refused_with_its_layout() {
        let dir = std::env::temp_dir().join(format!("instrumeter-solos-none-{}", std::process::id()));
        crate::signals::write_medley_solos(&dir, &[("validation", "flute", 3, "v1")]);
        let error = load(&dir).err().expect("nothing to train on");
        assert!(format!("{error:#}").contains("training-subset audio"), "{error:#}");
    }

    #[test]
    fn a_solo_sounds_from_the_clip_start_and_only_while_active() {
        let pool = [Solo { name: "a.flac".into(), samples: vec![1.0; 3 * RATE as usize] }];
        let (pre_roll, span) = (1000, 1000 + 2 * RATE as usize);
        let activity = Activity { pre_roll_s: pre_roll as f64 / RATE as f64, from_s: 0.5, to_s: 1.5 };
        let (audio, name) = play(&mut Xoshiro256PlusPlus::seed_from_u64(1), &pool, &activity, pre_roll, span);
        assert_eq!((audio.len(), name.as_str()), (span, "a.flac"));
        let at = |seconds: f64| audio[pre_roll + (seconds * RATE as f64) as usize];
        assert_eq!((at(0.4), at(1.0), at(1.6)), (0.0, 1.0, 0.0));
        assert!(audio[..pre_roll].iter().all(|&v| v == 0.0), "nothing before the clip starts");
    }
}
