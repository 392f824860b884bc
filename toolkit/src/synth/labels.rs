//! Frame targets from stem RMS envelopes (Neuroment's 60 dB range) and per-clip presence.

use instrumeter::frontend::FrontendConfig;
use instrumeter::models::INSTRUMENTS;

/// Number of classes, in the models' output order.
pub const CLASSES: usize = INSTRUMENTS.len();
/// A stem frame this far below the clip's loudest stem frame gets target 0; the loudest gets 1.
pub const RANGE_DB: f32 = 60.0;
/// A class is present in a clip when its target reaches this in some frame (within 30 dB of the
/// clip's loudest stem frame).
pub const PRESENCE_THRESHOLD: f32 = 0.5;

/// One clip's labels: per-frame targets in 0–1 and per-clip presence, both per class.
pub struct Labels {
    pub targets: Vec<[f32; CLASSES]>,
    pub presence: [bool; CLASSES],
}

/// The front-end's frame window and hop in samples (frame t covers [hop·t, hop·t + window)).
pub fn frame_grid() -> (usize, usize) {
    let config = FrontendConfig::default();
    (config.n_fft, config.hop)
}

/// Frames the front-end makes of `samples` samples (no centre padding).
pub fn frame_count(samples: usize) -> usize {
    let (window, hop) = frame_grid();
    if samples < window {
        0
    } else {
        (samples - window) / hop + 1
    }
}

/// The RMS level, in dB, of every frame of `signal` (−∞ for digital silence).
pub fn frame_levels_db(signal: &[f32]) -> Vec<f32> {
    let (window, hop) = frame_grid();
    (0..frame_count(signal.len())).map(|t| rms_db(&signal[t * hop..t * hop + window])).collect()
}

fn rms_db(frame: &[f32]) -> f32 {
    let mean_square = frame.iter().map(|&v| v as f64 * v as f64).sum::<f64>() / frame.len() as f64;
    if mean_square > 0.0 {
        (10.0 * mean_square.log10()) as f32
    } else {
        f32::NEG_INFINITY
    }
}

/// Whether no frame of `signal` holds any sound (sound past the last whole frame does not count).
pub fn is_silent(signal: &[f32]) -> bool {
    !frame_levels_db(signal).iter().any(|level| level.is_finite())
}

/// Scales `signal` so that its loudest frame has an RMS of 1 (0 dB); silence stays as it is.
pub fn normalise_loudest_frame(signal: &mut [f32]) {
    let loudest = frame_levels_db(signal).into_iter().fold(f32::NEG_INFINITY, f32::max);
    if loudest.is_finite() {
        let gain = 10f32.powf(-loudest / 20.0);
        signal.iter_mut().for_each(|v| *v *= gain);
    }
}

/// Labels from each stem's class and frame levels (dB, after all its gains): a frame's target is
/// `clamp((level − (loudest − 60 dB)) / 60 dB, 0, 1)`, `loudest` being the loudest frame of any
/// stem in the clip; a class takes the maximum over its stems.
pub fn labels(stems: &[(usize, Vec<f32>)], frames: usize) -> Labels {
    let loudest = stems.iter().flat_map(|(_, levels)| levels.iter().copied()).fold(f32::NEG_INFINITY, f32::max);
    let floor = loudest - RANGE_DB;
    let mut targets = vec![[0.0f32; CLASSES]; frames];
    for (class, levels) in stems {
        for (row, &level) in targets.iter_mut().zip(levels) {
            let target = if level.is_finite() { ((level - floor) / RANGE_DB).clamp(0.0, 1.0) } else { 0.0 };
            row[*class] = row[*class].max(target);
        }
    }
    let presence = std::array::from_fn(|class| targets.iter().any(|row| row[class] >= PRESENCE_THRESHOLD));
    Labels { targets, presence }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(amplitude: f32, samples: usize) -> Vec<f32> {
        (0..samples).map(|n| amplitude * (n as f32 * 0.05).sin()).collect()
    }

    #[test]
    fn three_seconds_make_the_front_ends_128_frames() {
        assert_eq!(frame_count(66_150), 128);
        assert_eq!(frame_count(1023), 0);
    }

    #[test]
    fn targets_follow_the_60_db_range_and_presence_the_30_db_rule() {
        let samples = 66_150;
        let mut loud = tone(1.0, samples);
        loud[samples / 2..].fill(0.0);
        let stems = [
            (0, frame_levels_db(&loud)),
            (1, frame_levels_db(&tone(0.1, samples))),  // −20 dB
            (2, frame_levels_db(&tone(0.01, samples))), // −40 dB
        ];
        let labels = labels(&stems, frame_count(samples));
        let (first, last) = (labels.targets[0], labels.targets[127]);
        assert!((first[0] - 1.0).abs() < 5e-3, "loudest stem frame scores 1: {first:?}");
        assert_eq!(last[0], 0.0, "a silent frame scores 0");
        assert!((first[1] - 40.0 / 60.0).abs() < 5e-3, "−20 dB scores 2/3: {first:?}");
        assert!((last[2] - 20.0 / 60.0).abs() < 5e-3, "−40 dB scores 1/3: {last:?}");
        assert_eq!(&labels.presence[..4], &[true, true, false, false]);
    }
}
