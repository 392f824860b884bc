//! End to end on a few seconds of data: fixture (generated sines, or `cargo xtask synth` with the
//! Debian SoundFonts) → train → resume → export → tract parity.

use std::f32::consts::TAU;
use std::path::Path;

use instrumeter::frontend::FeatureKind;
use instrumeter::models::{AggregationMethod, ModelCard, ModelKind, INSTRUMENTS};
use serde_json::json;

use super::model::Architecture;
use super::{export, import, train, AggregationChoice, DeviceChoice, ExportOptions, ImportOptions, TrainOptions};
use crate::synth::{self, SynthOptions};

const SAMPLE_RATE: u32 = 22_050;
const CLIP_SECONDS: f32 = 3.0;
const FRAME_LEN: usize = 1024;
const HOP: usize = 512;

/// Clip `index` plays "instrument" `index % 13` (a sine at its own pitch) for the whole clip and
/// instrument `(index + 5) % 13` for its second half, with the labels `cargo xtask synth` writes.
fn write_clip(folder: &Path, index: usize) {
    let samples = (CLIP_SECONDS * SAMPLE_RATE as f32) as usize;
    let half = samples / 2;
    let voices = [(index % INSTRUMENTS.len(), 0..samples), ((index + 5) % INSTRUMENTS.len(), half..samples)];
    let pitch = |class: usize| 110.0 * 2f32.powf(class as f32 / 3.0);
    let spec = hound::WavSpec { channels: 1, sample_rate: SAMPLE_RATE, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut wav = hound::WavWriter::create(folder.join(format!("{index:03}.wav")), spec).unwrap();
    for n in 0..samples {
        let t = n as f32 / SAMPLE_RATE as f32;
        let value: f32 = voices.iter().filter(|(_, span)| span.contains(&n)).map(|(class, _)| 0.3 * (TAU * pitch(*class) * t).sin()).sum();
        wav.write_sample((value * 32767.0) as i16).unwrap();
    }
    wav.finalize().unwrap();
    let frames = (samples - FRAME_LEN) / HOP + 1;
    let targets: Vec<Vec<f32>> = (0..frames)
        .map(|t| {
            let centre = t * HOP + FRAME_LEN / 2;
            let mut row = vec![0.0; INSTRUMENTS.len()];
            voices.iter().filter(|(_, span)| span.contains(&centre)).for_each(|(class, _)| row[*class] = 1.0);
            row
        })
        .collect();
    let mut presence = vec![0; INSTRUMENTS.len()];
    voices.iter().for_each(|(class, _)| presence[*class] = 1);
    let labels = json!({ "presence": presence, "frames": frames, "targets": targets });
    std::fs::write(folder.join(format!("{index:03}.labels.json")), labels.to_string()).unwrap();
}

fn write_fixture(data: &Path) {
    for (split, clips) in [("train", 0..4), ("valid", 4..6)] {
        let folder = data.join(split);
        std::fs::create_dir_all(&folder).unwrap();
        clips.for_each(|index| write_clip(&folder, index));
    }
}

fn options(arch: Architecture, data: &Path, out: &Path, epochs: usize, resume: bool) -> TrainOptions {
    TrainOptions {
        data: Some(data.to_path_buf()),
        arch,
        out: Some(out.to_path_buf()),
        width: 1.0 / 16.0,
        epochs: Some(epochs),
        batch: Some(8),
        learning_rate: None,
        steps_per_epoch: Some(2),
        seed: 1,
        shift_and_mask: resume,
        new_validation: false,
        resume,
        device: DeviceChoice::Cpu,
        benchmark_steps: None,
    }
}

/// `make_data` fills the data folder (`train/`, `valid/`); then the run trains, resumes, exports,
/// and the export is imported into a new run that fine-tunes it. Returns the first exported card.
fn trains_resumes_and_exports(arch: Architecture, name: &str, make_data: impl FnOnce(&Path)) -> ModelCard {
    let scratch = tempfile::Builder::new().prefix(name).tempdir().unwrap();
    let dir = scratch.path();
    let (data, run) = (dir.join("data"), dir.join("run"));
    make_data(&data);

    train(&options(arch, &data, &run, 1, false)).unwrap();
    let cache = match arch.features() {
        FeatureKind::LogMel => "train.logmel.bin".to_string(),
        kind => format!("train.{}.bin", kind.name()),
    };
    assert!(data.join("cache").join(cache).is_file(), "features are cached per split and kind");
    let shift_and_mask = || std::fs::read_to_string(run.join("run.json")).unwrap().contains("\"shift_and_mask\": true");
    assert!(!shift_and_mask());
    train(&options(arch, &data, &run, 2, true)).unwrap();
    assert!(shift_and_mask(), "a resume with --shift-and-mask turns it on in the run's settings");
    let log = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 2, "one metrics line per epoch, resumed run included:\n{log}");

    // export fails unless tract's output is within 1e-4 of burn's
    let out = dir.join("models").join(format!("{}-tiny", arch.name()));
    export(&ExportOptions { checkpoint: run, out: out.clone(), device: DeviceChoice::Cpu, companion: None, companion_weight: 0.5, aggregation: None }).unwrap();
    let card = ModelCard::load(&out.with_file_name(format!("{}-tiny.card.json", arch.name()))).unwrap();
    assert_eq!(card.kind, arch.kind());
    assert_eq!(card.input.frames, arch.window_frames());
    assert_eq!(card.training.architecture, arch.name(), "the card names the network");
    let default_aggregation = if arch.kind() == ModelKind::FrameActivation { AggregationMethod::Rms } else { AggregationMethod::S2 };
    assert_eq!(card.aggregation.method, default_aggregation, "RMS for frame models, S2 for window models");
    assert!(!card.training.design.is_empty(), "the card says how the network was built");
    assert!(out.with_file_name(format!("{}-tiny.onnx", arch.name())).is_file());
    let card_path = out.with_file_name(format!("{}-tiny.card.json", arch.name()));
    assert_eq!(card.frontend.kind, arch.features(), "the card asks for the network's features");
    if !matches!(arch, Architecture::Han | Architecture::Frames) {
        let refusal = import(&ImportOptions { model: card_path, data, out: Some(dir.join("imported")), batch: None, steps_per_epoch: None, learning_rate: 1e-4, device: DeviceChoice::Cpu });
        assert!(refusal.unwrap_err().to_string().contains("resume the training run folder"), "only Han and frame cards are imported");
    } else {
        imports_and_fine_tunes(arch, &card_path, &data, dir);
    }
    card
}

