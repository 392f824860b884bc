//! LSTN's TNN (seed 000): a convolutional energy-based layer whose hidden maps see the input through
//! a local 3×3 kernel and through one kernel that spans the whole window in time (the T-term, with
//! its Gaussian time factor c_t) or in frequency (the F-term, with c_f).
//!
//! Choices where the paper leaves them open (recorded in the card and models/README.md):
//! - `W*` is the same kernel as `W` (tied, as in an RBM), applied per channel as a transposed
//!   convolution; `W_c` is one weight per channel, so `W_c·h` is `w_c · (h ⊗ W*)`.
//! - Eq. 2 and 4: `h = σ(x ⊗ W_h + b + (½u² + w_c·u) ⊙ W* / β)` with `u = x ⊗ W` (the constant
//!   `½β⁻¹W_c²` is folded into `b`); Eq. 3 and 5 use the Gaussian factor's mean,
//!   `c = (u + w_c) · (h ⊗ W*) / β`; `α` is 1 (the input is standardised).
//! - Training: Eq. 6's free energy by one-step contrastive divergence (a Gibbs step `x → h → x̃`
//!   through the local kernels, Eq. 7 without the long-range terms, at its mean), bounded below
//!   by a softplus of the energy gap (`contrastive_divergence`).

use anyhow::Result;
use burn::module::Param;
use burn::prelude::*;
use burn::tensor::activation::{sigmoid, softplus};
use burn::tensor::module::{conv2d, conv_transpose2d};
use burn::tensor::ops::{ConvOptions, ConvTransposeOptions};
use burn::tensor::Distribution;
use instrumeter::models::onnx_graph::{Attr, OnnxGraph};

use super::onnx::{ints, tensor_constant, values};

/// Local kernel size (the paper's kernel-h × kernel-w, Table 5).
const LOCAL_KERNEL: usize = 3;
/// The long kernels' extent across the axis they do not span (the paper's K).
const LONG_KERNEL: usize = 3;

/// Which axis a branch's long kernel spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Span {
    /// `W_1 ∈ R^{K×T}`: the T-term (long-term correlation).
    Time,
    /// `W_2 ∈ R^{F×K}`: the F-term (long-frequency correlation).
    Frequency,
}

/// One of the TNN's two halves: `h_1, c_t` (time) or `h_2, c_f` (frequency).
#[derive(Module, Debug)]
pub struct TnnBranch {
    /// `W_h`: `[C, 1, 3, 3]`.
    pub local: Param<Tensor<4>>,
    /// `b`: `[C]`.
    pub bias: Param<Tensor<1>>,
    /// `W` (and, tied, `W*`): `[C, 1, K, T]` or `[C, 1, F, K]`.
    pub long: Param<Tensor<4>>,
    /// `w_c`, one per channel: `[C]`.
    pub factor: Param<Tensor<1>>,
    /// `ln β`: `[1]`.
    pub log_beta: Param<Tensor<1>>,
    /// Zero padding of the long kernel: `[K/2, 0]` (time) or `[0, K/2]` (frequency).
    pub long_padding: [usize; 2],
}

/// A branch's pre-activation `a` (`h = σ(a)`) and long-kernel response `u = x ⊗ W`.
struct BranchResponse {
    pre_activation: Tensor<4>,
    long_response: Tensor<4>,
}

impl TnnBranch {
    fn new(span: Span, channels: usize, bands: usize, frames: usize, device: &Device) -> Self {
        let (long_shape, long_padding) = match span {
            Span::Time => ([channels, 1, LONG_KERNEL, frames], [LONG_KERNEL / 2, 0]),
            Span::Frequency => ([channels, 1, bands, LONG_KERNEL], [0, LONG_KERNEL / 2]),
        };
        let glorot = |shape: [usize; 4]| {
            let fan = (shape[2] * shape[3]) as f64;
            let limit = (6.0 / (fan + fan * shape[0] as f64)).sqrt();
            Param::from_tensor(Tensor::random(shape, Distribution::Uniform(-limit, limit), device))
        };
        Self {
            local: glorot([channels, 1, LOCAL_KERNEL, LOCAL_KERNEL]),
            bias: Param::from_tensor(Tensor::zeros([channels], device)),
            long: glorot(long_shape),
            factor: Param::from_tensor(Tensor::zeros([channels], device)),
            log_beta: Param::from_tensor(Tensor::from_data(TensorData::new(vec![2.0f32], [1]), device)),
            long_padding,
        }
    }

    fn channels(&self) -> usize {
        self.bias.dims()[0]
    }

