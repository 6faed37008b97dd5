// Agent identity in workerd (docs/design.md §3.6): an agent_identity connection holds an Ed25519
// public key; the agent signs a single-use challenge and reads with the hqvs_ session it gets.
// Every refusal is answered by the core and filed under the connection by the company's object.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { startWorker } from "./harness.mjs";

let w;
before(async () => {
  w = await startWorker({ log: true });
});
after(async () => {
  await w?.dispose();
});

/** A key pair of the agent's own: the public key as the API takes it (32 bytes, standard
 * base64) and the private key as the snippet reads it (PKCS#8 DER, base64). */
function agent() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  return {
    publicKey: publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("base64"),
    pkcs8: privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
    privateKey,
  };
}

const sign = (a, nonce, id) =>
  crypto.sign(null, Buffer.from(`hq-vault-auth-v1${nonce}${id}`, "utf8"), a.privateKey).toString("base64");

const challenge = (worker, id, headers = {}) =>
  worker.req("POST", "/v1/connections/auth/challenge", { body: { connection_id: id }, headers });
const verify = (worker, body, headers = {}) => worker.req("POST", "/v1/connections/auth/verify", { body, headers });
const read = (worker, session, p = "knowledge/a.md") =>
  worker.req("GET", `/v1/connections/files/object?path=${encodeURIComponent(p)}`, { auth: `Bearer ${session}` });

/** A company with an agent-identity connection on `knowledge/*` and one file under it. */
async function identityConnection(worker, company) {
  const owner = await worker.admin(company, "owner", "olivia");
  const a = agent();
  const made = await worker.req("POST", `/v1/companies/${company}/connections`, {
    auth: `Bearer ${owner}`,
    body: { name: "agent", patterns: ["knowledge/*"], mechanism: "agent_identity", public_key: a.publicKey },
  });
  assert.equal(made.status, 201, made.text);
  await worker.r2.put(`${company}/knowledge/a.md`, "hello from R2");
  return { company, owner, a, id: made.json.connection.id, made };
}

/** Challenge, sign, verify: the session token. */
async function login(worker, id, a) {
  const ch = await challenge(worker, id);
  assert.equal(ch.status, 200, ch.text);
  const v = await verify(worker, { connection_id: id, nonce: ch.json.nonce, signature: sign(a, ch.json.nonce, id) });
  assert.equal(v.status, 200, v.text);
  return v.json.session;
}

/** The connection's newest event of operation `op`. */
async function lastEvent(worker, company, id, op) {
  return (await worker.events(company, id)).find((e) => e.op === op);
}

