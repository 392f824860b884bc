//! The whole product through a real CLAP host: the bundle `cargo xtask bundle` would make, loaded
//! with clack-host, activated, fed audio on an audio thread, its parameter and state exercised.
//!
//! The bundle is a dev build WITH `assert_process_allocs`: if the plugin allocates inside
//! `process()`, nice-plug aborts this whole test process (no panic message per test, just an
//! abort with the allocation's backtrace). An abort here therefore means "the plugin allocated on
//! the audio thread", not "the test host is broken".

use instrumeter_tests::bundle::{built_clap_bundle, file_contains};
use instrumeter_tests::host::{edit_state, same_bits, ClapId, ClapLibrary, HostedPlugin};
use instrumeter_tests::signals::{hostile_inputs, main_program, sidechain_program, BlockSizes, Stereo};

const PLUGIN_ID: &str = "org.instrumeter.instrumeter";
const SOURCE_PARAM_NAME: &str = "Analyse";
/// The largest block a host may send; the schedules below go up to it.
const MAX_BLOCK: u32 = 4096;
/// Seconds of test audio per pass-through run.
const SECONDS: f64 = 3.0;

fn load_library() -> ClapLibrary {
    ClapLibrary::load(&built_clap_bundle())
}

/// The "Analyse" parameter: its id and the plain values of its two choices.
struct SourceParam {
    id: ClapId,
    main: f64,
    sidechain: f64,
}

impl SourceParam {
    fn of(plugin: &mut HostedPlugin) -> Self {
        let id = plugin.param_id(SOURCE_PARAM_NAME);
        let main = plugin.param_value_of_text(id, "Main");
        let sidechain = plugin.param_value_of_text(id, "Sidechain");
        assert_ne!(main, sidechain, "Main and Sidechain must be different values");
        Self { id, main, sidechain }
    }

