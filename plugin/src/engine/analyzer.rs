//! The worker's frame sink: keeps the frame history, runs the active model stage, swaps in newly
//! loaded models between windows, and reports everything to an [`AnalysisOutput`].

use std::sync::mpsc::{Receiver, TryRecvError};

use super::history::FrameHistory;
use super::stages::{ModelStage, StageOutput};
use super::{FrameSink, LoopStats};
use crate::frontend::FrontendConfig;
use crate::models::{LoadedModel, ModelCard, ModelError, ModelUpdate};

/// Frames of history kept: enough for any window a card may ask for.
pub const HISTORY_FRAMES: usize = 128;

/// The active model's state, as shown in the status line.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelStatus {
    /// No model has been loaded.
    NoModel,
    /// This model is running.
    Ready(String),
    /// The last load failed; the previous model (if any) keeps running.
    Failed(String),
}

/// Where analysis results go (the live publisher, the offline writer, tests).
pub trait AnalysisOutput: Send {
    /// A new model is active (or failed to load); `card` is the active model's, if any.
    fn on_model(&mut self, status: &ModelStatus, card: Option<&ModelCard>);
    /// A stage produced output.
    fn on_output(&mut self, output: StageOutput<'_>);
    /// Every front-end frame, before any model sees it.
    fn on_log_mel(&mut self, _frame_index: u64, _log_mel: &[f32]) {}
    /// The worker finished draining the ring.
    fn on_drained(&mut self, _stats: &LoopStats) {}
}

/// Runs one model stage over the frame stream.
pub struct Analyzer<O: AnalysisOutput> {
    history: FrameHistory,
    /// The extra inputs' frames (a model with several inputs).
    extras: Vec<FrameHistory>,
    /// The features the histories hold (the active model's), the main input's first.
    features: Vec<FrontendConfig>,
    /// What the live loop's front-end computes (unknown offline, where the caller builds it from
    /// the card).
    frontend_in_use: Option<Vec<FrontendConfig>>,
    /// True while the live front-end still computes another model's features: its frames are
    /// dropped (set when either side changes, not compared per frame).
    frontend_lags: bool,
    stage: Option<ModelStage>,
    updates: Option<Receiver<ModelUpdate>>,
    output: O,
}

impl<O: AnalysisOutput> Analyzer<O> {
    /// An analyzer for `n_mels`-band log-mel frames, reporting to `output`.
    pub fn new(n_mels: usize, output: O) -> Self {
        let features = vec![FrontendConfig { n_mels, ..FrontendConfig::default() }];
        Self { history: FrameHistory::new(n_mels, HISTORY_FRAMES), extras: Vec::new(), features, frontend_in_use: None, frontend_lags: false, stage: None, updates: None, output }
    }

    /// Receives models from a loader; each arrival is swapped in before the next frame's windows.
    pub fn with_updates(mut self, updates: Receiver<ModelUpdate>) -> Self {
        self.updates = Some(updates);
        self
    }

    /// Makes `model` the active one (from the next frame not yet output). A model that reads
    /// other features starts a new frame stream: the history restarts empty, its frames counted
    /// on from the old stream's (so frame times stay continuous when the hops agree, as they do
    /// for every shipped model's main input: 512 samples).
    pub fn set_model(&mut self, model: LoadedModel) {
        let features = model.card().frontend_configs();
        if features != self.features {
            self.history = FrameHistory::starting_at(features[0].n_mels, HISTORY_FRAMES, self.history.count());
            self.extras = features[1..].iter().map(|config| FrameHistory::new(config.n_mels, HISTORY_FRAMES)).collect();
            self.stage = None;
            self.features = features;
            self.update_frontend_lags();
        }
        let start = self.stage.as_ref().map_or(self.history.count(), ModelStage::resume_frame);
        let status = ModelStatus::Ready(model.card().display_name());
        self.output.on_model(&status, Some(model.card()));
        self.stage = Some(ModelStage::new(model, start));
    }

    /// End of stream: outputs the frames and windows still pending (offline use).
    pub fn finish(&mut self, silence: &[f32]) {
        let Self { history, extras, stage, output, .. } = self;
        if let Some(stage) = stage.as_mut() {
            let result = stage.flush(history, extras, silence, &mut |out| output.on_output(out));
            Self::report_failure(stage, output, result);
        }
    }

    /// The output sink.
    pub fn output(&self) -> &O {
        &self.output
    }

    /// The output sink, to drain what it collected.
    pub fn output_mut(&mut self) -> &mut O {
        &mut self.output
    }

    /// Consumes the analyzer, returning its output sink.
    pub fn into_output(self) -> O {
        self.output
    }

    fn receive_updates(&mut self) {
        let Some(updates) = self.updates.as_ref() else { return };
        match updates.try_recv() {
            Ok(Ok(model)) => self.set_model(model),
            Ok(Err(error)) => {
                let status = ModelStatus::Failed(error.to_string());
                self.output.on_model(&status, self.stage.as_ref().map(|s| s.model().card()));
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => self.updates = None,
        }
    }

    fn update_frontend_lags(&mut self) {
        self.frontend_lags = self.frontend_in_use.as_ref().is_some_and(|in_use| *in_use != self.features);
    }

    fn report_failure(stage: &ModelStage, output: &mut O, result: Result<(), ModelError>) {
        if let Err(error) = result {
            output.on_model(&ModelStatus::Failed(error.to_string()), Some(stage.model().card()));
        }
    }
}

impl<O: AnalysisOutput> FrameSink for Analyzer<O> {
    fn on_frame(&mut self, log_mel: &[f32]) {
        self.receive_updates();
        if self.frontend_lags || log_mel.len() != self.history.n_mels() {
            // A frame of the previous model's features, made before the loop switched front-ends.
            return;
        }
        self.output.on_log_mel(self.history.count(), log_mel);
        self.history.push(log_mel);
        let Self { history, extras, stage, output, .. } = self;
        if let Some(stage) = stage.as_mut() {
            let result = stage.advance(history, extras, &mut |out| output.on_output(out));
            Self::report_failure(stage, output, result);
        }
    }

    fn on_drained(&mut self, stats: &LoopStats) {
        self.output.on_drained(stats);
    }

    fn on_extra_frame(&mut self, input: usize, frame: &[f32]) {
        if self.frontend_lags {
            return;
        }
        if let Some(history) = self.extras.get_mut(input.wrapping_sub(1)).filter(|h| h.n_mels() == frame.len()) {
            history.push(frame);
        }
    }

    fn wanted_frontend(&self) -> Option<&[FrontendConfig]> {
        Some(&self.features)
    }

    fn frontend_built(&mut self, configs: &[FrontendConfig]) {
        self.frontend_in_use = Some(configs.to_vec());
        self.update_frontend_lags();
    }
}
