//! Labelled audio in the layouts eval reads: synth splits, Medley-solos-DB, IRMAS (test and train).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use instrumeter::models::{Label, INSTRUMENTS};
use serde::Deserialize;

/// One labelled file: which classes are present, and per-frame targets and how it was mixed
/// where the layout has them.
pub struct LabelledClip {
    pub path: PathBuf,
    pub presence: Vec<bool>,
    pub frame_targets: Option<Vec<Vec<f32>>>,
    pub mix: Option<MixFacts>,
}

/// What a synth clip's manifest says of its stems.
#[derive(Debug, Clone, PartialEq)]
pub struct MixFacts {
    pub origin: Origin,
    /// Per class: its stem's mix level minus the clip's loudest stem's, in dB (≤ 0); `None` for
    /// classes with no stem.
    pub relative_db: Vec<Option<f32>>,
}

impl MixFacts {
    fn of_stems(stems: &[ManifestStem]) -> Option<MixFacts> {
        let kinds: Vec<&str> = stems.iter().map(|stem| stem.source.kind.as_str()).collect();
        let loudest = stems.iter().map(|stem| stem.level_db).fold(f32::NEG_INFINITY, f32::max);
        let mut relative_db = vec![None; INSTRUMENTS.len()];
        for stem in stems {
            if let Some(class) = class_index(&stem.class) {
                let level = stem.level_db - loudest;
                relative_db[class] = Some(relative_db[class].map_or(level, |other: f32| other.max(level)));
            }
        }
        Origin::of_stems(&kinds).map(|origin| MixFacts { origin, relative_db })
    }
}

/// Where a synth clip's stems came from (its manifest says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    SoundFonts,
    RealNotes,
    Both,
}

impl Origin {
    pub const ALL: [Origin; 3] = [Origin::SoundFonts, Origin::RealNotes, Origin::Both];

    pub fn name(self) -> &'static str {
        match self {
            Origin::SoundFonts => "synthesised only (SoundFonts, GUS patches)",
            Origin::RealNotes => "real recorded notes only",
            Origin::Both => "both",
        }
    }

    fn of_stems(kinds: &[&str]) -> Option<Origin> {
        let real = kinds.iter().filter(|kind| matches!(**kind, "real_notes" | "solo")).count();
        match (real, kinds.len()) {
            (_, 0) => None,
            (0, _) => Some(Origin::SoundFonts),
            (r, n) if r == n => Some(Origin::RealNotes),
            _ => Some(Origin::Both),
        }
    }
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

impl LabelledClip {
    /// The truth re-ordered to a card's labels (data holds the product's classes in
    /// [`INSTRUMENTS`] order; a label the data cannot hold, such as a taught class, is absent
    /// everywhere, so its every firing counts as a false alarm).
    pub fn aligned_to(mut self, labels: &[Label]) -> Self {
        let slots: Vec<Option<usize>> = labels.iter().map(|l| INSTRUMENTS.iter().position(|(code, _)| *code == l.code)).collect();
        self.presence = slots.iter().map(|s| s.and_then(|i| self.presence.get(i).copied()).unwrap_or(false)).collect();
        if let Some(targets) = self.frame_targets.as_mut() {
            targets.iter_mut().for_each(|row| *row = slots.iter().map(|s| s.and_then(|i| row.get(i).copied()).unwrap_or(0.0)).collect());
        }
        if let Some(mix) = self.mix.as_mut() {
            mix.relative_db = slots.iter().map(|s| s.and_then(|i| mix.relative_db.get(i).copied().flatten())).collect();
        }
        self
    }
}

