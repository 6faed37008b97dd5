// The edge benchmark (not a test): the Worker's gzipped size, and requests per second with p50/p99
// for list and get in local workerd beside a hello-world Rust Worker built the same way, same run.
// Run: scripts/bench-edge
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createHash } from "node:crypto";
import { execSync } from "node:child_process";
import { Miniflare } from "miniflare";
import { root, startWorker } from "./harness.mjs";

const seconds = Number(process.env.HQ_BENCH_SECONDS || 4);
const concurrency = 16;

function gzipSize(dir) {
  let raw = 0;
  let gz = 0;
  for (const f of fs.readdirSync(dir, { recursive: true })) {
    const p = path.join(dir, f);
    if (!fs.statSync(p).isFile() || !/\.(wasm|js|mjs)$/.test(p)) continue;
    const b = fs.readFileSync(p);
    raw += b.length;
    gz += zlib.gzipSync(b, { level: 9 }).length;
  }
  return { raw, gz };
}

async function load(url, headers, expect = 200) {
  const lat = [];
  const end = performance.now() + seconds * 1000;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const r = await fetch(url, { headers });
        await r.arrayBuffer();
        if (r.status !== expect) errors++;
        lat.push(performance.now() - t);
      }
    }),
  );
  lat.sort((a, b) => a - b);
  return { rps: lat.length / seconds, p50: lat[Math.floor(lat.length / 2)], p99: lat[Math.floor(lat.length * 0.99)], errors };
}

const hello = new Miniflare({
  modules: true,
  scriptPath: path.join(root, "edge-worker/hello/build/worker/shim.mjs"),
  modulesRoot: path.join(root, "edge-worker/hello/build"),
  modulesRules: [
    { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate: "2026-04-01",
  host: "127.0.0.1",
  port: 0,
  cf: false,
});
const helloUrl = await hello.ready;
const children = () => execSync(`pgrep -P ${process.pid} || true`, { encoding: "utf8" }).split("\n").filter(Boolean);
const before = new Set(children());
const w = await startWorker();
const workerd = children().find((p) => !before.has(p));
const rss = () => {
  try {
    const s = fs.readFileSync(`/proc/${workerd}/status`, "utf8");
    return Number(s.match(/VmRSS:\s+(\d+)/)[1]) * 1024;
  } catch {
    return 0;
  }
};
for (let i = 0; i < 50; i++) await w.r2.put(`bench/knowledge/doc${i}.md`, "x".repeat(2048));
const owner = await w.admin("bench", "owner");
const c = (await w.req("POST", "/v1/companies/bench/connections", { auth: `Bearer ${owner}`, body: { name: "b", patterns: ["knowledge/"] } })).json;
const auth = { authorization: `Bearer ${c.key}` };
// A revoked connection's key: KV still routes it, the object refuses it (no R2 read).
const gone = (await w.req("POST", "/v1/companies/bench/connections", { auth: `Bearer ${owner}`, body: { name: "gone", patterns: ["knowledge/"] } })).json;
await w.req("POST", `/v1/companies/bench/connections/${gone.connection.id}/revoke`, { auth: `Bearer ${owner}` });
// A well-formed key with no routing entry (its entry deleted): refused without asking any object.
const lost = (await w.req("POST", "/v1/companies/bench/connections", { auth: `Bearer ${owner}`, body: { name: "lost", patterns: ["knowledge/"] } })).json;
await w.kv.delete(`keyref:${createHash("sha256").update(lost.key).digest("hex")}`);

const size = gzipSize(path.join(root, "edge-worker/build"));
const base = await load(helloUrl.href, {});
const list = await load(`${w.base}/v1/connections/files?path=knowledge/&limit=20`, auth);
const get = await load(`${w.base}/v1/connections/files/object?path=knowledge/doc7.md`, auth);
// Where the time goes: the Worker and the core alone (no credential: no KV, no object), then with
// a KV read (an unknown key: KV has no entry, and a route is never remembered without one), then
// with R2's read of the object and the object's decision and audit event (a revoked key: its route
// is remembered after the first read, so no KV read). The last row minus the first is R2's read
// plus the object's share; reads waiting together share one object call (worker/batch.rs).
const objectUrl = `${w.base}/v1/connections/files/object?path=knowledge/doc7.md`;
const bare = await load(objectUrl, {}, 401);
const unknown = await load(objectUrl, { authorization: `Bearer ${lost.key}` }, 403);
const revoked = await load(objectUrl, { authorization: `Bearer ${gone.key}` }, 403);
// Streaming a 100 MiB object: workerd's resident memory sampled while the client downloads it.
const big = new Uint8Array(100 * 1024 * 1024);
await w.r2.put("bench/knowledge/big.bin", big);
await new Promise((r) => setTimeout(r, 500));
const idle = rss();
let peak = idle;
const sampler = setInterval(() => (peak = Math.max(peak, rss())), 10);
const resp = await fetch(`${w.base}/v1/connections/files/object?path=knowledge/big.bin`, { headers: auth });
let got = 0;
for await (const chunk of resp.body) got += chunk.length;
clearInterval(sampler);
await hello.dispose();
await w.dispose();

const ms = (x) => `${x.toFixed(2)} ms`;
const row = (name, r) => `| ${name} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} | ${(r.p50 / base.p50).toFixed(2)}× | ${r.errors} |`;
console.log(`| Worker size | ${(size.raw / 1024).toFixed(0)} KiB raw, ${(size.gz / 1024).toFixed(0)} KiB gzip (target ≤ 1 MiB) |`);
console.log(`| streaming a 100 MiB object | ${(got / 1048576).toFixed(0)} MiB received; workerd RSS ${(idle / 1048576).toFixed(0)} MiB before, ${(peak / 1048576).toFixed(0)} MiB peak during (+${((peak - idle) / 1048576).toFixed(1)} MiB) |`);
console.log("");
console.log(`| route (${concurrency} concurrent, ${seconds} s, local workerd) | req/s | p50 | p99 | p50 vs hello | errors |`);
console.log("|---|---:|---:|---:|---:|---:|");
console.log(row("hello-world Rust Worker", base));
console.log(row("list (20 of 50 keys, audited)", list));
console.log(row("get 2 KiB object (audited)", get));
console.log(row("no credential: the Worker and the core only (401)", bare));
console.log(row("unknown key: + a KV read (403)", unknown));
console.log(row("revoked key: + R2's read and the object's decision and event, no KV read (403)", revoked));
console.log("");
console.log(`R2's read plus the object's share (revoked key minus no credential), p50: ${ms(revoked.p50 - bare.p50)} at ${concurrency} concurrent requests to one company's object.`);
