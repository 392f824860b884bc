//! One instance's membership in the session: its slot (if one was free) and the name it goes by
//! (the host's track name, else the user's instance name, else "Instrumeter <slot>").

use std::sync::{Arc, Mutex, MutexGuard};

use super::registry::{Claim, Registry};

/// Shared (cheap clones) by the instance's parameters (the persisted instance name), its editor
/// (the host's track name) and its analysis worker (the instruments). Dropping the last clone
/// releases the slot. A detached member (no free slot, or `Default`) publishes nothing.
#[derive(Clone, Default)]
pub struct SessionMember(Arc<Member>);

#[derive(Default)]
struct Member {
    claim: Option<Claim>,
    names: Mutex<Names>,
}

/// The two names an instance may have; only the main and GUI threads touch them.
#[derive(Default)]
struct Names {
    /// The user's name for the instance as typed (blank: none), saved with the project.
    instance: String,
    /// The host's name for the track the instance sits on (CLAP track-info, VST3 channel context).
    track: Option<String>,
}

impl SessionMember {
    /// Claims a slot in `registry` and publishes the default name; detached if the registry is full.
    pub fn join(registry: &'static Registry) -> Self {
        let member = Self(Arc::new(Member { claim: registry.claim(), names: Mutex::default() }));
        member.rename(|_| {});
        member
    }

    /// The slot this instance is listed in (0-based), if it got one.
    pub fn slot(&self) -> Option<usize> {
        self.0.claim.as_ref().map(Claim::index)
    }

    /// The user's name for this instance, as typed (blank: none set).
    pub fn instance_name(&self) -> String {
        self.names().instance.clone()
    }

    /// The host's track name, if the host gave one.
    pub fn track_name(&self) -> Option<String> {
        self.names().track.clone()
    }

    /// Sets the user's name (kept as typed, shown without surrounding blanks) and republishes.
    pub fn set_instance_name(&self, name: &str) {
        self.rename(|names| names.instance = name.to_owned());
    }

    /// Sets the host's track name (`None` or blank: the host gave none) and republishes.
    pub fn set_track_name(&self, name: Option<&str>) {
        self.rename(|names| names.track = name.map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned));
    }

    /// Publishes the instruments the model hears and those playing now (one atomic store:
    /// allocation- and lock-free, any thread).
    pub fn publish_instruments(&self, heard: u32, playing: u32) {
        if let Some(claim) = &self.0.claim {
            claim.publish_instruments(heard, playing);
        }
    }

    /// Changes the names and publishes the result under the same lock, so concurrent renames
    /// publish in the order they happened.
    fn rename(&self, change: impl FnOnce(&mut Names)) {
        let mut names = self.names();
        change(&mut names);
        if let Some(claim) = &self.0.claim {
            claim.set_name(&names.display(self.slot()));
        }
    }

    fn names(&self) -> MutexGuard<'_, Names> {
        self.0.names.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Names {
    /// The name the overview shows: the track's, else the user's, else the default for `slot`.
    fn display(&self, slot: Option<usize>) -> String {
        let given = self.track.as_deref().or(Some(self.instance.trim()).filter(|n| !n.is_empty()));
        given.map_or_else(|| default_name(slot), str::to_owned)
    }
}

/// "Instrumeter 3" for slot 2; plain "Instrumeter" without a slot.
pub fn default_name(slot: Option<usize>) -> String {
    slot.map_or_else(|| "Instrumeter".to_owned(), |slot| format!("Instrumeter {}", slot + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::registry::SLOTS;

    fn fresh() -> &'static Registry {
        Box::leak(Box::new(Registry::new()))
    }

    fn listed(registry: &Registry) -> Vec<String> {
        registry.entries().into_iter().map(|e| e.name).collect()
    }

    #[test]
    fn the_track_name_wins_over_the_instance_name_which_wins_over_the_default() {
        let registry = fresh();
        let (first, second) = (SessionMember::join(registry), SessionMember::join(registry));
        assert_eq!(listed(registry), ["Instrumeter 1", "Instrumeter 2"]);
        second.set_instance_name("  Vocals ");
        assert_eq!(listed(registry), ["Instrumeter 1", "Vocals"]);
        second.set_track_name(Some("Lead vox"));
        assert_eq!(listed(registry), ["Instrumeter 1", "Lead vox"]);
        second.set_track_name(Some(""));
        assert_eq!((listed(registry)[1].as_str(), second.track_name()), ("Vocals", None), "a blank track name is no name");
        first.publish_instruments(0b11, 0b01);
        drop(first);
        assert_eq!(listed(registry), ["Vocals"], "the last clone gone, the slot is free");
    }

    #[test]
    fn clones_share_one_slot_which_outlives_all_but_the_last() {
        let registry = fresh();
        let member = SessionMember::join(registry);
        let worker_side = member.clone();
        drop(member);
        worker_side.publish_instruments(0b100, 0b100);
        let entry = &registry.entries()[0];
        assert_eq!((entry.heard, entry.playing), (0b100, 0b100));
    }

    #[test]
    fn an_instance_beyond_the_last_slot_runs_detached() {
        let registry = fresh();
        let _all: Vec<_> = (0..SLOTS).map(|_| SessionMember::join(registry)).collect();
        let extra = SessionMember::join(registry);
        assert_eq!((extra.slot(), default_name(extra.slot())), (None, "Instrumeter".to_owned()), "its name field's hint");
        extra.set_instance_name("Extra");
        extra.publish_instruments(1, 1);
        assert!(!listed(registry).contains(&"Extra".to_owned()));
    }
}
