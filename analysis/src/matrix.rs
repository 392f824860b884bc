//! The rows × labels activation matrix of one analysis with each row's first frame, kept for
//! external tools (`.npy` export) and for separation.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use npyz::WriterBuilder;
use instrumeter::models::ModelCard;

use crate::run::row_seconds;

/// Every row of one analysis, in order (about 8 MB per hour of audio for a frame model).
#[derive(Debug, Clone, PartialEq)]
pub struct ActivationMatrix {
    labels: usize,
    /// Seconds per analysis frame (the front-end's hop).
    frame_s: f64,
    /// Frames one row covers (1 for frame activations, the window hop for window scores).
    row_frames: u64,
    first_frames: Vec<u64>,
    values: Vec<f32>,
}

impl ActivationMatrix {
    /// An empty matrix for `card`'s model.
    pub fn new(card: &ModelCard) -> Self {
        let frame_s = card.frontend.hop as f64 / card.frontend.sample_rate as f64;
        let row_frames = (row_seconds(card) / frame_s).round().max(1.0) as u64;
        Self { labels: card.labels.len(), frame_s, row_frames, first_frames: Vec::new(), values: Vec::new() }
    }

    /// Appends the row whose first frame is `first_frame`.
    pub fn push(&mut self, first_frame: u64, values: &[f32]) {
        self.first_frames.push(first_frame);
        self.values.extend_from_slice(&values[..self.labels]);
    }

    pub fn rows(&self) -> usize {
        self.first_frames.len()
    }

    pub fn labels(&self) -> usize {
        self.labels
    }

    /// Row `index`'s first analysis frame and its values.
    pub fn row(&self, index: usize) -> (u64, &[f32]) {
        (self.first_frames[index], &self.values[index * self.labels..(index + 1) * self.labels])
    }

    /// Frames one row covers.
    pub fn row_frames(&self) -> u64 {
        self.row_frames
    }

    /// Each row's start time in seconds.
    pub fn times_s(&self) -> Vec<f64> {
        self.first_frames.iter().map(|&frame| frame as f64 * self.frame_s).collect()
    }

    /// Writes `<base>.activations.npy` (float32, rows × labels, the card's label order) and
    /// `<base>.times.npy` (float64, each row's start in seconds); returns both paths.
    pub fn write_npy(&self, base: &Path) -> Result<[PathBuf; 2]> {
        let matrix_path = base.with_extension("activations.npy");
        let times_path = base.with_extension("times.npy");
        write_npy_file(&matrix_path, &[self.rows() as u64, self.labels as u64], &self.values)?;
        write_npy_file(&times_path, &[self.rows() as u64], &self.times_s())?;
        Ok([matrix_path, times_path])
    }
}

fn write_npy_file<T: npyz::AutoSerialize + Copy>(path: &Path, shape: &[u64], data: &[T]) -> Result<()> {
    let cannot = || format!("cannot write {}", path.display());
    let file = std::io::BufWriter::new(std::fs::File::create(path).with_context(cannot)?);
    let mut writer = npyz::WriteOptions::new().default_dtype().shape(shape).writer(file).begin_nd().with_context(cannot)?;
    writer.extend(data.iter().copied()).with_context(cannot)?;
    writer.finish().with_context(cannot)?;
    Ok(())
}
