//! Time-stamped control values for the aligned mode: the worker sends each row's values with
//! the analysis frame they describe; the audio thread applies them when the delayed audio
//! reaches that frame, so CCs line up with the sound whatever the worker's lag.

use ringbuf::traits::Split;
use ringbuf::{HeapCons, HeapProd, HeapRb};

use super::publish::MAX_CLASSES;
use crate::models::{ModelCard, ModelKind};

/// Rows the queue holds (≈ 12 s of frames at 43 per second).
const CAPACITY: usize = 512;
/// Time the worker may take beyond the model's own latency (front-end window and resampler,
/// waking up, running the network) before an aligned value is due, in seconds.
pub const ALIGN_MARGIN_S: f32 = 0.15;

/// One row: the analysis frame at its centre and each class's values.
#[derive(Debug, Clone, Copy)]
pub struct ControlRecord {
    pub frame: u64,
    pub classes: usize,
    pub activation: [f32; MAX_CLASSES],
    pub decision_basis: [f32; MAX_CLASSES],
    pub threshold: [f32; MAX_CLASSES],
}

impl Default for ControlRecord {
    fn default() -> Self {
        Self { frame: 0, classes: 0, activation: [0.0; MAX_CLASSES], decision_basis: [0.0; MAX_CLASSES], threshold: [1.0; MAX_CLASSES] }
    }
}

/// The worker's and the audio thread's ends of the queue (allocated once, at activation).
pub fn control_timeline() -> (HeapProd<ControlRecord>, HeapCons<ControlRecord>) {
    HeapRb::new(CAPACITY).split()
}

/// Frames from a row's first frame to the frame it describes (a window's centre).
pub fn row_centre_frames(card: &ModelCard) -> u64 {
    match card.kind {
        ModelKind::FrameActivation => 0,
        ModelKind::WindowClip => card.input.frames as u64 / 2,
    }
}

/// Worst-case seconds from an input sample to the model value that includes it.
pub fn model_latency_s(card: &ModelCard) -> f32 {
    let frame_s = card.frontend.hop as f32 / card.frontend.sample_rate as f32;
    let waiting_frames = match card.kind {
        // A frame is final once the window starting after it has run.
        ModelKind::FrameActivation => card.input.frames,
        // A sample waits at most one hop for the next window to complete.
        ModelKind::WindowClip => card.input.hop_frames,
    };
    waiting_frames as f32 * frame_s
}

/// The aligned mode's delay for a model of `model_latency_s` at `host_rate`, in samples.
pub fn aligned_latency_samples(model_latency_s: f32, host_rate: f64) -> u32 {
    ((model_latency_s + ALIGN_MARGIN_S) as f64 * host_rate).ceil() as u32
}
