//! The plugin's automatable parameters and persisted settings.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use nice_plug::prelude::*;
use serde::{Deserialize, Serialize};

use crate::automation::{AutomationSettings, InstrumentRoute};
use crate::engine::{ThresholdOverrides, INSTRUMENT_SLOTS};
use crate::models::INSTRUMENTS;
use crate::session::SessionMember;

/// First controller number: instrument `i` sends CC `20 + i` (20–31 are undefined in General MIDI).
const FIRST_CC: i32 = 20;
/// First gate note: instrument `i` sends note `36 + i` (C2 upwards, a drum-pad row).
const FIRST_NOTE: i32 = 36;

/// Which input the analysis listens to; the main input always passes through untouched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum AnalysisSource {
    /// Analyse the main (through) input.
    #[id = "main"]
    #[name = "Main"]
    Main,
    /// Analyse the sidechain (auxiliary) input.
    #[id = "sidechain"]
    #[name = "Sidechain"]
    Sidechain,
}

/// All parameters and persisted editor settings; ids are stable across versions (hosts store them).
#[derive(Params)]
pub struct InstrumeterParams {
    /// The input the analysis listens to.
    #[id = "source"]
    pub source: EnumParam<AnalysisSource>,
    /// Aligned output: delay the audio by the analysis latency (reported to the host) so the MIDI
    /// outputs line up with the sound in a bounce. Off: audio passes with zero latency.
    #[id = "aligned"]
    pub aligned: BoolParam,
    /// MIDI outputs: CC per instrument, gate notes, smoothing.
    #[nested(group = "Automation")]
    pub automation: AutomationParams,
    /// Per instrument (in [`INSTRUMENTS`] order, then the taught-class slots): on/off, CC
    /// number, gate note.
    #[nested(array, group = "Instrument")]
    pub instruments: [InstrumentParams; INSTRUMENT_SLOTS],
    /// The user's thresholds where they differ from the model card's.
    #[persist = "thresholds"]
    pub thresholds: ThresholdOverrides,
    /// The model card the user picked (`None`: the embedded default).
    #[persist = "model"]
    pub model_path: Arc<RwLock<Option<PathBuf>>>,
    /// Editor layout and display settings.
    #[persist = "view"]
    pub view: Arc<RwLock<ViewSettings>>,
    /// This instance in the session overview; persisted: the user's instance name (shown when
    /// the host gives no track name; states saved before it existed load with none).
    #[persist = "instance-name"]
    pub session: SessionMember,
}

/// Parameters of the MIDI outputs.
#[derive(Params)]
pub struct AutomationParams {
    /// Send each instrument's smoothed activation as a MIDI CC.
    #[id = "cc-out"]
    pub cc_enabled: BoolParam,
    /// Send note on/off per instrument when its decision changes.
    #[id = "gate-out"]
    pub gate_enabled: BoolParam,
    /// MIDI channel of all outputs.
    #[id = "channel"]
    pub channel: IntParam,
    /// Rise time constant of the CC values.
    #[id = "attack"]
    pub attack_ms: FloatParam,
    /// Fall time constant of the CC values.
    #[id = "release"]
    pub release_ms: FloatParam,
    /// A gate closes this far below the threshold.
    #[id = "hysteresis"]
    pub hysteresis: FloatParam,
}

/// One instrument's output parameters.
#[derive(Params)]
pub struct InstrumentParams {
    /// Whether this instrument sends CC / gate output and shows as active.
    #[id = "enabled"]
    pub enabled: BoolParam,
    /// Its controller number.
    #[id = "cc"]
    pub cc: IntParam,
    /// Its gate note.
    #[id = "note"]
    pub note: IntParam,
}

/// Editor settings saved with the project (not automatable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewSettings {
    /// Logical window size.
    pub width: u32,
    pub height: u32,
    /// Seconds of history in the heatmap (10–60).
    pub history_s: f32,
    /// How long a meter's peak line holds, seconds.
    pub peak_hold_s: f32,
    /// How fast the peak line falls after the hold, activation units per second.
    pub peak_decay_per_s: f32,
    /// The user's zoom on top of the host's or system's HiDPI scale (0.75–2).
    pub zoom: f32,
    /// The tab the editor shows (it reopens on it).
    pub tab: EditorTab,
}

/// What the editor shows below its tab bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditorTab {
    /// Every instance in the host process.
    Overview,
    /// Record and teach a new sound.
    Teach,
    /// This instance: controls, meters and history (also what an unknown stored tab opens;
    /// serde wants that variant last).
    #[default]
    #[serde(other)]
    Meters,
}

/// The zoom range the editor offers.
pub const ZOOM_RANGE: std::ops::RangeInclusive<f32> = 0.75..=2.0;

impl Default for ViewSettings {
    fn default() -> Self {
        Self { width: 960, height: 800, history_s: 20.0, peak_hold_s: 1.5, peak_decay_per_s: 0.5, zoom: 1.0, tab: EditorTab::Meters }
    }
}

impl ViewSettings {
    /// The persisted zoom, brought into [`ZOOM_RANGE`] (a hand-edited or corrupt state file
    /// must not give egui a zero or negative zoom).
    pub fn zoom(&self) -> f32 {
        if self.zoom.is_finite() { self.zoom.clamp(*ZOOM_RANGE.start(), *ZOOM_RANGE.end()) } else { 1.0 }
    }
}

