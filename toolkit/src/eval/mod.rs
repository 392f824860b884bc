//! `cargo xtask eval`: precision/recall/F1 (micro, macro, per class) and threshold-free average
//! precision of a model on labelled audio, at clip level (S1, S2 and RMS) and, where frame labels
//! exist, at frame level; per-class threshold tuning (0.01 grid) stored in the card; a markdown +
//! PNG report next to the model.

pub mod datasets;
mod plots;
mod report;
pub mod scores;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use instrumeter::models::{AggregationMethod, LoadedModel, MetricsEntry, ModelCard, ModelKind};

use instrumeter_analysis::{file_rows, ClipAggregate};
pub use datasets::Layout;
use datasets::{LabelledClip, Origin};
use report::{Breakdowns, Group, LevelRecall, Section};
use scores::{ranking, tune_thresholds, Counts, Items, Scores};

/// What to evaluate, on what.
#[derive(clap::Args)]
pub struct EvalOptions {
    /// Model card (`*.card.json`, the `.onnx` beside it).
    #[arg(long)]
    pub model: PathBuf,
    /// Data folder.
    #[arg(long)]
    pub data: PathBuf,
    /// Folder layout of the data.
    #[arg(long, value_enum, default_value_t = Layout::Synth)]
    pub layout: Layout,
    /// Split (synth layout only).
    #[arg(long, default_value = "test")]
    pub split: String,
    /// Medley-solos-DB subset to score (training, validation or test); every subset when left out.
    #[arg(long)]
    pub subset: Option<String>,
    /// Tune per-class thresholds on this data and store them in the card (use the validation split).
    #[arg(long)]
    pub tune: bool,
    /// What `--tune` tunes: the live thresholds on the model's primary items (frames for a frame
    /// model with frame labels, else its clip aggregation), or the card's clip thresholds on its
    /// clip aggregation (S1, S2 or RMS as the card says), which leaves the live ones as they are.
    #[arg(long, value_enum, default_value_t = TuneOn::Primary)]
    pub tune_on: TuneOn,
    /// Record these scores in the card's metrics (with `--tune` the card is written anyway);
    /// without either the card is left as it is.
    #[arg(long)]
    pub record_in_card: bool,
    /// Folder for the report (`<card name>.<dataset>.report.md`, `.f1.png`, `.leakage.png`).
    #[arg(long, default_value = "target/eval")]
    pub report_dir: PathBuf,
}

/// The items `--tune` tunes thresholds on.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TuneOn {
    Primary,
    Clip,
}

struct Collected {
    clip_s1: Items,
    clip_s2: Items,
    clip_rms: Items,
    frames: Items,
    /// The clip (index into the evaluated clips) of each frame item.
    frame_clips: Vec<usize>,
}

impl Collected {
    /// The clip items as `method` aggregates them.
    fn clip(&self, method: AggregationMethod) -> &Items {
        match method {
            AggregationMethod::S1 => &self.clip_s1,
            AggregationMethod::S2 => &self.clip_s2,
            AggregationMethod::Rms => &self.clip_rms,
        }
    }
}

