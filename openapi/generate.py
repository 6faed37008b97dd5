#!/usr/bin/env python3
"""Writes the OpenAPI 3.1 documents of both HTTP surfaces: daemon.json (the local daemon) and
edge.json (the Worker's connection and lifecycle routes). Run: python3 openapi/generate.py

The tests keep them true: host-runner/tests/openapi.rs and tests/edge/openapi.test.mjs call every
documented route with every documented method (it must exist) and with every other method (405), and
scripts/schemathesis runs schemathesis against the running daemon and the Worker in workerd.
"""

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "request_id"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "request_id": {"type": "string"},
                "rejections": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
}


def err(desc):
    return {"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def ok(desc, schema, status="200"):
    return {status: {"description": desc, "content": {"application/json": {"schema": schema}}}}


def errors(*codes):
    text = {
        "400": "Bad input (path, query, body), with the reason",
        "401": "Missing, malformed or unusable credentials",
        "403": "Refused: outside the grant, not the owner, or a revoked or rotated-away key",
        "404": "Not found",
        "405": "Method not allowed (see Allow)",
        "409": "Conflict",
        "413": "Body too large",
        "416": "Range not satisfiable",
        "423": "The vault is locked: run `hq-vault unlock`",
        "503": "The audit line could not be written: nothing was done",
    }
    return {c: err(text[c]) for c in codes}


OBJ = {"type": "object"}
CONNECTION = {
    "type": "object",
    "required": ["id", "name", "patterns", "status"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "patterns": {"type": "array", "items": {"type": "string"}},
        "status": {"type": "string", "enum": ["active", "revoked"]},
        "mechanism": {"type": "string"},
        "created_ms": {"type": "integer"},
        "rotated_ms": {"type": ["integer", "null"]},
        "company_id": {"type": "string"},
    },
}
# The Worker's view adds when the connection last read something (Unix ms; null if never).
EDGE_CONNECTION = {**CONNECTION, "properties": {**CONNECTION["properties"], "last_used_ms": {"type": ["integer", "null"]}}}
LISTING = {
    "type": "object",
    "required": ["objects", "prefixes", "truncated", "cursor"],
    "properties": {
        "objects": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "size", "etag", "uploaded"],
                "properties": {"key": {"type": "string"}, "size": {"type": "integer"}, "etag": {"type": "string"}, "uploaded": {"type": "string"}},
            },
        },
        "prefixes": {"type": "array", "items": {"type": "string"}},
        "truncated": {"type": "boolean"},
        "cursor": {"type": ["string", "null"]},
    },
}


def q(name, desc, schema=None):
    return {"name": name, "in": "query", "required": False, "description": desc, "schema": schema or {"type": "string"}}


def p(name, desc):
    return {"name": name, "in": "path", "required": True, "description": desc, "schema": {"type": "string", "minLength": 1}}


