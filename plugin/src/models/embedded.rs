//! The default model compiled into the plugin (`models/frame-activation.*`, with
//! `models/convnet-1s.*` as the companion it may name), if this build has one.

/// The embedded model's card JSON and ONNX bytes, and its embedded companion.
pub struct EmbeddedModel {
    pub card_json: &'static [u8],
    pub onnx: &'static [u8],
    pub companion: Option<&'static EmbeddedModel>,
}

/// Where errors about the embedded model point.
pub const EMBEDDED_ORIGIN: &str = "<embedded default model>";

#[cfg(embedded_model)]
/// The default model shipped inside this build.
pub static EMBEDDED_DEFAULT: Option<EmbeddedModel> = Some(EmbeddedModel {
    card_json: include_bytes!(env!("INSTRUMETER_DEFAULT_CARD")),
    onnx: include_bytes!(env!("INSTRUMETER_DEFAULT_ONNX")),
    companion: EMBEDDED_COMPANION,
});

#[cfg(all(embedded_model, embedded_companion))]
/// The window-clip model the default model may name as its companion (`models/convnet-1s.*`).
const EMBEDDED_COMPANION: Option<&EmbeddedModel> = Some(&EmbeddedModel {
    card_json: include_bytes!(env!("INSTRUMETER_COMPANION_CARD")),
    onnx: include_bytes!(env!("INSTRUMETER_COMPANION_ONNX")),
    companion: None,
});

#[cfg(all(embedded_model, not(embedded_companion)))]
const EMBEDDED_COMPANION: Option<&EmbeddedModel> = None;

#[cfg(not(embedded_model))]
/// This build has no default model (`models/frame-activation.*` did not exist when it was compiled).
pub static EMBEDDED_DEFAULT: Option<EmbeddedModel> = None;
