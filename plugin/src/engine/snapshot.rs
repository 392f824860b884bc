//! What the worker publishes: the latest front-end frame and counters, through a triple buffer.

use triple_buffer::{triple_buffer, Input, Output};

/// Receives every log-mel frame the front-end produces (models plug in here).
pub trait FrameSink: Send {
    /// Called once per frame with `n_mels` log-mel values; must not allocate.
    fn on_frame(&mut self, log_mel: &[f32]);
}

/// The newest front-end state, as the editor and tests see it.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontendSnapshot {
    /// Frames computed since the worker started.
    pub frames: u64,
    /// The latest log-mel frame.
    pub log_mel: Vec<f32>,
}

/// Publishes a [`FrontendSnapshot`] per frame without blocking either side.
pub struct SnapshotPublisher {
    input: Input<FrontendSnapshot>,
    frames: u64,
}

impl SnapshotPublisher {
    /// Creates the publisher and the reader for `n_mels`-band frames.
    pub fn new(n_mels: usize) -> (Self, Output<FrontendSnapshot>) {
        let (input, output) = triple_buffer(&FrontendSnapshot { frames: 0, log_mel: vec![0.0; n_mels] });
        (Self { input, frames: 0 }, output)
    }
}

impl FrameSink for SnapshotPublisher {
    fn on_frame(&mut self, log_mel: &[f32]) {
        self.frames += 1;
        let next = self.input.input_buffer_mut();
        next.frames = self.frames;
        next.log_mel.copy_from_slice(log_mel);
        self.input.publish();
    }
}
