//! The step model: a test model with a known response (drums follow the input's loudness, cello
//! and violin are always on), written to a folder as card + ONNX for the plugin to load.

use std::path::{Path, PathBuf};

use instrumeter::models::ModelKind;
use instrumeter::testkit::mean_band_frame_model;

/// Instrument slots (`INSTRUMENTS` order); their default CC is 20 + slot, gate note 36 + slot.
pub const CELLO: u8 = 0;
pub const VIOLIN: u8 = 9;
pub const DRUMS: u8 = 12;

/// Writes the model: drums = sigmoid(mean log-mel + 12) (≈ 0 in silence, ≈ 1 with noise),
/// cello = sigmoid(2), violin = sigmoid(0.4), every other class sigmoid(−4); thresholds 0.5.
/// Returns the card's path in `folder` (`step.card.json`).
pub fn write_step_model(folder: &Path) -> PathBuf {
    let mut gains = [0.0f32; 13];
    let mut biases = [-4.0f32; 13];
    (gains[DRUMS as usize], biases[DRUMS as usize]) = (1.0, 12.0);
    (biases[CELLO as usize], biases[VIOLIN as usize]) = (2.0, 0.4);
    let (card, onnx) = mean_band_frame_model(&gains, &biases, 16, 8, true);
    assert_eq!(card.kind, ModelKind::FrameActivation);
    std::fs::write(folder.join("step.card.json"), serde_json::to_vec(&card).unwrap()).unwrap();
    std::fs::write(folder.join("step.onnx"), onnx).unwrap();
    folder.join("step.card.json")
}
