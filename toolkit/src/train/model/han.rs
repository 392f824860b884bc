//! Han et al. (2017) ConvNet: four double-3×3-conv blocks, global max-pool, dense, sigmoid per class.

use std::convert::Infallible;

use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Initializer, Linear, LinearConfig};
use burn::prelude::*;
use anyhow::Result;
use burn::tensor::activation::leaky_relu;
use instrumeter::models::onnx_graph::{Attr, OnnxGraph};

use super::layers::{calibrated_pairs, scaled, through_pooled_pairs, ConvPair, Standardise};
use super::onnx;
use crate::train::stats::BandStats;

/// The paper's LeakyReLU slope ("very leaky", α = 0.33).
const NEGATIVE_SLOPE: f64 = 0.33;
/// Channels of the four blocks at width 1.
const BLOCK_CHANNELS: [usize; 4] = [32, 64, 128, 256];
/// Dense layer size at width 1.
const DENSE_UNITS: usize = 1024;

#[derive(Config, Debug)]
pub struct HanConfig {
    /// Multiplies every channel count and the dense size (1 = the paper's network).
    #[config(default = 0.25)]
    pub width: f64,
    #[config(default = 128)]
    pub n_mels: usize,
    #[config(default = 13)]
    pub classes: usize,
    #[config(default = 0.25)]
    pub block_dropout: f64,
    #[config(default = 0.5)]
    pub dense_dropout: f64,
}

/// Input `[batch, 1, n_mels, frames]` (raw log-mel), output `[batch, classes]` logits.
#[derive(Module, Debug)]
pub struct HanConvNet {
    pub standardise: Standardise,
    pub blocks: Vec<ConvPair>,
    /// 3×3 max-pool (stride 3) after blocks 1–3.
    pub pool: MaxPool2d,
    pub block_dropout: Dropout,
    pub dense: Linear,
    pub dense_dropout: Dropout,
    pub output: Linear,
}

impl HanConfig {
    pub fn init(&self, stats: &BandStats, device: &Device) -> HanConvNet {
        let pairs: Vec<[usize; 2]> = BLOCK_CHANNELS.iter().map(|&c| [scaled(c, self.width); 2]).collect();
        let head = Head { dense_units: scaled(DENSE_UNITS, self.width), classes: self.classes, block_dropout: self.block_dropout, dense_dropout: self.dense_dropout };
        HanConvNet::new(&pairs, &head, stats, device)
    }
}

/// What follows the conv pairs: dropout rates, the dense layer's size and the classes.
pub struct Head {
    pub dense_units: usize,
    pub classes: usize,
    pub block_dropout: f64,
    pub dense_dropout: f64,
}

impl HanConvNet {
    /// Conv pairs with the given `[middle, output]` channels (3×3 kernels, 3×3 pools between),
    /// global max-pool, then `head`; Glorot-uniform initialisation, as in the paper.
    pub fn new(pairs: &[[usize; 2]], head: &Head, stats: &BandStats, device: &Device) -> Self {
        let initializer = Initializer::XavierUniform { gain: 1.0 };
        let mut input = 1;
        let blocks = pairs
            .iter()
            .map(|&[middle, output]| {
                let pair = ConvPair::new([input, middle, output], 3, NEGATIVE_SLOPE, &initializer, device);
                input = output;
                pair
            })
            .collect();
        let linear = |d_in, d_out| LinearConfig::new(d_in, d_out).with_initializer(initializer.clone()).init(device);
        HanConvNet {
            standardise: Standardise::new(stats, device),
            blocks,
            pool: MaxPool2dConfig::new([3, 3]).with_strides([3, 3]).init(),
            block_dropout: DropoutConfig::new(head.block_dropout).init(),
            dense: linear(input, head.dense_units),
            dense_dropout: DropoutConfig::new(head.dense_dropout).init(),
            output: linear(head.dense_units, head.classes),
        }
    }

    pub fn forward(&self, input: Tensor<4>) -> Tensor<2> {
        let Ok(x) = self.through_blocks::<Infallible>(input, |block, x| Ok(block.forward(x)));
        let [batch, channels, _, _] = x.dims();
        let pooled = x.max_dim(2).max_dim(3).reshape([batch, channels]);
        let hidden = self.dense_dropout.forward(leaky_relu(self.dense.forward(pooled), NEGATIVE_SLOPE));
        self.output.forward(hidden)
    }

    /// Every block's batch norms re-centred on `input`'s batch (`ConvPair::calibrated`).
    pub fn calibrate(&mut self, input: Tensor<4>) -> Result<()> {
        self.blocks = calibrated_pairs(|run| self.through_blocks(input, run))?;
        Ok(())
    }

    /// Standardisation, then each block (as `run_block` runs it) with pooling and dropout between.
    fn through_blocks<E>(&self, input: Tensor<4>, run_block: impl FnMut(&ConvPair, Tensor<4>) -> Result<Tensor<4>, E>) -> Result<Tensor<4>, E> {
        through_pooled_pairs(&self.blocks, &self.pool, &self.block_dropout, self.standardise.forward(input), run_block)
    }

    /// The same network as ONNX nodes from `input`; returns the sigmoid output `[1, classes]`.
    pub fn to_onnx(&self, graph: &mut OnnxGraph, input: &str) -> Result<String> {
        let x = onnx::standardise(graph, input, &self.standardise, "standardise")?;
        let x = onnx::pooled_pairs(graph, &x, &self.blocks, &self.pool, "blocks")?;
        let pooled = graph.node("ReduceMax", &[&x], &[("axes", Attr::Ints(vec![2, 3])), ("keepdims", Attr::Int(0))]);
        let dense = onnx::gemm(graph, &pooled, &self.dense, "dense")?;
        let hidden = onnx::activation(graph, &dense, NEGATIVE_SLOPE);
        let logits = onnx::gemm(graph, &hidden, &self.output, "output")?;
        Ok(graph.node("Sigmoid", &[&logits], &[]))
    }
}
