//! Where tract's time goes on one shipped model: every node of the optimised plan (the one the
//! plugin runs) timed over repeated windows, summed by operator and printed largest first.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use instrumeter::models::{onnx_path_for, ModelCard};
use tract_onnx::prelude::*;

const RUNS: usize = 20;
/// Operators listed per model; the rest are summed into one line.
const LISTED: usize = 5;

/// Prints the model's largest operators by share of its inference time.
pub fn print(card_path: &Path) -> Result<()> {
    let card = ModelCard::load(card_path)?;
    let plan = optimised_plan(&onnx_path_for(card_path), &[1, 1, card.frontend.n_mels, card.input.frames])?;
    let window = Tensor::from_shape(&[1, 1, card.frontend.n_mels, card.input.frames], &vec![-6.0f32; card.frontend.n_mels * card.input.frames])?;
    let mut state = TypedSimpleState::new(&plan)?;
    state.run(tvec!(window.clone().into_tvalue()))?; // warm-up: first-run allocations and caches
    let mut by_op: HashMap<String, f64> = HashMap::new();
    for _ in 0..RUNS {
        state.run_plan_with_eval(tvec!(window.clone().into_tvalue()), |context, op_state, node, inputs| {
            let started = Instant::now();
            let outputs = tract_onnx::tract_core::plan::eval(context, op_state, node, inputs);
            *by_op.entry(node.op().name().to_string()).or_default() += started.elapsed().as_secs_f64();
            outputs
        })?;
    }
    let total: f64 = by_op.values().sum();
    let mut ranked: Vec<(String, f64)> = by_op.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let listed: Vec<String> = ranked.iter().take(LISTED).map(|(op, s)| format!("{op} {:.0} %", s / total * 100.0)).collect();
    let rest: f64 = ranked.iter().skip(LISTED).map(|(_, s)| s).sum();
    println!("  profile ({:.3} ms per window in {} nodes): {}, other {:.0} %", total / RUNS as f64 * 1e3, plan.model().nodes().len(), listed.join(", "), rest / total * 100.0);
    Ok(())
}

/// The ONNX file as the plugin loads it: fixed input shape, optimised, runnable.
fn optimised_plan(onnx: &Path, input_shape: &[usize]) -> Result<Arc<TypedRunnableModel>> {
    tract_onnx::onnx()
        .model_for_path(onnx)
        .and_then(|model| model.with_input_fact(0, f32::fact(input_shape).into()))
        .and_then(|model| model.into_optimized())
        .and_then(|model| model.into_runnable())
        .map_err(|e| anyhow!("{e:?}"))
        .with_context(|| format!("cannot load {}", onnx.display()))
}
