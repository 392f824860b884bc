//! Training examples: fixed-size windows cut from clips, and their input and target batches.

use burn::prelude::*;

use super::augmentation::Augmentation;
use super::split::{Clip, SplitData};
use super::model::Architecture;
use instrumeter::models::ModelKind;

/// For window-clip targets: a class is active in a window when its frame target is at least
/// `ACTIVE_TARGET` in at least `ACTIVE_SHARE` of the window's frames.
const ACTIVE_TARGET: f32 = 0.5;
const ACTIVE_SHARE: f32 = 0.25;

/// `arch.window_frames()` frames of clip `clip` from frame `start`.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    clip: usize,
    start: usize,
}

/// Every window of a split, hop `arch.hop_frames()`; clips shorter than a window give none.
pub struct Windows<'a> {
    split: &'a SplitData,
    arch: Architecture,
    pub all: Vec<Window>,
}

impl<'a> Windows<'a> {
    pub fn new(split: &'a SplitData, arch: Architecture) -> Self {
        let (frames, hop) = (arch.window_frames(), arch.hop_frames());
        let all = split
            .clips
            .iter()
            .enumerate()
            .flat_map(|(clip, c)| (0..c.frames.saturating_sub(frames - 1)).step_by(hop).map(move |start| Window { clip, start }))
            .collect();
        Self { split, arch, all }
    }

    pub fn classes(&self) -> usize {
        self.split.classes
    }

    /// Outputs per class in one window.
    pub fn steps_per_window(&self) -> usize {
        self.arch.steps_per_window()
    }

    /// Inputs `[n, 1, n_mels, frames]` (raw log-mel) and targets `[n, classes · steps]`; with
    /// `augmentation`, each input gets its own random timbre augmentation (training only).
    pub fn batch(&self, windows: &[Window], augmentation: Option<Augmentation>, device: &Device) -> (Tensor<4>, Tensor<2>) {
        let (bands, frames, classes) = (self.split.n_mels, self.arch.window_frames(), self.split.classes);
        let outputs = classes * self.arch.steps_per_window();
        let mut inputs = Vec::with_capacity(windows.len() * bands * frames);
        let mut targets = Vec::with_capacity(windows.len() * outputs);
        for window in windows {
            let clip = &self.split.clips[window.clip];
            push_input(clip, window.start, bands, frames, &mut inputs);
            match self.arch.kind() {
                ModelKind::WindowClip => push_window_targets(clip, window.start, classes, frames, &mut targets),
                ModelKind::FrameActivation => push_frame_targets(clip, window.start, classes, frames, &mut targets),
            }
        }
        if let Some(augmentation) = augmentation {
            augmentation.apply(&mut inputs, bands, frames);
        }
        let n = windows.len();
        (
            Tensor::from_data(TensorData::new(inputs, [n, 1, bands, frames]), device),
            Tensor::from_data(TensorData::new(targets, [n, outputs]), device),
        )
    }
}

/// Mel-major (all frames of band 0 first), the layout of the NCHW input.
fn push_input(clip: &Clip, start: usize, bands: usize, frames: usize, out: &mut Vec<f32>) {
    for band in 0..bands {
        out.extend((start..start + frames).map(|frame| clip.features[frame * bands + band].to_f32()));
    }
}

fn push_window_targets(clip: &Clip, start: usize, classes: usize, frames: usize, out: &mut Vec<f32>) {
    for class in 0..classes {
        let active = (start..start + frames).filter(|&frame| clip.targets[frame * classes + class].to_f32() >= ACTIVE_TARGET).count();
        out.push(if active as f32 >= ACTIVE_SHARE * frames as f32 { 1.0 } else { 0.0 });
    }
}

/// Class-major, like the frame network's output.
fn push_frame_targets(clip: &Clip, start: usize, classes: usize, frames: usize, out: &mut Vec<f32>) {
    for class in 0..classes {
        out.extend((start..start + frames).map(|frame| clip.targets[frame * classes + class].to_f32()));
    }
}
