//! Host side of `hq:vault/gate`: the External Connections read decision.

use hq_vault_core::gate::{ConnectionRecord, ConnectionStatus, Decision, ListPlan, Plan, ReadRequest, Route};
use wasmtime::Result;

use super::Instance;
use super::audit::event_from_wit;
use super::bindings::exports::hq::vault::gate as w;
use super::patterns::source;

pub(super) fn request_to_wit(r: &ReadRequest) -> w::ReadRequest {
    w::ReadRequest {
        method: r.method.clone(),
        route: match r.route {
            Route::List => w::Route::List,
            Route::Object => w::Route::Object,
        },
        path: r.path.clone(),
        cursor: r.cursor.clone(),
        limit: r.limit.clone(),
        delimiter: r.delimiter.clone(),
        authorization: r.authorization.clone(),
        time_ms: r.time_ms,
        request_id: r.request_id.clone(),
        source_ip: r.source_ip.clone(),
    }
}

pub(super) fn record_to_wit(r: &ConnectionRecord) -> w::ConnectionRecord {
    w::ConnectionRecord {
        id: r.id.clone(),
        company_id: r.company_id.clone(),
        status: match r.status {
            ConnectionStatus::Active => w::ConnectionStatus::Active,
            ConnectionStatus::Revoked => w::ConnectionStatus::Revoked,
        },
        key_ref: r.key_ref.clone(),
        patterns: r.patterns.clone(),
        company_enabled: r.company_enabled,
    }
}

pub(super) fn decision_from_wit(d: w::Decision) -> Decision {
    Decision {
        status: d.status,
        code: d.code,
        message: d.message,
        error_body: d.error_body,
        headers: d.headers,
        plan: d.plan.map(|p| match p {
            w::Plan::Object(k) => Plan::Object(k),
            w::Plan::List(l) => Plan::List(ListPlan {
                sources: l.sources.into_iter().map(source).collect(),
                start_source: l.start_source,
                start_inner: l.start_inner,
                limit: l.limit,
                delimited: l.delimited,
            }),
        }),
        audit: event_from_wit(d.audit),
    }
}

impl Instance {
    /// The reference of a well-formed connection credential, for the key-index lookup.
    pub fn credential_reference(&mut self, authorization: Option<&str>) -> Result<Option<String>> {
        self.exports.hq_vault_gate().call_credential_reference(&mut self.store, authorization)
    }

    /// Decide a read, given the record found for the credential (none if unknown).
    pub fn decide(&mut self, req: &ReadRequest, record: Option<&ConnectionRecord>) -> Result<Decision> {
        let rec = record.map(record_to_wit);
        let d = self.exports.hq_vault_gate().call_decide(&mut self.store, &request_to_wit(req), rec.as_ref())?;
        Ok(decision_from_wit(d))
    }

    /// The 404 decision for an allowed object that does not exist.
    pub fn not_found(&mut self, req: &ReadRequest, record: &ConnectionRecord) -> Result<Decision> {
        let d = self.exports.hq_vault_gate().call_not_found(
            &mut self.store,
            &request_to_wit(req),
            &record_to_wit(record),
        )?;
        Ok(decision_from_wit(d))
    }
}
