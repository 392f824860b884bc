//! A whole audio file as log-mel frames of the plugin's front-end (any sample rate: resampled
//! as the plugin does), for tools that need the features themselves (`cargo xtask teach`).

use std::path::Path;

use anyhow::{bail, Result};
use instrumeter::frontend::{FrontendConfig, Frontend};

use crate::decode::{for_each_mono_block, AudioInput, Unreadable};

/// Every log-mel frame of `file`, frame-major (`config.n_mels` values a frame).
pub fn file_log_mel(file: &Path, config: &FrontendConfig) -> Result<Vec<f32>> {
    let mut frontend: Option<Frontend> = None;
    let mut frames = Vec::new();
    for_each_mono_block(AudioInput::File(file.to_path_buf()), |block, rate| {
        if frontend.is_none() {
            frontend = Some(Frontend::new(f64::from(rate), config.clone())?);
        }
        frontend.as_mut().expect("created above").process(block, |frame| frames.extend_from_slice(frame));
        Ok(())
    })?;
    let Some(frontend) = frontend.as_mut() else { bail!(Unreadable(format!("{} contains no audio", file.display()))) };
    frontend.finish(|frame| frames.extend_from_slice(frame));
    Ok(frames)
}
