//! Loads models on their own thread (parsing and optimising take tens of milliseconds) and hands
//! the result to the analysis worker through a channel.

use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};

use super::{EmbeddedModel, LoadedModel, ModelError};

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
        self.spawn(move |send| send(LoadedModel::load(&card_path)));
    }

    /// Loads the embedded default model in the background.
    pub fn load_embedded(&self, model: &'static EmbeddedModel) {
        self.spawn(move |send| send(LoadedModel::from_embedded(model)));
    }

    /// Loads `card_path`; if that fails, sends `fallback` first and then the error, so the
    /// fallback runs and the error still reaches the status line.
    pub fn load_file_or(&self, card_path: PathBuf, fallback: &'static EmbeddedModel) {
        self.spawn(move |send| match LoadedModel::load(&card_path) {
            Ok(model) => send(Ok(model)),
            Err(error) => {
                send(LoadedModel::from_embedded(fallback));
                send(Err(error));
            }
        });
    }

    fn spawn(&self, load: impl FnOnce(&dyn Fn(ModelUpdate)) + Send + 'static) {
        let sender = self.sender.clone();
        let started = std::thread::Builder::new().name("instrumeter-model-loader".into()).spawn(move || {
            yield_to_audio_threads();
            // The worker may be gone already (plugin deactivated); then nobody needs the model.
            load(&|update| {
                let _ = sender.send(update);
            });
        });
        if let Err(error) = started {
            let _ = self.sender.send(Err(ModelError::Onnx { path: PathBuf::from("<loader>"), reason: format!("cannot start the loader thread: {error}") }));
        }
    }
}

/// Lowers the calling (loader) thread to the lowest scheduling priority, so optimising a model
/// never takes a core from the host's audio threads or the analysis worker. Linux gives each
/// thread its own nice value; elsewhere the call would renice the whole host, so it is skipped.
fn yield_to_audio_threads() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority(PRIO_PROCESS, 0, …) changes only the calling thread's nice value on
    // Linux; it takes no pointers. A failure leaves the priority as it was, which is harmless.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}
