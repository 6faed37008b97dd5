//! `vault.db`: SQLite (bundled), WAL, `synchronous=FULL`. It holds only ciphertext, nonces (inside
//! the sealed blobs), metadata and token references. Every write is one statement, so a crash
//! leaves a secret wholly old or wholly new.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};

use crate::host::wit::crypto::{KdfParams, NewVault};
use crate::host::wit::gate::{ConnectionRecord, ConnectionStatus, SessionRecord};
use crate::host::wit::identity::NonceRecord;
use crate::host::wit::tokens::TokenRules;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS secrets (
    path TEXT PRIMARY KEY,
    sealed BLOB NOT NULL,
    size INTEGER NOT NULL,
    type TEXT,
    description TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    reference TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    expires_at_ms INTEGER,
    max_uses INTEGER,
    uses INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0,
    scope TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS tokens_live_name ON tokens (name) WHERE revoked = 0;
CREATE TABLE IF NOT EXISTS connections (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_ref TEXT NOT NULL UNIQUE,
    patterns TEXT NOT NULL,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    rotated_ms INTEGER
);
CREATE TABLE IF NOT EXISTS identity_keys (connection TEXT PRIMARY KEY, public_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identity_nonces (
    nonce TEXT PRIMARY KEY, connection TEXT NOT NULL, expires_at_ms INTEGER NOT NULL, used INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS identity_sessions (
    ref TEXT PRIMARY KEY, connection TEXT NOT NULL, key_ref TEXT NOT NULL, expires_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS identities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    key_ref TEXT NOT NULL,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS identities_live_name ON identities (name) WHERE status = 'active';
CREATE TABLE IF NOT EXISTS orgs (name TEXT PRIMARY KEY, created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS projects (
    org TEXT NOT NULL, name TEXT NOT NULL, created_ms INTEGER NOT NULL, PRIMARY KEY (org, name)
);
CREATE TABLE IF NOT EXISTS memberships (
    identity TEXT NOT NULL, org TEXT NOT NULL, project TEXT, role TEXT NOT NULL, created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS access_requests (
    id TEXT PRIMARY KEY,
    identity TEXT NOT NULL,
    org TEXT NOT NULL,
    project TEXT,
    role TEXT NOT NULL,
    justification TEXT NOT NULL,
    status TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    decided_by TEXT,
    decided_ms INTEGER,
    reason TEXT
);
";

/// An identity's row (network mode): never its public key, only the key's reference.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IdentityRow {
    pub id: String,
    pub name: String,
    /// `agent` or `human`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip)]
    pub key_ref: String,
    /// `active` or `revoked`.
    pub status: String,
    pub created_ms: u64,
}

/// A membership: a role in an org, for one project or (`None`) all of them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MembershipRow {
    pub org: String,
    pub project: Option<String>,
    /// `admin`, `member` or `readonly`.
    pub role: String,
}

/// An access request's row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccessRequestRow {
    pub id: String,
    pub identity_id: String,
    pub org: String,
    pub project: Option<String>,
    pub role: String,
    pub justification: String,
    /// `pending`, `approved` or `denied`.
    pub status: String,
    pub created_ms: u64,
    pub decided_by: Option<String>,
    pub decided_ms: Option<u64>,
    pub reason: Option<String>,
}

/// The key record as `meta` holds it: JSON, byte strings in hex (the format every vault since
/// 0.1 was written in).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredVault {
    #[serde(with = "hex::serde")]
    wrapped_key: Vec<u8>,
    params: StoredParams,
}

/// The Argon2id parameters of [`StoredVault`].
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredParams {
    #[serde(with = "hex::serde")]
    salt: Vec<u8>,
    t_cost: u32,
    m_cost_kib: u32,
    p_cost: u32,
}

impl From<StoredVault> for NewVault {
    fn from(v: StoredVault) -> NewVault {
        let p = v.params;
        NewVault {
            wrapped_key: v.wrapped_key,
            params: KdfParams { salt: p.salt, t_cost: p.t_cost, m_cost_kib: p.m_cost_kib, p_cost: p.p_cost },
        }
    }
}

impl From<&NewVault> for StoredVault {
    fn from(v: &NewVault) -> StoredVault {
        let p = &v.params;
        StoredVault {
            wrapped_key: v.wrapped_key.clone(),
            params: StoredParams { salt: p.salt.clone(), t_cost: p.t_cost, m_cost_kib: p.m_cost_kib, p_cost: p.p_cost },
        }
    }
}

/// A secret's metadata (never its value).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SecretMeta {
    pub path: String,
    pub size: u64,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub description: Option<String>,
    pub created_ms: u64,
    pub updated_ms: u64,
}

/// Before 0.1's name reuse, `tokens` was keyed by name, so a revoked token kept its name for ever.
/// Such a table is rebuilt keyed by reference, its rows kept, in one transaction.
const TOKENS_BY_NAME: &str = "name TEXT PRIMARY KEY";
const REKEY_TOKENS: &str = "
CREATE TABLE tokens_by_reference (
    reference TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    expires_at_ms INTEGER,
    max_uses INTEGER,
    uses INTEGER NOT NULL DEFAULT 0,
    revoked INTEGER NOT NULL DEFAULT 0,
    scope TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
INSERT INTO tokens_by_reference (reference, name, expires_at_ms, max_uses, uses, revoked, scope, created_ms)
    SELECT reference, name, expires_at_ms, max_uses, uses, revoked, scope, created_ms FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_by_reference RENAME TO tokens;
";

/// A managed token's row. Its name is unique among tokens not revoked: revoking a token frees its
/// name for a new one, while the revoked row stays (its holder is told it was revoked).
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// The token's reference (SHA-256 hex of the token; not a secret), its row's key.
    pub reference: String,
    pub name: String,
    pub rules: TokenRules,
    pub created_ms: u64,
}

/// A connection's row.
#[derive(Debug, Clone)]
pub struct ConnectionRow {
    pub record: ConnectionRecord,
    pub name: String,
    pub created_ms: u64,
    pub rotated_ms: Option<u64>,
    /// An `agent_identity` connection's Ed25519 public key (standard base64; table
    /// `identity_keys`); `None` for `api_key`.
    pub public_key: Option<String>,
}

/// `vault.db`: the SQLite database of one vault (named so, beside `wasmtime::Store`).
pub struct VaultDb {
    conn: Connection,
}

fn u(v: i64) -> u64 {
    v.max(0) as u64
}

impl VaultDb {
    /// Open (or create) `vault.db`, mode 0600.
    pub fn open(path: &Path) -> Result<VaultDb> {
        let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Self::rekey_tokens(&conn)?;
        conn.execute_batch(SCHEMA).context("creating the vault schema")?;
        Ok(VaultDb { conn })
    }

    /// Rebuild a `tokens` table keyed by name (see [`REKEY_TOKENS`]); nothing to do otherwise.
    fn rekey_tokens(conn: &Connection) -> Result<()> {
        let sql: Option<String> = conn
            .query_row("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tokens'", [], |r| r.get(0))
            .optional()?;
        if sql.is_some_and(|s| s.contains(TOKENS_BY_NAME)) {
            conn.execute_batch(&format!("BEGIN IMMEDIATE; {REKEY_TOKENS} COMMIT;"))
                .context("rebuilding the tokens table keyed by reference")?;
        }
        Ok(())
    }

    /// Begin a write transaction (`BEGIN IMMEDIATE`): every call on this store until
    /// [`VaultDb::commit`] or [`VaultDb::rollback`] belongs to it.
    pub fn begin(&self) -> Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE").context("beginning a transaction")
    }

    /// Commit the transaction [`VaultDb::begin`] opened.
    pub fn commit(&self) -> Result<()> {
        self.conn.execute_batch("COMMIT").context("committing")
    }

    /// Open a savepoint inside the transaction [`VaultDb::begin`] opened: one job of a group
    /// commit (`daemon::writer`).
    pub fn savepoint(&self) -> Result<()> {
        self.conn.execute_batch("SAVEPOINT job").context("opening a savepoint")
    }

    /// Keep what was done since [`VaultDb::savepoint`], as part of the transaction.
    pub fn release_savepoint(&self) -> Result<()> {
        self.conn.execute_batch("RELEASE job").context("releasing a savepoint")
    }

    /// Undo what was done since [`VaultDb::savepoint`] and close it; the transaction stays open.
    pub fn rollback_savepoint(&self) -> Result<()> {
        self.conn.execute_batch("ROLLBACK TO job; RELEASE job").context("rolling back a savepoint")
    }

    /// Roll back the transaction [`VaultDb::begin`] opened, if one is open.
    pub fn rollback(&self) -> Result<()> {
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("ROLLBACK").context("rolling back")?;
        }
        Ok(())
    }

    /// Open an existing `vault.db` to read only: nothing is created, no mode is changed, the
    /// schema is left as it is (`doctor`). A missing file is an error. Without a `-wal` file (no
    /// daemon has it open) the database is opened `immutable`, because a read-only reader of a WAL
    /// database would otherwise create `-wal` and `-shm` files beside it.
    pub fn open_read_only(path: &Path) -> Result<VaultDb> {
        use rusqlite::OpenFlags;
        const URI: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b'%').add(b'?').add(b'#');
        let wal = path.with_file_name(format!("{}-wal", path.file_name().unwrap_or_default().to_string_lossy()));
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let file = percent_encoding::utf8_percent_encode(&path.to_string_lossy(), URI).to_string();
        let uri = if wal.exists() { format!("file:{file}") } else { format!("file:{file}?immutable=1") };
        if !path.is_file() {
            anyhow::bail!("{} does not exist", path.display());
        }
        let conn = Connection::open_with_flags(&uri, flags).with_context(|| format!("opening {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(VaultDb { conn })
    }

    /// The wrapped data key and its KDF parameters, if the vault was initialized.
    pub fn vault(&self) -> Result<Option<NewVault>> {
        let v: Option<String> =
            self.conn.prepare_cached("SELECT v FROM meta WHERE k = 'vault'")?.query_row([], |r| r.get(0)).optional()?;
        v.map(|s| {
            serde_json::from_str::<StoredVault>(&s).map(NewVault::from).context("the vault's key record is damaged")
        })
        .transpose()
    }

    /// A value of the `meta` table.
    pub fn meta(&self, k: &str) -> Result<Option<String>> {
        Ok(self.conn.prepare_cached("SELECT v FROM meta WHERE k = ?1")?.query_row([k], |r| r.get(0)).optional()?)
    }

    /// Set a value of the `meta` table.
    pub fn set_meta(&self, k: &str, v: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (k, v) VALUES (?1, ?2) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
            params![k, v],
        )?;
        Ok(())
    }

    /// Store the wrapped data key (init and passphrase change).
    pub fn set_vault(&self, v: &NewVault) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (k, v) VALUES ('vault', ?1) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
            params![serde_json::to_string(&StoredVault::from(v))?],
        )?;
        Ok(())
    }

    pub fn put_secret(&self, meta: &SecretMeta, sealed: &[u8]) -> Result<bool> {
        let existed = self.secret_meta(&meta.path)?.is_some();
        self.conn.execute(
            "INSERT INTO secrets (path, sealed, size, type, description, created_ms, updated_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
             ON CONFLICT(path) DO UPDATE SET sealed = excluded.sealed, size = excluded.size,
               type = excluded.type, description = excluded.description, updated_ms = excluded.updated_ms",
            params![meta.path, sealed, meta.size as i64, meta.kind, meta.description, meta.updated_ms as i64],
        )?;
        Ok(!existed)
    }

    fn meta_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<SecretMeta> {
        Ok(SecretMeta {
            path: r.get(0)?,
            size: u(r.get(1)?),
            kind: r.get(2)?,
            description: r.get(3)?,
            created_ms: u(r.get(4)?),
            updated_ms: u(r.get(5)?),
        })
    }

    pub fn secret_meta(&self, path: &str) -> Result<Option<SecretMeta>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT path, size, type, description, created_ms, updated_ms FROM secrets WHERE path = ?1",
            )?
            .query_row(params![path], Self::meta_of)
            .optional()?)
    }

    pub fn get_secret(&self, path: &str) -> Result<Option<(SecretMeta, Vec<u8>)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT path, size, type, description, created_ms, updated_ms, sealed FROM secrets WHERE path = ?1",
            )?
            .query_row(params![path], |r| Ok((Self::meta_of(r)?, r.get::<_, Vec<u8>>(6)?)))
            .optional()?)
    }

    pub fn delete_secret(&self, path: &str) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM secrets WHERE path = ?1", params![path])? > 0)
    }

    /// Secrets whose path starts with `prefix`, in path order.
    pub fn list_secrets(&self, prefix: &str) -> Result<Vec<SecretMeta>> {
        let mut st = self.conn.prepare(
            "SELECT path, size, type, description, created_ms, updated_ms FROM secrets
             WHERE substr(path, 1, length(?1)) = ?1 ORDER BY path",
        )?;
        let rows = st.query_map(params![prefix], Self::meta_of)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Insert a token; `false` when a token of that name is not revoked (the name is taken).
    pub fn insert_token(&self, name: &str, reference: &str, rules: &TokenRules, now_ms: u64) -> Result<bool> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO tokens (name, reference, expires_at_ms, max_uses, uses, revoked, scope, created_ms)
             VALUES (?1, ?2, ?3, ?4, 0, 0, ?5, ?6)",
            params![
                name,
                reference,
                rules.expires_at_ms.map(|v| v as i64),
                rules.max_uses,
                serde_json::to_string(&rules.scope)?,
                now_ms as i64
            ],
        )?;
        Ok(n == 1)
    }

    fn token_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRow> {
        let scope: String = r.get(5)?;
        Ok(TokenRow {
            reference: r.get(7)?,
            name: r.get(0)?,
            rules: TokenRules {
                expires_at_ms: r.get::<_, Option<i64>>(1)?.map(u),
                max_uses: r.get(2)?,
                uses: r.get(3)?,
                revoked: r.get::<_, i64>(4)? != 0,
                scope: serde_json::from_str(&scope).unwrap_or_default(),
            },
            created_ms: u(r.get(6)?),
        })
    }

    pub fn token_by_reference(&self, reference: &str) -> Result<Option<TokenRow>> {
        Ok(self.conn.prepare_cached("SELECT name, expires_at_ms, max_uses, uses, revoked, scope, created_ms, reference FROM tokens WHERE reference = ?1")?.query_row(params![reference],
                Self::token_of,
            )
            .optional()?)
    }

    /// The token of this name that is not revoked, else the newest revoked one.
    pub fn token_by_name(&self, name: &str) -> Result<Option<TokenRow>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT name, expires_at_ms, max_uses, uses, revoked, scope, created_ms, reference FROM tokens WHERE name = ?1
                 ORDER BY revoked, created_ms DESC LIMIT 1",
            )?
            .query_row(params![name], Self::token_of)
            .optional()?)
    }

    pub fn list_tokens(&self) -> Result<Vec<TokenRow>> {
        let mut st = self.conn.prepare(
            "SELECT name, expires_at_ms, max_uses, uses, revoked, scope, created_ms, reference FROM tokens ORDER BY created_ms, name",
        )?;
        let rows = st.query_map([], Self::token_of)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Revoke the token of this name that is not revoked (there is at most one); its name is then
    /// free. `false`: none was active.
    pub fn revoke_token(&self, name: &str) -> Result<bool> {
        Ok(self.conn.execute("UPDATE tokens SET revoked = 1 WHERE name = ?1 AND revoked = 0", params![name])? > 0)
    }

    /// Count one use of a token (the caller has already asked the core that it may be used).
    pub fn spend_use(&self, reference: &str) -> Result<()> {
        self.conn.execute("UPDATE tokens SET uses = uses + 1 WHERE reference = ?1", params![reference])?;
        Ok(())
    }

    /// Give back a use counted for an operation that was then not performed.
    pub fn refund_use(&self, reference: &str) -> Result<()> {
        self.conn.execute("UPDATE tokens SET uses = uses - 1 WHERE reference = ?1 AND uses > 0", params![reference])?;
        Ok(())
    }

    pub fn insert_connection(&self, row: &ConnectionRow) -> Result<()> {
        self.conn.execute(
            "INSERT INTO connections (id, name, key_ref, patterns, status, created_ms, rotated_ms)
             VALUES (?1, ?2, ?3, ?4, 'active', ?5, NULL)",
            params![
                row.record.id,
                row.name,
                row.record.key_ref,
                serde_json::to_string(&row.record.patterns)?,
                row.created_ms as i64
            ],
        )?;
        Ok(())
    }

    fn connection_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<ConnectionRow> {
        let patterns: String = r.get(3)?;
        let status: String = r.get(4)?;
        Ok(ConnectionRow {
            record: ConnectionRecord {
                id: r.get(0)?,
                company_id: "local".to_owned(),
                status: if status == "revoked" { ConnectionStatus::Revoked } else { ConnectionStatus::Active },
                key_ref: r.get(2)?,
                patterns: serde_json::from_str(&patterns).unwrap_or_default(),
                company_enabled: true,
            },
            name: r.get(1)?,
            created_ms: u(r.get(5)?),
            rotated_ms: r.get::<_, Option<i64>>(6)?.map(u),
            public_key: r.get(7)?,
        })
    }

    const CONN_COLS: &'static str = "id, name, key_ref, patterns, status, created_ms, rotated_ms, \
        (SELECT public_key FROM identity_keys WHERE connection = connections.id)";

    pub fn connection(&self, id: &str) -> Result<Option<ConnectionRow>> {
        let sql = format!("SELECT {} FROM connections WHERE id = ?1", Self::CONN_COLS);
        Ok(self.conn.prepare_cached(&sql)?.query_row(params![id], Self::connection_of).optional()?)
    }

    pub fn connection_by_key(&self, key_ref: &str) -> Result<Option<ConnectionRow>> {
        let sql = format!("SELECT {} FROM connections WHERE key_ref = ?1", Self::CONN_COLS);
        Ok(self.conn.prepare_cached(&sql)?.query_row(params![key_ref], Self::connection_of).optional()?)
    }

    pub fn list_connections(&self) -> Result<Vec<ConnectionRow>> {
        let sql = format!("SELECT {} FROM connections ORDER BY created_ms, id", Self::CONN_COLS);
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], Self::connection_of)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn rotate_connection(&self, id: &str, key_ref: &str, now_ms: u64) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE connections SET key_ref = ?2, rotated_ms = ?3 WHERE id = ?1 AND status = 'active'",
            params![id, key_ref, now_ms as i64],
        )? > 0)
    }

    /// Set (create, rotate) an agent identity's public key.
    pub fn set_public_key(&self, id: &str, public_key: &str) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO identity_keys (connection, public_key) VALUES (?1, ?2)",
            params![id, public_key],
        )?;
        Ok(())
    }

    /// Store a challenge's nonce; nonces and sessions that ended before `stale_ms` are dropped.
    pub fn insert_nonce(&self, n: &NonceRecord, stale_ms: u64) -> Result<()> {
        self.conn.execute("DELETE FROM identity_nonces WHERE expires_at_ms < ?1", params![stale_ms as i64])?;
        self.conn.execute("DELETE FROM identity_sessions WHERE expires_at_ms < ?1", params![stale_ms as i64])?;
        self.conn.execute(
            "INSERT OR REPLACE INTO identity_nonces (nonce, connection, expires_at_ms, used) VALUES (?1, ?2, ?3, 0)",
            params![n.nonce, n.connection_id, n.expires_at_ms as i64],
        )?;
        Ok(())
    }

    /// The nonce's record as it was, and spend it (single use, whatever the answer).
    pub fn spend_nonce(&self, nonce: &str) -> Result<Option<NonceRecord>> {
        let found = self
            .conn
            .query_row(
                "SELECT connection, expires_at_ms, used FROM identity_nonces WHERE nonce = ?1",
                params![nonce],
                |r| {
                    Ok(NonceRecord {
                        nonce: nonce.to_owned(),
                        connection_id: r.get(0)?,
                        expires_at_ms: u(r.get(1)?),
                        used: r.get::<_, i64>(2)? != 0,
                    })
                },
            )
            .optional()?;
        self.conn.execute("UPDATE identity_nonces SET used = 1 WHERE nonce = ?1", params![nonce])?;
        Ok(found)
    }

    pub fn insert_session(&self, s: &SessionRecord) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO identity_sessions (ref, connection, key_ref, expires_at_ms) VALUES (?1, ?2, ?3, ?4)",
            params![s.reference, s.connection_id, s.key_ref, s.expires_at_ms as i64],
        )?;
        Ok(())
    }

    pub fn session(&self, reference: &str) -> Result<Option<SessionRecord>> {
        Ok(self
            .conn
            .query_row(
                "SELECT connection, key_ref, expires_at_ms FROM identity_sessions WHERE ref = ?1",
                params![reference],
                |r| {
                    Ok(SessionRecord {
                        reference: reference.to_owned(),
                        connection_id: r.get(0)?,
                        key_ref: r.get(1)?,
                        expires_at_ms: u(r.get(2)?),
                    })
                },
            )
            .optional()?)
    }

    /// Register an identity; `false` when an active identity has the name.
    pub fn insert_identity(&self, row: &IdentityRow) -> Result<bool> {
        match self.conn.execute(
            "INSERT INTO identities (id, name, kind, key_ref, status, created_ms) VALUES (?1, ?2, ?3, ?4, 'active', ?5)",
            params![row.id, row.name, row.kind, row.key_ref, row.created_ms as i64],
        ) {
            Ok(_) => Ok(true),
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    fn identity_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<IdentityRow> {
        Ok(IdentityRow {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: r.get(2)?,
            key_ref: r.get(3)?,
            status: r.get(4)?,
            created_ms: u(r.get(5)?),
        })
    }

    pub fn identity(&self, id: &str) -> Result<Option<IdentityRow>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, kind, key_ref, status, created_ms FROM identities WHERE id = ?1",
                params![id],
                Self::identity_from,
            )
            .optional()?)
    }

    /// The active identity with this name.
    pub fn identity_by_name(&self, name: &str) -> Result<Option<IdentityRow>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, kind, key_ref, status, created_ms FROM identities WHERE name = ?1 AND status = 'active'",
                params![name],
                Self::identity_from,
            )
            .optional()?)
    }

    /// Whether any identity, active or revoked, was registered with the key with this reference
    /// (a revoked key is never registered again).
    pub fn key_registered(&self, key_ref: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM identities WHERE key_ref = ?1", params![key_ref], |_| Ok(()))
            .optional()?
            .is_some())
    }

    pub fn list_identities(&self) -> Result<Vec<IdentityRow>> {
        let mut st = self
            .conn
            .prepare("SELECT id, name, kind, key_ref, status, created_ms FROM identities ORDER BY created_ms, id")?;
        let rows = st.query_map([], Self::identity_from)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Revoke an identity, end its sessions and deny its pending access requests; `false` if it
    /// was revoked already.
    pub fn revoke_identity(&self, id: &str, now_ms: u64) -> Result<bool> {
        self.conn.execute("DELETE FROM identity_sessions WHERE connection = ?1", params![id])?;
        self.conn.execute(
            "UPDATE access_requests SET status = 'denied', decided_by = 'bootstrap', decided_ms = ?2, \
             reason = 'the identity was revoked' WHERE identity = ?1 AND status = 'pending'",
            params![id, now_ms as i64],
        )?;
        Ok(self
            .conn
            .execute("UPDATE identities SET status = 'revoked' WHERE id = ?1 AND status = 'active'", params![id])?
            > 0)
    }

    pub fn memberships(&self, identity: &str) -> Result<Vec<MembershipRow>> {
        let mut st =
            self.conn.prepare("SELECT org, project, role FROM memberships WHERE identity = ?1 ORDER BY rowid")?;
        let rows = st
            .query_map(params![identity], |r| {
                Ok(MembershipRow { org: r.get(0)?, project: r.get(1)?, role: r.get(2)? })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn insert_membership(&self, identity: &str, m: &MembershipRow, now_ms: u64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO memberships (identity, org, project, role, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![identity, m.org, m.project, m.role, now_ms as i64],
        )?;
        Ok(())
    }

    /// Create an org; `false` if it exists.
    pub fn insert_org(&self, name: &str, now_ms: u64) -> Result<bool> {
        Ok(self
            .conn
            .execute("INSERT OR IGNORE INTO orgs (name, created_ms) VALUES (?1, ?2)", params![name, now_ms as i64])?
            > 0)
    }

    pub fn org_exists(&self, name: &str) -> Result<bool> {
        Ok(self.conn.query_row("SELECT 1 FROM orgs WHERE name = ?1", params![name], |_| Ok(())).optional()?.is_some())
    }

    /// Create a project of an org; `false` if it exists.
    pub fn insert_project(&self, org: &str, name: &str, now_ms: u64) -> Result<bool> {
        Ok(self.conn.execute(
            "INSERT OR IGNORE INTO projects (org, name, created_ms) VALUES (?1, ?2, ?3)",
            params![org, name, now_ms as i64],
        )? > 0)
    }

    pub fn project_exists(&self, org: &str, name: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM projects WHERE org = ?1 AND name = ?2", params![org, name], |_| Ok(()))
            .optional()?
            .is_some())
    }

    pub fn insert_access_request(&self, r: &AccessRequestRow) -> Result<()> {
        self.conn.execute(
            "INSERT INTO access_requests (id, identity, org, project, role, justification, status, created_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7)",
            params![r.id, r.identity_id, r.org, r.project, r.role, r.justification, r.created_ms as i64],
        )?;
        Ok(())
    }

    fn access_request_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccessRequestRow> {
        Ok(AccessRequestRow {
            id: r.get(0)?,
            identity_id: r.get(1)?,
            org: r.get(2)?,
            project: r.get(3)?,
            role: r.get(4)?,
            justification: r.get(5)?,
            status: r.get(6)?,
            created_ms: u(r.get(7)?),
            decided_by: r.get(8)?,
            decided_ms: r.get::<_, Option<i64>>(9)?.map(u),
            reason: r.get(10)?,
        })
    }

    const ACCESS_REQUEST_COLUMNS: &'static str =
        "id, identity, org, project, role, justification, status, created_ms, decided_by, decided_ms, reason";

    pub fn access_request(&self, id: &str) -> Result<Option<AccessRequestRow>> {
        let sql = format!("SELECT {} FROM access_requests WHERE id = ?1", Self::ACCESS_REQUEST_COLUMNS);
        Ok(self.conn.query_row(&sql, params![id], Self::access_request_from).optional()?)
    }

    pub fn list_access_requests(&self) -> Result<Vec<AccessRequestRow>> {
        let sql = format!("SELECT {} FROM access_requests ORDER BY created_ms DESC, id", Self::ACCESS_REQUEST_COLUMNS);
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], Self::access_request_from)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Approve or deny a pending request; `false` if it is no longer pending.
    pub fn decide_access_request(
        &self,
        id: &str,
        status: &str,
        decided_by: &str,
        reason: Option<&str>,
        now_ms: u64,
    ) -> Result<bool> {
        Ok(self.conn.execute(
            "UPDATE access_requests SET status = ?2, decided_by = ?3, reason = ?4, decided_ms = ?5 \
             WHERE id = ?1 AND status = 'pending'",
            params![id, status, decided_by, reason, now_ms as i64],
        )? > 0)
    }

    pub fn revoke_connection(&self, id: &str) -> Result<bool> {
        Ok(self.conn.execute("UPDATE connections SET status = 'revoked' WHERE id = ?1", params![id])? > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> TokenRules {
        TokenRules { expires_at_ms: None, max_uses: Some(5), uses: 0, revoked: false, scope: vec!["aws/*".into()] }
    }

    #[test]
    fn a_revoked_tokens_name_is_free_and_its_row_stays() {
        let dir = tempfile::tempdir().unwrap();
        let s = VaultDb::open(&dir.path().join("vault.db")).unwrap();
        assert!(s.insert_token("deploy", "ref-1", &rules(), 1).unwrap());
        assert!(!s.insert_token("deploy", "ref-2", &rules(), 2).unwrap(), "the name is taken while not revoked");
        assert!(s.revoke_token("deploy").unwrap());
        assert!(s.insert_token("deploy", "ref-2", &rules(), 3).unwrap(), "revoking freed the name");
        assert!(s.token_by_reference("ref-1").unwrap().unwrap().rules.revoked, "the revoked row stays");
        assert_eq!(s.token_by_name("deploy").unwrap().unwrap().reference, "ref-2", "the name means the live one");
        s.spend_use("ref-2").unwrap();
        assert_eq!(s.token_by_reference("ref-1").unwrap().unwrap().rules.uses, 0, "uses are counted per token");
        assert_eq!(s.token_by_reference("ref-2").unwrap().unwrap().rules.uses, 1);
        assert_eq!(s.list_tokens().unwrap().len(), 2);
    }

    #[test]
    fn a_tokens_table_keyed_by_name_is_rekeyed_with_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.db");
        {
            let old = Connection::open(&path).unwrap();
            old.execute_batch(
                "CREATE TABLE tokens (
                    name TEXT PRIMARY KEY,
                    reference TEXT NOT NULL UNIQUE,
                    expires_at_ms INTEGER,
                    max_uses INTEGER,
                    uses INTEGER NOT NULL DEFAULT 0,
                    revoked INTEGER NOT NULL DEFAULT 0,
                    scope TEXT NOT NULL,
                    created_ms INTEGER NOT NULL
                );
                INSERT INTO tokens VALUES ('old', 'ref-old', NULL, 3, 2, 1, '[\"a/*\"]', 7);",
            )
            .unwrap();
        }
        let s = VaultDb::open(&path).unwrap();
        let row = s.token_by_reference("ref-old").unwrap().unwrap();
        assert_eq!((row.name.as_str(), row.rules.uses, row.rules.revoked, row.created_ms), ("old", 2, true, 7));
        assert!(s.insert_token("old", "ref-new", &rules(), 8).unwrap(), "the revoked token's name is free");
        drop(s);
        // Opening again changes nothing.
        assert_eq!(VaultDb::open(&path).unwrap().list_tokens().unwrap().len(), 2);
    }
}
