#!/usr/bin/env python3
"""Writes connections.json: the External Connections scenarios every host runs.

A host's runner seeds `files` into its store, creates the `connections` through its own lifecycle
API, revokes `revoked`, rotates `rotated` (keeping the old key as `rotated-old`), then sends each
case's request exactly as written (the query string is already percent-encoded as on the wire) and
compares the answer with `expect`.

`auth` is one of: `none` (no header), `key:NAME` (Bearer and that connection's key), `raw:VALUE`
(the header value verbatim), `revoked`, `rotated-old`, `rotated-new`, or `session:NAME` (Bearer and
the session token of agent identity NAME).

Agent identities (docs/design.md §3.6): the runner creates each of `identities` with
`"mechanism":"agent_identity"` and its `public_key`, and logs each in (challenge, the Ed25519 signature
with `signers[NAME]`, a 32-byte seed in hex, over the UTF-8 of `hq-vault-auth-v1` + nonce + connection
id, verify) before the read cases, keeping its session as `session:NAME`. Then it revokes
`agent-revoked`, rotates `agent-rotated` to `rotate_to`'s public key (its old session stays as
`session:agent-rotated`), and logs `agent-rotated` in again with its new key as
`session:agent-rotated-new`. Each of `logins` asks a challenge for `identity` (an agent identity) or
`connection` (an API-key connection), with `bearer` as an `Authorization: Bearer` key when given; if
that is refused, its status and code are compared with `expect`; else it signs with `sign_with` (or
the identity's own key) and verifies (twice when `replay`), and compares the last answer.
`expect` may hold: `status`; `code` (the error code); `keys` (the listed object keys, in order);
`prefixes`; `truncated`; `body` (the exact object bytes as UTF-8); `headers` (each must be equal);
`no_body` (HEAD and 304). `note` says why, where the reason is not obvious.

Keys are real names (docs/design.md §3.1): the `kb/` files hold spaces, NFC and NFD spellings, `*`, `\\`, `+`,
`%`, `#`, `?`, `(`, `'`, an emoji and a 960-byte key; every listed key is fetched back with that key.
Queries decode `+` as a space, so a literal `+` travels as `%2B`.

Run: python3 tests/scenarios/generate.py
"""

import base64
import hashlib
import json
import os
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))

FILES = {
    "knowledge/a.md": "# Alpha\nknowledge about a\n",
    "knowledge/b.txt": "bravo",
    "knowledge/sub/c.md": "charlie",
    "knowledge/sub/deep/d.json": "{\"d\": 4}",
    "knowledge/%2e%2e/odd.md": "a file literally named %2e%2e",
    "knowledgebase/x.md": "not under knowledge/",
    "projects/plan.md": "the plan",
    "projects/secret-roadmap.md": "roadmap",
    "secrets/prod.env": "DATABASE_URL=postgres://prod",
    "big/range.txt": "0123456789abcdefghijklmnopqrstuvwxyz",
}
for i in range(12):
    FILES[f"pages/p{i:02d}.md"] = f"page {i}"

# Keys are not patterns (docs/design.md §3.1): real names, each fetched back with the key its listing gave.
LONG_DIR = "kb/long/" + ("l" * 250 + "/") * 3  # no segment over 255 bytes, so a file system holds it
LONGEST = LONG_DIR + "x" * (960 - len(LONG_DIR) - 4) + ".txt"
TOO_LONG = LONG_DIR + "y" * (980 - len(LONG_DIR) - 4) + ".txt"
assert len(LONGEST.encode()) == 960 and len(TOO_LONG.encode()) == 980
AWKWARD = {
    "kb/has space.md": "a name with a space",
    "kb/caf\u00e9.md": "NFC: e with acute is one code point",
    "kb/cafe\u0301.md": "NFD: e then a combining acute",
    "kb/star*.md": "a star in a name",
    "kb/back\\slash.md": "a backslash in a name",
    "kb/plus+sign.md": "a plus in a name",
    "kb/100%.md": "a percent sign",
    "kb/hash#.md": "a hash",
    "kb/what?.md": "a question mark",
    "kb/Q4 (draft).md": "parentheses",
    "kb/it's.md": "an apostrophe",
    "kb/a&b=c.md": "an ampersand and an equals sign",
    "kb/\U0001F511 key.md": "an emoji",
    LONGEST: "the longest key: 960 bytes",
}
FILES.update(AWKWARD)
# Names a store can hold that are not keys: never listed (a listing only shows what can be fetched).
NOT_KEYS = {"kb/bell\u0007.md": "a control character", TOO_LONG: "980 bytes"}
FILES.update(NOT_KEYS)

