// The seed's five-line agent snippet, verbatim but for BASE and the key, against the local daemon:
// Node trusts the daemon's CA through NODE_EXTRA_CA_CERTS, as an agent on the machine would.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { test } from "node:test";
import { root } from "./harness.mjs";

const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, "target");
const bin = process.env.HQ_VAULT_BIN || path.join(targetDir, "release/hq-vault");

test("the five-line snippet lists and reads a file from the daemon", async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "hq-snippet-"));
  const env = { ...process.env, HQ_VAULT_HOME: home };
  execFileSync(bin, ["init", "--passphrase-stdin", "--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"], {
    env,
    input: "snippet passphrase\n",
    stdio: ["pipe", "ignore", "ignore"],
  });
  fs.mkdirSync(path.join(home, "files/knowledge"), { recursive: true });
  fs.writeFileSync(path.join(home, "files/knowledge/hello.md"), "hello from the daemon");
  const daemon = spawn(bin, ["serve", "--listen", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "ignore"] });
  try {
    const [line] = await once(daemon.stdout, "data");
    const base = `https://${String(line).split("https://")[1].split(/\s/)[0]}`;
    const cli = (args, input) =>
      execFileSync(bin, args, { env: { ...env, HQ_VAULT_URL: base }, input, encoding: "utf8", stdio: ["pipe", "pipe", "ignore"] });
    cli(["unlock", "--passphrase-stdin"], "snippet passphrase\n");
    const key = cli(["connection", "create", "--name", "agent", "--pattern", "knowledge/"]).trim();
    // The snippet as the seed gives it (TypeScript's `!` dropped so Node runs it as JavaScript).
    const snippet = [
      `const BASE = "${base}";`,
      "const KEY = process.env.HQ_CONNECTION_KEY; // hqxc_…",
      "const h = { Authorization: `Bearer ${KEY}` };",
      "const { objects } = await fetch(`${BASE}/v1/connections/files?path=knowledge/`, { headers: h }).then(r => r.json());",
      "const text = await fetch(`${BASE}/v1/connections/files/object?path=${encodeURIComponent(objects[0].key)}`, { headers: h }).then(r => r.text());",
      "console.log(JSON.stringify({ key: objects[0].key, text }));",
    ].join("\n");
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", snippet], {
      env: { ...process.env, HQ_CONNECTION_KEY: key, NODE_EXTRA_CA_CERTS: path.join(home, "tls/ca.pem") },
      encoding: "utf8",
    });
    assert.deepEqual(JSON.parse(out), { key: "knowledge/hello.md", text: "hello from the daemon" });
  } finally {
    daemon.kill();
    fs.rmSync(home, { recursive: true, force: true });
  }
});
