//! Solo recordings as training stems: the training subset of a Medley-solos-DB folder (so its
//! validation and test subsets stay unseen), and long recordings of one instrument each (song
//! stems) from a folder per class, split at their pauses.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use anyhow::{ensure, Context, Result};
use instrumeter::models::INSTRUMENTS;
use rand::{Rng, RngExt};
use rayon::prelude::*;
use serde::Serialize;

use super::labels::{frame_grid, frame_levels_db, normalise_loudest_frame};
use super::phrase::Activity;
use super::real_notes::{list_classes, read_credits};
use super::resample::to_analysis_rate;
use super::{progress_bar, RATE};
use instrumeter_analysis::read_mono;
use crate::eval::datasets::medley_solos_subset;

/// The only subset whose clips are trained on.
const SUBSET: &str = "training";
/// Share of a class's training stems played by one of its solo recordings, when it has some.
pub const SOLO_SHARE: f64 = 0.3;
/// Fade where a solo stem enters or stops inside the clip, in seconds.
const FADE_S: f64 = 0.01;
/// Credit the dataset's licence (CC BY 4.0) asks for.
const CREDIT: &str = "Medley-solos-DB (V. Lostanlen, C.-E. Cella, R. Bittner, S. Essid; CC BY 4.0)";
/// A frame of a long recording sounds when it is within this of the recording's loudest frame.
const PIECE_FLOOR_DB: f32 = -30.0;
/// Quieter stretches up to this long stay inside a piece, in seconds.
const PIECE_GAP_S: f64 = 0.5;
/// Shorter sounding stretches are dropped, in seconds.
const PIECE_MIN_S: f64 = 2.0;

/// One decoded solo recording (or piece of one) at the analysis rate.
pub struct Solo {
    /// The file name in `audio/`, or `<code>/<file>@<start s>` for a piece of a long recording.
    pub name: String,
    pub samples: Vec<f32>,
}

/// Per class (models' order), the solo recordings trained on.
pub struct Solos {
    pub per_class: Vec<Vec<Solo>>,
    medley: Option<SoloAssignment>,
    recordings: Option<RecordingAssignment>,
}

/// Which Medley-solos-DB recordings played training stems, for the manifest and the cards.
#[derive(Clone, Serialize)]
pub struct SoloAssignment {
    pub dir: String,
    pub subset: &'static str,
    pub credit: &'static str,
    pub train: BTreeMap<&'static str, Vec<String>>,
}

/// Which long recordings (`<code>/<file>`) played training stems, and their folder's credit.
#[derive(Clone, Serialize)]
pub struct RecordingAssignment {
    pub dir: String,
    pub credit: String,
    pub pieces: usize,
    pub train: BTreeMap<&'static str, Vec<String>>,
}

impl Solos {
    pub fn medley(&self) -> Option<SoloAssignment> {
        self.medley.clone()
    }

    pub fn recordings(&self) -> Option<RecordingAssignment> {
        self.recordings.clone()
    }
}

/// The solos of a Medley-solos-DB folder and of a folder of long recordings, when given.
pub fn load(medley: Option<&Path>, recordings: Option<&Path>) -> Result<Option<Solos>> {
    if medley.is_none() && recordings.is_none() {
        return Ok(None);
    }
    let mut per_class: Vec<Vec<Solo>> = INSTRUMENTS.iter().map(|_| Vec::new()).collect();
    let medley = medley.map(|dir| load_medley(dir, &mut per_class)).transpose()?;
    let recordings = recordings.map(|dir| load_recordings(dir, &mut per_class)).transpose()?;
    Ok(Some(Solos { per_class, medley, recordings }))
}

