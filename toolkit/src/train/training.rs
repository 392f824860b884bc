//! `cargo xtask train`: Adam on BCE, learning rate ÷ 5 on a validation plateau, early stopping,
//! a checkpoint every epoch (`--resume` continues from it) and a JSONL metrics log.

use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use burn::optim::ModuleOptimizer;
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use instrumeter::frontend::FrontendConfig;
use instrumeter::models::INSTRUMENTS;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::augmentation::Augmentation;
use super::data::load_split;
use super::split::SplitData;
use super::metrics::{EpochMetrics, F1Counts};
use super::model::{bce_with_logits, to_vec, ModelConfig, Network};
use super::run::{self, RunFolder, RunSettings, TrainingConfig};
use super::schedule::Progress;
use super::stats::BandStats;
use super::windows::{Window, Windows};
use super::step::{optimisation_step, optimizer_for};
use super::{progress_bar, TrainOptions};

/// What changes from epoch to epoch.
struct State {
    network: Network,
    optimizer: ModuleOptimizer,
    progress: Progress,
}

pub fn run(options: &TrainOptions) -> Result<()> {
    let folder = RunFolder { dir: options.out_dir() };
    let settings = if options.resume { resumed_settings(&folder, options)? } else { new_settings(&folder, options)? };
    let device = settings.device.device().autodiff();
    let features = FrontendConfig::for_kind(settings.model.architecture().features());
    let train = load_split(&settings.data, "train", &features)?;
    let valid = load_split(&settings.data, "valid", &features)?;
    let state = if options.resume { restore(&folder, &settings, options, &device)? } else { begin(&folder, &settings, &train, &device)? };
    fit(&folder, &settings, state, &train, &valid, &device)
}

fn new_settings(folder: &RunFolder, options: &TrainOptions) -> Result<RunSettings> {
    if folder.path(run::SETTINGS).exists() {
        bail!("{} already holds a run: pass --resume to continue it, or another --out", folder.dir.display());
    }
    let data = options.data.clone().context("pass --data <folder made by `cargo xtask synth`>")?;
    let defaults = TrainingConfig::for_arch(options.arch);
    let training = TrainingConfig {
        batch_size: options.batch.unwrap_or(defaults.batch_size),
        learning_rate: options.learning_rate.unwrap_or(defaults.learning_rate),
        epochs: options.epochs.unwrap_or(defaults.epochs),
        steps_per_epoch: options.steps_per_epoch,
        shift_and_mask: options.shift_and_mask,
        seed: options.seed,
        ..defaults
    };
    let features = FrontendConfig::for_kind(options.arch.features());
    let model = ModelConfig::new(options.arch, options.width, features.n_mels, INSTRUMENTS.len());
    Ok(RunSettings { model, training, data, earlier_data: Vec::new(), imported_from: None, device: options.device, git_commit: run::git_commit() })
}

/// The saved settings; only `--epochs`, `--data` (new or moved data) and `--shift-and-mask`
/// override them, and the last two are recorded in the run's settings.
fn resumed_settings(folder: &RunFolder, options: &TrainOptions) -> Result<RunSettings> {
    let mut settings: RunSettings = folder.read_json(run::SETTINGS)?;
    if let Some(epochs) = options.epochs {
        settings.training.epochs = epochs;
    }
    let new_data = options.data.as_ref().filter(|data| **data != settings.data);
    if let Some(data) = new_data {
        let earlier = std::mem::replace(&mut settings.data, data.clone());
        settings.earlier_data.push(earlier);
    }
    let turns_on_shift_and_mask = options.shift_and_mask && !settings.training.shift_and_mask;
    settings.training.shift_and_mask |= options.shift_and_mask;
    if new_data.is_some() || turns_on_shift_and_mask {
        folder.write_json(run::SETTINGS, &settings)?;
    }
    Ok(settings)
}

fn begin(folder: &RunFolder, settings: &RunSettings, train: &SplitData, device: &Device) -> Result<State> {
    std::fs::create_dir_all(&folder.dir).with_context(|| format!("cannot create {}", folder.dir.display()))?;
    folder.write_json(run::SETTINGS, settings)?;
    device.seed(settings.training.seed);
    Ok(State {
        network: settings.model.init(&BandStats::measure(train), device),
        optimizer: optimizer_for(&settings.training),
        progress: Progress::new(settings.training.learning_rate),
    })
}

/// The run's latest weights, optimizer and progress; `--learning-rate` restarts the learning-rate
/// schedule (fine-tuning on new `--data`, say), `--new-validation` forgets the best epoch.
fn restore(folder: &RunFolder, settings: &RunSettings, options: &TrainOptions, device: &Device) -> Result<State> {
    let mut progress: Progress = folder.read_json(run::PROGRESS)?;
    if let Some(rate) = options.learning_rate {
        progress.restart(rate);
    }
    if options.new_validation {
        progress.forget_best();
    }
    device.seed(settings.training.seed.wrapping_add(progress.epochs_done as u64));
    let weights = folder.path(run::LATEST_WEIGHTS);
    let network = settings
        .model
        .init(&BandStats::identity(settings.model.n_mels()), device)
        .try_load_file(&weights)
        .with_context(|| format!("cannot load {}", weights.display()))?;
    let optimizer_path = folder.path(run::OPTIMIZER);
    let optimizer = if settings.imported_from.is_some() && !optimizer_path.exists() {
        println!("no optimizer state in {} (an imported model): Adam starts afresh", folder.dir.display());
        optimizer_for(&settings.training)
    } else {
        optimizer_for(&settings.training).load(&optimizer_path).with_context(|| format!("cannot load {}", optimizer_path.display()))?
    };
    println!("resuming {} after epoch {}", folder.dir.display(), progress.epochs_done);
    Ok(State { network, optimizer, progress })
}

