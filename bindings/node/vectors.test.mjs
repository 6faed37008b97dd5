// tests/vectors/*.json through the component in Node (jco): the same answers as Rust.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import * as gen from "./gen/hq_vault_core.js";
import { checkObjectKey, checkObjectPrefix, HqVaultError, raw, readAnswer } from "./index.js";

const { audit, crypto, gate, http, identity, patterns, policy, tokens } = raw;
// The known-answer entry points are in the `vectors` world only: gen/ must be built from the
// vectors component (`cargo run -p hq-vault --example vectors_component -- OUT.wasm`).
const { knownAnswer } = gen;
assert.ok(knownAnswer, "bindings/node/gen was built from a component without known-answer: build it from the vectors component");
const dir = path.resolve(import.meta.dirname, "../../tests/vectors");
const hex = (s) => Uint8Array.from(Buffer.from(s || "", "hex"));
const toHex = (b) => Buffer.from(b).toString("hex");

/** Call f; a WIT `result` error comes back as { error: payload }. */
function res(f) {
  try {
    return { ok: f() };
  } catch (e) {
    if (e && "payload" in e) return { error: e.payload };
    throw e;
  }
}
const src = (s) => ({ prefix: s.prefix, exact: s.exact, rollup: s.rollup ?? null });
const outcome = (o) => o;

// identity.json: jco shapes of gate's records and identity's.
const readReq = (q) => ({
  method: q.method, route: q.route, path: q.path ?? undefined, cursor: q.cursor ?? undefined, limit: q.limit ?? undefined,
  delimiter: q.delimiter ?? undefined, authorization: q.authorization ?? undefined, timeMs: BigInt(q.time_ms ?? 0),
  requestId: q.request_id ?? "", sourceIp: q.source_ip ?? "",
});
const recordIn = (r) => r && {
  id: r.id, companyId: r.company_id, status: r.status, keyRef: r.key_ref, patterns: r.patterns, companyEnabled: r.company_enabled ?? true,
};
const planOut = (p) => !p ? null : p.tag === "object" ? { object: p.val } : {
  list: { sources: p.val.sources.map(src), start_source: p.val.startSource, start_inner: p.val.startInner ?? null, limit: p.val.limit, delimited: p.val.delimited },
};
const authReq = (q) => ({
  connectionId: q.connection_id, network: q.network ?? false, publicKey: q.public_key ?? undefined,
  nonce: q.nonce ?? undefined, signature: q.signature ?? undefined,
  authorization: q.authorization ?? undefined, timeMs: BigInt(q.time_ms), requestId: q.request_id, sourceIp: q.source_ip,
});
const idConn = (c) => c ? { connection: recordIn(c.record), publicKey: c.public_key ? hex(c.public_key) : undefined, name: c.name ?? undefined } : undefined;
function authOut(d) {
  const a = d.audit;
  const got = { status: d.status, code: d.code, audit: { outcome: a.outcome, actor: a.actor, operation: a.operation, reason: a.reason ?? null, status: a.status } };
  if (d.nonce) {
    const b = Buffer.from(d.nonce.nonce, "base64");
    got.nonce = { base64_bytes: b.toString("base64") === d.nonce.nonce ? b.length : null, connection_id: d.nonce.connectionId, expires_at_ms: Number(d.nonce.expiresAtMs), used: d.nonce.used };
  }
  if (d.session) {
    const s = d.session.session;
    got.session = {
      token_kind: tokens.parse(d.session.token), reference_is_the_tokens: tokens.reference(d.session.token) === s.reference,
      connection_id: s.connectionId, key_ref: s.keyRef, expires_at_ms: Number(s.expiresAtMs),
    };
  }
  return got;
}
const identityFns = {
  "check-public-key": (c) => {
    const r = res(() => identity.checkPublicKey(c.text));
    return "ok" in r ? { ok: toHex(r.ok) } : { error: r.error };
  },
  "challenge-message": (c) => ({ message: toHex(identity.challengeMessage(c.nonce, c.connection_id)) }),
  challenge: (c) => authOut(identity.challenge(authReq(c.request), idConn(c.connection))),
  verify: (c) => {
    const n = c.nonce && { nonce: c.nonce.nonce, connectionId: c.nonce.connection_id, expiresAtMs: BigInt(c.nonce.expires_at_ms), used: c.nonce.used };
    return authOut(identity.verify(authReq(c.request), n ?? undefined, idConn(c.connection)));
  },
  "decide-session": (c) => {
    const s = c.session && { reference: c.session.reference, connectionId: c.session.connection_id, keyRef: c.session.key_ref, expiresAtMs: BigInt(c.session.expires_at_ms) };
    const d = gate.decideSession(readReq(c.request), s ?? undefined, recordIn(c.record) ?? undefined);
    return { status: d.status, code: d.code, headers: d.headers, plan: planOut(d.plan), audit_outcome: d.audit.outcome, audit_actor: d.audit.actor };
  },
};

