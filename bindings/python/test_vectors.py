"""tests/vectors/*.json through the component in Python (wasmtime): the same answers as Rust.

Run: python3 bindings/python/test_vectors.py VECTORS_COMPONENT.wasm   (prints 'N passed, N failed')

The component must be the `vectors` world's (`cargo run -p hq-vault --example vectors_component --
OUT.wasm`): the known-answer entry points are in no world a host ships.
"""

import base64
import json
import os
import sys

from wasmtime import component as wc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hq_vault_core import Core, HqVaultError  # noqa: E402

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/vectors")


def record(**fields):
    r = wc.Record()
    for k, v in fields.items():
        setattr(r, k.replace("_", "-"), v)
    return r


def src(s):
    return {"prefix": s.prefix, "exact": s.exact, "rollup": s.rollup}


# policy.json: WIT shapes as wasmtime-py takes them (records with WIT field names, variants as
# Variant(tag, payload), `result`s as Variant('ok'|'err', payload)).
def _caller(c):
    if isinstance(c, str):
        return wc.Variant(c, None)
    tag, v = next(iter(c.items()))
    if tag == "managed":
        r = v["rules"]
        v = record(name=v["name"], rules=record(expires_at_ms=r["expires_at_ms"], max_uses=r["max_uses"], uses=r["uses"],
                                                revoked=r["revoked"], scope=r["scope"]))
    elif tag == "session":
        v = record(id=v.get("id", ""), kind=v.get("kind", "agent"), name=v["name"], expires_at_ms=v["expires_at_ms"],
                   memberships=[record(org=m["org"], project=m["project"], role=m["role"]) for m in v["memberships"]])
    elif tag == "company-admin":
        v = record(name=v["name"], company_id=v["company_id"], role=v["role"])
    return wc.Variant(tag, v)


def _access_request(r):
    return record(id=r["id"], identity_id=r["identity_id"], org=r["org"], project=r["project"], role=r["role"], status=r["status"])


def _request(q):
    return record(operation=q["operation"], caller=_caller(q["caller"]), target=q["target"], company=q["company"], query_problem=q.get("query_problem"),
                  locked=q["locked"], time_ms=q["time_ms"], request_id=q["request_id"], source_ip=q["source_ip"])


def _effect(e):
    if isinstance(e, str):
        return wc.Variant(e, None)
    tag, v = next(iter(e.items()))
    if tag == "bad-input":
        v = record(kind=v["kind"], detail=v["detail"], rejections=[])
    return wc.Variant(tag, v)


def _result(r):
    """(ok?, payload) of a WIT `result`."""
    if isinstance(r, wc.Variant) and r.tag in ("ok", "err"):
        return r.tag == "ok", r.payload
    return True, r


def _decision(d):
    a = d.audit
    return {"status": d.status, "code": d.code, "summarized": d.summarized, "headers": [list(h) for h in d.headers],
            "audit": None if a is None else {"actor": a.actor, "operation": a.operation, "path": a.path,
                                             "outcome": a.outcome, "status": a.status, "reason": a.reason,
                                             "time_ms": getattr(a, "time-ms"), "request_id": getattr(a, "request-id"),
                                             "source_ip": getattr(a, "source-ip")}}


