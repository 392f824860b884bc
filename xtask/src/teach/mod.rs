//! `cargo xtask teach`: a new class from the user's recordings of a new sound, fitted on the
//! window network's embedding (the plugin's `teach` module), written as a new model into the
//! user's models folder; `cargo xtask teach-bank` remakes the shipped negative bank.

mod bank;
mod check;

use std::path::PathBuf;

use anyhow::{anyhow, Context, Result};
use instrumeter::models::{user_models_folder, FrontendSettings};
use instrumeter::teach::{shipped_bank_for, teach, BaseModel, Lesson, LessonReport, NegativeBank};
use instrumeter_analysis::file_log_mel;

pub use bank::{make_bank, BankOptions};
use check::{check_on, CheckReport};

/// What to teach, from which audio, to which model.
#[derive(clap::Args)]
pub struct TeachOptions {
    /// Display name of the new class (its code is the name in lower case, words joined by `-`).
    #[arg(long)]
    pub name: String,
    /// Recordings of the new sound (files or folders; at least 30 s in all, played one after another).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Recordings of other sounds it must not fire on (optional with the shipped negative bank).
    #[arg(long, num_args = 1..)]
    pub negatives: Vec<PathBuf>,
    /// Model to teach (`*.card.json`); default: the embedded default pair.
    #[arg(long)]
    pub base: Option<PathBuf>,
    /// Leave the shipped negative bank out (then --negatives are the only negatives).
    #[arg(long)]
    pub no_bank: bool,
    /// Folder for the new model; default: the user's models folder (the editor's picker lists it).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also measure on this labelled `cargo xtask synth` data (none of it the new sound): the
    /// existing classes with and without the taught class, and the taught class's false alarms.
    #[arg(long)]
    pub check: Option<PathBuf>,
    /// Split of --check.
    #[arg(long, default_value = "valid")]
    pub check_split: String,
}

/// Everything `teach` found, saved beside the new card.
#[derive(serde::Serialize)]
struct TeachRecord<'a> {
    lesson: &'a LessonReport,
    check: Option<&'a CheckReport>,
}

pub fn run(options: &TeachOptions) -> Result<()> {
    let base = match &options.base {
        Some(card) => BaseModel::load(card),
        None => BaseModel::embedded(),
    }
    .map_err(|e| anyhow!(e))?;
    let window = base.window_network().map_err(|e| anyhow!(e))?;
    let bank = if options.no_bank { None } else { shipped_bank_for(&window.onnx) };
    let frontend = &base.main.card.frontend;
    let positives = joined_log_mel(&options.files, frontend)?;
    let negatives = if options.negatives.is_empty() { Vec::new() } else { joined_log_mel(&options.negatives, frontend)? };
    let provenance = format!("{} file(s) of the new sound, {} of other sounds{}", count(&options.files)?, options.negatives.len(), bank_note(bank.as_ref()));
    let lesson = Lesson {
        name: options.name.clone(),
        positives: vec![&positives],
        negatives: if negatives.is_empty() { vec![] } else { vec![&negatives] },
        provenance,
    };
    let (taught, report) = teach(&base, &lesson, bank.as_ref()).map_err(|e| anyhow!(e))?;
    print_lesson(&report);
    let out = options.out.clone().or_else(user_models_folder).context("no models folder: pass --out")?;
    let card_path = taught.write(&out).map_err(|e| anyhow!(e))?;
    println!("wrote {} (pick it in the editor, or `cargo xtask analyze --model {}`)", card_path.display(), card_path.display());
    let check = options.check.as_ref().map(|data| check_on(options.base.as_deref(), &card_path, data, &options.check_split)).transpose()?;
    let record = serde_json::to_vec_pretty(&TeachRecord { lesson: &report, check: check.as_ref() })?;
    let record_path = card_path.with_file_name(format!("{}.teach.json", taught.main.card.name));
    std::fs::write(&record_path, record).with_context(|| format!("cannot write {}", record_path.display()))?;
    println!("measurements in {}", record_path.display());
    Ok(())
}

/// The files' log-mel frames one after another (a recording of them played in turn).
fn joined_log_mel(inputs: &[PathBuf], frontend: &FrontendSettings) -> Result<Vec<f32>> {
    let config = frontend.into();
    let mut frames = Vec::new();
    for file in crate::analyze::audio_files(inputs)? {
        frames.extend(file_log_mel(&file, &config).with_context(|| format!("cannot read {}", file.display()))?);
    }
    Ok(frames)
}

fn count(inputs: &[PathBuf]) -> Result<usize> {
    Ok(crate::analyze::audio_files(inputs)?.len())
}

fn bank_note(bank: Option<&NegativeBank>) -> String {
    bank.map_or_else(String::new, |bank| format!(", and {} windows of the shipped negative bank", bank.len()))
}

fn print_lesson(report: &LessonReport) {
    let w = &report.windows;
    println!("taught `{}` ({}) from {:.1} s: threshold {:.2}", report.code, report.name, report.positive_s, report.threshold);
    println!("windows (new sound / others): fit {}/{}, tune {}/{}, held out {}/{}", w.fit[0], w.fit[1], w.tune[0], w.tune[1], w.test[0], w.test[1]);
    let s = &report.held_out;
    println!("held-out windows: precision {:.3}, recall {:.3}, F1 {:.3}", s.precision, s.recall, s.f1);
}

#[cfg(test)]
mod tests;
