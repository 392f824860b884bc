//! The Rust front-end against librosa: fixtures made by `tests/fixtures/make_mel.py` (committed,
//! so no Python is needed here).
//!
//! "Above the floor" means within 70 dB of the frame's loudest band: below that, float32 FFT
//! round-off (≈ 1e-7 of the frame's peak amplitude) dominates both implementations.
//! - 22 050 Hz input: no resampling; the log-mel must match within 1e-4.
//! - 44.1 and 48 kHz input: rubato's FFT resampler stands in for librosa's soxr_hq. Up to band 124
//!   (≈ 10 kHz) the two agree within 1e-2 (measured ≤ 1.8e-3); bands 125–127 lie in the
//!   resamplers' anti-alias roll-off, where their filters differ by design (mean ≤ 1.0 measured).

use std::path::{Path, PathBuf};

use instrumeter::frontend::{FrontendConfig, Frontend};

/// 70 dB in natural-log power units.
const FLOOR_BELOW_FRAME_MAX: f32 = 16.1;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mel")
}

fn read_wav(path: &Path) -> (Vec<f32>, u32) {
    let mut reader = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rate = reader.spec().sample_rate;
    let samples = reader.samples::<i16>().map(|s| s.unwrap() as f32 / 32768.0).collect();
    (samples, rate)
}

/// librosa's power mel, as `ln(mel + 1e-10)` frames.
fn reference_frames(name: &str) -> Vec<Vec<f32>> {
    let bytes = std::fs::read(fixtures().join(format!("{name}.mel.f32"))).unwrap();
    let values: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    values.chunks_exact(128).map(|frame| frame.iter().map(|&m| (m + 1e-10).ln()).collect()).collect()
}

/// Streams the fixture's WAV through the front-end in uneven blocks, as a host would.
fn rust_frames(name: &str) -> Vec<Vec<f32>> {
    let (samples, rate) = read_wav(&fixtures().join(format!("{name}.wav")));
    let mut frontend = Frontend::new(rate as f64, FrontendConfig::default()).unwrap();
    let mut frames = Vec::new();
    for block in samples.chunks(441) {
        frontend.process(block, |f| frames.push(f.to_vec()));
    }
    frontend.finish(|f| frames.push(f.to_vec()));
    frames
}

/// |Δ ln mel| over the cells above the floor, in bands `bands`.
struct Errors {
    max: f32,
    mean: f32,
    cells: usize,
}

fn compare(rust: &[Vec<f32>], reference: &[Vec<f32>], bands: std::ops::Range<usize>) -> Errors {
    let (mut max, mut sum, mut cells) = (0.0f32, 0.0f64, 0usize);
    for (r, l) in rust.iter().zip(reference) {
        let floor = l.iter().copied().fold(f32::MIN, f32::max) - FLOOR_BELOW_FRAME_MAX;
        for band in bands.clone().filter(|&b| l[b] >= floor) {
            let d = (r[band] - l[band]).abs();
            max = max.max(d);
            sum += d as f64;
            cells += 1;
        }
    }
    Errors { max, mean: (sum / cells.max(1) as f64) as f32, cells }
}

#[test]
fn at_22050_hz_the_log_mel_matches_librosa_within_1e4() {
    for signal in ["tones", "noise", "chirp"] {
        let name = format!("{signal}_22050");
        let (rust, reference) = (rust_frames(&name), reference_frames(&name));
        assert_eq!(rust.len(), reference.len(), "{name}: frame count");
        let e = compare(&rust, &reference, 0..128);
        println!("{name}: max |Δln| {:.2e}, mean {:.2e} over {} cells", e.max, e.mean, e.cells);
        assert!(e.cells > 1_000, "{name}: only {} cells above the floor", e.cells);
        assert!(e.max < 1e-4, "{name}: max |Δln| {}", e.max);
    }
}

#[test]
fn at_44100_and_48000_hz_the_difference_from_librosas_resampling_is_bounded() {
    for rate in [44_100, 48_000] {
        for signal in ["tones", "noise", "chirp"] {
            let name = format!("{signal}_{rate}");
            let (rust, reference) = (rust_frames(&name), reference_frames(&name));
            assert_eq!(rust.len(), reference.len(), "{name}: frame count");
            let passband = compare(&rust, &reference, 0..125);
            let rolloff = compare(&rust, &reference, 125..128);
            println!(
                "{name}: bands 0–124 max |Δln| {:.2e} mean {:.2e} ({} cells); bands 125–127 max {:.2} mean {:.3} ({} cells)",
                passband.max, passband.mean, passband.cells, rolloff.max, rolloff.mean, rolloff.cells
            );
            assert!(passband.max < 1e-2 && passband.mean < 1e-3, "{name}: passband differs by {}", passband.max);
            assert!(rolloff.mean < 2.0, "{name}: roll-off bands differ by {} on average", rolloff.mean);
        }
    }
}
