//! Everything that can go wrong loading a model, each naming the file, what was expected and found.

use std::path::PathBuf;

use thiserror::Error;

/// Why a model could not be loaded or run.
#[derive(Debug, Error)]
pub enum ModelError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a valid model card: {source}")]
    CardJson { path: PathBuf, source: serde_json::Error },
    #[error("{path}: {problem}")]
    CardInvalid { path: PathBuf, problem: String },
    #[error("{path} is not a usable ONNX model: {reason}")]
    Onnx { path: PathBuf, reason: String },
    #[error("{path}: {what} should be {expected} (from the card) but the ONNX has {found}")]
    ShapeMismatch { path: PathBuf, what: &'static str, expected: String, found: String },
    #[error("running {name} failed: {reason}")]
    Inference { name: String, reason: String },
}
