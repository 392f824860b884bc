//! The analysis worker thread: wakes every few milliseconds and drains the ring.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::{AnalysisLoop, FrameSink};

/// How long the worker sleeps when the ring is empty (the audio thread never wakes it).
const IDLE_WAIT: Duration = Duration::from_millis(3);

/// Runs an [`AnalysisLoop`] on its own thread until dropped or stopped.
pub struct AnalysisWorker {
    stop: Arc<AtomicBool>,
    frames: Arc<AtomicU64>,
    non_finite: Arc<AtomicU64>,
    handle: Option<JoinHandle<()>>,
}

impl AnalysisWorker {
    /// Starts the thread. Fails only if the OS cannot create a thread.
    pub fn spawn<S: FrameSink + 'static>(mut analysis: AnalysisLoop<S>) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let frames = Arc::new(AtomicU64::new(0));
        let non_finite = Arc::new(AtomicU64::new(0));
        let (stop_flag, frame_count, non_finite_count) = (stop.clone(), frames.clone(), non_finite.clone());
        let handle = std::thread::Builder::new().name("instrumeter-analysis".into()).spawn(move || {
            while !stop_flag.load(Ordering::Acquire) {
                if analysis.drain_while(|| !stop_flag.load(Ordering::Acquire)) == 0 {
                    std::thread::park_timeout(IDLE_WAIT);
                }
                frame_count.store(analysis.frontend().frames_emitted(), Ordering::Relaxed);
                non_finite_count.store(analysis.frontend().non_finite_samples(), Ordering::Relaxed);
            }
        })?;
        Ok(Self { stop, frames, non_finite, handle: Some(handle) })
    }

    /// Frames the front-end has produced so far.
    pub fn frames(&self) -> u64 {
        self.frames.load(Ordering::Relaxed)
    }

    /// Non-finite input samples replaced by silence so far.
    pub fn non_finite_samples(&self) -> u64 {
        self.non_finite.load(Ordering::Relaxed)
    }

    /// Asks the thread to finish and waits for it.
    pub fn stop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(handle) = self.handle.take() {
            handle.thread().unpark();
            let _ = handle.join();
        }
    }
}

impl Drop for AnalysisWorker {
    fn drop(&mut self) {
        self.stop();
    }
}
