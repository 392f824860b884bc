//! Seed 004 (Zagreb 2023) branches: Table 5's network for the mel-spectrogram and the modgdgram,
//! Table 6's for the CQT chromagram; each a Han-style stack of 3×3 conv pairs with 3×3 pools,
//! global max-pool, dense 1024, one score per class. Trained one by one; the card's fusion rule
//! joins them.

use burn::prelude::*;
use instrumeter::frontend::FeatureKind;
use serde::{Deserialize, Serialize};

use super::han::{Head, HanConvNet};
use super::layers::scaled;
use crate::train::stats::BandStats;

/// Which input a branch takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Branch {
    Mel,
    Modgd,
    Chroma,
}

/// Table 5's pairs (mel, modgd): 8→16, 24→32, 64→128, 256→512.
const TABLE_5: [[usize; 2]; 4] = [[8, 16], [24, 32], [64, 128], [256, 512]];
/// Table 6's pairs (chroma): 24→32, 64→128, 256→512.
const TABLE_6: [[usize; 2]; 3] = [[24, 32], [64, 128], [256, 512]];
const DENSE_UNITS: usize = 1024;

/// How the branches follow the paper, and what differs, for the card.
pub const DESIGN: &str = "Zagreb 2023 (seed 004) branch: Table 5 (mel, modgd: conv pairs 8/16, 24/32, 64/128, 256/512) or Table 6 (CQT chroma: 24/32, 64/128, 256/512), \
3×3 convs with LeakyReLU 0.33, 3×3 max-pools between pairs, global max-pool, dense 1024 with dropout 0.5, sigmoid per class. \
Differences: 1 s windows at each kind's own frame rate (43 mel/chroma frames, 100 modgd frames) instead of resized 100-frame inputs; \
batch norm in every conv (folded away in the ONNX); sigmoid with binary cross-entropy (multi-label) instead of softmax; \
no pool after the last pair (its map is already 1 frame wide for 43-frame inputs; the global max-pool follows)";

impl Branch {
    pub fn features(self) -> FeatureKind {
        match self {
            Branch::Mel => FeatureKind::LogMel,
            Branch::Modgd => FeatureKind::Modgd,
            Branch::Chroma => FeatureKind::CqtChroma,
        }
    }

    /// Frames in one second of the branch's features.
    pub fn window_frames(self) -> usize {
        match self {
            Branch::Mel | Branch::Chroma => 43,
            Branch::Modgd => 100,
        }
    }

    fn pairs(self) -> &'static [[usize; 2]] {
        match self {
            Branch::Mel | Branch::Modgd => &TABLE_5,
            Branch::Chroma => &TABLE_6,
        }
    }
}

#[derive(Config, Debug)]
pub struct ZagrebConfig {
    pub branch: Branch,
    /// Multiplies every channel count and the dense size (1 = the paper's network).
    #[config(default = 0.25)]
    pub width: f64,
    #[config(default = 128)]
    pub n_mels: usize,
    #[config(default = 13)]
    pub classes: usize,
}

impl ZagrebConfig {
    pub fn init(&self, stats: &BandStats, device: &Device) -> HanConvNet {
        let pairs: Vec<[usize; 2]> = self.branch.pairs().iter().map(|pair| pair.map(|c| scaled(c, self.width))).collect();
        let head = Head { dense_units: scaled(DENSE_UNITS, self.width), classes: self.classes, block_dropout: 0.25, dense_dropout: 0.5 };
        HanConvNet::new(&pairs, &head, stats, device)
    }
}
