//! HQ Vault core: every decision of the vault, in plain Rust.
//!
//! - [`patterns`]: allowlist patterns and requested paths (validate, normalize, match, plan listings).
//! - [`tokens`]: credentials (mint, parse, reference, constant-time comparison, managed-token rules).
//! - [`crypto`]: the vault key (Argon2id, wrapped data key), XChaCha20-Poly1305 seal/open, Ed25519.
//! - [`audit`]: audit events as JSON lines, chained with SHA-256.
//! - [`identity`]: agent identity (challenge, Ed25519 answer, `hqvs_` sessions).
//! - [`gate`]: the External Connections read decision shared by every host.
//! - [`policy`]: who may do what on the vault API, in which order, with which answer and audit event.
//! - [`conformance`]: the known-answer vector runner every host runs on `tests/vectors/`.
//!
//! The same crate is an rlib (native hosts, the Worker) and, with the `component` feature on
//! wasm32, the `hq:vault` wasm component (see `wit/`).
#![cfg_attr(not(all(feature = "component", target_arch = "wasm32")), forbid(unsafe_code))]

pub mod audit;
pub mod conformance;
pub mod crypto;
pub mod gate;
pub mod http;
pub mod identity;
pub mod listing;
pub mod patterns;
pub mod policy;
mod rng;
pub mod secret;
pub mod time;
pub mod tokens;

#[cfg(all(feature = "component", target_arch = "wasm32"))]
#[allow(unsafe_code)] // wit-bindgen's generated glue; nothing else in the crate uses unsafe.
mod component;
