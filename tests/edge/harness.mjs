// Starts the built Worker in workerd through miniflare's Node API, with in-memory KV and R2 and the
// company's Durable Object on SQLite.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { Miniflare } from "miniflare";

export const root = path.resolve(import.meta.dirname, "../..");
const build = path.join(root, "edge-worker/build");
const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, "target");
const adminBin = process.env.HQ_EDGE_ADMIN || path.join(targetDir, "release/hq-edge-admin");

/**
 * Start the Worker. `log: true` collects what the Worker writes to its log (workerd's stdout and
 * stderr, where `console.log` goes) into the returned `log` array, one entry a line.
 */
export async function startWorker({ log = false, bindings = {} } = {}) {
  const lines = [];
  const collect = (stream) => {
    let rest = "";
    stream.on("data", (chunk) => {
      const parts = (rest + chunk.toString("utf8")).split("\n");
      rest = parts.pop();
      lines.push(...parts);
    });
  };
  const mf = new Miniflare({
    ...(log ? { handleRuntimeStdio: (stdout, stderr) => (collect(stdout), collect(stderr)) } : {}),
    modules: true,
    scriptPath: path.join(build, "worker/shim.mjs"),
    modulesRoot: build,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-04-01",
    kvNamespaces: ["CONNECTIONS"],
    r2Buckets: ["VAULT"],
    durableObjects: { COMPANY: { className: "Company", useSQLite: true } },
    bindings,
    host: "127.0.0.1",
    port: 0,
    cf: false,
  });
  const url = await mf.ready;
  const kv = await mf.getKVNamespace("CONNECTIONS");
  const r2 = await mf.getR2Bucket("VAULT");
  const base = url.origin;

  /** Mint an admin credential with the project's own tool and load its KV record. */
  async function admin(company, role, name) {
    const args = ["--company", company, "--role", role, "--json", ...(name === undefined ? [] : ["--name", name])];
    const out = execFileSync(adminBin, args, { encoding: "utf8" });
    const { token, kv_key, kv_value } = JSON.parse(out);
    await kv.put(kv_key, kv_value);
    return token;
  }

  async function req(method, p, { auth, headers = {}, body } = {}) {
    const h = { ...headers };
    if (auth !== undefined) h.authorization = auth;
    const init = { method, headers: h, redirect: "manual" };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      h["content-type"] = "application/json";
    }
    const r = await fetch(base + p, init);
    const bytes = Buffer.from(await r.arrayBuffer());
    let json = null;
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch {}
    return { status: r.status, headers: r.headers, bytes, text: bytes.toString("utf8"), json };
  }

  const companies = await mf.getDurableObjectNamespace("COMPANY");

  /** The stored events of a connection (`connection` an id) or of the company's own stream
   * (`connection` null), newest first, read from the company's object. */
  async function events(company, connection) {
    const stub = companies.get(companies.idFromName(company));
    const r = await stub.fetch("https://company.internal/events", { method: "POST", body: JSON.stringify({ connection }) });
    if (r.status !== 200) throw new Error(`the company object answered ${r.status}: ${await r.text()}`);
    return (await r.json()).events;
  }

  return { mf, kv, r2, base, admin, req, events, objects: companies, log: lines, dispose: () => mf.dispose() };
}