READ_ROUTES = {
    "/v1/connections/files": {
        "get": {
            "summary": "List the granted keys under a path",
            "security": [{"connectionKey": []}],
            "parameters": [
                q("path", "A listing prefix (`knowledge/`, `knowledge/Meeting`), empty for the root: any UTF-8 up to 960 bytes "
                          "without a leading `/`, a `.`/`..` or empty segment or a control character, percent-encoded once "
                          "(`+` is a space: send a literal `+` as `%2B`)"),
                q("cursor", "The cursor of the previous page"),
                q("limit", "1 to 1000 (default 1000)"),
                q("delimiter", "`/` to roll folders up into prefixes"),
            ],
            "responses": {**ok("A page", LISTING), **errors("400", "401", "403", "503")},
        },
    },
    "/v1/connections/files/object": {
        "get": {
            "summary": "Read one object (streamed; Range, If-Range and If-None-Match honoured)",
            "security": [{"connectionKey": []}],
            "parameters": [
                q("path", "The object's key, as a listing returned it (any UTF-8 up to 960 bytes: spaces, Unicode, `*`, `\\`, "
                          "`%`, `#`, `?` included), percent-encoded once (`+` is a space: send a literal `+` as `%2B`)"),
                {"name": "range", "in": "header", "required": False, "description": "One `bytes=` range (RFC 9110 14.1.2)",
                 "schema": {"type": "string"}},
                {"name": "if-range", "in": "header", "required": False,
                 "description": "A strong ETag or the exact Last-Modified; otherwise Range is ignored and the whole object sent "
                                "(RFC 9110 13.1.5)", "schema": {"type": "string"}},
                {"name": "if-none-match", "in": "header", "required": False, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {"description": "The object's bytes", "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
                "206": {"description": "A range of the object", "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
                "304": {"description": "Not modified"},
                **errors("400", "401", "403", "404", "416", "503"),
            },
        },
    },
}
for route in READ_ROUTES.values():
    route["head"] = {**route["get"], "summary": route["get"]["summary"] + " (headers only)"}
    route["head"]["responses"] = {k: {"description": v["description"]} for k, v in route["get"]["responses"].items()}


def auth_routes(auth_errors):
    """The agent-identity routes (docs/design.md 3.6), the same on both hosts."""
    auth_errors["400"] = err("A body that is not the route's JSON (unknown or repeated fields), a bad connection id, an "
                             "Authorization header (these routes take none), or a signature that is not base64")
    auth_errors["403"] = err("No active agent-identity connection has this id (or its company switched connections off); "
                             "the nonce is unknown, used or expired; or the signature does not verify")
    return {
        "/v1/connections/auth/challenge": {"post": {
            "summary": "Agent identity, step 1: a single-use nonce (60 s) for an agent_identity connection",
            "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["connection_id"], "additionalProperties": False,
                "properties": {"connection_id": {"type": "string", "pattern": "^conn_[0-9a-f]{8,64}$"}}}}}},
            "responses": {**ok("The nonce to sign", {"type": "object", "required": ["connection_id", "nonce", "expires_at_ms"], "properties": {
                "connection_id": {"type": "string"},
                "nonce": {"type": "string", "description": "32 random bytes, standard base64 (44 characters)"},
                "expires_at_ms": {"type": "integer"}}}), **auth_errors}}},
        "/v1/connections/auth/verify": {"post": {
            "summary": "Agent identity, step 2: the Ed25519 signature over the UTF-8 of hq-vault-auth-v1 + nonce + connection_id "
                       "gives an hqvs_ session token (1 h), the bearer on the read routes",
            "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["connection_id", "nonce", "signature"], "additionalProperties": False,
                "properties": {"connection_id": {"type": "string", "pattern": "^conn_[0-9a-f]{8,64}$"},
                               "nonce": {"type": "string", "description": "The nonce of the challenge (single use)"},
                               "signature": {"type": "string", "description": "64 bytes, standard base64"}}}}}},
            "responses": {**ok("The session", {"type": "object", "required": ["connection_id", "session", "token_type", "expires_at_ms"], "properties": {
                "connection_id": {"type": "string"},
                "session": {"type": "string", "description": "hqvs_…, shown once; ended by rotate and revoke"},
                "token_type": {"type": "string", "enum": ["Bearer"]},
                "expires_at_ms": {"type": "integer"}}}), **auth_errors}}},
    }



