//! Teaching a new instrument: a logistic head on the window-clip network's penultimate
//! embedding (the backbone stays frozen), its threshold tuned on held-out parts of the user's
//! audio, grafted into a copy of the model that the plugin, `analyze` and `eval` run like any.

mod bank;
mod embedder;
mod graft;
mod head;
mod lesson;
mod recorder;
mod split;
mod taught;
mod threshold;

pub use bank::{shipped_bank_for, NegativeBank};
pub use embedder::Embedder;
pub use graft::with_taught_class;
pub use lesson::{class_code, teach, Lesson, LessonReport, WindowCounts, MIN_POSITIVE_S};
pub use recorder::{lesson_feed, LessonFeed, LessonTap, Take};
pub use taught::{BaseModel, ModelFiles, TaughtModel};
pub use threshold::Scores;

#[cfg(test)]
mod tests;
