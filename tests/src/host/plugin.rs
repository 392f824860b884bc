//! One plugin instance on the main thread: ports, parameters, state, activation, audio thread.

use clack_extensions::audio_ports::{AudioPortFlags, AudioPortInfoBuffer, PluginAudioPorts};
use clack_extensions::audio_ports_activation::{PluginAudioPortsActivation, SampleSize};
use clack_extensions::configurable_audio_ports::{AudioPortRequest, PluginConfigurableAudioPorts};
use clack_extensions::latency::PluginLatency;
use clack_extensions::note_ports::PluginNotePorts;
use clack_extensions::params::{ParamInfoBuffer, PluginParams};
use clack_extensions::state::{PluginState, StateError};
use clack_host::events::event_types::ParamValueEvent;
use clack_host::prelude::*;

use super::audio::{AudioSession, ParamChange};
use super::handlers::{TestHost, TestHostShared};

/// One audio port as the audio-ports extension describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSummary {
    pub name: String,
    pub channels: u32,
    pub is_main: bool,
    /// The port takes 64-bit samples too.
    pub takes_f64: bool,
}

/// One parameter as the params extension describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSummary {
    pub id: ClapId,
    pub name: String,
    pub module: String,
    pub min: f64,
    pub max: f64,
    pub default: f64,
}

/// A plugin instance, inactive or active (then it owns the [`AudioSession`]).
pub struct HostedPlugin {
    // Dropped before `instance`, so a panicking test still leaves the instance its sole owner.
    pub(super) audio: Option<AudioSession>,
    pub(super) instance: PluginInstance<TestHost>,
}

impl HostedPlugin {
    pub(super) fn new(instance: PluginInstance<TestHost>) -> Self {
        Self { audio: None, instance }
    }

    /// The host's record of what the plugin asked for and logged.
    pub fn host<R>(&self, read: impl FnOnce(&TestHostShared) -> R) -> R {
        self.instance.access_shared_handler(|shared| read(shared))
    }

    /// The latency the plugin reports (latency extension), in samples.
    pub fn latency(&mut self) -> u32 {
        let latency: PluginLatency = self.extension("latency");
        latency.get(&self.instance.plugin_handle())
    }

    /// Whether the plugin told the host (latency extension) that its latency changed since the
    /// last call.
    pub fn take_latency_changed(&mut self) -> bool {
        self.instance.access_handler(|main_thread| main_thread.take_latency_changed())
    }

    /// The input (`is_input`) or output ports, in order.
    pub fn audio_ports(&mut self, is_input: bool) -> Vec<PortSummary> {
        let ports: PluginAudioPorts = self.extension("audio-ports");
        let handle = self.instance.plugin_handle();
        let mut buffer = AudioPortInfoBuffer::new();
        (0..ports.count(&handle, is_input))
            .map(|index| {
                let info = ports.get(&handle, index, is_input, &mut buffer).expect("port index in range");
                PortSummary {
                    name: String::from_utf8_lossy(info.name).into_owned(),
                    channels: info.channel_count,
                    is_main: info.flags.contains(AudioPortFlags::IS_MAIN),
                    takes_f64: info.flags.contains(AudioPortFlags::SUPPORTS_64BITS),
                }
            })
            .collect()
    }

    /// Asks the inactive plugin (configurable-audio-ports) for these ports, all at once: what
    /// `can_apply_configuration` answered, then what `apply_configuration` did.
    pub fn request_audio_ports(&mut self, requests: &[AudioPortRequest]) -> (bool, bool) {
        let ports: PluginConfigurableAudioPorts = self.extension("configurable-audio-ports");
        let mut handle = self.instance.inactive_plugin_handle().expect("deactivate the plugin before configuring ports");
        let can_apply = ports.can_apply_configuration(&mut handle, requests);
        (can_apply, ports.apply_configuration(&mut handle, requests))
    }

