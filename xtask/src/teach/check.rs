//! A taught model on labelled data that never holds the new sound: the existing classes' clip
//! scores with and without the taught class (the "no drop" measurement), and how often the
//! taught class fires there (every firing is a false alarm).

use std::path::Path;

use anyhow::Result;
use instrumeter::models::{LoadedModel, ModelCard};
use instrumeter_analysis::{file_rows, load_model, ClipAggregate};

use instrumeter_toolkit::eval::datasets::{self, Layout};
use instrumeter_toolkit::eval::scores::Counts;

/// Clip-level (the card's aggregation and clip thresholds) scores of the existing classes.
#[derive(Debug, serde::Serialize)]
pub struct ExistingClasses {
    pub micro_f1: f32,
    pub macro_f1: f32,
    pub per_class_f1: Vec<f32>,
}

/// What the check measured.
#[derive(Debug, serde::Serialize)]
pub struct CheckReport {
    pub data: String,
    pub clips: usize,
    pub base: ExistingClasses,
    pub taught: ExistingClasses,
    /// Base minus taught; positive is a drop.
    pub micro_drop: f32,
    pub macro_drop: f32,
    pub largest_class_drop: f32,
    /// Clips on which the taught class was decided present.
    pub false_alarm_clips: usize,
    /// Share of rows (frames) on which its live activation reached its threshold.
    pub false_alarm_rows: f32,
}

/// Runs the base model (`base_card`, or the embedded default) and the taught one over `data`'s `split`.
pub fn check_on(base_card: Option<&Path>, taught_card: &Path, data: &Path, split: &str) -> Result<CheckReport> {
    let clips = datasets::load(Layout::Synth, data, split, None)?;
    let (base, taught) = (load_model(base_card)?.card().clone(), ModelCard::load(taught_card)?);
    let classes = base.labels.len();
    let (mut base_counts, mut taught_counts) = (Counts::new(classes), Counts::new(classes));
    let (mut false_alarm_clips, mut alarm_rows, mut rows_seen) = (0, 0usize, 0usize);
    let new_threshold = taught.threshold_vector()[classes];
    let at_half = vec![0.5; classes];
    for clip in &clips {
        let base_decisions = clip_decisions(&file_rows(&clip.path, load_model(base_card)?)?, &base);
        base_counts.add(&bools(&base_decisions), &at_half, &clip.presence[..classes]);
        let rows = file_rows(&clip.path, LoadedModel::load(taught_card)?)?;
        let decisions = clip_decisions(&rows, &taught);
        taught_counts.add(&bools(&decisions[..classes]), &at_half, &clip.presence[..classes]);
        false_alarm_clips += usize::from(decisions[classes]);
        alarm_rows += rows.iter().filter(|row| row[classes] >= new_threshold).count();
        rows_seen += rows.len();
    }
    let (base, taught) = (existing(&base_counts), existing(&taught_counts));
    let largest_class_drop = base.per_class_f1.iter().zip(&taught.per_class_f1).map(|(b, t)| b - t).fold(0.0, f32::max);
    let report = CheckReport {
        data: format!("{} ({split})", data.display()),
        clips: clips.len(),
        micro_drop: base.micro_f1 - taught.micro_f1,
        macro_drop: base.macro_f1 - taught.macro_f1,
        largest_class_drop,
        base,
        taught,
        false_alarm_clips,
        false_alarm_rows: alarm_rows as f32 / rows_seen.max(1) as f32,
    };
    println!(
        "{}: existing classes, clip level: micro F1 {:.3} → {:.3}, macro {:.3} → {:.3} (largest class drop {:.3}); the taught class fired on {} of {} clips and {:.2} % of frames",
        report.data,
        report.base.micro_f1,
        report.taught.micro_f1,
        report.base.macro_f1,
        report.taught.macro_f1,
        report.largest_class_drop,
        report.false_alarm_clips,
        report.clips,
        100.0 * report.false_alarm_rows
    );
    Ok(report)
}

fn clip_decisions(rows: &[Vec<f32>], card: &ModelCard) -> Vec<bool> {
    let mut aggregate = ClipAggregate::new(card.labels.len());
    rows.iter().for_each(|row| aggregate.add(row));
    aggregate.finish(card).decisions
}

fn bools(decisions: &[bool]) -> Vec<f32> {
    decisions.iter().map(|&d| f32::from(u8::from(d))).collect()
}

fn existing(counts: &Counts) -> ExistingClasses {
    let scores = counts.scores();
    ExistingClasses { micro_f1: scores.micro_f1, macro_f1: scores.macro_f1, per_class_f1: scores.per_class_f1 }
}
