//! `instrumeter-server`: serves the REST API, the live WebSocket and the web page.

use anyhow::{Context, Result};
use clap::Parser;
use instrumeter_server::{router, App, Settings};

#[tokio::main]
async fn main() -> Result<()> {
    let settings = Settings::parse();
    let app = App::new(settings.clone())?;
    let listener = tokio::net::TcpListener::bind(settings.bind).await.with_context(|| format!("cannot listen on {}", settings.bind))?;
    let address = listener.local_addr()?;
    println!("Instrumeter server on http://{address}/ (models: {})", app.catalogue.names().join(", "));
    println!(
        "  {} workers, {} waiting places, uploads up to {} MiB and {:.0} s of audio, {:.0} s per analysis",
        settings.workers, settings.queue, settings.max_upload_mib, settings.max_audio_s, settings.time_limit_s
    );
    axum::serve(listener, router(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the server stopped")
}
