//! The running analysis of one plugin activation (tap, automation and worker for the audio side)
//! and the link the editor reads it through.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};

use atomic_float::AtomicF32;

use triple_buffer::Output;

use crate::automation::{AlignedControls, Automation, DelayLine};
use crate::engine::{
    analysis_pipeline, control_timeline, AnalysisSnapshot, AnalysisTap, AnalysisWorker, Analyzer, ControlValues,
    LivePublisher, PipelineConfig, ThresholdOverrides,
};
use crate::engine::model_latency_s;
use crate::frontend::FrontendConfig;
use crate::models::{ModelCard, ModelLoader, EMBEDDED_DEFAULT};
use crate::session::SessionMember;
use crate::teach::{lesson_feed, LessonFeed};

/// Seconds of audio the ring buffers while the worker is busy.
const RING_SECONDS: f64 = 2.0;

/// What the editor reaches of the current activation; empty while the plugin is inactive.
/// Only the main and GUI threads lock it, never the audio thread.
#[derive(Default)]
pub struct LiveLink {
    latest: Mutex<Option<Output<AnalysisSnapshot>>>,
    loader: Mutex<Option<ModelLoader>>,
    /// The aligned mode's audio delay of this activation, in seconds (0 when the mode is off).
    aligned_delay_s: AtomicF32,
    /// The editor lesson's end of the worker's log-mel frames.
    lesson: Mutex<Option<LessonFeed>>,
}

impl LiveLink {
    /// The aligned mode's audio delay reported to the host at the last activation, in seconds.
    pub fn aligned_delay_s(&self) -> f32 {
        self.aligned_delay_s.load(Ordering::Relaxed)
    }

    /// Records the aligned delay an activation reported to the host.
    pub fn set_aligned_delay_s(&self, seconds: f32) {
        self.aligned_delay_s.store(seconds, Ordering::Relaxed);
    }

    /// Calls `use_feed` with the lesson feed, if the analysis runs.
    pub fn with_lesson_feed<R>(&self, use_feed: impl FnOnce(&mut LessonFeed) -> R) -> Option<R> {
        lock(&self.lesson).as_mut().map(use_feed)
    }

    /// Calls `read` with the newest snapshot, if the analysis runs.
    pub fn with_snapshot<R>(&self, read: impl FnOnce(&AnalysisSnapshot) -> R) -> Option<R> {
        lock(&self.latest).as_mut().map(|output| read(output.read()))
    }

    /// Asks the running analysis to switch to `card` (`None`: the embedded default); if it fails
    /// to load, the current model keeps running. Returns false when the plugin is inactive (the
    /// choice then applies at the next activation).
    pub fn load_model(&self, card: Option<PathBuf>) -> bool {
        let loader = lock(&self.loader);
        let Some(loader) = loader.as_ref() else { return false };
        match card {
            Some(path) => loader.load_file(path),
            None => load_default(loader),
        }
        true
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// At activation: starts loading `card`, or the embedded default when `card` is `None` or fails
/// to load (its error then shows in the status line).
fn request_startup_model(loader: &ModelLoader, card: Option<PathBuf>) {
    match (card, EMBEDDED_DEFAULT.as_ref()) {
        (Some(path), Some(default)) => loader.load_file_or(path, default),
        (Some(path), None) => loader.load_file(path),
        (None, _) => load_default(loader),
    }
}

/// The latency of the model `card` names (else the embedded default's), read from its card
/// before the model itself loads; 0 when neither can be read (the running model's then counts).
pub fn expected_model_latency_s(card: Option<&std::path::Path>) -> f32 {
    let from_file = card.and_then(|path| ModelCard::load(path).ok());
    let from_embedded = || EMBEDDED_DEFAULT.as_ref().and_then(|e| ModelCard::from_json(e.card_json, std::path::Path::new("embedded")).ok());
    from_file.or_else(from_embedded).map_or(0.0, |card| model_latency_s(&card))
}

/// Starts loading the embedded default, if this build has one.
fn load_default(loader: &ModelLoader) {
    if let Some(default) = EMBEDDED_DEFAULT.as_ref() {
        loader.load_embedded(default);
    }
}

/// Everything one activation owns; dropped (worker joined) on deactivation.
pub struct LiveAnalysis {
    pub tap: AnalysisTap,
    pub automation: Automation,
    pub controls: Arc<ControlValues>,
    /// The aligned mode's delay line and time-stamped values.
    pub delay: DelayLine,
    pub aligned: AlignedControls,
    worker: AnalysisWorker,
    link: Arc<LiveLink>,
    session: SessionMember,
}

impl LiveAnalysis {
    /// Allocates the ring, front-end, publishers and the aligned mode's delay line (`channels`
    /// wide, `aligned_delay` samples long) for `host_rate`, starts the worker thread and loads the model
    /// (`card`, else the embedded default); the editor finds it all in `link`, the session
    /// overview in `session`.
    pub fn start(
        host_rate: f64,
        max_block: usize,
        (channels, aligned_delay): (usize, usize),
        overrides: ThresholdOverrides,
        card: Option<PathBuf>,
        link: Arc<LiveLink>,
        session: SessionMember,
    ) -> Result<Self, String> {
        let config = PipelineConfig { host_rate, max_block, ring_seconds: RING_SECONDS, frontend: FrontendConfig::default() };
        let (publisher, latest, controls) = LivePublisher::new(config.frontend.n_mels);
        let (timeline, timeline_out) = control_timeline();
        let (loader, updates) = ModelLoader::new();
        let (lesson_tap, lesson) = lesson_feed(config.frontend.n_mels);
        let publisher = publisher.with_overrides(overrides).with_timeline(timeline).with_session(session.clone()).with_lesson_tap(lesson_tap);
        let analyzer = Analyzer::new(config.frontend.n_mels, publisher).with_updates(updates);
        let (tap, analysis) = analysis_pipeline(&config, analyzer).map_err(|e| e.to_string())?;
        request_startup_model(&loader, card);
        let worker = AnalysisWorker::spawn(analysis).map_err(|e| format!("could not start the analysis thread: {e}"))?;
        *lock(&link.latest) = Some(latest);
        *lock(&link.loader) = Some(loader);
        *lock(&link.lesson) = Some(lesson);
        let delay = DelayLine::new(channels, aligned_delay);
        let aligned = AlignedControls::new(timeline_out, host_rate, &config.frontend);
        Ok(Self { tap, automation: Automation::new(host_rate as f32), controls, delay, aligned, worker, link, session })
    }

    /// Stops the worker, unlinks the editor, shows no instruments in the session overview and
    /// summarises what it did.
    pub fn stop(&mut self) -> String {
        self.worker.stop();
        self.session.publish_instruments(0, 0);
        lock(&self.link.loader).take();
        lock(&self.link.lesson).take();
        let Some(mut latest) = lock(&self.link.latest).take() else { return "analysis stopped".into() };
        let snapshot = latest.read();
        format!(
            "analysis stopped after {} frames: model {:?}, {:.2} % CPU, {} samples dropped, {} non-finite samples replaced",
            snapshot.frames,
            snapshot.status,
            snapshot.cpu_share * 100.0,
            snapshot.dropped_samples,
            snapshot.non_finite_samples,
        )
    }
}
