//! Shared helpers for the plugin's integration tests: a recording analysis output and frame sources.

#![allow(dead_code)]

use instrumeter::engine::{AnalysisOutput, ModelStatus, StageOutput};
use instrumeter::models::{LoadedModel, ModelCard};

/// Records everything an analyzer reports.
#[derive(Default)]
pub struct Recorder {
    pub frames: Vec<(u64, Vec<f32>)>,
    pub windows: Vec<(u64, u64, Vec<f32>, Vec<f32>)>,
    pub statuses: Vec<ModelStatus>,
}

impl AnalysisOutput for Recorder {
    fn on_model(&mut self, status: &ModelStatus, _card: Option<&ModelCard>) {
        self.statuses.push(status.clone());
    }

    fn on_output(&mut self, output: StageOutput<'_>) {
        match output {
            StageOutput::Frame { index, activations } => self.frames.push((index, activations.to_vec())),
            StageOutput::Window { index, start_frame, scores, aggregated } => {
                self.windows.push((index, start_frame, scores.to_vec(), aggregated.to_vec()))
            }
        }
    }
}

/// A deterministic log-mel-like frame: band values vary with frame and band.
pub fn frame(t: u64) -> Vec<f32> {
    (0..128).map(|b| ((t as f32 * 0.37).sin() * 3.0 - 5.0) + (b as f32 * 0.05 + t as f32 * 0.11).cos()).collect()
}

/// Mean over bands of [`frame`] `t`.
pub fn frame_mean(t: u64) -> f32 {
    let f = frame(t);
    f.iter().sum::<f32>() / f.len() as f32
}

pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Loads a test model from a card and ONNX bytes.
pub fn load(card: ModelCard, onnx: &[u8]) -> LoadedModel {
    LoadedModel::from_parts(card, onnx, std::path::Path::new("test.onnx")).expect("test model loads")
}
