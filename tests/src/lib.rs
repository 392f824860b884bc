//! Whole-product tests for Instrumeter: build and bundle the plugin, then host it over CLAP.

pub mod bundle;
pub mod display;
pub mod host;
pub mod matrix;
pub mod session;
pub mod signals;
pub mod step_model;
