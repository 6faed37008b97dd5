//! Host side of `hq:vault/http`: conditional and partial reads of one object.

use hq_vault_core::http::{Answer, Preconditions, Representation};
use wasmtime::Result;

use super::Instance;
use super::bindings::exports::hq::vault::http as w;

impl Instance {
    /// What to answer for a `GET`/`HEAD` of one object (`If-None-Match`, `Range`, `If-Range`).
    pub fn answer(&mut self, request: &Preconditions<'_>, rep: &Representation<'_>, now_ms: u64) -> Result<Answer> {
        let pre = w::Preconditions {
            if_none_match: request.if_none_match.map(str::to_owned),
            range: request.range.map(str::to_owned),
            if_range: request.if_range.map(str::to_owned),
        };
        let rep = w::Representation { size: rep.size, etag: rep.etag.to_owned(), modified_ms: rep.modified_ms };
        Ok(match self.exports.hq_vault_http().call_answer(&mut self.store, &pre, &rep, now_ms)? {
            w::ReadAnswer::NotModified => Answer::NotModified,
            w::ReadAnswer::Full => Answer::Full,
            w::ReadAnswer::Partial(s) => Answer::Partial { start: s.start, end: s.end },
            w::ReadAnswer::Unsatisfiable => Answer::Unsatisfiable,
        })
    }
}
