//! KV records (layout in `crate::model`): reads, and the writes a lifecycle act plans and the
//! pipeline makes once the act's audit event is durable.

use worker::Result;
use worker::kv::KvStore;

use crate::model::{self, AdminCredential, CompanySettings, ConnectionDoc};

/// One KV write of a lifecycle act.
pub struct Put {
    pub key: String,
    pub value: String,
    /// Seconds until KV drops the entry (`expirationTtl`).
    pub ttl: Option<u64>,
}

impl Put {
    pub fn json<T: serde::Serialize>(key: String, v: &T) -> Put {
        // Serializing our own records (strings, numbers, enums) cannot fail.
        Put { key, value: serde_json::to_string(v).unwrap_or_default(), ttl: None }
    }
}

/// Make the writes, in order; the first failure stops them (KV has no transactions: the writes
/// before it stay, docs/policy.md "The Worker").
pub async fn apply(kv: &KvStore, puts: &[Put]) -> Result<()> {
    for p in puts {
        let mut put = kv.put(&p.key, p.value.as_str())?;
        if let Some(ttl) = p.ttl {
            put = put.expiration_ttl(ttl);
        }
        put.execute().await?;
    }
    Ok(())
}

/// A JSON record; `None` when absent or not the record expected.
pub async fn get_json<T: serde::de::DeserializeOwned>(kv: &KvStore, key: &str) -> Result<Option<T>> {
    match kv.get(key).text().await? {
        Some(t) => Ok(serde_json::from_str(&t).ok()),
        None => Ok(None),
    }
}

/// The connection whose key has this reference (the key index).
pub async fn connection_by_reference(kv: &KvStore, reference: &str) -> Result<Option<ConnectionDoc>> {
    get_json(kv, &model::keyref_key(reference)).await
}

/// The connection `id` if it belongs to `company`.
pub async fn connection_of(kv: &KvStore, company: &str, id: &str) -> Result<Option<ConnectionDoc>> {
    Ok(get_json::<ConnectionDoc>(kv, &model::conn_key(id)).await?.filter(|d| d.company_id == company))
}

/// Every connection of a company, in id order.
pub async fn connections_of(kv: &KvStore, company: &str) -> Result<Vec<ConnectionDoc>> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut l = kv.list().prefix(model::company_conn_prefix(company));
        if let Some(c) = cursor.take() {
            l = l.cursor(c);
        }
        let page = l.execute().await?;
        for k in &page.keys {
            let id = k.name.rsplit(':').next().unwrap_or_default();
            if let Some(d) = connection_of(kv, company, id).await? {
                out.push(d);
            }
        }
        match (page.list_complete, page.cursor) {
            (false, Some(c)) => cursor = Some(c),
            _ => break,
        }
    }
    Ok(out)
}

/// A company's switches (on unless set).
pub async fn company_settings(kv: &KvStore, company: &str) -> Result<CompanySettings> {
    Ok(get_json(kv, &model::company_key(company)).await?.unwrap_or_default())
}

/// The admin credential with this reference.
pub async fn admin(kv: &KvStore, reference: &str) -> Result<Option<AdminCredential>> {
    get_json(kv, &model::admin_key(reference)).await
}

/// The writes that store a connection: its record, then the copy under its current key's
/// reference (the key works from that write on).
pub fn save(doc: &ConnectionDoc) -> [Put; 2] {
    [Put::json(model::conn_key(&doc.id), doc), Put::json(model::keyref_key(&doc.key_ref), doc)]
}
