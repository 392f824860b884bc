//! The editor in a real window: Xvfb, embedded in a host window through the CLAP gui extension
//! while audio plays, closed and reopened while the audio thread keeps
//! processing, captured as a PNG (`target/screenshots/editor.png`) and checked to show the meters
//! and the history; a host resize must be saved with the project, and a project saved on the
//! Teach tab reopens on it (`target/screenshots/editor-teach.png`).

use std::time::{Duration, Instant};

use instrumeter_tests::bundle::{built_clap_bundle, target_dir};
use instrumeter_tests::display::{HostWindow, VirtualDisplay};
use instrumeter_tests::host::{same_bits, ClapLibrary, HostedPlugin, PluginEditor};
use instrumeter_tests::display::Screenshot;
use instrumeter_tests::signals::main_program;

const RATE: f64 = 48_000.0;
const BLOCK: usize = 512;
/// The meters' background colour (editor palette `METER_BACKGROUND`).
const METER_BACKGROUND: [u8; 3] = [28, 31, 38];

/// Keeps the host's main loop turning for `time`.
fn idle(editor: &mut PluginEditor<'_>, time: Duration) {
    let end = Instant::now() + time;
    while Instant::now() < end {
        editor.pump();
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The editor settings in a saved state (nice-plug: 8-byte length, JSON, fields as JSON strings).
fn persisted_view(state: &[u8]) -> serde_json::Value {
    let document: serde_json::Value = serde_json::from_slice(&state[8..]).expect("the state is JSON");
    let view = document["fields"]["view"].as_str().expect("the state has the editor's view settings");
    serde_json::from_str(view).expect("the view settings are JSON")
}

#[test]
fn the_editor_draws_while_audio_plays_and_survives_reopening() {
    let display = VirtualDisplay::start(1280, 1024);
    // This test binary has this one test, so setting the process environment races with nothing.
    std::env::set_var("DISPLAY", display.name());
    let library = ClapLibrary::load(&built_clap_bundle());
    let mut plugin = library.instantiate("org.instrumeter.instrumeter");
    plugin.activate(RATE, 1, BLOCK as u32);
    let signal = main_program(RATE, 7.0);
    let (output, screenshot) = plugin.while_playing(
        |audio| audio.play_in_real_time([&signal[0], &signal[1]], None, BLOCK, RATE, &[]),
        |editor| {
            let (width, height) = editor.create();
            assert!(width >= 640 && height >= 420, "editor size {width}×{height}");
            let window = HostWindow::open(&display, width as u16, height as u16);
            editor.show_in(window.id());
            idle(editor, Duration::from_millis(1500));
            editor.close();
            idle(editor, Duration::from_millis(300));
            assert_eq!(editor.create(), (width, height), "reopened at the same size");
            editor.show_in(window.id());
            idle(editor, Duration::from_secs(4));
            let screenshot = window.capture();
            assert!(editor.can_resize(), "the editor should be resizable");
            editor.set_size(width - 100, height - 60);
            idle(editor, Duration::from_millis(800));
            editor.close();
            screenshot
        },
    );
    let view = persisted_view(&plugin.save_state());
    let teach_tab = teach_tab_picture(&mut plugin, &display, &view, &signal);
    plugin.deactivate();
    let (width, height) = (screenshot.width, screenshot.height);
    assert_eq!((view["width"].as_u64(), view["height"].as_u64()), (Some(u64::from(width) - 100), Some(u64::from(height) - 60)), "the new editor size is saved with the project: {view}");
    assert!(same_bits(&output[0], &signal[0]) && same_bits(&output[1], &signal[1]), "audio passes through with the editor open");
    let path = target_dir().join("screenshots").join("editor.png");
    screenshot.save_png(&path);
    println!("editor screenshot: {}", path.display());
    let colours = screenshot.distinct_colours();
    assert!(colours > 50, "the window looks empty: {colours} colours in {}", path.display());
    let meter_pixels = screenshot.count_matching(|p| p.iter().zip(METER_BACKGROUND).all(|(a, b)| a.abs_diff(b) <= 2));
    assert!(meter_pixels > 2_000, "no meters drawn ({meter_pixels} meter-background pixels) in {}", path.display());
    // The heatmap's colour for low activations (0–0.1): viridis's dark purple, (68, 1, 84) to
    // (72, 36, 117), which nothing else in the editor uses.
    let cold_history = screenshot.count_matching(|[r, g, b]| (62..80).contains(&r) && g < 45 && (78..125).contains(&b));
    assert!(cold_history > 2_000, "no history heatmap drawn ({cold_history} cold cells) in {}", path.display());
    let teach_path = target_dir().join("screenshots").join("editor-teach.png");
    teach_tab.save_png(&teach_path);
    println!("Teach tab screenshot: {}", teach_path.display());
    let meter_pixels = teach_tab.count_matching(|p| p.iter().zip(METER_BACKGROUND).all(|(a, b)| a.abs_diff(b) <= 2));
    assert!(meter_pixels < 500, "a project saved on the Teach tab reopened on the meters ({meter_pixels} meter pixels) in {}", teach_path.display());
    assert!(teach_tab.distinct_colours() > 10, "the Teach tab looks empty in {}", teach_path.display());
}

/// Restores a project saved on the Teach tab and pictures the editor it opens (while audio plays).
fn teach_tab_picture(plugin: &mut HostedPlugin, display: &VirtualDisplay, view: &serde_json::Value, signal: &[Vec<f32>]) -> Screenshot {
    let mut teach_view = view.clone();
    teach_view["tab"] = "teach".into();
    plugin.set_persisted_field("view", &teach_view.to_string());
    let seconds = 2.0;
    let samples = (seconds * RATE) as usize;
    let (_, picture) = plugin.while_playing(
        |audio| audio.play_in_real_time([&signal[0][..samples], &signal[1][..samples]], None, BLOCK, RATE, &[]),
        |editor| {
            let (width, height) = editor.create();
            let window = HostWindow::open(display, width as u16, height as u16);
            editor.show_in(window.id());
            idle(editor, Duration::from_millis(1500));
            let picture = window.capture();
            editor.close();
            picture
        },
    );
    picture
}
