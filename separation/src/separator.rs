//! The streaming separator: audio at 22 050 Hz in, blocks of STFT frames, NMF against the
//! template bank with gated activations, soft masks, overlap-add → one stream per stem plus the
//! residual. Memory is bounded by the block, whatever the length of the audio.

use anyhow::{ensure, Result};
use realfft::num_complex::Complex32;

use crate::guide::FrameGates;
use crate::masks::{add_unexplained, source_models, split_frame};
use crate::nmf::{fit_activations, fit_templates, Matrix, NmfSettings};
use crate::stft::{model_frame, OverlapAdd, SpectrumStream};
use crate::templates::TemplateBank;
use crate::BINS;

/// How a separation runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeparatorSettings {
    pub nmf: NmfSettings,
    /// Exponent of the soft masks (2: Wiener; 1, the default, scored better on the valid split).
    pub mask_power: f32,
    /// STFT frames solved together (256 ≈ 6 s).
    pub block_frames: usize,
    /// After half the iterations (activations alone), the templates adapt to the block too
    /// (each block starts again from the bank): score-informed NMF's way of fitting the pitches
    /// and timbres at hand, which the gates keep each instrument's templates to.
    pub adapt_templates: bool,
}

impl Default for SeparatorSettings {
    fn default() -> Self {
        Self { nmf: NmfSettings::default(), mask_power: 1.0, block_frames: 256, adapt_templates: true }
    }
}

/// Receives `(source, samples)`: sources `0..stems` are the requested labels in order, source
/// `stems` is the residual.
pub type Sink<'a> = &'a mut dyn FnMut(usize, &[f32]) -> Result<()>;

/// One separation in progress.
pub struct Separator<'a> {
    bank: &'a TemplateBank,
    gates: FrameGates,
    settings: SeparatorSettings,
    /// Per template column, the source it belongs to.
    owner: Vec<usize>,
    stems: usize,
    stft: SpectrumStream,
    outputs: Vec<OverlapAdd>,
    /// The block's spectra, frame after frame.
    block: Vec<Vec<Complex32>>,
    /// Index of the block's first frame.
    block_start: u64,
    samples_in: u64,
    samples_out: Vec<u64>,
}

impl<'a> Separator<'a> {
    /// A separator that writes a stem for each of `labels` (indices into the bank's labels).
    pub fn new(bank: &'a TemplateBank, gates: FrameGates, labels: &[usize], settings: SeparatorSettings) -> Result<Self> {
        let count = bank.card.labels.len();
        ensure!(labels.iter().all(|&l| l < count), "stem labels must be among the bank's {count}");
        ensure!(settings.block_frames > 0 && settings.nmf.iterations > 0, "block and iterations must be positive");
        let owner = (0..bank.templates.cols).map(|c| labels.iter().position(|&l| l == bank.label_of(c)).unwrap_or(labels.len())).collect();
        let sources = labels.len() + 1;
        Ok(Self {
            bank,
            gates,
            settings,
            owner,
            stems: labels.len(),
            stft: SpectrumStream::default(),
            outputs: (0..sources).map(|_| OverlapAdd::default()).collect(),
            block: Vec::with_capacity(settings.block_frames),
            block_start: 0,
            samples_in: 0,
            samples_out: vec![0; sources],
        })
    }

    /// Consumes 22 050 Hz mono `samples`; separated audio goes to `sink` as blocks complete.
    pub fn push(&mut self, samples: &[f32], sink: Sink) -> Result<()> {
        self.samples_in += samples.len() as u64;
        let mut frames = Vec::new();
        self.stft.push(samples, |spectrum| frames.push(spectrum.to_vec()));
        self.take_frames(frames, sink)
    }

    /// Samples pushed so far.
    pub fn samples_in(&self) -> u64 {
        self.samples_in
    }

    /// Separates what is left; every source has then received exactly as many samples as came in.
    pub fn finish(mut self, sink: Sink) -> Result<()> {
        let mut frames = Vec::new();
        self.stft.finish(self.samples_in, |spectrum| frames.push(spectrum.to_vec()));
        self.take_frames(frames, sink)?;
        self.separate_block(sink)
    }

