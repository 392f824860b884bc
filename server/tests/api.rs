//! The REST API in process: answers, formats, and every kind of bad input.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;

#[tokio::test]
async fn health_and_models_list_the_shipped_cards() {
    let app = app_with(|_| {});
    let health = get(&app, "/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["status"], "ok");
    let models = get(&app, "/v1/models").await.json();
    assert_eq!(models["default"], "frame-activation");
    let names: Vec<&str> = models["models"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"frame-activation") && names.contains(&"convnet-1s"), "{names:?}");
    assert_eq!(models["models"][0]["labels"].as_array().unwrap().len(), 13);
    assert!(models["models"][0]["thresholds"]["pia"].is_number());
}

#[tokio::test]
async fn the_demo_is_heard_part_by_part_in_json() {
    let app = app_with(|_| {});
    let answer = post(&app, "/v1/analyze?name=demo.flac", demo_bytes()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer.body));
    assert_eq!(answer.content_type, "application/json");
    let analysis = answer.json();
    assert_eq!(analysis["file"], "demo.flac");
    assert_eq!(analysis["model"], "frame-activation");
    let duration = analysis["duration_s"].as_f64().unwrap();
    assert!((duration - 11.89).abs() < 0.05, "{duration}");
    let rows = analysis["rows"].as_array().unwrap().len() as f64;
    let row_s = analysis["row_s"].as_f64().unwrap();
    assert!((rows * row_s - duration).abs() < 0.2, "{rows} rows of {row_s} s for {duration} s");
    let thresholds = analysis["thresholds"].as_array().unwrap();
    let codes: Vec<&str> = analysis["labels"].as_array().unwrap().iter().map(|l| l["code"].as_str().unwrap()).collect();
    for (code, start, end) in DEMO_PARTS {
        let threshold = thresholds[codes.iter().position(|c| *c == code).unwrap()].as_f64().unwrap();
        let inside = mean_in(&analysis, code, start + 0.3, end - 0.3);
        assert!(inside >= threshold, "{code} in {start}–{end} s: {inside:.3} under its threshold {threshold:.3}");
        let others = [(0.0, start), (end, 12.0)];
        let outside = others.iter().filter(|(a, b)| b - a > 1.0).map(|&(a, b)| mean_in(&analysis, code, a, b)).fold(0.0, f64::max);
        assert!(inside > outside, "{code} is not strongest in its own part ({inside:.3} vs {outside:.3})");
    }
    let clip = &analysis["clip"];
    assert_eq!(clip["s1"].as_array().unwrap().len(), 13);
    assert_eq!(clip["decisions"].as_array().unwrap().len(), 13);
}

#[tokio::test]
async fn csv_midi_and_multipart_answers() {
    let app = app_with(|_| {});
    let csv = post(&app, "/v1/analyze?format=csv&model=convnet-1s", demo_bytes()).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.starts_with("text/csv"));
    let text = String::from_utf8(csv.body).unwrap();
    assert!(text.starts_with("time_s,cel,cla,"), "{}", &text[..40]);
    assert!(text.lines().count() > 10);
    let midi = post(&app, "/v1/analyze?format=midi", demo_bytes()).await;
    assert_eq!(midi.status, StatusCode::OK);
    assert_eq!(midi.content_type, "audio/midi");
    assert_eq!(&midi.body[..4], b"MThd");
    let boundary = "instrumeter-test-boundary";
    let mut form = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"demo.flac\"\r\nContent-Type: audio/flac\r\n\r\n").into_bytes();
    form.extend(demo_bytes());
    form.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    let request = Request::post("/v1/analyze")
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(form))
        .unwrap();
    let answer = send(&app, request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", String::from_utf8_lossy(&answer.body));
    assert_eq!(answer.json()["file"], "demo.flac");
}

#[tokio::test]
async fn bad_requests_get_a_status_and_a_message_that_says_why() {
    let app = app_with(|s| s.max_upload_mib = 1);
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        ("/v1/analyze", Vec::new(), StatusCode::BAD_REQUEST, "holds no audio"),
        ("/v1/analyze", b"this is not audio at all".repeat(40), StatusCode::UNSUPPORTED_MEDIA_TYPE, "not a readable audio file"),
        ("/v1/analyze?model=nope", demo_bytes(), StatusCode::NOT_FOUND, "no model called \"nope\""),
        ("/v1/analyze?format=xml", demo_bytes(), StatusCode::BAD_REQUEST, "bad query"),
        ("/v1/analyze", vec![0u8; 3 << 20], StatusCode::PAYLOAD_TOO_LARGE, "larger than this server accepts (1 MiB)"),
        ("/v1/nothing", Vec::new(), StatusCode::NOT_FOUND, "no such path"),
    ];
    for (uri, body, status, message) in cases {
        let answer = post(&app, uri, body).await;
        assert_eq!(answer.status, status, "{uri}: {}", String::from_utf8_lossy(&answer.body));
        assert!(answer.error().contains(message), "{uri}: {:?} lacks {message:?}", answer.error());
    }
    let silent_header = wav_bytes(&[], 44_100);
    let answer = post(&app, "/v1/analyze", silent_header).await;
    assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", answer.error());
    assert!(answer.error().contains("no audio"), "{}", answer.error());
}

#[tokio::test]
async fn limits_on_length_time_and_queue() {
    let short = app_with(|s| s.max_audio_s = 2.0);
    let answer = post(&short, "/v1/analyze", demo_bytes()).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(answer.error().contains("longer than this server analyses (2 s)"), "{}", answer.error());

    let hurried = app_with(|s| s.time_limit_s = 0.001);
    let answer = post(&hurried, "/v1/analyze", demo_bytes()).await;
    assert_eq!(answer.status, StatusCode::GATEWAY_TIMEOUT, "{}", answer.error());

    let full = app_with(|s| {
        s.workers = 1;
        s.queue = 0;
    });
    let held = full.jobs.admit().expect("the one place");
    let answer = post(&full, "/v1/analyze", demo_bytes()).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.retry_after.as_deref(), Some("2"));
    drop(held);
    assert_eq!(post(&full, "/v1/analyze", demo_bytes()).await.status, StatusCode::OK, "the place is free again");
}

#[tokio::test]
async fn the_page_and_its_scripts_are_served() {
    let app = app_with(|_| {});
    let page = get(&app, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.content_type.starts_with("text/html"));
    let html = String::from_utf8(page.body).unwrap();
    for asset in ["app.js", "style.css"] {
        assert!(html.contains(asset), "the page loads {asset}");
        let answer = get(&app, &format!("/{asset}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{asset}");
        assert!(!answer.body.is_empty());
    }
    assert_eq!(get(&app, "/mic-worklet.js").await.status, StatusCode::OK);
}
