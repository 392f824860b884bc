//! Drum grooves with fills on GM drum keys, and the drum role of a key or of a sample's name.

use rand::{Rng, RngExt};

use super::phrase::{draw_beat_s, weighted, Dynamics, Note};

/// What a drum hit is, shared by GM keys and real samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrumRole {
    Kick,
    Snare,
    ClosedHat,
    OpenHat,
    Tom,
    Crash,
    Ride,
    Other,
}

const KICK: u8 = 36;
const SNARE: u8 = 38;
const HAT_OPEN: u8 = 46;
const CRASH: u8 = 49;
const RIDE: u8 = 51;
/// High to low toms: 50, 48, 47, 45, 43, 41.
const TOMS: [u8; 6] = [50, 48, 47, 45, 43, 41];
/// Time keepers with weights: closed hat, pedal hat, ride.
const TIME_KEEPERS: [(u8, u32); 3] = [(42, 6), (44, 1), (RIDE, 3)];
/// How long each hit is held (drum samples mostly ring out by themselves).
const HIT_S: f64 = 1.2;

/// One bar of sixteenths: `x` a hit, `g` a ghost note.
const KICK_PATTERNS: [&str; 6] = ["x.......x.......", "x.......x.x.....", "x..x....x.......", "x.....x...x.....", "x...x...x...x...", "x......x..x....."];
const SNARE_PATTERNS: [&str; 5] = ["....x.......x...", "....x.......x..g", "..g.x..g....x...", "........x.......", "....x..g.g..x..."];
const TIME_PATTERNS: [&str; 4] = ["x.x.x.x.x.x.x.x.", "xxxxxxxxxxxxxxxx", "x...x...x...x...", "..x...x...x...x."];

/// Sample-name fragments (lower case) that give a real drum sample its role, tried in order.
const ROLE_WORDS: [(DrumRole, &[&str]); 7] = [
    (DrumRole::Kick, &["kick", "kdrum", "bassdrum", "_bd"]),
    (DrumRole::OpenHat, &["hatopen", "hatsemiopen", "hihat-open", "hihat-semi-open", "_ho"]),
    (DrumRole::ClosedHat, &["hat", "_hh"]),
    (DrumRole::Tom, &["tom", "_tm", "_ft", "_t1", "_t2"]),
    (DrumRole::Snare, &["snare", "stick", "clap", "_sn", "_sd", "_rs", "_sr"]),
    (DrumRole::Ride, &["ride", "_rd", "_rc"]),
    (DrumRole::Crash, &["crash", "splash", "china", "_cc"]),
];

pub fn role_of_key(key: u8) -> DrumRole {
    match key {
        35 | 36 => DrumRole::Kick,
        37..=40 => DrumRole::Snare,
        42 | 44 => DrumRole::ClosedHat,
        46 => DrumRole::OpenHat,
        41 | 43 | 45 | 47 | 48 | 50 => DrumRole::Tom,
        49 | 52 | 55 | 57 => DrumRole::Crash,
        51 | 53 | 59 => DrumRole::Ride,
        _ => DrumRole::Other,
    }
}

pub fn role_of_sample(name: &str) -> DrumRole {
    let name = name.to_lowercase();
    ROLE_WORDS.iter().find(|(_, words)| words.iter().any(|word| name.contains(word))).map_or(DrumRole::Other, |(role, _)| *role)
}

fn hits(pattern: &str) -> impl Iterator<Item = (usize, bool)> + '_ {
    pattern.bytes().enumerate().filter(|(_, b)| *b != b'.').map(|(step, b)| (step, b == b'g'))
}

/// Hits being laid out on a grid of sixteenths.
struct Grid {
    step_s: f64,
    dynamics: Dynamics,
    notes: Vec<Note>,
}

impl Grid {
    fn hit(&mut self, rng: &mut impl Rng, step: usize, key: u8, accent: f64) {
        let start = (step as f64 * self.step_s + rng.random_range(-0.008..0.008)).max(0.0);
        let velocity = self.dynamics.velocity(rng, start, accent);
        self.notes.push(Note { start, length: HIT_S, key, velocity });
    }
}

