//! Seeded structure-blind mutations of a valid input (AFL's havoc stage, in small): bit flips,
//! interesting bytes and words, inserted, deleted and repeated spans, truncation, and splices with
//! another seed.

use rand::rngs::StdRng;
use rand::RngExt;

/// Byte values that often sit on a boundary.
const INTERESTING_BYTES: [u8; 6] = [0, 1, 0x7f, 0x80, 0xfe, 0xff];
/// 32-bit little-endian values that break lengths, counts and offsets.
const INTERESTING_WORDS: [u32; 6] = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x0001_0000];
/// The most mutations stacked on one input.
const MAX_STACK: usize = 8;

/// `seed` changed by 1–8 stacked mutations (`other` supplies splices).
pub fn mutate(seed: &[u8], other: &[u8], rng: &mut StdRng) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..rng.random_range(1..=MAX_STACK) {
        mutate_once(&mut data, other, rng);
    }
    data
}

fn mutate_once(data: &mut Vec<u8>, other: &[u8], rng: &mut StdRng) {
    if data.is_empty() {
        data.push(rng.random_range(0..=255));
        return;
    }
    let at = rng.random_range(0..data.len());
    match rng.random_range(0..8) {
        0 => data[at] ^= 1 << rng.random_range(0..8),
        1 => data[at] = INTERESTING_BYTES[rng.random_range(0..INTERESTING_BYTES.len())],
        2 => {
            let word = INTERESTING_WORDS[rng.random_range(0..INTERESTING_WORDS.len())].to_le_bytes();
            let end = (at + 4).min(data.len());
            data[at..end].copy_from_slice(&word[..end - at]);
        }
        3 => {
            let span = random_span(data.len() - at, rng);
            data.drain(at..at + span);
        }
        4 => {
            let bytes: Vec<u8> = (0..random_span(64, rng)).map(|_| rng.random_range(0..=255)).collect();
            data.splice(at..at, bytes);
        }
        5 => {
            let span = random_span(data.len() - at, rng);
            let copy = data[at..at + span].to_vec();
            data.splice(at..at, copy);
        }
        6 => data.truncate(at.max(1)),
        _ => {
            if !other.is_empty() {
                let from = rng.random_range(0..other.len());
                let span = random_span(other.len() - from, rng);
                data.splice(at..at, other[from..from + span].iter().copied());
            }
        }
    }
}

/// A span length in 1..=`limit` (at least 1 when `limit` is), short ones likelier.
fn random_span(limit: usize, rng: &mut StdRng) -> usize {
    let cap = limit.clamp(1, 1 << rng.random_range(0..12));
    rng.random_range(1..=cap).min(limit.max(1))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn mutations_change_inputs_and_repeat_for_a_seed() {
        let seed: Vec<u8> = (0..200u8).collect();
        let run = |s| {
            let mut rng = StdRng::seed_from_u64(s);
            (0..50).map(|_| mutate(&seed, b"other", &mut rng)).collect::<Vec<_>>()
        };
        let (first, again) = (run(7), run(7));
        assert_eq!(first, again, "same seed, same mutations");
        assert!(first.iter().filter(|m| **m != seed).count() >= 45, "mutations should change the input");
        assert!(first.iter().any(|m| m.len() != seed.len()), "some mutations change the length");
        assert!(!mutate(&[], b"", &mut StdRng::seed_from_u64(1)).is_empty());
    }
}
