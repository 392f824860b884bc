//! Input hygiene: non-finite samples become silence so one bad sample cannot poison the features.

/// Copies `input` into `output`, replacing NaN and ±Inf by 0.0; returns how many were replaced.
pub fn replace_non_finite(input: &[f32], output: &mut [f32]) -> u64 {
    let mut replaced = 0;
    for (out, &sample) in output.iter_mut().zip(input) {
        if sample.is_finite() {
            *out = sample;
        } else {
            *out = 0.0;
            replaced += 1;
        }
    }
    replaced
}
