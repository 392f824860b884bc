//! The web page in a real browser: headless Chromium (Debian's chromium + chromium-driver,
//! installed by scripts/install-system-deps.sh) uploads the demo clip through the page's file
//! picker, and the lanes must show piano, trumpet, voice and electric guitar in their parts; the
//! clip scores beside the heard instruments must say which aggregation the model decides on.
//! The page is screenshotted to the test's target folder (and to docs/web.png with
//! INSTRUMETER_UPDATE_DOCS=1).

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use common::*;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Self {
        assert!(
            std::path::Path::new(CHROMEDRIVER).exists() && std::path::Path::new(CHROMIUM).exists(),
            "the browser test needs Debian's chromium and chromium-driver: run scripts/install-system-deps.sh"
        );
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child =
            Command::new(CHROMEDRIVER).arg(format!("--port={port}")).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("chromedriver starts");
        // chromedriver says when it listens; connecting before that would be refused.
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let started = lines.by_ref().map_while(Result::ok).any(|line| line.contains("started successfully"));
        assert!(started, "chromedriver exited before it listened");
        std::thread::spawn(move || lines.for_each(drop)); // drained, so its later logs never hit a closed pipe
        Self { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session at 1280×1040 (the page down to its legend).
async fn browser(driver: &Driver) -> Client {
    let mut capabilities = serde_json::Map::new();
    let options = json!({
        "binary": CHROMIUM,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1040", "--hide-scrollbars"],
    });
    capabilities.insert("goog:chromeOptions".into(), options);
    let mut builder = ClientBuilder::new(HttpConnector::new());
    builder.capabilities(capabilities).connect(&format!("http://127.0.0.1:{}", driver.port)).await.expect("a browser session")
}

/// Seconds of `[start, end)` covered by `segments` ("a-b;c-d").
fn covered(segments: &str, start: f64, end: f64) -> f64 {
    segments
        .split(';')
        .filter_map(|s| s.split_once('-'))
        .filter_map(|(a, b)| Some((a.parse::<f64>().ok()?, b.parse::<f64>().ok()?)))
        .map(|(a, b)| (b.min(end) - a.max(start)).max(0.0))
        .sum()
}

#[tokio::test]
async fn uploading_the_demo_shows_each_instrument_in_its_part() {
    let address = serve(app_with(|_| {})).await;
    let driver = Driver::start();
    let client = browser(&driver).await;
    client.goto(&format!("http://{address}/")).await.unwrap();
    client.wait().for_element(Locator::Css("#model option")).await.expect("the models are listed");
    let picker = client.find(Locator::Css("#file")).await.unwrap();
    picker.send_keys(demo_path().canonicalize().unwrap().to_str().unwrap()).await.unwrap();
    // The page ends every analysis in `done` or `error` (a failed fetch included).
    let status = client
        .wait()
        .forever()
        .for_element(Locator::Css("#status[data-state='done'], #status[data-state='error']"))
        .await
        .unwrap();
    let state = status.attr("data-state").await.unwrap();
    let error = client.find(Locator::Id("error")).await.unwrap().text().await.unwrap_or_default();
    assert_eq!(state.as_deref(), Some("done"), "the page shows an error: {error}");
    let mut segments = std::collections::HashMap::new();
    for lane in client.find_all(Locator::Css("#lanes .lane")).await.unwrap() {
        let code = lane.attr("data-code").await.unwrap().unwrap_or_default();
        segments.insert(code, lane.attr("data-segments").await.unwrap().unwrap_or_default());
    }
    assert_eq!(segments.len(), 13, "one lane per instrument");
    let summary = client.find(Locator::Id("summary")).await.unwrap().text().await.unwrap();
    let score_title = client.find(Locator::Css("#summary .score")).await.unwrap().attr("title").await.unwrap().unwrap_or_default();
    let screenshot = client.screenshot().await.unwrap();
    std::fs::write(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("web.png"), &screenshot).unwrap();
    if std::env::var_os("INSTRUMETER_UPDATE_DOCS").is_some() {
        std::fs::write(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/web.png"), &screenshot).unwrap();
    }
    client.close().await.unwrap();
    let embedded = instrumeter::models::EMBEDDED_DEFAULT.as_ref().expect("this build embeds the default model");
    let method = instrumeter::models::LoadedModel::from_embedded(embedded).unwrap().card().aggregation.method;
    let name = format!("{method:?}").to_uppercase();
    assert!(score_title.starts_with(&format!("{name}:")), "the clip score says {score_title:?}, the default model aggregates by {name}");
    for (code, start, end) in DEMO_PARTS {
        let on = covered(&segments[code], start, end);
        assert!(on >= 0.5 * (end - start), "{code} is on for {on:.1} s of its part {start}–{end} s (lanes: {segments:?}; summary: {summary})");
    }
}
