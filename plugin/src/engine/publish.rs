//! Live publishing: a snapshot per frame/window to the editor (triple_buffer) and the newest
//! values per class to the audio thread (atomics). Allocation-free per frame.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use atomic_float::AtomicF32;
use triple_buffer::{triple_buffer, Input, Output};

use super::aggregate::decide;
use super::analyzer::{AnalysisOutput, ModelStatus};
use super::stages::StageOutput;
use super::thresholds::{label_slots, ThresholdOverrides};
use super::timeline::{model_latency_s, row_centre_frames, ControlRecord};
use super::LoopStats;
use crate::frontend::FeatureKind;
use crate::models::ModelCard;
use crate::session::SessionMember;
use crate::teach::LessonTap;
use ringbuf::traits::Producer;
use ringbuf::HeapProd;

/// Most classes a model may have (buffers are sized for this once).
pub const MAX_CLASSES: usize = 32;
/// [`ControlValues::slot`] of a class that is not one of the product's instruments.
const NO_SLOT: usize = usize::MAX;

/// What the editor reads: the newest state of the analysis.
#[derive(Debug, Clone)]
pub struct AnalysisSnapshot {
    /// Front-end frames analysed so far.
    pub frames: u64,
    /// The newest log-mel frame.
    pub log_mel: Vec<f32>,
    /// The active model's card.
    pub card: Option<Arc<ModelCard>>,
    /// Model state for the status line.
    pub status: Arc<ModelStatus>,
    /// Classes of the active model: the first `classes` entries below are meaningful.
    pub classes: usize,
    /// Newest activation per class (frame activation, or window score).
    pub activations: [f32; MAX_CLASSES],
    /// Newest decision per class (threshold crossed).
    pub decisions: [bool; MAX_CLASSES],
    /// Threshold in effect per class (the user's override, else the card's).
    pub thresholds: [f32; MAX_CLASSES],
    /// Index of the newest activation row (frame index or window index); rows form the history.
    pub row: u64,
    /// Worker CPU time per second of audio analysed.
    pub cpu_share: f32,
    /// Seconds from the newest input sample to a published value (worst case).
    pub latency_s: f32,
    /// Samples dropped because the ring was full.
    pub dropped_samples: u64,
    /// NaN/Inf samples replaced by silence.
    pub non_finite_samples: u64,
}

/// The newest per-class values for the audio thread (automation outputs), written by the worker.
#[derive(Debug)]
pub struct ControlValues {
    activations: [AtomicF32; MAX_CLASSES],
    decision_basis: [AtomicF32; MAX_CLASSES],
    thresholds: [AtomicF32; MAX_CLASSES],
    slots: [AtomicUsize; MAX_CLASSES],
    classes: AtomicUsize,
    /// The running model's latency (0 until one is ready), in seconds.
    model_latency_s: AtomicF32,
}

impl Default for ControlValues {
    fn default() -> Self {
        let zeros = || std::array::from_fn(|_| AtomicF32::new(0.0));
        Self {
            activations: zeros(),
            decision_basis: zeros(),
            thresholds: std::array::from_fn(|_| AtomicF32::new(1.0)),
            slots: std::array::from_fn(|_| AtomicUsize::new(NO_SLOT)),
            classes: AtomicUsize::new(0),
            model_latency_s: AtomicF32::new(0.0),
        }
    }
}

impl ControlValues {
    /// Number of classes of the active model.
    pub fn classes(&self) -> usize {
        self.classes.load(Ordering::Relaxed)
    }

    /// Newest activation of class `index` (0 if out of range).
    pub fn get(&self, index: usize) -> f32 {
        load(&self.activations, index, 0.0)
    }

    /// The value compared with the threshold (the activation, or the aggregated window score).
    pub fn decision_basis(&self, index: usize) -> f32 {
        load(&self.decision_basis, index, 0.0)
    }

