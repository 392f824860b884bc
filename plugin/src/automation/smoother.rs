//! One instrument's control value: one-pole smoothing with separate attack and release, sent as a
//! 7-bit CC only when the scaled value (or its destination) changes.

use super::{AutomationEvent, AutomationSettings};

/// Full scale of a 7-bit MIDI value.
const MIDI_MAX: f32 = 127.0;

/// Smoothed value plus what was last sent, so unchanged values are not repeated.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Smoother {
    value: f32,
    /// (channel, controller, value) of the last CC sent.
    sent: Option<(u8, u8, u8)>,
}

impl Smoother {
    /// Moves towards `target` for `seconds` with the attack or release time constant.
    pub(super) fn advance(&mut self, target: f32, seconds: f32, settings: &AutomationSettings) {
        let time_constant = if target > self.value { settings.attack_s } else { settings.release_s };
        let keep = if time_constant > 0.0 { (-seconds / time_constant).exp() } else { 0.0 };
        self.value = target + (self.value - target) * keep;
    }

    /// The smoothed value.
    pub(super) fn value(&self) -> f32 {
        self.value
    }

    /// Emits the value as CC `cc` on `channel` at `timing` unless exactly that was sent last.
    pub(super) fn send_cc(&mut self, timing: u32, channel: u8, cc: u8, emit: &mut impl FnMut(AutomationEvent)) {
        let value = (self.value.clamp(0.0, 1.0) * MIDI_MAX).round() as u8;
        if self.sent != Some((channel, cc, value)) {
            emit(AutomationEvent::ControlChange { timing, channel, cc, value });
            self.sent = Some((channel, cc, value));
        }
    }

    /// Output was switched off: the next send repeats the value even if unchanged.
    pub(super) fn forget_sent(&mut self) {
        self.sent = None;
    }
}

/// A 7-bit MIDI velocity (1–127) for an activation in 0–1.
pub(super) fn velocity(activation: f32) -> u8 {
    (activation.clamp(0.0, 1.0) * MIDI_MAX).round().max(1.0) as u8
}
