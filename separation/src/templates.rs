//! The template bank: per instrument, a few magnitude spectra (NMF templates learnt from its
//! recorded notes) that separation explains a mix with. Stored as `<name>.json` (labels, shape,
//! sources) beside `<name>.f32` (little-endian f32 templates, bins × components).

use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use serde::{Deserialize, Serialize};

use crate::nmf::{fit_templates, Matrix, NmfSettings};
use crate::stft::SpectrumStream;
use crate::{BINS, HOP, N_FFT, RATE};

/// Frames below this level under a note's loudest frame are left out of learning, in dB.
const QUIET_DB: f32 = -40.0;
/// Most frames one instrument's templates are learnt from (an even subsample beyond).
const MAX_FRAMES: usize = 6000;

/// What `<name>.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BankCard {
    /// Label codes, in the models' order.
    pub labels: Vec<String>,
    /// Templates per label.
    pub components: usize,
    pub sample_rate: u32,
    pub n_fft: usize,
    pub hop: usize,
    /// How the templates were learnt.
    pub nmf: NmfSettings,
    /// Notes (files) and frames each label's templates were learnt from.
    pub notes: Vec<usize>,
    pub frames: Vec<usize>,
    /// Where the notes came from (credits) and the command that remakes the bank.
    pub sources: Vec<String>,
    pub command: String,
}

/// Templates of every label, `BINS × (labels · components)`, each column summing to 1.
#[derive(Debug, Clone)]
pub struct TemplateBank {
    pub card: BankCard,
    pub templates: Matrix,
}

impl TemplateBank {
    /// The label that template column `column` belongs to.
    pub fn label_of(&self, column: usize) -> usize {
        column / self.card.components
    }

    /// Learns `components` templates per label from each label's notes (22 050 Hz mono);
    /// deterministic. `notes[label]` may be empty (its templates are then flat spectra).
    pub fn learn(labels: Vec<String>, notes: &[Vec<Vec<f32>>], components: usize, nmf: NmfSettings, sources: Vec<String>, command: String) -> Result<Self> {
        ensure!(labels.len() == notes.len() && components > 0, "one note list per label, at least one component");
        let mut templates = Matrix::zeros(BINS, labels.len() * components);
        let (mut note_counts, mut frame_counts) = (Vec::new(), Vec::new());
        for (label, label_notes) in notes.iter().enumerate() {
            let v = note_frames(label_notes);
            note_counts.push(label_notes.len());
            frame_counts.push(v.cols);
            let w = if v.cols == 0 { flat_templates(components) } else { learn_label(&v, components, nmf) };
            for f in 0..BINS {
                for k in 0..components {
                    templates.data[f * templates.cols + label * components + k] = w.at(f, k);
                }
            }
        }
        let card = BankCard { labels, components, sample_rate: RATE, n_fft: N_FFT, hop: HOP, nmf, notes: note_counts, frames: frame_counts, sources, command };
        Ok(Self { card, templates })
    }

    /// Reads `<base>.json` and `<base>.f32`.
    pub fn load(base: &Path) -> Result<Self> {
        let card_path = base.with_extension("json");
        let text = std::fs::read_to_string(&card_path).with_context(|| format!("cannot read the template bank {}", card_path.display()))?;
        let card: BankCard = serde_json::from_str(&text).with_context(|| format!("{} is not a template bank card", card_path.display()))?;
        if (card.sample_rate, card.n_fft, card.hop) != (RATE, N_FFT, HOP) {
            bail!("{}: templates for {} Hz, n_fft {}, hop {}; separation runs at {RATE} Hz, {N_FFT}, {HOP}", card_path.display(), card.sample_rate, card.n_fft, card.hop);
        }
        let data_path = base.with_extension("f32");
        let bytes = std::fs::read(&data_path).with_context(|| format!("cannot read the templates {}", data_path.display()))?;
        let cols = card.labels.len() * card.components;
        ensure!(bytes.len() == BINS * cols * 4, "{}: {} bytes, expected {} ({BINS} bins × {cols} templates × 4)", data_path.display(), bytes.len(), BINS * cols * 4);
        let data: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        ensure!(data.iter().all(|v| v.is_finite() && *v >= 0.0), "{}: templates must be finite and non-negative", data_path.display());
        Ok(Self { card, templates: Matrix { rows: BINS, cols, data } })
    }

