//! The status line: model state or load error, latency, aligned mode, worker CPU, dropped samples.

use crate::engine::{AnalysisSnapshot, ModelStatus};

/// One line describing the analysis, or why there is none. `aligned` is the aligned mode's audio
/// delay in seconds when the mode is on (`None`: off).
pub fn status_line(snapshot: Option<&AnalysisSnapshot>, aligned: Option<f32>) -> String {
    let Some(snapshot) = snapshot else {
        return "Analysis idle: the plugin is not processing audio (inactive or bypassed).".into();
    };
    let model = match snapshot.status.as_ref() {
        ModelStatus::NoModel => "no model loaded".to_owned(),
        ModelStatus::Ready(name) => format!("model {name}"),
        ModelStatus::Failed(error) => format!("model load failed ({error}); previous model kept"),
    };
    let aligned = match aligned {
        Some(delay_s) => format!("aligned: audio delayed {:.0} ms", delay_s * 1_000.0),
        None => "aligned off".to_owned(),
    };
    format!(
        "{model} · latency {:.0} ms · {aligned} · worker CPU {:.2} % · dropped {} samples · {} frames",
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
    fn the_line_names_the_model_error_latency_aligned_mode_cpu_and_drops() {
        let (_, mut output, _) = LivePublisher::new(4);
        let mut snapshot = output.read().clone();
        snapshot.status = Arc::new(ModelStatus::Failed("bad.card.json: not found".into()));
        (snapshot.latency_s, snapshot.cpu_share, snapshot.dropped_samples) = (0.4321, 0.0071, 12);
        let line = status_line(Some(&snapshot), None);
        for part in ["bad.card.json: not found", "432 ms", "aligned off", "0.71 %", "dropped 12"] {
            assert!(line.contains(part), "{part:?} missing from {line:?}");
        }
        assert!(status_line(Some(&snapshot), Some(0.512)).contains("aligned: audio delayed 512 ms"));
        assert!(status_line(None, None).contains("not processing"));
    }
}
