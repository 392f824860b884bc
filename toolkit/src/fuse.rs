//! `cargo xtask fuse`: trained window-clip branches, each on its own feature kind, joined into one
//! model — one ONNX holding every branch and the fusion rule, one card naming the branches, their
//! inputs and the rule — that the plugin, `analyze` and `eval` run as a single stage (seed 004).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use instrumeter::models::onnx_graph::OnnxGraph;
use instrumeter::models::{onnx_path_for, ExtraInput, Fusion, FusionRule, LoadedModel, ModelCard, ModelKind, TrainingInfo};
use prost::Message;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tract_onnx::pb::ModelProto;

/// Largest tolerated |fused model − branches run one by one and joined in Rust|.
const PARITY_TOLERANCE: f32 = 1e-5;
/// Scores are clamped to [ε, 1 − ε] before their logit.
const CLAMP: f32 = 1e-6;

/// Options of `cargo xtask fuse`.
#[derive(clap::Args, Debug)]
pub struct FuseOptions {
    /// A branch's card; the first one's input drives the windows. Give two or more.
    #[arg(long = "branch", required = true, num_args = 1)]
    pub branches: Vec<PathBuf>,
    /// `all_above_threshold` (seed 004's Table 7) or `mean` (Rajan et al.'s score fusion).
    #[arg(long, default_value = "all_above_threshold", value_parser = ["all_above_threshold", "mean"])]
    pub rule: String,
    /// Output path without extension: writes `<out>.onnx` and `<out>.card.json`.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(options: &FuseOptions) -> Result<()> {
    let rule = match options.rule.as_str() {
        "mean" => FusionRule::Mean,
        _ => FusionRule::AllAboveThreshold,
    };
    let branches: Vec<(ModelCard, Vec<u8>)> = options.branches.iter().map(|path| read_branch(path)).collect::<Result<_>>()?;
    let name = options.out.file_name().and_then(|n| n.to_str()).context("--out must end in a model name")?.to_string();
    let card = fused_card(&name, &branches, &options.branches, rule)?;
    let onnx = fused_onnx(&name, &branches, rule)?;
    let difference = parity(&card, &onnx, &branches)?;
    println!("parity: max |fused − branches joined in Rust| = {difference:.2e} (tolerance {PARITY_TOLERANCE:.0e})");
    ensure!(difference <= PARITY_TOLERANCE, "the fused graph disagrees with its branches by {difference:.2e}: nothing was written");
    let (onnx_path, card_path) = (options.out.with_file_name(format!("{name}.onnx")), options.out.with_file_name(format!("{name}.card.json")));
    std::fs::write(&onnx_path, &onnx).with_context(|| format!("cannot write {}", onnx_path.display()))?;
    std::fs::write(&card_path, serde_json::to_vec_pretty(&card)?).with_context(|| format!("cannot write {}", card_path.display()))?;
    println!("wrote {} and {}", onnx_path.display(), card_path.display());
    Ok(())
}

fn read_branch(path: &Path) -> Result<(ModelCard, Vec<u8>)> {
    let card = ModelCard::load(path)?;
    ensure!(card.kind == ModelKind::WindowClip, "{}: only window-clip models can be fused", path.display());
    ensure!(card.extra_inputs.is_empty() && card.companion.is_none(), "{}: a branch must be a single-input model without a companion", path.display());
    let onnx_path = onnx_path_for(path);
    let onnx = std::fs::read(&onnx_path).with_context(|| format!("cannot read {}", onnx_path.display()))?;
    Ok((card, onnx))
}

/// The fused card: the first branch's input drives; the others are extra inputs of their own
/// kinds; decisions at 0.5 (the rule's own threshold) for `all_above_threshold`.
fn fused_card(name: &str, branches: &[(ModelCard, Vec<u8>)], paths: &[PathBuf], rule: FusionRule) -> Result<ModelCard> {
    ensure!(branches.len() >= 2, "give two or more --branch cards");
    let main = &branches[0].0;
    for (card, _) in &branches[1..] {
        ensure!(card.labels == main.labels, "{} and {} score different labels", main.name, card.name);
    }
    let thresholds: BTreeMap<String, f32> = match rule {
        FusionRule::AllAboveThreshold => main.labels.iter().map(|l| (l.code.clone(), 0.5)).collect(),
        FusionRule::Mean => main.labels.iter().map(|l| (l.code.clone(), branches.iter().map(|(c, _)| c.thresholds[&l.code]).sum::<f32>() / branches.len() as f32)).collect(),
    };
    let names: Vec<String> = paths.iter().map(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()).collect();
    let card = ModelCard {
        name: name.to_string(),
        extra_inputs: branches[1..].iter().map(|(c, _)| ExtraInput { frontend: c.frontend.clone(), frames: c.input.frames }).collect(),
        thresholds,
        clip_thresholds: BTreeMap::new(),
        fusion: Some(Fusion { branches: names.clone(), rule }),
        training: TrainingInfo {
            data: format!("branches, each trained on its own: {}", names.join(", ")),
            architecture: "fusion".into(),
            design: "one graph holding every branch network; each window of the main input runs with the latest frames of the other inputs, then the rule joins the scores".into(),
            ..main.training.clone()
        },
        metrics: Vec::new(),
        ..main.clone()
    };
    card.validate().map_err(|problem| anyhow::anyhow!("the fused card would be invalid: {problem}"))?;
    Ok(card)
}

