//! The Overview tab: every Instrumeter in this host process with the instruments its model hears
//! (those playing highlighted), this instance's row marked and its name editable.

use egui::{Frame, Margin, RichText, Ui};

use super::palette;
use crate::session::{default_name, Chip, OverviewRow, SessionMember, SLOTS};

/// The name editor for this instance (`member`), then one row per listed instance.
pub fn draw_overview(ui: &mut Ui, member: &SessionMember, rows: &[OverviewRow]) {
    name_editor(ui, member);
    ui.separator();
    egui::Grid::new("overview").num_columns(2).spacing([16.0, 8.0]).striped(true).show(ui, |ui| {
        for row in rows {
            instance_row(ui, row, member.slot() == Some(row.slot));
            ui.end_row();
        }
    });
}

/// "Name [text box]"; the host's track name, when given, is what the others see.
fn name_editor(ui: &mut Ui, member: &SessionMember) {
    ui.horizontal(|ui| {
        ui.label("This instance's name");
        let mut name = member.instance_name();
        let edit = egui::TextEdit::singleline(&mut name).hint_text(default_name(member.slot())).desired_width(220.0);
        if ui.add(edit).changed() {
            member.set_instance_name(&name);
        }
        if let Some(track) = member.track_name() {
            ui.label(RichText::new(format!("listed under the host's track name, {track}")).color(palette::DIM));
        }
    });
    if member.slot().is_none() {
        ui.label(RichText::new(format!("The session is full ({SLOTS} instances): this instance is not listed.")).color(palette::DIM));
    }
}

/// The instance's name (marked if it is this one) and its instruments as chips.
fn instance_row(ui: &mut Ui, row: &OverviewRow, this: bool) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(&row.name).strong().color(palette::TEXT));
        if this {
            ui.label(RichText::new("(this instance)").small().color(palette::PEAK));
        }
    });
    ui.horizontal_wrapped(|ui| {
        if row.instruments.is_empty() {
            ui.label(RichText::new("not analysing (inactive, or its model is loading)").color(palette::DIM));
        }
        for chip in &row.instruments {
            draw_chip(ui, chip);
        }
    });
}

/// A rounded label: filled in the meters' "active" colour while the instrument plays.
fn draw_chip(ui: &mut Ui, chip: &Chip) {
    let (fill, text) = if chip.playing { (palette::ACTIVE, palette::METER_BACKGROUND) } else { (palette::METER_BACKGROUND, palette::DIM) };
    let frame = Frame::new().fill(fill).corner_radius(8).inner_margin(Margin::symmetric(8, 2));
    let shown = frame.show(ui, |ui| ui.label(RichText::new(chip.name).color(text)));
    shown.response.on_hover_text(if chip.playing { "playing now" } else { "not playing" });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{overview_rows, Registry};

    /// Every text a list of shapes draws.
    fn texts(shapes: impl IntoIterator<Item = egui::Shape>) -> Vec<String> {
        shapes
            .into_iter()
            .flat_map(|shape| match shape {
                egui::Shape::Text(text) => vec![text.galley.text().to_owned()],
                egui::Shape::Vec(inner) => texts(inner),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn the_overview_names_each_instance_marks_this_one_and_shows_its_instruments() {
        let registry = Box::leak(Box::new(Registry::new()));
        let (this, other) = (SessionMember::join(registry), SessionMember::join(registry));
        this.set_track_name(Some("Drums bus"));
        // The other one hears cello, piano and drums; drums play.
        other.publish_instruments(1 | 1 << 6 | 1 << 12, 1 << 12);
        let rows = overview_rows(registry);
        let context = egui::Context::default();
        let mut output = context.run_ui(egui::RawInput::default(), |ui| draw_overview(ui, &this, &rows));
        output.textures_delta.clear();
        let drawn = texts(output.shapes.into_iter().map(|clipped| clipped.shape));
        for wanted in ["Drums bus", "(this instance)", "Instrumeter 2", "Cello", "Piano", "Drums", "not analysing (inactive, or its model is loading)"] {
            assert!(drawn.iter().any(|text| text == wanted), "{wanted:?} not drawn: {drawn:?}");
        }
        assert_eq!(drawn.iter().filter(|text| *text == "(this instance)").count(), 1, "only this instance is marked");
    }
}
