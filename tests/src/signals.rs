//! Deterministic test audio (sines, noise, hostile values) and block-size schedules.

use std::f64::consts::TAU;

/// A stereo signal: `[left, right]`.
pub type Stereo = [Vec<f32>; 2];

/// Xorshift64* noise: the same seed gives the same samples on every machine.
#[derive(Debug, Clone)]
pub struct Noise(u64);

impl Noise {
    /// A generator for `seed` (0 is remapped, xorshift cannot leave 0).
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// The next raw 64-bit value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `[-1, 1)`.
    pub fn next_sample(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 / (1u64 << 23) as f32) - 1.0
    }
}

/// `amplitude * sin(2π f t)` plus uniform noise of `noise_level`, `len` samples at `rate`.
pub fn sine_plus_noise(freq: f64, amplitude: f64, noise_level: f32, seed: u64, rate: f64, len: usize) -> Vec<f32> {
    let mut noise = Noise::new(seed);
    (0..len)
        .map(|n| (amplitude * (TAU * freq * n as f64 / rate).sin()) as f32 + noise_level * noise.next_sample())
        .collect()
}

/// Music-like main input: different tones and noise in left and right.
pub fn main_program(rate: f64, seconds: f64) -> Stereo {
    let len = (rate * seconds) as usize;
    [sine_plus_noise(440.0, 0.5, 0.1, 1, rate, len), sine_plus_noise(659.25, 0.4, 0.2, 2, rate, len)]
}

/// A sidechain unlike the main input: a low tone left, loud noise with a high tone right.
pub fn sidechain_program(rate: f64, seconds: f64) -> Stereo {
    let len = (rate * seconds) as usize;
    [sine_plus_noise(110.0, 0.8, 0.05, 3, rate, len), sine_plus_noise(3520.0, 0.2, 0.6, 4, rate, len)]
}

/// `len` copies of `value`.
pub fn constant(value: f32, len: usize) -> Vec<f32> {
    vec![value; len]
}

/// A full-scale (±1.0) square wave with the given period in samples.
pub fn square(period: usize, len: usize) -> Vec<f32> {
    (0..len).map(|n| if n % period < period / 2 { 1.0 } else { -1.0 }).collect()
}

/// A sine with every `every`-th sample replaced by NaN, +Inf, -Inf and a denormal in turn.
pub fn sine_with_hostile_spikes(every: usize, len: usize) -> Vec<f32> {
    let spikes = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e-40];
    let mut signal = sine_plus_noise(330.0, 0.5, 0.0, 5, 48_000.0, len);
    for (k, n) in (0..len).step_by(every).enumerate() {
        signal[n] = spikes[k % spikes.len()];
    }
    signal
}

/// Named hostile inputs of `len` samples: non-finite values, denormals, DC and a square wave.
pub fn hostile_inputs(len: usize) -> Vec<(&'static str, Vec<f32>)> {
    vec![
        ("quiet NaN", constant(f32::NAN, len)),
        ("NaN with payload", constant(f32::from_bits(0x7fc1_2345), len)),
        ("negative NaN", constant(f32::from_bits(0xffc0_0000), len)),
        ("+Inf", constant(f32::INFINITY, len)),
        ("-Inf", constant(f32::NEG_INFINITY, len)),
        ("denormal 1e-40", constant(1e-40, len)),
        ("negative denormal", constant(-1e-40, len)),
        ("DC 1.0", constant(1.0, len)),
        ("full-scale square", square(100, len)),
        ("sine with NaN/Inf/denormal spikes", sine_with_hostile_spikes(7, len)),
    ]
}

/// An endless sequence of block sizes.
#[derive(Debug, Clone)]
pub enum BlockSizes {
    /// Always the same size.
    Fixed(usize),
    /// A new pseudo-random size in `1..=max` on every call.
    PseudoRandom { noise: Noise, max: usize },
}

impl BlockSizes {
    /// Pseudo-random sizes in `1..=max`, reproducible from `seed`.
    pub fn pseudo_random(seed: u64, max: usize) -> Self {
        Self::PseudoRandom { noise: Noise::new(seed), max }
    }
}

impl Iterator for BlockSizes {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        Some(match self {
            Self::Fixed(size) => *size,
            Self::PseudoRandom { noise, max } => 1 + (noise.next_u64() % *max as u64) as usize,
        })
    }
}
