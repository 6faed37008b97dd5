//! HQ Vault External Connections on Cloudflare Workers.
//!
//! - [`model`]: what is kept in Workers KV (connection records, the key index, admin credentials,
//!   company switches, audit events within KV's metadata limit) and under which keys; R2 keys of
//!   company files.
//! - [`routes`]: the route table of the lifecycle routes (method and path → the operation the
//!   core's policy decides).
//! - `worker` (wasm32 only): the fetch handler, doing only HTTP, KV and R2: the read routes
//!   (decided by `hq_vault_core::gate`), and the lifecycle routes through one pipeline (decided
//!   by `hq_vault_core::policy`, docs/policy.md), split by role: `reads`, `pipeline`,
//!   `lifecycle`, `audit`, `storage`.
#![forbid(unsafe_code)]

pub mod model;
pub mod routes;
#[cfg(target_arch = "wasm32")]
mod worker;