    /// Activates or deactivates one audio port of the inactive plugin (audio-ports-activation);
    /// whether the plugin accepted.
    pub fn set_audio_port_active(&mut self, is_input: bool, port_index: u32, active: bool) -> bool {
        let activation: PluginAudioPortsActivation = self.extension("audio-ports-activation");
        let mut handle = self.instance.inactive_plugin_handle().expect("deactivate the plugin before (de)activating ports");
        activation.set_active_audio_inactive(&mut handle, is_input, port_index, active, SampleSize::Unspecified)
    }

    /// How many note ports the plugin declares as inputs (`is_input`) or outputs.
    pub fn note_port_count(&mut self, is_input: bool) -> u32 {
        let ports: PluginNotePorts = self.extension("note-ports");
        ports.count(&self.instance.plugin_handle(), is_input)
    }

    /// Every parameter, in the plugin's order.
    pub fn params(&mut self) -> Vec<ParamSummary> {
        let params: PluginParams = self.extension("params");
        let handle = self.instance.plugin_handle();
        let mut buffer = ParamInfoBuffer::new();
        (0..params.count(&handle))
            .map(|index| {
                let info = params.get_info(&handle, index, &mut buffer).expect("param index in range");
                ParamSummary {
                    id: info.id,
                    name: String::from_utf8_lossy(info.name).into_owned(),
                    module: String::from_utf8_lossy(info.module).into_owned(),
                    min: info.min_value,
                    max: info.max_value,
                    default: info.default_value,
                }
            })
            .collect()
    }

    /// The id of the parameter shown as `name`; panics listing the names there are.
    pub fn param_id(&mut self, name: &str) -> ClapId {
        let params = self.params();
        let found = params.iter().find(|p| p.name == name).map(|p| p.id);
        found.unwrap_or_else(|| panic!("no parameter named {name:?}; the plugin has {params:?}"))
    }

    /// The parameter's current plain value (params extension `get_value`).
    pub fn param_value(&mut self, id: ClapId) -> f64 {
        let params: PluginParams = self.extension("params");
        params.get_value(&self.instance.plugin_handle(), id).unwrap_or_else(|| panic!("get_value({id:?}) failed"))
    }

    /// The plain value the plugin parses `text` as (params extension `text_to_value`).
    pub fn param_value_of_text(&mut self, id: ClapId, text: &str) -> f64 {
        let params: PluginParams = self.extension("params");
        let text_c = std::ffi::CString::new(text).expect("no NUL in parameter text");
        params
            .text_to_value(&self.instance.plugin_handle(), id, &text_c)
            .unwrap_or_else(|| panic!("the plugin cannot parse {text:?} for parameter {id:?}"))
    }

    /// Sets parameters while inactive, through the params extension's `flush()`.
    /// While active, send them with [`AudioSession::process_block`] instead.
    pub fn flush_params(&mut self, changes: &[ParamChange]) {
        let params: PluginParams = self.extension("params");
        let events: Vec<ParamValueEvent> =
            changes.iter().map(|&(id, v)| ParamValueEvent::new(0, id, Pckn::match_all(), v)).collect();
        let mut out_events = EventBuffer::new();
        let mut handle = self.instance.inactive_plugin_handle().expect("flush_params needs an inactive plugin");
        params.flush(&mut handle, &InputEvents::from_buffer(&events), &mut OutputEvents::from_buffer(&mut out_events));
        self.run_main_thread_callbacks();
    }

    /// The plugin's state, as the state extension writes it.
    pub fn save_state(&mut self) -> Vec<u8> {
        let state: PluginState = self.extension("state");
        let mut bytes = Vec::new();
        state.save(&self.instance.plugin_handle(), &mut bytes).expect("the plugin failed to save its state");
        bytes
    }

    /// Hands `bytes` to the state extension's `load()`; the plugin decides whether it accepts them.
    pub fn load_state(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        let state: PluginState = self.extension("state");
        let result = state.load(&self.instance.plugin_handle(), &mut &bytes[..]);
        self.run_main_thread_callbacks();
        result
    }

