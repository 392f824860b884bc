//! The `cqt_chroma` feature kind (seed 004): librosa's `chroma_cqt` with 36 chroma bins from a
//! 36-bins-per-octave, 7-octave constant-Q from C1, each frame scaled to a maximum of 1.

use super::constant_q::ConstantQSettings;
use super::constant_q_stream::{ConstantQStream, MagnitudeMap};

/// C1 in Hz (`librosa.note_to_hz("C1")`).
pub const C1_HZ: f64 = 32.703_195_662_574_83;
/// Seed 004's chromagram: 7 octaves of 36 bins from C1, folded into 36 chroma bins.
pub const SEED_004: ConstantQSettings = ConstantQSettings { sample_rate: 22_050.0, hop: 512, fmin: C1_HZ, n_bins: 252, bins_per_octave: 36 };
/// Chroma bins per frame.
pub const N_CHROMA: usize = 36;

/// The fold of constant-Q bins into chroma bins, each frame scaled to a maximum of 1.
pub struct ChromaFold {
    /// The chroma bin each constant-Q bin adds to (librosa's `cq_to_chroma`, one 1 per column).
    chroma_of_bin: Vec<usize>,
    n_chroma: usize,
}

/// The `cqt_chroma` stream: `settings`' constant-Q folded into `n_chroma` bins.
pub fn stream(settings: ConstantQSettings, n_chroma: usize) -> Result<ConstantQStream<ChromaFold>, String> {
    if n_chroma == 0 || !settings.bins_per_octave.is_multiple_of(n_chroma) {
        return Err(format!("bins per octave ({}) must be a multiple of the chroma bins ({n_chroma})", settings.bins_per_octave));
    }
    ConstantQStream::new(settings, ChromaFold { chroma_of_bin: chroma_of_bin(&settings, n_chroma), n_chroma })
}

impl MagnitudeMap for ChromaFold {
    fn n_features(&self) -> usize {
        self.n_chroma
    }

    fn map(&self, magnitudes: &[f32], out: &mut [f32]) {
        out.fill(0.0);
        for (&chroma, &m) in self.chroma_of_bin.iter().zip(magnitudes) {
            out[chroma] += m;
        }
        // librosa's normalize(norm=inf) leaves frames below the smallest normal float as they are.
        let peak = out.iter().fold(0.0f32, |m, &v| m.max(v.abs()));
        if peak >= f32::MIN_POSITIVE {
            out.iter_mut().for_each(|v| *v /= peak);
        }
    }
}

/// librosa's `filters.cq_to_chroma`: bin `k` adds to chroma `(k + ⌊merge/2⌋)/merge` (mod
/// n_chroma), rolled so that chroma 0 is C.
fn chroma_of_bin(settings: &ConstantQSettings, n_chroma: usize) -> Vec<usize> {
    let merge = settings.bins_per_octave / n_chroma;
    let midi = 12.0 * (settings.fmin / 440.0).log2() + 69.0;
    let roll = ((midi.rem_euclid(12.0)) * n_chroma as f64 / 12.0).round() as usize;
    (0..settings.n_bins).map(|k| ((k % settings.bins_per_octave + merge / 2) / merge + roll) % n_chroma).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chroma_map_matches_librosa_for_12_and_36_bins() {
        // librosa.filters.cq_to_chroma(84, bins_per_octave=36, n_chroma=12).argmax(0)[:6] = [0,0,1,1,1,2]
        let settings = ConstantQSettings { n_bins: 84, ..SEED_004 };
        assert_eq!(&chroma_of_bin(&settings, 12)[..6], &[0, 0, 1, 1, 1, 2]);
        let identity = chroma_of_bin(&SEED_004, 36);
        assert!(identity.iter().enumerate().all(|(k, &c)| c == k % 36));
    }
}
