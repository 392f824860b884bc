//! What the editor remembers between frames: peak-hold lines and the activation history.

use std::collections::VecDeque;

use crate::engine::{AnalysisSnapshot, MAX_CLASSES};
use crate::models::{ModelCard, ModelKind};
use crate::params::ViewSettings;

/// Rows of history kept: 60 s of the frame model's rows (43 per second) with room to spare.
pub const HISTORY_ROWS: usize = 3_000;

/// One meter's peak line: rises with the value, holds, then falls.
#[derive(Debug, Default, Clone, Copy)]
pub struct Peak {
    pub value: f32,
    held_s: f32,
}

impl Peak {
    /// Follows `value` after `dt` seconds with the hold time and decay of `view`.
    pub fn update(&mut self, value: f32, dt: f32, view: &ViewSettings) {
        if value >= self.value {
            *self = Self { value, held_s: 0.0 };
            return;
        }
        self.held_s += dt;
        if self.held_s > view.peak_hold_s {
            self.value = (self.value - view.peak_decay_per_s * dt).max(value);
        }
    }
}

/// The editor's memory of the analysis: newest row seen, peaks, history rows (oldest first).
#[derive(Debug)]
pub struct AnalysisView {
    last_row: Option<u64>,
    model: Option<String>,
    pub peaks: [Peak; MAX_CLASSES],
    pub history: VecDeque<[f32; MAX_CLASSES]>,
}

impl Default for AnalysisView {
    fn default() -> Self {
        Self { last_row: None, model: None, peaks: [Peak::default(); MAX_CLASSES], history: VecDeque::with_capacity(HISTORY_ROWS) }
    }
}

impl AnalysisView {
    /// Takes in the newest snapshot `dt` seconds after the previous call. Rows the editor missed
    /// (it draws slower than the model outputs) are filled with the newest one; a new model
    /// starts a new history.
    pub fn update(&mut self, snapshot: &AnalysisSnapshot, dt: f32, view: &ViewSettings) {
        let model = snapshot.card.as_ref().map(|card| card.name.as_str());
        if model != self.model.as_deref() {
            self.model = model.map(str::to_owned);
            self.history.clear();
            self.last_row = None;
        }
        let classes = snapshot.classes;
        for (peak, &value) in self.peaks.iter_mut().zip(&snapshot.activations[..classes]) {
            peak.update(value, dt, view);
        }
        if classes == 0 {
            return;
        }
        let new_rows = match self.last_row {
            Some(last) if snapshot.row <= last => 0,
            Some(last) => (snapshot.row - last).min(HISTORY_ROWS as u64) as usize,
            None => 1,
        };
        self.last_row = Some(snapshot.row);
        for _ in 0..new_rows {
            if self.history.len() == HISTORY_ROWS {
                self.history.pop_front();
            }
            self.history.push_back(snapshot.activations);
        }
    }
}

/// History rows per second of audio for `card`'s model.
pub fn rows_per_second(card: &ModelCard) -> f32 {
    let frames_per_s = card.frontend.sample_rate as f32 / card.frontend.hop as f32;
    match card.kind {
        ModelKind::FrameActivation => frames_per_s,
        ModelKind::WindowClip => frames_per_s / card.input.hop_frames.max(1) as f32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::LivePublisher;
    use crate::testkit::test_card;
    use std::sync::Arc;

    fn snapshot(row: u64, value: f32) -> AnalysisSnapshot {
        let (_, mut output, _) = LivePublisher::new(4);
        let mut snapshot = output.read().clone();
        snapshot.card = Some(Arc::new(test_card(ModelKind::FrameActivation, 2, 16, 8)));
        (snapshot.classes, snapshot.row) = (2, row);
        snapshot.activations[..2].copy_from_slice(&[value, 1.0 - value]);
        snapshot
    }

    #[test]
    fn missed_rows_are_filled_and_repeated_rows_are_not_added() {
        let mut view = AnalysisView::default();
        let settings = ViewSettings::default();
        view.update(&snapshot(10, 0.2), 0.0, &settings);
        view.update(&snapshot(10, 0.2), 0.016, &settings);
        view.update(&snapshot(13, 0.9), 0.016, &settings);
        let firsts: Vec<f32> = view.history.iter().map(|row| row[0]).collect();
        assert_eq!(firsts, [0.2, 0.9, 0.9, 0.9]);
    }

    #[test]
    fn peaks_hold_then_decay_but_never_below_the_value() {
        let settings = ViewSettings { peak_hold_s: 1.0, peak_decay_per_s: 0.5, ..ViewSettings::default() };
        let mut peak = Peak::default();
        peak.update(0.8, 0.1, &settings);
        peak.update(0.1, 0.9, &settings);
        assert_eq!(peak.value, 0.8, "still held");
        peak.update(0.1, 0.2, &settings);
        assert!((peak.value - 0.7).abs() < 1e-6, "decayed 0.2 s × 0.5: {}", peak.value);
        peak.update(0.1, 10.0, &settings);
        assert_eq!(peak.value, 0.1);
    }

    #[test]
    fn the_frame_model_has_43_rows_per_second() {
        let card = test_card(ModelKind::FrameActivation, 2, 16, 8);
        assert!((rows_per_second(&card) - 22_050.0 / 512.0).abs() < 1e-3);
    }
}
