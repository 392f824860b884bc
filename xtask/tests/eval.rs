//! `cargo xtask eval` leaves the card it scores alone unless asked, and writes its report where
//! it is told (real Medley-solos-DB clips from ../shared/data through a closed-form test model).

use std::path::{Path, PathBuf};
use std::process::Command;

use instrumeter::testkit::mean_window_clip_model;

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

fn medley() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/medley-solos-small")
}

/// A 13-class window model in `dir`; returns its card's path.
fn write_model(dir: &Path) -> PathBuf {
    let gains: Vec<f32> = (0..13).map(|class| 0.05 * class as f32 - 0.3).collect();
    let (card, onnx) = mean_window_clip_model(&gains, &[0.0; 13], 43, 22, true);
    let card_path = dir.join("test.card.json");
    std::fs::write(&card_path, serde_json::to_vec_pretty(&card).unwrap()).unwrap();
    std::fs::write(dir.join("test.onnx"), onnx).unwrap();
    card_path
}

fn eval(card: &Path, extra: &[&str]) -> std::process::Output {
    let data = medley();
    let mut command = Command::new(XTASK);
    command.args(["eval", "--layout", "medley-solos", "--subset", "validation", "--model"]).arg(card).arg("--data").arg(&data).args(extra);
    let output = command.output().expect("xtask runs");
    assert!(output.status.success(), "eval failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

#[test]
fn eval_leaves_the_card_alone_unless_asked_and_writes_the_report_where_told() {
    let dir = tempfile::tempdir().unwrap();
    let card = write_model(dir.path());
    let before = std::fs::read(&card).unwrap();
    let reports = dir.path().join("reports");
    eval(&card, &["--report-dir", reports.to_str().unwrap()]);
    assert_eq!(std::fs::read(&card).unwrap(), before, "a plain eval does not touch the card");
    let report = reports.join("test-WindowClip-13.medley-solos-small-validation.report.md");
    assert!(report.is_file(), "the report goes to --report-dir");
    assert!(!dir.path().join("test-WindowClip-13.medley-solos-small-validation.report.md").exists(), "nothing is written beside the card");

    eval(&card, &["--report-dir", reports.to_str().unwrap(), "--record-in-card"]);
    let recorded: serde_json::Value = serde_json::from_slice(&std::fs::read(&card).unwrap()).unwrap();
    let metrics = recorded["metrics"].as_array().unwrap();
    assert!(metrics.iter().any(|m| m["dataset"] == "medley-solos-small-validation"), "--record-in-card records the scores: {metrics:?}");
    assert_eq!(recorded["thresholds"], serde_json::from_slice::<serde_json::Value>(&before).unwrap()["thresholds"], "recording scores does not tune");
}

#[test]
fn clip_tuning_writes_the_clip_thresholds_and_leaves_the_live_ones() {
    let dir = tempfile::tempdir().unwrap();
    let card = write_model(dir.path());
    let before: serde_json::Value = serde_json::from_slice(&std::fs::read(&card).unwrap()).unwrap();
    let output = eval(&card, &["--report-dir", dir.path().to_str().unwrap(), "--tune", "--tune-on", "clip"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("2 folds"), "the out-of-sample score is printed");
    let tuned: serde_json::Value = serde_json::from_slice(&std::fs::read(&card).unwrap()).unwrap();
    assert_eq!(tuned["thresholds"], before["thresholds"], "the live thresholds stay");
    assert_eq!(tuned["clip_thresholds"].as_object().map(|t| t.len()), Some(13), "every label gets a clip threshold");
}
