//! `cargo xtask templates`: learns the separation template bank from the training pools of the
//! real notes (the notes `synth` holds out for its test split are left out).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use instrumeter::models::INSTRUMENTS;
use instrumeter_separation::{NmfSettings, TemplateBank};

use instrumeter_toolkit::synth::real_notes;

#[derive(Args)]
pub struct TemplateOptions {
    /// Folder of isolated real notes, one sub-folder per class code.
    #[arg(long, default_value = "../shared/data/real-notes")]
    pub real_notes: PathBuf,
    /// Further note folders in the same layout (each with a SOURCES.csv or CREDITS.txt).
    #[arg(long, default_values = ["../shared/data/real-notes-2"])]
    pub extra_notes: Vec<PathBuf>,
    /// Templates per instrument.
    #[arg(long, default_value_t = 16)]
    pub components: usize,
    /// NMF iterations of the learning.
    #[arg(long, default_value_t = 100)]
    pub iterations: usize,
    /// Seconds of each note used.
    #[arg(long, default_value_t = 3.0)]
    pub note_seconds: f64,
    /// Output: `<out>.json` and `<out>.f32`.
    #[arg(long, default_value = "models/separation-templates")]
    pub out: PathBuf,
}

pub fn run(options: &TemplateOptions) -> Result<()> {
    let mut notes = real_notes::load(&options.real_notes, options.note_seconds)?;
    let mut sources = vec![real_notes::read_credits(&options.real_notes, "a real notes folder")?];
    for extra in &options.extra_notes {
        real_notes::add_extra(&mut notes, extra, options.note_seconds)?;
        sources.push(real_notes::read_credits(extra, "an extra notes folder")?);
    }
    let per_label: Vec<Vec<Vec<f32>>> = notes.training.iter().map(|pool| pool.iter().map(|note| note.samples.clone()).collect()).collect();
    let labels = INSTRUMENTS.iter().map(|(code, _)| code.to_string()).collect();
    let extra: Vec<String> = options.extra_notes.iter().map(|p| format!(" --extra-notes {}", p.display())).collect();
    let command = format!(
        "cargo xtask templates --real-notes {}{} --components {} --iterations {} --note-seconds {} --out {}",
        options.real_notes.display(),
        extra.concat(),
        options.components,
        options.iterations,
        options.note_seconds,
        options.out.display()
    );
    let nmf = NmfSettings { beta: 1.0, iterations: options.iterations };
    let bank = TemplateBank::learn(labels, &per_label, options.components, nmf, sources, command)?;
    bank.save(&options.out)?;
    for (code, (notes, frames)) in bank.card.labels.iter().zip(bank.card.notes.iter().zip(&bank.card.frames)) {
        println!("{code}: {notes} notes, {frames} frames");
    }
    println!("wrote {}.json and {}.f32", options.out.display(), options.out.display());
    Ok(())
}
