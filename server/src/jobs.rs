//! The bounded job queue: a fixed number of analyses run at once on blocking threads, a bounded
//! number wait; beyond that a request is refused at once (503) instead of piling up memory.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// Seconds a refused client is told to wait.
const RETRY_AFTER_S: u32 = 2;

/// Workers and waiting places.
pub struct Jobs {
    /// One permit per request admitted (running or waiting).
    admitted: Arc<Semaphore>,
    /// One permit per running analysis.
    running: Arc<Semaphore>,
    time_limit: Duration,
}

/// A place in the queue, held from admission until the answer is made.
pub struct Admission {
    _permit: OwnedSemaphorePermit,
}

impl Jobs {
    pub fn new(workers: usize, queue: usize, time_limit: Duration) -> Self {
        let workers = workers.max(1);
        Self { admitted: Arc::new(Semaphore::new(workers + queue)), running: Arc::new(Semaphore::new(workers)), time_limit }
    }

    /// A place in the queue, or 503 (with Retry-After) when every place is taken.
    pub fn admit(&self) -> Result<Admission, ApiError> {
        match self.admitted.clone().try_acquire_owned() {
            Ok(permit) => Ok(Admission { _permit: permit }),
            Err(_) => Err(ApiError::busy("the server is busy: every analysis place is taken; try again shortly", RETRY_AFTER_S)),
        }
    }

    /// Runs `job` on a blocking thread once a worker is free, handing it its deadline. A panic in
    /// the job becomes a 500 answer; the server goes on.
    pub async fn run<T: Send + 'static>(
        &self,
        _admission: &Admission,
        job: impl FnOnce(Instant) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let _worker = self.running.clone().acquire_owned().await.map_err(|_| internal("the job queue is closed"))?;
        let deadline = Instant::now() + self.time_limit;
        let outcome = tokio::task::spawn_blocking(move || catch_unwind(AssertUnwindSafe(|| job(deadline))))
            .await
            .map_err(|_| internal("the analysis thread was lost"))?;
        outcome.unwrap_or_else(|_| Err(internal("the analysis failed unexpectedly on this input (the decoder or model gave up); the server goes on")))
    }
}

fn internal(message: &str) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
}
