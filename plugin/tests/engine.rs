//! The analysis engine end to end with closed-form test models: stitching, windows, aggregation,
//! model errors and model swaps.

mod common;

use std::path::Path;

use common::{frame, frame_mean, load, sigmoid, Recorder};
use instrumeter::engine::{AnalysisOutput, Analyzer, FrameSink, ModelStatus};
use instrumeter::models::{LoadedModel, ModelCard, ModelError, ModelLoader};
use instrumeter::testkit::{mean_band_frame_model, mean_window_clip_model};

const GAINS: [f32; 3] = [0.5, -0.25, 1.0];
const BIASES: [f32; 3] = [1.0, 0.0, 2.0];

fn expected_frame(t: u64, gains: &[f32], biases: &[f32]) -> Vec<f32> {
    gains.iter().zip(biases).map(|(g, b)| sigmoid(g * frame_mean(t) + b)).collect()
}

fn assert_close(found: &[f32], expected: &[f32], context: &str) {
    for (f, e) in found.iter().zip(expected) {
        assert!((f - e).abs() < 1e-5, "{context}: found {found:?}, expected {expected:?}");
    }
}

fn run_frames<O: AnalysisOutput>(analyzer: &mut Analyzer<O>, range: std::ops::Range<u64>) {
    for t in range {
        analyzer.on_frame(&frame(t));
    }
}

#[test]
fn frame_model_gives_every_frame_exactly_once_with_its_closed_form_value() {
    for total in [3u64, 16, 17, 40, 101] {
        let (card, onnx) = mean_band_frame_model(&GAINS, &BIASES, 16, 8, true);
        let mut analyzer = Analyzer::new(128, Recorder::default());
        analyzer.set_model(load(card, &onnx));
        run_frames(&mut analyzer, 0..total);
        analyzer.finish(&[-23.0; 128]);
        let frames = &analyzer.output().frames;
        let indices: Vec<u64> = frames.iter().map(|(i, _)| *i).collect();
        assert_eq!(indices, (0..total).collect::<Vec<_>>(), "{total} frames");
        for (t, values) in frames {
            assert_close(values, &expected_frame(*t, &GAINS, &BIASES), &format!("frame {t} of {total}"));
        }
    }
}

#[test]
fn window_model_scores_each_window_and_aggregates_the_last_second() {
    let (card, onnx) = mean_window_clip_model(&GAINS, &BIASES, 43, 22, true);
    let mut analyzer = Analyzer::new(128, Recorder::default());
    analyzer.set_model(load(card, &onnx));
    run_frames(&mut analyzer, 0..200);
    let windows = &analyzer.output().windows;
    assert_eq!(windows.len(), (200 - 43) / 22 + 1);
    for (index, start, scores, aggregated) in windows {
        assert_eq!(*start, index * 22);
        let mean = (*start..start + 43).map(frame_mean).sum::<f32>() / 43.0;
        let expected: Vec<f32> = GAINS.iter().zip(BIASES).map(|(g, b)| sigmoid(g * mean + b)).collect();
        assert_close(scores, &expected, &format!("window {index}"));
        assert!(aggregated.iter().copied().fold(0.0, f32::max) > 0.999, "S2 normalises the top class to 1");
    }
}

#[test]
fn a_short_clip_still_gets_one_padded_window() {
    let (card, onnx) = mean_window_clip_model(&GAINS, &BIASES, 43, 22, true);
    let mut analyzer = Analyzer::new(128, Recorder::default());
    analyzer.set_model(load(card, &onnx));
    run_frames(&mut analyzer, 0..10);
    assert!(analyzer.output().windows.is_empty());
    analyzer.finish(&[-23.0; 128]);
    assert_eq!(analyzer.output().windows.len(), 1);
}

fn load_error(card: ModelCard, onnx: &[u8]) -> ModelError {
    LoadedModel::from_parts(card, onnx, Path::new("models/broken.onnx")).err().expect("load must fail")
}

