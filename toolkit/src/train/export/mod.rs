//! `cargo xtask export`: trained weights → ONNX + model card, accepted only when tract's output
//! matches burn's on random windows.

mod card;
pub mod parity;

use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};
use burn::module::Module;
use instrumeter::models::onnx_graph::OnnxGraph;
use instrumeter::models::{Companion, LoadedModel, ModelKind};

use super::model::Network;
use super::run::{self, RunFolder, RunSettings};
use super::schedule::Progress;
use super::stats::BandStats;
use super::ExportOptions;

/// Largest tolerated |burn − tract| on any output.
pub const PARITY_TOLERANCE: f32 = 1e-4;
/// Random windows compared.
const PARITY_WINDOWS: usize = 8;

pub fn run(options: &ExportOptions) -> Result<()> {
    let (folder, weights) = RunFolder::locate(&options.checkpoint)?;
    let settings: RunSettings = folder.read_json(run::SETTINGS)?;
    let progress: Progress = folder.read_json(run::PROGRESS)?;
    let device = options.device.device();
    let network = settings
        .model
        .init(&BandStats::identity(settings.model.n_mels()), &device)
        .try_load_file(&weights)
        .with_context(|| format!("cannot load {} into the network that {} describes", weights.display(), run::SETTINGS))?
        .valid();
    let name = output_name(&options.out)?;
    let exported = weights.file_name().and_then(|f| f.to_str()).and_then(|file| progress.epoch_of(file));
    let mut card = card::model_card(&name, &settings, &progress, exported);
    card.companion = options.companion.clone().map(|card| Companion { card, weight: options.companion_weight });
    if let Some(choice) = options.aggregation {
        card.aggregation.method = choice.into();
    }
    card.validate().map_err(|problem| anyhow::anyhow!("the card would be invalid: {problem}"))?;
    let onnx = onnx_bytes(&network, &settings, &name)?;
    let (onnx_path, card_path) = (sibling(&options.out, &name, "onnx"), sibling(&options.out, &name, "card.json"));
    let mut loaded = LoadedModel::from_parts(card.clone(), &onnx, &onnx_path).context("tract rejected the exported ONNX")?;
    let difference = parity::max_abs_difference(&network, &mut loaded, &device, PARITY_WINDOWS)?;
    println!("parity: max |burn − tract| = {difference:.2e} over {PARITY_WINDOWS} random windows (tolerance {PARITY_TOLERANCE:.0e})");
    ensure!(difference <= PARITY_TOLERANCE, "the ONNX graph disagrees with burn by {difference:.2e}: the export is wrong, nothing was written");
    write(&onnx_path, &onnx)?;
    write(&card_path, &serde_json::to_vec_pretty(&card)?)?;
    println!("wrote {} and {} (from {})", onnx_path.display(), card_path.display(), weights.display());
    Ok(())
}

/// The inference graph: raw features `[1, 1, n_mels, frames]` in, sigmoid scores out.
fn onnx_bytes(network: &Network, settings: &RunSettings, name: &str) -> Result<Vec<u8>> {
    let arch = settings.model.architecture();
    let (classes, frames) = (settings.model.classes(), arch.window_frames());
    let input = arch.features().name();
    let mut graph = OnnxGraph::new(name, input, &[1, 1, settings.model.n_mels(), frames]);
    let output = network.to_onnx(&mut graph, input)?;
    let output_shape = match arch.kind() {
        ModelKind::WindowClip => vec![1, classes],
        ModelKind::FrameActivation => vec![1, classes, frames],
    };
    Ok(graph.finish(&output, &output_shape))
}

fn output_name(out: &Path) -> Result<String> {
    let name = out.file_name().and_then(|n| n.to_str()).filter(|n| !n.is_empty());
    Ok(name.context("--out must end in a model name, e.g. models/han-small")?.to_string())
}

/// `<out's folder>/<name>.<extension>`.
fn sibling(out: &Path, name: &str, extension: &str) -> PathBuf {
    out.with_file_name(format!("{name}.{extension}"))
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).with_context(|| format!("cannot create {}", folder.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
