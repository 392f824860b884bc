//! Model stages: cut windows from the frame history, run the model, and turn outputs into
//! per-frame activations (frame-activation models) or window scores (window-clip models).

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
    output: Vec<f32>,
    next_start: u64,
    windows_run: u64,
    kind: StageKind,
}

enum StageKind {
    Frame { stitch: OverlapAdd, next_emit: u64 },
    Window { live: SlidingAggregator, aggregated: Vec<f32> },
}

impl ModelStage {
    /// Prepares `model` to produce output from frame `start_frame` on.
    pub fn new(model: LoadedModel, start_frame: u64) -> Self {
        let card = model.card();
        let (classes, frames, hop) = (card.labels.len(), card.input.frames, card.input.hop_frames);
        let kind = match card.kind {
            ModelKind::FrameActivation => StageKind::Frame { stitch: OverlapAdd::new(classes, frames, hop), next_emit: start_frame },
            ModelKind::WindowClip => {
                let window_period_s = hop as f32 * card.frontend.hop as f32 / card.frontend.sample_rate as f32;
                let capacity = (card.aggregation.window_s / window_period_s).round().max(1.0) as usize;
                StageKind::Window { live: SlidingAggregator::new(classes, capacity), aggregated: vec![0.0; classes] }
            }
        };
        Self { window: vec![0.0; model.window_len()], output: vec![0.0; model.output_len()], next_start: start_frame, windows_run: 0, kind, model }
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

    /// Runs every window that the history now completes.
    pub fn advance(&mut self, history: &FrameHistory, emit: &mut impl FnMut(StageOutput)) -> Result<(), ModelError> {
        self.advance_until(history, u64::MAX, emit)
    }

    /// End of stream: pads the history with `silence` frames so that every real frame is covered,
    /// then emits what is left (never past the last real frame).
    pub fn flush(&mut self, history: &mut FrameHistory, silence: &[f32], emit: &mut impl FnMut(StageOutput)) -> Result<(), ModelError> {
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
            self.advance_until(history, real_end, emit)?;
        }
        if let StageKind::Frame { stitch, next_emit } = &mut self.kind {
            let remaining = real_end.saturating_sub(*next_emit) as usize;
            stitch.flush(remaining, |activations| {
                emit(StageOutput::Frame { index: *next_emit, activations });
                *next_emit += 1;
            });
        }
        Ok(())
    }

    /// One past the last frame that some window has covered.
    fn covered_end(&self) -> u64 {
        let input = &self.model.card().input;
        match self.windows_run {
            0 => self.next_start,
            _ => self.next_start - input.hop_frames as u64 + input.frames as u64,
        }
    }

    fn advance_until(&mut self, history: &FrameHistory, frame_limit: u64, emit: &mut impl FnMut(StageOutput)) -> Result<(), ModelError> {
        let (frames, hop) = (self.model.card().input.frames, self.model.card().input.hop_frames as u64);
        while history.copy_window(self.next_start, frames, &mut self.window) {
            self.model.run(&self.window, &mut self.output)?;
            let start_frame = self.next_start;
            let index = self.windows_run;
            match &mut self.kind {
                StageKind::Frame { stitch, next_emit } => stitch.add_window(&self.output, |activations| {
                    if *next_emit < frame_limit {
                        emit(StageOutput::Frame { index: *next_emit, activations });
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
