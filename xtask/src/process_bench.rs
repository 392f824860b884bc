//! process() cost per 512-sample block at 48 kHz, measured through a real CLAP host (clack-host)
//! on the release bundle, as a share of the block's real-time period.

use std::time::Instant;

use anyhow::Result;

const RATE: f64 = 48_000.0;
const BLOCK: usize = 512;
const BLOCKS: usize = 4_000;
const TARGET_SHARE: f64 = 0.01;

/// Bundles the release plugin, streams `BLOCKS` blocks through it and prints the cost per block.
pub fn report() -> Result<()> {
    crate::release_bundle::build()?;
    let library = crate::release_bundle::open()?;
    let mut plugin = library.instantiate("org.instrumeter.instrumeter");
    plugin.activate(RATE, 1, BLOCK as u32);
    let left: Vec<f32> = (0..BLOCK).map(|i| (i as f32 * 0.05).sin() * 0.5).collect();
    let right: Vec<f32> = (0..BLOCK).map(|i| (i as f32 * 0.031).sin() * 0.5).collect();
    let per_block_s = plugin.on_audio_thread(|audio| {
        let started = Instant::now();
        for _ in 0..BLOCKS {
            audio.process_block([&left, &right], None, &[]);
        }
        started.elapsed().as_secs_f64() / BLOCKS as f64
    });
    plugin.deactivate();
    let share = per_block_s * RATE / BLOCK as f64;
    println!(
        "process(), 512-sample stereo block at 48 kHz via clack-host: {:.2} µs = {:.3} % of the block period (target ≤ {:.0} %; includes the test host's own copies and checks) {}",
        per_block_s * 1e6,
        share * 100.0,
        TARGET_SHARE * 100.0,
        crate::bench_goal::at_most(share, TARGET_SHARE)
    );
    Ok(())
}
