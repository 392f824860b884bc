//! Model stages: cut windows from the frame history, run the model, and turn outputs into
//! per-frame activations (frame-activation models, mixed with a companion window-clip model's
//! latest scores when the card names one) or window scores (window-clip models).

use super::aggregate::SlidingAggregator;
use super::history::FrameHistory;
use super::stitch::OverlapAdd;
use crate::models::{LoadedModel, ModelError, ModelKind};

/// What a stage hands on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StageOutput<'a> {
    /// The final activations of one frame (frame-activation models).
    Frame { index: u64, activations: &'a [f32] },
    /// One window's scores and the live aggregate over the last `aggregation.window_s` seconds.
    Window { index: u64, start_frame: u64, scores: &'a [f32], aggregated: &'a [f32] },
}

impl StageOutput<'_> {
    /// The first frame this output describes and its per-class values (activations or scores).
    pub fn start_and_values(&self) -> (u64, &[f32]) {
        match *self {
            StageOutput::Frame { index, activations } => (index, activations),
            StageOutput::Window { start_frame, scores, .. } => (start_frame, scores),
        }
    }
}

/// A loaded model plus its windowing state.
pub struct ModelStage {
    model: LoadedModel,
    window: Vec<f32>,
    /// Each extra input's latest frames and its silent frame (padding before it has enough).
    extra_windows: Vec<(Vec<f32>, Vec<f32>)>,
    output: Vec<f32>,
    next_start: u64,
    windows_run: u64,
    kind: StageKind,
    companion: Option<Companion>,
    /// A frame's activations mixed with the companion's scores.
    mixed: Vec<f32>,
}

/// A window-clip model run beside a frame-activation stage: every window that has ended by the
/// time a frame window runs, so a frame is mixed with the scores known when it is emitted (no
/// added latency).
struct Companion {
    model: LoadedModel,
    weight: f32,
    window: Vec<f32>,
    latest: Vec<f32>,
    has_scores: bool,
    next_start: u64,
}

impl Companion {
    fn new(model: LoadedModel, weight: f32, start_frame: u64) -> Self {
        Self { window: vec![0.0; model.window_len()], latest: vec![0.0; model.output_len()], has_scores: false, next_start: start_frame, weight, model }
    }

    /// Runs every window that ends at or before frame `end` (≤ the frames in `history`); a window
    /// whose frames the history no longer holds is skipped rather than waited for.
    fn run_until(&mut self, history: &FrameHistory, end: u64) -> Result<(), ModelError> {
        let (frames, hop) = (self.model.card().input.frames, self.model.card().input.hop_frames as u64);
        while self.next_start + frames as u64 <= end {
            if history.copy_window(self.next_start, frames, &mut self.window) {
                self.model.run(&self.window, &mut self.latest)?;
                self.has_scores = true;
            }
            self.next_start += hop;
        }
        Ok(())
    }

    /// `activations` mixed with the latest window scores into `mixed` (copied before the first
    /// window); classes past the frame network's own (taught classes) take the companion's score.
    fn mix(&self, activations: &[f32], mixed: &mut [f32]) {
        let weight = if self.has_scores { self.weight } else { 0.0 };
        let (shared, companion_only) = mixed.split_at_mut(activations.len());
        for ((out, &activation), &score) in shared.iter_mut().zip(activations).zip(&self.latest) {
            *out = (1.0 - weight) * activation + weight * score;
        }
        for (out, &score) in companion_only.iter_mut().zip(&self.latest[activations.len()..]) {
            *out = if self.has_scores { score } else { 0.0 };
        }
    }
}

/// Emits frame `index`: its activations, mixed with the companion's scores when there is one.
fn emit_frame(companion: Option<&Companion>, mixed: &mut [f32], index: u64, activations: &[f32], emit: &mut impl FnMut(StageOutput)) {
    let activations = match companion {
        Some(companion) => {
            companion.mix(activations, mixed);
            &*mixed
        }
        None => activations,
    };
    emit(StageOutput::Frame { index, activations });
}

enum StageKind {
    Frame { stitch: OverlapAdd, next_emit: u64 },
    Window { live: SlidingAggregator, aggregated: Vec<f32> },
}

impl ModelStage {
    /// Prepares `model` (and its companion) to produce output from frame `start_frame` on.
    pub fn new(mut model: LoadedModel, start_frame: u64) -> Self {
        let weight = model.card().companion.as_ref().map_or(0.0, |companion| companion.weight);
        let companion = model.take_companion().map(|companion| Companion::new(companion, weight, start_frame));
        let card = model.card();
        let (classes, frames, hop) = (card.labels.len(), card.input.frames, card.input.hop_frames);
        let kind = match card.kind {
            ModelKind::FrameActivation => StageKind::Frame { stitch: OverlapAdd::new(model.network_classes(), frames, hop), next_emit: start_frame },
            ModelKind::WindowClip => {
                let window_period_s = hop as f32 * card.frontend.hop as f32 / card.frontend.sample_rate as f32;
                let capacity = (card.aggregation.window_s / window_period_s).round().max(1.0) as usize;
                StageKind::Window { live: SlidingAggregator::new(classes, capacity), aggregated: vec![0.0; classes] }
            }
        };
        let mixed = vec![0.0; card.labels.len()];
        let extra_windows = card.frontend_configs()[1..].iter().enumerate().map(|(i, config)| (vec![0.0; model.input_len(i + 1)], config.silence_frame())).collect();
        Self { extra_windows, window: vec![0.0; model.window_len()], output: vec![0.0; model.output_len()], next_start: start_frame, windows_run: 0, kind, companion, mixed, model }
    }

