//! `cargo xtask synth`: labelled training mixtures from SoundFont and real-note solo phrases and
//! solo recordings.

mod augment;
mod band;
mod drums;
mod gus_patches;
mod instruments;
mod labels;
mod manifest;
mod mix;
mod output;
mod phrase;
pub mod real_notes;
mod real_phrase;
mod render;
mod resample;
mod seeds;
mod solos;
mod soundfonts;
mod stats;
mod stem;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{ensure, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use manifest::{Manifest, SplitRecord};
use stem::Sources;

/// The analysis rate (the plugin front-end's): every clip and stem is at this rate.
pub const RATE: u32 = 22_050;

/// Options of `cargo xtask synth`.
#[derive(Args, Debug, Clone)]
pub struct SynthOptions {
    /// Output folder: `<split>/<id>.wav`, `<split>/<id>.labels.json` and `manifest.json`.
    #[arg(long, default_value = "data/synth")]
    pub out: PathBuf,
    /// Master seed: the same seed, SoundFonts and real notes give the same data on any thread count.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Training clips.
    #[arg(long, default_value_t = 2000)]
    pub train: usize,
    /// Validation clips (training SoundFonts and files, their own phrases).
    #[arg(long, default_value_t = 300)]
    pub valid: usize,
    /// Test clips (held-out SoundFont, held-out real-note files, their own phrases).
    #[arg(long, default_value_t = 300)]
    pub test: usize,
    /// Length of each clip in seconds.
    #[arg(long, default_value_t = 3.0)]
    pub seconds: f64,
    /// Folder with the SoundFonts (where Debian's packages put them).
    #[arg(long, default_value = "/usr/share/sounds/sf2")]
    pub soundfonts: PathBuf,
    /// Folder of isolated real notes, one sub-folder per class code.
    #[arg(long, default_value = "../shared/data/real-notes")]
    pub real_notes: PathBuf,
    /// A GUS patch set (Debian's freepats: /usr/share/midi/freepats) whose sampled instruments
    /// play a quarter of the training and validation stems of the classes it has (never test).
    #[arg(long)]
    pub patches: Option<PathBuf>,
    /// A further folder of isolated notes in the real-notes layout, with a CREDITS.txt or a
    /// SOURCES.csv naming their sources and licences (scripts/fetch-extra-notes.sh makes one;
    /// ../shared/data/real-notes-2 is one); its notes join the training and validation pools only,
    /// so the test split does not change. Repeat for several folders.
    #[arg(long)]
    pub extra_notes: Vec<PathBuf>,
    /// A list of whole recording sources to hold out for a real validation split
    /// (`<code>/<file-name prefix>` per line, `#` comments; scripts/real-validation-sources.txt):
    /// none of their notes is trained on, and the validation split is made of their notes
    /// alone (no SoundFonts, no patches), so its scores are those of sources never heard.
    #[arg(long)]
    pub hold_out_sources: Option<PathBuf>,
    /// Share of the training stems of each class with real notes that are played with them
    /// (the rest SoundFont renders and patches); default: each class's own share (0.3–0.8).
    #[arg(long, value_parser = share)]
    pub real_share: Option<f64>,
    /// Leave training stems as rendered (no random EQ tilts and low-pass per stem); how
    /// `data/synth` of the shipped models was made.
    #[arg(long)]
    pub no_stem_timbre: bool,
    /// Largest body shift of a melodic SoundFont stem in the training split, in semitones: the
    /// phrase is rendered up to this many semitones lower or higher and resampled back to its
    /// pitch, so formants and body resonances move while the notes stay (as in sample sets that
    /// stretch few recordings over many keys). 0 (the default) renders every stem as the font has it.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=12))]
    pub body_shift: u8,
    /// Largest body shift of a training stem made of recorded notes (real notes, GUS patches), in
    /// semitones, one draw per stem: its notes are resampled that much higher or lower, so body
    /// and pitch move together (such phrases take their pitches from the files anyway). Most
    /// classes have one or two recorded instruments; this makes more of them. 0 (the default)
    /// leaves them as recorded, but for the small per-note shifts every recorded phrase has.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=12))]
    pub note_body_shift: u8,
    /// Give training stems of recorded notes a player's vibrato: on the classes played with
    /// vibrato (strings, winds, voice) most held notes get a slow-onset pitch wobble of
    /// 0.1–0.4 semitones at 4.5–7 Hz (recorded notes are mostly straight tones; music is not).
    /// Validation and test do not change.
    #[arg(long)]
    pub note_vibrato: bool,
    /// A folder in Medley-solos-DB layout (`audio/*.flac` + `Medley-solos-DB_metadata.csv`) whose
    /// training-subset recordings play 30 % of the training stems of their classes, cut to the
    /// stem's active span; its validation and test subsets are never read, and the validation and
    /// test splits do not change.
    #[arg(long)]
    pub solos: Option<PathBuf>,
    /// A folder of long solo recordings (song stems), one folder per class code
    /// (`gel/<song>.ogg`), with a `CREDITS.txt` naming their sources and licences: split at their
    /// pauses, the pieces join `--solos`'s pools (training stems only).
    #[arg(long)]
    pub solo_recordings: Option<PathBuf>,
    /// Share of training clips that are bands: one or two of electric guitar, voice, piano,
    /// acoustic guitar, organ, saxophone, trumpet, with drums (80 %) and bass (70 %, low-passed in
    /// half of them) at a band mix's levels; the other clips stay as they were, and validation and
    /// test do not change.
    #[arg(long, default_value_t = 0.0, value_parser = share)]
    pub band_mixes: f64,
    /// Keep every clip's stems (`<split>/<id>.stems/<code>.wav`, as each sounds in the mix) and
    /// leave the mixes dry (no tilt, room or noise, so a mix is the sum of its stems): data for
    /// separation benchmarks (`cargo xtask separate-eval`).
    #[arg(long)]
    pub stems: bool,
}

/// A share in 0–1.
fn share(text: &str) -> Result<f64, String> {
    let value: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if (0.0..=1.0).contains(&value) { Ok(value) } else { Err(format!("{value} is not a share between 0 and 1")) }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    Train,
    Valid,
    Test,
}

impl Split {
    const ALL: [Split; 3] = [Split::Train, Split::Valid, Split::Test];

    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Valid => "valid",
            Split::Test => "test",
        }
    }

    /// A small number naming the split in seeds.
    pub fn tag(self) -> u64 {
        self as u64
    }

    fn count(self, options: &SynthOptions) -> usize {
        match self {
            Split::Train => options.train,
            Split::Valid => options.valid,
            Split::Test => options.test,
        }
    }
}

