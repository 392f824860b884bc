//! Every model card shipped in `models/` (the default pair's two networks, the LSTN, seed 002's
//! CQT network and seed 004's three-input fusion) runs live in the plugin when a project chooses
//! it — the worker switching to the card's feature kinds —: chosen through the project state like a user's pick,
//! it drives the MIDI CCs in real time through the CLAP host, each network its own way, while the
//! audio passes through untouched.

use std::path::{Path, PathBuf};

use instrumeter::testkit::other_sounds;
use instrumeter_tests::bundle::built_clap_bundle;
use instrumeter_tests::host::{same_bits, ClapLibrary, PluginEvent, TimedEvent};

const PLUGIN_ID: &str = "org.instrumeter.instrumeter";
const RATE: f64 = 48_000.0;
const BLOCK: usize = 512;
const SECONDS: f32 = 4.0;
/// Instrument CCs: 20 + class index on MIDI channel 1.
const FIRST_CC: u8 = 20;
const INSTRUMENTS: u8 = 13;

fn shipped_cards() -> Vec<PathBuf> {
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
    let mut cards: Vec<PathBuf> = std::fs::read_dir(&models)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with(".card.json"))
        .collect();
    cards.sort();
    cards
}

/// The instrument CC messages (controller, value) the plugin sent, in order.
fn instrument_ccs(events: &[TimedEvent]) -> Vec<(u8, u8)> {
    events
        .iter()
        .filter_map(|e| match e.event {
            PluginEvent::Midi([0xB0, cc, value]) if (FIRST_CC..FIRST_CC + INSTRUMENTS).contains(&cc) => Some((cc, value)),
            _ => None,
        })
        .collect()
}

#[test]
fn every_shipped_card_runs_live_when_a_project_chooses_it() {
    let cards = shipped_cards();
    let names: Vec<String> = cards.iter().map(|c| c.file_name().unwrap().to_string_lossy().into_owned()).collect();
    for shipped in ["lstn-1s.card.json", "cqt-3s.card.json", "zagreb-fusion.card.json"] {
        assert!(names.iter().any(|n| n == shipped), "{shipped} ships in models/: {names:?}");
    }
    let signal = other_sounds(SECONDS, RATE as f32, 3);
    let library = ClapLibrary::load(&built_clap_bundle());
    let mut streams = Vec::new();
    for card in &cards {
        let mut plugin = library.instantiate(PLUGIN_ID);
        plugin.set_persisted_field("model", &serde_json::to_string(&Some(card)).unwrap());
        plugin.activate(RATE, 1, BLOCK as u32);
        let (output, events) = plugin.on_audio_thread(|audio| {
            let [output, _] = audio.play_in_real_time([&signal, &signal], None, BLOCK, RATE, &[]);
            (output, audio.take_events())
        });
        plugin.deactivate();
        assert!(same_bits(&output, &signal), "{}: the audio must pass through untouched", card.display());
        let ccs = instrument_ccs(&events);
        assert!(ccs.iter().any(|&(_, value)| value > 0), "{}: no instrument CC rose: the model did not run", card.display());
        streams.push(ccs);
    }
    for (a, b) in (0..cards.len()).flat_map(|a| (a + 1..cards.len()).map(move |b| (a, b))) {
        assert_ne!(streams[a], streams[b], "{} and {} sent the same CCs: one of them did not load", names[a], names[b]);
    }
}
