//! A data split (`<data>/<split>/<id>.wav` + `<id>.labels.json`) as log-mel frames from the
//! plugin's own front-end plus per-frame targets, cached in one file per split.

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use half::f16;
use instrumeter::frontend::{FeatureKind, Frontend, FrontendConfig};
use instrumeter::models::INSTRUMENTS;
use serde::Deserialize;

use super::split::{labels_path, Clip, SplitData};
use super::{cache, progress_bar};
use instrumeter_analysis::for_each_mono_block;

/// `<id>.labels.json` as `cargo xtask synth` writes it (the fields training needs).
#[derive(Deserialize)]
struct Labels {
    frames: usize,
    targets: Vec<Vec<f32>>,
}

/// Loads `<data>/<split>/` as `config`'s features, from the cache in `<data>/cache/` when it is
/// up to date.
pub fn load_split(data: &Path, split: &str, config: &FrontendConfig) -> Result<SplitData> {
    let wavs = clip_paths(&data.join(split))?;
    let cache_name = match config.kind {
        FeatureKind::LogMel => format!("{split}.logmel.bin"),
        kind => format!("{split}.{}.bin", kind.name()),
    };
    let cache_path = data.join("cache").join(cache_name);
    let fingerprint = cache::fingerprint(&wavs, config)?;
    if let Some(cached) = cache::read(&cache_path, fingerprint) {
        return Ok(cached);
    }
    let split_data = extract(&wavs, split, config.clone())?;
    cache::write(&cache_path, fingerprint, &split_data)?;
    Ok(split_data)
}

fn clip_paths(folder: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(folder)
        .with_context(|| format!("cannot read {}: create the data with `cargo xtask synth` or pass --data", folder.display()))?;
    let mut wavs = Vec::new();
    for entry in entries {
        let path = entry.with_context(|| format!("cannot list {}", folder.display()))?.path();
        if path.extension().is_some_and(|e| e == "wav") {
            wavs.push(path);
        }
    }
    wavs.sort();
    ensure!(!wavs.is_empty(), "{} holds no .wav clips: run `cargo xtask synth` first", folder.display());
    Ok(wavs)
}

fn extract(wavs: &[PathBuf], split: &str, config: FrontendConfig) -> Result<SplitData> {
    let n_mels = config.n_mels;
    let sample_rate = config.sample_rate;
    let grid = LabelGrid::for_features(&config);
    let mut frontend = Frontend::new(f64::from(sample_rate), config.clone()).context("front-end settings rejected")?;
    let progress = progress_bar(wavs.len(), &format!("{} {split}", config.kind.name()), "clips");
    let mut clips = Vec::with_capacity(wavs.len());
    for wav in wavs {
        frontend.reset();
        let features = clip_features(&mut frontend, wav, sample_rate)?;
        clips.push(with_targets(features, n_mels, grid, &labels_path(wav))?);
        progress.inc(1);
    }
    progress.finish();
    Ok(SplitData { n_mels, classes: INSTRUMENTS.len(), clips })
}

fn clip_features(frontend: &mut Frontend, wav: &Path, sample_rate: u32) -> Result<Vec<f32>> {
    let mut features = Vec::new();
    for_each_mono_block(wav, |block, rate| {
        ensure!(rate == sample_rate, "{} is at {rate} Hz; training clips must be {sample_rate} Hz (re-run `cargo xtask synth`)", wav.display());
        frontend.process(block, |frame| features.extend_from_slice(frame));
        Ok(())
    })?;
    frontend.finish(|frame| features.extend_from_slice(frame));
    Ok(features)
}

/// Where a kind's frames lie on the label grid (frame t ↔ samples [512t, 512t+1024), as the
/// log-mel's): label frames per feature frame, and the label frame of feature frame 0.
#[derive(Clone, Copy)]
struct LabelGrid {
    step: f64,
    offset: f64,
}

impl LabelGrid {
    fn for_features(config: &FrontendConfig) -> Self {
        let mel = FrontendConfig::default();
        let centre = |c: &FrontendConfig| c.frame_centre_samples() as f64;
        Self { step: config.hop as f64 / mel.hop as f64, offset: (centre(config) - centre(&mel)) / mel.hop as f64 }
    }

    fn is_identity(self) -> bool {
        self.step == 1.0 && self.offset == 0.0
    }

    /// The label frame nearest feature frame `t`'s centre, within `0..frames`.
    fn label_frame(self, t: usize, frames: usize) -> usize {
        ((t as f64 * self.step + self.offset).round().max(0.0) as usize).min(frames - 1)
    }
}

/// Pairs a clip's features with its labels. On log-mel's own grid the two may disagree by one
/// trailing frame (then both are cut to the shorter), not more; other kinds' frames take the
/// label frame nearest their centre.
fn with_targets(features: Vec<f32>, n_mels: usize, grid: LabelGrid, labels_path: &Path) -> Result<Clip> {
    let json = std::fs::read(labels_path).with_context(|| format!("cannot read {} (every clip needs its labels)", labels_path.display()))?;
    let labels: Labels = serde_json::from_slice(&json).with_context(|| format!("{} is not a labels file", labels_path.display()))?;
    let classes = INSTRUMENTS.len();
    if let Some(row) = labels.targets.iter().find(|row| row.len() != classes) {
        bail!("{}: a target row has {} values, expected {classes}", labels_path.display(), row.len());
    }
    ensure!(
        labels.targets.len() == labels.frames,
        "{}: `frames` says {} but there are {} target rows",
        labels_path.display(),
        labels.frames,
        labels.targets.len()
    );
    let computed = features.len() / n_mels;
    if !grid.is_identity() {
        ensure!(labels.frames > 0, "{}: no label frames", labels_path.display());
        let targets = (0..computed).flat_map(|t| &labels.targets[grid.label_frame(t, labels.frames)]).map(|&v| f16::from_f32(v)).collect();
        return Ok(Clip { frames: computed, features: features.iter().map(|&v| f16::from_f32(v)).collect(), targets });
    }
    ensure!(
        computed.abs_diff(labels.frames) <= 1,
        "{}: labels cover {} frames but the front-end made {computed}: the label grid must be frame t ↔ samples [512t, 512t+1024)",
        labels_path.display(),
        labels.frames
    );
    let frames = computed.min(labels.frames);
    Ok(Clip {
        frames,
        features: features[..frames * n_mels].iter().map(|&v| f16::from_f32(v)).collect(),
        targets: labels.targets[..frames].iter().flatten().map(|&v| f16::from_f32(v)).collect(),
    })
}
