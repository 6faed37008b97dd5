// The Worker's lifecycle routes in workerd: every answer is the core's policy's (docs/policy.md), and
// every action and refusal is audited before it is answered.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startWorker } from "./harness.mjs";

let w;
before(async () => {
  w = await startWorker({ log: true });
});
after(async () => {
  await w?.dispose();
});

const UNKNOWN = "hqvt_0000000000000000000000000000000000000000000000000";
const bearer = (t) => t && `Bearer ${t}`;

/** The events of one audit stream in the company's object: `[company, id]` a connection's,
 * `[company, null]` the company's own; newest first. */
const stream = ([company, id]) => w.events(company, id);
const connectionEvents = (company, id) => w.events(company, id);
const companyEvents = (company) => w.events(company, null);

/** Every audit event stored for `company`: its own stream and those of the connections `ids`. */
async function allEvents(company, ids = []) {
  const out = [...(await companyEvents(company))];
  for (const id of ids) out.push(...(await connectionEvents(company, id)));
  return out;
}

async function company(name) {
  return {
    name,
    owner: await w.admin(name, "owner", "olivia"),
    admin: await w.admin(name, "admin", "adam"),
    member: await w.admin(name, "member", "mel"),
    foreign: await w.admin(`${name}-x`, "owner", "fritz"),
  };
}

async function create(c, tok, body) {
  return w.req("POST", `/v1/companies/${c.name}/connections`, { auth: bearer(tok), body });
}

