//! Streaming audio decoding (symphonia): wav, flac, mp3, ogg/vorbis from a file or from bytes in
//! memory → mono f32 blocks.

use std::fs::File;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as DecodeError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

/// The input is not audio this build decodes, or holds none; the message names the input.
#[derive(Debug)]
pub struct Unreadable(pub String);

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unreadable {}

/// Where the audio comes from: a file, or an upload held in memory.
pub enum AudioInput {
    File(PathBuf),
    Bytes {
        /// What messages call it (the upload's file name, or "upload").
        name: String,
        /// The file's extension when known (a hint for the container probe).
        extension: Option<String>,
        data: Vec<u8>,
    },
}

impl From<&Path> for AudioInput {
    fn from(path: &Path) -> Self {
        Self::File(path.to_path_buf())
    }
}

impl AudioInput {
    /// What messages call this input.
    pub fn name(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Bytes { name, .. } => name.clone(),
        }
    }

    fn extension(&self) -> Option<&str> {
        match self {
            Self::File(path) => path.extension().and_then(|e| e.to_str()),
            Self::Bytes { extension, .. } => extension.as_deref(),
        }
    }

    fn open(self) -> Result<Box<dyn MediaSource>> {
        Ok(match self {
            Self::File(path) => {
                Box::new(File::open(&path).with_context(|| format!("cannot open audio file {}", path.display()))?)
            }
            Self::Bytes { data, .. } => Box::new(Cursor::new(data)),
        })
    }
}

/// Decodes `input` packet by packet, handing each block (downmixed to mono) and its sample rate
/// to `on_block`. Memory stays bounded by one packet whatever the length of the audio.
pub fn for_each_mono_block(input: impl Into<AudioInput>, mut on_block: impl FnMut(&[f32], u32) -> Result<()>) -> Result<()> {
    let input = input.into();
    let name = input.name();
    let mut hint = Hint::new();
    if let Some(extension) = input.extension() {
        hint.with_extension(extension);
    }
    let stream = MediaSourceStream::new(input.open()?, Default::default());
    let unreadable = || Unreadable(format!("{name} is not a readable audio file (wav, flac, mp3, ogg)"));
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
    ensure!(rate > 0 && !samples.is_empty(), Unreadable(format!("{} holds no audio", path.display())));
    Ok((samples, rate))
}
