//! `cargo xtask separate` end to end on the demo clip with the shipped template bank and the
//! embedded model: the stems come out where their instruments play; bad requests are errors.

use std::path::{Path, PathBuf};
use std::process::Command;

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn separate(args: &[&str]) -> std::process::Output {
    Command::new(XTASK).arg("separate").args(args).current_dir(workspace()).output().expect("xtask runs")
}

fn read(path: &Path) -> (Vec<f32>, u32) {
    let mut reader = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rate = reader.spec().sample_rate;
    (reader.samples::<f32>().map(Result::unwrap).collect(), rate)
}

#[test]
fn the_demo_comes_apart_where_its_instruments_play() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let result = separate(&["assets/demo/demo.flac", "--stems", "tru,voi", "--out", out]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let (trumpet, rate) = read(&dir.path().join("demo.tru.wav"));
    let (voice, _) = read(&dir.path().join("demo.voi.wav"));
    let (residual, _) = read(&dir.path().join("demo.residual.wav"));
    assert_eq!(rate, 22_050);
    assert!(trumpet.len() == voice.len() && voice.len() == residual.len());
    let energy = |s: &[f32], from_s: f32, to_s: f32| s[(from_s * 22_050.0) as usize..((to_s * 22_050.0) as usize).min(s.len())].iter().map(|v| v * v).sum::<f32>();
    let whole = |s: &[f32]| energy(s, 0.0, 12.0);
    // The demo: piano 0–3 s, trumpet 3–6 s, voice 6–9 s, electric guitar 9–12 s.
    assert!(energy(&trumpet, 2.8, 6.2) > 0.8 * whole(&trumpet), "trumpet stem outside its part");
    assert!(energy(&voice, 5.8, 9.2) > 0.8 * whole(&voice), "voice stem outside its part");
    assert!(energy(&residual, 0.0, 3.0) > energy(&trumpet, 0.0, 3.0) * 10.0, "the piano part is left in the residual");
}

#[test]
fn an_unknown_stem_or_a_missing_bank_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let result = separate(&["assets/demo/demo.flac", "--stems", "kazoo", "--out", out]);
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stderr).contains("kazoo"), "{}", String::from_utf8_lossy(&result.stderr));
    let result = separate(&["assets/demo/demo.flac", "--templates", "/nonexistent/bank", "--out", out]);
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stderr).contains("/nonexistent/bank.json"));
}
