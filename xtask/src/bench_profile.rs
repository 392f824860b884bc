//! Where tract's time goes on one shipped model: every node of the plan the plugin runs (the
//! loaded model's own tract state) timed over repeated windows, summed by operator and printed
//! largest first.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Result;
use instrumeter::models::LoadedModel;
use tract_onnx::prelude::*;

const RUNS: usize = 20;
/// Operators listed per model; the rest are summed into one line.
const LISTED: usize = 5;

/// Prints `model`'s largest operators by share of its inference time on `windows` (one per input).
pub fn print(model: &mut LoadedModel, windows: &[&[f32]]) -> Result<()> {
    let inputs: TVec<TValue> = model.input_shapes().iter().zip(windows).map(|(shape, window)| Tensor::from_shape(shape, window).map(IntoTValue::into_tvalue)).collect::<TractResult<_>>()?;
    let state = model.tract_state();
    state.run(inputs.clone())?; // warm-up: first-run allocations and caches
    let mut by_op: HashMap<String, f64> = HashMap::new();
    for _ in 0..RUNS {
        state.run_plan_with_eval(inputs.clone(), |context, op_state, node, inputs| {
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
    let nodes = state.plan().model().nodes().len();
    println!("  profile ({:.3} ms per window in {nodes} nodes): {}, other {:.0} %", total / RUNS as f64 * 1e3, listed.join(", "), rest / total * 100.0);
    Ok(())
}
