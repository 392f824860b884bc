//! Calls into tract with its panics contained: tract panics on some malformed graphs (loader
//! fuzzing found index and `unwrap` panics in its graph and reduce code), so every load and run
//! goes through here, and a bad file becomes an error instead of a dead loader or worker thread.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// `work()`'s result, or the panic's message. Callers drop whatever state `work` touched, or
/// only use state that a failed run leaves valid (tract's run state is rebuilt per run).
pub fn without_panics<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        let message = payload.downcast_ref::<&str>().map(|m| m.to_string()).or_else(|| payload.downcast_ref::<String>().cloned());
        format!("tract panicked: {}", message.unwrap_or_default().lines().next().unwrap_or_default())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message_and_a_result_passes() {
        assert_eq!(without_panics(|| 4), Ok(4));
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let caught = without_panics(|| -> u8 { panic!("index out of bounds\nStack backtrace:") });
        std::panic::set_hook(hook);
        assert_eq!(caught, Err("tract panicked: index out of bounds".into()));
    }
}
