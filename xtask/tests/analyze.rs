//! `cargo xtask analyze` end to end: committed fixture audio through a closed-form test model,
//! compared with a committed golden output; bad files; and memory that does not grow with length.

use std::path::{Path, PathBuf};
use std::process::Command;

use instrumeter::testkit::{mean_band_frame_model, mean_window_clip_model};

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Writes a test model's card and ONNX into `dir`; returns the card path.
fn write_model(dir: &Path, name: &str, (card, onnx): (instrumeter::models::ModelCard, Vec<u8>)) -> PathBuf {
    let card_path = dir.join(format!("{name}.card.json"));
    std::fs::write(&card_path, serde_json::to_vec_pretty(&card).unwrap()).unwrap();
    std::fs::write(dir.join(format!("{name}.onnx")), onnx).unwrap();
    card_path
}

fn analyze(args: &[&str]) -> std::process::Output {
    Command::new(XTASK).arg("analyze").args(args).current_dir(workspace()).output().expect("xtask runs")
}

fn frame_model() -> (instrumeter::models::ModelCard, Vec<u8>) {
    mean_band_frame_model(&[0.2, -0.1, 0.05], &[1.0, 0.0, -0.5], 16, 8, true)
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

/// Numbers equal within `tolerance`, everything else exactly.
fn assert_json_close(found: &serde_json::Value, golden: &serde_json::Value, tolerance: f64, path: &str) {
    use serde_json::Value::*;
    match (found, golden) {
        (Number(a), Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!((a - b).abs() <= tolerance, "{path}: {a} vs golden {b}");
        }
        (Array(a), Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: length");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_json_close(x, y, tolerance, &format!("{path}[{i}]"));
            }
        }
        (Object(a), Object(b)) => {
            let keys = |o: &serde_json::Map<std::string::String, serde_json::Value>| o.keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(a), keys(b), "{path}: keys");
            for (key, x) in a {
                assert_json_close(x, &b[key], tolerance, &format!("{path}.{key}"));
            }
        }
        _ => assert_eq!(found, golden, "{path}"),
    }
}

