//! CLAP's audio-port extensions through a real host, with the alloc-checked bundle (an allocation
//! in `process()` aborts the run): 64-bit buffers, in place and out of place, pass through bit
//! for bit, values `f32` cannot hold included; a host can ask for 1–8 channels through and a
//! sidechain of 1–8 (configurable-audio-ports) and is refused what the plugin cannot give; a host
//! can deactivate ports (audio-ports-activation).

use clack_extensions::audio_ports::AudioPortType;
use clack_extensions::configurable_audio_ports::{AudioPortRequest, AudioPortRequestDetails};
use instrumeter_tests::bundle::built_clap_bundle;
use instrumeter_tests::host::{same_sample_bits, ClapLibrary, HostedPlugin, Placement};
use instrumeter_tests::signals::{hostile_inputs, Noise};

const PLUGIN_ID: &str = "org.instrumeter.instrumeter";
const RATE: f64 = 48_000.0;
const MAX_BLOCK: usize = 512;
/// Samples per signal: 50 ms.
const LEN: usize = 2_400;

fn instance() -> HostedPlugin {
    ClapLibrary::load(&built_clap_bundle()).instantiate(PLUGIN_ID)
}

/// 64-bit signals: noise finer than `f32` resolves, values `f32` cannot hold (they overflow to
/// ±Inf, vanish to 0 or lose their subnormal bits in `f32`), NaN payloads, and the `f32` hostile
/// inputs (NaN, ±Inf, denormals, DC, square) widened.
fn signals() -> Vec<(String, Vec<f64>)> {
    let mut noise = Noise::new(17);
    let fine = (0..LEN).map(|_| f64::from(noise.next_sample()) * (1.0 + 1e-12)).collect();
    let beyond_f32 = [1e300, -3.5e38 * 10.0, 1e-310, -1e-46, f64::MIN_POSITIVE, 0.1, f64::from_bits(0x7ff8_0000_0000_1234)];
    let beyond = (0..LEN).map(|i| beyond_f32[i % beyond_f32.len()]).collect();
    let mut signals = vec![("fine noise".to_string(), fine), ("values f32 cannot hold".to_string(), beyond)];
    let widened = hostile_inputs(LEN).into_iter().map(|(name, s)| (format!("{name}, widened"), s.into_iter().map(f64::from).collect()));
    signals.extend(widened);
    signals
}

#[test]
fn every_port_takes_64_bit_audio() {
    let mut plugin = instance();
    let ports: Vec<_> = plugin.audio_ports(true).into_iter().chain(plugin.audio_ports(false)).collect();
    assert_eq!(ports.len(), 3);
    assert!(ports.iter().all(|port| port.takes_f64), "{ports:?}");
}

#[test]
fn sixty_four_bit_audio_passes_through_bit_exact_in_place_and_out_of_place() {
    let mut plugin = instance();
    plugin.activate(RATE, 1, MAX_BLOCK as u32);
    let signals = signals();
    for placement in [Placement::InPlace, Placement::OutOfPlace] {
        for block in [1, 7, MAX_BLOCK] {
            for (index, (name, left)) in signals.iter().enumerate() {
                let right = signals[(index + 1) % signals.len()].1.clone();
                let main = [left.clone(), right];
                let sidechain = [signals[(index + 2) % signals.len()].1.clone(), left.clone()];
                let output = plugin.on_audio_thread(|audio| audio.stream_any((&main, &sidechain), &mut std::iter::repeat(block), placement, &[], None));
                assert!(same_sample_bits(&output, &main), "{name}, {placement:?}, blocks of {block}: the output differs from the input");
            }
        }
    }
}

/// Asks for `main` channels through and a sidechain of `sidechain`.
fn widths(main: u32, sidechain: u32) -> [AudioPortRequest<'static>; 3] {
    [
        AudioPortRequest::new(true, 0, AudioPortRequestDetails::untyped(main)),
        AudioPortRequest::new(false, 0, AudioPortRequestDetails::untyped(main)),
        AudioPortRequest::new(true, 1, AudioPortRequestDetails::untyped(sidechain)),
    ]
}