    /// `x ⊗ W_h + b + (½u² + w_c·u) ⊙ W* / β` for standardised `x` `[B, 1, F, T]`.
    fn respond(&self, x: Tensor<4>) -> BranchResponse {
        let pad = LOCAL_KERNEL / 2;
        let local = conv2d(x.clone(), self.local.val(), Some(self.bias.val()), ConvOptions::new([1, 1], [pad, pad], [1, 1], 1));
        let long_response = conv2d(x, self.long.val(), None, ConvOptions::new([1, 1], self.long_padding, [1, 1], 1));
        let spread = (long_response.clone().powi_scalar(2) * 0.5 + long_response.clone() * self.per_channel(&self.factor)) / self.beta();
        let long = conv_transpose2d(spread, self.long.val(), None, ConvTransposeOptions::new([1, 1], self.long_padding, [0, 0], [1, 1], self.channels()));
        BranchResponse { pre_activation: local + long, long_response }
    }

    /// The factor's mean `c = (u + w_c) · (h ⊗ W*) / β`: `[B, C, F, 1]` (time) or `[B, C, 1, T]`.
    fn factor_mean(&self, hidden: Tensor<4>, long_response: Tensor<4>) -> Tensor<4> {
        let gathered = conv2d(hidden, self.long.val(), None, ConvOptions::new([1, 1], self.long_padding, [1, 1], self.channels()));
        (long_response + self.per_channel(&self.factor)) * gathered / self.beta()
    }

    /// Eq. 7's local part at its mean: `h ⊙ W_h`, `[B, 1, F, T]`.
    fn reconstruct(&self, hidden: Tensor<4>) -> Tensor<4> {
        let pad = LOCAL_KERNEL / 2;
        conv_transpose2d(hidden, self.local.val(), None, ConvTransposeOptions::new([1, 1], [pad, pad], [0, 0], [1, 1], 1))
    }

    fn beta(&self) -> Tensor<4> {
        self.log_beta.val().exp().reshape([1, 1, 1, 1])
    }

    fn per_channel(&self, values: &Param<Tensor<1>>) -> Tensor<4> {
        values.val().reshape([1, self.channels(), 1, 1])
    }
}

/// What the TNN extracts from one batch.
pub struct TnnFeatures {
    /// `h_1` and `h_2` side by side: `[B, 2C, F, T]`.
    pub hidden: Tensor<4>,
    /// `c_t` and `c_f`, each as its per-channel mean and max: `[B, 4C]`.
    pub factors: Tensor<2>,
    /// `a_1`, `a_2` (for the free energy).
    pub pre_activations: [Tensor<4>; 2],
}

/// The T-term and F-term branches.
#[derive(Module, Debug)]
pub struct Tnn {
    pub time: TnnBranch,
    pub frequency: TnnBranch,
}

impl Tnn {
    pub fn new(channels: usize, bands: usize, frames: usize, device: &Device) -> Self {
        Self {
            time: TnnBranch::new(Span::Time, channels, bands, frames, device),
            frequency: TnnBranch::new(Span::Frequency, channels, bands, frames, device),
        }
    }

    /// `h_1, h_2` and the factor summaries for standardised `x` `[B, 1, F, T]`.
    pub fn forward(&self, x: Tensor<4>) -> TnnFeatures {
        let (time, frequency) = (self.time.respond(x.clone()), self.frequency.respond(x));
        let (h1, h2) = (sigmoid(time.pre_activation.clone()), sigmoid(frequency.pre_activation.clone()));
        let c_t = self.time.factor_mean(h1.clone(), time.long_response);
        let c_f = self.frequency.factor_mean(h2.clone(), frequency.long_response);
        let factors = Tensor::cat(vec![summarise(c_t), summarise(c_f)], 1);
        TnnFeatures { hidden: Tensor::cat(vec![h1, h2], 1), factors, pre_activations: [time.pre_activation, frequency.pre_activation] }
    }

    /// `a_1, a_2` alone (the Gibbs step's negatives need no features).
    fn pre_activations(&self, x: Tensor<4>) -> [Tensor<4>; 2] {
        [self.time.respond(x.clone()).pre_activation, self.frequency.respond(x).pre_activation]
    }

    /// Eq. 6 per example, divided by the input's size: `½x² − Σ softplus(a_1) − Σ softplus(a_2)`.
    pub fn free_energy(x: Tensor<4>, pre_activations: [Tensor<4>; 2]) -> Tensor<1> {
        let [batch, _, bands, frames] = x.dims();
        let per_example = |t: Tensor<4>| t.reshape([batch as i32, -1]).sum_dim(1).reshape([batch]);
        let [a1, a2] = pre_activations;
        let energy = per_example(x.powi_scalar(2) * 0.5) - per_example(softplus(a1, 1.0)) - per_example(softplus(a2, 1.0));
        energy / (bands * frames) as f64
    }

    /// One Gibbs step from `x`: Bernoulli `h_1, h_2`, then Eq. 7's local mean; no gradient.
    fn gibbs_step(&self, pre_activations: &[Tensor<4>; 2]) -> Tensor<4> {
        let sample = |a: &Tensor<4>| {
            let p = sigmoid(a.clone().detach());
            p.clone().random_like(Distribution::Uniform(0.0, 1.0)).lower(p).float()
        };
        (self.time.reconstruct(sample(&pre_activations[0])) + self.frequency.reconstruct(sample(&pre_activations[1]))).detach()
    }

