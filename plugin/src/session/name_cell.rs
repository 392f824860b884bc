//! A short UTF-8 name in fixed-size atomics behind a seqlock: writers take turns, readers never block them.

use std::sync::atomic::{fence, AtomicU32, AtomicU8, Ordering};

/// Longest name kept, in bytes (longer names are cut at a character boundary).
pub const NAME_BYTES: usize = 64;

/// A name readable from any thread while another thread renames it; a reader sees the old or
/// the new name, never a mix.
pub struct NameCell {
    /// Even: stable; odd: a writer is inside. Every write adds 2.
    sequence: AtomicU32,
    len: AtomicU8,
    bytes: [AtomicU8; NAME_BYTES],
}

impl NameCell {
    /// An empty name.
    pub const fn new() -> Self {
        Self { sequence: AtomicU32::new(0), len: AtomicU8::new(0), bytes: [const { AtomicU8::new(0) }; NAME_BYTES] }
    }

    /// Replaces the name (cut to [`NAME_BYTES`]); waits only for another writer of this cell.
    pub fn write(&self, name: &str) {
        let name = truncate(name, NAME_BYTES);
        let sequence = self.enter();
        fence(Ordering::Release);
        for (index, cell) in self.bytes.iter().enumerate() {
            cell.store(name.as_bytes().get(index).copied().unwrap_or(0), Ordering::Relaxed);
        }
        self.len.store(name.len() as u8, Ordering::Relaxed);
        self.sequence.store(sequence.wrapping_add(2), Ordering::Release);
    }

    /// The current name; retries while a writer is inside (writes are a few dozen stores).
    pub fn read(&self) -> String {
        loop {
            let before = self.sequence.load(Ordering::Acquire);
            if before.is_multiple_of(2) {
                let len = usize::from(self.len.load(Ordering::Relaxed)).min(NAME_BYTES);
                let bytes: [u8; NAME_BYTES] = std::array::from_fn(|i| self.bytes[i].load(Ordering::Relaxed));
                fence(Ordering::Acquire);
                if self.sequence.load(Ordering::Relaxed) == before {
                    return String::from_utf8_lossy(&bytes[..len]).into_owned();
                }
            }
            std::thread::yield_now();
        }
    }

    /// Makes the sequence odd (this writer is inside) and returns its even value from before.
    fn enter(&self) -> u32 {
        let mut sequence = self.sequence.load(Ordering::Relaxed);
        loop {
            if !sequence.is_multiple_of(2) {
                std::hint::spin_loop();
                sequence = self.sequence.load(Ordering::Relaxed);
                continue;
            }
            match self.sequence.compare_exchange_weak(sequence, sequence.wrapping_add(1), Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => return sequence,
                Err(now) => sequence = now,
            }
        }
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    let end = (0..=max.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_long_ones_are_cut_on_a_character_boundary() {
        let cell = NameCell::new();
        assert_eq!(cell.read(), "");
        cell.write("Drums bus");
        assert_eq!(cell.read(), "Drums bus");
        let long = "é".repeat(40);
        cell.write(&long);
        assert_eq!(cell.read(), "é".repeat(32), "64 bytes = 32 two-byte characters");
        cell.write(&format!("a{long}"));
        assert_eq!(cell.read(), format!("a{}", "é".repeat(31)), "the cut never splits a character");
        cell.write("x");
        assert_eq!(cell.read(), "x", "a shorter name leaves nothing of the longer one");
    }
}
