//! Hostile audio into the front-end and the live pipeline: no panic, finite features, counted repairs.

use instrumeter::engine::{analysis_pipeline, AnalysisWorker, FrameSink, PipelineConfig};
use instrumeter::frontend::{FrontendConfig, Frontend};

const RATE: f64 = 48_000.0;

fn hostile_signals() -> Vec<(&'static str, Vec<f32>)> {
    let n = 48_000;
    let square = |i: usize| if (i / 50) % 2 == 0 { 1.0 } else { -1.0 };
    vec![
        ("nan", vec![f32::NAN; n]),
        ("+inf", vec![f32::INFINITY; n]),
        ("-inf", vec![f32::NEG_INFINITY; n]),
        ("denormal", vec![1e-40; n]),
        ("dc", vec![1.0; n]),
        ("full-scale square", (0..n).map(square).collect()),
        ("nan bursts in a sine", (0..n).map(|i| if i % 1000 < 3 { f32::NAN } else { (i as f32 * 0.05).sin() }).collect()),
        ("silence", vec![0.0; n]),
    ]
}

fn log_mel_frames(signal: &[f32]) -> (Vec<Vec<f32>>, u64) {
    let mut frontend = Frontend::new(RATE, FrontendConfig::default()).unwrap();
    let mut frames = Vec::new();
    frontend.process(signal, |frame| frames.push(frame.to_vec()));
    (frames, frontend.non_finite_samples())
}

#[test]
fn hostile_audio_gives_finite_features() {
    let floor = FrontendConfig::default().log_eps.ln();
    for (name, signal) in hostile_signals() {
        let (frames, _) = log_mel_frames(&signal);
        assert!(frames.len() > 30, "{name}: only {} frames", frames.len());
        for frame in &frames {
            assert!(frame.iter().all(|v| v.is_finite() && *v >= floor - 1e-3), "{name}: {frame:?}");
        }
    }
}

#[test]
fn non_finite_samples_are_counted_exactly() {
    let counts: Vec<(&str, u64)> =
        hostile_signals().iter().map(|(name, s)| (*name, log_mel_frames(s).1)).collect();
    let expected = [48_000, 48_000, 48_000, 0, 0, 0, 48 * 3, 0];
    for ((name, count), want) in counts.iter().zip(expected) {
        assert_eq!(*count, want, "{name}");
    }
}

#[test]
fn replaced_samples_sound_like_silence() {
    let (nan_frames, _) = log_mel_frames(&vec![f32::NAN; 48_000]);
    let (silent_frames, _) = log_mel_frames(&vec![0.0; 48_000]);
    assert_eq!(nan_frames, silent_frames);
}

/// Counts frames and checks each one on the worker thread.
struct FiniteCheck {
    frames: std::sync::Arc<std::sync::atomic::AtomicU64>,
    bad: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl FrameSink for FiniteCheck {
    fn on_frame(&mut self, log_mel: &[f32]) {
        use std::sync::atomic::Ordering::Relaxed;
        self.frames.fetch_add(1, Relaxed);
        if !log_mel.iter().all(|v| v.is_finite()) {
            self.bad.fetch_add(1, Relaxed);
        }
    }
}

#[test]
fn the_worker_thread_survives_hostile_audio() {
    use std::sync::atomic::Ordering::Relaxed;
    let config = PipelineConfig { host_rate: RATE, max_block: 1024, ring_seconds: 20.0, frontend: FrontendConfig::default() };
    let (frames, bad) = Default::default();
    let sink = FiniteCheck { frames: std::sync::Arc::clone(&frames), bad: std::sync::Arc::clone(&bad) };
    let (mut tap, analysis) = analysis_pipeline(&config, sink).unwrap();
    let mut worker = AnalysisWorker::spawn(analysis).unwrap();
    for (_, signal) in hostile_signals() {
        for block in signal.chunks(1000) {
            tap.push_downmix(&[block, block]);
        }
    }
    let expected_frames = (8.0 * 22_050.0 / 512.0) as u64 - 3;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while frames.load(Relaxed) < expected_frames && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    worker.stop();
    assert!(frames.load(Relaxed) >= expected_frames, "worker produced {} frames", frames.load(Relaxed));
    assert_eq!(bad.load(Relaxed), 0);
    assert_eq!(worker.non_finite_samples(), 3 * 48_000 + 48 * 3);
}
