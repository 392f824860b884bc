//! Loads models on their own thread (parsing and optimising take tens of milliseconds) and hands
//! the result to the analysis worker through a channel.

use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};

use super::{LoadedModel, ModelCard, ModelError};

/// A model (or a loading error) on its way to the worker.
pub type ModelUpdate = Result<LoadedModel, ModelError>;

/// Starts loads; results arrive at the matching receiver.
#[derive(Clone)]
pub struct ModelLoader {
    sender: Sender<ModelUpdate>,
}

impl ModelLoader {
    /// A loader and the receiver the worker polls between windows.
    pub fn new() -> (Self, Receiver<ModelUpdate>) {
        let (sender, receiver) = channel();
        (Self { sender }, receiver)
    }

    /// Loads `card_path` and the ONNX beside it in the background.
    pub fn load_file(&self, card_path: PathBuf) {
        self.spawn(move || LoadedModel::load(&card_path));
    }

    /// Loads a model from bytes (the embedded default) in the background.
    pub fn load_bytes(&self, card_json: &'static [u8], onnx: &'static [u8], origin: &'static str) {
        self.spawn(move || {
            let origin = PathBuf::from(origin);
            let card = ModelCard::from_json(card_json, &origin)?;
            LoadedModel::from_parts(card, onnx, &origin)
        });
    }

    fn spawn(&self, load: impl FnOnce() -> ModelUpdate + Send + 'static) {
        let sender = self.sender.clone();
        let started = std::thread::Builder::new().name("instrumeter-model-loader".into()).spawn(move || {
            // The worker may be gone already (plugin deactivated); then nobody needs the model.
            let _ = sender.send(load());
        });
        if let Err(error) = started {
            let _ = self.sender.send(Err(ModelError::Onnx { path: PathBuf::from("<loader>"), reason: format!("cannot start the loader thread: {error}") }));
        }
    }
}
