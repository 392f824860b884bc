//! Faults on the live path: a worker stalled for 5 s (a model stuck, a machine swapping). The
//! audio thread keeps its pace without waiting, the overflow is counted, and the worker catches
//! up once it runs again (the time it takes is printed).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{analysis_pipeline, AnalysisWorker, FrameSink, PipelineConfig};
use crate::frontend::FrontendConfig;

const HOST_RATE: f64 = 48_000.0;
const BLOCK: usize = 512;
const STALL: Duration = Duration::from_secs(5);
/// The live ring's size (`live.rs`).
const RING_SECONDS: f64 = 2.0;

/// Stalls on its first frame, as a model that hangs for `STALL` would.
struct StallingSink {
    stalled: bool,
    /// When the stall ended.
    resumed: Arc<Mutex<Option<Instant>>>,
}

impl FrameSink for StallingSink {
    fn on_frame(&mut self, _log_mel: &[f32]) {
        if !self.stalled {
            self.stalled = true;
            std::thread::sleep(STALL);
            *self.resumed.lock().unwrap() = Some(Instant::now());
        }
    }
}

#[test]
fn a_worker_stalled_for_5_s_never_blocks_the_audio_thread_counts_the_overflow_and_catches_up() {
    let config = PipelineConfig { host_rate: HOST_RATE, max_block: BLOCK, ring_seconds: RING_SECONDS, frontend: FrontendConfig::default() };
    let resumed = Arc::new(Mutex::new(None));
    let (mut tap, analysis) = analysis_pipeline(&config, StallingSink { stalled: false, resumed: resumed.clone() }).unwrap();
    let stats = tap.stats().clone();
    let mut worker = AnalysisWorker::spawn(analysis).unwrap();
    let host_samples_per_frame = config.frontend.hop as f64 * HOST_RATE / f64::from(config.frontend.sample_rate);
    let block = vec![0.25f32; BLOCK];
    let block_time = Duration::from_secs_f64(BLOCK as f64 / HOST_RATE);
    let (started, mut longest_push, mut caught_up_after) = (Instant::now(), Duration::ZERO, None);
    // The audio thread: 9 s of blocks at the host's pace.
    for index in 0..(9.0 * HOST_RATE / BLOCK as f64) as u32 {
        let push = Instant::now();
        tap.push_downmix(&[&block]);
        longest_push = longest_push.max(push.elapsed());
        let backlog = backlog_samples(&stats, worker.frames(), host_samples_per_frame);
        let resumed_at = *resumed.lock().unwrap();
        if let (Some(at), None) = (resumed_at, caught_up_after) {
            if backlog < 8192.0 {
                caught_up_after = Some(at.elapsed());
            }
        }
        let due = started + block_time * (index + 1);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
    }
    worker.stop();
    let dropped = stats.dropped_samples.load(Ordering::Relaxed) as f64 / HOST_RATE;
    println!("stall {STALL:?}: longest push {longest_push:?}, {dropped:.2} s of audio dropped, backlog cleared {caught_up_after:?} after the worker resumed (seen at block resolution, {block_time:?})");
    // A push that waited for the worker would take seconds; the pushes only copy a block.
    assert!(longest_push < Duration::from_millis(100), "the audio thread waited: {longest_push:?}");
    // The ring holds 2 s: of the 5 s stall, about 3 s cannot fit and must be counted.
    assert!((2.0..=4.0).contains(&dropped), "{dropped:.2} s counted as dropped");
    assert!(caught_up_after.is_some(), "the worker never caught up after the stall");
}

/// Host samples pushed and not yet turned into frames (an estimate to within a frame or two).
fn backlog_samples(stats: &super::TapStats, frames: u64, host_samples_per_frame: f64) -> f64 {
    let kept = stats.pushed_samples.load(Ordering::Relaxed) as f64;
    kept - frames as f64 * host_samples_per_frame
}
