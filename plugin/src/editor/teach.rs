//! The Teach tab: record the new sound (≥ 30 s) and, optionally, other sounds from the plugin's
//! input, name it, and fit the class in the background; the new model is saved in the user's
//! models folder and starts running.

use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, TryRecvError};

use egui::Ui;

use crate::live::LiveLink;
use crate::models::{user_models_folder, FrontendSettings};
use crate::teach::{class_code, shipped_bank_for, teach, BaseModel, Lesson, LessonReport, Take, MIN_POSITIVE_S};

/// Most seconds kept per take.
const MAX_TAKE_S: f32 = 180.0;

/// What the background lesson sends back: the new card and the report, or why it failed.
type Outcome = Result<(PathBuf, LessonReport), String>;

/// The tab's state; it lives as long as the editor.
#[derive(Default)]
pub struct TeachPanel {
    name: String,
    new_sound: Vec<f32>,
    other_sounds: Vec<f32>,
    running: Option<Receiver<Outcome>>,
    message: String,
}

impl TeachPanel {
    /// Takes the frames recorded since the last redraw.
    pub fn collect(&mut self, link: &LiveLink, n_mels: usize) {
        let limit = (MAX_TAKE_S * frames_per_s()) as usize * n_mels;
        link.with_lesson_feed(|feed| {
            feed.drain(|take, frame| {
                let buffer = match take {
                    Take::NewSound => &mut self.new_sound,
                    Take::OtherSounds => &mut self.other_sounds,
                };
                if buffer.len() < limit {
                    buffer.extend_from_slice(frame);
                }
            })
        });
    }

    /// Draws the tab; returns the card of a model it just taught (to select and load).
    pub fn draw(&mut self, ui: &mut Ui, link: &LiveLink, base_card: Option<PathBuf>, n_mels: usize) -> Option<PathBuf> {
        ui.heading("Teach a new sound");
        ui.label("Play the new sound through this track for at least 30 s (its notes, its range, its dynamics), then name it and press Teach. Recording other sounds of your mix as well makes it surer; without them, a bank of the built-in instruments stands in.");
        ui.add_space(6.0);
        let recording = link.with_lesson_feed(|feed| feed.recording()).flatten();
        let active = link.with_lesson_feed(|_| ()).is_some();
        self.take_row(ui, link, Take::NewSound, recording, active, n_mels);
        self.take_row(ui, link, Take::OtherSounds, recording, active, n_mels);
        if !active {
            ui.label("Start playback (or activate the plugin) to record.");
        }
        if let Some(lost) = link.with_lesson_feed(|feed| feed.dropped()).filter(|&lost| lost > 0) {
            ui.label(format!("{lost} frames were lost while the editor was busy; the takes have gaps there."));
        }
        ui.horizontal(|ui| {
            ui.label("Name");
            ui.add(egui::TextEdit::singleline(&mut self.name).hint_text("e.g. Kalimba").desired_width(200.0));
            let ready = self.seconds(Take::NewSound, n_mels) >= MIN_POSITIVE_S && class_code(&self.name).is_ok() && self.running.is_none();
            if ui.add_enabled(ready, egui::Button::new("Teach")).clicked() {
                link.with_lesson_feed(|feed| feed.set_recording(None));
                self.start(base_card, n_mels);
            }
            if ui.button("Clear").clicked() {
                (self.new_sound, self.other_sounds) = (Vec::new(), Vec::new());
            }
        });
        if self.running.is_some() {
            ui.label("Teaching…");
        }
        let taught = self.finished();
        if !self.message.is_empty() {
            ui.label(&self.message);
        }
        taught
    }

    fn take_row(&mut self, ui: &mut Ui, link: &LiveLink, take: Take, recording: Option<Take>, active: bool, n_mels: usize) {
        ui.horizontal(|ui| {
            let label = match (take, recording == Some(take)) {
                (_, true) => "Stop recording",
                (Take::NewSound, false) => "Record the new sound",
                (Take::OtherSounds, false) => "Record other sounds (optional)",
            };
            if ui.add_enabled(active, egui::Button::new(label)).clicked() {
                let next = (recording != Some(take)).then_some(take);
                link.with_lesson_feed(|feed| feed.set_recording(next));
            }
            let seconds = self.seconds(take, n_mels);
            if take == Take::NewSound {
                let progress = egui::ProgressBar::new((seconds / MIN_POSITIVE_S).min(1.0)).desired_width(160.0);
                ui.add(progress.text(format!("{seconds:.1} s of {MIN_POSITIVE_S:.0} s")));
            } else {
                ui.label(format!("{seconds:.1} s recorded"));
            }
        });
    }

    fn seconds(&self, take: Take, n_mels: usize) -> f32 {
        let values = if take == Take::NewSound { &self.new_sound } else { &self.other_sounds };
        (values.len() / n_mels.max(1)) as f32 / frames_per_s()
    }

    /// Fits the class on a background thread (embedding a few minutes of audio takes seconds).
    fn start(&mut self, base_card: Option<PathBuf>, n_mels: usize) {
        let (name, new_sound, other_sounds) = (self.name.trim().to_string(), self.new_sound.clone(), self.other_sounds.clone());
        let (sender, receiver) = channel();
        let started = std::thread::Builder::new().name("instrumeter-teach".into()).spawn(move || {
            let _ = sender.send(run_lesson(base_card, name, &new_sound, &other_sounds, n_mels));
        });
        match started {
            Ok(_) => self.running = Some(receiver),
            Err(error) => self.message = format!("Could not start teaching: {error}"),
        }
    }

    fn finished(&mut self) -> Option<PathBuf> {
        let outcome = match self.running.as_ref()?.try_recv() {
            Ok(outcome) => outcome,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => Err("the teaching thread stopped without an answer".into()),
        };
        self.running = None;
        match outcome {
            Ok((card, report)) => {
                let s = report.held_out;
                self.message = format!(
                    "Taught “{}”: on held-out parts of your audio F1 {:.2} (precision {:.2}, recall {:.2}), threshold {:.2}. Saved as {} and running now.",
                    report.name,
                    s.f1,
                    s.precision,
                    s.recall,
                    report.threshold,
                    card.display()
                );
                Some(card)
            }
            Err(error) => {
                self.message = format!("Not taught: {error}");
                None
            }
        }
    }
}

/// Log-mel frames per second of the product's front-end.
fn frames_per_s() -> f32 {
    let settings = FrontendSettings::from(&crate::frontend::FrontendConfig::default());
    settings.sample_rate as f32 / settings.hop as f32
}

/// Teaches the recorded takes to the chosen model and writes the new one to the models folder.
fn run_lesson(base_card: Option<PathBuf>, name: String, new_sound: &[f32], other_sounds: &[f32], n_mels: usize) -> Outcome {
    let base = match &base_card {
        Some(card) => BaseModel::load(card)?,
        None => BaseModel::embedded()?,
    };
    let bank = shipped_bank_for(&base.window_network()?.onnx);
    let seconds = |frames: &[f32]| (frames.len() / n_mels) as f32 / frames_per_s();
    let provenance = format!("{:.0} s of the new sound and {:.0} s of other sounds recorded in the plugin", seconds(new_sound), seconds(other_sounds));
    let negatives = if other_sounds.is_empty() { vec![] } else { vec![other_sounds] };
    let lesson = Lesson { name, positives: vec![new_sound], negatives, provenance };
    let (taught, report) = teach(&base, &lesson, bank.as_ref())?;
    let folder = user_models_folder().ok_or("no models folder (set INSTRUMETER_MODELS)")?;
    Ok((taught.write(&folder)?, report))
}
