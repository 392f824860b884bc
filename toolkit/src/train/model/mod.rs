//! The networks behind one type, and the window geometry the trainer and exporter need.

mod cqt_net;
mod frames;
mod from_onnx;
mod han;
mod layers;
mod lsn;
mod lstn;
#[cfg(test)]
mod lstn_tests;
pub mod onnx;
mod tnn;
mod zagreb;

use anyhow::{anyhow, Result};
use burn::prelude::*;
use instrumeter::frontend::FeatureKind;
use instrumeter::models::onnx_graph::OnnxGraph;
use instrumeter::models::ModelKind;
use serde::{Deserialize, Serialize};

pub use cqt_net::{CqtNet, CqtNetConfig};
pub use frames::{FrameCnn, FrameCnnConfig};
pub use from_onnx::{OnnxWeights, LSTN_NOT_IMPORTABLE};
pub use han::{HanConfig, HanConvNet};
pub use layers::{bce_with_logits, Standardise};
pub use lstn::{Lstn, LstnConfig};
pub use zagreb::{Branch, ZagrebConfig};

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
    /// LSTN (seed 000): TNN energy layer, encoder and label-specific classifiers on 43-frame
    /// windows → one score per class (`window_clip`).
    Lstn,
    /// Seed 002's network on the log constant-Q, 128-frame (3 s) windows (`window_clip`).
    CqtInvariants,
    /// Seed 004's mel branch (Table 5), 43-frame windows.
    ZagrebMel,
    /// Seed 004's modified-group-delay branch (Table 5), 100-frame (1 s) windows.
    ZagrebModgd,
    /// Seed 004's CQT-chroma branch (Table 6), 43-frame windows.
    ZagrebChroma,
}

impl Architecture {
    pub fn name(self) -> &'static str {
        match self {
            Self::Han => "han",
            Self::Frames => "frames",
            Self::Lstn => "lstn",
            Self::CqtInvariants => "cqt_invariants",
            Self::ZagrebMel => "zagreb_mel",
            Self::ZagrebModgd => "zagreb_modgd",
            Self::ZagrebChroma => "zagreb_chroma",
        }
    }

    /// The seed-004 branch this architecture is, if it is one.
    pub fn branch(self) -> Option<Branch> {
        match self {
            Self::ZagrebMel => Some(Branch::Mel),
            Self::ZagrebModgd => Some(Branch::Modgd),
            Self::ZagrebChroma => Some(Branch::Chroma),
            _ => None,
        }
    }

    /// The front-end's feature kind this network reads.
    pub fn features(self) -> FeatureKind {
        match (self, self.branch()) {
            (_, Some(branch)) => branch.features(),
            (Self::CqtInvariants, _) => FeatureKind::Cqt,
            _ => FeatureKind::LogMel,
        }
    }

    /// The network and the choices its paper left open, for the model card.
    pub fn design(self) -> &'static str {
        match self {
            Self::Han => "Han et al. 2017 ConvNet (seed 001): four double-3×3-conv blocks with batch norm (folded away in the ONNX), global max-pool, dense, sigmoid",
            Self::Frames => "Neuroment frame-activation CNN (seed 003): conv stages over 16-frame windows, one sigmoid activation per class per frame",
            Self::Lstn => lstn::DESIGN,
            Self::CqtInvariants => cqt_net::DESIGN,
            Self::ZagrebMel | Self::ZagrebModgd | Self::ZagrebChroma => zagreb::DESIGN,
        }
    }

    pub fn kind(self) -> ModelKind {
        match self {
            Self::Frames => ModelKind::FrameActivation,
            _ => ModelKind::WindowClip,
        }
    }

    /// Frames per input window.
    pub fn window_frames(self) -> usize {
        match (self, self.branch()) {
            (_, Some(branch)) => branch.window_frames(),
            (Self::Lstn, _) => lstn::WINDOW_FRAMES,
            (Self::Frames, _) => 16,
            (Self::CqtInvariants, _) => cqt_net::WINDOW_FRAMES,
            _ => 43,
        }
    }

    /// Frames between window starts (half a window).
    pub fn hop_frames(self) -> usize {
        self.window_frames().div_ceil(2)
    }

    /// Outputs per class in one window: one score, or one per frame.
    pub fn steps_per_window(self) -> usize {
        match self {
            Self::Frames => self.window_frames(),
            _ => 1,
        }
    }
}

