//! `cargo xtask demo`: streams a file through the plugin's own front-end and shows the log-mel picture.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use instrumeter::frontend::{FrontendConfig, Frontend};
use instrumeter::models::{LoadedModel, ModelCard, EMBEDDED_DEFAULT};

use instrumeter_analysis::{for_each_mono_block, row_seconds, ClipAggregate};
use instrumeter_toolkit::picture::Spectrogram;

/// The demo clip shipped with the repository (see assets/demo/CREDITS.md).
const DEMO_CLIP: &str = "assets/demo/demo.flac";
/// Dynamic range shown in the picture, in natural-log units (≈ 80 dB).
const PICTURE_RANGE: f32 = 18.4;

/// Analyses `file` (or the demo clip) and prints/writes its spectrogram.
pub fn run(file: Option<PathBuf>, png: &Path) -> Result<()> {
    let path = file.unwrap_or_else(|| PathBuf::from(DEMO_CLIP));
    let started = Instant::now();
    let (frames, summary) = stream_log_mel(&path)?;
    let elapsed = started.elapsed().as_secs_f64();
    let picture = Spectrogram::from_log_mel(frames, PICTURE_RANGE);
    print!("{}", picture.to_terminal(100, 20));
    picture.write_png(png, 3)?;
    println!("{summary}");
    println!("computed in {:.1} ms; picture written to {}", elapsed * 1e3, png.display());
    match EMBEDDED_DEFAULT.as_ref() {
        Some(embedded) => show_instruments(&path, LoadedModel::from_embedded(embedded)?),
        None => {
            println!("(this build embeds no model: models/frame-activation.* was missing when it was compiled)");
            Ok(())
        }
    }
}

/// Prints one coloured row per instrument over time (the activation) and what the model heard.
fn show_instruments(path: &Path, model: LoadedModel) -> Result<()> {
    let card = model.card().clone();
    let rows = instrumeter_analysis::file_rows(path, model)?;
    let columns = 80;
    println!("\nmodel {} — activation per instrument over {:.1} s:", card.display_name(), rows.len() as f64 * row_seconds(&card));
    for (class, label) in card.labels.iter().enumerate() {
        let mut line = format!("{:>16} ", label.name);
        for col in 0..columns {
            let span = (col * rows.len() / columns)..((col + 1) * rows.len() / columns).max(col * rows.len() / columns + 1).min(rows.len());
            let mean = rows[span.clone()].iter().map(|r| r[class]).sum::<f32>() / span.len().max(1) as f32;
            let [r, g, b] = instrumeter_toolkit::picture::colour(mean);
            line += &format!("\x1b[48;2;{r};{g};{b}m \x1b[0m");
        }
        println!("{line}");
    }
    print_heard_per_segment(&card, &rows);
    Ok(())
}

/// Seconds per line of the "heard" summary.
const SEGMENT_S: f64 = 3.0;

/// For each few seconds: the instruments whose clip score (the card's aggregation) crosses their
/// clip threshold.
fn print_heard_per_segment(card: &ModelCard, rows: &[Vec<f32>]) {
    let row_s = row_seconds(card);
    let per_segment = ((SEGMENT_S / row_s).round() as usize).max(1);
    for (index, segment) in rows.chunks(per_segment).enumerate() {
        let mut aggregate = ClipAggregate::new(card.labels.len());
        segment.iter().for_each(|row| aggregate.add(row));
        let start = index as f64 * SEGMENT_S;
        println!("{start:>5.1}–{:<5.1} s  {}", start + segment.len() as f64 * row_s, aggregate.finish(card).summary(card));
    }
}

/// Streams `path` through a [`Frontend`] built for its sample rate.
fn stream_log_mel(path: &Path) -> Result<(Vec<Vec<f32>>, String)> {
    let mut frontend: Option<Frontend> = None;
    let (mut frames, mut samples, mut rate) = (Vec::new(), 0usize, 0);
    for_each_mono_block(path, |block, block_rate| {
        let frontend = match frontend.as_mut() {
            Some(frontend) => frontend,
            None => {
                rate = block_rate;
                frontend.insert(Frontend::new(block_rate as f64, FrontendConfig::default())?)
            }
        };
        samples += block.len();
        frontend.process(block, |frame| frames.push(frame.to_vec()));
        Ok(())
    })?;
    if let Some(frontend) = frontend.as_mut() {
        frontend.finish(|frame| frames.push(frame.to_vec()));
    }
    let non_finite = frontend.map_or(0, |f| f.non_finite_samples());
    let summary = format!(
        "{}: {:.2} s at {rate} Hz → {} log-mel frames × 128 bands (22 050 Hz, n_fft 1024, hop 512); {non_finite} non-finite samples replaced",
        path.display(),
        samples as f64 / rate.max(1) as f64,
        frames.len(),
    );
    Ok((frames, summary))
}