    /// Threshold in effect for class `index` (1 if out of range).
    pub fn threshold(&self, index: usize) -> f32 {
        load(&self.thresholds, index, 1.0)
    }

    /// The instrument slot ([`crate::models::INSTRUMENTS`] index) of class `index`, if it has one.
    pub fn slot(&self, index: usize) -> Option<usize> {
        self.slots.get(index).map(|s| s.load(Ordering::Relaxed)).filter(|&s| s != NO_SLOT)
    }

    /// The running model's latency in seconds (0 until a model is ready).
    pub fn model_latency_s(&self) -> f32 {
        self.model_latency_s.load(Ordering::Relaxed)
    }

    pub(crate) fn set_model_latency_s(&self, seconds: f32) {
        self.model_latency_s.store(seconds, Ordering::Relaxed);
    }

    /// Copies the active model's classes and slots from `other` (the audio thread's own copy).
    pub(crate) fn copy_slots_from(&self, other: &ControlValues) {
        let classes = other.classes();
        for (mine, theirs) in self.slots.iter().zip(&other.slots) {
            mine.store(theirs.load(Ordering::Relaxed), Ordering::Relaxed);
        }
        self.classes.store(classes, Ordering::Relaxed);
    }

    /// Stores the newest values of class `class` (worker side; ignored out of range).
    pub(crate) fn store(&self, class: usize, activation: f32, decision_basis: f32, threshold: f32) {
        if class < MAX_CLASSES {
            self.activations[class].store(activation, Ordering::Relaxed);
            self.decision_basis[class].store(decision_basis, Ordering::Relaxed);
            self.thresholds[class].store(threshold, Ordering::Relaxed);
        }
    }

    /// Describes a new model: its classes' instrument slots (worker side).
    pub(crate) fn set_slots(&self, slots: &[Option<usize>]) {
        self.classes.store(0, Ordering::Relaxed);
        for (index, slot) in self.slots.iter().enumerate() {
            slot.store(slots.get(index).copied().flatten().unwrap_or(NO_SLOT), Ordering::Relaxed);
        }
        self.classes.store(slots.len().min(MAX_CLASSES), Ordering::Relaxed);
    }
}

fn load(values: &[AtomicF32; MAX_CLASSES], index: usize, absent: f32) -> f32 {
    values.get(index).map_or(absent, |v| v.load(Ordering::Relaxed))
}

/// The worker-side publisher.
pub struct LivePublisher {
    input: Input<AnalysisSnapshot>,
    state: AnalysisSnapshot,
    /// The active card's thresholds and instrument slots, in label order.
    card_thresholds: Vec<f32>,
    slots: Vec<Option<usize>>,
    overrides: ThresholdOverrides,
    controls: Arc<ControlValues>,
    frontend_latency_s: f32,
    /// The aligned mode's queue, and the frames from a row's start to its centre.
    timeline: Option<HeapProd<ControlRecord>>,
    row_centre: u64,
    record: ControlRecord,
    /// Where the session overview reads this instance's instruments (detached: nowhere).
    session: SessionMember,
    /// The instruments the active card can hear (bit = instrument slot).
    heard: u32,
    /// Where the editor's lesson records frames (while it records).
    lesson: Option<LessonTap>,
}

impl LivePublisher {
    /// Creates the publisher, the editor's reader and the audio thread's control values.
    pub fn new(n_mels: usize) -> (Self, Output<AnalysisSnapshot>, Arc<ControlValues>) {
        let state = AnalysisSnapshot {
            frames: 0,
            log_mel: vec![0.0; n_mels],
            card: None,
            status: Arc::new(ModelStatus::NoModel),
            classes: 0,
            activations: [0.0; MAX_CLASSES],
            decisions: [false; MAX_CLASSES],
            thresholds: [1.0; MAX_CLASSES],
            row: 0,
            cpu_share: 0.0,
            latency_s: 0.0,
            dropped_samples: 0,
            non_finite_samples: 0,
        };
        let (input, output) = triple_buffer(&state);
        let controls = Arc::new(ControlValues::default());
        let publisher = Self {
            input,
            state,
            card_thresholds: Vec::with_capacity(MAX_CLASSES),
            slots: Vec::with_capacity(MAX_CLASSES),
            overrides: ThresholdOverrides::default(),
            controls: controls.clone(),
            frontend_latency_s: 0.0,
            timeline: None,
            row_centre: 0,
            record: ControlRecord::default(),
            session: SessionMember::default(),
            heard: 0,
            lesson: None,
        };
        (publisher, output, controls)
    }

