//! The host's side of the CLAP ABI: callbacks the plugin may call, recorded for the tests.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use clack_extensions::gui::{GuiSize, HostGui, HostGuiImpl};
use clack_extensions::latency::{HostLatency, HostLatencyImpl};
use clack_extensions::log::{HostLog, HostLogImpl, LogSeverity};
use clack_extensions::params::{
    HostParams, HostParamsImplMainThread, HostParamsImplShared, ParamClearFlags, ParamRescanFlags,
};
use clack_extensions::state::{HostState, HostStateImpl};
use clack_extensions::track_info::{HostTrackInfo, HostTrackInfoImpl, TrackInfo, TrackInfoWriter};
use clack_host::prelude::*;

/// The host type: thread-safe [`TestHostShared`] plus main-thread [`TestHostMainThread`].
pub struct TestHost;

impl HostHandlers for TestHost {
    type Shared<'a> = TestHostShared;
    type MainThread<'a> = TestHostMainThread;
    type AudioProcessor<'a> = ();

    fn declare_extensions(builder: &mut HostExtensions<Self>, _shared: &Self::Shared<'_>) {
        builder
            .register::<HostLog>()
            .register::<HostParams>()
            .register::<HostState>()
            .register::<HostGui>()
            .register::<HostLatency>()
            .register::<HostTrackInfo>();
    }
}

/// Requests and log lines the plugin may send from any thread.
#[derive(Default)]
pub struct TestHostShared {
    callback_requested: AtomicBool,
    restart_requested: AtomicBool,
    flush_requested: AtomicBool,
    log: Mutex<Vec<String>>,
}

impl TestHostShared {
    /// Clears and returns whether the plugin asked for `on_main_thread()`.
    pub fn take_callback_request(&self) -> bool {
        self.callback_requested.swap(false, Ordering::AcqRel)
    }

    /// Whether the plugin ever asked to be restarted (deactivated and reactivated).
    pub fn restart_requested(&self) -> bool {
        self.restart_requested.load(Ordering::Acquire)
    }

    /// Whether the plugin ever asked for a parameter flush.
    pub fn flush_requested(&self) -> bool {
        self.flush_requested.load(Ordering::Acquire)
    }

    /// Everything the plugin logged through the host so far, as `[severity] message`.
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl SharedHandler<'_> for TestHostShared {
    fn request_restart(&self) {
        self.restart_requested.store(true, Ordering::Release);
    }

    fn request_process(&self) {}

    fn request_callback(&self) {
        self.callback_requested.store(true, Ordering::Release);
    }
}

impl HostLogImpl for TestHostShared {
    fn log(&self, severity: LogSeverity, message: &str) {
        let line = format!("[{severity}] {message}");
        eprintln!("plugin log: {line}");
        self.log.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }
}

impl HostParamsImplShared for TestHostShared {
    fn request_flush(&self) {
        self.flush_requested.store(true, Ordering::Release);
    }
}

/// The editor's requests: the test host's window has a fixed size and is always shown.
impl HostGuiImpl for TestHostShared {
    fn resize_hints_changed(&self) {}

    fn request_resize(&self, _new_size: GuiSize) -> Result<(), HostError> {
        Err(HostError::Message("the test host's window has a fixed size"))
    }

    fn request_show(&self) -> Result<(), HostError> {
        Ok(())
    }

    fn request_hide(&self) -> Result<(), HostError> {
        Ok(())
    }

    fn closed(&self, _was_destroyed: bool) {}
}

/// Main-thread notifications from the plugin, and the track the instance sits on.
#[derive(Default)]
pub struct TestHostMainThread {
    state_dirty: Cell<bool>,
    params_rescanned: Cell<bool>,
    latency_changed: Cell<bool>,
    /// The track name the track-info extension reports (`None`: it reports nothing).
    track_name: Option<String>,
}

impl TestHostMainThread {
    /// A host placing the instance on a track called `track_name` (`None`: no track info).
    pub fn on_track(track_name: Option<&str>) -> Self {
        Self { track_name: track_name.map(str::to_owned), ..Self::default() }
    }

    /// Whether the plugin marked its state dirty since the last call.
    pub fn take_state_dirty(&self) -> bool {
        self.state_dirty.replace(false)
    }

    /// Whether the plugin said its latency changed since the last call.
    pub fn take_latency_changed(&self) -> bool {
        self.latency_changed.replace(false)
    }

    /// Whether the plugin asked for a parameter rescan since the last call.
    pub fn take_params_rescanned(&self) -> bool {
        self.params_rescanned.replace(false)
    }
}

impl MainThreadHandler<'_> for TestHostMainThread {}

impl HostParamsImplMainThread for TestHostMainThread {
    fn rescan(&self, _flags: ParamRescanFlags) {
        self.params_rescanned.set(true);
    }

    fn clear(&self, _param_id: ClapId, _flags: ParamClearFlags) {}
}

impl HostLatencyImpl for TestHostMainThread {
    fn changed(&self) {
        self.latency_changed.set(true);
    }
}

impl HostTrackInfoImpl for TestHostMainThread {
    fn get<'a>(&'a self, writer: &mut TrackInfoWriter<'_, 'a>) {
        if let Some(name) = &self.track_name {
            writer.set(&TrackInfo::new().with_name(Some(name.as_bytes())));
        }
    }
}

impl HostStateImpl for TestHostMainThread {
    fn mark_dirty(&self) {
        self.state_dirty.set(true);
    }
}
