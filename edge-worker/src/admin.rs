//! The owner/admin lifecycle: who may call it, what it accepts.

use hq_vault_core::patterns;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::model::{AdminCredential, Role};

/// Whether this credential may manage the company's connections. Members, other companies'
/// admins and unknown credentials may not, and are answered 404 as if the route did not exist.
pub fn may_manage(cred: Option<&AdminCredential>, company: &str) -> bool {
    cred.is_some_and(|c| c.company_id == company && matches!(c.role, Role::Owner | Role::Admin))
}

/// `POST /v1/companies/{company}/connections`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    pub name: String,
    pub patterns: Vec<String>,
    #[serde(default)]
    pub mechanism: Option<String>,
    #[serde(default)]
    pub public_key: Option<String>,
}

/// A create request, checked: the normalized patterns, or the error body's details.
pub fn check_create(body: &CreateBody) -> Result<Vec<String>, (String, String, Value)> {
    if body.name.trim().is_empty() || body.name.len() > 128 || body.name.chars().any(char::is_control) {
        return Err((
            "bad_name".into(),
            "a connection name is 1-128 characters without control characters".into(),
            Value::Null,
        ));
    }
    match body.mechanism.as_deref() {
        None | Some("api_key") => {}
        Some("agent_identity") => {
            return Err((
                "unsupported_mechanism".into(),
                "agent_identity connections arrive with agent identities; use api_key for now".into(),
                Value::Null,
            ));
        }
        Some(_) => return Err(("bad_mechanism".into(), "mechanism is api_key or agent_identity".into(), Value::Null)),
    }
    if body.public_key.is_some() {
        return Err(("bad_public_key".into(), "public_key goes with agent_identity only".into(), Value::Null));
    }
    let rejections: Vec<Value> = body
        .patterns
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            patterns::normalize(p).err().map(|e| {
                json!({"index": i, "pattern": p.escape_default().to_string(), "reason": e.code(), "message": e.to_string()})
            })
        })
        .collect();
    if !rejections.is_empty() {
        return Err(("bad_patterns".into(), format!("{} pattern(s) rejected", rejections.len()), json!(rejections)));
    }
    patterns::normalize_all(&body.patterns).map_err(|e| ("bad_patterns".into(), e.to_string(), Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(patterns: &[&str]) -> CreateBody {
        CreateBody {
            name: "n".into(),
            patterns: patterns.iter().map(|s| s.to_string()).collect(),
            mechanism: None,
            public_key: None,
        }
    }

    #[test]
    fn only_owners_and_admins_of_the_company() {
        let owner = AdminCredential { company_id: "acme".into(), role: Role::Owner, name: "o".into() };
        let member = AdminCredential { company_id: "acme".into(), role: Role::Member, name: "m".into() };
        assert!(may_manage(Some(&owner), "acme"));
        assert!(!may_manage(Some(&owner), "globex"));
        assert!(!may_manage(Some(&member), "acme"));
        assert!(!may_manage(None, "acme"));
    }

    #[test]
    fn every_rejected_pattern_is_reported() {
        let e = check_create(&body(&["ok/", "/abs", "a/*/b"])).unwrap_err();
        assert_eq!(e.0, "bad_patterns");
        assert_eq!(e.2.as_array().unwrap().len(), 2);
        assert_eq!(check_create(&body(&["knowledge/"])).unwrap(), vec!["knowledge/*"]);
        assert!(check_create(&body(&[])).is_err());
    }
}
