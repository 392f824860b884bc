//! The session overview through a real CLAP host: two instances of the bundle in one process
//! (one library, so one registry), one on a track the host names through the track-info
//! extension, one named by the instance name saved in its state, fed different audio. The
//! overview, read from the library's exported entry point (what every instance's Overview tab
//! shows), must list both with their own names and instruments, and forget an instance once the
//! host destroys it.

use std::time::{Duration, Instant};

use instrumeter_tests::bundle::built_clap_bundle;
use instrumeter_tests::host::{ClapLibrary, HostedPlugin};
use instrumeter_tests::session::SessionProbe;
use instrumeter_tests::signals::Noise;
use instrumeter_tests::step_model::write_step_model;
use serde_json::Value;

const PLUGIN_ID: &str = "org.instrumeter.instrumeter";
const RATE: f64 = 48_000.0;
const BLOCK: usize = 512;
/// Seconds of audio per turn: the instances take turns, each turn paced in real time.
const TURN_S: f64 = 0.25;
/// Longest wait for both analyses to show their instruments.
const PATIENCE: Duration = Duration::from_secs(30);
/// The step model's instruments: cello and violin always on, drums with loud input only.
const ALWAYS_ON: [&str; 2] = ["cel", "vio"];

/// The names listed, in slot order.
fn names(probe: &SessionProbe) -> Vec<String> {
    probe.instances().iter().map(|row| row["name"].as_str().expect("a name").to_owned()).collect()
}

/// The row named `name`.
fn row<'a>(instances: &'a [Value], name: &str) -> &'a Value {
    instances.iter().find(|row| row["name"] == name).unwrap_or_else(|| panic!("no row named {name:?} in {instances:?}"))
}

/// The codes of a row's instruments, all or only those playing.
fn codes(row: &Value, only_playing: bool) -> Vec<String> {
    let instruments = row["instruments"].as_array().expect("an instruments array");
    let shown = instruments.iter().filter(|chip| !only_playing || chip["playing"] == true);
    shown.map(|chip| chip["code"].as_str().expect("a code").to_owned()).collect()
}

/// Both analyses run and the loud one hears drums.
fn settled(instances: &[Value]) -> bool {
    let running = |name| instances.iter().any(|row| row["name"] == name && codes(row, true).iter().any(|c| c == "cel"));
    running("Drums bus") && running("Vocals") && codes(row(instances, "Drums bus"), true).iter().any(|c| c == "dru")
}

/// Gives `plugin` the step model (as a restored project would) and activates it.
fn activate_with_step_model(plugin: &mut HostedPlugin, card: &std::path::Path) {
    plugin.set_persisted_field("model", &serde_json::to_string(&Some(card)).unwrap());
    plugin.activate(RATE, 1, BLOCK as u32);
}

#[test]
fn the_overview_lists_every_instance_with_its_own_name_and_instruments() {
    let bundle = built_clap_bundle();
    let library = ClapLibrary::load(&bundle);
    let probe = SessionProbe::open(&bundle);
    let mut loud = library.instantiate_on_track(PLUGIN_ID, Some("Drums bus"));
    let mut quiet = library.instantiate(PLUGIN_ID);
    assert_eq!(names(&probe), ["Drums bus", "Instrumeter 2"], "the host's track name; the default name by slot");
    quiet.set_persisted_field("instance-name", "\"Vocals\"");
    assert_eq!(names(&probe), ["Drums bus", "Vocals"], "the instance name restored from the project");
    assert!(probe.instances().iter().all(|row| codes(row, false).is_empty()), "inactive instances list no instruments");

    let scratch = tempfile::tempdir().unwrap();
    let card = write_step_model(scratch.path());
    activate_with_step_model(&mut loud, &card);
    activate_with_step_model(&mut quiet, &card);
    let mut noise = Noise::new(3);
    let turn = (TURN_S * RATE) as usize;
    let noise: Vec<f32> = (0..turn).map(|_| 0.3 * noise.next_sample()).collect();
    let silence = vec![0.0f32; turn];
    let deadline = Instant::now() + PATIENCE;
    while !settled(&probe.instances()) && Instant::now() < deadline {
        loud.on_audio_thread(|audio| audio.play_in_real_time([&noise, &noise], None, BLOCK, RATE, &[]));
        quiet.on_audio_thread(|audio| audio.play_in_real_time([&silence, &silence], None, BLOCK, RATE, &[]));
    }
    let instances = probe.instances();
    for row in &instances {
        println!("{}: playing {:?}", row["name"], codes(row, true));
    }
    let (drums_bus, vocals) = (row(&instances, "Drums bus"), row(&instances, "Vocals"));
    assert_eq!(codes(drums_bus, false).len(), 13, "the step model hears all 13 instruments: {drums_bus}");
    assert_eq!(codes(drums_bus, true), [ALWAYS_ON[0], ALWAYS_ON[1], "dru"], "noise: drums play too");
    assert_eq!(codes(vocals, true), ALWAYS_ON, "silence: no drums");

    drop(quiet);
    assert_eq!(names(&probe), ["Drums bus"], "a destroyed instance leaves the overview");
    loud.deactivate();
    assert!(codes(row(&probe.instances(), "Drums bus"), false).is_empty(), "a deactivated instance lists no instruments");
    let _next = library.instantiate(PLUGIN_ID);
    assert_eq!(names(&probe), ["Drums bus", "Instrumeter 2"], "a new instance takes the freed slot, clean");
}