/// Decodes the training-subset clips of the Medley-solos-DB folder `dir` into `per_class`.
fn load_medley(dir: &Path, per_class: &mut [Vec<Solo>]) -> Result<SoloAssignment> {
    let clips = medley_solos_subset(dir, Some(SUBSET))?;
    ensure!(!clips.is_empty(), "no {SUBSET}-subset audio in {} (Medley-solos-DB layout: audio/*.flac + Medley-solos-DB_metadata.csv)", dir.display());
    let progress = progress_bar(clips.len() as u64, "solos");
    let decoded = clips
        .into_par_iter()
        .map(|clip| {
            let class = clip.presence.iter().position(|&present| present).context("a Medley-solos-DB row names one instrument")?;
            let solo = decode(&clip.path, "remove its row from the metadata or restore the file").map(|samples| (class, Solo { name: file_name(&clip.path), samples }));
            progress.inc(1);
            solo
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let mut train: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for (class, solo) in decoded {
        train.entry(INSTRUMENTS[class].0).or_default().push(solo.name.clone());
        per_class[class].push(solo);
    }
    Ok(SoloAssignment { dir: dir.display().to_string(), subset: SUBSET, credit: CREDIT, train })
}

/// Decodes every `<code>/<file>` of `dir` (with its `CREDITS.txt`) and adds its sounding pieces
/// to `per_class`.
fn load_recordings(dir: &Path, per_class: &mut [Vec<Solo>]) -> Result<RecordingAssignment> {
    let credit = read_credits(dir, "a solo recordings folder")?;
    let listed = list_classes(dir)?;
    ensure!(listed.iter().any(|names| !names.is_empty()), "no recordings in {} (layout: <class code>/<file>.ogg|flac|wav|mp3 + CREDITS.txt)", dir.display());
    let progress = progress_bar(listed.iter().map(Vec::len).sum::<usize>() as u64, "recordings");
    let mut train = BTreeMap::new();
    let mut pieces = 0;
    for (class, names) in listed.into_iter().enumerate().filter(|(_, names)| !names.is_empty()) {
        let decoded = names.par_iter().map(|name| decode(&dir.join(name), "remove it or restore it").inspect(|_| progress.inc(1))).collect::<Result<Vec<_>>>()?;
        for (name, samples) in names.iter().zip(decoded) {
            let found = sounding_pieces(&samples);
            pieces += found.len();
            per_class[class].extend(found.into_iter().map(|range| Solo { name: format!("{name}@{:.1}s", range.start as f64 / RATE as f64), samples: samples[range].to_vec() }));
        }
        train.insert(INSTRUMENTS[class].0, names);
    }
    progress.finish();
    Ok(RecordingAssignment { dir: dir.display().to_string(), credit, pieces, train })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into_owned())
}

/// `path` at the analysis rate, its loudest frame at 0 dB RMS; `remedy` ends the error message.
fn decode(path: &Path, remedy: &str) -> Result<Vec<f32>> {
    let (samples, rate) = read_mono(path).with_context(|| format!("{}: {remedy}", path.display()))?;
    let mut solo = to_analysis_rate(&samples, rate as f64)?;
    normalise_loudest_frame(&mut solo);
    Ok(solo)
}

/// The sample ranges of `samples` (loudest frame at 0 dB) that sound: frames within
/// `PIECE_FLOOR_DB` of the loudest, bridging quieter stretches up to `PIECE_GAP_S`, at least
/// `PIECE_MIN_S` long.
fn sounding_pieces(samples: &[f32]) -> Vec<Range<usize>> {
    let (window, hop) = frame_grid();
    let frames_of = |seconds: f64| (seconds * RATE as f64 / hop as f64).round() as usize;
    let (gap, shortest) = (frames_of(PIECE_GAP_S), frames_of(PIECE_MIN_S));
    let sounding = frame_levels_db(samples).into_iter().enumerate().filter(|(_, level)| *level >= PIECE_FLOOR_DB).map(|(t, _)| t);
    let mut runs: Vec<Range<usize>> = Vec::new();
    for t in sounding {
        match runs.last_mut() {
            Some(run) if t <= run.end + gap => run.end = t + 1,
            _ => runs.push(t..t + 1),
        }
    }
    runs.into_iter().filter(|run| run.len() >= shortest).map(|run| run.start * hop..(run.end - 1) * hop + window).collect()
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
        let dir = tempfile::tempdir().unwrap();
        crate::signals::write_medley_solos(dir.path(), &[("training", "trumpet", 6, "u1"), ("validation", "flute", 3, "u2"), ("test", "trumpet", 6, "u3")]);
        let solos = load(Some(dir.path()), None).unwrap().expect("solos");
        let counts: Vec<usize> = solos.per_class.iter().map(Vec::len).collect();
        assert_eq!(counts[class("tru")], 1);
        assert_eq!(counts.iter().sum::<usize>(), 1, "validation and test clips are never trained on");
        let trumpet = &solos.per_class[class("tru")][0];
        assert_eq!(trumpet.name, "Medley-solos-DB_training-6_u1.flac");
        assert!((trumpet.samples.len() as i64 - RATE as i64).abs() < 64, "resampled to the analysis rate: {}", trumpet.samples.len());
        assert_eq!(solos.medley().unwrap().train.keys().collect::<Vec<_>>(), [&"tru"]);
    }

    #[test]
    fn a_folder_without_training_clips_is_refused_with_its_layout() {
        let dir = tempfile::tempdir().unwrap();
        crate::signals::write_medley_solos(dir.path(), &[("validation", "flute", 3, "v1")]);
        let error = load(Some(dir.path()), None).err().expect("nothing to train on");
        assert!(format!("{error:#}").contains("training-subset audio"), "{error:#}");
    }

    #[test]
    fn long_recordings_split_at_pauses_and_drop_short_pieces() {
        let second = RATE as usize;
        let mut recording = vec![0.5f32; 10 * second];
        recording[3 * second..3 * second + second / 5].fill(0.0); // a 0.2 s rest: bridged
        recording[5 * second..7 * second].fill(0.001); // 2 s at −54 dB: a pause
        recording[8 * second..9 * second].fill(0.0); // 7–8 s and 9–10 s sound 1 s each: too short
        let pieces = sounding_pieces(&recording);
        assert_eq!(pieces.len(), 1, "{pieces:?}");
        let seconds = |sample: usize| sample as f64 / RATE as f64;
        assert!(seconds(pieces[0].start) < 0.05 && (seconds(pieces[0].end) - 5.0).abs() < 0.05, "{pieces:?}");
        assert!(sounding_pieces(&vec![0.0; 4 * second]).is_empty(), "silence has no pieces");
    }

    #[test]
    fn recordings_folders_need_credits_and_join_their_classes_pools() {
        let dir = tempfile::tempdir().unwrap();
        let medley = dir.path().join("medley");
        crate::signals::write_medley_solos(&medley, &[("training", "distorted electric guitar", 1, "g1")]);
        let folder = dir.path().join("stems");
        crate::signals::write_wav(&folder.join("gel/song.wav"), &crate::signals::music_like(44_100, 3.0), 44_100).unwrap();
        let error = load(None, Some(&folder)).err().expect("no credits");
        assert!(format!("{error:#}").contains("CREDITS.txt"), "{error:#}");
        std::fs::write(folder.join("CREDITS.txt"), "a test song (CC0)\n").unwrap();
        let solos = load(Some(&medley), Some(&folder)).unwrap().expect("solos");
        let names: Vec<&str> = solos.per_class[class("gel")].iter().map(|solo| solo.name.as_str()).collect();
        assert_eq!(names, ["Medley-solos-DB_training-1_g1.flac", "gel/song.wav@0.0s"]);
        let recordings = solos.recordings().unwrap();
        assert_eq!((recordings.credit.as_str(), recordings.pieces), ("a test song (CC0)", 1));
        assert_eq!(recordings.train["gel"], ["gel/song.wav"]);
        assert!(load(None, None).unwrap().is_none(), "no folders, no solos");
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
