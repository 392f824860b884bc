//! Audio-thread side of the analysis: downmix to mono and push into the lock-free ring.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use ringbuf::traits::Producer;
use ringbuf::HeapProd;

/// Counters the audio thread writes and everyone else may read.
#[derive(Debug, Default)]
pub struct TapStats {
    /// Samples that did not fit in the ring (the worker fell behind) and were dropped.
    pub dropped_samples: AtomicU64,
    /// Samples pushed into the ring.
    pub pushed_samples: AtomicU64,
}

/// Owned by the audio thread: never allocates, locks or waits.
pub struct AnalysisTap {
    producer: HeapProd<f32>,
    mono: Vec<f32>,
    stats: Arc<TapStats>,
}

impl AnalysisTap {
    /// `scratch_len` is the downmix chunk; longer blocks are handled in several chunks.
    pub fn new(producer: HeapProd<f32>, scratch_len: usize, stats: Arc<TapStats>) -> Self {
        Self { producer, mono: vec![0.0; scratch_len.max(1)], stats }
    }

    /// Averages `channels` to mono and pushes the result; what does not fit is counted as dropped.
    pub fn push_downmix<C: AsRef<[f32]>>(&mut self, channels: &[C]) {
        let Some(first) = channels.first() else { return };
        let total = first.as_ref().len();
        let gain = 1.0 / channels.len() as f32;
        let mut start = 0;
        while start < total {
            let len = (total - start).min(self.mono.len());
            let mono = &mut self.mono[..len];
            mono.fill(0.0);
            for channel in channels {
                for (m, &s) in mono.iter_mut().zip(&channel.as_ref()[start..start + len]) {
                    *m += s * gain;
                }
            }
            let pushed = self.producer.push_slice(mono);
            self.stats.pushed_samples.fetch_add(pushed as u64, Ordering::Relaxed);
            self.stats.dropped_samples.fetch_add((len - pushed) as u64, Ordering::Relaxed);
            start += len;
        }
    }

    /// The counters this tap updates.
    pub fn stats(&self) -> &Arc<TapStats> {
        &self.stats
    }
}
