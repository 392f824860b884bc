//! API errors: a status, a message that says what was wrong, as JSON `{"error": …}`.

use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use instrumeter::frontend::FrontendError;
use instrumeter_analysis::decode::Unreadable;
use serde_json::json;

/// Why an analysis stopped early.
#[derive(Debug)]
pub enum Stopped {
    /// The audio is longer than the server analyses (seconds allowed).
    TooLong(f64),
    /// The analysis ran past the time limit (seconds allowed).
    TimeLimit(f64),
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooLong(limit) => write!(f, "the audio is longer than this server analyses ({limit:.0} s)"),
            Self::TimeLimit(limit) => write!(f, "the analysis took longer than this server allows ({limit:.0} s)"),
        }
    }
}

impl std::error::Error for Stopped {}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    retry_after_s: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), retry_after_s: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 503 with a Retry-After header.
    pub fn busy(message: impl Into<String>, retry_after_s: u32) -> Self {
        Self { retry_after_s: Some(retry_after_s), ..Self::new(StatusCode::SERVICE_UNAVAILABLE, message) }
    }

    /// The answer for an analysis that failed: the audio's fault (415/400/413), the time limit
    /// (504), or the server's (500).
    pub fn from_analysis(error: anyhow::Error) -> Self {
        let message = format!("{error:#}");
        if let Some(stopped) = error.downcast_ref::<Stopped>() {
            let status = match stopped {
                Stopped::TooLong(_) => StatusCode::PAYLOAD_TOO_LARGE,
                Stopped::TimeLimit(_) => StatusCode::GATEWAY_TIMEOUT,
            };
            return Self::new(status, stopped.to_string());
        }
        if error.downcast_ref::<Unreadable>().is_some() {
            return Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, message);
        }
        if error.downcast_ref::<FrontendError>().is_some() {
            return Self::bad_request(format!("the audio cannot be analysed: {message}"));
        }
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(json!({ "error": self.message }));
        match self.retry_after_s {
            Some(seconds) => (self.status, [(header::RETRY_AFTER, seconds.to_string())], body).into_response(),
            None => (self.status, body).into_response(),
        }
    }
}

/// Any path the server does not have.
pub async fn not_found_route(uri: Uri) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("no such path: {} (see GET /v1/models, POST /v1/analyze, GET /v1/live)", uri.path()))
}
