//! A lesson: embeds the user's recordings of a new sound (and of other sounds, plus the negative
//! bank), fits the head on one part, tunes its threshold on another, measures it on the third,
//! and grafts it into a copy of the base model.

use super::bank::NegativeBank;
use super::embedder::Embedder;
use super::graft::with_taught_class;
use super::head::LogisticHead;
use super::split::{part_of_example, part_of_window, Part};
use super::taught::{BaseModel, TaughtClass, TaughtModel};
use super::threshold::{scores_at, tune, Scores};
use crate::models::{Label, MetricsEntry};

/// Seconds of the new sound a lesson needs at least.
pub const MIN_POSITIVE_S: f32 = 30.0;

/// The audio of a lesson, as log-mel recordings of the base model's front-end (frame-major).
pub struct Lesson<'a> {
    /// Display name of the new class (its code is derived from it).
    pub name: String,
    /// Recordings of the new sound.
    pub positives: Vec<&'a [f32]>,
    /// Recordings of other sounds the class must not fire on (optional with a negative bank).
    pub negatives: Vec<&'a [f32]>,
    /// What the audio was, for the card.
    pub provenance: String,
}

/// Windows per part, positives and negatives.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct WindowCounts {
    pub fit: [usize; 2],
    pub tune: [usize; 2],
    pub test: [usize; 2],
}

/// What a lesson found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LessonReport {
    pub code: String,
    pub name: String,
    pub positive_s: f32,
    pub threshold: f32,
    /// Window-level scores on the held-out (test) windows at `threshold`.
    pub held_out: Scores,
    /// Positive and negative windows in each part.
    pub windows: WindowCounts,
    /// Of the negatives, how many came from the shipped bank.
    pub bank_negatives: usize,
}

/// Embeddings sorted into parts.
#[derive(Default)]
struct Parted {
    fit: Vec<Vec<f32>>,
    tune: Vec<Vec<f32>>,
    test: Vec<Vec<f32>>,
}

impl Parted {
    fn add(&mut self, part: Part, embedding: Vec<f32>) {
        match part {
            Part::Fit => self.fit.push(embedding),
            Part::Tune => self.tune.push(embedding),
            Part::Test => self.test.push(embedding),
            Part::Unused => {}
        }
    }

    fn add_recordings(&mut self, embedder: &mut Embedder, recordings: &[&[f32]]) -> Result<(), String> {
        for recording in recordings {
            for (index, embedding) in embedder.embed(recording)?.into_iter().enumerate() {
                self.add(part_of_window(index), embedding);
            }
        }
        Ok(())
    }
}

/// Teaches `lesson` to `base`; `bank` adds negatives (it must come from the same window network).
pub fn teach(base: &BaseModel, lesson: &Lesson, bank: Option<&NegativeBank>) -> Result<(TaughtModel, LessonReport), String> {
    let window = base.window_network()?;
    let code = class_code(&lesson.name)?;
    if base.main.card.labels.iter().any(|l| l.code == code) {
        return Err(format!("{} already has a class `{code}`", base.main.card.name));
    }
    let frontend = &window.card.frontend;
    let frame_s = frontend.hop as f32 / frontend.sample_rate as f32;
    let positive_s = lesson.positives.iter().map(|r| r.len() / frontend.n_mels).sum::<usize>() as f32 * frame_s;
    if positive_s < MIN_POSITIVE_S {
        return Err(format!("a lesson needs at least {MIN_POSITIVE_S} s of the new sound, got {positive_s:.1} s"));
    }
    let mut embedder = Embedder::new(&window.card, &window.onnx)?;
    let (mut positives, mut negatives) = (Parted::default(), Parted::default());
    positives.add_recordings(&mut embedder, &lesson.positives)?;
    negatives.add_recordings(&mut embedder, &lesson.negatives)?;
    if positives.fit.is_empty() || positives.tune.is_empty() || positives.test.is_empty() {
        return Err("the recordings of the new sound are too short to cut into 1 s windows for fitting, tuning and measuring: record longer takes".into());
    }
    let bank_negatives = bank.map_or(Ok(0), |bank| add_bank(&mut negatives, bank, embedder.dim()))?;
    if negatives.fit.is_empty() || negatives.tune.is_empty() || negatives.test.is_empty() {
        return Err("a lesson needs other sounds too: give recordings that are not the new sound (no negative bank fits this model)".into());
    }
    let (head, threshold, held_out) = fit_and_measure(&positives, &negatives);
    let windows = WindowCounts {
        fit: [positives.fit.len(), negatives.fit.len()],
        tune: [positives.tune.len(), negatives.tune.len()],
        test: [positives.test.len(), negatives.test.len()],
    };
    let report = LessonReport { code: code.clone(), name: lesson.name.clone(), positive_s, threshold, held_out, windows, bank_negatives };
    let grafted = with_taught_class(&window.onnx, &head.weights, head.bias)?;
    let class = TaughtClass {
        label: Label { code: code.clone(), name: lesson.name.clone() },
        threshold,
        held_out: held_out_entry(&report),
        provenance: lesson.provenance.clone(),
    };
    let stem = format!("{}-{code}", base.main.card.name);
    Ok((TaughtModel::new(base, &class, grafted, &stem), report))
}

fn add_bank(negatives: &mut Parted, bank: &NegativeBank, dim: usize) -> Result<usize, String> {
    if bank.dim() != dim {
        return Err(format!("the negative bank holds {}-value embeddings, the network makes {dim}", bank.dim()));
    }
    (0..bank.len()).for_each(|i| negatives.add(part_of_example(i), bank.get(i).to_vec()));
    Ok(bank.len())
}

fn slices(v: &[Vec<f32>]) -> Vec<&[f32]> {
    v.iter().map(Vec::as_slice).collect()
}

/// Fits on the fit part, tunes on the tune part, measures on the test part.
fn fit_and_measure(positives: &Parted, negatives: &Parted) -> (LogisticHead, f32, Scores) {
    let head = LogisticHead::fit(&slices(&positives.fit), &slices(&negatives.fit));
    let scored = |v: &[Vec<f32>]| v.iter().map(|e| head.score(e)).collect::<Vec<f32>>();
    let threshold = tune(&scored(&positives.tune), &scored(&negatives.tune));
    let held_out = scores_at(&scored(&positives.test), &scored(&negatives.test), threshold);
    (head, threshold, held_out)
}

fn held_out_entry(report: &LessonReport) -> MetricsEntry {
    let [positives, negatives] = report.windows.test;
    MetricsEntry {
        dataset: format!(
            "taught `{}`: held-out windows of the lesson ({positives} of the new sound, {negatives} others; precision {:.3}, recall {:.3})",
            report.code, report.held_out.precision, report.held_out.recall
        ),
        split: "taught-held-out".into(),
        micro_f1: report.held_out.f1,
        macro_f1: report.held_out.f1,
        per_label_f1: [(report.code.clone(), report.held_out.f1)].into(),
    }
}

/// A label code from a display name: lower-case ASCII letters and digits, words joined by `-`.
pub fn class_code(name: &str) -> Result<String, String> {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    match words.join("-") {
        code if code.is_empty() => Err(format!("the name {name:?} needs at least one ASCII letter or digit")),
        code if code.len() > 32 => Err(format!("the name {name:?} is too long for a class code (at most 32 characters)")),
        code => Ok(code),
    }
}
