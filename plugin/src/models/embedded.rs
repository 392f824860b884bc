//! The default model compiled into the plugin (`models/frame-activation.*`), if this build has one.

/// The embedded model's card JSON and ONNX bytes.
pub struct EmbeddedModel {
    pub card_json: &'static [u8],
    pub onnx: &'static [u8],
}

/// Where errors about the embedded model point.
pub const EMBEDDED_ORIGIN: &str = "<embedded default model>";

#[cfg(embedded_model)]
/// The default model shipped inside this build.
pub static EMBEDDED_DEFAULT: Option<EmbeddedModel> = Some(EmbeddedModel {
    card_json: include_bytes!(env!("INSTRUMETER_DEFAULT_CARD")),
    onnx: include_bytes!(env!("INSTRUMETER_DEFAULT_ONNX")),
});

#[cfg(not(embedded_model))]
/// This build has no default model (`models/frame-activation.*` did not exist when it was compiled).
pub static EMBEDDED_DEFAULT: Option<EmbeddedModel> = None;
