//! The `hq:vault` component: wit-bindgen glue that exposes the plain Rust API of this crate.
//!
//! Only type conversions live here; every rule is in the modules it calls.

use crate::{audit, crypto, gate, http, identity, listing, patterns, policy, tokens};

#[cfg(not(feature = "vectors"))]
wit_bindgen::generate!({
    world: "core",
    path: "../wit",
});

// The `vectors` world: `core` and the known-answer entry points, for tests/vectors only.
#[cfg(feature = "vectors")]
wit_bindgen::generate!({
    world: "vectors",
    path: "../wit",
});

#[cfg(feature = "vectors")]
impl exports::hq::vault::known_answer::Guest for Component {
    fn xchacha_seal(
        key: Vec<u8>,
        nonce: Vec<u8>,
        plaintext: Vec<u8>,
        aad: Vec<u8>,
    ) -> Result<Vec<u8>, w_crypto::CryptoError> {
        crypto::xchacha_seal(&key, &nonce, &plaintext, &aad).map_err(crypto_err)
    }
}

use exports::hq::vault::audit as w_audit;
use exports::hq::vault::crypto as w_crypto;
use exports::hq::vault::gate as w_gate;
use exports::hq::vault::http as w_http;
use exports::hq::vault::identity as w_identity;
use exports::hq::vault::patterns as w_patterns;
use exports::hq::vault::policy as w_policy;
use exports::hq::vault::tokens as w_tokens;

/// Fill `buf` from the host's `entropy` import.
pub(crate) fn entropy_fill(buf: &mut [u8]) {
    let bytes = hq::vault::entropy::fill(buf.len() as u32);
    assert!(bytes.len() == buf.len(), "the host's entropy import returned the wrong number of bytes");
    buf.copy_from_slice(&bytes);
}

struct Component;
export!(Component);

fn path_err(e: patterns::PathError) -> w_patterns::PathError {
    use patterns::PathError as P;
    use w_patterns::PathError as W;
    match e {
        P::Empty => W::Empty,
        P::LeadingSlash => W::LeadingSlash,
        P::DotSegment => W::DotSegment,
        P::EmptySegment => W::EmptySegment,
        P::MisplacedStar => W::MisplacedStar,
        P::Backslash => W::Backslash,
        P::ControlCharacter => W::ControlCharacter,
        P::Whitespace => W::Whitespace,
        P::NonAscii => W::NonAscii,
        P::TooLong => W::TooLong,
        P::NotAKey => W::NotAKey,
    }
}

fn key_err(e: patterns::KeyError) -> w_patterns::KeyError {
    use patterns::KeyError as K;
    use w_patterns::KeyError as W;
    match e {
        K::Empty => W::Empty,
        K::LeadingSlash => W::LeadingSlash,
        K::DotSegment => W::DotSegment,
        K::EmptySegment => W::EmptySegment,
        K::ControlCharacter => W::ControlCharacter,
        K::TooLong => W::TooLong,
        K::NotAKey => W::NotAKey,
    }
}

fn source(s: patterns::ListingSource) -> w_patterns::ListingSource {
    w_patterns::ListingSource { prefix: s.prefix, exact: s.exact, rollup: s.rollup }
}

impl w_patterns::Guest for Component {
    fn normalize(raw: String) -> Result<String, w_patterns::PathError> {
        patterns::normalize(&raw).map_err(path_err)
    }
    fn normalize_all(raw: Vec<String>) -> Result<Vec<String>, w_patterns::AllowlistError> {
        patterns::normalize_all(&raw).map_err(|e| match e {
            patterns::AllowlistError::None => w_patterns::AllowlistError::None,
            patterns::AllowlistError::TooMany(n) => w_patterns::AllowlistError::TooMany(n),
            patterns::AllowlistError::Invalid { index, reason } => {
                w_patterns::AllowlistError::Invalid(w_patterns::InvalidPattern { index, reason: path_err(reason) })
            }
        })
    }
    fn check_path(raw: String) -> Result<String, w_patterns::PathError> {
        patterns::check_path(&raw).map(str::to_owned).map_err(path_err)
    }
    fn check_key(raw: String) -> Result<String, w_patterns::PathError> {
        patterns::check_key(&raw).map(str::to_owned).map_err(path_err)
    }
    fn check_object_key(raw: String) -> Result<String, w_patterns::KeyError> {
        patterns::check_object_key(&raw).map(str::to_owned).map_err(key_err)
    }
    fn check_object_prefix(raw: String) -> Result<String, w_patterns::KeyError> {
        patterns::check_object_prefix(&raw).map(str::to_owned).map_err(key_err)
    }
    fn allows(patterns: Vec<String>, key: String) -> bool {
        patterns::allows(&patterns, &key)
    }
    fn plan_listing(patterns: Vec<String>, prefix: String, delimited: bool) -> Vec<w_patterns::ListingSource> {
        patterns::plan_listing(&patterns, &prefix, delimited).into_iter().map(source).collect()
    }
    fn describe_path_error(error: w_patterns::PathError) -> String {
        use patterns::PathError as P;
        use w_patterns::PathError as W;
        match error {
            W::Empty => P::Empty,
            W::LeadingSlash => P::LeadingSlash,
            W::DotSegment => P::DotSegment,
            W::EmptySegment => P::EmptySegment,
            W::MisplacedStar => P::MisplacedStar,
            W::Backslash => P::Backslash,
            W::ControlCharacter => P::ControlCharacter,
            W::Whitespace => P::Whitespace,
            W::NonAscii => P::NonAscii,
            W::TooLong => P::TooLong,
            W::NotAKey => P::NotAKey,
        }
        .to_string()
    }
}

