//! Embeds the default model (`models/frame-activation.card.json` + `.onnx`) when it exists, and
//! the window-clip model its card may name as companion (`models/convnet-1s.*`), and that
//! model's negative bank for teaching new classes (`models/convnet-1s.negatives.bin`).

use std::path::Path;

fn main() {
    // Read when the script runs, not baked in when it is compiled: cargo may reuse a script binary
    // compiled in another checkout of the same workspace (its hashes are relative to the root).
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let models = Path::new(&manifest_dir).join("../models");
    embed(&models, "frame-activation", "embedded_model", "INSTRUMETER_DEFAULT");
    embed(&models, "convnet-1s", "embedded_companion", "INSTRUMETER_COMPANION");
    embed_file(&models.join("convnet-1s.negatives.bin"), "negative_bank", "INSTRUMETER_NEGATIVE_BANK");
}

/// Sets `cfg(flag)` and `env` (the file's path) when `file` exists.
fn embed_file(file: &Path, flag: &str, env: &str) {
    println!("cargo::rustc-check-cfg=cfg({flag})");
    println!("cargo::rerun-if-changed={}", file.display());
    if file.exists() {
        println!("cargo::rustc-cfg={flag}");
        println!("cargo::rustc-env={env}={}", file.canonicalize().unwrap().display());
    }
}

/// Sets `cfg(flag)` and `<env>_CARD` / `<env>_ONNX` when `models/<name>.card.json` and `.onnx` exist.
fn embed(models: &Path, name: &str, flag: &str, env: &str) {
    println!("cargo::rustc-check-cfg=cfg({flag})");
    let (card, onnx) = (models.join(format!("{name}.card.json")), models.join(format!("{name}.onnx")));
    println!("cargo::rerun-if-changed={}", card.display());
    println!("cargo::rerun-if-changed={}", onnx.display());
    if card.exists() && onnx.exists() {
        println!("cargo::rustc-cfg={flag}");
        println!("cargo::rustc-env={env}_CARD={}", card.canonicalize().unwrap().display());
        println!("cargo::rustc-env={env}_ONNX={}", onnx.canonicalize().unwrap().display());
    }
}