def network_routes(owner):
    """Network mode's routes (seed 002; docs/policy.md "Network mode")."""
    json_body = lambda schema: {"required": True, "content": {"application/json": {"schema": schema}}}  # noqa: E731
    session = [{"identitySession": []}]
    either = owner + session
    name = {"type": "string", "description": "1-63 of a-z, 0-9, `.` and `-`, first a letter or digit, not a reserved word"}
    identity = {"type": "object", "required": ["id", "name", "type", "status"], "properties": {
        "id": {"type": "string", "pattern": "^id_[0-9a-f]{16,64}$"}, "name": {"type": "string"},
        "type": {"type": "string", "enum": ["agent", "human"]}, "status": {"type": "string", "enum": ["active", "revoked"]},
        "created_ms": {"type": "integer"}}}
    request = {"type": "object", "required": ["id", "identity_id", "org", "role", "status"], "properties": {
        "id": {"type": "string"}, "identity_id": {"type": "string"}, "org": {"type": "string"}, "project": {"type": ["string", "null"]},
        "role": {"type": "string", "enum": ["admin", "member", "readonly"]}, "justification": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "approved", "denied"]}}}
    login_errors = errors("400", "403", "405", "503")
    login_errors["400"] = err("A body that is not the route's JSON, a bad identity id, an Authorization header (these routes take none), "
                              "a public key or signature that is not base64 of the right length")
    login_errors["403"] = err("No active identity has this id; the public key is not the identity's; the nonce is unknown, used or expired; "
                              "or the signature does not verify")
    decide = json_body({"type": "object", "additionalProperties": False, "properties": {"reason": {"type": "string", "maxLength": 1000}}})
    return {
        "/v1/auth/challenge": {"post": {
            "summary": "Network mode, login step 1: a single-use nonce (60 s) for an identity", "security": [],
            "requestBody": json_body({"type": "object", "required": ["identity_id"], "additionalProperties": False,
                                      "properties": {"identity_id": {"type": "string", "pattern": "^id_[0-9a-f]{16,64}$"}}}),
            "responses": {**ok("The nonce to sign", {"type": "object", "required": ["identity_id", "nonce", "expires_at", "expires_at_ms"], "properties": {
                "identity_id": {"type": "string"}, "nonce": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"},
                "expires_at_ms": {"type": "integer"}}}), **login_errors}}},
        "/v1/auth/verify": {"post": {
            "summary": "Network mode, login step 2: the Ed25519 signature (64 bytes, standard base64) over the UTF-8 of hq-vault-auth-v1 + nonce + "
                       "identity_id, with the identity's public key (the server keeps only its SHA-256), gives an hqvs_ session (1 h)", "security": [],
            "requestBody": json_body({"type": "object", "required": ["identity_id", "nonce", "signature", "public_key"], "additionalProperties": False,
                                      "properties": {"identity_id": {"type": "string"}, "nonce": {"type": "string"}, "signature": {"type": "string"},
                                                     "public_key": {"type": "string", "description": "32 bytes, standard base64"}}}),
            "responses": {**ok("The session", {"type": "object", "required": ["identity_id", "token", "token_type", "expires_at"], "properties": {
                "identity_id": {"type": "string"}, "token": {"type": "string", "description": "hqvs_…, shown once"},
                "token_type": {"type": "string", "enum": ["Bearer"]}, "expires_at": {"type": "string", "format": "date-time"},
                "expires_at_ms": {"type": "integer"}}}), **login_errors}}},
        "/v1/identities": {
            "get": {"summary": "List identities and their memberships (never a key): the owner or a human admin", "security": either,
                    "responses": {**ok("Identities", {"type": "object", "required": ["identities"], "properties": {"identities": {"type": "array", "items": identity}}}),
                                  **errors("400", "401", "403", "503")}},
            "post": {"summary": "Register an identity's Ed25519 public key (anyone, without a credential; grants nothing but filing access requests)",
                     "security": [{}] + either,
                     "requestBody": json_body({"type": "object", "required": ["name", "type", "public_key"], "additionalProperties": False, "properties": {
                         "name": name, "type": {"type": "string", "enum": ["agent", "human"]},
                         "public_key": {"type": "string", "description": "32 bytes, standard base64; the server keeps only its SHA-256"}}}),
                     "responses": {**ok("Registered", identity, "201"), **errors("400", "401", "403", "409", "413", "503")}},
        },
        "/v1/identities/{id}/revoke": {"parameters": [p("id", "Identity id (id_…)")], "post": {
            "summary": "Revoke an identity: its sessions end at once", "security": either,
            "responses": {**ok("Revoked", OBJ), **errors("400", "401", "403", "404", "503")}}},
        "/v1/orgs": {"post": {
            "summary": "Create an org and its first admin: the server's owner only (its home, never an identity over the network)", "security": owner,
            "requestBody": json_body({"type": "object", "required": ["name"], "additionalProperties": False,
                                      "properties": {"name": name, "admin": {"type": "string", "description": "An identity's name or id"}}}),
            "responses": {**ok("Created", OBJ, "201"), **errors("400", "401", "403", "404", "409", "413", "503")}}},
        "/v1/orgs/{org}/projects": {"parameters": [p("org", "The org's name")], "post": {
            "summary": "Create a project: the owner or a human admin of the org", "security": either,
            "requestBody": json_body({"type": "object", "required": ["name"], "additionalProperties": False, "properties": {"name": name}}),
            "responses": {**ok("Created", OBJ, "201"), **errors("400", "401", "403", "404", "409", "413", "503")}}},
        "/v1/access-requests": {
            "get": {"summary": "Access requests, newest first: the owner sees all; an identity its own and those it may decide", "security": either,
                    "responses": {**ok("Requests", {"type": "object", "required": ["access_requests"], "properties": {"access_requests": {"type": "array", "items": request}}}),
                                  **errors("400", "401", "403", "503")}},
            "post": {"summary": "File an access request (an identity): a role in an org's project (admin may cover the whole org)", "security": session,
                     "requestBody": json_body({"type": "object", "required": ["org", "role", "justification"], "additionalProperties": False, "properties": {
                         "org": name, "project": name, "role": {"type": "string", "enum": ["admin", "member", "readonly"]},
                         "justification": {"type": "string", "minLength": 1, "maxLength": 1000}}}),
                     "responses": {**ok("Filed (pending)", request, "201"), **errors("400", "401", "403", "404", "413", "503")}},
        },
        "/v1/access-requests/{id}/approve": {"parameters": [p("id", "Access request id (ar_…)")], "post": {
            "summary": "Approve (a human admin of the org, not the requester; never a role above the approver's): the membership is created",
            "security": session, "requestBody": decide, "responses": {**ok("Approved", OBJ), **errors("400", "401", "403", "404", "409", "413", "503")}}},
        "/v1/access-requests/{id}/deny": {"parameters": [p("id", "Access request id (ar_…)")], "post": {
            "summary": "Deny, with an optional reason (the same rules as approve)",
            "security": session, "requestBody": decide, "responses": {**ok("Denied", OBJ), **errors("400", "401", "403", "404", "409", "413", "503")}}},
    }

