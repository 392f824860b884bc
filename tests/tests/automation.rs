//! MIDI outputs through a real CLAP host. A test model with a known response (drums follow the
//! input's loudness, cello/violin/others are constant) is restored from the project state, as a
//! host restores a user's model choice; audio is streamed in real time (like an audio device), a
//! noise step must raise the drums CC and open and close its gate exactly once, on the configured
//! channel and numbers, analysing the main or the sidechain input. The bundle aborts on any
//! allocation in process(), so these runs also prove the outputs allocate nothing.

use std::path::Path;

use clack_extensions::configurable_audio_ports::{AudioPortRequest, AudioPortRequestDetails};
use instrumeter_tests::bundle::built_clap_bundle;
use instrumeter_tests::host::{same_bits, same_sample_bits, ClapLibrary, HostedPlugin, ParamChange, Placement, PluginEvent, TimedEvent};
use instrumeter_tests::signals::Noise;
use instrumeter_tests::step_model::{write_step_model, CELLO, DRUMS, VIOLIN};

const PLUGIN_ID: &str = "org.instrumeter.instrumeter";
const RATE: f64 = 48_000.0;
const BLOCK: usize = 512;
/// MIDI channel as the parameter shows it (1-based), and the channel on the wire (0-based).
const CHANNEL_TEXT: &str = "3";
const WIRE_CHANNEL: u8 = 2;
const CC_STATUS: u8 = 0xB0 | WIRE_CHANNEL;
/// Seconds of silence (the model loads), noise, silence.
const SCHEDULE: [f64; 3] = [1.0, 1.5, 1.5];

/// Silence, then noise at −10 dBFS, then silence; returns the signal and the step's sample.
fn step_signal() -> (Vec<f32>, u64) {
    let [quiet, loud, tail] = SCHEDULE.map(|s| (s * RATE) as usize);
    let mut noise = Noise::new(5);
    let mut signal = vec![0.0f32; quiet];
    signal.extend((0..loud).map(|_| 0.3 * noise.next_sample()));
    signal.extend(std::iter::repeat_n(0.0, tail));
    (signal, quiet as u64)
}

/// A plugin restored with the test model (written to `folder`), gate notes on, MIDI channel 3,
/// analysing `source`.
fn plugin_with_test_model(library: &ClapLibrary, source: &str, folder: &Path) -> (HostedPlugin, Vec<ParamChange>) {
    let mut plugin = library.instantiate(PLUGIN_ID);
    let card = write_step_model(folder);
    plugin.set_persisted_field("model", &serde_json::to_string(&Some(card)).unwrap());
    // Attack 1 ms: the CC then follows the meter's activation, so its onset is the meter's.
    let params = [("Gate notes", "On"), ("MIDI channel", CHANNEL_TEXT), ("Analyse", source), ("Attack", "1")]
        .map(|(name, text)| {
            let id = plugin.param_id(name);
            (id, plugin.param_value_of_text(id, text))
        })
        .to_vec();
    (plugin, params)
}

/// (sample, value) of every CC `controller` on the configured channel.
fn cc_values(events: &[TimedEvent], controller: u8) -> Vec<(u64, u8)> {
    events
        .iter()
        .filter_map(|e| match e.event {
            PluginEvent::Midi([status, cc, value]) if status == CC_STATUS && cc == controller => Some((e.sample, value)),
            _ => None,
        })
        .collect()
}

/// ("on"/"off", sample) of the gate note of instrument `slot` on the configured channel.
fn gate_changes(events: &[TimedEvent], slot: u8) -> Vec<(&'static str, u64)> {
    let (channel, key) = (i16::from(WIRE_CHANNEL), 36 + i16::from(slot));
    events
        .iter()
        .filter_map(|e| match e.event {
            PluginEvent::NoteOn { channel: c, key: k, .. } if (c, k) == (channel, key) => Some(("on", e.sample)),
            PluginEvent::NoteOff { channel: c, key: k } if (c, k) == (channel, key) => Some(("off", e.sample)),
            _ => None,
        })
        .collect()
}

/// How the host hands the plugin its audio in a step run.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Feed {
    /// Stereo `f32` buffers, out of place.
    Stereo32,
    /// Stereo `f64` buffers, in place.
    Stereo64,
    /// Stereo `f32`, with the sidechain port deactivated before activation.
    SidechainDeactivated,
}

