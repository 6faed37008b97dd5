// The real daemon for the SDK tests (a temp home, a real SQLite file, HTTPS on loopback), and the
// `hq-vault` package as an agent gets it: `npm pack`, then `npm install <tarball>` in a scratch
// project.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { pathToFileURL } from "node:url";

export const root = path.resolve(import.meta.dirname, "../..");
const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, "target");
export const bin = process.env.HQ_VAULT_BIN || path.join(targetDir, "release/hq-vault");
export const PASS = "sdk test passphrase";

/** An environment without any HQ Vault setting or extra CA of the caller's. */
export function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith("HQ_VAULT_") || k.startsWith("HQ_CONNECTION_") || k === "NODE_EXTRA_CA_CERTS") delete env[k];
  }
  return { ...env, ...extra };
}

/** `hq-vault init` with cheap KDF settings (the KDF is not what these tests are about). */
export function initHome(home, env = {}) {
  execFileSync(bin, ["init", "--passphrase-stdin", "--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"], {
    env: cleanEnv({ HQ_VAULT_HOME: home, ...env }),
    input: `${PASS}\n`,
    stdio: ["pipe", "ignore", "pipe"],
  });
  fs.mkdirSync(path.join(home, "files"), { recursive: true });
}

/**
 * Start `hq-vault serve` on `listen` for `home` (initialized first when it is new) and unlock it.
 * `env` is the environment of the daemon and of `cli` (e.g. HOME for a default home).
 */
export async function startDaemon({ home, listen = "127.0.0.1:0", env = {} }) {
  const homeEnv = env.HQ_VAULT_HOME === undefined && env.HOME ? {} : { HQ_VAULT_HOME: home };
  if (!fs.existsSync(path.join(home, "tls/ca.pem"))) initHome(home, { ...env, ...homeEnv });
  const log = fs.openSync(path.join(path.dirname(home), `daemon-${path.basename(home)}.stderr`), "a");
  const child = spawn(bin, ["serve", "--listen", listen, "--files-root", path.join(home, "files")], {
    env: cleanEnv({ ...env, ...homeEnv }),
    stdio: ["ignore", "pipe", log],
  });
  const lines = readline.createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const first = await Promise.race([
    once(lines, "line").then(([l]) => l),
    once(child, "exit").then(() => null),
  ]);
  clearTimeout(timer);
  fs.closeSync(log);
  if (!first || !first.includes("https://")) {
    const err = fs.readFileSync(path.join(path.dirname(home), `daemon-${path.basename(home)}.stderr`), "utf8");
    throw new Error(`hq-vault serve did not start: ${err}`);
  }
  const base = `https://${first.split("https://")[1].split(/\s/)[0]}`;
  const d = {
    home,
    base,
    ca: path.join(home, "tls/ca.pem"),
    /** The bootstrap (owner) token, rewritten at each start. */
    token: () => fs.readFileSync(path.join(home, "token"), "utf8").trim(),
    /** The CLI as the owner (or as `token`); returns {status, stdout, stderr} without throwing. */
    run(args, { input, token, extraEnv = {} } = {}) {
      const r = spawnSync(bin, args, {
        env: cleanEnv({ ...env, ...homeEnv, HQ_VAULT_URL: base, ...(token ? { HQ_VAULT_TOKEN: token } : {}), ...extraEnv }),
        input,
        encoding: "utf8",
        timeout: 120_000,
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    /** The CLI; throws with its stderr when it fails. */
    cli(args, options) {
      const r = d.run(args, options);
      if (r.status !== 0) throw new Error(`hq-vault ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
      return r.stdout;
    },
    /** Store a value (bytes stored exactly). */
    store(secretPath, value) {
      const r = spawnSync(bin, ["store", secretPath, "--raw"], {
        env: cleanEnv({ ...env, ...homeEnv, HQ_VAULT_URL: base }),
        input: value,
        timeout: 120_000,
      });
      if (r.status !== 0) throw new Error(`hq-vault store ${secretPath} exited ${r.status}: ${r.stderr}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
    },
  };
  d.cli(["unlock", "--passphrase-stdin"], { input: `${PASS}\n` });
  return d;
}

/**
 * `npm pack` the package in sdk/node into `dir`, and install the tarball into a new scratch
 * project (`"type": "module"`) there, offline: the package has no dependency to fetch.
 * Returns {tarball, files, project, entry}: `files` as npm packed them, `entry` the file that
 * `import "hq-vault"` resolves to in the project.
 */
export function packAndInstall(dir) {
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: path.join(root, "sdk/node"),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [info] = JSON.parse(out);
  const tarball = path.join(dir, info.filename);
  const project = path.join(dir, "project");
  fs.mkdirSync(project, { recursive: true });
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "agent", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], {
    cwd: project,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const entry = createRequire(path.join(project, "package.json")).resolve("hq-vault");
  return { tarball, files: info.files.map((f) => f.path).sort(), project, entry };
}

/** The installed package, loaded as the scratch project resolves it. */
export async function importInstalled(entry) {
  return import(pathToFileURL(entry).href);
}

/** A temp directory removed by `done()`. */
export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