CONNECTIONS = {
    "docs": ["knowledge/", "projects/plan.md"],
    "all": ["*"],
    "pages": ["pages/*", "big/range.txt"],
    "narrow": ["knowledge/sub/*"],
    "kb": ["kb/"],
    "revoked": ["knowledge/*"],
    "rotated": ["knowledge/*"],
}

def _seed(name):
    return hashlib.sha256(("hq-vault scenario signer " + name).encode()).digest()


def _public(seed):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    return base64.b64encode(Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()).decode()


SIGNERS = {n: _seed(n).hex() for n in ["agent", "agent-revoked", "agent-rotated", "agent-rotated-new", "stranger"]}
IDENTITIES = {
    "agent": {"patterns": ["knowledge/"], "public_key": _public(_seed("agent"))},
    "agent-revoked": {"patterns": ["knowledge/"], "public_key": _public(_seed("agent-revoked"))},
    "agent-rotated": {"patterns": ["knowledge/"], "public_key": _public(_seed("agent-rotated")),
                      "rotate_to": {"signer": "agent-rotated-new", "public_key": _public(_seed("agent-rotated-new"))}},
}
LOGINS = [
    {"id": "login-ok", "identity": "agent", "expect": {"status": 200}},
    {"id": "login-another-key", "identity": "agent", "sign_with": "stranger", "expect": {"status": 403, "code": "bad_signature"}},
    {"id": "login-replayed-nonce", "identity": "agent", "replay": True, "expect": {"status": 403, "code": "nonce_used"}},
    {"id": "login-api-key-as-bearer", "identity": "agent", "bearer": "key:docs",
     "expect": {"status": 400, "code": "unexpected_credentials"}},
    {"id": "login-api-key-connection", "connection": "docs", "expect": {"status": 403, "code": "invalid_identity"}},
    {"id": "login-revoked", "identity": "agent-revoked", "expect": {"status": 403, "code": "invalid_identity"}},
    {"id": "login-rotated-old-key", "identity": "agent-rotated", "expect": {"status": 403, "code": "bad_signature"}},
    {"id": "login-rotated-new-key", "identity": "agent-rotated", "sign_with": "agent-rotated-new", "expect": {"status": 200}},
]

cases = []


def case(cid, route, query, auth="key:docs", method="GET", headers=None, note=None, **expect):
    c = {"id": cid, "method": method, "route": route, "query": query, "auth": auth, "expect": expect}
    if headers:
        c["headers"] = headers
    if note:
        c["note"] = note
    cases.append(c)


DOCS_KNOWLEDGE = ["knowledge/%2e%2e/odd.md", "knowledge/a.md", "knowledge/b.txt", "knowledge/sub/c.md", "knowledge/sub/deep/d.json"]

# ---- listing
case("list-granted-prefix", "list", "path=knowledge/", status=200, keys=DOCS_KNOWLEDGE, prefixes=[], truncated=False)
case("list-root-shows-only-granted", "list", "path=", status=200, keys=DOCS_KNOWLEDGE + ["projects/plan.md"], truncated=False)
case("list-no-path-is-root", "list", "", status=200, keys=DOCS_KNOWLEDGE + ["projects/plan.md"])
case("list-delimited-root", "list", "path=&delimiter=%2F", status=200, keys=[], prefixes=["knowledge/", "projects/"])
case("list-delimited-inside", "list", "path=knowledge/&delimiter=/", status=200,
     keys=["knowledge/a.md", "knowledge/b.txt"], prefixes=["knowledge/%2e%2e/", "knowledge/sub/"])