    fn take_frames(&mut self, frames: Vec<Vec<Complex32>>, sink: Sink) -> Result<()> {
        for frame in frames {
            self.block.push(frame);
            if self.block.len() == self.settings.block_frames {
                self.separate_block(sink)?;
            }
        }
        Ok(())
    }

    fn separate_block(&mut self, sink: Sink) -> Result<()> {
        if self.block.is_empty() {
            return Ok(());
        }
        let v = self.magnitudes();
        let mut h = self.start_activations(&v);
        let w = self.fit(&v, &mut h);
        let mut models = source_models(&w, &h, &self.owner, self.stems + 1);
        add_unexplained(&v, &mut models);
        let mut stems = vec![vec![Complex32::default(); BINS]; self.stems];
        let mut residual = vec![Complex32::default(); BINS];
        let block = std::mem::take(&mut self.block);
        for (t, mix) in block.iter().enumerate() {
            split_frame(mix, &models, t, self.settings.mask_power, &mut stems, &mut residual);
            for (source, spectrum) in stems.iter().chain(std::iter::once(&residual)).enumerate() {
                self.emit(source, spectrum, sink)?;
            }
        }
        self.block_start += block.len() as u64;
        self.block = block;
        self.block.clear();
        Ok(())
    }

    /// Fits the block's activations (and, when adapting, its own copy of the templates); returns
    /// the templates used.
    fn fit(&self, v: &Matrix, h: &mut Matrix) -> Matrix {
        let mut w = self.bank.templates.clone();
        let first = NmfSettings { iterations: self.settings.nmf.iterations.div_ceil(2), ..self.settings.nmf };
        let rest = NmfSettings { iterations: self.settings.nmf.iterations - first.iterations, ..self.settings.nmf };
        fit_activations(v, &w, h, first);
        if self.settings.adapt_templates {
            fit_templates(v, &mut w, h, rest);
        } else {
            fit_activations(v, &w, h, rest);
        }
        w
    }

    /// Overlap-adds one source's frame and hands on the samples that lie within the input.
    fn emit(&mut self, source: usize, spectrum: &[Complex32], sink: Sink) -> Result<()> {
        let (limit, written) = (self.samples_in, &mut self.samples_out[source]);
        let mut result = Ok(());
        self.outputs[source].add(spectrum, |samples| {
            let keep = (limit.saturating_sub(*written) as usize).min(samples.len());
            if keep > 0 && result.is_ok() {
                result = sink(source, &samples[..keep]);
            }
            *written += keep as u64;
        });
        result
    }

    /// The block's magnitude spectrogram, bins × frames.
    fn magnitudes(&self) -> Matrix {
        let mut v = Matrix::zeros(BINS, self.block.len());
        for (t, spectrum) in self.block.iter().enumerate() {
            for (f, c) in spectrum.iter().enumerate() {
                v.data[f * v.cols + t] = c.norm();
            }
        }
        v
    }

    /// Activations to start from: each open template at its gate's weight (with a fixed
    /// per-template slant, so a label's templates can part), scaled so `W·H` carries each
    /// frame's magnitude (templates sum to 1); closed gates at zero.
    fn start_activations(&self, v: &Matrix) -> Matrix {
        let columns = self.bank.templates.cols;
        let mut h = Matrix::zeros(columns, v.cols);
        for t in 0..v.cols {
            let frame = model_frame(self.block_start + t as u64);
            let weights: Vec<f32> = (0..columns).map(|c| self.gates.value(frame, self.bank.label_of(c)) * slant(c)).collect();
            let total: f32 = weights.iter().sum();
            let magnitude: f32 = (0..v.rows).map(|f| v.at(f, t)).sum();
            if total > 0.0 {
                for (c, weight) in weights.iter().enumerate() {
                    h.data[c * v.cols + t] = weight * magnitude / total;
                }
            }
        }
        h
    }
}

/// A fixed factor in 0.5..1.5 per template column.
fn slant(column: usize) -> f32 {
    1.0 + 0.5 * (column as f32 * 2.399_963).sin()
}
