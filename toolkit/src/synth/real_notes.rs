//! Isolated real notes (`<dir>/<code>/*.flac` or other audio, plus an optional extra folder):
//! loading, the held-out share of files, and the manifest's record of which files went where.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{ensure, Context, Result};
use indicatif::ProgressBar;
use instrumeter::models::INSTRUMENTS;
use rayon::prelude::*;
use serde::Serialize;

use super::drums::{role_of_sample, DrumRole};
use super::labels::normalise_loudest_frame;
use super::resample::to_analysis_rate;
use super::seeds::name_hash;
use super::{progress_bar, Split, RATE};
use instrumeter_analysis::read_mono;

/// Share of each class's files held out for the test split.
const HELD_OUT_SHARE: f64 = 0.2;
/// Files that are not the class they sit in: the organ's blower motor.
const EXCLUDED: [&str; 1] = ["org/go_Sounds_Motor.flac"];
/// Audio files a notes folder may hold (what `read_mono` decodes).
const AUDIO_EXTENSIONS: [&str; 4] = ["flac", "mp3", "wav", "ogg"];
/// The file in an extra-notes folder that names its sources and licences.
const CREDITS_FILE: &str = "CREDITS.txt";
/// The per-file source list a notes folder may name its sources in instead (shared/data's layout).
const SOURCES_FILE: &str = "SOURCES.csv";
/// Sources whose file names give the drum piece as their second word (`muld_Snare__3`): one kit,
/// so one family.
const KIT_PREFIXES: [&str; 1] = ["muld"];
/// Leading samples quieter than this (relative to the note's peak) are trimmed off.
const ONSET_DB: f32 = -45.0;

/// One decoded note at the analysis rate, its loudest frame at 0 dB RMS.
#[derive(Clone)]
pub struct RealNote {
    /// `<code>/<file>`, as in SOURCES.csv.
    pub name: String,
    /// Notes of one family (an instrument, organ stop, singer or drum kit) make one phrase.
    pub family: String,
    pub role: DrumRole,
    pub samples: Vec<f32>,
}

/// Per class (models' order), the notes for train/valid and the held-out notes for test.
pub struct RealNotes {
    pub training: Vec<Vec<RealNote>>,
    pub held_out: Vec<Vec<RealNote>>,
    /// The notes of whole sources held out for a real validation split (`hold_out_sources`);
    /// without it validation draws from the training pools.
    pub validation: Option<Vec<Vec<RealNote>>>,
    extra: Option<ExtraNotes>,
    held_out_sources: Vec<String>,
}

/// The extra folder's files (all train/valid) and the credit its `CREDITS.txt` gives.
#[derive(Clone, Serialize)]
pub struct ExtraNotes {
    pub credit: String,
    pub train_valid: BTreeMap<&'static str, Vec<String>>,
}

/// Which files went where, for the manifest.
#[derive(Serialize)]
pub struct NoteAssignment {
    pub train_valid: BTreeMap<&'static str, Vec<String>>,
    pub test: BTreeMap<&'static str, Vec<String>>,
    /// The files of the sources held out for the validation split, and those sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<BTreeMap<&'static str, Vec<String>>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub validation_sources: Vec<String>,
    pub excluded: Vec<&'static str>,
    pub rule: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extra: Option<ExtraNotes>,
}

impl RealNotes {
    pub fn for_split(&self, split: Split) -> &[Vec<RealNote>] {
        match split {
            Split::Test => &self.held_out,
            Split::Valid => self.validation.as_deref().unwrap_or(&self.training),
            Split::Train => &self.training,
        }
    }

    /// Whether the validation split is made of held-out sources alone (no SoundFonts or patches).
    pub fn real_validation(&self) -> bool {
        self.validation.is_some()
    }