/// Samples in a clip of `seconds`.
pub fn clip_samples(seconds: f64) -> usize {
    (seconds * RATE as f64).round() as usize
}

fn progress_bar(length: u64, prefix: &'static str) -> ProgressBar {
    let style = ProgressStyle::with_template("{prefix:>10} {bar:40} {pos}/{len} [{elapsed_precise}, eta {eta}]").expect("a valid progress template");
    ProgressBar::new(length).with_prefix(prefix).with_style(style)
}

/// Renders every split into `options.out` and writes the manifest; prints per-class statistics.
pub fn run(options: &SynthOptions) -> Result<()> {
    ensure!(labels::frame_count(clip_samples(options.seconds)) > 0, "--seconds {} is shorter than one analysis frame: use at least 0.05", options.seconds);
    let started = Instant::now();
    let fonts = soundfonts::load(&options.soundfonts)?;
    let mut notes = real_notes::load(&options.real_notes, options.seconds + phrase::MAX_PRE_ROLL_S)?;
    for extra in &options.extra_notes {
        real_notes::add_extra(&mut notes, extra, options.seconds + phrase::MAX_PRE_ROLL_S)?;
    }
    if let Some(list) = &options.hold_out_sources {
        notes.hold_out_sources(read_source_list(list)?)?;
    }
    let patches = options.patches.as_deref().map(|dir| gus_patches::load(dir, options.seconds + phrase::MAX_PRE_ROLL_S)).transpose()?;
    let solos = solos::load(options.solos.as_deref(), options.solo_recordings.as_deref())?;
    let splits = Split::ALL
        .iter()
        .map(|&split| {
            let real_only = split == Split::Valid && notes.real_validation();
            let patches = patches.as_ref().filter(|_| !real_only).map_or(&[][..], |patches| patches.for_split(split));
            let fonts = if real_only { &[][..] } else { fonts.for_split(split) };
            let training = split == Split::Train;
            let (body_shift, note_body_shift) = if training { (options.body_shift, options.note_body_shift) } else { (0, 0) };
            let band_share = if training { options.band_mixes } else { 0.0 };
            let solos = solos.as_ref().filter(|_| training).map_or(&[][..], |solos| &solos.per_class);
            let real_share = options.real_share.filter(|_| training);
            let note_vibrato = training && options.note_vibrato;
            let sources = Sources { fonts, notes: notes.for_split(split), patches, solos, stem_timbre: !options.no_stem_timbre, body_shift, note_body_shift, note_vibrato, band_share, real_share, dry_stems: options.stems };
            render_split(split, options, &sources)
        })
        .collect::<Result<Vec<_>>>()?;
    let manifest = Manifest::new(options, &fonts, &notes, patches.as_ref(), solos.as_ref(), splits);
    output::write_json(&options.out.join("manifest.json"), &manifest, true)?;
    stats::print(&manifest.splits.iter().map(|split| (split.name, &split.stats)).collect::<Vec<_>>());
    let clips: usize = manifest.splits.iter().map(|split| split.clips.len()).sum();
    println!("{clips} clips in {} ({:.0?})", options.out.display(), started.elapsed());
    Ok(())
}