function expectedOf(c, inputs) {
  const e = { ...c };
  for (const k of ["id", "note", ...inputs]) delete e[k];
  return e;
}

// policy.json: WIT shapes in jco's form (camelCase fields, variants as {tag, val}, u64 as BigInt).
const big = (n) => (n === null || n === undefined ? undefined : BigInt(n));
const num = (n) => (n === undefined ? null : Number(n));
const rulesIn = (r) => ({
  expiresAtMs: big(r.expires_at_ms), maxUses: r.max_uses ?? undefined, uses: r.uses, revoked: r.revoked, scope: r.scope,
});
const rulesOut = (r) => ({ expires_at_ms: num(r.expiresAtMs), max_uses: r.maxUses ?? null, uses: r.uses, revoked: r.revoked, scope: r.scope });
function callerIn(c) {
  if (typeof c === "string") return { tag: c };
  const [tag, v] = Object.entries(c)[0];
  const val = {
    anonymous: () => v,
    managed: () => ({ name: v.name, rules: rulesIn(v.rules) }),
    session: () => ({
      id: v.id ?? "", kind: v.kind ?? "agent", name: v.name, expiresAtMs: BigInt(v.expires_at_ms),
      memberships: v.memberships.map((m) => ({ org: m.org, project: m.project ?? undefined, role: m.role })),
    }),
    "company-admin": () => ({ name: v.name, companyId: v.company_id, role: v.role }),
  }[tag]();
  return { tag, val };
}
const requestIn = (q) => ({
  operation: q.operation, caller: callerIn(q.caller), target: q.target ?? undefined, company: q.company ?? undefined, queryProblem: q.query_problem ?? undefined,
  locked: q.locked, timeMs: BigInt(q.time_ms), requestId: q.request_id, sourceIp: q.source_ip,
});
function effectIn(e) {
  if (typeof e === "string") return { tag: e };
  const [tag, v] = Object.entries(e)[0];
  return { tag, val: tag === "bad-input" ? { kind: v.kind, detail: v.detail, rejections: v.rejections } : v };
}
const accessRequestIn = (r) => ({ id: r.id, identityId: r.identity_id, org: r.org, project: r.project ?? undefined, role: r.role, status: r.status });
/** A `result<T, input-problem>` as the vectors write it: `{ok}` or `{error: kind}`. */
function checked(f, ok = (v) => v) {
  const r = res(f);
  return "ok" in r ? { ok: ok(r.ok) } : { error: r.error.kind };
}
const decisionOut = (d) => ({
  status: d.status, code: d.code, summarized: d.summarized, headers: d.headers,
  audit: d.audit ? {
    actor: d.audit.actor, operation: d.audit.operation, path: d.audit.path ?? null, outcome: d.audit.outcome,
    status: d.audit.status, reason: d.audit.reason ?? null, time_ms: Number(d.audit.timeMs), request_id: d.audit.requestId,
    source_ip: d.audit.sourceIp,
  } : null,
});
const admissionOut = (a) => ({ admitted: { target: a.target ?? null, actor: a.actor, count_use: a.countUse, scoped: a.scoped } });
const policyRunners = {
  admit: (c) => {
    const r = res(() => policy.admit(requestIn(c.request)));
    return "ok" in r ? admissionOut(r.ok) : decisionOut(r.error);
  },
  conclude: (c) => {
    const req = requestIn(c.request);
    const adm = policy.admit(req);
    return decisionOut(policy.conclude(req, adm, effectIn(c.effect), c.subject ?? undefined));
  },
  credential: (c) => res(() => policy.credential(c.authorization ?? undefined)),
  visible: (c) => policy.visible(callerIn(c.caller), c.path, BigInt(c.time_ms)),
  "check-token-request": (c) => {
    const r = res(() => policy.checkTokenRequest(c.name, c.ttl ?? undefined, c.max_uses ?? undefined, c.prefixes, BigInt(c.now_ms)));
    return "ok" in r ? { ok: rulesOut(r.ok) } : { error: r.error.kind };
  },
  "check-connection-request": (c) => {
    const r = res(() => policy.checkConnectionRequest(c.name, c.mechanism ?? undefined, c.patterns));
    return "ok" in r ? r : { error: { kind: r.error.kind, rejected: r.error.rejections.map((x) => x.index) } };
  },
  "connection-name-taken": (c) => policy.connectionNameTaken(c.name, c.active),
  "decide-problem": (c) => policy.decideProblem(callerIn(c.caller), accessRequestIn(c.access_request)) ?? null,
  "access-request-visible": (c) => policy.accessRequestVisible(callerIn(c.caller), accessRequestIn(c.access_request)),
  "check-identity-registration": (c) =>
    checked(() => policy.checkIdentityRegistration(c.name, c.kind, c.public_key), ([kind, keyRef]) => ({ kind, key_ref: keyRef })),
  "check-org-name": (c) => checked(() => policy.checkOrgName(c.name), () => null),
  "check-access-request": (c) => checked(() => policy.checkAccessRequest(c.org, c.project ?? undefined, c.role, c.justification)),
};

