//! HQ Vault External Connections on Cloudflare Workers.
//!
//! - [`model`]: what is kept in Workers KV (the routing index, admin credentials) and in the
//!   company's Durable Object (connection records, switches, audit events); R2 keys of company
//!   files.
//! - [`company`]: the company's Durable Object: what the Worker asks it, what it answers, the rules
//!   of its audit table.
//! - [`routes`]: the route table of the lifecycle routes (method and path → the operation the
//!   core's policy decides).
//! - `worker` (wasm32 only): the fetch handler, doing only HTTP, KV, R2 and calls to the company's
//!   object: the read routes (decided by `hq_vault_core::gate` inside the object), and the
//!   lifecycle routes through one pipeline (decided by `hq_vault_core::policy`, docs/policy.md),
//!   split by role: `reads`, `pipeline`, `lifecycle`, `audit`, `object` (the Durable Object).
#![forbid(unsafe_code)]

pub mod company;
pub mod model;
pub mod routes;
#[cfg(target_arch = "wasm32")]
mod worker;
