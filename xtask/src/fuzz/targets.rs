//! What `cargo xtask fuzz` feeds: each target's seeds (valid inputs) and the loader it calls.
//! Errors are fine; a panic is a finding.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use instrumeter::frontend::FrontendConfig;
use instrumeter::models::onnx_graph::{Attr, OnnxGraph};
use instrumeter::models::{LoadedModel, ModelCard, ModelKind};
use instrumeter::teach::{with_taught_class, Embedder, NegativeBank};
use instrumeter::testkit::{mean_band_frame_model, mean_window_clip_model, test_card};
use instrumeter_analysis::{for_each_mono_block, AudioInput};

/// A loader under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// ONNX models through tract (`LoadedModel::from_parts`, then one window).
    Onnx,
    /// Model card JSON (`ModelCard::from_json`).
    Card,
    /// Audio files (wav, flac, ogg, mp3) through symphonia (`for_each_mono_block`).
    Audio,
    /// Negative bank files (`NegativeBank::from_bytes`).
    Bank,
    /// Window networks a class is taught to (`Embedder::new`, `with_taught_class`).
    Teach,
}

/// One valid input and the name its mutations keep (extension hints matter for audio).
pub struct Seed {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Most samples an audio case decodes (a mutated length field can claim hours).
const MAX_DECODED_SAMPLES: usize = 5_000_000;

impl Target {
    /// Every target, in the order `fuzz all` runs them.
    pub const ALL: [Target; 5] = [Target::Onnx, Target::Card, Target::Audio, Target::Bank, Target::Teach];

    /// Its name on the command line and in folders.
    pub fn name(self) -> &'static str {
        match self {
            Target::Onnx => "onnx",
            Target::Card => "card",
            Target::Audio => "audio",
            Target::Bank => "bank",
            Target::Teach => "teach",
        }
    }

    /// The valid inputs its mutations start from.
    pub fn seeds(self) -> Result<Vec<Seed>> {
        let seed = |name: &str, bytes: Vec<u8>| Seed { name: name.into(), bytes };
        Ok(match self {
            Target::Onnx => vec![
                seed("frame.onnx", mean_band_frame_model(&[0.5, -0.2], &[0.1, 0.0], 16, 8, true).1),
                seed("window.onnx", mean_window_clip_model(&[0.5, -0.2, 1.0], &[0.1, 0.0, 0.3], 43, 22, true).1),
            ],
            Target::Card => vec![seed("frame.card.json", read(&repo("models/frame-activation.card.json"))?), seed("window.card.json", read(&repo("models/convnet-1s.card.json"))?)],
            Target::Audio => ["seed.wav", "seed.flac", "seed.ogg", "seed.mp3"]
                .iter()
                .map(|name| Ok(seed(name, read(&repo("tests/fixtures/fuzz").join(name))?)))
                .collect::<Result<_>>()?,
            Target::Bank => vec![seed("bank.bin", NegativeBank::new(&[vec![0.5, -1.0, 2.0], vec![0.0, 0.25, 100.0]]).expect("a valid bank").to_bytes())],
            Target::Teach => vec![seed("dense.onnx", teachable_network())],
        })
    }

    /// Feeds `bytes` (a mutation of the seed named `name`) to the loader.
    pub fn run(self, name: &str, bytes: &[u8]) {
        match self {
            Target::Onnx => load_and_run(name, bytes),
            Target::Card => drop(ModelCard::from_json(bytes, Path::new(name))),
            Target::Audio => decode(name, bytes),
            Target::Bank => drop(NegativeBank::from_bytes(bytes)),
            Target::Teach => teach_to(bytes),
        }
    }
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("fuzz seed {} missing", path.display()))
}

fn load_and_run(name: &str, bytes: &[u8]) {
    let card = if name.starts_with("frame") { test_card(ModelKind::FrameActivation, 2, 16, 8) } else { test_card(ModelKind::WindowClip, 3, 43, 22) };
    if let Ok(mut model) = LoadedModel::from_parts(card, bytes, Path::new(name)) {
        let mut output = vec![0.0; model.output_len()];
        let _ = model.run(&vec![-3.0; model.window_len()], &mut output);
    }
}

fn decode(name: &str, bytes: &[u8]) {
    let extension = Path::new(name).extension().and_then(|e| e.to_str()).map(String::from);
    let input = AudioInput::Bytes { name: name.into(), extension, data: bytes.to_vec() };
    let mut samples = 0;
    let _ = for_each_mono_block(input, |block, _rate| {
        samples += block.len();
        if samples > MAX_DECODED_SAMPLES {
            bail!("longer than the fuzz case limit");
        }
        Ok(())
    });
}

fn teach_to(bytes: &[u8]) {
    let card = test_card(ModelKind::WindowClip, 2, 43, 22);
    if let Ok(mut embedder) = Embedder::new(&card, bytes) {
        let frames = vec![-3.0; card.frontend.n_mels * card.input.frames];
        let _ = embedder.embed(&frames);
        let _ = with_taught_class(bytes, &vec![0.1; embedder.dim()], 0.0);
    }
}

/// The smallest network a class can be taught to: mean over the window → dense (4) → LeakyReLU
/// → dense (2 classes) → sigmoid, the shape of the shipped ConvNet's head.
pub fn teachable_network() -> Vec<u8> {
    let n_mels = FrontendConfig::default().n_mels;
    let mut graph = OnnxGraph::new("dense", "log_mel", &[1, 1, n_mels, 43]);
    let pooled = graph.node("ReduceMean", &["log_mel"], &[("axes", Attr::Ints(vec![2, 3])), ("keepdims", Attr::Int(0))]);
    let hidden_w = graph.constant("dense.weight", &[1, 4], &[0.5, -0.5, 1.0, 0.25]);
    let hidden_b = graph.constant("dense.bias", &[4], &[0.0, 0.1, 0.2, 0.3]);
    let hidden = graph.node("Gemm", &[&pooled, &hidden_w, &hidden_b], &[]);
    let hidden = graph.node("LeakyRelu", &[&hidden], &[("alpha", Attr::Float(0.01))]);
    let out_w = graph.constant("output.weight", &[4, 2], &[0.3, -0.2, 0.1, 0.4, -0.3, 0.2, 0.5, 0.1]);
    let out_b = graph.constant("output.bias", &[2], &[0.0, -0.1]);
    let logits = graph.node("Gemm", &[&hidden, &out_w, &out_b], &[]);
    let scores = graph.node("Sigmoid", &[&logits], &[]);
    graph.finish(&scores, &[1, 2])
}
