//! Automation on hand-set control values: CC scaling, smoothing times, gates with hysteresis.

use super::*;
use crate::models::INSTRUMENTS;

const RATE: f32 = 48_000.0;
const BLOCK: usize = 512;
const VIOLIN: usize = 9;

fn settings() -> AutomationSettings {
    AutomationSettings {
        cc_enabled: true,
        gate_enabled: true,
        channel: 2,
        attack_s: 0.01,
        release_s: 0.1,
        hysteresis: 0.1,
        instruments: std::array::from_fn(|slot| InstrumentRoute { enabled: true, cc: 20 + slot as u8, note: 36 + slot as u8 }),
    }
}

/// Controls of a model with the 13 instruments; `violin` is class 9's activation and basis.
fn controls_with_violin(violin: f32) -> ControlValues {
    let controls = ControlValues::default();
    controls.set_slots(&(0..INSTRUMENTS.len()).map(Some).collect::<Vec<_>>());
    for class in 0..INSTRUMENTS.len() {
        let value = if class == VIOLIN { violin } else { 0.0 };
        controls.store(class, value, value, 0.5);
    }
    controls
}

fn run(automation: &mut Automation, controls: &ControlValues, settings: &AutomationSettings, blocks: usize) -> Vec<AutomationEvent> {
    let mut events = Vec::new();
    for _ in 0..blocks {
        automation.process(controls, settings, BLOCK, &mut |e| events.push(e));
    }
    events
}

fn last_cc(events: &[AutomationEvent], wanted: u8) -> Option<u8> {
    events.iter().rev().find_map(|e| match *e {
        AutomationEvent::ControlChange { cc, value, .. } if cc == wanted => Some(value),
        _ => None,
    })
}

#[test]
fn a_steady_activation_arrives_as_its_scaled_cc_and_is_not_repeated() {
    let mut automation = Automation::new(RATE);
    let controls = controls_with_violin(0.8);
    let events = run(&mut automation, &controls, &settings(), 20);
    assert_eq!(last_cc(&events, 20 + VIOLIN as u8), Some(102), "0.8 × 127 rounds to 102");
    let again = run(&mut automation, &controls, &settings(), 5);
    assert!(again.iter().all(|e| !matches!(e, AutomationEvent::ControlChange { .. })), "{again:?}");
    let on_channel_2 = events.iter().all(|e| matches!(e, AutomationEvent::ControlChange { channel: 2, .. } | AutomationEvent::NoteOn { channel: 2, .. }));
    assert!(on_channel_2);
    let timings_in_block = events.iter().all(|e| matches!(e, AutomationEvent::ControlChange { timing, .. } if (*timing as usize) < BLOCK) || !matches!(e, AutomationEvent::ControlChange { .. }));
    assert!(timings_in_block);
}

#[test]
fn attack_and_release_follow_their_time_constants() {
    let mut automation = Automation::new(RATE);
    let settings = settings();
    let up = controls_with_violin(1.0);
    // One attack time constant (10 ms = 480 samples): 1 − e^−1 of the way.
    automation.process(&up, &settings, 480, &mut |_| {});
    assert!((automation.smoothed(VIOLIN) - (1.0 - (-1.0f32).exp())).abs() < 1e-3, "{}", automation.smoothed(VIOLIN));
    run(&mut automation, &up, &settings, 20);
    let down = controls_with_violin(0.0);
    // One release time constant (100 ms = 4 800 samples): e^−1 left.
    automation.process(&down, &settings, 4_800, &mut |_| {});
    assert!((automation.smoothed(VIOLIN) - (-1.0f32).exp()).abs() < 2e-3, "{}", automation.smoothed(VIOLIN));
}

