//! `cargo xtask separate-eval`: guided against unguided NMF (same templates, rank and
//! iterations) on mixes with known stems (`cargo xtask synth --stems`), scored by BSS-eval.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use instrumeter_analysis::{load_model, read_mono, ActivationMatrix, AudioInput};
use instrumeter_separation::{bss_eval_with_misses, guide_from_model, separate_input, FrameGates, TemplateBank, RATE};
use rayon::prelude::*;
use serde::Serialize;

use super::MethodOptions;

#[derive(Args)]
pub struct SeparateEvalOptions {
    /// A `synth --stems` folder (`<split>/<id>.wav` with `<split>/<id>.stems/<code>.wav`).
    #[arg(long, default_value = "data/separation")]
    pub data: PathBuf,
    /// Split to score: test (held-out SoundFont and notes) or valid (for tuning).
    #[arg(long, default_value = "test")]
    pub split: String,
    /// Score at most this many clips (the first, sorted).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Gate with the clip's own frame labels (`<id>.labels.json`) instead of the model: the
    /// ceiling that a perfect model would give.
    #[arg(long)]
    pub oracle: bool,
    /// Where to write `report.json`.
    #[arg(long, default_value = "target/separate-eval")]
    pub out: PathBuf,
    #[command(flatten)]
    pub method: MethodOptions,
}

/// One stem's scores under one method.
#[derive(Serialize, Clone)]
struct StemScore {
    clip: String,
    label: String,
    /// Stems in the clip.
    stems: usize,
    sdr: f64,
    sir: f64,
    sar: f64,
}

/// Medians of one method.
#[derive(Serialize)]
struct Summary {
    stems: usize,
    /// Stems the method left silent (scored SDR −∞).
    silent: usize,
    median_sdr: f64,
    median_sir: f64,
    median_sar: f64,
    median_sdr_per_label: BTreeMap<String, f64>,
    median_sdr_per_stem_count: BTreeMap<usize, f64>,
}

#[derive(Serialize)]
struct Report {
    data: String,
    split: String,
    clips: usize,
    templates: String,
    iterations: usize,
    threshold_share: f32,
    spread_frames: usize,
    adapt_templates: bool,
    guided: Summary,
    unguided: Summary,
    /// Guided minus unguided median SDR, in dB.
    gain_db: f64,
    scores: BTreeMap<&'static str, Vec<StemScore>>,
}

