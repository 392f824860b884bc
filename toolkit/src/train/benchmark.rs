//! `cargo xtask train --benchmark-steps N`: optimisation steps per second on random input, as
//! examples/s (batch building excluded), so backends and widths can be compared without data.

use std::time::Instant;

use anyhow::Result;
use burn::prelude::*;
use burn::tensor::Distribution;
use instrumeter::frontend::FrontendConfig;
use instrumeter::models::INSTRUMENTS;

use super::model::ModelConfig;
use super::run::TrainingConfig;
use super::stats::BandStats;
use super::step::{optimisation_step, optimizer_for};
use super::TrainOptions;

/// Untimed steps first (allocator and thread pool warm-up).
const WARM_UP_STEPS: usize = 2;

pub fn run(options: &TrainOptions, steps: usize) -> Result<()> {
    let device = options.device.device().autodiff();
    device.seed(options.seed);
    let (arch, n_mels, classes) = (options.arch, FrontendConfig::for_kind(options.arch.features()).n_mels, INSTRUMENTS.len());
    let batch = options.batch.unwrap_or(32);
    let config = TrainingConfig::for_arch(arch);
    let mut network = ModelConfig::new(arch, options.width, n_mels, classes).init(&BandStats::identity(n_mels), &device);
    let mut optimizer = optimizer_for(&config);
    let inputs = Tensor::<4>::random([batch, 1, n_mels, arch.window_frames()], Distribution::Normal(0.0, 1.0), &device);
    let targets = Tensor::<2>::random([batch, classes * arch.steps_per_window()], Distribution::Uniform(0.0, 1.0), &device);
    let parameters = network.num_params();
    let mut started = Instant::now();
    for step in 0..WARM_UP_STEPS + steps {
        if step == WARM_UP_STEPS {
            started = Instant::now();
        }
        network = optimisation_step(network, &mut optimizer, config.learning_rate, inputs.clone(), targets.clone()).0;
    }
    let examples_per_s = (steps * batch) as f64 / started.elapsed().as_secs_f64();
    println!(
        "{} width {} ({parameters} parameters), batch {batch}, {}: {examples_per_s:.1} examples/s over {steps} steps",
        arch.name(),
        options.width,
        options.device.backend_name()
    );
    Ok(())
}
