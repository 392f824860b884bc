//! LSTN: the TNN's energy terms on tiny hand-computed cases, and a few training steps that lower
//! the data's free energy and the loss.

use burn::module::Param;
use burn::prelude::*;
use burn::tensor::activation::sigmoid;

use super::tnn::{Tnn, TnnBranch};
use super::{to_vec, Architecture, LstnConfig, ModelConfig, Network};
use crate::train::device::DeviceChoice;
use crate::train::stats::BandStats;
use crate::train::step::{optimisation_step, optimizer_for};
use crate::train::run::TrainingConfig;

fn device() -> Device {
    DeviceChoice::Cpu.device()
}

fn tensor<const D: usize>(values: Vec<f32>, shape: [usize; D]) -> Tensor<D> {
    Tensor::from_data(TensorData::new(values, shape), &device())
}

/// A one-channel TNN over `bands × frames` whose weights are all zero (β = 1).
fn silent_tnn(bands: usize, frames: usize) -> Tnn {
    let mut tnn = Tnn::new(1, bands, frames, &device());
    for branch in [&mut tnn.time, &mut tnn.frequency] {
        zero(branch);
    }
    tnn
}

fn zero(branch: &mut TnnBranch) {
    branch.local = Param::from_tensor(branch.local.val().zeros_like());
    branch.long = Param::from_tensor(branch.long.val().zeros_like());
    branch.log_beta = Param::from_tensor(branch.log_beta.val().zeros_like());
}

fn assert_close(actual: &[f32], expected: &[f32], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}");
    for (a, e) in actual.iter().zip(expected) {
        assert!((a - e).abs() < 1e-5, "{what}: {actual:?}, expected {expected:?}");
    }
}

#[test]
fn local_term_alone_gives_the_input_and_the_free_energy_of_a_sigmoid_layer() {
    // Local kernels that pass the centre value: a = x in both branches, so on x = 0
    // F = (½·0 − 2·Σ ln 2) / (F·T) = −2 ln 2.
    let mut tnn = silent_tnn(2, 2);
    let centre = tensor(vec![0., 0., 0., 0., 1., 0., 0., 0., 0.], [1, 1, 3, 3]);
    tnn.time.local = Param::from_tensor(centre.clone());
    tnn.frequency.local = Param::from_tensor(centre);
    let x = tensor(vec![0.0; 4], [1, 1, 2, 2]);
    let features = tnn.forward(x.clone());
    assert_close(&to_vec(features.hidden).unwrap(), &[0.5; 8], "h = σ(0)");
    let energy = to_vec(Tnn::free_energy(x, features.pre_activations)).unwrap();
    assert_close(&energy, &[-2.0 * std::f32::consts::LN_2], "free energy");

    // x = [[1, 2], [3, 4]]: F = (½·30 − 2·Σ softplus(x)) / 4.
    let values = [1.0f32, 2.0, 3.0, 4.0];
    let x = tensor(values.to_vec(), [1, 1, 2, 2]);
    let features = tnn.forward(x.clone());
    let softplus_sum: f32 = values.iter().map(|v| (1.0 + v.exp()).ln()).sum();
    let energy = to_vec(Tnn::free_energy(x, features.pre_activations)).unwrap();
    assert_close(&energy, &[(15.0 - 2.0 * softplus_sum) / 4.0], "free energy");
}

#[test]
fn long_term_kernel_spreads_the_squared_window_response_back_over_the_window() {
    // Time branch only: W_1 all ones (3 bands × 2 frames), w_c = 0, β = 1, x all ones on 2 bands.
    // u[f] = Σ over the 3 bands around f and both frames = 4 (the band above and below the
    // input are zero padding); a_1[f, t] = Σ over the 3 bands around f of ½u² = 8 + 8 = 16.
    let mut tnn = silent_tnn(2, 2);
    tnn.time.long = Param::from_tensor(tensor(vec![1.0; 6], [1, 1, 3, 2]));
    let x = tensor(vec![1.0; 4], [1, 1, 2, 2]);
    let features = tnn.forward(x);
    assert_close(&to_vec(features.pre_activations[0].clone()).unwrap(), &[16.0; 4], "a_1");
    // c_t = (u + w_c) · (h_1 ⊗ W_1) / β with h_1 = σ(16) everywhere: (h ⊗ W)[f] = 4 σ(16).
    let h = 1.0 / (1.0 + (-16.0f32).exp());
    let c_t = 4.0 * 4.0 * h;
    // factors: [mean c_t, max c_t, mean c_f, max c_f]; the frequency branch is silent (c_f = 0).
    assert_close(&to_vec(features.factors).unwrap(), &[c_t, c_t, 0.0, 0.0], "factor summaries");

    // The frequency factor w_c adds w_c·u inside the spread: w_c = 1 makes it ½·16 + 4 = 12 per band.
    tnn.time.factor = Param::from_tensor(tensor(vec![1.0], [1]));
    let features = tnn.forward(tensor(vec![1.0; 4], [1, 1, 2, 2]));
    assert_close(&to_vec(features.pre_activations[0].clone()).unwrap(), &[24.0; 4], "a_1 with w_c = 1");
}

