//! The running analysis of one plugin activation: tap for the audio thread, worker thread behind it.

use std::sync::atomic::Ordering;

use triple_buffer::Output;

use crate::engine::{analysis_pipeline, AnalysisTap, AnalysisWorker, FrontendSnapshot, PipelineConfig, SnapshotPublisher};
use crate::frontend::FrontendConfig;

/// Seconds of audio the ring buffers while the worker is busy.
const RING_SECONDS: f64 = 2.0;

/// Everything one activation owns; dropped (worker joined) on deactivation.
pub struct LiveAnalysis {
    pub tap: AnalysisTap,
    worker: AnalysisWorker,
    latest: Output<FrontendSnapshot>,
}

impl LiveAnalysis {
    /// Allocates the ring and front-end for `host_rate` and starts the worker thread.
    pub fn start(host_rate: f64, max_block: usize) -> Result<Self, String> {
        let config = PipelineConfig { host_rate, max_block, ring_seconds: RING_SECONDS, frontend: FrontendConfig::default() };
        let (publisher, latest) = SnapshotPublisher::new(config.frontend.n_mels);
        let (tap, analysis) = analysis_pipeline(&config, publisher).map_err(|e| e.to_string())?;
        let worker = AnalysisWorker::spawn(analysis).map_err(|e| format!("could not start the analysis thread: {e}"))?;
        Ok(Self { tap, worker, latest })
    }

    /// Stops the worker and summarises what it did.
    pub fn stop(&mut self) -> String {
        self.worker.stop();
        let stats = self.tap.stats();
        format!(
            "analysis stopped: {} frames (latest #{}), {} samples dropped, {} non-finite samples replaced",
            self.worker.frames(),
            self.latest.read().frames,
            stats.dropped_samples.load(Ordering::Relaxed),
            self.worker.non_finite_samples(),
        )
    }
}