#[test]
fn card_and_onnx_disagreeing_is_a_clear_error() {
    let (mut card, onnx) = mean_band_frame_model(&GAINS, &BIASES, 16, 8, true);
    card.input.frames = 43;
    let message = load_error(card, &onnx).to_string();
    assert!(message.contains("models/broken.onnx") && message.contains("input shape"), "{message}");
    assert!(message.contains("[1, 1, 128, 43]") && message.contains("[1, 1, 128, 16]"), "{message}");

    let (mut card, onnx) = mean_band_frame_model(&GAINS, &BIASES, 16, 8, true);
    card.labels.pop();
    card.thresholds.remove("flu");
    let message = load_error(card, &onnx).to_string();
    assert!(message.contains("output shape") && message.contains("[1, 2, 16]") && message.contains("3"), "{message}");
}

#[test]
fn corrupt_onnx_bytes_are_rejected() {
    let (card, mut onnx) = mean_band_frame_model(&GAINS, &BIASES, 16, 8, true);
    onnx.truncate(onnx.len() / 2);
    assert!(matches!(load_error(card.clone(), &onnx), ModelError::Onnx { .. }));
    assert!(matches!(load_error(card, b"definitely not protobuf \xff\xfe"), ModelError::Onnx { .. }));
}

#[test]
fn missing_files_and_bad_cards_name_the_file() {
    let error = LoadedModel::load(Path::new("/nonexistent/model.card.json")).err().unwrap();
    assert!(error.to_string().contains("/nonexistent/model.card.json"), "{error}");

    let scratch = tempfile::tempdir().unwrap();
    let folder = scratch.path();
    let (card, _) = mean_band_frame_model(&GAINS, &BIASES, 16, 8, true);
    let card_path = folder.join("lonely.card.json");
    std::fs::write(&card_path, serde_json::to_vec(&card).unwrap()).unwrap();
    let error = LoadedModel::load(&card_path).err().unwrap();
    assert!(error.to_string().contains("lonely.onnx"), "{error}");

    std::fs::write(&card_path, b"{ \"name\": 3 }").unwrap();
    assert!(matches!(ModelCard::load(&card_path), Err(ModelError::CardJson { .. })));

    let mut bad = card.clone();
    bad.thresholds.insert("cel".into(), 1.5);
    std::fs::write(&card_path, serde_json::to_vec(&bad).unwrap()).unwrap();
    let error = ModelCard::load(&card_path).err().unwrap();
    assert!(matches!(error, ModelError::CardInvalid { .. }) && error.to_string().contains("cel"), "{error}");
}

#[test]
fn swapping_models_mid_stream_drops_and_repeats_no_frame() {
    let scratch = tempfile::tempdir().unwrap();
    let folder = scratch.path();
    let new_gains = [0.0, 0.0, 0.0];
    let new_biases = [-1.0, 0.5, 3.0];
    let (mut card, onnx) = mean_band_frame_model(&new_gains, &new_biases, 16, 8, true);
    card.name = "next".into();
    std::fs::write(folder.join("next.card.json"), serde_json::to_vec(&card).unwrap()).unwrap();
    std::fs::write(folder.join("next.onnx"), &onnx).unwrap();

    let (loader, updates) = ModelLoader::new();
    let (first_card, first_onnx) = mean_band_frame_model(&GAINS, &BIASES, 16, 8, true);
    let mut analyzer = Analyzer::new(128, Recorder::default()).with_updates(updates);
    analyzer.set_model(load(first_card, &first_onnx));
    run_frames(&mut analyzer, 0..45);
    loader.load_file(folder.join("missing.card.json"));
    loader.load_file(folder.join("next.card.json"));
    // Keep streaming while the loader works; the swap happens whenever the model arrives.
    let mut t = 45;
    while analyzer.output().statuses.len() < 3 && t < 100_000 {
        analyzer.on_frame(&frame(t));
        t += 1;
        std::thread::yield_now();
    }
    run_frames(&mut analyzer, t..t + 30);
    analyzer.finish(&[-23.0; 128]);
    let recorder = analyzer.output();
    // The two loads run on their own threads, so they may arrive in either order.
    let failed = |s: &ModelStatus| matches!(s, ModelStatus::Failed(m) if m.contains("missing.card.json"));
    assert!(recorder.statuses[1..].iter().any(failed), "{:?}", recorder.statuses);
    assert!(recorder.statuses[1..].contains(&ModelStatus::Ready("next".into())), "{:?}", recorder.statuses);
    let indices: Vec<u64> = recorder.frames.iter().map(|(i, _)| *i).collect();
    assert_eq!(indices, (0..t + 30).collect::<Vec<_>>(), "no frame dropped or repeated");
    let (last_index, last) = recorder.frames.last().unwrap();
    assert_close(last, &expected_frame(*last_index, &new_gains, &new_biases), "after the swap");
    assert_close(&recorder.frames[10].1, &expected_frame(10, &GAINS, &BIASES), "before the swap");
}