pub fn run(options: &EvalOptions) -> Result<()> {
    let mut card = ModelCard::load(&options.model)?;
    let clips: Vec<LabelledClip> = datasets::load(options.layout, &options.data, &options.split, options.subset.as_deref())?
        .into_iter()
        .map(|clip| clip.aligned_to(&card.labels))
        .collect();
    let collected = collect(&options.model, &card, &clips)?;
    let classes = card.labels.len();
    let primary_is_frames = card.kind == ModelKind::FrameActivation && !collected.frames.is_empty() && options.tune_on == TuneOn::Primary;
    let (live_thresholds, clip_thresholds) = (card.threshold_vector(), card.clip_threshold_vector());
    let thresholds_for = |items: &Items, card_thresholds: &[f32]| if options.tune { tune_thresholds(items, classes) } else { card_thresholds.to_vec() };
    let (t_s1, t_s2) = (thresholds_for(&collected.clip_s1, &clip_thresholds), thresholds_for(&collected.clip_s2, &clip_thresholds));
    let t_rms = thresholds_for(&collected.clip_rms, &clip_thresholds);
    let t_frames = thresholds_for(&collected.frames, &live_thresholds);
    let score = |items: &Items, t: &[f32]| score_items(items.iter(), t, classes);
    let (s1, s2, rms) = (score(&collected.clip_s1, &t_s1), score(&collected.clip_s2, &t_s2), score(&collected.clip_rms, &t_rms));
    let mut sections = vec![
        Section { title: "Clip level, S1 (mean)".into(), scores: &s1, thresholds: &t_s1, ranking: ranking(&collected.clip_s1, classes) },
        Section { title: "Clip level, S2 (sum / max)".into(), scores: &s2, thresholds: &t_s2, ranking: ranking(&collected.clip_s2, classes) },
        Section { title: "Clip level, RMS (root mean square)".into(), scores: &rms, thresholds: &t_rms, ranking: ranking(&collected.clip_rms, classes) },
    ];
    let frame_scores = (!collected.frames.is_empty()).then(|| score(&collected.frames, &t_frames));
    if let Some(frames) = frame_scores.as_ref() {
        sections.push(Section { title: "Frame level".into(), scores: frames, thresholds: &t_frames, ranking: ranking(&collected.frames, classes) });
    }
    let dataset = dataset_name(options);
    let (primary, primary_thresholds, primary_items) = match (primary_is_frames, card.aggregation.method) {
        (true, _) => (frame_scores.as_ref().expect("frames exist"), &t_frames, &collected.frames),
        (false, AggregationMethod::S1) => (&s1, &t_s1, &collected.clip_s1),
        (false, AggregationMethod::S2) => (&s2, &t_s2, &collected.clip_s2),
        (false, AggregationMethod::Rms) => (&rms, &t_rms, &collected.clip_rms),
    };
    for section in &sections {
        println!("{dataset} — {}: micro F1 {:.3}, macro F1 {:.3}, mean AP {:.3}", section.title, section.scores.micro_f1, section.scores.macro_f1, section.ranking.mean_ap);
    }
    let clip_indices: Vec<usize> = (0..clips.len()).collect();
    let item_clips = if primary_is_frames { &collected.frame_clips } else { &clip_indices };
    let breakdowns = Breakdowns {
        polyphony: by_polyphony(primary_items, primary_thresholds, classes),
        origin: by_origin(primary_items, item_clips, &clips, primary_thresholds, classes),
        level_recall: recall_by_level(primary_items, item_clips, &clips, primary_thresholds),
        without_quiet: without_quiet_stems(primary_items, item_clips, &clips, primary_thresholds, classes),
        frame_ceiling: primary_is_frames.then(|| clip_presence_on_frames(&clips, classes)),
    };
    if let Some(ceiling) = &breakdowns.frame_ceiling {
        println!("{dataset} — every frame given its clip's presence (no model): micro F1 {:.3}, macro F1 {:.3}", ceiling.micro_f1, ceiling.macro_f1);
    }
    for group in breakdowns.polyphony.iter().chain(&breakdowns.origin).chain(&breakdowns.without_quiet) {
        println!("{dataset} — {} ({} items): micro F1 {:.3}, macro F1 {:.3}, mean AP {:.3}", group.name, group.items, group.scores.micro_f1, group.scores.macro_f1, group.ranking.mean_ap);
    }
    for band in &breakdowns.level_recall {
        println!("{dataset} — recall of stems {} ({} present): {:.3}", band.name, band.positives, band.recall);
    }
    if options.tune {
        let held = cross_tuned(primary_items, item_clips, classes);
        println!("{dataset} — thresholds tuned on the other half of the clips (2 folds): micro F1 {:.3}, macro F1 {:.3}", held.micro_f1, held.macro_f1);
    }
    let leakage = leakage(&collected, card.aggregation.method, classes);
    let primary_section = sections.iter().find(|section| std::ptr::eq(section.scores, primary)).expect("the primary level is a section");
    let curves = Primary { title: &primary_section.title, items: primary_items, thresholds: primary_thresholds, ranking: &primary_section.ranking };
    write_report(&options.report_dir, &card, &dataset, &sections, &breakdowns, &leakage, &curves)?;
    if !(options.tune || options.record_in_card) {
        return Ok(());
    }
    if options.tune {
        let stored = if options.tune_on == TuneOn::Clip { &mut card.clip_thresholds } else { &mut card.thresholds };
        for (label, &t) in card.labels.iter().zip(primary_thresholds.iter()) {
            stored.insert(label.code.clone(), t);
        }
    }
    let split = match (options.layout, options.subset.as_deref()) {
        (Layout::Synth, _) => options.split.as_str(),
        (_, Some(subset)) => subset,
        (_, None) => "all",
    };
    record_metrics(&mut card, &dataset, split, primary);
    std::fs::write(&options.model, serde_json::to_vec_pretty(&card)?).with_context(|| format!("cannot update {}", options.model.display()))?;
    println!("{} updated ({})", options.model.display(), if options.tune { "tuned thresholds and these scores" } else { "these scores" });
    Ok(())
}

