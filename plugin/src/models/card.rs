//! The model card: labels, front-end settings, windows, thresholds, training facts and scores.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ModelError;
use crate::frontend::{FeatureKind, FrontendConfig};

/// A model's JSON card (`models/<name>.card.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    pub name: String,
    pub version: String,
    pub kind: ModelKind,
    pub labels: Vec<Label>,
    pub frontend: FrontendSettings,
    pub input: InputSpec,
    /// Further network inputs, each of its own feature kind (a multi-branch model such as seed
    /// 004's fusion): each window of the main input comes with the latest `frames` frames of each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_inputs: Vec<ExtraInput>,
    pub aggregation: Aggregation,
    /// Decision threshold per label code: the live decisions (meters, gates) on each frame's
    /// activation or window score.
    pub thresholds: BTreeMap<String, f32>,
    /// Decision threshold per label code for a whole clip's aggregate (S1/S2: `analyze`'s per-file
    /// decisions, `eval`'s clip scores), tuned on clip-level data; a clip's mean activation is
    /// another quantity than one frame's. Empty: the live thresholds decide clips too.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub clip_thresholds: BTreeMap<String, f32>,
    /// A window-clip model run beside this frame-activation model (an ensemble); the thresholds
    /// above are then tuned for the mixed activations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub companion: Option<Companion>,
    /// For a model fused from several trained branches (one ONNX holding them all): which, and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fusion: Option<Fusion>,
    #[serde(default)]
    pub training: TrainingInfo,
    #[serde(default)]
    pub metrics: Vec<MetricsEntry>,
}

/// What the network outputs per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// `[1, C, frames]`: an activation per frame per class (Neuroment style).
    FrameActivation,
    /// `[1, C]`: one score per class for the whole window (Han et al. style).
    WindowClip,
}

/// One instrument class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    /// Short code, e.g. `pia`.
    pub code: String,
    /// Display name, e.g. `Piano`.
    pub name: String,
}

/// The front-end a model was trained with; must match what this build computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontendSettings {
    /// Which features; cards from before kinds existed are log-mel.
    #[serde(default)]
    pub kind: FeatureKind,
    pub sample_rate: u32,
    pub n_fft: usize,
    pub hop: usize,
    pub window: String,
    pub n_mels: usize,
    pub fmin: f32,
    pub fmax: f32,
    pub log_eps: f32,
}

/// The network's input window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputSpec {
    /// Frames per window.
    pub frames: usize,
    /// Frames between window starts.
    pub hop_frames: usize,
    /// Tensor layout; only `NCHW` (`[1, 1, n_mels, frames]`) is supported.
    pub layout: String,
}

/// A further input: its features and how many of its latest frames each window takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtraInput {
    pub frontend: FrontendSettings,
    pub frames: usize,
}

/// How window scores become decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregation {
    pub method: AggregationMethod,
    /// Seconds of recent windows aggregated for live decisions.
    pub window_s: f32,
}

/// Han et al.'s aggregation strategies, and the root mean square.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AggregationMethod {
    /// Class-wise mean of window scores, then threshold.
    S1,
    /// Class-wise sum, divided by the largest class sum, then threshold.
    S2,
    /// Class-wise root mean square, then threshold: a class heard clearly in part of a clip
    /// outweighs one suspected faintly all through it, where the mean ranks them alike.
    #[serde(rename = "RMS")]
    Rms,
}

/// A window-clip model whose latest window scores are mixed into a frame-activation model's
/// activations: `(1 − weight) · activation + weight · latest window score`, per class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Companion {
    /// The companion's card file, in the same folder as this card (its ONNX beside it).
    pub card: String,
    /// Share of the companion's scores in the mix, 0–1.
    pub weight: f32,
}

/// The branches a fused model holds and the rule that joins their scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fusion {
    /// The branches' card files (the main input's branch first), as they were fused.
    pub branches: Vec<String>,
    pub rule: FusionRule,
}

/// How branch scores become one score per class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FusionRule {
    /// Seed 004's Table 7: a class is present when every branch's score passes that branch's
    /// threshold. The fused score is `min_b σ(logit p_b − logit t_b)`, above 0.5 exactly then.
    AllAboveThreshold,
    /// Rajan et al.'s score fusion: the branches' mean score.
    Mean,
}

/// How and on what the model was trained.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    #[serde(default)]
    pub data: String,
    #[serde(default)]
    pub soundfonts: Vec<String>,
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub epochs: u32,
    #[serde(default)]
    pub backend: String,
    #[serde(default)]
    pub git_commit: String,
    /// The trainer's network (`han`, `frames`, `lstn`); empty on cards from before it was recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub architecture: String,
    /// How the network follows its paper, and the choices the paper left open.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub design: String,
}

/// Scores measured on one data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsEntry {
    pub dataset: String,
    pub split: String,
    pub micro_f1: f32,
    pub macro_f1: f32,
    #[serde(default)]
    pub per_label_f1: BTreeMap<String, f32>,
}

