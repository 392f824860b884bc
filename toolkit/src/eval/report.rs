//! The evaluation report's markdown: score tables, breakdowns and the leakage matrix.

use std::fmt::Write as _;

use instrumeter::models::ModelCard;

use super::scores::{Ranking, Scores};

/// The primary scores restricted to a named subset of the items.
pub struct Group {
    pub name: &'static str,
    pub items: usize,
    pub scores: Scores,
    pub ranking: Ranking,
}

/// Recall of the present classes whose stem was mixed in one band of levels.
pub struct LevelRecall {
    pub name: &'static str,
    pub positives: usize,
    pub recall: f32,
}

/// The primary scores by number of instruments playing, by origin of the sounds, by mix level of
/// each stem and without the quietest stems (the last three: synth data).
pub struct Breakdowns {
    pub polyphony: Vec<Group>,
    pub origin: Vec<Group>,
    pub level_recall: Vec<LevelRecall>,
    pub without_quiet: Vec<Group>,
    /// Frame scores of every frame given its clip's presence, when frames are scored.
    pub frame_ceiling: Option<Scores>,
}

/// A titled set of scores.
pub struct Section<'a> {
    pub title: String,
    pub scores: &'a Scores,
    pub thresholds: &'a [f32],
    pub ranking: Ranking,
}

/// Markdown with one table per section and the leakage matrix.
pub fn markdown(card: &ModelCard, dataset: &str, sections: &[Section], breakdowns: &Breakdowns, leakage: &[Vec<f32>]) -> String {
    let mut md = format!("# {} on {dataset}\n\n", card.name);
    for section in sections {
        let s = section.scores;
        let mean_ap = section.ranking.mean_ap;
        let _ = writeln!(md, "## {}\n\nmicro P {:.3} R {:.3} **F1 {:.3}**, macro **F1 {:.3}**, mean AP {mean_ap:.3} (threshold-free)\n", section.title, s.micro_precision, s.micro_recall, s.micro_f1, s.macro_f1);
        md += "| class | threshold | precision | recall | F1 | AP |\n| --- | --- | --- | --- | --- | --- |\n";
        for (c, label) in card.labels.iter().enumerate() {
            let ap = section.ranking.per_class_ap[c].map_or("–".to_string(), |ap| format!("{ap:.3}"));
            let _ = writeln!(md, "| {} | {:.2} | {:.3} | {:.3} | {:.3} | {ap} |", label.name, section.thresholds[c], s.per_class_precision[c], s.per_class_recall[c], s.per_class_f1[c]);
        }
        md += "\n";
    }
    md += "The tables below score the model's primary level (frames for the frame model, clips aggregated as the card says for the ConvNet) with its thresholds.\n\n";
    group_table(&mut md, "By number of instruments playing", "instruments", &breakdowns.polyphony);
    if !breakdowns.origin.is_empty() {
        group_table(&mut md, "By origin of the clip's sounds", "stems from", &breakdowns.origin);
    }
    if !breakdowns.level_recall.is_empty() {
        md += "## Recall by mix level\n\nA present class, by how far below the clip's loudest stem its own stem was mixed (stems peak at 0 dB before their mix level).\n\n| stem mixed | present | recall |\n| --- | --- | --- |\n";
        for band in &breakdowns.level_recall {
            let _ = writeln!(md, "| {} | {} | {:.3} |", band.name, band.positives, band.recall);
        }
        md.push('\n');
    }
    if !breakdowns.without_quiet.is_empty() {
        group_table(&mut md, "Without the quietest stems (a class mixed lower is neither a miss nor a false alarm)", "scored", &breakdowns.without_quiet);
    }
    if let Some(ceiling) = &breakdowns.frame_ceiling {
        let _ = writeln!(md, "## What the frame labels allow without timing\n\nEvery frame given its clip's presence (a perfect clip-level recogniser that cannot tell when an instrument plays; no model): micro P {:.3} R {:.3} **F1 {:.3}**, macro F1 {:.3}.\n", ceiling.micro_precision, ceiling.micro_recall, ceiling.micro_f1, ceiling.macro_f1);
    }
    md += "## Leakage matrix\n\nRow: the one instrument playing (single-instrument items); column: mean clip score of each class.\n\n| playing \\ score |";
    for label in &card.labels {
        let _ = write!(md, " {} |", label.code);
    }
    md += "\n|---|";
    md += &"---|".repeat(card.labels.len());
    md += "\n";
    for (label, row) in card.labels.iter().zip(leakage) {
        let _ = write!(md, "| {} |", label.code);
        for v in row {
            let _ = write!(md, " {v:.2} |");
        }
        md += "\n";
    }
    md
}

fn group_table(md: &mut String, title: &str, column: &str, groups: &[Group]) {
    let _ = write!(md, "## {title}\n\n| {column} | items | micro F1 | macro F1 | mean AP |\n| --- | --- | --- | --- | --- |\n");
    for group in groups {
        let _ = writeln!(md, "| {} | {} | {:.3} | {:.3} | {:.3} |", group.name, group.items, group.scores.micro_f1, group.scores.macro_f1, group.ranking.mean_ap);
    }
    md.push('\n');
}
