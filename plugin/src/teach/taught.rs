//! The model a lesson makes: the base model's cards and ONNX files with the taught class added
//! (its label, threshold and scores), written beside each other in a models folder.

use std::path::{Path, PathBuf};

use crate::models::{Companion, Label, MetricsEntry, ModelCard, ModelKind};

/// One model file set: a card and its ONNX.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    pub card: ModelCard,
    pub onnx: Vec<u8>,
}

/// The base model a class is taught to: a window-clip network alone, or a frame-activation
/// network with its window-clip companion (the default pair).
#[derive(Debug, Clone)]
pub struct BaseModel {
    pub main: ModelFiles,
    pub companion: Option<ModelFiles>,
}

impl BaseModel {
    /// The window-clip network the taught head sits on.
    pub fn window_network(&self) -> Result<&ModelFiles, String> {
        match (&self.main.card.kind, &self.companion) {
            (ModelKind::WindowClip, _) => Ok(&self.main),
            (ModelKind::FrameActivation, Some(companion)) => Ok(companion),
            (ModelKind::FrameActivation, None) => Err(format!("{} has no window-clip companion to teach a class to", self.main.card.name)),
        }
    }

    /// The loadable files of a frame-activation card (with its companion card's file name
    /// recorded) or of a window-clip card alone.
    pub fn load(card_path: &Path) -> Result<Self, String> {
        let files = |path: &Path| -> Result<ModelFiles, String> {
            let card = ModelCard::load(path).map_err(|e| e.to_string())?;
            let onnx_path = crate::models::onnx_path_for(path);
            let onnx = std::fs::read(&onnx_path).map_err(|e| format!("cannot read {}: {e}", onnx_path.display()))?;
            Ok(ModelFiles { card, onnx })
        };
        let main = files(card_path)?;
        let companion = main.card.companion.as_ref().map(|c| files(&card_path.with_file_name(&c.card))).transpose()?;
        Ok(Self { main, companion })
    }

    /// The embedded default model's files.
    pub fn embedded() -> Result<Self, String> {
        let model = crate::models::EMBEDDED_DEFAULT.as_ref().ok_or("this build has no embedded model")?;
        let origin = Path::new(crate::models::EMBEDDED_ORIGIN);
        let files = |json: &[u8], onnx: &[u8]| -> Result<ModelFiles, String> {
            Ok(ModelFiles { card: ModelCard::from_json(json, origin).map_err(|e| e.to_string())?, onnx: onnx.to_vec() })
        };
        let companion = model.companion.map(|c| files(c.card_json, c.onnx)).transpose()?;
        Ok(Self { main: files(model.card_json, model.onnx)?, companion })
    }
}

/// What the lesson measured, written into the cards.
#[derive(Debug, Clone)]
pub struct TaughtClass {
    pub label: Label,
    pub threshold: f32,
    /// The held-out measurement (window level), as a card metrics entry.
    pub held_out: MetricsEntry,
    /// One line for the cards' training notes: what audio taught it.
    pub provenance: String,
}

/// The taught model: a window-clip network with the class grafted on, and (for a pair) the
/// frame-activation card that lists it, its scores coming from that companion alone.
#[derive(Debug, Clone)]
pub struct TaughtModel {
    pub main: ModelFiles,
    pub companion: Option<ModelFiles>,
}

impl TaughtModel {
    /// `base` with `class` added; `grafted` is the window network's ONNX with the class's head.
    pub fn new(base: &BaseModel, class: &TaughtClass, grafted: Vec<u8>, file_stem: &str) -> Self {
        let window = ModelFiles { card: with_class(&base.window_network().expect("checked by the lesson").card, class, file_stem), onnx: grafted };
        match base.main.card.kind {
            ModelKind::WindowClip => Self { main: window, companion: None },
            ModelKind::FrameActivation => {
                let mut card = with_class(&base.main.card, class, file_stem);
                let weight = base.main.card.companion.as_ref().map_or(0.5, |c| c.weight);
                card.companion = Some(Companion { card: companion_file(file_stem), weight });
                let mut companion = window;
                companion.card.name = format!("{file_stem}-companion");
                Self { main: ModelFiles { card, onnx: base.main.onnx.clone() }, companion: Some(companion) }
            }
        }
    }

    /// Writes the card(s) and ONNX file(s) into `folder` (created if needed); returns the main
    /// card's path, the one to load.
    pub fn write(&self, folder: &Path) -> Result<PathBuf, String> {
        std::fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        let stem = &self.main.card.name;
        if let Some(companion) = &self.companion {
            write_files(folder, &companion_file(stem), companion)?;
        }
        write_files(folder, &format!("{stem}.card.json"), &self.main)
    }
}

fn companion_file(stem: &str) -> String {
    format!("{stem}-companion.card.json")
}

fn with_class(card: &ModelCard, class: &TaughtClass, name: &str) -> ModelCard {
    let mut card = card.clone();
    card.name = name.into();
    card.labels.push(class.label.clone());
    card.thresholds.insert(class.label.code.clone(), class.threshold);
    if !card.clip_thresholds.is_empty() {
        card.clip_thresholds.insert(class.label.code.clone(), class.threshold);
    }
    card.training.data = format!("{}; taught class `{}`: {}", card.training.data, class.label.code, class.provenance);
    card.metrics.push(class.held_out.clone());
    card
}

fn write_files(folder: &Path, card_file: &str, files: &ModelFiles) -> Result<PathBuf, String> {
    let card_path = folder.join(card_file);
    let onnx_path = crate::models::onnx_path_for(&card_path);
    let json = serde_json::to_vec_pretty(&files.card).map_err(|e| e.to_string())?;
    std::fs::write(&onnx_path, &files.onnx).map_err(|e| format!("cannot write {}: {e}", onnx_path.display()))?;
    std::fs::write(&card_path, json).map_err(|e| format!("cannot write {}: {e}", card_path.display()))?;
    Ok(card_path)
}
