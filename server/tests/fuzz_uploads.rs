//! A fuzz pass over uploads: seeded truncations and byte mutations of real files, and random
//! bytes. Every answer is a success or a 4xx with a message; nothing takes the server down.

mod common;

use axum::http::StatusCode;
use common::*;

/// A small xorshift generator: the same cases on every run.
struct Cases(u64);

impl Cases {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A truncated, mutated or random version of one of `seeds`.
    fn upload(&mut self, seeds: &[Vec<u8>]) -> Vec<u8> {
        let seed = &seeds[self.below(seeds.len())];
        match self.below(3) {
            0 => seed[..self.below(seed.len())].to_vec(),
            1 => {
                let mut bytes = seed.clone();
                for _ in 0..1 + self.below(16) {
                    let at = self.below(bytes.len());
                    bytes[at] = self.next() as u8;
                }
                bytes
            }
            _ => (0..self.below(4096)).map(|_| self.next() as u8).collect(),
        }
    }
}

#[tokio::test]
async fn random_and_damaged_uploads_never_break_the_server() {
    let app = app_with(|s| s.max_audio_s = 4.0);
    let tone: Vec<f32> = (0..22_050).map(|i| (i as f32 * 0.06).sin() * 0.5).collect();
    let demo = demo_bytes();
    let seeds = vec![wav_bytes(&tone, 22_050), demo[..demo.len() / 4].to_vec()];
    let mut cases = Cases(0x1234_5678_9abc_def1);
    let mut statuses = std::collections::BTreeMap::new();
    for _ in 0..120 {
        let answer = post(&app, "/v1/analyze", cases.upload(&seeds)).await;
        assert!(
            answer.status == StatusCode::OK || answer.status.is_client_error(),
            "{}: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
        if answer.status != StatusCode::OK {
            assert!(!answer.error().is_empty(), "a {} without a message", answer.status);
        }
        *statuses.entry(answer.status.as_u16()).or_insert(0) += 1;
    }
    println!("answers by status: {statuses:?}");
    assert!(statuses.len() > 1, "the cases reach both success and refusal: {statuses:?}");
    assert_eq!(get(&app, "/healthz").await.status, StatusCode::OK);
}