/// Analyses the 44.1 kHz tones fixture with the frame test model in `formats`; returns the
/// scratch folder (keep it alive) and the output folder.
fn analyze_tones(formats: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let card = write_model(dir.path(), "frame-test", frame_model());
    let out = dir.path().join("out");
    let fixture = workspace().join("tests/fixtures/mel/tones_44100.wav");
    let result = analyze(&[fixture.to_str().unwrap(), "--model", card.to_str().unwrap(), "--format", formats, "--out", out.to_str().unwrap()]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    (dir, out)
}

#[test]
fn fixture_audio_matches_the_golden_analysis() {
    let (_dir, out) = analyze_tones("json,csv,midi");
    let mut found = read_json(&out.join("tones_44100.json"));
    found["file"] = "tones_44100.wav".into();
    let golden_path = workspace().join("xtask/tests/golden/tones_44100.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden_path, serde_json::to_string_pretty(&found).unwrap()).unwrap();
    }
    assert_json_close(&found, &read_json(&golden_path), 1e-4, "$");
    assert_eq!(found["rows"].as_array().unwrap().len(), 85, "one row per frame, as librosa frames 2 s");
    let csv = std::fs::read_to_string(out.join("tones_44100.frames.csv")).unwrap();
    assert_eq!(csv.lines().count(), 86);
    assert!(std::fs::read_to_string(out.join("tones_44100.clip.csv")).unwrap().starts_with("label,s1,s2,rms,decision_s2"));
    let midi = std::fs::read(out.join("tones_44100.mid")).unwrap();
    assert_eq!(&midi[..4], b"MThd");
}

/// Reads a `.npy` file's shape and data.
fn read_npy<T: npyz::Deserialize>(path: &Path) -> (Vec<u64>, Vec<T>) {
    let file = npyz::NpyFile::new(std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap();
    (file.shape().to_vec(), file.into_vec().unwrap())
}

#[test]
fn npy_export_holds_the_rows_and_their_times() {
    let (_dir, out) = analyze_tones("csv,npy");
    let (shape, values) = read_npy::<f32>(&out.join("tones_44100.activations.npy"));
    let (time_shape, times) = read_npy::<f64>(&out.join("tones_44100.times.npy"));
    let csv = std::fs::read_to_string(out.join("tones_44100.frames.csv")).unwrap();
    let rows: Vec<Vec<f64>> = csv.lines().skip(1).map(|line| line.split(',').map(|v| v.parse().unwrap()).collect()).collect();
    let labels = rows[0].len() - 1;
    assert_eq!(shape, [rows.len() as u64, labels as u64]);
    assert_eq!(time_shape, [rows.len() as u64]);
    for (i, row) in rows.iter().enumerate() {
        assert!((times[i] - row[0]).abs() < 1e-4, "row {i}: time {} vs csv {}", times[i], row[0]);
        for (j, &v) in row[1..].iter().enumerate() {
            assert!((values[i * labels + j] as f64 - v).abs() < 1e-4, "row {i} label {j}");
        }
    }
    assert!(times.windows(2).all(|w| w[1] > w[0]), "row times rise");
}

#[test]
fn unreadable_files_are_reported_and_the_rest_still_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let card = write_model(dir.path(), "clip-test", mean_window_clip_model(&[0.1, 0.2], &[0.0, 0.0], 43, 22, true));
    let broken = dir.path().join("broken.wav");
    std::fs::write(&broken, b"RIFF\x10\x00\x00\x00WAVEnot really").unwrap();
    let good = workspace().join("tests/fixtures/mel/chirp_48000.wav");
    let out = dir.path().join("out");
    let result = analyze(&[broken.to_str().unwrap(), "/nonexistent/x.flac", good.to_str().unwrap(), "--model", card.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let log = format!("{}{}", String::from_utf8_lossy(&result.stdout), String::from_utf8_lossy(&result.stderr));
    assert!(!result.status.success());
    assert!(log.contains("broken.wav") && log.contains("/nonexistent/x.flac") && log.contains("2 of 3 files"), "{log}");
    let json = read_json(&out.join("chirp_48000.json"));
    // 85 frames: 1 s windows (43 frames) start at frames 0 and 22; a third would need 87.
    assert_eq!(json["rows"].as_array().unwrap().len(), 2);
}

#[test]
fn a_missing_or_broken_model_is_a_clear_error() {
    let result = analyze(&["tests/fixtures/mel/tones_22050.wav", "--model", "/nonexistent/m.card.json"]);
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stderr).contains("/nonexistent/m.card.json"));
}

/// Writes `seconds` of a tone at 22 050 Hz, streaming.
fn write_long_wav(path: &Path, seconds: usize) {
    let spec = hound::WavSpec { channels: 1, sample_rate: 22_050, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..seconds * 22_050 {
        let phase = (i as f32 * 440.0 / 22_050.0).fract();
        writer.write_sample(((phase * std::f32::consts::TAU).sin() * 8000.0) as i16).unwrap();
    }
    writer.finalize().unwrap();
}

fn peak_memory_mib(stdout: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(stdout);
    let line = text.lines().find(|l| l.starts_with("peak memory:")).unwrap_or_else(|| panic!("no peak memory line in {text}"));
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

#[test]
fn memory_does_not_grow_with_file_length() {
    let dir = tempfile::tempdir().unwrap();
    let card = write_model(dir.path(), "frame-test", frame_model());
    let mut peaks = Vec::new();
    for (name, seconds) in [("minute", 60), ("hour", 3600)] {
        let wav = dir.path().join(format!("{name}.wav"));
        write_long_wav(&wav, seconds);
        let result = analyze(&[wav.to_str().unwrap(), "--model", card.to_str().unwrap(), "--format", "csv", "--out", dir.path().join("out").to_str().unwrap()]);
        assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
        peaks.push(peak_memory_mib(&result.stdout));
        std::fs::remove_file(&wav).unwrap();
    }
    println!("peak memory: 1 minute {:.1} MiB, 1 hour {:.1} MiB", peaks[0], peaks[1]);
    assert!(peaks[1] < peaks[0] + 16.0, "memory grew with length: {peaks:?}");
}

#[test]
#[cfg(unix)]
fn a_closed_stdout_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let card = write_model(dir.path(), "frames", frame_model());
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader); // every write to stdout now fails with EPIPE
    let fixture = workspace().join("tests/fixtures/mel/tones_22050.wav");
    let out = dir.path().join("out");
    let result = Command::new(XTASK)
        .args(["analyze", fixture.to_str().unwrap(), "--model", card.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .stdout(writer)
        .output()
        .expect("xtask runs");
    let log = String::from_utf8_lossy(&result.stderr);
    assert!(!log.contains("panicked"), "{log}");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(result.status.signal(), Some(libc::SIGPIPE), "ended by SIGPIPE, as `head` expects: {:?}", result.status);
}

/// The shipped LSTN (seed 000) analyses like any card: window scores in 0–1 for the 13 classes,
/// clip decisions by its card's S2.
#[test]
fn the_shipped_lstn_analyses_like_any_card() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let fixture = workspace().join("tests/fixtures/mel/tones_44100.wav");
    let result = analyze(&[fixture.to_str().unwrap(), "--model", "models/lstn-1s.card.json", "--format", "json", "--out", out.to_str().unwrap()]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let found = read_json(&out.join("tones_44100.json"));
    assert_eq!((found["kind"].as_str(), found["model"].as_str()), (Some("window_clip"), Some("lstn-1s")));
    let rows = found["rows"].as_array().unwrap();
    assert!(!rows.is_empty(), "a 2 s file holds at least one 1 s window");
    for row in rows {
        let values = row["v"].as_array().unwrap();
        assert_eq!(values.len(), 13);
        assert!(values.iter().all(|v| (0.0..=1.0).contains(&v.as_f64().unwrap())), "{row}");
    }
    assert_eq!(found["clip"]["method"].as_str(), Some("S2"));
}
