//! The analysis engine: the audio-thread tap, the lock-free ring and the background worker.
//!
//! Host-independent: the plugin, offline tools and tests drive the same types.

mod pipeline;
mod snapshot;
mod tap;
mod worker;

pub use pipeline::{analysis_pipeline, AnalysisLoop, PipelineConfig};
pub use snapshot::{FrameSink, FrontendSnapshot, SnapshotPublisher};
pub use tap::{AnalysisTap, TapStats};
pub use worker::AnalysisWorker;
