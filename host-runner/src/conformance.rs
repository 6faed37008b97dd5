//! The known-answer vectors, run through the compiled component.
//!
//! The runner is the core's own (`hq_vault_core::conformance`); this module only binds it to an
//! [`Instance`] so the same files give the same answers through wasmtime.

use std::path::Path;

use anyhow::{Context, Result};
use hq_vault_core::audit::{ChainError, ChainSummary, ChainedLine, Event};
use hq_vault_core::conformance::{Binding, Report, run_file};
use hq_vault_core::crypto::CryptoError;
use hq_vault_core::gate::{ConnectionRecord, Decision, ReadRequest, SessionRecord};
use hq_vault_core::http::{Answer, Preconditions, Representation};
use hq_vault_core::identity::{self, AuthDecision, AuthRequest, IdentityConnection, NonceRecord};
use hq_vault_core::patterns::{AllowlistError, KeyError, ListingSource, PathError};
use hq_vault_core::policy::{self, Admission, Caller, CredentialProblem, Effect, InputProblem};
use hq_vault_core::tokens::{TokenError, TokenKind, TokenNameError, TokenRules};

use crate::host::Instance;

/// A trap inside the component is a bug, never an expected answer: stop the run loudly.
fn ok<T>(r: wasmtime::Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("the component trapped: {e:#}"),
    }
}

