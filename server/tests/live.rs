//! The live WebSocket over loopback: PCM in, activation rows out, refusals before the upgrade.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn streamed_pcm_comes_back_as_rows_that_hear_the_trumpet() {
    let address = serve(app_with(|_| {})).await;
    let (samples, rate) = instrumeter_analysis::read_mono(&demo_path()).unwrap();
    let url = format!("ws://{address}/v1/live?rate={rate}");
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.expect("the stream opens");
    let start: Value = match socket.next().await.unwrap().unwrap() {
        Message::Text(text) => serde_json::from_str(&text).unwrap(),
        other => panic!("expected the start message, got {other:?}"),
    };
    assert_eq!(start["type"], "start");
    let codes: Vec<String> = start["labels"].as_array().unwrap().iter().map(|l| l["code"].as_str().unwrap().to_string()).collect();
    let trumpet = codes.iter().position(|c| c == "tru").unwrap();
    let (sender, mut receiver) = socket.split();
    let pcm: Vec<Message> = samples
        .chunks(4096)
        .map(|chunk| Message::Binary(chunk.iter().flat_map(|s| s.to_le_bytes()).collect::<Vec<u8>>().into()))
        .collect();
    let sending = tokio::spawn(async move {
        let mut sender = sender;
        for message in pcm {
            sender.send(message).await.unwrap();
        }
        sender
    });
    let mut rows: Vec<(f64, f64)> = Vec::new();
    let end = samples.len() as f64 / rate as f64 - 0.6; // the last frames wait for more audio
    while rows.last().is_none_or(|&(t, _)| t < end - 1.0) {
        let message = receiver.next().await; // a silent server closes the stream (its idle timeout)
        let Some(Ok(Message::Text(text))) = message else { panic!("the stream ended early: {message:?}") };
        let reply: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(reply["type"], "rows", "{reply}");
        for row in reply["rows"].as_array().unwrap() {
            rows.push((row["t"].as_f64().unwrap(), row["v"][trumpet].as_f64().unwrap()));
        }
    }
    drop(sending.await.unwrap());
    assert!(rows.windows(2).all(|w| w[1].0 > w[0].0), "rows arrive in time order");
    let mean = |a: f64, b: f64| {
        let inside: Vec<f64> = rows.iter().filter(|(t, _)| (a..b).contains(t)).map(|r| r.1).collect();
        inside.iter().sum::<f64>() / inside.len().max(1) as f64
    };
    let threshold = start["thresholds"][trumpet].as_f64().unwrap();
    let (during, before) = (mean(3.3, 5.6), mean(0.3, 2.6));
    assert!(during >= threshold && during > 2.0 * before, "trumpet {during:.3} in its part, {before:.3} in the piano's, threshold {threshold:.3}");
}

#[tokio::test]
async fn a_bad_rate_or_model_is_refused_before_the_upgrade() {
    let address = serve(app_with(|_| {})).await;
    for query in ["rate=0", "rate=abc", "rate=48000&model=nope", ""] {
        let url = format!("ws://{address}/v1/live?{query}");
        let refused = tokio_tungstenite::connect_async(url).await;
        let Err(tokio_tungstenite::tungstenite::Error::Http(response)) = refused else { panic!("{query}: not refused") };
        assert!(response.status().is_client_error(), "{query}: {}", response.status());
    }
}

#[tokio::test]
async fn a_pcm_message_of_odd_length_closes_the_stream_with_a_reason() {
    let address = serve(app_with(|_| {})).await;
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{address}/v1/live?rate=48000")).await.unwrap();
    socket.next().await.unwrap().unwrap(); // start
    socket.send(Message::Binary(vec![0u8; 7].into())).await.unwrap();
    let Some(Ok(Message::Text(text))) = socket.next().await else { panic!("no reason given") };
    let reply: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(reply["type"], "error");
    assert!(reply["error"].as_str().unwrap().contains("multiple of 4"), "{reply}");
}
