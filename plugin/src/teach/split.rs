//! Which part of a lesson each window serves: fitting the head, tuning its threshold, or the
//! held-out measurement. Recordings are cut into runs of windows dealt out in turn, so every
//! part hears every stretch of the user's audio; the last window of a run overlaps the next run
//! and is left out, so no held-out window shares audio with a fitting one.

/// A window's part in a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Fit,
    Tune,
    Test,
    /// Overlaps windows of another part.
    Unused,
}

/// Windows per run.
const RUN_WINDOWS: usize = 6;
/// The parts runs are dealt to, in turn.
const DEAL: [Part; 4] = [Part::Fit, Part::Tune, Part::Fit, Part::Test];

/// The part of window `index` of a recording with overlapping windows (hop < window).
pub fn part_of_window(index: usize) -> Part {
    let run = index / RUN_WINDOWS;
    if index % RUN_WINDOWS == RUN_WINDOWS - 1 && DEAL[run % DEAL.len()] != DEAL[(run + 1) % DEAL.len()] {
        return Part::Unused;
    }
    DEAL[run % DEAL.len()]
}

/// The part of independent example `index` (the negative bank: one window per clip).
pub fn part_of_example(index: usize) -> Part {
    DEAL[index % DEAL.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_gets_windows_and_parts_never_touch() {
        let parts: Vec<Part> = (0..60).map(part_of_window).collect();
        for part in [Part::Fit, Part::Tune, Part::Test] {
            assert!(parts.iter().filter(|p| **p == part).count() >= 10, "{part:?}: {parts:?}");
        }
        for pair in parts.windows(2) {
            let used = pair[0] != Part::Unused && pair[1] != Part::Unused;
            assert!(!used || pair[0] == pair[1], "neighbouring windows (they overlap) in two parts: {parts:?}");
        }
    }
}
