//! The company object's SQLite storage ([`Store`]) and its in-memory mirror of the rows every read
//! looks up: connection documents, key references and the company's settings.
//!
//! The object is the only reader and writer of its storage, and runs one call at a time with no
//! `await` between a call's reads and writes (`super::object`). So a mirror kept beside the
//! storage, written through on every change, is never stale: a read's decision sees every change
//! whose call has returned, exactly as with a lookup in SQLite. Three rules keep it so:
//!
//! - every write of a mirrored row goes through [`Store`] ([`Store::put_connection`],
//!   [`Store::add_key_ref`], [`Store::set_setting`], [`Store::delete_setting`]), which updates the
//!   mirror only after SQLite took the write;
//! - a call that fails forgets the whole mirror ([`Store::forget`]): what it wrote before failing
//!   is read again from SQLite;
//! - a new instance of the object (after eviction or a restart) starts with an empty mirror.
//!
//! Only rows that exist are mirrored (an unknown key reference is looked up in SQLite every time),
//! and the mirror holds at most [`MIRROR_ROWS`] connections: a company with more is served from
//! SQLite for the rest.
//!
//! Why: a read made six SQLite statements, four of them lookups of rows that change only in a
//! lifecycle call; each statement is a cursor object crossing from workerd into the Worker's
//! wasm. Measured by `scripts/bench-edge` (README, "Edge").

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Deref;

use serde::Deserialize;
use worker::{Result, SqlStorage};

use crate::model::{CompanySettings, ConnectionDoc};

/// The most connections (and, separately, key references) the mirror holds; past it a lookup
/// that misses reads SQLite and is not kept.
pub const MIRROR_ROWS: usize = 10_000;

/// The mirrored rows.
#[derive(Default)]
pub struct Mirror {
    /// Connection documents by connection id.
    connections: HashMap<String, ConnectionDoc>,
    /// Key reference → connection id (a `keyrefs` row never changes once written).
    key_refs: HashMap<String, String>,
    /// Setting name → its value, `None` when the row is absent.
    settings: HashMap<String, Option<String>>,
}

/// The object's SQLite storage with its mirror. Dereferences to [`SqlStorage`] for the statements
/// that touch no mirrored row (audit events, nonces, sessions, last use).
pub struct Store<'a> {
    sql: SqlStorage,
    mirror: &'a RefCell<Mirror>,
}

impl Deref for Store<'_> {
    type Target = SqlStorage;
    fn deref(&self) -> &SqlStorage {
        &self.sql
    }
}

impl<'a> Store<'a> {
    pub fn new(sql: SqlStorage, mirror: &'a RefCell<Mirror>) -> Self {
        Store { sql, mirror }
    }

    /// Drop every mirrored row: the next lookups read SQLite.
    pub fn forget(&self) {
        *self.mirror.borrow_mut() = Mirror::default();
    }

    /// The value of setting `name`, if set.
    pub fn setting(&self, name: &str) -> Result<Option<String>> {
        if let Some(v) = self.mirror.borrow().settings.get(name) {
            return Ok(v.clone());
        }
        #[derive(Deserialize)]
        struct Row {
            value: String,
        }
        let rows: Vec<Row> =
            self.sql.exec("SELECT value FROM settings WHERE name = ?", vec![name.into()])?.to_array()?;
        let value = rows.into_iter().next().map(|r| r.value);
        self.mirror.borrow_mut().settings.insert(name.to_owned(), value.clone());
        Ok(value)
    }

    pub fn set_setting(&self, name: &str, value: &str) -> Result<()> {
        self.sql
            .exec("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", vec![name.into(), value.into()])?;
        self.mirror.borrow_mut().settings.insert(name.to_owned(), Some(value.to_owned()));
        Ok(())
    }

    pub fn delete_setting(&self, name: &str) -> Result<()> {
        self.sql.exec("DELETE FROM settings WHERE name = ?", vec![name.into()])?;
        self.mirror.borrow_mut().settings.insert(name.to_owned(), None);
        Ok(())
    }

    /// The company's settings (the switch is on unless set to `false`).
    pub fn settings(&self) -> Result<CompanySettings> {
        Ok(CompanySettings { connections_enabled: self.setting("connections_enabled")?.as_deref() != Some("false") })
    }

    /// The connection with id `id`, if this company has it.
    pub fn connection(&self, id: &str) -> Result<Option<ConnectionDoc>> {
        if let Some(doc) = self.mirror.borrow().connections.get(id) {
            return Ok(Some(doc.clone()));
        }
        #[derive(Deserialize)]
        struct Row {
            doc: String,
        }
        let rows: Vec<Row> = self.sql.exec("SELECT doc FROM connections WHERE id = ?", vec![id.into()])?.to_array()?;
        let doc: Option<ConnectionDoc> = rows.into_iter().next().and_then(|r| serde_json::from_str(&r.doc).ok());
        if let Some(d) = &doc {
            self.keep_connection(d);
        }
        Ok(doc)
    }

    /// The connection that key reference `reference` was ever given to, if any.
    pub fn connection_by_ref(&self, reference: &str) -> Result<Option<ConnectionDoc>> {
        let known = self.mirror.borrow().key_refs.get(reference).cloned();
        let id = match known {
            Some(id) => id,
            None => {
                #[derive(Deserialize)]
                struct Row {
                    connection: String,
                }
                let rows: Vec<Row> = self
                    .sql
                    .exec("SELECT connection FROM keyrefs WHERE ref = ?", vec![reference.into()])?
                    .to_array()?;
                let Some(r) = rows.into_iter().next() else { return Ok(None) };
                let mut m = self.mirror.borrow_mut();
                if m.key_refs.len() < MIRROR_ROWS {
                    m.key_refs.insert(reference.to_owned(), r.connection.clone());
                }
                r.connection
            }
        };
        self.connection(&id)
    }

    /// Store a connection document (new or changed).
    pub fn put_connection(&self, doc: &ConnectionDoc) -> Result<()> {
        self.sql.exec(
            "INSERT OR REPLACE INTO connections (id, doc) VALUES (?, ?)",
            vec![doc.id.as_str().into(), serde_json::to_string(doc)?.into()],
        )?;
        self.mirror.borrow_mut().connections.remove(&doc.id);
        self.keep_connection(doc);
        Ok(())
    }

    /// Record that key reference `reference` belongs to `connection` (kept for good: a rotated-away
    /// key's attempts are filed under its connection).
    pub fn add_key_ref(&self, reference: &str, connection: &str) -> Result<()> {
        self.sql.exec(
            "INSERT OR REPLACE INTO keyrefs (ref, connection) VALUES (?, ?)",
            vec![reference.into(), connection.into()],
        )?;
        let mut m = self.mirror.borrow_mut();
        m.key_refs.remove(reference);
        if m.key_refs.len() < MIRROR_ROWS {
            m.key_refs.insert(reference.to_owned(), connection.to_owned());
        }
        Ok(())
    }

    fn keep_connection(&self, doc: &ConnectionDoc) {
        let mut m = self.mirror.borrow_mut();
        if m.connections.len() < MIRROR_ROWS {
            m.connections.insert(doc.id.clone(), doc.clone());
        }
    }
}
