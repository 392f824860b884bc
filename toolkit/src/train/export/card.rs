//! The model card of an exported run: labels, front-end, window geometry, default thresholds,
//! training facts and the exported epoch's validation scores.

use std::collections::BTreeMap;
use std::path::Path;

use instrumeter::frontend::FrontendConfig;
use instrumeter::models::{
    instrument_labels, Aggregation, AggregationMethod, FrontendSettings, InputSpec, MetricsEntry, ModelCard, ModelKind, TrainingInfo,
};
use serde::Deserialize;

use crate::train::metrics::EpochMetrics;
use crate::train::run::RunSettings;
use crate::train::schedule::Progress;

/// Until `cargo xtask eval` tunes them per class.
const DEFAULT_THRESHOLD: f32 = 0.5;

/// `exported`: the epoch whose weights are exported, when known (else the run's last epoch counts).
pub fn model_card(name: &str, settings: &RunSettings, progress: &Progress, exported: Option<&EpochMetrics>) -> ModelCard {
    let arch = settings.model.architecture();
    let labels = instrument_labels(settings.model.classes());
    let thresholds: BTreeMap<String, f32> = labels.iter().map(|l| (l.code.clone(), DEFAULT_THRESHOLD)).collect();
    let synth = synth_manifest(&settings.data);
    ModelCard {
        name: name.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        kind: arch.kind(),
        labels,
        frontend: FrontendSettings::from(&FrontendConfig::for_kind(arch.features())),
        input: InputSpec { frames: arch.window_frames(), hop_frames: arch.hop_frames(), layout: "NCHW".into() },
        extra_inputs: Vec::new(),
        aggregation: aggregation(arch.kind()),
        thresholds,
        clip_thresholds: BTreeMap::new(),
        companion: None,
        fusion: None,
        training: TrainingInfo {
            data: data_description(settings, &synth),
            soundfonts: synth.soundfonts.train_valid.clone(),
            seed: settings.training.seed,
            epochs: exported.map_or(progress.epochs_done, |epoch| epoch.epoch) as u32,
            backend: settings.device.backend_name().to_string(),
            git_commit: settings.git_commit.clone(),
            architecture: arch.name().to_string(),
            design: arch.design().to_string(),
        },
        metrics: exported.iter().map(|epoch| validation_entry(settings, epoch)).collect(),
    }
}

/// The SoundFont split of `cargo xtask synth`'s `manifest.json` (both empty for other data).
#[derive(Default, Deserialize)]
struct SoundFontSplit {
    train_valid: Vec<String>,
    test: Vec<String>,
}

/// The GUS patch set of `cargo xtask synth --patches`.
#[derive(Deserialize)]
struct PatchSet {
    licence: String,
}

/// The extra notes of `cargo xtask synth --extra-notes`.
#[derive(Deserialize)]
struct ExtraNotes {
    credit: String,
}

/// The real-note record of `cargo xtask synth`'s manifest, as far as the card needs it.
#[derive(Default, Deserialize)]
struct RealNotes {
    #[serde(default)]
    extra: Option<ExtraNotes>,
}

/// The solo recordings of `cargo xtask synth --solos`.
#[derive(Deserialize)]
struct SoloSet {
    credit: String,
    subset: String,
    train: BTreeMap<String, Vec<String>>,
}

impl SoloSet {
    fn describe(&self) -> String {
        let clips: usize = self.train.values().map(Vec::len).sum();
        format!("{clips} solo recordings from the {} subset of {} (training only), ", self.subset, self.credit)
    }
}

/// The long solo recordings of `cargo xtask synth --solo-recordings`.
#[derive(Deserialize)]
struct RecordingSet {
    credit: String,
    pieces: usize,
    train: BTreeMap<String, Vec<String>>,
}

impl RecordingSet {
    fn describe(&self) -> String {
        let recordings: usize = self.train.values().map(Vec::len).sum();
        format!("{} pieces of {recordings} long solo recordings: {} (training only), ", self.pieces, self.credit)
    }
}

/// The training-stem augmentation of `cargo xtask synth`.
#[derive(Default, Deserialize)]
struct SynthSettings {
    #[serde(default)]
    stem_timbre: bool,
    #[serde(default)]
    body_shift: u8,
    #[serde(default)]
    note_body_shift: u8,
    #[serde(default)]
    band_mixes: f64,
    #[serde(default)]
    real_share: Option<f64>,
    #[serde(default)]
    real_validation: bool,
}

