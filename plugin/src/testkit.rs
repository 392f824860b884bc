//! Small models whose outputs are known in closed form, for testing the engine end to end.
//! They exercise the engine; they are not instrument models and are never shipped.

use std::collections::BTreeMap;

use crate::frontend::FrontendConfig;
use crate::models::onnx_graph::{Attr, OnnxGraph};
use crate::models::{instrument_labels, Aggregation, AggregationMethod, InputSpec, ModelCard, ModelKind};

/// A card for a test model of `kind` with `classes` labels and `frames`/`hop` windows.
pub fn test_card(kind: ModelKind, classes: usize, frames: usize, hop: usize) -> ModelCard {
    let labels = instrument_labels(classes);
    let thresholds: BTreeMap<String, f32> = labels.iter().map(|l| (l.code.clone(), 0.5)).collect();
    ModelCard {
        name: format!("test-{kind:?}-{classes}"),
        version: "0".into(),
        kind,
        labels,
        frontend: (&FrontendConfig::default()).into(),
        input: InputSpec { frames, hop_frames: hop, layout: "NCHW".into() },
        aggregation: Aggregation { method: AggregationMethod::S2, window_s: 1.0 },
        thresholds,
        clip_thresholds: BTreeMap::new(),
        companion: None,
        training: Default::default(),
        metrics: Vec::new(),
    }
}

/// Frame-activation model: `out[c][t] = sigmoid(gains[c] · mean_band(x[·, t]) + biases[c])`
/// (or without the sigmoid when `sigmoid` is false).
pub fn mean_band_frame_model(gains: &[f32], biases: &[f32], frames: usize, hop: usize, sigmoid: bool) -> (ModelCard, Vec<u8>) {
    let classes = gains.len();
    let n_mels = FrontendConfig::default().n_mels;
    let mut graph = OnnxGraph::new("mean_band_frame", "log_mel", &[1, 1, n_mels, frames]);
    let mean = graph.node("ReduceMean", &["log_mel"], &[("axes", Attr::Ints(vec![2])), ("keepdims", Attr::Int(1))]);
    let shape = graph.constant_i64("shape", &[1, 1, frames as i64]);
    let per_frame = graph.node("Reshape", &[&mean, &shape], &[]);
    let out = affine(&mut graph, &per_frame, gains, biases, &[1, classes, 1], sigmoid);
    (test_card(ModelKind::FrameActivation, classes, frames, hop), graph.finish(&out, &[1, classes, frames]))
}

/// Window-clip model: `out[c] = sigmoid(gains[c] · mean(x) + biases[c])` (sigmoid optional).
pub fn mean_window_clip_model(gains: &[f32], biases: &[f32], frames: usize, hop: usize, sigmoid: bool) -> (ModelCard, Vec<u8>) {
    let classes = gains.len();
    let n_mels = FrontendConfig::default().n_mels;
    let mut graph = OnnxGraph::new("mean_window_clip", "log_mel", &[1, 1, n_mels, frames]);
    let mean = graph.node("ReduceMean", &["log_mel"], &[("axes", Attr::Ints(vec![2, 3])), ("keepdims", Attr::Int(0))]);
    let out = affine(&mut graph, &mean, gains, biases, &[1, classes], sigmoid);
    (test_card(ModelKind::WindowClip, classes, frames, hop), graph.finish(&out, &[1, classes]))
}

fn affine(graph: &mut OnnxGraph, input: &str, gains: &[f32], biases: &[f32], dims: &[usize], sigmoid: bool) -> String {
    let gain = graph.constant("gains", dims, gains);
    let bias = graph.constant("biases", dims, biases);
    let scaled = graph.node("Mul", &[input, &gain], &[]);
    let shifted = graph.node("Add", &[&scaled, &bias], &[]);
    if sigmoid {
        graph.node("Sigmoid", &[&shifted], &[])
    } else {
        shifted
    }
}
