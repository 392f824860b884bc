//! The session: every Instrumeter instance in one host process, listed (name and instruments) in
//! a lock-free registry that each instance's Overview reads.

mod ffi;
mod member;
mod name_cell;
mod overview;
mod registry;

pub use member::{default_name, SessionMember};
pub use overview::{overview_rows, Chip, OverviewRow};
pub use registry::{SESSION, SLOTS};
/// Tests make registries of their own, apart from the instances other tests create.
#[cfg(test)]
pub use registry::Registry;
