//! How a measured value stands against its goal in the issue: met, or missed and by how much.

/// Verdict for a value that must stay at or below `goal` (a time, a CPU share, a ratio of times).
pub fn at_most(value: f64, goal: f64) -> String {
    if value <= goal { "— met".into() } else { format!("— NOT met: {:.2}× the goal", value / goal) }
}

/// Verdict for a value that must reach `goal` (a speed-up, a count).
pub fn at_least(value: f64, goal: f64) -> String {
    match value {
        v if v >= goal => "— met".into(),
        v if v > 0.0 => format!("— NOT met: {:.2}× short of the goal", goal / v),
        _ => "— NOT met: none".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_miss_says_by_what_factor() {
        assert_eq!(at_most(1.52, 1.0), "— NOT met: 1.52× the goal");
        assert_eq!(at_least(0.7, 3.0), "— NOT met: 4.29× short of the goal");
        assert_eq!(at_least(0.0, 64.0), "— NOT met: none");
    }

    #[test]
    fn the_goal_itself_is_met() {
        assert_eq!(at_most(1.0, 1.0), "— met");
        assert_eq!(at_least(64.0, 64.0), "— met");
    }
}
