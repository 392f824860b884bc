//! Instrumeter over HTTP: the same decode → front-end → models path as `cargo xtask analyze`
//! (`instrumeter-analysis`), behind a REST API, a live WebSocket and a web page. Stateless: every
//! request carries its audio and the models are read-only, so instances scale out behind any
//! load balancer.

pub mod analyze;
pub mod catalogue;
pub mod error;
pub mod jobs;
pub mod live;
pub mod settings;
pub mod upload;
pub mod web;

use std::sync::Arc;

use anyhow::Result;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::Semaphore;

pub use catalogue::Catalogue;
pub use jobs::Jobs;
pub use settings::Settings;

/// What every request handler shares: the models, the job queue, the live slots, the limits.
pub struct App {
    pub catalogue: Catalogue,
    pub jobs: Jobs,
    pub live_slots: Arc<Semaphore>,
    pub settings: Settings,
}

impl App {
    /// Loads the models and sets up the queue; an error if no model can be used.
    pub fn new(settings: Settings) -> Result<Arc<Self>> {
        let catalogue = Catalogue::load(&settings.models)?;
        let jobs = Jobs::new(settings.workers, settings.queue, settings.time_limit());
        let live_slots = Arc::new(Semaphore::new(settings.max_live));
        Ok(Arc::new(Self { catalogue, jobs, live_slots, settings }))
    }
}

/// Every route of the server.
pub fn router(app: Arc<App>) -> Router {
    let upload_limit = app.settings.max_upload_bytes();
    Router::new()
        .route("/", get(web::index))
        .route("/app.js", get(web::app_js))
        .route("/style.css", get(web::style_css))
        .route("/mic-worklet.js", get(web::mic_worklet))
        .route("/healthz", get(healthz))
        .route("/v1/models", get(models))
        .route("/v1/analyze", post(analyze::analyze))
        .route("/v1/live", get(live::live))
        .fallback(error::not_found_route)
        .layer(DefaultBodyLimit::max(upload_limit))
        .with_state(app)
}

/// `GET /healthz`: the server answers and has models.
async fn healthz(axum::extract::State(app): axum::extract::State<Arc<App>>) -> Json<Value> {
    Json(json!({ "status": "ok", "models": app.catalogue.names() }))
}

/// `GET /v1/models`: every card the server can run, and which one runs when `?model=` is absent.
async fn models(axum::extract::State(app): axum::extract::State<Arc<App>>) -> Json<Value> {
    Json(json!({ "default": app.catalogue.default_name(), "models": app.catalogue.cards_json() }))
}
