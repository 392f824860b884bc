//! The SoundFonts: which Debian package ships each, which splits use it, and loading them.

use std::collections::HashSet;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use rustysynth::SoundFont;
use serde::Serialize;

use super::Split;

/// A SoundFont this command knows about.
struct Known {
    file: &'static str,
    package: &'static str,
    held_out: bool,
    required: bool,
    /// Bank-0 programs rustysynth renders wrongly from this font, never used.
    unusable: &'static [u8],
}

/// `TimGM6mb.sf2` is the held-out test font. csound-soundfont's `sf_GMbank.sf2` is left out on
/// purpose: it renders the same samples as TimGM6mb and would leak the test font into training.
/// The lossy `.sf3` fonts (fluidr3mono-gm-soundfont, musescore-general-soundfont) are left out
/// too: rustysynth reads only PCM SoundFonts. MuseScore's grand pianos (programs 0, 1, 3) get
/// quieter and duller from velocity 60 to 90 under rustysynth (its velocity layers are misread),
/// so they are not used.
const KNOWN: [Known; 3] = [
    Known { file: "FluidR3_GM.sf2", package: "fluid-soundfont-gm", held_out: false, required: true, unusable: &[] },
    Known { file: "MuseScore_General_Full.sf2", package: "musescore-general-soundfont-lossless", held_out: false, required: false, unusable: &[0, 1, 3] },
    Known { file: "TimGM6mb.sf2", package: "timgm6mb-soundfont", held_out: true, required: true, unusable: &[] },
];

/// A loaded SoundFont and the (bank, program) presets it has.
pub struct LoadedFont {
    pub file: &'static str,
    pub font: Arc<SoundFont>,
    presets: HashSet<(i32, i32)>,
}

impl LoadedFont {
    pub fn has(&self, bank: u8, program: u8) -> bool {
        self.presets.contains(&(bank as i32, program as i32))
    }
}

/// The fonts for training and validation, and the held-out test fonts.
pub struct SoundFonts {
    pub training: Vec<LoadedFont>,
    pub held_out: Vec<LoadedFont>,
    /// Known optional fonts that were not installed.
    pub missing: Vec<&'static str>,
}

/// Which fonts went where, for the manifest.
#[derive(Serialize)]
pub struct FontAssignment {
    pub train_valid: Vec<&'static str>,
    pub test: Vec<&'static str>,
    pub not_installed: Vec<&'static str>,
    pub excluded: &'static str,
}

impl SoundFonts {
    pub fn for_split(&self, split: Split) -> &[LoadedFont] {
        if split == Split::Test {
            &self.held_out
        } else {
            &self.training
        }
    }

    pub fn assignment(&self) -> FontAssignment {
        let files = |fonts: &[LoadedFont]| fonts.iter().map(|f| f.file).collect();
        FontAssignment {
            train_valid: files(&self.training),
            test: files(&self.held_out),
            not_installed: self.missing.clone(),
            excluded: "sf_GMbank.sf2 (same samples as the held-out TimGM6mb.sf2); .sf3 fonts (rustysynth reads PCM SoundFonts only); MuseScore_General_Full.sf2 programs 0, 1, 3 (velocity layers misread by rustysynth)",
        }
    }
}

/// Loads every known font found in `dir`; a missing required font is an error naming its package.
pub fn load(dir: &Path) -> Result<SoundFonts> {
    let mut fonts = SoundFonts { training: Vec::new(), held_out: Vec::new(), missing: Vec::new() };
    for known in &KNOWN {
        let path = dir.join(known.file);
        if !path.exists() {
            if known.required {
                bail!("SoundFont {} not found: install it with `sudo apt-get install {}`, or pass --soundfonts DIR", path.display(), known.package);
            }
            println!("note: {} not found; `sudo apt-get install {}` adds its timbres to training", path.display(), known.package);
            fonts.missing.push(known.file);
            continue;
        }
        let loaded = load_font(&path, known)?;
        if known.held_out { fonts.held_out.push(loaded) } else { fonts.training.push(loaded) }
    }
    Ok(fonts)
}

fn load_font(path: &Path, known: &Known) -> Result<LoadedFont> {
    let reader = File::open(path).with_context(|| format!("cannot open SoundFont {}", path.display()))?;
    let font = SoundFont::new(&mut BufReader::new(reader))
        .map_err(|error| anyhow::anyhow!("{} is not a SoundFont rustysynth can read ({error:?}); reinstall its package", path.display()))?;
    let presets = font
        .get_presets()
        .iter()
        .map(|p| (p.get_bank_number(), p.get_patch_number()))
        .filter(|&(bank, program)| bank != 0 || !known.unusable.contains(&(program as u8)))
        .collect();
    Ok(LoadedFont { file: known.file, font: Arc::new(font), presets })
}