    /// The model this stage runs.
    pub fn model(&self) -> &LoadedModel {
        &self.model
    }

    /// Where a replacement stage should start so no frame is emitted twice or skipped.
    pub fn resume_frame(&self) -> u64 {
        match &self.kind {
            StageKind::Frame { next_emit, .. } => *next_emit,
            StageKind::Window { .. } => self.next_start,
        }
    }

    /// Runs every window that the history now completes (with the extra inputs' latest frames).
    pub fn advance(&mut self, history: &FrameHistory, extras: &[FrameHistory], emit: &mut impl FnMut(StageOutput)) -> Result<(), ModelError> {
        self.advance_until(history, extras, u64::MAX, emit)
    }

    /// End of stream: pads the history with `silence` frames so that every real frame is covered,
    /// then emits what is left (never past the last real frame).
    pub fn flush(&mut self, history: &mut FrameHistory, extras: &[FrameHistory], silence: &[f32], emit: &mut impl FnMut(StageOutput)) -> Result<(), ModelError> {
        let real_end = history.count();
        let frames = self.model.card().input.frames as u64;
        let needs_window = |stage: &Self| match stage.kind {
            StageKind::Frame { .. } => stage.covered_end() < real_end,
            StageKind::Window { .. } => stage.windows_run == 0 && real_end > 0,
        };
        while needs_window(self) {
            while history.count() < self.next_start + frames {
                history.push(silence);
            }
            self.advance_until(history, extras, real_end, emit)?;
        }
        if let StageKind::Frame { stitch, next_emit } = &mut self.kind {
            let remaining = real_end.saturating_sub(*next_emit) as usize;
            let (companion, mixed) = (self.companion.as_ref(), &mut self.mixed);
            stitch.flush(remaining, |activations| {
                emit_frame(companion, mixed, *next_emit, activations, emit);
                *next_emit += 1;
            });
        }
        Ok(())
    }

    /// Runs the model on the main window and, for a model with extra inputs, their latest frames.
    fn run_model(&mut self, extras: &[FrameHistory]) -> Result<(), ModelError> {
        if self.extra_windows.is_empty() {
            return self.model.run(&self.window, &mut self.output);
        }
        for ((window, silence), history) in self.extra_windows.iter_mut().zip(extras) {
            history.copy_latest(window.len() / silence.len(), silence, window);
        }
        // At most a main and three extra inputs (seed 004's fusion has two extras).
        let mut inputs: [&[f32]; 4] = [&self.window, &[], &[], &[]];
        for (slot, (window, _)) in inputs[1..].iter_mut().zip(&self.extra_windows) {
            *slot = window;
        }
        self.model.run_inputs(&inputs[..1 + self.extra_windows.len()], &mut self.output)
    }

    /// One past the last frame that some window has covered.
    fn covered_end(&self) -> u64 {
        let input = &self.model.card().input;
        match self.windows_run {
            0 => self.next_start,
            _ => self.next_start - input.hop_frames as u64 + input.frames as u64,
        }
    }

    fn advance_until(&mut self, history: &FrameHistory, extras: &[FrameHistory], frame_limit: u64, emit: &mut impl FnMut(StageOutput)) -> Result<(), ModelError> {
        let (frames, hop) = (self.model.card().input.frames, self.model.card().input.hop_frames as u64);
        while history.copy_window(self.next_start, frames, &mut self.window) {
            if let Some(companion) = self.companion.as_mut() {
                companion.run_until(history, (self.next_start + frames as u64).min(frame_limit))?;
            }
            self.run_model(extras)?;
            let start_frame = self.next_start;
            let index = self.windows_run;
            let (companion, mixed) = (self.companion.as_ref(), &mut self.mixed);
            match &mut self.kind {
                StageKind::Frame { stitch, next_emit } => stitch.add_window(&self.output, |activations| {
                    if *next_emit < frame_limit {
                        emit_frame(companion, mixed, *next_emit, activations, emit);
                    }
                    *next_emit += 1;
                }),
                StageKind::Window { live, aggregated } => {
                    live.push(&self.output);
                    live.aggregate(self.model.card().aggregation.method, aggregated);
                    emit(StageOutput::Window { index, start_frame, scores: &self.output, aggregated });
                }
            }
            self.next_start += hop;
            self.windows_run += 1;
        }
        Ok(())
    }
}
