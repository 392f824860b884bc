//! A GUS patch set (Debian's `freepats`): its waveforms parsed from `.pat` files and unrolled into
//! notes, a third source of timbres for training and validation stems (never for test).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use instrumeter::models::INSTRUMENTS;
use serde::Serialize;

use super::drums::DrumRole;
use super::instruments::{style, Texture};
use super::labels::normalise_loudest_frame;
use super::real_notes::RealNote;
use super::resample::to_analysis_rate;
use super::Split;

/// Sub-folder of a GUS patch set holding the melodic bank (`NNN_Name.pat`, NNN the GM program).
const MELODIC_BANK: &str = "Tone_000";
/// Waveforms whose audio TimGM6mb (the held-out test font) shares: `(patch file, waveform)`.
/// Found by `scripts/check-patch-overlap.py`: at least 0.5 % of the waveform's scale-free
/// fingerprints are in TimGM6mb, and more than in FluidR3 (the chance level); left out so the test
/// font cannot leak into training. Only patches of the classes' GM programs are listed.
const SHARED_WITH_TEST_FONT: [(&str, usize); 5] =
    [("016_Hammond_Organ.pat", 9), ("028_Muted_Electric_Guitar.pat", 0), ("040_Violin.pat", 8), ("040_Violin.pat", 10), ("064_Soprano_Sax.pat", 6)];
const HEADER_BYTES: usize = 239;
const WAVEFORM_HEADER_BYTES: usize = 96;
const SAMPLES_IN_LAYER_AT: usize = 198;
const SIXTEEN_BIT: u8 = 1;
const UNSIGNED: u8 = 2;
const LOOPING: u8 = 4;
const PING_PONG: u8 = 8;

/// One waveform of a patch: its samples and sustain loop at its own rate.
#[derive(Debug, PartialEq)]
pub struct Waveform {
    pub rate: u32,
    pub samples: Vec<f32>,
    /// `[start, end)` in samples, where the recording repeats while a note is held.
    pub sustain_loop: Option<(usize, usize)>,
    pub ping_pong: bool,
}

/// Per class (models' order), the notes unrolled from the patches of its GM programs.
pub struct PatchNotes {
    per_class: Vec<Vec<RealNote>>,
    dir: PathBuf,
}

/// Which patch waveforms the training and validation stems may use, for the manifest.
#[derive(Serialize)]
pub struct PatchAssignment {
    pub dir: PathBuf,
    pub train_valid: BTreeMap<&'static str, Vec<String>>,
    pub excluded: Vec<String>,
    pub licence: &'static str,
}

impl PatchNotes {
    /// The notes a split's stems may use: none for test, which keeps to held-out sources.
    pub fn for_split(&self, split: Split) -> &[Vec<RealNote>] {
        if split == Split::Test {
            &[]
        } else {
            &self.per_class
        }
    }

    pub fn assignment(&self) -> PatchAssignment {
        let names = INSTRUMENTS.iter().zip(&self.per_class).map(|((code, _), notes)| (*code, notes.iter().map(|n| n.name.clone()).collect())).collect();
        PatchAssignment {
            dir: self.dir.clone(),
            train_valid: names,
            excluded: SHARED_WITH_TEST_FONT.iter().map(|(file, index)| format!("{file}#{index}")).collect(),
            licence: "FreePats (Debian package freepats): GPL-2+ with an exception for compositions that use the patches",
        }
    }
}

/// Loads the patch of every melodic class's GM programs that `dir` has, each waveform unrolled to
/// `seconds`; one patch is one family (a phrase plays one instrument). Drums get none.
pub fn load(dir: &Path, seconds: f64) -> Result<PatchNotes> {
    let bank = dir.join(MELODIC_BANK);
    ensure!(bank.is_dir(), "{} is not a GUS patch set (no {MELODIC_BANK}/): install Debian's freepats and pass --patches /usr/share/midi/freepats", dir.display());
    let files = list_patches(&bank)?;
    let per_class = (0..INSTRUMENTS.len()).map(|class| class_notes(&bank, &files, class, seconds)).collect::<Result<_>>()?;
    Ok(PatchNotes { per_class, dir: dir.to_path_buf() })
}

/// GM program → `.pat` file name in the bank folder.
fn list_patches(bank: &Path) -> Result<BTreeMap<u8, String>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(bank).with_context(|| format!("cannot read {}", bank.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(program) = name.strip_suffix(".pat").and_then(|stem| stem.get(..3)).and_then(|digits| digits.parse().ok()) {
            files.insert(program, name);
        }
    }
    Ok(files)
}

