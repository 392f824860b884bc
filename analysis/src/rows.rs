//! Streaming writers of per-frame (or per-window) rows: JSON and CSV, flushed as they go, so
//! memory does not grow with the length of the audio (when writing to a file).

use std::io::Write;

use anyhow::Result;
use instrumeter::models::ModelCard;
use serde_json::json;

use super::clip::ClipScores;
use super::run::row_seconds;

/// The row formats (MIDI is written apart, by [`crate::MidiCurves`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFormat {
    /// One object: the model, labels and thresholds, `rows` (`{"t", "v"}`), then `clip` and
    /// `duration_s` (the schema is documented in server/API.md).
    Json,
    /// `time_s,<label codes…>` then one line per row.
    Csv,
}

/// One output being written.
pub struct RowWriter<W: Write> {
    format: RowFormat,
    out: W,
    first_row: bool,
}

impl<W: Write> RowWriter<W> {
    /// Starts an output for the audio called `source` and writes its header.
    pub fn new(format: RowFormat, mut out: W, source: &str, card: &ModelCard) -> Result<Self> {
        match format {
            RowFormat::Json => {
                let head = json!({
                    "file": source,
                    "model": card.name,
                    "version": card.version,
                    "kind": card.kind,
                    "labels": card.labels,
                    "thresholds": card.threshold_vector(),
                    "row_s": row_seconds(card),
                    "row_time": "start of the frame (frame_activation) or window (window_clip), in seconds",
                });
                let text = head.to_string();
                write!(out, "{},\"rows\":[", &text[..text.len() - 1])?;
            }
            RowFormat::Csv => {
                let codes: Vec<&str> = card.labels.iter().map(|l| l.code.as_str()).collect();
                writeln!(out, "time_s,{}", codes.join(","))?;
            }
        }
        Ok(Self { format, out, first_row: true })
    }

    /// Writes one row.
    pub fn row(&mut self, time_s: f64, values: &[f32]) -> Result<()> {
        match self.format {
            RowFormat::Json => {
                let separator = if self.first_row { "" } else { "," };
                write!(self.out, "{separator}{}", json!({ "t": round(time_s), "v": values }))?;
            }
            RowFormat::Csv => {
                write!(self.out, "{}", round(time_s))?;
                for v in values {
                    write!(self.out, ",{v:.5}")?;
                }
                writeln!(self.out)?;
            }
        }
        self.first_row = false;
        Ok(())
    }

    /// Appends the clip scores and the duration (JSON; CSV holds rows only, see [`clip_table`]),
    /// flushes, and hands back the writer.
    pub fn finish(mut self, clip: &ClipScores, duration_s: f64) -> Result<W> {
        if self.format == RowFormat::Json {
            write!(self.out, "],\"clip\":{},\"duration_s\":{}}}", serde_json::to_string(clip)?, round(duration_s))?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The clip scores as CSV: `label,s1,s2,rms,decision_<method>`, one line per label.
pub fn clip_table(card: &ModelCard, clip: &ClipScores) -> String {
    let mut table = format!("label,s1,s2,rms,decision_{:?}\n", clip.method).to_lowercase();
    for (i, label) in card.labels.iter().enumerate() {
        table += &format!("{},{:.5},{:.5},{:.5},{}\n", label.code, clip.s1[i], clip.s2[i], clip.rms[i], clip.decisions[i]);
    }
    table
}

fn round(seconds: f64) -> f64 {
    (seconds * 1e4).round() / 1e4
}