/// The `<code>/<prefix>` lines of a held-out source list, without blank lines and `#` comments.
fn read_source_list(path: &std::path::Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the held-out source list {}", path.display()))?;
    let prefixes: Vec<String> = text.lines().map(|line| line.split('#').next().unwrap_or_default().trim()).filter(|line| !line.is_empty()).map(str::to_string).collect();
    ensure!(!prefixes.is_empty(), "{} names no source", path.display());
    for prefix in &prefixes {
        let code = prefix.split('/').next().unwrap_or_default();
        ensure!(prefix.contains('/') && instrumeter::models::INSTRUMENTS.iter().any(|(c, _)| *c == code), "{}: {prefix:?} is not <class code>/<file-name prefix>", path.display());
    }
    Ok(prefixes)
}

/// Renders one split's clips in parallel (each decided by its own seed) into `<out>/<split>/`,
/// replacing what a previous run left there.
fn render_split(split: Split, options: &SynthOptions, sources: &Sources) -> Result<SplitRecord> {
    let dir = options.out.join(split.name());
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("cannot replace {}: remove it by hand", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}: check --out", dir.display()))?;
    let (count, samples) = (split.count(options), clip_samples(options.seconds));
    let progress = progress_bar(count as u64, split.name());
    let clips = (0..count)
        .into_par_iter()
        .map(|index| {
            let id = format!("{}-{index:05}", split.name());
            let clip = mix::render_clip(sources, split, id, seeds::clip_seed(options.seed, split, index), samples)?;
            output::write_clip(&dir, &clip)?;
            progress.inc(1);
            Ok((clip.record, clip.labels))
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let mut tally = stats::Tally::default();
    clips.iter().for_each(|(record, labels)| tally.add(labels, record.stems.len()));
    Ok(SplitRecord { name: split.name(), stats: tally.summary(), clips: clips.into_iter().map(|(record, _)| record).collect() })
}

#[cfg(test)]
mod tests {
    #[test]
    fn clips_are_at_the_front_ends_rate() {
        assert_eq!(super::RATE, instrumeter::frontend::FrontendConfig::default().sample_rate);
    }
}
