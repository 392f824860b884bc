//! The audio-thread side of an active plugin: pre-allocated buffers and one `process()` per block.

use clack_host::events::event_types::{MidiEvent, NoteOffEvent, NoteOnEvent, ParamValueEvent};
use clack_host::prelude::*;
use core::array::IntoIter;

use super::handlers::TestHost;

/// Main input, sidechain input, main output: two channels each.
const STEREO: usize = 2;
/// What the output buffers hold before each `process()`, so unwritten output shows up.
const UNWRITTEN_OUTPUT: f32 = f32::from_bits(0x7fc0_dead);
/// Parameter changes one block may carry.
const MAX_PARAM_EVENTS: usize = 16;
/// Output events one block may carry before the host's buffer grows.
const OUTPUT_EVENTS: usize = 4096;

/// One parameter change sent with a block: `(param id, plain value)`, applied at the block start.
pub type ParamChange = (ClapId, f64);

/// An event the plugin sent to the host.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PluginEvent {
    /// Raw MIDI 1.0 bytes (CC: `[0xB0 | channel, controller, value]`).
    Midi([u8; 3]),
    NoteOn { channel: i16, key: i16, velocity: f64 },
    NoteOff { channel: i16, key: i16 },
}

/// A plugin event at its sample position since activation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimedEvent {
    pub sample: u64,
    pub event: PluginEvent,
}

/// Owned by the audio thread while the plugin is active. Every buffer the plugin sees is allocated
/// up front; only handing the output back to the test allocates (host side, never in the plugin).
pub struct AudioSession {
    processor: PluginAudioProcessor<TestHost>,
    max_frames: usize,
    main_in: [Vec<f32>; STEREO],
    sidechain_in: [Vec<f32>; STEREO],
    main_out: [Vec<f32>; STEREO],
    input_ports: AudioPorts,
    output_ports: AudioPorts,
    in_events: Vec<ParamValueEvent>,
    out_events: EventBuffer,
    received: Vec<TimedEvent>,
    steady_time: u64,
    blocks_processed: u64,
}

impl AudioSession {
    /// Allocates every buffer for blocks of up to `max_frames`; processing starts on first use.
    pub(super) fn new(processor: StoppedPluginAudioProcessor<TestHost>, max_frames: usize) -> Self {
        let channel = || vec![0.0f32; max_frames];
        Self {
            processor: processor.into(),
            max_frames,
            main_in: [channel(), channel()],
            sidechain_in: [channel(), channel()],
            main_out: [channel(), channel()],
            input_ports: AudioPorts::with_capacity(2 * STEREO, 2),
            output_ports: AudioPorts::with_capacity(STEREO, 1),
            in_events: Vec::with_capacity(MAX_PARAM_EVENTS),
            out_events: EventBuffer::with_capacity(OUTPUT_EVENTS),
            received: Vec::new(),
            steady_time: 0,
            blocks_processed: 0,
        }
    }

    /// The largest block the plugin was activated for.
    pub fn max_frames(&self) -> usize {
        self.max_frames
    }

    /// How many `process()` calls this activation has made.
    pub fn blocks_processed(&self) -> u64 {
        self.blocks_processed
    }

    /// The events the plugin sent since the last call, oldest first.
    pub fn take_events(&mut self) -> Vec<TimedEvent> {
        std::mem::take(&mut self.received)
    }

    /// Samples processed since activation.
    pub fn samples_processed(&self) -> u64 {
        self.steady_time
    }

    /// Calls `start_processing()` unless already started (must run on the audio thread).
    pub(super) fn ensure_started(&mut self) {
        if let Err(error) = self.processor.ensure_processing_started() {
            panic!("the plugin refused start_processing(): {error}");
        }
    }

    /// Calls `stop_processing()` if started (must run on the audio thread).
    pub(super) fn ensure_stopped(&mut self) {
        self.processor.ensure_processing_stopped();
    }

    /// Gives the processor back for deactivation on the main thread.
    pub(super) fn into_stopped(self) -> StoppedPluginAudioProcessor<TestHost> {
        self.processor.into_stopped()
    }

    /// Processes one block: `main` and `sidechain` (silence if `None`) in, the main output back.
    pub fn process_block(
        &mut self,
        main: [&[f32]; STEREO],
        sidechain: Option<[&[f32]; STEREO]>,
        params: &[ParamChange],
    ) -> [Vec<f32>; STEREO] {
        let frames = main[0].len();
        self.check_block(frames, main, sidechain, params);
        self.load_inputs(frames, main, sidechain);
        self.load_param_events(params);
        self.run_plugin(frames);
        self.assert_inputs_untouched(frames, main, sidechain);
        [self.main_out[0][..frames].to_vec(), self.main_out[1][..frames].to_vec()]
    }

