//! A phrase played by a SoundFont program: written as a MIDI file with midly, rendered by rustysynth.

use std::io::Cursor;
use std::sync::Arc;

use anyhow::{anyhow, Result};
use midly::num::{u15, u24, u28, u4, u7};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};
use rustysynth::{MidiFile, MidiFileSequencer, SoundFont, Synthesizer, SynthesizerSettings};

use super::phrase::Note;
use super::resample::to_analysis_rate;

/// Rendering rate: the SoundFonts' own rate, so the resampler (not the synth) band-limits.
const SYNTH_RATE: i32 = 44_100;
const TICKS_PER_BEAT: u16 = 960;
/// 120 BPM: the file's tempo is fixed and phrases carry their own timing in seconds.
const MICROSECONDS_PER_BEAT: u32 = 500_000;
const DRUM_CHANNEL: u8 = 9;
const MODULATION_WHEEL: u8 = 1;
/// GM drum kits live in bank 128.
pub const DRUM_BANK: u8 = 128;

/// What plays a phrase: a bank (0, or 128 for drum kits), a program and the vibrato depth.
pub struct Patch {
    pub bank: u8,
    pub program: u8,
    pub modulation: u8,
}

/// `notes` played by `patch`, `seconds` long, mono at the analysis rate.
pub fn render(font: &Arc<SoundFont>, patch: &Patch, notes: &[Note], seconds: f64) -> Result<Vec<f32>> {
    let midi = MidiFile::new(&mut Cursor::new(midi_file(patch, notes)?)).map_err(|e| anyhow!("rustysynth rejected a generated MIDI file: {e:?}"))?;
    let mut settings = SynthesizerSettings::new(SYNTH_RATE);
    settings.enable_reverb_and_chorus = false;
    let synthesizer = Synthesizer::new(font, &settings).map_err(|e| anyhow!("cannot start rustysynth: {e:?}"))?;
    let mut sequencer = MidiFileSequencer::new(synthesizer);
    sequencer.play(&Arc::new(midi), false);
    let length = (seconds * SYNTH_RATE as f64).ceil() as usize;
    let (mut left, mut right) = (vec![0.0; length], vec![0.0; length]);
    sequencer.render(&mut left, &mut right);
    let mono: Vec<f32> = left.iter().zip(&right).map(|(l, r)| 0.5 * (l + r)).collect();
    to_analysis_rate(&mono, SYNTH_RATE as f64)
}

fn ticks(seconds: f64) -> u32 {
    (seconds * TICKS_PER_BEAT as f64 * 1e6 / MICROSECONDS_PER_BEAT as f64).round() as u32
}

/// A one-track MIDI file: tempo, program, modulation, then the notes.
fn midi_file(patch: &Patch, notes: &[Note]) -> Result<Vec<u8>> {
    let channel = u4::new(if patch.bank == DRUM_BANK { DRUM_CHANNEL } else { 0 });
    let message = |message| TrackEventKind::Midi { channel, message };
    let mut timed = vec![
        (0, 0, TrackEventKind::Meta(MetaMessage::Tempo(u24::new(MICROSECONDS_PER_BEAT)))),
        (0, 0, message(MidiMessage::ProgramChange { program: u7::new(patch.program) })),
        (0, 0, message(MidiMessage::Controller { controller: u7::new(MODULATION_WHEEL), value: u7::new(patch.modulation) })),
    ];
    for note in without_overlapping_repeats(notes) {
        let (key, vel) = (u7::new(note.key), u7::new(note.velocity));
        // At equal times note-offs (order 1) go before note-ons (order 2).
        timed.push((ticks(note.start), 2, message(MidiMessage::NoteOn { key, vel })));
        timed.push((ticks(note.start + note.length), 1, message(MidiMessage::NoteOff { key, vel: u7::new(0) })));
    }
    timed.sort_by_key(|&(tick, order, _)| (tick, order));
    let mut track = Vec::with_capacity(timed.len() + 1);
    let mut last_tick = 0;
    for (tick, _, kind) in timed {
        track.push(TrackEvent { delta: u28::new(tick - last_tick), kind });
        last_tick = tick;
    }
    track.push(TrackEvent { delta: u28::new(0), kind: TrackEventKind::Meta(MetaMessage::EndOfTrack) });
    let mut smf = Smf::new(Header::new(Format::SingleTrack, Timing::Metrical(u15::new(TICKS_PER_BEAT))));
    smf.tracks.push(track);
    let mut bytes = Vec::new();
    smf.write_std(&mut bytes)?;
    Ok(bytes)
}

/// The notes with each one cut where the same key strikes again (a MIDI note-off would otherwise
/// silence the later note).
fn without_overlapping_repeats(notes: &[Note]) -> Vec<Note> {
    notes
        .iter()
        .map(|note| {
            let next_same_key = notes.iter().filter(|n| n.key == note.key && n.start > note.start).map(|n| n.start).fold(f64::INFINITY, f64::min);
            Note { length: note.length.min(next_same_key - note.start), ..*note }
        })
        .collect()
}
