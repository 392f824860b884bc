//! Feature kinds: what a model card's `frontend.kind` may ask for, and the one small trait every
//! kind's streaming computation implements.

use serde::{Deserialize, Serialize};

use super::chroma::N_CHROMA;
use super::log_mel::LogMelStream;
use super::modgd::ModgdStream;
use super::{chroma, cqt, modgd, FrontendConfig, FrontendError};

/// The features a front-end computes from 22 050 Hz audio.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureKind {
    /// 128 Slaney mel bands, natural log (Han 2017; every shipped model before these).
    #[default]
    LogMel,
    /// Log-power constant-Q, 12 bins per octave from 55 Hz, A-weighted (seed 002).
    Cqt,
    /// 36-bin CQT chromagram (seed 004).
    CqtChroma,
    /// Modified group delay, 50 ms frames every 10 ms, first 128 bins (seed 004).
    Modgd,
}

impl FeatureKind {
    /// Every kind, in card order.
    pub const ALL: [FeatureKind; 4] = [FeatureKind::LogMel, FeatureKind::Cqt, FeatureKind::CqtChroma, FeatureKind::Modgd];

    /// The name cards use.
    pub fn name(self) -> &'static str {
        match self {
            FeatureKind::LogMel => "log_mel",
            FeatureKind::Cqt => "cqt",
            FeatureKind::CqtChroma => "cqt_chroma",
            FeatureKind::Modgd => "modgd",
        }
    }
}

/// One feature kind's streaming computation at the analysis rate. Built once; after that,
/// nothing here allocates.
pub trait FeatureStream: Send {
    /// Values per frame.
    fn n_features(&self) -> usize;
    /// Consumes analysis-rate samples; `on_frame` receives every frame they complete.
    fn feed(&mut self, samples: &[f32], on_frame: &mut dyn FnMut(&[f32]));
    /// End of stream: frames a batch computation would still produce (centred kinds).
    fn finish(&mut self, _on_frame: &mut dyn FnMut(&[f32])) {}
    /// Clears all history, as if the stream started anew.
    fn reset(&mut self);
    /// Analysis-rate samples from a frame's reference point (its start, or its centre for the
    /// centred constant-Q kinds) to the sample that completes it.
    fn latency_samples(&self) -> usize;
}

/// Builds the stream `config.kind` names (the settings were validated by the caller).
pub fn build_stream(config: &FrontendConfig) -> Result<Box<dyn FeatureStream>, FrontendError> {
    let invalid = |problem: String| FrontendError::InvalidSetting { name: "kind", problem };
    Ok(match config.kind {
        FeatureKind::LogMel => Box::new(LogMelStream::new(config)),
        FeatureKind::Cqt => Box::new(cqt::stream(cqt::SEED_002, config.log_eps).map_err(invalid)?),
        FeatureKind::CqtChroma => Box::new(chroma::stream(chroma::SEED_004, N_CHROMA).map_err(invalid)?),
        FeatureKind::Modgd => Box::new(ModgdStream::new(modgd::SEED_004).map_err(invalid)?),
    })
}