impl From<&FrontendSettings> for FrontendConfig {
    fn from(s: &FrontendSettings) -> Self {
        FrontendConfig { kind: s.kind, sample_rate: s.sample_rate, n_fft: s.n_fft, hop: s.hop, n_mels: s.n_mels, fmin: s.fmin, fmax: s.fmax, log_eps: s.log_eps }
    }
}

impl From<&FrontendConfig> for FrontendSettings {
    fn from(c: &FrontendConfig) -> Self {
        FrontendSettings {
            kind: c.kind,
            sample_rate: c.sample_rate,
            n_fft: c.n_fft,
            hop: c.hop,
            window: c.window_name().into(),
            n_mels: c.n_mels,
            fmin: c.fmin,
            fmax: c.fmax,
            log_eps: c.log_eps,
        }
    }
}

impl ModelCard {
    /// Parses and validates a card; `path` names the source in errors.
    pub fn from_json(json: &[u8], path: &Path) -> Result<Self, ModelError> {
        let card: ModelCard =
            serde_json::from_slice(json).map_err(|source| ModelError::CardJson { path: path.into(), source })?;
        card.validate().map_err(|problem| ModelError::CardInvalid { path: path.into(), problem })?;
        Ok(card)
    }

    /// Reads, parses and validates the card at `path`.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        let json = std::fs::read(path).map_err(|source| ModelError::Io { path: path.into(), source })?;
        Self::from_json(&json, path)
    }

    /// The front-end configuration this model needs.
    pub fn frontend_config(&self) -> FrontendConfig {
        (&self.frontend).into()
    }

    /// Every input's front-end configuration, the main input's first.
    pub fn frontend_configs(&self) -> Vec<FrontendConfig> {
        std::iter::once(&self.frontend).chain(self.extra_inputs.iter().map(|input| &input.frontend)).map(FrontendConfig::from).collect()
    }

    /// Every input's `[1, 1, values per frame, frames]`, the main input's first.
    pub fn input_shapes(&self) -> Vec<[usize; 4]> {
        std::iter::once([1, 1, self.frontend.n_mels, self.input.frames])
            .chain(self.extra_inputs.iter().map(|input| [1, 1, input.frontend.n_mels, input.frames]))
            .collect()
    }

    /// The name, with the companion's when there is one (`frame-activation + convnet-1s`).
    pub fn display_name(&self) -> String {
        match &self.companion {
            Some(companion) => format!("{} + {}", self.name, companion.card.trim_end_matches(".card.json")),
            None => self.name.clone(),
        }
    }

    /// Thresholds in label order.
    pub fn threshold_vector(&self) -> Vec<f32> {
        self.labels.iter().map(|l| self.thresholds[&l.code]).collect()
    }

    /// Clip thresholds in label order (a label without one takes its live threshold).
    pub fn clip_threshold_vector(&self) -> Vec<f32> {
        self.labels.iter().map(|l| self.clip_thresholds.get(&l.code).copied().unwrap_or(self.thresholds[&l.code])).collect()
    }

    /// Checks internal consistency; the message says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if self.labels.is_empty() {
            return Err("the card lists no labels".into());
        }
        let mut codes: Vec<&str> = self.labels.iter().map(|l| l.code.as_str()).collect();
        codes.sort_unstable();
        if let Some(pair) = codes.windows(2).find(|p| p[0] == p[1]) {
            return Err(format!("label code `{}` appears twice", pair[0]));
        }
        for label in &self.labels {
            match self.thresholds.get(&label.code) {
                Some(t) if (0.0..=1.0).contains(t) => {}
                Some(t) => return Err(format!("threshold of `{}` must be within 0–1, found {t}", label.code)),
                None => return Err(format!("no threshold for label `{}`", label.code)),
            }
        }
        for (code, t) in &self.clip_thresholds {
            if !self.labels.iter().any(|label| &label.code == code) {
                return Err(format!("clip threshold for `{code}`, which is not a label"));
            }
            if !(0.0..=1.0).contains(t) {
                return Err(format!("clip threshold of `{code}` must be within 0–1, found {t}"));
            }
        }
        let config = self.frontend_config();
        if self.frontend.window != config.window_name() {
            return Err(format!("the {} front-end's window is \"{}\", found \"{}\"", config.kind.name(), config.window_name(), self.frontend.window));
        }
        if config.kind != FeatureKind::LogMel {
            config.validate().map_err(|error| error.to_string())?;
        } else if config != FrontendConfig::default() {
            return Err(format!(
                "front-end settings {:?} differ from the ones this build computes ({:?})",
                self.frontend,
                FrontendSettings::from(&FrontendConfig::default())
            ));
        }
        self.validate_extra_inputs()?;
        if self.input.layout != "NCHW" {
            return Err(format!("input layout must be \"NCHW\", found \"{}\"", self.input.layout));
        }
        if self.input.frames == 0 || self.input.hop_frames == 0 || self.input.hop_frames > self.input.frames {
            return Err(format!("need 1 ≤ hop_frames ≤ frames, found frames {} hop_frames {}", self.input.frames, self.input.hop_frames));
        }
        if !(self.aggregation.window_s > 0.0) {
            return Err(format!("aggregation window must be positive, found {} s", self.aggregation.window_s));
        }
        self.validate_companion()
    }

    fn validate_extra_inputs(&self) -> Result<(), String> {
        let configs = self.frontend_configs();
        for (index, (input, config)) in self.extra_inputs.iter().zip(&configs[1..]).enumerate() {
            if input.frontend.window != config.window_name() {
                return Err(format!("extra input {index}: the {} front-end's window is \"{}\", found \"{}\"", config.kind.name(), config.window_name(), input.frontend.window));
            }
            config.validate().map_err(|error| format!("extra input {index}: {error}"))?;
            if config.kind == FeatureKind::LogMel && *config != FrontendConfig::default() {
                return Err(format!("extra input {index}: log-mel settings differ from the ones this build computes"));
            }
            if input.frames == 0 || input.frames > crate::engine::HISTORY_FRAMES {
                return Err(format!("extra input {index}: frames must be within 1–{}, found {}", crate::engine::HISTORY_FRAMES, input.frames));
            }
        }
        let mut kinds: Vec<FeatureKind> = configs.iter().map(|config| config.kind).collect();
        kinds.sort_by_key(|kind| kind.name());
        if let Some(pair) = kinds.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(format!("two inputs read the same features ({})", pair[0].name()));
        }
        if !self.extra_inputs.is_empty() && (self.kind != ModelKind::WindowClip || self.companion.is_some()) {
            return Err("only a window-clip model without a companion can have extra inputs".into());
        }
        if self.extra_inputs.len() > 3 {
            return Err(format!("at most 3 extra inputs, found {}", self.extra_inputs.len()));
        }
        Ok(())
    }

    fn validate_companion(&self) -> Result<(), String> {
        let Some(companion) = &self.companion else { return Ok(()) };
        if self.kind != ModelKind::FrameActivation {
            return Err("only a frame-activation model can have a companion".into());
        }
        if !(0.0..=1.0).contains(&companion.weight) {
            return Err(format!("companion weight must be within 0–1, found {}", companion.weight));
        }
        if companion.card.is_empty() || companion.card.contains(['/', '\\']) {
            return Err(format!("companion card must be a file name beside this card, found {:?}", companion.card));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{FrontendSettings, ModelCard};
    use crate::frontend::{FeatureKind, FrontendConfig};
    use crate::models::ModelKind;
    use crate::testkit::test_card;

    #[test]
    fn each_feature_kind_is_accepted_with_its_own_settings_only() {
        let mut card = test_card(ModelKind::WindowClip, 3, 43, 22);
        for kind in FeatureKind::ALL {
            card.frontend = FrontendSettings::from(&FrontendConfig::for_kind(kind));
            assert!(card.validate().is_ok(), "{kind:?}: {:?}", card.validate());
            let json = serde_json::to_vec(&card).unwrap();
            assert_eq!(ModelCard::from_json(&json, Path::new("k.card.json")).unwrap().frontend.kind, kind);
        }
        card.frontend = FrontendSettings::from(&FrontendConfig::for_kind(FeatureKind::Cqt));
        card.frontend.n_mels = 128;
        let problem = card.validate().unwrap_err();
        assert!(problem.contains("`cqt` front-end computes") && problem.contains("n_mels: 128"), "{problem}");
        card.frontend = FrontendSettings::from(&FrontendConfig::for_kind(FeatureKind::Modgd));
        card.frontend.window = "hann".into();
        assert!(card.validate().unwrap_err().contains("window is \"hamming\""));
    }

    #[test]
    fn an_unknown_feature_kind_is_refused_by_name() {
        let card = test_card(ModelKind::WindowClip, 3, 43, 22);
        let mut json = serde_json::to_value(&card).unwrap();
        json["frontend"]["kind"] = "wavelet_scattering".into();
        let error = ModelCard::from_json(json.to_string().as_bytes(), Path::new("x.card.json")).unwrap_err().to_string();
        assert!(error.contains("unknown variant `wavelet_scattering`") && error.contains("`cqt_chroma`"), "{error}");
        json["frontend"].as_object_mut().unwrap().remove("kind");
        let old = ModelCard::from_json(json.to_string().as_bytes(), Path::new("old.card.json")).unwrap();
        assert_eq!(old.frontend.kind, FeatureKind::LogMel, "cards from before kinds are log-mel");
    }

    #[test]
    fn clip_thresholds_fall_back_to_the_live_ones_and_are_checked() {
        let mut card = test_card(ModelKind::FrameActivation, 3, 16, 8);
        let code = card.labels[1].code.clone();
        card.clip_thresholds.insert(code.clone(), 0.2);
        assert_eq!(card.clip_threshold_vector(), vec![0.5, 0.2, 0.5]);
        assert!(card.validate().is_ok());
        card.clip_thresholds.insert(code, 1.5);
        assert!(card.validate().unwrap_err().contains("within 0–1"));
        card.clip_thresholds.clear();
        card.clip_thresholds.insert("nope".into(), 0.3);
        assert!(card.validate().unwrap_err().contains("not a label"));
    }
}
