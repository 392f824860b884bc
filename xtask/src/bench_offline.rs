//! Offline analysis of one long file (decode → resample → log-mel → both networks, as `analyze`
//! runs it) against its Python peer (soundfile + librosa + onnxruntime,
//! scripts/bench_offline_peer.py) on the same file in the same run; both as seconds per hour of
//! audio.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};
use instrumeter_analysis::{analyse, load_model, AudioInput};

use crate::bench_instances::Discard;

/// Goals of the issue: at most this many seconds per hour of audio, and this many times the peer.
const TARGET_S_PER_HOUR: f64 = 10.0;
const TARGET_PEER_RATIO: f64 = 3.0;

pub fn report(minutes: f64) -> Result<()> {
    let wav = Path::new("target/bench/offline-48k.wav");
    instrumeter_toolkit::signals::write_wav(wav, &instrumeter_toolkit::signals::music_like(48_000, minutes * 60.0), 48_000)?;
    let started = Instant::now();
    let (_, audio_s) = analyse(AudioInput::File(wav.to_path_buf()), load_model(None)?, Discard, &mut |_| Ok(()))?;
    let rust_per_hour = started.elapsed().as_secs_f64() / audio_s * 3600.0;
    let verdict = crate::bench_goal::at_most(rust_per_hour, TARGET_S_PER_HOUR);
    println!("offline analysis ({minutes:.0} min file, 48 kHz, both networks): {rust_per_hour:.1} s per hour of audio (goal ≤ {TARGET_S_PER_HOUR:.0} s) {verdict}");
    match peer_seconds(wav) {
        Ok(peer_s) => {
            let peer_per_hour = peer_s / audio_s * 3600.0;
            let ratio = peer_per_hour / rust_per_hour;
            let verdict = crate::bench_goal::at_least(ratio, TARGET_PEER_RATIO);
            println!("  Python peer (soundfile + librosa + onnxruntime, 1 thread): {peer_per_hour:.1} s per hour → Rust is {ratio:.1}× faster (goal ≥ {TARGET_PEER_RATIO:.0}×) {verdict}");
        }
        Err(error) => println!("  Python peer skipped: {error:#}"),
    }
    Ok(())
}

fn peer_seconds(wav: &Path) -> Result<f64> {
    let python = crate::bench::peer_python();
    let output = Command::new(&python)
        .args(["scripts/bench_offline_peer.py", &wav.to_string_lossy(), "models/frame-activation.onnx", "models/convnet-1s.onnx"])
        .output()
        .with_context(|| format!("{} is not available: run scripts/setup-bench-peer.sh", python.display()))?;
    anyhow::ensure!(output.status.success(), "{} (with {})", String::from_utf8_lossy(&output.stderr).trim(), python.display());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).context("unexpected output from bench_offline_peer.py")?;
    report["seconds"].as_f64().context("bench_offline_peer.py printed no seconds")
}
