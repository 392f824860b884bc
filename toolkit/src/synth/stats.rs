//! Per-class statistics of a split: clips where present and the share of their frames active.

use instrumeter::models::INSTRUMENTS;
use serde::Serialize;

use super::labels::{Labels, CLASSES, PRESENCE_THRESHOLD};

/// Running counts over a split's clips.
#[derive(Default)]
pub struct Tally {
    clips: usize,
    stems: usize,
    frames: usize,
    silent_frames: usize,
    present: [usize; CLASSES],
    active_share_sum: [f64; CLASSES],
}

#[derive(Serialize)]
pub struct SplitStats {
    pub clips: usize,
    pub mean_stems: f64,
    /// Share of frames where no class is active (target ≥ 0.5).
    pub silent_frame_share: f64,
    pub classes: Vec<ClassStats>,
}

#[derive(Serialize)]
pub struct ClassStats {
    pub class: &'static str,
    /// Clips where the class is present.
    pub clips_present: usize,
    /// Over those clips, the mean share of frames where its target is ≥ 0.5.
    pub mean_active_share: f64,
}

fn is_active(target: f32) -> bool {
    target >= PRESENCE_THRESHOLD
}

impl Tally {
    pub fn add(&mut self, labels: &Labels, stems: usize) {
        let frames = labels.targets.len().max(1);
        self.clips += 1;
        self.stems += stems;
        self.frames += labels.targets.len();
        self.silent_frames += labels.targets.iter().filter(|row| !row.iter().copied().any(is_active)).count();
        for class in (0..CLASSES).filter(|&class| labels.presence[class]) {
            self.present[class] += 1;
            self.active_share_sum[class] += labels.targets.iter().filter(|row| is_active(row[class])).count() as f64 / frames as f64;
        }
    }

    pub fn summary(&self) -> SplitStats {
        let classes = (0..CLASSES)
            .map(|class| ClassStats {
                class: INSTRUMENTS[class].0,
                clips_present: self.present[class],
                mean_active_share: self.active_share_sum[class] / self.present[class].max(1) as f64,
            })
            .collect();
        SplitStats {
            clips: self.clips,
            mean_stems: self.stems as f64 / self.clips.max(1) as f64,
            silent_frame_share: self.silent_frames as f64 / self.frames.max(1) as f64,
            classes,
        }
    }
}

/// Prints one row per class: clips present and mean active-frame share, per split.
pub fn print(splits: &[(&str, &SplitStats)]) {
    let header: String = splits.iter().map(|(name, stats)| format!("  {:>16}", format!("{name} ({})", stats.clips))).collect();
    println!("class{header}\n     {}", "  present  active".repeat(splits.len()));
    for (class, (code, _)) in INSTRUMENTS.iter().enumerate() {
        let cells: String = splits.iter().map(|(_, stats)| format!("  {:>7}  {:>5.0}%", stats.classes[class].clips_present, 100.0 * stats.classes[class].mean_active_share)).collect();
        println!("{code:<5}{cells}");
    }
    let row = |label: &str, value: &dyn Fn(&SplitStats) -> String| {
        println!("{label:<5}{}", splits.iter().map(|(_, stats)| format!("  {:>16}", value(stats))).collect::<String>());
    };
    row("stems", &|stats| format!("{:.2} per clip", stats.mean_stems));
    row("quiet", &|stats| format!("{:.1}% frames", 100.0 * stats.silent_frame_share));
}
