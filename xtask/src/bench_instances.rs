//! How many instances analyse in real time on this machine: N copies of the plugin's live path
//! (tap → lock-free ring → worker thread → front-end → the embedded default pair), each fed a
//! 512-sample block of music-like audio every 512/48 000 s by one pacing thread, as N tracks of
//! a host would. An instance keeps up when its ring never overflows and its worker ends within
//! half a second of the audio. The host's own work (and egui) is not in it.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use instrumeter::engine::{analysis_pipeline, AnalysisOutput, AnalysisTap, AnalysisWorker, Analyzer, ModelStatus, PipelineConfig, StageOutput};
use instrumeter::frontend::FrontendConfig;
use instrumeter::models::{LoadedModel, ModelCard, EMBEDDED_DEFAULT};

const RATE: f64 = 48_000.0;
const BLOCK: usize = 512;
/// Goal of the issue: instances analysing in real time on the 2-core machine.
const TARGET_INSTANCES: usize = 64;

/// Drops every result: only the work counts here (also the offline bench's sink).
pub struct Discard;

impl AnalysisOutput for Discard {
    fn on_model(&mut self, _status: &ModelStatus, _card: Option<&ModelCard>) {}
    fn on_output(&mut self, _output: StageOutput<'_>) {}
}

/// One instance's live path.
struct Instance {
    tap: AnalysisTap,
    worker: AnalysisWorker,
}

/// Runs `counts` instances at a time for `seconds` each and prints how many kept up.
pub fn report(seconds: f64, counts: &[usize]) -> Result<()> {
    let audio = instrumeter_toolkit::signals::music_like(RATE as u32, seconds);
    let mut most = 0;
    for &count in counts {
        let kept_up = run(count, &audio)?;
        println!("{count:>3} instances at 48 kHz for {seconds:.0} s: {kept_up} kept up");
        if kept_up == count {
            most = count;
        }
    }
    let verdict = crate::bench_goal::at_least(most as f64, TARGET_INSTANCES as f64);
    println!("instances analysing in real time: {most} of those tried (goal ≥ {TARGET_INSTANCES}) {verdict}");
    Ok(())
}

fn start(config: &PipelineConfig) -> Result<Instance> {
    let default = EMBEDDED_DEFAULT.as_ref().ok_or_else(|| anyhow!("this build has no embedded model"))?;
    let mut analyzer = Analyzer::new(config.frontend.n_mels, Discard);
    analyzer.set_model(LoadedModel::from_embedded(default)?);
    let (tap, analysis) = analysis_pipeline(config, analyzer)?;
    Ok(Instance { tap, worker: AnalysisWorker::spawn(analysis)? })
}

/// Feeds `audio` to `count` instances in real time; returns how many kept up.
fn run(count: usize, audio: &[f32]) -> Result<usize> {
    let config = PipelineConfig { host_rate: RATE, max_block: BLOCK, ring_seconds: 2.0, frontend: FrontendConfig::default() };
    let mut instances = (0..count).map(|_| start(&config)).collect::<Result<Vec<_>>>()?;
    let block_time = Duration::from_secs_f64(BLOCK as f64 / RATE);
    let started = Instant::now();
    for (index, block) in audio.chunks_exact(BLOCK).enumerate() {
        instances.iter_mut().for_each(|instance| instance.tap.push_downmix(&[block]));
        std::thread::sleep((started + block_time * (index as u32 + 1)).saturating_duration_since(Instant::now()));
    }
    std::thread::sleep(Duration::from_millis(500));
    let frames_expected = (audio.len() as f64 / RATE * f64::from(config.frontend.sample_rate) / config.frontend.hop as f64) as u64;
    let kept_up = instances
        .iter()
        .filter(|instance| instance.tap.stats().dropped_samples.load(std::sync::atomic::Ordering::Relaxed) == 0)
        .filter(|instance| instance.worker.frames() + 4 >= frames_expected)
        .count();
    instances.iter_mut().for_each(|instance| instance.worker.stop());
    Ok(kept_up)
}
