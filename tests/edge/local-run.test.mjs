// The README's local run for people, as a newcomer runs it: `npm run dev` in a fresh home with no
// network, then `scripts/edge-seed` against it, then the curl lines it prints. And the messages a
// newcomer meets when a step is missing: no Worker running, no build tools.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { root } from "./harness.mjs";

const run = promisify(execFile);
// Generous bounds for a loaded 2-core machine; `npm run dev` normally starts in seconds when the
// Worker is built (scripts/test builds it first), and builds it once when it is not.
const READY_MS = 480_000;

/** Runs a command, never throwing: {code, stdout, stderr}. */
async function attempt(file, args, opts) {
  try {
    const { stdout, stderr } = await run(file, args, { maxBuffer: 1 << 24, ...opts });
    return { code: 0, stdout, stderr };
  } catch (e) {
    if (e.code === undefined || typeof e.code === "string") throw e;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort() {
  const s = net.createServer().listen(0, "127.0.0.1");
  await new Promise((r) => s.once("listening", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** The environment of a newcomer: a fresh config home and miniflare cache, none of the offline
 * switches CI sets (so the test sees what `npm run dev` itself sets), state in a scratch dir. */
function newcomerEnv(scratch) {
  const env = { ...process.env };
  for (const k of ["WRANGLER_SEND_METRICS", "CLOUDFLARE_CF_FETCH_ENABLED", "CLOUDFLARE_CF_FETCH_PATH", "HQ_EDGE_PORT", "HQ_EDGE_STATE"]) {
    delete env[k];
  }
  Object.assign(env, {
    XDG_CONFIG_HOME: path.join(scratch, "xdg"),
    MINIFLARE_CACHE_DIR: path.join(scratch, "mf"),
    HQ_EDGE_STATE: path.join(scratch, "state"),
  });
  return env;
}

test("npm run dev builds once, stays quiet offline, and edge-seed's printed lines read through it", { timeout: READY_MS + 300_000 }, async (t) => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "hq-edge-dev-"));
  const env = newcomerEnv(scratch);
  const dev = spawn("npm", ["run", "dev"], {
    cwd: root,
    env: { ...env, HQ_EDGE_PORT: "0" },
    detached: true, // its own process group: wrangler, the build and workerd end together
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  dev.stdout.on("data", (d) => (out += d));
  dev.stderr.on("data", (d) => (out += d));
  // Closed when every process holding the pipes (npm, wrangler) has ended.
  const ended = Promise.all([dev.stdout, dev.stderr].map((s) => new Promise((r) => s.once("close", r))));
  t.after(async () => {
    try {
      process.kill(-dev.pid, "SIGTERM");
    } catch {}
    let timer;
    const gone = await Promise.race([ended.then(() => true), new Promise((r) => (timer = setTimeout(r, 15_000, false)))]);
    clearTimeout(timer);
    if (!gone) {
      try {
        process.kill(-dev.pid, "SIGKILL");
      } catch {}
    }
    fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 5 });
  });

  // Ready, or the reason it never was.
  const deadline = Date.now() + READY_MS;
  let base;
  while (!(base = out.match(/Ready on (http:\/\/127\.0\.0\.1:\d+)/)?.[1])) {
    assert.equal(dev.exitCode, null, `npm run dev exited before it was ready:\n${out}`);
    assert.ok(Date.now() < deadline, `npm run dev not ready after ${READY_MS / 1000} s:\n${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  // One build: wasm-opt runs at most once (wrangler 4.86 runs the build command twice; the second
  // finds the Worker up to date).
  const optimized = out.match(/Optimizing wasm binaries/g)?.length ?? 0;
  assert.ok(optimized <= 1, `the Worker was built ${optimized} times:\n${out}`);
  // Quiet offline: nothing fetched from Cloudflare, no failed lookup, no stack trace.
  for (const bad of [/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/, /Unable to fetch/, /\bError\b/, /^\s+at .*:\d+:\d+\)?$/m, /telemetry/i]) {
    assert.doesNotMatch(out, bad, `npm run dev printed ${bad}:\n${out}`);
  }
  assert.ok(!fs.existsSync(path.join(scratch, "mf", "cf.json")), "npm run dev fetched Request.cf from workers.cloudflare.com");

  // edge-seed against it, then every curl line it prints, run as printed.
  const port = new URL(base).port;
  const seed = await attempt("bash", ["scripts/edge-seed"], { cwd: root, env: { ...env, HQ_EDGE_PORT: port }, timeout: 300_000 });
  assert.equal(seed.code, 0, `edge-seed failed:\n${seed.stderr}\n${seed.stdout}`);
  const field = (label) => seed.stdout.match(new RegExp(`^${label}:\\s+(\\S+)$`, "m"))?.[1];
  const owner = field("Owner credential \\(lifecycle routes\\)");
  const id = field("Connection id");
  const key = field("Connection key \\(shown once\\)");
  assert.match(owner ?? "", /^hqvt_/, seed.stdout);
  assert.match(id ?? "", /^conn_[0-9a-f]+$/, seed.stdout);
  assert.match(key ?? "", /^hqxc_/, seed.stdout);
  // The console's printed URL is the page, and the owner credential opens what it shows.
  const consoleUrl = field("Console \\(paste the owner credential\\)");
  assert.equal(consoleUrl, `${base}/companies/demo/connections`, seed.stdout);
  const page = await fetch(consoleUrl);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type"), /^text\/html/);
  assert.match(await page.text(), /<script type="module" src="\/console\/console\.js">/);
  const curls = seed.stdout.split("\n").filter((l) => l.startsWith("curl "));
  assert.equal(curls.length, 3, seed.stdout);
  const sh = async (line) => (await run("sh", ["-c", line], { timeout: 60_000 })).stdout;

  const list = JSON.parse(await sh(curls[0]));
  assert.deepEqual(
    list.objects.map((o) => o.key),
    ["knowledge/welcome.md"],
  );
  assert.match(await sh(curls[1]), /^# Welcome\n/);
  const audit = JSON.parse(await sh(curls[2]));
  assert.deepEqual(
    audit.events.filter((e) => e.actor === id).map((e) => [e.actor, e.op, e.path, e.status]).sort(),
    [
      [id, "get", "knowledge/welcome.md", 200],
      [id, "list", "knowledge/", 200],
    ],
  );
  // The connection's own lifecycle is in its audit too: edge-seed created it.
  assert.deepEqual(
    audit.events.filter((e) => e.actor !== id).map((e) => [e.op, e.status, e.reason]),
    [["connection-create", 201, id]],
  );
  // The printed id is the key's connection, and its patterns hold: plan.md yes, secrets no.
  const conn = await fetch(`${base}/v1/companies/demo/connections/${id}`, { headers: { authorization: `Bearer ${owner}` } });
  assert.equal(conn.status, 200);
  assert.equal((await conn.json()).connection.id, id);
  const read = (p) => fetch(`${base}/v1/connections/files/object?path=${p}`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal((await read("projects/plan.md")).status, 200);
  assert.notEqual((await read("secrets/prod.env")).status, 200);
  // The agent identity's line, run as printed: its snippet signs the challenge and reads.
  const identity = field("Agent-identity connection id");
  assert.match(identity ?? "", /^conn_[0-9a-f]+$/, seed.stdout);
  const agentLine = seed.stdout.split("\n").find((l) => l.startsWith("HQ_AGENT_KEY="));
  assert.ok(agentLine, seed.stdout);
  assert.equal(await sh(agentLine), "knowledge/welcome.md\n# Welcome\nThis file is served from R2 through an External Connection.\n\n");
});

test("edge-seed without a running Worker says to start npm run dev and writes nothing", { timeout: 60_000 }, async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "hq-edge-seed-"));
  try {
    const env = { ...newcomerEnv(scratch), HQ_EDGE_PORT: String(await closedPort()) };
    const seed = await attempt("bash", ["scripts/edge-seed"], { cwd: root, env, timeout: 50_000 });
    assert.equal(seed.code, 1, seed.stderr);
    assert.match(seed.stderr, /no Worker answers at http:\/\/127\.0\.0\.1:\d+: start it with `npm run dev`/);
    assert.match(seed.stderr, /nothing was written/);
    assert.doesNotMatch(seed.stderr, /Compiling|wrangler/, "checked before building or writing anything");
    assert.equal(seed.stdout, "");
    assert.ok(!fs.existsSync(env.HQ_EDGE_STATE), "no state written");
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});

test("build-worker names each missing or wrong tool and scripts/setup, and builds nothing", { timeout: 60_000 }, async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "hq-build-worker-"));
  try {
    // A PATH with the shell tools the script uses and no Rust tools; a worker-build of another version.
    const bin = path.join(scratch, "bin");
    fs.mkdirSync(bin);
    for (const tool of ["dirname", "grep", "sed", "cut", "sha256sum"]) {
      const { stdout } = await run("sh", ["-c", `command -v ${tool}`]);
      fs.symlinkSync(stdout.trim(), path.join(bin, tool));
    }
    const env = { HOME: scratch, PATH: bin, WASM_OPT_BIN: path.join(scratch, "no-wasm-opt") };
    const bash = (await run("sh", ["-c", "command -v bash"])).stdout.trim();
    const stamp = path.join(root, "edge-worker/build/.built-from");
    const before = fs.existsSync(stamp) ? fs.readFileSync(stamp, "utf8") : null;

    let r = await attempt(bash, ["scripts/build-worker"], { cwd: root, env, timeout: 50_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cargo is missing: install Rust with rustup/);
    assert.match(r.stderr, /worker-build 0\.8\.7 is missing: run scripts\/setup/);
    assert.match(r.stderr, /wasm-bindgen 0\.2\.130 is missing: run scripts\/setup/);
    assert.match(r.stderr, /no-wasm-opt is missing: run npm ci/);
    assert.equal(r.stdout, "");

    fs.writeFileSync(path.join(bin, "worker-build"), "#!/bin/sh\necho 0.8.6\n", { mode: 0o755 });
    r = await attempt(bash, ["scripts/build-worker"], { cwd: root, env, timeout: 50_000 });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /worker-build is 0\.8\.6, the Worker needs 0\.8\.7 .*: run scripts\/setup/);

    const after = fs.existsSync(stamp) ? fs.readFileSync(stamp, "utf8") : null;
    assert.equal(after, before, "nothing was built");
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
});
