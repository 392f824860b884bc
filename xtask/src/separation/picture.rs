//! The separation picture: spectrograms of the mix (the sum of the outputs), each stem and the
//! residual, stacked top to bottom on one dB scale, log-frequency.

use std::path::Path;

use anyhow::{ensure, Result};
use instrumeter_separation::stft::SpectrumStream;
use instrumeter_separation::{N_FFT, RATE};

use instrumeter_toolkit::picture::{colour, write_rgb_png};

/// Rows per panel, from `LOW_HZ` to the top of the spectrum, log-spaced.
const ROWS: usize = 160;
const LOW_HZ: f32 = 40.0;
/// Dynamic range shown, in dB under the mix's loudest bin.
const RANGE_DB: f32 = 80.0;
/// Widest picture, in columns (longer audio averages frames).
const MAX_COLUMNS: usize = 1200;
/// Pixels of the white line between panels.
const GAP: usize = 3;

/// Writes the panels of `outputs` (stems then residual; all the same length) below their sum.
pub fn write_panels(path: &Path, outputs: &[Vec<f32>]) -> Result<()> {
    ensure!(!outputs.is_empty() && !outputs[0].is_empty(), "nothing to draw");
    let mix: Vec<f32> = (0..outputs[0].len()).map(|n| outputs.iter().map(|o| o.get(n).copied().unwrap_or(0.0)).sum()).collect();
    let panels: Vec<Vec<Vec<f32>>> = std::iter::once(&mix).chain(outputs).map(|signal| log_frequency_db(signal)).collect();
    let top = panels[0].iter().flatten().copied().fold(f32::MIN, f32::max);
    let frames = panels[0].len();
    let per_column = frames.div_ceil(MAX_COLUMNS).max(1);
    let width = frames.div_ceil(per_column);
    let height = panels.len() * (ROWS + GAP) - GAP;
    let mut pixels = vec![255u8; width * height * 3];
    for (p, panel) in panels.iter().enumerate() {
        for row in 0..ROWS {
            let y = p * (ROWS + GAP) + (ROWS - 1 - row);
            for x in 0..width {
                let span = &panel[x * per_column..((x + 1) * per_column).min(frames)];
                let db = span.iter().map(|frame| frame[row]).sum::<f32>() / span.len() as f32;
                let rgb = colour((db - top + RANGE_DB) / RANGE_DB);
                pixels[(y * width + x) * 3..(y * width + x) * 3 + 3].copy_from_slice(&rgb);
            }
        }
    }
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    write_rgb_png(path, &pixels, width, height)
}

/// Per frame, `ROWS` log-spaced rows of the magnitude spectrum in dB.
fn log_frequency_db(signal: &[f32]) -> Vec<Vec<f32>> {
    let bin_of_row = |row: usize| {
        let hz = LOW_HZ * (RATE as f32 / 2.0 / LOW_HZ).powf(row as f32 / (ROWS - 1) as f32);
        ((hz * N_FFT as f32 / RATE as f32).round() as usize).min(N_FFT / 2)
    };
    let bins: Vec<usize> = (0..ROWS).map(bin_of_row).collect();
    let mut frames = Vec::new();
    let mut keep = |spectrum: &[realfft::num_complex::Complex32]| frames.push(bins.iter().map(|&b| 20.0 * (spectrum[b].norm() + 1e-6).log10()).collect());
    let mut stream = SpectrumStream::default();
    stream.push(signal, &mut keep);
    stream.finish(signal.len() as u64, &mut keep);
    frames
}
