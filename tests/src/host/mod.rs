//! A minimal reusable CLAP host (clack-host): load, instantiate, activate, process, params, state.

mod any_ports;
mod audio;
mod gui;
mod handlers;
mod library;
mod plugin;

pub use any_ports::{same_sample_bits, HostSample, Placement};
pub use audio::{same_bits, AudioSession, ParamChange, PluginEvent, TimedEvent};
pub use clack_host::utils::ClapId;
pub use gui::PluginEditor;
pub use handlers::{TestHost, TestHostMainThread, TestHostShared};
pub use library::{ClapLibrary, PluginSummary};
pub use plugin::{edit_state, HostedPlugin, ParamSummary, PortSummary};
