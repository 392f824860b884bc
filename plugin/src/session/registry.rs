//! The lock-free session registry: a fixed array of slots in the library's statics, one claimed
//! (compare-exchange) by each live plugin instance and released when it is dropped.

use std::sync::atomic::{fence, AtomicU32, AtomicU64, Ordering};

use super::name_cell::NameCell;
use crate::models::INSTRUMENTS;

/// Most instances listed at once; further instances run normally but are not listed.
pub const SLOTS: usize = 64;

/// The registry every instance in this process (this loaded library) joins.
pub static SESSION: Registry = Registry::new();

// Instrument masks are `u32`s with bit `i` = `INSTRUMENTS[i]`.
const _: () = assert!(INSTRUMENTS.len() <= 32);

/// Fixed slots; claiming, publishing and releasing are atomic operations only (no lock, no
/// allocation), so any thread may do them; reading the whole registry allocates its result.
pub struct Registry {
    slots: [Slot; SLOTS],
}

/// One instance's published state.
struct Slot {
    /// Odd while claimed; each claim and each release adds 1, so a reader that sees it change
    /// while it reads knows the slot changed hands meanwhile.
    generation: AtomicU32,
    /// Low 32 bits: the instruments the running model can hear; high 32 bits: those playing now
    /// (bit `i` = `INSTRUMENTS[i]`). One word, so both always come from the same row.
    instruments: AtomicU64,
    name: NameCell,
}

/// What a reader saw in one claimed slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub slot: usize,
    pub name: String,
    /// Instruments the running model can hear (no model running: none).
    pub heard: u32,
    /// Instruments playing now.
    pub playing: u32,
}

/// A claimed slot; releasing it (drop) clears it and removes it from the listing.
pub struct Claim {
    registry: &'static Registry,
    index: usize,
}

impl Slot {
    const fn new() -> Self {
        Self { generation: AtomicU32::new(0), instruments: AtomicU64::new(0), name: NameCell::new() }
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// A registry with every slot free.
    pub const fn new() -> Self {
        Self { slots: [const { Slot::new() }; SLOTS] }
    }

    /// Claims the first free slot; `None` when all [`SLOTS`] are taken.
    pub fn claim(&'static self) -> Option<Claim> {
        self.slots.iter().enumerate().find_map(|(index, slot)| {
            let generation = slot.generation.load(Ordering::Relaxed);
            let free = generation.is_multiple_of(2);
            let won = free
                && slot.generation.compare_exchange(generation, generation.wrapping_add(1), Ordering::Acquire, Ordering::Relaxed).is_ok();
            won.then(|| Claim { registry: self, index })
        })
    }

    /// Every claimed slot, in slot order. A slot that changes hands while it is read is left out.
    pub fn entries(&self) -> Vec<Entry> {
        self.slots.iter().enumerate().filter_map(|(index, slot)| read_slot(index, slot)).collect()
    }
}

fn read_slot(index: usize, slot: &Slot) -> Option<Entry> {
    let generation = slot.generation.load(Ordering::Acquire);
    if generation.is_multiple_of(2) {
        return None;
    }
    let instruments = slot.instruments.load(Ordering::Acquire);
    let name = slot.name.read();
    fence(Ordering::Acquire);
    let unchanged = slot.generation.load(Ordering::Relaxed) == generation;
    unchanged.then_some(Entry { slot: index, name, heard: instruments as u32, playing: (instruments >> 32) as u32 })
}

impl Claim {
    /// This claim's slot index (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// Publishes the instruments the model hears and those playing now (one atomic store).
    pub fn publish_instruments(&self, heard: u32, playing: u32) {
        self.slot().instruments.store(u64::from(heard) | u64::from(playing) << 32, Ordering::Release);
    }

    /// Publishes the name the instance goes by.
    pub fn set_name(&self, name: &str) {
        self.slot().name.write(name);
    }

