//! One optimisation step and the optimizer it uses: shared by training and its benchmark.

use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::prelude::*;

use super::model::Network;
use super::run::TrainingConfig;

pub fn optimizer_for(config: &TrainingConfig) -> ModuleOptimizer {
    let decay = (config.weight_decay > 0.0).then(|| WeightDecayConfig::new(config.weight_decay as f32));
    AdamConfig::new().with_weight_decay(decay).init()
}

/// Forward, the network's training loss, backward and one Adam update; returns the updated
/// network and the batch loss.
pub fn optimisation_step(network: Network, optimizer: &mut ModuleOptimizer, learning_rate: f64, inputs: Tensor<4>, targets: Tensor<2>) -> (Network, f32) {
    let loss = network.training_loss(inputs, targets);
    let value = loss.clone().into_scalar::<f32>();
    let gradients = GradientsParams::from_grads(loss.backward(), &network);
    (optimizer.step(learning_rate, network, gradients), value)
}