fn kind_to_wit(k: tokens::TokenKind) -> w_tokens::TokenKind {
    match k {
        tokens::TokenKind::ConnectionKey => w_tokens::TokenKind::ConnectionKey,
        tokens::TokenKind::VaultToken => w_tokens::TokenKind::VaultToken,
        tokens::TokenKind::SessionToken => w_tokens::TokenKind::SessionToken,
    }
}

impl w_tokens::Guest for Component {
    fn token_length() -> u32 {
        tokens::TOKEN_LEN as u32
    }
    fn mint(kind: w_tokens::TokenKind) -> String {
        let k = match kind {
            w_tokens::TokenKind::ConnectionKey => tokens::TokenKind::ConnectionKey,
            w_tokens::TokenKind::VaultToken => tokens::TokenKind::VaultToken,
            w_tokens::TokenKind::SessionToken => tokens::TokenKind::SessionToken,
        };
        // The token must cross to the host once, to be shown to its owner.
        tokens::mint(k).expose_secret().to_owned()
    }
    fn parse(token: String) -> Result<w_tokens::TokenKind, w_tokens::TokenError> {
        use tokens::TokenError as E;
        use w_tokens::TokenError as W;
        tokens::parse(&token).map(kind_to_wit).map_err(|e| match e {
            E::Empty => W::Empty,
            E::UnknownPrefix => W::UnknownPrefix,
            E::WrongLength => W::WrongLength,
            E::BadCharacter => W::BadCharacter,
            E::BadChecksum => W::BadChecksum,
        })
    }
    fn reference(token: String) -> String {
        tokens::reference(&token)
    }
    fn references_equal(a: String, b: String) -> bool {
        tokens::references_equal(&a, &b)
    }
    fn evaluate(rules: w_tokens::TokenRules, now_ms: u64, path: Option<String>) -> Result<(), w_tokens::TokenDenial> {
        let rules = tokens::TokenRules {
            expires_at_ms: rules.expires_at_ms,
            max_uses: rules.max_uses,
            uses: rules.uses,
            revoked: rules.revoked,
            scope: rules.scope,
        };
        tokens::evaluate(&rules, now_ms, path.as_deref()).map_err(|d| match d {
            tokens::TokenDenial::Expired => w_tokens::TokenDenial::Expired,
            tokens::TokenDenial::Exhausted => w_tokens::TokenDenial::Exhausted,
            tokens::TokenDenial::Revoked => w_tokens::TokenDenial::Revoked,
            tokens::TokenDenial::OutOfScope => w_tokens::TokenDenial::OutOfScope,
        })
    }
    fn parse_duration(text: String) -> Result<u64, String> {
        tokens::parse_duration(&text)
    }
    fn check_token_name(name: String) -> Result<(), w_tokens::TokenNameError> {
        use tokens::TokenNameError as E;
        use w_tokens::TokenNameError as W;
        tokens::check_name(&name).map_err(|e| match e {
            E::Empty => W::Empty,
            E::TooLong => W::TooLong,
            E::BadCharacter => W::BadCharacter,
            E::BadFirstCharacter => W::BadFirstCharacter,
            E::Reserved => W::Reserved,
        })
    }
}

fn crypto_err(e: crypto::CryptoError) -> w_crypto::CryptoError {
    use crypto::CryptoError as E;
    use w_crypto::CryptoError as W;
    match e {
        E::WrongPassphrase => W::WrongPassphrase,
        E::Tampered => W::Tampered,
        E::BadFormat => W::BadFormat,
        E::BadParameters => W::BadParameters,
        E::OutOfMemory => W::OutOfMemory,
        E::BadSignature => W::BadSignature,
    }
}

fn params_to_wit(p: crypto::KdfParams) -> w_crypto::KdfParams {
    w_crypto::KdfParams { salt: p.salt, t_cost: p.t_cost, m_cost_kib: p.m_cost_kib, p_cost: p.p_cost }
}

fn vault_to_wit(v: crypto::NewVault) -> w_crypto::NewVault {
    w_crypto::NewVault { wrapped_key: v.wrapped_key, params: params_to_wit(v.params) }
}

/// The resource behind `master-key`: the core's key, zeroized when the host drops the handle.
struct KeyResource(crypto::MasterKey);