describe("answers come from the core's policy", () => {
  test("a name names one active connection: a second is 409 name_taken until the first is revoked", async () => {
    const c = await company("dupname");
    const first = await create(c, c.owner, { name: "docs-bot", patterns: ["knowledge/"] });
    assert.equal(first.status, 201, first.text);
    const dup = await create(c, c.owner, { name: "docs-bot", patterns: ["knowledge/"] });
    assert.equal(dup.status, 409, dup.text);
    assert.equal(dup.json.error.code, "name_taken");
    assert.match(dup.json.error.message, /an active connection is named `docs-bot`/);
    // Look-alikes are the same name: letter case aside, and no spaces around a name at all.
    const upper = await create(c, c.owner, { name: "Docs-Bot", patterns: ["knowledge/"] });
    assert.deepEqual([upper.status, upper.json.error.code], [409, "name_taken"], upper.text);
    for (const name of ["docs-bot ", " docs-bot", first.json.connection.id]) {
      const r = await create(c, c.owner, { name, patterns: ["knowledge/"] });
      assert.deepEqual([r.status, r.json.error.code], [400, "bad_name"], `${JSON.stringify(name)}: ${r.text}`);
    }
    const list = await w.req("GET", `/v1/companies/${c.name}/connections`, { auth: bearer(c.owner) });
    assert.equal(list.json.connections.length, 1, list.text);
    const id = first.json.connection.id;
    const revoked = await w.req("POST", `/v1/companies/${c.name}/connections/${id}/revoke`, { auth: bearer(c.owner) });
    assert.equal(revoked.status, 200, revoked.text);
    const again = await create(c, c.owner, { name: "docs-bot", patterns: ["knowledge/"] });
    assert.equal(again.status, 201, again.text);
  });

  test("members, other companies' admins, unknown and missing credentials get the same 404 on every route", async () => {
    const c = await company("hide");
    const made = await create(c, c.owner, { name: "a", patterns: ["*"] });
    assert.equal(made.status, 201, made.text);
    const id = made.json.connection.id;
    const routes = [
      ["GET", "connections"], ["POST", "connections"], ["GET", `connections/${id}`],
      ["POST", `connections/${id}/rotate`], ["POST", `connections/${id}/revoke`], ["GET", `connections/${id}/audit`],
      ["GET", "settings"], ["PUT", "settings"], ["POST", "patterns/check"], ["GET", "patterns/check"],
      // A malformed connection id and a method the route does not take: still the 404.
      ["GET", "connections/conn_XYZ"], ["DELETE", "settings"], ["DELETE", `connections/${id}`],
      // A route that does not exist: the same words.
      ["GET", "admins"],
    ];
    const seen = new Set();
    for (const tok of [c.member, c.foreign, UNKNOWN, undefined]) {
      for (const [m, p] of routes) {
        const r = await w.req(m, `/v1/companies/${c.name}/${p}`, { auth: bearer(tok), body: m === "GET" || m === "DELETE" ? undefined : { connections_enabled: false } });
        assert.equal(r.status, 404, `${m} ${p}: ${r.text}`);
        assert.equal(r.headers.get("allow"), null, `${m} ${p}`);
        seen.add(JSON.stringify([r.json.error.code, r.json.error.message]));
      }
    }
    assert.deepEqual([...seen], [JSON.stringify(["not_found", "no such route"])], "one body for everything hidden");
    // Nothing they sent changed anything.
    const one = await w.req("GET", `/v1/companies/${c.name}/connections/${id}`, { auth: bearer(c.owner) });
    assert.equal(one.json.connection.status, "active");
    assert.equal(one.json.connection.rotated_ms, null);
    const s = await w.req("GET", `/v1/companies/${c.name}/settings`, { auth: bearer(c.owner) });
    assert.deepEqual(s.json, { connections_enabled: true, role: "owner" });
  });

  test("the console's pattern check: the core's verdict for each pattern, in order; a success changes and audits nothing", async () => {
    const c = await company("check");
    const check = (body, tok = c.admin) => w.req("POST", `/v1/companies/${c.name}/patterns/check`, { auth: bearer(tok), body });
    const r = await check({ patterns: ["knowledge/", "*", "a/*/b", "/abs", "caf\u00e9", "../x", "projects/plan.md"] });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(
      r.json.verdicts.map((v) => (v.ok ? v.pattern : v.reason)),
      ["knowledge/*", "*", "misplaced-star", "leading-slash", "non-ascii", "dot-segment", "projects/plan.md"],
    );
    // The same words as a create's refusal.
    const made = await create(c, c.owner, { name: "x", patterns: ["/abs"] });
    assert.equal(r.json.verdicts[3].message, made.json.error.rejections[0].message);
    assert.ok(!(await companyEvents(c.name)).some((e) => e.op === "pattern-check"), "no line for a success");
    for (const [body, status, code] of [
      [{ patterns: Array(65).fill("a/") }, 400, "bad_patterns"],
      [{ patterns: ["a/"], extra: 1 }, 400, "bad_json"],
      ['{"patterns":["a/"],"patterns":["b/"]}', 400, "bad_json"],
      ["[", 400, "bad_json"],
    ]) {
      const bad = await check(body);
      assert.deepEqual([bad.status, bad.json?.error?.code], [status, code], JSON.stringify(body));
    }
    const refused = (await companyEvents(c.name)).filter((e) => e.op === "pattern-check");
    assert.equal(refused.length, 4, "every refusal is audited");
    assert.ok(refused.every((e) => e.status === 400 && e.actor.includes("adam")), JSON.stringify(refused));
    assert.equal((await check({ patterns: ["a/"] }, c.member)).status, 404);
  });

  test("create: every rejected pattern with its reason, the core's codes for name, mechanism and body", async () => {
    const c = await company("create");
    const bad = await create(c, c.admin, { name: "x", patterns: ["ok/", "/abs", "a/*/b", "caf\u00e9"] });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, "bad_patterns");
    assert.equal(bad.json.error.message, "3 patterns rejected");
    assert.deepEqual(
      bad.json.error.rejections.map((r) => [r.index, r.pattern, r.reason]),
      [[1, "/abs", "leading-slash"], [2, "a/*/b", "misplaced-star"], [3, "caf\\u{e9}", "non-ascii"]],
    );
    for (const [body, code] of [
      [{ name: "x", patterns: [] }, "bad_patterns"],
      [{ name: " ", patterns: ["a/"] }, "bad_name"],
      // agent_identity without its public key; a public key on an API-key connection.
      [{ name: "x", patterns: ["a/"], mechanism: "agent_identity" }, "bad_mechanism"],
      [{ name: "x", patterns: ["a/"], mechanism: "password" }, "bad_mechanism"],
      [{ name: "x", patterns: ["a/"], public_key: "AAAA" }, "bad_mechanism"],
      [{ name: "x", patterns: ["a/"], role: "admin" }, "bad_json"],
      ["{not json", "bad_json"],
    ]) {
      const r = await create(c, c.owner, body);
      assert.deepEqual([r.status, r.json?.error?.code], [400, code], JSON.stringify(body));
      assert.equal(typeof r.json.error.request_id, "string");
    }
    const big = await create(c, c.owner, JSON.stringify({ name: "x", patterns: ["a/"], pad: "x".repeat(1100 * 1024) }));
    assert.deepEqual([big.status, big.json?.error?.code], [413, "body_too_large"]);
    // Nothing refused was stored.
    const list = await w.req("GET", `/v1/companies/${c.name}/connections`, { auth: bearer(c.owner) });
    assert.deepEqual(list.json.connections, []);
  });

  test("connection routes: a malformed id is 400, an unknown or another company's 404, rotating a revoked one 409", async () => {
    const c = await company("conns");
    const other = await company("conns2");
    const theirs = (await create(other, other.owner, { name: "t", patterns: ["*"] })).json.connection.id;
    const id = (await create(c, c.owner, { name: "a", patterns: ["*"] })).json.connection.id;
    const at = (p) => `/v1/companies/${c.name}/connections/${p}`;
    for (const bad of ["conn_XYZ", "abc", "conn_%2e%2e", `conn_${"a".repeat(65)}`]) {
      const r = await w.req("GET", at(bad), { auth: bearer(c.admin) });
      assert.deepEqual([r.status, r.json.error.code], [400, "bad_connection_id"], bad);
    }
    for (const [m, p] of [["GET", ""], ["POST", "/rotate"], ["POST", "/revoke"], ["GET", "/audit"]]) {
      for (const missing of ["conn_00000000000000ff", theirs]) {
        const r = await w.req(m, at(missing + p), { auth: bearer(c.admin) });
        assert.deepEqual([r.status, r.json.error.code], [404, "not_found"], `${m} ${missing}${p}`);
        assert.match(r.json.error.message, /no connection with this id/);
      }
    }
    const badQuery = await w.req("GET", at(`${id}/audit?cursor=%ff`), { auth: bearer(c.admin) });
    assert.deepEqual([badQuery.status, badQuery.json.error.code], [400, "bad_query"]);
    assert.equal((await w.req("POST", at(`${id}/revoke`), { auth: bearer(c.admin) })).status, 200);
    const again = await w.req("POST", at(`${id}/rotate`), { auth: bearer(c.admin) });
    assert.deepEqual([again.status, again.json.error.code], [409, "revoked"]);
    assert.ok(!again.text.includes("hqxc_"));
    // Another company's connection is untouched.
    const t = await w.req("GET", `/v1/companies/${other.name}/connections/${theirs}`, { auth: bearer(other.owner) });
    assert.equal(t.json.connection.status, "active");
  });

  test("the company switch: admins read it, only the owner sets it; 405 only for those who may use the route", async () => {
    const c = await company("switchy");
    const url = `/v1/companies/${c.name}/settings`;
    assert.equal((await w.req("GET", url, { auth: bearer(c.admin) })).status, 200);
    const byAdmin = await w.req("PUT", url, { auth: bearer(c.admin), body: { connections_enabled: false } });
    assert.deepEqual([byAdmin.status, byAdmin.json.error.code], [404, "not_found"]);
    assert.deepEqual((await w.req("GET", url, { auth: bearer(c.owner) })).json, { connections_enabled: true, role: "owner" }, "the refused write changed nothing");
    const byOwner = await w.req("PUT", url, { auth: bearer(c.owner), body: { connections_enabled: false } });
    assert.deepEqual([byOwner.status, byOwner.json], [200, { connections_enabled: false }]);
    assert.deepEqual((await w.req("GET", url, { auth: bearer(c.admin) })).json, { connections_enabled: false, role: "admin" });
    const bad = await w.req("PUT", url, { auth: bearer(c.owner), body: { connections_enabled: "no" } });
    assert.deepEqual([bad.status, bad.json.error.code], [400, "bad_json"]);
    for (const tok of [c.owner, c.admin]) {
      const r = await w.req("DELETE", url, { auth: bearer(tok) });
      assert.equal(r.status, 405);
      assert.equal(r.headers.get("allow"), "GET, PUT");
    }
  });
});

