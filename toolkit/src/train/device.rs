//! The one place that maps `--device` to a burn device (add GPU backends here).

use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// Where tensors live (`--device`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceChoice {
    /// burn's pure-Rust Flex backend (SIMD, rayon threads, AVX-512 matmul where the CPU has it).
    #[default]
    Cpu,
}

impl DeviceChoice {
    /// The device without autodiff (call `.autodiff()` to train).
    pub fn device(self) -> Device {
        match self {
            Self::Cpu => Device::flex(),
        }
    }

    /// For the model card's training facts.
    pub fn backend_name(self) -> &'static str {
        match self {
            Self::Cpu => "burn 0.22.1 flex (cpu; simd, rayon, x86-v4)",
        }
    }
}
