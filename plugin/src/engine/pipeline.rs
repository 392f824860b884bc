//! Wiring: ring + tap + front-end + sink, built together before audio starts.

use std::sync::Arc;

use ringbuf::traits::{Consumer, Split};
use ringbuf::{HeapCons, HeapRb};

use super::{AnalysisTap, FrameSink, TapStats};
use crate::frontend::{FrontendConfig, FrontendError, LogMelFrontend};

/// Sizes of the live analysis path for one activation.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// Host sample rate in Hz.
    pub host_rate: f64,
    /// Largest block the host will send (the tap copes with larger ones too).
    pub max_block: usize,
    /// Seconds of audio the ring holds before samples are dropped.
    pub ring_seconds: f64,
    /// The front-end's settings.
    pub frontend: FrontendConfig,
}

/// Worker side: pops the ring and runs the front-end into a sink. One `drain` call per wake-up.
pub struct AnalysisLoop<S: FrameSink> {
    consumer: HeapCons<f32>,
    frontend: LogMelFrontend,
    sink: S,
    chunk: Vec<f32>,
}

/// Builds the audio-thread tap and the worker loop that share one lock-free ring.
pub fn analysis_pipeline<S: FrameSink>(
    config: &PipelineConfig,
    sink: S,
) -> Result<(AnalysisTap, AnalysisLoop<S>), FrontendError> {
    let frontend = LogMelFrontend::new(config.host_rate, config.frontend.clone())?;
    let capacity = ((config.host_rate * config.ring_seconds) as usize).max(2 * config.max_block);
    let (producer, consumer) = HeapRb::<f32>::new(capacity).split();
    let tap = AnalysisTap::new(producer, config.max_block, Arc::new(TapStats::default()));
    let chunk = vec![0.0; 4096];
    Ok((tap, AnalysisLoop { consumer, frontend, sink, chunk }))
}

impl<S: FrameSink> AnalysisLoop<S> {
    /// Processes everything currently in the ring; returns the number of samples consumed.
    pub fn drain(&mut self) -> usize {
        let mut consumed = 0;
        loop {
            let n = self.consumer.pop_slice(&mut self.chunk);
            if n == 0 {
                return consumed;
            }
            consumed += n;
            let sink = &mut self.sink;
            self.frontend.process(&self.chunk[..n], |frame| sink.on_frame(frame));
        }
    }

    /// The front-end (for its counters and settings).
    pub fn frontend(&self) -> &LogMelFrontend {
        &self.frontend
    }

    /// The sink frames are delivered to.
    pub fn sink(&self) -> &S {
        &self.sink
    }
}
