//! Constant-Q magnitudes computed as librosa's `cqt` computes them (wavelet kernels applied to a
//! rectangular-window STFT one octave at a time, the signal halved in rate between octaves by
//! [`HalfBandDecimator`]), streamed frame by frame: frame `t` is centred on sample `t · hop`.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use super::halfband::{HalfBandDecimator, HALF_LEN};

/// librosa's `window_bandwidth("hann")`.
const HANN_BANDWIDTH: f64 = 1.500_183_105_468_75;
/// librosa's `sparsity`: each kernel drops its smallest bins that sum to 1 % of its magnitude.
const SPARSITY: f64 = 0.01;

/// Which constant-Q transform to compute (librosa `cqt` with `tuning=0`, `filter_scale=1`,
/// `norm=1`, `window="hann"`, `scale=True`, `pad_mode="constant"`, `res_type="polyphase"`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConstantQSettings {
    pub sample_rate: f64,
    pub hop: usize,
    pub fmin: f64,
    pub n_bins: usize,
    pub bins_per_octave: usize,
}

impl ConstantQSettings {
    /// Centre frequency of every bin, lowest first.
    pub fn frequencies(&self) -> Vec<f64> {
        (0..self.n_bins).map(|k| self.fmin * 2f64.powf(k as f64 / self.bins_per_octave as f64)).collect()
    }

    /// Octaves computed, each at half the rate of the one above.
    pub fn n_octaves(&self) -> usize {
        self.n_bins.div_ceil(self.bins_per_octave)
    }

    /// Checks that librosa would compute these settings the way this code does.
    pub fn check(&self) -> Result<(), String> {
        if self.n_bins < 2 || self.bins_per_octave == 0 || self.fmin.is_nan() || self.fmin <= 0.0 {
            return Err(format!("need at least 2 bins, bins per octave ≥ 1 and fmin > 0, got {self:?}"));
        }
        let halvings = 1usize << (self.n_octaves() - 1);
        if self.hop == 0 || !self.hop.is_multiple_of(halvings) {
            return Err(format!("hop {} must be a multiple of 2^(octaves − 1) = {halvings}", self.hop));
        }
        let frequencies = self.frequencies();
        let alpha = relative_bandwidth(&frequencies);
        let cutoff = frequencies.iter().zip(&alpha).map(|(f, a)| f * (1.0 + 0.5 * HANN_BANDWIDTH * a)).fold(0.0, f64::max);
        let nyquist = self.sample_rate / 2.0;
        if cutoff > nyquist {
            return Err(format!("the top kernel reaches {cutoff:.0} Hz, above the Nyquist frequency {nyquist} Hz"));
        }
        // librosa downsamples early when the top octave lies far below Nyquist; this code does not.
        let early = ((nyquist / cutoff).log2().ceil() as i64 - 1).max(0) - 1;
        let early = early.min((self.hop.trailing_zeros() as i64 - self.n_octaves() as i64 + 1).max(0));
        if early > 0 {
            return Err(format!("librosa would downsample {early} times before the first octave (raise fmin or the bin count)"));
        }
        Ok(())
    }
}

/// librosa's `filters._relative_bandwidth`: α per bin from its neighbours' log-frequency spacing.
fn relative_bandwidth(frequencies: &[f64]) -> Vec<f64> {
    let log_f: Vec<f64> = frequencies.iter().map(|f| f.log2()).collect();
    let n = log_f.len();
    (0..n)
        .map(|k| {
            let bins_per_octave = match k {
                0 => 1.0 / (log_f[1] - log_f[0]),
                k if k == n - 1 => 1.0 / (log_f[n - 1] - log_f[n - 2]),
                k => 2.0 / (log_f[k + 1] - log_f[k - 1]),
            };
            let ratio = 2f64.powf(2.0 / bins_per_octave);
            (ratio - 1.0) / (ratio + 1.0)
        })
        .collect()
}

/// One kernel row kept sparse: the STFT bins it reads and their complex weights.
struct SparseRow {
    bins: Vec<usize>,
    weights: Vec<Complex<f32>>,
}

/// One octave: its signal's last `n_fft` samples, the kernel rows, and the frame it owes next.
struct Octave {
    hop: usize,
    rows: Vec<SparseRow>,
    /// `1/√(kernel length at the input rate)` per row (librosa's `scale=True`).
    row_scale: Vec<f32>,
    ring: Vec<f32>,
    position: usize,
    produced: u64,
    next_frame: u64,
    fft: Arc<dyn RealToComplex<f32>>,
    fft_input: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    magnitudes: Vec<f32>,
}

