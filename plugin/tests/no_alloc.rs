//! Proves the real-time paths allocate nothing: the audio-thread tap, the worker's per-frame path
//! (front-end, analyzer, publisher) and its per-window path apart from tract's own allocations.
//!
//! The whole test binary runs on assert_no_alloc's checking allocator (warn mode), so every
//! allocation inside `assert_no_alloc` is counted per thread and a test fails on any count.

mod common;

use assert_no_alloc::{assert_no_alloc, reset_violation_count, violation_count, AllocDisabler};
use instrumeter::engine::{analysis_pipeline, Analyzer, LivePublisher, PipelineConfig};
use instrumeter::frontend::{FeatureKind, Frontend, FrontendConfig};
use instrumeter::models::LoadedModel;
use instrumeter::testkit::{mean_band_frame_model, mean_window_clip_model};

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

/// Runs `work` with allocation forbidden and returns how many allocations it attempted.
fn allocations_in(work: impl FnOnce()) -> u32 {
    reset_violation_count();
    assert_no_alloc(work);
    violation_count()
}

fn stereo_block(len: usize, phase: usize) -> [Vec<f32>; 2] {
    let sample = |i: usize, f: f32| (((phase + i) as f32) * f).sin() * 0.5;
    [(0..len).map(|i| sample(i, 0.031)).collect(), (0..len).map(|i| sample(i, 0.017)).collect()]
}

#[test]
fn the_checker_catches_an_allocation() {
    assert!(allocations_in(|| drop(std::hint::black_box(vec![1u8; 64]))) > 0);
}

#[test]
fn tap_and_worker_never_allocate_at_any_host_rate() {
    for host_rate in [22_050.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0, 44_056.0] {
        let config = PipelineConfig { host_rate, max_block: 4096, ring_seconds: 1.0, frontend: FrontendConfig::default() };
        let (publisher, _latest, _controls) = LivePublisher::new(128);
        let (mut tap, mut analysis) = analysis_pipeline(&config, Analyzer::new(128, publisher)).unwrap();
        let mut phase = 0;
        // Block sizes include 0, 1 and blocks larger than the tap's scratch (huge host blocks).
        for len in [0, 1, 3, 64, 512, 4096, 10_000, 333, 2048] {
            let block = stereo_block(len, phase);
            phase += len;
            let pushed = allocations_in(|| tap.push_downmix(&block));
            assert_eq!(pushed, 0, "tap allocated for a {len}-sample block at {host_rate} Hz");
            let drained = allocations_in(|| {
                analysis.drain();
            });
            assert_eq!(drained, 0, "worker allocated after a {len}-sample block at {host_rate} Hz");
        }
        assert!(analysis.frontend().frames_emitted() > 0, "no frames at {host_rate} Hz");
    }
}

#[test]
fn every_feature_kind_streams_and_finishes_without_allocating() {
    for kind in FeatureKind::ALL {
        for host_rate in [22_050.0, 48_000.0] {
            let mut frontend = Frontend::new(host_rate, FrontendConfig::for_kind(kind)).unwrap();
            let mut frames = 0;
            let mut phase = 0;
            for len in [0, 1, 7, 512, 4096, 20_000, 333] {
                let block = stereo_block(len, phase);
                phase += len;
                let allocations = allocations_in(|| frontend.process(&block[0], |_| frames += 1));
                assert_eq!(allocations, 0, "{kind:?} allocated for a {len}-sample block at {host_rate} Hz");
            }
            assert_eq!(allocations_in(|| frontend.finish(|_| frames += 1)), 0, "{kind:?} allocated in finish");
            assert!(frames > 0, "{kind:?} made no frames at {host_rate} Hz");
        }
    }
}

#[test]
fn a_full_ring_drops_and_counts_without_allocating() {
    let config = PipelineConfig { host_rate: 48_000.0, max_block: 512, ring_seconds: 0.01, frontend: FrontendConfig::default() };
    let (publisher, _latest, _controls) = LivePublisher::new(128);
    let (mut tap, _analysis) = analysis_pipeline(&config, Analyzer::new(128, publisher)).unwrap();
    let block = stereo_block(512, 0);
    let allocations = allocations_in(|| {
        for _ in 0..10 {
            tap.push_downmix(&block);
        }
    });
    assert_eq!(allocations, 0);
    let stats = tap.stats();
    let pushed = stats.pushed_samples.load(std::sync::atomic::Ordering::Relaxed);
    let dropped = stats.dropped_samples.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(pushed + dropped, 5120);
    assert!(dropped > 0, "a 10 ms ring cannot hold 5120 samples");
}

/// Allocations tract makes for the first run of a fresh `model` and for every later run
/// (checked to be the same each time).
fn allocations_per_run(model: &mut LoadedModel) -> (u32, u32) {
    let (window, mut output) = (vec![0.5; model.window_len()], vec![0.0; model.output_len()]);
    let counts: Vec<u32> = (0..5).map(|_| allocations_in(|| model.run(&window, &mut output).unwrap())).collect();
    assert!(counts[1..].windows(2).all(|p| p[0] == p[1]), "tract allocations vary per run: {counts:?}");
    (counts[0], counts[1])
}

#[test]
fn with_a_model_only_tract_allocates() {
    let models = [
        (mean_band_frame_model(&[0.5, 1.0], &[0.0, 1.0], 16, 8, true), 16u64, 8u64),
        (mean_window_clip_model(&[0.5, 1.0], &[0.0, 1.0], 43, 22, true), 43, 22),
    ];
    for ((card, onnx), frames, hop) in models {
        // The first probe also pays tract's one-time global set-up; the second shows a fresh model's cost.
        allocations_per_run(&mut common::load(card.clone(), &onnx));
        let (first_run, per_run) = allocations_per_run(&mut common::load(card.clone(), &onnx));
        let config = PipelineConfig { host_rate: 48_000.0, max_block: 512, ring_seconds: 1.0, frontend: FrontendConfig::default() };
        let (publisher, _latest, _controls) = LivePublisher::new(128);
        let mut analyzer = Analyzer::new(128, publisher);
        analyzer.set_model(common::load(card, &onnx));
        let (mut tap, mut analysis) = analysis_pipeline(&config, analyzer).unwrap();
        let mut total = 0;
        for block in 0..400 {
            tap.push_downmix(&stereo_block(512, block * 512));
            total += allocations_in(|| {
                analysis.drain();
            });
        }
        let emitted = analysis.frontend().frames_emitted();
        let windows = (emitted - frames) / hop + 1;
        println!("{windows} windows; tract allocates {first_run} times in the first run, {per_run} in each later one; {total} in all");
        let tract_only = first_run as u64 + (windows - 1) * per_run as u64;
        assert_eq!(total as u64, tract_only, "allocations beyond tract's own");
    }
}