def run_policy(core, c):
    f = c["fn"]
    if f == "admit":
        good, v = _result(core.call("policy", "admit", _request(c["request"])))
        if good:
            return {"admitted": {"target": v.target, "actor": v.actor, "count_use": getattr(v, "count-use"),
                                 "scoped": v.scoped}}
        return _decision(v)
    if f == "conclude":
        req = _request(c["request"])
        good, adm = _result(core.call("policy", "admit", req))
        assert good, "not admitted"
        return _decision(core.call("policy", "conclude", req, adm, _effect(c["effect"]), c["subject"]))
    if f == "credential":
        good, v = _result(core.call("policy", "credential", c["authorization"]))
        return {"ok": v} if good else {"error": v}
    if f == "visible":
        return core.call("policy", "visible", _caller(c["caller"]), c["path"], c["time_ms"])
    if f == "check-token-request":
        good, v = _result(core.call("policy", "check-token-request", c["name"], c["ttl"], c["max_uses"], c["prefixes"],
                                    c["now_ms"]))
        if good:
            return {"ok": {"expires_at_ms": getattr(v, "expires-at-ms"), "max_uses": getattr(v, "max-uses"),
                           "uses": v.uses, "revoked": v.revoked, "scope": v.scope}}
        return {"error": v.kind}
    if f == "check-connection-request":
        good, v = _result(core.call("policy", "check-connection-request", c["name"], c["mechanism"], c["patterns"]))
        good = good and isinstance(v, list)  # ok (a list) and error (a record) differ: no Variant wraps them
        return {"ok": v} if good else {"error": {"kind": v.kind, "rejected": [r.index for r in v.rejections]}}
    if f == "connection-name-taken":
        return core.call("policy", "connection-name-taken", c["name"], c["active"])
    if f == "decide-problem":
        return core.call("policy", "decide-problem", _caller(c["caller"]), _access_request(c["access_request"]))
    if f == "access-request-visible":
        return core.call("policy", "access-request-visible", _caller(c["caller"]), _access_request(c["access_request"]))
    if f == "check-identity-registration":
        good, v = _result(core.call("policy", "check-identity-registration", c["name"], c["kind"], c["public_key"]))
        good = good and not isinstance(v, wc.Record)  # ok (a tuple) and error (a record) differ: no Variant wraps them
        return {"ok": {"kind": v[0], "key_ref": v[1]}} if good else {"error": v.kind}
    if f == "check-org-name":
        good, v = _result(core.call("policy", "check-org-name", c["name"]))
        good = good and not isinstance(v, wc.Record)
        return {"ok": None} if good else {"error": v.kind}
    if f == "check-access-request":
        good, v = _result(core.call("policy", "check-access-request", c["org"], c["project"], c["role"], c["justification"]))
        good = good and not isinstance(v, wc.Record)
        return {"ok": v} if good else {"error": v.kind}
    raise ValueError(f"no policy function {f}")


# identity.json: gate's and identity's records as wasmtime-py takes them.
def _read_request(q):
    return record(
        method=q["method"], route=q["route"], path=q.get("path"), cursor=q.get("cursor"), limit=q.get("limit"),
        delimiter=q.get("delimiter"), authorization=q.get("authorization"), time_ms=q.get("time_ms", 0),
        request_id=q.get("request_id", ""), source_ip=q.get("source_ip", ""),
    )


def _record(r):
    return r and record(id=r["id"], company_id=r["company_id"], status=r["status"], key_ref=r["key_ref"],
                        patterns=r["patterns"], company_enabled=r.get("company_enabled", True))


def _plan(p):
    if isinstance(p, wc.Variant):
        p = {"list": p.payload} if p.tag == "list" else {"object": p.payload}
    elif isinstance(p, str):
        p = {"object": p}
    elif p is not None:
        p = {"list": p}
    if p and "list" in p:
        lp = p["list"]
        p = {"list": {"sources": [src(s) for s in lp.sources], "start_source": getattr(lp, "start-source"),
                      "start_inner": getattr(lp, "start-inner"), "limit": lp.limit, "delimited": lp.delimited}}
    return p


def _auth_out(core, d):
    a = d.audit
    got = {"status": d.status, "code": d.code,
           "audit": {"outcome": a.outcome, "actor": a.actor, "operation": a.operation, "reason": a.reason, "status": a.status}}
    if d.nonce is not None:
        n = d.nonce
        try:
            raw = base64.b64decode(n.nonce, validate=True)
            size = len(raw) if base64.b64encode(raw).decode() == n.nonce else None
        except ValueError:
            size = None
        got["nonce"] = {"base64_bytes": size, "connection_id": getattr(n, "connection-id"),
                        "expires_at_ms": getattr(n, "expires-at-ms"), "used": n.used}
    if d.session is not None:
        g, s = d.session, d.session.session
        kind = core.call("tokens", "parse", g.token)
        got["session"] = {"token_kind": kind.payload if isinstance(kind, wc.Variant) else kind,
                          "reference_is_the_tokens": core.call("tokens", "reference", g.token) == s.reference,
                          "connection_id": getattr(s, "connection-id"), "key_ref": getattr(s, "key-ref"),
                          "expires_at_ms": getattr(s, "expires-at-ms")}
    return got