    /// Moves every training note of the sources named in `prefixes` (`<code>/<file-name prefix>`)
    /// into a validation pool of its own, and copies the test notes of those sources there too:
    /// no note of such a source is trained on. A prefix that names no note is refused (a typo
    /// would quietly train on the source it meant).
    pub fn hold_out_sources(&mut self, prefixes: Vec<String>) -> Result<()> {
        let of_held_source = |note: &RealNote| prefixes.iter().any(|prefix| note.name.starts_with(prefix.as_str()));
        let mut validation = Vec::new();
        for (training, test) in self.training.iter_mut().zip(&self.held_out) {
            let (held, kept): (Vec<RealNote>, Vec<RealNote>) = std::mem::take(training).into_iter().partition(|note| of_held_source(note));
            *training = kept;
            validation.push(held.into_iter().chain(test.iter().filter(|note| of_held_source(note)).cloned()).collect::<Vec<_>>());
        }
        for prefix in &prefixes {
            let matched = validation.iter().flatten().any(|note| note.name.starts_with(prefix.as_str()));
            ensure!(matched, "held-out source {prefix} names no real note: check the list against the notes folders");
        }
        self.validation = Some(validation);
        self.held_out_sources = prefixes;
        Ok(())
    }

    pub fn assignment(&self) -> NoteAssignment {
        let names = |pools: &[Vec<RealNote>]| INSTRUMENTS.iter().zip(pools).map(|((code, _), notes)| (*code, notes.iter().map(|n| n.name.clone()).collect())).collect();
        NoteAssignment {
            train_valid: names(&self.training),
            test: names(&self.held_out),
            validation: self.validation.as_deref().map(names),
            validation_sources: self.held_out_sources.clone(),
            excluded: EXCLUDED.to_vec(),
            rule: "per class, files sorted by the FNV-1a hash of their name; the first ceil(20 %) are held out for test; extra notes are never held out for test; \
                   the validation sources (when named) are held out whole: none of their files is trained on",
            extra: self.extra.clone(),
        }
    }
}

/// Decodes every class's notes (up to `max_seconds` each) and splits them into training and
/// held-out sets.
pub fn load(dir: &Path, max_seconds: f64) -> Result<RealNotes> {
    ensure!(dir.is_dir(), "real notes folder {} not found: pass --real-notes DIR (shared/data/real-notes, see shared/data/README.md)", dir.display());
    let (mut training, mut held_out) = (Vec::new(), Vec::new());
    let listed = list_classes(dir)?;
    for ((code, _), _) in INSTRUMENTS.iter().zip(&listed).filter(|(_, names)| names.is_empty()) {
        println!("note: no real notes for {code} in {}: its stems all come from SoundFonts", dir.display());
    }
    let progress = progress_bar(listed.iter().map(Vec::len).sum::<usize>() as u64, "real notes");
    for names in listed {
        let (test_names, train_names) = split_held_out(names);
        training.push(decode_all(dir, train_names, max_seconds, &progress));
        held_out.push(decode_all(dir, test_names, max_seconds, &progress));
    }
    progress.finish();
    Ok(RealNotes { training, held_out, validation: None, extra: None, held_out_sources: Vec::new() })
}

/// Adds a further folder in the same layout (with a `CREDITS.txt` or a `SOURCES.csv`) whose notes
/// all go to the training and validation pools, so the test split stays as it was; several such
/// folders share one record, their credits joined.
pub fn add_extra(notes: &mut RealNotes, dir: &Path, max_seconds: f64) -> Result<()> {
    ensure!(dir.is_dir(), "extra notes folder {} not found (scripts/fetch-extra-notes.sh makes one)", dir.display());
    let credit = read_credits(dir, "an extra notes folder")?;
    let listed = list_classes(dir)?;
    let progress = progress_bar(listed.iter().map(Vec::len).sum::<usize>() as u64, "extra notes");
    let extra = notes.extra.get_or_insert_with(|| ExtraNotes { credit: String::new(), train_valid: BTreeMap::new() });
    for (((code, _), names), pool) in INSTRUMENTS.iter().zip(listed).zip(&mut notes.training) {
        pool.extend(decode_all(dir, names.clone(), max_seconds, &progress));
        extra.train_valid.entry(*code).or_default().extend(names);
    }
    progress.finish();
    extra.credit = if extra.credit.is_empty() { credit } else { format!("{}; {credit}", extra.credit) };
    Ok(())
}

