//! Building blocks the networks share: input standardisation, batch-normalised conv pairs, the loss.

use anyhow::Result;
use burn::module::{Param, RunningState};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::MaxPool2d;
use burn::nn::{BatchNorm, BatchNormConfig, Dropout, Initializer, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, log_sigmoid};

use crate::train::stats::BandStats;

/// `(x − mean) · scale` per mel band; frozen (never trained), so the exported ONNX takes raw log-mel.
#[derive(Module, Debug)]
pub struct Standardise {
    pub mean: Param<Tensor<4>>,
    pub scale: Param<Tensor<4>>,
}

impl Standardise {
    pub fn new(stats: &BandStats, device: &Device) -> Self {
        let bands = stats.mean.len();
        let frozen = |values: Vec<f32>| {
            Param::from_tensor(Tensor::from_data(TensorData::new(values, [1, 1, bands, 1]), device)).set_require_grad(false)
        };
        Self { mean: frozen(stats.mean.clone()), scale: frozen(stats.scale()) }
    }

    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        (input - self.mean.val()) * self.scale.val()
    }
}

/// Two same-padded k×k convolutions, each followed by batch normalisation and a (leaky) ReLU.
/// Batch norm makes the small CPU-trained networks converge in far fewer epochs; the export
/// folds it into the convolution, so the ONNX graph holds plain convolutions.
#[derive(Module, Debug)]
pub struct ConvPair {
    pub first: NormalisedConv,
    pub second: NormalisedConv,
    /// LeakyReLU slope for negative inputs; 0 is a plain ReLU.
    pub negative_slope: f64,
}

/// A bias-free convolution and the batch norm after it.
#[derive(Module, Debug)]
pub struct NormalisedConv {
    pub conv: Conv2d,
    pub norm: BatchNorm,
}

impl NormalisedConv {
    pub fn new(channels: [usize; 2], kernel: usize, initializer: &Initializer, device: &Device) -> Self {
        Self { conv: same_conv(channels, kernel, initializer, device), norm: BatchNormConfig::new(channels[1]).init(device) }
    }

    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        self.norm.forward(self.conv.forward(input))
    }

    /// This layer with its batch norm re-centred on `input`'s batch (per channel: running mean and
    /// variance := the batch's; γ and β rescaled to match), and its output. Inference computes the
    /// same as before, and training on this batch now computes the same as inference: imported
    /// weights (batch norm folded away) start fine-tuning where they were.
    pub fn calibrated(&self, input: Tensor<4>) -> Result<(Self, Tensor<4>)> {
        let convolved = self.conv.forward(input);
        let [batch, channels, height, width] = convolved.dims();
        let per_channel = convolved.clone().swap_dims(0, 1).reshape([channels, batch * height * width]);
        let batch_mean = super::to_vec(per_channel.clone().mean_dim(1))?;
        let batch_var = super::to_vec(per_channel.var_bias(1))?;
        let old = &self.norm;
        let (gamma, beta) = (super::to_vec(old.gamma.val())?, super::to_vec(old.beta.val())?);
        let (mean, var) = (super::to_vec(old.running_mean.value())?, super::to_vec(old.running_var.value())?);
        let epsilon = old.epsilon as f32;
        let (mut new_gamma, mut new_beta) = (Vec::with_capacity(channels), Vec::with_capacity(channels));
        for c in 0..channels {
            // Inference is `scale·x + shift`; keep it while the statistics move to the batch's.
            let scale = gamma[c] / (var[c] + epsilon).sqrt();
            let shift = beta[c] - mean[c] * scale;
            new_gamma.push(scale * (batch_var[c] + epsilon).sqrt());
            new_beta.push(shift + scale * batch_mean[c]);
        }
        let device = convolved.device();
        let vector = |values: Vec<f32>| Tensor::<1>::from_data(TensorData::new(values, [channels]), &device);
        let mut norm = old.clone();
        norm.gamma = Param::from_tensor(vector(new_gamma));
        norm.beta = Param::from_tensor(vector(new_beta));
        norm.running_mean = RunningState::new(vector(batch_mean));
        norm.running_var = RunningState::new(vector(batch_var));
        let output = norm.forward(convolved);
        Ok((Self { conv: self.conv.clone(), norm }, output))
    }
}