def run_identity(core, c):
    f = c["fn"]

    def areq(q):
        return record(connection_id=q["connection_id"], network=q.get("network", False), public_key=q.get("public_key"),
                      nonce=q["nonce"], signature=q["signature"],
                      authorization=q["authorization"], time_ms=q["time_ms"], request_id=q["request_id"],
                      source_ip=q["source_ip"])

    def conn(x):
        return x and record(connection=_record(x["record"]),
                            public_key=bytes.fromhex(x["public_key"]) if x["public_key"] else None,
                            name=x.get("name"))

    if f == "check-public-key":
        good, v = _result(core.call("identity", "check-public-key", c["text"]))
        good = good and not isinstance(v, str)
        return {"ok": bytes(v).hex()} if good else {"error": v}
    if f == "challenge-message":
        return {"message": bytes(core.call("identity", "challenge-message", c["nonce"], c["connection_id"])).hex()}
    if f == "challenge":
        return _auth_out(core, core.call("identity", "challenge", areq(c["request"]), conn(c["connection"])))
    if f == "verify":
        n = c["nonce"] and record(nonce=c["nonce"]["nonce"], connection_id=c["nonce"]["connection_id"],
                                  expires_at_ms=c["nonce"]["expires_at_ms"], used=c["nonce"]["used"])
        return _auth_out(core, core.call("identity", "verify", areq(c["request"]), n, conn(c["connection"])))
    if f == "decide-session":
        s = c["session"] and record(reference=c["session"]["reference"], connection_id=c["session"]["connection_id"],
                                    key_ref=c["session"]["key_ref"], expires_at_ms=c["session"]["expires_at_ms"])
        d = core.call("gate", "decide-session", _read_request(c["request"]), s, _record(c["record"]))
        return {"status": d.status, "code": d.code, "headers": [list(t) for t in d.headers], "plan": _plan(d.plan),
                "audit_outcome": d.audit.outcome, "audit_actor": d.audit.actor}
    raise ValueError(f"no identity function {f}")


