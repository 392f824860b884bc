//! Augmentation: per training stem a random timbre (two EQ tilts, a low-pass); per mixture an EQ
//! tilt, a simple room reverb, a noise floor and peak normalisation.

use rand::{Rng, RngExt};
use realfft::RealFftPlanner;
use serde::Serialize;

use super::RATE;

/// −60 dB as a natural-log amplitude ratio (ln 10⁻³).
const LN_MINUS_60_DB: f32 = -6.907_755;

/// The random settings of one clip's augmentation (recorded in the manifest).
#[derive(Serialize)]
pub struct Augmentation {
    /// High-band gain minus low-band gain of a first-order shelf pair, in dB.
    pub tilt_db: f32,
    /// Crossover of the tilt, in Hz.
    pub tilt_hz: f32,
    pub room: Option<Room>,
    /// White noise level relative to the mix's RMS, in dB.
    pub noise_db: Option<f32>,
    /// The mix's final peak level, in dBFS.
    pub peak_dbfs: f32,
}

/// A room: an exponentially decaying, low-passed noise burst convolved with the mix.
#[derive(Serialize)]
pub struct Room {
    pub rt60_s: f32,
    /// Level of the reverberant signal added to the dry mix, in dB.
    pub wet_db: f32,
    /// Corner of the one-pole low-pass that darkens the tail, in Hz.
    pub damping_hz: f32,
    pub pre_delay_s: f32,
}

impl Augmentation {
    pub fn draw(rng: &mut impl Rng) -> Self {
        Self {
            tilt_db: rng.random_range(-8.0..8.0),
            tilt_hz: log_uniform(rng, 300.0, 3000.0),
            room: rng.random_bool(0.75).then(|| Room {
                rt60_s: rng.random_range(0.1..1.2),
                wet_db: rng.random_range(-20.0..-3.0),
                damping_hz: log_uniform(rng, 2000.0, 10_000.0),
                pre_delay_s: rng.random_range(0.0..0.03),
            }),
            noise_db: rng.random_bool(0.6).then(|| rng.random_range(-70.0..-35.0)),
            peak_dbfs: rng.random_range(-24.0..-0.5),
        }
    }

    /// Augments `mix` in place; returns the final gain (the peak normalisation) it applied.
    pub fn apply(&self, mix: &mut [f32], rng: &mut impl Rng) -> f32 {
        tilt(mix, self.tilt_db, self.tilt_hz);
        if let Some(room) = &self.room {
            add_reverb(mix, room, rng);
        }
        if let Some(noise_db) = self.noise_db {
            add_noise(mix, noise_db, rng);
        }
        self.normalise_peak(mix)
    }

    /// The same draw without tilt, room or noise (mixes that are the sum of their stems).
    pub fn dry(self) -> Self {
        Self { tilt_db: 0.0, room: None, noise_db: None, ..self }
    }

    /// Scales `mix` to the drawn peak level; returns the gain.
    pub fn normalise_peak(&self, mix: &mut [f32]) -> f32 {
        let peak = mix.iter().fold(0.0f32, |peak, v| peak.max(v.abs()));
        let gain = if peak > 0.0 { db_to_gain(self.peak_dbfs) / peak } else { 1.0 };
        mix.iter_mut().for_each(|v| *v *= gain);
        gain
    }
}

/// A training stem's random timbre: two first-order tilts at different corners and an optional
/// low-pass, so one SoundFont's spectral envelope stands for many (dull sample sets, bright
/// close mics, band-limited old samples).
#[derive(Serialize)]
pub struct StemTimbre {
    pub low_tilt_db: f32,
    pub low_tilt_hz: f32,
    pub high_tilt_db: f32,
    pub high_tilt_hz: f32,
    pub lowpass_hz: Option<f32>,
}

impl StemTimbre {
    pub fn draw(rng: &mut impl Rng) -> Self {
        Self {
            low_tilt_db: rng.random_range(-9.0..9.0),
            low_tilt_hz: log_uniform(rng, 150.0, 800.0),
            high_tilt_db: rng.random_range(-9.0..9.0),
            high_tilt_hz: log_uniform(rng, 1500.0, 6000.0),
            lowpass_hz: rng.random_bool(0.3).then(|| log_uniform(rng, 2500.0, 9000.0)),
        }
    }

