//! The run folder: settings, latest and best weights, optimizer state, progress, metrics log.

use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};
use burn::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::device::DeviceChoice;
use super::model::{Architecture, ModelConfig};

pub const SETTINGS: &str = "run.json";
pub const PROGRESS: &str = "progress.json";
pub const LATEST_WEIGHTS: &str = "model.bpk";
pub const BEST_WEIGHTS: &str = "best.bpk";
pub const OPTIMIZER: &str = "optimizer.bpk";
pub const METRICS_LOG: &str = "metrics.jsonl";

#[derive(Config, Debug)]
pub struct TrainingConfig {
    #[config(default = 32)]
    pub batch_size: usize,
    #[config(default = 1e-3)]
    pub learning_rate: f64,
    /// Adam's L2 penalty (0: none).
    #[config(default = 0.0)]
    pub weight_decay: f64,
    /// Most epochs to run.
    #[config(default = 100)]
    pub epochs: usize,
    /// Epochs without a better validation loss before the learning rate is divided.
    #[config(default = 3)]
    pub lr_patience: usize,
    #[config(default = 5.0)]
    pub lr_factor: f64,
    #[config(default = 1e-5)]
    pub min_learning_rate: f64,
    /// Epochs without a better validation loss before training stops.
    #[config(default = 8)]
    pub stop_patience: usize,
    /// Training windows are also shifted along the mel axis and get a masked block of bands.
    #[config(default = false)]
    pub shift_and_mask: bool,
    /// At most this many batches per epoch (all when unset).
    pub steps_per_epoch: Option<usize>,
    #[config(default = 42)]
    pub seed: u64,
}

impl TrainingConfig {
    /// The seeds' choices: Han et al. batch 128; Neuroment batch 32 with weight decay 1e-3.
    pub fn for_arch(arch: Architecture) -> Self {
        match arch {
            Architecture::Frames => Self::new().with_weight_decay(1e-3),
            _ => Self::new().with_batch_size(128),
        }
    }
}

/// `run.json`: everything needed to rebuild the network and continue or describe the run.
#[derive(Debug, Serialize, Deserialize)]
pub struct RunSettings {
    pub model: ModelConfig,
    pub training: TrainingConfig,
    /// The data folder (`train/`, `valid/` splits) of the latest epochs.
    pub data: PathBuf,
    /// Data folders earlier epochs trained on, oldest first (a resume with another `--data`).
    #[serde(default)]
    pub earlier_data: Vec<PathBuf>,
    /// The shipped model the run started from (`cargo xtask import`), its epochs and their data: a
    /// fine-tuned model often replaces the card it came from, so its card keeps that history.
    #[serde(default)]
    pub imported_from: Option<String>,
    pub device: DeviceChoice,
    /// `git describe` of the sources that trained it.
    pub git_commit: String,
}

/// A folder holding one training run.
pub struct RunFolder {
    pub dir: PathBuf,
}

impl RunFolder {
    /// `checkpoint` is a run folder (meaning its best weights) or a `.bpk` file inside one.
    pub fn locate(checkpoint: &Path) -> Result<(Self, PathBuf)> {
        let (dir, weights) = if checkpoint.is_dir() {
            (checkpoint.to_path_buf(), checkpoint.join(BEST_WEIGHTS))
        } else {
            (checkpoint.parent().unwrap_or(Path::new(".")).to_path_buf(), checkpoint.to_path_buf())
        };
        ensure!(weights.is_file(), "no weights at {}: pass a run folder of `cargo xtask train` or a .bpk inside one", weights.display());
        Ok((Self { dir }, weights))
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    pub fn read_json<T: DeserializeOwned>(&self, file: &str) -> Result<T> {
        let path = self.path(file);
        let json = std::fs::read(&path).with_context(|| format!("cannot read {}: is {} a training run folder?", path.display(), self.dir.display()))?;
        serde_json::from_slice(&json).with_context(|| format!("{} is damaged or from another version", path.display()))
    }

    /// Writes through a temporary file, so an interrupted run never leaves half a file.
    pub fn write_json<T: Serialize>(&self, file: &str, value: &T) -> Result<()> {
        let path = self.path(file);
        let temporary = path.with_extension("tmp");
        std::fs::write(&temporary, serde_json::to_vec_pretty(value)?).with_context(|| format!("cannot write {}", temporary.display()))?;
        std::fs::rename(&temporary, &path).with_context(|| format!("cannot replace {}", path.display()))
    }
}

/// The commit the sources are at (`unknown` outside a git checkout).
pub fn git_commit() -> String {
    let output = std::process::Command::new("git").args(["describe", "--always", "--dirty"]).output();
    match output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_string(),
        _ => "unknown".into(),
    }
}
