//! `cargo xtask analyze`: runs the plugin's own front-end and engine over audio files (non-real
//! time, through `instrumeter-analysis`) and writes per-frame/per-window activations, clip scores
//! and decisions, and MIDI CCs.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use instrumeter_analysis::{analyse, clip_table, load_model, peak_memory_mib, AnalysisOutputs, AudioInput, RowFormat, RowWriter};

/// Output formats of `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Midi,
    /// `<stem>.activations.npy` (float32, rows × labels) and `<stem>.times.npy` (float64, row starts in s).
    Npy,
}

const AUDIO_EXTENSIONS: [&str; 6] = ["wav", "flac", "mp3", "ogg", "oga", "wave"];

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
pub fn audio_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
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

/// `<out>/<stem>.json` or `<out>/<stem>.frames.csv`, opened for writing.
fn row_file(format: RowFormat, base: &Path) -> Result<BufWriter<File>> {
    let path = match format {
        RowFormat::Json => base.with_extension("json"),
        RowFormat::Csv => base.with_extension("frames.csv"),
    };
    Ok(BufWriter::new(File::create(&path).with_context(|| format!("cannot write {}", path.display()))?))
}

fn analyse_file(file: &Path, card_path: Option<&Path>, formats: &[Format], out: &Path, progress: &ProgressBar) -> Result<String> {
    let model = load_model(card_path)?;
    let card = model.card().clone();
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("audio").to_string();
    let base = out.join(&stem);
    let mut rows = Vec::new();
    for format in formats {
        let format = match format {
            Format::Json => RowFormat::Json,
            Format::Csv => RowFormat::Csv,
            Format::Midi | Format::Npy => continue,
        };
        rows.push(RowWriter::new(format, row_file(format, &base)?, &file.display().to_string(), &card)?);
    }
    let mut outputs = AnalysisOutputs::new(&card, rows, formats.contains(&Format::Midi));
    if formats.contains(&Format::Npy) {
        outputs = outputs.keep_matrix();
    }
    let mut next_report = 0.0;
    let mut report = |seconds: f64| {
        if seconds >= next_report {
            progress.set_message(format!("{} ({seconds:.0} s)", file.display()));
            next_report = seconds + 10.0;
        }
        Ok(())
    };
    let (outputs, seconds) = analyse(AudioInput::File(file.to_path_buf()), model, outputs, &mut report)?;
    let finished = outputs.finish(seconds).with_context(|| file.display().to_string())?;
    if formats.contains(&Format::Csv) {
        let path = base.with_extension("clip.csv");
        std::fs::write(&path, clip_table(&card, &finished.clip)).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(matrix) = &finished.matrix {
        matrix.write_npy(&base)?;
    }
    if let Some(midi) = finished.midi {
        let path = out.join(format!("{stem}.mid"));
        std::fs::write(&path, midi).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(format!("{}: {seconds:.1} s → {}", file.display(), finished.clip.summary(&card)))
}
