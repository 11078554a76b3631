//! Synchronisation primitives.
