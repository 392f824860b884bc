//! `manifest.json`: settings, label definitions, source assignments, and every clip's recipe.

use std::path::PathBuf;

use instrumeter::models::INSTRUMENTS;
use serde::Serialize;

use super::gus_patches::{PatchAssignment, PatchNotes};
use super::labels::{frame_count, frame_grid, PRESENCE_THRESHOLD, RANGE_DB};
use super::mix::ClipRecord;
use super::real_notes::{NoteAssignment, RealNotes};
use super::solos::{RecordingAssignment, SoloAssignment, Solos};
use super::soundfonts::{FontAssignment, SoundFonts};
use super::stats::SplitStats;
use super::{clip_samples, SynthOptions, RATE};

#[derive(Serialize)]
pub struct Manifest {
    pub seed: u64,
    pub settings: Settings,
    pub classes: Vec<&'static str>,
    pub labels: LabelDefinitions,
    pub soundfonts: FontAssignment,
    pub real_notes: NoteAssignment,
    /// The GUS patch set's waveforms, when `--patches` was given.
    pub patches: Option<PatchAssignment>,
    /// The solo recordings of training stems, when `--solos` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solos: Option<SoloAssignment>,
    /// The long solo recordings of training stems, when `--solo-recordings` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub solo_recordings: Option<RecordingAssignment>,
    pub splits: Vec<SplitRecord>,
}

#[derive(Serialize)]
pub struct Settings {
    pub seconds: f64,
    pub sample_rate: u32,
    pub frame: usize,
    pub hop: usize,
    pub frames_per_clip: usize,
    pub soundfont_dir: PathBuf,
    pub real_notes_dir: PathBuf,
    /// Whether training stems got a random timbre (EQ tilts, low-pass).
    pub stem_timbre: bool,
    /// Largest body shift of a training SoundFont stem, in semitones.
    pub body_shift: u8,
    /// Largest body shift of a training stem of recorded notes, in semitones.
    pub note_body_shift: u8,
    /// Whether training stems of recorded notes got a player's vibrato.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub note_vibrato: bool,
    /// Share of training clips that are bands (drums, bass, front instruments).
    pub band_mixes: f64,
    /// Share of training stems played with real notes where a class has them (`None`: per class).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_share: Option<f64>,
    /// Whether the validation split is made of held-out real sources alone.
    pub real_validation: bool,
}

#[derive(Serialize)]
pub struct LabelDefinitions {
    pub frames: String,
    pub targets: String,
    pub presence: String,
    pub range_db: f32,
    pub presence_threshold: f32,
    pub held_out: &'static str,
}

#[derive(Serialize)]
pub struct SplitRecord {
    pub name: &'static str,
    pub stats: SplitStats,
    pub clips: Vec<ClipRecord>,
}

impl Manifest {
    pub fn new(options: &SynthOptions, fonts: &SoundFonts, notes: &RealNotes, patches: Option<&PatchNotes>, solos: Option<&Solos>, splits: Vec<SplitRecord>) -> Self {
        let (frame, hop) = frame_grid();
        Self {
            seed: options.seed,
            settings: Settings {
                seconds: options.seconds,
                sample_rate: RATE,
                frame,
                hop,
                frames_per_clip: frame_count(clip_samples(options.seconds)),
                soundfont_dir: options.soundfonts.clone(),
                real_notes_dir: options.real_notes.clone(),
                stem_timbre: !options.no_stem_timbre,
                body_shift: options.body_shift,
                note_body_shift: options.note_body_shift,
                note_vibrato: options.note_vibrato,
                band_mixes: options.band_mixes,
                real_share: options.real_share,
                real_validation: notes.real_validation(),
            },
            classes: INSTRUMENTS.iter().map(|(code, _)| *code).collect(),
            labels: definitions(frame, hop),
            soundfonts: fonts.assignment(),
            real_notes: notes.assignment(),
            patches: patches.map(PatchNotes::assignment),
            solos: solos.and_then(Solos::medley),
            solo_recordings: solos.and_then(Solos::recordings),
            splits,
        }
    }
}

fn definitions(frame: usize, hop: usize) -> LabelDefinitions {
    LabelDefinitions {
        frames: format!("frame t covers samples [{hop}t, {hop}t + {frame}) at {RATE} Hz, no centre padding (the plugin front-end's grid)"),
        targets: format!(
            "per stem, the frame's RMS level in dB after the stem's mix level and the augmentation gain; target = clamp((level - (loudest stem frame of the clip - {RANGE_DB})) / {RANGE_DB}, 0, 1); a class takes the maximum over its stems; dry stems (before EQ tilt, reverb and noise)"
        ),
        presence: format!("a class is present in a clip when its frame target reaches {PRESENCE_THRESHOLD} somewhere, i.e. it comes within {} dB of the clip's loudest stem frame", RANGE_DB * (1.0 - PRESENCE_THRESHOLD)),
        range_db: RANGE_DB,
        presence_threshold: PRESENCE_THRESHOLD,
        held_out: "test uses only the held-out SoundFonts and the held-out real-note files; phrase seeds carry the split in their top two bits, so the splits' phrases are disjoint; valid uses the training SoundFonts and files with its own phrase seeds",
    }
}
