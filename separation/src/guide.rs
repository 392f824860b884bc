//! The guide: which instruments may sound in each frame, from the model's activations (an
//! instrument judged absent in a frame gets zero activation there), or every one everywhere
//! (unguided).

use instrumeter_analysis::ActivationMatrix;

/// Per model frame and label: 0 (closed: that instrument's activations stay zero) or the weight
/// its NMF activations start from.
#[derive(Debug, Clone)]
pub struct FrameGates {
    labels: usize,
    /// `frames × labels`; empty for unguided gates.
    values: Vec<f32>,
}

/// How activations become gates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateSettings {
    /// A label is open in a frame where its activation reaches this share of its threshold.
    pub threshold_share: f32,
    /// Frames an open gate also opens before and after (onsets the model hears late, tails).
    pub spread_frames: usize,
}

impl Default for GateSettings {
    fn default() -> Self {
        Self { threshold_share: 0.5, spread_frames: 4 }
    }
}

/// Smallest starting weight of an open gate (activations just over the bar still take part).
const MIN_WEIGHT: f32 = 0.1;

impl FrameGates {
    /// Every label open in every frame, with equal weights: plain NMF.
    pub fn unguided(labels: usize) -> Self {
        Self { labels, values: Vec::new() }
    }

    /// Gates from a model's rows and its per-label thresholds.
    pub fn from_activations(matrix: &ActivationMatrix, thresholds: &[f32], settings: GateSettings) -> Self {
        let labels = matrix.labels();
        let frames = (0..matrix.rows()).map(|i| matrix.row(i).0 + matrix.row_frames()).max().unwrap_or(0) as usize;
        let mut raw = vec![0.0f32; frames * labels];
        for i in 0..matrix.rows() {
            let (first, values) = matrix.row(i);
            for frame in first as usize..(first + matrix.row_frames()) as usize {
                for (label, &value) in values.iter().enumerate() {
                    if value >= thresholds[label] * settings.threshold_share {
                        raw[frame * labels + label] = value.max(MIN_WEIGHT);
                    }
                }
            }
        }
        Self { labels, values: spread(&raw, labels, settings.spread_frames) }
    }

    /// The gate of `label` at model frame `frame` (frames past the last row take the last row's).
    pub fn value(&self, frame: u64, label: usize) -> f32 {
        if self.values.is_empty() {
            return 1.0;
        }
        let frames = self.values.len() / self.labels;
        let frame = (frame as usize).min(frames - 1);
        self.values[frame * self.labels + label]
    }

    /// Share of frames in which `label` is open.
    pub fn open_share(&self, label: usize) -> f32 {
        if self.values.is_empty() {
            return 1.0;
        }
        let frames = self.values.len() / self.labels;
        (0..frames).filter(|&f| self.values[f * self.labels + label] > 0.0).count() as f32 / frames as f32
    }
}

/// Each open gate also opens `spread` frames either side, at the larger weight.
fn spread(raw: &[f32], labels: usize, spread: usize) -> Vec<f32> {
    let frames = raw.len() / labels;
    let mut out = raw.to_vec();
    for frame in 0..frames {
        for label in 0..labels {
            let value = raw[frame * labels + label];
            if value > 0.0 {
                for other in frame.saturating_sub(spread)..(frame + spread + 1).min(frames) {
                    let slot = &mut out[other * labels + label];
                    *slot = slot.max(value);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use instrumeter::testkit::mean_band_frame_model;

    #[test]
    fn gates_open_where_activations_pass_and_spread_either_side() {
        let (card, _) = mean_band_frame_model(&[0.0, 0.0], &[1.0, 1.0], 16, 8, true);
        let mut matrix = ActivationMatrix::new(&card);
        for frame in 0..20u64 {
            let first = if (8..10).contains(&frame) { 0.9 } else { 0.0 };
            matrix.push(frame, &[first, 0.3]);
        }
        let thresholds = [0.5, 0.5];
        let gates = FrameGates::from_activations(&matrix, &thresholds, GateSettings { threshold_share: 0.5, spread_frames: 2 });
        let open: Vec<u64> = (0..20).filter(|&f| gates.value(f, 0) > 0.0).collect();
        assert_eq!(open, (6..12).collect::<Vec<_>>());
        assert_eq!(gates.value(9, 0), 0.9);
        assert!((gates.value(3, 1) - 0.3).abs() < 1e-6, "0.3 ≥ half of 0.5: open at its activation");
        assert_eq!(gates.value(500, 1), gates.value(19, 1), "frames past the end take the last row");
        assert!((gates.open_share(0) - 0.3).abs() < 1e-6);
        assert_eq!(FrameGates::unguided(2).value(3, 1), 1.0);
    }
}