impl w_crypto::GuestMasterKey for KeyResource {
    fn create(
        passphrase: String,
        t_cost: u32,
        m_cost_kib: u32,
        p_cost: u32,
    ) -> Result<(w_crypto::MasterKey, w_crypto::NewVault), w_crypto::CryptoError> {
        let passphrase = zeroize::Zeroizing::new(passphrase);
        let params = crypto::KdfParams::fresh(t_cost, m_cost_kib, p_cost);
        let (key, vault) = crypto::MasterKey::create(passphrase.as_bytes(), params).map_err(crypto_err)?;
        Ok((w_crypto::MasterKey::new(KeyResource(key)), vault_to_wit(vault)))
    }
    fn unlock(
        passphrase: String,
        params: w_crypto::KdfParams,
        wrapped_key: Vec<u8>,
    ) -> Result<w_crypto::MasterKey, w_crypto::CryptoError> {
        let passphrase = zeroize::Zeroizing::new(passphrase);
        let params = crypto::KdfParams {
            salt: params.salt,
            t_cost: params.t_cost,
            m_cost_kib: params.m_cost_kib,
            p_cost: params.p_cost,
        };
        let key = crypto::MasterKey::unlock(passphrase.as_bytes(), &params, &wrapped_key).map_err(crypto_err)?;
        Ok(w_crypto::MasterKey::new(KeyResource(key)))
    }
    fn rewrap(
        &self,
        new_passphrase: String,
        t_cost: u32,
        m_cost_kib: u32,
        p_cost: u32,
    ) -> Result<w_crypto::NewVault, w_crypto::CryptoError> {
        let passphrase = zeroize::Zeroizing::new(new_passphrase);
        let params = crypto::KdfParams::fresh(t_cost, m_cost_kib, p_cost);
        self.0.rewrap_with(passphrase.as_bytes(), params).map(vault_to_wit).map_err(crypto_err)
    }
    fn seal(&self, plaintext: Vec<u8>, aad: Vec<u8>) -> Result<Vec<u8>, w_crypto::CryptoError> {
        let plaintext = zeroize::Zeroizing::new(plaintext);
        self.0.seal(&plaintext, &aad).map_err(crypto_err)
    }
    fn open(&self, sealed: Vec<u8>, aad: Vec<u8>) -> Result<Vec<u8>, w_crypto::CryptoError> {
        // The plaintext must cross to the host: that is what opening is for.
        self.0.open(&sealed, &aad).map(|p| p.to_vec()).map_err(crypto_err)
    }
    fn export_to(&self, recipient: Vec<u8>) -> Result<Vec<u8>, w_crypto::CryptoError> {
        self.0.export_to(&recipient).map_err(crypto_err)
    }
    fn audit_key(&self) -> w_audit::AuditKey {
        w_audit::AuditKey::new(AuditKeyResource(self.0.audit_key()))
    }
    fn export_audit_key_to(&self, recipient: Vec<u8>) -> Result<Vec<u8>, w_crypto::CryptoError> {
        self.0.export_audit_key_to(&recipient).map_err(crypto_err)
    }
}

/// The resource behind `key-receiver`.
struct ReceiverResource(crypto::KeyReceiver);

impl w_crypto::GuestKeyReceiver for ReceiverResource {
    fn new() -> Self {
        ReceiverResource(crypto::KeyReceiver::new())
    }
    fn public_key(&self) -> Vec<u8> {
        self.0.public_key().to_vec()
    }
    fn accept(&self, blob: Vec<u8>) -> Result<w_crypto::MasterKey, w_crypto::CryptoError> {
        self.0.accept(&blob).map(|k| w_crypto::MasterKey::new(KeyResource(k))).map_err(crypto_err)
    }
    fn accept_audit_key(&self, blob: Vec<u8>) -> Result<w_audit::AuditKey, w_crypto::CryptoError> {
        self.0.accept_audit_key(&blob).map(|k| w_audit::AuditKey::new(AuditKeyResource(k))).map_err(crypto_err)
    }
}

impl w_crypto::Guest for Component {
    type MasterKey = KeyResource;
    type KeyReceiver = ReceiverResource;

    fn default_params() -> w_crypto::KdfParams {
        params_to_wit(crypto::KdfParams::default_fresh())
    }
    fn verify_signature(
        public_key: Vec<u8>,
        message: Vec<u8>,
        signature: Vec<u8>,
    ) -> Result<(), w_crypto::CryptoError> {
        crypto::verify_signature(&public_key, &message, &signature).map_err(crypto_err)
    }
    #[allow(clippy::too_many_arguments)]
    fn argon2id(
        password: Vec<u8>,
        salt: Vec<u8>,
        secret: Vec<u8>,
        ad: Vec<u8>,
        t_cost: u32,
        m_cost_kib: u32,
        p_cost: u32,
        out_len: u32,
    ) -> Result<Vec<u8>, w_crypto::CryptoError> {
        let mut out = vec![0u8; out_len as usize];
        crypto::argon2id(&password, &salt, &secret, &ad, t_cost, m_cost_kib, p_cost, &mut out).map_err(crypto_err)?;
        Ok(out)
    }
    fn sha256_hex(data: Vec<u8>) -> String {
        crypto::sha256_hex(&data)
    }
    fn describe_error(error: w_crypto::CryptoError) -> String {
        use crypto::CryptoError as E;
        use w_crypto::CryptoError as W;
        let e = match error {
            W::WrongPassphrase => E::WrongPassphrase,
            W::Tampered => E::Tampered,
            W::BadFormat => E::BadFormat,
            W::BadParameters => E::BadParameters,
            W::OutOfMemory => E::OutOfMemory,
            W::BadSignature => E::BadSignature,
        };
        e.to_string()
    }
}

fn outcome_to_wit(o: audit::Outcome) -> w_audit::Outcome {
    match o {
        audit::Outcome::Allowed => w_audit::Outcome::Allowed,
        audit::Outcome::Denied => w_audit::Outcome::Denied,
        audit::Outcome::Failed => w_audit::Outcome::Failed,
    }
}

