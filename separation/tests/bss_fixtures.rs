//! BSS-eval against mir_eval 0.8.2 on the committed fixtures (`tests/fixtures/bss`, made by
//! `tests/fixtures/make-bss-fixtures.sh`): every SDR, SIR and SAR within 0.1 dB (the issue's
//! bar; they agree far closer).

use std::path::{Path, PathBuf};

use instrumeter_separation::bss_eval_sources;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bss")
}

fn read_float_wav(path: &Path) -> Vec<f64> {
    let mut reader = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader.samples::<f32>().map(|s| s.unwrap() as f64).collect()
}

#[test]
fn scores_match_mir_eval() {
    let scores: serde_json::Value = serde_json::from_slice(&std::fs::read(fixtures().join("scores.json")).unwrap()).unwrap();
    let cases = scores["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    let mut largest = 0.0f64;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let sources = case["sources"].as_u64().unwrap() as usize;
        let read = |kind: &str| (0..sources).map(|i| read_float_wav(&fixtures().join(name).join(format!("{kind}_{i}.wav")))).collect::<Vec<_>>();
        let found = bss_eval_sources(&read("ref"), &read("est")).unwrap();
        for (metric, values) in [("sdr", &found.sdr), ("sir", &found.sir), ("sar", &found.sar)] {
            for (i, value) in values.iter().enumerate() {
                let expected = case[metric][i].as_f64().unwrap();
                largest = largest.max((value - expected).abs());
                assert!((value - expected).abs() <= 0.1, "{name} {metric}[{i}]: {value:.4} dB vs mir_eval {expected:.4} dB");
            }
        }
    }
    println!("largest difference from mir_eval: {largest:.2e} dB");
}

#[test]
fn silent_or_mismatched_signals_are_errors() {
    let tone: Vec<f64> = (0..2000).map(|n| (n as f64 * 0.05).sin()).collect();
    let error = bss_eval_sources(&[tone.clone()], &[vec![0.0; 2000]]).unwrap_err().to_string();
    assert!(error.contains("silent"), "{error}");
    assert!(bss_eval_sources(&[tone.clone()], &[tone[..100].to_vec()]).is_err());
    let with_miss = instrumeter_separation::bss_eval_with_misses(&[tone.clone(), tone.iter().map(|v| v * v).collect()], &[tone.clone(), vec![0.0; 2000]]).unwrap();
    assert!(with_miss.sdr[0] > 100.0 && with_miss.sdr[1] == f64::NEG_INFINITY && with_miss.sir[1].is_nan());
    let perfect = bss_eval_sources(&[tone.clone()], &[tone]).unwrap();
    assert!(perfect.sdr[0] > 100.0, "a perfect estimate: {} dB", perfect.sdr[0]);
}
