//! Which audio IO layout answers a host's `configurable-audio-ports` requests (Instrumeter's
//! patch, see PATCHES.md).

use std::ffi::CStr;

use clap_sys::ext::audio_ports::{CLAP_PORT_MONO, CLAP_PORT_STEREO};
use clap_sys::ext::configurable_audio_ports::clap_audio_port_configuration_request;
use nice_plug_core::audio_setup::AudioIOLayout;

/// One port the host wants with a given number of channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PortRequest {
    is_input: bool,
    port_index: u32,
    channel_count: u32,
}

/// The requests as plain values; `None` when one names a port type this wrapper cannot give (only
/// untyped, mono and stereo ports exist here) or a type that contradicts its channel count.
///
/// # Safety
///
/// `requests` must point to `count` requests whose `port_type`s are null or C strings.
unsafe fn read_requests(
    requests: *const clap_audio_port_configuration_request,
    count: u32,
) -> Option<Vec<PortRequest>> {
    if count > 0 && requests.is_null() {
        return None;
    }
    (0..count as usize)
        .map(|index| {
            let request = unsafe { &*requests.add(index) };
            let type_fits = if request.port_type.is_null() {
                true
            } else {
                let port_type = unsafe { CStr::from_ptr(request.port_type) };
                (port_type == CLAP_PORT_MONO && request.channel_count == 1)
                    || (port_type == CLAP_PORT_STEREO && request.channel_count == 2)
            };
            type_fits.then_some(PortRequest {
                is_input: request.is_input,
                port_index: request.port_index,
                channel_count: request.channel_count,
            })
        })
        .collect()
}

/// A layout's ports and their channel counts in CLAP's order (main port first), inputs or outputs.
fn port_widths(layout: &AudioIOLayout, is_input: bool) -> Vec<u32> {
    let (main, aux) = if is_input {
        (layout.main_input_channels, layout.aux_input_ports)
    } else {
        (layout.main_output_channels, layout.aux_output_ports)
    };
    main.iter().chain(aux).map(|channels| channels.get()).collect()
}

fn grants(layout: &AudioIOLayout, request: &PortRequest) -> bool {
    port_widths(layout, request.is_input).get(request.port_index as usize)
        == Some(&request.channel_count)
}

/// Whether `layout` keeps every port nobody asked about as wide as `current` has it.
fn keeps_the_rest(layout: &AudioIOLayout, current: &AudioIOLayout, requests: &[PortRequest]) -> bool {
    [true, false].into_iter().all(|is_input| {
        let asked = |port_index: usize| {
            requests
                .iter()
                .any(|r| r.is_input == is_input && r.port_index as usize == port_index)
        };
        port_widths(layout, is_input)
            .iter()
            .zip(port_widths(current, is_input))
            .enumerate()
            .all(|(port_index, (width, current_width))| asked(port_index) || *width == current_width)
    })
}

/// The layout among `candidates` that gives every requested port its channel count and has as many
/// ports as `current`, preferring one that leaves the other ports as they are.
///
/// # Safety
///
/// As for [`read_requests`].
pub unsafe fn layout_for_requests<'a>(
    candidates: impl Iterator<Item = &'a AudioIOLayout> + Clone,
    current: &AudioIOLayout,
    requests: *const clap_audio_port_configuration_request,
    count: u32,
) -> Option<AudioIOLayout> {
    let requests = unsafe { read_requests(requests, count) }?;
    let same_ports = |layout: &&AudioIOLayout| {
        [true, false].into_iter().all(|is_input| {
            port_widths(layout, is_input).len() == port_widths(current, is_input).len()
        })
    };
    let granted = candidates
        .filter(same_ports)
        .filter(|layout| requests.iter().all(|request| grants(layout, request)));
    granted
        .clone()
        .find(|layout| keeps_the_rest(layout, current, &requests))
        .or_else(|| granted.clone().next())
        .copied()
}
