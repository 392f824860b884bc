//! A whole separation of one recording: the model's analysis gives the gates (and which
//! instruments are present), then the audio is decoded again, resampled to 22 050 Hz and
//! separated block by block into the sink.

use anyhow::{ensure, Result};
use instrumeter::frontend::StreamResampler;
use instrumeter::models::LoadedModel;
use instrumeter_analysis::{analyse, for_each_mono_block, AnalysisOutputs, AudioInput, ClipScores, Progress};

use crate::guide::{FrameGates, GateSettings};
use crate::separator::{Separator, SeparatorSettings, Sink};
use crate::templates::TemplateBank;
use crate::RATE;

/// What the model heard in a recording: per-frame gates and the clip scores and decisions.
pub struct Guide {
    pub gates: FrameGates,
    pub clip: ClipScores,
}

/// Runs `model` over `input` and turns its rows into gates; the bank must hold the model's labels
/// in the model's order.
pub fn guide_from_model(input: AudioInput, model: LoadedModel, bank: &TemplateBank, settings: GateSettings, progress: Progress) -> Result<Guide> {
    let card = model.card().clone();
    let codes: Vec<&str> = card.labels.iter().map(|l| l.code.as_str()).collect();
    ensure!(codes == bank.card.labels, "the model's labels {codes:?} are not the template bank's {:?}", bank.card.labels);
    let outputs = AnalysisOutputs::<std::io::Sink>::new(&card, Vec::new(), false).keep_matrix();
    let (outputs, seconds) = analyse(input, model, outputs, progress)?;
    let finished = outputs.finish(seconds)?;
    let matrix = finished.matrix.expect("kept above");
    Ok(Guide { gates: FrameGates::from_activations(&matrix, &card.threshold_vector(), settings), clip: finished.clip })
}

/// Separates `input` into a stem for each of `labels` plus the residual (see [`Sink`]), all at
/// 22 050 Hz; returns how many samples each received.
pub fn separate_input(input: AudioInput, bank: &TemplateBank, gates: FrameGates, labels: &[usize], settings: SeparatorSettings, sink: Sink, progress: Progress) -> Result<u64> {
    let mut separator = Separator::new(bank, gates, labels, settings)?;
    let mut resampler: Option<StreamResampler> = None;
    let (mut decoded, mut rate, mut resampled) = (0u64, 0u32, Vec::new());
    for_each_mono_block(input, |block, block_rate| {
        let resampler = match resampler.as_mut() {
            Some(resampler) => resampler,
            None => {
                rate = block_rate;
                resampler.insert(StreamResampler::new(block_rate as f64, RATE)?)
            }
        };
        resampled.clear();
        resampler.process(block, |samples| resampled.extend_from_slice(samples));
        separator.push(&resampled, sink)?;
        decoded += block.len() as u64;
        progress(decoded as f64 / rate as f64)
    })?;
    if let Some(resampler) = resampler.as_mut() {
        resampled.clear();
        resampler.flush(|samples| resampled.extend_from_slice(samples));
        separator.push(&resampled, sink)?;
    }
    let samples = separator.samples_in();
    separator.finish(sink)?;
    Ok(samples)
}