pub fn run(options: &SeparateEvalOptions) -> Result<()> {
    let bank = TemplateBank::load(&options.method.templates)?;
    load_model(options.method.model.as_deref())?;
    let mut clips = stem_clips(&options.data.join(&options.split))?;
    clips.truncate(options.limit.unwrap_or(usize::MAX));
    let bar = ProgressBar::new(clips.len() as u64).with_style(ProgressStyle::with_template("{bar:40} {pos}/{len} clips [{elapsed_precise}, eta {eta}]").expect("a valid template"));
    let scored = clips
        .par_iter()
        .map(|clip| {
            let scores = score_clip(clip, &bank, &options.method, options.oracle).with_context(|| clip.display().to_string());
            bar.inc(1);
            scores
        })
        .collect::<Result<Vec<_>>>()?;
    bar.finish_and_clear();
    let (guided, unguided): (Vec<_>, Vec<_>) = scored.into_iter().unzip();
    let (guided, unguided) = (guided.concat(), unguided.concat());
    let report = Report {
        data: options.data.display().to_string(),
        split: options.split.clone(),
        clips: clips.len(),
        templates: options.method.templates.display().to_string(),
        iterations: options.method.iterations,
        threshold_share: options.method.threshold_share,
        spread_frames: options.method.spread_frames,
        adapt_templates: !options.method.fixed_templates,
        gain_db: median(guided.iter().map(|s| s.sdr)) - median(unguided.iter().map(|s| s.sdr)),
        guided: summarise(&guided),
        unguided: summarise(&unguided),
        scores: BTreeMap::from([("guided", guided), ("unguided", unguided)]),
    };
    print_report(&report);
    std::fs::create_dir_all(&options.out).with_context(|| format!("cannot create {}", options.out.display()))?;
    let path = options.out.join("report.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?).with_context(|| format!("cannot write {}", path.display()))?;
    println!("report: {}", path.display());
    Ok(())
}

/// The mixes of a split that have a stems folder, sorted.
fn stem_clips(split: &Path) -> Result<Vec<PathBuf>> {
    let mut clips: Vec<PathBuf> = std::fs::read_dir(split)
        .with_context(|| format!("cannot list {}: make it with `cargo xtask synth --stems --out …`", split.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wav") && p.with_extension("stems").is_dir())
        .collect();
    clips.sort();
    ensure!(!clips.is_empty(), "{} holds no mix with a stems folder (synth --stems makes them)", split.display());
    Ok(clips)
}

/// The clip's non-silent stems as `(label index, code, samples)`.
fn references(clip: &Path, bank: &TemplateBank) -> Result<Vec<(usize, String, Vec<f64>)>> {
    let mut stems = Vec::new();
    for (label, code) in bank.card.labels.iter().enumerate() {
        let path = clip.with_extension("stems").join(format!("{code}.wav"));
        if path.exists() {
            let (samples, rate) = read_mono(&path)?;
            ensure!(rate == RATE, "{}: stems must be at {RATE} Hz", path.display());
            if samples.iter().any(|&v| v != 0.0) {
                stems.push((label, code.clone(), samples.iter().map(|&v| v as f64).collect()));
            }
        }
    }
    Ok(stems)
}

/// The clip's stem scores, guided then unguided.
fn score_clip(clip: &Path, bank: &TemplateBank, method: &MethodOptions, oracle: bool) -> Result<(Vec<StemScore>, Vec<StemScore>)> {
    let references = references(clip, bank)?;
    if references.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let model = load_model(method.model.as_deref())?;
    let card = model.card().clone();
    let mut gates = guide_from_model(AudioInput::File(clip.to_path_buf()), model, bank, method.gate_settings(), &mut |_| Ok(()))?.gates;
    if oracle {
        gates = label_gates(clip, &card, method)?;
    }
    let labels: Vec<usize> = references.iter().map(|(label, _, _)| *label).collect();
    let samples = references[0].2.len();
    let score = |gates: FrameGates| -> Result<Vec<StemScore>> {
        let mut outputs = vec![Vec::with_capacity(samples); labels.len() + 1];
        let mut sink = |source: usize, chunk: &[f32]| {
            outputs[source].extend(chunk.iter().map(|&v| v as f64));
            Ok(())
        };
        separate_input(AudioInput::File(clip.to_path_buf()), bank, gates, &labels, method.separator_settings(), &mut sink, &mut |_| Ok(()))?;
        outputs.iter_mut().for_each(|o| o.resize(samples, 0.0));
        let refs: Vec<Vec<f64>> = references.iter().map(|(_, _, s)| s.clone()).collect();
        let scores = bss_eval_with_misses(&refs, &outputs[..labels.len()])?;
        let name = clip.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        Ok((0..labels.len())
            .map(|j| StemScore { clip: name.clone(), label: references[j].1.clone(), stems: labels.len(), sdr: scores.sdr[j], sir: scores.sir[j], sar: scores.sar[j] })
            .collect())
    };
    Ok((score(gates)?, score(FrameGates::unguided(bank.card.labels.len()))?))
}

/// Gates from the clip's frame targets (`<id>.labels.json`: per frame, each label's 0–1 level).
fn label_gates(clip: &Path, card: &instrumeter::models::ModelCard, method: &MethodOptions) -> Result<FrameGates> {
    let path = clip.with_extension("labels.json");
    let labels: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?)?;
    let mut matrix = ActivationMatrix::new(card);
    for (frame, row) in labels["targets"].as_array().context("no targets")?.iter().enumerate() {
        let values: Vec<f32> = row.as_array().context("a target row")?.iter().map(|v| v.as_f64().unwrap_or(0.0) as f32).collect();
        matrix.push(frame as u64, &values);
    }
    let settings = instrumeter_separation::GateSettings { threshold_share: 1.0, spread_frames: method.spread_frames };
    Ok(FrameGates::from_activations(&matrix, &vec![0.5; card.labels.len()], settings))
}

/// Median of the values that are not NaN (−∞ counts, at the bottom); NaN when none.
fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.filter(|v| !v.is_nan()).collect();
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 }
}

fn summarise(scores: &[StemScore]) -> Summary {
    let mut per_label: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut per_count: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for s in scores {
        per_label.entry(s.label.clone()).or_default().push(s.sdr);
        per_count.entry(s.stems).or_default().push(s.sdr);
    }
    Summary {
        stems: scores.len(),
        silent: scores.iter().filter(|s| s.sdr == f64::NEG_INFINITY).count(),
        median_sdr: median(scores.iter().map(|s| s.sdr)),
        median_sir: median(scores.iter().map(|s| s.sir)),
        median_sar: median(scores.iter().map(|s| s.sar)),
        median_sdr_per_label: per_label.into_iter().map(|(k, v)| (k, median(v.into_iter()))).collect(),
        median_sdr_per_stem_count: per_count.into_iter().map(|(k, v)| (k, median(v.into_iter()))).collect(),
    }
}

fn print_report(report: &Report) {
    println!("{} clips of {}/{}, {} stems", report.clips, report.data, report.split, report.guided.stems);
    println!("{:<10} {:>8} {:>8} {:>8} {:>7}", "median dB", "SDR", "SIR", "SAR", "silent");
    for (name, s) in [("guided", &report.guided), ("unguided", &report.unguided)] {
        println!("{name:<10} {:>8.2} {:>8.2} {:>8.2} {:>7}", s.median_sdr, s.median_sir, s.median_sar, s.silent);
    }
    println!("guided − unguided median SDR: {:+.2} dB", report.gain_db);
    println!("median SDR per label (guided / unguided):");
    for (label, guided) in &report.guided.median_sdr_per_label {
        println!("  {label}: {guided:6.2} / {:6.2}", report.unguided.median_sdr_per_label[label]);
    }
    println!("median SDR per stem count (guided / unguided):");
    for (count, guided) in &report.guided.median_sdr_per_stem_count {
        println!("  {count} stems: {guided:6.2} / {:6.2}", report.unguided.median_sdr_per_stem_count[count]);
    }
}
