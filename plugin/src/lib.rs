//! Instrumeter: tells which instruments are playing right now (CLAP/VST3 plugin + shared library).
//!
//! This file is the nice-plug glue only; the signal path lives in [`frontend`], [`engine`] and
//! [`automation`], the window in [`editor`].

pub mod automation;
mod editor;
pub mod engine;
pub mod frontend;
mod layouts;
mod live;
pub mod models;
pub mod params;
mod session;
pub mod teach;
pub mod testkit;

use std::sync::Arc;
use std::time::Duration;

use nice_plug::midi::{Channel, Key, VoiceID};
use nice_plug::prelude::*;

use automation::{AutomationEvent, AutomationSettings};
use engine::aligned_latency_samples;
use live::{expected_model_latency_s, LiveAnalysis, LiveLink};
use params::{AnalysisSource, InstrumeterParams};
use session::{SessionMember, SESSION};

/// The plugin: passes audio through, feeds the chosen input to the analysis worker and sends the
/// per-instrument MIDI outputs.
pub struct Instrumeter {
    params: Arc<InstrumeterParams>,
    live: Option<LiveAnalysis>,
    /// The editor's view of the running analysis.
    link: Arc<LiveLink>,
    /// The host renders offline (a bounce): process() may wait for the worker, so nothing is dropped.
    offline: bool,
    host_rate: f64,
    /// Samples processed since activation (the aligned mode's clock).
    samples_done: u64,
    /// The model's latency the aligned mode delays by: the running model's once known, kept
    /// across activations (so a restart after a change reports the new figure at once).
    model_latency_s: f32,
    /// A restart was asked for in this activation (the aligned delay must change).
    restart_requested: bool,
}

impl Default for Instrumeter {
    /// A new instance, listed in this process's session (the Overview) until it is dropped.
    fn default() -> Self {
        let params = InstrumeterParams { session: SessionMember::join(&SESSION), ..InstrumeterParams::default() };
        Self {
            params: Arc::new(params),
            live: None,
            link: Arc::default(),
            offline: false,
            host_rate: 0.0,
            samples_done: 0,
            model_latency_s: 0.0,
            restart_requested: false,
        }
    }
}

/// Samples per automation step in the aligned mode (each step reads the values due at its time).
const ALIGNED_STEP: usize = 64;
/// In offline renders, the longest the aligned mode waits for a value the worker has not sent.
const OFFLINE_PATIENCE: Duration = Duration::from_millis(500);

impl Plugin for Instrumeter {
    const NAME: &'static str = "Instrumeter";
    const VENDOR: &'static str = "Instrumeter";
    const URL: &'static str = "";
    const EMAIL: &'static str = "";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = layouts::LISTED;

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
        layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        self.deactivate();
        self.offline = buffer_config.process_mode == ProcessMode::Offline;
        (self.host_rate, self.samples_done, self.restart_requested) = (buffer_config.sample_rate as f64, 0, false);
        let card = self.params.model_path.read().map(|path| path.clone()).unwrap_or_default();
        if self.model_latency_s == 0.0 {
            self.model_latency_s = expected_model_latency_s(card.as_deref());
        }
        // The aligned delay is fixed for the activation (a change asks for a restart), so its
        // line is only as long as needed: nothing at all when the mode is off.
        let latency = aligned_latency(&self.params, self.model_latency_s, self.host_rate);
        // The aligned delay holds every channel that passes through (a CLAP host may ask for 1–8).
        let channels = layout.main_output_channels.map_or(0, |channels| channels.get() as usize);
        let started = LiveAnalysis::start(
            buffer_config.sample_rate as f64,
            buffer_config.max_buffer_size as usize,
            (channels, latency as usize),
            self.params.thresholds.clone(),
            card,
            self.link.clone(),
            self.params.session.clone(),
        );
        match started {
            Ok(live) => {
                context.set_latency_samples(latency);
                self.link.set_aligned_delay_s((f64::from(latency) / self.host_rate) as f32);
                self.live = Some(live);
            }
            // Audio still passes through, undelayed; only the analysis is off.
            Err(error) => {
                context.set_latency_samples(0);
                nice_error!("analysis disabled: {error}");
            }
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
        let running = live.controls.model_latency_s();
        if running > 0.0 {
            self.model_latency_s = running;
        }
        let wanted = aligned_latency(&self.params, self.model_latency_s, self.host_rate);
        if wanted as usize != live.delay.delay() && !self.restart_requested {
            // Mode switched or model swapped. CLAP lets the latency change only in activate, so
            // the host is asked for a restart; until then the activation's delay (and the figure
            // the host compensates) stays.
            context.request_restart();
            self.restart_requested = true;
        }
        let latency = live.delay.delay();
        live.delay.process(buffer.as_slice());
        let settings = self.params.automation_settings();
        // A full host queue drops an event; later changes still arrive.
        let mut send = |event: AutomationEvent| {
            let _ = context.try_send_event(note_event(event));
        };
        if latency == 0 {
            live.aligned.drain();
            live.automation.process(&live.controls, &settings, samples, &mut send);
        } else {
            let patience = if self.offline { OFFLINE_PATIENCE } else { Duration::ZERO };
            aligned_automation(live, &settings, self.samples_done, samples, patience, &mut send);
        }
        self.samples_done += samples as u64;
        ProcessStatus::Normal
    }

    fn deactivate(&mut self) {
        if let Some(mut live) = self.live.take() {
            nice_log!("{}", live.stop());
        }
    }
}

/// The aligned mode's delay (0 when it is off), in samples.
fn aligned_latency(params: &InstrumeterParams, model_latency_s: f32, host_rate: f64) -> u32 {
    if params.aligned.value() { aligned_latency_samples(model_latency_s, host_rate) } else { 0 }
}

/// Automation in the aligned mode: in steps of [`ALIGNED_STEP`], each reading the values of the
/// frame its (delayed) output sample shows; events keep their place in the block.
fn aligned_automation(live: &mut LiveAnalysis, settings: &AutomationSettings, block_start: u64, samples: usize, patience: Duration, send: &mut impl FnMut(AutomationEvent)) {
    let delay = live.delay.delay() as f64;
    let mut offset = 0;
    while offset < samples {
        let len = ALIGNED_STEP.min(samples - offset);
        let input_time = (block_start + offset as u64) as f64 - delay;
        let controls = live.aligned.at(input_time, &live.controls, patience);
        live.automation.process(controls, settings, len, &mut |event| send(event.delayed(offset as u32)));
        offset += len;
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
    const CLAP_CONFIGURABLE_AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = layouts::ANY_WIDTH;
}

impl Vst3Plugin for Instrumeter {
    const VST3_CLASS_ID: [u8; 16] = *b"InstrumeterMeter";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[Vst3SubCategory::Fx, Vst3SubCategory::Analyzer];
}

nice_export_clap!(Instrumeter);
nice_export_vst3!(Instrumeter);
