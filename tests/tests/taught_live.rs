//! A taught class runs live in the plugin: a class taught (with the plugin's own `teach`) to FM
//! bells on the embedded pair is restored from the project state like any model choice; bells
//! played in real time through the CLAP host raise its CC (the first taught slot, CC 33) and other
//! sounds leave it low, while the audio passes through untouched.

use instrumeter::teach::{teach, BaseModel, Lesson};
use instrumeter::testkit::{fm_bells, log_mel_of, other_sounds};
use instrumeter_tests::bundle::built_clap_bundle;
use instrumeter_tests::host::{same_bits, ClapLibrary, PluginEvent, TimedEvent};

const PLUGIN_ID: &str = "org.instrumeter.instrumeter";
const RATE: f64 = 48_000.0;
const BLOCK: usize = 512;
/// CC of the first taught slot on MIDI channel 1 (CC 20 + slot 13).
const TAUGHT_CC: u8 = 33;
/// Seconds of silence (the model loads), bells, other sounds.
const SCHEDULE: [f32; 3] = [1.0, 4.0, 4.0];
/// Seconds of each part left for the analysis to settle before it is judged.
const SETTLE_S: f32 = 1.5;

/// The taught card, written into `folder`.
fn taught_bell_model(base: &BaseModel, folder: &std::path::Path) -> std::path::PathBuf {
    let (positives, negatives) = (log_mel_of(&fm_bells(40.0, 22_050.0, 1), 22_050.0), log_mel_of(&other_sounds(60.0, 22_050.0, 2), 22_050.0));
    let lesson = Lesson { name: "Bell".into(), positives: vec![&positives], negatives: vec![&negatives], provenance: "test bells".into() };
    let (taught, _) = teach(base, &lesson, None).unwrap();
    taught.write(folder).unwrap()
}

/// The CC's value at each 0.1 s step of samples `from..to` (the last value sent by then).
fn cc_steps(events: &[TimedEvent], from: u64, to: u64) -> Vec<u8> {
    let sent: Vec<(u64, u8)> = events
        .iter()
        .filter_map(|e| match e.event {
            PluginEvent::Midi([0xB0, cc, value]) if cc == TAUGHT_CC => Some((e.sample, value)),
            _ => None,
        })
        .collect();
    (from..to).step_by((RATE / 10.0) as usize).map(|t| sent.iter().rev().find(|(s, _)| *s <= t).map_or(0, |(_, v)| *v)).collect()
}

fn mean(values: &[u8]) -> f32 {
    values.iter().map(|&v| f32::from(v)).sum::<f32>() / values.len().max(1) as f32
}

#[test]
fn a_taught_bell_drives_its_cc_live_and_other_sounds_do_not() {
    let Ok(base) = BaseModel::embedded() else { return };
    let folder = tempfile::tempdir().unwrap();
    let card = taught_bell_model(&base, folder.path());
    let rate = RATE as f32;
    let [quiet, bells, others] = SCHEDULE.map(|s| (s * rate) as usize);
    let mut signal = vec![0.0f32; quiet];
    signal.extend(fm_bells(SCHEDULE[1], rate, 7).into_iter().chain(std::iter::repeat(0.0)).take(bells));
    signal.extend(other_sounds(SCHEDULE[2], rate, 8).into_iter().chain(std::iter::repeat(0.0)).take(others));

    let library = ClapLibrary::load(&built_clap_bundle());
    let mut plugin = library.instantiate(PLUGIN_ID);
    plugin.set_persisted_field("model", &serde_json::to_string(&Some(&card)).unwrap());
    plugin.activate(RATE, 1, BLOCK as u32);
    let (output, events) = plugin.on_audio_thread(|audio| {
        let [output, _] = audio.play_in_real_time([&signal, &signal], None, BLOCK, RATE, &[]);
        (output, audio.take_events())
    });
    plugin.deactivate();
    assert!(same_bits(&output, &signal), "the audio must pass through untouched");

    let settle = (SETTLE_S * rate) as u64;
    let (bells_from, others_from) = (quiet as u64, (quiet + bells) as u64);
    let during_bells = cc_steps(&events, bells_from + settle, others_from);
    let during_others = cc_steps(&events, others_from + settle, signal.len() as u64);
    println!("taught bell CC {TAUGHT_CC}: mean {:.0} during bells, {:.0} during other sounds", mean(&during_bells), mean(&during_others));
    assert!(mean(&during_bells) >= 64.0, "the bell's CC stayed low on bells: {during_bells:?}");
    assert!(mean(&during_others) <= 32.0, "the bell's CC rose on other sounds: {during_others:?}");
}
