//! `instrumeter-load`: a load test of the server on the loopback address only, bounded in
//! clients and time. Starts a server in process, has N clients POST the same clip back to back,
//! and prints failed requests, p50/p99 latency, audio seconds analysed per wall second and the
//! process's peak memory.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use instrumeter_server::{router, App, Settings};

/// How hard and how long to load the server.
#[derive(Parser)]
#[command(name = "instrumeter-load", about = "Load-test the server on 127.0.0.1 (bounded clients and time)")]
struct Load {
    /// Concurrent clients, each posting its next request when the last is answered.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Seconds of audio in each request (taken from the demo clip, sent as 44.1 kHz WAV).
    #[arg(long, default_value_t = 10.0)]
    clip_s: f64,
    /// Seconds the load lasts.
    #[arg(long, default_value_t = 60.0)]
    seconds: f64,
    /// The server's analysis workers (default: one per core).
    #[arg(long)]
    workers: Option<usize>,
}

/// One answered request: its status and latency.
struct Sample {
    ok: bool,
    latency: Duration,
}

#[tokio::main]
async fn main() -> Result<()> {
    let load = Load::parse();
    let mut settings = Settings::defaults();
    settings.queue = load.clients; // every client gets a place: a 503 here would be a failure
    if let Some(workers) = load.workers {
        settings.workers = workers;
    }
    let workers = settings.workers;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(axum::serve(listener, router(App::new(settings)?)).into_future());
    let clip = Arc::new(clip_wav(load.clip_s)?);
    println!("{} clients × {:.0} s clips for {:.0} s against http://{address}/ ({workers} workers)", load.clients, load.clip_s, load.seconds);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(load.seconds);
    let url: hyper::Uri = format!("http://{address}/v1/analyze").parse()?;
    let clients: Vec<_> = (0..load.clients).map(|_| tokio::spawn(client(url.clone(), clip.clone(), deadline))).collect();
    let mut samples = Vec::new();
    for client in clients {
        samples.extend(client.await.context("a client task failed")?);
    }
    report(&samples, load.clip_s, started.elapsed().as_secs_f64());
    Ok(())
}

/// Posts `clip` again and again until `deadline`.
async fn client(url: hyper::Uri, clip: Arc<Vec<u8>>, deadline: Instant) -> Vec<Sample> {
    let http = Client::builder(TokioExecutor::new()).build_http::<Full<bytes::Bytes>>();
    let mut samples = Vec::new();
    while Instant::now() < deadline {
        let request = hyper::Request::post(url.clone()).body(Full::new(bytes::Bytes::from(clip.as_ref().clone()))).expect("a valid request");
        let sent = Instant::now();
        let ok = match http.request(request).await {
            Ok(response) => response.status().is_success() && response.into_body().collect().await.is_ok(),
            Err(_) => false,
        };
        samples.push(Sample { ok, latency: sent.elapsed() });
    }
    samples
}

/// The first `seconds` of the demo clip as a 44.1 kHz mono WAV.
fn clip_wav(seconds: f64) -> Result<Vec<u8>> {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/demo/demo.flac");
    let (samples, rate) = instrumeter_analysis::read_mono(std::path::Path::new(demo))?;
    let wanted = (seconds * rate as f64) as usize;
    ensure!(wanted > 0 && wanted <= samples.len(), "--clip-s must be within the demo's {:.1} s", samples.len() as f64 / rate as f64);
    let spec = hound::WavSpec { channels: 1, sample_rate: rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut cursor, spec)?;
    for &s in &samples[..wanted] {
        writer.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16)?;
    }
    writer.finalize()?;
    Ok(cursor.into_inner())
}

/// Prints the outcome.
fn report(samples: &[Sample], clip_s: f64, wall_s: f64) {
    let failed = samples.iter().filter(|s| !s.ok).count();
    let mut latencies: Vec<f64> = samples.iter().filter(|s| s.ok).map(|s| s.latency.as_secs_f64() * 1e3).collect();
    latencies.sort_by(f64::total_cmp);
    let quantile = |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN);
    let analysed = (samples.len() - failed) as f64 * clip_s;
    println!("requests {} | failed {failed} | latency p50 {:.0} ms, p99 {:.0} ms", samples.len(), quantile(0.5), quantile(0.99));
    println!("audio analysed {analysed:.0} s in {wall_s:.1} s wall = {:.1} audio s per wall s", analysed / wall_s);
    if let Some(peak) = instrumeter_analysis::peak_memory_mib() {
        println!("peak RSS {peak:.0} MiB");
    }
}