impl Default for InstrumeterParams {
    fn default() -> Self {
        Self {
            source: EnumParam::new("Analyse", AnalysisSource::Main),
            aligned: BoolParam::new("Aligned output", false),
            automation: AutomationParams::default(),
            instruments: std::array::from_fn(InstrumentParams::new),
            thresholds: ThresholdOverrides::default(),
            model_path: Arc::new(RwLock::new(None)),
            view: Arc::new(RwLock::new(ViewSettings::default())),
            session: SessionMember::default(),
        }
    }
}

impl Default for AutomationParams {
    fn default() -> Self {
        let milliseconds = |name, default, max| {
            FloatParam::new(name, default, FloatRange::Skewed { min: 1.0, max, factor: FloatRange::skew_factor(-2.0) })
                .with_unit(" ms")
                .with_value_to_string(formatters::v2s_f32_rounded(0))
        };
        Self {
            cc_enabled: BoolParam::new("CC output", true),
            gate_enabled: BoolParam::new("Gate notes", false),
            channel: IntParam::new("MIDI channel", 1, IntRange::Linear { min: 1, max: 16 }),
            attack_ms: milliseconds("Attack", 30.0, 2_000.0),
            release_ms: milliseconds("Release", 300.0, 5_000.0),
            hysteresis: FloatParam::new("Gate hysteresis", 0.1, FloatRange::Linear { min: 0.0, max: 0.5 })
                .with_value_to_string(formatters::v2s_f32_rounded(2)),
        }
    }
}

impl InstrumentParams {
    /// The parameters of instrument `slot`, named after it.
    fn new(slot: usize) -> Self {
        let name = INSTRUMENTS.get(slot).map_or_else(|| format!("Taught {}", slot + 1 - INSTRUMENTS.len()), |(_, name)| name.to_string());
        Self {
            enabled: BoolParam::new(format!("{name} on"), true),
            cc: IntParam::new(format!("{name} CC"), FIRST_CC + slot as i32, IntRange::Linear { min: 0, max: 119 }),
            note: IntParam::new(format!("{name} note"), FIRST_NOTE + slot as i32, IntRange::Linear { min: 0, max: 127 }),
        }
    }
}

impl InstrumeterParams {
    /// The automation settings of the current block (audio thread: plain atomic reads).
    pub fn automation_settings(&self) -> AutomationSettings {
        let automation = &self.automation;
        AutomationSettings {
            cc_enabled: automation.cc_enabled.value(),
            gate_enabled: automation.gate_enabled.value(),
            channel: (automation.channel.value() - 1).clamp(0, 15) as u8,
            attack_s: automation.attack_ms.value() / 1_000.0,
            release_s: automation.release_ms.value() / 1_000.0,
            hysteresis: automation.hysteresis.value(),
            instruments: std::array::from_fn(|slot| {
                let instrument = &self.instruments[slot];
                InstrumentRoute {
                    enabled: instrument.enabled.value(),
                    cc: instrument.cc.value().clamp(0, 119) as u8,
                    note: instrument.note.value().clamp(0, 127) as u8,
                }
            }),
        }
    }
}

impl<'a> nice_plug::params::persist::PersistentField<'a, Vec<Option<f32>>> for ThresholdOverrides {
    fn set(&self, new_value: Vec<Option<f32>>) {
        self.set_all(&new_value);
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&Vec<Option<f32>>) -> R,
    {
        f(&self.to_vec())
    }
}

impl<'a> nice_plug::params::persist::PersistentField<'a, String> for SessionMember {
    fn set(&self, new_value: String) {
        self.set_instance_name(&new_value);
    }

    fn map<F, R>(&self, f: F) -> R
    where
        F: Fn(&String) -> R,
    {
        f(&self.instance_name())
    }
}

#[cfg(test)]
mod tests {
    use super::{EditorTab, ViewSettings};

    #[test]
    fn a_saved_view_without_zoom_loads_at_1_and_bad_zooms_are_clamped() {
        let old: ViewSettings = serde_json::from_str(r#"{"width": 800, "height": 600, "history_s": 30.0}"#).expect("old state parses");
        assert_eq!((old.width, old.zoom(), old.peak_hold_s), (800, 1.0, ViewSettings::default().peak_hold_s));
        for (stored, used) in [(0.0, 0.75), (-3.0, 0.75), (9.0, 2.0), (f32::NAN, 1.0), (1.25, 1.25)] {
            assert_eq!(ViewSettings { zoom: stored, ..ViewSettings::default() }.zoom(), used, "stored {stored}");
        }
    }

    #[test]
    fn the_tab_is_saved_and_an_unknown_one_opens_the_meters() {
        assert_eq!(old_tab(r#"{"tab": "teach"}"#), EditorTab::Teach);
        assert_eq!(old_tab(r#"{"tab": "mixer"}"#), EditorTab::Meters);
        assert_eq!(old_tab(r#"{}"#), EditorTab::Meters);
        let saved = serde_json::to_string(&ViewSettings { tab: EditorTab::Overview, ..ViewSettings::default() }).unwrap();
        assert!(saved.contains(r#""tab":"overview""#), "{saved}");
    }

    fn old_tab(json: &str) -> EditorTab {
        serde_json::from_str::<ViewSettings>(json).expect("a stored view parses").tab
    }
}