describe("audit", () => {
  test("every lifecycle action and refusal is audited before it is answered, never with a credential", async () => {
    const c = await company("audited");
    const at = (p) => `/v1/companies/${c.name}/${p}`;
    // The event of the request `r` answered (its x-request-id), read back right after the answer:
    // no waiting, it was written before.
    const audited = async (prefix, r, want) => {
      const ev = (await stream(prefix)).find((e) => e.request_id === r.headers.get("x-request-id"));
      assert.ok(ev, `an event like ${JSON.stringify(want)} under ${JSON.stringify(prefix)}`);
      for (const [k, v] of Object.entries(want)) assert.equal(ev[k], v, `${k} of ${JSON.stringify(ev)}`);
      assert.ok(ev.time && ev.ip, JSON.stringify(ev));
    };
    const conn = (id) => [c.name, id];
    const co = [c.name, null];
    const keys = [];

    const made = await create(c, c.admin, { name: "bot", patterns: ["knowledge/"] });
    keys.push(made.json.key);
    const id = made.json.connection.id;
    await audited(conn(id), made, { actor: "adam", op: "connection-create", status: 201, outcome: "allowed", reason: id });
    let r = await create(c, c.owner, { name: "x", patterns: ["/abs"] });
    await audited(co, r, { actor: "olivia", op: "connection-create", status: 400, outcome: "failed", reason: "bad_patterns" });
    r = await w.req("GET", at("connections"), { auth: bearer(c.owner) });
    await audited(co, r, { actor: "olivia", op: "connection-list", status: 200 });
    r = await w.req("GET", at(`connections/${id}`), { auth: bearer(c.owner) });
    await audited(conn(id), r, { op: "connection-get", status: 200, reason: id });
    r = await w.req("GET", at("connections/conn_00000000000000ff"), { auth: bearer(c.owner) });
    await audited(co, r, { op: "connection-get", status: 404, reason: "not_found" });
    r = await w.req("GET", at("connections/conn_XYZ"), { auth: bearer(c.owner) });
    await audited(co, r, { op: "connection-get", status: 400, reason: "bad_connection_id" });
    r = await w.req("POST", at(`connections/${id}/rotate`), { auth: bearer(c.owner) });
    keys.push(r.json.key);
    await audited(conn(id), r, { op: "connection-rotate", status: 200 });
    r = await w.req("POST", at(`connections/${id}/revoke`), { auth: bearer(c.owner) });
    await audited(conn(id), r, { op: "connection-revoke", status: 200 });
    r = await w.req("POST", at(`connections/${id}/rotate`), { auth: bearer(c.owner) });
    await audited(conn(id), r, { op: "connection-rotate", status: 409, outcome: "failed", reason: "revoked" });
    r = await w.req("GET", at(`connections/${id}/audit`), { auth: bearer(c.admin) });
    await audited(conn(id), r, { actor: "adam", op: "connection-audit", status: 200 });
    r = await w.req("GET", at("settings"), { auth: bearer(c.admin) });
    await audited(co, r, { actor: "adam", op: "settings-read", status: 200 });
    r = await w.req("PUT", at("settings"), { auth: bearer(c.owner), body: { connections_enabled: true } });
    await audited(co, r, { actor: "olivia", op: "settings-write", status: 200 });
    r = await w.req("PUT", at("settings"), { auth: bearer(c.admin), body: { connections_enabled: false } });
    await audited(co, r, { actor: "adam", op: "settings-write", status: 404, outcome: "failed", reason: "not_found" });

    // Identified strangers are filed under the company they tried.
    r = await w.req("POST", at(`connections/${id}/revoke`), { auth: bearer(c.member) });
    await audited(co, r, { actor: "mel", op: "connection-revoke", status: 404 });
    r = await w.req("GET", at("connections"), { auth: bearer(c.foreign) });
    await audited(co, r, { actor: "fritz", op: "connection-list", status: 404 });

    // Callers without a usable credential cost no storage write: their events go to the Worker's log.
    const before = (await allEvents(c.name, [id])).length;
    const rids = [];
    for (const [i, tok] of [UNKNOWN, undefined, "hqxc_notakey"].entries()) {
      rids.push(`anon-${i}-${Date.now()}`);
      const a = await w.req("GET", at("connections"), { auth: bearer(tok), headers: { "cf-ray": rids[i] } });
      assert.equal(a.status, 404);
    }
    assert.equal((await allEvents(c.name, [id])).length, before);
    assert.ok(!(await allEvents(c.name, [id])).some((e) => e.actor === "anonymous"));
    for (const rid of rids) {
      let line;
      for (let i = 0; i < 50 && !line; i++) {
        line = w.log.find((l) => l.includes(`"request_id":"${rid}"`));
        if (!line) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(line, `the log holds the anonymous refusal ${rid}`);
      const ev = JSON.parse(line.slice(line.indexOf("{")));
      assert.deepEqual([ev.actor, ev.op, ev.status, ev.reason], ["anonymous", "connection-list", 404, "not_found"]);
    }

    // The connection's audit lists its lifecycle, newest first.
    const listed = (await w.req("GET", at(`connections/${id}/audit`), { auth: bearer(c.owner) })).json.events;
    assert.deepEqual(
      listed.map((e) => `${e.op} ${e.status}`).sort(),
      ["connection-audit 200", "connection-create 201", "connection-get 200", "connection-revoke 200", "connection-rotate 200", "connection-rotate 409"].sort(),
    );
    for (let i = 1; i < listed.length; i++) assert.ok(listed[i - 1].time_ms >= listed[i].time_ms, "newest first");

    const stored = JSON.stringify(await allEvents(c.name, [id]));
    assert.ok(!stored.includes("hqxc_") && !stored.includes("hqvt_"), "no credential in any event");
    for (const k of keys) assert.ok(!stored.includes(k));
  });

  test("a read of the longest key and an admin with a long name are audited whole, before the answer", async () => {
    // A 960-byte key (the key limit) read with a connection, and an admin with a long name: the
    // events are rows of the company's object, so nothing is cut.
    const name = "longcut";
    const key = `kb/${"k".repeat(957)}`;
    await w.r2.put(`${name}/${key}`, "x");
    const owner = await w.admin(name, "owner", "o".repeat(1500));
    const made = await w.req("POST", `/v1/companies/${name}/connections`, { auth: bearer(owner), body: { name: "n", patterns: ["kb/"] } });
    assert.equal(made.status, 201, made.text);
    const id = made.json.connection.id;
    const created = (await connectionEvents(name, id))[0];
    assert.equal(created.op, "connection-create");
    assert.equal(created.actor, "o".repeat(1500));
    for (const [headers, status] of [[{}, 200], [{ range: "bytes=0-0" }, 206], [{ range: "bytes=5-9" }, 416]]) {
      const read = await w.req("GET", `/v1/connections/files/object?path=${key}`, { auth: bearer(made.json.key), headers });
      assert.equal(read.status, status);
      // Read right after the answer: the event was stored before it.
      const got = (await connectionEvents(name, id))[0];
      assert.deepEqual([got.op, got.status, got.path, got.request_id], ["get", status, key, read.headers.get("x-request-id")]);
    }
    assert.equal((await companyEvents(name)).length, 0, "filed under the connection, not the company");
  });
});
