//! Instrumeter's offline toolkit: labelled mixtures (`synth`), training, export and import of the
//! networks (`train`), fusing trained branches into one model (`fuse`), scoring with reports and plots (`eval`), and the test signals and picture
//! helpers they share. `cargo xtask` is the command-line glue over it.

pub mod eval;
pub mod fuse;
pub mod picture;
pub mod signals;
pub mod synth;
pub mod train;
