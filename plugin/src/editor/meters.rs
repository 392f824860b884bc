//! One row per instrument: on/off, name, meter (activation, threshold marker, peak-hold line;
//! the numbers on hover), "active" lamp and the threshold slider (default: the model card's).

use egui::{Color32, Rect, Sense, Stroke, Ui, Vec2};
use nice_plug::prelude::ParamSetter;

use super::palette;
use super::view::AnalysisView;
use crate::engine::{label_slots, AnalysisSnapshot, MAX_CLASSES};
use crate::params::InstrumeterParams;

const METER_SIZE: Vec2 = Vec2::new(260.0, 16.0);
const LAMP_RADIUS: f32 = 6.0;

/// The meter rows of the active model's classes.
pub fn draw_meters(ui: &mut Ui, snapshot: &AnalysisSnapshot, view: &AnalysisView, params: &InstrumeterParams, setter: &ParamSetter) {
    let Some(card) = snapshot.card.as_ref() else {
        ui.label("No model is running yet.");
        return;
    };
    egui::Grid::new("meters").num_columns(5).spacing([10.0, 4.0]).show(ui, |ui| {
        let slots = label_slots(&card.labels);
        for (class, label) in card.labels.iter().enumerate().take(MAX_CLASSES) {
            let slot = slots[class];
            let enabled = slot.is_none_or(|s| params.instruments[s].enabled.value());
            match slot {
                Some(s) => toggle(ui, &params.instruments[s].enabled, setter),
                None => {
                    ui.label("");
                }
            }
            ui.label(egui::RichText::new(&label.name).color(if enabled { palette::TEXT } else { palette::DIM }));
            let on = snapshot.decisions[class] && enabled && class < snapshot.classes;
            let value = if class < snapshot.classes { snapshot.activations[class] } else { 0.0 };
            let reading = Reading { value, threshold: snapshot.thresholds[class], peak: view.peaks[class].value };
            meter(ui, reading, on).on_hover_text_at_pointer(reading.describe(&label.name));
            lamp(ui, on);
            threshold_slider(ui, params, slot, snapshot.thresholds[class]);
            ui.end_row();
        }
    });
}

fn toggle(ui: &mut Ui, param: &nice_plug::prelude::BoolParam, setter: &ParamSetter) {
    let mut value = param.value();
    if ui.checkbox(&mut value, "").on_hover_text("Send this instrument's CC / gate").changed() {
        setter.begin_set_parameter(param);
        setter.set_parameter(param, value);
        setter.end_set_parameter(param);
    }
}

/// What one meter shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub value: f32,
    pub threshold: f32,
    pub peak: f32,
}

impl Reading {
    /// The tooltip: "Cello: 0.42 (peak 0.61, threshold 0.30: on)".
    pub fn describe(&self, name: &str) -> String {
        let state = if self.value >= self.threshold { "on" } else { "off" };
        format!("{name}: {:.2} (peak {:.2}, threshold {:.2}: {state})", self.value, self.peak, self.threshold)
    }
}

/// A horizontal bar: fill = activation, white tick = threshold, thin line = peak hold.
fn meter(ui: &mut Ui, reading: Reading, on: bool) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(METER_SIZE, Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, palette::METER_BACKGROUND);
    let fill = Rect::from_min_size(rect.min, Vec2::new(rect.width() * reading.value.clamp(0.0, 1.0), rect.height()));
    painter.rect_filled(fill, 2.0, if on { palette::ACTIVE } else { palette::METER });
    let x_of = |v: f32| rect.left() + rect.width() * v.clamp(0.0, 1.0);
    painter.vline(x_of(reading.peak), rect.y_range(), Stroke::new(1.5, palette::PEAK));
    painter.vline(x_of(reading.threshold), rect.y_range(), Stroke::new(2.0, Color32::WHITE));
    response
}

fn lamp(ui: &mut Ui, on: bool) {
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(2.0 * LAMP_RADIUS + 2.0), Sense::hover());
    ui.painter().circle_filled(rect.center(), LAMP_RADIUS, if on { palette::ACTIVE } else { palette::LAMP_OFF });
}

/// The threshold in effect; dragging sets the user's override, the button returns to the card's.
fn threshold_slider(ui: &mut Ui, params: &InstrumeterParams, slot: Option<usize>, threshold: f32) {
    let Some(slot) = slot else {
        ui.label(format!("{threshold:.2}"));
        return;
    };
    ui.horizontal(|ui| {
        let mut value = params.thresholds.get(slot).unwrap_or(threshold);
        if ui.add(egui::Slider::new(&mut value, 0.0..=1.0).fixed_decimals(2)).changed() {
            params.thresholds.set(slot, Some(value));
        }
        let overridden = params.thresholds.get(slot).is_some();
        if ui.add_enabled(overridden, egui::Button::new("card")).on_hover_text("Use the model card's threshold").clicked() {
            params.thresholds.set(slot, None);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::Reading;

    #[test]
    fn the_tooltip_gives_value_peak_threshold_and_state() {
        let reading = Reading { value: 0.423, threshold: 0.3, peak: 0.61 };
        assert_eq!(reading.describe("Cello"), "Cello: 0.42 (peak 0.61, threshold 0.30: on)");
        let quiet = Reading { value: 0.1, ..reading };
        assert!(quiet.describe("Cello").ends_with(": off)"));
    }
}