const runners = {
  policy: (c) => [Object.keys(c).filter((k) => k !== "expect"), { expect: policyRunners[c.fn](c) }],
  patterns: (c) => [["input", "kind"], path1(c)],
  paths: (c) => [["input", "kind"], path1(c)],
  keys: (c) => [["input", "kind"], path1(c)],
  reads: (c) => {
    const a = http.answer(
      { ifNoneMatch: c.if_none_match ?? undefined, range: c.range ?? undefined, ifRange: c.if_range ?? undefined },
      { size: BigInt(c.size), etag: c.etag, modifiedMs: BigInt(c.modified_ms) },
      BigInt(c.now_ms),
    );
    const answer = a.tag === "partial" ? { partial: { start: Number(a.val.start), end: Number(a.val.end) } } : a.tag;
    return [["size", "etag", "modified_ms", "now_ms", "if_none_match", "range", "if_range"], { answer }];
  },
  allowlists: (c) => {
    const r = res(() => patterns.normalizeAll(c.patterns));
    if ("ok" in r) return [["patterns"], { ok: r.ok }];
    const e = r.error;
    const code = e.tag === "none" ? "none" : e.tag === "too-many" ? `too-many:${e.val}` : `invalid:${e.val.index}:${e.val.reason}`;
    return [["patterns"], { error: code }];
  },
  allows: (c) => [["patterns", "key"], { allowed: patterns.allows(c.patterns, c.key) }],
  listing: (c) => [["patterns", "prefix", "delimited"], { sources: patterns.planListing(c.patterns, c.prefix, !!c.delimited).map(src) }],
  tokens: (c) => {
    const r = res(() => tokens.parse(c.token));
    return [["token"], "ok" in r ? { kind: r.ok, reference: tokens.reference(c.token) } : { error: r.error }];
  },
  durations: (c) => {
    const r = res(() => tokens.parseDuration(c.text));
    return [["text"], "ok" in r ? { ms: Number(r.ok) } : { error: true }];
  },
  "token-names": (c) => {
    const r = res(() => tokens.checkTokenName(c.name));
    return [["name"], "ok" in r ? { ok: true } : { error: r.error }];
  },
  argon2id: (c) => {
    const r = res(() => crypto.argon2id(hex(c.password), hex(c.salt), hex(c.secret), hex(c.ad), c.t, c.m, c.p, c.len));
    return [["password", "salt", "secret", "ad", "t", "m", "p", "len"], "ok" in r ? { tag: toHex(r.ok) } : { error: r.error }];
  },
  xchacha: (c) => {
    const r = res(() => knownAnswer.xchachaSeal(hex(c.key), hex(c.nonce), hex(c.plaintext), hex(c.aad)));
    return [["key", "nonce", "plaintext", "aad"], "ok" in r ? { sealed: toHex(r.ok) } : { error: r.error }];
  },
  ed25519: (c) => {
    const r = res(() => crypto.verifySignature(hex(c.public_key), hex(c.message), hex(c.signature)));
    return [["public_key", "message", "signature"], { valid: "ok" in r }];
  },
  "audit-chain": (c) => {
    const e = c.event;
    const ev = {
      timeMs: BigInt(e.time_ms), actor: e.actor, operation: e.operation, path: e.path ?? undefined, outcome: outcome(e.outcome),
      status: e.status, requestId: e.request_id, sourceIp: e.source_ip, reason: e.reason ?? undefined,
    };
    const out = audit.chain(ev, c.prev);
    return [["event", "prev"], { line: out.line, hash: out.hash }];
  },
  "audit-keyed": (c) => {
    const key = audit.AuditKey.fromDataKey(hex(c.data_key));
    if (key === undefined) throw new Error("the data key is not 32 bytes");
    if ("line" in c) {
      const e = c.event;
      const ev = {
        timeMs: BigInt(e.time_ms), actor: e.actor, operation: e.operation, path: e.path ?? undefined, outcome: outcome(e.outcome),
        status: e.status, requestId: e.request_id, sourceIp: e.source_ip, reason: e.reason ?? undefined,
      };
      const out = key.chain(ev, c.prev);
      return [["data_key", "event", "prev"], { line: out.line, hash: out.hash }];
    }
    const r = res(() => key.verify(c.lines));
    const got = "ok" in r
      ? { verify: { lines: Number(r.ok.lines), head: r.ok.head, keyed: Number(r.ok.keyed), last_keyed: Number(r.ok.lastKeyed) } }
      : { bad_line: Number(r.error.line) };
    return [["data_key", "lines"], got];
  },
  "audit-verify": (c) => {
    const r = res(() => audit.verify(c.lines));
    return [["lines"], "ok" in r ? { count: Number(r.ok[0]), head: r.ok[1] } : { bad_line: Number(r.error.line) }];
  },
  identity: (c) => [Object.keys(c).filter((k) => k !== "expect"), { expect: identityFns[c.fn](c) }],
  gate: (c) => {
    const q = c.request;
    const req = {
      method: q.method, route: q.route, path: q.path ?? undefined, cursor: q.cursor ?? undefined, limit: q.limit ?? undefined,
      delimiter: q.delimiter ?? undefined, authorization: q.authorization ?? undefined, timeMs: BigInt(q.time_ms ?? 0),
      requestId: q.request_id ?? "", sourceIp: q.source_ip ?? "",
    };
    const r = c.record;
    const rec = r && {
      id: r.id, companyId: r.company_id, status: r.status, keyRef: r.key_ref, patterns: r.patterns, companyEnabled: r.company_enabled ?? true,
    };
    const d = gate.decide(req, rec ?? undefined);
    const got = { status: d.status, code: d.code };
    if ("plan" in c) {
      const p = d.plan;
      got.plan = !p ? null : p.tag === "object" ? { object: p.val } : {
        list: { sources: p.val.sources.map(src), start_source: p.val.startSource, start_inner: p.val.startInner ?? null, limit: p.val.limit, delimited: p.val.delimited },
      };
    }
    if ("audit_outcome" in c) {
      got.audit_outcome = d.audit.outcome;
      got.audit_actor = d.audit.actor;
    }
    if ("headers" in c) got.headers = d.headers;
    return [["request", "record"], got];
  },
};