    fn choices(&self) -> [(&'static str, f64); 2] {
        [("Main", self.main), ("Sidechain", self.sidechain)]
    }
}

/// Fixed sizes from 1 to the maximum, then a new pseudo-random size on every call.
fn block_schedules(seed: u64) -> Vec<(String, BlockSizes)> {
    let fixed = [1, 2, 3, 64, 511, 512, 4096].map(|n| (format!("blocks of {n}"), BlockSizes::Fixed(n)));
    let random = ("pseudo-random blocks of 1..=4096".to_string(), BlockSizes::pseudo_random(seed, MAX_BLOCK as usize));
    fixed.into_iter().chain([random]).collect()
}

fn channels(signal: &Stereo) -> [&[f32]; 2] {
    [&signal[0], &signal[1]]
}

/// Panics at the first sample whose bits differ, naming the channel, index and both values.
fn assert_bit_exact(context: &str, expected: &Stereo, actual: &Stereo) {
    for channel in 0..2 {
        let (want, got) = (&expected[channel], &actual[channel]);
        assert_eq!(got.len(), want.len(), "{context}: channel {channel} has the wrong length");
        if same_bits(want, got) {
            continue;
        }
        let differing = want.iter().zip(got).filter(|(w, g)| w.to_bits() != g.to_bits()).count();
        let first = want.iter().zip(got).position(|(w, g)| w.to_bits() != g.to_bits()).unwrap_or(0);
        let (w, g) = (want[first], got[first]);
        panic!(
            "{context}: channel {channel}: {differing} of {} samples differ; first at {first}: in {w:e} ({:#010x}), out {g:e} ({:#010x})",
            want.len(),
            w.to_bits(),
            g.to_bits()
        );
    }
}

#[test]
fn bundle_is_built_with_allocation_checks() {
    let bundle = built_clap_bundle();
    assert!(bundle.ends_with("host-test/bundled/Instrumeter.clap"), "unexpected bundle path {}", bundle.display());
    // Only the `assert_process_allocs` feature links nice-plug's allocation checker.
    assert!(
        file_contains(&bundle, b"nice_assert_no_alloc"),
        "{} was built without assert_process_allocs",
        bundle.display()
    );
}

#[test]
fn bundle_loads_with_the_right_descriptor_and_ports() {
    let library = load_library();
    let plugins = library.plugins();
    assert_eq!(plugins.len(), 1, "the bundle should hold exactly one plugin: {plugins:?}");
    let summary = library.plugin(PLUGIN_ID).unwrap_or_else(|| panic!("{PLUGIN_ID} not in {plugins:?}"));
    assert_eq!(summary.name, "Instrumeter");
    assert!(summary.features.iter().any(|f| f == "audio-effect"), "features: {:?}", summary.features);

    let mut plugin = library.instantiate(PLUGIN_ID);
    let inputs = plugin.audio_ports(true);
    assert_eq!(inputs.len(), 2, "main + sidechain inputs expected: {inputs:?}");
    assert!(inputs[0].is_main && inputs[0].channels == 2, "main input: {:?}", inputs[0]);
    assert!(!inputs[1].is_main && inputs[1].channels == 2, "sidechain input: {:?}", inputs[1]);
    assert_eq!(inputs[1].name, "Sidechain");
    let outputs = plugin.audio_ports(false);
    assert_eq!(outputs.len(), 1, "one main output expected: {outputs:?}");
    assert!(outputs[0].is_main && outputs[0].channels == 2, "main output: {:?}", outputs[0]);

    let source = SourceParam::of(&mut plugin);
    let names: Vec<String> = plugin.params().into_iter().map(|p| p.name).collect();
    for wanted in ["Aligned output", "CC output", "Gate notes", "MIDI channel", "Attack", "Release", "Gate hysteresis", "Cello CC", "Drums note", "Voice on", "Taught 1 CC", "Taught 3 note"] {
        assert!(names.iter().any(|n| n == wanted), "parameter {wanted:?} missing from {names:?}");
    }
    assert_eq!(names.len(), 2 + 6 + (13 + 3) * 3, "source, aligned output, 6 automation settings, 3 per instrument and per taught slot: {names:?}");
    assert_eq!(plugin.param_value(source.id), source.main, "the source defaults to Main");
    let aligned = plugin.param_id("Aligned output");
    assert_eq!(plugin.param_value(aligned), plugin.param_value_of_text(aligned, "Off"), "aligned output defaults to off");
}

/// Streams music-like audio (and a different sidechain) at `rate` through every block schedule,
/// analysing Main and then Sidechain; the main output must equal the main input bit for bit.
fn assert_passthrough_at(rate: f64) {
    let library = load_library();
    let mut plugin = library.instantiate(PLUGIN_ID);
    let source = SourceParam::of(&mut plugin);
    let (main, sidechain) = (main_program(rate, SECONDS), sidechain_program(rate, SECONDS));
    plugin.activate(rate, 1, MAX_BLOCK);
    for (source_name, value) in source.choices() {
        for (schedule_name, mut sizes) in block_schedules(rate as u64) {
            let context = format!("{rate} Hz, source {source_name}, {schedule_name}");
            let expected_blocks = match sizes {
                BlockSizes::Fixed(size) => main[0].len().div_ceil(size) as u64,
                BlockSizes::PseudoRandom { .. } => 0,
            };
            let (output, blocks) = plugin.on_audio_thread(|audio| {
                let before = audio.blocks_processed();
                let output = audio.process_signal(
                    channels(&main),
                    Some(channels(&sidechain)),
                    &mut sizes,
                    &[(source.id, value)],
                );
                (output, audio.blocks_processed() - before)
            });
            assert_bit_exact(&context, &main, &output);
            assert!(
                expected_blocks == 0 || blocks == expected_blocks,
                "{context}: {blocks} process() calls, expected {expected_blocks}"
            );
        }
        assert_eq!(plugin.param_value(source.id), value, "the source should read back {source_name} at {rate} Hz");
    }
    plugin.deactivate();
}

#[test]
fn passes_audio_through_bit_exact_at_44100_hz() {
    assert_passthrough_at(44_100.0);
}

#[test]
fn passes_audio_through_bit_exact_at_48000_hz() {
    assert_passthrough_at(48_000.0);
}

#[test]
fn passes_audio_through_bit_exact_at_96000_hz() {
    assert_passthrough_at(96_000.0);
}

#[test]
fn state_round_trips_the_source_choice() {
    let library = load_library();
    let mut original = library.instantiate(PLUGIN_ID);
    let source = SourceParam::of(&mut original);
    original.flush_params(&[(source.id, source.sidechain)]);
    assert_eq!(original.param_value(source.id), source.sidechain, "flush() should set the source");
    let state = original.save_state();
    assert!(!state.is_empty(), "the saved state is empty");
    drop(original);

    let mut fresh = library.instantiate(PLUGIN_ID);
    assert_eq!(fresh.param_value(source.id), source.main, "a fresh instance starts on Main");
    fresh.load_state(&state).expect("the plugin rejected its own state");
    assert_eq!(fresh.param_value(source.id), source.sidechain, "the loaded state should select Sidechain");
}

#[test]
fn state_saved_while_processing_loads_into_an_active_instance() {
    let library = load_library();
    let signal = main_program(48_000.0, 0.1);
    let mut playing = library.instantiate(PLUGIN_ID);
    let source = SourceParam::of(&mut playing);
    playing.activate(48_000.0, 1, 512);
    playing.on_audio_thread(|audio| {
        audio.process_signal(channels(&signal), None, &mut BlockSizes::Fixed(512), &[(source.id, source.sidechain)])
    });
    let state = playing.save_state();

    let mut other = library.instantiate(PLUGIN_ID);
    other.activate(48_000.0, 1, 512);
    other.load_state(&state).expect("an active instance rejected a state saved while processing");
    assert_eq!(other.param_value(source.id), source.sidechain);
    let output =
        other.on_audio_thread(|audio| audio.process_signal(channels(&signal), None, &mut BlockSizes::Fixed(100), &[]));
    assert_bit_exact("after loading state while active", &signal, &output);
}

/// Byte strings no state loader should accept, some built from the real state `valid`.
fn garbage_states(valid: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut wrong_length = valid.to_vec();
    wrong_length[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    let mut noise = instrumeter_tests::signals::Noise::new(99);
    let random: Vec<u8> = (0..1000).map(|_| noise.next_u64() as u8).collect();
    let mut not_json = 9u64.to_le_bytes().to_vec();
    not_json.extend_from_slice(b"{{{{{{{{{");
    vec![
        ("empty", Vec::new()),
        ("three bytes", vec![1, 2, 3]),
        ("text", b"this is not a plugin state".to_vec()),
        ("random bytes", random),
        ("huge length prefix", wrong_length),
        ("length prefix + broken JSON", not_json),
        ("truncated real state", valid[..valid.len() / 2].to_vec()),
    ]
}

#[test]
fn garbage_state_is_rejected_without_crashing() {
    let library = load_library();
    let mut plugin = library.instantiate(PLUGIN_ID);
    let source = SourceParam::of(&mut plugin);
    plugin.flush_params(&[(source.id, source.sidechain)]);
    let valid = plugin.save_state();
    for (name, bytes) in garbage_states(&valid) {
        assert!(plugin.load_state(&bytes).is_err(), "the plugin accepted a garbage state ({name})");
        assert_eq!(plugin.param_value(source.id), source.sidechain, "a rejected state ({name}) changed the source");
    }
    let signal = main_program(44_100.0, 0.2);
    plugin.activate(44_100.0, 1, 1024);
    let output = plugin.on_audio_thread(|audio| {
        audio.process_signal(channels(&signal), None, &mut BlockSizes::pseudo_random(7, 1024), &[])
    });
    assert_bit_exact("after rejecting garbage states", &signal, &output);
}

#[test]
fn hostile_audio_passes_through_bit_exact() {
    let rate = 48_000.0;
    let cases = hostile_inputs(rate as usize / 4);
    let library = load_library();
    let mut plugin = library.instantiate(PLUGIN_ID);
    let source = SourceParam::of(&mut plugin);
    plugin.activate(rate, 1, MAX_BLOCK);
    for (index, (name, left)) in cases.iter().enumerate() {
        // Right and sidechain carry other hostile cases, so every channel is hostile at once.
        let main = [left.clone(), cases[(index + 1) % cases.len()].1.clone()];
        let sidechain = [cases[(index + 2) % cases.len()].1.clone(), left.clone()];
        for (source_name, value) in source.choices() {
            let mut sizes = BlockSizes::pseudo_random(index as u64 + 1, MAX_BLOCK as usize);
            let output = plugin.on_audio_thread(|audio| {
                audio.process_signal(channels(&main), Some(channels(&sidechain)), &mut sizes, &[(source.id, value)])
            });
            assert_bit_exact(&format!("hostile input {name:?}, source {source_name}"), &main, &output);
        }
    }
    // After all that, ordinary audio must still come through untouched.
    let signal = main_program(rate, 0.5);
    let output =
        plugin.on_audio_thread(|audio| audio.process_signal(channels(&signal), None, &mut BlockSizes::Fixed(256), &[]));
    assert_bit_exact("ordinary audio after hostile input", &signal, &output);
}

#[test]
fn reactivation_at_other_rates_keeps_passing_through() {
    let library = load_library();
    let mut plugin = library.instantiate(PLUGIN_ID);
    let source = SourceParam::of(&mut plugin);
    let runs = [
        (48_000.0, 1, 512, BlockSizes::pseudo_random(1, 512)),
        (96_000.0, 1, 4096, BlockSizes::Fixed(4096)),
        (44_100.0, 64, 64, BlockSizes::Fixed(64)),
    ];
    for (run, (rate, min, max, mut sizes)) in runs.into_iter().enumerate() {
        plugin.activate(rate, min, max);
        // Whole blocks only: the last block must not be shorter than `min`.
        let whole_blocks = |s: Stereo| {
            s.map(|mut c| {
                c.truncate(c.len() / min as usize * min as usize);
                c
            })
        };
        let signal = whole_blocks(main_program(rate, 0.5));
        let sidechain = whole_blocks(sidechain_program(rate, 0.5));
        let params = if run == 0 { vec![(source.id, source.sidechain)] } else { Vec::new() };
        let output = plugin.on_audio_thread(|audio| {
            audio.process_signal(channels(&signal), Some(channels(&sidechain)), &mut sizes, &params)
        });
        assert_bit_exact(&format!("activation {run} at {rate} Hz"), &signal, &output);
        assert_eq!(plugin.param_value(source.id), source.sidechain, "the source should survive reactivation");
        plugin.deactivate();
        assert!(!plugin.is_active());
    }
}

#[test]
fn a_saved_state_reloads_bit_identical_and_one_from_before_newer_fields_loads() {
    let library = load_library();
    let mut original = library.instantiate(PLUGIN_ID);
    let source = SourceParam::of(&mut original);
    original.flush_params(&[(source.id, source.sidechain)]);
    let view = r#"{"width":1111,"height":777,"history_s":30.0,"peak_hold_s":2.5,"peak_decay_per_s":0.75,"zoom":1.25,"tab":"overview"}"#;
    original.set_persisted_field("view", view);
    original.set_persisted_field("model", r#""/models/mine.card.json""#);
    original.set_persisted_field("thresholds", "[0.4,null,0.7]");
    let state = original.save_state();

    // Params, model choice, thresholds and editor settings come back byte for byte.
    let mut restored = library.instantiate(PLUGIN_ID);
    restored.load_state(&state).expect("the plugin rejected its own state");
    assert_eq!(restored.save_state(), state, "save → load → save changed the state");

    // A project saved before the editor remembered its tab (and its zoom) still loads, with defaults.
    let older = state_without_view_keys(&state, &["tab", "zoom"]);
    let mut upgraded = library.instantiate(PLUGIN_ID);
    upgraded.load_state(&older).expect("a state without the newer view fields was rejected");
    let document: serde_json::Value = serde_json::from_slice(&upgraded.save_state()[8..]).unwrap();
    let view: serde_json::Value = serde_json::from_str(document["fields"]["view"].as_str().unwrap()).unwrap();
    assert_eq!((view["width"].as_u64(), view["tab"].as_str(), view["zoom"].as_f64()), (Some(1111), Some("meters"), Some(1.0)), "{view}");
    assert_eq!(upgraded.param_value(source.id), source.sidechain);
}

/// `state` with `keys` removed from its persisted view settings, as an older release saved it.
fn state_without_view_keys(state: &[u8], keys: &[&str]) -> Vec<u8> {
    edit_state(state, |document| {
        let mut view: serde_json::Value = serde_json::from_str(document["fields"]["view"].as_str().unwrap()).unwrap();
        keys.iter().for_each(|key| drop(view.as_object_mut().unwrap().remove(*key)));
        document["fields"]["view"] = serde_json::Value::String(view.to_string());
    })
}
