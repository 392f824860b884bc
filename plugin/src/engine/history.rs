//! The most recent log-mel frames, kept in a fixed ring so model windows can be cut from it.

/// A ring of the last `capacity` frames of `n_mels` values, addressed by absolute frame index.
pub struct FrameHistory {
    n_mels: usize,
    capacity: usize,
    frames: Vec<f32>,
    count: u64,
}

impl FrameHistory {
    /// Allocates room for `capacity` frames.
    pub fn new(n_mels: usize, capacity: usize) -> Self {
        Self::starting_at(n_mels, capacity, 0)
    }

    /// An empty history whose first frame will have index `first` (a stream that continues
    /// another one's frame count).
    pub fn starting_at(n_mels: usize, capacity: usize, first: u64) -> Self {
        Self { n_mels, capacity, frames: vec![0.0; n_mels * capacity], count: first }
    }

    /// Appends one frame (`n_mels` values).
    pub fn push(&mut self, frame: &[f32]) {
        let slot = (self.count % self.capacity as u64) as usize;
        self.frames[slot * self.n_mels..(slot + 1) * self.n_mels].copy_from_slice(frame);
        self.count += 1;
    }

    /// Values per frame.
    pub fn n_mels(&self) -> usize {
        self.n_mels
    }

    /// Frames pushed so far (the next frame's index).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Most frames a window may span.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Writes the latest `len` frames mel-major into `out`; when fewer have been pushed, the
    /// missing older ones are `pad` (a silent frame).
    pub fn copy_latest(&self, len: usize, pad: &[f32], out: &mut [f32]) {
        let available = self.count.min(self.capacity as u64).min(len as u64) as usize;
        let first = self.count - available as u64;
        for t in 0..len {
            let frame = match (t + available).checked_sub(len) {
                Some(age) => {
                    let slot = ((first + age as u64) % self.capacity as u64) as usize;
                    &self.frames[slot * self.n_mels..(slot + 1) * self.n_mels]
                }
                None => pad,
            };
            for (band, &value) in frame.iter().enumerate() {
                out[band * len + t] = value;
            }
        }
    }

    /// Writes frames `start..start+len` mel-major (`[n_mels][len]`, the NCHW layout) into `out`.
    /// Returns false if those frames are not (or no longer) all in the ring.
    pub fn copy_window(&self, start: u64, len: usize, out: &mut [f32]) -> bool {
        let end = start + len as u64;
        if end > self.count || start + (self.capacity as u64) < self.count || len > self.capacity {
            return false;
        }
        for t in 0..len {
            let slot = ((start + t as u64) % self.capacity as u64) as usize;
            let frame = &self.frames[slot * self.n_mels..(slot + 1) * self.n_mels];
            for (band, &value) in frame.iter().enumerate() {
                out[band * len + t] = value;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_mel_major_and_bounded_by_the_ring() {
        let mut history = FrameHistory::new(2, 4);
        for t in 0..6 {
            history.push(&[t as f32, 10.0 + t as f32]);
        }
        let mut out = [0.0; 6];
        assert!(history.copy_window(2, 3, &mut out));
        assert_eq!(out, [2.0, 3.0, 4.0, 12.0, 13.0, 14.0]);
        assert!(!history.copy_window(1, 3, &mut out), "frame 1 was overwritten");
        assert!(!history.copy_window(4, 3, &mut out), "frame 6 does not exist yet");
        history.copy_latest(3, &[-1.0, -2.0], &mut out);
        assert_eq!(out, [3.0, 4.0, 5.0, 13.0, 14.0, 15.0]);
        let mut young = FrameHistory::new(2, 4);
        young.push(&[7.0, 8.0]);
        young.copy_latest(3, &[-1.0, -2.0], &mut out);
        assert_eq!(out, [-1.0, -1.0, 7.0, -2.0, -2.0, 8.0], "older frames not yet seen are padding");
    }
}
