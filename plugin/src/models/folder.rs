//! The user's models folder: where the editor's picker looks and `cargo xtask teach` writes.

use std::path::PathBuf;

/// Environment variable naming the user models folder (overrides the platform default).
pub const MODELS_FOLDER_VAR: &str = "INSTRUMETER_MODELS";

/// The user's models folder: `$INSTRUMETER_MODELS`, else the platform's user data folder.
pub fn user_models_folder() -> Option<PathBuf> {
    if let Some(folder) = std::env::var_os(MODELS_FOLDER_VAR) {
        return Some(PathBuf::from(folder));
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    if cfg!(target_os = "macos") {
        return home.map(|h| h.join("Library/Application Support/Instrumeter/models"));
    }
    if cfg!(windows) {
        return std::env::var_os("APPDATA").map(|a| PathBuf::from(a).join("Instrumeter").join("models"));
    }
    let data = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from).or_else(|| home.map(|h| h.join(".local/share")));
    data.map(|d| d.join("instrumeter/models"))
}
