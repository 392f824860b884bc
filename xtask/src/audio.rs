//! Streaming audio-file decoding (symphonia): wav, flac, mp3, ogg/vorbis → mono f32 blocks.

use std::fs::File;
use std::path::Path;

use anyhow::{ensure, Context, Result};
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as DecodeError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

/// Decodes `path` packet by packet, handing each block (downmixed to mono) and its sample rate to
/// `on_block`. Memory stays bounded by one packet whatever the file's length.
pub fn for_each_mono_block(path: &Path, mut on_block: impl FnMut(&[f32], u32) -> Result<()>) -> Result<()> {
    let file = File::open(path).with_context(|| format!("cannot open audio file {}", path.display()))?;
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(extension) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(extension);
    }
    let unreadable = || format!("{} is not a readable audio file (wav, flac, mp3, ogg)", path.display());
    let mut format = symphonia::default::get_probe()
        .probe(&hint, stream, FormatOptions::default(), MetadataOptions::default())
        .with_context(unreadable)?;
    let track = format.default_track(TrackType::Audio).with_context(unreadable)?;
    let params = track.codec_params.as_ref().and_then(|p| p.audio()).with_context(unreadable)?;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .with_context(unreadable)?;
    let track_id = track.id;
    let (mut interleaved, mut mono) = (Vec::new(), Vec::new());
    while let Some(packet) = format.next_packet().with_context(unreadable)? {
        if packet.track_id != track_id {
            continue;
        }
        let buffer = match decoder.decode(&packet) {
            Ok(buffer) => buffer,
            Err(DecodeError::DecodeError(_)) => continue, // a damaged packet: skip it, keep going
            Err(error) => return Err(error).with_context(unreadable),
        };
        let channels = buffer.spec().channels().count().max(1);
        let rate = buffer.spec().rate();
        interleaved.resize(buffer.samples_interleaved(), 0.0f32);
        buffer.copy_to_slice_interleaved(&mut interleaved);
        downmix(&interleaved, channels, &mut mono);
        on_block(&mono, rate)?;
    }
    Ok(())
}

fn downmix(interleaved: &[f32], channels: usize, mono: &mut Vec<f32>) {
    mono.clear();
    let gain = 1.0 / channels as f32;
    mono.extend(interleaved.chunks_exact(channels).map(|frame| frame.iter().sum::<f32>() * gain));
}

/// The whole of `path` as mono samples, with its sample rate; an error if it holds no audio.
pub fn read_mono(path: &Path) -> Result<(Vec<f32>, u32)> {
    let (mut samples, mut rate) = (Vec::new(), 0);
    for_each_mono_block(path, |block, block_rate| {
        samples.extend_from_slice(block);
        rate = block_rate;
        Ok(())
    })?;
    ensure!(rate > 0 && !samples.is_empty(), "{} holds no audio", path.display());
    Ok((samples, rate))
}
