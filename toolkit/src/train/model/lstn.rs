//! Seed 000's LSTN: the TNN's hidden maps `h_1, h_2` through a Han-style convolutional encoder
//! (the paper's backbone), its vector `h'` joined with the factor summaries `c_t, c_f` into `f`,
//! and the LSN's per-class classifiers on `f`. Trained end to end on BCE plus the TNN's
//! contrastive-divergence energy (the paper's simplified unified objective, Eq. 11).

use anyhow::Result;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Initializer};
use burn::prelude::*;
use instrumeter::models::onnx_graph::{Attr, OnnxGraph};

use super::layers::{calibrated_pairs, scaled, through_pooled_pairs, ConvPair, Standardise};
use super::lsn::Lsn;
use super::onnx;
use super::tnn::Tnn;
use crate::train::stats::BandStats;

/// For the model card: the network and the choices the paper (seed 000) left open.
pub const DESIGN: &str = "LSTN (seed 000): TNN → Han-style encoder → LSN. TNN: per branch, a local 3×3 kernel W_h and a long kernel W spanning the whole 1 s window in time (T-term, K×T, K = 3) or all 128 mel bands (F-term, F×K); W* tied to W (per-channel transposed convolution), W_c one weight per channel; h = σ(x⊗W_h + b + (½u² + w_c·u)⊙W*/β) with u = x⊗W; c = (u + w_c)(h⊗W*)/β (the Gaussian factor's mean); α = 1 on standardised input. Encoder: Han's four conv blocks on [h_1, h_2], global max-pool → h′. f = [h′, mean and max of c_t over frequency and of c_f over time]. LSN: per class 64 hidden units, logit = Σ_j softplus(c_j + U_j + W_j·f) − Σ_j softplus(c_j + W_j·f) + d. Training: BCE on the LSN plus 0.1 × one-step contrastive divergence of the TNN's free energy (Eq. 6; the Gibbs step uses the local kernels at the mean of Eq. 7), taken through a softplus of the per-example energy gap so that it is bounded below (plain CD ran away), estimated on a quarter of each batch; no auxiliary onset classifier; inference is one forward pass.";
/// Frames per window (1 s, as the ConvNet).
pub const WINDOW_FRAMES: usize = 43;
/// The encoder's LeakyReLU slope (Han et al.'s).
const NEGATIVE_SLOPE: f64 = 0.33;
/// TNN hidden channels per branch at width 1 (the paper's hidden-channel, Table 5).
const TNN_CHANNELS: usize = 64;
/// Encoder block channels at width 1.
const ENCODER_CHANNELS: [usize; 4] = [32, 64, 128, 256];

#[derive(Config, Debug)]
pub struct LstnConfig {
    /// Multiplies the TNN's and the encoder's channel counts.
    #[config(default = 0.25)]
    pub width: f64,
    #[config(default = 128)]
    pub n_mels: usize,
    #[config(default = 13)]
    pub classes: usize,
    #[config(default = 0.25)]
    pub block_dropout: f64,
    #[config(default = 0.5)]
    pub feature_dropout: f64,
    /// Weight of the TNN's contrastive-divergence energy beside the classification loss.
    #[config(default = 0.1)]
    pub energy_weight: f64,
    /// Share of each batch (its first examples) the energy term is estimated on: on the whole
    /// batch it doubled the step time on the CPU.
    #[config(default = 0.25)]
    pub energy_share: f64,
}

/// Input `[batch, 1, n_mels, 43]` (raw log-mel), output `[batch, classes]` logits.
#[derive(Module, Debug)]
pub struct Lstn {
    pub standardise: Standardise,
    pub tnn: Tnn,
    pub encoder: Vec<ConvPair>,
    /// 3×3 max-pool (stride 3) after encoder blocks 1–3.
    pub pool: MaxPool2d,
    pub block_dropout: Dropout,
    pub feature_dropout: Dropout,
    pub lsn: Lsn,
    pub energy_weight: f64,
    pub energy_share: f64,
}

