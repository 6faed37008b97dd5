// The Worker in workerd: keys are not patterns (every key a listing returns is fetched back with
// that key, docs/design.md §3.1), the longest key at R2's limit, If-Range (RFC 9110 §13.1.5), and reads
// whose ETag and bytes come from one version of the object.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { startWorker } from "./harness.mjs";

const MAX_KEY = 960;
let w;
before(async () => {
  w = await startWorker();
});
after(async () => {
  await w?.dispose();
});

async function connection(company, patterns = ["*"]) {
  const owner = await w.admin(company, "owner");
  const r = await w.req("POST", `/v1/companies/${company}/connections`, { auth: `Bearer ${owner}`, body: { name: "keys", patterns } });
  assert.equal(r.status, 201, r.text);
  return `Bearer ${r.json.key}`;
}

/** A small seeded generator (mulberry32): the same names on every run, the seed in every message. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ATOMS = [
  "a", "b", "Zz", "q9", " ", "\u00e9", "e\u0301", "\u{1F511}", "\u4e2d\u6587", "\u00a0", "\uffff", "*", "\\", "+", "%", "%2B", "#",
  "?", "(", ")", "'", '"', "&", "=", ";", "[", "~", "<", "|", ":", ".", "-",
];

function segment(rand) {
  for (;;) {
    let s = "";
    const n = 1 + Math.floor(rand() * 7);
    for (let i = 0; i < n; i++) s += ATOMS[Math.floor(rand() * ATOMS.length)];
    if (s !== "." && s !== "..") return s;
  }
}

/** Two ways a client encodes a query value: encodeURIComponent (`%20`, `%2B`) and URLSearchParams (`+`, `%2B`). */
const encoders = [
  (name, v) => `${name}=${encodeURIComponent(v)}`,
  (name, v) => new URLSearchParams({ [name]: v }).toString(),
];

/** `prefix` + segments of é and x (none over 250 bytes), exactly `len` bytes of UTF-8. */
function keyOfLen(prefix, len) {
  let k = prefix;
  let seg = 0;
  const bytes = () => Buffer.byteLength(k);
  while (bytes() < len) {
    const room = len - bytes();
    if (seg >= 248 && room > 1) {
      k += "/";
      seg = 0;
    } else if (room >= 2 && room !== 3) {
      k += "\u00e9";
      seg += 2;
    } else {
      k += "x";
      seg += 1;
    }
  }
  return k;
}

/** Every object key under `prefix`, following cursors, `limit` a page. */
async function listAll(auth, prefix, limit, encode) {
  const keys = [];
  let cursor = null;
  for (let pages = 0; pages < 200; pages++) {
    let q = `/v1/connections/files?${encode("path", prefix)}&limit=${limit}`;
    if (cursor) q += `&${encode("cursor", cursor)}`;
    const r = await w.req("GET", q, { auth });
    assert.equal(r.status, 200, `listing ${JSON.stringify(prefix)}: ${r.text}`);
    assert.ok(r.json.objects.length <= limit);
    keys.push(...r.json.objects.map((o) => o.key));
    cursor = r.json.cursor;
    if (!cursor) return keys;
  }
  assert.fail("more than 200 pages");
}

