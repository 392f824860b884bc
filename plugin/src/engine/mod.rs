//! The analysis engine: audio-thread tap → lock-free ring → worker (front-end, model stages,
//! stitching, aggregation) → publishers. Host-independent: the plugin, offline tools and tests
//! drive the same types.

mod aggregate;
mod analyzer;
mod history;
mod pipeline;
mod publish;
mod stages;
mod stitch;
mod tap;
mod thresholds;
mod timeline;
mod worker;

#[cfg(test)]
mod fault_tests;

pub use aggregate::{aggregate, decide, SlidingAggregator};
pub use analyzer::{AnalysisOutput, Analyzer, ModelStatus, HISTORY_FRAMES};
pub use history::FrameHistory;
pub use pipeline::{analysis_pipeline, feed_sink, finish_sink, AnalysisLoop, FrameSink, LoopStats, PipelineConfig};
pub use publish::{AnalysisSnapshot, ControlValues, LivePublisher, MAX_CLASSES};
pub use stages::{ModelStage, StageOutput};
pub use stitch::{stitch_window, OverlapAdd};
pub use tap::{AnalysisTap, TapStats};
pub use thresholds::{instrument_slot, label_slots, ThresholdOverrides, INSTRUMENT_SLOTS, TAUGHT_SLOTS};
pub use timeline::{aligned_latency_samples, control_timeline, model_latency_s, ControlRecord};
pub use worker::AnalysisWorker;