fn fit(folder: &RunFolder, settings: &RunSettings, mut state: State, train: &SplitData, valid: &SplitData, device: &Device) -> Result<()> {
    let arch = settings.model.architecture();
    let (train_windows, valid_windows) = (Windows::new(train, arch), Windows::new(valid, arch));
    ensure!(
        !train_windows.all.is_empty() && !valid_windows.all.is_empty(),
        "no {}-frame windows in the train or valid split: clips must be at least that long",
        arch.window_frames()
    );
    println!(
        "{}: {} parameters, {} train / {} valid windows, run folder {}",
        arch.name(),
        state.network.num_params(),
        train_windows.all.len(),
        valid_windows.all.len(),
        folder.dir.display()
    );
    let config = &settings.training;
    while !state.progress.finished(config) {
        let epoch = state.progress.epochs_done + 1;
        let learning_rate = state.progress.learning_rate;
        let (network, train_loss, train_examples_per_s) =
            train_epoch(state.network, &mut state.optimizer, &train_windows, config, epoch, learning_rate, device);
        state.network = network;
        let (valid_loss, counts) = evaluate(&state.network, &valid_windows, config.batch_size, device)?;
        let metrics = EpochMetrics {
            epoch,
            learning_rate,
            train_loss,
            valid_loss,
            valid_micro_f1: counts.micro(),
            valid_macro_f1: counts.macro_f1(),
            valid_per_label_f1: counts.per_label(),
            train_examples_per_s,
        };
        println!(
            "epoch {epoch}: train loss {train_loss:.4}, valid loss {valid_loss:.4}, micro F1 {:.3}, macro F1 {:.3}, {train_examples_per_s:.1} examples/s, lr {learning_rate:.1e}",
            metrics.valid_micro_f1, metrics.valid_macro_f1
        );
        let improved = state.progress.record(metrics.clone(), config);
        save_checkpoint(folder, &state, &metrics, improved)?;
    }
    if let Some(best) = &state.progress.best {
        println!("best: epoch {} (valid loss {:.4}), weights in {}", best.epoch, best.valid_loss, folder.path(run::BEST_WEIGHTS).display());
    }
    Ok(())
}

/// One pass over the shuffled training windows; returns the network, its mean loss and examples/s.
fn train_epoch(
    mut network: Network,
    optimizer: &mut ModuleOptimizer,
    windows: &Windows,
    config: &TrainingConfig,
    epoch: usize,
    learning_rate: f64,
    device: &Device,
) -> (Network, f32, f32) {
    let mut order: Vec<Window> = windows.all.clone();
    order.shuffle(&mut StdRng::seed_from_u64(config.seed.wrapping_add(epoch as u64)));
    let batches: Vec<&[Window]> = order.chunks(config.batch_size).take(config.steps_per_epoch.unwrap_or(usize::MAX)).collect();
    let bar = progress_bar(batches.len(), &format!("epoch {epoch}"), "batches");
    let mut augmentation = StdRng::seed_from_u64(config.seed.wrapping_mul(31).wrapping_add(epoch as u64));
    let started = Instant::now();
    let (mut loss_sum, mut examples) = (0.0, 0);
    for batch in batches {
        let (inputs, targets) = windows.batch(batch, Some(Augmentation { rng: &mut augmentation, shift_and_mask: config.shift_and_mask }), device);
        let (next, loss) = optimisation_step(network, optimizer, learning_rate, inputs, targets);
        network = next;
        loss_sum += loss * batch.len() as f32;
        examples += batch.len();
        bar.set_message(format!("loss {:.4}", loss_sum / examples as f32));
        bar.inc(1);
    }
    bar.finish_and_clear();
    (network, loss_sum / examples.max(1) as f32, examples as f32 / started.elapsed().as_secs_f32())
}

/// Mean loss and F1 counts over every validation window, without dropout or gradients.
fn evaluate(network: &Network, windows: &Windows, batch_size: usize, device: &Device) -> Result<(f32, F1Counts)> {
    let network = network.valid();
    let device = device.clone().inner();
    let batches: Vec<&[Window]> = windows.all.chunks(batch_size).collect();
    let bar = progress_bar(batches.len(), "validation", "batches");
    let mut counts = F1Counts::new(windows.classes(), windows.steps_per_window());
    let mut loss_sum = 0.0;
    for batch in batches {
        let (inputs, targets) = windows.batch(batch, None, &device);
        let logits = network.logits(inputs);
        loss_sum += bce_with_logits(logits.clone(), targets.clone()).into_scalar::<f32>() * batch.len() as f32;
        counts.add(&to_vec(sigmoid(logits))?, &to_vec(targets)?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok((loss_sum / windows.all.len() as f32, counts))
}

/// Latest weights, optimizer state and (for a new best epoch) best weights, then progress (so it
/// never claims unsaved work), then the metrics line.
fn save_checkpoint(folder: &RunFolder, state: &State, metrics: &EpochMetrics, improved: bool) -> Result<()> {
    let save_weights = |file: &str| {
        let path = folder.path(file);
        state.network.clone().save_file(&path).with_context(|| format!("cannot save {}", path.display()))
    };
    save_weights(run::LATEST_WEIGHTS)?;
    let optimizer_path = folder.path(run::OPTIMIZER);
    state.optimizer.save(&optimizer_path).with_context(|| format!("cannot save {}", optimizer_path.display()))?;
    if improved {
        save_weights(run::BEST_WEIGHTS)?;
    }
    folder.write_json(run::PROGRESS, &state.progress)?;
    metrics.append_to(&folder.path(run::METRICS_LOG))
}
