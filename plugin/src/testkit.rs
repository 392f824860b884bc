//! Small models whose outputs are known in closed form, for testing the engine end to end, and
//! test signals for teaching a class.
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
        extra_inputs: Vec::new(),
        aggregation: Aggregation { method: AggregationMethod::S2, window_s: 1.0 },
        thresholds,
        clip_thresholds: BTreeMap::new(),
        companion: None,
        fusion: None,
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

/// A tiny deterministic generator (Knuth's MMIX LCG), 0–1.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// A sound no shipped class is, for teaching tests: FM bells (carrier:modulator 1:3.5,
/// decaying index) at random pitches, 0.6 s apart, at `rate` Hz.
pub fn fm_bells(seconds: f32, rate: f32, seed: u64) -> Vec<f32> {
    let mut rng = Lcg(seed);
    let note = (0.6 * rate) as usize;
    (0..(seconds * rate) as usize / note)
        .flat_map(|_| {
            let pitch = 400.0 * 2f32.powf(rng.next() * 1.5);
            (0..note).map(move |i| {
                let t = i as f32 / rate;
                let index = 4.0 * (-t * 3.0).exp();
                let modulator = (std::f32::consts::TAU * 3.5 * pitch * t).sin();
                0.3 * (-t * 2.0).exp() * (std::f32::consts::TAU * pitch * t + index * modulator).sin()
            })
        })
        .collect()
}

/// Other sounds for teaching tests: noise bursts, low sawtooth drones and plain sines, a random
/// one every second, at `rate` Hz.
pub fn other_sounds(seconds: f32, rate: f32, seed: u64) -> Vec<f32> {
    let mut rng = Lcg(seed);
    let stretch = rate as usize;
    let mut out = Vec::new();
    for _ in 0..(seconds * rate) as usize / stretch {
        let (kind, pitch) = ((rng.next() * 3.0) as usize, 60.0 + 200.0 * rng.next());
        for i in 0..stretch {
            let t = i as f32 / rate;
            out.push(match kind {
                0 => 0.2 * (rng.next() - 0.5),
                1 => 0.2 * ((pitch * t).fract() - 0.5),
                _ => 0.2 * (std::f32::consts::TAU * 4.0 * pitch * t).sin(),
            });
        }
    }
    out
}

/// Every log-mel frame of `samples` at `rate` Hz through the product's front-end, frame-major.
pub fn log_mel_of(samples: &[f32], rate: f32) -> Vec<f32> {
    let mut frontend = crate::frontend::Frontend::new(f64::from(rate), FrontendConfig::default()).expect("a supported rate");
    let mut frames = Vec::new();
    frontend.process(samples, |frame| frames.extend_from_slice(frame));
    frontend.finish(|frame| frames.extend_from_slice(frame));
    frames
}
