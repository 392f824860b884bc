//! The offline analysis path: audio files or bytes are decoded, streamed through the plugin's own
//! front-end and engine, and turned into rows, clip scores and MIDI. `cargo xtask analyze` and the
//! server both run this, so there is one implementation.

pub mod clip;
pub mod decode;
pub mod log_mel;
pub mod matrix;
pub mod memory;
pub mod midi;
pub mod model;
pub mod outputs;
pub mod rows;
pub mod run;

pub use clip::{ClipAggregate, ClipScores};
pub use decode::{for_each_mono_block, read_mono, AudioInput};
pub use log_mel::file_log_mel;
pub use matrix::ActivationMatrix;
pub use memory::peak_memory_mib;
pub use midi::MidiCurves;
pub use model::load_model;
pub use outputs::{AnalysisOutputs, Finished};
pub use rows::{clip_table, RowFormat, RowWriter};
pub use run::{analyse, file_rows, row_seconds, Progress};
