//! An offline bounce (host faster than real time) is analysed completely: the tap waits for the
//! worker instead of dropping, while the real-time path drops and counts.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use instrumeter::engine::{analysis_pipeline, AnalysisWorker, FrameSink, PipelineConfig};
use instrumeter::frontend::FrontendConfig;

struct CountFrames(Arc<AtomicU64>);

impl FrameSink for CountFrames {
    fn on_frame(&mut self, _log_mel: &[f32]) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Pushes 20 s of audio as fast as possible through a 20 ms ring; returns (dropped, frames).
fn bounce(offline: bool) -> (u64, u64) {
    let config = PipelineConfig { host_rate: 48_000.0, max_block: 512, ring_seconds: 0.02, frontend: FrontendConfig::default() };
    let frames = Arc::new(AtomicU64::new(0));
    let (mut tap, analysis) = analysis_pipeline(&config, CountFrames(frames.clone())).unwrap();
    let mut worker = AnalysisWorker::spawn(analysis).unwrap();
    let block: Vec<f32> = (0..512).map(|i| (i as f32 * 0.03).sin()).collect();
    for _ in 0..(20 * 48_000 / 512) {
        if offline {
            tap.push_downmix_offline(&[&block]);
        } else {
            tap.push_downmix(&[&block]);
        }
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    worker.stop();
    (tap.stats().dropped_samples.load(Ordering::Relaxed), frames.load(Ordering::Relaxed))
}

#[test]
fn offline_rendering_loses_no_sample() {
    let (dropped, frames) = bounce(true);
    assert_eq!(dropped, 0);
    let expected = (20.0f64 * 48_000.0 / 512.0).floor() * 512.0 / 48_000.0 * 22_050.0 / 512.0;
    assert!(frames as f64 >= expected - 4.0, "{frames} frames, expected ≈ {expected:.0}");
}

#[test]
fn real_time_rendering_drops_rather_than_waits() {
    let (dropped, _) = bounce(false);
    assert!(dropped > 0, "a 20 ms ring cannot take 20 s pushed at once without waiting");
}
