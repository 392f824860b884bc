//! Lessons end to end on the embedded default pair: a synthetic bell it has never heard.

use std::path::Path;

use super::*;
use crate::engine::{AnalysisOutput, Analyzer, FrameSink, ModelStatus, StageOutput};
use crate::models::{LoadedModel, ModelCard};
use crate::testkit::{fm_bells, log_mel_of, other_sounds};

const RATE: f32 = 22_050.0;

fn bells(seconds: f32, seed: u64) -> Vec<f32> {
    fm_bells(seconds, RATE, seed)
}

fn others(seconds: f32, seed: u64) -> Vec<f32> {
    other_sounds(seconds, RATE, seed)
}

fn log_mel(samples: &[f32]) -> Vec<f32> {
    log_mel_of(samples, RATE)
}

#[derive(Default)]
struct Rows(Vec<Vec<f32>>);

impl AnalysisOutput for Rows {
    fn on_model(&mut self, status: &ModelStatus, _card: Option<&ModelCard>) {
        assert!(!matches!(status, ModelStatus::Failed(_)), "{status:?}");
    }
    fn on_output(&mut self, output: StageOutput<'_>) {
        self.0.push(output.start_and_values().1.to_vec());
    }
}

/// Every frame's activations of `model` on `samples`.
fn activations(model: LoadedModel, samples: &[f32]) -> Vec<Vec<f32>> {
    let n_mels = model.card().frontend.n_mels;
    let silence = vec![model.card().frontend.log_eps.ln(); n_mels];
    let mut analyzer = Analyzer::new(n_mels, Rows::default());
    analyzer.set_model(model);
    log_mel(samples).chunks_exact(n_mels).for_each(|frame| analyzer.on_frame(frame));
    analyzer.finish(&silence);
    analyzer.into_output().0
}

fn mean_of(rows: &[Vec<f32>], class: usize) -> f32 {
    rows.iter().map(|row| row[class]).sum::<f32>() / rows.len() as f32
}

fn lesson<'a>(positives: &'a [f32], negatives: &'a [f32]) -> Lesson<'a> {
    Lesson { name: "FM Bell".into(), positives: vec![positives], negatives: vec![negatives], provenance: "synthetic FM bells".into() }
}

#[test]
fn a_taught_bell_lights_its_meter_and_leaves_the_other_classes_alone() {
    let Ok(base) = BaseModel::embedded() else { return };
    let (positives, negatives) = (log_mel(&bells(40.0, 1)), log_mel(&others(60.0, 2)));
    let (taught, report) = teach(&base, &lesson(&positives, &negatives), None).unwrap();
    assert_eq!(report.code, "fm-bell");
    assert!(report.windows.test[0] >= 10 && report.windows.test[1] >= 10, "{report:?}");
    assert!(report.held_out.f1 >= 0.9, "held-out F1 {report:?}");

    let folder = tempfile::tempdir().unwrap();
    let card_path = taught.write(folder.path()).unwrap();
    assert_eq!(card_path.file_name().unwrap(), "frame-activation-fm-bell.card.json");
    let loaded = LoadedModel::load(&card_path).unwrap();
    let classes = base.main.card.labels.len();
    assert_eq!(loaded.card().labels.len(), classes + 1);
    assert_eq!(loaded.card().thresholds["fm-bell"], report.threshold);

    // Fresh audio: the bell's meter rises on bells only; every other class is bit-identical.
    let (bell, other) = (bells(8.0, 7), others(8.0, 8));
    let bell_rows = activations(LoadedModel::load(&card_path).unwrap(), &bell);
    let other_rows = activations(loaded, &other);
    assert!(mean_of(&bell_rows, classes) > report.threshold, "bell {}", mean_of(&bell_rows, classes));
    assert!(mean_of(&other_rows, classes) < report.threshold, "others {}", mean_of(&other_rows, classes));
    let base_rows = activations(LoadedModel::from_embedded(crate::models::EMBEDDED_DEFAULT.as_ref().unwrap()).unwrap(), &bell);
    assert_eq!(base_rows.len(), bell_rows.len());
    for (base_row, taught_row) in base_rows.iter().zip(&bell_rows) {
        assert_eq!(&taught_row[..classes], &base_row[..], "an existing class changed");
    }
}

#[test]
fn lessons_that_cannot_work_are_refused_with_the_reason() {
    let Ok(base) = BaseModel::embedded() else { return };
    let (short, negatives) = (log_mel(&bells(20.0, 1)), log_mel(&others(40.0, 2)));
    assert!(teach(&base, &lesson(&short, &negatives), None).unwrap_err().contains("at least 30 s"));
    let positives = log_mel(&bells(31.0, 1));
    let no_others = Lesson { negatives: vec![], ..lesson(&positives, &negatives) };
    assert!(teach(&base, &no_others, None).unwrap_err().contains("other sounds"));
    let half_seconds: Vec<&[f32]> = positives.chunks(20 * 128).collect();
    let crumbs = Lesson { positives: half_seconds, ..lesson(&positives, &negatives) };
    assert!(teach(&base, &crumbs, None).unwrap_err().contains("too short to cut"));
    let clash = Lesson { name: "Cel".into(), ..lesson(&positives, &negatives) };
    assert!(teach(&base, &clash, None).unwrap_err().contains("already has a class `cel`"));
    assert!(class_code("¿?").is_err());

    let (card, onnx) = crate::testkit::mean_window_clip_model(&[1.0, 2.0], &[0.0, 0.0], 43, 22, true);
    let not_a_convnet = BaseModel { main: ModelFiles { card, onnx }, companion: None };
    assert!(teach(&not_a_convnet, &lesson(&positives, &negatives), None).unwrap_err().contains("cannot be taught"));
    let garbage = BaseModel { main: ModelFiles { onnx: b"garbage".to_vec(), ..not_a_convnet.main }, companion: None };
    assert!(teach(&garbage, &lesson(&positives, &negatives), None).unwrap_err().contains("not an ONNX model"));
    assert!(BaseModel::load(Path::new("/nonexistent/x.card.json")).is_err());
}
