//! What one analysis writes as results arrive: row outputs (JSON/CSV), MIDI curves, the
//! activation matrix and the clip sums.

use std::io::Write;

use anyhow::{bail, Result};
use instrumeter::engine::{AnalysisOutput, ModelStatus, StageOutput};
use instrumeter::models::ModelCard;

use crate::clip::{ClipAggregate, ClipScores};
use crate::matrix::ActivationMatrix;
use crate::midi::MidiCurves;
use crate::rows::RowWriter;
use crate::run::record_failure;

/// Every output of one analysis, fed by the analyzer.
pub struct AnalysisOutputs<W: Write> {
    card: ModelCard,
    rows: Vec<RowWriter<W>>,
    midi: Option<MidiCurves>,
    matrix: Option<ActivationMatrix>,
    clip: ClipAggregate,
    error: Option<String>,
}

/// The outputs of a finished analysis.
pub struct Finished<W> {
    pub clip: ClipScores,
    /// The row outputs' writers, in the order given, flushed.
    pub rows: Vec<W>,
    /// The MIDI file, when asked for.
    pub midi: Option<Vec<u8>>,
    /// Every row, when asked for ([`AnalysisOutputs::keep_matrix`]).
    pub matrix: Option<ActivationMatrix>,
}

impl<W: Write + Send> AnalysisOutputs<W> {
    /// Outputs for `card`'s model: the given row writers, and MIDI curves when `midi`.
    pub fn new(card: &ModelCard, rows: Vec<RowWriter<W>>, midi: bool) -> Self {
        let midi = midi.then(|| MidiCurves::new(card));
        Self { card: card.clone(), clip: ClipAggregate::new(card.labels.len()), rows, midi, matrix: None, error: None }
    }

    /// Also keeps every row in memory as an [`ActivationMatrix`] (about 8 MB per hour).
    pub fn keep_matrix(mut self) -> Self {
        self.matrix = Some(ActivationMatrix::new(&self.card));
        self
    }

    /// Closes every output of an analysis of `duration_s` seconds; an error if the model or a
    /// writer failed along the way.
    pub fn finish(self, duration_s: f64) -> Result<Finished<W>> {
        if let Some(error) = self.error {
            bail!("{error}");
        }
        let clip = self.clip.finish(&self.card);
        let rows = self.rows.into_iter().map(|writer| writer.finish(&clip, duration_s)).collect::<Result<_>>()?;
        let midi = self.midi.map(|midi| midi.to_bytes()).transpose()?;
        Ok(Finished { clip, rows, midi, matrix: self.matrix })
    }
}

impl<W: Write + Send> AnalysisOutput for AnalysisOutputs<W> {
    fn on_model(&mut self, status: &ModelStatus, _card: Option<&ModelCard>) {
        record_failure(status, &mut self.error);
    }

    fn on_output(&mut self, output: StageOutput<'_>) {
        let frame_s = self.card.frontend.hop as f64 / self.card.frontend.sample_rate as f64;
        let (start, values) = output.start_and_values();
        let time_s = start as f64 * frame_s;
        self.clip.add(values);
        for writer in &mut self.rows {
            if let Err(error) = writer.row(time_s, values) {
                self.error.get_or_insert(format!("{error:#}"));
            }
        }
        if let Some(midi) = self.midi.as_mut() {
            midi.add(time_s, values);
        }
        if let Some(matrix) = self.matrix.as_mut() {
            matrix.push(start, values);
        }
    }
}