impl ConvPair {
    pub fn new(channels: [usize; 3], kernel: usize, negative_slope: f64, initializer: &Initializer, device: &Device) -> Self {
        Self {
            first: NormalisedConv::new([channels[0], channels[1]], kernel, initializer, device),
            second: NormalisedConv::new([channels[1], channels[2]], kernel, initializer, device),
            negative_slope,
        }
    }

    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        let x = leaky_relu(self.first.forward(input), self.negative_slope);
        leaky_relu(self.second.forward(x), self.negative_slope)
    }

    /// Both batch norms re-centred on `input`'s batch (`NormalisedConv::calibrated`), and the output.
    pub fn calibrated(&self, input: Tensor<4>) -> Result<(Self, Tensor<4>)> {
        let (first, x) = self.first.calibrated(input)?;
        let (second, x) = self.second.calibrated(leaky_relu(x, self.negative_slope))?;
        Ok((Self { first, second, negative_slope: self.negative_slope }, leaky_relu(x, self.negative_slope)))
    }
}

/// The conv pairs `walk` passes through, each with its batch norms re-centred on the batch that
/// reaches it (`ConvPair::calibrated`), in order; `walk` runs a network's pairs with the runner given.
pub fn calibrated_pairs(walk: impl FnOnce(&mut dyn FnMut(&ConvPair, Tensor<4>) -> Result<Tensor<4>>) -> Result<Tensor<4>>) -> Result<Vec<ConvPair>> {
    let mut calibrated = Vec::new();
    walk(&mut |pair, x| {
        let (pair, output) = pair.calibrated(x)?;
        calibrated.push(pair);
        Ok(output)
    })?;
    Ok(calibrated)
}

/// Han et al.'s block stack: each pair (as `run_pair` runs it), with `pool` and `dropout` after
/// every pair but the last.
pub fn through_pooled_pairs<E>(
    pairs: &[ConvPair],
    pool: &MaxPool2d,
    dropout: &Dropout,
    input: Tensor<4>,
    mut run_pair: impl FnMut(&ConvPair, Tensor<4>) -> Result<Tensor<4>, E>,
) -> Result<Tensor<4>, E> {
    let last = pairs.len() - 1;
    let mut x = input;
    for (index, pair) in pairs.iter().enumerate() {
        x = run_pair(pair, x)?;
        if index < last {
            x = dropout.forward(pool.forward(x));
        }
    }
    Ok(x)
}

/// A bias-free stride-1 convolution whose output has the input's height and width (k odd).
fn same_conv(channels: [usize; 2], kernel: usize, initializer: &Initializer, device: &Device) -> Conv2d {
    let pad = kernel / 2;
    Conv2dConfig::new(channels, [kernel, kernel])
        .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
        .with_bias(false)
        .with_initializer(initializer.clone())
        .init(device)
}

/// Drops whole channels (spatial dropout): one keep/drop draw per example and channel.
pub fn spatial_dropout(dropout: &Dropout, input: Tensor<4>) -> Tensor<4> {
    let [batch, channels, _, _] = input.dims();
    let mask = dropout.forward(Tensor::<4>::ones([batch, channels, 1, 1], &input.device()));
    input * mask
}

/// `base · width` channels, at least one.
pub fn scaled(base: usize, width: f64) -> usize {
    ((base as f64 * width).round() as usize).max(1)
}

/// Mean binary cross-entropy of sigmoid(`logits`) against soft `targets` in 0–1, computed stably
/// from the logits.
pub fn bce_with_logits(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    ((targets.neg() + 1.0) * logits.clone() - log_sigmoid(logits)).mean()
}
