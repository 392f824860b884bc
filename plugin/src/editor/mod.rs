//! The egui editor: meters, history heatmap, thresholds, model picker, outputs and status line,
//! the session Overview (every instance in the host process) and the Teach tab (a new sound). It only reads the analysis
//! snapshot and the session registry; closing or opening it never touches the audio path.

mod heatmap;
mod meters;
mod overview;
mod picker;
mod status;
mod teach;
mod view;

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::Ui;
use nice_plug::editor::dpi::LogicalSize;
use nice_plug::prelude::*;
use nice_plug::context::gui::GuiContext;
use nice_plug_egui::{create_egui_editor, widgets::ParamSlider, EguiEditor, EguiEditorState, EguiNiceSettings, NiceEguiApp};

use crate::frontend::FrontendConfig;
use crate::live::LiveLink;
use crate::models::user_models_folder;
use crate::params::{EditorTab, InstrumeterParams, ViewSettings, ZOOM_RANGE};
use crate::session::{overview_rows, SESSION};
use picker::{list_models, ModelChoice};
use teach::TeachPanel;
use view::{rows_per_second, AnalysisView};

/// The editor type the plugin hands to nice-plug.
pub type InstrumeterEditor = EguiEditor<EditorApp>;

/// How often the meters redraw while the window is open.
const REDRAW: Duration = Duration::from_millis(16);
/// Smallest window (logical pixels).
const MIN_SIZE: (f32, f32) = (640.0, 420.0);

/// Colours of the dark theme. The meter colours are Okabe & Ito's colour-blind-safe set (sky
/// blue, orange, yellow), chosen so that "playing" differs from "not playing" in lightness and
/// hue for every common colour-vision deficiency; the heatmap uses viridis.
mod palette {
    use egui::Color32;
    pub const TEXT: Color32 = Color32::from_rgb(220, 224, 230);
    pub const DIM: Color32 = Color32::from_rgb(140, 144, 150);
    pub const METER_BACKGROUND: Color32 = Color32::from_rgb(28, 31, 38);
    pub const METER: Color32 = Color32::from_rgb(0, 114, 178);
    pub const ACTIVE: Color32 = Color32::from_rgb(230, 159, 0);
    pub const PEAK: Color32 = Color32::from_rgb(240, 228, 66);
    pub const LAMP_OFF: Color32 = Color32::from_rgb(50, 54, 62);
}

/// Builds the editor with the persisted window size.
pub fn create(params: Arc<InstrumeterParams>, link: Arc<LiveLink>) -> Option<InstrumeterEditor> {
    let view = params.view.read().map(|v| v.clone()).unwrap_or_default();
    let size = LogicalSize::new(f64::from(view.width), f64::from(view.height));
    // The host's (or system's) HiDPI scale is applied by nice-plug-egui; the zoom is the user's.
    let state = EguiEditorState::from_size(size, view.zoom());
    let resize = ResizeHint::resizable().with_min_logical_size(LogicalSize::new(MIN_SIZE.0, MIN_SIZE.1));
    let settings = EguiNiceSettings::new().with_tile("Instrumeter").with_resize_hint(resize);
    let app = EditorApp { params, link, gui: None, view: AnalysisView::default(), models: Vec::new(), path_text: String::new(), last_frame: None, teach: TeachPanel::default() };
    create_egui_editor(state, Default::default(), settings, app)
}

/// The editor's state; it outlives single openings of the window.
pub struct EditorApp {
    params: Arc<InstrumeterParams>,
    link: Arc<LiveLink>,
    gui: Option<GuiContext>,
    view: AnalysisView,
    models: Vec<ModelChoice>,
    path_text: String,
    last_frame: Option<Instant>,
    teach: TeachPanel,
}

impl NiceEguiApp for EditorApp {
    fn build(&mut self, ctx: egui::Context, gui: GuiContext, _frame: &mut nice_plug_egui::Frame) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        ctx.set_visuals(egui::Visuals::dark());
        self.gui = Some(gui);
        self.models = list_models(user_models_folder().as_deref());
        Ok(())
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut nice_plug_egui::Frame) {
        ui.ctx().request_repaint_after(REDRAW);
        let Some(gui) = self.gui.clone() else { return };
        let setter = gui.param_setter();
        let now = Instant::now();
        let dt = self.last_frame.map_or(0.0, |t| (now - t).as_secs_f32());
        self.last_frame = Some(now);
        let view_settings = self.params.view.read().map(|v| v.clone()).unwrap_or_default();
        let snapshot = self.link.with_snapshot(|s| s.clone());
        if let Some(snapshot) = &snapshot {
            self.view.update(snapshot, dt, &view_settings);
        }
        egui::Panel::top("tabs").show(ui, |ui| self.tab_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| {
            let aligned = self.params.aligned.value().then(|| self.link.aligned_delay_s());
            ui.label(egui::RichText::new(status::status_line(snapshot.as_ref(), aligned)).small());
        });
        let n_mels = FrontendConfig::default().n_mels;
        self.teach.collect(&self.link, n_mels);
        if view_settings.tab == EditorTab::Overview {
            egui::CentralPanel::default().show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| overview::draw_overview(ui, &self.params.session, &overview_rows(&SESSION)));
            });
            return;
        }
        if view_settings.tab == EditorTab::Teach {
            let base = self.params.model_path.read().map(|p| p.clone()).unwrap_or_default();
            let taught = egui::CentralPanel::default().show(ui, |ui| self.teach.draw(ui, &self.link, base, n_mels)).inner;
            if let Some(card) = taught {
                self.models = list_models(user_models_folder().as_deref());
                self.choose_model(Some(card));
            }
            return;
        }
        egui::Panel::top("controls").show(ui, |ui| self.controls(ui, &setter));
        egui::CentralPanel::default().show(ui, |ui| match &snapshot {
            Some(snapshot) => {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    meters::draw_meters(ui, snapshot, &self.view, &self.params, &setter);
                    ui.separator();
                    let rows = snapshot.card.as_ref().map_or(1.0, |c| rows_per_second(c)) * view_settings.history_s;
                    let span = heatmap::Span { rows: rows.round() as usize, seconds: view_settings.history_s };
                    heatmap::draw_heatmap(ui, snapshot, &self.view, span);
                });
            }
            None => {
                ui.label("Start playback (or activate the plugin) to see the instruments.");
            }
        });
    }

    fn resized(&mut self, size: nice_plug_egui::baseview::WindowSize) {
        if let Ok(mut view) = self.params.view.write() {
            (view.width, view.height) = (size.logical.width.round() as u32, size.logical.height.round() as u32);
        }
    }

    fn zoom_factor_changed(&mut self, zoom_factor: f32) {
        if let Ok(mut view) = self.params.view.write() {
            view.zoom = zoom_factor;
        }
    }

    fn editor_closed(&mut self) {
        self.last_frame = None;
    }

    /// The host's track name (CLAP track-info, VST3 channel context) names this instance in the
    /// session overview; nice-plug calls this at initialisation and on every change.
    fn track_info_changed(&mut self, info: TrackInfo) {
        self.params.session.set_track_name(Some(info.name()));
    }
}

