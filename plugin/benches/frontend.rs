//! Criterion benches of the real-time paths: one log-mel frame, and the audio-thread tap.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use instrumeter::engine::{analysis_pipeline, FrameSink, PipelineConfig};
use instrumeter::frontend::{FrontendConfig, Frontend};

fn tone(rate: f64, len: usize) -> Vec<f32> {
    (0..len).map(|i| (i as f64 * 440.0 * std::f64::consts::TAU / rate).sin() as f32 * 0.5).collect()
}

/// One hop of input per iteration = one frame out (after warm-up).
fn frame_cost(c: &mut Criterion) {
    let mut group = c.benchmark_group("log-mel frame");
    group.throughput(Throughput::Elements(1));
    for rate in [22_050.0, 44_100.0, 48_000.0] {
        let hop_at_rate = (512.0 * rate / 22_050.0) as usize;
        let input = tone(rate, hop_at_rate * 64);
        let mut frontend = Frontend::new(rate, FrontendConfig::default()).unwrap();
        let mut blocks = input.chunks(hop_at_rate).cycle();
        group.bench_function(format!("{rate} Hz input"), |b| {
            b.iter(|| frontend.process(blocks.next().unwrap(), |frame| {
                std::hint::black_box(frame);
            }))
        });
    }
    group.finish();
}

struct Discard;
impl FrameSink for Discard {
    fn on_frame(&mut self, log_mel: &[f32]) {
        std::hint::black_box(log_mel);
    }
}

/// What process() does per 512-sample stereo block at 48 kHz: downmix and push into the ring.
fn tap_cost(c: &mut Criterion) {
    let config = PipelineConfig { host_rate: 48_000.0, max_block: 512, ring_seconds: 2.0, frontend: FrontendConfig::default() };
    let block = [tone(48_000.0, 512), tone(48_000.0, 512)];
    c.bench_function("tap: 512-sample stereo block at 48 kHz", |b| {
        b.iter_batched_ref(
            || analysis_pipeline(&config, Discard).unwrap(),
            |(tap, _analysis)| tap.push_downmix(&block),
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, frame_cost, tap_cost);
criterion_main!(benches);