/// The channel counts of the plugin's input ports (main, sidechain) and output ports (main).
fn port_widths(plugin: &mut HostedPlugin) -> (Vec<u32>, Vec<u32>) {
    let channels = |ports: Vec<instrumeter_tests::host::PortSummary>| ports.iter().map(|p| p.channels).collect();
    (channels(plugin.audio_ports(true)), channels(plugin.audio_ports(false)))
}

#[test]
fn a_host_can_ask_for_one_to_eight_channels_through_and_a_sidechain_of_one_to_eight() {
    let mut plugin = instance();
    let mut noise = Noise::new(3);
    for (main, sidechain) in [(1, 1), (6, 2), (8, 8), (3, 5), (2, 2)] {
        assert_eq!(plugin.request_audio_ports(&widths(main, sidechain)), (true, true), "{main} through, sidechain {sidechain}");
        assert_eq!(port_widths(&mut plugin), (vec![main, sidechain], vec![main]));
        let mut channels = |count| (0..count).map(|_| (0..LEN).map(|_| noise.next_sample()).collect::<Vec<f32>>()).collect::<Vec<_>>();
        let (input, side) = (channels(main), channels(sidechain));
        plugin.activate(RATE, 1, MAX_BLOCK as u32);
        for placement in [Placement::InPlace, Placement::OutOfPlace] {
            let output = plugin.on_audio_thread(|audio| audio.stream_any((&input, &side), &mut std::iter::repeat(64), placement, &[], None));
            assert!(same_sample_bits(&output, &input), "{main} channels through, sidechain {sidechain}, {placement:?}");
        }
        plugin.deactivate();
    }
}

#[test]
fn requests_the_plugin_cannot_meet_are_refused_and_change_nothing() {
    let mut plugin = instance();
    let stereo = (vec![2, 2], vec![2]);
    assert_eq!(port_widths(&mut plugin), stereo);
    // SAFETY: a null detail pointer with a port type that needs none.
    let stereo_of_one = unsafe { AudioPortRequestDetails::from_raw(Some(AudioPortType::STEREO), 1, std::ptr::null()) };
    let refused: [(&str, Vec<AudioPortRequest>); 5] = [
        ("2 in, 3 out (it passes audio through)", vec![widths(2, 2)[0], AudioPortRequest::new(false, 0, AudioPortRequestDetails::untyped(3))]),
        ("9 channels", widths(9, 2).to_vec()),
        ("no channels", widths(0, 2).to_vec()),
        ("a third input port", vec![AudioPortRequest::new(true, 2, AudioPortRequestDetails::untyped(2))]),
        ("a stereo port of one channel", vec![AudioPortRequest::new(true, 1, stereo_of_one)]),
    ];
    for (what, requests) in refused {
        assert_eq!(plugin.request_audio_ports(&requests), (false, false), "{what}");
        assert_eq!(port_widths(&mut plugin), stereo, "{what} changed the ports");
    }
    // Asking for the sidechain alone leaves the rest as it is.
    let mono_sidechain = [AudioPortRequest::new(true, 1, AudioPortRequestDetails::mono())];
    assert_eq!(plugin.request_audio_ports(&mono_sidechain), (true, true));
    assert_eq!(port_widths(&mut plugin), (vec![2, 1], vec![2]));
}

#[test]
fn a_host_can_deactivate_ports_and_audio_still_passes() {
    let mut plugin = instance();
    assert!(plugin.set_audio_port_active(true, 1, false), "the sidechain may be deactivated");
    assert!(plugin.set_audio_port_active(false, 0, false), "the output may be deactivated");
    assert!(!plugin.set_audio_port_active(true, 2, false), "there is no third input");
    assert!(!plugin.set_audio_port_active(false, 1, true), "there is no second output");
    let mut noise = Noise::new(9);
    let input: Vec<Vec<f32>> = (0..2).map(|_| (0..LEN).map(|_| noise.next_sample()).collect()).collect();
    let silent_sidechain = vec![vec![0.0f32; LEN]; 2];
    plugin.activate(RATE, 1, MAX_BLOCK as u32);
    let output = plugin.on_audio_thread(|audio| audio.stream_any((&input, &silent_sidechain), &mut std::iter::repeat(100), Placement::OutOfPlace, &[], None));
    assert!(same_sample_bits(&output, &input));
    plugin.deactivate();
    assert!(plugin.set_audio_port_active(true, 1, true), "and activated again");
}
