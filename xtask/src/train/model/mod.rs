//! The two networks behind one type, and the window geometry the trainer and exporter need.

mod frames;
mod han;
mod layers;
pub mod onnx;

use anyhow::{anyhow, Result};
use burn::prelude::*;
use instrumeter::models::onnx_graph::OnnxGraph;
use instrumeter::models::ModelKind;
use serde::{Deserialize, Serialize};

pub use frames::{FrameCnn, FrameCnnConfig};
pub use han::{HanConfig, HanConvNet};
pub use layers::{bce_with_logits, Standardise};

use super::stats::BandStats;

/// A tensor's values as f32, row-major.
pub fn to_vec<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>> {
    tensor.into_data().convert::<f32>().try_into_vec::<f32>().map_err(|e| anyhow!("cannot read a tensor back: {e:?}"))
}

/// Which network to train (`--arch`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// Han et al. ConvNet: 43-frame (1 s) windows → one score per class (`window_clip`).
    Han,
    /// Neuroment CNN: 16-frame windows → one score per class per frame (`frame_activation`).
    Frames,
}

impl Architecture {
    pub fn name(self) -> &'static str {
        match self {
            Self::Han => "han",
            Self::Frames => "frames",
        }
    }

    pub fn kind(self) -> ModelKind {
        match self {
            Self::Han => ModelKind::WindowClip,
            Self::Frames => ModelKind::FrameActivation,
        }
    }

    /// Frames per input window.
    pub fn window_frames(self) -> usize {
        match self {
            Self::Han => 43,
            Self::Frames => 16,
        }
    }

    /// Frames between window starts (half a window).
    pub fn hop_frames(self) -> usize {
        self.window_frames().div_ceil(2)
    }

    /// Outputs per class in one window: one score, or one per frame.
    pub fn steps_per_window(self) -> usize {
        match self {
            Self::Han => 1,
            Self::Frames => self.window_frames(),
        }
    }
}

/// A network's settings; saved in the run folder so a checkpoint can be rebuilt.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelConfig {
    Han(HanConfig),
    Frames(FrameCnnConfig),
}

impl ModelConfig {
    pub fn new(arch: Architecture, width: f64, n_mels: usize, classes: usize) -> Self {
        match arch {
            Architecture::Han => Self::Han(HanConfig::new().with_width(width).with_n_mels(n_mels).with_classes(classes)),
            Architecture::Frames => {
                Self::Frames(FrameCnnConfig::new().with_width(width).with_n_mels(n_mels).with_classes(classes))
            }
        }
    }

    pub fn architecture(&self) -> Architecture {
        match self {
            Self::Han(_) => Architecture::Han,
            Self::Frames(_) => Architecture::Frames,
        }
    }

    pub fn classes(&self) -> usize {
        match self {
            Self::Han(config) => config.classes,
            Self::Frames(config) => config.classes,
        }
    }

    pub fn n_mels(&self) -> usize {
        match self {
            Self::Han(config) => config.n_mels,
            Self::Frames(config) => config.n_mels,
        }
    }

    /// A fresh network whose input standardisation uses `stats`.
    pub fn init(&self, stats: &BandStats, device: &Device) -> Network {
        match self {
            Self::Han(config) => Network::Han(config.init(stats, device)),
            Self::Frames(config) => Network::Frames(config.init(stats, device)),
        }
    }
}

/// Either network; `logits` is `[batch, classes · steps_per_window]`, class-major.
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant, reason = "one network per run, so its size is immaterial")]
pub enum Network {
    Han(HanConvNet),
    Frames(FrameCnn),
}

impl Network {
    pub fn logits(&self, input: Tensor<4>) -> Tensor<2> {
        match self {
            Self::Han(net) => net.forward(input),
            Self::Frames(net) => net.forward(input),
        }
    }

    pub fn standardise(&self) -> &Standardise {
        match self {
            Self::Han(net) => &net.standardise,
            Self::Frames(net) => &net.standardise,
        }
    }

    /// The inference graph's nodes from `input` (dropout omitted); returns the sigmoid output.
    pub fn to_onnx(&self, graph: &mut OnnxGraph, input: &str) -> Result<String> {
        match self {
            Self::Han(net) => net.to_onnx(graph, input),
            Self::Frames(net) => net.to_onnx(graph, input),
        }
    }
}
