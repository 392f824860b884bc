//! Training-time timbre augmentation of log-mel windows, so the networks learn instruments rather
//! than one SoundFont's spectral envelope: a smooth spectral colouring, a small shift along the mel
//! axis (another instrument body's formants) and a masked block of bands (SpecAugment).

use rand::rngs::StdRng;
use rand::{Rng, RngExt};

/// Cosine components of the colouring curve across the mel bands.
const COMPONENTS: usize = 4;
/// Largest amplitude of each component in ln-power units (0.5 ≈ 2.2 dB).
const MAX_AMPLITUDE: f32 = 0.5;
/// Largest shift along the mel axis in bands (1 band ≈ 2.5 % in frequency above 1 kHz).
const MAX_SHIFT_BANDS: f32 = 2.0;
/// Share of windows that get a masked block of bands, and the widest block.
const MASK_SHARE: f64 = 0.5;
const MAX_MASK_BANDS: usize = 10;

/// What a training batch gets: always the colouring; the shift and mask when asked for.
pub struct Augmentation<'a> {
    pub rng: &'a mut StdRng,
    pub shift_and_mask: bool,
}

impl Augmentation<'_> {
    /// Augments every window of `inputs` (`windows × bands × frames`, mel-major within a window)
    /// with its own random draws.
    pub fn apply(self, inputs: &mut [f32], bands: usize, frames: usize) {
        let rng = self.rng;
        let mut shifted = vec![0.0; bands * frames];
        for window in inputs.chunks_mut(bands * frames) {
            if self.shift_and_mask {
                shift(window, &mut shifted, frames, rng.random_range(-MAX_SHIFT_BANDS..=MAX_SHIFT_BANDS));
            }
            colour(window, bands, frames, rng);
            if self.shift_and_mask && rng.random_bool(MASK_SHARE) {
                let width = rng.random_range(1..=MAX_MASK_BANDS.min(bands));
                mask(window, frames, rng.random_range(0..=bands - width), width);
            }
        }
    }
}

/// Moves the window `by` bands up the mel axis (down when negative), interpolating linearly
/// between bands and repeating the edge band where the shift leaves a gap.
fn shift(window: &mut [f32], scratch: &mut [f32], frames: usize, by: f32) {
    let last = (window.len() / frames - 1) as f32;
    for (band, row) in scratch.chunks_mut(frames).enumerate() {
        let source = (band as f32 - by).clamp(0.0, last);
        let (below, fraction) = (source.floor() as usize, source.fract());
        let above = (below + 1).min(last as usize);
        for (frame, value) in row.iter_mut().enumerate() {
            *value = (1.0 - fraction) * window[below * frames + frame] + fraction * window[above * frames + frame];
        }
    }
    window.copy_from_slice(scratch);
}

/// Adds one random curve `Σₖ aₖ·cos(π·k·band / (bands − 1))` to every frame of the window.
fn colour(window: &mut [f32], bands: usize, frames: usize, rng: &mut impl Rng) {
    let amplitudes: [f32; COMPONENTS] = std::array::from_fn(|_| rng.random_range(-MAX_AMPLITUDE..MAX_AMPLITUDE));
    for (band, row) in window.chunks_mut(frames).enumerate() {
        let offset = curve(&amplitudes, band as f32 / (bands - 1).max(1) as f32);
        row.iter_mut().for_each(|value| *value += offset);
    }
}

fn curve(amplitudes: &[f32; COMPONENTS], position: f32) -> f32 {
    amplitudes.iter().enumerate().map(|(k, a)| a * (std::f32::consts::PI * (k + 1) as f32 * position).cos()).sum()
}

/// Replaces bands `first..first + width` by their mean: their detail is gone, the window's level stays.
fn mask(window: &mut [f32], frames: usize, first: usize, width: usize) {
    let block = &mut window[first * frames..(first + width) * frames];
    let mean = block.iter().sum::<f32>() / block.len() as f32;
    block.fill(mean);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn colouring_is_one_smooth_bounded_curve_shared_by_the_frames() {
        let (bands, frames) = (128, 16);
        let mut window = vec![0.0; bands * frames];
        colour(&mut window, bands, frames, &mut StdRng::seed_from_u64(3));
        let rows: Vec<&[f32]> = window.chunks(frames).collect();
        assert!(rows.iter().all(|row| row.iter().all(|&v| v == row[0])), "one offset per band");
        assert!(rows.iter().all(|row| row[0].abs() <= COMPONENTS as f32 * MAX_AMPLITUDE));
        let steepest = rows.windows(2).map(|pair| (pair[1][0] - pair[0][0]).abs()).fold(0.0, f32::max);
        assert!(steepest < 0.1, "neighbouring bands move together: {steepest}");
    }

    #[test]
    fn shifting_moves_bands_up_or_down_and_interpolates() {
        let (bands, frames) = (6, 2);
        let ramp: Vec<f32> = (0..bands).flat_map(|band| [band as f32; 2]).collect();
        let shifted = |by: f32| {
            let (mut window, mut scratch) = (ramp.clone(), vec![0.0; bands * frames]);
            shift(&mut window, &mut scratch, frames, by);
            window.chunks(frames).map(|row| row[0]).collect::<Vec<_>>()
        };
        assert_eq!(shifted(0.0), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(shifted(2.0), [0.0, 0.0, 0.0, 1.0, 2.0, 3.0], "up two bands, the lowest repeated");
        assert_eq!(shifted(-1.0), [1.0, 2.0, 3.0, 4.0, 5.0, 5.0], "down one band, the highest repeated");
        assert_eq!(shifted(0.5), [0.0, 0.5, 1.5, 2.5, 3.5, 4.5]);
    }

    #[test]
    fn masking_flattens_only_its_bands_and_keeps_their_mean() {
        let frames = 4;
        let mut window: Vec<f32> = (0..5 * frames).map(|i| i as f32).collect();
        let original = window.clone();
        mask(&mut window, frames, 1, 2);
        assert_eq!(window[..frames], original[..frames]);
        assert_eq!(window[3 * frames..], original[3 * frames..]);
        assert!(window[frames..3 * frames].iter().all(|&v| v == 7.5), "mean of 4..12 is 7.5");
    }

    #[test]
    fn every_window_is_augmented_on_its_own_and_shift_and_mask_only_when_asked() {
        let (bands, frames) = (128, 16);
        let ramp: Vec<f32> = (0..2 * bands * frames).map(|i| ((i / frames) % bands) as f32 * 0.1).collect();
        let augmented = |shift_and_mask: bool| {
            let mut inputs = ramp.clone();
            Augmentation { rng: &mut StdRng::seed_from_u64(5), shift_and_mask }.apply(&mut inputs, bands, frames);
            inputs
        };
        for inputs in [augmented(false), augmented(true)] {
            let (first, second) = inputs.split_at(bands * frames);
            assert!(first.iter().chain(second).all(|v| v.is_finite()));
            assert_ne!(first, second, "windows with the same content come out different");
        }
        let colouring_only = augmented(false);
        let offsets: Vec<f32> = colouring_only.iter().zip(&ramp).map(|(a, r)| a - r).collect();
        let smooth = offsets.chunks(frames).take(bands).collect::<Vec<_>>().windows(2).all(|pair| (pair[1][0] - pair[0][0]).abs() < 0.1);
        assert!(smooth, "colouring alone adds a smooth curve to the ramp");
        assert_ne!(colouring_only, augmented(true));
    }
}
