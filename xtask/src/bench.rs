//! `cargo xtask bench`: front-end frames/s against librosa on the same audio, and the plugin's
//! process() cost per 512-sample block at 48 kHz, both measured in this run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};
use instrumeter::frontend::{FeatureKind, Frontend, FrontendConfig};

use instrumeter_toolkit::signals::music_like;

/// Repeats of each timing; the best is reported.
const REPEATS: usize = 3;
/// Repeats of the Rust front-end's timing: a minute of audio takes it only a few milliseconds,
/// which three tries measured with ±25 % of scheduler and clock noise on a shared VM.
const FRONTEND_REPEATS: usize = 20;
/// librosa's speed is stated relative to this target.
const TARGET_RATIO: f64 = 5.0;

/// Runs every measurement and prints a table.
pub fn run(seconds: f64) -> Result<()> {
    let audio_22k = music_like(22_050, seconds);
    let wav = Path::new("target/bench/bench-22050.wav");
    instrumeter_toolkit::signals::write_wav(wav, &audio_22k, 22_050)?;
    let rust_fps = frontend_frames_per_s(&audio_22k, 22_050.0, FeatureKind::LogMel);
    println!("front-end, 22 050 Hz input, 512-sample blocks: {rust_fps:>10.0} frames/s");
    for rate in [44_100, 48_000] {
        let audio = music_like(rate, seconds);
        let fps = frontend_frames_per_s(&audio, rate as f64, FeatureKind::LogMel);
        println!("front-end, {rate} Hz input (resampling incl.): {fps:>8.0} frames/s");
    }
    match librosa_frames_per_s(wav, FeatureKind::LogMel) {
        Ok(librosa_fps) => {
            let ratio = rust_fps / librosa_fps;
            println!("librosa melspectrogram (batch, 1 thread):      {librosa_fps:>10.0} frames/s");
            println!("ratio Rust / librosa: {ratio:.1}× (target ≥ {TARGET_RATIO}×) {}", crate::bench_goal::at_least(ratio, TARGET_RATIO));
        }
        Err(error) => println!("librosa side skipped: {error:#}"),
    }
    feature_kinds(&audio_22k, wav);
    let costs = crate::bench_models::report(Path::new("models"))?;
    let running = crate::bench_models::default_pair(Path::new("models"))?;
    crate::bench_models::print_worker_share(frontend_frames_per_s(&music_like(48_000, seconds.min(20.0)), 48_000.0, FeatureKind::LogMel), &costs, &running);
    crate::bench_instances::report(seconds.min(10.0), &[16, 32, 64, 96, 128])?;
    crate::bench_offline::report((seconds / 6.0).clamp(1.0, 10.0))?;
    crate::process_bench::report()
}

/// Every other feature kind against its Python equivalent on the same 22 050 Hz audio (goal ≥ 3×).
fn feature_kinds(audio_22k: &[f32], wav: &Path) {
    const KIND_TARGET: f64 = 3.0;
    for kind in FeatureKind::ALL.into_iter().filter(|&kind| kind != FeatureKind::LogMel) {
        let rust = frontend_frames_per_s(audio_22k, 22_050.0, kind);
        let peer = match kind {
            FeatureKind::Modgd => "NumPy reference",
            FeatureKind::CqtChroma => "librosa chroma_cqt",
            _ => "librosa cqt (polyphase)",
        };
        match librosa_frames_per_s(wav, kind) {
            Ok(python) => {
                let ratio = rust / python;
                println!("{:<11} Rust {rust:>8.0} frames/s, {peer} {python:>8.0}: {ratio:.1}× (goal ≥ {KIND_TARGET}×) {}", kind.name(), crate::bench_goal::at_least(ratio, KIND_TARGET));
            }
            Err(error) => println!("{:<11} Rust {rust:>8.0} frames/s; {peer} skipped: {error:#}", kind.name()),
        }
    }
}


/// Best-of-`FRONTEND_REPEATS` throughput of the streaming front-end (`kind`) fed 512-sample blocks.
fn frontend_frames_per_s(audio: &[f32], rate: f64, kind: FeatureKind) -> f64 {
    (0..FRONTEND_REPEATS)
        .map(|_| {
            let mut frontend = Frontend::new(rate, FrontendConfig::for_kind(kind)).expect("valid rate");
            let mut checksum = 0.0f32;
            let started = Instant::now();
            for block in audio.chunks(512) {
                frontend.process(block, |frame| checksum += frame[0]);
            }
            let elapsed = started.elapsed().as_secs_f64();
            std::hint::black_box(checksum);
            frontend.frames_emitted() as f64 / elapsed
        })
        .fold(0.0, f64::max)
}

/// The peer's virtual environment that scripts/setup-bench-peer.sh makes.
const PEER_VENV_PYTHON: &str = "target/bench-peer/bin/python3";

/// The Python that runs the peer: `INSTRUMETER_BENCH_PYTHON`, else the pinned environment of
/// scripts/setup-bench-peer.sh when it exists, else `python3`.
pub fn peer_python() -> PathBuf {
    std::env::var_os("INSTRUMETER_BENCH_PYTHON").map(PathBuf::from).unwrap_or_else(|| {
        let venv = PathBuf::from(PEER_VENV_PYTHON);
        if venv.exists() { venv } else { "python3".into() }
    })
}

/// Runs scripts/bench_librosa.py (`kind`) on the same audio; fails with a reason when
/// Python/librosa is missing.
fn librosa_frames_per_s(wav: &Path, kind: FeatureKind) -> Result<f64> {
    let python = peer_python();
    let output = Command::new(&python)
        .args(["scripts/bench_librosa.py", &wav.to_string_lossy(), "--repeats", &REPEATS.to_string(), "--kind", kind.name()])
        .output()
        .with_context(|| format!("{} is not available: run scripts/setup-bench-peer.sh", python.display()))?;
    if !output.status.success() {
        anyhow::bail!("{} (with {}; scripts/setup-bench-peer.sh makes the pinned peer)", String::from_utf8_lossy(&output.stderr).trim(), python.display());
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).context("unexpected output from bench_librosa.py")?;
    report["frames_per_s"].as_f64().context("bench_librosa.py printed no frames_per_s")
}
