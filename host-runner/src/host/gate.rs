//! Host side of `hq:vault/gate`: the External Connections read decision, the listing of a folder
//! the host enumerates itself, and the agent snippet.

use wasmtime::Result;

use super::Instance;
use super::bindings::exports::hq::vault::gate as w;

impl Instance {
    /// The reference of a well-formed connection credential, for the key-index lookup.
    pub fn credential_reference(&mut self, authorization: Option<&str>) -> Result<Option<String>> {
        self.exports.hq_vault_gate().call_credential_reference(&mut self.store, authorization)
    }

    /// Decide a read, given the record found for the credential (none if unknown).
    pub fn decide(&mut self, req: &w::ReadRequest, record: Option<&w::ConnectionRecord>) -> Result<w::Decision> {
        self.exports.hq_vault_gate().call_decide(&mut self.store, req, record)
    }

    /// The 404 decision for an allowed object that does not exist.
    pub fn not_found(&mut self, req: &w::ReadRequest, record: &w::ConnectionRecord) -> Result<w::Decision> {
        self.exports.hq_vault_gate().call_not_found(&mut self.store, req, record)
    }

    /// The 400 decision for a read whose query string cannot be read.
    pub fn refuse_query(
        &mut self,
        method: &str,
        route: w::Route,
        problem: &str,
        time_ms: u64,
        request_id: &str,
        source_ip: &str,
    ) -> Result<w::Decision> {
        self.exports.hq_vault_gate().call_refuse_query(
            &mut self.store,
            method,
            route,
            problem,
            time_ms,
            request_id,
            source_ip,
        )
    }

    /// One page of a listing over a folder's entries: the page's JSON body.
    pub fn list_folder(&mut self, plan: &w::ListPlan, entries: &[w::FolderEntry]) -> Result<String> {
        self.exports.hq_vault_gate().call_list_folder(&mut self.store, plan, entries)
    }

    /// The folder the agent snippet lists.
    pub fn snippet_folder(&mut self, patterns: &[String]) -> Result<String> {
        self.exports.hq_vault_gate().call_snippet_folder(&mut self.store, patterns)
    }

    /// The agent snippet shown once with a new connection key.
    pub fn agent_snippet(&mut self, options: &w::SnippetOptions) -> Result<String> {
        self.exports.hq_vault_gate().call_agent_snippet(&mut self.store, options)
    }

    /// Where a person puts the files `pattern` grants, after `root` (the core's words).
    pub fn pattern_place(&mut self, pattern: &str, root: &str) -> Result<String> {
        self.exports.hq_vault_gate().call_pattern_place(&mut self.store, pattern, root)
    }
}
