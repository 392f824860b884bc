//! `cargo xtask teach-bank`: the negative bank shipped for teaching, one embedding (the middle
//! window) of each of many labelled clips, from the embedded default's window network.

use std::path::PathBuf;

use anyhow::{anyhow, ensure, Context, Result};
use instrumeter::teach::{BaseModel, Embedder, NegativeBank};
use instrumeter_analysis::file_log_mel;

use instrumeter_toolkit::eval::datasets::{self, Layout};

/// Where the bank's clips come from and where it goes.
#[derive(clap::Args)]
pub struct BankOptions {
    /// `cargo xtask synth` data folder (many instruments, solos and mixes).
    #[arg(long)]
    pub data: PathBuf,
    /// Its split to draw clips from.
    #[arg(long, default_value = "train")]
    pub split: String,
    /// Clips (one window each), spread evenly over the split.
    #[arg(long, default_value_t = 2000)]
    pub clips: usize,
    /// The bank file.
    #[arg(long, default_value = "models/convnet-1s.negatives.bin")]
    pub out: PathBuf,
}

pub fn make_bank(options: &BankOptions) -> Result<()> {
    let base = BaseModel::embedded().map_err(|e| anyhow!(e))?;
    let window = base.window_network().map_err(|e| anyhow!(e))?;
    let mut embedder = Embedder::new(&window.card, &window.onnx).map_err(|e| anyhow!(e))?;
    let clips = datasets::load(Layout::Synth, &options.data, &options.split, None)?;
    ensure!(options.clips > 0 && !clips.is_empty(), "no clips to draw from");
    let config = (&window.card.frontend).into();
    let step = (clips.len() as f64 / options.clips as f64).max(1.0);
    let mut embeddings = Vec::new();
    for index in (0..options.clips.min(clips.len())).map(|i| (i as f64 * step) as usize) {
        let path = &clips[index].path;
        let windows = embedder.embed(&file_log_mel(path, &config)?).map_err(|e| anyhow!(e))?;
        if let Some(middle) = windows.get(windows.len() / 2) {
            embeddings.push(middle.clone());
        }
    }
    let bank = NegativeBank::new(&embeddings).map_err(|e| anyhow!(e))?;
    std::fs::write(&options.out, bank.to_bytes()).with_context(|| format!("cannot write {}", options.out.display()))?;
    println!("{}: {} embeddings of {} values from {} ({})", options.out.display(), bank.len(), bank.dim(), options.data.display(), options.split);
    Ok(())
}