    /// Sets a persisted (non-parameter) field the way a host restores a project: saves the state,
    /// replaces `fields[name]` with `json` (the field's serialised value) and loads it back.
    pub fn set_persisted_field(&mut self, name: &str, json: &str) {
        let edited = edit_state(&self.save_state(), |document| document["fields"][name] = serde_json::Value::String(json.to_owned()));
        self.load_state(&edited).unwrap_or_else(|e| panic!("the plugin rejected its state with {name} = {json}: {e:?}"));
    }

    /// Activates for `sample_rate` and blocks of `min_frames..=max_frames`; allocates all buffers.
    pub fn activate(&mut self, sample_rate: f64, min_frames: u32, max_frames: u32) {
        assert!(self.audio.is_none(), "the plugin is already active");
        let config =
            PluginAudioConfiguration { sample_rate, min_frames_count: min_frames, max_frames_count: max_frames };
        let processor = self
            .instance
            .activate(|_, _| (), config)
            .unwrap_or_else(|e| panic!("activate({sample_rate} Hz, {min_frames}..={max_frames} frames) failed: {e}"));
        self.audio = Some(AudioSession::new(processor, max_frames as usize));
    }

    /// Whether the plugin is active.
    pub fn is_active(&self) -> bool {
        self.audio.is_some()
    }

    /// Runs `work` on a separate audio thread (the main thread waits), starting processing first.
    pub fn on_audio_thread<R: Send>(&mut self, work: impl FnOnce(&mut AudioSession) -> R + Send) -> R {
        let audio = self.audio.as_mut().expect("activate the plugin before processing");
        let result = run_on_audio_thread(move || {
            audio.ensure_started();
            work(audio)
        });
        self.run_main_thread_callbacks();
        result
    }

    /// Stops processing (on the audio thread) and deactivates (on the main thread).
    pub fn deactivate(&mut self) {
        let mut audio = self.audio.take().expect("the plugin is not active");
        let audio = run_on_audio_thread(move || {
            audio.ensure_stopped();
            audio
        });
        self.instance.deactivate(audio.into_stopped());
        self.run_main_thread_callbacks();
    }

    /// Calls the plugin's `on_main_thread()` if it asked for it.
    pub fn run_main_thread_callbacks(&mut self) {
        if self.host(|h| h.take_callback_request()) {
            self.instance.call_on_main_thread_callback();
        }
    }

    fn extension<E>(&self, name: &str) -> E
    where
        E: clack_host::extensions::Extension<ExtensionSide = clack_host::extensions::PluginExtensionSide>,
    {
        let found = self.instance.plugin_shared_handle().get_extension::<E>();
        found.unwrap_or_else(|| panic!("the plugin does not implement the CLAP {name} extension"))
    }
}

impl Drop for HostedPlugin {
    /// Deactivates properly (stop on the audio thread first) unless a test already panicked.
    fn drop(&mut self) {
        if self.audio.is_some() && !std::thread::panicking() {
            self.deactivate();
        }
    }
}

/// Runs `work` on a fresh scoped thread named "audio" and returns its result (or re-raises its panic).
fn run_on_audio_thread<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    std::thread::scope(|scope| {
        let thread =
            std::thread::Builder::new().name("audio".into()).spawn_scoped(scope, work).expect("spawn the audio thread");
        thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// `state` (nice-plug's 8-byte length prefix + JSON) with its JSON document changed by `edit`.
pub fn edit_state(state: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let (length, body) = state.split_at(8);
    assert_eq!(u64::from_le_bytes(length.try_into().unwrap()) as usize, body.len(), "nice-plug's length prefix");
    let mut document: serde_json::Value = serde_json::from_slice(body).expect("the state is JSON");
    edit(&mut document);
    let body = serde_json::to_vec(&document).unwrap();
    let mut edited = (body.len() as u64).to_le_bytes().to_vec();
    edited.extend_from_slice(&body);
    edited
}