fn event_from_wit(e: w_audit::Event) -> audit::Event {
    audit::Event {
        time_ms: e.time_ms,
        actor: e.actor,
        operation: e.operation,
        path: e.path,
        outcome: match e.outcome {
            w_audit::Outcome::Allowed => audit::Outcome::Allowed,
            w_audit::Outcome::Denied => audit::Outcome::Denied,
            w_audit::Outcome::Failed => audit::Outcome::Failed,
        },
        status: e.status,
        request_id: e.request_id,
        source_ip: e.source_ip,
        reason: e.reason,
    }
}

fn event_to_wit(e: audit::Event) -> w_audit::Event {
    w_audit::Event {
        time_ms: e.time_ms,
        actor: e.actor,
        operation: e.operation,
        path: e.path,
        outcome: outcome_to_wit(e.outcome),
        status: e.status,
        request_id: e.request_id,
        source_ip: e.source_ip,
        reason: e.reason,
    }
}

fn chain_err(e: audit::ChainError) -> w_audit::ChainError {
    w_audit::ChainError { line: e.line, reason: e.reason }
}

fn summary_to_wit(s: audit::ChainSummary) -> w_audit::ChainSummary {
    w_audit::ChainSummary { lines: s.lines, head: s.head, keyed: s.keyed, last_keyed: s.last_keyed }
}

/// The resource behind `audit-key`.
struct AuditKeyResource(audit::AuditKey);

impl w_audit::GuestAuditKey for AuditKeyResource {
    fn from_data_key(data_key: Vec<u8>) -> Option<w_audit::AuditKey> {
        audit::AuditKey::from_data_key(&data_key).map(|k| w_audit::AuditKey::new(AuditKeyResource(k)))
    }
    fn chain(&self, event: w_audit::Event, prev_hash: String) -> w_audit::ChainedLine {
        let c = self.0.chain(&event_from_wit(event), &prev_hash);
        w_audit::ChainedLine { line: c.line, hash: c.hash }
    }
    fn verify(&self, lines: Vec<String>) -> Result<w_audit::ChainSummary, w_audit::ChainError> {
        self.0.verify(&lines).map(summary_to_wit).map_err(chain_err)
    }
    fn head_mac(&self, lines: u64, hash: String) -> String {
        self.0.head_mac(lines, &hash)
    }
    fn anchor(&self, lines: u64, hash: String) -> String {
        self.0.anchor(lines, &hash)
    }
    fn check_anchor(&self, anchor: String) -> Result<(u64, String), w_audit::ChainError> {
        self.0.check_anchor(&anchor).map_err(chain_err)
    }
}

fn host_act_from_wit(a: w_audit::HostAct) -> audit::HostAct {
    use w_audit::HostAct as W;
    match a {
        W::AuditBreak(problems) => audit::HostAct::AuditBreak(problems),
        W::AuditResume((last_keyed, last_keyed_hash)) => audit::HostAct::AuditResume { last_keyed, last_keyed_hash },
        W::IdleLock => audit::HostAct::IdleLock,
        W::TrapLock => audit::HostAct::TrapLock,
        W::FailedAuthentications(s) => audit::HostAct::FailedAuthentications(audit::FailureSummary {
            count: s.count,
            first_ms: s.first_ms,
            last_ms: s.last_ms,
            ips: s.ips,
        }),
    }
}

impl w_audit::Guest for Component {
    type AuditKey = AuditKeyResource;

    fn host_event(act: w_audit::HostAct, time_ms: u64, request_id: String) -> w_audit::Event {
        event_to_wit(audit::host_event(&host_act_from_wit(act), time_ms, &request_id))
    }

    fn summarize(lines: Vec<String>) -> Result<w_audit::ChainSummary, w_audit::ChainError> {
        audit::summarize(&lines).map(summary_to_wit).map_err(chain_err)
    }
    fn genesis() -> String {
        audit::genesis()
    }
    fn encode(event: w_audit::Event) -> String {
        audit::encode(&event_from_wit(event))
    }
    fn chain(event: w_audit::Event, prev_hash: String) -> w_audit::ChainedLine {
        let c = audit::chain(&event_from_wit(event), &prev_hash);
        w_audit::ChainedLine { line: c.line, hash: c.hash }
    }
    fn verify(lines: Vec<String>) -> Result<(u64, String), w_audit::ChainError> {
        audit::verify(&lines).map_err(chain_err)
    }
}

fn request_from_wit(r: w_gate::ReadRequest) -> gate::ReadRequest {
    gate::ReadRequest {
        method: r.method,
        route: route_from_wit(r.route),
        path: r.path,
        cursor: r.cursor,
        limit: r.limit,
        delimiter: r.delimiter,
        authorization: r.authorization,
        time_ms: r.time_ms,
        request_id: r.request_id,
        source_ip: r.source_ip,
    }
}

fn record_from_wit(r: w_gate::ConnectionRecord) -> gate::ConnectionRecord {
    gate::ConnectionRecord {
        id: r.id,
        company_id: r.company_id,
        status: match r.status {
            w_gate::ConnectionStatus::Active => gate::ConnectionStatus::Active,
            w_gate::ConnectionStatus::Revoked => gate::ConnectionStatus::Revoked,
        },
        key_ref: r.key_ref,
        patterns: r.patterns,
        company_enabled: r.company_enabled,
    }
}

