//! Where a run stands: epochs done, learning rate (÷ factor on a validation plateau), the best
//! epoch so far, and when to stop early.

use serde::{Deserialize, Serialize};

use super::metrics::EpochMetrics;
use super::run::{TrainingConfig, BEST_WEIGHTS, LATEST_WEIGHTS};

/// `progress.json`, rewritten after every epoch.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Progress {
    pub epochs_done: usize,
    pub learning_rate: f64,
    /// The epoch with the lowest validation loss (its weights are `best.bpk`).
    pub best: Option<EpochMetrics>,
    /// The latest epoch (its weights are `model.bpk`).
    pub last: Option<EpochMetrics>,
    pub epochs_since_best: usize,
}

impl Progress {
    pub fn new(learning_rate: f64) -> Self {
        Self { epochs_done: 0, learning_rate, best: None, last: None, epochs_since_best: 0 }
    }

    /// Records a finished epoch and returns whether it is the best so far. Every `lr_patience`
    /// epochs without improvement divide the learning rate by `lr_factor` (down to the minimum).
    pub fn record(&mut self, metrics: EpochMetrics, config: &TrainingConfig) -> bool {
        self.epochs_done = metrics.epoch;
        self.last = Some(metrics.clone());
        let improved = self.best.as_ref().is_none_or(|best| metrics.valid_loss < best.valid_loss);
        if improved {
            self.best = Some(metrics);
            self.epochs_since_best = 0;
        } else {
            self.epochs_since_best += 1;
            if self.epochs_since_best.is_multiple_of(config.lr_patience.max(1)) {
                self.learning_rate = (self.learning_rate / config.lr_factor).max(config.min_learning_rate);
            }
        }
        improved
    }

    /// The epoch whose weights the run-folder file `weights_file` holds, when it is one of the run's.
    pub fn epoch_of(&self, weights_file: &str) -> Option<&EpochMetrics> {
        match weights_file {
            BEST_WEIGHTS => self.best.as_ref(),
            LATEST_WEIGHTS => self.last.as_ref(),
            _ => None,
        }
    }

    /// Continues at `learning_rate` with fresh patience (the best epoch so far stays the one to beat).
    pub fn restart(&mut self, learning_rate: f64) {
        self.learning_rate = learning_rate;
        self.epochs_since_best = 0;
    }

    /// Drops the best epoch (measured on another validation split): the next epoch becomes it.
    pub fn forget_best(&mut self) {
        self.best = None;
        self.epochs_since_best = 0;
    }

    /// All epochs done, or no improvement for `stop_patience` epochs.
    pub fn finished(&self, config: &TrainingConfig) -> bool {
        self.epochs_done >= config.epochs || self.epochs_since_best >= config.stop_patience
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epoch(epoch: usize, valid_loss: f32) -> EpochMetrics {
        EpochMetrics {
            epoch,
            learning_rate: 0.0,
            train_loss: 0.0,
            valid_loss,
            valid_micro_f1: 0.0,
            valid_macro_f1: 0.0,
            valid_per_label_f1: Default::default(),
            train_examples_per_s: 0.0,
        }
    }

    #[test]
    fn plateaus_divide_the_learning_rate_and_end_the_run() {
        let config = TrainingConfig::new().with_lr_patience(2).with_stop_patience(4).with_learning_rate(1e-3);
        let mut progress = Progress::new(config.learning_rate);
        assert!(progress.record(epoch(1, 1.0), &config));
        assert!(!progress.record(epoch(2, 1.0), &config));
        assert!(!progress.record(epoch(3, 1.1), &config));
        assert!((progress.learning_rate - 2e-4).abs() < 1e-12, "divided by 5 after 2 flat epochs");
        assert!(!progress.finished(&config));
        assert!(progress.record(epoch(4, 0.5), &config), "a lower loss is the new best");
        for e in 5..9 {
            progress.record(epoch(e, 0.6), &config);
        }
        assert!(progress.finished(&config), "4 epochs without improvement stop the run");
        assert_eq!(progress.epoch_of(BEST_WEIGHTS).map(|b| b.epoch), Some(4));
        assert_eq!(progress.epoch_of(LATEST_WEIGHTS).map(|b| b.epoch), Some(8));
        progress.restart(5e-4);
        assert!(!progress.finished(&config), "a restart brings fresh patience");
        assert_eq!(progress.learning_rate, 5e-4);
        progress.forget_best();
        assert!(progress.record(epoch(9, 0.9), &config), "after forgetting, a worse loss than epoch 4's is the best");
        assert_eq!(progress.epoch_of(BEST_WEIGHTS).map(|b| b.epoch), Some(9));
    }
}
