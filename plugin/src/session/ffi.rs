//! A tool-facing C entry point of the plugin library: the session overview as JSON, for scripts
//! that load the same library as the host (and for the whole-product tests).

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::Serialize;

use super::overview::{overview_rows, OverviewRow};
use super::registry::{Registry, SESSION};

/// The JSON document: `{"instances": [{"slot", "name", "instruments": [{"code", "name", "playing"}]}]}`.
#[derive(Serialize)]
struct Overview {
    instances: Vec<OverviewRow>,
}

/// Writes the overview of every Instrumeter instance in this process (UTF-8 JSON, see
/// [`Overview`], no terminating NUL) to `buf` when `len` bytes hold it, and returns its length.
/// A longer document writes nothing: call again with a larger buffer (the session may change in
/// between, so compare the result with `len` each time). `buf` may be null to ask for the length.
/// Returns 0 if the overview could not be made; never unwinds into the caller.
///
/// # Safety
/// `buf` must be null or valid for writes of `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn instrumeter_session_overview(buf: *mut u8, len: usize) -> usize {
    let Ok(json) = catch_unwind(AssertUnwindSafe(|| overview_json(&SESSION))) else { return 0 };
    if !buf.is_null() && json.len() <= len {
        // SAFETY: the caller guarantees `len` writable bytes at `buf`; the JSON is no longer.
        unsafe { std::ptr::copy_nonoverlapping(json.as_ptr(), buf, json.len()) };
    }
    json.len()
}

/// The overview of `registry` as JSON.
fn overview_json(registry: &Registry) -> String {
    let overview = Overview { instances: overview_rows(registry) };
    serde_json::to_string(&overview).unwrap_or_else(|_| r#"{"instances":[]}"#.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SessionMember;

    #[test]
    fn the_json_lists_each_instance_with_its_instruments() {
        let registry = Box::leak(Box::new(Registry::new()));
        let member = SessionMember::join(registry);
        member.set_instance_name("Keys \"A\"");
        member.publish_instruments(1 << 6, 1 << 6);
        let json: serde_json::Value = serde_json::from_str(&overview_json(registry)).unwrap();
        assert_eq!(json["instances"][0]["name"], "Keys \"A\"");
        assert_eq!(json["instances"][0]["instruments"][0], serde_json::json!({"code": "pia", "name": "Piano", "playing": true}));
    }

    #[test]
    fn null_and_short_buffers_get_the_length_and_nothing_written() {
        let _listed = SessionMember::join(&SESSION);
        // SAFETY: null with length 0 is the documented length query.
        let needed = unsafe { instrumeter_session_overview(std::ptr::null_mut(), 0) };
        assert!(needed > 0);
        let mut short = vec![0xAAu8; needed / 2];
        // SAFETY: `short` holds `short.len()` bytes.
        let reported = unsafe { instrumeter_session_overview(short.as_mut_ptr(), short.len()) };
        assert!(reported > short.len() && short.iter().all(|&b| b == 0xAA), "a short buffer is left untouched");
        // Other tests may add instances meanwhile: leave room.
        let mut buf = vec![0u8; reported + 64 * 1024];
        // SAFETY: `buf` holds `buf.len()` bytes.
        let written = unsafe { instrumeter_session_overview(buf.as_mut_ptr(), buf.len()) };
        let json: serde_json::Value = serde_json::from_slice(&buf[..written]).expect("whole JSON");
        assert!(json["instances"].as_array().is_some_and(|rows| !rows.is_empty()));
    }
}
