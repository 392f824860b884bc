//! Live publishing: a snapshot per frame/window to the editor (triple_buffer) and smoothed
//! control values per instrument to the audio thread (atomics). Allocation-free per frame.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use atomic_float::AtomicF32;
use triple_buffer::{triple_buffer, Input, Output};

use super::aggregate::decide;
use super::analyzer::{AnalysisOutput, ModelStatus};
use super::stages::StageOutput;
use super::LoopStats;
use crate::models::{ModelCard, ModelKind};

/// Most classes a model may have (buffers are sized for this once).
pub const MAX_CLASSES: usize = 32;
/// One-pole smoothing of control values per frame (≈ 23 ms): fast attack, slower release.
const ATTACK: f32 = 0.5;
const RELEASE: f32 = 0.15;

/// What the editor reads: the newest state of the analysis.
#[derive(Debug, Clone)]
pub struct AnalysisSnapshot {
    /// Front-end frames analysed so far.
    pub frames: u64,
    /// The newest log-mel frame.
    pub log_mel: Vec<f32>,
    /// The active model's card.
    pub card: Option<Arc<ModelCard>>,
    /// Model state for the status line.
    pub status: Arc<ModelStatus>,
    /// Classes of the active model: the first `classes` entries below are meaningful.
    pub classes: usize,
    /// Newest activation per class (frame activation, or window score).
    pub activations: [f32; MAX_CLASSES],
    /// Newest decision per class (threshold crossed).
    pub decisions: [bool; MAX_CLASSES],
    /// Index of the newest activation row (frame index or window index); rows form the history.
    pub row: u64,
    /// Worker CPU time per second of audio analysed.
    pub cpu_share: f32,
    /// Seconds from the newest input sample to a published value (worst case).
    pub latency_s: f32,
    /// Samples dropped because the ring was full.
    pub dropped_samples: u64,
    /// NaN/Inf samples replaced by silence.
    pub non_finite_samples: u64,
}

/// Smoothed per-class control values for the audio thread.
#[derive(Debug)]
pub struct ControlValues {
    values: [AtomicF32; MAX_CLASSES],
    classes: AtomicUsize,
}

impl Default for ControlValues {
    fn default() -> Self {
        Self { values: std::array::from_fn(|_| AtomicF32::new(0.0)), classes: AtomicUsize::new(0) }
    }
}

impl ControlValues {
    /// Number of classes of the active model.
    pub fn classes(&self) -> usize {
        self.classes.load(Ordering::Relaxed)
    }

    /// Smoothed activation of class `index` (0 if out of range).
    pub fn get(&self, index: usize) -> f32 {
        self.values.get(index).map_or(0.0, |v| v.load(Ordering::Relaxed))
    }
}

/// The worker-side publisher.
pub struct LivePublisher {
    input: Input<AnalysisSnapshot>,
    state: AnalysisSnapshot,
    thresholds: Vec<f32>,
    controls: Arc<ControlValues>,
    frontend_latency_s: f32,
}

impl LivePublisher {
    /// Creates the publisher, the editor's reader and the audio thread's control values.
    pub fn new(n_mels: usize) -> (Self, Output<AnalysisSnapshot>, Arc<ControlValues>) {
        let state = AnalysisSnapshot {
            frames: 0,
            log_mel: vec![0.0; n_mels],
            card: None,
            status: Arc::new(ModelStatus::NoModel),
            classes: 0,
            activations: [0.0; MAX_CLASSES],
            decisions: [false; MAX_CLASSES],
            row: 0,
            cpu_share: 0.0,
            latency_s: 0.0,
            dropped_samples: 0,
            non_finite_samples: 0,
        };
        let (input, output) = triple_buffer(&state);
        let controls = Arc::new(ControlValues::default());
        let publisher = Self { input, state, thresholds: Vec::new(), controls: controls.clone(), frontend_latency_s: 0.0 };
        (publisher, output, controls)
    }

    fn publish(&mut self) {
        let next = self.input.input_buffer_mut();
        let state = &self.state;
        next.frames = state.frames;
        next.log_mel.copy_from_slice(&state.log_mel);
        next.card.clone_from(&state.card);
        next.status.clone_from(&state.status);
        (next.classes, next.activations, next.decisions) = (state.classes, state.activations, state.decisions);
        (next.row, next.cpu_share, next.latency_s) = (state.row, state.cpu_share, state.latency_s);
        (next.dropped_samples, next.non_finite_samples) = (state.dropped_samples, state.non_finite_samples);
        self.input.publish();
    }

    fn set_activations(&mut self, row: u64, values: &[f32], decision_basis: &[f32]) {
        let classes = values.len().min(MAX_CLASSES);
        self.state.row = row;
        self.state.classes = classes;
        self.state.activations[..classes].copy_from_slice(&values[..classes]);
        decide(&decision_basis[..classes], &self.thresholds, &mut self.state.decisions[..classes]);
        for (control, &value) in self.controls.values.iter().zip(values) {
            let previous = control.load(Ordering::Relaxed);
            let rate = if value > previous { ATTACK } else { RELEASE };
            control.store(previous + (value - previous) * rate, Ordering::Relaxed);
        }
    }
}

/// Worst-case seconds from an input sample to the model value that includes it.
fn model_latency_s(card: &ModelCard) -> f32 {
    let frame_s = card.frontend.hop as f32 / card.frontend.sample_rate as f32;
    let waiting_frames = match card.kind {
        // A frame is final once the window starting after it has run.
        ModelKind::FrameActivation => card.input.frames,
        // A sample waits at most one hop for the next window to complete.
        ModelKind::WindowClip => card.input.hop_frames,
    };
    waiting_frames as f32 * frame_s
}

impl AnalysisOutput for LivePublisher {
    fn on_model(&mut self, status: &ModelStatus, card: Option<&ModelCard>) {
        self.state.status = Arc::new(status.clone());
        if let Some(card) = card.filter(|_| matches!(status, ModelStatus::Ready(_))) {
            let classes = card.labels.len().min(MAX_CLASSES);
            self.thresholds = card.threshold_vector();
            self.state.card = Some(Arc::new(card.clone()));
            self.state.latency_s = self.frontend_latency_s + model_latency_s(card);
            self.state.classes = 0;
            self.controls.classes.store(classes, Ordering::Relaxed);
        }
        self.publish();
    }

    fn on_output(&mut self, output: StageOutput<'_>) {
        match output {
            StageOutput::Frame { index, activations } => self.set_activations(index, activations, activations),
            StageOutput::Window { index, scores, aggregated, .. } => self.set_activations(index, scores, aggregated),
        }
        self.publish();
    }

    fn on_log_mel(&mut self, frame_index: u64, log_mel: &[f32]) {
        self.state.frames = frame_index + 1;
        self.state.log_mel.copy_from_slice(log_mel);
        self.publish();
    }

    fn on_drained(&mut self, stats: &LoopStats) {
        self.state.cpu_share = stats.cpu_share;
        self.state.dropped_samples = stats.dropped_samples;
        self.state.non_finite_samples = stats.non_finite_samples;
        self.frontend_latency_s = stats.frontend_latency_s;
        self.publish();
    }
}
