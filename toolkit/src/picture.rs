//! Spectrogram pictures: a colour map, a PNG writer and a 24-bit-colour terminal rendering.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes 8-bit RGB `pixels` (row-major, `width × height`) as a PNG.
pub fn write_rgb_png(path: &Path, pixels: &[u8], width: usize, height: usize) -> Result<()> {
    let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(pixels)?;
    Ok(())
}

/// A `[time][band]` matrix of values scaled to 0..=1, low bands first.
pub struct Spectrogram {
    pub frames: Vec<Vec<f32>>,
}

/// Anchor colours of a perceptually ordered dark-to-bright map (close to matplotlib's magma).
const MAGMA: [[f32; 3]; 5] = [[0.0, 0.0, 4.0], [81.0, 18.0, 124.0], [183.0, 55.0, 121.0], [252.0, 137.0, 97.0], [252.0, 253.0, 191.0]];

/// Colour of a value in 0..=1.
pub fn colour(value: f32) -> [u8; 3] {
    let position = value.clamp(0.0, 1.0) * (MAGMA.len() - 1) as f32;
    let index = (position as usize).min(MAGMA.len() - 2);
    let t = position - index as f32;
    let (a, b) = (MAGMA[index], MAGMA[index + 1]);
    [0, 1, 2].map(|c| (a[c] + (b[c] - a[c]) * t).round() as u8)
}

impl Spectrogram {
    /// Scales log-mel frames to 0..=1 over the loudest `range` (natural-log units) of the whole picture.
    pub fn from_log_mel(frames: Vec<Vec<f32>>, range: f32) -> Self {
        let top = frames.iter().flatten().copied().fold(f32::MIN, f32::max);
        let scaled = frames
            .into_iter()
            .map(|frame| frame.into_iter().map(|v| ((v - top + range) / range).clamp(0.0, 1.0)).collect())
            .collect();
        Self { frames: scaled }
    }

    fn bands(&self) -> usize {
        self.frames.first().map_or(0, Vec::len)
    }

    /// Writes one pixel per frame and band (scaled up by `zoom`), high bands at the top.
    pub fn write_png(&self, path: &Path, zoom: u32) -> Result<()> {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).with_context(|| format!("cannot create {}", folder.display()))?;
        }
        let (width, height) = (self.frames.len() as u32 * zoom, self.bands() as u32 * zoom);
        let mut pixels = Vec::with_capacity((width * height * 3) as usize);
        for y in 0..height {
            let band = self.bands() - 1 - (y / zoom) as usize;
            for x in 0..width {
                pixels.extend(colour(self.frames[(x / zoom) as usize][band]));
            }
        }
        write_rgb_png(path, &pixels, width as usize, height as usize)
    }

    /// Renders `columns` × `rows` character cells (two picture rows per cell, via '▀').
    pub fn to_terminal(&self, columns: usize, rows: usize) -> String {
        let cell = |col: usize, row: usize| self.average(col, columns, row, rows * 2);
        let mut out = String::new();
        for row in 0..rows {
            for col in 0..columns {
                let [r1, g1, b1] = colour(cell(col, 2 * row));
                let [r2, g2, b2] = colour(cell(col, 2 * row + 1));
                out.push_str(&format!("\x1b[38;2;{r1};{g1};{b1}m\x1b[48;2;{r2};{g2};{b2}m▀"));
            }
            out.push_str("\x1b[0m\n");
        }
        out
    }

    /// Mean of the frames and bands that fall in picture cell (`col`, `row`); row 0 is the top.
    fn average(&self, col: usize, columns: usize, row: usize, rows: usize) -> f32 {
        let span = |index: usize, count: usize, len: usize| {
            let start = index * len / count;
            start..((index + 1) * len / count).max(start + 1).min(len)
        };
        let frames = span(col, columns, self.frames.len());
        let bands = span(rows - 1 - row, rows, self.bands());
        let cells = frames.len() * bands.len();
        let sum: f32 = self.frames[frames].iter().map(|f| f[bands.clone()].iter().sum::<f32>()).sum();
        sum / cells.max(1) as f32
    }
}