case("list-partial-prefix", "list", "path=know", status=200, keys=DOCS_KNOWLEDGE)
case("list-sub", "list", "path=knowledge/sub/", status=200, keys=["knowledge/sub/c.md", "knowledge/sub/deep/d.json"])
case("list-projects-only-granted-key", "list", "path=projects/", status=200, keys=["projects/plan.md"])
case("list-disjoint", "list", "path=secrets/", status=403, code="forbidden_path")
case("list-sibling-name", "list", "path=knowledgebase/", status=403, code="forbidden_path")
case("list-all-root", "list", "path=&delimiter=/", auth="key:all", status=200, keys=[],
     prefixes=["big/", "kb/", "knowledge/", "knowledgebase/", "pages/", "projects/", "secrets/"])
case("list-narrow-from-root", "list", "path=knowledge/&delimiter=/", auth="key:narrow", status=200, keys=[], prefixes=["knowledge/sub/"])
case("list-page-1", "list", "path=pages/&limit=5", auth="key:pages", status=200,
     keys=[f"pages/p{i:02d}.md" for i in range(5)], truncated=True)
case("list-limit-1000", "list", "path=pages/&limit=1000", auth="key:pages", status=200, keys=[f"pages/p{i:02d}.md" for i in range(12)], truncated=False)
case("list-empty-granted", "list", "path=knowledge/nothing-here/", status=200, keys=[], prefixes=[], truncated=False)
case("list-head", "list", "path=knowledge/", method="HEAD", status=200, no_body=True)

# ---- objects
case("get-granted", "object", "path=knowledge/a.md", status=200, body=FILES["knowledge/a.md"],
     response_headers={"content-type": "text/markdown; charset=utf-8", "content-length": str(len(FILES["knowledge/a.md"]))})
case("get-exact-key-grant", "object", "path=projects/plan.md", status=200, body="the plan")
case("get-encoded-slash", "object", "path=knowledge%2Fb.txt", status=200, body="bravo")
case("get-literal-percent-name", "object", "path=knowledge/%252e%252e/odd.md", status=200, body=FILES["knowledge/%2e%2e/odd.md"])
case("get-outside-exists", "object", "path=secrets/prod.env", status=403, code="forbidden_path")
case("get-outside-missing", "object", "path=secrets/nope.env", status=403, code="forbidden_path")
case("get-sibling-of-exact", "object", "path=projects/secret-roadmap.md", status=403, code="forbidden_path")
case("get-missing-inside", "object", "path=knowledge/missing.md", status=404, code="not_found")
case("get-head", "object", "path=knowledge/b.txt", method="HEAD", status=200, no_body=True, response_headers={"content-length": "5"})
case("get-range", "object", "path=big/range.txt", auth="key:pages", headers={"range": "bytes=0-9"}, status=206, body="0123456789",
     response_headers={"content-range": "bytes 0-9/36", "content-length": "10"})
case("get-range-suffix", "object", "path=big/range.txt", auth="key:pages", headers={"range": "bytes=-6"}, status=206, body="uvwxyz")
case("get-range-open", "object", "path=big/range.txt", auth="key:pages", headers={"range": "bytes=30-"}, status=206, body="uvwxyz")
case("get-range-unsatisfiable", "object", "path=big/range.txt", auth="key:pages", headers={"range": "bytes=100-200"}, status=416)
case("get-range-multi-ignored", "object", "path=big/range.txt", auth="key:pages", headers={"range": "bytes=0-1,4-5"}, status=200,
     body=FILES["big/range.txt"])
