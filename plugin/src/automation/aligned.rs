//! The aligned mode on the audio thread: the output is held back by the analysis latency (a
//! delay line), and the time-stamped control values are applied when the delayed audio reaches
//! the frame they describe. Allocation-free after construction.

use std::time::{Duration, Instant};

use ringbuf::traits::Consumer;
use ringbuf::HeapCons;

use crate::engine::{ControlRecord, ControlValues};
use crate::frontend::FrontendConfig;

/// A multi-channel delay of a fixed number of samples, in place (fixed per activation: a new
/// delay means a restart).
pub struct DelayLine {
    buffers: Vec<Vec<f32>>,
    write: usize,
    delay: usize,
}

impl DelayLine {
    /// Allocates `channels` buffers for a delay of `delay` samples, starting from silence.
    pub fn new(channels: usize, delay: usize) -> Self {
        Self { buffers: vec![vec![0.0; delay + 1]; channels], write: 0, delay }
    }

    pub fn delay(&self) -> usize {
        self.delay
    }

    /// Delays each channel of `channels` in place (channels beyond the line's pass unchanged).
    pub fn process(&mut self, channels: &mut [&mut [f32]]) {
        if self.delay == 0 {
            return;
        }
        let start = self.write;
        for (buffer, channel) in self.buffers.iter_mut().zip(channels.iter_mut()) {
            let len = buffer.len();
            let mut write = start;
            for sample in channel.iter_mut() {
                buffer[write] = *sample;
                let read = (write + len - self.delay) % len;
                *sample = buffer[read];
                write = (write + 1) % len;
            }
        }
        let frames = channels.first().map_or(0, |c| c.len());
        self.write = (start + frames) % self.buffers.first().map_or(1, Vec::len);
    }
}

/// Applies the worker's time-stamped rows to the audio thread's own [`ControlValues`] as the
/// input time they describe is reached.
pub struct AlignedControls {
    timeline: HeapCons<ControlRecord>,
    values: ControlValues,
    /// Host samples per analysis frame, and the host sample at frame 0's centre.
    samples_per_frame: f64,
    centre_offset: f64,
}

impl AlignedControls {
    pub fn new(timeline: HeapCons<ControlRecord>, host_rate: f64, frontend: &FrontendConfig) -> Self {
        let samples_per_frame = frontend.hop as f64 * host_rate / frontend.sample_rate as f64;
        let centre_offset = frontend.frame_centre_samples() as f64 * host_rate / frontend.sample_rate as f64;
        Self { timeline, values: ControlValues::default(), samples_per_frame, centre_offset }
    }

    /// The input sample at the centre of analysis frame `frame`.
    fn input_time(&self, frame: u64) -> f64 {
        frame as f64 * self.samples_per_frame + self.centre_offset
    }

    /// The values of the newest row at or before input sample `input_time` (the classes and
    /// slots from `shared`). In offline renders, `patience` bounds a wait for a row the worker
    /// has not sent yet; on a real-time thread pass `Duration::ZERO`.
    pub fn at(&mut self, input_time: f64, shared: &ControlValues, patience: Duration) -> &ControlValues {
        self.values.copy_slots_from(shared);
        let started = (patience > Duration::ZERO).then(Instant::now);
        loop {
            while let Some(record) = self.timeline.first().copied() {
                if self.input_time(record.frame) > input_time {
                    return &self.values;
                }
                self.apply(&record);
                self.timeline.try_pop();
            }
            let waited_enough = started.is_none_or(|started| started.elapsed() >= patience);
            if waited_enough || shared.classes() == 0 {
                return &self.values;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Forgets every row sent so far (while the aligned mode is off).
    pub fn drain(&mut self) {
        self.timeline.clear();
    }

    fn apply(&self, record: &ControlRecord) {
        for class in 0..record.classes {
            self.values.store(class, record.activation[class], record.decision_basis[class], record.threshold[class]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::control_timeline;
    use ringbuf::traits::Producer;

    #[test]
    fn the_delay_line_delays_exactly_across_blocks_and_starts_silent() {
        let mut line = DelayLine::new(2, 37);
        assert_eq!(line.delay(), 37);
        let input: Vec<f32> = (1..=300).map(|n| n as f32).collect();
        let mut output = Vec::new();
        for block in input.chunks(41) {
            let (mut left, mut right) = (block.to_vec(), block.iter().map(|v| -v).collect::<Vec<_>>());
            line.process(&mut [&mut left, &mut right]);
            assert!(left.iter().zip(&right).all(|(l, r)| *l == -*r));
            output.extend(left);
        }
        assert!(output[..37].iter().all(|&v| v == 0.0));
        assert_eq!(&output[37..], &input[..input.len() - 37]);
    }

    #[test]
    fn rows_apply_when_their_input_time_is_reached() {
        let (mut producer, consumer) = control_timeline();
        let frontend = FrontendConfig::default();
        let mut aligned = AlignedControls::new(consumer, frontend.sample_rate as f64, &frontend);
        let shared = ControlValues::default();
        shared.set_slots(&[Some(0)]);
        for frame in [10u64, 11, 12] {
            let mut record = ControlRecord { frame, classes: 1, ..ControlRecord::default() };
            record.activation[0] = frame as f32;
            producer.try_push(record).unwrap();
        }
        // Frame 11's centre is 11·512 + 512 = 6144 samples.
        assert_eq!(aligned.at(6143.0, &shared, Duration::ZERO).get(0), 10.0);
        assert_eq!(aligned.at(6144.0, &shared, Duration::ZERO).get(0), 11.0);
        assert_eq!(aligned.at(1e9, &shared, Duration::ZERO).get(0), 12.0);
        assert_eq!(aligned.at(1e9, &shared, Duration::ZERO).slot(0), Some(0));
    }
}
