//! The overview's rows: each listed instance's name and the instruments its model hears, playing
//! or not, as the editor's Overview and the C entry point show them.
//!
//! Slots store instruments as bits of the product's fixed list ([`INSTRUMENTS`]), which every
//! model's labels map into, so an instance running another model is still named correctly. A
//! card class outside that list has no bit and is not shown.

use serde::Serialize;

use super::registry::{Entry, Registry};
use crate::models::INSTRUMENTS;

/// One instance in the overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverviewRow {
    /// The instance's slot (0-based): the editor marks its own row by it.
    pub slot: usize,
    pub name: String,
    /// The instruments its model can hear, in [`INSTRUMENTS`] order; empty while the instance
    /// is not processing (inactive, or no model loaded yet).
    pub instruments: Vec<Chip>,
}

/// One instrument of a row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Chip {
    pub code: &'static str,
    pub name: &'static str,
    pub playing: bool,
}

/// The rows of every instance listed in `registry`, in slot order.
pub fn overview_rows(registry: &Registry) -> Vec<OverviewRow> {
    registry.entries().into_iter().map(row).collect()
}

fn row(entry: Entry) -> OverviewRow {
    OverviewRow { slot: entry.slot, name: entry.name, instruments: chips(entry.heard, entry.playing) }
}

/// A chip per instrument in `heard`, playing where `playing` has its bit.
fn chips(heard: u32, playing: u32) -> Vec<Chip> {
    let has = |mask: u32, index: usize| mask & (1 << index) != 0;
    INSTRUMENTS
        .iter()
        .enumerate()
        .filter(|&(index, _)| has(heard, index))
        .map(|(index, &(code, name))| Chip { code, name, playing: has(playing, index) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SessionMember;

    #[test]
    fn rows_name_each_instance_and_its_heard_instruments_playing_or_not() {
        let registry = Box::leak(Box::new(Registry::new()));
        let (bass, idle) = (SessionMember::join(registry), SessionMember::join(registry));
        bass.set_instance_name("Bass");
        // Heard: cello (0), piano (6), drums (12); playing: drums.
        bass.publish_instruments(1 | 1 << 6 | 1 << 12, 1 << 12);
        let rows = overview_rows(registry);
        assert_eq!(rows.len(), 2);
        let chips: Vec<_> = rows[0].instruments.iter().map(|c| (c.code, c.playing)).collect();
        assert_eq!((rows[0].slot, rows[0].name.as_str()), (0, "Bass"));
        assert_eq!(chips, [("cel", false), ("pia", false), ("dru", true)]);
        assert_eq!(rows[0].instruments[2].name, "Drums");
        assert!(rows[1].instruments.is_empty(), "an instance with no model running shows no instruments");
        drop(idle);
        assert_eq!(overview_rows(registry).len(), 1);
    }
}