def run_case(core, stem, c):
    """The inputs a case has, and what the component answered, in the Rust runner's shape."""
    if stem in ("patterns", "paths", "keys"):
        f = {"pattern": core.normalize, "path": core.check_path, "key": core.check_key, "object-key": core.check_object_key,
             "object-prefix": core.check_object_prefix}[c.get("kind", "pattern")]
        try:
            return ["input", "kind"], {"ok": f(c["input"])}
        except HqVaultError as e:
            return ["input", "kind"], {"error": e.code}
    if stem == "allowlists":
        r = core.call("patterns", "normalize-all", c["patterns"])
        if isinstance(r, list):
            return ["patterns"], {"ok": r}
        if isinstance(r, wc.Variant):
            r = r.payload if r.tag == "err" else r
        if r is None or (isinstance(r, wc.Variant) and r.tag == "none"):
            return ["patterns"], {"error": "none"}
        if isinstance(r, int):
            return ["patterns"], {"error": f"too-many:{r}"}
        return ["patterns"], {"error": f"invalid:{r.index}:{r.reason}"}
    if stem == "allows":
        return ["patterns", "key"], {"allowed": core.allows(c["patterns"], c["key"])}
    if stem == "listing":
        got = core.call("patterns", "plan-listing", c["patterns"], c["prefix"], bool(c.get("delimited")))
        return ["patterns", "prefix", "delimited"], {"sources": [src(s) for s in got]}
    if stem == "tokens":
        try:
            return ["token"], {"kind": core.parse_token(c["token"]), "reference": core.token_reference(c["token"])}
        except HqVaultError as e:
            return ["token"], {"error": e.code}
    if stem == "durations":
        r = core.call("tokens", "parse-duration", c["text"])
        return ["text"], ({"ms": r} if isinstance(r, int) else {"error": True})
    if stem == "token-names":
        try:
            core.check_token_name(c["name"])
            return ["name"], {"ok": True}
        except HqVaultError as e:
            return ["name"], {"error": e.code}
    h = lambda k: bytes.fromhex(c.get(k, ""))  # noqa: E731
    if stem == "argon2id":
        r = core.call("crypto", "argon2id", h("password"), h("salt"), h("secret"), h("ad"), c["t"], c["m"], c["p"], c["len"])
        got = {"tag": bytes(r).hex()} if isinstance(r, (bytes, list)) else {"error": r}
        return ["password", "salt", "secret", "ad", "t", "m", "p", "len"], got
    if stem == "xchacha":
        r = core.call("known-answer", "xchacha-seal", h("key"), h("nonce"), h("plaintext"), h("aad"))
        got = {"sealed": bytes(r).hex()} if isinstance(r, (bytes, list)) else {"error": r}
        return ["key", "nonce", "plaintext", "aad"], got
    if stem == "ed25519":
        r = core.call("crypto", "verify-signature", h("public_key"), h("message"), h("signature"))
        return ["public_key", "message", "signature"], {"valid": r is None}
    if stem == "audit-chain":
        e = c["event"]
        ev = record(
            time_ms=e["time_ms"], actor=e["actor"], operation=e["operation"], path=e["path"], outcome=e["outcome"],
            status=e["status"], request_id=e["request_id"], source_ip=e["source_ip"], reason=e["reason"],
        )
        out = core.call("audit", "chain", ev, c["prev"])
        return ["event", "prev"], {"line": out.line, "hash": out.hash}
    if stem == "audit-keyed":
        key = core.call("audit", "[static]audit-key.from-data-key", h("data_key"))
        if key is None:
            raise ValueError("the data key is not 32 bytes")
        if "line" in c:
            e = c["event"]
            ev = record(
                time_ms=e["time_ms"], actor=e["actor"], operation=e["operation"], path=e["path"], outcome=e["outcome"],
                status=e["status"], request_id=e["request_id"], source_ip=e["source_ip"], reason=e["reason"],
            )
            out = core.call("audit", "[method]audit-key.chain", key, ev, c["prev"])
            return ["data_key", "event", "prev"], {"line": out.line, "hash": out.hash}
        r = core.call("audit", "[method]audit-key.verify", key, list(c["lines"]))
        if isinstance(r, wc.Variant):  # both sides are records, so wasmtime-py tags them
            if r.tag == "err":
                return ["data_key", "lines"], {"bad_line": r.payload.line}
            r = r.payload
        f = vars(r)  # wasmtime-py keeps WIT field names (`last-keyed`)
        s = {"lines": f["lines"], "head": f["head"], "keyed": f["keyed"], "last_keyed": f["last-keyed"]}
        return ["data_key", "lines"], {"verify": s}
    if stem == "audit-verify":
        try:
            n, head = core.audit_verify(c["lines"])
            return ["lines"], {"count": n, "head": head}
        except HqVaultError as e:
            return ["lines"], {"bad_line": e.line}
    if stem == "policy":
        return [k for k in c if k != "expect"], {"expect": run_policy(core, c)}
    if stem == "identity":
        return [k for k in c if k != "expect"], {"expect": run_identity(core, c)}
    if stem == "gate":
        d = core.call("gate", "decide", _read_request(c["request"]), _record(c.get("record")))
        got = {"status": d.status, "code": d.code}
        if "plan" in c:
            got["plan"] = _plan(d.plan)
        if "audit_outcome" in c:
            got["audit_outcome"] = d.audit.outcome
            got["audit_actor"] = d.audit.actor
        if "headers" in c:
            got["headers"] = [list(t) for t in d.headers]
        return ["request", "record"], got
    if stem == "reads":
        a = core.read_answer(c.get("if_none_match"), c.get("range"), c.get("if_range"), c["size"], c["etag"], c["modified_ms"],
                             c["now_ms"])
        return ["size", "etag", "modified_ms", "now_ms", "if_none_match", "range", "if_range"], {"answer": a}
    raise ValueError(f"no runner for {stem}")


def main():
    core = Core(sys.argv[1])
    passed, failures = 0, []
    for name in sorted(f for f in os.listdir(VECTORS) if f.endswith(".json")):
        stem = name[:-5]
        with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
            cases = json.load(f)["cases"]
        for c in cases:
            inputs, got = run_case(core, stem, c)
            want = {k: v for k, v in c.items() if k not in ("id", "note", *inputs)}
            if json.loads(json.dumps(got)) == want:
                passed += 1
            else:
                failures.append(f"{name} {c['id']}: expected {json.dumps(want)}, got {json.dumps(got)}")
    for f in failures[:50]:
        print("FAIL", f)
    print(f"python: {passed} passed, {len(failures)} failed")
    sys.exit(1 if failures or passed < 600 else 0)


if __name__ == "__main__":
    main()
