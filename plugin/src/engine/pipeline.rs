//! Wiring: ring + tap + front-end + sink, built together before audio starts.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use ringbuf::traits::{Consumer, Split};
use ringbuf::{HeapCons, HeapRb};

use super::{AnalysisTap, TapStats};
use crate::frontend::{FrontendConfig, FrontendError, Frontend};

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

/// Receives every frame the front-end produces (the analyzer, or a test probe).
pub trait FrameSink: Send {
    /// Called once per frame with `n_mels` values (log-mel bands, or the active kind's bins).
    fn on_frame(&mut self, log_mel: &[f32]);
    /// Called once per frame of extra input `input` (1, 2, …) of a model with several inputs.
    fn on_extra_frame(&mut self, _input: usize, _frame: &[f32]) {}
    /// The features the sink's model reads, its main input's first; when they differ from the
    /// front-end's, the loop builds a new front-end for them (a model of another feature kind
    /// became active).
    fn wanted_frontend(&self) -> Option<&[FrontendConfig]> {
        None
    }
    /// The loop built a front-end for `configs`: frames from now on are of these features.
    fn frontend_built(&mut self, _configs: &[FrontendConfig]) {}
    /// Called after each drain of the ring that consumed audio.
    fn on_drained(&mut self, _stats: &LoopStats) {}
}

/// Runs `samples` through `frontend` into `sink`: main-input frames to `on_frame`, the others'
/// to `on_extra_frame`.
pub fn feed_sink(frontend: &mut Frontend, samples: &[f32], sink: &mut impl FrameSink) {
    frontend.process_inputs(samples, |input, frame| deliver(sink, input, frame));
}

/// End of stream: `frontend`'s last frames into `sink`.
pub fn finish_sink(frontend: &mut Frontend, sink: &mut impl FrameSink) {
    frontend.finish_inputs(|input, frame| deliver(sink, input, frame));
}

fn deliver(sink: &mut impl FrameSink, input: usize, frame: &[f32]) {
    match input {
        0 => sink.on_frame(frame),
        extra => sink.on_extra_frame(extra, frame),
    }
}

/// The worker's running totals, handed to the sink after each drain.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoopStats {
    /// Worker time spent per second of audio analysed (0.01 = 1 % of one core).
    pub cpu_share: f32,
    /// Samples the audio thread dropped because the ring was full.
    pub dropped_samples: u64,
    /// NaN/Inf samples replaced by silence.
    pub non_finite_samples: u64,
    /// Front-end delay: resampler plus the feature kind's own (one FFT window for log-mel), in seconds.
    pub frontend_latency_s: f32,
}

/// Worker side: pops the ring and runs the front-end into a sink. One `drain` call per wake-up.
pub struct AnalysisLoop<S: FrameSink> {
    consumer: HeapCons<f32>,
    frontend: Frontend,
    sink: S,
    chunk: Vec<f32>,
    tap_stats: Arc<TapStats>,
    host_rate: f64,
    busy_s: f64,
    audio_samples: u64,
    /// Non-finite samples counted by front-ends this loop has since replaced.
    earlier_non_finite: u64,
}

/// Builds the audio-thread tap and the worker loop that share one lock-free ring.
pub fn analysis_pipeline<S: FrameSink>(
    config: &PipelineConfig,
    mut sink: S,
) -> Result<(AnalysisTap, AnalysisLoop<S>), FrontendError> {
    let frontend = Frontend::new(config.host_rate, config.frontend.clone())?;
    sink.frontend_built(frontend.configs());
    let capacity = ((config.host_rate * config.ring_seconds) as usize).max(2 * config.max_block);
    let (producer, consumer) = HeapRb::<f32>::new(capacity).split();
    let tap_stats = Arc::new(TapStats::default());
    let tap = AnalysisTap::new(producer, config.max_block, tap_stats.clone());
    let chunk = vec![0.0; 4096];
    let analysis = AnalysisLoop { consumer, frontend, sink, chunk, tap_stats, host_rate: config.host_rate, busy_s: 0.0, audio_samples: 0, earlier_non_finite: 0 };
    Ok((tap, analysis))
}

impl<S: FrameSink> AnalysisLoop<S> {
    /// Processes everything currently in the ring; returns the number of samples consumed.
    pub fn drain(&mut self) -> usize {
        self.drain_while(|| true)
    }

    /// Like [`Self::drain`], but stops between chunks once `keep_going` says no (a deactivation
    /// need not wait for a backlog whose results nobody will read).
    pub fn drain_while(&mut self, keep_going: impl Fn() -> bool) -> usize {
        let started = Instant::now();
        let mut consumed = 0;
        while keep_going() {
            let n = self.consumer.pop_slice(&mut self.chunk);
            if n == 0 {
                break;
            }
            consumed += n;
            let sink = &mut self.sink;
            feed_sink(&mut self.frontend, &self.chunk[..n], sink);
            self.follow_sink_frontend();
        }
        if consumed > 0 {
            self.busy_s += started.elapsed().as_secs_f64();
            self.audio_samples += consumed as u64;
            let stats = self.stats();
            self.sink.on_drained(&stats);
        }
        consumed
    }

    /// Swaps in a front-end for the features the sink now wants. This allocates, on the worker,
    /// only when a model of another feature kind became active (a model swap allocates anyway).
    fn follow_sink_frontend(&mut self) {
        let Some(wanted) = self.sink.wanted_frontend() else { return };
        if wanted == self.frontend.configs() {
            return;
        }
        if let Ok(frontend) = Frontend::with_inputs(self.host_rate, wanted.to_vec()) {
            self.earlier_non_finite += self.frontend.non_finite_samples();
            self.frontend = frontend;
            self.sink.frontend_built(self.frontend.configs());
        }
    }

    /// Running totals of this loop and its tap.
    pub fn stats(&self) -> LoopStats {
        let audio_s = self.audio_samples as f64 / self.host_rate;
        LoopStats {
            cpu_share: if audio_s > 0.0 { (self.busy_s / audio_s) as f32 } else { 0.0 },
            dropped_samples: self.tap_stats.dropped_samples.load(Ordering::Relaxed),
            non_finite_samples: self.earlier_non_finite + self.frontend.non_finite_samples(),
            frontend_latency_s: self.frontend.latency_s(self.host_rate) as f32,
        }
    }

    /// The front-end (for its counters and settings).
    pub fn frontend(&self) -> &Frontend {
        &self.frontend
    }

    /// The sink frames are delivered to.
    pub fn sink(&self) -> &S {
        &self.sink
    }
}