fn decision_to_wit(d: gate::Decision) -> w_gate::Decision {
    w_gate::Decision {
        status: d.status,
        code: d.code,
        message: d.message,
        error_body: d.error_body,
        headers: d.headers,
        plan: d.plan.map(|p| match p {
            gate::Plan::Object(k) => w_gate::Plan::Object(k),
            gate::Plan::List(l) => w_gate::Plan::List(w_gate::ListPlan {
                sources: l.sources.into_iter().map(source).collect(),
                start_source: l.start_source,
                start_inner: l.start_inner,
                limit: l.limit,
                delimited: l.delimited,
            }),
        }),
        audit: event_to_wit(d.audit),
        summarized: d.summarized,
    }
}

fn route_from_wit(r: w_gate::Route) -> gate::Route {
    match r {
        w_gate::Route::List => gate::Route::List,
        w_gate::Route::Object => gate::Route::Object,
    }
}

fn plan_from_wit(l: w_gate::ListPlan) -> gate::ListPlan {
    gate::ListPlan {
        sources: l
            .sources
            .into_iter()
            .map(|s| patterns::ListingSource { prefix: s.prefix, exact: s.exact, rollup: s.rollup })
            .collect(),
        start_source: l.start_source,
        start_inner: l.start_inner,
        limit: l.limit,
        delimited: l.delimited,
    }
}

impl w_gate::Guest for Component {
    fn credential_reference(authorization: Option<String>) -> Option<String> {
        gate::credential_reference(authorization.as_deref())
    }
    fn session_reference(authorization: Option<String>) -> Option<String> {
        gate::session_reference(authorization.as_deref())
    }
    fn decide(request: w_gate::ReadRequest, connection: Option<w_gate::ConnectionRecord>) -> w_gate::Decision {
        let record = connection.map(record_from_wit);
        decision_to_wit(gate::decide(&request_from_wit(request), record.as_ref()))
    }
    fn decide_session(
        request: w_gate::ReadRequest,
        session: Option<w_gate::SessionRecord>,
        connection: Option<w_gate::ConnectionRecord>,
    ) -> w_gate::Decision {
        let record = connection.map(record_from_wit);
        let session = session.map(session_from_wit);
        decision_to_wit(gate::decide_session(&request_from_wit(request), session.as_ref(), record.as_ref()))
    }
    fn not_found(request: w_gate::ReadRequest, connection: w_gate::ConnectionRecord) -> w_gate::Decision {
        decision_to_wit(gate::not_found(&request_from_wit(request), &record_from_wit(connection)))
    }
    fn encode_cursor(source: u32, inner: String) -> String {
        gate::encode_cursor(source, &inner)
    }
    fn error_body(code: String, message: String, request_id: String) -> String {
        gate::error_body(&code, &message, &request_id)
    }
    fn refuse_query(
        method: String,
        route: w_gate::Route,
        problem: String,
        time_ms: u64,
        request_id: String,
        source_ip: String,
    ) -> w_gate::Decision {
        decision_to_wit(gate::refuse_query(&method, route_from_wit(route), &problem, time_ms, &request_id, &source_ip))
    }
    fn list_folder(plan: w_gate::ListPlan, entries: Vec<w_gate::FolderEntry>) -> String {
        let entries = entries
            .into_iter()
            .map(|e| listing::FolderEntry { key: e.key, size: e.size, etag: e.etag, modified_ms: e.modified_ms })
            .collect();
        serde_json::to_string(&listing::list_folder(plan_from_wit(plan), entries)).unwrap_or_default()
    }
    fn snippet_folder(patterns: Vec<String>) -> String {
        gate::snippet_folder(&patterns)
    }
    fn agent_snippet(options: w_gate::SnippetOptions) -> String {
        gate::agent_snippet(&gate::SnippetOptions {
            base: &options.base,
            patterns: &options.patterns,
            ca_file: options.ca_file.as_deref(),
            files_root: &options.files_root,
        })
    }
    fn identity_snippet(options: w_gate::SnippetOptions, connection_id: String) -> String {
        gate::identity_snippet(
            &gate::SnippetOptions {
                base: &options.base,
                patterns: &options.patterns,
                ca_file: options.ca_file.as_deref(),
                files_root: &options.files_root,
            },
            &connection_id,
        )
    }
    fn pattern_place(pattern: String, root: String) -> String {
        gate::pattern_place(&pattern, &root)
    }
}

fn preconditions(p: &w_http::Preconditions) -> http::Preconditions<'_> {
    http::Preconditions {
        if_none_match: p.if_none_match.as_deref(),
        range: p.range.as_deref(),
        if_range: p.if_range.as_deref(),
    }
}

fn session_from_wit(s: w_gate::SessionRecord) -> gate::SessionRecord {
    gate::SessionRecord {
        reference: s.reference,
        connection_id: s.connection_id,
        key_ref: s.key_ref,
        expires_at_ms: s.expires_at_ms,
    }
}

fn session_to_wit(s: gate::SessionRecord) -> w_gate::SessionRecord {
    w_gate::SessionRecord {
        reference: s.reference,
        connection_id: s.connection_id,
        key_ref: s.key_ref,
        expires_at_ms: s.expires_at_ms,
    }
}

