//! LSTN's LSN (seed 000, Eq. 8–9): one class-RBM per instrument over the feature vector `f`,
//! `logit_l = Σ_j softplus(c_lj + U_lj + W_lj·f) − Σ_j softplus(c_lj + W_lj·f) + d_l`, trained with
//! the discriminative loss (the likelihood term is left to the TNN's energy).

use anyhow::Result;
use burn::module::Param;
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::softplus;
use instrumeter::models::onnx_graph::OnnxGraph;

use super::onnx;

/// Hidden units per class (the paper's LSN hidden-channel, Table 5).
pub const HIDDEN_PER_CLASS: usize = 64;

#[derive(Module, Debug)]
pub struct Lsn {
    /// `W` and `c` of every class: `f → [classes · J]`, class-major.
    pub hidden: Linear,
    /// `U`: `[classes · J]`.
    pub label_weight: Param<Tensor<1>>,
    /// `d`: `[classes]`.
    pub label_bias: Param<Tensor<1>>,
}

impl Lsn {
    pub fn new(features: usize, classes: usize, initializer: &Initializer, device: &Device) -> Self {
        let units = classes * HIDDEN_PER_CLASS;
        Self {
            hidden: LinearConfig::new(features, units).with_initializer(initializer.clone()).init(device),
            label_weight: Param::from_tensor(Tensor::random([units], burn::tensor::Distribution::Normal(0.0, 0.1), device)),
            label_bias: Param::from_tensor(Tensor::zeros([classes], device)),
        }
    }

    fn classes(&self) -> usize {
        self.label_bias.dims()[0]
    }

    /// `[B, features]` → logits `[B, classes]`.
    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        let batch = features.dims()[0];
        let z = self.hidden.forward(features);
        let with_label = softplus(z.clone() + self.label_weight.val().unsqueeze::<2>(), 1.0) - softplus(z, 1.0);
        let per_class = with_label.reshape([batch, self.classes(), HIDDEN_PER_CLASS]).sum_dim(2).reshape([batch, self.classes()]);
        per_class + self.label_bias.val().unsqueeze::<2>()
    }

    /// The same as ONNX nodes from `features` `[1, features]`; returns the logits `[1, classes]`.
    /// The per-class sum is a product with a block matrix of ones (opset 13's ReduceSum takes
    /// its axes as a tensor; a MatMul keeps the graph plain).
    pub fn to_onnx(&self, graph: &mut OnnxGraph, features: &str, name: &str) -> Result<String> {
        let classes = self.classes();
        let units = classes * HIDDEN_PER_CLASS;
        let z = onnx::gemm(graph, features, &self.hidden, &format!("{name}.hidden"))?;
        let label_weight = graph.constant(&format!("{name}.label_weight"), &[units], &onnx::values(&self.label_weight)?);
        let shifted = graph.node("Add", &[&z, &label_weight], &[]);
        let with_label = onnx::softplus(graph, &shifted);
        let without = onnx::softplus(graph, &z);
        let difference = graph.node("Sub", &[&with_label, &without], &[]);
        let blocks: Vec<f32> = (0..units).flat_map(|unit| (0..classes).map(move |class| f32::from(unit / HIDDEN_PER_CLASS == class))).collect();
        let blocks = graph.constant(&format!("{name}.class_sum"), &[units, classes], &blocks);
        let summed = graph.node("MatMul", &[&difference, &blocks], &[]);
        let label_bias = graph.constant(&format!("{name}.label_bias"), &[classes], &onnx::values(&self.label_bias)?);
        Ok(graph.node("Add", &[&summed, &label_bias], &[]))
    }
}
