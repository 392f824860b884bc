//! ONNX nodes (opset 13) for the layers the networks use; dropout has none (inference only).

use anyhow::{bail, Result};
use burn::module::Param;
use burn::nn::conv::Conv2d;
use burn::nn::pool::MaxPool2d;
use burn::nn::{Linear, PaddingConfig2d};
use burn::prelude::*;
use instrumeter::models::onnx_graph::{Attr, OnnxGraph};

use super::layers::{ConvPair, NormalisedConv, Standardise};

/// A parameter's values, row-major.
pub fn values<const D: usize>(param: &Param<Tensor<D>>) -> Result<Vec<f32>> {
    super::to_vec(param.val())
}

/// Adds `param` as an initializer named `name`.
fn constant<const D: usize>(graph: &mut OnnxGraph, name: &str, param: &Param<Tensor<D>>) -> Result<String> {
    Ok(graph.constant(name, &param.val().dims(), &values(param)?))
}

pub fn standardise(graph: &mut OnnxGraph, input: &str, layer: &Standardise, name: &str) -> Result<String> {
    let mean = constant(graph, &format!("{name}.mean"), &layer.mean)?;
    let scale = constant(graph, &format!("{name}.scale"), &layer.scale)?;
    let centred = graph.node("Sub", &[input, &mean], &[]);
    Ok(graph.node("Mul", &[&centred, &scale], &[]))
}

pub fn conv_pair(graph: &mut OnnxGraph, input: &str, pair: &ConvPair, name: &str) -> Result<String> {
    let first = normalised_conv(graph, input, &pair.first, &format!("{name}.first"))?;
    let first = activation(graph, &first, pair.negative_slope);
    let second = normalised_conv(graph, &first, &pair.second, &format!("{name}.second"))?;
    Ok(activation(graph, &second, pair.negative_slope))
}

/// A (bias-free) convolution with its batch norm folded in: per output channel
/// `s = γ / √(var + ε)`, weights `W·s` and bias `β − mean·s`.
pub fn normalised_conv(graph: &mut OnnxGraph, input: &str, layer: &NormalisedConv, name: &str) -> Result<String> {
    let norm = &layer.norm;
    let (gamma, beta) = (values(&norm.gamma)?, values(&norm.beta)?);
    let (mean, variance) = (super::to_vec(norm.running_mean.value())?, super::to_vec(norm.running_var.value())?);
    let scales: Vec<f32> = gamma.iter().zip(&variance).map(|(g, v)| g / (v + norm.epsilon as f32).sqrt()).collect();
    let mut weights = values(&layer.conv.weight)?;
    let per_channel = weights.len() / scales.len();
    weights.chunks_mut(per_channel).zip(&scales).for_each(|(channel, scale)| channel.iter_mut().for_each(|w| *w *= scale));
    let folded_bias: Vec<f32> = (0..scales.len()).map(|c| beta[c] - mean[c] * scales[c]).collect();
    let weight = graph.constant(&format!("{name}.weight"), &layer.conv.weight.val().dims(), &weights);
    let bias = graph.constant(&format!("{name}.bias"), &[scales.len()], &folded_bias);
    conv_node(graph, &[input, &weight, &bias], &layer.conv, name)
}

pub fn conv(graph: &mut OnnxGraph, input: &str, conv: &Conv2d, name: &str) -> Result<String> {
    let weight = constant(graph, &format!("{name}.weight"), &conv.weight)?;
    let mut inputs = vec![input.to_string(), weight];
    if let Some(bias) = &conv.bias {
        inputs.push(constant(graph, &format!("{name}.bias"), bias)?);
    }
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    conv_node(graph, &inputs, conv, name)
}

