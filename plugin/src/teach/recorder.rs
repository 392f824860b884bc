//! Log-mel frames from the analysis worker to the editor's lesson while it records: a lock-free
//! ring of tagged frames (what is being recorded, then the frame), so switching between the new
//! sound and other sounds never mislabels a frame in flight. The worker side never allocates.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;

use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};

/// What a recorded frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// The sound being taught.
    NewSound,
    /// Other sounds it must not fire on.
    OtherSounds,
}

impl Take {
    fn tag(self) -> u8 {
        match self {
            Take::NewSound => 1,
            Take::OtherSounds => 2,
        }
    }

    fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            1 => Some(Take::NewSound),
            2 => Some(Take::OtherSounds),
            _ => None,
        }
    }
}

/// Frames the ring holds: about 4 s, far more than the editor's redraw interval.
const RING_FRAMES: usize = 176;

/// State both sides share.
#[derive(Default)]
struct Shared {
    /// 0: not recording; else a [`Take`] tag.
    recording: AtomicU8,
    /// Frames the editor was too slow to take (the ring was full).
    dropped: AtomicU64,
}

/// The worker's end.
pub struct LessonTap {
    shared: Arc<Shared>,
    ring: HeapProd<f32>,
    n_mels: usize,
}

/// The editor's end.
pub struct LessonFeed {
    shared: Arc<Shared>,
    ring: HeapCons<f32>,
    frame: Vec<f32>,
}

/// A connected pair for `n_mels`-band frames.
pub fn lesson_feed(n_mels: usize) -> (LessonTap, LessonFeed) {
    let (ring, consumer) = HeapRb::new(RING_FRAMES * (n_mels + 1)).split();
    let shared = Arc::new(Shared::default());
    (LessonTap { shared: shared.clone(), ring, n_mels }, LessonFeed { shared, ring: consumer, frame: vec![0.0; n_mels + 1] })
}

impl LessonTap {
    /// Passes `log_mel` on, tagged, while a take is being recorded.
    pub fn on_frame(&mut self, log_mel: &[f32]) {
        let tag = self.shared.recording.load(Ordering::Relaxed);
        if tag == 0 || log_mel.len() != self.n_mels {
            return;
        }
        if self.ring.vacant_len() < self.n_mels + 1 {
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.ring.try_push(f32::from(tag)).ok();
        self.ring.push_slice(log_mel);
    }
}

impl LessonFeed {
    /// Starts recording `take`, or stops (`None`).
    pub fn set_recording(&self, take: Option<Take>) {
        self.shared.recording.store(take.map_or(0, Take::tag), Ordering::Relaxed);
    }

    /// What is being recorded.
    pub fn recording(&self) -> Option<Take> {
        Take::from_tag(self.shared.recording.load(Ordering::Relaxed))
    }

    /// Frames lost because the ring was full.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Hands every complete frame that arrived to `take_frame`, with what it is.
    pub fn drain(&mut self, mut take_frame: impl FnMut(Take, &[f32])) {
        while self.ring.occupied_len() >= self.frame.len() {
            self.ring.pop_slice(&mut self.frame);
            if let Some(take) = Take::from_tag(self.frame[0] as u8) {
                take_frame(take, &self.frame[1..]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_keep_their_take_and_nothing_passes_while_not_recording() {
        let (mut tap, mut feed) = lesson_feed(3);
        tap.on_frame(&[9.0; 3]);
        feed.set_recording(Some(Take::NewSound));
        tap.on_frame(&[1.0, 2.0, 3.0]);
        feed.set_recording(Some(Take::OtherSounds));
        tap.on_frame(&[4.0, 5.0, 6.0]);
        feed.set_recording(None);
        tap.on_frame(&[9.0; 3]);
        let mut got = Vec::new();
        feed.drain(|take, frame| got.push((take, frame.to_vec())));
        assert_eq!(got, [(Take::NewSound, vec![1.0, 2.0, 3.0]), (Take::OtherSounds, vec![4.0, 5.0, 6.0])]);
    }

    #[test]
    fn a_full_ring_drops_whole_frames_and_counts_them() {
        let (mut tap, mut feed) = lesson_feed(2);
        feed.set_recording(Some(Take::NewSound));
        (0..RING_FRAMES + 5).for_each(|i| tap.on_frame(&[i as f32, 0.0]));
        assert_eq!(feed.dropped(), 5);
        let mut frames = 0;
        feed.drain(|_, frame| {
            assert_eq!(frame[0], frames as f32, "frames arrive whole and in order");
            frames += 1;
        });
        assert_eq!(frames, RING_FRAMES);
    }
}