/// Reads the clips of `layout` under `data` (`split` applies to synth only, `subset` to
/// Medley-solos-DB only).
pub fn load(layout: Layout, data: &Path, split: &str, subset: Option<&str>) -> Result<Vec<LabelledClip>> {
    ensure!(subset.is_none() || layout == Layout::MedleySolos, "--subset picks a Medley-solos-DB subset: use it with --layout medley-solos");
    let clips = match layout {
        Layout::Synth => synth(&data.join(split))?,
        Layout::MedleySolos => medley_solos_subset(data, subset)?,
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

#[derive(Deserialize)]
struct SynthManifest {
    splits: Vec<ManifestSplit>,
}

#[derive(Deserialize)]
struct ManifestSplit {
    clips: Vec<ManifestClip>,
}

#[derive(Deserialize)]
struct ManifestClip {
    id: String,
    stems: Vec<ManifestStem>,
}

#[derive(Deserialize)]
struct ManifestStem {
    class: String,
    level_db: f32,
    source: StemSource,
}

#[derive(Deserialize)]
struct StemSource {
    kind: String,
}

/// Clip id → what its stems were, from the `manifest.json` beside the split folders (none when
/// it is missing or unreadable: these are report details, not needed to score).
fn synth_mixes(manifest: &Path) -> HashMap<String, MixFacts> {
    let parsed = std::fs::read(manifest).ok().and_then(|json| serde_json::from_slice::<SynthManifest>(&json).ok());
    parsed
        .into_iter()
        .flat_map(|m| m.splits)
        .flat_map(|split| split.clips)
        .filter_map(|clip| MixFacts::of_stems(&clip.stems).map(|facts| (clip.id, facts)))
        .collect()
}

fn synth(folder: &Path) -> Result<Vec<LabelledClip>> {
    let mixes = synth_mixes(&folder.parent().unwrap_or(Path::new(".")).join("manifest.json"));
    let mut clips = Vec::new();
    for wav in files_with_extension(folder, "wav")? {
        let labels_path = wav.with_extension("labels.json");
        let json = std::fs::read(&labels_path).with_context(|| format!("missing labels {}", labels_path.display()))?;
        let labels: SynthLabels = serde_json::from_slice(&json).with_context(|| format!("bad labels {}", labels_path.display()))?;
        let presence = labels.presence.iter().map(|&p| p > 0).collect();
        let mix = wav.file_stem().and_then(|id| mixes.get(id.to_string_lossy().as_ref())).cloned();
        clips.push(LabelledClip { path: wav, presence, frame_targets: Some(labels.targets), mix });
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

/// The clips of Medley-solos-DB's `subset` (`training`, `validation`, `test`) under `data`, or of
/// every subset; rows whose audio is missing are skipped.
pub fn medley_solos_subset(data: &Path, only: Option<&str>) -> Result<Vec<LabelledClip>> {
    let csv_path = data.join("Medley-solos-DB_metadata.csv");
    let csv = std::fs::read_to_string(&csv_path).with_context(|| format!("cannot read {}", csv_path.display()))?;
    let mut clips = Vec::new();
    for line in csv.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        let [subset, instrument, id, _song, uuid] = fields[..] else { bail!("{}: malformed row {line:?}", csv_path.display()) };
        let code = medley_code(instrument).with_context(|| format!("{}: unknown instrument {instrument:?}", csv_path.display()))?;
        let path = data.join("audio").join(format!("Medley-solos-DB_{subset}-{id}_{uuid}.flac"));
        if path.exists() && only.is_none_or(|only| only == subset) {
            clips.push(LabelledClip { path, presence: presence_of(class_index(code)), frame_targets: None, mix: None });
        }
    }
    Ok(clips)
}

fn irmas_test(data: &Path) -> Result<Vec<LabelledClip>> {
    let mut clips = Vec::new();
    for wav in files_with_extension(data, "wav")? {
        let text = std::fs::read_to_string(wav.with_extension("txt")).with_context(|| format!("no .txt labels beside {}", wav.display()))?;
        clips.push(LabelledClip { presence: presence_of(text.lines().filter_map(class_index)), path: wav, frame_targets: None, mix: None });
    }
    Ok(clips)
}

fn irmas_train(data: &Path) -> Result<Vec<LabelledClip>> {
    let mut clips = Vec::new();
    for (index, (code, _)) in INSTRUMENTS.iter().enumerate() {
        let folder = data.join(code);
        if folder.is_dir() {
            for wav in files_with_extension(&folder, "wav")? {
                clips.push(LabelledClip { path: wav, presence: presence_of([index]), frame_targets: None, mix: None });
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

    #[test]
    fn truth_follows_the_cards_labels_and_a_taught_class_is_absent() {
        let (cel, bas) = (class_index("cel").unwrap(), class_index("bas").unwrap());
        let mut relative_db = vec![None; INSTRUMENTS.len()];
        relative_db[bas] = Some(-6.0);
        let mut row = vec![0.0; INSTRUMENTS.len()];
        row[cel] = 1.0;
        let clip = LabelledClip {
            path: PathBuf::new(),
            presence: presence_of([cel, bas]),
            frame_targets: Some(vec![row]),
            mix: Some(MixFacts { origin: Origin::SoundFonts, relative_db }),
        };
        let label = |code: &str| Label { code: code.into(), name: code.into() };
        let aligned = clip.aligned_to(&[label("bas"), label("harp"), label("cel")]);
        assert_eq!(aligned.presence, [true, false, true]);
        assert_eq!(aligned.frame_targets.unwrap(), [vec![0.0, 0.0, 1.0]]);
        assert_eq!(aligned.mix.unwrap().relative_db, [Some(-6.0), None, None]);
    }

    #[test]
    fn irmas_test_labels_come_from_the_txt_beside_each_wav() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.wav"), b"").unwrap();
        std::fs::write(dir.path().join("a.txt"), "pia\nvoi\n").unwrap();
        let clips = irmas_test(dir.path()).unwrap();
        let on: Vec<usize> = clips[0].presence.iter().enumerate().filter(|(_, &p)| p).map(|(i, _)| i).collect();
        assert_eq!(on, [class_index("pia").unwrap(), class_index("voi").unwrap()]);
    }

    #[test]
    fn irmas_train_labels_come_from_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sax")).unwrap();
        std::fs::write(dir.path().join("sax/001 [sax][jaz_blu]0001__1.wav"), b"").unwrap();
        let clips = irmas_train(dir.path()).unwrap();
        assert_eq!(clips.len(), 1);
        assert!(clips[0].presence[class_index("sax").unwrap()]);
    }

    #[test]
    fn medley_rows_map_to_our_codes_skip_missing_audio_and_filter_by_subset() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("audio")).unwrap();
        std::fs::write(dir.path().join("Medley-solos-DB_metadata.csv"), "subset,instrument,instrument_id,song_id,uuid4\ntraining,trumpet,6,,u1\ntest,flute,3,,u2\ntest,violin,7,,u3\n").unwrap();
        std::fs::write(dir.path().join("audio/Medley-solos-DB_training-6_u1.flac"), b"").unwrap();
        std::fs::write(dir.path().join("audio/Medley-solos-DB_test-3_u2.flac"), b"").unwrap();
        let clips = medley_solos_subset(dir.path(), None).unwrap();
        assert_eq!(clips.len(), 2, "u3's audio is missing");
        assert!(clips[0].presence[class_index("tru").unwrap()] && clips[1].presence[class_index("flu").unwrap()]);
        let training = load(Layout::MedleySolos, dir.path(), "test", Some("training")).unwrap();
        assert_eq!(training.len(), 1);
        assert!(training[0].presence[class_index("tru").unwrap()]);
        assert!(load(Layout::IrmasTest, dir.path(), "test", Some("training")).is_err(), "a subset means nothing to other layouts");
    }

    #[test]
    fn synth_clips_take_the_origin_and_levels_of_their_stems_from_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("test")).unwrap();
        let stem = |class: &str, level_db: f32, kind: &str| format!(r#"{{"class":"{class}","level_db":{level_db},"source":{{"kind":"{kind}"}}}}"#);
        let clips: Vec<String> = [
            ("font", vec![stem("pia", -3.0, "sound_font")]),
            ("real", vec![stem("pia", -9.0, "real_notes"), stem("dru", -1.0, "real_notes")]),
            ("both", vec![stem("pia", -12.0, "real_notes"), stem("flu", -2.0, "sound_font")]),
        ]
        .iter()
        .map(|(id, stems)| format!(r#"{{"id":"{id}","stems":[{}]}}"#, stems.join(",")))
        .collect();
        std::fs::write(dir.path().join("manifest.json"), format!(r#"{{"splits":[{{"name":"test","clips":[{}]}}]}}"#, clips.join(","))).unwrap();
        for id in ["font", "real", "both", "unlisted"] {
            std::fs::write(dir.path().join(format!("test/{id}.wav")), b"").unwrap();
            std::fs::write(dir.path().join(format!("test/{id}.labels.json")), r#"{"presence":[1],"targets":[[1.0]]}"#).unwrap();
        }
        let mixes: Vec<(String, Option<MixFacts>)> =
            synth(&dir.path().join("test")).unwrap().into_iter().map(|clip| (clip.path.file_stem().unwrap().to_string_lossy().into_owned(), clip.mix)).collect();
        let (pia, flu, dru) = (class_index("pia").unwrap(), class_index("flu").unwrap(), class_index("dru").unwrap());
        let facts = |origin, levels: &[(usize, f32)]| {
            let mut relative_db = vec![None; INSTRUMENTS.len()];
            levels.iter().for_each(|&(class, db)| relative_db[class] = Some(db));
            Some(MixFacts { origin, relative_db })
        };
        let expected = [
            ("both", facts(Origin::Both, &[(pia, -10.0), (flu, 0.0)])),
            ("font", facts(Origin::SoundFonts, &[(pia, 0.0)])),
            ("real", facts(Origin::RealNotes, &[(pia, -8.0), (dru, 0.0)])),
            ("unlisted", None),
        ];
        assert_eq!(mixes, expected.map(|(id, facts)| (id.to_string(), facts)));
    }
}
