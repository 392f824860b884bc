//! `cargo xtask separate`, `templates` and `separate-eval`: command-line glue around
//! `instrumeter-separation` (activation-guided NMF).

pub mod bench;
mod picture;
pub mod templates;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use instrumeter_analysis::{load_model, read_mono, AudioInput};
use instrumeter_separation::{guide_from_model, separate_input, FrameGates, GateSettings, NmfSettings, SeparatorSettings, TemplateBank, RATE};

/// Settings shared by `separate` and `separate-eval`.
#[derive(Args, Clone)]
pub struct MethodOptions {
    /// Model card whose activations guide the separation; default: the embedded model.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Template bank (`<path>.json` + `<path>.f32`, made by `cargo xtask templates`).
    #[arg(long, default_value = "models/separation-templates")]
    pub templates: PathBuf,
    /// NMF iterations per block (half activations alone, half with the templates adapting).
    #[arg(long, default_value_t = NmfSettings::default().iterations)]
    pub iterations: usize,
    /// β of the β-divergence: 1 Kullback–Leibler (default), 2 Euclidean, 0 Itakura–Saito.
    #[arg(long, default_value_t = NmfSettings::default().beta)]
    pub beta: f32,
    /// An instrument's gate opens where its activation reaches this share of its threshold.
    #[arg(long, default_value_t = GateSettings::default().threshold_share)]
    pub threshold_share: f32,
    /// Frames an open gate also opens either side.
    #[arg(long, default_value_t = GateSettings::default().spread_frames)]
    pub spread_frames: usize,
    /// Keep the bank's templates fixed (no per-block adaptation).
    #[arg(long)]
    pub fixed_templates: bool,
}

impl MethodOptions {
    fn gate_settings(&self) -> GateSettings {
        GateSettings { threshold_share: self.threshold_share, spread_frames: self.spread_frames }
    }

    fn separator_settings(&self) -> SeparatorSettings {
        SeparatorSettings { nmf: NmfSettings { iterations: self.iterations, beta: self.beta }, adapt_templates: !self.fixed_templates, ..SeparatorSettings::default() }
    }
}

#[derive(Args)]
pub struct SeparateOptions {
    /// The mix (wav, flac, mp3, ogg).
    pub input: PathBuf,
    /// Folder for `<name>.<code>.wav` per stem and `<name>.residual.wav` (32-bit float, 22 050 Hz).
    #[arg(long, default_value = "target/separated")]
    pub out: PathBuf,
    /// Stems to write (label codes, comma-separated); default: the instruments the model hears
    /// in the file (analyze's clip decisions).
    #[arg(long, value_delimiter = ',')]
    pub stems: Vec<String>,
    /// Plain NMF: every instrument's templates free in every frame (for comparison).
    #[arg(long)]
    pub unguided: bool,
    /// Also draw the spectrograms of the mix, each stem and the residual, top to bottom, here.
    #[arg(long)]
    pub png: Option<PathBuf>,
    #[command(flatten)]
    pub method: MethodOptions,
}

pub fn run(options: &SeparateOptions) -> Result<()> {
    let bank = TemplateBank::load(&options.method.templates)?;
    let input = || AudioInput::File(options.input.clone());
    let model = load_model(options.method.model.as_deref())?;
    let bar = seconds_bar("analysing");
    let guide = guide_from_model(input(), model, &bank, options.method.gate_settings(), &mut |s| Ok(bar.set_position(s as u64)))?;
    bar.finish_and_clear();
    let labels = stem_labels(&bank, &options.stems, &guide.clip.decisions)?;
    let codes: Vec<&str> = labels.iter().map(|&l| bank.card.labels[l].as_str()).collect();
    println!("stems: {} (+ residual){}", if codes.is_empty() { "none heard".to_string() } else { codes.join(", ") }, if options.unguided { ", unguided" } else { "" });
    let gates = if options.unguided { FrameGates::unguided(bank.card.labels.len()) } else { guide.gates };
    std::fs::create_dir_all(&options.out).with_context(|| format!("cannot create {}", options.out.display()))?;
    let name = options.input.file_stem().and_then(|s| s.to_str()).unwrap_or("mix");
    let paths: Vec<PathBuf> = codes.iter().copied().chain(["residual"]).map(|code| options.out.join(format!("{name}.{code}.wav"))).collect();
    let mut writers = paths.iter().map(|path| float_wav(path)).collect::<Result<Vec<_>>>()?;
    let bar = seconds_bar("separating");
    let mut sink = |source: usize, samples: &[f32]| samples.iter().try_for_each(|&v| writers[source].write_sample(v)).context("cannot write a stem");
    let samples = separate_input(input(), &bank, gates, &labels, options.method.separator_settings(), &mut sink, &mut |s| Ok(bar.set_position(s as u64)))?;
    bar.finish_and_clear();
    writers.into_iter().try_for_each(|w| w.finalize()).context("cannot finish a stem file")?;
    for path in &paths {
        println!("wrote {}", path.display());
    }
    println!("{:.1} s separated", samples as f64 / RATE as f64);
    if let Some(png) = &options.png {
        let stems = paths.iter().map(|path| Ok(read_mono(path)?.0)).collect::<Result<Vec<_>>>()?;
        picture::write_panels(png, &stems)?;
        println!("wrote {} (top to bottom: the mix, {}, residual)", png.display(), codes.join(", "));
    }
    Ok(())
}

/// The bank's label indices of `codes`, or of the labels decided present.
fn stem_labels(bank: &TemplateBank, codes: &[String], decisions: &[bool]) -> Result<Vec<usize>> {
    if codes.is_empty() {
        return Ok((0..decisions.len()).filter(|&l| decisions[l]).collect());
    }
    codes
        .iter()
        .map(|code| match bank.card.labels.iter().position(|l| l == code) {
            Some(label) => Ok(label),
            None => bail!("--stems {code}: not a label of the template bank ({})", bank.card.labels.join(", ")),
        })
        .collect()
}

fn float_wav(path: &Path) -> Result<hound::WavWriter<std::io::BufWriter<std::fs::File>>> {
    let spec = hound::WavSpec { channels: 1, sample_rate: RATE, bits_per_sample: 32, sample_format: hound::SampleFormat::Float };
    hound::WavWriter::create(path, spec).with_context(|| format!("cannot write {}", path.display()))
}

fn seconds_bar(prefix: &'static str) -> ProgressBar {
    ProgressBar::no_length().with_prefix(prefix).with_style(ProgressStyle::with_template("{prefix:>10} {pos} s of audio [{elapsed_precise}]").expect("a valid template"))
}
