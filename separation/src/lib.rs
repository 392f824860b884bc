//! Activation-guided separation: a bank of per-instrument spectral templates, NMF whose
//! activations are gated by the model's per-frame instrument activations, soft masks that split
//! the mix into one stem per instrument plus a residual, and BSS-eval scores to measure it.

pub mod bss_eval;
pub mod guide;
pub mod masks;
pub mod nmf;
pub mod pipeline;
pub mod separator;
pub mod stft;
pub mod templates;

pub use bss_eval::{bss_eval_sources, bss_eval_with_misses, BssScores};
pub use guide::{FrameGates, GateSettings};
pub use nmf::NmfSettings;
pub use pipeline::{guide_from_model, separate_input, Guide};
pub use separator::{Separator, SeparatorSettings, Sink};
pub use templates::TemplateBank;

/// Sample rate of separation (the models' analysis rate), in Hz.
pub const RATE: u32 = 22_050;
/// STFT length of separation, in samples (2048 at 22 050 Hz: 93 ms, 10.8 Hz bins).
pub const N_FFT: usize = 2048;
/// STFT hop, in samples: the models' frame hop, so separation frame k lines up with model frame k − 2
/// (both centred on the same sample; see `stft`).
pub const HOP: usize = 512;
/// Frequency bins of one spectrum.
pub const BINS: usize = N_FFT / 2 + 1;
