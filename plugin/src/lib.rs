//! Instrumeter: tells which instruments are playing right now (CLAP/VST3 plugin + shared library).
//!
//! This file is the nice-plug glue only; the signal path lives in [`frontend`], [`engine`] and
//! [`automation`], the window in [`editor`].

pub mod automation;
mod editor;
pub mod engine;
pub mod frontend;
mod live;
pub mod models;
pub mod params;
pub mod testkit;

use std::num::NonZeroU32;
use std::sync::Arc;

use nice_plug::midi::{Channel, Key, VoiceID};
use nice_plug::prelude::*;

use automation::AutomationEvent;
use live::{LiveAnalysis, LiveLink};
use params::{AnalysisSource, InstrumeterParams};

/// The plugin: passes audio through, feeds the chosen input to the analysis worker and sends the
/// per-instrument MIDI outputs.
#[derive(Default)]
pub struct Instrumeter {
    params: Arc<InstrumeterParams>,
    live: Option<LiveAnalysis>,
    /// The editor's view of the running analysis.
    link: Arc<LiveLink>,
    /// The host renders offline (a bounce): process() may wait for the worker, so nothing is dropped.
    offline: bool,
}

impl Plugin for Instrumeter {
    const NAME: &'static str = "Instrumeter";
    const VENDOR: &'static str = "Instrumeter";
    const URL: &'static str = "";
    const EMAIL: &'static str = "";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(2),
            main_output_channels: NonZeroU32::new(2),
            aux_input_ports: &[new_nonzero_u32(2)],
            names: PortNames { layout: Some("Stereo"), main_input: Some("Input"), main_output: Some("Output"), aux_inputs: &["Sidechain"], aux_outputs: &[] },
            ..AudioIOLayout::const_default()
        },
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(1),
            main_output_channels: NonZeroU32::new(1),
            aux_input_ports: &[new_nonzero_u32(1)],
            names: PortNames { layout: Some("Mono"), main_input: Some("Input"), main_output: Some("Output"), aux_inputs: &["Sidechain"], aux_outputs: &[] },
            ..AudioIOLayout::const_default()
        },
    ];

    const MIDI_OUTPUT: MidiConfig = MidiConfig::MidiCCs;
    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type Editor = editor::InstrumeterEditor;
    type SysExMessage = ();
    type BackgroundTask = ();

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self, _async_executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        editor::create(self.params.clone(), self.link.clone())
    }

    fn activate(
        &mut self,
        _layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        _context: &mut impl ActivateContext<Self>,
    ) -> bool {
        self.deactivate();
        self.offline = buffer_config.process_mode == ProcessMode::Offline;
        let card = self.params.model_path.read().map(|path| path.clone()).unwrap_or_default();
        let started = LiveAnalysis::start(
            buffer_config.sample_rate as f64,
            buffer_config.max_buffer_size as usize,
            self.params.thresholds.clone(),
            card,
            self.link.clone(),
        );
        match started {
            Ok(live) => self.live = Some(live),
            // Audio still passes through; only the analysis is off.
            Err(error) => nice_error!("analysis disabled: {error}"),
        }
        true
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        // The host's input is already in `buffer` (the output): pass-through needs no copy.
        let Some(live) = self.live.as_mut() else { return ProcessStatus::Normal };
        let samples = buffer.samples();
        let channels = match self.params.source.value() {
            AnalysisSource::Main => Some(buffer.as_slice_immutable()),
            AnalysisSource::Sidechain => aux.inputs.first().map(|sidechain| sidechain.as_slice_immutable()),
        };
        match (channels, self.offline) {
            (Some(channels), false) => live.tap.push_downmix(channels),
            (Some(channels), true) => live.tap.push_downmix_offline(channels),
            (None, _) => {}
        }
        let settings = self.params.automation_settings();
        live.automation.process(&live.controls, &settings, samples, &mut |event| {
            // A full host queue drops the event; later changes still arrive.
            let _ = context.try_send_event(note_event(event));
        });
        ProcessStatus::Normal
    }

    fn deactivate(&mut self) {
        if let Some(mut live) = self.live.take() {
            nice_log!("{}", live.stop());
        }
    }
}

/// The host event for an automation event.
fn note_event(event: AutomationEvent) -> NoteEvent<()> {
    let normalized = |value: u8| f32::from(value) / 127.0;
    match event {
        AutomationEvent::ControlChange { timing, channel, cc, value } => {
            NoteEvent::MidiCC { timing, channel, cc, value: normalized(value) }
        }
        AutomationEvent::NoteOn { timing, channel, note, velocity } => {
            NoteEvent::NoteOn { timing, voice_id: VoiceID::Wildcard, channel: Channel::Number(channel), key: Key::Number(note), velocity: normalized(velocity) }
        }
        AutomationEvent::NoteOff { timing, channel, note } => {
            NoteEvent::NoteOff { timing, voice_id: VoiceID::Wildcard, channel: Channel::Number(channel), key: Key::Number(note), velocity: 0.0 }
        }
    }
}

impl ClapPlugin for Instrumeter {
    const CLAP_ID: &'static str = "org.instrumeter.instrumeter";
    const CLAP_DESCRIPTION: Option<&'static str> = Some("Shows which instruments are playing right now");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[ClapFeature::AudioEffect, ClapFeature::Analyzer, ClapFeature::Stereo, ClapFeature::Mono];
}

impl Vst3Plugin for Instrumeter {
    const VST3_CLASS_ID: [u8; 16] = *b"InstrumeterMeter";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[Vst3SubCategory::Fx, Vst3SubCategory::Analyzer];
}

nice_export_clap!(Instrumeter);
nice_export_vst3!(Instrumeter);
