//! HQ Vault local daemon and CLI, a wasmtime host of the `hq:vault` component.
//!
//! Every decision (pattern match, token check, encryption, audit line) is made by the component;
//! this crate does I/O: HTTPS, SQLite, files, clocks.
#![forbid(unsafe_code)]

pub mod audit_log;
pub mod daemon;
pub mod envfile;
pub mod home;
pub mod host;
pub mod store;
pub mod tls;
pub mod trust;
