//! The plugin's audio ports: the two layouts every host is offered (stereo, mono) and the wider
//! ones a CLAP host may ask for through `configurable-audio-ports` (1–8 channels passed through,
//! a sidechain of 1–8). The analysis downmixes whatever it gets and the aligned mode's delay line
//! is as wide as the output, so any width works.

use nice_plug::prelude::*;

/// Most channels a port may have in a layout a host asks for.
const MAX_CHANNELS: usize = 8;

/// The port names every layout shares; `layout` names the layout itself where hosts list it.
const fn port_names(layout: Option<&'static str>) -> PortNames {
    PortNames { layout, main_input: Some("Input"), main_output: Some("Output"), aux_inputs: &["Sidechain"], aux_outputs: &[] }
}

/// `channels` passed through, a sidechain of `sidechain` (one of the [`SIDECHAINS`]).
const fn layout(channels: u32, sidechain: &'static [NonZeroU32], name: Option<&'static str>) -> AudioIOLayout {
    AudioIOLayout {
        main_input_channels: Some(new_nonzero_u32(channels)),
        main_output_channels: Some(new_nonzero_u32(channels)),
        aux_input_ports: sidechain,
        aux_output_ports: &[],
        names: port_names(name),
    }
}

/// The sidechain port of each width, `SIDECHAINS[n - 1]` for `n` channels.
const SIDECHAINS: [&[NonZeroU32]; MAX_CHANNELS] = [
    &[new_nonzero_u32(1)],
    &[new_nonzero_u32(2)],
    &[new_nonzero_u32(3)],
    &[new_nonzero_u32(4)],
    &[new_nonzero_u32(5)],
    &[new_nonzero_u32(6)],
    &[new_nonzero_u32(7)],
    &[new_nonzero_u32(8)],
];

/// The layouts listed to every host (CLAP's `audio-ports-config`, VST3's bus arrangements).
pub const LISTED: &[AudioIOLayout] = &[layout(2, SIDECHAINS[1], Some("Stereo")), layout(1, SIDECHAINS[0], Some("Mono"))];

/// Every width a CLAP host may ask for: 1–8 channels through, with a sidechain of 1–8.
pub const ANY_WIDTH: &[AudioIOLayout] = &any_width();

const fn any_width() -> [AudioIOLayout; MAX_CHANNELS * MAX_CHANNELS] {
    let mut layouts = [LISTED[0]; MAX_CHANNELS * MAX_CHANNELS];
    let mut index = 0;
    while index < layouts.len() {
        let channels = (index / MAX_CHANNELS + 1) as u32;
        layouts[index] = layout(channels, SIDECHAINS[index % MAX_CHANNELS], None);
        index += 1;
    }
    layouts
}