    /// One-step contrastive divergence, bounded: per example `softplus(F(x) − F(x̃))` with `x̃` its
    /// Gibbs step, averaged. Plain `F(x) − F(x̃)` has no floor when the step is not an exact
    /// sampler of the model (here: mean-field, local kernels only); it ran away in training (the
    /// loss reached −6 in two epochs). Through softplus the term stops pulling once the data's free
    /// energy is a few units below its negative's.
    pub fn contrastive_divergence(&self, x: Tensor<4>, pre_activations: [Tensor<4>; 2]) -> Tensor<1> {
        let negative = self.gibbs_step(&pre_activations);
        let negative_pre_activations = self.pre_activations(negative.clone());
        let gap = Self::free_energy(x, pre_activations) - Self::free_energy(negative, negative_pre_activations);
        softplus(gap, 1.0).mean()
    }
}

/// Per channel: mean and max over the factor's one long axis, `[B, 2C]`.
fn summarise(factor: Tensor<4>) -> Tensor<2> {
    let [batch, channels, _, _] = factor.dims();
    let flat = factor.reshape([batch as i32, channels as i32, -1]);
    Tensor::cat(vec![flat.clone().mean_dim(2), flat.max_dim(2)], 1).reshape([batch, 2 * channels])
}

impl TnnBranch {
    /// ONNX nodes for `respond` and `factor_mean`: returns `h` and `c`.
    fn to_onnx(&self, graph: &mut OnnxGraph, x: &str, name: &str) -> Result<(String, String)> {
        let channels = self.channels();
        let pad = LOCAL_KERNEL / 2;
        let [p_f, p_t] = self.long_padding;
        let long_dims = self.long.dims();
        let local_weight = tensor_constant(graph, &format!("{name}.local"), &self.local.dims(), &self.local)?;
        let bias = tensor_constant(graph, &format!("{name}.bias"), &[channels], &self.bias)?;
        let long_weight = tensor_constant(graph, &format!("{name}.long"), &long_dims, &self.long)?;
        let factor = tensor_constant(graph, &format!("{name}.factor"), &[1, channels, 1, 1], &self.factor)?;
        let inverse_beta = graph.constant(&format!("{name}.inverse_beta"), &[1], &[(-values(&self.log_beta)?[0]).exp()]);
        let half = graph.constant(&format!("{name}.half"), &[1], &[0.5]);
        let local_attrs = [("kernel_shape", ints(&[LOCAL_KERNEL, LOCAL_KERNEL])), ("pads", ints(&[pad; 4]))];
        let local = graph.node("Conv", &[x, &local_weight, &bias], &local_attrs);
        let long_attrs = |group: usize| [("kernel_shape", ints(&long_dims[2..])), ("pads", ints(&[p_f, p_t, p_f, p_t])), ("group", Attr::Int(group as i64))];
        let u = graph.node("Conv", &[x, &long_weight], &long_attrs(1));
        let squared = graph.node("Mul", &[&u, &u], &[]);
        let half_squared = graph.node("Mul", &[&squared, &half], &[]);
        let weighted = graph.node("Mul", &[&u, &factor], &[]);
        let spread = graph.node("Add", &[&half_squared, &weighted], &[]);
        let spread = graph.node("Mul", &[&spread, &inverse_beta], &[]);
        let long = graph.node("ConvTranspose", &[&spread, &long_weight], &long_attrs(channels));
        let pre_activation = graph.node("Add", &[&local, &long], &[]);
        let hidden = graph.node("Sigmoid", &[&pre_activation], &[]);
        let gathered = graph.node("Conv", &[&hidden, &long_weight], &long_attrs(channels));
        let shifted = graph.node("Add", &[&u, &factor], &[]);
        let factor_mean = graph.node("Mul", &[&shifted, &gathered], &[]);
        let factor_mean = graph.node("Mul", &[&factor_mean, &inverse_beta], &[]);
        Ok((hidden, factor_mean))
    }
}

impl Tnn {
    /// ONNX nodes for `forward` from standardised `x`: returns `hidden` `[1, 2C, F, T]` and
    /// `factors` `[1, 4C]`.
    pub fn to_onnx(&self, graph: &mut OnnxGraph, x: &str, name: &str) -> Result<(String, String)> {
        let (h1, c_t) = self.time.to_onnx(graph, x, &format!("{name}.time"))?;
        let (h2, c_f) = self.frequency.to_onnx(graph, x, &format!("{name}.frequency"))?;
        let hidden = graph.node("Concat", &[&h1, &h2], &[("axis", Attr::Int(1))]);
        let mut summaries = Vec::new();
        for factor in [c_t, c_f] {
            for reduce in ["ReduceMean", "ReduceMax"] {
                summaries.push(graph.node(reduce, &[&factor], &[("axes", ints(&[2, 3])), ("keepdims", Attr::Int(0))]));
            }
        }
        let summaries: Vec<&str> = summaries.iter().map(String::as_str).collect();
        Ok((hidden, graph.node("Concat", &summaries, &[("axis", Attr::Int(1))])))
    }
}
