//! A short fuzz run of every loader (seconds in CI), and the saved findings replayed.

use std::path::Path;

use super::*;

#[test]
fn no_loader_panics_on_a_short_run_of_mutations() {
    for target in Target::ALL {
        let summary = fuzz(target, Limit::Cases(150), 7).unwrap();
        assert_eq!(summary.cases, 150);
        assert!(summary.crashes.is_empty(), "{}: panicked on {:?}", target.name(), summary.crashes);
    }
}

#[test]
fn every_seed_is_accepted_as_it_is() {
    // A seed its own loader refuses would make the fuzzer test only the error paths.
    assert!(instrumeter::teach::Embedder::new(&instrumeter::testkit::test_card(instrumeter::models::ModelKind::WindowClip, 2, 43, 22), &targets::teachable_network()).is_ok());
    for target in Target::ALL {
        for seed in target.seeds().unwrap() {
            assert!(!panics_on(target, &seed.name, &seed.bytes), "{} {}", target.name(), seed.name);
        }
    }
}

#[test]
fn saved_findings_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/fuzz/regressions");
    for target in Target::ALL {
        let Ok(entries) = std::fs::read_dir(root.join(target.name())) else { continue };
        for path in entries.map(|e| e.unwrap().path()) {
            // Files are named `<hash>.<seed name>`: the seed's name carries the extension hint.
            let name = path.file_name().unwrap().to_string_lossy();
            let seed_name = name.split_once('.').map_or(name.as_ref(), |(_, rest)| rest);
            assert!(!panics_on(target, seed_name, &std::fs::read(&path).unwrap()), "{} panics again", path.display());
        }
    }
}
