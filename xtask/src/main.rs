//! `cargo xtask <command>`: bundling (nice-plug-xtask), the demo and the benchmarks.

mod analyze;
mod bench;
mod bench_goal;
mod bench_instances;
mod bench_models;
mod bench_offline;
mod bench_profile;
mod demo;
mod fuzz;
mod install;
mod process_bench;
mod release_bundle;
mod screenshot;
mod separation;
mod stress;
mod teach;

use std::path::PathBuf;

use instrumeter_toolkit::{eval, fuse, synth, train};

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Instrumeter's build, demo and benchmark tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build plugin bundles (CLAP + VST3) into target/bundled/; arguments go to nice-plug-xtask.
    Bundle {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Copy the release bundles (CLAP + VST3) into ~/.clap and ~/.vst3, replacing an earlier install.
    Install {
        /// Install for every user instead (/usr/lib/clap, /usr/lib/vst3; needs write access).
        #[arg(long)]
        system: bool,
        /// Install below this folder instead of the home (or `/` with --system), e.g. for a package.
        #[arg(long)]
        to: Option<PathBuf>,
    },
    /// Stream an audio file through the live front-end and show its log-mel spectrogram.
    Demo {
        /// Audio file (wav, flac, mp3, ogg); defaults to the bundled demo clip.
        file: Option<PathBuf>,
        /// Where to write the spectrogram picture.
        #[arg(long, default_value = "target/demo/log-mel.png")]
        png: PathBuf,
    },
    /// Analyse audio files or folders with a model: per-frame activations, clip scores, MIDI CCs.
    Analyze {
        /// Audio files (wav, flac, mp3, ogg) or folders searched recursively.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Model card (`*.card.json`, with the `.onnx` beside it); default: the embedded model.
        #[arg(long)]
        model: Option<PathBuf>,
        /// Output formats (repeat or comma-separate).
        #[arg(long, value_enum, value_delimiter = ',', default_values_t = [analyze::Format::Json])]
        format: Vec<analyze::Format>,
        /// Folder for the results.
        #[arg(long, default_value = "target/analysis")]
        out: PathBuf,
    },
    /// Train a burn network on `cargo xtask synth` data (features from the plugin's own front-end).
    Train(train::TrainOptions),
    /// Join trained window-clip branches (each on its own feature kind) into one model (seed 004).
    Fuse(fuse::FuseOptions),
    /// Write a trained checkpoint as ONNX + model card, accepted only if tract matches burn.
    Export(train::ExportOptions),
    /// Read a shipped model (ONNX + card) back into a training run folder, to fine-tune it.
    Import(train::ImportOptions),
    /// Render labelled training mixtures (SoundFont and real-note solos) into train/valid/test.
    Synth(synth::SynthOptions),
    /// Score a model on labelled audio (P/R/F1, thresholds, report next to the model).
    Eval(eval::EvalOptions),
    /// Open the release plugin's editor under Xvfb while an audio file plays; save a PNG of it.
    Screenshot {
        /// Audio file to play; defaults to the bundled demo clip.
        file: Option<PathBuf>,
        /// Seconds to play before the picture is taken.
        #[arg(long, default_value_t = 12.0)]
        seconds: f64,
        /// Where to write the picture.
        #[arg(long, default_value = "docs/editor.png")]
        png: PathBuf,
    },
    /// The input matrix (every host rate × block schedule × signal) through the alloc-checked bundle, for N minutes.
    Stress {
        /// Minutes to keep going (at least one whole round runs).
        #[arg(long, default_value_t = 5.0)]
        minutes: f64,
        /// Seconds of each signal per case.
        #[arg(long, default_value_t = 0.25)]
        seconds: f64,
    },
    /// Feed seeded mutations of valid inputs to the loaders (ONNX, cards, audio, banks); panics fail.
    Fuzz(fuzz::FuzzOptions),
    /// Teach a new instrument from your recordings of it (≥ 30 s): a new model in your models folder.
    Teach(teach::TeachOptions),
    /// Remake the negative bank that lets `teach` work from recordings of the new sound alone.
    TeachBank(teach::BankOptions),
    /// Split a mix into one stem per instrument heard (+ residual): NMF guided by the model's activations.
    Separate(separation::SeparateOptions),
    /// Learn the separation template bank (models/separation-templates) from the real notes.
    Templates(separation::templates::TemplateOptions),
    /// Score guided against unguided separation (BSS-eval) on `synth --stems` mixes.
    SeparateEval(separation::bench::SeparateEvalOptions),
    /// Measure front-end throughput (against librosa when Python has it) and process() cost.
    Bench {
        /// Seconds of audio to time.
        #[arg(long, default_value_t = 60.0)]
        seconds: f64,
    },
}

fn main() -> Result<()> {
    quit_quietly_on_closed_stdout();
    match Cli::parse().command {
        Command::Bundle { args } => nice_plug_xtask::main_with_args("cargo xtask", std::iter::once("bundle".into()).chain(args)),
        Command::Install { system, to } => install::run(system, to.as_deref()),
        Command::Demo { file, png } => demo::run(file, &png),
        Command::Analyze { inputs, model, format, out } => analyze::run(&inputs, model.as_deref(), &format, &out),
        Command::Train(options) => train::train(&options),
        Command::Export(options) => train::export(&options),
        Command::Import(options) => train::import(&options),
        Command::Synth(options) => synth::run(&options),
        Command::Bench { seconds } => bench::run(seconds),
        Command::Fuzz(options) => fuzz::run(&options),
        Command::Stress { minutes, seconds } => stress::run(minutes, seconds),
        Command::Teach(options) => teach::run(&options),
        Command::TeachBank(options) => teach::make_bank(&options),
        Command::Separate(options) => separation::run(&options),
        Command::Templates(options) => separation::templates::run(&options),
        Command::SeparateEval(options) => separation::bench::run(&options),
        Command::Eval(options) => eval::run(&options),
        Command::Fuse(options) => fuse::run(&options),
        Command::Screenshot { file, seconds, png } => screenshot::run(file, seconds, &png),
    }
}

/// Lets a closed pipe on stdout (`cargo xtask eval … | head`) end the command as it ends other Unix
/// tools, silently, instead of `println!` panicking on the write error: Rust ignores SIGPIPE.
fn quit_quietly_on_closed_stdout() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread exists; SIG_DFL is a valid
    // action for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