#[test]
fn frequency_kernel_spans_every_band() {
    // W_2 all ones over 2 bands × 3 frames: u[t] = Σ over both bands and the 3 frames around t.
    // x = [[1, 0], [0, 0]] → u = [1, 1]; a_2[f, t] = Σ over the 3 frames around t of ½u² = 1.
    let mut tnn = silent_tnn(2, 2);
    tnn.frequency.long = Param::from_tensor(tensor(vec![1.0; 6], [1, 1, 2, 3]));
    let features = tnn.forward(tensor(vec![1.0, 0.0, 0.0, 0.0], [1, 1, 2, 2]));
    assert_close(&to_vec(features.pre_activations[1].clone()).unwrap(), &[1.0; 4], "a_2");
}

#[test]
fn a_few_training_steps_lower_the_contrastive_energy_and_the_loss() {
    let training_device = device().autodiff();
    training_device.seed(5);
    let config = ModelConfig::Lstn(LstnConfig::new().with_width(0.125).with_block_dropout(0.0).with_feature_dropout(0.0));
    let arch = Architecture::Lstn;
    let (bands, frames, classes) = (config.n_mels(), arch.window_frames(), config.classes());
    let mut network = config.init(&BandStats::identity(bands), &training_device);
    // Class 0 lights the low bands, class 1 the high ones; 8 windows of each.
    let (mut inputs, mut targets) = (Vec::new(), Vec::new());
    for example in 0..16 {
        let class = example % 2;
        for band in 0..bands {
            let lit = (band < bands / 2) == (class == 0);
            inputs.extend((0..frames).map(|t| if lit { 1.0 + 0.1 * ((t + example) % 3) as f32 } else { -1.0 }));
        }
        targets.extend((0..classes).map(|c| f32::from(c == class)));
    }
    let inputs = Tensor::<4>::from_data(TensorData::new(inputs, [16, 1, bands, frames]), &training_device);
    let targets = Tensor::<2>::from_data(TensorData::new(targets, [16, classes]), &training_device);
    let Network::Lstn(lstn) = &network else { unreachable!() };
    // The TNN's objective: the data's free energy below that of its Gibbs step (same draws each time).
    let data_energy = |lstn: &super::Lstn| {
        let x = lstn.standardise.forward(inputs.clone().inner());
        let tnn = lstn.tnn.valid();
        let pre = tnn.forward(x.clone()).pre_activations;
        device().seed(9);
        tnn.contrastive_divergence(x, pre).into_scalar::<f32>()
    };
    let energy_before = data_energy(lstn);
    let mut optimizer = optimizer_for(&TrainingConfig::for_arch(arch));
    let mut losses = Vec::new();
    for _ in 0..40 {
        let (next, loss) = optimisation_step(network, &mut optimizer, 3e-3, inputs.clone(), targets.clone());
        network = next;
        losses.push(loss);
    }
    let Network::Lstn(lstn) = &network else { unreachable!() };
    let energy_after = data_energy(lstn);
    assert!(energy_after < energy_before, "the contrastive-divergence energy falls: {energy_before} → {energy_after}");
    assert!(losses[39] < losses[0] * 0.5, "the loss falls: {losses:?}");
    let scores = to_vec(sigmoid(network.valid().logits(inputs.inner()))).unwrap();
    let correct = scores.chunks(classes).enumerate().filter(|(example, row)| (row[0] > row[1]) == (example % 2 == 0)).count();
    assert_eq!(correct, 16, "both classes told apart");
}