#[test]
fn the_live_publisher_shows_activations_decisions_latency_controls_and_user_thresholds() {
    use instrumeter::engine::{LivePublisher, ThresholdOverrides};
    let (card, onnx) = mean_band_frame_model(&[0.0, 0.0, 0.0], &[3.0, -3.0, 0.1], 16, 8, true);
    let (publisher, mut snapshots, controls) = LivePublisher::new(128);
    let overrides = ThresholdOverrides::default();
    let mut analyzer = Analyzer::new(128, publisher.with_overrides(overrides.clone()));
    analyzer.set_model(load(card, &onnx));
    run_frames(&mut analyzer, 0..64);
    let snapshot = snapshots.read();
    assert_eq!(snapshot.classes, 3);
    assert_eq!(snapshot.status.as_ref(), &ModelStatus::Ready("test-FrameActivation-3".into()));
    let expected = [sigmoid(3.0), sigmoid(-3.0), sigmoid(0.1)];
    assert_close(&snapshot.activations[..3], &expected, "published activations");
    assert_eq!(&snapshot.decisions[..3], &[true, false, true], "thresholds 0.5");
    assert!(snapshot.latency_s > 0.3 && snapshot.latency_s < 0.5, "latency {}", snapshot.latency_s);
    assert_eq!(snapshot.frames, 64);
    assert_eq!(controls.classes(), 3);
    for (class, value) in expected.iter().enumerate() {
        assert!((controls.get(class) - value).abs() < 1e-3, "control {class}: {}", controls.get(class));
        assert_eq!(controls.slot(class), Some(class), "the test labels are the first instruments");
    }
    overrides.set(2, Some(0.6));
    run_frames(&mut analyzer, 64..72);
    let snapshot = snapshots.read();
    assert_eq!(&snapshot.decisions[..3], &[true, false, false], "flute's user threshold 0.6 > sigmoid(0.1)");
    assert_eq!(&snapshot.thresholds[..3], &[0.5, 0.5, 0.6]);
    assert_eq!(controls.threshold(2), 0.6);
}

/// A window model over `kind`'s features: `out[c] = mean(x)` (one class): its card and ONNX.
fn mean_model_for(kind: instrumeter::frontend::FeatureKind, frames: usize) -> (ModelCard, Vec<u8>) {
    use instrumeter::frontend::FrontendConfig;
    use instrumeter::models::onnx_graph::{Attr, OnnxGraph};
    let config = FrontendConfig::for_kind(kind);
    let mut graph = OnnxGraph::new("mean", kind.name(), &[1, 1, config.n_mels, frames]);
    let mean = graph.node("ReduceMean", &[kind.name()], &[("axes", Attr::Ints(vec![2, 3])), ("keepdims", Attr::Int(0))]);
    let onnx = graph.finish(&mean, &[1, 1]);
    let (mut card, _) = mean_window_clip_model(&[1.0], &[0.0], frames, frames / 2, false);
    card.frontend = (&config).into();
    (card, onnx)
}

