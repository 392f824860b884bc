//! What the server tests share: an app with chosen limits, requests in process or over loopback.

#![allow(dead_code)] // each test binary uses its own part

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use instrumeter_server::{router, App, Settings};
use serde_json::Value;
use tower::ServiceExt;

/// The demo clip: piano, trumpet, voice, distorted electric guitar, 2.97 s each.
pub fn demo_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/demo/demo.flac")
}

pub fn demo_bytes() -> Vec<u8> {
    std::fs::read(demo_path()).expect("the demo clip is in the repository")
}

/// The demo's parts: (label code, start s, end s).
pub const DEMO_PARTS: [(&str, f64, f64); 4] = [("pia", 0.0, 2.97), ("tru", 2.97, 5.94), ("voi", 5.94, 8.91), ("gel", 8.91, 11.88)];

/// An app with the default settings changed by `change`.
pub fn app_with(change: impl FnOnce(&mut Settings)) -> Arc<App> {
    let mut settings = Settings::defaults();
    change(&mut settings);
    App::new(settings).expect("the shipped models load")
}

/// One request through the router in process: status, headers' Retry-After, body.
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or_default().to_string()
    }
}

pub async fn send(app: &Arc<App>, request: Request<Body>) -> Answer {
    let response = router(app.clone()).oneshot(request).await.expect("the router answers");
    let status = response.status();
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (content_type, retry_after) = (header("content-type").unwrap_or_default(), header("retry-after"));
    let body = response.into_body().collect().await.expect("the body is read").to_bytes().to_vec();
    Answer { status, content_type, retry_after, body }
}

pub async fn get(app: &Arc<App>, uri: &str) -> Answer {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn post(app: &Arc<App>, uri: &str, body: Vec<u8>) -> Answer {
    send(app, Request::post(uri).body(Body::from(body)).unwrap()).await
}

/// Serves `app` on an ephemeral loopback port for the rest of the test.
pub async fn serve(app: Arc<App>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(app)).await });
    address
}

/// Mean activation of `code` between `start` and `end` seconds in an analysis JSON.
pub fn mean_in(analysis: &Value, code: &str, start: f64, end: f64) -> f64 {
    let class = analysis["labels"].as_array().unwrap().iter().position(|l| l["code"] == code).expect("a known label");
    let values: Vec<f64> = analysis["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| (start..end).contains(&row["t"].as_f64().unwrap()))
        .map(|row| row["v"][class].as_f64().unwrap())
        .collect();
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// A mono 16-bit WAV of `samples` at `rate`.
pub fn wav_bytes(samples: &[f32], rate: u32) -> Vec<u8> {
    let spec = hound::WavSpec { channels: 1, sample_rate: rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut cursor, spec).unwrap();
    for &s in samples {
        writer.write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16).unwrap();
    }
    writer.finalize().unwrap();
    cursor.into_inner()
}