fn pick(rng: &mut impl Rng, patterns: &[&'static str]) -> &'static str {
    patterns[rng.random_range(0..patterns.len())]
}

/// A groove covering `span_s` seconds: kick, snare and a time keeper per bar, an open hat now and
/// then, fills on toms and snare, crashes after fills.
pub fn groove(rng: &mut impl Rng, span_s: f64) -> Vec<Note> {
    let mut grid = Grid { step_s: draw_beat_s(rng) / 4.0, dynamics: Dynamics::draw(rng, span_s), notes: Vec::new() };
    let (kick, snare, time_keeping) = (pick(rng, &KICK_PATTERNS), pick(rng, &SNARE_PATTERNS), pick(rng, &TIME_PATTERNS));
    let time_keeper = weighted(rng, &TIME_KEEPERS);
    let (bars, mut crash_next) = ((span_s / (16.0 * grid.step_s)).ceil() as usize, rng.random_bool(0.4));
    for bar in 0..bars {
        let first = bar * 16;
        let fill_from = if rng.random_bool(0.3) { [8, 12][rng.random_range(0..2)] } else { 16 };
        if crash_next {
            grid.hit(rng, first, CRASH, 15.0);
        }
        let open_hat = rng.random_bool(0.3);
        for (step, _) in hits(kick).filter(|(step, _)| *step < fill_from) {
            grid.hit(rng, first + step, KICK, 12.0);
        }
        for (step, ghost) in hits(snare).filter(|(step, _)| *step < fill_from) {
            grid.hit(rng, first + step, SNARE, if ghost { -40.0 } else { 10.0 });
        }
        for (step, _) in hits(time_keeping).filter(|(step, _)| *step < fill_from) {
            let key = if open_hat && step == 14 && time_keeper != RIDE { HAT_OPEN } else { time_keeper };
            grid.hit(rng, first + step, key, if step % 4 == 0 { 0.0 } else { -15.0 });
        }
        for step in fill_from..16 {
            let tom = TOMS[(step - fill_from) * TOMS.len() / (16 - fill_from)];
            let key = if rng.random_bool(0.3) { SNARE } else { tom };
            grid.hit(rng, first + step, key, 8.0);
        }
        crash_next = fill_from < 16 || rng.random_bool(0.1);
    }
    grid.notes.sort_by(|a, b| a.start.total_cmp(&b.start));
    grid.notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_sample_names_get_their_roles() {
        let cases = [
            ("h2_bjapacific_BD_01", DrumRole::Kick),
            ("h2_blackpearl_PearlSnareRimshot-Hard", DrumRole::Snare),
            ("h2_blackpearl_SabianHatOpen-Med", DrumRole::OpenHat),
            ("h2_blackpearl_SabianHatPedal-Soft", DrumRole::ClosedHat),
            ("h2_colombo_hihat-semi-open-1", DrumRole::OpenHat),
            ("h2_blackpearl_PearlTomFloor-Soft", DrumRole::Tom),
            ("h2_colombo_crash16i__ride2", DrumRole::Ride),
            ("h2_colombo_crash20i__crash", DrumRole::Crash),
            ("h2_millo3_hh_p_01", DrumRole::ClosedHat),
            ("h2_millo3_ho_01", DrumRole::OpenHat),
            ("h2_millo3_ft_02", DrumRole::Tom),
            ("h2_blackpearl_Cowbell-Hard", DrumRole::Other),
            ("muld_KdrumL__3-KdrumL", DrumRole::Kick),
            ("muld_China__2-China", DrumRole::Crash),
            ("muld_HihatOpen__4-HihatOpen", DrumRole::OpenHat),
        ];
        for (name, role) in cases {
            assert_eq!(role_of_sample(name), role, "{name}");
        }
    }
}