/// Runs the step through the analysed input (`source`), returns the events and the step sample.
fn run_step(source: &str, feed: Feed) -> (Vec<TimedEvent>, u64) {
    let library = ClapLibrary::load(&built_clap_bundle());
    let scratch = tempfile::tempdir().unwrap();
    let (mut plugin, params) = plugin_with_test_model(&library, source, scratch.path());
    assert!(plugin.note_port_count(false) >= 1, "the plugin must declare a note/MIDI output port");
    let (step, step_at) = step_signal();
    let silence = vec![0.0f32; step.len()];
    // The analysed input gets the step; the other input stays silent.
    let (main, sidechain) = if source == "Main" { (&step, &silence) } else { (&silence, &step) };
    if feed == Feed::SidechainDeactivated {
        assert!(plugin.set_audio_port_active(true, 1, false), "the plugin refused to deactivate its sidechain");
    }
    plugin.activate(RATE, 1, BLOCK as u32);
    let (passed, events) = plugin.on_audio_thread(|audio| {
        let passed = if feed == Feed::Stereo64 {
            let [main, sidechain] = [main, sidechain].map(|c| vec![c.iter().map(|&s| f64::from(s)).collect::<Vec<f64>>(); 2]);
            let output = audio.stream_any((&main, &sidechain), &mut std::iter::repeat(BLOCK), Placement::InPlace, &params, Some(RATE));
            same_sample_bits(&output, &main)
        } else {
            let [output, _] = audio.play_in_real_time([main, main], Some([sidechain, sidechain]), BLOCK, RATE, &params);
            same_bits(&output, main)
        };
        (passed, audio.take_events())
    });
    plugin.deactivate();
    assert!(passed, "{source}, {feed:?}: the main input must pass through untouched");
    (events, step_at)
}

fn assert_step_response(source: &str, feed: Feed) {
    let (events, step_at) = run_step(source, feed);
    let drums = cc_values(&events, 20 + DRUMS);
    let before: Vec<_> = drums.iter().filter(|(s, _)| *s < step_at).collect();
    assert!(before.iter().all(|(_, v)| *v <= 1), "{source}: drums CC before the step: {before:?}");
    let onset = drums.iter().find(|(s, v)| *s >= step_at && *v >= 64).unwrap_or_else(|| panic!("{source}: drums CC never reached 64: {drums:?}"));
    let latency_s = (onset.0 - step_at) as f64 / RATE;
    println!("{source}: step → drums activation (CC, 1 ms attack) ≥ 0.5 after {:.0} ms", latency_s * 1e3);
    assert!(latency_s < 1.5, "{source}: the drums CC took {latency_s:.2} s to follow the step");
    assert!(drums.iter().any(|(_, v)| *v == 127), "{source}: drums CC never reached full scale");
    // ≈ 1.1 s of the 300 ms default release after the analysis notices the silence: e^−3.7 ≈ 3 %.
    assert!(drums.last().is_some_and(|(_, v)| *v <= 5), "{source}: drums CC did not fall back: {:?}", drums.last());

    // Constant classes settle at round(127 · sigmoid(bias)).
    for (slot, expected) in [(CELLO, 112), (VIOLIN, 76), (2, 2)] {
        let last = cc_values(&events, 20 + slot).last().map(|(_, v)| *v);
        assert_eq!(last, Some(expected), "{source}: CC {} of slot {slot}", 20 + slot);
    }

    let drum_gate = gate_changes(&events, DRUMS);
    assert_eq!(drum_gate.iter().map(|(kind, _)| *kind).collect::<Vec<_>>(), ["on", "off"], "{source}: drum gate {drum_gate:?}");
    let step_end = step_at + (SCHEDULE[1] * RATE) as u64;
    assert!(drum_gate[0].1 > step_at && drum_gate[1].1 > step_end, "{source}: drum gate at the wrong time: {drum_gate:?}");
    assert_eq!(gate_changes(&events, CELLO).iter().map(|(k, _)| *k).collect::<Vec<_>>(), ["on"], "cello (0.88) is on throughout");
    assert!(gate_changes(&events, 2).is_empty(), "flute (0.02) never opens");
}

#[test]
fn a_noise_step_on_the_main_input_drives_the_drums_cc_and_gate() {
    assert_step_response("Main", Feed::Stereo32);
}

#[test]
fn a_step_in_64_bit_buffers_drives_the_outputs_the_same_way() {
    assert_step_response("Main", Feed::Stereo64);
}

#[test]
fn a_deactivated_sidechain_is_silence_to_the_analysis() {
    let (events, _) = run_step("Sidechain", Feed::SidechainDeactivated);
    let drums = cc_values(&events, 20 + DRUMS);
    assert!(drums.iter().all(|(_, v)| *v <= 1), "the drums CC followed a step on a deactivated sidechain: {drums:?}");
    assert!(gate_changes(&events, DRUMS).is_empty(), "the drum gate opened");
}

#[test]
fn the_sidechain_drives_the_outputs_when_selected_while_main_passes_through() {
    assert_step_response("Sidechain", Feed::Stereo32);
}

/// The aligned mode's delay for the test model at the test rate, in samples.
fn expected_aligned_latency(folder: &Path) -> u32 {
    let card = instrumeter::models::ModelCard::load(&folder.join("step.card.json")).unwrap();
    instrumeter::engine::aligned_latency_samples(instrumeter::engine::model_latency_s(&card), RATE)
}

