//! The product's instrument classes: IRMAS's eleven plus bass and drums.

use super::Label;

/// (code, display name) of every class, in the order models output them.
pub const INSTRUMENTS: [(&str, &str); 13] = [
    ("cel", "Cello"),
    ("cla", "Clarinet"),
    ("flu", "Flute"),
    ("gac", "Acoustic guitar"),
    ("gel", "Electric guitar"),
    ("org", "Organ"),
    ("pia", "Piano"),
    ("sax", "Saxophone"),
    ("tru", "Trumpet"),
    ("vio", "Violin"),
    ("voi", "Voice"),
    ("bas", "Bass"),
    ("dru", "Drums"),
];

/// The first `count` classes as card labels.
pub fn instrument_labels(count: usize) -> Vec<Label> {
    INSTRUMENTS.iter().take(count).map(|(code, name)| Label { code: code.to_string(), name: name.to_string() }).collect()
}
