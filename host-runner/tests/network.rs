//! Network mode's identities, orgs and access requests over real HTTPS against a real daemon and
//! SQLite file (seed 002's five-step agent access flow, at the API; docs/policy.md "Network
//! mode"), and its refusals, each audited.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::*;
use ed25519_dalek::{Signer as _, SigningKey};
use serde_json::{Value, json};

/// An identity's key pair, made by its holder.
struct Holder {
    key: SigningKey,
    id: String,
}

impl Holder {
    fn public_key(&self) -> String {
        STANDARD.encode(self.key.verifying_key().to_bytes())
    }
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// Register `name` without a credential: the id.
fn register(d: &Daemon, name: &str, kind: &str, k: SigningKey) -> Holder {
    let pk = STANDARD.encode(k.verifying_key().to_bytes());
    let a = d.req("POST", "/v1/identities", None, Some(json!({"name": name, "type": kind, "public_key": pk})));
    assert_eq!(a.status, 201, "register {name}: {}", String::from_utf8_lossy(&a.body));
    let v = a.json();
    assert_eq!(v["name"], name);
    assert_eq!(v["type"], kind);
    assert!(v.get("key_ref").is_none() && v.get("public_key").is_none(), "{v}");
    Holder { key: k, id: v["id"].as_str().unwrap().to_owned() }
}

/// Challenge, sign `hq-vault-auth-v1` ‖ nonce ‖ identity id with `signer`, verify presenting
/// `presented`'s public key: the status and body of verify (or of the challenge when refused).
fn login_as(d: &Daemon, id: &str, signer: &SigningKey, presented: &SigningKey) -> (u16, Value) {
    let ch = d.req("POST", "/v1/auth/challenge", None, Some(json!({"identity_id": id})));
    if ch.status != 200 {
        return (ch.status, ch.json());
    }
    let c = ch.json();
    assert!(c["expires_at"].as_str().unwrap().ends_with('Z'), "{c}");
    let nonce = c["nonce"].as_str().unwrap();
    let sig = signer.sign(format!("hq-vault-auth-v1{nonce}{id}").as_bytes());
    let body = json!({"identity_id": id, "nonce": nonce, "signature": STANDARD.encode(sig.to_bytes()),
                      "public_key": STANDARD.encode(presented.verifying_key().to_bytes())});
    let v = d.req("POST", "/v1/auth/verify", None, Some(body));
    (v.status, v.json())
}

fn login(d: &Daemon, h: &Holder) -> String {
    let (status, v) = login_as(d, &h.id, &h.key, &h.key);
    assert_eq!(status, 200, "login: {v}");
    assert_eq!(v["token_type"], "Bearer");
    let t = v["token"].as_str().unwrap().to_owned();
    assert!(t.starts_with("hqvs_"));
    t
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

/// The identity of session `who` asks for `role` in indigo/hq-cloud: the request's id.
fn file_request(d: &Daemon, who: &str, role: &str) -> String {
    let a = d.req(
        "POST",
        "/v1/access-requests",
        Some(&bearer(who)),
        Some(json!({"org": "indigo", "project": "hq-cloud", "role": role, "justification": "the test's"})),
    );
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    a.json()["id"].as_str().unwrap().to_owned()
}

/// The identity of session `who` asks for `role` in indigo/hq-cloud, and the admin of session
/// `admin` approves it.
fn granted(d: &Daemon, who: &str, admin: &str, role: &str) {
    let id = file_request(d, who, role);
    let a = d.req("POST", &format!("/v1/access-requests/{id}/approve"), Some(&bearer(admin)), Some(json!({})));
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
}

#[test]
fn the_five_step_agent_access_flow_and_its_refusals() {
    let mut d = daemon();
    d.unlock();
    // The org's first admin is a human, made with the server's owner credential.
    let boss = register(&d, "boss", "human", key(1));
    let a = d.owner("POST", "/v1/orgs", Some(json!({"name": "indigo", "admin": "boss"})));
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.json()["admin"]["id"], boss.id.as_str());
    let boss_s = login(&d, &boss);
    let a = d.req("POST", "/v1/orgs/indigo/projects", Some(&bearer(&boss_s)), Some(json!({"name": "hq-cloud"})));
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    d.store("org/indigo/project/hq-cloud/aws/key", "AKIA-network-secret-1");
    d.store("org/indigo/project/other/db", "other-project-secret");

    // 1. The agent makes its identity (its key pair is its own) and registers it.
    let bot = register(&d, "deploy-bot", "agent", key(2));
    // An identity with no membership reads nothing.
    let bot_s = login(&d, &bot);
    let a = d.req("GET", "/v1/secrets/org/indigo/project/hq-cloud/aws/key", Some(&bearer(&bot_s)), None);
    assert_eq!((a.status, a.code()), (403, "forbidden".into()));
    // 2. It files an access request.
    let request = file_request(&d, &bot_s, "member");
    // An agent never approves, its own request included; nor does the server's owner.
    let a = d.req("POST", &format!("/v1/access-requests/{request}/approve"), Some(&bearer(&bot_s)), Some(json!({})));
    assert_eq!((a.status, a.code()), (403, "agent_cannot_decide".into()));
    let a = d.owner("POST", &format!("/v1/access-requests/{request}/approve"), Some(json!({})));
    assert_eq!((a.status, a.code()), (403, "human_admin_only".into()));
    // A human with no admin role in the org does not decide either.
    let ada = register(&d, "ada", "human", key(3));
    let ada_s = login(&d, &ada);
    let a = d.req("POST", &format!("/v1/access-requests/{request}/approve"), Some(&bearer(&ada_s)), Some(json!({})));
    assert_eq!((a.status, a.code()), (403, "not_org_admin".into()));
    // The admin sees the request; the bystander does not.
    let seen = |s: &str| {
        d.req("GET", "/v1/access-requests", Some(&bearer(s)), None).json()["access_requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(seen(&boss_s), vec![request.clone()]);
    assert_eq!(seen(&bot_s), vec![request.clone()], "its own");
    assert!(seen(&ada_s).is_empty());
    // 3. The human admin approves: the membership exists from the next request.
    let a = d.req("POST", &format!("/v1/access-requests/{request}/approve"), Some(&bearer(&boss_s)), Some(json!({})));
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let a = d.req("POST", &format!("/v1/access-requests/{request}/deny"), Some(&bearer(&boss_s)), Some(json!({})));
    assert_eq!((a.status, a.code()), (409, "already_decided".into()));
    // 4. The agent logs in again (challenge–response) and 5. reads its scoped secret, as the seed
    // writes the route.
    let bot_s = login(&d, &bot);
    let a = d.req("GET", "/v1/secrets/org/indigo/project/hq-cloud/aws/key", Some(&bearer(&bot_s)), None);
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.json()["value"], "AKIA-network-secret-1");
    // Another project of the org stays closed; a member may write in its project.
    let a = d.req("GET", "/v1/secrets/org/indigo/project/other/db", Some(&bearer(&bot_s)), None);
    assert_eq!(a.status, 403);
    let a = d.req(
        "PUT",
        "/v1/secrets/org/indigo/project/hq-cloud/ci/token",
        Some(&bearer(&bot_s)),
        Some(json!({"value": "written-by-the-agent"})),
    );
    assert!(a.status == 200 || a.status == 201, "{}", String::from_utf8_lossy(&a.body));

    // Readonly: reads, never writes.
    let auditor = register(&d, "auditor", "agent", key(4));
    let aud_s = login(&d, &auditor);
    granted(&d, &aud_s, &boss_s, "readonly");
    assert_eq!(
        d.req("GET", "/v1/secrets/org/indigo/project/hq-cloud/aws/key", Some(&bearer(&aud_s)), None).status,
        200
    );
    let a = d.req(
        "PUT",
        "/v1/secrets/org/indigo/project/hq-cloud/aws/key",
        Some(&bearer(&aud_s)),
        Some(json!({"value": "overwritten"})),
    );
    assert_eq!((a.status, a.code()), (403, "forbidden".into()));

    // Login refusals: a replayed nonce, another key's signature, a key that is not the identity's.
    let ch = d.req("POST", "/v1/auth/challenge", None, Some(json!({"identity_id": bot.id}))).json();
    let nonce = ch["nonce"].as_str().unwrap();
    let sig = STANDARD.encode(bot.key.sign(format!("hq-vault-auth-v1{nonce}{}", bot.id).as_bytes()).to_bytes());
    let body = json!({"identity_id": bot.id, "nonce": nonce, "signature": sig, "public_key": bot.public_key()});
    assert_eq!(d.req("POST", "/v1/auth/verify", None, Some(body.clone())).status, 200);
    let a = d.req("POST", "/v1/auth/verify", None, Some(body));
    assert_eq!((a.status, a.code()), (403, "nonce_used".into()));
    // An expired nonce: a challenge whose 60 s have passed (its expiry moved into the past in
    // vault.db, as a minute's wait would), signed correctly, is refused and audited.
    let ch = d.req("POST", "/v1/auth/challenge", None, Some(json!({"identity_id": bot.id}))).json();
    let nonce = ch["nonce"].as_str().unwrap();
    let db = rusqlite::Connection::open(d.home().join("vault.db")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let past = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64 - 1000;
    let moved = db.execute("UPDATE identity_nonces SET expires_at_ms = ?1 WHERE nonce = ?2", (past, nonce)).unwrap();
    assert_eq!(moved, 1, "the challenge's nonce is stored");
    drop(db);
    let sig = STANDARD.encode(bot.key.sign(format!("hq-vault-auth-v1{nonce}{}", bot.id).as_bytes()).to_bytes());
    let body = json!({"identity_id": bot.id, "nonce": nonce, "signature": sig, "public_key": bot.public_key()});
    let a = d.req("POST", "/v1/auth/verify", None, Some(body));
    assert_eq!((a.status, a.code()), (403, "nonce_expired".into()));
    let expired = audit_lines(&d)
        .into_iter()
        .rev()
        .find(|l| l["reason"].as_str().is_some_and(|r| r.contains("nonce_expired") || r.contains("expired")));
    assert!(expired.is_some_and(|l| l["status"] == 403 && l["op"] == "auth-verify"), "the expired nonce is audited");
    let (status, v) = login_as(&d, &bot.id, &key(9), &bot.key);
    assert_eq!((status, v["error"]["code"].as_str().unwrap()), (403, "bad_signature"));
    let (status, v) = login_as(&d, &bot.id, &key(9), &key(9));
    assert_eq!((status, v["error"]["code"].as_str().unwrap()), (403, "invalid_identity"));

    // A project's admin reaches that project only (not the org's other projects or its own paths).
    let carol = register(&d, "carol", "human", key(6));
    let carol_s = login(&d, &carol);
    granted(&d, &carol_s, &boss_s, "admin");
    assert_eq!(
        d.req("GET", "/v1/secrets/org/indigo/project/hq-cloud/aws/key", Some(&bearer(&carol_s)), None).status,
        200
    );
    for path in ["org/indigo/project/other/db", "org/indigo/shared"] {
        let a = d.req("GET", &format!("/v1/secrets/{path}"), Some(&bearer(&carol_s)), None);
        assert_eq!(a.status, 403, "a project admin reading {path}");
    }
    // A human admin of an org lists and revokes no identity: the server's home does.
    let a = d.req("GET", "/v1/identities", Some(&bearer(&boss_s)), None);
    assert_eq!((a.status, a.code()), (403, "owner_only".into()));
    // A pending request of an identity that is revoked is denied with it.
    let pending = file_request(&d, &bot_s, "admin");
    // Revoking an identity ends its sessions at once.
    let a = d.owner("POST", &format!("/v1/identities/{}/revoke", bot.id), None);
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let a = d.req("GET", "/v1/secrets/org/indigo/project/hq-cloud/aws/key", Some(&bearer(&bot_s)), None);
    assert_eq!(a.status, 401, "a session after revoke");
    let (status, _) = login_as(&d, &bot.id, &bot.key, &bot.key);
    assert_eq!(status, 403, "a revoked identity cannot log in");
    let a = d.req("POST", &format!("/v1/access-requests/{pending}/approve"), Some(&bearer(&boss_s)), Some(json!({})));
    assert_eq!((a.status, a.code()), (409, "already_decided".into()), "its pending request was denied with it");
    // The server's owner gives an org another admin (an org left without one is not lost).
    let a = d.owner("POST", "/v1/orgs", Some(json!({"name": "indigo", "admin": "ada"})));
    assert_eq!(a.status, 201, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.json()["existed"], true);
    let a = d.owner("POST", "/v1/orgs", Some(json!({"name": "indigo"})));
    assert_eq!((a.status, a.code()), (409, "name_taken".into()));

    // The first admin of an org is never made over the network by an identity.
    let a = d.req("POST", "/v1/orgs", Some(&bearer(&boss_s)), Some(json!({"name": "acme", "admin": "ada"})));
    assert_eq!((a.status, a.code()), (403, "owner_only".into()));

    // Every line names the identity by name and id; the refusals are there.
    let lines = audit_lines(&d);
    let has = |op: &str, status: u64, actor: &str| {
        lines
            .iter()
            .any(|l| l["op"] == op && l["status"] == status && l["actor"].as_str().unwrap_or("").contains(actor))
    };
    let bot_actor = format!("deploy-bot ({})", bot.id);
    assert!(has("get", 200, &bot_actor), "the read names the identity");
    assert!(has("get", 403, &bot_actor));
    assert!(has("access-request-approve", 403, &bot_actor), "the agent's approval, refused");
    assert!(has("access-request-approve", 200, &format!("boss ({})", boss.id)));
    assert!(has("auth-verify", 403, &bot_actor), "the replayed nonce, naming the identity");
    assert!(has("auth-challenge", 200, &bot_actor));
    assert!(
        lines
            .iter()
            .any(|l| l["op"] == "identity-register" && l["reason"] == format!("deploy-bot ({})", bot.id).as_str()),
        "the registration names the identity"
    );
    assert!(has("store", 403, &format!("auditor ({})", auditor.id)), "the readonly write");
    assert!(has("org-create", 403, "boss"));
    d.assert_no_leaks();
}

#[test]
fn registration_checks_names_kinds_and_keys_and_grants_nothing() {
    let mut d = daemon();
    d.unlock();
    let pk = STANDARD.encode(key(5).verifying_key().to_bytes());
    for (body, code) in [
        (json!({"name": "Bad Name", "type": "agent", "public_key": pk}), "bad_name"),
        (json!({"name": "bootstrap", "type": "agent", "public_key": pk}), "bad_name"),
        (json!({"name": "bot", "type": "robot", "public_key": pk}), "bad_type"),
        (json!({"name": "bot", "type": "agent", "public_key": "AAAA"}), "bad_public_key"),
        (json!({"name": "bot", "type": "agent", "public_key": pk, "extra": 1}), "bad_json"),
    ] {
        let a = d.req("POST", "/v1/identities", None, Some(body.clone()));
        assert_eq!((a.status, a.code()), (400, code.to_owned()), "{body}");
    }
    register(&d, "bot", "agent", key(5));
    let a = d.req("POST", "/v1/identities", None, Some(json!({"name": "bot", "type": "agent", "public_key": pk})));
    assert_eq!((a.status, a.code()), (409, "key_taken".into()), "one key, one identity");
    let other = STANDARD.encode(key(7).verifying_key().to_bytes());
    let a = d.req("POST", "/v1/identities", None, Some(json!({"name": "bot", "type": "agent", "public_key": other})));
    assert_eq!((a.status, a.code()), (409, "name_taken".into()));
    // A malformed credential is still refused (only no credential at all is anonymous).
    let a = d.req(
        "POST",
        "/v1/identities",
        Some("Bearer nope"),
        Some(json!({"name": "x", "type": "agent", "public_key": pk})),
    );
    assert_eq!(a.status, 401);
    // Listing identities is for the owner and human admins; the list never holds a key.
    let list = d.owner("GET", "/v1/identities", None).json();
    assert_eq!(list["identities"][0]["name"], "bot");
    assert!(!list.to_string().contains(&pk));
    let bot = Holder { key: key(5), id: list["identities"][0]["id"].as_str().unwrap().to_owned() };
    let s = login(&d, &bot);
    let a = d.req("GET", "/v1/identities", Some(&bearer(&s)), None);
    assert_eq!((a.status, a.code()), (403, "owner_only".into()));
    let a = d.req("GET", "/v1/secrets", Some(&bearer(&s)), None);
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["secrets"].as_array().map(Vec::len), Some(0), "an identity with no membership lists nothing");
    d.store("aws/key", "local-mode-secret");
    let a = d.req("GET", "/v1/secrets/aws/key", Some(&bearer(&s)), None);
    assert_eq!(a.status, 403, "local-mode secrets are the bootstrap token's");
    // A revoked identity's key is never registered again, under any name: revoking a leaked key
    // is for good.
    let a = d.owner("POST", &format!("/v1/identities/{}/revoke", bot.id), Some(json!({})));
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    for name in ["bot", "bot-again"] {
        let a = d.req("POST", "/v1/identities", None, Some(json!({"name": name, "type": "agent", "public_key": pk})));
        assert_eq!((a.status, a.code()), (409, "key_taken".into()), "{name}");
    }
}

/// The CLI as a person or agent in its own home, talking to `d` (its URL and its CA only).
fn cli_in(d: &Daemon, home: &std::path::Path) -> std::process::Command {
    let mut c = std::process::Command::new(BIN);
    c.env("HQ_VAULT_HOME", home)
        .env("HQ_VAULT_URL", &d.url)
        .env("HQ_VAULT_CA_CERT", d.home().join("tls/ca.pem"))
        .env_remove("HQ_VAULT_TOKEN");
    c
}

fn ok(o: std::process::Output, what: &str) -> String {
    assert!(o.status.success(), "{what}: {}\n{}", text(&o), String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

#[test]
fn the_seed_s_flow_through_the_cli_with_the_agent_and_the_human_in_their_own_homes() {
    use std::os::unix::fs::PermissionsExt as _;
    let mut d = daemon();
    d.unlock();
    d.store("org/indigo/project/hq-cloud/aws/key", "AKIA-cli-network-secret");
    let homes = tempfile::tempdir().unwrap();
    let (alice, bot) = (homes.path().join("alice"), homes.path().join("bot"));
    // The human admin makes her identity; the server's home makes the org with her as admin.
    ok(run_with(cli_in(&d, &alice), &["identity", "create", "--name", "alice", "--type", "human"], None), "alice");
    ok(d.run(&["org", "create", "indigo", "--admin", "alice"], None), "org create");
    ok(run_with(cli_in(&d, &alice), &["login", "--identity", "alice"], None), "alice login");
    ok(run_with(cli_in(&d, &alice), &["project", "create", "--org", "indigo", "hq-cloud"], None), "project");
    // 1. The agent creates its identity: the key pair stays in its home, 0600.
    let id =
        ok(run_with(cli_in(&d, &bot), &["identity", "create", "--name", "deploy-bot", "--type", "agent"], None), "bot");
    assert!(id.starts_with("id_"), "{id}");
    let key_file = bot.join("identities/deploy-bot.key");
    assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);
    let seed = std::fs::read_to_string(&key_file).unwrap();
    // A private key others can read is not used (as ssh does), and the refusal says what to do.
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = run_with(cli_in(&d, &bot), &["login", "--identity", "deploy-bot"], None);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("readable by others (mode 644)") && err.contains("chmod 600"), "{err}");
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    // 2. It logs in and asks for access.
    ok(run_with(cli_in(&d, &bot), &["login", "--identity", "deploy-bot"], None), "bot login");
    assert_eq!(std::fs::metadata(bot.join("session.json")).unwrap().permissions().mode() & 0o777, 0o600);
    let request = ok(
        run_with(
            cli_in(&d, &bot),
            &[
                "access-requests",
                "create",
                "--org",
                "indigo",
                "--project",
                "hq-cloud",
                "--role",
                "member",
                "--justification",
                "deploys hq-cloud",
            ],
            None,
        ),
        "request",
    );
    // Before approval it reads nothing; it cannot approve its own request.
    let o = run_with(cli_in(&d, &bot), &["get", "org/indigo/project/hq-cloud/aws/key"], None);
    assert!(!o.status.success());
    let o = run_with(cli_in(&d, &bot), &["access-requests", "approve", &request], None);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("an agent never approves"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // 3. The human sees it and approves.
    let listed = ok(run_with(cli_in(&d, &alice), &["access-requests", "list"], None), "list");
    assert!(listed.contains(&request) && listed.contains("deploy-bot") && listed.contains("pending"), "{listed}");
    ok(run_with(cli_in(&d, &alice), &["access-requests", "approve", &request], None), "approve");
    // 4–5. The agent reads its scoped secret with its cached session, as the seed writes the path.
    let v = ok(run_with(cli_in(&d, &bot), &["get", "org/indigo/project/hq-cloud/aws/key"], None), "get");
    assert_eq!(v, "AKIA-cli-network-secret");
    // An expired session is renewed with the identity's key, then used.
    let path = bot.join("session.json");
    let mut s: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    s["expires_at_ms"] = json!(0);
    std::fs::write(&path, s.to_string()).unwrap();
    let o = run_with(cli_in(&d, &bot), &["get", "org/indigo/project/hq-cloud/aws/key"], None);
    assert_eq!(ok(o, "get after renewal"), "AKIA-cli-network-secret");
    let renewed: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(renewed["expires_at_ms"].as_u64().unwrap() > 0);
    // The session goes only to the server that issued it: another address for it gets none.
    let mut elsewhere = cli_in(&d, &bot);
    elsewhere.env("HQ_VAULT_URL", d.url.replace("127.0.0.1", "localhost"));
    let o = run_with(elsewhere, &["get", "org/indigo/project/hq-cloud/aws/key"], None);
    assert!(!o.status.success(), "the session was sent to another address");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("was issued by") && err.contains("goes to no other address"), "{err}");
    // Identities are revoked with the server's home; the cached session is refused at once.
    let o = run_with(cli_in(&d, &alice), &["identity", "revoke", "deploy-bot"], None);
    assert!(!o.status.success(), "a human admin does not revoke identities");
    ok(d.run(&["identity", "revoke", "deploy-bot"], None), "revoke");
    let o = run_with(cli_in(&d, &bot), &["get", "org/indigo/project/hq-cloud/aws/key"], None);
    assert!(!o.status.success());
    // ... and says what that means for a session (not the token file's advice).
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("the session in") && err.contains("log in again"), "{err}");
    assert!(!err.contains("one daemon per home"), "{err}");
    // The private key never reached the server: not in its database, log or audit.
    d.secrets.push(seed.trim().to_owned());
    d.assert_no_leaks();
}

/// Start `serve --network` for `d`'s home with `args`, the passphrase on standard input unless
/// `args` name a `--passphrase-file` (network mode unlocks at start); `d.url` becomes the
/// listener's, on 127.0.0.1.
fn serve_network(d: &mut Daemon, args: &[&str]) {
    serve_network_with(d, args, &[]);
}

/// [`serve_network`] with these environment variables set for the daemon.
fn serve_network_with(d: &mut Daemon, args: &[&str], env: &[(&str, &str)]) {
    use std::io::Write as _;
    let mut child = std::process::Command::new(BIN)
        .env("HQ_VAULT_HOME", d.home())
        .envs(env.iter().copied())
        .args(["serve", "--network"])
        // The passphrase on standard input, unless a file gives it.
        .args((!args.contains(&"--passphrase-file")).then_some("--passphrase-stdin"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{PASS}\n").as_bytes()).unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut first).unwrap();
    assert!(first.contains("(unlocked)"), "network mode unlocks at start: {first}");
    d.child = Some(child);
    let port = first
        .split("https://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .expect(&first)
        .rsplit(':')
        .next()
        .unwrap()
        .to_owned();
    d.url = format!("https://127.0.0.1:{port}");
}

/// The CLI with the server's own home: it reaches the daemon through the home socket.
fn home_cli(d: &Daemon) -> std::process::Command {
    let mut c = d.cli();
    c.env_remove("HQ_VAULT_URL");
    c
}

#[test]
fn serve_network_makes_no_bootstrap_token_and_serves_its_home_on_the_home_socket() {
    use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
    let mut d = initialized(CHEAP_KDF);
    // A local-mode run first: its bootstrap token is kept to try on the network listener.
    d.start();
    let old_bootstrap = d.token();
    d.stop();
    serve_network(&mut d, &["--listen", "127.0.0.1:0"]);
    // No bootstrap token is written (the local run's file is gone), and none is taken.
    assert!(!d.home().join("token").exists(), "network mode leaves no token file");
    let a = d.req("GET", "/v1/secrets", Some(&format!("Bearer {old_bootstrap}")), None);
    assert_eq!((a.status, a.code()), (401, "invalid_token".into()));
    // serve.lock names the network listener; the home socket is the owner's only.
    let lock = std::fs::read_to_string(d.home().join("serve.lock")).unwrap();
    assert_eq!(lock.trim(), d.url);
    let sock = std::fs::metadata(d.home().join("serve.sock")).unwrap();
    assert!(sock.file_type().is_socket());
    assert_eq!(sock.permissions().mode() & 0o777, 0o600);
    // Unlocked at start; the home's CLI reaches it (the home socket, no token) and says so.
    let status =
        ok(run_with(home_cli(&d), &["unlock", "--passphrase-stdin"], Some(format!("{PASS}\n").as_bytes())), "unlock");
    assert_eq!(status, "Already unlocked.");
    assert_eq!(ok(run_with(home_cli(&d), &["health"], None), "health"), "ok (unlocked)");
    // No idle lock in network mode (nobody could unlock it over the network); status says where
    // it asked.
    let status = ok(run_with(home_cli(&d), &["status"], None), "status");
    assert!(
        status.contains("at unix:") && status.contains("serve.sock") && status.contains("no idle lock"),
        "{status}"
    );
    let o = run_with(home_cli(&d), &["store", "org/indigo/project/hq-cloud/aws/key"], Some(b"AKIA-served-on-network"));
    ok(o, "store");
    // Its requests are audited as the owner's, from `local`.
    let lines = audit_lines(&d);
    let stored = lines.iter().rev().find(|l| l["op"] == "store").expect("the store is audited");
    assert_eq!((stored["ip"].as_str(), stored["status"].as_u64()), (Some("local"), Some(201)), "{stored}");
    // External Connections are local mode's: a connection made with the home's CLI reads nothing
    // over network mode's listener (refused as an unknown key, audited).
    std::fs::create_dir_all(d.home().join("files/knowledge")).unwrap();
    std::fs::write(d.home().join("files/knowledge/a.md"), "alpha").unwrap();
    let conn_key = ok(
        run_with(home_cli(&d), &["connection", "create", "--name", "docs", "--pattern", "knowledge/"], None),
        "connection create",
    );
    assert!(conn_key.starts_with("hqxc_"), "{conn_key}");
    let a = d.req("GET", "/v1/connections/files/object?path=knowledge/a.md", Some(&bearer(&conn_key)), None);
    assert_eq!(a.status, 403, "{}", String::from_utf8_lossy(&a.body));
    assert!(!String::from_utf8_lossy(&a.body).contains("alpha"));
    // Lock and unlock over the home socket: the passphrase goes nowhere but the socket.
    ok(run_with(home_cli(&d), &["lock"], None), "lock");
    assert_eq!(ok(run_with(home_cli(&d), &["health"], None), "health"), "ok (locked)");
    let status =
        ok(run_with(home_cli(&d), &["unlock", "--passphrase-stdin"], Some(format!("{PASS}\n").as_bytes())), "unlock");
    assert_eq!(status, "Unlocked.");
    // An identity logs in and reads over the network listener once approved.
    let homes = tempfile::tempdir().unwrap();
    let (alice, bot) = (homes.path().join("alice"), homes.path().join("bot"));
    ok(run_with(cli_in(&d, &alice), &["identity", "create", "--name", "alice", "--type", "human"], None), "alice");
    ok(
        run_with(home_cli(&d), &["org", "create", "indigo", "--admin", "alice"], None),
        "org create on the home channel",
    );
    ok(run_with(cli_in(&d, &alice), &["login", "--identity", "alice"], None), "alice login");
    ok(run_with(cli_in(&d, &alice), &["project", "create", "--org", "indigo", "hq-cloud"], None), "project");
    ok(run_with(cli_in(&d, &bot), &["identity", "create", "--name", "deploy-bot", "--type", "agent"], None), "bot");
    ok(run_with(cli_in(&d, &bot), &["login", "--identity", "deploy-bot"], None), "bot login");
    let args = [
        "access-requests",
        "create",
        "--org",
        "indigo",
        "--project",
        "hq-cloud",
        "--role",
        "readonly",
        "--justification",
        "reads",
    ];
    let request = ok(run_with(cli_in(&d, &bot), &args, None), "request");
    ok(run_with(cli_in(&d, &alice), &["access-requests", "approve", &request], None), "approve");
    let v = ok(run_with(cli_in(&d, &bot), &["get", "org/indigo/project/hq-cloud/aws/key"], None), "get");
    assert_eq!(v, "AKIA-served-on-network");
    // A managed token is the local mode's: refused on the network listener, as the bootstrap token.
    let t = ok(run_with(home_cli(&d), &["token", "create", "--name", "mt1", "--ttl", "1h"], None), "token create");
    let a = d.req("GET", "/v1/secrets", Some(&format!("Bearer {t}")), None);
    assert_eq!((a.status, a.code()), (401, "invalid_token".into()));
    // The refused bootstrap token is in the audit, as an unknown credential over the network.
    let lines = audit_lines(&d);
    assert!(lines.iter().any(|l| l["status"] == 401 && l["reason"] == "invalid_token"), "the refusal is audited");
    // Stopped: the socket goes with the daemon, and the home's CLI says nothing answers.
    d.stop();
    assert!(!d.home().join("serve.sock").exists());
    let o = run_with(home_cli(&d), &["health"], None);
    assert!(!o.status.success());
}

#[test]
fn a_stale_home_socket_is_named_and_replaced() {
    let mut d = initialized(CHEAP_KDF);
    serve_network(&mut d, &["--listen", "127.0.0.1:0"]);
    // Killed: the socket file stays, with nothing behind it.
    d.kill9();
    assert!(d.home().join("serve.sock").exists());
    let o = run_with(home_cli(&d), &["lock"], None);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nothing answers at unix:") && err.contains("serve.sock"), "{err}");
    // The next start replaces it.
    serve_network(&mut d, &["--listen", "127.0.0.1:0"]);
    assert_eq!(ok(run_with(home_cli(&d), &["health"], None), "health"), "ok (unlocked)");
}

#[test]
fn serving_beyond_loopback_needs_network_mode() {
    let d = initialized(CHEAP_KDF);
    let o = run_with(d.cli(), &["serve", "--listen", "0.0.0.0:0"], None);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not a loopback address") && err.contains("--network"), "{err}");
}

#[test]
fn beyond_loopback_network_mode_serves_the_certificate_it_is_given() {
    // Without a certificate for the server's name: refused, nothing created.
    let mut d = initialized(CHEAP_KDF);
    let o = run_with(
        d.cli(),
        &["serve", "--network", "--passphrase-stdin", "--listen", "0.0.0.0:0"],
        Some(format!("{PASS}\n").as_bytes()),
    );
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--tls-cert FILE --tls-key FILE"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // With one (a CA of the team's own, a certificate naming the address clients use).
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate().unwrap()).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["vault.team.example".to_owned()]).unwrap();
    params.subject_alt_names.push(rcgen::SanType::IpAddress("127.0.0.1".parse().unwrap()));
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (cert_file, key_file, ca_file) =
        (dir.path().join("cert.pem"), dir.path().join("key.pem"), dir.path().join("ca.pem"));
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let (c, k) = (cert_file.display().to_string(), key_file.display().to_string());
    serve_network(&mut d, &["--listen", "0.0.0.0:0", "--tls-cert", &c, "--tls-key", &k]);
    d.agent = agent_for(&ca_file);
    let a = d.req("GET", "/v1/health", None, None);
    assert_eq!(a.status, 200, "the given certificate is served and trusted through the team's CA");
    assert!(!d.home().join("token").exists(), "no bootstrap token in network mode");
}

/// A TLS handshake with the daemon at `d.url`'s port on 127.0.0.1, checking its certificate for
/// `name` against the home's CA; then `GET /v1/health`: the status line, or the handshake's error.
fn health_as(d: &Daemon, name: &str) -> Result<String, String> {
    use rustls::pki_types::pem::PemObject;
    use std::io::{Read as _, Write as _};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(d.home().join("tls/ca.pem")).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let server = rustls::pki_types::ServerName::try_from(name.to_owned()).unwrap();
    let conn = rustls::ClientConnection::new(std::sync::Arc::new(config), server).unwrap();
    let port = d.url.rsplit(':').next().unwrap();
    let tcp = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(format!("GET /v1/health HTTP/1.1\r\nhost: {name}\r\nconnection: close\r\n\r\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    let _ = tls.read_to_string(&mut answer);
    answer.lines().next().map(str::to_owned).ok_or_else(|| "no answer".to_owned())
}

#[test]
fn tls_names_join_the_self_made_certificate_under_a_new_ca() {
    let mut d = initialized(CHEAP_KDF);
    let ca_file = d.home().join("tls/ca.pem");
    let ca = || std::fs::read(&ca_file).unwrap();
    let first = ca();
    // A name that is neither an address nor a DNS name: refused, named, nothing changed.
    let o = run_with(
        d.cli(),
        &["serve", "--network", "--passphrase-stdin", "--listen", "0.0.0.0:0", "--tls-name", "vault team"],
        Some(format!("{PASS}\n").as_bytes()),
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("`vault team` is neither an IP address nor a DNS name"));
    // Nor a mistyped address (a DNS name's last label is never all digits).
    let o = run_with(d.cli(), &["serve", "--network", "--listen", "0.0.0.0:0", "--tls-name", "10.1.2"], None);
    assert!(String::from_utf8_lossy(&o.stderr).contains("`10.1.2` is neither an IP address nor a DNS name"));
    assert_eq!(ca(), first);
    // Beyond loopback with names (HQ_VAULT_TLS_NAMES, comma-separated, as a container sets it).
    serve_network_with(&mut d, &["--listen", "0.0.0.0:0"], &[("HQ_VAULT_TLS_NAMES", "Vault.Team.Internal,10.1.2.3")]);
    let second = ca();
    assert_ne!(second, first, "a name the certificate lacked makes a new CA");
    assert_eq!(health_as(&d, "vault.team.internal").unwrap(), "HTTP/1.1 200 OK");
    assert_eq!(health_as(&d, "localhost").unwrap(), "HTTP/1.1 200 OK");
    assert!(health_as(&d, "other.team.internal").is_err(), "a name it was not given is not certified");
    // Started again with a name it holds already, or one every self-made certificate holds: the
    // same CA, so clients keep trusting it.
    d.stop();
    serve_network(&mut d, &["--listen", "0.0.0.0:0", "--tls-name", "10.1.2.3", "--tls-name", "localhost,0:0::1"]);
    assert_eq!(ca(), second);
    assert_eq!(health_as(&d, "vault.team.internal").unwrap(), "HTTP/1.1 200 OK");
}

#[test]
fn serve_network_unlocks_at_start_or_serves_nothing() {
    let d = initialized(CHEAP_KDF);
    let o = run_with(
        d.cli(),
        &["serve", "--network", "--passphrase-stdin", "--listen", "127.0.0.1:0"],
        Some(b"not the passphrase\n"),
    );
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("does not unlock this vault: nothing is served"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run_with(d.cli(), &["serve", "--network", "--listen", "127.0.0.1:0"], None);
    assert!(!o.status.success(), "no terminal and no --passphrase-stdin");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--passphrase-stdin"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // --passphrase-file (a container's secret): a missing, an empty and a wrong one serve nothing.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("passphrase");
    let file_arg = file.to_str().unwrap();
    let serve = ["serve", "--network", "--listen", "127.0.0.1:0", "--passphrase-file", file_arg];
    for (content, says) in [
        (None, "reading the passphrase file"),
        (Some(""), "has no passphrase on its first line"),
        (Some("\u{feff}\r\nnot the passphrase\n"), "has no passphrase on its first line"),
        (Some("not the passphrase\n"), "does not unlock this vault"),
    ] {
        if let Some(c) = content {
            std::fs::write(&file, c).unwrap();
        }
        let o = run_with(d.cli(), &serve, None);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{says}: {err}");
        assert!(!err.contains("not the passphrase"), "the passphrase is never echoed: {err}");
    }
    // Not a passphrase file at all (a device that never ends): refused after 4 KiB.
    let o =
        run_with(d.cli(), &["serve", "--network", "--listen", "127.0.0.1:0", "--passphrase-file", "/dev/zero"], None);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is over 4096 bytes"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The right one, on its first line, unlocks at start: a byte-order mark and a Windows line
    // end are not part of it, as on standard input.
    std::fs::write(&file, format!("\u{feff}{PASS}\r\nanything after the first line\n")).unwrap();
    let mut d = d;
    serve_network(&mut d, &["--listen", "127.0.0.1:0", "--passphrase-file", file_arg]);
}

#[test]
fn a_passphrase_given_to_a_local_serve_unlocks_it_at_start() {
    use std::io::BufRead as _;
    let d = initialized(CHEAP_KDF);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("passphrase");
    std::fs::write(&file, format!("{PASS}\n")).unwrap();
    let mut child = std::process::Command::new(BIN)
        .env("HQ_VAULT_HOME", d.home())
        .args(["serve", "--listen", "127.0.0.1:0", "--passphrase-file"])
        .arg(&file)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.contains("(unlocked)"), "a local serve given a passphrase file is unlocked at start: {first}");
}
