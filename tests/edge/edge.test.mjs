// The Worker in workerd: the shared scenarios, the lifecycle, audit, isolation, paging, streaming.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { root, startWorker } from "./harness.mjs";

let w;
before(async () => {
  w = await startWorker();
});
after(async () => {
  await w?.dispose();
});

const scenarios = JSON.parse(fs.readFileSync(path.join(root, "tests/scenarios/connections.json"), "utf8"));

async function createConnection(admin, company, name, patterns) {
  const r = await w.req("POST", `/v1/companies/${company}/connections`, { auth: `Bearer ${admin}`, body: { name, patterns } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

describe("the shared scenarios", () => {
  test("every scenario of tests/scenarios/connections.json", async () => {
    const company = "scen";
    for (const [key, content] of Object.entries(scenarios.files)) {
      await w.r2.put(`${company}/${key}`, content, {
        httpMetadata: key.endsWith(".md") ? { contentType: "text/markdown; charset=utf-8" } : {},
      });
    }
    const owner = await w.admin(company, "owner");
    const keys = {};
    const ids = {};
    for (const [name, patterns] of Object.entries(scenarios.connections)) {
      const c = await createConnection(owner, company, name, patterns);
      keys[`key:${name}`] = c.key;
      ids[name] = c.connection.id;
    }
    keys.revoked = keys["key:revoked"];
    assert.equal((await w.req("POST", `/v1/companies/${company}/connections/${ids.revoked}/revoke`, { auth: `Bearer ${owner}` })).status, 200);
    keys["rotated-old"] = keys["key:rotated"];
    const rot = await w.req("POST", `/v1/companies/${company}/connections/${ids.rotated}/rotate`, { auth: `Bearer ${owner}` });
    assert.equal(rot.status, 200);
    keys["rotated-new"] = rot.json.key;

    const failures = [];
    for (const c of scenarios.cases) {
      const route = c.route === "object" ? "/v1/connections/files/object" : "/v1/connections/files";
      const p = c.query ? `${route}?${c.query}` : route;
      const headers = { ...(c.headers || {}) };
      let auth;
      if (c.auth.startsWith("raw:")) auth = c.auth.slice(4);
      else if (c.auth !== "none") auth = `Bearer ${keys[c.auth]}`;
      let a;
      try {
        a = await w.req(c.method, p, { auth, headers });
      } catch (e) {
        failures.push(`${c.id}: request failed: ${e.message}`);
        continue;
      }
      const e = c.expect;
      const fail = (what) => failures.push(`${c.id}: ${what}; got ${a.status} ${a.text.slice(0, 200)}`);
      if (a.status !== e.status) { fail(`status ${e.status} expected`); continue; }
      if (e.code && a.json?.error?.code !== e.code) fail(`code ${e.code} expected`);
      if (e.keys && JSON.stringify(a.json.objects.map((o) => o.key)) !== JSON.stringify(e.keys)) fail(`keys ${JSON.stringify(e.keys)} expected`);
      if (e.prefixes && JSON.stringify(a.json.prefixes) !== JSON.stringify(e.prefixes)) fail(`prefixes ${JSON.stringify(e.prefixes)} expected`);
      if (e.truncated !== undefined && (a.json.truncated !== e.truncated || (typeof a.json.cursor === "string") !== e.truncated)) fail(`truncated ${e.truncated} expected`);
      if (e.body !== undefined && a.text !== e.body) fail(`body ${JSON.stringify(e.body)} expected`);
      if (e.no_body && a.bytes.length) fail("no body expected");
      for (const [k, v] of Object.entries(e.headers || {})) {
        if (a.headers.get(k) !== v) fail(`header ${k}: ${v} expected, got ${a.headers.get(k)}`);
      }
      if (a.status >= 400 && a.status !== 416 && c.method !== "HEAD") {
        if (typeof a.json?.error?.request_id !== "string" || typeof a.json?.error?.message !== "string") fail("the error shape expected");
      }
      for (const k of Object.values(keys)) if (a.text.includes(k)) fail("a credential was echoed");
    }
    assert.deepEqual(failures, [], `${failures.length} of ${scenarios.cases.length} scenarios failed`);
  });
});

describe("lifecycle", () => {
  test("create, list, get, rotate, revoke, audit; members and strangers get 404", async () => {
    const company = "life";
    await w.r2.put(`${company}/knowledge/a.md`, "alpha");
    const owner = await w.admin(company, "owner");
    const adminTok = await w.admin(company, "admin");
    const member = await w.admin(company, "member");
    const foreign = await w.admin("other", "owner");
    for (const tok of [member, foreign, "hqvt_0000000000000000000000000000000000000000000000000", undefined]) {
      const r = await w.req("GET", `/v1/companies/${company}/connections`, { auth: tok && `Bearer ${tok}` });
      assert.equal(r.status, 404, `${tok}: ${r.text}`);
    }
    const bad = await w.req("POST", `/v1/companies/${company}/connections`, {
      auth: `Bearer ${owner}`,
      body: { name: "x", patterns: ["ok/", "/abs", "a/*/b", "caf\u00e9"] },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json.error.rejections.map((r) => r.reason), ["leading-slash", "misplaced-star", "non-ascii"]);
    const c = await createConnection(adminTok, company, "docs-bot", ["knowledge/"]);
    assert.deepEqual(c.connection.patterns, ["knowledge/*"]);
    assert.match(c.snippet, /^const FOLDER = "knowledge\/";$/m);
    assert.match(c.snippet, new RegExp(w.base.replace(/[.]/g, "\\.")));
    const id = c.connection.id;
    const list = await w.req("GET", `/v1/companies/${company}/connections`, { auth: `Bearer ${owner}` });
    assert.equal(list.json.connections.length, 1);
    const one = await w.req("GET", `/v1/companies/${company}/connections/${id}`, { auth: `Bearer ${owner}` });
    for (const t of [list.text, one.text]) assert.ok(!t.includes("hqxc_") && !t.includes("key_ref"), t);
    const obj = "/v1/connections/files/object?path=knowledge/a.md";
    assert.equal((await w.req("GET", obj, { auth: `Bearer ${c.key}` })).status, 200);
    const rot = await w.req("POST", `/v1/companies/${company}/connections/${id}/rotate`, { auth: `Bearer ${owner}` });
    assert.equal(rot.json.connection.id, id);
    assert.equal((await w.req("GET", obj, { auth: `Bearer ${c.key}` })).status, 403, "the old key is refused on its next read");
    assert.equal((await w.req("GET", obj, { auth: `Bearer ${rot.json.key}` })).status, 200);
    const rev = await w.req("POST", `/v1/companies/${company}/connections/${id}/revoke`, { auth: `Bearer ${owner}` });
    assert.equal(rev.json.connection.status, "revoked");
    assert.equal((await w.req("GET", obj, { auth: `Bearer ${rot.json.key}` })).status, 403);
    assert.equal((await w.req("POST", `/v1/companies/${company}/connections/${id}/rotate`, { auth: `Bearer ${owner}` })).status, 409);
    // Read events are stored before the answer. The lifecycle's own events
    // (tests/edge/lifecycle.test.mjs) are in the same audit.
    let events = (await w.req("GET", `/v1/companies/${company}/connections/${id}/audit`, { auth: `Bearer ${owner}` })).json.events;
    events = events.filter((e) => e.op === "get");
    assert.deepEqual(events.map((e) => e.status), [403, 200, 403, 200], "newest first");
    assert.equal(events[1].path, "knowledge/a.md");
    assert.equal(events[1].outcome, "allowed");
    assert.ok(events.every((e) => typeof e.request_id === "string" && e.ip && e.time));
    // The audit keeps no credential.
    const all = await w.events(company, id);
    assert.ok(all.length >= 8, `${all.length} events`);
    assert.ok(!JSON.stringify(all).includes("hqxc_"));
    for (const k of [c.key, rot.json.key]) assert.ok(!JSON.stringify(all).includes(k));
  });

  test("audit events carry cf-ray as the request id and CF-Connecting-IP as the source", async () => {
    await w.r2.put("ids/a.txt", "a");
    const owner = await w.admin("ids", "owner");
    const c = await createConnection(owner, "ids", "all", ["*"]);
    const r = await w.req("GET", "/v1/connections/files/object?path=a.txt", {
      auth: `Bearer ${c.key}`,
      headers: { "cf-ray": "8f00ba11cafe-LHR", "cf-connecting-ip": "203.0.113.7" },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("x-request-id"), "8f00ba11cafe-LHR");
    let events = (await w.req("GET", `/v1/companies/ids/connections/${c.connection.id}/audit`, { auth: `Bearer ${owner}` })).json.events;
    events = events.filter((e) => e.actor === c.connection.id);
    assert.equal(events[0].request_id, "8f00ba11cafe-LHR");
    assert.equal(events[0].ip, "203.0.113.7");
    assert.equal(events[0].op, "get");
  });

  test("the company switch turns every connection off and on", async () => {
    const company = "switch";
    await w.r2.put(`${company}/a.txt`, "a");
    const owner = await w.admin(company, "owner");
    const c = await createConnection(owner, company, "all", ["*"]);
    const obj = "/v1/connections/files/object?path=a.txt";
    assert.equal((await w.req("GET", obj, { auth: `Bearer ${c.key}` })).status, 200);
    const off = await w.req("PUT", `/v1/companies/${company}/settings`, { auth: `Bearer ${owner}`, body: { connections_enabled: false } });
    assert.equal(off.status, 200);
    const r = await w.req("GET", obj, { auth: `Bearer ${c.key}` });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, "connections_disabled");
    await w.req("PUT", `/v1/companies/${company}/settings`, { auth: `Bearer ${owner}`, body: { connections_enabled: true } });
    assert.equal((await w.req("GET", obj, { auth: `Bearer ${c.key}` })).status, 200);
  });
});

describe("isolation and storage", () => {
  test("a key of company A never reaches company B, whatever the path says", async () => {
    await w.r2.put("acme/secret.txt", "acme's");
    await w.r2.put("globex/secret.txt", "globex's");
    const a = await createConnection(await w.admin("acme", "owner"), "acme", "all", ["*"]);
    const ok = await w.req("GET", "/v1/connections/files/object?path=secret.txt", { auth: `Bearer ${a.key}` });
    assert.equal(ok.text, "acme's");
    for (const p of ["../globex/secret.txt", "%2e%2e%2Fglobex%2Fsecret.txt", "/globex/secret.txt", "globex/secret.txt"]) {
      const r = await w.req("GET", `/v1/connections/files/object?path=${p}`, { auth: `Bearer ${a.key}` });
      assert.notEqual(r.status, 200, p);
      assert.ok(!r.text.includes("globex's"), p);
    }
    const l = await w.req("GET", "/v1/connections/files?path=&delimiter=/", { auth: `Bearer ${a.key}` });
    assert.ok(!l.text.includes("globex"), l.text);
  });

  test("paging walks more than one R2 page, every key once, in order", async () => {
    const company = "pages";
    const want = [];
    for (let i = 0; i < 1205; i++) {
      const k = `docs/${String(i).padStart(5, "0")}.md`;
      want.push(k);
      await w.r2.put(`${company}/${k}`, String(i));
    }
    await w.r2.put(`${company}/private/x.md`, "no");
    const c = await createConnection(await w.admin(company, "owner"), company, "docs", ["docs/"]);
    const seen = [];
    let cursor = null;
    let pages = 0;
    do {
      const q = `/v1/connections/files?path=${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const r = await w.req("GET", q, { auth: `Bearer ${c.key}` });
      assert.equal(r.status, 200, r.text);
      seen.push(...r.json.objects.map((o) => o.key));
      cursor = r.json.cursor;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(pages, 2, "1000 per page");
    assert.deepEqual(seen, want);
  });

  test("a large object streams whole, with ETag, 304 and ranges", async () => {
    const company = "big";
    const size = 32 * 1024 * 1024;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) data.writeUInt32LE(i, i);
    await w.r2.put(`${company}/blob.bin`, new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice());
    const c = await createConnection(await w.admin(company, "owner"), company, "big", ["*"]);
    const r = await w.req("GET", "/v1/connections/files/object?path=blob.bin", { auth: `Bearer ${c.key}` });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-length"), String(size));
    assert.equal(createHash("sha256").update(r.bytes).digest("hex"), createHash("sha256").update(data).digest("hex"));
    const etag = r.headers.get("etag");
    assert.ok(etag && r.headers.get("last-modified"));
    const nm = await w.req("GET", "/v1/connections/files/object?path=blob.bin", { auth: `Bearer ${c.key}`, headers: { "if-none-match": etag } });
    assert.equal(nm.status, 304);
    const part = await w.req("GET", "/v1/connections/files/object?path=blob.bin", { auth: `Bearer ${c.key}`, headers: { range: "bytes=4096-4103" } });
    assert.equal(part.status, 206);
    assert.deepEqual(part.bytes, data.subarray(4096, 4104));
  });

  test("the agent snippet runs as printed against the Worker: saved as agent.mjs, run as its first line says", async () => {
    const c = await createConnection(await w.admin("snip", "owner"), "snip", "agent", ["knowledge/"]);
    const command = c.snippet.split("\n")[0].split(" run: ")[1];
    assert.equal(command, "node agent.mjs", "the Worker's certificate needs no extra CA");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hq-agent-"));
    const run = async () => {
      fs.writeFileSync(path.join(dir, "agent.mjs"), c.snippet);
      const env = { ...process.env, HQ_CONNECTION_KEY: c.key, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` };
      const child = spawn("sh", ["-c", command], { cwd: dir, env });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      const [code] = await once(child, "exit");
      assert.equal(code, 0, err);
      return out;
    };
    try {
      assert.equal(await run(), "No file under knowledge/ yet: add some to the R2 bucket under snip/knowledge/\n");
      await w.r2.put("snip/knowledge/hello.md", "hello from the vault");
      assert.equal(await run(), "knowledge/hello.md\nhello from the vault\n");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
