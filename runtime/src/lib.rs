//! Clockwork: a companion async runtime written to be read.

pub use clockwork_macros::state_machine;