/// `cargo xtask import` of an exported model (tract parity checked inside), one more epoch with
/// `train --resume`, and an export whose card says where the run started.
fn imports_and_fine_tunes(arch: Architecture, card: &Path, data: &Path, dir: &Path) {
    let run = dir.join("imported");
    let import_options = ImportOptions { model: card.to_path_buf(), data: data.to_path_buf(), out: Some(run.clone()), batch: Some(8), steps_per_epoch: Some(2), learning_rate: 1e-4, device: DeviceChoice::Cpu };
    import(&import_options).unwrap();
    assert!(import(&import_options).is_err(), "an import never overwrites a run");
    let exported_epochs = ModelCard::load(card).unwrap().training.epochs as usize;
    train(&TrainOptions { data: None, shift_and_mask: false, ..options(arch, data, &run, exported_epochs + 1, true) }).unwrap();
    let log = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    assert!(log.contains(&format!("\"epoch\":{}", exported_epochs + 1)), "the fine-tuning counts on from the model's epochs:\n{log}");
    let out = dir.join("models").join("fine-tuned");
    export(&ExportOptions { checkpoint: run, out: out.clone(), device: DeviceChoice::Cpu, companion: None, companion_weight: 0.5, aggregation: Some(AggregationChoice::S1) }).unwrap();
    let fine_tuned = ModelCard::load(&out.with_file_name("fine-tuned.card.json")).unwrap();
    assert_eq!(fine_tuned.aggregation.method, AggregationMethod::S1, "--aggregation overrides the kind's default");
    assert!(fine_tuned.training.data.contains(&format!("fine-tuned from {}", card.display())), "{}", fine_tuned.training.data);
}

