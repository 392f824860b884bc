//! Rewrites a window-clip network's ONNX: one copy outputs its penultimate embedding (to fit a
//! head on), another appends taught classes (a head on that embedding) to its class scores.

use prost::Message;
use tract_onnx::pb::{GraphProto, ModelProto, NodeProto, TensorProto};

use crate::models::onnx_graph::{float_value_info, Attr};

/// Where a window-clip network's class scores come from: `Sigmoid(Gemm(embedding, W, b))`.
struct Penultimate {
    /// The embedding tensor's name.
    embedding: String,
    /// Its width (rows of the output layer's `W`).
    dim: usize,
    /// Classes the graph outputs now.
    classes: usize,
}

/// Why a graph cannot be taught.
fn unsupported(reason: &str) -> String {
    format!("this network cannot be taught a class: {reason} (expected Sigmoid(Gemm(embedding, W, b)) as its output)")
}

fn decode(onnx: &[u8]) -> Result<(ModelProto, GraphProto), String> {
    let mut model = ModelProto::decode(onnx).map_err(|e| format!("not an ONNX model: {e}"))?;
    let graph = model.graph.take().ok_or_else(|| unsupported("the model has no graph"))?;
    Ok((model, graph))
}

fn producer<'a>(graph: &'a GraphProto, tensor: &str) -> Option<&'a NodeProto> {
    graph.node.iter().find(|node| node.output.iter().any(|o| o == tensor))
}

fn initializer<'a>(graph: &'a GraphProto, name: &str) -> Option<&'a TensorProto> {
    graph.initializer.iter().find(|t| t.name == name)
}

/// Follows the output back to the original network's `Sigmoid(Gemm(…))`, through the `Concat`s
/// of classes taught earlier (their first input is always the network's own scores).
fn penultimate(graph: &GraphProto) -> Result<Penultimate, String> {
    let output = graph.output.first().ok_or_else(|| unsupported("the graph has no output"))?;
    let classes = output_classes(graph)?;
    let mut tensor = output.name.clone();
    let sigmoid = loop {
        let node = producer(graph, &tensor).ok_or_else(|| unsupported("the output has no producing node"))?;
        match node.op_type.as_str() {
            "Concat" => tensor = node.input.first().cloned().ok_or_else(|| unsupported("an empty Concat"))?,
            "Sigmoid" => break node,
            other => return Err(unsupported(&format!("its output comes from {other}"))),
        }
    };
    let sigmoid_input = sigmoid.input.first().ok_or_else(|| unsupported("a Sigmoid without input"))?;
    let gemm = producer(graph, sigmoid_input).filter(|n| n.op_type == "Gemm" && n.input.len() >= 2);
    let gemm = gemm.ok_or_else(|| unsupported("the sigmoid's input is not a Gemm"))?;
    let weight = initializer(graph, &gemm.input[1]).filter(|w| w.dims.len() == 2 && w.dims[0] > 0);
    let weight = weight.ok_or_else(|| unsupported("the Gemm's weights are not a stored matrix"))?;
    if gemm.attribute.iter().any(|a| a.name == "transB" && a.i != 0) {
        return Err(unsupported("the Gemm's weights are transposed"));
    }
    Ok(Penultimate { embedding: gemm.input[0].clone(), dim: weight.dims[0] as usize, classes })
}

fn output_classes(graph: &GraphProto) -> Result<usize, String> {
    use tract_onnx::pb::tensor_shape_proto::dimension::Value;
    use tract_onnx::pb::type_proto::Value as TypeValue;
    let output = &graph.output[0];
    let shape = match output.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(TypeValue::TensorType(tensor)) => tensor.shape.as_ref(),
        _ => None,
    };
    let dims: Vec<i64> = shape
        .map(|s| s.dim.iter().map(|d| if let Some(Value::DimValue(v)) = d.value { v } else { -1 }).collect())
        .unwrap_or_default();
    match dims.as_slice() {
        [1, classes] if *classes > 0 => Ok(*classes as usize),
        _ => Err(unsupported(&format!("its output shape is {dims:?}, not [1, classes]"))),
    }
}

fn encode(mut model: ModelProto, graph: GraphProto) -> Vec<u8> {
    model.graph = Some(graph);
    model.encode_to_vec()
}


/// A copy of the network whose only output is its penultimate embedding (`[1, dim]`).
pub fn embedding_model(onnx: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let (model, mut graph) = decode(onnx)?;
    let found = penultimate(&graph)?;
    graph.output = vec![float_value_info(&found.embedding, &[1, found.dim])];
    Ok((encode(model, graph), found.dim))
}

/// A copy of the network that also outputs `sigmoid(embedding · weights + bias)` after its own
/// classes: `[1, classes + 1]`. `weights` has the embedding's width.
pub fn with_taught_class(onnx: &[u8], weights: &[f32], bias: f32) -> Result<Vec<u8>, String> {
    let (model, mut graph) = decode(onnx)?;
    let found = penultimate(&graph)?;
    if weights.len() != found.dim {
        return Err(format!("the head has {} weights, the embedding {} values", weights.len(), found.dim));
    }
    let id = found.classes;
    let name = |what: &str| format!("taught{id}.{what}");
    graph.initializer.push(float_tensor(&name("weight"), &[found.dim as i64, 1], weights));
    graph.initializer.push(float_tensor(&name("bias"), &[1], &[bias]));
    let old_output = graph.output[0].name.clone();
    let (logit, score, joined) = (name("logit"), name("score"), name("classes"));
    graph.node.push(node("Gemm", &[&found.embedding, &name("weight"), &name("bias")], &logit, &[]));
    graph.node.push(node("Sigmoid", &[&logit], &score, &[]));
    graph.node.push(node("Concat", &[&old_output, &score], &joined, &[("axis", Attr::Int(1))]));
    graph.output = vec![float_value_info(&joined, &[1, found.classes + 1])];
    Ok(encode(model, graph))
}

fn float_tensor(name: &str, dims: &[i64], values: &[f32]) -> TensorProto {
    use tract_onnx::pb::tensor_proto::DataType;
    TensorProto { name: name.into(), dims: dims.to_vec(), data_type: DataType::Float as i32, float_data: values.to_vec(), ..Default::default() }
}

fn node(op: &str, inputs: &[&str], output: &str, attrs: &[(&str, Attr)]) -> NodeProto {
    NodeProto {
        op_type: op.into(),
        name: output.into(),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: vec![output.into()],
        attribute: attrs.iter().map(|(name, value)| crate::models::onnx_graph::attribute(name, value)).collect(),
        ..Default::default()
    }
}
