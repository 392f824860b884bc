//! Model picker: the embedded default, the cards in the user's models folder, or a typed path.

use std::path::{Path, PathBuf};

use crate::models::{ModelCard, EMBEDDED_DEFAULT, EMBEDDED_ORIGIN};

/// What a model card's file name ends with.
const CARD_SUFFIX: &str = ".card.json";

/// One choice in the picker.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelChoice {
    /// The card file; `None` for the embedded default.
    pub path: Option<PathBuf>,
    /// Name and scores from the card, or why it could not be read.
    pub summary: String,
}

/// The embedded default (if built in) followed by every card in `folder`, sorted by file name.
pub fn list_models(folder: Option<&Path>) -> Vec<ModelChoice> {
    let embedded = EMBEDDED_DEFAULT.as_ref().map(|model| {
        let card = ModelCard::from_json(model.card_json, Path::new(EMBEDDED_ORIGIN));
        ModelChoice { path: None, summary: format!("Embedded: {}", card.map_or_else(|e| e.to_string(), |c| summary(&c))) }
    });
    let mut cards: Vec<PathBuf> = folder
        .and_then(|f| std::fs::read_dir(f).ok())
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.to_string_lossy().ends_with(CARD_SUFFIX))
        .collect();
    cards.sort();
    let files = cards.into_iter().map(|path| ModelChoice { summary: read_summary(&path), path: Some(path) });
    embedded.into_iter().chain(files).collect()
}

fn read_summary(path: &Path) -> String {
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    match ModelCard::load(path) {
        Ok(card) => format!("{name}: {}", summary(&card)),
        Err(error) => format!("{name}: unreadable ({error})"),
    }
}

/// "name (+ companion) v1 · 13 classes · the last measured F1" (the card's last metrics entry)
/// from a card.
pub fn summary(card: &ModelCard) -> String {
    let scores = card
        .metrics
        .iter()
        .map(|m| format!("{} {}: micro F1 {:.2}, macro {:.2}", m.dataset, m.split, m.micro_f1, m.macro_f1))
        .next_back()
        .unwrap_or_else(|| "no measured scores".into());
    format!("{} v{} · {} classes · {scores}", card.display_name(), card.version, card.labels.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::ModelKind;
    use crate::testkit::test_card;

    #[test]
    fn the_folder_listing_reads_cards_and_reports_broken_ones() {
        let scratch = tempfile::tempdir().unwrap();
        let folder = scratch.path();
        let card = test_card(ModelKind::WindowClip, 3, 43, 22);
        std::fs::write(folder.join("a.card.json"), serde_json::to_string(&card).unwrap()).unwrap();
        std::fs::write(folder.join("b.card.json"), "{ not json").unwrap();
        std::fs::write(folder.join("notes.txt"), "ignored").unwrap();
        let choices = list_models(Some(folder));
        let files: Vec<_> = choices.iter().filter(|c| c.path.is_some()).collect();
        assert_eq!(files.len(), 2, "{choices:?}");
        assert!(files[0].summary.contains("3 classes"), "{}", files[0].summary);
        assert!(files[1].summary.contains("unreadable"), "{}", files[1].summary);
        assert_eq!(choices.len() - files.len(), usize::from(EMBEDDED_DEFAULT.is_some()));
    }

    #[test]
    fn the_summary_names_a_companion() {
        let mut card = test_card(ModelKind::FrameActivation, 3, 16, 8);
        assert!(!summary(&card).contains('+'), "{}", summary(&card));
        card.companion = Some(crate::models::Companion { card: "convnet-1s.card.json".into(), weight: 0.5 });
        assert!(summary(&card).starts_with("test-FrameActivation-3 + convnet-1s v0 · 3 classes"), "{}", summary(&card));
    }
}