    /// Decides with the user's threshold `overrides` where they are set.
    pub fn with_overrides(mut self, overrides: ThresholdOverrides) -> Self {
        self.overrides = overrides;
        self
    }

    /// Also sends every row, time-stamped, to the aligned mode's queue (a full queue drops it).
    pub fn with_timeline(mut self, timeline: HeapProd<ControlRecord>) -> Self {
        self.timeline = Some(timeline);
        self
    }

    /// Also publishes the instruments heard and playing to the session overview.
    pub fn with_session(mut self, session: SessionMember) -> Self {
        self.session = session;
        self
    }

    /// Also hands log-mel frames to the editor's lesson while it records.
    pub fn with_lesson_tap(mut self, lesson: LessonTap) -> Self {
        self.lesson = Some(lesson);
        self
    }

    fn publish(&mut self) {
        let next = self.input.input_buffer_mut();
        let state = &self.state;
        next.frames = state.frames;
        next.log_mel.copy_from_slice(&state.log_mel);
        next.card.clone_from(&state.card);
        next.status.clone_from(&state.status);
        (next.classes, next.activations, next.decisions) = (state.classes, state.activations, state.decisions);
        next.thresholds = state.thresholds;
        (next.row, next.cpu_share, next.latency_s) = (state.row, state.cpu_share, state.latency_s);
        (next.dropped_samples, next.non_finite_samples) = (state.dropped_samples, state.non_finite_samples);
        self.input.publish();
    }

    fn set_activations(&mut self, row: u64, first_frame: u64, values: &[f32], decision_basis: &[f32]) {
        let classes = values.len().min(MAX_CLASSES);
        let state = &mut self.state;
        (state.row, state.classes) = (row, classes);
        state.activations[..classes].copy_from_slice(&values[..classes]);
        self.overrides.effective(&self.card_thresholds, &self.slots, &mut state.thresholds[..classes]);
        decide(&decision_basis[..classes], &state.thresholds[..classes], &mut state.decisions[..classes]);
        for class in 0..classes {
            self.controls.store(class, values[class], decision_basis[class], state.thresholds[class]);
        }
        let decisions = &state.decisions;
        self.session.publish_instruments(self.heard, instrument_mask(&self.slots, |class| decisions[class]));
        if let Some(timeline) = self.timeline.as_mut() {
            let record = &mut self.record;
            (record.frame, record.classes) = (first_frame + self.row_centre, classes);
            record.activation[..classes].copy_from_slice(&values[..classes]);
            record.decision_basis[..classes].copy_from_slice(&decision_basis[..classes]);
            record.threshold[..classes].copy_from_slice(&state.thresholds[..classes]);
            let _ = timeline.try_push(*record);
        }
    }

    /// Takes the new card's thresholds and points the audio thread's per-class slots at its labels.
    fn set_card(&mut self, card: &ModelCard) {
        let classes = card.labels.len().min(MAX_CLASSES);
        self.card_thresholds = card.threshold_vector();
        self.card_thresholds.truncate(classes);
        self.slots.clear();
        self.slots.extend(label_slots(&card.labels).into_iter().take(classes));
        self.overrides.effective(&self.card_thresholds, &self.slots, &mut self.state.thresholds[..classes]);
        for (class, &threshold) in self.state.thresholds[..classes].iter().enumerate() {
            self.controls.store(class, 0.0, 0.0, threshold);
        }
        self.controls.set_slots(&self.slots);
        self.heard = instrument_mask(&self.slots, |_| true);
        self.session.publish_instruments(self.heard, 0);
    }
}

