//! Activations → smoothed control values → MIDI CC and gate-note events, on the audio thread.
//! Host-independent (the plugin converts [`AutomationEvent`]s to its host's events); allocation-free.

mod aligned;
mod gate;
mod smoother;

pub use aligned::{AlignedControls, DelayLine};

use crate::engine::{ControlValues, INSTRUMENT_SLOTS};
use gate::Gate;
use smoother::Smoother;

/// Samples between two control updates inside a block (events carry their offset in the block).
const CONTROL_STEP: usize = 32;
/// At most this many control updates per block, so huge blocks cannot flood the host's queue.
const MAX_STEPS_PER_BLOCK: usize = 32;

/// Where one instrument's values go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstrumentRoute {
    /// Whether this instrument sends anything.
    pub enabled: bool,
    /// Controller number of its CC (0–119).
    pub cc: u8,
    /// Note number of its gate (0–127).
    pub note: u8,
}

/// The settings of one block (read from the plugin's parameters).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AutomationSettings {
    /// Send the smoothed activation of each instrument as a MIDI CC.
    pub cc_enabled: bool,
    /// Send note on/off when an instrument's decision changes.
    pub gate_enabled: bool,
    /// MIDI channel, 0–15.
    pub channel: u8,
    /// Time constant of rising values, seconds.
    pub attack_s: f32,
    /// Time constant of falling values, seconds.
    pub release_s: f32,
    /// A gate opens at the threshold and closes this far below it.
    pub hysteresis: f32,
    /// Per instrument slot ([`crate::models::INSTRUMENTS`] order).
    pub instruments: [InstrumentRoute; INSTRUMENT_SLOTS],
}

/// An event for the host, `timing` samples into the current block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutomationEvent {
    /// MIDI control change, `value` 0–127.
    ControlChange { timing: u32, channel: u8, cc: u8, value: u8 },
    /// A gate opened; `velocity` 1–127 follows the activation.
    NoteOn { timing: u32, channel: u8, note: u8, velocity: u8 },
    /// A gate closed.
    NoteOff { timing: u32, channel: u8, note: u8 },
}

impl AutomationEvent {
    /// The same event `offset` samples later in the block.
    pub fn delayed(self, offset: u32) -> Self {
        match self {
            Self::ControlChange { timing, channel, cc, value } => Self::ControlChange { timing: timing + offset, channel, cc, value },
            Self::NoteOn { timing, channel, note, velocity } => Self::NoteOn { timing: timing + offset, channel, note, velocity },
            Self::NoteOff { timing, channel, note } => Self::NoteOff { timing: timing + offset, channel, note },
        }
    }
}

/// What the analysis says about one instrument right now.
#[derive(Debug, Clone, Copy, Default)]
struct Reading {
    present: bool,
    activation: f32,
    decision_basis: f32,
    threshold: f32,
}

/// The audio thread's automation state: one smoother and one gate per instrument slot.
#[derive(Debug)]
pub struct Automation {
    sample_rate: f32,
    smoothers: [Smoother; INSTRUMENT_SLOTS],
    gates: [Gate; INSTRUMENT_SLOTS],
}

impl Automation {
    /// Automation for audio at `sample_rate`; all values start at zero, all gates closed.
    pub fn new(sample_rate: f32) -> Self {
        Self { sample_rate, smoothers: Default::default(), gates: Default::default() }
    }

    /// Closes every open gate (e.g. before deactivation) so no note hangs.
    pub fn close_all(&mut self, emit: &mut impl FnMut(AutomationEvent)) {
        for gate in &mut self.gates {
            gate.close(0, emit);
        }
    }

    /// Advances by `block_len` samples, emitting the events of this block in time order.
    pub fn process(
        &mut self,
        controls: &ControlValues,
        settings: &AutomationSettings,
        block_len: usize,
        emit: &mut impl FnMut(AutomationEvent),
    ) {
        let readings = read_controls(controls);
        for (slot, reading) in readings.iter().enumerate() {
            let route = settings.instruments[slot];
            let wanted = settings.gate_enabled && route.enabled && reading.present;
            let target = (settings.channel, route.note);
            self.gates[slot].update(wanted, reading.decision_basis, reading.threshold, settings.hysteresis, target, emit);
        }
        let step = CONTROL_STEP.max(block_len.div_ceil(MAX_STEPS_PER_BLOCK));
        for start in (0..block_len).step_by(step) {
            let samples = step.min(block_len - start);
            for (slot, reading) in readings.iter().enumerate() {
                let smoother = &mut self.smoothers[slot];
                smoother.advance(reading.activation, samples as f32 / self.sample_rate, settings);
                let route = settings.instruments[slot];
                if settings.cc_enabled && route.enabled {
                    smoother.send_cc(start as u32, settings.channel, route.cc, emit);
                } else {
                    smoother.forget_sent();
                }
            }
        }
    }

    /// The smoothed value of instrument `slot` (0–1), as the last CC carried it before scaling.
    pub fn smoothed(&self, slot: usize) -> f32 {
        self.smoothers.get(slot).map_or(0.0, Smoother::value)
    }
}

/// The newest values of the instruments the active model has; absent ones read as silent.
fn read_controls(controls: &ControlValues) -> [Reading; INSTRUMENT_SLOTS] {
    let mut readings = [Reading::default(); INSTRUMENT_SLOTS];
    for class in 0..controls.classes() {
        if let Some(reading) = controls.slot(class).and_then(|slot| readings.get_mut(slot)) {
            *reading = Reading {
                present: true,
                activation: controls.get(class).clamp(0.0, 1.0),
                decision_basis: controls.decision_basis(class),
                threshold: controls.threshold(class),
            };
        }
    }
    readings
}

#[cfg(test)]
mod tests;