    pub fn apply(&self, stem: &mut [f32]) {
        tilt(stem, self.low_tilt_db, self.low_tilt_hz);
        tilt(stem, self.high_tilt_db, self.high_tilt_hz);
        if let Some(corner) = self.lowpass_hz {
            low_pass(stem, corner);
        }
    }
}

/// A one-pole low-pass with corner `corner_hz`.
pub fn low_pass(signal: &mut [f32], corner_hz: f32) {
    let pole = one_pole(corner_hz);
    let mut state = 0.0;
    for sample in signal {
        state = (1.0 - pole) * *sample + pole * state;
        *sample = state;
    }
}

pub fn db_to_gain(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

pub fn log_uniform(rng: &mut impl Rng, low: f32, high: f32) -> f32 {
    (rng.random_range(low.ln()..high.ln())).exp()
}

/// Coefficient of a one-pole low-pass with corner `hz` at the analysis rate.
fn one_pole(hz: f32) -> f32 {
    (-std::f32::consts::TAU * hz / RATE as f32).exp()
}

/// Splits the signal with a one-pole low-pass and its complement, then weights the bands
/// ±tilt/2 dB: a first-order tilt around `corner_hz`.
fn tilt(signal: &mut [f32], tilt_db: f32, corner_hz: f32) {
    let (low_gain, high_gain) = (db_to_gain(-tilt_db / 2.0), db_to_gain(tilt_db / 2.0));
    let mut low = signal.to_vec();
    low_pass(&mut low, corner_hz);
    for (sample, low) in signal.iter_mut().zip(low) {
        *sample = low_gain * low + high_gain * (*sample - low);
    }
}

fn add_reverb(mix: &mut [f32], room: &Room, rng: &mut impl Rng) {
    let wet = convolve(mix, &room_response(room, rng));
    let gain = db_to_gain(room.wet_db);
    mix.iter_mut().zip(wet).for_each(|(dry, wet)| *dry += gain * wet);
}

/// The room's impulse response, scaled to unit energy.
fn room_response(room: &Room, rng: &mut impl Rng) -> Vec<f32> {
    let pre_delay = (room.pre_delay_s * RATE as f32) as usize;
    let tail = ((room.rt60_s * RATE as f32) as usize).max(1);
    let (pole, mut state) = (one_pole(room.damping_hz), 0.0);
    let mut response = vec![0.0; pre_delay];
    response.extend((0..tail).map(|n| {
        let noise = rng.random_range(-1.0f32..1.0);
        state = (1.0 - pole) * noise + pole * state;
        state * (LN_MINUS_60_DB * n as f32 / tail as f32).exp()
    }));
    let energy = response.iter().map(|v| v * v).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
    response.iter_mut().for_each(|v| *v /= energy);
    response
}

/// The first `signal.len()` samples of `signal` ∗ `response`, by FFT.
fn convolve(signal: &[f32], response: &[f32]) -> Vec<f32> {
    let size = (signal.len() + response.len()).next_power_of_two();
    let mut planner = RealFftPlanner::<f32>::new();
    let (forward, inverse) = (planner.plan_fft_forward(size), planner.plan_fft_inverse(size));
    let spectrum = |input: &[f32]| {
        let mut padded = forward.make_input_vec();
        padded[..input.len()].copy_from_slice(input);
        let mut bins = forward.make_output_vec();
        forward.process(&mut padded, &mut bins).expect("buffers sized by the plan");
        bins
    };
    let mut product: Vec<_> = spectrum(signal).iter().zip(spectrum(response)).map(|(a, b)| a * b).collect();
    let mut output = inverse.make_output_vec();
    inverse.process(&mut product, &mut output).expect("buffers sized by the plan");
    output.truncate(signal.len());
    output.iter_mut().for_each(|v| *v /= size as f32);
    output
}

fn add_noise(mix: &mut [f32], noise_db: f32, rng: &mut impl Rng) {
    let rms = (mix.iter().map(|v| v * v).sum::<f32>() / mix.len().max(1) as f32).sqrt();
    // Uniform noise in ±a has RMS a/√3.
    let amplitude = rms * db_to_gain(noise_db) * 3f32.sqrt();
    mix.iter_mut().for_each(|v| *v += amplitude * rng.random_range(-1.0f32..1.0));
}