const getObject = (auth, key, encode) => w.req("GET", `/v1/connections/files/object?${encode("path", key)}`, { auth });
const byteOrder = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe("keys are not patterns", () => {
  test("the issue's names and the longest key: listed, then fetched with the listed key", async () => {
    const company = "names";
    const auth = await connection(company);
    const names = ["has space.md", "caf\u00e9.md", "cafe\u0301.md", "star*.md", "back\\slash.md", "plus+sign.md", "100%.md",
      "hash#.md", "what?.md", "Q4 (draft).md", "it's.md", "a&b=c.md", "%2B.md", "\u{1F511} key.md", "sub dir/Meeting notes.md"];
    const files = new Map(names.map((n) => [`kb/${n}`, `content of ${n}`]));
    files.set(keyOfLen("kb/long/", MAX_KEY), "the longest key");
    for (const [k, v] of files) await w.r2.put(`${company}/${k}`, v);
    const want = [...files.keys()].sort(byteOrder);
    for (const encode of encoders) {
      for (const limit of [1, 4, 1000]) assert.deepEqual(await listAll(auth, "kb/", limit, encode), want, `limit ${limit}`);
      for (const k of want) {
        const r = await getObject(auth, k, encode);
        assert.equal(r.status, 200, `${JSON.stringify(k)}: ${r.text}`);
        assert.equal(r.text, files.get(k));
      }
    }
    assert.deepEqual(await listAll(auth, "kb/cafe", 10, encoders[0]), ["kb/cafe\u0301.md"], "bytes, not normalized text");
    const d = await w.req("GET", "/v1/connections/files?path=kb%2F&delimiter=%2F", { auth });
    assert.deepEqual(d.json.prefixes, ["kb/long/", "kb/sub dir/"]);
    // `+` in a query is a space; a literal `+` travels as %2B; everything is decoded once.
    assert.equal((await w.req("GET", "/v1/connections/files/object?path=kb/plus+sign.md", { auth })).status, 404);
    assert.equal((await w.req("GET", "/v1/connections/files/object?path=kb/plus%2Bsign.md", { auth })).text, files.get("kb/plus+sign.md"));
    assert.equal((await w.req("GET", "/v1/connections/files/object?path=kb/%252B.md", { auth })).text, files.get("kb/%2B.md"));
    // A value that is not UTF-8 after decoding is refused, not replaced by U+FFFD.
    const bad = await w.req("GET", "/v1/connections/files/object?path=kb/%FF.md", { auth });
    assert.equal(bad.status, 400);
  });

  test("generated names (seeded): every listed key fetches the bytes written under it", async () => {
    const company = "generated";
    const auth = await connection(company);
    const seed = 0x5eed_2026;
    const rand = rng(seed);
    for (let round = 0; round < 24; round++) {
      const prefix = `rt${round}/`;
      const names = new Set();
      const n = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < n; i++) {
        const segs = 1 + Math.floor(rand() * 3);
        names.add(Array.from({ length: segs }, () => segment(rand)).join("/"));
      }
      const files = new Map();
      let i = 0;
      const utf8 = (t) => new TextEncoder().encode(t);
      for (const name of names) files.set(prefix + name, utf8(`${round}.${i++}: ${name}`));
      if (rand() < 0.5) files.set(keyOfLen(`${prefix}\u2603/`, MAX_KEY), utf8("longest"));
      for (const [k, v] of files) await w.r2.put(`${company}/${k}`, v);
      const limit = 1 + Math.floor(rand() * 5);
      const encode = encoders[Math.floor(rand() * encoders.length)];
      const listed = await listAll(auth, prefix, limit, encode);
      const msg = `seed ${seed}, round ${round}`;
      assert.deepEqual(listed, [...files.keys()].sort(byteOrder), msg);
      for (const k of listed) {
        const r = await getObject(auth, k, encode);
        assert.equal(r.status, 200, `${msg}: ${JSON.stringify(k)}: ${r.text}`);
        assert.ok(r.bytes.equals(files.get(k)), `${msg}: ${JSON.stringify(k)}: other bytes`);
      }
    }
  });

  test("a 960-byte key of a 63-character company fills R2's 1024 bytes and reads; 961 bytes is a 400", async () => {
    const company = "c".repeat(63);
    const auth = await connection(company);
    const key = keyOfLen("kb/", MAX_KEY);
    assert.equal(Buffer.byteLength(`${company}/${key}`), 1024);
    await w.r2.put(`${company}/${key}`, "at the limit");
    for (const encode of encoders) {
      assert.deepEqual(await listAll(auth, "kb/", 1, encode), [key]);
      assert.deepEqual(await listAll(auth, key, 1, encode), [key], "the key itself as a listing prefix");
      const r = await getObject(auth, key, encode);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, "at the limit");
      const head = await w.req("HEAD", `/v1/connections/files/object?${encode("path", key)}`, { auth });
      assert.equal(head.status, 200);
      const ranged = await w.req("GET", `/v1/connections/files/object?${encode("path", key)}`, { auth, headers: { range: "bytes=3-5" } });
      assert.equal(ranged.status, 206);
      assert.equal(ranged.text, "the");
      const delimited = await w.req("GET", `/v1/connections/files?${encode("path", "kb/")}&delimiter=%2F&limit=1`, { auth });
      assert.equal(delimited.status, 200, delimited.text);
      for (const tooLong of [key + "x", keyOfLen("kb/", MAX_KEY + 1)]) {
        const a = await getObject(auth, tooLong, encode);
        assert.deepEqual([a.status, a.json?.error?.code], [400, "bad_path"]);
        const l = await w.req("GET", `/v1/connections/files?${encode("path", tooLong)}`, { auth });
        assert.deepEqual([l.status, l.json?.error?.code], [400, "bad_path"]);
      }
    }
    // A 64-character company id would push a 960-byte key past R2's limit: it is no company id.
    const owner = await w.admin("d".repeat(63), "owner");
    const r = await w.req("GET", `/v1/companies/${"d".repeat(64)}/connections`, { auth: `Bearer ${owner}` });
    assert.equal(r.status, 404);
  });

  test("what a bucket holds but is not a key is never listed, and asking for it is a 400", async () => {
    const company = "notkeys";
    const auth = await connection(company);
    await w.r2.put(`${company}/kb/ok.md`, "ok");
    const tooLong = keyOfLen("kb/long/", 980);
    for (const k of ["kb/bell\u0007.md", "kb/c1\u0085.md", "kb/a//b.md", "kb/./dot.md", "kb/folder/", tooLong]) {
      await w.r2.put(`${company}/${k}`, "not a key");
    }
    for (const limit of [1, 2, 1000]) assert.deepEqual(await listAll(auth, "kb/", limit, encoders[0]), ["kb/ok.md"], `limit ${limit}`);
    for (const k of ["kb/bell\u0007.md", "kb/c1\u0085.md", "kb/a//b.md", "kb/./dot.md", "kb/folder/", tooLong, "/kb/ok.md", "kb/..", ""]) {
      const r = await getObject(auth, k, encoders[0]);
      assert.deepEqual([r.status, r.json?.error?.code], [400, "bad_path"], JSON.stringify(k));
    }
  });
});