/// A network's settings; saved in the run folder so a checkpoint can be rebuilt.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelConfig {
    Han(HanConfig),
    Frames(FrameCnnConfig),
    Lstn(LstnConfig),
    CqtNet(CqtNetConfig),
    Zagreb(ZagrebConfig),
}

impl ModelConfig {
    pub fn new(arch: Architecture, width: f64, n_mels: usize, classes: usize) -> Self {
        match arch {
            Architecture::Han => Self::Han(HanConfig::new().with_width(width).with_n_mels(n_mels).with_classes(classes)),
            Architecture::Frames => {
                Self::Frames(FrameCnnConfig::new().with_width(width).with_n_mels(n_mels).with_classes(classes))
            }
            Architecture::Lstn => Self::Lstn(LstnConfig::new().with_width(width).with_n_mels(n_mels).with_classes(classes)),
            Architecture::CqtInvariants => Self::CqtNet(CqtNetConfig::new().with_width(width).with_n_mels(n_mels).with_classes(classes)),
            Architecture::ZagrebMel | Architecture::ZagrebModgd | Architecture::ZagrebChroma => {
                let branch = arch.branch().expect("a seed-004 branch");
                Self::Zagreb(ZagrebConfig::new(branch).with_width(width).with_n_mels(n_mels).with_classes(classes))
            }
        }
    }

    pub fn architecture(&self) -> Architecture {
        match self {
            Self::Han(_) => Architecture::Han,
            Self::Frames(_) => Architecture::Frames,
            Self::Lstn(_) => Architecture::Lstn,
            Self::CqtNet(_) => Architecture::CqtInvariants,
            Self::Zagreb(config) => match config.branch {
                Branch::Mel => Architecture::ZagrebMel,
                Branch::Modgd => Architecture::ZagrebModgd,
                Branch::Chroma => Architecture::ZagrebChroma,
            },
        }
    }

    pub fn classes(&self) -> usize {
        match self {
            Self::Han(config) => config.classes,
            Self::Frames(config) => config.classes,
            Self::Lstn(config) => config.classes,
            Self::CqtNet(config) => config.classes,
            Self::Zagreb(config) => config.classes,
        }
    }

    pub fn n_mels(&self) -> usize {
        match self {
            Self::Han(config) => config.n_mels,
            Self::Frames(config) => config.n_mels,
            Self::Lstn(config) => config.n_mels,
            Self::CqtNet(config) => config.n_mels,
            Self::Zagreb(config) => config.n_mels,
        }
    }

    /// A fresh network whose input standardisation uses `stats`.
    pub fn init(&self, stats: &BandStats, device: &Device) -> Network {
        match self {
            Self::Han(config) => Network::Han(config.init(stats, device)),
            Self::Frames(config) => Network::Frames(config.init(stats, device)),
            Self::Lstn(config) => Network::Lstn(config.init(stats, device)),
            Self::CqtNet(config) => Network::CqtNet(config.init(stats, device)),
            Self::Zagreb(config) => Network::Han(config.init(stats, device)),
        }
    }
}

/// Any network (seed-004 branches are Han-style stacks); `logits` is `[batch, classes · steps_per_window]`, class-major.
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant, reason = "one network per run, so its size is immaterial")]
pub enum Network {
    Han(HanConvNet),
    Frames(FrameCnn),
    Lstn(Lstn),
    CqtNet(CqtNet),
}