impl Binding for Instance {
    fn normalize(&mut self, raw: &str) -> Result<String, PathError> {
        ok(Instance::normalize(self, raw))
    }
    fn normalize_all(&mut self, raw: &[String]) -> Result<Vec<String>, AllowlistError> {
        ok(Instance::normalize_all(self, raw))
    }
    fn check_path(&mut self, raw: &str) -> Result<String, PathError> {
        ok(Instance::check_path(self, raw))
    }
    fn check_key(&mut self, raw: &str) -> Result<String, PathError> {
        ok(Instance::check_key(self, raw))
    }
    fn check_object_key(&mut self, raw: &str) -> Result<String, KeyError> {
        ok(Instance::check_object_key(self, raw))
    }
    fn check_object_prefix(&mut self, raw: &str) -> Result<String, KeyError> {
        ok(Instance::check_object_prefix(self, raw))
    }
    fn allows(&mut self, patterns: &[String], key: &str) -> bool {
        ok(Instance::allows(self, patterns, key))
    }
    fn plan_listing(&mut self, patterns: &[String], prefix: &str, delimited: bool) -> Vec<ListingSource> {
        ok(Instance::plan_listing(self, patterns, prefix, delimited))
    }
    fn parse_token(&mut self, token: &str) -> Result<TokenKind, TokenError> {
        ok(Instance::parse_token(self, token))
    }
    fn reference(&mut self, token: &str) -> String {
        ok(Instance::reference(self, token))
    }
    fn parse_duration(&mut self, text: &str) -> Result<u64, String> {
        ok(Instance::parse_duration(self, text))
    }
    fn check_token_name(&mut self, name: &str) -> Result<(), TokenNameError> {
        ok(Instance::check_token_name(self, name))
    }
    fn argon2id(
        &mut self,
        password: &[u8],
        salt: &[u8],
        secret: &[u8],
        ad: &[u8],
        t: u32,
        m: u32,
        p: u32,
        len: u32,
    ) -> Result<Vec<u8>, CryptoError> {
        ok(Instance::argon2id(self, password, salt, secret, ad, t, m, p, len))
    }
    fn xchacha_seal(&mut self, key: &[u8], nonce: &[u8], pt: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
        ok(Instance::xchacha_seal(self, key, nonce, pt, aad))
    }
    fn verify_signature(&mut self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        ok(Instance::verify_signature(self, pk, msg, sig))
    }
    fn audit_chain(&mut self, event: &Event, prev: &str) -> ChainedLine {
        ok(Instance::audit_chain(self, event, prev))
    }
    fn audit_verify(&mut self, lines: &[String]) -> Result<(u64, String), ChainError> {
        ok(Instance::audit_verify(self, lines))
    }
    fn audit_keyed_chain(&mut self, data_key: &[u8], event: &Event, prev: &str) -> Option<ChainedLine> {
        let key = ok(self.audit_key_from_data_key(data_key))?;
        let line = ok(Instance::audit_chain_keyed(self, &key, event, prev));
        ok(self.drop_audit_key(key));
        Some(line)
    }
    fn audit_keyed_verify(&mut self, data_key: &[u8], lines: &[String]) -> Option<Result<ChainSummary, ChainError>> {
        let key = ok(self.audit_key_from_data_key(data_key))?;
        let r = ok(Instance::audit_verify_keyed(self, &key, lines));
        ok(self.drop_audit_key(key));
        Some(r)
    }
    fn decide(&mut self, req: &ReadRequest, record: Option<&ConnectionRecord>) -> Decision {
        ok(Instance::decide(self, req, record))
    }
    fn decide_session(
        &mut self,
        req: &ReadRequest,
        session: Option<&SessionRecord>,
        record: Option<&ConnectionRecord>,
    ) -> Decision {
        ok(Instance::decide_session(self, req, session, record))
    }
    fn check_public_key(&mut self, text: &str) -> Result<Vec<u8>, identity::KeyError> {
        ok(Instance::check_public_key(self, text))
    }
    fn challenge_message(&mut self, nonce: &str, connection_id: &str) -> Vec<u8> {
        ok(Instance::challenge_message(self, nonce, connection_id))
    }
    fn identity_challenge(&mut self, req: &AuthRequest, conn: Option<&IdentityConnection>) -> AuthDecision {
        ok(Instance::identity_challenge(self, req, conn))
    }
    fn identity_verify(
        &mut self,
        req: &AuthRequest,
        nonce: Option<&NonceRecord>,
        conn: Option<&IdentityConnection>,
    ) -> AuthDecision {
        ok(Instance::identity_verify(self, req, nonce, conn))
    }
    fn answer(&mut self, request: &Preconditions<'_>, rep: &Representation<'_>, now_ms: u64) -> Answer {
        ok(Instance::answer(self, request, rep, now_ms))
    }
    fn policy_credential(&mut self, authorization: Option<&str>) -> Result<String, CredentialProblem> {
        ok(Instance::policy_credential(self, authorization))
    }
    fn policy_admit(&mut self, req: &policy::Request) -> Result<Admission, Box<policy::Decision>> {
        ok(Instance::admit(self, req))
    }
    fn policy_conclude(
        &mut self,
        req: &policy::Request,
        adm: &Admission,
        effect: &Effect,
        subject: Option<&str>,
    ) -> policy::Decision {
        ok(Instance::conclude(self, req, adm, effect, subject))
    }
    fn policy_visible(&mut self, caller: &Caller, path: &str, time_ms: u64) -> bool {
        ok(Instance::visible(self, caller, path, time_ms))
    }
    fn policy_token_request(
        &mut self,
        name: &str,
        ttl: Option<&str>,
        max_uses: Option<u32>,
        prefixes: &[String],
        now_ms: u64,
    ) -> Result<TokenRules, InputProblem> {
        ok(Instance::check_token_request(self, name, ttl, max_uses, prefixes, now_ms))
    }
    fn policy_connection_request(
        &mut self,
        name: &str,
        mechanism: Option<&str>,
        patterns: &[String],
    ) -> Result<Vec<String>, InputProblem> {
        ok(Instance::check_connection_request(self, name, mechanism, patterns))
    }
}

/// The known-answer vectors built into this binary: every `tests/vectors/*.json` of the source tree
/// it was built from, as `(file name, text)` in name order.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/vectors.rs"));
}

/// Run the vectors built into this binary ([`embedded::VECTORS`]) through `core`.
pub fn run_embedded(core: &mut dyn Binding) -> Report {
    let mut report = Report::default();
    for (name, text) in embedded::VECTORS {
        report.merge(run_file(name, text, core));
    }
    report
}

/// Run every `*.json` file of a vector directory through `core`, in name order.
pub fn run_dir(dir: &Path, core: &mut dyn Binding) -> Result<Report> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading the vector directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    anyhow::ensure!(!files.is_empty(), "no vector files in {}", dir.display());
    let mut report = Report::default();
    for f in files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let text = std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
        report.merge(run_file(&name, &text, core));
    }
    Ok(report)
}