fn dataset_name(options: &EvalOptions) -> String {
    let folder = options.data.file_name().and_then(|f| f.to_str()).unwrap_or("data");
    match (options.layout, options.subset.as_deref()) {
        (Layout::Synth, _) => format!("{folder}-{}", options.split),
        (_, Some(subset)) => format!("{folder}-{subset}"),
        (_, None) => folder.to_string(),
    }
}

/// Runs the model over every clip and gathers clip-level and frame-level items.
fn collect(card_path: &Path, card: &ModelCard, clips: &[LabelledClip]) -> Result<Collected> {
    let progress = ProgressBar::new(clips.len() as u64).with_style(ProgressStyle::with_template("{bar:30} {pos}/{len} clips").expect("valid template"));
    let mut collected = Collected { clip_s1: Vec::new(), clip_s2: Vec::new(), clip_rms: Vec::new(), frames: Vec::new(), frame_clips: Vec::new() };
    for (index, clip) in clips.iter().enumerate() {
        let rows = file_rows(&clip.path, LoadedModel::load(card_path)?)?;
        let mut aggregate = ClipAggregate::new(card.labels.len());
        rows.iter().for_each(|row| aggregate.add(row));
        let scores = aggregate.finish(card);
        collected.clip_s1.push((scores.s1, clip.presence.clone()));
        collected.clip_s2.push((scores.s2, clip.presence.clone()));
        collected.clip_rms.push((scores.rms, clip.presence.clone()));
        if let (ModelKind::FrameActivation, Some(targets)) = (card.kind, clip.frame_targets.as_ref()) {
            for (row, target) in rows.iter().zip(targets) {
                collected.frames.push((row.clone(), target.iter().map(|&t| t >= 0.5).collect()));
                collected.frame_clips.push(index);
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(collected)
}

/// The scores of `items` with thresholds tuned on the other half of the clips (two folds by clip
/// index, `item_clips` naming each item's clip): what tuning on this data is worth on clips the
/// tuning did not see, where the tuned scores above are in-sample.
fn cross_tuned(items: &Items, item_clips: &[usize], classes: usize) -> Scores {
    let mut counts = Counts::new(classes);
    for fold in 0..2 {
        let (tune_on, score_on): (Vec<_>, Vec<_>) = items.iter().zip(item_clips).partition(|&(_, &clip)| clip % 2 != fold);
        let thresholds = tune_thresholds(&tune_on.into_iter().map(|(item, _)| item.clone()).collect::<Items>(), classes);
        score_on.into_iter().for_each(|((values, truth), _)| counts.add(values, &thresholds, truth));
    }
    counts.scores()
}

fn score_items<'a>(items: impl Iterator<Item = &'a (Vec<f32>, Vec<bool>)>, thresholds: &[f32], classes: usize) -> Scores {
    let mut counts = Counts::new(classes);
    items.for_each(|(values, truth)| counts.add(values, thresholds, truth));
    counts.scores()
}

/// Scores of the items where 1, 2, or 3–4 instruments play (seed 003's models failed on the last).
fn by_polyphony(items: &Items, thresholds: &[f32], classes: usize) -> Vec<Group> {
    let playing = |truth: &[bool]| truth.iter().filter(|&&p| p).count();
    [("1 instrument", 1..=1), ("2 instruments", 2..=2), ("3–4 instruments", 3..=usize::MAX)]
        .into_iter()
        .filter_map(|(name, range)| scored_group(name, items.iter().filter(|(_, truth)| range.contains(&playing(truth))).collect(), thresholds, classes))
        .collect()
}

/// Scores of the items whose clip was made of synthesised stems only (SoundFonts, GUS patches),
/// real notes only, or both (synth data; `item_clips` names each item's clip).
fn by_origin(items: &Items, item_clips: &[usize], clips: &[LabelledClip], thresholds: &[f32], classes: usize) -> Vec<Group> {
    Origin::ALL
        .into_iter()
        .filter_map(|origin| {
            let group = items.iter().zip(item_clips).filter(|&(_, &clip)| clips[clip].mix.as_ref().map(|mix| mix.origin) == Some(origin)).map(|(item, _)| item);
            scored_group(origin.name(), group.collect(), thresholds, classes)
        })
        .collect()
}

/// Frame-level scores of a perfect clip-level recogniser with no timing: every frame of a clip
/// marked with the clip's presence, against the frame targets (what the labels alone allow a
/// model that hears which instruments play but not when).
fn clip_presence_on_frames(clips: &[LabelledClip], classes: usize) -> Scores {
    let (mut counts, halves) = (Counts::new(classes), vec![0.5; classes]);
    for clip in clips {
        let values: Vec<f32> = clip.presence.iter().map(|&present| f32::from(u8::from(present))).collect();
        for target in clip.frame_targets.iter().flatten() {
            let truth: Vec<bool> = target.iter().map(|&t| t >= 0.5).collect();
            counts.add(&values, &halves, &truth);
        }
    }
    counts.scores()
}

/// Bands of a present class's mix level below its clip's loudest stem (dB, upper bound included),
/// for the recall breakdown: the loudest stem, then 0–6, 6–12 and 12–20 dB below it.
const LEVEL_BANDS: [(&str, f32); 4] = [("at the clip's loudest level", 0.0), ("0–6 dB below the loudest", -1e-3), ("6–12 dB below", -6.0), ("12–20 dB below", -12.0)];

/// Recall of the present classes by how far below the clip's loudest stem their stem was mixed
/// (synth data: the manifest's levels; `item_clips` names each item's clip).
fn recall_by_level(items: &Items, item_clips: &[usize], clips: &[LabelledClip], thresholds: &[f32]) -> Vec<LevelRecall> {
    let band_of = |db: f32| LEVEL_BANDS.iter().rposition(|&(_, upper)| db <= upper).unwrap_or(0);
    let (mut hits, mut positives) = ([0usize; LEVEL_BANDS.len()], [0usize; LEVEL_BANDS.len()]);
    for ((values, truth), &clip) in items.iter().zip(item_clips) {
        let Some(mix) = clips[clip].mix.as_ref() else { continue };
        for (class, db) in mix.relative_db.iter().enumerate().filter_map(|(class, db)| db.filter(|_| truth[class]).map(|db| (class, db))) {
            let band = band_of(db);
            positives[band] += 1;
            hits[band] += usize::from(values[class] >= thresholds[class]);
        }
    }
    (0..LEVEL_BANDS.len())
        .filter(|&band| positives[band] > 0)
        .map(|band| LevelRecall { name: LEVEL_BANDS[band].0, positives: positives[band], recall: hits[band] as f32 / positives[band] as f32 })
        .collect()
}

/// The primary scores when the classes mixed more than 12 (or 6) dB below their clip's loudest
/// stem are not asked for: neither a miss nor a false alarm counts for them (synth data).
fn without_quiet_stems(items: &Items, item_clips: &[usize], clips: &[LabelledClip], thresholds: &[f32], classes: usize) -> Vec<Group> {
    [("every stem (as scored above)", f32::NEG_INFINITY), ("stems within 12 dB of the loudest only", -12.0), ("stems within 6 dB of the loudest only", -6.0)]
        .into_iter()
        .filter_map(|(name, floor_db)| {
            let kept: Items = items
                .iter()
                .zip(item_clips)
                .filter_map(|((values, truth), &clip)| clips[clip].mix.as_ref().map(|mix| ignoring_quiet(values, truth, &mix.relative_db, floor_db)))
                .collect();
            scored_group(name, kept.iter().collect(), thresholds, classes)
        })
        .collect()
}

/// The item with every class mixed below `floor_db` made a certain negative (value 0, absent).
fn ignoring_quiet(values: &[f32], truth: &[bool], relative_db: &[Option<f32>], floor_db: f32) -> (Vec<f32>, Vec<bool>) {
    let quiet = |class: usize| relative_db[class].is_some_and(|db| db < floor_db);
    let values = values.iter().enumerate().map(|(class, &v)| if quiet(class) { 0.0 } else { v }).collect();
    let truth = truth.iter().enumerate().map(|(class, &t)| t && !quiet(class)).collect();
    (values, truth)
}

fn scored_group(name: &'static str, items: Vec<&(Vec<f32>, Vec<bool>)>, thresholds: &[f32], classes: usize) -> Option<Group> {
    (!items.is_empty()).then(|| Group { name, items: items.len(), ranking: ranking(items.iter().copied(), classes), scores: score_items(items.into_iter(), thresholds, classes) })
}

/// Mean clip score per class over the clips where exactly one class plays (seed 003's matrix).
fn leakage(collected: &Collected, method: AggregationMethod, classes: usize) -> Vec<Vec<f32>> {
    let items = collected.clip(method);
    let mut sums = vec![vec![0.0f32; classes]; classes];
    let mut counts = vec![0usize; classes];
    for (values, truth) in items.iter().filter(|(_, t)| t.iter().filter(|&&p| p).count() == 1) {
        let playing = truth.iter().position(|&p| p).expect("one class plays");
        sums[playing].iter_mut().zip(values).for_each(|(s, v)| *s += v);
        counts[playing] += 1;
    }
    sums.into_iter().zip(counts).map(|(row, n)| row.into_iter().map(|s| s / n.max(1) as f32).collect()).collect()
}

fn write_report(folder: &Path, card: &ModelCard, dataset: &str, sections: &[Section], breakdowns: &Breakdowns, leakage: &[Vec<f32>], primary: &Primary) -> Result<()> {
    std::fs::create_dir_all(folder).with_context(|| format!("cannot create the report folder {}: check --report-dir", folder.display()))?;
    let file = |suffix: &str| folder.join(format!("{}.{dataset}.{suffix}", card.name));
    std::fs::write(file("report.md"), report::markdown(card, dataset, sections, breakdowns, leakage))?;
    let names: Vec<String> = card.labels.iter().map(|label| label.name.clone()).collect();
    let f1: Vec<Vec<Option<f32>>> = sections.iter().map(|s| s.scores.per_class_f1.iter().copied().map(Some).collect()).collect();
    let mut bars: Vec<plots::BarSeries> = sections.iter().zip(&f1).map(|(s, values)| plots::BarSeries { name: format!("F1, {}", s.title), values }).collect();
    bars.push(plots::BarSeries { name: format!("AP, {}", primary.title), values: &primary.ranking.per_class_ap });
    plots::class_bars_png(&file("f1.png"), &format!("{} on {dataset}: F1 per class (thresholds as reported), AP", card.name), &names, &bars)?;
    plots::leakage_png(&file("leakage.png"), &format!("{} on {dataset}: leakage (single-instrument clips)", card.name), &names, leakage)?;
    let panels: Vec<plots::CurvePanel> = names
        .iter()
        .enumerate()
        .map(|(class, name)| plots::CurvePanel { name, items: primary.items, class, threshold: primary.thresholds[class], average_precision: primary.ranking.per_class_ap[class] })
        .collect();
    plots::precision_recall_png(&file("pr.png"), &format!("{} on {dataset}: precision-recall, {}", card.name, primary.title), &panels)?;
    println!("report written to {} (+ .f1.png, .leakage.png, .pr.png)", file("report.md").display());
    Ok(())
}

/// The scoring level the report's curves show: its items, thresholds and ranking.
struct Primary<'a> {
    title: &'a str,
    items: &'a Items,
    thresholds: &'a [f32],
    ranking: &'a scores::Ranking,
}

/// Replaces the card's metrics entry for this dataset and split.
fn record_metrics(card: &mut ModelCard, dataset: &str, split: &str, scores: &Scores) {
    card.metrics.retain(|m| !(m.dataset == dataset && m.split == split));
    let per_label_f1 = card.labels.iter().zip(&scores.per_class_f1).map(|(l, &f)| (l.code.clone(), f)).collect();
    card.metrics.push(MetricsEntry { dataset: dataset.into(), split: split.into(), micro_f1: scores.micro_f1, macro_f1: scores.macro_f1, per_label_f1 });
}

#[cfg(test)]
mod tests {
    use super::*;
    use datasets::MixFacts;

    /// A synth clip of two classes mixed at these levels below its loudest stem.
    fn two_stem_clip(first_db: f32, second_db: f32) -> LabelledClip {
        LabelledClip { path: PathBuf::new(), presence: vec![true, true], frame_targets: None, mix: Some(MixFacts { origin: Origin::SoundFonts, relative_db: vec![Some(first_db), Some(second_db)] }) }
    }

    #[test]
    fn recall_is_broken_down_by_the_level_of_each_stem() {
        let clips = [two_stem_clip(0.0, -15.0), two_stem_clip(-3.0, 0.0), two_stem_clip(0.0, -8.0)];
        // Both found in clip 0; in clip 1 the −3 dB stem is missed; in clip 2 the −8 dB stem is missed
        // and the first class is absent in the second item (a frame where it is silent).
        let items: Items = vec![(vec![0.9, 0.9], vec![true, true]), (vec![0.1, 0.9], vec![true, true]), (vec![0.9, 0.1], vec![true, true]), (vec![0.9, 0.1], vec![false, true])];
        let bands: Vec<_> = recall_by_level(&items, &[0, 1, 2, 2], &clips, &[0.5, 0.5]).into_iter().map(|b| (b.name, b.positives, b.recall)).collect();
        assert_eq!(bands, [(LEVEL_BANDS[0].0, 3, 1.0), (LEVEL_BANDS[1].0, 1, 0.0), (LEVEL_BANDS[2].0, 2, 0.0), (LEVEL_BANDS[3].0, 1, 1.0)]);
    }

    #[test]
    fn clip_presence_on_frames_misses_nothing_and_pays_for_silent_frames() {
        let clip = |presence: Vec<bool>, targets: Vec<Vec<f32>>| LabelledClip { path: PathBuf::new(), presence, frame_targets: Some(targets), mix: None };
        // Class 0 plays in 1 of 2 frames of the first clip and both of the second; class 1 never plays.
        let clips = [clip(vec![true, false], vec![vec![0.9, 0.0], vec![0.1, 0.0]]), clip(vec![true, false], vec![vec![0.6, 0.0], vec![0.5, 0.0]])];
        let scores = clip_presence_on_frames(&clips, 2);
        assert_eq!((scores.micro_recall, scores.micro_precision), (1.0, 0.75));
        assert!((scores.micro_f1 - 6.0 / 7.0).abs() < 1e-6, "{}", scores.micro_f1);
    }

    #[test]
    fn quiet_stems_are_neither_misses_nor_false_alarms_when_left_out() {
        let clips = [two_stem_clip(0.0, -15.0), two_stem_clip(0.0, -3.0)];
        // Clip 0: its quiet second class is missed; clip 1: both found, plus nothing else.
        let items: Items = vec![(vec![0.9, 0.1], vec![true, true]), (vec![0.9, 0.9], vec![true, true])];
        let groups: Vec<_> = without_quiet_stems(&items, &[0, 1], &clips, &[0.5, 0.5], 2).into_iter().map(|g| (g.items, g.scores.micro_f1)).collect();
        // Every stem: 3 hits, 1 miss → 6/7; within 12 dB: the miss is not asked for → 1; within 6 dB: the same.
        assert_eq!(groups.len(), 3);
        assert!((groups[0].1 - 6.0 / 7.0).abs() < 1e-6, "{}", groups[0].1);
        assert_eq!(groups[1], (2, 1.0));
        assert_eq!(groups[2], (2, 1.0));
        let (values, truth) = ignoring_quiet(&[0.9, 0.8], &[false, true], &[Some(0.0), Some(-15.0)], -12.0);
        assert_eq!((values, truth), (vec![0.9, 0.0], vec![false, false]), "a quiet class's false alarm does not count either");
    }

    #[test]
    fn cross_tuned_thresholds_are_scored_on_the_clips_they_were_not_tuned_on() {
        // Clips 0 and 2 want a threshold below 0.3, clips 1 and 3 one above 0.6: each fold tunes on
        // the other parity and so misses on its own clips; tuned in-sample, every clip would pass.
        let items: Items = vec![(vec![0.2], vec![true]), (vec![0.65], vec![false]), (vec![0.25], vec![true]), (vec![0.7], vec![false])];
        let in_sample = score_items(items.iter(), &tune_thresholds(&items, 1), 1);
        let held = cross_tuned(&items, &[0, 1, 2, 3], 1);
        assert!(held.micro_f1 < in_sample.micro_f1, "held {} vs in-sample {}", held.micro_f1, in_sample.micro_f1);
    }

    #[test]
    fn polyphony_groups_score_only_their_items() {
        let item = |values: [f32; 4], truth: [bool; 4]| (values.to_vec(), truth.to_vec());
        let items = vec![
            item([0.9, 0.0, 0.0, 0.0], [true, false, false, false]),
            item([0.9, 0.9, 0.0, 0.0], [true, true, false, false]),
            item([0.9, 0.0, 0.0, 0.0], [true, true, true, false]),
            item([0.0, 0.9, 0.9, 0.9], [true, true, true, true]),
        ];
        let groups = by_polyphony(&items, &[0.5; 4], 4);
        let summary: Vec<_> = groups.iter().map(|g| (g.name, g.items, g.scores.micro_f1)).collect();
        // 3–4 instruments: 4 of 7 present classes found, no false alarm → F1 = 2·4 / (2·4 + 3) = 8/11.
        assert_eq!(summary[..2], [("1 instrument", 1, 1.0), ("2 instruments", 1, 1.0)]);
        assert_eq!((summary[2].0, summary[2].1), ("3–4 instruments", 2));
        assert!((summary[2].2 - 8.0 / 11.0).abs() < 1e-6, "{}", summary[2].2);
    }

    #[test]
    fn origin_groups_score_the_items_of_their_clips() {
        let clip = |origin: Option<Origin>| LabelledClip { path: PathBuf::new(), presence: vec![true], frame_targets: None, mix: origin.map(|origin| MixFacts { origin, relative_db: vec![Some(0.0)] }) };
        let clips = [clip(Some(Origin::SoundFonts)), clip(Some(Origin::RealNotes)), clip(None)];
        let items: Items = vec![(vec![0.9], vec![true]), (vec![0.1], vec![true]), (vec![0.9], vec![true]), (vec![0.9], vec![false])];
        let groups = by_origin(&items, &[0, 0, 1, 2], &clips, &[0.5], 1);
        let summary: Vec<_> = groups.iter().map(|g| (g.name, g.items, g.scores.micro_f1)).collect();
        // SoundFont clip: one hit, one miss → F1 2/3; real-note clip: one hit; the clip of unknown origin is in no group.
        assert_eq!(summary.len(), 2);
        assert_eq!((summary[0].0, summary[0].1), (Origin::SoundFonts.name(), 2));
        assert!((summary[0].2 - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(summary[1], (Origin::RealNotes.name(), 1, 1.0));
    }
}
