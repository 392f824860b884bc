//! Streaming writers of per-frame (or per-window) rows: JSON and CSV, flushed as they go, so
//! memory does not grow with the file's length.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use instrumeter::models::ModelCard;
use serde_json::json;

use super::clip::ClipScores;
use super::Format;

/// One output file being written.
pub struct RowWriter {
    format: Format,
    out: BufWriter<File>,
    labels: Vec<String>,
    first_row: bool,
    clip_csv: std::path::PathBuf,
}

impl RowWriter {
    /// Creates `<base>.json` or `<base>.frames.csv` and writes its header.
    pub fn create(format: Format, base: &Path, source: &Path, card: &ModelCard) -> Result<Self> {
        let path = match format {
            Format::Json => base.with_extension("json"),
            _ => base.with_extension("frames.csv"),
        };
        let file = File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
        let labels: Vec<String> = card.labels.iter().map(|l| l.code.clone()).collect();
        let clip_csv = base.with_extension("clip.csv");
        let mut writer = Self { format, out: BufWriter::new(file), labels, first_row: true, clip_csv };
        writer.header(source, card)?;
        Ok(writer)
    }

    fn header(&mut self, source: &Path, card: &ModelCard) -> Result<()> {
        match self.format {
            Format::Json => {
                let head = json!({
                    "file": source.display().to_string(),
                    "model": card.name,
                    "kind": card.kind,
                    "labels": card.labels,
                    "row_time": "start of the frame (frame_activation) or window (window_clip), in seconds",
                });
                let text = head.to_string();
                write!(self.out, "{},\"rows\":[", &text[..text.len() - 1])?;
            }
            _ => writeln!(self.out, "time_s,{}", self.labels.join(","))?,
        }
        Ok(())
    }

    /// Writes one row.
    pub fn row(&mut self, time_s: f64, values: &[f32]) -> Result<()> {
        match self.format {
            Format::Json => {
                let separator = if self.first_row { "" } else { "," };
                write!(self.out, "{separator}{}", json!({ "t": round(time_s), "v": values }))?;
            }
            _ => {
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

    /// Appends the clip scores (JSON) or writes them beside (`.clip.csv`) and closes the file.
    pub fn finish(mut self, clip: &ClipScores) -> Result<()> {
        if self.format == Format::Json {
            write!(self.out, "],\"clip\":{}}}", serde_json::to_string(clip)?)?;
        } else {
            let mut table = format!("label,s1,s2,decision_{:?}\n", clip.method).to_lowercase();
            for (i, label) in self.labels.iter().enumerate() {
                table += &format!("{label},{:.5},{:.5},{}\n", clip.s1[i], clip.s2[i], clip.decisions[i]);
            }
            std::fs::write(&self.clip_csv, table).with_context(|| format!("cannot write {}", self.clip_csv.display()))?;
        }
        self.out.flush()?;
        Ok(())
    }
}

fn round(seconds: f64) -> f64 {
    (seconds * 1e4).round() / 1e4
}
