//! The per-split feature cache: one little-endian binary file of f16 log-mel frames and targets,
//! keyed by a fingerprint of the clips' files and the front-end settings.

use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use half::f16;
use instrumeter::frontend::FrontendConfig;

use super::split::{labels_path, Clip, SplitData};

const MAGIC: &[u8; 8] = b"IMLOGMEL";
const FORMAT_VERSION: u32 = 1;

/// Changes whenever a clip or label file, or the front-end, changes.
pub fn fingerprint(wavs: &[PathBuf], config: &FrontendConfig) -> Result<u64> {
    let mut hasher = DefaultHasher::new();
    FORMAT_VERSION.hash(&mut hasher);
    format!("{config:?}").hash(&mut hasher);
    for wav in wavs {
        for file in [wav.clone(), labels_path(wav)] {
            let meta = std::fs::metadata(&file).with_context(|| format!("cannot stat {}", file.display()))?;
            file.file_name().hash(&mut hasher);
            meta.len().hash(&mut hasher);
            meta.modified().ok().hash(&mut hasher);
        }
    }
    Ok(hasher.finish())
}

/// The cached split, or `None` when there is no cache, it is stale, or it cannot be read.
pub fn read(path: &Path, fingerprint: u64) -> Option<SplitData> {
    let mut reader = BufReader::new(File::open(path).ok()?);
    let mut magic = [0u8; 8];
    reader.read_exact(&mut magic).ok()?;
    if &magic != MAGIC || read_u32(&mut reader)? != FORMAT_VERSION || read_u64(&mut reader)? != fingerprint {
        return None;
    }
    let n_mels = read_u32(&mut reader)? as usize;
    let classes = read_u32(&mut reader)? as usize;
    let count = read_u32(&mut reader)? as usize;
    let mut clips = Vec::with_capacity(count);
    for _ in 0..count {
        let frames = read_u32(&mut reader)? as usize;
        let features = read_f16s(&mut reader, frames * n_mels)?;
        let targets = read_f16s(&mut reader, frames * classes)?;
        clips.push(Clip { frames, features, targets });
    }
    Some(SplitData { n_mels, classes, clips })
}

pub fn write(path: &Path, fingerprint: u64, data: &SplitData) -> Result<()> {
    let context = || format!("cannot write the feature cache {} (is the data folder writable?)", path.display());
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).with_context(context)?;
    }
    let mut writer = BufWriter::new(File::create(path).with_context(context)?);
    writer.write_all(MAGIC).with_context(context)?;
    writer.write_all(&FORMAT_VERSION.to_le_bytes()).with_context(context)?;
    writer.write_all(&fingerprint.to_le_bytes()).with_context(context)?;
    for word in [data.n_mels, data.classes, data.clips.len()] {
        writer.write_all(&(word as u32).to_le_bytes()).with_context(context)?;
    }
    for clip in &data.clips {
        writer.write_all(&(clip.frames as u32).to_le_bytes()).with_context(context)?;
        for value in clip.features.iter().chain(&clip.targets) {
            writer.write_all(&value.to_le_bytes()).with_context(context)?;
        }
    }
    writer.flush().with_context(context)
}

fn read_u32(reader: &mut impl Read) -> Option<u32> {
    let mut bytes = [0u8; 4];
    reader.read_exact(&mut bytes).ok()?;
    Some(u32::from_le_bytes(bytes))
}

fn read_u64(reader: &mut impl Read) -> Option<u64> {
    let mut bytes = [0u8; 8];
    reader.read_exact(&mut bytes).ok()?;
    Some(u64::from_le_bytes(bytes))
}

fn read_f16s(reader: &mut impl Read, count: usize) -> Option<Vec<f16>> {
    let mut bytes = vec![0u8; count * 2];
    reader.read_exact(&mut bytes).ok()?;
    Some(bytes.chunks_exact(2).map(|pair| f16::from_le_bytes([pair[0], pair[1]])).collect())
}
