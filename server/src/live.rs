//! `GET /v1/live` (WebSocket): the client streams mono PCM (little-endian f32 at `?rate=`), the
//! server answers with activation rows as the plugin's engine makes them.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use instrumeter::engine::{feed_sink, AnalysisOutput, Analyzer, ModelStatus, StageOutput};
use instrumeter::frontend::Frontend;
use instrumeter::models::{LoadedModel, ModelCard};
use instrumeter_analysis::row_seconds;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::OwnedSemaphorePermit;

use crate::error::ApiError;
use crate::App;

/// Largest PCM message accepted (≈ 5.5 s at 48 kHz).
const MAX_MESSAGE_BYTES: usize = 1 << 20;
/// A stream that sends nothing for this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// `?rate=&model=`.
#[derive(Debug, Deserialize)]
pub struct LiveQuery {
    /// Sample rate of the PCM the client sends, in Hz.
    rate: f64,
    model: Option<String>,
}

/// The handler: checks the rate and model and takes a live slot before upgrading.
pub async fn live(
    State(app): State<Arc<App>>,
    query: Result<Query<LiveQuery>, QueryRejection>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(format!("bad query (e.g. ?rate=48000): {}", e.body_text())))?;
    let slot = app
        .live_slots
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::busy("every live stream place is taken; try again shortly", 5))?;
    let model_app = app.clone();
    let model = tokio::task::spawn_blocking(move || model_app.catalogue.model(query.model.as_deref()))
        .await
        .map_err(|_| ApiError::bad_request("the model could not be loaded"))??;
    let stream = LiveStream::new(model, query.rate)?;
    Ok(upgrade.max_message_size(MAX_MESSAGE_BYTES).on_upgrade(move |socket| serve(socket, stream, slot)))
}

/// One stream's analysis state: the front-end at the client's rate and the engine.
struct LiveStream {
    frontend: Frontend,
    analyzer: Analyzer<RowBuffer>,
    card: ModelCard,
}

/// Rows made since the last message, as JSON, and the first model failure.
#[derive(Default)]
struct RowBuffer {
    frame_s: f64,
    rows: Vec<Value>,
    error: Option<String>,
}

impl AnalysisOutput for RowBuffer {
    fn on_model(&mut self, status: &ModelStatus, _card: Option<&ModelCard>) {
        if let ModelStatus::Failed(message) = status {
            self.error.get_or_insert_with(|| message.clone());
        }
    }

    fn on_output(&mut self, output: StageOutput<'_>) {
        let (start, values) = output.start_and_values();
        let t = (start as f64 * self.frame_s * 1e4).round() / 1e4;
        self.rows.push(json!({ "t": t, "v": values }));
    }
}

impl LiveStream {
    /// 400 when the front-end cannot take `rate`.
    fn new(model: LoadedModel, rate: f64) -> Result<Self, ApiError> {
        let card = model.card().clone();
        let frontend = Frontend::with_inputs(rate, card.frontend_configs())
            .map_err(|error| ApiError::bad_request(format!("cannot stream at {rate} Hz: {error}")))?;
        let frame_s = card.frontend.hop as f64 / card.frontend.sample_rate as f64;
        let mut analyzer = Analyzer::new(card.frontend.n_mels, RowBuffer { frame_s, ..Default::default() });
        analyzer.set_model(model);
        Ok(Self { frontend, analyzer, card })
    }

    /// The first message: the model and how to read its rows.
    fn start_message(&self) -> String {
        json!({
            "type": "start",
            "model": self.card.display_name(),
            "labels": self.card.labels,
            "thresholds": self.card.threshold_vector(),
            "row_s": row_seconds(&self.card),
        })
        .to_string()
    }

    /// Analyses one PCM message; the rows it completed as a message (None when there are none).
    fn feed(&mut self, pcm: &[u8]) -> Result<Option<String>, String> {
        if pcm.len() % 4 != 0 {
            return Err(format!("a PCM message must hold whole 32-bit floats ({} bytes is not a multiple of 4)", pcm.len()));
        }
        let samples: Vec<f32> = pcm.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        let Self { frontend, analyzer, .. } = self;
        feed_sink(frontend, &samples, analyzer);
        let buffer = self.analyzer.output_mut();
        if let Some(error) = buffer.error.take() {
            return Err(format!("the model failed: {error}"));
        }
        if buffer.rows.is_empty() {
            return Ok(None);
        }
        let rows = std::mem::take(&mut buffer.rows);
        Ok(Some(json!({ "type": "rows", "rows": rows }).to_string()))
    }
}

/// The stream's loop: PCM in, rows out, until the client stops, errs or falls silent.
async fn serve(mut socket: WebSocket, mut stream: LiveStream, _slot: OwnedSemaphorePermit) {
    if socket.send(Message::Text(stream.start_message().into())).await.is_err() {
        return;
    }
    loop {
        let message = match tokio::time::timeout(IDLE_TIMEOUT, socket.recv()).await {
            Ok(Some(Ok(message))) => message,
            Ok(_) => return, // closed or broken
            Err(_) => return close_with(socket, "no audio for 30 s: closing the stream").await,
        };
        let pcm = match message {
            Message::Binary(pcm) => pcm,
            Message::Close(_) => return,
            Message::Text(_) => return close_with(socket, "send PCM as binary messages (little-endian f32)").await,
            _ => continue,
        };
        let (returned, reply) = match tokio::task::spawn_blocking(move || {
            let reply = stream.feed(&pcm);
            (stream, reply)
        })
        .await
        {
            Ok(done) => done,
            Err(_) => return close_with(socket, "the analysis failed unexpectedly").await,
        };
        stream = returned;
        match reply {
            Ok(Some(rows)) => {
                if socket.send(Message::Text(rows.into())).await.is_err() {
                    return;
                }
            }
            Ok(None) => {}
            Err(message) => return close_with(socket, &message).await,
        }
    }
}

/// Sends `{"type":"error"}` with `message`, then closes.
async fn close_with(mut socket: WebSocket, message: &str) {
    let error = json!({ "type": "error", "error": message }).to_string();
    let _ = socket.send(Message::Text(error.into())).await;
    let _ = socket.send(Message::Close(None)).await;
}
