//! An exported ONNX graph's weights back into the burn network that `to_onnx` wrote them from.
//! Batch norm was folded into the convolutions at export, so each one comes back as identity
//! statistics with the folded bias as β: inference is exact, and `calibrate` makes training agree.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{anyhow, ensure, Context, Result};
use burn::module::{Param, RunningState};
use burn::nn::conv::Conv2d;
use burn::nn::Linear;
use burn::prelude::*;
use prost::Message;
use tract_onnx::pb::tensor_proto::DataType;
use tract_onnx::pb::ModelProto;

use super::layers::{ConvPair, NormalisedConv, Standardise};
use super::{Architecture, FrameCnn, HanConvNet, Network};

/// Why an LSTN cannot be imported: its export has no read-back (its run folder resumes instead).
pub const LSTN_NOT_IMPORTABLE: &str = "LSTN weights cannot be read back from ONNX; resume the training run folder that exported it";

/// Every float initializer of a graph by name: its dims and values.
pub struct OnnxWeights {
    tensors: HashMap<String, (Vec<usize>, Vec<f32>)>,
}

impl OnnxWeights {
    pub fn decode(bytes: &[u8], path: &Path) -> Result<Self> {
        let model = ModelProto::decode(bytes).with_context(|| format!("{} is not an ONNX model", path.display()))?;
        let graph = model.graph.with_context(|| format!("{} holds no graph", path.display()))?;
        let tensors = graph
            .initializer
            .into_iter()
            .filter(|tensor| tensor.data_type == DataType::Float as i32)
            .map(|tensor| {
                let dims = tensor.dims.iter().map(|&d| d as usize).collect();
                let values = if tensor.raw_data.is_empty() {
                    tensor.float_data
                } else {
                    tensor.raw_data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
                };
                (tensor.name, (dims, values))
            })
            .collect();
        Ok(Self { tensors })
    }

    /// The network width (`--width`) that made these weights: first convolution's channels / 32.
    pub fn width(&self, arch: Architecture) -> Result<f64> {
        let first = match arch {
            Architecture::Frames => "stages.0.first.weight",
            Architecture::Han => "blocks.0.first.weight",
            Architecture::Lstn => return Err(anyhow!(LSTN_NOT_IMPORTABLE)),
            other => return Err(anyhow!("{} weights are not imported from ONNX: resume the run folder instead", other.name())),
        };
        let (dims, _) = self.get(first)?;
        Ok(dims[0] as f64 / 32.0)
    }

    fn get(&self, name: &str) -> Result<&(Vec<usize>, Vec<f32>)> {
        self.tensors.get(name).ok_or_else(|| anyhow!("the ONNX graph has no weight `{name}`: not a network `cargo xtask export` wrote"))
    }

    /// Weight `name` as a tensor shaped like `like`.
    fn tensor<const D: usize>(&self, name: &str, like: &Tensor<D>) -> Result<Tensor<D>> {
        let (dims, values) = self.get(name)?;
        let expected = like.dims();
        ensure!(dims.as_slice() == expected.as_slice(), "ONNX weight `{name}` has shape {dims:?}, the network expects {expected:?}");
        Ok(Tensor::from_data(TensorData::new(values.clone(), expected), &like.device()))
    }

    fn param<const D: usize>(&self, name: &str, like: &Param<Tensor<D>>) -> Result<Param<Tensor<D>>> {
        Ok(Param::from_tensor(self.tensor(name, &like.val())?))
    }
}

impl Network {
    /// Replaces every weight with the ONNX graph's (shapes must match the network's).
    pub fn load_onnx(&mut self, weights: &OnnxWeights) -> Result<()> {
        match self {
            Self::Frames(net) => net.load_onnx(weights),
            Self::Han(net) => net.load_onnx(weights),
            Self::Lstn(_) => Err(anyhow!(LSTN_NOT_IMPORTABLE)),
            Self::CqtNet(_) => Err(anyhow!("seed 002's weights are not imported from ONNX: resume the run folder instead")),
        }
    }
}

impl FrameCnn {
    fn load_onnx(&mut self, weights: &OnnxWeights) -> Result<()> {
        load_standardise(&mut self.standardise, weights)?;
        for (index, stage) in self.stages.iter_mut().enumerate() {
            load_conv_pair(stage, weights, &format!("stages.{index}"))?;
        }
        ensure!(!weights.tensors.contains_key(&format!("stages.{}.first.weight", self.stages.len())), "the ONNX graph has more stages than the network");
        load_conv(&mut self.output, weights, "output")
    }
}

impl HanConvNet {
    fn load_onnx(&mut self, weights: &OnnxWeights) -> Result<()> {
        load_standardise(&mut self.standardise, weights)?;
        for (index, block) in self.blocks.iter_mut().enumerate() {
            load_conv_pair(block, weights, &format!("blocks.{index}"))?;
        }
        load_linear(&mut self.dense, weights, "dense")?;
        load_linear(&mut self.output, weights, "output")
    }
}

fn load_standardise(layer: &mut Standardise, weights: &OnnxWeights) -> Result<()> {
    layer.mean = weights.param("standardise.mean", &layer.mean)?.set_require_grad(false);
    layer.scale = weights.param("standardise.scale", &layer.scale)?.set_require_grad(false);
    Ok(())
}

fn load_conv_pair(pair: &mut ConvPair, weights: &OnnxWeights, name: &str) -> Result<()> {
    load_normalised_conv(&mut pair.first, weights, &format!("{name}.first"))?;
    load_normalised_conv(&mut pair.second, weights, &format!("{name}.second"))
}

/// The folded convolution's weights, and a batch norm that only adds its bias: γ 1, mean 0 and a
/// variance of 1 − ε (so √(var + ε) is exactly 1).
fn load_normalised_conv(layer: &mut NormalisedConv, weights: &OnnxWeights, name: &str) -> Result<()> {
    layer.conv.weight = weights.param(&format!("{name}.weight"), &layer.conv.weight)?;
    let norm = &mut layer.norm;
    let beta = weights.tensor(&format!("{name}.bias"), &norm.beta.val())?;
    norm.gamma = Param::from_tensor(beta.ones_like());
    norm.running_mean = RunningState::new(beta.zeros_like());
    norm.running_var = RunningState::new(beta.ones_like().sub_scalar(norm.epsilon));
    norm.beta = Param::from_tensor(beta);
    Ok(())
}

fn load_conv(conv: &mut Conv2d, weights: &OnnxWeights, name: &str) -> Result<()> {
    load_weight_and_bias(&mut conv.weight, &mut conv.bias, weights, name)
}

fn load_linear(linear: &mut Linear, weights: &OnnxWeights, name: &str) -> Result<()> {
    load_weight_and_bias(&mut linear.weight, &mut linear.bias, weights, name)
}

fn load_weight_and_bias<const D: usize>(weight: &mut Param<Tensor<D>>, bias: &mut Option<Param<Tensor<1>>>, weights: &OnnxWeights, name: &str) -> Result<()> {
    *weight = weights.param(&format!("{name}.weight"), weight)?;
    let bias = bias.as_mut().with_context(|| format!("{name}: the network's layer has no bias to load"))?;
    *bias = weights.param(&format!("{name}.bias"), bias)?;
    Ok(())
}