fn nonce_from_wit(n: w_identity::NonceRecord) -> identity::NonceRecord {
    identity::NonceRecord {
        nonce: n.nonce,
        connection_id: n.connection_id,
        expires_at_ms: n.expires_at_ms,
        used: n.used,
    }
}

fn auth_request_from_wit(r: w_identity::AuthRequest) -> identity::AuthRequest {
    identity::AuthRequest {
        connection_id: r.connection_id,
        network: r.network,
        public_key: r.public_key,
        nonce: r.nonce,
        signature: r.signature,
        authorization: r.authorization,
        time_ms: r.time_ms,
        request_id: r.request_id,
        source_ip: r.source_ip,
    }
}

fn identity_from_wit(c: w_identity::IdentityConnection) -> identity::IdentityConnection {
    identity::IdentityConnection { connection: record_from_wit(c.connection), public_key: c.public_key, name: c.name }
}

fn auth_decision_to_wit(d: identity::AuthDecision) -> w_identity::AuthDecision {
    w_identity::AuthDecision {
        status: d.status,
        code: d.code,
        message: d.message,
        error_body: d.error_body,
        nonce: d.nonce.map(|n| w_identity::NonceRecord {
            nonce: n.nonce,
            connection_id: n.connection_id,
            expires_at_ms: n.expires_at_ms,
            used: n.used,
        }),
        session: d.session.map(|g| w_identity::SessionGrant {
            token: g.token.expose_secret().to_owned(),
            session: session_to_wit(g.session),
        }),
        audit: event_to_wit(d.audit),
    }
}

impl w_identity::Guest for Component {
    fn nonce_lifetime_ms() -> u64 {
        identity::NONCE_LIFETIME_MS
    }
    fn session_lifetime_ms() -> u64 {
        identity::SESSION_LIFETIME_MS
    }
    fn check_public_key(text: String) -> Result<Vec<u8>, w_identity::KeyError> {
        identity::check_public_key(&text).map_err(|e| match e {
            identity::KeyError::NotBase64 => w_identity::KeyError::NotBase64,
            identity::KeyError::WrongLength => w_identity::KeyError::WrongLength,
            identity::KeyError::WeakKey => w_identity::KeyError::WeakKey,
        })
    }
    fn describe_key_error(error: w_identity::KeyError) -> String {
        match error {
            w_identity::KeyError::NotBase64 => identity::KeyError::NotBase64,
            w_identity::KeyError::WrongLength => identity::KeyError::WrongLength,
            w_identity::KeyError::WeakKey => identity::KeyError::WeakKey,
        }
        .to_string()
    }
    fn key_reference(public_key: Vec<u8>) -> String {
        identity::key_reference(&public_key)
    }
    fn challenge_message(nonce: String, connection_id: String) -> Vec<u8> {
        identity::challenge_message(&nonce, &connection_id)
    }
    fn challenge(
        request: w_identity::AuthRequest,
        connection: Option<w_identity::IdentityConnection>,
    ) -> w_identity::AuthDecision {
        let conn = connection.map(identity_from_wit);
        auth_decision_to_wit(identity::challenge(&auth_request_from_wit(request), conn.as_ref()))
    }
    fn verify(
        request: w_identity::AuthRequest,
        nonce: Option<w_identity::NonceRecord>,
        connection: Option<w_identity::IdentityConnection>,
    ) -> w_identity::AuthDecision {
        let conn = connection.map(identity_from_wit);
        let nonce = nonce.map(nonce_from_wit);
        auth_decision_to_wit(identity::verify(&auth_request_from_wit(request), nonce.as_ref(), conn.as_ref()))
    }
}

impl w_http::Guest for Component {
    fn object_head(
        request: w_http::Preconditions,
        representation: w_http::Representation,
        key: String,
        request_id: String,
        now_ms: u64,
    ) -> w_http::AnswerHead {
        let rep = http::Representation {
            size: representation.size,
            etag: &representation.etag,
            modified_ms: representation.modified_ms,
        };
        let h = http::object_head(&preconditions(&request), &rep, &key, &request_id, now_ms);
        w_http::AnswerHead {
            status: h.status,
            headers: h.headers,
            offset: h.offset,
            length: h.length,
            error_body: h.error_body,
        }
    }
    fn answer(
        request: w_http::Preconditions,
        representation: w_http::Representation,
        now_ms: u64,
    ) -> w_http::ReadAnswer {
        let pre = preconditions(&request);
        let rep = http::Representation {
            size: representation.size,
            etag: &representation.etag,
            modified_ms: representation.modified_ms,
        };
        match http::answer(&pre, &rep, now_ms) {
            http::Answer::NotModified => w_http::ReadAnswer::NotModified,
            http::Answer::Full => w_http::ReadAnswer::Full,
            http::Answer::Partial { start, end } => w_http::ReadAnswer::Partial(w_http::ByteSpan { start, end }),
            http::Answer::Unsatisfiable => w_http::ReadAnswer::Unsatisfiable,
        }
    }
}

/// Convert between a unit enum of this crate and its WIT twin, both ways, variant by variant.
macro_rules! enum_twins {
    ($to:ident, $from:ident, $rust:path, $wit:path, [$($v:ident),* $(,)?]) => {
        fn $to(x: $rust) -> $wit {
            use $rust as R;
            use $wit as W;
            match x { $(R::$v => W::$v),* }
        }
        fn $from(x: $wit) -> $rust {
            use $rust as R;
            use $wit as W;
            match x { $(W::$v => R::$v),* }
        }
    };
}

