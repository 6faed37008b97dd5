//! The routing index (KV `CONNECTIONS`, `keyref:{reference}` → company id), with the entries this
//! isolate has already read kept in memory.
//!
//! An entry names which company's object decides for a key or session token; it grants nothing
//! (docs/design.md §3.5). A reference is the SHA-256 of a secret minted for one company, so its
//! company never changes: an entry once read stays true for the isolate's life, and keeping it
//! saves a KV read on every read after the first. A revoked or rotated-away key is still routed to
//! its company, whose object refuses it, exactly as with a fresh KV read. An entry is kept only
//! once the company's object has said the key is its own ([`confirm`]): a key KV does not know
//! yet, or an entry pointing at the wrong company, is read from KV again on the next read, so
//! neither outlives a fix of the entry. At most [`KEPT`] entries; past that one is forgotten for
//! each new one.

use std::cell::RefCell;
use std::collections::HashMap;

use hq_vault_core::policy::is_company_id;
use worker::{Result, kv::KvStore};

use crate::model;

/// The most routing entries one isolate keeps.
pub const KEPT: usize = 10_000;

thread_local! {
    static KNOWN: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
}

/// The company whose object decides for key reference `reference`, if KV routes it to one. Only a
/// company id names anything: any other value is no route.
pub async fn company_of(kv: &KvStore, reference: &str) -> Result<Option<String>> {
    if let Some(c) = KNOWN.with_borrow(|k| k.get(reference).cloned()) {
        return Ok(Some(c));
    }
    Ok(kv.get(&model::keyref_key(reference)).text().await?.filter(|c| is_company_id(c)))
}

/// Keep the route `reference` → `company`, once that company's object said the key is its own.
pub fn confirm(reference: &str, company: &str) {
    KNOWN.with_borrow_mut(|k| {
        if k.len() >= KEPT && !k.contains_key(reference) {
            // Make room by forgetting one (that key's next read asks KV again).
            if let Some(old) = k.keys().next().cloned() {
                k.remove(&old);
            }
        }
        k.insert(reference.to_owned(), company.to_owned());
    });
}
