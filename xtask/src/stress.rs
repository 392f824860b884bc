//! `cargo xtask stress --minutes N`: the whole input matrix (8 host rates × 7 block schedules ×
//! 13 signals, in 32-bit buffers out of place and 64-bit in place) through the alloc-checked dev
//! bundle, round after round with a new random block schedule each round, until the time is up;
//! the first output that is not its input, bit for bit, stops it (an allocation in `process()`
//! aborts it).

use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use instrumeter_tests::bundle::built_clap_bundle;
use instrumeter_tests::host::ClapLibrary;
use instrumeter_tests::matrix::{block_schedules, run_matrix, RATES};

pub fn run(minutes: f64, seconds: f64) -> Result<()> {
    let library = ClapLibrary::open(&built_clap_bundle()).map_err(|e| anyhow!(e))?;
    let end = Instant::now() + Duration::from_secs_f64(minutes * 60.0);
    let (mut rounds, mut cases, mut samples) = (0u64, 0usize, 0u64);
    loop {
        rounds += 1;
        let run = run_matrix(&library, &RATES, || block_schedules(rounds), seconds).map_err(|failure| anyhow!("round {rounds}: {failure}"))?;
        (cases, samples) = (cases + run.cases, samples + run.samples);
        println!("round {rounds}: {} cases bit-exact ({} samples)", run.cases, run.samples);
        if Instant::now() >= end {
            break;
        }
    }
    println!("stress: {rounds} rounds, {cases} cases, {samples} samples, every output bit-exact, no allocation in process()");
    Ok(())
}
