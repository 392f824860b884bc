//! The server's command line: where it listens, which models it serves, and its limits.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// The repository's models/ folder, where a `cargo run` finds the shipped cards.
const SHIPPED_MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../models");

/// Settings of one server process.
#[derive(Debug, Clone, Parser)]
#[command(name = "instrumeter-server", about = "Instrumeter over HTTP: which instruments play in an audio file or a live stream")]
pub struct Settings {
    /// Address to listen on (loopback by default; put a reverse proxy in front to serve a network).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Folder of model cards (`*.card.json` with their `.onnx`) served besides the embedded model.
    #[arg(long, default_value = SHIPPED_MODELS)]
    pub models: PathBuf,
    /// Largest upload accepted, in MiB (a 10-minute 44.1 kHz stereo WAV is about 101 MiB).
    #[arg(long, default_value_t = 200)]
    pub max_upload_mib: usize,
    /// Longest audio analysed, in seconds (a small compressed file can decode to hours).
    #[arg(long, default_value_t = 3600.0)]
    pub max_audio_s: f64,
    /// Analyses run at once (default: one per CPU core).
    #[arg(long, default_value_t = default_workers())]
    pub workers: usize,
    /// Uploads allowed to wait for a worker; beyond them the server answers 503 with Retry-After.
    #[arg(long, default_value_t = 16)]
    pub queue: usize,
    /// Longest an analysis may run, in seconds; beyond it the request gets 504.
    #[arg(long, default_value_t = 300.0)]
    pub time_limit_s: f64,
    /// Live WebSocket streams served at once.
    #[arg(long, default_value_t = 8)]
    pub max_live: usize,
}

fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

impl Settings {
    /// The defaults, as if started with no arguments.
    pub fn defaults() -> Self {
        Self::parse_from(["instrumeter-server"])
    }

    pub fn max_upload_bytes(&self) -> usize {
        self.max_upload_mib.saturating_mul(1 << 20)
    }

    pub fn time_limit(&self) -> Duration {
        Duration::from_secs_f64(self.time_limit_s.max(0.001))
    }
}
