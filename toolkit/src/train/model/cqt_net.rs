//! Seed 002 (Lostanlen & Cella, "learning invariants"): on the log constant-Q (84 bins, 128 frames
//! = 3 s), two layers of learned time-frequency kernels, each with ReLU and a non-overlapping
//! max-pool over the kernel's own support (Eq. 2–5), then dense W4, W5 (ReLU) and W6.

use std::convert::Infallible;

use anyhow::Result;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Initializer, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;
use instrumeter::models::onnx_graph::{Attr, OnnxGraph};

use super::layers::{scaled, NormalisedConv, Standardise};
use super::onnx;
use crate::train::stats::BandStats;

/// Frames per window: the paper's T = 128 (3 s at hop 512).
pub const WINDOW_FRAMES: usize = 128;
/// Kernel support Δk1 × Δt, which is also the pooling rectangle.
const SUPPORT: usize = 5;
/// K2 (the paper's) and K3 at width 1.
const CONV_CHANNELS: [usize; 2] = [50, 50];
/// K4 and K5 at width 1.
const DENSE_UNITS: [usize; 2] = [256, 64];

/// The network and the choices the paper left open, for the card.
pub const DESIGN: &str = "Lostanlen & Cella (seed 002): log-CQT 84 bins × 128 frames; conv K2=50 (5×5) → ReLU → 5×5 max-pool; conv K3=50 (5×5) → ReLU → 5×5 max-pool; \
dense K4=256 → ReLU → dense K5=64 → ReLU → W6, one sigmoid per class. Left open by the paper and chosen here: the 5×5 support (also the pooling rectangle, Eq. 4), \
K3, K4, K5, batch norm after each conv (folded away in the ONNX), dropout 0.5 before W6, binary cross-entropy instead of Eq. 8's softmax (multi-label). \
7 octaves (55–6 645 Hz) instead of 8: the 8th lies above 22 050 Hz audio's Nyquist frequency";

#[derive(Config, Debug)]
pub struct CqtNetConfig {
    /// Multiplies every channel count and dense size (1 = the sizes above).
    #[config(default = 1.0)]
    pub width: f64,
    #[config(default = 84)]
    pub n_mels: usize,
    #[config(default = 13)]
    pub classes: usize,
    #[config(default = 0.5)]
    pub dropout: f64,
}

/// Input `[batch, 1, bins, 128]` (raw log-CQT), output `[batch, classes]` logits.
#[derive(Module, Debug)]
pub struct CqtNet {
    pub standardise: Standardise,
    pub convs: Vec<NormalisedConv>,
    pub pool: MaxPool2d,
    pub hidden: Vec<Linear>,
    pub dropout: Dropout,
    pub output: Linear,
}

impl CqtNetConfig {
    pub fn init(&self, stats: &BandStats, device: &Device) -> CqtNet {
        let initializer = Initializer::XavierUniform { gain: 1.0 };
        let [k2, k3] = CONV_CHANNELS.map(|c| scaled(c, self.width));
        let convs = vec![NormalisedConv::new([1, k2], SUPPORT, &initializer, device), NormalisedConv::new([k2, k3], SUPPORT, &initializer, device)];
        let pooled = |size: usize| size / SUPPORT / SUPPORT;
        let flat = k3 * pooled(self.n_mels) * pooled(WINDOW_FRAMES);
        let [k4, k5] = DENSE_UNITS.map(|c| scaled(c, self.width));
        let linear = |d_in, d_out| LinearConfig::new(d_in, d_out).with_initializer(initializer.clone()).init(device);
        CqtNet {
            standardise: Standardise::new(stats, device),
            convs,
            pool: MaxPool2dConfig::new([SUPPORT, SUPPORT]).with_strides([SUPPORT, SUPPORT]).init(),
            hidden: vec![linear(flat, k4), linear(k4, k5)],
            dropout: DropoutConfig::new(self.dropout).init(),
            output: linear(k5, self.classes),
        }
    }
}

impl CqtNet {
    pub fn forward(&self, input: Tensor<4>) -> Tensor<2> {
        let Ok(x) = self.through_convs::<Infallible>(input, |conv, x| Ok(conv.forward(x)));
        let [batch, channels, height, width] = x.dims();
        let mut x = x.reshape([batch, channels * height * width]);
        for layer in &self.hidden {
            x = relu(layer.forward(x));
        }
        self.output.forward(self.dropout.forward(x))
    }

    /// Every batch norm re-centred on `input`'s batch without changing inference.
    pub fn calibrate(&mut self, input: Tensor<4>) -> Result<()> {
        let mut calibrated = Vec::new();
        self.through_convs(input, |conv, x| {
            let (conv, output) = conv.calibrated(x)?;
            calibrated.push(conv);
            Ok::<_, anyhow::Error>(output)
        })?;
        self.convs = calibrated;
        Ok(())
    }

    /// Standardisation, then each conv (as `run` runs it) with ReLU and pooling.
    fn through_convs<E>(&self, input: Tensor<4>, mut run: impl FnMut(&NormalisedConv, Tensor<4>) -> Result<Tensor<4>, E>) -> Result<Tensor<4>, E> {
        let mut x = self.standardise.forward(input);
        for conv in &self.convs {
            x = self.pool.forward(relu(run(conv, x)?));
        }
        Ok(x)
    }

    /// The same network as ONNX nodes from `input`; returns the sigmoid output `[1, classes]`.
    pub fn to_onnx(&self, graph: &mut OnnxGraph, input: &str) -> Result<String> {
        let mut x = onnx::standardise(graph, input, &self.standardise, "standardise")?;
        for (index, conv) in self.convs.iter().enumerate() {
            let convolved = onnx::normalised_conv(graph, &x, conv, &format!("convs.{index}"))?;
            let rectified = onnx::activation(graph, &convolved, 0.0);
            x = onnx::max_pool(graph, &rectified, &self.pool)?;
        }
        let mut x = graph.node("Flatten", &[&x], &[("axis", Attr::Int(1))]);
        for (index, layer) in self.hidden.iter().enumerate() {
            let dense = onnx::gemm(graph, &x, layer, &format!("hidden.{index}"))?;
            x = onnx::activation(graph, &dense, 0.0);
        }
        let logits = onnx::gemm(graph, &x, &self.output, "output")?;
        Ok(graph.node("Sigmoid", &[&logits], &[]))
    }
}