#[test]
fn han_convnet_trains_resumes_and_exports_with_tract_parity() {
    trains_resumes_and_exports(Architecture::Han, "han", write_fixture);
}

#[test]
fn lstn_trains_resumes_and_exports_with_tract_parity() {
    trains_resumes_and_exports(Architecture::Lstn, "lstn", write_fixture);
}

#[test]
fn cqt_invariants_network_trains_on_the_constant_q_and_exports_with_tract_parity() {
    trains_resumes_and_exports(Architecture::CqtInvariants, "cqt", write_fixture);
}

#[test]
fn zagreb_branches_train_on_their_own_features_and_export_with_tract_parity() {
    for arch in [Architecture::ZagrebModgd, Architecture::ZagrebChroma] {
        trains_resumes_and_exports(arch, arch.name(), write_fixture);
    }
}

/// Seed 004 end to end in miniature: the three branches trained on their own features, fused
/// into one model (tract parity against the branches inside), whose card `analyze` runs.
#[test]
fn seed_004_branches_fuse_into_one_model_that_analyses_a_file() {
    let scratch = tempfile::Builder::new().prefix("fusion").tempdir().unwrap();
    let dir = scratch.path();
    let data = dir.join("data");
    write_fixture(&data);
    let branches: Vec<std::path::PathBuf> = [Architecture::ZagrebMel, Architecture::ZagrebModgd, Architecture::ZagrebChroma]
        .into_iter()
        .map(|arch| {
            let run = dir.join(arch.name());
            train(&options(arch, &data, &run, 1, false)).unwrap();
            let out = dir.join("models").join(arch.name());
            export(&ExportOptions { checkpoint: run, out: out.clone(), device: DeviceChoice::Cpu, companion: None, companion_weight: 0.5, aggregation: None }).unwrap();
            out.with_file_name(format!("{}.card.json", arch.name()))
        })
        .collect();
    let out = dir.join("models").join("zagreb-fusion");
    crate::fuse::run(&crate::fuse::FuseOptions { branches: branches.clone(), rule: "all_above_threshold".into(), out: out.clone() }).unwrap();
    let card_path = out.with_file_name("zagreb-fusion.card.json");
    let card = ModelCard::load(&card_path).unwrap();
    let kinds: Vec<FeatureKind> = card.frontend_configs().iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [FeatureKind::LogMel, FeatureKind::Modgd, FeatureKind::CqtChroma]);
    assert_eq!(card.fusion.as_ref().unwrap().branches, ["zagreb_mel.card.json", "zagreb_modgd.card.json", "zagreb_chroma.card.json"]);
    let model = instrumeter::models::LoadedModel::load(&card_path).unwrap();
    let rows = instrumeter_analysis::file_rows(&data.join("train/000.wav"), model).unwrap();
    assert!(rows.len() >= 4, "3 s give windows every half second: {}", rows.len());
    assert!(rows.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
    let mean_out = dir.join("models").join("zagreb-mean");
    crate::fuse::run(&crate::fuse::FuseOptions { branches: branches[..2].to_vec(), rule: "mean".into(), out: mean_out }).unwrap();
    let one = crate::fuse::run(&crate::fuse::FuseOptions { branches: branches[..1].to_vec(), rule: "mean".into(), out: dir.join("models/one") });
    assert!(one.unwrap_err().to_string().contains("two or more"));
}

