//! The plugin's automatable parameters and persisted settings.

use nice_plug::prelude::*;

/// Which input the analysis listens to; the main input always passes through untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum AnalysisSource {
    /// Analyse the main (through) input.
    #[id = "main"]
    #[name = "Main"]
    Main,
    /// Analyse the sidechain (auxiliary) input.
    #[id = "sidechain"]
    #[name = "Sidechain"]
    Sidechain,
}

/// All parameters; their ids are stable across versions (hosts store them).
#[derive(Params)]
pub struct InstrumeterParams {
    /// The input the analysis listens to.
    #[id = "source"]
    pub source: EnumParam<AnalysisSource>,
}

impl Default for InstrumeterParams {
    fn default() -> Self {
        Self { source: EnumParam::new("Analyse", AnalysisSource::Main) }
    }
}
