//! The web page in a real browser: headless Chromium (Debian's chromium + chromium-driver,
//! installed by scripts/install-system-deps.sh) uploads the demo clip through the page's file
//! picker, and the lanes must show piano, trumpet, voice and electric guitar in their parts.
//! The page is screenshotted to the test's target folder (and to docs/web.png with
//! INSTRUMETER_UPDATE_DOCS=1).

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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
        let child = Command::new(CHROMEDRIVER).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("chromedriver starts");
        Self { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium session at 1280×900, retried while chromedriver comes up.
async fn browser(driver: &Driver) -> Client {
    let mut capabilities = serde_json::Map::new();
    let options = json!({
        "binary": CHROMIUM,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900", "--hide-scrollbars"],
    });
    capabilities.insert("goog:chromeOptions".into(), options);
    let started = Instant::now();
    loop {
        let mut builder = ClientBuilder::new(HttpConnector::new());
        match builder.capabilities(capabilities.clone()).connect(&format!("http://127.0.0.1:{}", driver.port)).await {
            Ok(client) => return client,
            Err(error) if started.elapsed() < Duration::from_secs(20) => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("no browser session: {error}"),
        }
    }
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
    client
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("#status[data-state='done']"))
        .await
        .expect("the analysis finishes on the page");
    let mut segments = std::collections::HashMap::new();
    for lane in client.find_all(Locator::Css("#lanes .lane")).await.unwrap() {
        let code = lane.attr("data-code").await.unwrap().unwrap_or_default();
        segments.insert(code, lane.attr("data-segments").await.unwrap().unwrap_or_default());
    }
    assert_eq!(segments.len(), 13, "one lane per instrument");
    let summary = client.find(Locator::Id("summary")).await.unwrap().text().await.unwrap();
    let screenshot = client.screenshot().await.unwrap();
    std::fs::write(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("web.png"), &screenshot).unwrap();
    if std::env::var_os("INSTRUMETER_UPDATE_DOCS").is_some() {
        std::fs::write(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/web.png"), &screenshot).unwrap();
    }
    client.close().await.unwrap();
    for (code, start, end) in DEMO_PARTS {
        let on = covered(&segments[code], start, end);
        assert!(on >= 0.5 * (end - start), "{code} is on for {on:.1} s of its part {start}–{end} s (lanes: {segments:?}; summary: {summary})");
    }
}