case("get-if-none-match-star", "object", "path=knowledge/b.txt", headers={"if-none-match": "*"}, status=304, no_body=True)
case("get-if-none-match-other", "object", "path=knowledge/b.txt", headers={"if-none-match": "\"nope\""}, status=200, body="bravo")
# If-Range (RFC 9110 §13.1.5): a validator that does not hold strongly turns the range into the whole object.
WHOLE = FILES["big/range.txt"]
for i, v in enumerate(["\"stale\"", "W/\"weak\"", "Mon, 01 Jan 2001 00:00:00 GMT", "yesterday", "\"a\", \"b\""]):
    case(f"get-if-range-false-{i}", "object", "path=big/range.txt", auth="key:pages", headers={"range": "bytes=0-3", "if-range": v},
         status=200, body=WHOLE, response_headers={"content-length": str(len(WHOLE))})
case("get-if-range-false-unsatisfiable", "object", "path=big/range.txt", auth="key:pages",
     headers={"range": "bytes=100-200", "if-range": "\"stale\""}, status=200, body=WHOLE)
case("get-if-range-without-range", "object", "path=big/range.txt", auth="key:pages", headers={"if-range": "\"stale\""},
     status=200, body=WHOLE)
case("get-if-none-match-before-range", "object", "path=big/range.txt", auth="key:pages",
     headers={"range": "bytes=0-3", "if-none-match": "*", "if-range": "\"stale\""}, status=304, no_body=True)

# ---- keys are not patterns: list, then fetch every listed key with that same key
KB_KEYS = sorted(AWKWARD)  # code-point order is UTF-8 byte order
case("list-awkward-names", "list", "path=kb/", auth="key:kb", status=200, keys=KB_KEYS, prefixes=[], truncated=False)
case("list-awkward-delimited", "list", "path=kb/&delimiter=/", auth="key:kb", status=200,
     keys=[k for k in KB_KEYS if "/" not in k[3:]], prefixes=["kb/long/"])
case("list-prefix-nfc-and-nfd", "list", "path=" + quote("kb/caf"), auth="key:kb", status=200,
     keys=sorted(["kb/caf\u00e9.md", "kb/cafe\u0301.md"]))
case("list-prefix-nfd-only", "list", "path=" + quote("kb/cafe"), auth="key:kb", status=200, keys=["kb/cafe\u0301.md"],
     note="byte comparison: the NFC name does not start with `cafe`")
case("list-prefix-with-star", "list", "path=" + quote("kb/star*", safe=""), auth="key:kb", status=200, keys=["kb/star*.md"])
case("list-prefix-with-space-plus-encoded", "list", "path=kb/has+sp", auth="key:kb", status=200, keys=["kb/has space.md"],
     note="`+` in a query is a space")
for i, k in enumerate(KB_KEYS):
    case(f"get-awkward-{i:02d}", "object", "path=" + quote(k, safe=""), auth="key:kb", status=200, body=AWKWARD[k])
    case(f"get-awkward-slashes-kept-{i:02d}", "object", "path=" + quote(k, safe="/"), auth="key:kb", status=200, body=AWKWARD[k])
case("head-awkward", "object", "path=" + quote("kb/has space.md"), auth="key:kb", method="HEAD", status=200, no_body=True,
     response_headers={"content-length": str(len(AWKWARD["kb/has space.md"]))})
case("get-plus-unencoded-is-a-space", "object", "path=kb/plus+sign.md", auth="key:kb", status=404, code="not_found",
     note="a literal `+` must be sent as %2B: `+` in a query is a space")
case("get-literal-percent-2B", "object", "path=kb/plus%252Bsign.md", auth="key:kb", status=404, code="not_found",
     note="decoded once: %252B is the three characters %2B")
case("get-nfc-is-not-nfd", "object", "path=" + quote("kb/cafe\u0301.md"), auth="key:kb", status=200,
     body=AWKWARD["kb/cafe\u0301.md"])
