//! Embeds the default model (`models/frame-activation.card.json` + `.onnx`) when it exists.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(embedded_model)");
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models");
    let (card, onnx) = (models.join("frame-activation.card.json"), models.join("frame-activation.onnx"));
    println!("cargo::rerun-if-changed={}", card.display());
    println!("cargo::rerun-if-changed={}", onnx.display());
    if card.exists() && onnx.exists() {
        println!("cargo::rustc-cfg=embedded_model");
        println!("cargo::rustc-env=INSTRUMETER_DEFAULT_CARD={}", card.canonicalize().unwrap().display());
        println!("cargo::rustc-env=INSTRUMETER_DEFAULT_ONNX={}", onnx.canonicalize().unwrap().display());
    }
}