    /// Writes `<base>.json` and `<base>.f32`.
    pub fn save(&self, base: &Path) -> Result<()> {
        let card_path = base.with_extension("json");
        std::fs::write(&card_path, serde_json::to_string_pretty(&self.card)? + "\n").with_context(|| format!("cannot write {}", card_path.display()))?;
        let bytes: Vec<u8> = self.templates.data.iter().flat_map(|v| v.to_le_bytes()).collect();
        let data_path = base.with_extension("f32");
        std::fs::write(&data_path, bytes).with_context(|| format!("cannot write {}", data_path.display()))
    }
}

/// The magnitude spectra (bins × frames) of the loud frames of `notes`, at most `MAX_FRAMES`.
fn note_frames(notes: &[Vec<f32>]) -> Matrix {
    let mut frames: Vec<Vec<f32>> = Vec::new();
    for note in notes {
        let mut spectra = Vec::new();
        let mut stream = SpectrumStream::default();
        let mut keep = |spectrum: &[realfft::num_complex::Complex32]| spectra.push(spectrum.iter().map(|c| c.norm()).collect::<Vec<f32>>());
        stream.push(note, &mut keep);
        stream.finish(note.len() as u64, &mut keep);
        let energy = |s: &Vec<f32>| s.iter().map(|v| v * v).sum::<f32>();
        let loudest = spectra.iter().map(energy).fold(0.0f32, f32::max);
        let floor = loudest * 10f32.powf(QUIET_DB / 10.0);
        frames.extend(spectra.into_iter().filter(|s| loudest > 0.0 && energy(s) >= floor));
    }
    let step = frames.len().div_ceil(MAX_FRAMES).max(1);
    let kept: Vec<&Vec<f32>> = frames.iter().step_by(step).collect();
    let mut v = Matrix::zeros(BINS, kept.len());
    for (t, frame) in kept.iter().enumerate() {
        for (f, &x) in frame.iter().enumerate() {
            v.data[f * v.cols + t] = x;
        }
    }
    v
}

/// `components` templates for one label's frames `v`, from a deterministic start.
fn learn_label(v: &Matrix, components: usize, nmf: NmfSettings) -> Matrix {
    let mut w = Matrix::zeros(BINS, components);
    // Start from averages of interleaved frame subsets, so each template begins as the
    // label's spectrum with its own slant, deterministically.
    for t in 0..v.cols {
        let k = t % components;
        for f in 0..BINS {
            w.data[f * components + k] += v.at(f, t) + 1e-6;
        }
    }
    let mut h = Matrix { rows: components, cols: v.cols, data: vec![1.0; components * v.cols] };
    fit_templates(v, &mut w, &mut h, nmf);
    w
}

fn flat_templates(components: usize) -> Matrix {
    Matrix { rows: BINS, cols: components, data: vec![1.0 / BINS as f32; BINS * components] }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(frequency: f32, seconds: f32) -> Vec<f32> {
        (0..(seconds * RATE as f32) as usize).map(|n| (std::f32::consts::TAU * frequency * n as f32 / RATE as f32).sin() * 0.5).collect()
    }

    fn peak_bin(bank: &TemplateBank, column: usize) -> usize {
        (0..BINS).max_by(|&a, &b| bank.templates.at(a, column).total_cmp(&bank.templates.at(b, column))).unwrap()
    }

    #[test]
    fn templates_peak_where_their_notes_do_and_survive_a_round_trip() {
        let notes = vec![vec![tone(440.0, 0.5), tone(445.0, 0.5)], vec![tone(1000.0, 0.5)], vec![]];
        let settings = NmfSettings { beta: 1.0, iterations: 30 };
        let bank = TemplateBank::learn(vec!["a".into(), "b".into(), "c".into()], &notes, 2, settings, vec!["tones".into()], "test".into()).unwrap();
        let bin = |hz: f32| (hz * N_FFT as f32 / RATE as f32).round() as usize;
        assert!(peak_bin(&bank, 0).abs_diff(bin(442.0)) <= 2, "label a peaks at {}", peak_bin(&bank, 0));
        assert!(peak_bin(&bank, 2).abs_diff(bin(1000.0)) <= 1);
        assert_eq!(bank.card.notes, [2, 1, 0]);
        assert_eq!(bank.label_of(5), 2);
        let dir = std::env::temp_dir().join(format!("bank-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        bank.save(&dir.join("bank")).unwrap();
        let again = TemplateBank::load(&dir.join("bank")).unwrap();
        assert_eq!(again.templates, bank.templates);
        assert_eq!(again.card, bank.card);
        std::fs::write(dir.join("bank.f32"), [0u8; 12]).unwrap();
        let error = TemplateBank::load(&dir.join("bank")).unwrap_err().to_string();
        assert!(error.contains("12 bytes"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