#[test]
fn gates_open_at_the_threshold_and_close_only_below_the_hysteresis() {
    let mut automation = Automation::new(RATE);
    let settings = settings();
    let note = 36 + VIOLIN as u8;
    let notes = |events: Vec<AutomationEvent>| -> Vec<AutomationEvent> {
        events.into_iter().filter(|e| !matches!(e, AutomationEvent::ControlChange { .. })).collect()
    };
    assert_eq!(notes(run(&mut automation, &controls_with_violin(0.49), &settings, 2)), vec![]);
    assert_eq!(
        notes(run(&mut automation, &controls_with_violin(0.6), &settings, 2)),
        vec![AutomationEvent::NoteOn { timing: 0, channel: 2, note, velocity: 76 }]
    );
    for hovering in [0.45, 0.55, 0.41, 0.5] {
        assert_eq!(notes(run(&mut automation, &controls_with_violin(hovering), &settings, 1)), vec![], "at {hovering}");
    }
    assert_eq!(notes(run(&mut automation, &controls_with_violin(0.39), &settings, 1)), vec![AutomationEvent::NoteOff { timing: 0, channel: 2, note }]);
}

#[test]
fn switching_outputs_off_or_changing_the_note_never_leaves_a_note_hanging() {
    let mut automation = Automation::new(RATE);
    let mut settings = settings();
    let loud = controls_with_violin(0.9);
    run(&mut automation, &loud, &settings, 1);
    settings.instruments[VIOLIN].note = 70;
    let moved = run(&mut automation, &loud, &settings, 1);
    assert!(moved.contains(&AutomationEvent::NoteOff { timing: 0, channel: 2, note: 45 }));
    assert!(moved.contains(&AutomationEvent::NoteOn { timing: 0, channel: 2, note: 70, velocity: 114 }));
    settings.instruments[VIOLIN].enabled = false;
    let disabled = run(&mut automation, &loud, &settings, 3);
    assert_eq!(disabled, vec![AutomationEvent::NoteOff { timing: 0, channel: 2, note: 70 }], "disabled: off, then silence");
    settings.instruments[VIOLIN].enabled = true;
    run(&mut automation, &loud, &settings, 1);
    let mut closed = Vec::new();
    automation.close_all(&mut |e| closed.push(e));
    assert_eq!(closed, vec![AutomationEvent::NoteOff { timing: 0, channel: 2, note: 70 }]);
}

#[test]
fn huge_blocks_send_a_bounded_number_of_events() {
    let mut automation = Automation::new(RATE);
    let mut events = Vec::new();
    automation.process(&controls_with_violin(1.0), &settings(), 1 << 20, &mut |e| events.push(e));
    assert!(events.len() <= MAX_STEPS_PER_BLOCK * INSTRUMENT_SLOTS + 2 * INSTRUMENT_SLOTS, "{} events", events.len());
    assert_eq!(last_cc(&events, 20 + VIOLIN as u8), Some(127));
}

#[test]
fn instruments_the_model_lacks_stay_silent_and_closed() {
    let controls = ControlValues::default();
    controls.set_slots(&[Some(VIOLIN)]);
    controls.store(0, 0.9, 0.9, 0.5);
    let mut automation = Automation::new(RATE);
    let events = run(&mut automation, &controls, &settings(), 4);
    let cc_of_others = events.iter().filter_map(|e| match *e {
        AutomationEvent::ControlChange { cc, value, .. } if cc != 20 + VIOLIN as u8 => Some(value),
        _ => None,
    });
    assert!(cc_of_others.into_iter().all(|v| v == 0), "absent instruments read as 0");
    let opened: Vec<_> = events.iter().filter(|e| matches!(e, AutomationEvent::NoteOn { .. })).collect();
    assert_eq!(opened.len(), 1, "only the violin gate opens: {opened:?}");
}

#[test]
fn a_taught_class_sends_on_its_taught_slot() {
    use crate::engine::label_slots;
    use crate::models::{instrument_labels, Label};
    let mut labels = instrument_labels(INSTRUMENTS.len());
    labels.push(Label { code: "harp".into(), name: "Harp".into() });
    let controls = ControlValues::default();
    controls.set_slots(&label_slots(&labels));
    let harp = INSTRUMENTS.len();
    (0..labels.len()).for_each(|class| controls.store(class, 0.0, 0.0, 0.5));
    controls.store(harp, 0.8, 0.8, 0.5);
    let events = run(&mut Automation::new(RATE), &controls, &settings(), 20);
    assert_eq!(last_cc(&events, 20 + harp as u8), Some(102), "the first taught slot's CC carries the harp: {events:?}");
    assert!(events.iter().any(|e| matches!(e, AutomationEvent::NoteOn { note, .. } if *note == 36 + harp as u8)), "and its gate note");
}
