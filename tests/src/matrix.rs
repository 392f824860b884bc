//! The input matrix: host sample rates × block-size schedules × signals through the built plugin
//! over CLAP (the alloc-checked dev bundle, so an allocation in `process()` aborts the run), each
//! signal on the main input and another on the right channel and the sidechain, in 32-bit buffers
//! out of place and again in 64-bit buffers in place; the audio must come back bit for bit.
//! `tests/tests/input_matrix.rs` runs a corner of it in CI, `cargo xtask stress` the whole of it,
//! again and again with new random schedules.

use crate::host::{same_bits, same_sample_bits, ClapLibrary, Placement};
use crate::signals::{constant, hostile_inputs, sine_plus_noise, BlockSizes, Noise};

/// Every host rate the plugin supports, from telephone to 768 kHz.
pub const RATES: [f64; 8] = [8_000.0, 22_050.0, 44_100.0, 48_000.0, 96_000.0, 192_000.0, 384_000.0, 768_000.0];
/// Fixed block sizes, from one sample to the largest block a host sends here.
pub const FIXED_BLOCKS: [usize; 6] = [1, 7, 64, 512, 4096, MAX_BLOCK];
/// The activation's largest block.
pub const MAX_BLOCK: usize = 16_384;
const PLUGIN_ID: &str = "org.instrumeter.instrumeter";

/// The fixed schedules, then a pseudo-random one (1..=16 384 per block) from `seed`.
pub fn block_schedules(seed: u64) -> Vec<(String, BlockSizes)> {
    let fixed = FIXED_BLOCKS.map(|n| (format!("blocks of {n}"), BlockSizes::Fixed(n)));
    fixed.into_iter().chain([(format!("random blocks (seed {seed})"), BlockSizes::pseudo_random(seed, MAX_BLOCK))]).collect()
}

/// Silence, a sine, noise, and the hostile inputs (NaN, ±Inf, denormals, DC, full-scale square).
pub fn matrix_signals(rate: f64, len: usize) -> Vec<(&'static str, Vec<f32>)> {
    let mut noise = Noise::new(11);
    let white = (0..len).map(|_| noise.next_sample()).collect();
    let mut signals = vec![("silence", constant(0.0, len)), ("sine", sine_plus_noise(440.0, 0.5, 0.0, 1, rate, len)), ("noise", white)];
    signals.extend(hostile_inputs(len));
    signals
}

/// What a run covered.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct MatrixRun {
    pub cases: usize,
    pub samples: u64,
}

/// Streams `seconds` of every signal at every rate in `rates` with every schedule that
/// `schedules` makes (called once per rate); the first output that differs from its input is
/// the error, naming its case.
pub fn run_matrix(library: &ClapLibrary, rates: &[f64], schedules: impl Fn() -> Vec<(String, BlockSizes)>, seconds: f64) -> Result<MatrixRun, String> {
    let mut run = MatrixRun::default();
    for &rate in rates {
        let mut plugin = library.instantiate(PLUGIN_ID);
        plugin.activate(rate, 1, MAX_BLOCK as u32);
        let signals = matrix_signals(rate, (rate * seconds) as usize);
        for (schedule, mut sizes) in schedules() {
            for (index, (name, left)) in signals.iter().enumerate() {
                let right = &signals[(index + 1) % signals.len()].1;
                let sidechain = &signals[(index + 2) % signals.len()].1;
                let output = plugin.on_audio_thread(|audio| audio.process_signal([left, right], Some([sidechain, left]), &mut sizes, &[]));
                if !(same_bits(&output[0], left) && same_bits(&output[1], right)) {
                    return Err(format!("{name} at {rate} Hz, {schedule}: the output differs from the input"));
                }
                // Again in 64-bit buffers, written in place.
                let widen = |c: &[f32]| c.iter().map(|&s| f64::from(s)).collect::<Vec<f64>>();
                let (main, side) = ([widen(left), widen(right)], [widen(sidechain), widen(left)]);
                let output = plugin.on_audio_thread(|audio| audio.stream_any((&main, &side), &mut sizes, Placement::InPlace, &[], None));
                if !same_sample_bits(&output, &main) {
                    return Err(format!("{name} at {rate} Hz, {schedule}, 64-bit in place: the output differs from the input"));
                }
                run.cases += 2;
                run.samples += 4 * left.len() as u64;
            }
        }
        plugin.deactivate();
    }
    Ok(run)
}
