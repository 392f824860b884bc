//! Per-window inference time of the shipped models (tract, and onnxruntime on the same window in
//! the same run when the Python peer has it) and the worker's CPU share at real time.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use instrumeter::models::{LoadedModel, ModelCard};

/// Share of one core the whole worker should use at 48 kHz real time (the performance issue's goal).
const TARGET_CPU_SHARE: f64 = 0.01;
/// Share the accuracy issue allows both networks plus any embedding.
const BUDGET_CPU_SHARE: f64 = 0.03;
const RUNS: usize = 50;

/// Cost of one model: seconds per window and windows per second of audio.
pub struct ModelCost {
    pub name: String,
    /// Median seconds per window (tract, one thread).
    pub window_s: f64,
    pub windows_per_audio_s: f64,
}

/// Goal for tract against onnxruntime, both on one thread (issue target): no slower.
const TARGET_ORT_RATIO: f64 = 1.0;

/// Times every `models/*.card.json`; prints a line each and returns the costs.
pub fn report(models: &Path) -> Result<Vec<ModelCost>> {
    let mut costs = Vec::new();
    for card in cards(models)? {
        let mut model = LoadedModel::load(&card).with_context(|| format!("cannot time {}", card.display()))?;
        // The windows bench_onnxruntime.py feeds onnxruntime too (one per input).
        let windows: Vec<Vec<f32>> =
            (0..model.input_shapes().len()).map(|input| (0..model.input_len(input)).map(|i| ((i % 97) as f32 * 0.1).sin() * 4.0 - 8.0).collect()).collect();
        let windows: Vec<&[f32]> = windows.iter().map(Vec::as_slice).collect();
        let cost = time_model(&mut model, &windows)?;
        println!(
            "model {:<20} {:>8.3} ms per window, {:>5.1} windows/s of audio → {:.2} % of one core",
            cost.name,
            cost.window_s * 1e3,
            cost.windows_per_audio_s,
            cost.window_s * cost.windows_per_audio_s * 100.0
        );
        print_against_onnxruntime(&card, &cost);
        crate::bench_profile::print(&mut model, &windows)?;
        costs.push(cost);
    }
    if costs.is_empty() {
        println!("no models in {} to time", models.display());
    }
    Ok(costs)
}

/// The card the plugin embeds as its default; with its companion, what the worker runs.
const DEFAULT_CARD: &str = "frame-activation.card.json";

/// Names of the default model and its companion (the other shipped models are alternatives the
/// user may pick, not extra work for the worker).
pub fn default_pair(models: &Path) -> Result<Vec<String>> {
    let card = ModelCard::load(&models.join(DEFAULT_CARD))?;
    let companion = match &card.companion {
        Some(companion) => Some(ModelCard::load(&models.join(&companion.card))?.name),
        None => None,
    };
    Ok(std::iter::once(card.name).chain(companion).collect())
}

/// Prints the worker's total share: the front-end at 48 kHz plus the models in `running`.
pub fn print_worker_share(frontend_frames_per_s: f64, costs: &[ModelCost], running: &[String]) {
    let frames_per_audio_s = 22_050.0 / 512.0;
    let frontend = frames_per_audio_s / frontend_frames_per_s;
    let models: f64 = costs.iter().filter(|c| running.contains(&c.name)).map(|c| c.window_s * c.windows_per_audio_s).sum();
    let total = frontend + models;
    println!(
        "worker CPU at 48 kHz real time ({}): front-end {:.3} % + models {:.2} % = {:.2} % of one core (goal ≤ {:.0} %) {}; (accuracy budget ≤ {:.0} %) {}",
        running.join(" + "),
        frontend * 100.0,
        models * 100.0,
        total * 100.0,
        TARGET_CPU_SHARE * 100.0,
        crate::bench_goal::at_most(total, TARGET_CPU_SHARE),
        BUDGET_CPU_SHARE * 100.0,
        crate::bench_goal::at_most(total, BUDGET_CPU_SHARE)
    );
}

fn cards(models: &Path) -> Result<Vec<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(models) else { return Ok(Vec::new()) };
    let mut cards: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".card.json"))
        .collect();
    cards.sort();
    Ok(cards)
}

/// Median seconds per window of `model` on `windows` (one per input), and its windows per
/// second of audio.
fn time_model(model: &mut LoadedModel, windows: &[&[f32]]) -> Result<ModelCost> {
    let mut output = vec![0.0; model.output_len()];
    model.run_inputs(windows, &mut output)?;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        model.run_inputs(windows, &mut output)?;
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let card = model.card();
    let frame_s = card.frontend.hop as f64 / card.frontend.sample_rate as f64;
    let hop_frames = card.input.hop_frames as f64;
    Ok(ModelCost { name: card.name.clone(), window_s: times[RUNS / 2], windows_per_audio_s: 1.0 / (hop_frames * frame_s) })
}

/// Times the same model and window with onnxruntime (scripts/bench_onnxruntime.py, one thread)
/// and prints tract's time as a multiple of it; says why when the peer cannot run.
fn print_against_onnxruntime(card: &Path, cost: &ModelCost) {
    match onnxruntime_window_s(card) {
        Ok(ort_s) => {
            let ratio = cost.window_s / ort_s;
            let verdict = crate::bench_goal::at_most(ratio, TARGET_ORT_RATIO);
            println!("  onnxruntime (1 thread) {:>8.3} ms per window: tract / onnxruntime = {ratio:.2}× (goal ≤ {TARGET_ORT_RATIO:.1}×) {verdict}", ort_s * 1e3);
        }
        Err(error) => println!("  onnxruntime side skipped: {error:#}"),
    }
}

fn onnxruntime_window_s(card_path: &Path) -> Result<f64> {
    let card = ModelCard::load(card_path)?;
    let onnx = instrumeter::models::onnx_path_for(card_path);
    let python = crate::bench::peer_python();
    let output = std::process::Command::new(&python)
        .args(["scripts/bench_onnxruntime.py", &onnx.to_string_lossy(), &card.input.frames.to_string(), "--runs", &RUNS.to_string()])
        .output()
        .with_context(|| format!("{} is not available: run scripts/setup-bench-peer.sh", python.display()))?;
    anyhow::ensure!(output.status.success(), "{} (with {})", String::from_utf8_lossy(&output.stderr).trim(), python.display());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).context("unexpected output from bench_onnxruntime.py")?;
    report["seconds_per_run_median"].as_f64().context("bench_onnxruntime.py printed no seconds_per_run_median")
}
