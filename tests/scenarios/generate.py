#!/usr/bin/env python3
"""Writes connections.json: the External Connections scenarios every host runs.

A host's runner seeds `files` into its store, creates the `connections` through its own lifecycle
API, revokes `revoked`, rotates `rotated` (keeping the old key as `rotated-old`), then sends each
case's request exactly as written (the query string is already percent-encoded as on the wire) and
compares the answer with `expect`.

`auth` is one of: `none` (no header), `key:NAME` (Bearer and that connection's key), `raw:VALUE`
(the header value verbatim), `revoked`, `rotated-old`, `rotated-new`.
`expect` may hold: `status`; `code` (the error code); `keys` (the listed object keys, in order);
`prefixes`; `truncated`; `body` (the exact object bytes as UTF-8); `headers` (each must be equal);
`no_body` (HEAD and 304).

Run: python3 tests/scenarios/generate.py
"""

import json
import os

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

CONNECTIONS = {
    "docs": ["knowledge/", "projects/plan.md"],
    "all": ["*"],
    "pages": ["pages/*", "big/range.txt"],
    "narrow": ["knowledge/sub/*"],
    "revoked": ["knowledge/*"],
    "rotated": ["knowledge/*"],
}

cases = []


def case(cid, route, query, auth="key:docs", method="GET", headers=None, **expect):
    c = {"id": cid, "method": method, "route": route, "query": query, "auth": auth, "expect": expect}
    if headers:
        c["headers"] = headers
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
     prefixes=["big/", "knowledge/", "knowledgebase/", "pages/", "projects/", "secrets/"])
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

# ---- credentials and lifecycle state
case("no-auth", "object", "path=knowledge/a.md", auth="none", status=401, code="missing_credentials", headers_expect=None)
case("revoked-key", "object", "path=knowledge/a.md", auth="revoked", status=403, code="invalid_key")
case("rotated-old-key", "object", "path=knowledge/a.md", auth="rotated-old", status=403, code="invalid_key")
case("rotated-new-key", "object", "path=knowledge/a.md", auth="rotated-new", status=200, body=FILES["knowledge/a.md"])
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
    "/knowledge/a.md", "%2Fknowledge%2Fa.md", "//knowledge/a.md", "knowledge//a.md", "knowledge\\a.md", "knowledge%5Ca.md",
    "..%5Csecrets%5Cprod.env", "knowledge/a.md%00", "%00", "knowledge/%00/a.md", "knowledge/a%0A.md", "knowledge/a%0D.md",
    "knowledge/a%09.md", "knowledge/a%7F.md", "knowledge/a%20.md", "knowledge/a+b.md", "knowledge/%C3%A9.md", "knowledge/%EF%BC%8E%EF%BC%8E/x",
    "knowledge/%E2%80%8B.md", "knowledge/*", "*", "knowledge/a*.md", "k" * 1025, "knowledge/" + "a" * 8192,
    "knowledge/%FF.md", "knowledge/%C0%AE%C0%AE/x",
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
    json.dump({"description": __doc__.strip().split("\n")[0], "files": FILES, "connections": CONNECTIONS, "cases": cases},
              f, indent=1, ensure_ascii=True)
    f.write("\n")
bad = sum(1 for c in cases if c["expect"]["status"] in (400, 401, 405) or c["id"].startswith("isolation"))
print(f"connections.json: {len(cases)} cases ({bad} bad-input cases)")
