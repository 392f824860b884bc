//! What each class plays: GM programs with playing ranges, its texture, and its real-note share.

use super::labels::CLASSES;

/// A GM program (or drum kit) standing for a class, how often it is picked, and its range.
pub struct Program {
    pub number: u8,
    pub weight: u32,
    /// Lowest and highest MIDI key its phrases use.
    pub low: u8,
    pub high: u8,
}

/// How a melodic class's phrases are played.
pub struct Melodic {
    /// Share of note events played as chords.
    pub chord_share: f64,
    /// Extra notes in a chord, fewest to most.
    pub chord_extra: (usize, usize),
    /// Longest spread between a chord's notes (a strum), in seconds.
    pub strum_s: f64,
    /// How long a note sounds, as a multiple of the time to the next note (>1 rings over it).
    pub ring: (f64, f64),
    /// Typical note length in beats.
    pub beats_per_note: f64,
    /// Whether the player adds vibrato (modulation wheel in GM).
    pub vibrato: bool,
}

pub enum Texture {
    Melodic(Melodic),
    Drums,
}

pub struct ClassStyle {
    pub programs: &'static [Program],
    pub texture: Texture,
    /// Share of this class's stems built from real recorded notes rather than a SoundFont.
    pub real_share: f64,
}

const fn program(number: u8, weight: u32, low: u8, high: u8) -> Program {
    Program { number, weight, low, high }
}

/// A single-line instrument: no chords.
const fn line(ring: (f64, f64), beats_per_note: f64, vibrato: bool) -> Texture {
    Texture::Melodic(Melodic { chord_share: 0.0, chord_extra: (0, 0), strum_s: 0.0, ring, beats_per_note, vibrato })
}

const fn chords(chord_share: f64, chord_extra: (usize, usize), strum_s: f64, ring: (f64, f64), beats_per_note: f64) -> Texture {
    Texture::Melodic(Melodic { chord_share, chord_extra, strum_s, ring, beats_per_note, vibrato: false })
}

/// GM drum kits (bank 128): Standard, Room, Power, Electronic, TR-808, Jazz, Brush.
const DRUM_KITS: &[Program] =
    &[program(0, 4, 35, 59), program(8, 2, 35, 59), program(16, 1, 35, 59), program(24, 1, 35, 59), program(25, 1, 35, 59), program(32, 2, 35, 59), program(40, 1, 35, 59)];

/// In `instrumeter::models::INSTRUMENTS` order: cel cla flu gac gel org pia sax tru vio voi bas dru.
static STYLES: [ClassStyle; CLASSES] = [
    ClassStyle { programs: &[program(42, 6, 36, 76), program(41, 1, 48, 84), program(43, 1, 28, 60)], texture: line((0.8, 1.0), 1.2, true), real_share: 0.6 },
    ClassStyle { programs: &[program(71, 1, 50, 91)], texture: line((0.75, 1.0), 0.9, false), real_share: 0.3 },
    ClassStyle { programs: &[program(73, 4, 60, 96), program(72, 1, 74, 102)], texture: line((0.7, 1.0), 0.8, true), real_share: 0.3 },
    ClassStyle { programs: &[program(24, 1, 40, 84), program(25, 1, 40, 84)], texture: chords(0.6, (2, 5), 0.03, (1.0, 3.0), 0.6), real_share: 0.4 },
    ClassStyle {
        programs: &[program(26, 2, 40, 86), program(27, 2, 40, 86), program(28, 1, 40, 76), program(29, 2, 40, 81), program(30, 2, 40, 81)],
        texture: chords(0.4, (1, 4), 0.02, (0.8, 2.5), 0.6),
        real_share: 0.35,
    },
    ClassStyle {
        programs: &[program(16, 2, 36, 84), program(17, 1, 36, 84), program(18, 1, 36, 84), program(19, 2, 36, 84), program(20, 1, 48, 84)],
        texture: chords(0.6, (2, 4), 0.005, (0.9, 1.0), 1.5),
        real_share: 0.6,
    },
    ClassStyle {
        programs: &[program(0, 4, 28, 100), program(1, 2, 28, 100), program(2, 1, 28, 100), program(3, 1, 28, 100)],
        texture: chords(0.5, (2, 4), 0.008, (1.0, 3.0), 0.7),
        real_share: 0.35,
    },
    ClassStyle {
        programs: &[program(64, 1, 56, 87), program(65, 2, 49, 81), program(66, 2, 44, 76), program(67, 1, 36, 69)],
        texture: line((0.75, 1.0), 0.8, true),
        real_share: 0.6,
    },
    ClassStyle { programs: &[program(56, 4, 54, 82), program(59, 1, 54, 80)], texture: line((0.6, 1.0), 0.8, false), real_share: 0.5 },
    ClassStyle { programs: &[program(40, 1, 55, 96)], texture: line((0.8, 1.0), 0.9, true), real_share: 0.3 },
    // Choir aahs, voice oohs and synth voice are poor stand-ins for a singer: real notes dominate.
    ClassStyle { programs: &[program(52, 3, 48, 79), program(53, 2, 48, 79), program(54, 1, 48, 84)], texture: line((0.85, 1.0), 1.5, true), real_share: 0.8 },
    ClassStyle {
        programs: &[
            program(32, 2, 28, 55),
            program(33, 3, 28, 55),
            program(34, 2, 28, 55),
            program(35, 1, 28, 55),
            program(36, 1, 28, 55),
            program(37, 1, 28, 55),
            program(38, 1, 28, 55),
            program(39, 1, 28, 55),
        ],
        texture: line((0.6, 1.0), 0.6, false),
        real_share: 0.4,
    },
    ClassStyle { programs: DRUM_KITS, texture: Texture::Drums, real_share: 0.5 },
];

pub fn style(class: usize) -> &'static ClassStyle {
    &STYLES[class]
}
