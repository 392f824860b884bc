//! The scrolling history heatmap: instruments × time, newest on the right.

use egui::{Color32, Mesh, Rect, Sense, Shape, Ui, Vec2};

use super::palette;
use super::view::AnalysisView;
use crate::engine::AnalysisSnapshot;

/// Width of the instrument-name column left of the map.
const NAMES_WIDTH: f32 = 110.0;
/// Height of one instrument's strip.
const ROW_HEIGHT: f32 = 14.0;

/// Draws the last `rows` history rows of the snapshot's classes into the rest of the space.
pub fn draw_heatmap(ui: &mut Ui, snapshot: &AnalysisSnapshot, view: &AnalysisView, rows: usize) {
    let Some(card) = snapshot.card.as_ref() else { return };
    let classes = card.labels.len().min(snapshot.activations.len());
    let size = Vec2::new(ui.available_width(), (classes as f32 * ROW_HEIGHT).max(60.0));
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
    painter.add(Shape::mesh(history_mesh(view, classes, rows.max(1), map)));
}

/// One cell per (pixel column, class): time runs left to right (newest at the right edge),
/// classes top to bottom; columns older than the history stay background.
fn history_mesh(view: &AnalysisView, classes: usize, rows: usize, map: Rect) -> Mesh {
    let mut mesh = Mesh::default();
    let columns = (map.width().floor() as usize).max(1);
    let (cell_width, cell_height) = (map.width() / columns as f32, map.height() / classes.max(1) as f32);
    let rows_per_column = rows as f32 / columns as f32;
    for column in 0..columns {
        // The history row shown in this column, counted back from the newest.
        let age = ((columns - 1 - column) as f32 * rows_per_column) as usize;
        let Some(row) = view.history.len().checked_sub(age + 1).and_then(|i| view.history.get(i)) else { continue };
        for (class, &value) in row.iter().take(classes).enumerate() {
            let min = map.min + Vec2::new(column as f32 * cell_width, class as f32 * cell_height);
            mesh.add_colored_rect(Rect::from_min_size(min, Vec2::new(cell_width, cell_height)), heat(value));
        }
    }
    mesh
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
