// Audit of everything (docs/design.md §3.4, §3.5), in workerd: each read's event records the status
// actually answered, the audit route pages the company object's table with cursors only it makes,
// bodies with unknown or repeated fields are refused, and events expire after the retention period
// by the object's alarm (shortened here with AUDIT_RETENTION_MS so that no test waits 90 days).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startWorker } from "./harness.mjs";

let w;
before(async () => {
  w = await startWorker();
});
after(async () => {
  await w?.dispose();
});

const bearer = (t) => `Bearer ${t}`;

/** Connections made so far: a name names one active connection, so each gets its own. */
let made = 0;

async function connection(company, patterns = ["*"]) {
  const owner = await w.admin(company, "owner", "olivia");
  const r = await w.req("POST", `/v1/companies/${company}/connections`, { auth: bearer(owner), body: { name: `a-${++made}`, patterns } });
  assert.equal(r.status, 201, r.text);
  return { owner, id: r.json.connection.id, key: r.json.key };
}

/** The connection's event of request `rid`, through the audit route (waiting up to 5 s for it). */
async function eventOf(company, c, rid) {
  for (let i = 0; i < 100; i++) {
    const page = await w.req("GET", `/v1/companies/${company}/connections/${c.id}/audit`, { auth: bearer(c.owner) });
    const ev = page.json.events.find((e) => e.request_id === rid);
    if (ev) return ev;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no event of ${rid}`);
}

describe("the status answered is the status audited", () => {
  test("200, 206, 304, 416, 404 and HEAD, each audited as answered", async () => {
    const company = "answered";
    await w.r2.put(`${company}/doc.md`, "0123456789");
    const c = await connection(company);
    const obj = (p) => `/v1/connections/files/object?path=${p}`;
    const first = await w.req("GET", obj("doc.md"), { auth: bearer(c.key) });
    const etag = first.headers.get("etag");
    const cases = [
      ["GET", "doc.md", {}, 200, "allowed", null],
      ["GET", "doc.md", { range: "bytes=2-4" }, 206, "allowed", null],
      ["GET", "doc.md", { "if-none-match": etag }, 304, "allowed", null],
      ["HEAD", "doc.md", { "if-none-match": etag }, 304, "allowed", null],
      ["GET", "doc.md", { range: "bytes=50-60" }, 416, "failed", "range_not_satisfiable"],
      ["GET", "missing.md", {}, 404, "failed", "not_found"],
      ["GET", "missing.md", { range: "bytes=0-1" }, 404, "failed", "not_found"],
    ];
    for (const [i, [method, p, headers, status, outcome, reason]] of cases.entries()) {
      const rid = `answered-${i}-${Date.now()}`;
      const r = await w.req(method, obj(p), { auth: bearer(c.key), headers: { ...headers, "cf-ray": rid } });
      assert.equal(r.status, status, `${method} ${p} ${JSON.stringify(headers)}`);
      const ev = await eventOf(company, c, rid);
      assert.deepEqual([ev.op, ev.status, ev.outcome, ev.reason ?? null, ev.path], ["get", status, outcome, reason, p], JSON.stringify(headers));
    }
  });

  test("a read of a key at the key limit (960 bytes) is audited with its whole path", async () => {
    const company = "longpath";
    const key = `kb/${"\u00e9".repeat(478)}x`;
    assert.equal(Buffer.byteLength(key), 960);
    await w.r2.put(`${company}/${key}`, "x");
    const c = await connection(company);
    const rid = `long-${Date.now()}`;
    const r = await w.req("GET", `/v1/connections/files/object?path=${encodeURIComponent(key)}`, { auth: bearer(c.key), headers: { "cf-ray": rid } });
    assert.equal(r.status, 200);
    const ev = await eventOf(company, c, rid);
    assert.deepEqual([ev.status, ev.path], [200, key]);
  });

  test("a parameter given twice is a 400, audited as such", async () => {
    const company = "twice";
    await w.r2.put(`${company}/a.md`, "a");
    const c = await connection(company);
    const rid = `twice-${Date.now()}`;
    const r = await w.req("GET", "/v1/connections/files/object?path=a.md&path=a.md", { auth: bearer(c.key), headers: { "cf-ray": rid } });
    assert.deepEqual([r.status, r.json.error.code], [400, "bad_query"]);
    const ev = await eventOf(company, c, rid);
    assert.deepEqual([ev.status, ev.outcome, ev.reason], [400, "failed", "bad_query"]);
  });
});

describe("the audit route", () => {
  test("pages newest first with its own cursors; a forged, foreign or garbled cursor is a 400", async () => {
    const company = "paging";
    await w.r2.put(`${company}/a.md`, "a");
    const c = await connection(company);
    const other = await connection(company);
    // 230 reads: three pages of events.
    for (let i = 0; i < 230; i++) {
      const r = await w.req("GET", "/v1/connections/files/object?path=a.md", { auth: bearer(c.key), headers: { "cf-ray": `page-${i}` } });
      assert.equal(r.status, 200);
    }
    const at = (id, q = "") => `/v1/companies/${company}/connections/${id}/audit${q}`;
    const seen = [];
    let cursor = null;
    let pages = 0;
    do {
      const r = await w.req("GET", at(c.id, cursor ? `?cursor=${encodeURIComponent(cursor)}` : ""), { auth: bearer(c.owner) });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.events.length <= 100);
      seen.push(...r.json.events);
      cursor = r.json.cursor;
      pages++;
    } while (cursor && pages < 10);
    const reads = seen.filter((e) => e.op === "get").map((e) => e.request_id);
    assert.deepEqual(reads, Array.from({ length: 230 }, (_, i) => `page-${229 - i}`), "every read once, newest first");
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].time_ms >= seen[i].time_ms, "newest first");

    const first = await w.req("GET", at(c.id), { auth: bearer(c.owner) });
    const real = first.json.cursor;
    assert.equal(typeof real, "string");
    const forged = ["garbage", "a1.999999", real.replace(/\d+$/, (d) => String(Number(d) + 1_000_000)), `${real}0`, "a1.-1"];
    for (const bad of forged) {
      const r = await w.req("GET", at(c.id, `?cursor=${encodeURIComponent(bad)}`), { auth: bearer(c.owner) });
      assert.deepEqual([r.status, r.json.error.code], [400, "bad_cursor"], `${bad}: ${r.text}`);
    }
    // A query that is not UTF-8 once decoded.
    const garbled = await w.req("GET", at(c.id, "?cursor=%ff"), { auth: bearer(c.owner) });
    assert.deepEqual([garbled.status, garbled.json.error.code], [400, "bad_query"]);
    // A real cursor of one connection is not a cursor of another.
    const foreign = await w.req("GET", at(other.id, `?cursor=${encodeURIComponent(real)}`), { auth: bearer(c.owner) });
    assert.deepEqual([foreign.status, foreign.json.error.code], [400, "bad_cursor"]);
  });
});

describe("bodies", () => {
  test("unknown fields and fields given twice are refused on create and settings; nothing changes", async () => {
    const company = "bodies";
    const owner = await w.admin(company, "owner", "olivia");
    const create = (body) => w.req("POST", `/v1/companies/${company}/connections`, { auth: bearer(owner), body });
    for (const body of [
      { name: "x", patterns: ["a/"], admin: true },
      { name: "x", patterns: ["a/"], mechanism: "api_key", extra: null },
      '{"name":"x","patterns":["a/"],"name":"y"}',
      '{"name":"x","patterns":["a/"],"patterns":["*"]}',
    ]) {
      const r = await create(body);
      assert.deepEqual([r.status, r.json?.error?.code], [400, "bad_json"], JSON.stringify(body));
    }
    const list = await w.req("GET", `/v1/companies/${company}/connections`, { auth: bearer(owner) });
    assert.deepEqual(list.json.connections, []);
    const settings = `/v1/companies/${company}/settings`;
    for (const body of ['{"connections_enabled":false,"other":1}', '{"connections_enabled":true,"connections_enabled":false}']) {
      const r = await w.req("PUT", settings, { auth: bearer(owner), body });
      assert.deepEqual([r.status, r.json?.error?.code], [400, "bad_json"], body);
    }
    assert.deepEqual((await w.req("GET", settings, { auth: bearer(owner) })).json, { connections_enabled: true, role: "owner" });
  });
});

describe("retention", () => {
  test("the object's alarm deletes events older than the retention period, and wakes again for the next", { timeout: 180_000 }, async () => {
    // Retention 10 s; the read comes 5 s after the create, so the alarm due for the create finds the
    // read's event not yet expired and must wake again for it (an alarm set from inside the alarm).
    const short = await startWorker({ bindings: { AUDIT_RETENTION_MS: "10000" } });
    try {
      const company = "retained";
      await short.r2.put(`${company}/a.md`, "a");
      const owner = await short.admin(company, "owner", "olivia");
      const made = await short.req("POST", `/v1/companies/${company}/connections`, { auth: bearer(owner), body: { name: "a", patterns: ["*"] } });
      assert.equal(made.status, 201);
      const id = made.json.connection.id;
      const read = async () => {
        const r = await short.req("GET", "/v1/connections/files/object?path=a.md", { auth: bearer(made.json.key) });
        assert.equal(r.status, 200);
        return r.headers.get("x-request-id");
      };
      const ids = async () => (await short.events(company, id)).map((e) => e.request_id);
      const [created] = await ids();
      await new Promise((r) => setTimeout(r, 5000));
      const first = await read();
      assert.deepEqual(await ids(), [first, created], "the create and the read, newest first");
      // Bounded waits: the alarm may be late on a loaded machine.
      const until = async (what, ok) => {
        for (let i = 0; i < 240; i++) {
          const l = await ids();
          if (ok(l)) return l;
          await new Promise((r) => setTimeout(r, 250));
        }
        assert.fail(`timed out waiting until ${what}: ${JSON.stringify(await ids())}`);
      };
      const left = await until("the create's event expires", (l) => !l.includes(created));
      assert.deepEqual(left, [first], "the read's event, 5 s younger, outlives the create's");
      await until("the alarm wakes again for the read's event", (l) => l.length === 0);
      const second = await read();
      assert.deepEqual(await ids(), [second], "a new event is kept");
      await until("the alarm wakes again for the second read", (l) => l.length === 0);
      // The connection itself is kept: only events expire.
      assert.equal((await short.req("GET", `/v1/companies/${company}/connections/${id}`, { auth: bearer(owner) })).status, 200);
    } finally {
      await short.dispose();
    }
  });
});
