//! `cargo xtask fuzz <target> --minutes N`: the loaders a user's files reach (ONNX, cards, audio,
//! negative banks, networks to teach) fed seeded mutations of valid inputs on stable Rust, each
//! case under `catch_unwind`. Errors are expected; a panic is saved under
//! `target/fuzz/<target>/` and fails the run. Fixed findings are replayed by the tests from
//! `tests/fixtures/fuzz/regressions/<target>/`.

mod mutate;
mod targets;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

pub use targets::Target;

/// What to fuzz and for how long.
#[derive(clap::Args)]
pub struct FuzzOptions {
    /// Loader to fuzz (every one in turn when left out).
    #[arg(value_enum)]
    pub target: Option<Target>,
    /// Minutes per target.
    #[arg(long, default_value_t = 1.0)]
    pub minutes: f64,
    /// Run exactly this many cases per target instead (a repeatable run with --seed).
    #[arg(long)]
    pub cases: Option<u64>,
    /// Seed of the mutations (the same seed repeats a run).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// How one target's run went.
#[derive(Debug)]
pub struct FuzzSummary {
    pub cases: u64,
    /// Files holding the first input that panicked at each site.
    pub crashes: Vec<PathBuf>,
    /// Panics per site (`file:line`).
    pub sites: BTreeMap<String, u64>,
    /// The first panic message at each site.
    pub examples: BTreeMap<String, String>,
}

pub fn run(options: &FuzzOptions) -> Result<()> {
    let targets = options.target.map_or(Target::ALL.to_vec(), |t| vec![t]);
    let limit = options.cases.map_or(Limit::Time(Duration::from_secs_f64(options.minutes * 60.0)), Limit::Cases);
    let mut failed = Vec::new();
    for target in targets {
        let summary = fuzz(target, limit, options.seed)?;
        println!("{}: {} cases, {} panics at {} sites", target.name(), summary.cases, summary.sites.values().sum::<u64>(), summary.sites.len());
        summary.sites.iter().for_each(|(site, count)| println!("  {count} × {site}: {}", summary.examples[site]));
        summary.crashes.iter().for_each(|path| println!("  first input of a site: {}", path.display()));
        if !summary.crashes.is_empty() {
            failed.push(target.name());
        }
    }
    if !failed.is_empty() {
        bail!("panics in {failed:?}: make each saved input a regression (tests/fixtures/fuzz/regressions/<target>/) and fix it");
    }
    Ok(())
}

/// When a run stops.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    Time(Duration),
    Cases(u64),
}

/// Fuzzes `target` until `limit`; panicking inputs are written to `target/fuzz/<target>/`.
pub fn fuzz(target: Target, limit: Limit, seed: u64) -> Result<FuzzSummary> {
    let seeds = target.seeds()?;
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let mut summary = FuzzSummary { cases: 0, crashes: Vec::new(), sites: BTreeMap::new(), examples: BTreeMap::new() };
    let quiet = QuietPanics::install();
    while match limit {
        Limit::Time(budget) => started.elapsed() < budget,
        Limit::Cases(cases) => summary.cases < cases,
    } {
        let (first, second) = (&seeds[rng.random_range(0..seeds.len())], &seeds[rng.random_range(0..seeds.len())]);
        let input = mutate::mutate(&first.bytes, &second.bytes, &mut rng);
        if catch_unwind(AssertUnwindSafe(|| target.run(&first.name, &input))).is_err() {
            let (site, message) = take_panic_site();
            *summary.sites.entry(site.clone()).or_default() += 1;
            summary.examples.entry(site.clone()).or_insert(message);
            if summary.sites[&site] == 1 {
                summary.crashes.push(save_crash(target, &first.name, &input)?);
            }
        }
        summary.cases += 1;
    }
    drop(quiet);
    Ok(summary)
}

/// Replays a saved input (a regression file) and says whether it panicked.
#[cfg(test)]
pub fn panics_on(target: Target, seed_name: &str, input: &[u8]) -> bool {
    let _quiet = QuietPanics::install();
    catch_unwind(AssertUnwindSafe(|| target.run(seed_name, input))).is_err()
}

fn save_crash(target: Target, seed_name: &str, input: &[u8]) -> Result<PathBuf> {
    let folder = PathBuf::from("target/fuzz").join(target.name());
    std::fs::create_dir_all(&folder).with_context(|| format!("cannot create {}", folder.display()))?;
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let path = folder.join(format!("{hash:016x}.{seed_name}"));
    std::fs::write(&path, input).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// The panic hook before a run silenced it (one run at a time holds this).
type Hook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync>;
static QUIET: Mutex<()> = Mutex::new(());

/// Where the last caught panic happened and its message's first line (set by the quiet hook).
static LAST_SITE: Mutex<(String, String)> = Mutex::new((String::new(), String::new()));

fn take_panic_site() -> (String, String) {
    std::mem::take(&mut *LAST_SITE.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
}

/// Replaces the panic message of every caught case with a note of its site while it lives (the
/// summary reports them), then puts the previous hook back. Runs take turns, so hooks never
/// interleave.
struct QuietPanics {
    previous: Option<Hook>,
    _turn: MutexGuard<'static, ()>,
}

impl QuietPanics {
    fn install() -> Self {
        let turn = QUIET.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|info| {
            let location = info.location().map_or_else(|| "unknown place".into(), |l| format!("{}:{}", l.file(), l.line()));
            let message = info.payload().downcast_ref::<&str>().map(|m| m.to_string()).or_else(|| info.payload().downcast_ref::<String>().cloned());
            let message: String = message.unwrap_or_default().lines().next().unwrap_or_default().chars().take(120).collect();
            *LAST_SITE.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = (location, message);
        }));
        Self { previous: Some(previous), _turn: turn }
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        if let Some(previous) = self.previous.take() {
            std::panic::set_hook(previous);
        }
    }
}

#[cfg(test)]
mod tests;
