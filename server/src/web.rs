//! The web page, embedded in the binary (no build step): drop a file or start the microphone.

use axum::http::header;
use axum::response::IntoResponse;

fn file(content_type: &'static str, text: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], text)
}

/// `GET /`
pub async fn index() -> impl IntoResponse {
    file("text/html; charset=utf-8", include_str!("../web/index.html"))
}

/// `GET /app.js`
pub async fn app_js() -> impl IntoResponse {
    file("text/javascript; charset=utf-8", include_str!("../web/app.js"))
}

/// `GET /style.css`
pub async fn style_css() -> impl IntoResponse {
    file("text/css; charset=utf-8", include_str!("../web/style.css"))
}

/// `GET /mic-worklet.js`: the audio worklet that hands microphone blocks to the page.
pub async fn mic_worklet() -> impl IntoResponse {
    file("text/javascript; charset=utf-8", include_str!("../web/mic-worklet.js"))
}
