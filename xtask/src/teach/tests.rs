//! `cargo xtask teach` from files: audio at another rate than the front-end's, a folder of
//! takes, a model written where asked, with its measurements beside it.

use std::path::Path;

use instrumeter::models::LoadedModel;
use instrumeter::testkit::{fm_bells, other_sounds};

use super::{run, TeachOptions};

const RATE: u32 = 44_100;

fn write_wav(path: &Path, samples: &[f32]) {
    let spec = hound::WavSpec { channels: 1, sample_rate: RATE, bits_per_sample: 32, sample_format: hound::SampleFormat::Float };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    samples.iter().for_each(|&s| writer.write_sample(s).unwrap());
    writer.finalize().unwrap();
}

fn options(files: Vec<std::path::PathBuf>, negatives: Vec<std::path::PathBuf>, out: &Path) -> TeachOptions {
    TeachOptions { name: "Bell Tree".into(), files, negatives, base: None, no_bank: true, out: Some(out.into()), check: None, check_split: "valid".into() }
}

#[test]
fn teaches_from_files_and_writes_a_loadable_model_with_its_measurements() {
    if instrumeter::models::EMBEDDED_DEFAULT.is_none() {
        return;
    }
    let folder = tempfile::tempdir().unwrap();
    let takes = folder.path().join("bells");
    std::fs::create_dir(&takes).unwrap();
    for (index, seed) in [1, 2].into_iter().enumerate() {
        write_wav(&takes.join(format!("take-{index}.wav")), &fm_bells(20.0, RATE as f32, seed));
    }
    let others = folder.path().join("others.wav");
    write_wav(&others, &other_sounds(50.0, RATE as f32, 3));
    let out = folder.path().join("models");
    run(&options(vec![takes.clone()], vec![others.clone()], &out)).unwrap();

    let card = out.join("frame-activation-bell-tree.card.json");
    let model = LoadedModel::load(&card).unwrap();
    assert_eq!(model.card().labels.last().unwrap().code, "bell-tree");
    let record: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("frame-activation-bell-tree.teach.json")).unwrap()).unwrap();
    assert!(record["lesson"]["held_out"]["f1"].as_f64().unwrap() >= 0.9, "{record}");
    assert!(record["lesson"]["positive_s"].as_f64().unwrap() > 39.0, "both takes count: {record}");

    let one_take = options(vec![takes.join("take-0.wav")], vec![others], &out);
    let error = run(&one_take).unwrap_err().to_string();
    assert!(error.contains("at least 30 s"), "{error}");
}