impl Octave {
    /// Takes one sample of this octave's signal; returns true when it completed a frame, whose
    /// magnitudes are then in `self.magnitudes`.
    #[inline]
    fn push(&mut self, sample: f32) -> bool {
        let n_fft = self.ring.len();
        self.ring[self.position] = sample;
        self.position = (self.position + 1) % n_fft;
        self.produced += 1;
        // Frame t spans samples [t·hop − n_fft/2, t·hop + n_fft/2) (zeros before the start).
        if self.produced != self.next_frame * self.hop as u64 + (n_fft / 2) as u64 {
            return false;
        }
        let (older, newer) = self.ring.split_at(self.position);
        for (dst, &x) in self.fft_input.iter_mut().zip(newer.iter().chain(older)) {
            *dst = x;
        }
        self.fft.process_with_scratch(&mut self.fft_input, &mut self.spectrum, &mut self.scratch).expect("FFT buffers are sized by the plan");
        for ((row, scale), out) in self.rows.iter().zip(&self.row_scale).zip(&mut self.magnitudes) {
            let sum: Complex<f32> = row.bins.iter().zip(&row.weights).map(|(&bin, w)| w * self.spectrum[bin]).sum();
            *out = sum.norm() * scale;
        }
        self.next_frame += 1;
        true
    }

    fn reset(&mut self) {
        self.ring.fill(0.0);
        (self.position, self.produced, self.next_frame) = (0, 0, 0);
    }
}

/// Streaming constant-Q magnitudes, `n_bins` per frame, lowest bin first.
pub struct ConstantQ {
    settings: ConstantQSettings,
    /// Octave 0 is the top one, at the input rate.
    octaves: Vec<Octave>,
    /// `decimators[i]` makes octave `i + 1`'s signal from octave `i`'s.
    decimators: Vec<HalfBandDecimator>,
    /// Frames waiting for the lower (later) octaves, a ring of `n_bins`-long rows.
    slots: Vec<f32>,
    slot_count: usize,
    next_emit: u64,
    emit_limit: u64,
    samples_in: u64,
    latency_samples: usize,
}

impl ConstantQ {
    /// Designs every kernel and allocates every buffer.
    pub fn new(settings: ConstantQSettings) -> Result<Self, String> {
        settings.check()?;
        let frequencies = settings.frequencies();
        let alpha = relative_bandwidth(&frequencies);
        let n_octaves = settings.n_octaves();
        let bpo = settings.bins_per_octave;
        let octaves: Vec<Octave> = (0..n_octaves)
            .map(|i| {
                let top = settings.n_bins - bpo * i;
                let bins = top.saturating_sub(bpo)..top;
                let rate = settings.sample_rate / (1u64 << i) as f64;
                let row_scale = bins.clone().map(|k| (1.0 / (settings.sample_rate / (alpha[k] * frequencies[k])).sqrt()) as f32).collect();
                octave(&frequencies[bins.clone()], &alpha[bins], rate, settings.hop >> i, (1u64 << i) as f64, row_scale)
            })
            .collect();
        // Octave i completes frame t once the input reaches t·hop + 2^i(n_fft_i/2 − 1) + 20(2^i − 1).
        let completes = |i: usize| (1usize << i) * (octaves[i].ring.len() / 2 - 1) + HALF_LEN * ((1usize << i) - 1);
        let latency_samples = (0..n_octaves).map(completes).max().unwrap_or(0) + 1;
        let slot_count = (latency_samples - completes(0)).div_ceil(settings.hop) + 2;
        Ok(Self {
            decimators: (1..n_octaves).map(|_| HalfBandDecimator::new()).collect(),
            slots: vec![0.0; slot_count * settings.n_bins],
            slot_count,
            next_emit: 0,
            emit_limit: u64::MAX,
            samples_in: 0,
            latency_samples,
            octaves,
            settings,
        })
    }

    /// Bins per frame.
    pub fn n_bins(&self) -> usize {
        self.settings.n_bins
    }

    /// Input samples between a frame's centre and the sample that completes it.
    pub fn latency_samples(&self) -> usize {
        self.latency_samples
    }

    /// Consumes `samples`; calls `on_frame` with each frame's magnitudes once every octave has it.
    pub fn push(&mut self, samples: &[f32], on_frame: &mut dyn FnMut(&[f32])) {
        for &sample in samples {
            self.samples_in += 1;
            if self.push_sample(sample) {
                self.emit_ready(on_frame);
            }
        }
    }

    /// End of stream: the frames librosa computes past the last full one, with the signal (and
    /// each octave, cut to ⌈n/2⌉ samples) continued by zeros.
    pub fn finish(&mut self, on_frame: &mut dyn FnMut(&[f32])) {
        let mut length = self.samples_in;
        let mut frames = u64::MAX;
        for (i, octave) in self.octaves.iter().enumerate() {
            frames = frames.min(1 + length / octave.hop as u64);
            if let Some(decimator) = self.decimators.get_mut(i) {
                length = length.div_ceil(2);
                decimator.limit_outputs(length);
            }
        }
        self.emit_limit = frames;
        while self.octaves.iter().any(|octave| octave.next_frame < frames) {
            if self.push_sample(0.0) {
                self.emit_ready(on_frame);
            }
        }
    }

    /// Clears all history, as if the stream started anew.
    pub fn reset(&mut self) {
        self.octaves.iter_mut().for_each(Octave::reset);
        self.decimators.iter_mut().for_each(HalfBandDecimator::reset);
        (self.next_emit, self.emit_limit, self.samples_in) = (0, u64::MAX, 0);
    }