case("get-one-byte-too-long", "object", "path=" + quote(LONGEST[:-4] + "x.txt"), auth="key:kb", status=400, code="bad_path")
case("get-stored-too-long", "object", "path=" + quote(TOO_LONG), auth="key:kb", status=400, code="bad_path")
case("get-stored-control-character", "object", "path=" + quote("kb/bell\u0007.md"), auth="key:kb", status=400, code="bad_path")
# Names that were refused while keys followed the pattern alphabet: now ordinary keys.
for i, (p, status) in enumerate([
    ("knowledge\\a.md", 403), ("knowledge%5Ca.md", 403), ("..%5Csecrets%5Cprod.env", 403), ("knowledge/a%20.md", 404),
    ("knowledge/a+b.md", 404), ("knowledge/%C3%A9.md", 404), ("knowledge/%EF%BC%8E%EF%BC%8E/x", 404),
    ("knowledge/%E2%80%8B.md", 404), ("knowledge/*", 404), ("*", 403), ("knowledge/a*.md", 404), ("%2A", 403),
]):
    case(f"now-a-key-{i:02d}", "object", "path=" + p, status=status, code="forbidden_path" if status == 403 else "not_found")

# ---- credentials and lifecycle state
case("no-auth", "object", "path=knowledge/a.md", auth="none", status=401, code="missing_credentials", headers_expect=None)
case("revoked-key", "object", "path=knowledge/a.md", auth="revoked", status=403, code="invalid_key")
case("rotated-old-key", "object", "path=knowledge/a.md", auth="rotated-old", status=403, code="invalid_key")
case("rotated-new-key", "object", "path=knowledge/a.md", auth="rotated-new", status=200, body=FILES["knowledge/a.md"])
# Agent identities: a session reads with its connection's patterns; revoke and rotate end it.
case("session-get", "object", "path=knowledge/a.md", auth="session:agent", status=200, body=FILES["knowledge/a.md"])
case("session-list", "list", "path=knowledge/sub/", auth="session:agent", status=200,
     keys=["knowledge/sub/c.md", "knowledge/sub/deep/d.json"])
case("session-outside", "object", "path=projects/plan.md", auth="session:agent", status=403, code="forbidden_path")
case("session-revoked", "object", "path=knowledge/a.md", auth="session:agent-revoked", status=403, code="invalid_session")
case("session-rotated-old", "object", "path=knowledge/a.md", auth="session:agent-rotated", status=403, code="invalid_session")
case("session-rotated-new", "object", "path=knowledge/a.md", auth="session:agent-rotated-new", status=200,
     body=FILES["knowledge/a.md"])
case("session-unknown", "object", "path=knowledge/a.md", auth="raw:Bearer hqvs_000Gp5uvDxgLTOpvmZxMbHDMkmqwsB6acXk71hwVCsCeXHxjm",
     status=403, code="invalid_session")
for i, raw in enumerate([
    "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "bearer", "Token hqxc_x", "Bearer hqxc_", "Bearer hqxc_short",
    "Bearer hqxc_" + "A" * 49, "Bearer hqxc_" + "0" * 49, "Bearer hqxc_" + "z" * 49, "Bearer hqvt_" + "0" * 49,
    "Bearer hqxx_" + "1" * 49, "Bearer " + "x" * 4000, "Bearer hqxc_" + "A" * 48 + "-", "Bearer hqxc_ hqxc_",
    "Bearer\thqxc_" + "A" * 49, "BEARER hqxc_" + "A" * 49,
]):
    case(f"malformed-auth-{i:02d}", "object", "path=knowledge/a.md", auth="raw:" + raw, status=401)

