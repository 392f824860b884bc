//! The scrolling history heatmap: instruments × time, newest on the right, with a seconds axis
//! underneath and the hovered cell's instrument, age and value in a tooltip.

use egui::{Color32, Mesh, Pos2, Rect, Sense, Shape, Stroke, Ui, Vec2};

use super::palette;
use super::view::AnalysisView;
use crate::engine::AnalysisSnapshot;

/// Width of the instrument-name column left of the map.
const NAMES_WIDTH: f32 = 110.0;
/// Height of one instrument's strip.
const ROW_HEIGHT: f32 = 14.0;
/// Height of the time axis under the map (ticks and labels).
const AXIS_HEIGHT: f32 = 18.0;
/// Fewest logical pixels between two labelled ticks.
const MIN_TICK_SPACING: f32 = 60.0;

/// The span the heatmap shows: `rows` history rows covering `seconds` of audio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub rows: usize,
    pub seconds: f32,
}

/// Draws the last `span` of the snapshot's classes into the rest of the space.
pub fn draw_heatmap(ui: &mut Ui, snapshot: &AnalysisSnapshot, view: &AnalysisView, span: Span) {
    let Some(card) = snapshot.card.as_ref() else { return };
    let classes = card.labels.len().min(snapshot.activations.len());
    let size = Vec2::new(ui.available_width(), (classes as f32 * ROW_HEIGHT).max(60.0) + AXIS_HEIGHT);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let map = Rect::from_min_max(rect.min + Vec2::new(NAMES_WIDTH, 0.0), rect.max - Vec2::new(0.0, AXIS_HEIGHT));
    let painter = ui.painter_at(rect);
    painter.rect_filled(map, 0.0, palette::METER_BACKGROUND);
    let row_height = map.height() / classes.max(1) as f32;
    for (class, label) in card.labels.iter().take(classes).enumerate() {
        let pos = egui::pos2(rect.left(), map.top() + row_height * (class as f32 + 0.5));
        painter.text(pos, egui::Align2::LEFT_CENTER, &label.name, egui::FontId::proportional(11.0), palette::TEXT);
    }
    let span = Span { rows: span.rows.max(1), ..span };
    painter.add(Shape::mesh(history_mesh(view, classes, span.rows, map)));
    draw_time_axis(&painter, map, span.seconds);
    if let Some(pointer) = response.hover_pos().filter(|p| map.contains(*p)) {
        let class = (((pointer.y - map.top()) / row_height) as usize).min(classes.saturating_sub(1));
        let age_s = (map.right() - pointer.x) / map.width() * span.seconds;
        let value = value_at(view, span, age_s);
        let name = card.labels.get(class).map_or("", |label| label.name.as_str());
        response.on_hover_text_at_pointer(hover_text(name, age_s, value.map(|row| row[class])));
    }
}

/// Tick marks every [`tick_step_s`] seconds, labelled "-20 s" … "now" from the right edge.
fn draw_time_axis(painter: &egui::Painter, map: Rect, seconds: f32) {
    let step = tick_step_s(seconds, map.width());
    let ticks = (seconds / step).floor() as usize;
    for tick in 0..=ticks {
        let age = tick as f32 * step;
        let x = map.right() - age / seconds * map.width();
        painter.vline(x, map.bottom()..=map.bottom() + 4.0, Stroke::new(1.0, palette::DIM));
        let align = if tick == 0 { egui::Align2::RIGHT_TOP } else { egui::Align2::CENTER_TOP };
        let text = if tick == 0 { "now".to_owned() } else { format!("−{age:.0} s") };
        painter.text(Pos2::new(x, map.bottom() + 4.0), align, text, egui::FontId::proportional(10.0), palette::DIM);
    }
}

/// The smallest of 1, 2, 5, 10, 15, 30, 60 s that keeps labelled ticks at least
/// [`MIN_TICK_SPACING`] logical pixels apart on a `width`-pixel axis spanning `seconds`.
pub fn tick_step_s(seconds: f32, width: f32) -> f32 {
    let per_pixel = seconds / width.max(1.0);
    [1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0].into_iter().find(|step| step / per_pixel >= MIN_TICK_SPACING).unwrap_or(60.0)
}

/// The history row shown `age_s` seconds back from the newest, if the history reaches that far.
fn value_at(view: &AnalysisView, span: Span, age_s: f32) -> Option<&[f32; crate::engine::MAX_CLASSES]> {
    let age_rows = (age_s / span.seconds * span.rows as f32) as usize;
    view.history.len().checked_sub(age_rows + 1).and_then(|i| view.history.get(i))
}

/// "Cello · 3.2 s ago · 0.41", or "… · no data" before the history reaches that far.
pub fn hover_text(name: &str, age_s: f32, value: Option<f32>) -> String {
    let when = if age_s < 0.05 { "now".to_owned() } else { format!("{age_s:.1} s ago") };
    match value {
        Some(value) => format!("{name} · {when} · {value:.2}"),
        None => format!("{name} · {when} · no data"),
    }
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

/// Viridis (dark violet → teal → yellow): perceptually uniform and readable with every common
/// colour-vision deficiency.
pub fn heat(value: f32) -> Color32 {
    let value = if value.is_finite() { value.clamp(0.0, 1.0) } else { 0.0 };
    let colour = colorous::VIRIDIS.eval_continuous(f64::from(value));
    Color32::from_rgb(colour.r, colour.g, colour.b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_stay_apart_and_grow_with_the_span() {
        assert_eq!(tick_step_s(20.0, 840.0), 2.0, "20 s over 840 px: 1 s would be 42 px apart");
        assert_eq!(tick_step_s(60.0, 840.0), 5.0);
        assert_eq!(tick_step_s(60.0, 200.0), 30.0);
        assert_eq!(tick_step_s(60.0, 10.0), 60.0, "never finer than the widest step");
    }

    #[test]
    fn the_tooltip_says_what_when_and_how_much() {
        assert_eq!(hover_text("Cello", 3.24, Some(0.414)), "Cello · 3.2 s ago · 0.41");
        assert_eq!(hover_text("Drums", 0.0, Some(1.0)), "Drums · now · 1.00");
        assert_eq!(hover_text("Flute", 12.0, None), "Flute · 12.0 s ago · no data");
    }

    #[test]
    fn the_heat_map_runs_dark_to_bright() {
        let luminance = |c: Color32| 0.2126 * f32::from(c.r()) + 0.7152 * f32::from(c.g()) + 0.0722 * f32::from(c.b());
        let steps: Vec<f32> = (0..=10).map(|i| luminance(heat(i as f32 / 10.0))).collect();
        assert!(steps.windows(2).all(|w| w[1] > w[0]), "luminance rises monotonically: {steps:?}");
        assert_eq!(heat(-1.0), heat(0.0));
        assert_eq!(heat(2.0), heat(1.0));
        assert_eq!(heat(f32::NAN), heat(0.0), "a non-finite value draws as silence");
    }
}
