//! A model ready to run: ONNX parsed and optimised by tract once, shapes checked against its card.
//!
//! tract allocates its intermediate tensors on every run (its maintainers say so), so models run
//! only on the analysis worker, never on the audio thread.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

use super::contain::without_panics;
use super::{plan_cache, EmbeddedModel, ModelCard, ModelError, ModelKind, EMBEDDED_ORIGIN};

type Plan = Arc<TypedRunnableModel>;
type State = TypedSimpleState;

/// A card plus its optimised tract plan and a reusable execution state, and the companion model
/// the card names, if any.
pub struct LoadedModel {
    card: ModelCard,
    state: State,
    /// Every input's shape, the main input's first.
    input_shapes: Vec<[usize; 4]>,
    /// Classes the network outputs: the card's labels, or (a frame-activation model with a
    /// companion) their first ones, the rest coming from the companion alone (taught classes).
    network_classes: usize,
    companion: Option<Box<LoadedModel>>,
}

impl LoadedModel {
    /// Loads `<card>` and the ONNX file beside it (`<name>.onnx` for `<name>.card.json`), and the
    /// companion model its card names (from the same folder).
    pub fn load(card_path: &Path) -> Result<Self, ModelError> {
        let card = ModelCard::load(card_path)?;
        let onnx_path = onnx_path_for(card_path);
        let onnx = std::fs::read(&onnx_path).map_err(|source| ModelError::Io { path: onnx_path.clone(), source })?;
        let companion = card.companion.as_ref().map(|companion| Self::load(&card_path.with_file_name(&companion.card))).transpose()?;
        Self::from_parts(card, &onnx, &onnx_path)?.with_companion(companion)
    }

    /// Builds the embedded default model (and its embedded companion).
    pub fn from_embedded(model: &EmbeddedModel) -> Result<Self, ModelError> {
        let origin = Path::new(EMBEDDED_ORIGIN);
        let card = ModelCard::from_json(model.card_json, origin)?;
        let companion = match (&card.companion, model.companion) {
            (None, _) => None,
            (Some(_), Some(embedded)) => Some(Self::from_embedded(embedded)?),
            (Some(companion), None) => {
                return Err(ModelError::CardInvalid { path: origin.into(), problem: format!("its companion {} is not embedded in this build", companion.card) })
            }
        };
        Self::from_parts(card, model.onnx, origin)?.with_companion(companion)
    }

    /// Builds from an already-parsed card and ONNX bytes; `onnx_path` names the bytes in errors.
    pub fn from_parts(card: ModelCard, onnx: &[u8], onnx_path: &Path) -> Result<Self, ModelError> {
        let input_shapes = card.input_shapes();
        let prepared = without_panics(|| -> Result<_, ModelError> {
            let plan = plan_cache::plan(onnx, &input_shapes, || optimised_plan(onnx, onnx_path, &input_shapes))?;
            let network_classes = check_output_shape(&plan, &card, onnx_path)?;
            Ok((State::new(&plan).map_err(|e| onnx_error(onnx_path, e))?, network_classes))
        });
        let (state, network_classes) = prepared.map_err(|panic| onnx_error(onnx_path, panic))??;
        Ok(Self { card, state, input_shapes, network_classes, companion: None })
    }

    /// Attaches the companion this card names, once it is known to score the same classes in
    /// windows.
    pub fn with_companion(mut self, companion: Option<LoadedModel>) -> Result<Self, ModelError> {
        if let (None, Some(companion)) = (&self.card.companion, &companion) {
            let problem = format!("{} names no companion, so {} would run for nothing", self.card.name, companion.card.name);
            return Err(ModelError::CardInvalid { path: PathBuf::from(&self.card.name), problem });
        }
        if let (Some(named), Some(companion)) = (&self.card.companion, &companion) {
            let problem = if companion.card.kind != ModelKind::WindowClip {
                Some("is not a window-clip model".to_string())
            } else if companion.card.labels != self.card.labels {
                Some(format!("scores other classes ({} labels) than {} ({})", companion.card.labels.len(), self.card.name, self.card.labels.len()))
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(ModelError::CardInvalid { path: PathBuf::from(&named.card), problem: format!("companion of {}: {problem}", self.card.name) });
            }
        }
        self.companion = companion.map(Box::new);
        Ok(self)
    }

    /// Takes the companion model out, to run it beside this one.
    pub fn take_companion(&mut self) -> Option<LoadedModel> {
        self.companion.take().map(|companion| *companion)
    }

    /// The model's card.
    pub fn card(&self) -> &ModelCard {
        &self.card
    }

    /// The tract state that runs the network, for a profile by operator of exactly what runs.
    pub fn tract_state(&mut self) -> &mut TypedSimpleState {
        &mut self.state
    }

    /// Every input tensor's shape, `[1, 1, n_mels, frames]`, the main input's first.
    pub fn input_shapes(&self) -> &[[usize; 4]] {
        &self.input_shapes
    }

    /// Values per main input window (`n_mels × frames`, mel-major: all frames of band 0 first).
    pub fn window_len(&self) -> usize {
        self.input_len(0)
    }

    /// Values per window of input `index` (0 the main one, then the card's extra inputs).
    pub fn input_len(&self, index: usize) -> usize {
        self.input_shapes[index][2] * self.input_shapes[index][3]
    }

