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

/// What plays a phrase: a bank (0, or 128 for drum kits), a program, the vibrato depth and the
/// body shift.
pub struct Patch {
    pub bank: u8,
    pub program: u8,
    pub modulation: u8,
    /// Semitones by which the instrument's body (its spectral envelope, formants included) moves
    /// up while the notes keep their pitch: the phrase is played that much lower and slower, then
    /// sped up by as much, as a sampler does when it stretches one recording over many keys.
    pub body_shift: i8,
}

/// `notes` played by `patch`, `seconds` long, mono at the analysis rate.
pub fn render(font: &Arc<SoundFont>, patch: &Patch, notes: &[Note], seconds: f64) -> Result<Vec<f32>> {
    let stretch = 2f64.powf(patch.body_shift as f64 / 12.0);
    let played = lowered(notes, patch.body_shift, stretch);
    let midi = MidiFile::new(&mut Cursor::new(midi_file(patch, &played)?)).map_err(|e| anyhow!("rustysynth rejected a generated MIDI file: {e:?}"))?;
    let mut settings = SynthesizerSettings::new(SYNTH_RATE);
    settings.enable_reverb_and_chorus = false;
    let synthesizer = Synthesizer::new(font, &settings).map_err(|e| anyhow!("cannot start rustysynth: {e:?}"))?;
    let mut sequencer = MidiFileSequencer::new(synthesizer);
    sequencer.play(&Arc::new(midi), false);
    let length = (seconds * stretch * SYNTH_RATE as f64).ceil() as usize;
    let (mut left, mut right) = (vec![0.0; length], vec![0.0; length]);
    sequencer.render(&mut left, &mut right);
    let mono: Vec<f32> = left.iter().zip(&right).map(|(l, r)| 0.5 * (l + r)).collect();
    // Read as if rendered `stretch` times faster: the pitch and timing come back, the body stays moved.
    to_analysis_rate(&mono, SYNTH_RATE as f64 * stretch)
}

/// The notes `semitones` lower (kept within the MIDI range) and `stretch` times longer and later.
fn lowered(notes: &[Note], semitones: i8, stretch: f64) -> Vec<Note> {
    let lower = |key: u8| (key as i16 - semitones as i16).clamp(0, 127) as u8;
    notes.iter().map(|note| Note { key: lower(note.key), start: note.start * stretch, length: note.length * stretch, ..*note }).collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::RATE;
    use realfft::RealFftPlanner;
    use std::fs::File;
    use std::io::BufReader;

    const FLUTE: u8 = 73;

    fn fluid() -> Arc<SoundFont> {
        let path = "/usr/share/sounds/sf2/FluidR3_GM.sf2";
        let file = File::open(path).expect("FluidR3_GM.sf2 (run scripts/install-system-deps.sh)");
        Arc::new(SoundFont::new(&mut BufReader::new(file)).expect("a readable SoundFont"))
    }

    /// Magnitude spectrum of `audio[start..start + 8192]`, 2.7 Hz per bin at the analysis rate.
    fn spectrum(audio: &[f32], start: usize) -> Vec<f32> {
        let size = 8192;
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(size);
        let mut input = audio[start..start + size].to_vec();
        let mut bins = fft.make_output_vec();
        fft.process(&mut input, &mut bins).unwrap();
        bins.iter().map(|bin| bin.norm()).collect()
    }

    fn peak_hz(spectrum: &[f32]) -> f32 {
        let peak = spectrum.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
        peak as f32 * RATE as f32 / (2 * (spectrum.len() - 1)) as f32
    }

    #[test]
    fn a_body_shift_keeps_the_pitch_and_length_and_changes_the_timbre() {
        let font = fluid();
        let note = [Note { start: 0.1, length: 1.2, key: 69, velocity: 100 }];
        let played = |body_shift| render(&font, &Patch { bank: 0, program: FLUTE, modulation: 0, body_shift }, &note, 1.5).unwrap();
        let (plain, up, down) = (played(0), played(4), played(-4));
        let start = (0.4 * RATE as f64) as usize;
        let spectra = [spectrum(&plain, start), spectrum(&up, start), spectrum(&down, start)];
        for (audio, spectrum) in [&plain, &up, &down].iter().zip(&spectra) {
            assert!(audio.len().abs_diff(plain.len()) <= 1, "same length: {} vs {}", audio.len(), plain.len());
            assert!((peak_hz(spectrum) - 440.0).abs() < 12.0, "A4 stays A4: {} Hz", peak_hz(spectrum));
        }
        let distance = |a: &[f32], b: &[f32]| {
            let norm = |s: &[f32]| s.iter().map(|v| v * v).sum::<f32>().sqrt();
            let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            1.0 - dot / (norm(a) * norm(b))
        };
        assert!(distance(&spectra[0], &spectra[1]) > 0.01 && distance(&spectra[0], &spectra[2]) > 0.01, "the harmonics' balance moves");
    }
}
