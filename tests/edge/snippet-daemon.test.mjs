// The agent snippet `hq-vault connection create` prints, run as a user would: the printed text
// saved unchanged as agent.mjs, then the command its first line names run in a shell, with the key
// in HQ_CONNECTION_KEY and nothing else set up (no NODE_EXTRA_CA_CERTS of our own).
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";
import { test } from "node:test";
import { root } from "./harness.mjs";

const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, "target");
const bin = process.env.HQ_VAULT_BIN || path.join(targetDir, "release/hq-vault");
const HEADER = "Agent snippet (JavaScript): save it as agent.mjs and run it as its first line says.\n\n";

/** The snippet and its run command, exactly as `connection create` printed them on stderr. */
function printedSnippet(stderr) {
  const at = stderr.indexOf(HEADER);
  assert.ok(at >= 0, `no snippet header in:\n${stderr}`);
  const snippet = stderr.slice(at + HEADER.length);
  const first = snippet.split("\n")[0];
  const m = first.match(/^\/\/ agent\.mjs \(JavaScript, Node 18 or later\)\. With the connection's key in HQ_CONNECTION_KEY, run: (.+)$/);
  assert.ok(m, `the first line names no command: ${first}`);
  return { snippet, command: m[1] };
}

/** Save the snippet unchanged as agent.mjs in a fresh folder and run `command` there with `sh`. */
function runAsPrinted({ snippet, command }, key) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hq-agent-"));
  try {
    fs.writeFileSync(path.join(dir, "agent.mjs"), snippet);
    const env = { ...process.env, HQ_CONNECTION_KEY: key, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` };
    delete env.NODE_EXTRA_CA_CERTS;
    return spawnSync("sh", ["-c", command], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("the printed snippet runs as printed: it says where files go while there is none, then reads one", async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "hq-snippet-"));
  const env = { ...process.env, HQ_VAULT_HOME: home };
  execFileSync(bin, ["init", "--passphrase-stdin", "--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"], {
    env,
    input: "snippet passphrase\n",
    stdio: ["pipe", "ignore", "ignore"],
  });
  const daemon = spawn(bin, ["serve", "--listen", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "ignore"] });
  try {
    const [line] = await once(daemon.stdout, "data");
    const base = `https://${String(line).split("https://")[1].split(/\s/)[0]}`;
    const cliEnv = { ...env, HQ_VAULT_URL: base };
    execFileSync(bin, ["unlock", "--passphrase-stdin"], { env: cliEnv, input: "snippet passphrase\n", stdio: ["pipe", "ignore", "ignore"] });
    const created = spawnSync(bin, ["connection", "create", "--name", "agent", "--pattern", "knowledge/"], { env: cliEnv, encoding: "utf8" });
    assert.equal(created.status, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^hqxc_/);

    // The files root is empty, and the command says where the files go.
    const folder = path.join(home, "files/knowledge/");
    assert.match(created.stderr, new RegExp(`No file it may read yet: put them in ${folder.replace(/[.]/g, "\\.")} \\(the daemon's files root is ${path.join(home, "files").replace(/[.]/g, "\\.")}\\)`));
    const printed = printedSnippet(created.stderr);
    assert.equal(printed.command, `NODE_EXTRA_CA_CERTS=${path.join(home, "tls/ca.pem")} node agent.mjs`);

    // Run as printed on the empty root: no crash, it says where files go.
    let run = runAsPrinted(printed, key);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), `No file under knowledge/ yet: add some to ${folder}`);

    // The person puts a file where they were told; the same snippet reads it.
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, "hello.md"), "hello from the daemon");
    run = runAsPrinted(printed, key);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "knowledge/hello.md\nhello from the daemon\n");

    // The CA on the run line is what makes it work: without it Node refuses the daemon's certificate.
    const bare = runAsPrinted({ ...printed, command: "node agent.mjs" }, key);
    assert.notEqual(bare.status, 0);
    assert.match(bare.stderr, /self[- ]signed|unable to verify|UNABLE_TO_VERIFY|SELF_SIGNED/i);
    // Without the key it says what to set, not a stack of undefined.
    const keyless = runAsPrinted(printed, "");
    assert.notEqual(keyless.status, 0);
    assert.match(keyless.stderr, /set HQ_CONNECTION_KEY to the connection's hqxc_ key/);
  } finally {
    daemon.kill();
    fs.rmSync(home, { recursive: true, force: true });
  }
});