enum_twins!(
    op_to_wit,
    op_from_wit,
    policy::Operation,
    w_policy::Operation,
    [
        Health,
        Unlock,
        Lock,
        PassphraseChange,
        SecretGet,
        SecretPut,
        SecretDelete,
        SecretList,
        TokenCreate,
        TokenList,
        TokenRevoke,
        AuditRead,
        AuditFollow,
        ConnectionCreate,
        ConnectionList,
        ConnectionGet,
        ConnectionRotate,
        ConnectionRevoke,
        ConnectionAudit,
        PatternCheck,
        SettingsRead,
        SettingsWrite,
        IdentityRegister,
        IdentityList,
        IdentityRevoke,
        OrgCreate,
        ProjectCreate,
        AccessRequestCreate,
        AccessRequestList,
        AccessRequestApprove,
        AccessRequestDeny,
    ]
);
enum_twins!(
    problem_to_wit,
    problem_from_wit,
    policy::CredentialProblem,
    w_policy::CredentialProblem,
    [Missing, Malformed, WrongKind, Unknown,]
);
enum_twins!(role_to_wit, role_from_wit, policy::Role, w_policy::Role, [Owner, Admin, Member, Readonly]);
enum_twins!(
    input_to_wit,
    input_from_wit,
    policy::InputKind,
    w_policy::InputKind,
    [
        BadJson,
        BodyTooLarge,
        BodyTimeout,
        BadQuery,
        BadValue,
        ValueTooLarge,
        BadType,
        BadDescription,
        BadName,
        BadTtl,
        BadMaxUses,
        BadPrefix,
        BadPatterns,
        BadMechanism,
        WeakPassphrase,
        BadCursor,
        BadPublicKey,
        BadRole,
        BadJustification,
    ]
);
enum_twins!(ikind_to_wit, ikind_from_wit, policy::IdentityKind, w_policy::IdentityKind, [Agent, Human]);
enum_twins!(
    refusal_to_wit,
    refusal_from_wit,
    policy::DecideRefusal,
    w_policy::DecideRefusal,
    [AgentCannotDecide, OwnRequest, NotOrgAdmin, RoleAboveApprover]
);

fn access_request_from_wit(r: w_policy::AccessRequest) -> policy::AccessRequest {
    policy::AccessRequest {
        id: r.id,
        identity_id: r.identity_id,
        org: r.org,
        project: r.project,
        role: role_from_wit(r.role),
        status: r.status,
    }
}

fn rules_from_wit(r: w_tokens::TokenRules) -> tokens::TokenRules {
    tokens::TokenRules {
        expires_at_ms: r.expires_at_ms,
        max_uses: r.max_uses,
        uses: r.uses,
        revoked: r.revoked,
        scope: r.scope,
    }
}

fn rules_to_wit(r: tokens::TokenRules) -> w_tokens::TokenRules {
    w_tokens::TokenRules {
        expires_at_ms: r.expires_at_ms,
        max_uses: r.max_uses,
        uses: r.uses,
        revoked: r.revoked,
        scope: r.scope,
    }
}

fn caller_from_wit(c: w_policy::Caller) -> policy::Caller {
    use w_policy::Caller as W;
    match c {
        W::Anonymous(p) => policy::Caller::Anonymous(problem_from_wit(p)),
        W::Owner => policy::Caller::Owner,
        W::Managed(t) => policy::Caller::Managed(policy::ManagedToken { name: t.name, rules: rules_from_wit(t.rules) }),
        W::Session(s) => policy::Caller::Session(policy::IdentitySession {
            id: s.id,
            kind: ikind_from_wit(s.kind),
            name: s.name,
            memberships: s
                .memberships
                .into_iter()
                .map(|m| policy::Membership { org: m.org, project: m.project, role: role_from_wit(m.role) })
                .collect(),
            expires_at_ms: s.expires_at_ms,
        }),
        W::CompanyAdmin(a) => policy::Caller::CompanyAdmin(policy::CompanyAdmin {
            name: a.name,
            company_id: a.company_id,
            role: role_from_wit(a.role),
        }),
    }
}

fn policy_request_from_wit(r: w_policy::Request) -> policy::Request {
    policy::Request {
        operation: op_from_wit(r.operation),
        caller: caller_from_wit(r.caller),
        target: r.target,
        company: r.company,
        query_problem: r.query_problem,
        locked: r.locked,
        time_ms: r.time_ms,
        request_id: r.request_id,
        source_ip: r.source_ip,
    }
}

fn admission_to_wit(a: policy::Admission) -> w_policy::Admission {
    w_policy::Admission { target: a.target, actor: a.actor, count_use: a.count_use, scoped: a.scoped }
}

fn admission_from_wit(a: w_policy::Admission) -> policy::Admission {
    policy::Admission { target: a.target, actor: a.actor, count_use: a.count_use, scoped: a.scoped }
}

fn policy_decision_to_wit(d: policy::Decision) -> w_policy::Decision {
    w_policy::Decision {
        status: d.status,
        code: d.code,
        message: d.message,
        error_body: d.error_body,
        headers: d.headers,
        audit: d.audit.map(event_to_wit),
        summarized: d.summarized,
    }
}

