//! HQ Vault External Connections on Cloudflare Workers.
//!
//! - [`model`]: what is kept in Workers KV (connection records, the key index, admin credentials,
//!   company switches, audit events) and under which keys; R2 keys of company files.
//! - [`admin`]: who may use the lifecycle routes (owners and admins of the company; everyone else
//!   gets 404) and what those routes accept and show.
//! - `worker` (wasm32 only): the fetch handler, doing only HTTP, KV and R2. Every read decision comes
//!   from `hq_vault_core::gate`, pages from `hq_vault_core::listing`, audit lines from
//!   `hq_vault_core::audit`.
#![forbid(unsafe_code)]

pub mod admin;
pub mod model;
#[cfg(target_arch = "wasm32")]
mod worker;
