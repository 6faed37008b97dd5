//! Host side of `hq:vault/http`: conditional and partial reads of one object.

use wasmtime::Result;

use super::Instance;
use super::bindings::exports::hq::vault::http as w;

impl Instance {
    /// What to answer for a `GET`/`HEAD` of one object (`If-None-Match`, `Range`, `If-Range`).
    pub fn answer(
        &mut self,
        request: &w::Preconditions,
        rep: &w::Representation,
        now_ms: u64,
    ) -> Result<w::ReadAnswer> {
        self.exports.hq_vault_http().call_answer(&mut self.store, request, rep, now_ms)
    }

    /// Everything to send for a `GET`/`HEAD` of the object `key` but its bytes: status,
    /// headers, which bytes, and a 416's error body.
    pub fn object_head(
        &mut self,
        request: &w::Preconditions,
        rep: &w::Representation,
        key: &str,
        request_id: &str,
        now_ms: u64,
    ) -> Result<w::AnswerHead> {
        self.exports.hq_vault_http().call_object_head(&mut self.store, request, rep, key, request_id, now_ms)
    }
}