describe("If-Range and one version per answer", () => {
  test("a stale or weak If-Range gets 200 and the whole object; a strong match or the exact date gets 206", async () => {
    const company = "ifrange";
    const auth = await connection(company);
    await w.r2.put(`${company}/doc.txt`, "old contents");
    const path = "/v1/connections/files/object?path=doc.txt";
    const old = await w.req("GET", path, { auth });
    const oldTag = old.headers.get("etag");
    await w.r2.put(`${company}/doc.txt`, "NEW CONTENTS, longer");
    const fresh = await w.req("GET", path, { auth });
    const tag = fresh.headers.get("etag");
    const lastModified = fresh.headers.get("last-modified");
    assert.notEqual(tag, oldTag);
    const ranged = (ifRange, extra = {}) => w.req("GET", path, { auth, headers: { range: "bytes=0-3", "if-range": ifRange, ...extra } });
    for (const stale of [oldTag, '"stale"', `W/${tag}`, "Mon, 01 Jan 2001 00:00:00 GMT", "garbage"]) {
      const r = await ranged(stale);
      assert.equal(r.status, 200, `If-Range ${stale}`);
      assert.equal(r.text, "NEW CONTENTS, longer");
      assert.equal(r.headers.get("content-range"), null);
      assert.equal(r.headers.get("etag"), tag);
    }
    const hit = await ranged(tag);
    assert.equal(hit.status, 206);
    assert.equal(hit.text, "NEW ");
    assert.equal(hit.headers.get("content-range"), "bytes 0-3/20");
    assert.equal(hit.headers.get("etag"), tag);
    const headHit = await w.req("HEAD", path, { auth, headers: { range: "bytes=0-3", "if-range": tag } });
    assert.deepEqual([headHit.status, headHit.headers.get("content-length")], [206, "4"]);
    // If-None-Match still comes first.
    assert.equal((await w.req("GET", path, { auth, headers: { "if-none-match": tag } })).status, 304);
    assert.equal((await ranged(tag, { "if-none-match": tag })).status, 304);
    assert.equal((await w.req("GET", path, { auth, headers: { "if-none-match": oldTag } })).status, 200);
    // The date form: weak while the second it names lasts, then an exact Last-Modified holds.
    await new Promise((r) => setTimeout(r, 1100));
    const dated = await ranged(lastModified);
    assert.equal(dated.status, 206);
    assert.equal(dated.text, "NEW ");
    const older = new Date(Date.parse(lastModified) - 1000).toUTCString();
    const before = await ranged(older);
    assert.equal(before.status, 200);
    assert.equal(before.text, "NEW CONTENTS, longer");
  });

  test("while an object is overwritten, every answer's ETag is the ETag of the bytes it carries", async () => {
    const company = "versions";
    const auth = await connection(company);
    const size = 16 * 1024;
    // Version v is `size` bytes of value v % 256: an ETag names the byte every sent byte must be.
    const version = (v) => new Uint8Array(size).fill(v % 256);
    const md5 = (b) => `"${createHash("md5").update(b).digest("hex")}"`;
    const byTag = new Map();
    for (let v = 0; v < 256; v++) byTag.set(md5(version(v)), v);
    await w.r2.put(`${company}/v.bin`, version(0));
    const path = "/v1/connections/files/object?path=v.bin";
    let writing = true;
    const writer = (async () => {
      for (let v = 1; v < 300; v++) await w.r2.put(`${company}/v.bin`, version(v));
      writing = false;
    })();
    const problems = [];
    let answers = 0;
    let changing = 0;
    let lastTag = md5(version(0));
    const reader = async (id) => {
      for (let i = 0; i < 2000 && (writing || i < 3); i++) {
        const kind = (i + id) % 3;
        const headers = kind === 0 ? { range: "bytes=100-199" } : kind === 1 ? { range: "bytes=-100", "if-range": lastTag } : {};
        const r = await w.req("GET", path, { auth, headers });
        answers++;
        if (r.status === 503 && r.json?.error?.code === "object_changing") {
          changing++; // it kept changing between decision and read: refused, never mixed
          continue;
        }
        const tag = r.headers.get("etag");
        const v = byTag.get(tag);
        if (v === undefined) {
          problems.push(`unknown ETag ${tag} (${r.status})`);
          continue;
        }
        lastTag = tag;
        if (r.status === 206) {
          const suffix = headers.range === "bytes=-100";
          if (r.bytes.length !== 100 || !r.bytes.every((b) => b === v)) problems.push(`206 with the ETag of ${v} carries other bytes`);
          const cr = suffix ? `bytes ${size - 100}-${size - 1}/${size}` : `bytes 100-199/${size}`;
          if (r.headers.get("content-range") !== cr) problems.push(`content-range ${r.headers.get("content-range")}`);
        } else if (r.status === 200) {
          if (r.bytes.length !== size || !r.bytes.every((b) => b === v)) problems.push(`200 with the ETag of ${v} carries other bytes`);
        } else {
          problems.push(`status ${r.status}: ${r.text.slice(0, 100)}`);
        }
      }
    };
    await Promise.all([writer, ...[0, 1, 2, 3, 4, 5].map(reader)]);
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} of ${answers} answers mixed versions`);
    assert.ok(answers >= 30 && changing < answers / 2, `${changing} of ${answers} answers gave up`);
  });
});
