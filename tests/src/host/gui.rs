//! The plugin's editor embedded in a host window (CLAP gui extension, X11), opened and closed on
//! the main thread while the audio thread keeps processing.

use clack_extensions::gui::{GuiApiType, GuiConfiguration, GuiSize, PluginGui, Window};
use clack_host::prelude::*;

use super::audio::AudioSession;
use super::handlers::TestHost;
use super::plugin::HostedPlugin;

const EMBEDDED_X11: GuiConfiguration<'static> = GuiConfiguration { api_type: GuiApiType::X11, is_floating: false };

/// The main thread's handle on the plugin's editor.
pub struct PluginEditor<'a> {
    instance: &'a mut PluginInstance<TestHost>,
    gui: PluginGui,
    open: bool,
}

impl PluginEditor<'_> {
    /// The editor's preferred size in pixels.
    pub fn size(&mut self) -> (u32, u32) {
        let size = self.gui.get_size(&self.instance.plugin_handle()).expect("the editor reports its size");
        (size.width, size.height)
    }

    /// Whether the editor says it can be resized by the host.
    pub fn can_resize(&mut self) -> bool {
        self.gui.can_resize(&self.instance.plugin_handle())
    }

    /// Asks the open editor to take `width` × `height` pixels (as a host does when its window is resized).
    pub fn set_size(&mut self, width: u32, height: u32) {
        let handle = self.instance.plugin_handle();
        self.gui.set_size(&handle, GuiSize { width, height }).expect("gui.set_size");
        self.pump();
    }

    /// Creates the embedded X11 editor and returns its size in pixels, so the host can make a
    /// window that fits.
    pub fn create(&mut self) -> (u32, u32) {
        let handle = self.instance.plugin_handle();
        assert!(self.gui.is_api_supported(&handle, EMBEDDED_X11), "the plugin cannot embed its editor in an X11 window");
        self.gui.create(&handle, EMBEDDED_X11).expect("gui.create(x11, embedded)");
        self.open = true;
        self.size()
    }

    /// Embeds the created editor in the X11 window `parent` and shows it.
    pub fn show_in(&mut self, parent: u32) {
        let handle = self.instance.plugin_handle();
        // SAFETY: the parent window outlives the editor (the caller closes it before dropping it).
        unsafe { self.gui.set_parent(&handle, Window::from_x11_handle(parent.into())) }.expect("gui.set_parent");
        self.gui.show(&handle).expect("gui.show");
        self.pump();
    }

    /// Hides and destroys the editor.
    pub fn close(&mut self) {
        if std::mem::take(&mut self.open) {
            let handle = self.instance.plugin_handle();
            let _ = self.gui.hide(&handle);
            self.gui.destroy(&handle);
            self.pump();
        }
    }

    /// Runs the plugin's main-thread callback if it asked for one (hosts do this on their UI loop).
    pub fn pump(&mut self) {
        if self.instance.access_shared_handler(|h| h.take_callback_request()) {
            self.instance.call_on_main_thread_callback();
        }
    }
}

impl Drop for PluginEditor<'_> {
    fn drop(&mut self) {
        self.close();
    }
}

impl HostedPlugin {
    /// Runs `audio_work` on the audio thread while `main_work` drives the editor on this thread.
    pub fn while_playing<A: Send, M>(
        &mut self,
        audio_work: impl FnOnce(&mut AudioSession) -> A + Send,
        main_work: impl FnOnce(&mut PluginEditor<'_>) -> M,
    ) -> (A, M) {
        let gui: PluginGui = self.instance.plugin_shared_handle().get_extension().expect("the plugin has the CLAP gui extension");
        let audio = self.audio.as_mut().expect("activate the plugin before playing");
        let mut editor = PluginEditor { instance: &mut self.instance, gui, open: false };
        std::thread::scope(|scope| {
            let player = std::thread::Builder::new()
                .name("audio".into())
                .spawn_scoped(scope, move || {
                    audio.ensure_started();
                    audio_work(audio)
                })
                .expect("spawn the audio thread");
            let main_result = main_work(&mut editor);
            drop(editor);
            let audio_result = player.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (audio_result, main_result)
        })
    }
}