impl LstnConfig {
    pub fn init(&self, stats: &BandStats, device: &Device) -> Lstn {
        let initializer = Initializer::XavierUniform { gain: 1.0 };
        let tnn_channels = scaled(TNN_CHANNELS, self.width);
        let channels: Vec<usize> = std::iter::once(2 * tnn_channels).chain(ENCODER_CHANNELS.iter().map(|&c| scaled(c, self.width))).collect();
        let encoder = channels
            .windows(2)
            .map(|pair| ConvPair::new([pair[0], pair[1], pair[1]], 3, NEGATIVE_SLOPE, &initializer, device))
            .collect();
        let features = channels[ENCODER_CHANNELS.len()] + 4 * tnn_channels;
        Lstn {
            standardise: Standardise::new(stats, device),
            tnn: Tnn::new(tnn_channels, self.n_mels, WINDOW_FRAMES, device),
            encoder,
            pool: MaxPool2dConfig::new([3, 3]).with_strides([3, 3]).init(),
            block_dropout: DropoutConfig::new(self.block_dropout).init(),
            feature_dropout: DropoutConfig::new(self.feature_dropout).init(),
            lsn: Lsn::new(features, self.classes, &initializer, device),
            energy_weight: self.energy_weight,
            energy_share: self.energy_share,
        }
    }
}

impl Lstn {
    pub fn forward(&self, input: Tensor<4>) -> Tensor<2> {
        self.logits_and_energy(input, false).0
    }

    /// The logits and, when `with_energy`, the TNN's contrastive-divergence term (else zero).
    fn logits_and_energy(&self, input: Tensor<4>, with_energy: bool) -> (Tensor<2>, Tensor<1>) {
        let x = self.standardise.forward(input);
        let tnn = self.tnn.forward(x.clone());
        let Ok(encoded) = self.through_encoder::<std::convert::Infallible>(tnn.hidden, |pair, x| Ok(pair.forward(x)));
        let [batch, channels, _, _] = encoded.dims();
        let pooled = encoded.max_dim(2).max_dim(3).reshape([batch, channels]);
        let features = self.feature_dropout.forward(Tensor::cat(vec![pooled, tnn.factors], 1));
        let energy = if with_energy { self.energy(x, tnn.pre_activations) } else { Tensor::zeros([1], &features.device()) };
        (self.lsn.forward(features), energy)
    }

    /// The TNN's contrastive divergence on the batch's first `energy_share` (at least one example).
    fn energy(&self, x: Tensor<4>, pre_activations: [Tensor<4>; 2]) -> Tensor<1> {
        let batch = x.dims()[0];
        let examples = ((batch as f64 * self.energy_share).ceil() as usize).clamp(1, batch);
        let first = |t: Tensor<4>| t.narrow(0, 0, examples);
        let [a1, a2] = pre_activations;
        self.tnn.contrastive_divergence(first(x), [first(a1), first(a2)])
    }

    /// BCE on the logits plus `energy_weight` × the contrastive-divergence energy.
    pub fn training_loss(&self, input: Tensor<4>, targets: Tensor<2>) -> Tensor<1> {
        let (logits, energy) = self.logits_and_energy(input, true);
        super::bce_with_logits(logits, targets) + energy * self.energy_weight
    }

    /// The encoder's batch norms re-centred on `input`'s batch (`ConvPair::calibrated`).
    pub fn calibrate(&mut self, input: Tensor<4>) -> Result<()> {
        let hidden = self.tnn.forward(self.standardise.forward(input)).hidden;
        self.encoder = calibrated_pairs(|run| self.through_encoder(hidden, run))?;
        Ok(())
    }

    /// Each encoder block (as `run_block` runs it), with pooling and dropout between.
    fn through_encoder<E>(&self, hidden: Tensor<4>, run_block: impl FnMut(&ConvPair, Tensor<4>) -> Result<Tensor<4>, E>) -> Result<Tensor<4>, E> {
        through_pooled_pairs(&self.encoder, &self.pool, &self.block_dropout, hidden, run_block)
    }

    /// The same network as ONNX nodes from `input`; returns the sigmoid output `[1, classes]`.
    pub fn to_onnx(&self, graph: &mut OnnxGraph, input: &str) -> Result<String> {
        let x = onnx::standardise(graph, input, &self.standardise, "standardise")?;
        let (hidden, factors) = self.tnn.to_onnx(graph, &x, "tnn")?;
        let hidden = onnx::pooled_pairs(graph, &hidden, &self.encoder, &self.pool, "encoder")?;
        let pooled = graph.node("ReduceMax", &[&hidden], &[("axes", onnx::ints(&[2, 3])), ("keepdims", Attr::Int(0))]);
        let features = graph.node("Concat", &[&pooled, &factors], &[("axis", Attr::Int(1))]);
        let logits = self.lsn.to_onnx(graph, &features, "lsn")?;
        Ok(graph.node("Sigmoid", &[&logits], &[]))
    }
}
