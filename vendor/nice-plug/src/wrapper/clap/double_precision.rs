//! 64-bit host buffers for plugins that process `f32` (Instrumeter's patch, see PATCHES.md).
//!
//! Before the plugin runs, the host's `f64` ports are read into preallocated `f32` stand-ins; after
//! it ran, the stand-ins are written back. A sample the plugin left as it was comes back as the
//! host's own `f64` value, bit for bit; a sample it changed comes back as its `f32` result.

use std::num::NonZeroU32;
use std::ptr::NonNull;

use clap_sys::audio_buffer::clap_audio_buffer;
use clap_sys::process::clap_process;
use nice_plug_core::audio_setup::AudioIOLayout;

use crate::wrapper::util::buffer_management::ChannelPointers;

/// `f32` stand-ins for the `f64` ports of one audio IO layout, sized when the plugin activates.
pub struct DoublePrecisionPorts {
    inputs: Vec<StandIn>,
    outputs: Vec<StandIn>,
    max_frames: usize,
}

/// One port's `f32` channels. They are reached only through `pointers`, so that the plugin may write
/// them while this struct is borrowed.
struct StandIn {
    _storage: Vec<Box<[f32]>>,
    pointers: Vec<*mut f32>,
}

// SAFETY: the raw pointers point into `_storage`, which the struct owns and never resizes.
unsafe impl Send for DoublePrecisionPorts {}
unsafe impl Sync for DoublePrecisionPorts {}

impl StandIn {
    fn new(channels: u32, max_frames: usize) -> Self {
        let mut storage: Vec<Box<[f32]>> =
            (0..channels).map(|_| vec![0.0; max_frames].into_boxed_slice()).collect();
        let pointers = storage.iter_mut().map(|channel| channel.as_mut_ptr()).collect();
        Self { _storage: storage, pointers }
    }

    fn channel_pointers(&self, host_channels: u32) -> Option<ChannelPointers> {
        let num_channels = self.pointers.len().min(host_channels as usize);
        NonNull::new(self.pointers.as_ptr() as *mut *mut f32)
            .map(|ptrs| ChannelPointers { ptrs, num_channels })
    }
}

/// The channel counts of a layout's ports in CLAP's order: the main port first, then the auxiliary
/// ones.
fn port_widths(main: Option<NonZeroU32>, aux: &[NonZeroU32]) -> Vec<u32> {
    main.iter().chain(aux).map(|channels| channels.get()).collect()
}

impl DoublePrecisionPorts {
    pub fn for_audio_io_layout(max_frames: usize, layout: &AudioIOLayout) -> Self {
        let stand_ins = |widths: Vec<u32>| {
            widths.into_iter().map(|channels| StandIn::new(channels, max_frames)).collect()
        };
        Self {
            inputs: stand_ins(port_widths(layout.main_input_channels, layout.aux_input_ports)),
            outputs: stand_ins(port_widths(layout.main_output_channels, layout.aux_output_ports)),
            max_frames,
        }
    }

    /// Where the plugin reads or writes a host port: the host's own `f32` channels, the stand-in for
    /// its `f64` channels, or nothing when the host gave neither.
    ///
    /// # Safety
    ///
    /// `buffer` must be one of the host's buffers for this process call.
    pub unsafe fn channel_pointers(
        &self,
        is_input: bool,
        port_index: usize,
        buffer: &clap_audio_buffer,
    ) -> Option<ChannelPointers> {
        if let Some(ptrs) = NonNull::new(buffer.data32) {
            return Some(ChannelPointers { ptrs, num_channels: buffer.channel_count as usize });
        }
        if buffer.data64.is_null() {
            return None;
        }
        let stand_ins = if is_input { &self.inputs } else { &self.outputs };
        stand_ins.get(port_index)?.channel_pointers(buffer.channel_count)
    }

    /// The longest block the stand-ins hold, as the host promised at activation.
    pub fn max_frames(&self) -> usize {
        self.max_frames
    }