fn class_notes(bank: &Path, files: &BTreeMap<u8, String>, class: usize, seconds: f64) -> Result<Vec<RealNote>> {
    let class_style = style(class);
    if matches!(class_style.texture, Texture::Drums) {
        return Ok(Vec::new());
    }
    let mut notes = Vec::new();
    for file in class_style.programs.iter().filter_map(|program| files.get(&program.number)) {
        let path = bank.join(file);
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let waveforms = parse(&bytes).with_context(|| format!("{} is not a readable GUS patch", path.display()))?;
        for (index, waveform) in waveforms.iter().enumerate().filter(|(index, _)| !SHARED_WITH_TEST_FONT.contains(&(file.as_str(), *index))) {
            let mut samples = to_analysis_rate(&unroll(waveform, (seconds * waveform.rate as f64) as usize), waveform.rate as f64)?;
            normalise_loudest_frame(&mut samples);
            let family = format!("freepats/{}", file.trim_end_matches(".pat"));
            notes.push(RealNote { name: format!("{family}#{index}"), family, role: DrumRole::Other, samples });
        }
    }
    Ok(notes)
}

/// The waveforms of a patch's first layer.
pub fn parse(bytes: &[u8]) -> Result<Vec<Waveform>> {
    ensure!(bytes.starts_with(b"GF1PATCH1") && bytes.get(12..21) == Some(b"ID#000002"), "no GF1PATCH header");
    let count = *bytes.get(SAMPLES_IN_LAYER_AT).context("cut short in its header")?;
    let mut at = HEADER_BYTES;
    (0..count)
        .map(|index| {
            let (waveform, size) = parse_waveform(bytes, at).with_context(|| format!("waveform {index}"))?;
            at += WAVEFORM_HEADER_BYTES + size;
            Ok(waveform)
        })
        .collect()
}

/// The waveform whose header starts at `at`, and the byte size of its data.
fn parse_waveform(bytes: &[u8], at: usize) -> Result<(Waveform, usize)> {
    let header = bytes.get(at..at + WAVEFORM_HEADER_BYTES).context("cut short in a waveform header")?;
    let word = |offset: usize| u32::from_le_bytes(header[offset..offset + 4].try_into().expect("four bytes"));
    let (size, loop_start, loop_end) = (word(8) as usize, word(12) as usize, word(16) as usize);
    let rate = u16::from_le_bytes([header[20], header[21]]) as u32;
    let modes = header[55];
    ensure!(rate > 0, "sample rate 0");
    let data = bytes.get(at + WAVEFORM_HEADER_BYTES..at + WAVEFORM_HEADER_BYTES + size).context("cut short in its sample data")?;
    let bytes_per_sample = if modes & SIXTEEN_BIT != 0 { 2 } else { 1 };
    let samples = decode(data, bytes_per_sample, modes & UNSIGNED != 0);
    let sustain_loop = (modes & LOOPING != 0).then_some((loop_start / bytes_per_sample, loop_end / bytes_per_sample));
    if let Some((start, end)) = sustain_loop {
        if start >= end || end > samples.len() {
            bail!("loop {start}..{end} outside its {} samples", samples.len());
        }
    }
    Ok((Waveform { rate, samples, sustain_loop, ping_pong: modes & PING_PONG != 0 }, size))
}

/// Little-endian PCM of 1 or 2 bytes per sample, signed or offset-binary, as −1…1.
fn decode(data: &[u8], bytes_per_sample: usize, unsigned: bool) -> Vec<f32> {
    data.chunks_exact(bytes_per_sample)
        .map(|chunk| {
            let (raw, full_scale) = if bytes_per_sample == 2 { (u16::from_le_bytes([chunk[0], chunk[1]]) as i32, 32_768) } else { (chunk[0] as i32, 128) };
            let signed = if unsigned { raw - full_scale } else if raw >= full_scale { raw - 2 * full_scale } else { raw };
            signed as f32 / full_scale as f32
        })
        .collect()
}