describe("an agent with its own key pair", () => {
  test("runs the create answer's snippet: Web Crypto's Ed25519 signs the challenge, then fetch reads", async () => {
    const c = await identityConnection(w, "ident-snippet");
    const { made } = c;
    assert.equal(made.json.connection.mechanism, "agent_identity");
    assert.equal(made.json.connection.public_key, c.a.publicKey);
    assert.equal(made.json.key, undefined, "nothing secret is shown for an agent identity");
    assert.ok(!made.text.includes("hqxc_"), made.text);
    const snippet = made.json.snippet;
    assert.ok(snippet.includes("crypto.subtle.sign") && snippet.includes(c.id), snippet);
    // As short as the API-key one but for the three lines of signing in (and the connection id).
    const api = await w.req("POST", `/v1/companies/${c.company}/connections`, {
      auth: `Bearer ${c.owner}`,
      body: { name: "keyed", patterns: ["knowledge/*"] },
    });
    const lines = (s) => s.trimEnd().split("\n").length;
    assert.ok(lines(snippet) <= lines(api.json.snippet) + 4, `${lines(snippet)} lines:\n${snippet}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hq-agent-"));
    const file = path.join(dir, "agent.mjs");
    fs.writeFileSync(file, snippet);
    const { stdout } = await promisify(execFile)(process.execPath, [file], {
      env: { PATH: process.env.PATH, HQ_AGENT_KEY: c.a.pkcs8 },
      timeout: 60_000,
    });
    fs.rmSync(dir, { recursive: true, force: true });
    assert.equal(stdout, "knowledge/a.md\nhello from R2\n");
    const ops = (await w.events(c.company, c.id)).map((e) => `${e.op}:${e.outcome}`);
    for (const want of ["auth-challenge:allowed", "auth-verify:allowed", "list:allowed", "get:allowed"]) {
      assert.ok(ops.includes(want), `${want} in ${ops}`);
    }
  });

  test("the session reads with the connection's patterns, for an hour", async () => {
    const c = await identityConnection(w, "ident-read");
    const before = Date.now();
    const ch = await challenge(w, c.id);
    assert.equal(Buffer.from(ch.json.nonce, "base64").length, 32);
    assert.ok(ch.json.expires_at_ms >= before + 59_000 && ch.json.expires_at_ms <= Date.now() + 60_000, ch.text);
    const v = await verify(w, { connection_id: c.id, nonce: ch.json.nonce, signature: sign(c.a, ch.json.nonce, c.id) });
    assert.equal(v.status, 200, v.text);
    assert.match(v.json.session, /^hqvs_[A-Za-z0-9]{49}$/);
    assert.ok(v.json.expires_at_ms >= before + 3_599_000 && v.json.expires_at_ms <= Date.now() + 3_600_000, v.text);
    const got = await read(w, v.json.session);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.text, "hello from R2");
    const outside = await read(w, v.json.session, "secrets/x.md");
    assert.equal(outside.status, 403);
    assert.equal(outside.json.error.code, "forbidden_path");
    // The event names the connection and never holds the session token.
    const events = await w.events(c.company, c.id);
    assert.ok(!JSON.stringify(events).includes(v.json.session));
    assert.ok(!w.log.join("\n").includes(v.json.session), "the session token is never logged");
  });
});

describe("refused, and audited under the connection", () => {
  test("a replayed nonce", async () => {
    const c = await identityConnection(w, "ident-replay");
    const ch = await challenge(w, c.id);
    const body = { connection_id: c.id, nonce: ch.json.nonce, signature: sign(c.a, ch.json.nonce, c.id) };
    assert.equal((await verify(w, body)).status, 200);
    const again = await verify(w, body);
    assert.equal(again.status, 403, again.text);
    assert.equal(again.json.error.code, "nonce_used");
    const ev = await lastEvent(w, c.company, c.id, "auth-verify");
    assert.deepEqual([ev.outcome, ev.status, ev.reason, ev.actor], ["denied", 403, "nonce_used", c.id]);
  });

  test("another key's signature, which also spends the nonce", async () => {
    const c = await identityConnection(w, "ident-otherkey");
    const ch = await challenge(w, c.id);
    const other = agent();
    const bad = await verify(w, { connection_id: c.id, nonce: ch.json.nonce, signature: sign(other, ch.json.nonce, c.id) });
    assert.equal(bad.status, 403, bad.text);
    assert.equal(bad.json.error.code, "bad_signature");
    assert.equal((await lastEvent(w, c.company, c.id, "auth-verify")).reason, "bad_signature");
    const late = await verify(w, { connection_id: c.id, nonce: ch.json.nonce, signature: sign(c.a, ch.json.nonce, c.id) });
    assert.equal(late.json.error.code, "nonce_used", "a nonce is single use, whatever the first answer");
    const forged = await verify(w, { connection_id: c.id, nonce: crypto.randomBytes(32).toString("base64"), signature: sign(c.a, "x", c.id) });
    assert.equal(forged.json.error.code, "unknown_nonce");
  });

  test("an expired nonce (the Worker shortens nonces to 1 s with NONCE_LIFETIME_MS)", async () => {
    const short = await startWorker({ bindings: { NONCE_LIFETIME_MS: "1000" } });
    try {
      const c = await identityConnection(short, "ident-expired");
      const ch = await challenge(short, c.id);
      assert.ok(ch.json.expires_at_ms <= Date.now() + 1000, ch.text);
      await new Promise((r) => setTimeout(r, 1500));
      const late = await verify(short, { connection_id: c.id, nonce: ch.json.nonce, signature: sign(c.a, ch.json.nonce, c.id) });
      assert.equal(late.status, 403, late.text);
      assert.equal(late.json.error.code, "nonce_expired");
      const ev = await lastEvent(short, c.company, c.id, "auth-verify");
      assert.deepEqual([ev.outcome, ev.reason], ["denied", "nonce_expired"]);
    } finally {
      await short.dispose();
    }
  });

  test("a session after revoke: every session ends at once", async () => {
    const c = await identityConnection(w, "ident-revoke");
    const s1 = await login(w, c.id, c.a);
    const s2 = await login(w, c.id, c.a);
    assert.equal((await read(w, s1)).status, 200);
    const rv = await w.req("POST", `/v1/companies/${c.company}/connections/${c.id}/revoke`, { auth: `Bearer ${c.owner}` });
    assert.equal(rv.status, 200, rv.text);
    for (const s of [s1, s2]) {
      const r = await read(w, s);
      assert.equal(r.status, 403, r.text);
      assert.equal(r.json.error.code, "invalid_session");
    }
    const ev = await lastEvent(w, c.company, c.id, "get");
    assert.deepEqual([ev.outcome, ev.status, ev.reason], ["denied", 403, "invalid_session"]);
    const ch = await challenge(w, c.id);
    assert.equal(ch.status, 403);
    assert.equal(ch.json.error.code, "invalid_identity");
  });

  test("rotate replaces the public key: the old key's sessions end and its signatures fail", async () => {
    const c = await identityConnection(w, "ident-rotate");
    const old = await login(w, c.id, c.a);
    const next = agent();
    const rot = await w.req("POST", `/v1/companies/${c.company}/connections/${c.id}/rotate`, {
      auth: `Bearer ${c.owner}`,
      body: { public_key: next.publicKey },
    });
    assert.equal(rot.status, 200, rot.text);
    assert.equal(rot.json.connection.public_key, next.publicKey);
    assert.equal(rot.json.key, undefined);
    assert.equal((await read(w, old)).json.error.code, "invalid_session");
    const ch = await challenge(w, c.id);
    const bad = await verify(w, { connection_id: c.id, nonce: ch.json.nonce, signature: sign(c.a, ch.json.nonce, c.id) });
    assert.equal(bad.json.error.code, "bad_signature");
    assert.equal((await read(w, await login(w, c.id, next))).status, 200);
    // An agent identity is not rotated to an API key, nor an API-key connection to a public key.
    for (const body of [undefined, {}]) {
      const nokey = await w.req("POST", `/v1/companies/${c.company}/connections/${c.id}/rotate`, { auth: `Bearer ${c.owner}`, body });
      assert.equal(nokey.status, 400, nokey.text);
      assert.equal(nokey.json.error.code, "bad_mechanism");
    }
    const api = await w.req("POST", `/v1/companies/${c.company}/connections`, {
      auth: `Bearer ${c.owner}`,
      body: { name: "keyed", patterns: ["knowledge/*"] },
    });
    const withKey = await w.req("POST", `/v1/companies/${c.company}/connections/${api.json.connection.id}/rotate`, {
      auth: `Bearer ${c.owner}`,
      body: { public_key: next.publicKey },
    });
    assert.equal(withKey.json.error.code, "bad_mechanism", "an API-key connection is not rotated to a public key");
    const empty = await w.req("POST", `/v1/companies/${c.company}/connections/${api.json.connection.id}/rotate`, {
      auth: `Bearer ${c.owner}`,
      body: {},
    });
    assert.equal(empty.status, 200, empty.text);
    assert.match(empty.json.key, /^hqxc_/);
  });

  test("an API key presented to the identity routes", async () => {
    const c = await identityConnection(w, "ident-apikey");
    const api = await w.req("POST", `/v1/companies/${c.company}/connections`, {
      auth: `Bearer ${c.owner}`,
      body: { name: "keyed", patterns: ["knowledge/*"] },
    });
    assert.equal(api.status, 201, api.text);
    const key = api.json.key;
    // As a bearer on the identity routes: these routes take no credential.
    const withKey = await challenge(w, c.id, { authorization: `Bearer ${key}` });
    assert.equal(withKey.status, 400, withKey.text);
    assert.equal(withKey.json.error.code, "unexpected_credentials");
    assert.ok(!withKey.text.includes(key));
    assert.equal((await lastEvent(w, c.company, c.id, "auth-challenge")).reason, "unexpected_credentials");
    const ch = await challenge(w, c.id);
    const v = await verify(w, { connection_id: c.id, nonce: ch.json.nonce, signature: sign(c.a, ch.json.nonce, c.id) }, {
      authorization: `Bearer ${key}`,
    });
    assert.equal(v.json.error.code, "unexpected_credentials");
    // The API-key connection named on the identity routes: it has no identity.
    const keyed = await challenge(w, api.json.connection.id);
    assert.equal(keyed.status, 403, keyed.text);
    assert.equal(keyed.json.error.code, "invalid_identity");
    const ev = await lastEvent(w, c.company, api.json.connection.id, "auth-challenge");
    assert.deepEqual([ev.outcome, ev.reason], ["denied", "invalid_identity"]);
    // The API key itself, sent as the signature.
    const fresh = await challenge(w, c.id);
    const asSig = await verify(w, { connection_id: c.id, nonce: fresh.json.nonce, signature: key });
    assert.equal(asSig.status, 400, asSig.text);
    assert.ok(!asSig.text.includes(key));
  });

  test("bad requests: a wrong method, unknown fields, a bad public key at create", async () => {
    const c = await identityConnection(w, "ident-bad");
    const get = await w.req("GET", "/v1/connections/auth/challenge");
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    const extra = await w.req("POST", "/v1/connections/auth/challenge", { body: { connection_id: c.id, role: "admin" } });
    assert.equal(extra.status, 400);
    const dup = await w.req("POST", "/v1/connections/auth/challenge", { body: `{"connection_id":"${c.id}","connection_id":"${c.id}"}` });
    assert.equal(dup.status, 400);
    const unknown = await challenge(w, "conn_00000000000000ff");
    assert.equal(unknown.status, 403);
    assert.equal(unknown.json.error.code, "invalid_identity");
    for (const public_key of [undefined, "AAAA", Buffer.alloc(32).toString("base64"), "not base64!"]) {
      const made = await w.req("POST", `/v1/companies/${c.company}/connections`, {
        auth: `Bearer ${c.owner}`,
        body: { name: "x", patterns: ["*"], mechanism: "agent_identity", ...(public_key === undefined ? {} : { public_key }) },
      });
      assert.equal(made.status, 400, `${public_key}: ${made.text}`);
      assert.equal(made.json.error.code, "bad_mechanism");
    }
  });
});
