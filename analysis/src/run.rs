//! Streams decoded audio through the plugin's front-end and a model into an [`AnalysisOutput`].

use std::path::Path;

use anyhow::{bail, Result};
use instrumeter::engine::{feed_sink, finish_sink, AnalysisOutput, Analyzer, ModelStatus, StageOutput};
use instrumeter::frontend::Frontend;
use instrumeter::models::{LoadedModel, ModelCard, ModelKind};

use crate::decode::{for_each_mono_block, AudioInput, Unreadable};

/// Told the seconds decoded so far after each block; an error it returns stops the analysis
/// (a deadline, a length limit, a progress bar that never fails).
pub type Progress<'a> = &'a mut dyn FnMut(f64) -> Result<()>;

/// Streams `input` through `model` into `output`, flushing at the end; returns the output and
/// the audio's duration in seconds.
pub fn analyse<O: AnalysisOutput>(input: AudioInput, model: LoadedModel, output: O, progress: Progress) -> Result<(O, f64)> {
    let card = model.card().clone();
    let mut analyzer = Analyzer::new(card.frontend.n_mels, output);
    analyzer.set_model(model);
    let seconds = stream(input, &card, &mut analyzer, progress)?;
    analyzer.finish(&card.frontend_config().silence_frame());
    Ok((analyzer.into_output(), seconds))
}

/// Decodes and analyses `input` block by block; returns its duration in seconds.
fn stream<O: AnalysisOutput>(input: AudioInput, card: &ModelCard, analyzer: &mut Analyzer<O>, progress: Progress) -> Result<f64> {
    let name = input.name();
    let mut frontend: Option<Frontend> = None;
    let (mut samples, mut rate) = (0usize, 0u32);
    for_each_mono_block(input, |block, block_rate| {
        if frontend.is_none() {
            rate = block_rate;
            frontend = Some(Frontend::with_inputs(block_rate as f64, card.frontend_configs())?);
        }
        feed_sink(frontend.as_mut().expect("created above"), block, analyzer);
        samples += block.len();
        progress(samples as f64 / rate as f64)
    })?;
    let Some(frontend) = frontend.as_mut() else { bail!(Unreadable(format!("{name} contains no audio"))) };
    finish_sink(frontend, analyzer);
    Ok(samples as f64 / rate as f64)
}

/// Seconds between two rows of a model's output (a frame, or a window hop).
pub fn row_seconds(card: &ModelCard) -> f64 {
    let row_frames = match card.kind {
        ModelKind::FrameActivation => 1,
        ModelKind::WindowClip => card.input.hop_frames,
    };
    row_frames as f64 * card.frontend.hop as f64 / card.frontend.sample_rate as f64
}

/// Keeps the first model failure reported during an analysis.
pub(crate) fn record_failure(status: &ModelStatus, error: &mut Option<String>) {
    if let ModelStatus::Failed(message) = status {
        error.get_or_insert_with(|| message.clone());
    }
}

/// Collects every row (frame activations or window scores) of one file, for evaluation.
#[derive(Default)]
struct RowCollector {
    rows: Vec<Vec<f32>>,
    error: Option<String>,
}

impl AnalysisOutput for RowCollector {
    fn on_model(&mut self, status: &ModelStatus, _card: Option<&ModelCard>) {
        record_failure(status, &mut self.error);
    }

    fn on_output(&mut self, output: StageOutput<'_>) {
        self.rows.push(output.start_and_values().1.to_vec());
    }
}

/// All rows `model` produces for `file` (short files: the rows are kept in memory).
pub fn file_rows(file: &Path, model: LoadedModel) -> Result<Vec<Vec<f32>>> {
    let input = AudioInput::File(file.to_path_buf());
    let (collector, _) = analyse(input, model, RowCollector::default(), &mut |_| Ok(()))?;
    match collector.error {
        Some(error) => bail!("{}: {error}", file.display()),
        None => Ok(collector.rows),
    }
}
