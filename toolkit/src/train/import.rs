//! `cargo xtask import`: a shipped model (ONNX + card) back into a training run folder, so that
//! `cargo xtask train --resume` fine-tunes it. The repository keeps ONNX files, not burn
//! checkpoints, so without this every change to the models would retrain them from scratch.

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use burn::prelude::*;
use instrumeter::frontend::FrontendConfig;
use instrumeter::models::{instrument_labels, onnx_path_for, FrontendSettings, LoadedModel, ModelCard, ModelKind, INSTRUMENTS};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::data::load_split;
use super::device::DeviceChoice;
use super::export::{parity, PARITY_TOLERANCE};
use super::model::{Architecture, ModelConfig, Network, OnnxWeights, LSTN_NOT_IMPORTABLE};
use super::run::{self, RunFolder, RunSettings, TrainingConfig};
use super::schedule::Progress;
use super::stats::BandStats;
use super::windows::{Window, Windows};

/// Training windows whose statistics the batch norms are re-centred on.
const CALIBRATION_WINDOWS: usize = 512;
/// Random windows on which the imported network must match tract.
const PARITY_WINDOWS: usize = 8;

/// Options of `cargo xtask import`.
#[derive(clap::Args, Debug)]
pub struct ImportOptions {
    /// The model's card (`*.card.json`, its `.onnx` beside it), as `cargo xtask export` wrote them.
    #[arg(long)]
    pub model: PathBuf,
    /// Data folder from `cargo xtask synth` that the fine-tuning will use; its training windows
    /// set the batch-norm statistics.
    #[arg(long)]
    pub data: PathBuf,
    /// Run folder to create [default: target/train/<model name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Batch size of the fine-tuning [default: han 128, frames 32].
    #[arg(long)]
    pub batch: Option<usize>,
    /// At most this many batches per epoch [default: every training window].
    #[arg(long)]
    pub steps_per_epoch: Option<usize>,
    /// Learning rate the fine-tuning starts at.
    #[arg(long, default_value_t = 2e-4)]
    pub learning_rate: f64,
    #[arg(long, value_enum, default_value_t)]
    pub device: DeviceChoice,
}

pub fn run(options: &ImportOptions) -> Result<()> {
    let mut tract_model = LoadedModel::load(&options.model).with_context(|| format!("cannot load {}", options.model.display()))?;
    let card = tract_model.card().clone();
    let arch = trainable_architecture(&card)?;
    let folder = RunFolder { dir: options.out.clone().unwrap_or_else(|| PathBuf::from("target/train").join(&card.name)) };
    ensure!(!folder.path(run::SETTINGS).exists(), "{} already holds a run: pass another --out", folder.dir.display());
    let onnx_path = onnx_path_for(&options.model);
    let bytes = std::fs::read(&onnx_path).with_context(|| format!("cannot read {}", onnx_path.display()))?;
    let weights = OnnxWeights::decode(&bytes, &onnx_path)?;
    let model = ModelConfig::new(arch, weights.width(arch)?, card.frontend.n_mels, card.labels.len());
    let device = options.device.device();
    let mut network = model.init(&BandStats::identity(card.frontend.n_mels), &device);
    network.load_onnx(&weights)?;
    check_parity(&network, &mut tract_model, &device, "imported")?;
    let train = load_split(&options.data, "train", &FrontendConfig::default())?;
    network.calibrate(calibration_batch(&Windows::new(&train, arch), &device))?;
    check_parity(&network, &mut tract_model, &device, "calibrated")?;
    let settings = RunSettings {
        model,
        training: fine_tuning(arch, &card, options),
        data: options.data.clone(),
        earlier_data: Vec::new(),
        imported_from: Some(format!("{} after {} epochs on {}", options.model.display(), card.training.epochs, card.training.data)),
        device: options.device,
        git_commit: run::git_commit(),
    };
    write_run(&folder, &settings, &network, card.training.epochs as usize)?;
    println!(
        "imported {} into {}: continue with `cargo xtask train --out {} --resume --epochs <more than {}>`",
        options.model.display(),
        folder.dir.display(),
        folder.dir.display(),
        card.training.epochs
    );
    Ok(())
}

/// The architecture `cargo xtask train` builds for this card; refuses cards it cannot fine-tune.
fn trainable_architecture(card: &ModelCard) -> Result<Architecture> {
    ensure!(card.training.architecture != Architecture::Lstn.name(), "{}: {LSTN_NOT_IMPORTABLE}", card.name);
    let arch = match card.kind {
        ModelKind::FrameActivation => Architecture::Frames,
        ModelKind::WindowClip => Architecture::Han,
    };
    let named = card.training.architecture.as_str();
    ensure!(named.is_empty() || named == arch.name(), "{}: {named} weights are not imported from ONNX: resume the training run folder instead", card.name);
    ensure!(card.input.frames == arch.window_frames(), "{}: {}-frame windows, the trainer's {} network takes {}", card.name, card.input.frames, arch.name(), arch.window_frames());
    ensure!(card.labels == instrument_labels(INSTRUMENTS.len()), "{}: its labels are not the trainer's {} instruments", card.name, INSTRUMENTS.len());
    if card.frontend != FrontendSettings::from(&FrontendConfig::default()) {
        bail!("{}: its front-end settings differ from the one the trainer extracts features with", card.name);
    }
    Ok(arch)
}

/// The fine-tuning's settings: the trainer's defaults for `arch`, the card's seed, its epochs so far.
fn fine_tuning(arch: Architecture, card: &ModelCard, options: &ImportOptions) -> TrainingConfig {
    let defaults = TrainingConfig::for_arch(arch);
    TrainingConfig {
        batch_size: options.batch.unwrap_or(defaults.batch_size),
        learning_rate: options.learning_rate,
        steps_per_epoch: options.steps_per_epoch,
        epochs: card.training.epochs as usize,
        seed: card.training.seed,
        ..defaults
    }
}

/// `CALIBRATION_WINDOWS` training windows drawn at random (fixed seed), unaugmented.
fn calibration_batch(windows: &Windows, device: &Device) -> Tensor<4> {
    let mut drawn: Vec<Window> = windows.all.clone();
    drawn.shuffle(&mut StdRng::seed_from_u64(0));
    drawn.truncate(CALIBRATION_WINDOWS);
    windows.batch(&drawn, None, device).0
}

fn check_parity(network: &Network, tract_model: &mut LoadedModel, device: &Device, stage: &str) -> Result<()> {
    let difference = parity::max_abs_difference(network, tract_model, device, PARITY_WINDOWS)?;
    println!("parity ({stage}): max |burn − tract| = {difference:.2e} over {PARITY_WINDOWS} random windows");
    ensure!(difference <= PARITY_TOLERANCE, "the {stage} network disagrees with the ONNX model by {difference:.2e}: nothing was written");
    Ok(())
}

/// `run.json`, the weights as the latest checkpoint, and progress at the card's epoch (no best
/// epoch yet: the first fine-tuned epoch is the one to beat; no optimizer state: Adam starts afresh).
fn write_run(folder: &RunFolder, settings: &RunSettings, network: &Network, epochs_done: usize) -> Result<()> {
    std::fs::create_dir_all(&folder.dir).with_context(|| format!("cannot create {}", folder.dir.display()))?;
    let weights: &Path = &folder.path(run::LATEST_WEIGHTS);
    network.clone().save_file(weights).with_context(|| format!("cannot save {}", weights.display()))?;
    let progress = Progress { epochs_done, ..Progress::new(settings.training.learning_rate) };
    folder.write_json(run::PROGRESS, &progress)?;
    folder.write_json(run::SETTINGS, settings)
}
