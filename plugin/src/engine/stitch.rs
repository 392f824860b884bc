//! Hann overlap-add of per-window frame activations (Neuroment's stitching), normalised by the
//! summed window so a constant model output comes out as exactly that constant.

/// Stitches `[classes][frames]` window outputs arriving every `hop` frames into per-frame values.
pub struct OverlapAdd {
    classes: usize,
    frames: usize,
    hop: usize,
    weights: Vec<f32>,
    sum: Vec<f32>,
    weight_sum: Vec<f32>,
    frame_out: Vec<f32>,
}

/// `sin²(π(n + ½)/N)`: a Hann window sampled between its zeros, so every frame has weight and two
/// windows at 50 % overlap sum to exactly one.
pub fn stitch_window(len: usize) -> Vec<f32> {
    (0..len).map(|n| (std::f64::consts::PI * (n as f64 + 0.5) / len as f64).sin().powi(2) as f32).collect()
}

impl OverlapAdd {
    /// Allocates the accumulators.
    pub fn new(classes: usize, frames: usize, hop: usize) -> Self {
        Self {
            classes,
            frames,
            hop,
            weights: stitch_window(frames),
            sum: vec![0.0; classes * frames],
            weight_sum: vec![0.0; frames],
            frame_out: vec![0.0; classes],
        }
    }

    /// Adds one window's output (`[classes][frames]`), then emits the `hop` oldest frames, which no
    /// later window overlaps, as `classes` values each.
    pub fn add_window(&mut self, output: &[f32], mut emit: impl FnMut(&[f32])) {
        self.accumulate(output);
        for t in 0..self.hop {
            self.emit_frame(t, &mut emit);
        }
        self.shift(self.hop);
    }

    /// Emits the frames of the last window not yet emitted (`frames - hop` of them, or `limit` if fewer).
    pub fn flush(&mut self, limit: usize, mut emit: impl FnMut(&[f32])) {
        for t in 0..(self.frames - self.hop).min(limit) {
            self.emit_frame(t, &mut emit);
        }
        self.shift(self.frames);
    }

    fn accumulate(&mut self, output: &[f32]) {
        for c in 0..self.classes {
            let row = &output[c * self.frames..(c + 1) * self.frames];
            let acc = &mut self.sum[c * self.frames..(c + 1) * self.frames];
            for ((a, &o), &w) in acc.iter_mut().zip(row).zip(&self.weights) {
                *a += o * w;
            }
        }
        for (s, &w) in self.weight_sum.iter_mut().zip(&self.weights) {
            *s += w;
        }
    }

    fn emit_frame(&mut self, t: usize, emit: &mut impl FnMut(&[f32])) {
        let norm = self.weight_sum[t];
        for (c, value) in self.frame_out.iter_mut().enumerate() {
            *value = self.sum[c * self.frames + t] / norm;
        }
        emit(&self.frame_out);
    }

    fn shift(&mut self, by: usize) {
        let by = by.min(self.frames);
        for c in 0..self.classes {
            let row = &mut self.sum[c * self.frames..(c + 1) * self.frames];
            row.copy_within(by.., 0);
            row[self.frames - by..].fill(0.0);
        }
        self.weight_sum.copy_within(by.., 0);
        self.weight_sum[self.frames - by..].fill(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds windows starting every `hop` frames whose outputs come from `value(class, frame)`,
    /// flushes `tail` frames, and returns what was emitted.
    fn stitch(frames: usize, hop: usize, windows: usize, tail: usize, value: impl Fn(usize, usize) -> f32) -> Vec<Vec<f32>> {
        let classes = 2;
        let mut ola = OverlapAdd::new(classes, frames, hop);
        let mut out = Vec::new();
        for w in 0..windows {
            let output: Vec<f32> = (0..classes).flat_map(|c| (0..frames).map(move |t| (c, w * hop + t))).map(|(c, f)| value(c, f)).collect();
            ola.add_window(&output, |frame| out.push(frame.to_vec()));
        }
        ola.flush(tail, |frame| out.push(frame.to_vec()));
        out
    }

    #[test]
    fn the_window_has_no_zeros_and_sums_to_one_at_half_overlap() {
        let w = stitch_window(16);
        assert!(w.iter().all(|&x| x > 0.0));
        for t in 0..8 {
            assert!((w[t] + w[t + 8] - 1.0).abs() < 1e-6);
        }
    }

    #[test]
    fn a_constant_output_stays_exactly_constant_from_first_to_last_frame() {
        let out = stitch(16, 8, 5, 8, |c, _| 0.25 + c as f32 * 0.5);
        assert_eq!(out.len(), 5 * 8 + 8);
        for frame in &out {
            assert!((frame[0] - 0.25).abs() < 1e-6 && (frame[1] - 0.75).abs() < 1e-6, "{frame:?}");
        }
    }

    #[test]
    fn a_ramp_consistent_across_windows_is_reproduced() {
        let out = stitch(16, 8, 4, 8, |c, f| f as f32 * (c as f32 + 1.0));
        for (f, frame) in out.iter().enumerate() {
            assert!((frame[0] - f as f32).abs() < 1e-4 && (frame[1] - 2.0 * f as f32).abs() < 1e-4, "frame {f}: {frame:?}");
        }
    }

    #[test]
    fn an_impulse_in_one_window_is_weighted_by_its_share_of_the_window() {
        let w = stitch_window(16);
        // Only window 1 (frames 8..24) outputs 1.0, at its 4th frame (frame 12), for class 0.
        let frames = 16;
        let mut ola = OverlapAdd::new(1, frames, 8);
        let mut out = Vec::new();
        for window in 0..3 {
            let mut output = vec![0.0; frames];
            if window == 1 {
                output[4] = 1.0;
            }
            ola.add_window(&output, |f| out.push(f[0]));
        }
        // Frame 12 is covered by window 0 (position 12) and window 1 (position 4).
        let expected = w[4] / (w[12] + w[4]);
        assert!((out[12] - expected).abs() < 1e-6);
        assert!(out.iter().enumerate().all(|(f, &v)| f == 12 || v == 0.0));
    }

    #[test]
    fn flush_emits_at_most_the_requested_frames() {
        assert_eq!(stitch(16, 8, 2, 3, |_, _| 1.0).len(), 2 * 8 + 3);
        assert_eq!(stitch(16, 8, 2, 100, |_, _| 1.0).len(), 2 * 8 + 8);
    }
}
