//! Deterministic test audio for benchmarks and demos, and a WAV writer.

use std::path::Path;

use anyhow::{Context, Result};

/// A few seconds of tones, a melody-like sweep and noise: a busy spectrum, repeatable.
pub fn music_like(rate: u32, seconds: f64) -> Vec<f32> {
    let mut noise_state = 0x2545_f491_u32;
    (0..(rate as f64 * seconds) as usize)
        .map(|i| {
            let t = i as f64 / rate as f64;
            let note = 220.0 * 2f64.powf(((t * 4.0).floor() % 12.0) / 12.0);
            let tones = 0.3 * (std::f64::consts::TAU * note * t).sin() + 0.1 * (std::f64::consts::TAU * 3.0 * note * t).sin();
            noise_state ^= noise_state << 13;
            noise_state ^= noise_state >> 17;
            noise_state ^= noise_state << 5;
            let noise = (noise_state as f64 / u32::MAX as f64 - 0.5) * 0.05;
            (tones + noise) as f32
        })
        .collect()
}

/// Writes mono 32-bit float WAV.
pub fn write_wav(path: &Path, samples: &[f32], rate: u32) -> Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let spec = hound::WavSpec { channels: 1, sample_rate: rate, bits_per_sample: 32, sample_format: hound::SampleFormat::Float };
    let mut writer = hound::WavWriter::create(path, spec).with_context(|| format!("cannot write {}", path.display()))?;
    for &sample in samples {
        writer.write_sample(sample)?;
    }
    writer.finalize()?;
    Ok(())
}

/// A folder in Medley-solos-DB layout for tests: one second of `music_like` audio per row
/// (subset, instrument, instrument id, uuid), written as WAV under the dataset's `.flac` names.
#[cfg(test)]
pub fn write_medley_solos(dir: &Path, rows: &[(&str, &str, u8, &str)]) {
    let mut csv = String::from("subset,instrument,instrument_id,song_id,uuid4\n");
    for (subset, instrument, id, uuid) in rows {
        csv += &format!("{subset},{instrument},{id},,{uuid}\n");
        write_wav(&dir.join(format!("audio/Medley-solos-DB_{subset}-{id}_{uuid}.flac")), &music_like(44_100, 1.0), 44_100).unwrap();
    }
    std::fs::write(dir.join("Medley-solos-DB_metadata.csv"), csv).unwrap();
}
