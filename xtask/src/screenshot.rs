//! `cargo xtask screenshot`: the release plugin's editor in a virtual X display (Xvfb), hosted over
//! CLAP while an audio file plays through it in real time, saved as a PNG.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use instrumeter_tests::display::{HostWindow, VirtualDisplay};

use instrumeter_analysis::read_mono;

const BLOCK: usize = 512;
const DEMO: &str = "assets/demo/demo.flac";

/// Plays the first `seconds` of `file` (default: the demo clip) with the editor open, then
/// captures the editor into `png`.
pub fn run(file: Option<PathBuf>, seconds: f64, png: &Path) -> Result<()> {
    let file = file.unwrap_or_else(|| DEMO.into());
    let (mut audio, rate) = read_mono(&file)?;
    audio.truncate((seconds * f64::from(rate)) as usize);
    let rate = f64::from(rate);
    crate::release_bundle::build()?;
    let display = VirtualDisplay::start(1600, 1200);
    // Set before any window, or thread that could read it, exists.
    std::env::set_var("DISPLAY", display.name());
    let library = crate::release_bundle::open()?;
    let mut plugin = library.instantiate("org.instrumeter.instrumeter");
    plugin.activate(rate, 1, BLOCK as u32);
    println!("playing {:.1} s of {} with the editor open …", audio.len() as f64 / rate, file.display());
    let (_, screenshot) = plugin.while_playing(
        |session| session.play_in_real_time([&audio, &audio], None, BLOCK, rate, &[]),
        |editor| {
            let (width, height) = editor.create();
            let window = HostWindow::open(&display, width as u16, height as u16);
            editor.show_in(window.id());
            // The audio thread plays meanwhile; grab the picture just before it ends.
            std::thread::sleep(Duration::from_secs_f64((audio.len() as f64 / rate - 0.5).max(0.5)));
            editor.pump();
            let screenshot = window.capture();
            editor.close();
            screenshot
        },
    );
    plugin.deactivate();
    screenshot.save_png(png);
    println!("editor screenshot ({} colours): {}", screenshot.distinct_colours(), png.display());
    Ok(())
}