def daemon():
    audit_lines = {**ok("Lines", {"type": "object", "required": ["lines", "next"], "properties": {"lines": {"type": "array"}, "next": {"type": "integer"}, "total": {"type": "integer"}}}),
                   **errors("400", "401", "403", "503")}
    owner = [{"vaultToken": []}]
    secret_meta = {
        "type": "object",
        "required": ["path", "size"],
        "properties": {
            "path": {"type": "string"},
            "size": {"type": "integer"},
            "type": {"type": ["string", "null"]},
            "description": {"type": ["string", "null"]},
            "created_ms": {"type": "integer"},
            "updated_ms": {"type": "integer"},
        },
    }
    put_body = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "value": {"type": "string"},
            "value_base64": {"type": "string"},
            "type": {"type": "string", "maxLength": 64},
            "description": {"type": "string", "maxLength": 512},
        },
    }
    json_body = lambda schema: {"required": True, "content": {"application/json": {"schema": schema}}}  # noqa: E731
    paths = {
        "/v1/health": {"get": {"summary": "Is the daemon up, and locked?", "security": [], "responses": ok("Health", {
            "type": "object", "required": ["status", "locked"],
            "properties": {"status": {"type": "string"}, "locked": {"type": "boolean"}, "version": {"type": "string"}, "idle_lock_seconds": {"type": ["integer", "null"], "description": "null: no idle lock (`--idle-lock off`, network mode's default)"}},
        })}},
        "/v1/unlock": {"post": {"summary": "Unlock (Argon2id in the component)", "security": owner,
                                "requestBody": json_body({"type": "object", "required": ["passphrase"], "properties": {"passphrase": {"type": "string"}}}),
                                "responses": {**ok("Unlocked", OBJ), **errors("400", "401", "403", "409", "413", "503")}}},
        "/v1/lock": {"post": {"summary": "Drop the key", "security": owner, "responses": {**ok("Locked", OBJ), **errors("400", "401", "403", "503")}}},
        "/v1/passphrase": {"post": {"summary": "Rewrap the data key under a new passphrase", "security": owner,
                                    "requestBody": json_body({"type": "object", "required": ["old", "new"], "properties": {"old": {"type": "string"}, "new": {"type": "string"}}}),
                                    "responses": {**ok("Changed", OBJ), **errors("400", "401", "403", "409", "413", "503")}}},
        "/v1/secrets": {"get": {"summary": "List secrets (metadata only)", "security": owner, "parameters": [q("prefix", "The folder to list: `myapp` and `myapp/` both mean `myapp/` (never `myappx/`); empty for every secret. The answer's `prefix` is that folder")],
                                "responses": {**ok("Secrets", {"type": "object", "required": ["secrets"], "properties": {"prefix": {"type": "string"}, "secrets": {"type": "array", "items": secret_meta}, "scoped": {"type": "boolean", "description": "the caller's token has a prefix scope: only its part of the folder is listed"}}}),
                                              **errors("400", "401", "423", "503")}}},
        "/v1/secrets/{path}": {
            "parameters": [p("path", "The secret's path, such as `stripe/secret-key` (percent-encoded once)")],
            "get": {"summary": "Read a secret (a managed token's use is counted)", "security": owner,
                    "responses": {**ok("The secret", {"type": "object", "required": ["path", "size"], "properties": {**secret_meta["properties"], "value": {"type": "string"}, "value_base64": {"type": "string"}}}),
                                  **errors("400", "401", "403", "404", "409", "423", "503")}},
            "put": {"summary": "Store a secret (owner); a replacement keeps the stored type and description unless new ones are given", "security": owner,
                    "parameters": [q("overwrite", "`false`: refuse with 409 `exists` rather than replace a secret already at the path (default `true`)",
                                     {"type": "string", "enum": ["true", "false"]})],
                    "requestBody": json_body(put_body),
                    "responses": {**ok("Replaced", OBJ), **ok("Created", OBJ, "201"), **errors("400", "401", "403", "409", "413", "423", "503")}},
            "delete": {"summary": "Delete a secret (owner)", "security": owner,
                       "responses": {"204": {"description": "Deleted"}, **errors("400", "401", "403", "404", "423", "503")}},
        },
        "/v1/tokens": {
            "get": {"summary": "List managed tokens (never their values)", "security": owner, "responses": {**ok("Tokens", OBJ), **errors("400", "401", "403", "503")}},
            "post": {"summary": "Create a managed token (its value is returned once)", "security": owner,
                     "requestBody": json_body({"type": "object", "required": ["name"], "additionalProperties": False, "properties": {
                         "name": {"type": "string"}, "ttl": {"type": "string"}, "max_uses": {"type": "integer", "minimum": 1},
                         "prefix": {"type": "array", "items": {"type": "string"}, "description": "Folders the token may read: `aws` and `aws/` both grant `aws/*`; a pattern ending in `*` is kept as it is"}}}),
                     "responses": {**ok("Created", OBJ, "201"), **errors("400", "401", "403", "409", "413", "503")}},
        },
        "/v1/tokens/{name}": {"parameters": [p("name", "The token's name")],
                              "delete": {"summary": "Revoke a managed token", "security": owner, "responses": {**ok("Revoked", OBJ), **errors("400", "401", "403", "404", "503")}}},
        "/v1/audit": {"get": {"summary": "The audit log's lines after the first N", "security": owner, "parameters": [q("after", "Lines to skip")],
                              "responses": audit_lines}},
        "/v1/audit/follow": {"get": {"summary": "The same lines, for a reader that follows the log (`audit --tail`) after its first read: a success writes no audit line", "security": owner, "parameters": [q("after", "Lines to skip")],
                                     "responses": audit_lines}},
        "/v1/connections": {
            "get": {"summary": "List connections (never keys)", "security": owner,
                    "responses": {**ok("Connections", {"type": "object", "required": ["connections"], "properties": {"connections": {"type": "array", "items": CONNECTION}}}), **errors("400", "401", "403", "503")}},
            "post": {"summary": "Create a connection (the key is returned once, with a snippet)", "security": owner,
                     "requestBody": json_body({"type": "object", "required": ["name", "patterns"], "additionalProperties": False, "properties": {
                         "name": {"type": "string"}, "patterns": {"type": "array", "items": {"type": "string"}}, "mechanism": {"type": "string"}}}),
                     "responses": {**ok("Created", OBJ, "201"), **errors("400", "401", "403", "413", "503")}},
        },
        "/v1/connections/{id}": {"parameters": [p("id", "Connection id")], "get": {"summary": "One connection", "security": owner,
                                                                                   "responses": {**ok("The connection", OBJ), **errors("400", "401", "403", "404", "503")}}},
        "/v1/connections/{id}/rotate": {"parameters": [p("id", "Connection id")], "post": {"summary": "New key, same id (the old key is refused from its next read)", "security": owner,
                                                                                           "responses": {**ok("Rotated", OBJ), **errors("400", "401", "403", "404", "409", "503")}}},
        "/v1/connections/{id}/revoke": {"parameters": [p("id", "Connection id")], "post": {"summary": "Revoke (reads are refused; the audit stays)", "security": owner,
                                                                                           "responses": {**ok("Revoked", OBJ), **errors("400", "401", "403", "404", "503")}}},
        "/v1/connections/{id}/audit": {"parameters": [p("id", "Connection id")], "get": {"summary": "The connection's reads, newest first", "security": owner,
                                                                                         "parameters": [q("cursor", "Events to skip")],
                                                                                         "responses": {**ok("Events", OBJ), **errors("400", "401", "403", "404", "503")}}},
        **READ_ROUTES,
        **auth_routes(errors("400", "403", "405", "503")),
        **network_routes(owner),
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "HQ Vault local daemon", "version": "0.1.0", "description": "HTTPS on loopback; trust the home's tls/ca.pem."},
        "servers": [{"url": "https://127.0.0.1:13100"}],
        "components": {
            "schemas": {"Error": ERROR},
            "securitySchemes": {
                "vaultToken": {"type": "http", "scheme": "bearer", "description": "hqvt_…: the bootstrap token (owner) or a managed token"},
                "identitySession": {"type": "http", "scheme": "bearer", "description": "hqvs_…: an identity's session (network mode, POST /v1/auth/verify), 1 h"},
                "connectionKey": {"type": "http", "scheme": "bearer", "description": "hqxc_…: a connection key"},
            },
        },
        "paths": paths,
    }


