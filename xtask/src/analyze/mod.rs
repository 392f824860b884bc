//! `cargo xtask analyze`: runs the plugin's own front-end and engine over audio files (non-real
//! time) and writes per-frame/per-window activations, clip scores and decisions, and MIDI CCs.

pub mod clip;
mod midi;
mod rows;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use instrumeter::engine::{AnalysisOutput, Analyzer, FrameSink, ModelStatus, StageOutput};
use instrumeter::frontend::LogMelFrontend;
use instrumeter::models::{LoadedModel, ModelCard, EMBEDDED_DEFAULT};

use crate::audio::for_each_mono_block;
use clip::ClipAggregate;
use midi::MidiCurves;
use rows::RowWriter;

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Midi,
}

const AUDIO_EXTENSIONS: [&str; 6] = ["wav", "flac", "mp3", "ogg", "oga", "wave"];

/// Loads the model given by `--model`, or the one embedded in this build.
fn load_model(card: Option<&Path>) -> Result<LoadedModel> {
    match (card, EMBEDDED_DEFAULT.as_ref()) {
        (Some(card), _) => LoadedModel::load(card).with_context(|| format!("cannot use model {}", card.display())),
        (None, Some(embedded)) => Ok(LoadedModel::from_embedded(embedded)?),
        (None, None) => bail!("no default model is embedded in this build (models/frame-activation.* missing): pass --model CARD"),
    }
}

/// Analyses every file (folders are searched recursively); returns an error if any file failed,
/// after trying all of them.
pub fn run(inputs: &[PathBuf], card: Option<&Path>, formats: &[Format], out: &Path) -> Result<()> {
    load_model(card)?;
    let files = audio_files(inputs)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let progress = ProgressBar::new(files.len() as u64)
        .with_style(ProgressStyle::with_template("{bar:30} {pos}/{len} files {msg}").expect("valid template"));
    let mut failures = Vec::new();
    for file in &files {
        progress.set_message(file.display().to_string());
        match analyse_file(file, card, formats, out, &progress) {
            // (Printed around the bar: `ProgressBar::println` is silent when output is not a terminal.)
            Ok(summary) => progress.suspend(|| println!("{summary}")),
            Err(error) => {
                progress.suspend(|| eprintln!("error: {error:#}"));
                failures.push(file.clone());
            }
        }
        progress.inc(1);
    }
    progress.finish_with_message("done");
    if let Some(peak) = peak_memory_mib() {
        println!("peak memory: {peak:.1} MiB");
    }
    if !failures.is_empty() {
        bail!("{} of {} files could not be analysed (see the errors above)", failures.len(), files.len());
    }
    Ok(())
}

/// Expands folders into the audio files below them, sorted; files are kept as given.
fn audio_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            collect_audio(input, &mut files)?;
        } else {
            files.push(input.clone());
        }
    }
    if files.is_empty() {
        bail!("no audio files found in {inputs:?}");
    }
    Ok(files)
}

fn collect_audio(folder: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(folder)
        .with_context(|| format!("cannot list {}", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let is_audio = path.extension().and_then(|e| e.to_str()).is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.to_lowercase().as_str()));
        if path.is_dir() {
            collect_audio(&path, files)?;
        } else if is_audio {
            files.push(path);
        }
    }
    Ok(())
}

/// Everything written for one file, fed by the analyzer as results arrive.
struct FileOutputs {
    card: ModelCard,
    rows: Vec<RowWriter>,
    midi: Option<MidiCurves>,
    clip: ClipAggregate,
    error: Option<String>,
}

/// Keeps the first model failure reported during a file's analysis.
fn record_failure(status: &ModelStatus, error: &mut Option<String>) {
    if let ModelStatus::Failed(message) = status {
        error.get_or_insert_with(|| message.clone());
    }
}

impl AnalysisOutput for FileOutputs {
    fn on_model(&mut self, status: &ModelStatus, _card: Option<&ModelCard>) {
        record_failure(status, &mut self.error);
    }

    fn on_output(&mut self, output: StageOutput<'_>) {
        let frame_s = self.card.frontend.hop as f64 / self.card.frontend.sample_rate as f64;
        let (start, values) = output.start_and_values();
        let time_s = start as f64 * frame_s;
        self.clip.add(values);
        for writer in &mut self.rows {
            if let Err(error) = writer.row(time_s, values) {
                self.error.get_or_insert(format!("{error:#}"));
            }
        }
        if let Some(midi) = self.midi.as_mut() {
            midi.add(time_s, values);
        }
    }
}