impl EditorApp {
    /// The heading and the Meters | Overview switch.
    fn tab_bar(&mut self, ui: &mut Ui) {
        let Ok(mut view) = self.params.view.write() else { return };
        ui.horizontal(|ui| {
            ui.heading("Instrumeter");
            ui.selectable_value(&mut view.tab, EditorTab::Meters, "Meters");
            ui.selectable_value(&mut view.tab, EditorTab::Overview, "Overview").on_hover_text("Every Instrumeter in this host");
            ui.selectable_value(&mut view.tab, EditorTab::Teach, "Teach").on_hover_text("Teach it a sound it does not know");
        });
    }

    /// Top panel: model picker, input and outputs, display settings.
    fn controls(&mut self, ui: &mut Ui, setter: &ParamSetter) {
        ui.horizontal(|ui| self.model_picker(ui));
        ui.horizontal(|ui| {
            let automation = &self.params.automation;
            labelled_slider(ui, "Analyse", &self.params.source, setter);
            labelled_slider(ui, "CC out", &automation.cc_enabled, setter);
            labelled_slider(ui, "Gates", &automation.gate_enabled, setter);
            labelled_slider(ui, "Channel", &automation.channel, setter);
        });
        ui.horizontal(|ui| {
            let automation = &self.params.automation;
            labelled_slider(ui, "Attack", &automation.attack_ms, setter);
            labelled_slider(ui, "Release", &automation.release_ms, setter);
            labelled_slider(ui, "Hysteresis", &automation.hysteresis, setter);
        });
        self.display_settings(ui);
    }

    fn model_picker(&mut self, ui: &mut Ui) {
        let current = self.params.model_path.read().map(|p| p.clone()).unwrap_or_default();
        let selected = self.models.iter().find(|m| m.path == current).map_or_else(|| "Custom path".to_owned(), |m| m.summary.clone());
        let mut chosen = None;
        egui::ComboBox::from_id_salt("model").width(420.0).selected_text(selected).show_ui(ui, |ui| {
            for choice in &self.models {
                if ui.selectable_label(choice.path == current, &choice.summary).clicked() {
                    chosen = Some(choice.path.clone());
                }
            }
        });
        if ui.button("Rescan").on_hover_text(format!("Cards in {:?}", user_models_folder())).clicked() {
            self.models = list_models(user_models_folder().as_deref());
        }
        ui.add(egui::TextEdit::singleline(&mut self.path_text).hint_text("path/to/model.card.json").desired_width(200.0));
        if ui.button("Load").clicked() && !self.path_text.trim().is_empty() {
            chosen = Some(Some(self.path_text.trim().into()));
        }
        if let Some(card) = chosen {
            self.choose_model(card);
        }
    }

    /// Makes `card` (`None`: the embedded default) the persisted choice and loads it.
    fn choose_model(&mut self, card: Option<std::path::PathBuf>) {
        if let Ok(mut path) = self.params.model_path.write() {
            path.clone_from(&card);
        }
        self.link.load_model(card);
    }

    fn display_settings(&mut self, ui: &mut Ui) {
        let Ok(mut view) = self.params.view.write() else { return };
        let view: &mut ViewSettings = &mut view;
        ui.horizontal(|ui| {
            ui.label("Zoom");
            let mut zoom = view.zoom();
            if ui.add(egui::Slider::new(&mut zoom, ZOOM_RANGE).step_by(0.05).fixed_decimals(2)).on_hover_text("Also Ctrl + / Ctrl −").changed() {
                view.zoom = zoom;
                ui.ctx().set_zoom_factor(zoom);
            }
            ui.label("History");
            ui.add(egui::Slider::new(&mut view.history_s, 10.0..=60.0).suffix(" s").fixed_decimals(0));
            ui.label("Peak hold");
            ui.add(egui::Slider::new(&mut view.peak_hold_s, 0.0..=10.0).suffix(" s").fixed_decimals(1));
            ui.label("Peak fall");
            ui.add(egui::Slider::new(&mut view.peak_decay_per_s, 0.05..=5.0).suffix(" /s").fixed_decimals(2));
        });
    }
}

fn labelled_slider<P: Param>(ui: &mut Ui, label: &str, param: &P, setter: &ParamSetter) {
    ui.label(label);
    ui.add(ParamSlider::for_param(param, setter).with_width(90.0));
}