    fn slot(&self) -> &'static Slot {
        &self.registry.slots[self.index]
    }
}

impl Drop for Claim {
    /// Clears the slot first, so a later claim starts clean, then frees it.
    fn drop(&mut self) {
        self.publish_instruments(0, 0);
        self.set_name("");
        self.slot().generation.fetch_add(1, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A registry of its own, so these tests never meet the instances other tests create.
    fn fresh() -> &'static Registry {
        Box::leak(Box::new(Registry::new()))
    }

    #[test]
    fn slots_are_claimed_in_order_listed_and_reused_after_release() {
        let registry = fresh();
        let first = registry.claim().expect("a free slot");
        let second = registry.claim().expect("a free slot");
        assert_eq!((first.index(), second.index()), (0, 1));
        first.set_name("Bass");
        second.set_name("Keys");
        second.publish_instruments(0b101, 0b100);
        let names: Vec<_> = registry.entries().into_iter().map(|e| (e.slot, e.name, e.heard, e.playing)).collect();
        assert_eq!(names, [(0, "Bass".to_owned(), 0, 0), (1, "Keys".to_owned(), 0b101, 0b100)]);
        drop(first);
        assert_eq!(registry.entries().iter().map(|e| e.slot).collect::<Vec<_>>(), [1], "a released slot is not listed");
        let again = registry.claim().expect("the freed slot");
        assert_eq!(again.index(), 0, "the freed slot is reused");
        let reused = &registry.entries()[0];
        assert_eq!((reused.name.as_str(), reused.heard, reused.playing), ("", 0, 0), "nothing of the old owner is left");
    }

    #[test]
    fn a_full_registry_gives_none_and_a_release_makes_room() {
        let registry = fresh();
        let mut claims: Vec<Claim> = (0..SLOTS).map(|_| registry.claim().expect("a free slot")).collect();
        assert!(registry.claim().is_none(), "slot {} does not exist", SLOTS + 1);
        assert_eq!(registry.entries().len(), SLOTS);
        let freed = claims.swap_remove(17).index();
        assert_eq!(registry.claim().map(|c| c.index()), Some(freed));
    }

    #[test]
    fn concurrent_claims_never_share_a_slot() {
        let registry = fresh();
        let claims: Vec<Claim> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4).map(|_| scope.spawn(|| (0..16).map(|_| registry.claim().unwrap()).collect::<Vec<_>>())).collect();
            workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
        });
        let indices: Vec<usize> = claims.iter().map(Claim::index).collect();
        let mut sorted = indices.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), SLOTS, "64 claims from 4 threads took 64 different slots: {indices:?}");
    }

    #[test]
    fn a_reader_sees_whole_names_and_instrument_pairs_while_another_thread_publishes() {
        let registry = fresh();
        let claim = registry.claim().unwrap();
        let names = ["a".repeat(40), "bb".to_owned()];
        let masks = [(0x0f0f, 0x0f0f), (0x1111, 0x1111)];
        claim.set_name(&names[0]);
        claim.publish_instruments(masks[0].0, masks[0].1);
        let stop = std::sync::atomic::AtomicBool::new(false);
        let torn = std::thread::scope(|scope| {
            scope.spawn(|| {
                for round in 1.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    claim.set_name(&names[round % 2]);
                    let (heard, playing) = masks[round % 2];
                    claim.publish_instruments(heard, playing);
                    // Renames are rare in a session; a writer that never pauses would starve
                    // the (seqlock) readers.
                    std::thread::yield_now();
                }
            });
            let whole = |e: &Entry| names.contains(&e.name) && masks.contains(&(e.heard, e.playing));
            let torn = (0..5_000).map(|_| registry.entries().pop()).find(|entry| !entry.as_ref().is_some_and(whole));
            stop.store(true, Ordering::Relaxed);
            torn
        });
        assert_eq!(torn, None, "a torn or missing entry");
    }
}
