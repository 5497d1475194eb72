//! Workspace-level tests live in `ui.rs` and `e2e/`; this library is empty.
