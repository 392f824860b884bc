//! Audio-thread side of the analysis: downmix to mono and push into the lock-free ring.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use std::time::{Duration, Instant};

use ringbuf::traits::Producer;
use ringbuf::HeapProd;

/// Longest an offline render waits for ring space per chunk before dropping (a stalled worker
/// must not hang the host's bounce).
const OFFLINE_PATIENCE: Duration = Duration::from_secs(2);

/// Pushes what fits; with a non-zero `patience`, keeps yielding until the rest fits or time is up.
fn push_waiting(producer: &mut HeapProd<f32>, samples: &[f32], patience: Duration) -> usize {
    let mut pushed = producer.push_slice(samples);
    if pushed < samples.len() && !patience.is_zero() {
        let deadline = Instant::now() + patience;
        while pushed < samples.len() && Instant::now() < deadline {
            std::thread::yield_now();
            pushed += producer.push_slice(&samples[pushed..]);
        }
    }
    pushed
}

/// `x`, or zero when it is subnormal: arithmetic on subnormals is many times slower on x86, and
/// hosts (and clap-validator's denormal test) feed them; the analysis cannot hear them anyway.
/// A bit test, not a change of the FPU's flush modes (which Rust treats as undefined behaviour).
#[inline]
fn flush_subnormal(x: f32) -> f32 {
    if x.is_subnormal() { 0.0 } else { x }
}

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
        self.push_downmix_with(channels, Duration::ZERO);
    }

    /// For offline rendering only (the host renders faster than real time and may wait): like
    /// [`Self::push_downmix`], but waits up to `patience` per chunk for the worker to make room,
    /// so a bounce is analysed completely. Never use on a real-time thread.
    pub fn push_downmix_offline<C: AsRef<[f32]>>(&mut self, channels: &[C]) {
        self.push_downmix_with(channels, OFFLINE_PATIENCE);
    }

    fn push_downmix_with<C: AsRef<[f32]>>(&mut self, channels: &[C], patience: Duration) {
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
                    *m += flush_subnormal(s) * gain;
                }
            }
            let pushed = push_waiting(&mut self.producer, mono, patience);
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

#[cfg(test)]
mod tests {
    use super::*;
    use ringbuf::traits::{Consumer, Split};
    use ringbuf::HeapRb;

    #[test]
    fn subnormal_input_reaches_the_ring_as_silence_and_the_rest_is_averaged() {
        let (producer, mut consumer) = HeapRb::<f32>::new(16).split();
        let mut tap = AnalysisTap::new(producer, 8, Arc::new(TapStats::default()));
        let tiny = f32::MIN_POSITIVE / 4.0;
        assert!(tiny.is_subnormal());
        tap.push_downmix(&[[tiny, 0.5, -tiny, 1.0], [tiny, 0.25, tiny, -1.0]]);
        let mut pushed = [1.0f32; 4];
        assert_eq!(consumer.pop_slice(&mut pushed), 4);
        assert_eq!(pushed, [0.0, 0.375, 0.0, 0.0]);
    }
}