    /// Whether the stand-ins can hold this process call: it is no longer than the host promised, or
    /// it has no `f64` port.
    ///
    /// # Safety
    ///
    /// `process` must be the host's process call, its buffers valid.
    pub unsafe fn covers(&self, process: &clap_process) -> bool {
        process.frames_count as usize <= self.max_frames
            || unsafe { host_buffers(process, true).chain(host_buffers(process, false)) }
                .all(|buffer| !is_double(buffer))
    }

    /// Reads the host's `f64` input ports into their stand-ins, except the ports `is_active`
    /// says no to (their buffers are not read).
    ///
    /// # Safety
    ///
    /// As for [`Self::covers`], which must have said yes.
    pub unsafe fn read_inputs(&mut self, process: &clap_process, is_active: impl Fn(usize) -> bool) {
        let frames = process.frames_count as usize;
        let ports = unsafe { host_buffers(process, true) }.zip(&self.inputs).enumerate();
        for (port_index, (buffer, stand_in)) in ports {
            if !is_double(buffer) || !is_active(port_index) {
                continue;
            }
            for (channel, &target) in channels(buffer, stand_in) {
                let source = unsafe { *buffer.data64.add(channel) };
                for frame in 0..frames {
                    unsafe { *target.add(frame) = *source.add(frame) as f32 };
                }
            }
        }
    }

    /// Writes the stand-ins back into the host's `f64` output ports. Where a channel of the main
    /// output still holds exactly what the main input's `f64` channel became in `f32`, the input's
    /// own value is written, so that audio the plugin passed through stays bit-exact.
    /// `main_ports_pair`: input port 0 and output port 0 are the layout's main ports.
    ///
    /// # Safety
    ///
    /// As for [`Self::covers`], which must have said yes.
    pub unsafe fn write_outputs(&self, process: &clap_process, main_ports_pair: bool) {
        let frames = process.frames_count as usize;
        let main_input = unsafe { host_buffers(process, true) }
            .next()
            .filter(|input| main_ports_pair && is_double(input));
        let outputs = unsafe { host_buffers(process, false) }.zip(&self.outputs);
        for (port_index, (buffer, stand_in)) in outputs.enumerate() {
            if !is_double(buffer) {
                continue;
            }
            for (channel, &processed) in channels(buffer, stand_in) {
                let target = unsafe { *buffer.data64.add(channel) };
                let passed = main_input
                    .filter(|input| port_index == 0 && channel < input.channel_count as usize)
                    .map(|input| unsafe { *input.data64.add(channel) });
                for frame in 0..frames {
                    let result = unsafe { *processed.add(frame) };
                    let value = match passed.map(|source| unsafe { *source.add(frame) }) {
                        Some(original) if (original as f32).to_bits() == result.to_bits() => {
                            original
                        }
                        _ => f64::from(result),
                    };
                    unsafe { *target.add(frame) = value };
                }
            }
        }
    }
}

/// A port the host gives only as `f64`.
fn is_double(buffer: &clap_audio_buffer) -> bool {
    buffer.data32.is_null() && !buffer.data64.is_null()
}

/// The channels both the host's buffer and the stand-in have, with the stand-in's pointers.
fn channels<'a>(
    buffer: &clap_audio_buffer,
    stand_in: &'a StandIn,
) -> impl Iterator<Item = (usize, &'a *mut f32)> {
    stand_in.pointers.iter().enumerate().take(buffer.channel_count as usize)
}

/// The host's input or output buffers of a process call.
///
/// # Safety
///
/// `process` must be the host's process call, its buffers valid.
unsafe fn host_buffers(
    process: &clap_process,
    inputs: bool,
) -> impl Iterator<Item = &clap_audio_buffer> {
    let (buffers, count) = if inputs {
        (process.audio_inputs, process.audio_inputs_count)
    } else {
        (process.audio_outputs as *const clap_audio_buffer, process.audio_outputs_count)
    };
    let count = if buffers.is_null() { 0 } else { count as usize };
    (0..count).map(move |index| unsafe { &*buffers.add(index) })
}
