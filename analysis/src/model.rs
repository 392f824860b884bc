//! Which model an analysis runs: a card given by path, or the one embedded in this build.

use std::path::Path;

use anyhow::{bail, Context, Result};
use instrumeter::models::{LoadedModel, EMBEDDED_DEFAULT};

/// Loads the model of `card` (with the `.onnx` and any companion beside it), or the embedded one.
pub fn load_model(card: Option<&Path>) -> Result<LoadedModel> {
    match (card, EMBEDDED_DEFAULT.as_ref()) {
        (Some(card), _) => LoadedModel::load(card).with_context(|| format!("cannot use model {}", card.display())),
        (None, Some(embedded)) => Ok(LoadedModel::from_embedded(embedded)?),
        (None, None) => bail!("no default model is embedded in this build (models/frame-activation.* missing): pass a card"),
    }
}