fn analyse_file(file: &Path, card_path: Option<&Path>, formats: &[Format], out: &Path, progress: &ProgressBar) -> Result<String> {
    let model = load_model(card_path)?;
    let card = model.card().clone();
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("audio").to_string();
    let mut rows = Vec::new();
    for format in formats.iter().filter(|f| **f != Format::Midi) {
        rows.push(RowWriter::create(*format, &out.join(&stem), file, &card)?);
    }
    let midi = formats.contains(&Format::Midi).then(|| MidiCurves::new(&card));
    let outputs = FileOutputs { clip: ClipAggregate::new(card.labels.len()), card: card.clone(), rows, midi, error: None };
    let (outputs, seconds) = run_model(file, model, outputs, progress)?;
    if let Some(error) = outputs.error {
        bail!("{}: {error}", file.display());
    }
    let clip = outputs.clip.finish(&card);
    for writer in outputs.rows {
        writer.finish(&clip)?;
    }
    if let Some(midi) = outputs.midi {
        midi.save(&out.join(format!("{stem}.mid")))?;
    }
    Ok(format!("{}: {seconds:.1} s → {}", file.display(), clip.summary(&card)))
}

/// Collects every row (frame activations or window scores) of one file, for evaluation.
#[derive(Default)]
struct RowCollector {
    rows: Vec<Vec<f32>>,
    error: Option<String>,
}

impl AnalysisOutput for RowCollector {
    fn on_model(&mut self, status: &ModelStatus, _card: Option<&ModelCard>) {
        record_failure(status, &mut self.error);
    }

    fn on_output(&mut self, output: StageOutput<'_>) {
        self.rows.push(output.start_and_values().1.to_vec());
    }
}

/// All rows `model` produces for `file` (short files: the rows are kept in memory).
pub fn file_rows(file: &Path, model: LoadedModel) -> Result<Vec<Vec<f32>>> {
    let (collector, _) = run_model(file, model, RowCollector::default(), &ProgressBar::hidden())?;
    match collector.error {
        Some(error) => bail!("{}: {error}", file.display()),
        None => Ok(collector.rows),
    }
}

/// Streams `file` through `model` into `output`, flushing at the end; returns it and the duration.
fn run_model<O: AnalysisOutput>(file: &Path, model: LoadedModel, output: O, progress: &ProgressBar) -> Result<(O, f64)> {
    let card = model.card().clone();
    let mut analyzer = Analyzer::new(card.frontend.n_mels, output);
    analyzer.set_model(model);
    let seconds = stream_file(file, &card, &mut analyzer, progress)?;
    analyzer.finish(&vec![card.frontend.log_eps.ln(); card.frontend.n_mels]);
    Ok((analyzer.into_output(), seconds))
}

/// Decodes and analyses `file` block by block; returns its duration in seconds.
fn stream_file<O: AnalysisOutput>(file: &Path, card: &ModelCard, analyzer: &mut Analyzer<O>, progress: &ProgressBar) -> Result<f64> {
    let mut frontend: Option<LogMelFrontend> = None;
    let (mut samples, mut rate, mut next_report) = (0usize, 0u32, 0.0);
    for_each_mono_block(file, |block, block_rate| {
        if frontend.is_none() {
            rate = block_rate;
            frontend = Some(LogMelFrontend::new(block_rate as f64, card.frontend_config())?);
        }
        let frontend = frontend.as_mut().expect("created above");
        frontend.process(block, |frame| analyzer.on_frame(frame));
        samples += block.len();
        let seconds = samples as f64 / rate as f64;
        if seconds >= next_report {
            progress.set_message(format!("{} ({seconds:.0} s)", file.display()));
            next_report = seconds + 10.0;
        }
        Ok(())
    })?;
    let Some(frontend) = frontend.as_mut() else { bail!("{} contains no audio", file.display()) };
    frontend.finish(|frame| analyzer.on_frame(frame));
    Ok(samples as f64 / rate as f64)
}

/// The process's peak resident memory (Linux), to show that long files stream.
fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