impl Network {
    pub fn logits(&self, input: Tensor<4>) -> Tensor<2> {
        match self {
            Self::Han(net) => net.forward(input),
            Self::Frames(net) => net.forward(input),
            Self::Lstn(net) => net.forward(input),
            Self::CqtNet(net) => net.forward(input),
        }
    }

    /// What training minimises: BCE on the logits (LSTN adds its TNN's energy term).
    pub fn training_loss(&self, input: Tensor<4>, targets: Tensor<2>) -> Tensor<1> {
        match self {
            Self::Lstn(net) => net.training_loss(input, targets),
            other => bce_with_logits(other.logits(input), targets),
        }
    }

    /// Re-centres every batch norm on `input`'s batch without changing inference (see
    /// `layers::calibrated_pairs`).
    pub fn calibrate(&mut self, input: Tensor<4>) -> Result<()> {
        match self {
            Self::Han(net) => net.calibrate(input),
            Self::Frames(net) => net.calibrate(input),
            Self::Lstn(net) => net.calibrate(input),
            Self::CqtNet(net) => net.calibrate(input),
        }
    }

    pub fn standardise(&self) -> &Standardise {
        match self {
            Self::Han(net) => &net.standardise,
            Self::Frames(net) => &net.standardise,
            Self::Lstn(net) => &net.standardise,
            Self::CqtNet(net) => &net.standardise,
        }
    }

    /// The inference graph's nodes from `input` (dropout omitted); returns the sigmoid output.
    pub fn to_onnx(&self, graph: &mut OnnxGraph, input: &str) -> Result<String> {
        match self {
            Self::Han(net) => net.to_onnx(graph, input),
            Self::Frames(net) => net.to_onnx(graph, input),
            Self::Lstn(net) => net.to_onnx(graph, input),
            Self::CqtNet(net) => net.to_onnx(graph, input),
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Distribution;

    use super::*;
    use crate::train::device::DeviceChoice;

    fn largest_difference(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
    }

    /// A narrow network without dropout, so training mode differs from inference only in batch norm.
    fn deterministic(arch: Architecture) -> ModelConfig {
        match arch {
            Architecture::Han => ModelConfig::Han(HanConfig::new().with_width(0.125).with_block_dropout(0.0).with_dense_dropout(0.0)),
            Architecture::Frames => ModelConfig::Frames(FrameCnnConfig::new().with_width(0.125).with_spatial_dropout(0.0)),
            Architecture::Lstn => ModelConfig::Lstn(LstnConfig::new().with_width(0.125).with_block_dropout(0.0).with_feature_dropout(0.0)),
            Architecture::CqtInvariants => ModelConfig::CqtNet(CqtNetConfig::new().with_width(0.125).with_dropout(0.0)),
            other => ModelConfig::new(other, 0.0625, 128, 13),
        }
    }

    #[test]
    fn calibration_keeps_inference_and_makes_training_agree_on_its_batch() {
        let training_device = DeviceChoice::Cpu.device().autodiff();
        for arch in [Architecture::Frames, Architecture::Han, Architecture::Lstn, Architecture::CqtInvariants] {
            let config = deterministic(arch);
            let mut network = config.init(&BandStats::identity(config.n_mels()), &training_device);
            let input = Tensor::<4>::random([24, 1, config.n_mels(), arch.window_frames()], Distribution::Normal(0.0, 1.0), &training_device);
            let inference = |network: &Network| to_vec(network.valid().logits(input.clone().inner())).unwrap();
            let training = |network: &Network| to_vec(network.logits(input.clone())).unwrap();
            let before = inference(&network);
            assert!(largest_difference(&before, &training(&network)) > 1e-2, "{arch:?}: fresh batch norms normalise training batches differently");
            network.calibrate(input.clone()).unwrap();
            let after = inference(&network);
            assert!(largest_difference(&before, &after) < 1e-4, "{arch:?}: calibration must not change inference");
            assert!(largest_difference(&after, &training(&network)) < 1e-4, "{arch:?}: on its batch, training mode now computes inference's output");
        }
    }
}
