//! Host side of `hq:vault/policy`: who may do what on the vault API (docs/policy.md).

use wasmtime::Result;

use super::Instance;
use super::bindings::exports::hq::vault::policy as w;
use super::bindings::exports::hq::vault::tokens::TokenRules;

impl Instance {
    /// The audit name of an operation (`get`, `store`, `token-create`, …).
    pub fn operation_name(&mut self, operation: w::Operation) -> Result<String> {
        self.exports.hq_vault_policy().call_operation_name(&mut self.store, operation)
    }

    /// The reference of the vault or session token in an `Authorization` header, or why none.
    pub fn policy_credential(&mut self, authorization: Option<&str>) -> Result<Result<String, w::CredentialProblem>> {
        self.exports.hq_vault_policy().call_credential(&mut self.store, authorization)
    }

    /// Admit or refuse a request (credentials, target, locked, permission and scope).
    pub fn admit(&mut self, req: &w::Request) -> Result<Result<w::Admission, Box<w::Decision>>> {
        Ok(self.exports.hq_vault_policy().call_admit(&mut self.store, req)?.map_err(Box::new))
    }

    /// The answer and audit event for what the host did with an admitted request.
    pub fn conclude(
        &mut self,
        req: &w::Request,
        adm: &w::Admission,
        effect: &w::Effect,
        subject: Option<&str>,
    ) -> Result<w::Decision> {
        self.exports.hq_vault_policy().call_conclude(&mut self.store, req, adm, effect, subject)
    }

    /// The decision for a request the route table has no operation for (404, or 405 with `allow`).
    pub fn refuse_route(
        &mut self,
        allow: Option<&str>,
        time_ms: u64,
        request_id: &str,
        source_ip: &str,
    ) -> Result<w::Decision> {
        self.exports.hq_vault_policy().call_refuse_route(&mut self.store, allow, time_ms, request_id, source_ip)
    }

    /// Whether a scoped caller may see `path` in a listing.
    pub fn visible(&mut self, caller: &w::Caller, path: &str, time_ms: u64) -> Result<bool> {
        self.exports.hq_vault_policy().call_visible(&mut self.store, caller, path, time_ms)
    }

    /// A managed token's rules from its create request, or what is wrong with it.
    pub fn check_token_request(
        &mut self,
        name: &str,
        ttl: Option<&str>,
        max_uses: Option<u32>,
        prefixes: &[String],
        now_ms: u64,
    ) -> Result<Result<TokenRules, w::InputProblem>> {
        self.exports.hq_vault_policy().call_check_token_request(&mut self.store, name, ttl, max_uses, prefixes, now_ms)
    }

    /// A connection's normalized patterns from its create request, or what is wrong with it.
    pub fn check_connection_request(
        &mut self,
        name: &str,
        mechanism: Option<&str>,
        patterns: &[String],
    ) -> Result<Result<Vec<String>, w::InputProblem>> {
        self.exports.hq_vault_policy().call_check_connection_request(&mut self.store, name, mechanism, patterns)
    }

    /// Whether a new connection named `name` shares its name with one of the `active` ones.
    pub fn connection_name_taken(&mut self, name: &str, active: &[String]) -> Result<bool> {
        self.exports.hq_vault_policy().call_connection_name_taken(&mut self.store, name, active)
    }

    /// Why `caller` may not approve or deny `request` (network mode); `None`: it may.
    pub fn decide_problem(
        &mut self,
        caller: &w::Caller,
        request: &w::AccessRequest,
    ) -> Result<Option<w::DecideRefusal>> {
        self.exports.hq_vault_policy().call_decide_problem(&mut self.store, caller, request)
    }

    /// Whether `caller` sees `request` in the access request list.
    pub fn access_request_visible(&mut self, caller: &w::Caller, request: &w::AccessRequest) -> Result<bool> {
        self.exports.hq_vault_policy().call_access_request_visible(&mut self.store, caller, request)
    }

    /// An identity's registration: its kind and its public key's reference, or the problem.
    pub fn check_identity_registration(
        &mut self,
        name: &str,
        kind: &str,
        public_key: &str,
    ) -> Result<std::result::Result<(w::IdentityKind, String), w::InputProblem>> {
        self.exports.hq_vault_policy().call_check_identity_registration(&mut self.store, name, kind, public_key)
    }

    /// An org's or project's name.
    pub fn check_org_name(&mut self, name: &str) -> Result<std::result::Result<(), w::InputProblem>> {
        self.exports.hq_vault_policy().call_check_org_name(&mut self.store, name)
    }

    /// An access request's body: the role asked for, or the problem.
    pub fn check_access_request(
        &mut self,
        org: &str,
        project: Option<&str>,
        role: &str,
        justification: &str,
    ) -> Result<std::result::Result<w::Role, w::InputProblem>> {
        self.exports.hq_vault_policy().call_check_access_request(&mut self.store, org, project, role, justification)
    }
}
