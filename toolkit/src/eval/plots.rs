//! Report plots drawn with plotters into an RGB buffer: per-class F1/AP bars, the labelled leakage
//! matrix and per-class precision-recall curves, each with a title, axes, class names and values.
//! Text uses egui's embedded Ubuntu Light, so no system font is needed at run time.

use std::path::Path;
use std::sync::Once;

use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use super::scores::{precision_recall_curve, Items};
use crate::picture::{colour, write_rgb_png};

const FONT: &str = "sans-serif";

/// Okabe & Ito's colour-blind-safe palette (blue, orange, bluish green, vermillion, purple).
const PALETTE: [RGBColor; 5] = [RGBColor(0, 114, 178), RGBColor(230, 159, 0), RGBColor(0, 158, 115), RGBColor(213, 94, 0), RGBColor(204, 121, 167)];
const AP_GREY: RGBColor = RGBColor(120, 120, 120);

/// One series of per-class values in the bar chart.
pub struct BarSeries<'a> {
    pub name: String,
    pub values: &'a [Option<f32>],
}

/// One class's precision-recall panel.
pub struct CurvePanel<'a> {
    pub name: &'a str,
    pub items: &'a Items,
    pub class: usize,
    pub threshold: f32,
    pub average_precision: Option<f32>,
}

fn register_embedded_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        if register_font(FONT, FontStyle::Normal, epaint_default_fonts::UBUNTU_LIGHT).is_err() {
            eprintln!("warning: the embedded plot font could not be read; plots will have no text");
        }
    });
}

fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

fn plot_error(error: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("drawing a report plot failed: {error}")
}

/// Draws into a white `width × height` RGB picture and writes it as a PNG.
fn draw_png(path: &Path, (width, height): (u32, u32), draw: impl FnOnce(&DrawingArea<BitMapBackend, Shift>) -> Result<()>) -> Result<()> {
    register_embedded_font();
    let mut pixels = vec![255u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        draw(&root)?;
        root.present().map_err(plot_error)?;
    }
    write_rgb_png(path, &pixels, width as usize, height as usize)
}

/// Grouped bars: for each class one bar per series (F1 of each scoring level, then AP), the value
/// written above each bar, class names under the groups, a legend.
pub fn class_bars_png(path: &Path, title: &str, class_names: &[String], series: &[BarSeries]) -> Result<()> {
    let (bar_px, gap_px) = (26u32, 22u32);
    let group_px = bar_px * series.len() as u32 + gap_px;
    let width = (group_px * class_names.len() as u32 + 140).max(700);
    draw_png(path, (width, 520), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, text(22))
            .margin(16)
            .x_label_area_size(56)
            .y_label_area_size(52)
            .build_cartesian_2d(0f64..class_names.len() as f64, 0f64..1.32)
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .x_labels(0)
            .y_labels(7)
            .y_desc("score (0–1)")
            .y_label_style(text(14))
            .axis_desc_style(text(15))
            .draw()
            .map_err(plot_error)?;
        let bar_width = bar_px as f64 / group_px as f64;
        let left = gap_px as f64 / 2.0 / group_px as f64;
        for (k, s) in series.iter().enumerate() {
            let colour = if s.name.starts_with("AP") { AP_GREY } else { PALETTE[k % PALETTE.len()] };
            let bars = s.values.iter().enumerate().filter_map(|(c, v)| v.map(|v| (c, v)));
            let x0 = |c: usize| c as f64 + left + k as f64 * bar_width;
            chart
                .draw_series(bars.clone().map(|(c, v)| Rectangle::new([(x0(c), 0.0), (x0(c) + bar_width * 0.9, v as f64)], colour.filled())))
                .map_err(plot_error)?
                .label(s.name.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled()));
            chart
                .draw_series(bars.map(|(c, v)| Text::new(format!("{v:.2}"), (x0(c) - bar_width * 0.05, v as f64 + 0.045), text(11))))
                .map_err(plot_error)?;
        }
        for (c, name) in class_names.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(c as f64 + 0.5, 0.0));
            let style = text(14).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Center, plotters::style::text_anchor::VPos::Top));
            root.draw(&Text::new(name.clone(), (x, y + 8), style)).map_err(plot_error)?;
        }
        chart.configure_series_labels().position(SeriesLabelPosition::UpperLeft).label_font(text(14)).background_style(WHITE.mix(0.9)).border_style(BLACK).draw().map_err(plot_error)?;
        Ok(())
    })
}