/// The Conv node with `conv`'s geometry on `inputs` (data, weight, optional bias).
fn conv_node(graph: &mut OnnxGraph, inputs: &[&str], conv: &Conv2d, name: &str) -> Result<String> {
    let pads = match conv.padding {
        PaddingConfig2d::Valid => [0; 4],
        PaddingConfig2d::Explicit(top, left, bottom, right) => [top, left, bottom, right],
        PaddingConfig2d::Same => bail!("{name}: export needs explicit padding, not `Same`"),
    };
    let ints = |values: &[usize]| Attr::Ints(values.iter().map(|&v| v as i64).collect());
    Ok(graph.node(
        "Conv",
        inputs,
        &[
            ("kernel_shape", ints(&conv.kernel_size)),
            ("strides", ints(&conv.stride)),
            ("dilations", ints(&conv.dilation)),
            ("group", Attr::Int(conv.groups as i64)),
            ("pads", ints(&pads)),
        ],
    ))
}

/// `layers::through_pooled_pairs` as ONNX nodes; pair `i` is named `{name}.{i}`.
pub fn pooled_pairs(graph: &mut OnnxGraph, input: &str, pairs: &[ConvPair], pool: &MaxPool2d, name: &str) -> Result<String> {
    let last = pairs.len() - 1;
    let mut x = input.to_string();
    for (index, pair) in pairs.iter().enumerate() {
        x = conv_pair(graph, &x, pair, &format!("{name}.{index}"))?;
        if index < last {
            x = max_pool(graph, &x, pool)?;
        }
    }
    Ok(x)
}

pub fn max_pool(graph: &mut OnnxGraph, input: &str, pool: &MaxPool2d) -> Result<String> {
    if !matches!(pool.padding, PaddingConfig2d::Valid) || pool.ceil_mode || pool.dilation != [1, 1] {
        bail!("max-pool export supports unpadded, undilated, floor-mode pooling only");
    }
    let ints = |values: [usize; 2]| Attr::Ints(values.iter().map(|&v| v as i64).collect());
    Ok(graph.node("MaxPool", &[input], &[("kernel_shape", ints(pool.kernel_size)), ("strides", ints(pool.stride))]))
}

/// `input · W + b` (burn stores `W` as `[d_in, d_out]`, which is Gemm's untransposed `B`).
pub fn gemm(graph: &mut OnnxGraph, input: &str, linear: &Linear, name: &str) -> Result<String> {
    let weight = constant(graph, &format!("{name}.weight"), &linear.weight)?;
    let bias = match &linear.bias {
        Some(bias) => constant(graph, &format!("{name}.bias"), bias)?,
        None => graph.constant(&format!("{name}.bias"), &[1], &[0.0]),
    };
    Ok(graph.node("Gemm", &[input, &weight, &bias], &[]))
}

/// ReLU for slope 0, LeakyReLU otherwise.
pub fn activation(graph: &mut OnnxGraph, input: &str, negative_slope: f64) -> String {
    if negative_slope == 0.0 {
        graph.node("Relu", &[input], &[])
    } else {
        graph.node("LeakyRelu", &[input], &[("alpha", Attr::Float(negative_slope as f32))])
    }
}

/// `softplus(x) = relu(x) + ln(1 + e^(−|x|))`: the stable form (ONNX's `Softplus` is `ln(1 + eˣ)`,
/// which overflows for large inputs).
pub fn softplus(graph: &mut OnnxGraph, input: &str) -> String {
    let one = graph.constant(&format!("{input}.one"), &[1], &[1.0]);
    let magnitude = graph.node("Abs", &[input], &[]);
    let negated = graph.node("Neg", &[&magnitude], &[]);
    let exponential = graph.node("Exp", &[&negated], &[]);
    let shifted = graph.node("Add", &[&exponential, &one], &[]);
    let logarithm = graph.node("Log", &[&shifted], &[]);
    let positive = graph.node("Relu", &[input], &[]);
    graph.node("Add", &[&positive, &logarithm], &[])
}

/// A float constant from a tensor of any rank, reshaped to `dims`.
pub fn tensor_constant<const D: usize>(graph: &mut OnnxGraph, name: &str, dims: &[usize], param: &Param<Tensor<D>>) -> Result<String> {
    Ok(graph.constant(name, dims, &values(param)?))
}

/// Integer attribute list.
pub fn ints(values: &[usize]) -> Attr {
    Attr::Ints(values.iter().map(|&v| v as i64).collect())
}
