//! Reading an uploaded audio file: the raw request body, or the first file of a multipart form,
//! never more than the upload limit.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, HeaderMap, StatusCode};
use http_body_util::LengthLimitError;
use instrumeter_analysis::AudioInput;

use crate::error::ApiError;

/// The upload of `request` as an input named `name` (or the form's file name), at most `limit`
/// bytes: 413 beyond it, 400 when it is empty.
pub async fn read_upload(request: Request, limit: usize, name: Option<String>) -> Result<AudioInput, ApiError> {
    let headers = request.headers().clone();
    if declared_length(&headers).is_some_and(|length| length > limit) {
        return Err(too_large(limit));
    }
    let (data, form_name) = if is_multipart(&headers) {
        first_form_file(request, limit).await?
    } else {
        (body_bytes(request.into_body(), limit).await?, None)
    };
    if data.is_empty() {
        return Err(ApiError::bad_request("the request holds no audio: send an audio file (wav, flac, mp3, ogg) as the body"));
    }
    let name = name.or(form_name).unwrap_or_else(|| "upload".into());
    let extension = extension_of(&name).or_else(|| extension_for_type(&headers)).map(str::to_string);
    Ok(AudioInput::Bytes { name, extension, data })
}

fn declared_length(headers: &HeaderMap) -> Option<usize> {
    headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/form-data"))
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("the upload is larger than this server accepts ({} MiB)", limit >> 20))
}

/// The whole body, or 413 once it passes `limit`.
async fn body_bytes(body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(bytes.to_vec()),
        Err(error) if is_length_limit(&error) => Err(too_large(limit)),
        Err(error) => Err(ApiError::bad_request(format!("the upload could not be read: {error}"))),
    }
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if error.is::<LengthLimitError>() {
            return true;
        }
        source = error.source();
    }
    false
}

/// The first field of a multipart form that carries a file (or is called `file`), with its name.
async fn first_form_file(request: Request, limit: usize) -> Result<(Vec<u8>, Option<String>), ApiError> {
    let form_error = |error: axum::extract::multipart::MultipartError| match error.status() {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(limit),
        _ => ApiError::bad_request(format!("the multipart form could not be read: {}", error.body_text())),
    };
    let mut form = Multipart::from_request(request, &()).await.map_err(|e| ApiError::bad_request(e.body_text()))?;
    while let Some(mut field) = form.next_field().await.map_err(form_error)? {
        if field.file_name().is_none() && field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().map(str::to_string);
        let mut data = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(form_error)? {
            if data.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            data.extend_from_slice(&chunk);
        }
        return Ok((data, name));
    }
    Err(ApiError::bad_request("the multipart form has no file field (send the audio as a field called \"file\")"))
}

fn extension_of(name: &str) -> Option<&str> {
    std::path::Path::new(name).extension().and_then(|e| e.to_str())
}

/// The container a Content-Type names (a hint for the probe; the bytes decide).
fn extension_for_type(headers: &HeaderMap) -> Option<&'static str> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(match content_type.split(';').next()?.trim() {
        "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => "wav",
        "audio/flac" | "audio/x-flac" => "flac",
        "audio/mpeg" | "audio/mp3" => "mp3",
        "audio/ogg" | "audio/vorbis" | "application/ogg" => "ogg",
        _ => return None,
    })
}
