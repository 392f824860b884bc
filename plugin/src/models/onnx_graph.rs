//! Writes ONNX files from Rust (tract-onnx's protobuf types + prost): used to export trained
//! weights and to build small graphs with known outputs for tests.

use prost::Message;
use tract_onnx::pb::attribute_proto::AttributeType;
use tract_onnx::pb::tensor_proto::DataType;
use tract_onnx::pb::tensor_shape_proto::{dimension, Dimension};
use tract_onnx::pb::type_proto::{self, Tensor as TensorType};
use tract_onnx::pb::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto,
};

/// ONNX operator set the graphs are written for.
pub const OPSET: i64 = 13;

/// An attribute value of a node.
pub enum Attr {
    Int(i64),
    Ints(Vec<i64>),
    Float(f32),
}

/// Accumulates nodes and weights, then serialises one float32 graph with one output (and one
/// input, or several for a multi-branch model).
pub struct OnnxGraph {
    graph: GraphProto,
    counter: usize,
}

impl OnnxGraph {
    /// A graph whose input `input` has the given shape.
    pub fn new(name: &str, input: &str, input_shape: &[usize]) -> Self {
        let graph = GraphProto { name: name.into(), input: vec![float_value_info(input, input_shape)], ..Default::default() };
        Self { graph, counter: 0 }
    }

    /// Adds a float32 weight tensor and returns its name.
    pub fn constant(&mut self, name: &str, dims: &[usize], values: &[f32]) -> String {
        assert_eq!(dims.iter().product::<usize>(), values.len(), "constant {name}: dims and values disagree");
        self.graph.initializer.push(TensorProto {
            name: name.into(),
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type: DataType::Float as i32,
            float_data: values.to_vec(),
            ..Default::default()
        });
        name.into()
    }

    /// Adds an int64 tensor (shapes for `Reshape`) and returns its name.
    pub fn constant_i64(&mut self, name: &str, values: &[i64]) -> String {
        self.graph.initializer.push(TensorProto {
            name: name.into(),
            dims: vec![values.len() as i64],
            data_type: DataType::Int64 as i32,
            int64_data: values.to_vec(),
            ..Default::default()
        });
        name.into()
    }

    /// Adds a node with one output and returns the output's (generated) name.
    pub fn node(&mut self, op: &str, inputs: &[&str], attrs: &[(&str, Attr)]) -> String {
        self.counter += 1;
        let output = format!("{}_{}", op.to_lowercase(), self.counter);
        self.graph.node.push(NodeProto {
            op_type: op.into(),
            name: output.clone(),
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.clone()],
            attribute: attrs.iter().map(|(name, value)| attribute(name, value)).collect(),
            ..Default::default()
        });
        output
    }

    /// Declares a further graph input.
    pub fn add_input(&mut self, input: &str, input_shape: &[usize]) {
        self.graph.input.push(float_value_info(input, input_shape));
    }

    /// Copies `other`'s nodes and weights in, every name prefixed with `prefix` except its (single)
    /// input, which becomes `input`; returns the name of its (single) output.
    pub fn absorb(&mut self, other: GraphProto, prefix: &str, input: &str) -> Result<String, String> {
        let (Some(own_input), Some(own_output)) = (other.input.first(), other.output.first()) else {
            return Err(format!("graph {} has no input or no output", other.name));
        };
        if other.input.len() != 1 || other.output.len() != 1 {
            return Err(format!("graph {} must have one input and one output", other.name));
        }
        let own_input = own_input.name.clone();
        let rename = |name: &str| if name == own_input { input.to_string() } else if name.is_empty() { String::new() } else { format!("{prefix}{name}") };
        let output = rename(&own_output.name);
        for mut node in other.node {
            node.name = format!("{prefix}{}", node.name);
            node.input = node.input.iter().map(|name| rename(name)).collect();
            node.output = node.output.iter().map(|name| rename(name)).collect();
            self.graph.node.push(node);
        }
        for mut tensor in other.initializer {
            tensor.name = rename(&tensor.name);
            self.graph.initializer.push(tensor);
        }
        Ok(output)
    }

    /// Declares `tensor` (shape `shape`) the graph's output and returns the serialised model.
    pub fn finish(mut self, tensor: &str, shape: &[usize]) -> Vec<u8> {
        self.graph.output.push(float_value_info(tensor, shape));
        let model = ModelProto {
            ir_version: 8,
            producer_name: "instrumeter".into(),
            opset_import: vec![OperatorSetIdProto { domain: String::new(), version: OPSET }],
            graph: Some(self.graph),
            ..Default::default()
        };
        model.encode_to_vec()
    }
}

/// An ONNX attribute proto for `value`.
pub fn attribute(name: &str, value: &Attr) -> AttributeProto {
    let mut proto = AttributeProto { name: name.into(), ..Default::default() };
    match value {
        Attr::Int(i) => (proto.r#type, proto.i) = (AttributeType::Int as i32, *i),
        Attr::Ints(v) => (proto.r#type, proto.ints) = (AttributeType::Ints as i32, v.clone()),
        Attr::Float(f) => (proto.r#type, proto.f) = (AttributeType::Float as i32, *f),
    }
    proto
}

/// A float32 tensor `name` of fixed `shape`, as a graph input or output.
pub fn float_value_info(name: &str, shape: &[usize]) -> ValueInfoProto {
    let dim = shape.iter().map(|&d| Dimension { value: Some(dimension::Value::DimValue(d as i64)), ..Default::default() }).collect();
    let tensor = TensorType { elem_type: DataType::Float as i32, shape: Some(TensorShapeProto { dim }) };
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto { value: Some(type_proto::Value::TensorType(tensor)), ..Default::default() }),
        ..Default::default()
    }
}