EVENT = {
    "type": "object",
    "description": "One audit event: a read (op `list`/`get`) or a lifecycle action, with the status actually answered",
    "required": ["time", "time_ms", "actor", "op", "outcome", "status", "request_id", "ip"],
    "properties": {
        "time": {"type": "string"}, "time_ms": {"type": "integer"}, "actor": {"type": "string"}, "op": {"type": "string"},
        "path": {"type": ["string", "null"]}, "outcome": {"type": "string", "enum": ["allowed", "denied", "failed"]},
        "status": {"type": "integer"}, "request_id": {"type": "string"}, "ip": {"type": "string"}, "reason": {"type": ["string", "null"]},
    },
}


def edge():
    admin = [{"adminCredential": []}]
    company = p("company", "Company id")
    cid = p("id", "Connection id")

    def edge_errors(*codes):
        # Every Worker route may answer 503: the company's Durable Object did not answer.
        out = errors(*codes, "503")
        out["503"] = err("The company's object did not answer: retry the request")
        return out

    lifecycle_errors = edge_errors("400", "404", "405", "413")
    events = {"type": "object", "required": ["events", "cursor"], "properties": {
        "events": {"type": "array", "items": EVENT},
        "cursor": {"type": ["string", "null"], "description": "The next page's cursor (opaque); a cursor this API did not return for the connection is a 400 `bad_cursor`"}}}
    # On the Worker an agent identity's session token reads like a connection key.
    reads = json.loads(json.dumps(READ_ROUTES))
    for route in reads.values():
        for op in route.values():
            op["security"] = [{"connectionKey": []}, {"sessionToken": []}]
    auth = auth_routes(edge_errors("400", "403", "405"))
    paths = {
        **reads,
        **auth,
        "/v1/companies/{company}/connections": {
            "parameters": [company],
            "get": {"summary": "List the company's connections (never keys)", "security": admin,
                    "responses": {**ok("Connections", {"type": "object", "required": ["connections"], "properties": {"connections": {"type": "array", "items": EDGE_CONNECTION}}}), **edge_errors("404")}},
            "post": {"summary": "Create a connection (an api_key's key is returned once; an agent_identity takes the agent's Ed25519 public_key, 32 bytes in standard base64), with a snippet", "security": admin,
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["name", "patterns"], "additionalProperties": False, "properties": {
                         "name": {"type": "string"}, "patterns": {"type": "array", "items": {"type": "string"}},
                         "mechanism": {"type": "string", "enum": ["api_key", "agent_identity"]}, "public_key": {"type": "string"}}}}}},
                     "responses": {**ok("Created", OBJ, "201"), **lifecycle_errors}},
        },
        "/v1/companies/{company}/connections/{id}": {"parameters": [company, cid], "get": {"summary": "One connection", "security": admin, "responses": {**ok("The connection", OBJ), **edge_errors("400", "404")}}},
        "/v1/companies/{company}/connections/{id}/rotate": {"parameters": [company, cid], "post": {"summary": "New key, same id (an agent identity: send {\"public_key\"}, its new public key; its sessions end)", "security": admin,
                                                                                                   "requestBody": {"required": False, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": False, "properties": {"public_key": {"type": "string"}}}}}},
                                                                                                   "responses": {**ok("Rotated", OBJ), **edge_errors("400", "404", "409")}}},
        "/v1/companies/{company}/connections/{id}/revoke": {"parameters": [company, cid], "post": {"summary": "Revoke", "security": admin, "responses": {**ok("Revoked", OBJ), **edge_errors("400", "404")}}},
        "/v1/companies/{company}/connections/{id}/audit": {"parameters": [company, cid], "get": {"summary": "The connection's audit: reads and lifecycle actions, newest first (kept 90 days)", "security": admin,
                                                                                                 "parameters": [q("cursor", "The cursor of the previous page")],
                                                                                                 "responses": {**ok("Events, newest first, 100 a page", events), **edge_errors("400", "404")}}},
        "/v1/companies/{company}/patterns/check": {"parameters": [company], "post": {
            "summary": "The console's check of allowlist patterns (at most 64): each one's verdict by the core, in the order sent; changes nothing, and a success is not audited", "security": admin,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["patterns"], "additionalProperties": False, "properties": {"patterns": {"type": "array", "maxItems": 64, "items": {"type": "string"}}}}}}},
            "responses": {**ok("Verdicts", {"type": "object", "required": ["verdicts"], "properties": {"verdicts": {"type": "array", "items": {"type": "object", "required": ["ok"], "properties": {
                "ok": {"type": "boolean"}, "pattern": {"type": "string", "description": "The normalized pattern (knowledge/ → knowledge/*)"},
                "reason": {"type": "string", "description": "The rejection's code (dot-segment, leading-slash, non-ascii, misplaced-star, …)"}, "message": {"type": "string"}}}}}}), **edge_errors("400", "404", "413")}}},
        "/companies/{company}/connections": {"parameters": [company], **{m: {
            "summary": "The Connections console: an HTML page (its script, style and icon under /console/) that asks for the admin credential and calls the routes above; strict CSP, no inline script" + (" (HEAD: the headers only)" if m == "head" else ""),
            "security": [], "responses": {"200": {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}}, **errors("404", "405")}} for m in ("get", "head")}},
        "/v1/companies/{company}/settings": {
            "parameters": [company],
            "get": {"summary": "The company's switches, and the caller's role in the company (owner or admin: only an owner may switch)", "security": admin,
                    "responses": {**ok("Settings", {"type": "object", "required": ["connections_enabled", "role"], "properties": {"connections_enabled": {"type": "boolean"}, "role": {"type": "string", "enum": ["owner", "admin"]}}}), **edge_errors("404")}},
            "put": {"summary": "Switch every connection of the company off or on", "security": admin,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["connections_enabled"], "additionalProperties": False, "properties": {"connections_enabled": {"type": "boolean"}}}}}},
                    "responses": {**ok("Settings", OBJ), **edge_errors("400", "404", "413")}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "HQ Vault External Connections (Cloudflare Worker)", "version": "0.1.0"},
        "servers": [{"url": "https://hqapi.example.com"}],
        "components": {
            "schemas": {"Error": ERROR},
            "securitySchemes": {
                "connectionKey": {"type": "http", "scheme": "bearer", "description": "hqxc_…: a connection key"},
                "sessionToken": {"type": "http", "scheme": "bearer", "description": "hqvs_…: an agent identity's session (POST /v1/connections/auth/verify), 1 h"},
                "adminCredential": {"type": "http", "scheme": "bearer", "description": "hqvt_…: an owner or admin credential of the company (others get 404)"},
            },
        },
        "paths": paths,
    }


for name, doc in [("daemon.json", daemon()), ("edge.json", edge())]:
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(name, len(doc["paths"]), "paths")