/// The leakage matrix: rows the one class playing, columns each class's mean clip score, every
/// cell coloured (magma, 0–1) and labelled with its value.
pub fn leakage_png(path: &Path, title: &str, class_names: &[String], leakage: &[Vec<f32>]) -> Result<()> {
    let n = class_names.len();
    let cell = 52u32;
    let side = cell * n as u32;
    draw_png(path, (side + 210, side + 190), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, text(20))
            .margin(14)
            .x_label_area_size(120)
            .y_label_area_size(130)
            .build_cartesian_2d(0f64..n as f64, n as f64..0f64)
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_labels(0)
            .x_desc("mean clip score of each class")
            .y_desc("the one instrument playing")
            .axis_desc_style(text(15))
            .draw()
            .map_err(plot_error)?;
        let cells = (0..n).flat_map(|row| (0..n).map(move |col| (row, col)));
        chart
            .draw_series(cells.clone().map(|(row, col)| {
                let [r, g, b] = colour(leakage[row][col]);
                Rectangle::new([(col as f64, row as f64), (col as f64 + 1.0, row as f64 + 1.0)], RGBColor(r, g, b).filled())
            }))
            .map_err(plot_error)?;
        let centred = |size| text(size).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Center, plotters::style::text_anchor::VPos::Center));
        chart
            .draw_series(cells.map(|(row, col)| {
                let value = leakage[row][col];
                let ink: &'static RGBColor = if value > 0.6 { &BLACK } else { &WHITE };
                Text::new(format!("{value:.2}"), (col as f64 + 0.5, row as f64 + 0.5), centred(13).color(ink))
            }))
            .map_err(plot_error)?;
        for (k, name) in class_names.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(0.0, k as f64 + 0.5));
            let right = text(14).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Right, plotters::style::text_anchor::VPos::Center));
            root.draw(&Text::new(name.clone(), (x - 6, y), right)).map_err(plot_error)?;
            let (x, y) = chart.backend_coord(&(k as f64 + 0.5, n as f64));
            let down = text(14).transform(FontTransform::Rotate90).pos(plotters::style::text_anchor::Pos::new(plotters::style::text_anchor::HPos::Left, plotters::style::text_anchor::VPos::Center));
            root.draw(&Text::new(name.clone(), (x, y + 6), down)).map_err(plot_error)?;
        }
        Ok(())
    })
}

/// Precision against recall for each class in its own panel (4 per row), the operating point of
/// the class's threshold marked, AP in the panel's title.
pub fn precision_recall_png(path: &Path, title: &str, panels: &[CurvePanel]) -> Result<()> {
    let columns = 4usize;
    let rows = panels.len().div_ceil(columns).max(1);
    let (panel_w, panel_h) = (300u32, 250u32);
    draw_png(path, (panel_w * columns as u32, panel_h * rows as u32 + 50), |root| {
        let (header, body) = root.split_vertically(50);
        header.titled(title, text(22)).map_err(plot_error)?;
        for (area, panel) in body.split_evenly((rows, columns)).iter().zip(panels) {
            draw_curve_panel(area, panel)?;
        }
        Ok(())
    })
}

fn draw_curve_panel(area: &DrawingArea<BitMapBackend, Shift>, panel: &CurvePanel) -> Result<()> {
    let ap = panel.average_precision.map_or("never plays".to_string(), |ap| format!("AP {ap:.2}"));
    let mut chart = ChartBuilder::on(area)
        .caption(format!("{}: {ap}", panel.name), text(15))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(40)
        .build_cartesian_2d(0f64..1.0, 0f64..1.02)
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .x_labels(6)
        .y_labels(6)
        .x_desc("recall")
        .y_desc("precision")
        .label_style(text(11))
        .axis_desc_style(text(12))
        .draw()
        .map_err(plot_error)?;
    let curve = precision_recall_curve(panel.items, panel.class);
    let points = curve.iter().map(|point| (point.recall as f64, point.precision as f64));
    chart.draw_series(LineSeries::new(points, PALETTE[0].stroke_width(2))).map_err(plot_error)?;
    if let Some(operating) = curve.iter().filter(|point| point.threshold >= panel.threshold).last() {
        let at = (operating.recall as f64, operating.precision as f64);
        chart.draw_series(std::iter::once(Circle::new(at, 5, PALETTE[3].filled()))).map_err(plot_error)?;
        chart.draw_series(std::iter::once(Text::new(format!("t = {:.2}", panel.threshold), ((at.0 - 0.3).max(0.02), (at.1 - 0.08).max(0.05)), text(12)))).map_err(plot_error)?;
    }
    Ok(())
}
