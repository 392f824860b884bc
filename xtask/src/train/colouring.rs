//! Training-time timbre augmentation: a random smooth spectral colouring added to each window's
//! log-mel bands, so the networks learn instruments rather than one SoundFont's spectral envelope.

use rand::{Rng, RngExt};

/// Cosine components of the colouring curve across the mel bands.
const COMPONENTS: usize = 4;
/// Largest amplitude of each component in ln-power units (0.5 ≈ 2.2 dB).
const MAX_AMPLITUDE: f32 = 0.5;

/// Adds one random curve `Σₖ aₖ·cos(π·k·band / (bands − 1))` to every frame of each window in
/// `inputs` (`windows × bands × frames`, mel-major within a window).
pub fn colour(inputs: &mut [f32], bands: usize, frames: usize, rng: &mut impl Rng) {
    for window in inputs.chunks_mut(bands * frames) {
        let amplitudes: [f32; COMPONENTS] = std::array::from_fn(|_| rng.random_range(-MAX_AMPLITUDE..MAX_AMPLITUDE));
        for (band, row) in window.chunks_mut(frames).enumerate() {
            let offset = curve(&amplitudes, band as f32 / (bands - 1).max(1) as f32);
            row.iter_mut().for_each(|value| *value += offset);
        }
    }
}

fn curve(amplitudes: &[f32; COMPONENTS], position: f32) -> f32 {
    amplitudes.iter().enumerate().map(|(k, a)| a * (std::f32::consts::PI * (k + 1) as f32 * position).cos()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn each_window_gets_one_smooth_bounded_curve_shared_by_its_frames() {
        let (bands, frames) = (128, 16);
        let mut inputs = vec![0.0; 2 * bands * frames];
        colour(&mut inputs, bands, frames, &mut StdRng::seed_from_u64(3));
        let (first, second) = inputs.split_at(bands * frames);
        for window in [first, second] {
            let rows: Vec<&[f32]> = window.chunks(frames).collect();
            assert!(rows.iter().all(|row| row.iter().all(|&v| v == row[0])), "one offset per band");
            assert!(rows.iter().all(|row| row[0].abs() <= COMPONENTS as f32 * MAX_AMPLITUDE));
            let steepest = rows.windows(2).map(|pair| (pair[1][0] - pair[0][0]).abs()).fold(0.0, f32::max);
            assert!(steepest < 0.1, "neighbouring bands move together: {steepest}");
        }
        assert_ne!(first[0], second[0], "windows are coloured independently");
    }
}