#[test]
fn the_live_loop_switches_front_ends_when_a_model_of_another_feature_kind_arrives() {
    use instrumeter::engine::{analysis_pipeline, PipelineConfig};
    use instrumeter::frontend::{FeatureKind, FrontendConfig};
    let config = PipelineConfig { host_rate: 48_000.0, max_block: 512, ring_seconds: 4.0, frontend: FrontendConfig::default() };
    let (loader, updates) = ModelLoader::new();
    let (mut tap, mut analysis) = analysis_pipeline(&config, Analyzer::new(128, Recorder::default()).with_updates(updates)).unwrap();
    let tone: Vec<f32> = (0..48_000).map(|n| (n as f32 * 0.05).sin() * 0.3).collect();
    let mut play = |analysis: &mut instrumeter::engine::AnalysisLoop<Analyzer<Recorder>>| {
        for block in tone.chunks(512) {
            tap.push_downmix(&[block.to_vec(), block.to_vec()]);
            analysis.drain();
        }
    };
    play(&mut analysis);
    assert_eq!(analysis.frontend().config().kind, FeatureKind::LogMel);
    let folder = tempfile::tempdir().unwrap();
    for kind in [FeatureKind::Cqt, FeatureKind::Modgd, FeatureKind::LogMel] {
        let (card, onnx) = mean_model_for(kind, 43);
        let card_path = folder.path().join(format!("{}.card.json", kind.name()));
        std::fs::write(&card_path, serde_json::to_vec(&card).unwrap()).unwrap();
        std::fs::write(folder.path().join(format!("{}.onnx", kind.name())), onnx).unwrap();
        let before = analysis.sink().output().windows.len();
        loader.load_file(card_path);
        for _ in 0..200 {
            play(&mut analysis);
            if analysis.frontend().config().kind == kind && analysis.sink().output().windows.len() > before {
                break;
            }
        }
        assert_eq!(analysis.frontend().config(), &FrontendConfig::for_kind(kind), "the loop follows the model's features");
        let windows = &analysis.sink().output().windows;
        assert!(windows.len() > before, "{kind:?}: the model gets windows of its own features");
        assert!(windows.last().unwrap().2[0].is_finite());
    }
    // A model with two inputs (log-mel and modgd): one front-end computes both.
    let (mut card, _) = mean_model_for(FeatureKind::LogMel, 43);
    card.extra_inputs = vec![instrumeter::models::ExtraInput { frontend: (&FrontendConfig::for_kind(FeatureKind::Modgd)).into(), frames: 100 }];
    let mut graph = instrumeter::models::onnx_graph::OnnxGraph::new("two", "log_mel", &[1, 1, 128, 43]);
    graph.add_input("modgd", &[1, 1, 128, 100]);
    let axes = || [("axes", instrumeter::models::onnx_graph::Attr::Ints(vec![2, 3])), ("keepdims", instrumeter::models::onnx_graph::Attr::Int(0))];
    let (mel, modgd) = (graph.node("ReduceMean", &["log_mel"], &axes()), graph.node("ReduceMean", &["modgd"], &axes()));
    let sum = graph.node("Add", &[&mel, &modgd], &[]);
    std::fs::write(folder.path().join("two.onnx"), graph.finish(&sum, &[1, 1])).unwrap();
    std::fs::write(folder.path().join("two.card.json"), serde_json::to_vec(&card).unwrap()).unwrap();
    let before = analysis.sink().output().windows.len();
    loader.load_file(folder.path().join("two.card.json"));
    for _ in 0..200 {
        play(&mut analysis);
        if analysis.frontend().configs().len() == 2 && analysis.sink().output().windows.len() > before {
            break;
        }
    }
    let kinds: Vec<FeatureKind> = analysis.frontend().configs().iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [FeatureKind::LogMel, FeatureKind::Modgd], "one front-end computes both inputs");
    assert!(analysis.sink().output().windows.len() > before, "the two-input model gets windows");
    assert!(analysis.sink().output().statuses.iter().all(|s| matches!(s, ModelStatus::Ready(_))), "{:?}", analysis.sink().output().statuses);

    // A card asking for a kind this build does not know is refused; the two-input model stays.
    let json = std::fs::read_to_string(folder.path().join("two.card.json")).unwrap().replacen("\"log_mel\"", "\"scattering\"", 1);
    std::fs::write(folder.path().join("bad.card.json"), json).unwrap();
    std::fs::copy(folder.path().join("two.onnx"), folder.path().join("bad.onnx")).unwrap();
    loader.load_file(folder.path().join("bad.card.json"));
    for _ in 0..200 {
        play(&mut analysis);
        if analysis.sink().output().statuses.len() > 5 {
            break;
        }
    }
    let last = analysis.sink().output().statuses.last().unwrap().clone();
    assert!(matches!(&last, ModelStatus::Failed(m) if m.contains("unknown variant `scattering`")), "{last:?}");
    assert_eq!(analysis.frontend().configs().len(), 2, "the previous model and its front-end stay");
}
