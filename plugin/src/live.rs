//! The running analysis of one plugin activation: tap for the audio thread, worker thread behind it.

use triple_buffer::Output;

use crate::engine::{
    analysis_pipeline, AnalysisSnapshot, AnalysisTap, AnalysisWorker, Analyzer, LivePublisher, PipelineConfig,
};
use crate::frontend::FrontendConfig;
use crate::models::{ModelLoader, EMBEDDED_DEFAULT};

/// Seconds of audio the ring buffers while the worker is busy.
const RING_SECONDS: f64 = 2.0;

/// Everything one activation owns; dropped (worker joined) on deactivation.
pub struct LiveAnalysis {
    pub tap: AnalysisTap,
    worker: AnalysisWorker,
    latest: Output<AnalysisSnapshot>,
}

impl LiveAnalysis {
    /// Allocates the ring, front-end and publishers for `host_rate` and starts the worker thread.
    pub fn start(host_rate: f64, max_block: usize) -> Result<Self, String> {
        let config = PipelineConfig { host_rate, max_block, ring_seconds: RING_SECONDS, frontend: FrontendConfig::default() };
        // The smoothed control values will drive MIDI CC output from process() (not wired yet).
        let (publisher, latest, _controls) = LivePublisher::new(config.frontend.n_mels);
        let (loader, updates) = ModelLoader::new();
        let analyzer = Analyzer::new(config.frontend.n_mels, publisher).with_updates(updates);
        let (tap, analysis) = analysis_pipeline(&config, analyzer).map_err(|e| e.to_string())?;
        if let Some(model) = EMBEDDED_DEFAULT.as_ref() {
            loader.load_embedded(model);
        }
        let worker = AnalysisWorker::spawn(analysis).map_err(|e| format!("could not start the analysis thread: {e}"))?;
        Ok(Self { tap, worker, latest })
    }

    /// Stops the worker and summarises what it did.
    pub fn stop(&mut self) -> String {
        self.worker.stop();
        let snapshot = self.latest.read();
        format!(
            "analysis stopped after {} frames: model {:?}, {:.2} % CPU, {} samples dropped, {} non-finite samples replaced",
            snapshot.frames,
            snapshot.status,
            snapshot.cpu_share * 100.0,
            snapshot.dropped_samples,
            snapshot.non_finite_samples,
        )
    }
}
