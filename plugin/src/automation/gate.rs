//! One instrument's gate: opens when its decision basis reaches the threshold, closes only once it
//! falls below threshold − hysteresis, so a value hovering at the threshold does not chatter.

use super::smoother::velocity;
use super::AutomationEvent;

/// The note a gate holds open, if any.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Gate {
    /// (channel, note) of the sounding note.
    open: Option<(u8, u8)>,
}

impl Gate {
    /// Opens or closes for the newest `basis`; `wanted` false (output off, instrument disabled or
    /// absent) closes it. A change of note or channel closes the old note and opens the new one.
    pub(super) fn update(
        &mut self,
        wanted: bool,
        basis: f32,
        threshold: f32,
        hysteresis: f32,
        target: (u8, u8),
        emit: &mut impl FnMut(AutomationEvent),
    ) {
        let level = if self.open.is_some() { threshold - hysteresis.max(0.0) } else { threshold };
        let on = wanted && basis >= level;
        if self.open.is_some_and(|open| !on || open != target) {
            self.close(0, emit);
        }
        if on && self.open.is_none() {
            let (channel, note) = target;
            emit(AutomationEvent::NoteOn { timing: 0, channel, note, velocity: velocity(basis) });
            self.open = Some(target);
        }
    }

    /// Closes the gate (note off at `timing`) if it is open.
    pub(super) fn close(&mut self, timing: u32, emit: &mut impl FnMut(AutomationEvent)) {
        if let Some((channel, note)) = self.open.take() {
            emit(AutomationEvent::NoteOff { timing, channel, note });
        }
    }
}
