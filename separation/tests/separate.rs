//! The separator end to end on synthetic instruments: stems and residual add up to the mix, a
//! closed gate silences its stem, distinct instruments come apart, lengths are kept through
//! blocks and resampling.

use instrumeter::testkit::mean_band_frame_model;
use instrumeter_analysis::{ActivationMatrix, AudioInput};
use instrumeter_separation::{bss_eval_sources, separate_input, FrameGates, GateSettings, NmfSettings, Separator, SeparatorSettings, TemplateBank, HOP, RATE};

/// A harmonic tone with five partials, `seconds` long, starting after `delay_s` of silence.
fn tone(fundamental: f32, delay_s: f32, seconds: f32, total_s: f32) -> Vec<f32> {
    (0..(total_s * RATE as f32) as usize)
        .map(|n| {
            let t = n as f32 / RATE as f32 - delay_s;
            if !(0.0..seconds).contains(&t) {
                return 0.0;
            }
            (1..=5).map(|k| (std::f32::consts::TAU * fundamental * k as f32 * t).sin() / k as f32).sum::<f32>() * 0.2
        })
        .collect()
}

fn bank() -> TemplateBank {
    let notes = vec![vec![tone(220.0, 0.0, 0.5, 0.5), tone(233.0, 0.0, 0.5, 0.5)], vec![tone(587.0, 0.0, 0.5, 0.5), tone(622.0, 0.0, 0.5, 0.5)]];
    TemplateBank::learn(vec!["a".into(), "b".into()], &notes, 3, NmfSettings { beta: 1.0, iterations: 40 }, vec!["tones".into()], "test".into()).unwrap()
}

/// Runs a separation of `mix` in odd-sized pieces; returns the stems and the residual.
fn separate(bank: &TemplateBank, gates: FrameGates, mix: &[f32], adapt_templates: bool) -> Vec<Vec<f32>> {
    let settings = SeparatorSettings { block_frames: 16, adapt_templates, ..SeparatorSettings::default() };
    let mut separator = Separator::new(bank, gates, &[0, 1], settings).unwrap();
    let mut outputs = vec![Vec::new(); 3];
    let mut sink = |source: usize, samples: &[f32]| {
        outputs[source].extend_from_slice(samples);
        Ok(())
    };
    for piece in mix.chunks(1001) {
        separator.push(piece, &mut sink).unwrap();
    }
    separator.finish(&mut sink).unwrap();
    outputs
}

fn to_f64(signal: &[f32]) -> Vec<f64> {
    signal.iter().map(|&v| v as f64).collect()
}

#[test]
fn distinct_instruments_come_apart_and_everything_adds_up() {
    let (a, b) = (tone(230.0, 0.0, 1.0, 1.5), tone(600.0, 0.5, 1.0, 1.5));
    let mix: Vec<f32> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
    let outputs = separate(&bank(), FrameGates::unguided(2), &mix, true);
    for output in &outputs {
        assert_eq!(output.len(), mix.len(), "every source as long as the input");
    }
    let error = (0..mix.len()).map(|n| (outputs[0][n] + outputs[1][n] + outputs[2][n] - mix[n]).abs()).fold(0.0f32, f32::max);
    assert!(error < 1e-4, "stems + residual differ from the mix by {error}");
    let scores = bss_eval_sources(&[to_f64(&a), to_f64(&b)], &[to_f64(&outputs[0]), to_f64(&outputs[1])]).unwrap();
    println!("SDR {:?}", scores.sdr);
    assert!(scores.sdr.iter().all(|&sdr| sdr > 10.0), "SDR {:?}", scores.sdr);
}

#[test]
fn a_closed_gate_silences_its_stem_there() {
    let (card, _) = mean_band_frame_model(&[0.0, 0.0], &[1.0, 1.0], 16, 8, true);
    let mix: Vec<f32> = tone(230.0, 0.0, 1.5, 1.5).iter().zip(tone(600.0, 0.0, 1.5, 1.5)).map(|(x, y)| x + y).collect();
    let frames = mix.len() / HOP;
    let mut matrix = ActivationMatrix::new(&card);
    // "a" is heard in the first half only; "b" throughout.
    (0..frames as u64).for_each(|f| matrix.push(f, &[if (f as usize) < frames / 2 { 0.9 } else { 0.0 }, 0.9]));
    let gates = FrameGates::from_activations(&matrix, &[0.5, 0.5], GateSettings { threshold_share: 0.5, spread_frames: 0 });
    let energy = |s: &[f32]| s.iter().map(|v| v * v).sum::<f32>();
    let (half, margin) = (mix.len() / 2, 4 * HOP);
    for adapt in [true, false] {
        let outputs = separate(&bank(), gates.clone(), &mix, adapt);
        assert!(energy(&outputs[0][half + margin..]) < 1e-9 * energy(&outputs[0][..half]), "stem a after its gate closed (adapting: {adapt})");
    }
    // With the bank's templates as they are, b's do not fit a's tone: it goes to the residual.
    let outputs = separate(&bank(), gates, &mix, false);
    assert!(energy(&outputs[2][half + margin..]) > 0.1 * energy(&mix[half + margin..]), "a's tone goes to the residual where a is judged absent");
}

#[test]
fn a_file_at_another_rate_is_resampled_and_keeps_its_length() {
    let mut wav = std::io::Cursor::new(Vec::new());
    let spec = hound::WavSpec { channels: 1, sample_rate: 44_100, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut writer = hound::WavWriter::new(&mut wav, spec).unwrap();
    for n in 0..44_100 {
        writer.write_sample(((n as f32 * 0.03).sin() * 8000.0) as i16).unwrap();
    }
    writer.finalize().unwrap();
    let input = AudioInput::Bytes { name: "tone.wav".into(), extension: Some("wav".into()), data: wav.into_inner() };
    let mut lengths = [0usize; 3];
    let mut sink = |source: usize, samples: &[f32]| {
        lengths[source] += samples.len();
        Ok(())
    };
    let samples = separate_input(input, &bank(), FrameGates::unguided(2), &[0, 1], SeparatorSettings::default(), &mut sink, &mut |_| Ok(())).unwrap();
    assert!(samples.abs_diff(22_050) <= 1, "{samples} samples at 22 050 Hz");
    assert!(lengths.iter().all(|&l| l as u64 == samples), "{lengths:?}");
}