    /// Streams whole signals through in blocks sized by `block_sizes` (clipped to the activated
    /// maximum and to what is left); `params` go with the first block. Returns the main output.
    pub fn process_signal(
        &mut self,
        main: [&[f32]; STEREO],
        sidechain: Option<[&[f32]; STEREO]>,
        block_sizes: &mut dyn Iterator<Item = usize>,
        params: &[ParamChange],
    ) -> [Vec<f32>; STEREO] {
        self.stream(main, sidechain, block_sizes, params, |_| {})
    }

    /// Like [`Self::process_signal`] with fixed `block` sizes, but paced like an audio device:
    /// each block is due at its time since the start, at `sample_rate`.
    pub fn play_in_real_time(
        &mut self,
        main: [&[f32]; STEREO],
        sidechain: Option<[&[f32]; STEREO]>,
        block: usize,
        sample_rate: f64,
        params: &[ParamChange],
    ) -> [Vec<f32>; STEREO] {
        let start = std::time::Instant::now();
        self.stream(main, sidechain, &mut std::iter::repeat(block), params, |done| {
            let due = std::time::Duration::from_secs_f64(done as f64 / sample_rate);
            std::thread::sleep(due.saturating_sub(start.elapsed()));
        })
    }

    /// Processes the signals block by block; `after_block` gets the samples done so far.
    fn stream(
        &mut self,
        main: [&[f32]; STEREO],
        sidechain: Option<[&[f32]; STEREO]>,
        block_sizes: &mut dyn Iterator<Item = usize>,
        params: &[ParamChange],
        mut after_block: impl FnMut(usize),
    ) -> [Vec<f32>; STEREO] {
        let total = main[0].len();
        let mut output = [Vec::with_capacity(total), Vec::with_capacity(total)];
        let (mut start, mut params) = (0, params);
        while start < total {
            let frames =
                block_sizes.next().expect("block sizes never end").clamp(1, self.max_frames).min(total - start);
            let range = start..start + frames;
            let block_sidechain = sidechain.map(|channels| channels.map(|c| &c[range.clone()]));
            let block = self.process_block(main.map(|c| &c[range.clone()]), block_sidechain, params);
            for (out, samples) in output.iter_mut().zip(block) {
                out.extend_from_slice(&samples);
            }
            (start, params) = (start + frames, &[]);
            after_block(start);
        }
        output
    }

    fn check_block(&self, frames: usize, main: [&[f32]; 2], sidechain: Option<[&[f32]; 2]>, params: &[ParamChange]) {
        assert!(frames > 0, "CLAP blocks must not be empty");
        assert!(
            frames <= self.max_frames,
            "block of {frames} frames exceeds the activated maximum {}",
            self.max_frames
        );
        let all_channels = main.iter().chain(sidechain.iter().flatten());
        assert!(
            all_channels.into_iter().all(|c| c.len() == frames),
            "all channels of a block must have the same length"
        );
        assert!(params.len() <= MAX_PARAM_EVENTS, "at most {MAX_PARAM_EVENTS} parameter changes per block");
    }

    fn load_inputs(&mut self, frames: usize, main: [&[f32]; 2], sidechain: Option<[&[f32]; 2]>) {
        for (buffer, samples) in self.main_in.iter_mut().zip(main) {
            buffer[..frames].copy_from_slice(samples);
        }
        for (channel, buffer) in self.sidechain_in.iter_mut().enumerate() {
            match sidechain {
                Some(samples) => buffer[..frames].copy_from_slice(samples[channel]),
                None => buffer[..frames].fill(0.0),
            }
        }
        for buffer in &mut self.main_out {
            buffer[..frames].fill(UNWRITTEN_OUTPUT);
        }
    }

    fn load_param_events(&mut self, params: &[ParamChange]) {
        self.in_events.clear();
        for &(id, value) in params {
            self.in_events.push(ParamValueEvent::new(0, id, Pckn::match_all(), value));
        }
        self.out_events.clear();
    }

    fn run_plugin(&mut self, frames: usize) {
        let inputs = self
            .input_ports
            .with_input_buffers([input_port(&mut self.main_in, frames), input_port(&mut self.sidechain_in, frames)]);
        let mut outputs = self.output_ports.with_output_buffers([output_port(&mut self.main_out, frames)]);
        let processor = self.processor.as_started_mut().expect("processing was started");
        let events = (&self.in_events, &mut self.out_events);
        call_process(processor, events, self.steady_time, frames, &inputs, &mut outputs);
        self.finish_block(frames);
    }

