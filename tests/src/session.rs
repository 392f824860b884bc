//! The plugin library's session overview, read through its exported C entry point
//! (`instrumeter_session_overview`) from a second handle on the library the host loaded: the
//! same file opens as the same library, so it sees the same instances.

use std::path::Path;

use serde_json::Value;

type OverviewFn = unsafe extern "C" fn(*mut u8, usize) -> usize;

/// The library, held open while the overview is read.
pub struct SessionProbe {
    library: libloading::Library,
}

impl SessionProbe {
    /// Opens the plugin library at `path` (already loaded by a host: the same library).
    pub fn open(path: &Path) -> Self {
        // SAFETY: the file is this workspace's plugin, which the host in this process has loaded
        // (and initialised) already; opening it again runs no new initialisers.
        let library = unsafe { libloading::Library::new(path) }.unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        Self { library }
    }

    /// The overview's `instances` array, as the plugin writes it.
    pub fn instances(&self) -> Vec<Value> {
        let document: Value = serde_json::from_slice(&self.overview_bytes()).expect("the overview is JSON");
        document["instances"].as_array().expect("the overview has an instances array").clone()
    }

    /// Asks for the length, then reads into a buffer that size (again if it grew meanwhile).
    fn overview_bytes(&self) -> Vec<u8> {
        // SAFETY: the symbol has the documented signature `(*mut u8, usize) -> usize`.
        let overview = unsafe { self.library.get::<OverviewFn>(b"instrumeter_session_overview") }.expect("the plugin exports instrumeter_session_overview");
        let mut buffer = Vec::new();
        loop {
            // SAFETY: `buffer` holds `buffer.len()` writable bytes (a null pointer when empty).
            let needed = unsafe { overview(if buffer.is_empty() { std::ptr::null_mut() } else { buffer.as_mut_ptr() }, buffer.len()) };
            assert!(needed > 0, "the plugin could not make its overview");
            if needed <= buffer.len() {
                buffer.truncate(needed);
                return buffer;
            }
            buffer.resize(needed, 0);
        }
    }
}
