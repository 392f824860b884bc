//! Neuroment-style frame-activation CNN: batch-normalised 3×3 conv pairs with frequency-only
//! pooling, then a convolution that collapses frequency into one activation per class per frame.

use std::convert::Infallible;

use anyhow::Result;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Initializer};
use burn::prelude::*;
use instrumeter::models::onnx_graph::OnnxGraph;

use super::layers::{calibrated_pairs, scaled, spatial_dropout, ConvPair, Standardise};
use super::onnx;
use crate::train::stats::BandStats;

/// Per stage at width 1: (channels, kernel, frequency pooling). The seed's 3×3, 5×5, 7×7 pairs
/// spent three quarters of their multiply-adds in the 7×7 pair; four 3×3 pairs see as many
/// frames (±8) with a quarter of the multiply-adds per channel, so twice the channels fit the
/// same CPU budget.
const STAGES: [(usize, usize, usize); 4] = [(32, 3, 2), (64, 3, 2), (128, 3, 2), (128, 3, 4)];
/// Stages followed by spatial dropout (the first two, as in the seed).
const DROPOUT_STAGES: usize = 2;

#[derive(Config, Debug)]
pub struct FrameCnnConfig {
    /// Multiplies every channel count (1 = the seed's sizes).
    #[config(default = 0.25)]
    pub width: f64,
    #[config(default = 128)]
    pub n_mels: usize,
    #[config(default = 13)]
    pub classes: usize,
    #[config(default = 0.1)]
    pub spatial_dropout: f64,
}

/// Input `[batch, 1, n_mels, frames]` (raw log-mel), output `[batch, classes · frames]` logits
/// (class-major: all frames of class 0 first).
#[derive(Module, Debug)]
pub struct FrameCnn {
    pub standardise: Standardise,
    pub stages: Vec<ConvPair>,
    pub pools: Vec<MaxPool2d>,
    pub spatial_dropout: Dropout,
    /// Kernel `[remaining bands, 1]`: every band of a frame → one logit per class.
    pub output: Conv2d,
}

impl FrameCnnConfig {
    pub fn init(&self, stats: &BandStats, device: &Device) -> FrameCnn {
        let initializer = Initializer::KaimingUniform { gain: 1.0 / 3f64.sqrt(), fan_out_only: false };
        let mut channels_in = 1;
        let mut stages = Vec::new();
        for (channels, kernel, _) in STAGES {
            let channels_out = scaled(channels, self.width);
            stages.push(ConvPair::new([channels_in, channels_out, channels_out], kernel, 0.0, &initializer, device));
            channels_in = channels_out;
        }
        let pools = STAGES.iter().map(|&(_, _, pool)| MaxPool2dConfig::new([pool, 1]).with_strides([pool, 1]).init()).collect();
        FrameCnn {
            standardise: Standardise::new(stats, device),
            stages,
            pools,
            spatial_dropout: DropoutConfig::new(self.spatial_dropout).init(),
            output: Conv2dConfig::new([channels_in, self.classes], [self.pooled_bands(), 1]).init(device),
        }
    }

    /// Mel bands left after the frequency pooling.
    fn pooled_bands(&self) -> usize {
        STAGES.iter().fold(self.n_mels, |bands, &(_, _, pool)| bands / pool)
    }
}

impl FrameCnn {
    pub fn forward(&self, input: Tensor<4>) -> Tensor<2> {
        let Ok(x) = self.through_stages::<Infallible>(input, |stage, x| Ok(stage.forward(x)));
        let logits = self.output.forward(x);
        let [batch, classes, _, frames] = logits.dims();
        logits.reshape([batch, classes * frames])
    }

    /// Every stage's batch norms re-centred on `input`'s batch (`ConvPair::calibrated`).
    pub fn calibrate(&mut self, input: Tensor<4>) -> Result<()> {
        self.stages = calibrated_pairs(|run| self.through_stages(input, run))?;
        Ok(())
    }

    /// Standardisation, then each stage (as `run_stage` runs it), its pooling and dropout.
    fn through_stages<E>(&self, input: Tensor<4>, mut run_stage: impl FnMut(&ConvPair, Tensor<4>) -> Result<Tensor<4>, E>) -> Result<Tensor<4>, E> {
        let mut x = self.standardise.forward(input);
        for (index, (stage, pool)) in self.stages.iter().zip(&self.pools).enumerate() {
            x = pool.forward(run_stage(stage, x)?);
            if index < DROPOUT_STAGES {
                x = spatial_dropout(&self.spatial_dropout, x);
            }
        }
        Ok(x)
    }

    /// The same network as ONNX nodes from `input`; returns the sigmoid output `[1, classes, frames]`.
    pub fn to_onnx(&self, graph: &mut OnnxGraph, input: &str) -> Result<String> {
        let mut x = onnx::standardise(graph, input, &self.standardise, "standardise")?;
        for (index, (stage, pool)) in self.stages.iter().zip(&self.pools).enumerate() {
            x = onnx::conv_pair(graph, &x, stage, &format!("stages.{index}"))?;
            x = onnx::max_pool(graph, &x, pool)?;
        }
        let logits = onnx::conv(graph, &x, &self.output, "output")?;
        let classes = self.output.weight.dims()[0] as i64;
        let shape = graph.constant_i64("output.shape", &[1, classes, -1]);
        let per_frame = graph.node("Reshape", &[&logits, &shape], &[]);
        Ok(graph.node("Sigmoid", &[&per_frame], &[]))
    }
}
