//! Penultimate embeddings of a window-clip network, one per window of a log-mel recording.

use std::sync::Arc;

use tract_onnx::prelude::*;

use super::graft::embedding_model;
use crate::models::{without_panics, ModelCard};

/// The window-clip network cut at its penultimate layer, with its window geometry.
pub struct Embedder {
    plan: Arc<TypedRunnableModel>,
    n_mels: usize,
    frames: usize,
    hop_frames: usize,
    dim: usize,
    window: Vec<f32>,
}

impl Embedder {
    /// Cuts `onnx` (the window-clip network of `card`) at its penultimate layer.
    pub fn new(card: &ModelCard, onnx: &[u8]) -> Result<Self, String> {
        let (cut, dim) = embedding_model(onnx)?;
        let (n_mels, frames) = (card.frontend.n_mels, card.input.frames);
        let plan = without_panics(|| {
            tract_onnx::onnx()
                .model_for_read(&mut &cut[..])
                .and_then(|m| m.with_input_fact(0, f32::fact([1, 1, n_mels, frames]).into()))
                .and_then(|m| m.into_optimized())
                .and_then(|m| m.into_runnable())
        })
        .and_then(|plan| plan.map_err(|e| format!("{e:#}")))
        .map_err(|e| format!("cannot run {}'s embedding: {e}", card.name))?;
        Ok(Self { plan, n_mels, frames, hop_frames: card.input.hop_frames, dim, window: vec![0.0; n_mels * frames] })
    }

    /// Values per embedding.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Log-mel frames per window and between window starts.
    pub fn geometry(&self) -> (usize, usize) {
        (self.frames, self.hop_frames)
    }

    /// Windows a recording of `frames` log-mel frames gives (starts `0, hop, 2·hop, …`).
    pub fn windows_in(&self, frames: usize) -> usize {
        if frames < self.frames { 0 } else { (frames - self.frames) / self.hop_frames + 1 }
    }

    /// The embedding of every window of `log_mel` (frame-major, `n_mels` values a frame).
    pub fn embed(&mut self, log_mel: &[f32]) -> Result<Vec<Vec<f32>>, String> {
        let frames = log_mel.len() / self.n_mels;
        (0..self.windows_in(frames)).map(|w| self.embed_window(&log_mel[w * self.hop_frames * self.n_mels..])).collect()
    }

    /// The embedding of the window whose first frame starts `log_mel`.
    fn embed_window(&mut self, log_mel: &[f32]) -> Result<Vec<f32>, String> {
        let (n_mels, frames) = (self.n_mels, self.frames);
        for (t, frame) in log_mel.chunks_exact(n_mels).take(frames).enumerate() {
            for (band, &value) in frame.iter().enumerate() {
                self.window[band * frames + t] = value;
            }
        }
        let input = Tensor::from_shape(&[1, 1, n_mels, frames], &self.window).map_err(|e| e.to_string())?;
        let output = without_panics(|| self.plan.run(tvec!(input.into())))?.map_err(|e| format!("embedding failed: {e:#}"))?;
        let values = output[0].to_plain_array_view::<f32>().map_err(|e| e.to_string())?;
        Ok(values.iter().copied().collect())
    }
}
