//! A frame-activation model with a companion window-clip model (the card's `companion`): each
//! frame's activations mixed with the latest window scores known when it is emitted, loading both
//! from files, and the errors of a companion that cannot be mixed.

mod common;

use std::path::Path;

use common::{frame, frame_mean, load, sigmoid, Recorder};
use instrumeter::engine::{Analyzer, FrameSink, ModelStatus};
use instrumeter::models::{Companion, LoadedModel, ModelCard, ModelError};
use instrumeter::testkit::{mean_band_frame_model, mean_window_clip_model};

const FRAME_GAINS: [f32; 3] = [0.5, -0.25, 1.0];
const FRAME_BIASES: [f32; 3] = [1.0, 0.0, 2.0];
const WINDOW_GAINS: [f32; 3] = [-0.5, 0.3, 0.8];
const WINDOW_BIASES: [f32; 3] = [0.0, 1.0, -1.0];
const WEIGHT: f32 = 0.25;

fn with_companion(mut card: ModelCard, file: &str) -> ModelCard {
    card.companion = Some(Companion { card: file.into(), weight: WEIGHT });
    card
}

/// The closed-form frame model, with the closed-form window model (43 frames, hop 22) as companion.
fn pair() -> LoadedModel {
    let (card, onnx) = mean_band_frame_model(&FRAME_GAINS, &FRAME_BIASES, 16, 8, true);
    let (window_card, window_onnx) = mean_window_clip_model(&WINDOW_GAINS, &WINDOW_BIASES, 43, 22, true);
    load(with_companion(card, "window.card.json"), &onnx).with_companion(Some(load(window_card, &window_onnx))).expect("the pair fits")
}

/// What frame `t` of a stream of `total` frames should be: the frame model's value mixed with the
/// last companion window that ended by the end of the frame window that completed frame `t`
/// (windows of 16 every 8 frames: frame `t` is final after the window at `8⌊t/8⌋`).
fn expected(t: u64, total: u64) -> Vec<f32> {
    let known_by = (8 * (t / 8) + 16).min(total);
    let last_window = (0..).map(|j| 22 * j).take_while(|start| start + 43 <= known_by).last();
    let frame_value = FRAME_GAINS.iter().zip(FRAME_BIASES).map(|(g, b)| sigmoid(g * frame_mean(t) + b));
    match last_window {
        None => frame_value.collect(),
        Some(start) => {
            let mean = (start..start + 43).map(frame_mean).sum::<f32>() / 43.0;
            let window_value = WINDOW_GAINS.iter().zip(WINDOW_BIASES).map(|(g, b)| sigmoid(g * mean + b));
            frame_value.zip(window_value).map(|(f, w)| (1.0 - WEIGHT) * f + WEIGHT * w).collect()
        }
    }
}

#[test]
fn every_frame_is_mixed_with_the_latest_window_known_when_it_is_emitted() {
    for total in [20u64, 43, 60, 101] {
        let mut analyzer = Analyzer::new(128, Recorder::default());
        analyzer.set_model(pair());
        (0..total).for_each(|t| analyzer.on_frame(&frame(t)));
        analyzer.finish(&[-23.0; 128]);
        let frames = &analyzer.output().frames;
        assert_eq!(frames.iter().map(|(i, _)| *i).collect::<Vec<_>>(), (0..total).collect::<Vec<_>>(), "{total} frames");
        assert!(analyzer.output().windows.is_empty(), "the companion's windows are not reported on their own");
        assert_eq!(analyzer.output().statuses[0], ModelStatus::Ready("test-FrameActivation-3 + window".into()), "the status names both");
        for (t, values) in frames {
            let expected = expected(*t, total);
            for (found, wanted) in values.iter().zip(&expected) {
                assert!((found - wanted).abs() < 1e-5, "frame {t} of {total}: found {values:?}, expected {expected:?}");
            }
        }
    }
}

#[test]
fn a_card_loads_its_companion_from_beside_it_and_a_missing_one_is_named() {
    let scratch = tempfile::tempdir().unwrap();
    let folder = scratch.path();
    let (card, onnx) = mean_band_frame_model(&FRAME_GAINS, &FRAME_BIASES, 16, 8, true);
    std::fs::write(folder.join("pair.card.json"), serde_json::to_vec(&with_companion(card, "window.card.json")).unwrap()).unwrap();
    std::fs::write(folder.join("pair.onnx"), &onnx).unwrap();
    let error = LoadedModel::load(&folder.join("pair.card.json")).err().expect("no companion yet");
    assert!(error.to_string().contains("window.card.json"), "{error}");

    let (window_card, window_onnx) = mean_window_clip_model(&WINDOW_GAINS, &WINDOW_BIASES, 43, 22, true);
    std::fs::write(folder.join("window.card.json"), serde_json::to_vec(&window_card).unwrap()).unwrap();
    std::fs::write(folder.join("window.onnx"), &window_onnx).unwrap();
    let mut loaded = LoadedModel::load(&folder.join("pair.card.json")).unwrap();
    assert_eq!(loaded.take_companion().map(|companion| companion.card().name.clone()), Some(window_card.name));
}

#[test]
fn a_companion_that_cannot_be_mixed_is_a_clear_error() {
    let (card, onnx) = mean_band_frame_model(&FRAME_GAINS, &FRAME_BIASES, 16, 8, true);
    let main = || load(with_companion(card.clone(), "other.card.json"), &onnx);
    let (two_classes, two_onnx) = mean_window_clip_model(&[1.0, 1.0], &[0.0, 0.0], 43, 22, true);
    let (frame_card, frame_onnx) = mean_band_frame_model(&FRAME_GAINS, &FRAME_BIASES, 16, 8, true);
    for (companion, problem) in [(load(two_classes, &two_onnx), "other classes"), (load(frame_card, &frame_onnx), "not a window-clip model")] {
        let error = main().with_companion(Some(companion)).err().expect("must be refused");
        assert!(matches!(error, ModelError::CardInvalid { .. }) && error.to_string().contains(problem) && error.to_string().contains("other.card.json"), "{error}");
    }
    let (window_card, window_onnx) = mean_window_clip_model(&WINDOW_GAINS, &WINDOW_BIASES, 43, 22, true);
    let unnamed = load(card.clone(), &onnx).with_companion(Some(load(window_card.clone(), &window_onnx))).err().expect("a companion the card does not name is refused");
    assert!(unnamed.to_string().contains("names no companion"), "{unnamed}");
    let problems = [
        (with_companion(window_card, "x.card.json"), "only a frame-activation model"),
        (ModelCard { companion: Some(Companion { card: "x.card.json".into(), weight: 1.5 }), ..card.clone() }, "weight"),
        (with_companion(card.clone(), "../elsewhere/x.card.json"), "beside this card"),
    ];
    for (bad, problem) in problems {
        let error = ModelCard::from_json(&serde_json::to_vec(&bad).unwrap(), Path::new("bad.card.json")).err().expect("invalid");
        assert!(error.to_string().contains(problem), "{error}");
    }
}
