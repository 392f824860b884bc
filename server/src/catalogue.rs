//! The models a server runs: the build's embedded default and every loadable card in a folder,
//! each checked once at start-up and loaded afresh for every analysis (models are read-only).

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use axum::http::StatusCode;
use instrumeter::models::{EmbeddedModel, LoadedModel, ModelCard, EMBEDDED_DEFAULT};
use serde_json::Value;

use crate::error::ApiError;

/// Where a model's card and weights are read from.
enum Source {
    Embedded(&'static EmbeddedModel),
    File(PathBuf),
}

/// One model the server offers, named by its card's `name`.
struct Entry {
    card: ModelCard,
    source: Source,
}

/// Every model the server offers; the first is the default.
pub struct Catalogue {
    entries: Vec<Entry>,
}

impl Catalogue {
    /// The embedded model (the default) and the cards in `folder` that load; a broken card is
    /// skipped with a warning, and a missing folder leaves the embedded model alone.
    pub fn load(folder: &Path) -> Result<Self> {
        let mut entries = Vec::new();
        if let Some(embedded) = EMBEDDED_DEFAULT.as_ref() {
            match LoadedModel::from_embedded(embedded) {
                Ok(model) => entries.push(Entry { card: model.card().clone(), source: Source::Embedded(embedded) }),
                Err(error) => eprintln!("warning: the embedded model does not load: {error}"),
            }
        }
        for path in card_files(folder) {
            match LoadedModel::load(&path) {
                Ok(model) if !entries.iter().any(|e| e.card.name == model.card().name) => {
                    entries.push(Entry { card: model.card().clone(), source: Source::File(path) })
                }
                Ok(_) => {}
                Err(error) => eprintln!("warning: skipping model {}: {error}", path.display()),
            }
        }
        if entries.is_empty() {
            bail!("no model to serve: none is embedded in this build and none in {} loads", folder.display());
        }
        Ok(Self { entries })
    }

    /// The model run when a request names none.
    pub fn default_name(&self) -> &str {
        &self.entries[0].card.name
    }

    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.card.name.as_str()).collect()
    }

    /// The card of the model called `name` (the default when `None`); 404 if there is none.
    pub fn card(&self, name: Option<&str>) -> Result<&ModelCard, ApiError> {
        Ok(&self.entry(name)?.card)
    }

    /// A fresh instance of the model called `name`, ready to analyse.
    pub fn model(&self, name: Option<&str>) -> Result<LoadedModel, ApiError> {
        let loaded = match &self.entry(name)?.source {
            Source::Embedded(embedded) => LoadedModel::from_embedded(embedded),
            Source::File(path) => LoadedModel::load(path),
        };
        loaded.map_err(|error| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("the model does not load: {error}")))
    }

    /// Every card as JSON, with `display_name` (the name with its companion).
    pub fn cards_json(&self) -> Vec<Value> {
        self.entries
            .iter()
            .map(|entry| {
                let mut card = serde_json::to_value(&entry.card).unwrap_or_default();
                card["display_name"] = entry.card.display_name().into();
                card
            })
            .collect()
    }

    fn entry(&self, name: Option<&str>) -> Result<&Entry, ApiError> {
        let name = name.unwrap_or(self.default_name());
        self.entries.iter().find(|e| e.card.name == name).ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, format!("no model called {name:?}; this server has {}", self.names().join(", ")))
        })
    }
}

/// The `*.card.json` files of `folder`, sorted (none if it cannot be read).
fn card_files(folder: &Path) -> Vec<PathBuf> {
    let mut cards: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    cards.retain(|path| path.to_str().is_some_and(|p| p.ends_with(".card.json")));
    cards.sort();
    cards
}
