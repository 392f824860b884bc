//! Files on disk: 16-bit WAV clips, their `.labels.json`, and JSON writing for the manifest.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use super::labels::CLASSES;
use super::mix::Clip;
use super::RATE;

/// `<id>.labels.json`: presence as 0/1 and per-frame targets rounded to 3 decimals.
#[derive(Serialize)]
struct LabelsFile {
    presence: [u8; CLASSES],
    frames: usize,
    targets: Vec<[f32; CLASSES]>,
}

/// Writes `<dir>/<id>.wav` and `<dir>/<id>.labels.json` (and `<dir>/<id>.stems/<code>.wav`
/// when the clip kept its stems).
pub fn write_clip(dir: &Path, clip: &Clip) -> Result<()> {
    write_wav(&dir.join(format!("{}.wav", clip.record.id)), &clip.audio)?;
    if !clip.stems.is_empty() {
        let stems = dir.join(format!("{}.stems", clip.record.id));
        std::fs::create_dir_all(&stems).with_context(|| format!("cannot create {}", stems.display()))?;
        for (class, audio) in &clip.stems {
            write_wav(&stems.join(format!("{}.wav", instrumeter::models::INSTRUMENTS[*class].0)), audio)?;
        }
    }
    let labels = LabelsFile {
        presence: clip.labels.presence.map(u8::from),
        frames: clip.labels.targets.len(),
        targets: clip.labels.targets.iter().map(|row| row.map(|v| (v * 1000.0).round() / 1000.0)).collect(),
    };
    write_json(&dir.join(format!("{}.labels.json", clip.record.id)), &labels, false)
}

fn write_wav(path: &Path, samples: &[f32]) -> Result<()> {
    let spec = hound::WavSpec { channels: 1, sample_rate: RATE, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let cannot = || format!("cannot write {}: check the --out folder is writable", path.display());
    let mut writer = hound::WavWriter::create(path, spec).with_context(cannot)?;
    for &sample in samples {
        writer.write_sample((sample.clamp(-1.0, 1.0) * i16::MAX as f32).round() as i16).with_context(cannot)?;
    }
    writer.finalize().with_context(cannot)
}

pub fn write_json(path: &Path, value: &impl Serialize, pretty: bool) -> Result<()> {
    let cannot = || format!("cannot write {}: check the --out folder is writable", path.display());
    let writer = BufWriter::new(File::create(path).with_context(cannot)?);
    if pretty {
        serde_json::to_writer_pretty(writer, value).with_context(cannot)
    } else {
        serde_json::to_writer(writer, value).with_context(cannot)
    }
}