#[test]
fn frame_cnn_trains_resumes_and_exports_with_tract_parity() {
    trains_resumes_and_exports(Architecture::Frames, "frames", write_fixture);
}

/// The real data path in miniature: a few clips rendered from the Debian SoundFonts and FreePats
/// patches (`scripts/install-system-deps.sh` installs FluidR3, the small held-out TimGM6mb and
/// freepats), training stems body-shifted, solo recordings, no real notes; then the frame CNN trains on them and
/// exports with tract parity.
#[test]
fn soundfont_clips_train_and_export_with_tract_parity() {
    let card = trains_resumes_and_exports(Architecture::Frames, "soundfonts", |data| {
        let no_real_notes = data.with_file_name("no-real-notes");
        std::fs::create_dir_all(&no_real_notes).unwrap();
        let extra_notes = data.with_file_name("extra-notes");
        std::fs::create_dir_all(extra_notes.join("flu")).unwrap();
        crate::signals::write_wav(&extra_notes.join("flu/xtra_a4.wav"), &crate::signals::music_like(22_050, 1.0), 22_050).unwrap();
        std::fs::write(extra_notes.join("CREDITS.txt"), "test tones (CC0)").unwrap();
        let solos = data.with_file_name("solos");
        crate::signals::write_medley_solos(&solos, &[("training", "flute", 3, "t1"), ("validation", "flute", 3, "v1")]);
        let solo_recordings = data.with_file_name("solo-recordings");
        crate::signals::write_wav(&solo_recordings.join("flu/tune.wav"), &crate::signals::music_like(22_050, 4.0), 22_050).unwrap();
        std::fs::write(solo_recordings.join("CREDITS.txt"), "a test tune (CC0)").unwrap();
        let options = SynthOptions {
            out: data.to_path_buf(),
            seed: 3,
            train: 6,
            valid: 2,
            test: 2,
            seconds: 3.0,
            soundfonts: "/usr/share/sounds/sf2".into(),
            real_notes: no_real_notes,
            patches: Some("/usr/share/midi/freepats".into()),
            extra_notes: vec![extra_notes],
            hold_out_sources: None,
            real_share: Some(0.9),
            no_stem_timbre: false,
            body_shift: 3,
            note_body_shift: 4,
            note_vibrato: true,
            solos: Some(solos),
            solo_recordings: Some(solo_recordings),
            band_mixes: 0.5,
            stems: false,
        };
        synth::run(&options).expect("synth with the Debian SoundFonts (run scripts/install-system-deps.sh)");
        let manifest = std::fs::read_to_string(data.join("manifest.json")).unwrap();
        assert!(manifest.contains("TimGM6mb.sf2"), "the test split names its held-out font");
        assert!(manifest.contains("freepats/071_Clarinet#0"), "the manifest lists the patch set's waveforms");
        assert!(manifest.contains("flu/xtra_a4.wav"), "the manifest lists the extra notes");
        assert!(manifest.contains("training-3_t1") && !manifest.contains("validation-3_v1"), "the manifest lists the training-subset solos only");
        assert!(manifest.contains("flu/tune.wav"), "the manifest lists the long solo recordings");
        assert_eq!(std::fs::read_dir(data.join("train")).unwrap().count(), 12, "6 clips: wav + labels each");
    });
    let credits = ["FreePats", "TimGM6mb.sf2", "extra notes: test tones (CC0)", "random timbre", "up to ±3 semitones", "recorded notes shifted by up to ±4 semitones", "1 solo recordings from the training subset of Medley-solos-DB", "pieces of 1 long solo recordings: a test tune (CC0) (training only)", "band clips (one or two front instruments, mostly with drums and bass) in 50 % of training clips", "real notes play 90 % of the training stems"];
    assert!(credits.iter().all(|credit| card.training.data.contains(credit)), "the card credits its sources and says how stems were varied: {}", card.training.data);
}