impl SynthSettings {
    /// "training stems with …, band clips …, " or nothing when the training clips were left plain.
    fn describe(&self) -> String {
        let timbre = self.stem_timbre.then(|| "a random timbre (EQ tilts, low-pass)".to_string());
        let body = (self.body_shift > 0).then(|| format!("SoundFont bodies shifted by up to ±{} semitones at unchanged pitch", self.body_shift));
        let note_body = (self.note_body_shift > 0).then(|| format!("recorded notes shifted by up to ±{} semitones (body and pitch)", self.note_body_shift));
        let parts: Vec<String> = timbre.into_iter().chain(body).chain(note_body).collect();
        let stems = if parts.is_empty() { String::new() } else { format!("training stems with {}, ", parts.join(" and ")) };
        let percent = self.band_mixes * 100.0;
        let band = if percent > 0.0 {
            format!("band clips (one or two front instruments, mostly with drums and bass) in {percent:.0} % of training clips, half their basses low-passed, ")
        } else {
            String::new()
        };
        let real = self.real_share.map_or(String::new(), |share| format!("real notes play {:.0} % of the training stems of each class that has them, ", share * 100.0));
        let validation = if self.real_validation { "validation clips made of whole held-out real-note sources alone (no SoundFonts), " } else { "" };
        stems + &band + &real + validation
    }
}

/// What the card needs of `cargo xtask synth`'s `manifest.json` (empty for other data).
#[derive(Default, Deserialize)]
struct SynthManifest {
    #[serde(default)]
    settings: SynthSettings,
    soundfonts: SoundFontSplit,
    #[serde(default)]
    patches: Option<PatchSet>,
    #[serde(default)]
    real_notes: RealNotes,
    #[serde(default)]
    solos: Option<SoloSet>,
    #[serde(default)]
    solo_recordings: Option<RecordingSet>,
}

fn synth_manifest(data: &Path) -> SynthManifest {
    let manifest = std::fs::read(data.join("manifest.json")).ok().and_then(|json| serde_json::from_slice(&json).ok());
    manifest.unwrap_or_default()
}

/// Credit for the real recordings `cargo xtask synth` mixes in (their licences ask for it).
const REAL_NOTES_CREDIT: &str = "real notes and drum hits from shared/data/real-notes (Debian grandorgue-demo, GPL-2+ or \
CC-BY-SA-2.5, recordings by Lars Palo; Debian hydrogen-drumkits; npm tonejs-instrument-*-mp3; MTG Solo Saxophones; \
Karoryfer Weresax; MTG Freesound cello/trumpet packs; solfege singing samples — per-file sources and licences in its \
SOURCES.csv)";

/// The data folder, plus its sources and what was held out for the test split when synth says so.
fn data_description(settings: &RunSettings, synth: &SynthManifest) -> String {
    let patches = synth.patches.as_ref().map_or(String::new(), |patches| format!("sampled instruments of {} (training and validation only), ", patches.licence));
    let extra = synth.real_notes.extra.as_ref().map_or(String::new(), |extra| format!("extra notes: {} (training and validation only), ", extra.credit));
    let solos = synth.solos.as_ref().map_or(String::new(), SoloSet::describe) + &synth.solo_recordings.as_ref().map_or(String::new(), RecordingSet::describe);
    let data = match synth.soundfonts.test.as_slice() {
        [] => settings.data.display().to_string(),
        held_out => format!(
            "{} (cargo xtask synth: SoundFont renders plus {patches}{extra}{solos}{REAL_NOTES_CREDIT}; {}held out for the test split: {} and 20 % of the real-note files)",
            settings.data.display(),
            synth.settings.describe(),
            held_out.join(", ")
        ),
    };
    let data = match settings.earlier_data.as_slice() {
        [] => data,
        earlier => format!("{data}; earlier epochs on {}", earlier.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")),
    };
    match &settings.imported_from {
        Some(origin) => format!("{data}; fine-tuned from {origin}"),
        None => data,
    }
}

/// Han et al.'s S2 over 3 s for window scores; the root mean square for frame activations (it
/// beat S1 on the real validation split, models/README.md "Clip aggregation").
fn aggregation(kind: ModelKind) -> Aggregation {
    match kind {
        ModelKind::WindowClip => Aggregation { method: AggregationMethod::S2, window_s: 3.0 },
        ModelKind::FrameActivation => Aggregation { method: AggregationMethod::Rms, window_s: 1.0 },
    }
}

fn validation_entry(settings: &RunSettings, epoch: &EpochMetrics) -> MetricsEntry {
    let dataset = settings.data.file_name().map_or_else(|| settings.data.display().to_string(), |n| n.to_string_lossy().into_owned());
    MetricsEntry {
        dataset,
        split: format!("valid (windows, threshold {DEFAULT_THRESHOLD}, epoch {})", epoch.epoch),
        micro_f1: epoch.valid_micro_f1,
        macro_f1: epoch.valid_macro_f1,
        per_label_f1: epoch.valid_per_label_f1.clone(),
    }
}
