//! A data split in memory (log-mel frames and targets per clip), and where a clip's labels live.

use std::path::{Path, PathBuf};

use half::f16;

/// One clip: `frames` log-mel frames and their targets, both frame-major.
pub struct Clip {
    pub frames: usize,
    /// `frames × n_mels` values.
    pub features: Vec<f16>,
    /// `frames × classes` activation targets in 0–1.
    pub targets: Vec<f16>,
}

/// Every clip of one split.
pub struct SplitData {
    pub n_mels: usize,
    pub classes: usize,
    pub clips: Vec<Clip>,
}

/// The `.labels.json` file beside `wav`.
pub fn labels_path(wav: &Path) -> PathBuf {
    wav.with_extension("labels.json")
}
