//! `cargo xtask train`, `export` and `import`: burn networks trained on the plugin's own log-mel
//! features, exported to ONNX + model card and checked against tract, and read back to fine-tune.

mod benchmark;
mod cache;
mod augmentation;
mod data;
mod device;
mod export;
mod import;
mod metrics;
mod model;
mod run;
mod schedule;
mod split;
mod stats;
mod step;
mod training;
mod windows;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};

pub use device::DeviceChoice;
pub use export::run as export;
pub use import::{run as import, ImportOptions};
pub use model::Architecture;

/// `cargo xtask train`: a training run, or with `--benchmark-steps` a timing of the steps alone.
pub fn train(options: &TrainOptions) -> anyhow::Result<()> {
    match options.benchmark_steps {
        Some(steps) => benchmark::run(options, steps),
        None => training::run(options),
    }
}

/// Options of `cargo xtask train`.
#[derive(clap::Args, Debug)]
pub struct TrainOptions {
    /// Data folder from `cargo xtask synth` (`train/` and `valid/`); a resumed run uses its own.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Network to train.
    #[arg(long, value_enum, default_value_t = Architecture::Han)]
    pub arch: Architecture,
    /// Run folder for checkpoints and metrics.jsonl [default: target/train/<arch>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Channel multiplier (1 = the papers' sizes).
    #[arg(long, default_value_t = 0.25)]
    pub width: f64,
    /// Most epochs [default: 100]; with --resume, extends the run.
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Batch size [default: han 128, frames 32].
    #[arg(long)]
    pub batch: Option<usize>,
    /// Initial Adam learning rate [default: 0.001]; with --resume, restarts the schedule at it.
    #[arg(long)]
    pub learning_rate: Option<f64>,
    /// At most this many batches per epoch (quick runs, CI).
    #[arg(long)]
    pub steps_per_epoch: Option<usize>,
    /// Seed for weights, shuffling and dropout.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Besides the spectral colouring, shift each training window along the mel axis and mask a
    /// block of its bands; on --resume, turns them on from the next epoch.
    #[arg(long)]
    pub shift_and_mask: bool,
    /// With --resume on --data whose validation split is not the one the run's best epoch was
    /// measured on: that best no longer counts, the next epoch is the one to beat.
    #[arg(long, requires = "resume")]
    pub new_validation: bool,
    /// Continue the run in --out from its last checkpoint (its saved settings apply, but for
    /// --epochs, --data, --learning-rate, --shift-and-mask and --new-validation).
    #[arg(long)]
    pub resume: bool,
    #[arg(long, value_enum, default_value_t)]
    pub device: DeviceChoice,
    /// Instead of training, time this many steps on random input and print examples/s.
    #[arg(long)]
    pub benchmark_steps: Option<usize>,
}

impl TrainOptions {
    fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| PathBuf::from("target/train").join(self.arch.name()))
    }
}

/// Options of `cargo xtask export`.
#[derive(clap::Args, Debug)]
pub struct ExportOptions {
    /// A training run folder (exports its best weights) or a `.bpk` checkpoint inside one.
    #[arg(long)]
    pub checkpoint: PathBuf,
    /// Output path without extension: writes `<out>.onnx` and `<out>.card.json`.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub device: DeviceChoice,
    /// A window-clip model's card beside `<out>` (file name, e.g. `convnet-1s.card.json`) to run
    /// with this frame-activation model: their scores are mixed (re-tune the thresholds after).
    #[arg(long)]
    pub companion: Option<String>,
    /// The companion's share of the mixed scores.
    #[arg(long, default_value_t = 0.5, requires = "companion")]
    pub companion_weight: f32,
    /// The card's clip aggregation, where not the model kind's default (RMS for frame models,
    /// S2 for window models).
    #[arg(long, value_enum)]
    pub aggregation: Option<AggregationChoice>,
}

/// The clip aggregations a card can name (models/README.md, "Clip aggregation").
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum AggregationChoice {
    S1,
    S2,
    Rms,
}

impl From<AggregationChoice> for instrumeter::models::AggregationMethod {
    fn from(choice: AggregationChoice) -> Self {
        match choice {
            AggregationChoice::S1 => Self::S1,
            AggregationChoice::S2 => Self::S2,
            AggregationChoice::Rms => Self::Rms,
        }
    }
}

/// `prefix [bar] pos/len unit message eta`.
fn progress_bar(len: usize, prefix: &str, unit: &str) -> ProgressBar {
    let template = format!("{{prefix}} {{bar:40}} {{pos}}/{{len}} {unit} {{msg}} {{eta}}");
    let style = ProgressStyle::with_template(&template).expect("a valid progress template");
    ProgressBar::new(len as u64).with_style(style).with_prefix(prefix.to_string())
}