/// The instrument slots (as bits) of the classes `selected` picks; classes without a slot add none.
fn instrument_mask(slots: &[Option<usize>], selected: impl Fn(usize) -> bool) -> u32 {
    let picked = slots.iter().enumerate().filter(|&(class, _)| selected(class));
    picked.filter_map(|(_, slot)| *slot).fold(0, |mask, slot| mask | 1 << slot)
}

impl AnalysisOutput for LivePublisher {
    fn on_model(&mut self, status: &ModelStatus, card: Option<&ModelCard>) {
        self.state.status = Arc::new(status.clone());
        if let Some(card) = card.filter(|_| matches!(status, ModelStatus::Ready(_))) {
            self.set_card(card);
            self.state.card = Some(Arc::new(card.clone()));
            self.state.latency_s = self.frontend_latency_s + model_latency_s(card);
            self.row_centre = row_centre_frames(card);
            self.controls.set_model_latency_s(model_latency_s(card));
            self.state.classes = 0;
        }
        self.publish();
    }

    fn on_output(&mut self, output: StageOutput<'_>) {
        match output {
            StageOutput::Frame { index, activations } => self.set_activations(index, index, activations, activations),
            StageOutput::Window { index, start_frame, scores, aggregated } => self.set_activations(index, start_frame, scores, aggregated),
        }
        self.publish();
    }

    fn on_log_mel(&mut self, frame_index: u64, log_mel: &[f32]) {
        self.state.frames = frame_index + 1;
        // The editor's spectrogram and teaching read log-mel; other kinds' frames only count.
        let log_mel_model = self.state.card.as_ref().is_none_or(|card| card.frontend.kind == FeatureKind::LogMel);
        if log_mel_model && log_mel.len() == self.state.log_mel.len() {
            self.state.log_mel.copy_from_slice(log_mel);
            if let Some(lesson) = self.lesson.as_mut() {
                lesson.on_frame(log_mel);
            }
        }
        self.publish();
    }

    fn on_drained(&mut self, stats: &LoopStats) {
        self.state.cpu_share = stats.cpu_share;
        self.state.dropped_samples = stats.dropped_samples;
        self.state.non_finite_samples = stats.non_finite_samples;
        self.frontend_latency_s = stats.frontend_latency_s;
        self.publish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelKind;
    use crate::session::{overview_rows, Registry};
    use crate::testkit::test_card;

    #[test]
    fn the_worker_side_publishes_heard_and_playing_instruments_to_the_session() {
        let registry = Box::leak(Box::new(Registry::new()));
        let (publisher, _latest, _controls) = LivePublisher::new(4);
        let mut publisher = publisher.with_session(SessionMember::join(registry));
        let card = test_card(ModelKind::FrameActivation, 3, 16, 8);
        publisher.on_model(&ModelStatus::Ready(card.name.clone()), Some(&card));
        let playing = |registry: &Registry| overview_rows(registry)[0].instruments.iter().map(|c| (c.code, c.playing)).collect::<Vec<_>>();
        assert_eq!(playing(registry), [("cel", false), ("cla", false), ("flu", false)], "a new model: heard, none playing yet");
        publisher.on_output(StageOutput::Frame { index: 0, activations: &[0.9, 0.1, 0.7] });
        assert_eq!(playing(registry), [("cel", true), ("cla", false), ("flu", true)], "thresholds 0.5");
    }

    #[test]
    fn classes_without_an_instrument_slot_add_no_bit() {
        assert_eq!(instrument_mask(&[Some(0), None, Some(12)], |_| true), 1 | 1 << 12);
        assert_eq!(instrument_mask(&[Some(0), None, Some(12)], |class| class == 2), 1 << 12);
    }
}
