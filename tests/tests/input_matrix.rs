//! A corner of the input matrix in CI (the whole matrix: `cargo xtask stress --minutes N`): the
//! lowest, a common and the highest host rate, one-sample, odd, the largest and random blocks,
//! every signal (silence, sine, noise, NaN, ±Inf, denormals, DC, full-scale square), through the
//! alloc-checked bundle. Audio must pass bit for bit and nothing may allocate in `process()`.

use instrumeter_tests::bundle::built_clap_bundle;
use instrumeter_tests::host::ClapLibrary;
use instrumeter_tests::matrix::{run_matrix, MAX_BLOCK};
use instrumeter_tests::signals::BlockSizes;

#[test]
fn extreme_rates_blocks_and_signals_pass_through_bit_exact() {
    let library = ClapLibrary::load(&built_clap_bundle());
    let schedules = || {
        vec![
            ("blocks of 1".to_string(), BlockSizes::Fixed(1)),
            ("blocks of 7".to_string(), BlockSizes::Fixed(7)),
            (format!("blocks of {MAX_BLOCK}"), BlockSizes::Fixed(MAX_BLOCK)),
            ("random blocks".to_string(), BlockSizes::pseudo_random(5, MAX_BLOCK)),
        ]
    };
    let run = run_matrix(&library, &[8_000.0, 48_000.0, 768_000.0], schedules, 0.05).unwrap_or_else(|failure| panic!("{failure}"));
    assert_eq!(run.cases, 3 * 4 * 13 * 2, "every rate × schedule × signal ran, in 32 and in 64 bits");
}
