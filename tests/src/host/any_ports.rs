//! Host buffers beyond the stereo `f32` ones [`AudioSession`] keeps: any number of channels per
//! port, 64-bit samples, and the output written over the input's own memory (in place). They are
//! built as raw CLAP buffers, since clack's safe API cannot alias an input with an output.

use std::ptr::null_mut;
use std::time::{Duration, Instant};

use clack_host::prelude::*;
use clap_sys::audio_buffer::clap_audio_buffer;

use super::audio::{AudioSession, ParamChange};

/// A sample width a host may hand a plugin.
pub trait HostSample: Copy + Send + Sync + 'static {
    /// What output buffers hold before `process()`, so output the plugin did not write shows up.
    const UNWRITTEN: Self;
    /// A CLAP buffer over these channel pointers.
    fn port(channels: &mut [*mut Self]) -> clap_audio_buffer;
    /// The sample's bit pattern, for bit-exact comparisons.
    fn bits(self) -> u64;
}

impl HostSample for f32 {
    const UNWRITTEN: f32 = f32::from_bits(0x7fc0_dead);
    fn port(channels: &mut [*mut f32]) -> clap_audio_buffer {
        let count = channels.len() as u32;
        clap_audio_buffer { data32: channels.as_mut_ptr(), data64: null_mut(), channel_count: count, latency: 0, constant_mask: 0 }
    }
    fn bits(self) -> u64 {
        self.to_bits().into()
    }
}

impl HostSample for f64 {
    const UNWRITTEN: f64 = f64::from_bits(0x7ff8_0000_dead_beef);
    fn port(channels: &mut [*mut f64]) -> clap_audio_buffer {
        let count = channels.len() as u32;
        clap_audio_buffer { data32: null_mut(), data64: channels.as_mut_ptr(), channel_count: count, latency: 0, constant_mask: 0 }
    }
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

/// Whether both channel lists hold exactly the same bit patterns (NaN payloads included).
pub fn same_sample_bits<T: HostSample>(a: &[Vec<T>], b: &[Vec<T>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.bits() == q.bits()))
}

/// Where the host wants the main output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Over the main input's own memory.
    InPlace,
    /// In buffers of its own.
    OutOfPlace,
}

impl AudioSession {
    /// Streams `main` and `sidechain` (lists of equally long channels) through in blocks sized by
    /// `block_sizes` (clipped to the activated maximum and to what is left); `params` go with the
    /// first block; with `pace_rate`, each block is due at its time since the start, like an audio
    /// device's. Returns the main output, as wide as the main input.
    pub fn stream_any<T: HostSample>(
        &mut self,
        (main, sidechain): (&[Vec<T>], &[Vec<T>]),
        block_sizes: &mut dyn Iterator<Item = usize>,
        placement: Placement,
        params: &[ParamChange],
        pace_rate: Option<f64>,
    ) -> Vec<Vec<T>> {
        let total = main[0].len();
        let mut output = vec![Vec::with_capacity(total); main.len()];
        let (started, mut params, mut start) = (Instant::now(), params, 0);
        while start < total {
            let block = block_sizes.next().expect("block sizes never end").clamp(1, self.max_frames());
            let range = start..start + block.min(total - start);
            let cut = |channels: &[Vec<T>]| channels.iter().map(|c| c[range.clone()].to_vec()).collect::<Vec<_>>();
            let block_output = self.process_any((&cut(main), &cut(sidechain)), placement, params);
            for (out, samples) in output.iter_mut().zip(block_output) {
                out.extend_from_slice(&samples);
            }
            (start, params) = (range.end, &[]);
            if let Some(rate) = pace_rate {
                std::thread::sleep(Duration::from_secs_f64(start as f64 / rate).saturating_sub(started.elapsed()));
            }
        }
        output
    }

    /// One block of `main` and `sidechain`; see [`Self::stream_any`]. Out of place, the inputs
    /// must come back untouched.
    pub fn process_any<T: HostSample>(
        &mut self,
        (main, sidechain): (&[Vec<T>], &[Vec<T>]),
        placement: Placement,
        params: &[ParamChange],
    ) -> Vec<Vec<T>> {
        let frames = main[0].len();
        let (mut main_in, mut sidechain_in) = (main.to_vec(), sidechain.to_vec());
        let mut main_out = match placement {
            Placement::InPlace => Vec::new(),
            Placement::OutOfPlace => vec![vec![T::UNWRITTEN; frames]; main.len()],
        };
        let (mut main_pointers, mut sidechain_pointers) = (pointers(&mut main_in), pointers(&mut sidechain_in));
        let mut output_pointers = match placement {
            Placement::InPlace => main_pointers.clone(),
            Placement::OutOfPlace => pointers(&mut main_out),
        };
        let inputs = [T::port(&mut main_pointers), T::port(&mut sidechain_pointers)];
        let mut outputs = [T::port(&mut output_pointers)];
        // SAFETY: every channel pointer points into a vector of `frames` samples that outlives the
        // call; in place, the output aliases the main input, as CLAP allows.
        unsafe {
            let inputs = InputAudioBuffers::from_raw_buffers(&inputs, frames as u32);
            let mut outputs = OutputAudioBuffers::from_raw_buffers(&mut outputs, frames as u32);
            self.process_host_buffers(frames, params, &inputs, &mut outputs);
        }
        if placement == Placement::InPlace {
            return main_in;
        }
        assert!(same_sample_bits(&main_in, main), "the plugin wrote into the main input");
        assert!(same_sample_bits(&sidechain_in, sidechain), "the plugin wrote into the sidechain input");
        main_out
    }
}

fn pointers<T>(channels: &mut [Vec<T>]) -> Vec<*mut T> {
    channels.iter_mut().map(|channel| channel.as_mut_ptr()).collect()
}