/// The "Aligned output" parameter's id and its "On" value.
fn aligned_on(plugin: &mut HostedPlugin) -> (instrumeter_tests::host::ClapId, f64) {
    let id = plugin.param_id("Aligned output");
    (id, plugin.param_value_of_text(id, "On"))
}

#[test]
fn aligned_output_delays_the_audio_and_lines_the_cc_up_with_it() {
    let library = ClapLibrary::load(&built_clap_bundle());
    let scratch = tempfile::tempdir().unwrap();
    let (mut plugin, params) = plugin_with_test_model(&library, "Main", scratch.path());
    let aligned = aligned_on(&mut plugin);
    plugin.flush_params(&[aligned]);
    let (step, step_at) = step_signal();
    plugin.activate(RATE, 1, BLOCK as u32);
    let delay = plugin.latency() as usize;
    assert_eq!(delay as u32, expected_aligned_latency(scratch.path()), "the reported latency is the model's plus the margin");
    let (output, events) = plugin.on_audio_thread(|audio| {
        let [output, _] = audio.play_in_real_time([&step, &step], None, BLOCK, RATE, &params);
        (output, audio.take_events())
    });
    plugin.deactivate();
    assert!(output[..delay].iter().all(|&v| v == 0.0), "silence while the delay fills");
    assert!(same_bits(&output[delay..], &step[..step.len() - delay]), "the output is the input, delayed, bit for bit");
    let drums = cc_values(&events, 20 + DRUMS);
    let rise = drums.iter().find(|(_, v)| *v >= 64).unwrap_or_else(|| panic!("drums CC never reached 64: {drums:?}"));
    let hop = 512.0 * RATE / 22_050.0;
    let error = rise.0 as f64 - (step_at as usize + delay) as f64;
    println!("aligned: drums CC rises {error:+.0} samples from the step in the delayed output (one hop = {hop:.0})");
    assert!(error.abs() <= hop, "the CC rose {error:+.0} samples from the delayed step, more than one hop ({hop:.0})");
}

#[test]
fn aligned_output_delays_every_channel_of_a_six_channel_layout() {
    let library = ClapLibrary::load(&built_clap_bundle());
    let scratch = tempfile::tempdir().unwrap();
    let (mut plugin, _) = plugin_with_test_model(&library, "Main", scratch.path());
    let six = AudioPortRequestDetails::untyped(6);
    let requests = [AudioPortRequest::new(true, 0, six), AudioPortRequest::new(false, 0, six)];
    assert_eq!(plugin.request_audio_ports(&requests), (true, true));
    let aligned = aligned_on(&mut plugin);
    plugin.flush_params(&[aligned]);
    plugin.activate(RATE, 1, BLOCK as u32);
    let delay = plugin.latency() as usize;
    assert!(delay > 0, "the aligned mode reports its delay");
    let mut noise = Noise::new(21);
    let input: Vec<Vec<f32>> = (0..6).map(|_| (0..2 * delay).map(|_| noise.next_sample()).collect()).collect();
    let sidechain = vec![vec![0.0f32; 2 * delay]; 2];
    let output = plugin.on_audio_thread(|audio| audio.stream_any((&input, &sidechain), &mut std::iter::repeat(BLOCK), Placement::OutOfPlace, &[], None));
    plugin.deactivate();
    for (channel, (out, inp)) in output.iter().zip(&input).enumerate() {
        assert!(out[..delay].iter().all(|&v| v == 0.0), "channel {channel}: silence while the delay fills");
        assert!(same_bits(&out[delay..], &inp[..delay]), "channel {channel}: the output is the input delayed by {delay} samples");
    }
}

#[test]
fn switching_aligned_output_on_restarts_the_plugin_with_the_new_latency() {
    let library = ClapLibrary::load(&built_clap_bundle());
    let scratch = tempfile::tempdir().unwrap();
    let (mut plugin, _) = plugin_with_test_model(&library, "Main", scratch.path());
    plugin.activate(RATE, 1, BLOCK as u32);
    assert_eq!(plugin.latency(), 0, "off by default: no latency");
    let aligned = aligned_on(&mut plugin);
    let silence = vec![0.0f32; BLOCK];
    plugin.on_audio_thread(|audio| audio.process_block([&silence, &silence], None, &[aligned]));
    plugin.run_main_thread_callbacks();
    assert!(plugin.host(|host| host.restart_requested()), "a latency change while active asks the host for a restart");
    plugin.deactivate();
    plugin.activate(RATE, 1, BLOCK as u32);
    plugin.run_main_thread_callbacks();
    assert_eq!(plugin.latency(), expected_aligned_latency(scratch.path()), "the new latency, from the restart on");
    // nice-plug tells the host within the next activation (CLAP allows it only there).
    plugin.deactivate();
    plugin.activate(RATE, 1, BLOCK as u32);
    assert!(plugin.take_latency_changed(), "the host is told the latency changed, inside activate");
    plugin.deactivate();
}
