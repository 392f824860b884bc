//! Loading a `.clap` file and reading the plugin descriptors its factory lists.

use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};

use clack_host::prelude::*;

use super::handlers::{TestHostMainThread, TestHostShared};
use super::plugin::HostedPlugin;

/// What the plugin factory says about one plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginSummary {
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub version: String,
    pub features: Vec<String>,
}

/// A loaded `.clap` library (its entry is initialised; deinitialised when the last user drops).
pub struct ClapLibrary {
    entry: PluginEntry,
    path: PathBuf,
}

impl ClapLibrary {
    /// Loads the library and calls its entry's `init()`; panics with the reason if that fails.
    pub fn load(path: &Path) -> Self {
        Self::open(path).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Loads the library and calls its entry's `init()`; the error says what is wrong (and, for a
    /// missing file, which command makes it).
    pub fn open(path: &Path) -> Result<Self, String> {
        if !path.exists() {
            return Err(format!("the CLAP library {} does not exist: build it with `cargo xtask bundle instrumeter --release`", path.display()));
        }
        // SAFETY: the file is this workspace's own plugin, built by the test; loading a CLAP
        // library runs its initialisers, which is exactly what the test is about.
        let entry = unsafe { PluginEntry::load(path) }.map_err(|e| format!("cannot load the CLAP library {}: {e}", path.display()))?;
        Ok(Self { entry, path: path.to_path_buf() })
    }

    /// The file this library was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every plugin the library's plugin factory lists.
    pub fn plugins(&self) -> Vec<PluginSummary> {
        let factory = self.entry.get_plugin_factory().expect("the library exposes no CLAP plugin factory");
        factory
            .plugin_descriptors()
            .map(|d| PluginSummary {
                id: text(d.id()),
                name: text(d.name()),
                vendor: text(d.vendor()),
                version: text(d.version()),
                features: d.features().map(|f| f.to_string_lossy().into_owned()).collect(),
            })
            .collect()
    }

    /// The plugin with this id, if the factory lists it.
    pub fn plugin(&self, id: &str) -> Option<PluginSummary> {
        self.plugins().into_iter().find(|p| p.id == id)
    }

    /// Creates and initialises a new instance of the plugin `id`; panics if that fails.
    pub fn instantiate(&self, id: &str) -> HostedPlugin {
        self.instantiate_on_track(id, None)
    }

    /// Like [`Self::instantiate`], on a track the host names `track_name` through the CLAP
    /// track-info extension (`None`: the host gives no track info).
    pub fn instantiate_on_track(&self, id: &str, track_name: Option<&str>) -> HostedPlugin {
        let plugin_id = CString::new(id).expect("plugin ids contain no NUL");
        let host_info = HostInfo::new("Instrumeter host test", "Instrumeter", "https://example.invalid", "0.1.0")
            .expect("host info contains no NUL");
        let instance = PluginInstance::new(
            |_| TestHostShared::default(),
            |_| TestHostMainThread::on_track(track_name),
            &self.entry,
            &plugin_id,
            &host_info,
        )
        .unwrap_or_else(|e| panic!("cannot instantiate {id} from {}: {e}", self.path.display()));
        HostedPlugin::new(instance)
    }
}

fn text(value: Option<&CStr>) -> String {
    value.map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}