fn problem_input_to_wit(p: policy::InputProblem) -> w_policy::InputProblem {
    w_policy::InputProblem {
        kind: input_to_wit(p.kind),
        detail: p.detail,
        rejections: p
            .rejections
            .into_iter()
            .map(|r| w_policy::PatternRejection {
                index: r.index,
                pattern: r.pattern,
                reason: r.reason,
                message: r.message,
            })
            .collect(),
    }
}

fn effect_from_wit(e: w_policy::Effect) -> policy::Effect {
    use policy::Effect as E;
    use w_policy::Effect as W;
    match e {
        W::Done => E::Done,
        W::Created => E::Created,
        W::Replaced => E::Replaced,
        W::NotFound => E::NotFound,
        W::Exists => E::Exists,
        W::NameTaken => E::NameTaken,
        W::ConnectionRevoked => E::ConnectionRevoked,
        W::Tampered => E::Tampered,
        W::WrongPassphrase => E::WrongPassphrase,
        W::LockedMeanwhile => E::LockedMeanwhile,
        W::Locked => E::Locked,
        W::NotInitialized => E::NotInitialized,
        W::BadInput(p) => E::BadInput(policy::InputProblem {
            kind: input_from_wit(p.kind),
            detail: p.detail,
            rejections: p
                .rejections
                .into_iter()
                .map(|r| policy::PatternRejection {
                    index: r.index,
                    pattern: r.pattern,
                    reason: r.reason,
                    message: r.message,
                })
                .collect(),
        }),
        W::AlreadyDecided => E::AlreadyDecided,
        W::KeyTaken => E::KeyTaken,
        W::NotPermitted(r) => E::NotPermitted(refusal_from_wit(r)),
        W::Failed(what) => E::Failed(what),
    }
}

impl w_policy::Guest for Component {
    fn operation_name(operation: w_policy::Operation) -> String {
        op_from_wit(operation).name().to_owned()
    }
    fn credential(authorization: Option<String>) -> Result<String, w_policy::CredentialProblem> {
        policy::credential(authorization.as_deref()).map_err(problem_to_wit)
    }
    fn admit(request: w_policy::Request) -> Result<w_policy::Admission, w_policy::Decision> {
        policy::admit(&policy_request_from_wit(request)).map(admission_to_wit).map_err(|d| policy_decision_to_wit(*d))
    }
    fn conclude(
        request: w_policy::Request,
        admission: w_policy::Admission,
        effect: w_policy::Effect,
        subject: Option<String>,
    ) -> w_policy::Decision {
        policy_decision_to_wit(policy::conclude(
            &policy_request_from_wit(request),
            &admission_from_wit(admission),
            &effect_from_wit(effect),
            subject.as_deref(),
        ))
    }
    fn refuse_route(allow: Option<String>, time_ms: u64, request_id: String, source_ip: String) -> w_policy::Decision {
        policy_decision_to_wit(policy::refuse_route(allow.as_deref(), time_ms, &request_id, &source_ip))
    }
    fn visible(caller: w_policy::Caller, path: String, time_ms: u64) -> bool {
        policy::visible(&caller_from_wit(caller), &path, time_ms)
    }
    fn check_token_request(
        name: String,
        ttl: Option<String>,
        max_uses: Option<u32>,
        prefixes: Vec<String>,
        now_ms: u64,
    ) -> Result<w_tokens::TokenRules, w_policy::InputProblem> {
        policy::token_rules(&name, ttl.as_deref(), max_uses, &prefixes, now_ms)
            .map(rules_to_wit)
            .map_err(problem_input_to_wit)
    }
    fn check_connection_request(
        name: String,
        mechanism: Option<String>,
        patterns: Vec<String>,
    ) -> Result<Vec<String>, w_policy::InputProblem> {
        policy::connection_patterns(&name, mechanism.as_deref(), &patterns).map_err(problem_input_to_wit)
    }
    fn connection_name_taken(name: String, active: Vec<String>) -> bool {
        policy::connection_name_taken(&name, &active)
    }
    fn decide_problem(caller: w_policy::Caller, request: w_policy::AccessRequest) -> Option<w_policy::DecideRefusal> {
        policy::decide_problem(&caller_from_wit(caller), &access_request_from_wit(request)).map(refusal_to_wit)
    }
    fn access_request_visible(caller: w_policy::Caller, request: w_policy::AccessRequest) -> bool {
        policy::access_request_visible(&caller_from_wit(caller), &access_request_from_wit(request))
    }
    fn check_identity_registration(
        name: String,
        kind: String,
        public_key: String,
    ) -> Result<(w_policy::IdentityKind, String), w_policy::InputProblem> {
        policy::identity_registration(&name, &kind, &public_key)
            .map(|(k, reference)| (ikind_to_wit(k), reference))
            .map_err(problem_input_to_wit)
    }
    fn check_org_name(name: String) -> Result<(), w_policy::InputProblem> {
        policy::org_name(&name).map_err(problem_input_to_wit)
    }
    fn check_access_request(
        org: String,
        project: Option<String>,
        role: String,
        justification: String,
    ) -> Result<w_policy::Role, w_policy::InputProblem> {
        policy::access_request_input(&org, project.as_deref(), &role, &justification)
            .map(role_to_wit)
            .map_err(problem_input_to_wit)
    }
}
