//! MIDI export: one track per instrument carrying its activation as a CC curve (0–127), for NMF
//! tools and DAWs. Only changes are stored, so the file stays small for steady passages.

use anyhow::{Context, Result};
use instrumeter::models::ModelCard;
use midly::num::{u15, u28, u4, u7};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

/// Ticks per quarter note; with the default 120 bpm one tick is ≈ 0.52 ms.
const TICKS_PER_BEAT: u16 = 960;
const TICKS_PER_SECOND: f64 = TICKS_PER_BEAT as f64 * 2.0;
/// CC 20 + class index carries each class, on MIDI channel 1.
pub const FIRST_CC: u8 = 20;

/// CC value changes per class, with the tick of the last event written.
pub struct MidiCurves {
    names: Vec<String>,
    events: Vec<Vec<(u32, u8)>>,
}

impl MidiCurves {
    pub fn new(card: &ModelCard) -> Self {
        Self { names: card.labels.iter().map(|l| l.name.clone()).collect(), events: vec![Vec::new(); card.labels.len()] }
    }

    /// Adds the values at `time_s`; a class gets an event only when its CC value changes.
    pub fn add(&mut self, time_s: f64, values: &[f32]) {
        let tick = (time_s * TICKS_PER_SECOND).round() as u32;
        for (events, &value) in self.events.iter_mut().zip(values) {
            let cc = (value.clamp(0.0, 1.0) * 127.0).round() as u8;
            if events.last().is_none_or(|&(_, last)| last != cc) {
                events.push((tick, cc));
            }
        }
    }

    /// A format-1 MIDI file: one named track per class.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let header = Header::new(Format::Parallel, Timing::Metrical(u15::new(TICKS_PER_BEAT)));
        let mut smf = Smf::new(header);
        for (index, (name, events)) in self.names.iter().zip(&self.events).enumerate() {
            smf.tracks.push(track(name, FIRST_CC + index as u8, events));
        }
        let mut bytes = Vec::new();
        smf.write_std(&mut bytes).context("cannot encode the MIDI file")?;
        Ok(bytes)
    }
}

fn track<'a>(name: &'a str, controller: u8, events: &[(u32, u8)]) -> Vec<TrackEvent<'a>> {
    let mut track = vec![TrackEvent { delta: u28::new(0), kind: TrackEventKind::Meta(MetaMessage::TrackName(name.as_bytes())) }];
    let mut last_tick = 0;
    for &(tick, value) in events {
        let message = MidiMessage::Controller { controller: u7::new(controller), value: u7::new(value) };
        track.push(TrackEvent { delta: u28::new(tick - last_tick), kind: TrackEventKind::Midi { channel: u4::new(0), message } });
        last_tick = tick;
    }
    track.push(TrackEvent { delta: u28::new(0), kind: TrackEventKind::Meta(MetaMessage::EndOfTrack) });
    track
}
