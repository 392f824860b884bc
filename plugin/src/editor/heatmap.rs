//! The scrolling history heatmap: instruments × time, newest on the right.

use egui::{Color32, ColorImage, Rect, Sense, TextureHandle, TextureOptions, Ui, Vec2};

use super::palette;
use super::view::AnalysisView;
use crate::engine::AnalysisSnapshot;

/// Width of the instrument-name column left of the map.
const NAMES_WIDTH: f32 = 110.0;

/// Draws the last `rows` history rows of the snapshot's classes into the rest of the space.
pub fn draw_heatmap(ui: &mut Ui, snapshot: &AnalysisSnapshot, view: &AnalysisView, rows: usize, texture: &mut Option<TextureHandle>) {
    let Some(card) = snapshot.card.as_ref() else { return };
    let classes = card.labels.len().min(snapshot.activations.len());
    let size = Vec2::new(ui.available_width(), (classes as f32 * 14.0).max(60.0));
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    let map = Rect::from_min_max(rect.min + Vec2::new(NAMES_WIDTH, 0.0), rect.max);
    let painter = ui.painter_at(rect);
    painter.rect_filled(map, 0.0, palette::METER_BACKGROUND);
    let row_height = rect.height() / classes.max(1) as f32;
    for (class, label) in card.labels.iter().take(classes).enumerate() {
        let y = rect.top() + row_height * (class as f32 + 0.5);
        let pos = egui::pos2(rect.left(), y);
        painter.text(pos, egui::Align2::LEFT_CENTER, &label.name, egui::FontId::proportional(11.0), palette::TEXT);
    }
    let image = history_image(view, classes, rows.max(1));
    let handle = match texture {
        Some(handle) => {
            handle.set(image, TextureOptions::NEAREST);
            handle
        }
        None => texture.insert(ui.ctx().load_texture("history", image, TextureOptions::NEAREST)),
    };
    let uv = Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
    painter.image(handle.id(), map, uv, Color32::WHITE);
}

/// One pixel per (row, class): time runs left to right, classes top to bottom; rows not yet
/// seen are black.
fn history_image(view: &AnalysisView, classes: usize, rows: usize) -> ColorImage {
    let mut image = ColorImage::filled([rows, classes.max(1)], Color32::BLACK);
    let shown = view.history.len().min(rows);
    let first_column = rows - shown;
    for (offset, row) in view.history.iter().skip(view.history.len() - shown).enumerate() {
        for (class, &value) in row.iter().take(classes).enumerate() {
            image[(first_column + offset, class)] = heat(value);
        }
    }
    image
}

/// Dark blue → teal → yellow, like a spectrogram.
pub fn heat(value: f32) -> Color32 {
    let v = value.clamp(0.0, 1.0);
    let lerp = |a: f32, b: f32, t: f32| (a + (b - a) * t) as u8;
    if v < 0.5 {
        let t = v * 2.0;
        Color32::from_rgb(lerp(10.0, 20.0, t), lerp(14.0, 150.0, t), lerp(40.0, 160.0, t))
    } else {
        let t = (v - 0.5) * 2.0;
        Color32::from_rgb(lerp(20.0, 250.0, t), lerp(150.0, 230.0, t), lerp(160.0, 40.0, t))
    }
}
