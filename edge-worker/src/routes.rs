//! The route table of the lifecycle routes: method and path → the operation the core's policy
//! decides, the company and the target (a connection id) the URL names, each percent-decoded once.
//!
//! | route | operation |
//! |---|---|
//! | `GET\|POST /v1/companies/{company}/connections` | `connection-list`, `connection-create` |
//! | `GET …/connections/{id}` | `connection-get` |
//! | `POST …/connections/{id}/rotate` | `connection-rotate` |
//! | `POST …/connections/{id}/revoke` | `connection-revoke` |
//! | `GET …/connections/{id}/audit` | `connection-audit` |
//! | `POST /v1/companies/{company}/patterns/check` | `pattern-check` |
//! | `GET\|PUT /v1/companies/{company}/settings` | `settings-read`, `settings-write` |
//!
//! Nothing here decides who may call: that is the policy's (`hq_vault_core::policy::admit`).

use hq_vault_core::policy::Operation;

/// Where every lifecycle route starts.
pub const PREFIX: &str = "/v1/companies/";

/// A route of the table, as the URL names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub operation: Operation,
    /// The company segment, percent-decoded once (the policy checks it is a company id).
    pub company: String,
    /// The connection id segment, percent-decoded once (the policy checks it).
    pub target: Option<String>,
}

/// Why the table has no route for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// No route has this path (404).
    NoRoute,
    /// The path is a route's, the method is not one it takes: 405 with `allow`, but only to a
    /// caller the policy admits to `probe` (the route's first operation); anyone else gets the
    /// policy's 404, so that the 405 does not tell strangers what the 404 hides.
    Method { allow: &'static str, probe: Route },
}

/// The route for `method` (`GET`, `POST`, …) and `path` (the URL's path, still percent-encoded).
pub fn resolve(method: &str, path: &str) -> Result<Route, Miss> {
    use Operation as O;
    let Some(rest) = path.strip_prefix(PREFIX) else { return Err(Miss::NoRoute) };
    let segs: Vec<&str> = rest.split('/').collect();
    let Some((company, segs)) = segs.split_first() else { return Err(Miss::NoRoute) };
    let (methods, allow, target): (&[(&str, Operation)], &'static str, Option<&str>) = match segs {
        ["connections"] => (&[("GET", O::ConnectionList), ("POST", O::ConnectionCreate)], "GET, POST", None),
        ["connections", id] => (&[("GET", O::ConnectionGet)], "GET", Some(id)),
        ["connections", id, "rotate"] => (&[("POST", O::ConnectionRotate)], "POST", Some(id)),
        ["connections", id, "revoke"] => (&[("POST", O::ConnectionRevoke)], "POST", Some(id)),
        ["connections", id, "audit"] => (&[("GET", O::ConnectionAudit)], "GET", Some(id)),
        ["settings"] => (&[("GET", O::SettingsRead), ("PUT", O::SettingsWrite)], "GET, PUT", None),
        ["patterns", "check"] => (&[("POST", O::PatternCheck)], "POST", None),
        _ => return Err(Miss::NoRoute),
    };
    let route = |operation| Route { operation, company: decode(company), target: target.map(decode) };
    match methods.iter().find(|(m, _)| *m == method) {
        Some((_, op)) => Ok(route(*op)),
        None => Err(Miss::Method { allow, probe: route(methods[0].1) }),
    }
}

/// A path segment percent-decoded once. Bytes that are not UTF-8 become U+FFFD, which no company
/// id or connection id holds, so the policy refuses the segment.
fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(method: &str, path: &str) -> (Operation, String, Option<String>) {
        let r = resolve(method, path).unwrap();
        (r.operation, r.company, r.target)
    }

    #[test]
    fn every_route() {
        use Operation as O;
        let id = Some("conn_0123456789abcdef".to_owned());
        let c = "/v1/companies/acme";
        assert_eq!(ok("GET", &format!("{c}/connections")), (O::ConnectionList, "acme".into(), None));
        assert_eq!(ok("POST", &format!("{c}/connections")), (O::ConnectionCreate, "acme".into(), None));
        assert_eq!(
            ok("GET", &format!("{c}/connections/conn_0123456789abcdef")),
            (O::ConnectionGet, "acme".into(), id.clone())
        );
        for (m, action, op) in [
            ("POST", "rotate", O::ConnectionRotate),
            ("POST", "revoke", O::ConnectionRevoke),
            ("GET", "audit", O::ConnectionAudit),
        ] {
            assert_eq!(
                ok(m, &format!("{c}/connections/conn_0123456789abcdef/{action}")),
                (op, "acme".into(), id.clone())
            );
        }
        assert_eq!(ok("GET", &format!("{c}/settings")).0, O::SettingsRead);
        assert_eq!(ok("PUT", &format!("{c}/settings")).0, O::SettingsWrite);
        assert_eq!(ok("POST", &format!("{c}/patterns/check")), (O::PatternCheck, "acme".into(), None));
    }

    #[test]
    fn segments_are_decoded_once() {
        assert_eq!(ok("GET", "/v1/companies/%61cme/connections/conn_%2e%2e").1, "acme");
        assert_eq!(ok("GET", "/v1/companies/acme/connections/conn_%2e%2e").2.as_deref(), Some("conn_.."));
        assert_eq!(ok("GET", "/v1/companies/a%252f/connections").1, "a%2f");
        assert_eq!(ok("GET", "/v1/companies/%ff/connections").1, "\u{fffd}");
    }

    #[test]
    fn other_paths_and_methods() {
        for p in
            ["/v1/companies/acme", "/v1/companies/acme/admins", "/v1/companies/acme/connections/x/y/z", "/v1/other"]
        {
            assert_eq!(resolve("GET", p), Err(Miss::NoRoute), "{p}");
        }
        match resolve("DELETE", "/v1/companies/acme/settings") {
            Err(Miss::Method { allow, probe }) => {
                assert_eq!(allow, "GET, PUT");
                assert_eq!(probe.operation, Operation::SettingsRead);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            resolve("HEAD", "/v1/companies/acme/connections"),
            Err(Miss::Method { allow: "GET, POST", .. })
        ));
    }
}