    /// Runs one sample down the octave chain; true when some octave completed a frame.
    fn push_sample(&mut self, mut sample: f32) -> bool {
        let n_bins = self.settings.n_bins;
        let bpo = self.settings.bins_per_octave;
        let mut completed = false;
        for i in 0..self.octaves.len() {
            let octave = &mut self.octaves[i];
            if octave.push(sample) {
                let slot = ((octave.next_frame - 1) % self.slot_count as u64) as usize;
                let top = n_bins - bpo * i;
                let row = &mut self.slots[slot * n_bins..(slot + 1) * n_bins];
                row[top - octave.magnitudes.len()..top].copy_from_slice(&octave.magnitudes);
                completed = true;
            }
            match self.decimators.get_mut(i).and_then(|decimator| decimator.push(sample)) {
                Some(lower) => sample = lower,
                None => break,
            }
        }
        completed
    }

    fn emit_ready(&mut self, on_frame: &mut dyn FnMut(&[f32])) {
        let complete = self.octaves.iter().map(|octave| octave.next_frame).min().unwrap_or(0).min(self.emit_limit);
        let n_bins = self.settings.n_bins;
        while self.next_emit < complete {
            let slot = (self.next_emit % self.slot_count as u64) as usize;
            on_frame(&self.slots[slot * n_bins..(slot + 1) * n_bins]);
            self.next_emit += 1;
        }
    }
}

/// Builds one octave: librosa's `__vqt_filter_fft` kernels at `rate`, sparsified and times its
/// `sqrt(sr / my_sr)` (`rate_ratio` = sr / my_sr), plus the buffers for its frames.
fn octave(frequencies: &[f64], alpha: &[f64], rate: f64, hop: usize, rate_ratio: f64, row_scale: Vec<f32>) -> Octave {
    let lengths: Vec<f64> = frequencies.iter().zip(alpha).map(|(f, a)| rate / (a * f)).collect();
    let n_fft = lengths.iter().fold(0.0, |m: f64, &l| m.max(l)).log2().ceil().exp2() as usize;
    let mut planner = rustfft::FftPlanner::<f64>::new();
    let fft = planner.plan_fft_forward(n_fft);
    let rows = frequencies
        .iter()
        .zip(&lengths)
        .map(|(&frequency, &length)| {
            let mut row = wavelet(frequency, length, rate, n_fft);
            fft.process(&mut row);
            let gain = rate_ratio.sqrt();
            sparsify(&row[..=n_fft / 2], gain)
        })
        .collect();
    let real_fft = RealFftPlanner::<f32>::new().plan_fft_forward(n_fft);
    Octave {
        hop,
        magnitudes: vec![0.0; frequencies.len()],
        rows,
        row_scale,
        ring: vec![0.0; n_fft],
        position: 0,
        produced: 0,
        next_frame: 0,
        fft_input: real_fft.make_input_vec(),
        spectrum: real_fft.make_output_vec(),
        scratch: real_fft.make_scratch_vec(),
        fft: real_fft,
    }
}

/// librosa's `filters.wavelet` row: a Hann-windowed complex exponential of `length` samples
/// (L1-normalised), centred in `n_fft`, times `length / n_fft`.
fn wavelet(frequency: f64, length: f64, rate: f64, n_fft: usize) -> Vec<Complex<f64>> {
    let (first, end) = ((-length / 2.0).floor() as i64, (length / 2.0).floor() as i64);
    let n = (end - first) as usize;
    let window = |j: usize| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * j as f64 / n as f64).cos();
    let norm: f64 = (0..n).map(window).sum();
    let mut row = vec![Complex::new(0.0, 0.0); n_fft];
    let pad = (n_fft - n) / 2;
    for j in 0..n {
        let phase = 2.0 * std::f64::consts::PI * frequency * (first + j as i64) as f64 / rate;
        row[pad + j] = Complex::from_polar(window(j) / norm * length / n_fft as f64, phase);
    }
    row
}

/// librosa's `util.sparsify_rows(quantile=0.01)` on one row, times `gain`, as f32.
fn sparsify(row: &[Complex<f64>], gain: f64) -> SparseRow {
    let magnitudes: Vec<f64> = row.iter().map(|c| c.norm()).collect();
    let total: f64 = magnitudes.iter().sum();
    let mut sorted = magnitudes.clone();
    sorted.sort_by(f64::total_cmp);
    let mut cumulative = 0.0;
    let threshold = sorted
        .iter()
        .find(|&&m| {
            cumulative += m / total;
            cumulative >= SPARSITY
        })
        .copied()
        .unwrap_or(0.0);
    let bins: Vec<usize> = (0..row.len()).filter(|&f| magnitudes[f] >= threshold).collect();
    let weights = bins.iter().map(|&f| Complex::new((row[f].re * gain) as f32, (row[f].im * gain) as f32)).collect();
    SparseRow { bins, weights }
}
