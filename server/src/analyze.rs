//! `POST /v1/analyze`: an uploaded audio file → its instruments, as the JSON of
//! `cargo xtask analyze --format json` (default), frame CSV or MIDI CC curves.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use instrumeter::models::LoadedModel;
use instrumeter_analysis::{analyse, AnalysisOutputs, AudioInput, RowFormat, RowWriter};
use serde::Deserialize;

use crate::error::{ApiError, Stopped};
use crate::upload::read_upload;
use crate::App;

/// What the answer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    #[default]
    Json,
    Csv,
    Midi,
}

/// `?model=&format=&name=`.
#[derive(Debug, Deserialize)]
pub struct AnalyzeQuery {
    /// A model's card name (`GET /v1/models`); default: the server's default model.
    model: Option<String>,
    #[serde(default)]
    format: OutputFormat,
    /// What to call the upload in the answer (a raw body has no file name).
    name: Option<String>,
}

/// Limits one analysis runs under.
#[derive(Debug, Clone, Copy)]
struct Limits {
    deadline: Instant,
    time_limit_s: f64,
    max_audio_s: f64,
}

/// The handler: checks the model, takes a queue place, reads the upload, analyses it on a worker.
pub async fn analyze(State(app): State<Arc<App>>, query: Result<Query<AnalyzeQuery>, QueryRejection>, request: Request) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(format!("bad query: {}", e.body_text())))?;
    app.catalogue.card(query.model.as_deref())?;
    let admission = app.jobs.admit()?;
    let input = read_upload(request, app.settings.max_upload_bytes(), query.name).await?;
    let stem = stem_of(&input.name());
    let (format, max_audio_s, time_limit_s) = (query.format, app.settings.max_audio_s, app.settings.time_limit_s);
    let worker_app = app.clone();
    let body = app
        .jobs
        .run(&admission, move |deadline| {
            let model = worker_app.catalogue.model(query.model.as_deref())?;
            analyse_upload(model, input, format, Limits { deadline, time_limit_s, max_audio_s }).map_err(ApiError::from_analysis)
        })
        .await?;
    Ok(answer(format, &stem, body))
}

/// Runs `model` over `input` into the asked format's bytes.
fn analyse_upload(model: LoadedModel, input: AudioInput, format: OutputFormat, limits: Limits) -> anyhow::Result<Vec<u8>> {
    let card = model.card().clone();
    let rows = match format {
        OutputFormat::Json => vec![RowWriter::new(RowFormat::Json, Vec::new(), &input.name(), &card)?],
        OutputFormat::Csv => vec![RowWriter::new(RowFormat::Csv, Vec::new(), &input.name(), &card)?],
        OutputFormat::Midi => Vec::new(),
    };
    let outputs = AnalysisOutputs::new(&card, rows, format == OutputFormat::Midi);
    let mut check = |seconds: f64| -> anyhow::Result<()> {
        if seconds > limits.max_audio_s {
            return Err(Stopped::TooLong(limits.max_audio_s).into());
        }
        if Instant::now() > limits.deadline {
            return Err(Stopped::TimeLimit(limits.time_limit_s).into());
        }
        Ok(())
    };
    let (outputs, seconds) = analyse(input, model, outputs, &mut check)?;
    let mut finished = outputs.finish(seconds)?;
    match format {
        OutputFormat::Midi => finished.midi.context("no MIDI was made"),
        _ => finished.rows.pop().context("no rows were written"),
    }
}

/// The HTTP answer: the body with its type (and a file name for CSV and MIDI).
fn answer(format: OutputFormat, stem: &str, body: Vec<u8>) -> Response {
    let (content_type, file_name) = match format {
        OutputFormat::Json => ("application/json", format!("{stem}.json")),
        OutputFormat::Csv => ("text/csv; charset=utf-8", format!("{stem}.frames.csv")),
        OutputFormat::Midi => ("audio/midi", format!("{stem}.mid")),
    };
    let disposition = format!("inline; filename=\"{file_name}\"");
    ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], body).into_response()
}

/// The file name without folder or extension, safe in a header.
fn stem_of(name: &str) -> String {
    let stem = std::path::Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or("upload");
    let safe: String = stem.chars().filter(|c| c.is_ascii_alphanumeric() || "-_. ".contains(*c)).collect();
    if safe.is_empty() { "upload".into() } else { safe }
}
