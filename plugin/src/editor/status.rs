//! The status line: model state or load error, latency, worker CPU, dropped samples.

use crate::engine::{AnalysisSnapshot, ModelStatus};

/// One line describing the analysis, or why there is none.
pub fn status_line(snapshot: Option<&AnalysisSnapshot>) -> String {
    let Some(snapshot) = snapshot else {
        return "Analysis idle: the plugin is not processing audio (inactive or bypassed).".into();
    };
    let model = match snapshot.status.as_ref() {
        ModelStatus::NoModel => "no model loaded".to_owned(),
        ModelStatus::Ready(name) => format!("model {name}"),
        ModelStatus::Failed(error) => format!("model load failed ({error}); previous model kept"),
    };
    format!(
        "{model} · latency {:.0} ms · worker CPU {:.2} % · dropped {} samples · {} frames",
        snapshot.latency_s * 1_000.0,
        snapshot.cpu_share * 100.0,
        snapshot.dropped_samples,
        snapshot.frames,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::LivePublisher;
    use std::sync::Arc;

    #[test]
    fn the_line_names_the_model_error_latency_cpu_and_drops() {
        let (_, mut output, _) = LivePublisher::new(4);
        let mut snapshot = output.read().clone();
        snapshot.status = Arc::new(ModelStatus::Failed("bad.card.json: not found".into()));
        (snapshot.latency_s, snapshot.cpu_share, snapshot.dropped_samples) = (0.4321, 0.0071, 12);
        let line = status_line(Some(&snapshot));
        for part in ["bad.card.json: not found", "432 ms", "0.71 %", "dropped 12"] {
            assert!(line.contains(part), "{part:?} missing from {line:?}");
        }
        assert!(status_line(None).contains("not processing"));
    }
}
