#![forbid(unsafe_code)]
//! Placeholder: the Worker arrives with its own issue. It links the core as a plain library.
pub use hq_vault_core as core;