function path1(c) {
  const f = {
    pattern: patterns.normalize, path: patterns.checkPath, key: patterns.checkKey,
    "object-key": patterns.checkObjectKey, "object-prefix": patterns.checkObjectPrefix,
  }[c.kind ?? "pattern"];
  const r = res(() => f(c.input));
  return "ok" in r ? { ok: r.ok } : { error: r.error };
}

test("every vector file gives the Rust answers through the component in Node", () => {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  assert.ok(files.length >= 15);
  const failures = [];
  let passed = 0;
  for (const f of files) {
    const run = runners[f.replace(/\.json$/, "")];
    assert.ok(run, `no runner for ${f}`);
    for (const c of JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")).cases) {
      const [inputs, got] = run(c);
      const want = expectedOf(c, inputs);
      try {
        assert.deepEqual(JSON.parse(JSON.stringify(got)), want);
        passed++;
      } catch {
        failures.push(`${f} ${c.id}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(passed >= 600, `only ${passed} cases`);
});

test("the exports no vector file covers answer as the contract says", () => {
  // gate.encode-cursor: source index and the store's own cursor, hex-encoded.
  assert.equal(gate.encodeCursor(1, "a/b"), `c1.1.${Buffer.from("a/b").toString("hex")}`);
  const body = JSON.parse(gate.errorBody("bad_path", "the path is empty", "req_1"));
  assert.deepEqual(body, { error: { code: "bad_path", message: "the path is empty", request_id: "req_1" } });
  // identity: the lifetimes of nonces (60 s) and sessions (1 h), and a public key's reference.
  assert.deepEqual([identity.nonceLifetimeMs(), identity.sessionLifetimeMs()], [60000n, 3600000n]);
  assert.equal(identity.keyReference(new Uint8Array(32)), "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
  // crypto.default-params: t=3, m=256 MiB, p=1, a fresh 16-byte salt each time.
  const a = crypto.defaultParams();
  const b = crypto.defaultParams();
  assert.deepEqual([a.tCost, a.mCostKib, a.pCost, a.salt.length], [3, 262144, 1, 16]);
  assert.notDeepEqual(Buffer.from(a.salt), Buffer.from(b.salt));
  // The wrappers of patterns.check-object-key/-prefix and http.answer.
  assert.equal(checkObjectKey("kb/Q4 (draft).md"), "kb/Q4 (draft).md");
  assert.equal(checkObjectPrefix(""), "");
  assert.throws(() => checkObjectKey("k".repeat(961)), (e) => e instanceof HqVaultError && e.code === "too-long");
  const rep = { size: 10n, etag: '"new"', modifiedMs: 0n };
  assert.equal(readAnswer({ range: "bytes=0-3", ifRange: '"old"' }, rep, 5000n).tag, "full");
  const part = readAnswer({ range: "bytes=0-3", ifRange: '"new"' }, rep, 5000n);
  assert.deepEqual([part.tag, part.val.start, part.val.end], ["partial", 0n, 3n]);
  // tokens.token-length, and a minted key parses.
  assert.equal(tokens.tokenLength(), 54);
  assert.equal(tokens.parse(tokens.mint("session-token")), "session-token");
});