# ---- bad input: every one answered 400 before anything is read
BAD_PATHS = [
    "..", "../secrets/prod.env", "knowledge/../secrets/prod.env", "knowledge/..", "./knowledge/a.md", "knowledge/./a.md",
    "%2e%2e/secrets/prod.env", "%2E%2E%2Fsecrets%2Fprod.env", "knowledge%2F..%2F..%2Fsecrets%2Fprod.env", "knowledge/%2e%2e",
    "/knowledge/a.md", "%2Fknowledge%2Fa.md", "//knowledge/a.md", "knowledge//a.md", "knowledge/a.md%00", "%00",
    "knowledge/%00/a.md", "knowledge/a%0A.md", "knowledge/a%0D.md", "knowledge/a%09.md", "knowledge/a%7F.md",
    "knowledge/a%C2%85.md", "knowledge/a%C2%9F.md", "k" * 961, "knowledge/" + "a" * 8192, "knowledge/%FF.md",
    "knowledge/%C0%AE%C0%AE/x", "knowledge/%E9.md",
]
for i, p in enumerate(BAD_PATHS):
    case(f"bad-object-path-{i:02d}", "object", "path=" + p, status=400)
for i, p in enumerate(BAD_PATHS[:20]):
    case(f"bad-list-path-{i:02d}", "list", "path=" + p, status=400)
for p in ["knowledge/", "", "knowledge/sub/"]:
    case(f"object-needs-a-key-{p or 'empty'}", "object", "path=" + p, status=400, code="bad_path")
case("object-no-path", "object", "", status=400, code="bad_path")
for i, lim in enumerate(["0", "1001", "-1", "abc", "%2B5", "1e3", "", "99999999999", "5.0", "0x10", "%201"]):
    case(f"bad-limit-{i:02d}", "list", "path=knowledge/&limit=" + lim, status=400, code="bad_limit")
for i, d in enumerate(["%7C", "%2F%2F", "a", "%5C"]):
    case(f"bad-delimiter-{i:02d}", "list", "path=knowledge/&delimiter=" + d, status=400, code="bad_delimiter")
for i, c in enumerate(["bogus", "c1.", "c1.9.", "c1.0.zz", "c2.0.00", "c1.x.00", "c1.0." + "00" * 3000, "%00"]):
    case(f"bad-cursor-{i:02d}", "list", "path=knowledge/&cursor=" + c, status=400, code="bad_cursor")
case("duplicate-path-param", "object", "path=knowledge/a.md&path=secrets/prod.env", status=400)

# ---- methods: read-only
for m in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]:
    for route in ["list", "object"]:
        case(f"method-{m.lower()}-{route}", route, "path=knowledge/a.md", method=m, status=405, code="method_not_allowed",
             headers_expect={"allow": "GET, HEAD"})

# ---- isolation: a key only ever reaches its own grant, whatever the path says
for i, p in enumerate(["secrets/prod.env", "knowledgebase/x.md", "projects/secret-roadmap.md", "big/range.txt", "pages/p00.md"]):
    case(f"isolation-{i:02d}", "object", "path=" + p, auth="key:narrow", status=403, code="forbidden_path")

# Normalize: `headers_expect` and `response_headers` are both checks on response headers.
for c in cases:
    e = c["expect"]
    hx = e.pop("headers_expect", None) or {}
    hx.update(e.pop("response_headers", None) or {})
    if hx:
        e["headers"] = hx
    if e.get("status") == 401:
        e.setdefault("headers", {})["www-authenticate"] = "Bearer"

with open(os.path.join(HERE, "connections.json"), "w", encoding="utf-8") as f:
    json.dump({"description": __doc__.strip().split("\n")[0], "files": FILES, "connections": CONNECTIONS,
               "identities": IDENTITIES, "signers": SIGNERS, "logins": LOGINS, "cases": cases},
              f, indent=1, ensure_ascii=True)
    f.write("\n")
bad = sum(1 for c in cases if c["expect"]["status"] in (400, 401, 405) or c["id"].startswith("isolation"))
print(f"connections.json: {len(cases)} cases ({bad} bad-input cases)")