/// The trimmed `CREDITS.txt` of `dir`, or else the sources and licences its `SOURCES.csv` lists;
/// `folder_kind` must have one of them.
pub fn read_credits(dir: &Path, folder_kind: &str) -> Result<String> {
    let credits = dir.join(CREDITS_FILE);
    if let Ok(credit) = std::fs::read_to_string(&credits) {
        return Ok(credit.trim().to_string());
    }
    let sources = dir.join(SOURCES_FILE);
    let table = std::fs::read_to_string(&sources)
        .with_context(|| format!("{} and {} are missing: {folder_kind} must name its sources and licences in one of them", credits.display(), sources.display()))?;
    summarise_sources(&table).with_context(|| format!("{}: no source and licence columns", sources.display()))
}

/// "source (licence); …" for each distinct pair in a SOURCES.csv (a `source` or
/// `source_repo_or_package` column and a `licence` column; fields without commas), first seen first.
fn summarise_sources(table: &str) -> Result<String> {
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').map(str::trim).collect();
    let column = |names: &[&str]| header.iter().position(|field| names.contains(field));
    let (Some(source), Some(licence)) = (column(&["source", "source_repo_or_package"]), column(&["licence", "license"])) else {
        anyhow::bail!("expected a source and a licence column, found {header:?}");
    };
    let mut pairs: Vec<String> = Vec::new();
    for fields in lines.map(|line| line.split(',').collect::<Vec<_>>()).filter(|fields| fields.len() > source.max(licence)) {
        let pair = format!("{} ({})", fields[source].trim(), fields[licence].trim());
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    ensure!(!pairs.is_empty(), "it lists no file");
    Ok(pairs.join("; "))
}

/// Per class (models' order), the class folder's files as `list_class` gives them.
pub fn list_classes(dir: &Path) -> Result<Vec<Vec<String>>> {
    INSTRUMENTS.iter().map(|(code, _)| list_class(dir, code)).collect()
}

/// `<code>/<file>` of every audio file in the class's folder, sorted; none if it has no folder.
fn list_class(dir: &Path, code: &str) -> Result<Vec<String>> {
    let folder = dir.join(code);
    if !folder.is_dir() {
        return Ok(Vec::new());
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&folder).with_context(|| format!("cannot read {}", folder.display()))? {
        let file = entry?.file_name().to_string_lossy().into_owned();
        let name = format!("{code}/{file}");
        let is_audio = Path::new(&file).extension().is_some_and(|ext| AUDIO_EXTENSIONS.contains(&ext.to_string_lossy().to_lowercase().as_str()));
        if is_audio && !EXCLUDED.contains(&name.as_str()) {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// (held out, training): the first ceil(20 %) of the names in hash order are held out.
fn split_held_out(mut names: Vec<String>) -> (Vec<String>, Vec<String>) {
    names.sort_by_key(|name| (name_hash(name), name.clone()));
    let held = (names.len() as f64 * HELD_OUT_SHARE).ceil() as usize;
    let training = names.split_off(held);
    (names, training)
}

/// Decodes the notes; a file that cannot be decoded is left out with a note on the terminal (the
/// manifest lists only the files used), so one damaged file in a library does not stop a run.
fn decode_all(dir: &Path, names: Vec<String>, max_seconds: f64, progress: &ProgressBar) -> Vec<RealNote> {
    let decoded: Vec<Result<RealNote>> = names
        .into_par_iter()
        .map(|name| {
            let note = decode(&dir.join(&name), max_seconds).map(|samples| RealNote { family: family(&name), role: role_of_sample(&name), samples, name });
            progress.inc(1);
            note
        })
        .collect();
    let mut notes = Vec::with_capacity(decoded.len());
    for note in decoded {
        match note {
            Ok(note) => notes.push(note),
            Err(error) => progress.println(format!("note: left out {error:#}")),
        }
    }
    notes
}

fn decode(path: &Path, max_seconds: f64) -> Result<Vec<f32>> {
    let (samples, rate) =
        read_mono(path).with_context(|| format!("{}: remove it or restore it from its source (SOURCES.csv)", path.display()))?;
    let mut note = to_analysis_rate(&samples, rate as f64)?;
    let onset = onset(&note);
    note.drain(..onset);
    note.truncate((max_seconds * RATE as f64) as usize);
    normalise_loudest_frame(&mut note);
    Ok(note)
}

/// Index of the first sample within `ONSET_DB` of the peak, less 2 ms.
fn onset(samples: &[f32]) -> usize {
    let peak = samples.iter().fold(0.0f32, |peak, v| peak.max(v.abs()));
    let threshold = peak * 10f32.powf(ONSET_DB / 20.0);
    let first = samples.iter().position(|v| v.abs() >= threshold).unwrap_or(0);
    first.saturating_sub(RATE as usize / 500)
}

/// The family of `<code>/<file>`: the file stem's first `_`-separated word, plus the second unless
/// it is a note name or a number (`tj_piano`, `mtgsax_alt`, `go_Bourdon8`, `h2_millo3`, `weresax`).
fn family(name: &str) -> String {
    let stem = Path::new(name).file_stem().map_or(name.into(), |stem| stem.to_string_lossy());
    let mut words = stem.split('_');
    let first = words.next().unwrap_or_default();
    if KIT_PREFIXES.contains(&first) {
        return first.to_string();
    }
    match words.next() {
        Some(second) if !is_note_name(second) && !second.chars().all(|c| c.is_ascii_digit()) => format!("{first}_{second}"),
        _ => first.to_string(),
    }
}

/// `c3`, `ab2`, `Fs4`: a letter a–g, an optional accidental, then digits.
fn is_note_name(word: &str) -> bool {
    let lower = word.to_lowercase();
    let rest = lower.strip_prefix(|c: char| ('a'..='g').contains(&c)).unwrap_or("x");
    let digits = rest.strip_prefix(['s', 'b', '#']).unwrap_or(rest);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_group_one_instrument() {
        assert_eq!(family("sax/weresax_ab2_f_rr1_dnm.flac"), "weresax");
        assert_eq!(family("sax/mtgsax_alt_f_01.flac"), "mtgsax_alt");
        assert_eq!(family("cel/mtgcello_357902__mtg__cello-c2.flac"), "mtgcello");
        assert_eq!(family("org/go_Bourdon8_030-Fs.flac"), "go_Bourdon8");
        assert_eq!(family("dru/h2_millo3_bd_01.flac"), "h2_millo3");
        assert_eq!(family("pia/tj_piano_A1.flac"), "tj_piano");
        assert_eq!(family("gac/tjnylon_Cs3.mp3"), "tjnylon");
        assert_eq!(family("dru/muld_Snare__12-Snare.ogg"), "muld");
        assert_eq!(family("cel/phil_cello_A2_025_forte_arco-normal.ogg"), "phil_cello");
    }

    fn scratch_folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cla")).unwrap();
        crate::signals::write_wav(&dir.path().join("cla/xtra_c4.wav"), &crate::signals::music_like(22_050, 1.0), 22_050).unwrap();
        dir
    }

    fn empty_notes() -> RealNotes {
        RealNotes { training: INSTRUMENTS.iter().map(|_| Vec::new()).collect(), held_out: INSTRUMENTS.iter().map(|_| Vec::new()).collect(), validation: None, extra: None, held_out_sources: Vec::new() }
    }

    #[test]
    fn extra_notes_join_training_only_and_carry_their_credit() {
        let dir = scratch_folder();
        std::fs::write(dir.path().join(CREDITS_FILE), "test tones (CC0)\n").unwrap();
        let mut notes = empty_notes();
        add_extra(&mut notes, dir.path(), 2.0).unwrap();
        let clarinet = INSTRUMENTS.iter().position(|(code, _)| *code == "cla").unwrap();
        assert_eq!(notes.training[clarinet].len(), 1);
        assert_eq!(notes.training[clarinet][0].family, "xtra");
        assert!(notes.held_out.iter().all(Vec::is_empty), "extra notes are never held out for test");
        let assignment = notes.assignment();
        let extra = assignment.extra.expect("the manifest records the extra notes");
        assert_eq!((extra.credit.as_str(), extra.train_valid["cla"].as_slice()), ("test tones (CC0)", &["cla/xtra_c4.wav".to_string()][..]));
    }

    #[test]
    fn extra_notes_without_credits_are_refused() {
        let dir = scratch_folder();
        let error = add_extra(&mut empty_notes(), dir.path(), 2.0).err().expect("a folder without CREDITS.txt is refused");
        assert!(format!("{error:#}").contains(CREDITS_FILE), "{error:#}");
    }

    #[test]
    fn a_sources_table_credits_a_folder_without_credits_and_folders_add_up() {
        let (first, second) = (scratch_folder(), scratch_folder());
        std::fs::write(first.path().join(CREDITS_FILE), "test tones (CC0)\n").unwrap();
        let table = "file,label,source,licence,original\ncla/xtra_c4.wav,cla,Lab A,CC BY 4.0,a.wav\ncla/xtra_d4.wav,cla,Lab A,CC BY 4.0,b.wav\n";
        std::fs::write(second.path().join(SOURCES_FILE), table).unwrap();
        let mut notes = empty_notes();
        add_extra(&mut notes, first.path(), 2.0).unwrap();
        add_extra(&mut notes, second.path(), 2.0).unwrap();
        let clarinet = INSTRUMENTS.iter().position(|(code, _)| *code == "cla").unwrap();
        assert_eq!(notes.training[clarinet].len(), 2, "both folders' notes train");
        let extra = notes.assignment().extra.unwrap();
        assert_eq!(extra.credit, "test tones (CC0); Lab A (CC BY 4.0)");
        assert_eq!(extra.train_valid["cla"].len(), 2);
    }

    fn note(name: &str) -> RealNote {
        RealNote { name: name.into(), family: family(name), role: role_of_sample(name), samples: vec![0.5; 10] }
    }

    #[test]
    fn held_out_sources_leave_training_whole_and_make_the_validation_pool() {
        let cello = INSTRUMENTS.iter().position(|(code, _)| *code == "cel").unwrap();
        let mut notes = empty_notes();
        notes.training[cello] = vec![note("cel/mtgcello_1.flac"), note("cel/phil_cello_A2.ogg"), note("cel/mtgcello_2.flac")];
        notes.held_out[cello] = vec![note("cel/mtgcello_3.flac"), note("cel/tj_cello_C2.mp3")];
        notes.hold_out_sources(vec!["cel/mtgcello".into()]).unwrap();
        let names = |pool: &[RealNote]| pool.iter().map(|n| n.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&notes.for_split(Split::Train)[cello]), ["cel/phil_cello_A2.ogg"]);
        assert_eq!(names(&notes.for_split(Split::Valid)[cello]), ["cel/mtgcello_1.flac", "cel/mtgcello_2.flac", "cel/mtgcello_3.flac"]);
        assert_eq!(notes.for_split(Split::Test)[cello].len(), 2, "the test split keeps its notes");
        assert!(notes.real_validation());
        let error = notes.hold_out_sources(vec!["cel/nosuch".into()]).err().expect("a prefix that names nothing is refused");
        assert!(format!("{error:#}").contains("cel/nosuch"), "{error:#}");
    }

    #[test]
    fn a_fifth_of_each_class_is_held_out_whatever_the_order() {
        let names: Vec<String> = (0..11).map(|i| format!("cla/note{i}.flac")).collect();
        let (held, training) = split_held_out(names.clone());
        let (held_again, _) = split_held_out(names.into_iter().rev().collect());
        assert_eq!((held.len(), training.len()), (3, 8));
        assert_eq!(held, held_again);
    }
}
