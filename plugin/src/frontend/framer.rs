//! Cuts a sample stream into frames of a fixed length every `hop` samples (no centre padding).

/// Collects samples and hands out each complete frame, oldest sample first.
pub struct Framer {
    hop: usize,
    pending: Vec<f32>,
    filled: usize,
}

impl Framer {
    /// Frames of `len` samples every `hop` samples (`1 ≤ hop ≤ len`), all buffers allocated here.
    pub fn new(len: usize, hop: usize) -> Self {
        debug_assert!(hop >= 1 && hop <= len);
        Self { hop, pending: vec![0.0; len], filled: 0 }
    }

    /// Consumes `samples`; calls `on_frame` with every frame they complete.
    #[inline(always)]
    pub fn push(&mut self, mut samples: &[f32], mut on_frame: impl FnMut(&[f32])) {
        let len = self.pending.len();
        while !samples.is_empty() {
            let take = (len - self.filled).min(samples.len());
            self.pending[self.filled..self.filled + take].copy_from_slice(&samples[..take]);
            self.filled += take;
            samples = &samples[take..];
            if self.filled == len {
                on_frame(&self.pending);
                self.pending.copy_within(self.hop.., 0);
                self.filled = len - self.hop;
            }
        }
    }

    /// Forgets any partial frame.
    pub fn reset(&mut self) {
        self.filled = 0;
    }
}
