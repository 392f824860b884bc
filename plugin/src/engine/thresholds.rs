//! Per-instrument decision thresholds set by the user, overriding the model card's.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use atomic_float::AtomicF32;

use crate::models::{Label, INSTRUMENTS};

/// Output slots for classes the user taught (`teach`), after the product's instruments.
pub const TAUGHT_SLOTS: usize = 3;
/// Output slots: one per entry of [`INSTRUMENTS`], then the taught ones.
pub const INSTRUMENT_SLOTS: usize = INSTRUMENTS.len() + TAUGHT_SLOTS;

/// The instrument slot of a card label code, if it is one of the product's instruments.
pub fn instrument_slot(code: &str) -> Option<usize> {
    INSTRUMENTS.iter().position(|(known, _)| *known == code)
}

/// The output slot (on/off, CC, gate note, threshold override) of each of a card's labels: a
/// product instrument's own slot; the other labels (taught classes) take the taught slots in the
/// order the card lists them, and any beyond [`TAUGHT_SLOTS`] get meters but no outputs.
pub fn label_slots(labels: &[Label]) -> Vec<Option<usize>> {
    let mut taught = INSTRUMENTS.len()..INSTRUMENT_SLOTS;
    labels.iter().map(|label| instrument_slot(&label.code).or_else(|| taught.next())).collect()
}

/// User thresholds per instrument slot, shared (cheap clones) between editor, worker and state.
/// A slot without an override (NaN inside) uses the active card's threshold.
#[derive(Debug, Clone)]
pub struct ThresholdOverrides {
    values: Arc<[AtomicF32; INSTRUMENT_SLOTS]>,
}

impl Default for ThresholdOverrides {
    fn default() -> Self {
        Self { values: Arc::new(std::array::from_fn(|_| AtomicF32::new(f32::NAN))) }
    }
}

impl ThresholdOverrides {
    /// The override of `slot`, if any.
    pub fn get(&self, slot: usize) -> Option<f32> {
        self.values.get(slot).map(|v| v.load(Ordering::Relaxed)).filter(|v| v.is_finite())
    }

    /// Sets (`Some`, clamped to 0–1) or clears (`None`) the override of `slot`.
    pub fn set(&self, slot: usize, threshold: Option<f32>) {
        if let Some(value) = self.values.get(slot) {
            value.store(threshold.map_or(f32::NAN, |t| t.clamp(0.0, 1.0)), Ordering::Relaxed);
        }
    }

    /// Every slot's override, in slot order (for saving).
    pub fn to_vec(&self) -> Vec<Option<f32>> {
        (0..INSTRUMENT_SLOTS).map(|slot| self.get(slot)).collect()
    }

    /// Replaces all overrides (missing trailing slots are cleared).
    pub fn set_all(&self, overrides: &[Option<f32>]) {
        for slot in 0..INSTRUMENT_SLOTS {
            self.set(slot, overrides.get(slot).copied().flatten());
        }
    }

    /// The thresholds in effect per class: the override of the class's slot if set, else the
    /// card's threshold (`card` in label order).
    pub fn effective(&self, card: &[f32], slots: &[Option<usize>], out: &mut [f32]) {
        for ((threshold, &from_card), slot) in out.iter_mut().zip(card).zip(slots) {
            *threshold = slot.and_then(|s| self.get(s)).unwrap_or(from_card);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelKind;
    use crate::testkit::test_card;

    #[test]
    fn overrides_replace_card_thresholds_only_where_set() {
        let mut card = test_card(ModelKind::FrameActivation, 3, 16, 8);
        card.thresholds.insert("cla".into(), 0.3);
        let overrides = ThresholdOverrides::default();
        overrides.set(instrument_slot("flu").unwrap(), Some(1.7));
        let slots: Vec<_> = card.labels.iter().map(|l| instrument_slot(&l.code)).collect();
        let mut out = [0.0; 3];
        overrides.effective(&card.threshold_vector(), &slots, &mut out);
        assert_eq!(out, [0.5, 0.3, 1.0], "cello from the card, clarinet from the card, flute overridden (clamped)");
        overrides.set_all(&[None, Some(0.2)]);
        assert_eq!(overrides.to_vec()[..3], [None, Some(0.2), None]);
    }

    #[test]
    fn taught_classes_take_the_taught_slots_in_card_order() {
        let label = |code: &str| Label { code: code.into(), name: code.into() };
        let labels: Vec<Label> = ["dru", "harp", "cel", "bell", "kalimba", "gong"].map(label).into();
        let first_taught = INSTRUMENTS.len();
        assert_eq!(
            label_slots(&labels),
            [instrument_slot("dru"), Some(first_taught), instrument_slot("cel"), Some(first_taught + 1), Some(first_taught + 2), None]
        );
    }
}