    /// Classes the network itself outputs (fewer than the card's labels when its companion alone
    /// scores the last ones).
    pub fn network_classes(&self) -> usize {
        self.network_classes
    }

    /// Values per output (`C × frames` for frame activation, `C` for window clip; `C` the
    /// network's classes).
    pub fn output_len(&self) -> usize {
        match self.card.kind {
            ModelKind::FrameActivation => self.network_classes * self.card.input.frames,
            ModelKind::WindowClip => self.network_classes,
        }
    }

    /// Runs one window (`window_len()` values, mel-major) and writes `output_len()` values.
    pub fn run(&mut self, window: &[f32], output: &mut [f32]) -> Result<(), ModelError> {
        self.run_inputs(&[window], output)
    }

    /// Runs one window of every input (`input_len(i)` values each, the main input's first).
    pub fn run_inputs(&mut self, windows: &[&[f32]], output: &mut [f32]) -> Result<(), ModelError> {
        let fail = |reason: String| ModelError::Inference { name: self.card.name.clone(), reason };
        let expected: Vec<usize> = (0..self.input_shapes.len()).map(|i| self.input_len(i)).collect();
        let found: Vec<usize> = windows.iter().map(|w| w.len()).collect();
        if found != expected || output.len() != self.output_len() {
            return Err(fail(format!("buffers of {found:?} in / {} out, expected {expected:?} / {}", output.len(), self.output_len())));
        }
        let mut inputs = TVec::new();
        for (shape, window) in self.input_shapes.iter().zip(windows) {
            inputs.push(Tensor::from_shape(shape, window).map_err(|e| fail(e.to_string()))?.into());
        }
        let result = without_panics(|| self.state.run(inputs)).map_err(&fail)?.map_err(|e| fail(e.to_string()))?;
        let values = result[0].to_plain_array_view::<f32>().map_err(|e| fail(e.to_string()))?;
        for (dst, &value) in output.iter_mut().zip(values.iter()) {
            *dst = value;
        }
        Ok(())
    }
}

/// `models/x.card.json` → `models/x.onnx`.
pub fn onnx_path_for(card_path: &Path) -> PathBuf {
    let file = card_path.file_name().and_then(|f| f.to_str()).unwrap_or_default();
    let stem = file.strip_suffix(".card.json").unwrap_or(file);
    card_path.with_file_name(format!("{stem}.onnx"))
}

fn onnx_error(path: &Path, error: impl std::fmt::Display) -> ModelError {
    ModelError::Onnx { path: path.into(), reason: format!("{error:#}") }
}

fn optimised_plan(onnx: &[u8], path: &Path, input_shapes: &[[usize; 4]]) -> Result<Plan, ModelError> {
    let mut model = tract_onnx::onnx().model_for_read(&mut &onnx[..]).map_err(|e| onnx_error(path, e))?;
    let inputs = model.input_outlets().map_err(|e| onnx_error(path, e))?.len();
    if inputs != input_shapes.len() {
        return Err(onnx_error(path, format!("expected {} input(s) as the card says, found {inputs}", input_shapes.len())));
    }
    for (index, input_shape) in input_shapes.iter().enumerate() {
        check_input_shape(&model, index, input_shape, path)?;
        model = model.with_input_fact(index, f32::fact(input_shape).into()).map_err(|e| onnx_error(path, e))?;
    }
    model.into_optimized().and_then(|m| m.into_runnable()).map_err(|e| onnx_error(path, e))
}

/// A shape the ONNX file declares for input `index` must be the card's.
fn check_input_shape(model: &InferenceModel, index: usize, input_shape: &[usize; 4], path: &Path) -> Result<(), ModelError> {
    let declared = model.input_fact(index).map_err(|e| onnx_error(path, e))?.clone();
    if let Some(shape) = declared.shape.concretize() {
        let found: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        let expected: Vec<String> = input_shape.iter().map(|d| d.to_string()).collect();
        if found != expected {
            return Err(ModelError::ShapeMismatch {
                path: path.into(),
                what: "input shape",
                expected: format!("[{}]", expected.join(", ")),
                found: format!("[{}]", found.join(", ")),
            });
        }
    }
    Ok(())
}

/// Checks the network's output shape against the card and returns the classes it outputs: all of
/// the card's labels, or for a frame-activation card with a companion possibly fewer (the first
/// ones; the companion alone scores the rest).
fn check_output_shape(plan: &Plan, card: &ModelCard, path: &Path) -> Result<usize, ModelError> {
    let labels = card.labels.len();
    let fact = plan.model().output_fact(0).map_err(|e| onnx_error(path, e))?;
    let found: Option<Vec<usize>> = fact.shape.as_concrete().map(|s| s.to_vec());
    let classes = match (card.kind, found.as_deref()) {
        (ModelKind::FrameActivation, Some(&[1, classes, _])) if card.companion.is_some() && (1..=labels).contains(&classes) => classes,
        _ => labels,
    };
    let expected: Vec<usize> = match card.kind {
        ModelKind::FrameActivation => vec![1, classes, card.input.frames],
        ModelKind::WindowClip => vec![1, classes],
    };
    if found.as_ref() != Some(&expected) || fact.datum_type != f32::datum_type() {
        return Err(ModelError::ShapeMismatch {
            path: path.into(),
            what: "output shape",
            expected: format!("{expected:?} f32"),
            found: format!("{:?} {:?}", fact.shape, fact.datum_type),
        });
    }
    Ok(classes)
}
