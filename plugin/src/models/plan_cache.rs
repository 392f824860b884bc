//! Optimised tract plans kept for the life of the process, by ONNX bytes and input shape: hosts
//! activate a plugin again and again (and run several instances), and optimising a network takes
//! 0.1–1 s of a core that the audio threads need (clap-validator's denormal check measured that
//! as a slowdown). Plans are immutable and shared; each model still has its own state.

use std::sync::{Arc, Mutex};

use tract_onnx::prelude::TypedRunnableModel;

use super::ModelError;

/// Plans kept at most (the oldest goes first).
const ENTRIES: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    len: usize,
    hash: u64,
    input_shapes: Vec<[usize; 4]>,
}

static PLANS: Mutex<Vec<(Key, Arc<TypedRunnableModel>)>> = Mutex::new(Vec::new());

/// The plan for `onnx` at `input_shapes`: the kept one, or `optimise`'s (then kept).
pub fn plan(onnx: &[u8], input_shapes: &[[usize; 4]], optimise: impl FnOnce() -> Result<Arc<TypedRunnableModel>, ModelError>) -> Result<Arc<TypedRunnableModel>, ModelError> {
    let key = Key { len: onnx.len(), hash: fnv1a(onnx), input_shapes: input_shapes.to_vec() };
    if let Some(plan) = lock().iter().find(|(k, _)| *k == key).map(|(_, plan)| plan.clone()) {
        return Ok(plan);
    }
    let plan = optimise()?;
    let mut plans = lock();
    if plans.len() == ENTRIES {
        plans.remove(0);
    }
    plans.push((key, plan.clone()));
    Ok(plan)
}

fn lock() -> std::sync::MutexGuard<'static, Vec<(Key, Arc<TypedRunnableModel>)>> {
    PLANS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// 64-bit FNV-1a of `bytes`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::mean_band_frame_model;

    #[test]
    fn a_model_loaded_twice_is_optimised_once() {
        let (card, onnx) = mean_band_frame_model(&[0.3, 0.1], &[0.0, 0.2], 16, 8, true);
        let path = std::path::Path::new("cache-test.onnx");
        let first = crate::models::LoadedModel::from_parts(card.clone(), &onnx, path).unwrap();
        let mut optimised = false;
        let again = plan(&onnx, &card.input_shapes(), || {
            optimised = true;
            Err(ModelError::Onnx { path: path.into(), reason: "not expected".into() })
        });
        assert!(again.is_ok() && !optimised, "the second load reuses the first one's plan");
        drop(first);
        let other_shape = plan(&onnx, &[[1, 1, 1, 1]], || Err(ModelError::Onnx { path: path.into(), reason: "optimised".into() }));
        assert!(other_shape.is_err(), "another input shape is optimised afresh");
    }
}
