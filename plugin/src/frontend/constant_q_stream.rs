//! A constant-Q feature kind as a [`FeatureStream`]: the streamed transform, then the kind's own
//! mapping of each frame's magnitudes (log-power for `cqt`, a chroma fold for `cqt_chroma`).

use super::constant_q::{ConstantQ, ConstantQSettings};
use super::FeatureStream;

/// What a constant-Q kind makes of one frame's magnitudes.
pub trait MagnitudeMap: Send {
    /// Values per output frame.
    fn n_features(&self) -> usize;
    /// Writes the frame for `magnitudes` (one per constant-Q bin) into `out`.
    fn map(&self, magnitudes: &[f32], out: &mut [f32]);
}

/// The transform plus `M`, allocation-free after construction.
pub struct ConstantQStream<M> {
    transform: ConstantQ,
    map: M,
    frame: Vec<f32>,
}

impl<M: MagnitudeMap> ConstantQStream<M> {
    /// The transform for `settings`, its frames mapped by `map`.
    pub fn new(settings: ConstantQSettings, map: M) -> Result<Self, String> {
        Ok(Self { frame: vec![0.0; map.n_features()], transform: ConstantQ::new(settings)?, map })
    }
}

impl<M: MagnitudeMap> FeatureStream for ConstantQStream<M> {
    fn n_features(&self) -> usize {
        self.frame.len()
    }

    fn feed(&mut self, samples: &[f32], on_frame: &mut dyn FnMut(&[f32])) {
        let Self { transform, map, frame } = self;
        transform.push(samples, &mut |magnitudes| {
            map.map(magnitudes, frame);
            on_frame(frame);
        });
    }

    fn finish(&mut self, on_frame: &mut dyn FnMut(&[f32])) {
        let Self { transform, map, frame } = self;
        transform.finish(&mut |magnitudes| {
            map.map(magnitudes, frame);
            on_frame(frame);
        });
    }

    fn reset(&mut self) {
        self.transform.reset();
    }

    fn latency_samples(&self) -> usize {
        self.transform.latency_samples()
    }
}
