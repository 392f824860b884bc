//! Per-mel-band mean and standard deviation of the training features (the input standardisation).

use super::split::SplitData;

/// Bands whose spread is below this are scaled as if it were this (silent or constant bands).
const MIN_STD: f64 = 1e-3;

#[derive(Clone, Debug)]
pub struct BandStats {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

impl BandStats {
    /// Mean 0, std 1: a placeholder for networks whose weights are loaded afterwards.
    pub fn identity(bands: usize) -> Self {
        Self { mean: vec![0.0; bands], std: vec![1.0; bands] }
    }

    /// Statistics over every frame of every clip of `split`.
    pub fn measure(split: &SplitData) -> Self {
        let bands = split.n_mels;
        let (mut sum, mut squares, mut count) = (vec![0f64; bands], vec![0f64; bands], 0usize);
        for clip in &split.clips {
            for frame in clip.features.chunks_exact(bands) {
                for ((s, q), value) in sum.iter_mut().zip(&mut squares).zip(frame) {
                    let v = f64::from(value.to_f32());
                    *s += v;
                    *q += v * v;
                }
                count += 1;
            }
        }
        let n = count.max(1) as f64;
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let std = squares.iter().zip(&mean).map(|(q, m)| ((q / n - m * m).max(0.0).sqrt().max(MIN_STD)) as f32).collect();
        Self { mean: mean.into_iter().map(|m| m as f32).collect(), std }
    }

    /// Multipliers after the mean is subtracted: 1/std.
    pub fn scale(&self) -> Vec<f32> {
        self.std.iter().map(|s| 1.0 / s).collect()
    }
}