/// Up to `length` samples of the waveform held: the recording up to its loop's end, then the
/// loop repeated (forwards, or back and forth) until `length`. A waveform without a loop plays once.
pub fn unroll(waveform: &Waveform, length: usize) -> Vec<f32> {
    let Some((start, end)) = waveform.sustain_loop else {
        return waveform.samples.iter().copied().take(length).collect();
    };
    let looped = &waveform.samples[start..end];
    let cycle: Vec<f32> = if waveform.ping_pong { looped.iter().rev().skip(1).chain(looped.iter().skip(1)).copied().collect() } else { looped.to_vec() };
    waveform.samples[..end].iter().chain(cycle.iter().cycle()).copied().take(length).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::RATE;

    /// A one-layer patch holding `waveforms`: (modes, loop start/end in bytes, data).
    fn patch(waveforms: &[(u8, u32, u32, Vec<u8>)]) -> Vec<u8> {
        let mut bytes = vec![0u8; HEADER_BYTES];
        bytes[..12].copy_from_slice(b"GF1PATCH110\0");
        bytes[12..22].copy_from_slice(b"ID#000002\0");
        bytes[SAMPLES_IN_LAYER_AT] = waveforms.len() as u8;
        for (modes, loop_start, loop_end, data) in waveforms {
            let mut header = vec![0u8; WAVEFORM_HEADER_BYTES];
            header[8..12].copy_from_slice(&(data.len() as u32).to_le_bytes());
            header[12..16].copy_from_slice(&loop_start.to_le_bytes());
            header[16..20].copy_from_slice(&loop_end.to_le_bytes());
            header[20..22].copy_from_slice(&22_050u16.to_le_bytes());
            header[55] = *modes;
            bytes.extend(header);
            bytes.extend(data);
        }
        bytes
    }

    fn pcm16(values: &[i16]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn parses_signed_16_bit_and_unsigned_8_bit_waveforms_with_their_loops() {
        let bytes = patch(&[(SIXTEEN_BIT | LOOPING, 2, 6, pcm16(&[0, 16_384, -32_768, 8_192])), (UNSIGNED, 0, 0, vec![128, 255, 0])]);
        let waveforms = parse(&bytes).unwrap();
        assert_eq!(waveforms[0], Waveform { rate: 22_050, samples: vec![0.0, 0.5, -1.0, 0.25], sustain_loop: Some((1, 3)), ping_pong: false });
        assert_eq!(waveforms[1].samples, vec![0.0, 127.0 / 128.0, -1.0]);
        assert_eq!(waveforms[1].sustain_loop, None);
    }

    #[test]
    fn a_cut_short_or_foreign_file_is_an_error() {
        let bytes = patch(&[(SIXTEEN_BIT, 0, 0, pcm16(&[1, 2, 3, 4]))]);
        assert!(parse(&bytes[..bytes.len() - 1]).unwrap_err().chain().any(|e| e.to_string().contains("cut short")));
        assert!(parse(b"RIFF....").is_err());
        let bad_loop = patch(&[(SIXTEEN_BIT | LOOPING, 4, 20, pcm16(&[1, 2, 3, 4]))]);
        assert!(parse(&bad_loop).unwrap_err().chain().any(|e| e.to_string().contains("outside")));
    }

    #[test]
    fn debians_freepats_give_every_melodic_class_held_notes_and_drums_none() {
        let patches = load(Path::new("/usr/share/midi/freepats"), 2.0).expect("freepats installed (scripts/install-system-deps.sh)");
        for ((code, _), notes) in INSTRUMENTS.iter().zip(&patches.per_class) {
            if *code == "dru" {
                assert!(notes.is_empty());
                continue;
            }
            assert!(!notes.is_empty(), "{code} has no patch");
            assert!(notes.iter().all(|note| note.samples.len() > RATE as usize && note.samples.iter().all(|v| v.is_finite())), "{code}: notes held for 2 s");
        }
        assert!(!patches.assignment().train_valid["sax"].contains(&"freepats/064_Soprano_Sax#6".to_string()), "a waveform TimGM6mb shares is left out");
        assert!(patches.for_split(Split::Test).is_empty());
    }

    #[test]
    fn a_held_note_repeats_the_loop_forwards_or_back_and_forth() {
        let waveform = |ping_pong| Waveform { rate: 22_050, samples: vec![9.0, 1.0, 2.0, 3.0, 7.0], sustain_loop: Some((1, 4)), ping_pong };
        assert_eq!(unroll(&waveform(false), 10), vec![9.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
        assert_eq!(unroll(&waveform(true), 10), vec![9.0, 1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]);
        let once = Waveform { sustain_loop: None, ..waveform(false) };
        assert_eq!(unroll(&once, 10), vec![9.0, 1.0, 2.0, 3.0, 7.0]);
        assert_eq!(unroll(&waveform(false), 2), vec![9.0, 1.0]);
    }
}
