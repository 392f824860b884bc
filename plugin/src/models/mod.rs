//! Models: the card (JSON metadata), loading and validating an ONNX with tract, and the error type.

mod card;
mod contain;
mod embedded;
mod error;
mod folder;
mod labels;
mod loader;
mod plan_cache;
pub mod onnx_graph;
mod runner;

pub use card::{Aggregation, AggregationMethod, Companion, ExtraInput, FrontendSettings, Fusion, FusionRule, InputSpec, Label, MetricsEntry, ModelCard, ModelKind, TrainingInfo};
pub use embedded::{EmbeddedModel, EMBEDDED_DEFAULT, EMBEDDED_ORIGIN};
pub use contain::without_panics;
pub use error::ModelError;
pub use folder::{user_models_folder, MODELS_FOLDER_VAR};
pub use labels::{instrument_labels, INSTRUMENTS};
pub use loader::{ModelLoader, ModelUpdate};
pub use runner::{onnx_path_for, LoadedModel};
