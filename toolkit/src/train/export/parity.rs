//! burn and tract on the same random windows: the exported graph must compute what was trained.

use anyhow::Result;
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use instrumeter::models::LoadedModel;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::train::model::{onnx, to_vec, Network};

/// Inputs are drawn this many standard deviations around each band's training mean.
const SPREAD: f32 = 3.0;
const SEED: u64 = 7;

/// Largest |burn − tract| over `count` random windows of plausible log-mel values.
pub fn max_abs_difference(network: &Network, model: &mut LoadedModel, device: &Device, count: usize) -> Result<f32> {
    let standardise = network.standardise();
    let (mean, scale) = (onnx::values(&standardise.mean)?, onnx::values(&standardise.scale)?);
    let (bands, window_len) = (mean.len(), model.window_len());
    let frames = window_len / bands;
    let mut rng = StdRng::seed_from_u64(SEED);
    let inputs: Vec<f32> = (0..count * window_len)
        .map(|index| {
            let band = index % window_len / frames;
            mean[band] + rng.random_range(-SPREAD..SPREAD) / scale[band]
        })
        .collect();
    let batch = Tensor::<4>::from_data(TensorData::new(inputs.clone(), [count, 1, bands, frames]), device);
    let expected = to_vec(sigmoid(network.logits(batch)))?;
    let mut output = vec![0.0; model.output_len()];
    let mut largest = 0f32;
    for (window, burn_output) in inputs.chunks(window_len).zip(expected.chunks(model.output_len())) {
        model.run(window, &mut output)?;
        largest = output.iter().zip(burn_output).fold(largest, |max, (a, b)| max.max((a - b).abs()));
    }
    Ok(largest)
}