/// Every branch graph with its input renamed to its feature kind, then the rule's nodes.
fn fused_onnx(name: &str, branches: &[(ModelCard, Vec<u8>)], rule: FusionRule) -> Result<Vec<u8>> {
    let shape = |card: &ModelCard| [1, 1, card.frontend.n_mels, card.input.frames];
    let first = &branches[0].0;
    let mut graph = OnnxGraph::new(name, first.frontend.kind.name(), &shape(first));
    let mut scores = Vec::new();
    for (index, (card, onnx)) in branches.iter().enumerate() {
        let model = ModelProto::decode(onnx.as_slice()).with_context(|| format!("{}'s ONNX does not decode", card.name))?;
        let Some(branch) = model.graph else { bail!("{}'s ONNX holds no graph", card.name) };
        let input = card.frontend.kind.name();
        if index > 0 {
            graph.add_input(input, &shape(card));
        }
        let output = graph.absorb(branch, &format!("branch{index}/"), input).map_err(anyhow::Error::msg)?;
        scores.push(match rule {
            FusionRule::AllAboveThreshold => margin(&mut graph, &output, card, index),
            FusionRule::Mean => output,
        });
    }
    let refs: Vec<&str> = scores.iter().map(String::as_str).collect();
    let fused = graph.node(if rule == FusionRule::Mean { "Mean" } else { "Min" }, &refs, &[]);
    Ok(graph.finish(&fused, &[1, first.labels.len()]))
}

/// `σ(logit p − logit t)` per class: above 0.5 exactly when the branch's score passes its threshold.
fn margin(graph: &mut OnnxGraph, scores: &str, card: &ModelCard, index: usize) -> String {
    let (low, high) = (graph.constant(&format!("fusion{index}.low"), &[], &[CLAMP]), graph.constant(&format!("fusion{index}.high"), &[], &[1.0 - CLAMP]));
    let one = graph.constant(&format!("fusion{index}.one"), &[], &[1.0]);
    let thresholds: Vec<f32> = card.threshold_vector().iter().map(|&t| logit(t.clamp(CLAMP, 1.0 - CLAMP))).collect();
    let offsets = graph.constant(&format!("fusion{index}.threshold_logits"), &[1, thresholds.len()], &thresholds);
    let clamped = graph.node("Clip", &[scores, &low, &high], &[]);
    let complement = graph.node("Sub", &[&one, &clamped], &[]);
    let (log_p, log_q) = (graph.node("Log", &[&clamped], &[]), graph.node("Log", &[&complement], &[]));
    let logits = graph.node("Sub", &[&log_p, &log_q], &[]);
    let shifted = graph.node("Sub", &[&logits, &offsets], &[]);
    graph.node("Sigmoid", &[&shifted], &[])
}

fn logit(p: f32) -> f32 {
    (p / (1.0 - p)).ln()
}

/// Random windows compared by [`parity`], and their seed.
const PARITY_WINDOWS: usize = 4;
const SEED: u64 = 7;

/// The fused model against its branches run one by one on the same random windows, joined here.
fn parity(card: &ModelCard, onnx: &[u8], branches: &[(ModelCard, Vec<u8>)]) -> Result<f32> {
    let mut fused = LoadedModel::from_parts(card.clone(), onnx, Path::new("fused.onnx")).context("tract rejected the fused ONNX")?;
    let mut models: Vec<LoadedModel> = branches.iter().map(|(c, o)| LoadedModel::from_parts(c.clone(), o, Path::new(&c.name))).collect::<Result<_, _>>()?;
    let rule = card.fusion.as_ref().map(|f| f.rule).context("a fused card names its rule")?;
    let classes = card.labels.len();
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut worst = 0.0f32;
    for _ in 0..PARITY_WINDOWS {
        let windows: Vec<Vec<f32>> = models.iter().map(|m| (0..m.window_len()).map(|_| rng.random_range(-6.0..2.0)).collect()).collect();
        let mut per_branch = Vec::with_capacity(models.len());
        for (model, window) in models.iter_mut().zip(&windows) {
            let mut scores = vec![0.0; classes];
            model.run(window, &mut scores)?;
            per_branch.push(match rule {
                FusionRule::Mean => scores,
                FusionRule::AllAboveThreshold => scores.iter().zip(model.card().threshold_vector()).map(|(&p, t)| margin_value(p, t)).collect(),
            });
        }
        let expected = (0..classes).map(|c| {
            let values = per_branch.iter().map(|branch| branch[c]);
            match rule {
                FusionRule::Mean => values.sum::<f32>() / per_branch.len() as f32,
                FusionRule::AllAboveThreshold => values.fold(f32::MAX, f32::min),
            }
        });
        let inputs: Vec<&[f32]> = windows.iter().map(Vec::as_slice).collect();
        let mut found = vec![0.0; classes];
        fused.run_inputs(&inputs, &mut found)?;
        worst = found.iter().zip(expected).fold(worst, |w, (a, b)| w.max((a - b).abs()));
    }
    Ok(worst)
}

/// What [`margin`]'s nodes compute, for one score `p` and its threshold `t`.
fn margin_value(p: f32, t: f32) -> f32 {
    let clamp = |x: f32| x.clamp(CLAMP, 1.0 - CLAMP);
    1.0 / (1.0 + (logit(clamp(t)) - logit(clamp(p))).exp())
}
