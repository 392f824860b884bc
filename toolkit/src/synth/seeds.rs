//! Deterministic seeds (per clip, per phrase) and a stable name hash, all from the master seed.

use super::Split;

/// SplitMix64's finaliser: a well-mixed 64-bit value from any input.
pub fn mix64(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of clip `index` of `split`: it alone decides the clip, whatever the thread count.
pub fn clip_seed(master: u64, split: Split, index: usize) -> u64 {
    mix64(mix64(mix64(master) ^ split.tag()) ^ index as u64)
}

/// The seed of a clip's `stem`-th phrase. Its top two bits are the split's tag, so the splits'
/// phrase seeds are disjoint by construction.
pub fn phrase_seed(clip_seed: u64, split: Split, stem: usize) -> u64 {
    (split.tag() << 62) | (mix64(clip_seed ^ (stem as u64 + 1)) >> 2)
}

/// FNV-1a of `name`: stable across Rust releases, unlike std's hasher.
pub fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |hash, byte| (hash ^ byte as u64).wrapping_mul(0x0000_0100_0000_01B3))
}
