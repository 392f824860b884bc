//! Labelled audio in the layouts eval reads: synth splits, Medley-solos-DB, IRMAS (test and train).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use instrumeter::models::INSTRUMENTS;
use serde::Deserialize;

/// One labelled file: which classes are present, and per-frame targets where the layout has them.
pub struct LabelledClip {
    pub path: PathBuf,
    pub presence: Vec<bool>,
    pub frame_targets: Option<Vec<Vec<f32>>>,
}

/// Folder layouts `eval --layout` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// `cargo xtask synth` output: `<data>/<split>/<id>.wav` + `<id>.labels.json`.
    Synth,
    /// Medley-solos-DB: `<data>/audio/*.flac` + `<data>/Medley-solos-DB_metadata.csv`.
    MedleySolos,
    /// IRMAS testing data: `x.wav` + `x.txt` (one label code per line), any folder depth.
    IrmasTest,
    /// IRMAS training data: `<data>/<code>/*.wav`, the label from the folder.
    IrmasTrain,
}

fn class_index(code: &str) -> Option<usize> {
    INSTRUMENTS.iter().position(|(c, _)| *c == code.trim())
}

fn presence_of(codes: impl IntoIterator<Item = usize>) -> Vec<bool> {
    let mut presence = vec![false; INSTRUMENTS.len()];
    codes.into_iter().for_each(|i| presence[i] = true);
    presence
}

/// Reads the clips of `layout` under `data` (`split` applies to synth only).
pub fn load(layout: Layout, data: &Path, split: &str) -> Result<Vec<LabelledClip>> {
    let clips = match layout {
        Layout::Synth => synth(&data.join(split))?,
        Layout::MedleySolos => medley_solos(data)?,
        Layout::IrmasTest => irmas_test(data)?,
        Layout::IrmasTrain => irmas_train(data)?,
    };
    if clips.is_empty() {
        bail!("no labelled audio found in {} as layout {layout:?}", data.display());
    }
    Ok(clips)
}

#[derive(Deserialize)]
struct SynthLabels {
    presence: Vec<u8>,
    targets: Vec<Vec<f32>>,
}

fn synth(folder: &Path) -> Result<Vec<LabelledClip>> {
    let mut clips = Vec::new();
    for wav in files_with_extension(folder, "wav")? {
        let labels_path = wav.with_extension("labels.json");
        let json = std::fs::read(&labels_path).with_context(|| format!("missing labels {}", labels_path.display()))?;
        let labels: SynthLabels = serde_json::from_slice(&json).with_context(|| format!("bad labels {}", labels_path.display()))?;
        let presence = labels.presence.iter().map(|&p| p > 0).collect();
        clips.push(LabelledClip { path: wav, presence, frame_targets: Some(labels.targets) });
    }
    Ok(clips)
}

/// Medley-solos-DB's instrument names → our codes.
fn medley_code(instrument: &str) -> Option<&'static str> {
    Some(match instrument {
        "clarinet" => "cla",
        "distorted electric guitar" => "gel",
        "female singer" => "voi",
        "flute" => "flu",
        "piano" => "pia",
        "tenor saxophone" => "sax",
        "trumpet" => "tru",
        "violin" => "vio",
        _ => return None,
    })
}

fn medley_solos(data: &Path) -> Result<Vec<LabelledClip>> {
    let csv_path = data.join("Medley-solos-DB_metadata.csv");
    let csv = std::fs::read_to_string(&csv_path).with_context(|| format!("cannot read {}", csv_path.display()))?;
    let mut clips = Vec::new();
    for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        let [subset, instrument, id, _song, uuid] = fields[..] else { bail!("{}: malformed row {line:?}", csv_path.display()) };
        let code = medley_code(instrument).with_context(|| format!("{}: unknown instrument {instrument:?}", csv_path.display()))?;
        let path = data.join("audio").join(format!("Medley-solos-DB_{subset}-{id}_{uuid}.flac"));
        if path.exists() {
            clips.push(LabelledClip { path, presence: presence_of(class_index(code)), frame_targets: None });
        }
    }
    Ok(clips)
}

fn irmas_test(data: &Path) -> Result<Vec<LabelledClip>> {
    let mut clips = Vec::new();
    for wav in files_with_extension(data, "wav")? {
        let text = std::fs::read_to_string(wav.with_extension("txt")).with_context(|| format!("no .txt labels beside {}", wav.display()))?;
        clips.push(LabelledClip { presence: presence_of(text.lines().filter_map(class_index)), path: wav, frame_targets: None });
    }
    Ok(clips)
}

fn irmas_train(data: &Path) -> Result<Vec<LabelledClip>> {
    let mut clips = Vec::new();
    for (index, (code, _)) in INSTRUMENTS.iter().enumerate() {
        let folder = data.join(code);
        if folder.is_dir() {
            for wav in files_with_extension(&folder, "wav")? {
                clips.push(LabelledClip { path: wav, presence: presence_of([index]), frame_targets: None });
            }
        }
    }
    Ok(clips)
}

/// Files ending in `.extension` below `folder` (recursively), sorted.
fn files_with_extension(folder: &Path, extension: &str) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(folder).with_context(|| format!("cannot list {}", folder.display()))?;
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.is_dir() {
            found.extend(files_with_extension(&path, extension)?);
        } else if path.extension().is_some_and(|e| e == extension) {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("instrumeter-layout-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn irmas_test_labels_come_from_the_txt_beside_each_wav() {
        let dir = scratch("irmas-test");
        std::fs::write(dir.join("a.wav"), b"").unwrap();
        std::fs::write(dir.join("a.txt"), "pia\nvoi\n").unwrap();
        let clips = irmas_test(&dir).unwrap();
        let on: Vec<usize> = clips[0].presence.iter().enumerate().filter(|(_, &p)| p).map(|(i, _)| i).collect();
        assert_eq!(on, [class_index("pia").unwrap(), class_index("voi").unwrap()]);
    }

    #[test]
    fn irmas_train_labels_come_from_the_folder() {
        let dir = scratch("irmas-train");
        std::fs::create_dir_all(dir.join("sax")).unwrap();
        std::fs::write(dir.join("sax/001 [sax][jaz_blu]0001__1.wav"), b"").unwrap();
        let clips = irmas_train(&dir).unwrap();
        assert_eq!(clips.len(), 1);
        assert!(clips[0].presence[class_index("sax").unwrap()]);
    }

    #[test]
    fn medley_rows_map_to_our_codes_and_skip_missing_audio() {
        let dir = scratch("medley");
        std::fs::create_dir_all(dir.join("audio")).unwrap();
        std::fs::write(dir.join("Medley-solos-DB_metadata.csv"), "subset,instrument,instrument_id,song_id,uuid4\ntraining,trumpet,6,,u1\ntest,flute,3,,u2\n").unwrap();
        std::fs::write(dir.join("audio/Medley-solos-DB_training-6_u1.flac"), b"").unwrap();
        let clips = medley_solos(&dir).unwrap();
        assert_eq!(clips.len(), 1);
        assert!(clips[0].presence[class_index("tru").unwrap()]);
    }
}