    /// Processes one block in buffers the caller built (any channel count, 32 or 64 bit): the
    /// parameter changes `params` go with it; the plugin's events are collected.
    pub(super) fn process_host_buffers(
        &mut self,
        frames: usize,
        params: &[ParamChange],
        inputs: &InputAudioBuffers,
        outputs: &mut OutputAudioBuffers,
    ) {
        assert!(frames > 0 && frames <= self.max_frames, "blocks of 1..={} frames", self.max_frames);
        self.load_param_events(params);
        let processor = self.processor.as_started_mut().expect("processing was started");
        let events = (&self.in_events, &mut self.out_events);
        call_process(processor, events, self.steady_time, frames, inputs, outputs);
        self.finish_block(frames);
    }

    fn finish_block(&mut self, frames: usize) {
        self.collect_events();
        self.steady_time += frames as u64;
        self.blocks_processed += 1;
    }

    fn collect_events(&mut self) {
        for event in self.out_events.iter() {
            let pckn = |p: clack_host::events::Pckn| (p.raw_channel(), p.raw_key());
            let decoded = if let Some(midi) = event.as_event::<MidiEvent>() {
                Some(PluginEvent::Midi(midi.data()))
            } else if let Some(on) = event.as_event::<NoteOnEvent>() {
                let (channel, key) = pckn(on.pckn());
                Some(PluginEvent::NoteOn { channel, key, velocity: on.velocity() })
            } else {
                event.as_event::<NoteOffEvent>().map(|off| {
                    let (channel, key) = pckn(off.pckn());
                    PluginEvent::NoteOff { channel, key }
                })
            };
            let sample = self.steady_time + u64::from(event.header().time());
            self.received.extend(decoded.map(|event| TimedEvent { sample, event }));
        }
    }

    /// CLAP inputs are read-only: the plugin must not have written into them.
    fn assert_inputs_untouched(&self, frames: usize, main: [&[f32]; 2], sidechain: Option<[&[f32]; 2]>) {
        for (channel, buffer) in self.main_in.iter().enumerate() {
            assert!(same_bits(&buffer[..frames], main[channel]), "the plugin wrote into main input channel {channel}");
        }
        for (channel, buffer) in self.sidechain_in.iter().enumerate() {
            let untouched = match sidechain {
                Some(samples) => same_bits(&buffer[..frames], samples[channel]),
                None => buffer[..frames].iter().all(|s| s.to_bits() == 0),
            };
            assert!(untouched, "the plugin wrote into sidechain input channel {channel}");
        }
    }
}

/// One `process()` call; a failure names the block.
fn call_process(
    processor: &mut StartedPluginAudioProcessor<TestHost>,
    (in_events, out_events): (&Vec<ParamValueEvent>, &mut EventBuffer),
    steady_time: u64,
    frames: usize,
    inputs: &InputAudioBuffers,
    outputs: &mut OutputAudioBuffers,
) {
    let status = processor.process(
        inputs,
        outputs,
        &InputEvents::from_buffer(in_events),
        &mut OutputEvents::from_buffer(out_events),
        Some(steady_time),
        None,
    );
    if let Err(error) = status {
        panic!("process() failed for a block of {frames} frames at steady time {steady_time}: {error}");
    }
}

/// Whether both slices hold exactly the same bit patterns (NaN payloads included).
pub fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

type InputPort<'a, I> = AudioPortBuffer<I, IntoIter<InputChannel<'static, f64>, 0>>;
type OutputPort<I> = AudioPortBuffer<I, IntoIter<&'static mut [f64], 0>>;

fn input_port(
    channels: &mut [Vec<f32>; STEREO],
    frames: usize,
) -> InputPort<'_, impl Iterator<Item = InputChannel<'_, f32>>> {
    AudioPortBuffer {
        latency: 0,
        channels: AudioPortBufferType::f32_input_only(
            channels.iter_mut().map(move |c| InputChannel::variable(&mut c[..frames])),
        ),
    }
}

fn output_port(channels: &mut [Vec<f32>; STEREO], frames: usize) -> OutputPort<impl Iterator<Item = &mut [f32]>> {
    AudioPortBuffer {
        latency: 0,
        channels: AudioPortBufferType::f32_output_only(channels.iter_mut().map(move |c| &mut c[..frames])),
    }
}
