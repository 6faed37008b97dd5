// Runs inside a network namespace of its own (tests/sdk/seed.test.mjs starts it there), because
// the seed's Pattern 5 code names https://localhost:13100: there, this scenario's daemon is the
// only one on that port, whatever runs on the machine's own 13100.
//
// Everything is at its default, as for a person following the docs: HOME is a scratch home, so
// the vault lives in ~/.hq-vault; HQ_VAULT_URL and HQ_VAULT_HOME are unset. The seed's code
// (worker.js and orchestrator.ts beside this file, copied from the seed byte for byte) runs from
// the scratch project given as argv[2], where the packed package is installed; only token values
// are filled in. Prints what happened as one JSON object; the test judges it.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { bin, cleanEnv, root, startDaemon } from "../harness.mjs";

const here = import.meta.dirname;
const tsc = path.join(root, "node_modules/typescript/bin/tsc");

const project = process.argv[2];
const HOME = process.env.HOME;
const home = path.join(HOME, ".hq-vault");
const SECRETS = { "aws/deploy/access-key": "AKIASEEDPATTERN20001", "aws/deploy/secret-key": "wJalrXUtnSEED/K7MDENG/bPxRfiCY" };
// The environment of a person's shell: the hq-vault binary on PATH, nothing of ours set.
const env = cleanEnv({ HOME, PATH: `${path.dirname(bin)}:${process.env.PATH}` });

/** A shell line, as a person types it, in the scratch project. */
function sh(line, extra = {}) {
  const r = spawnSync("sh", ["-c", line], { cwd: project, env: { ...env, ...extra }, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const d = await startDaemon({ home, listen: "127.0.0.1:13100", env: { HOME } });
const facts = { base: d.base, secrets: Object.values(SECRETS) };
try {
  for (const [p, v] of Object.entries(SECRETS)) d.store(p, v);
  const owner = d.token();
  facts.ownerToken = owner;

  fs.copyFileSync(path.join(here, "worker.js"), path.join(project, "worker.js"));

  // Pattern 2: the seed's two shell lines and its worker, the token filled in. Five runs of two
  // reads use the ten uses; the sixth run finds the token spent.
  const created = sh("hq-vault token create --name deploy-run-42 --ttl 1h --max-uses 10");
  facts.pattern2 = { create: created, runs: [] };
  const token = created.stdout.trim();
  facts.pattern2.token = token;
  for (let i = 0; i < 6; i++) facts.pattern2.runs.push(sh(`HQ_VAULT_TOKEN=${token} node worker.js`));
  facts.pattern2.tokenList = d.cli(["token", "list"]);

  // Pattern 5: the seed's orchestrator, TypeScript as the seed gives it, with the owner's token
  // filled in and the `runAgent` it calls declared; checked and compiled by tsc against the
  // package's own types (imports kept as written: verbatimModuleSyntax). Its `fetch` trusts the
  // daemon's CA through NODE_EXTRA_CA_CERTS, as the README says; the sub-agent it spawns is
  // Pattern 2's worker, which needs no such variable.
  const source = [
    "// Filled in by the test: the orchestrator's token, and the runner that starts a sub-agent.",
    `const orchestratorToken = ${JSON.stringify(owner)};`,
    "declare function runAgent(task: string, env: { HQ_VAULT_TOKEN: string }): Promise<unknown>;",
    fs.readFileSync(path.join(here, "orchestrator.ts"), "utf8"),
    "export { spawnWorker };",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(project, "orchestrator.ts"), source);
  fs.writeFileSync(
    path.join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        lib: ["ES2022", "DOM"],
        types: [],
        verbatimModuleSyntax: true,
        noEmitOnError: true,
      },
      files: ["orchestrator.ts"],
    }),
  );
  facts.tsc = sh(`"${process.execPath}" "${tsc}" -p tsconfig.json`);
  const runner = `
import { spawn } from "node:child_process";
globalThis.runAgent = (task, vars) =>
  new Promise((resolve) => {
    const env = { ...process.env, ...vars };
    delete env.NODE_EXTRA_CA_CERTS;
    const child = spawn(process.execPath, ["worker.js"], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => resolve({ task, code, stderr }));
  });
const { spawnWorker } = await import("./orchestrator.js");
console.log(JSON.stringify(await spawnWorker("research", "summarize the deploy notes")));
`;
  fs.writeFileSync(path.join(project, "run-orchestrator.mjs"), runner);
  facts.pattern5 = {
    run: sh("node run-orchestrator.mjs", { NODE_EXTRA_CA_CERTS: path.join(home, "tls/ca.pem") }),
    withoutCa: sh("node run-orchestrator.mjs"),
  };
  facts.pattern5.tokenList = d.cli(["token", "list"]);
  facts.audit = d
    .cli(["audit", "--json"])
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  facts.auditText = fs.readFileSync(path.join(home, "audit.log"), "utf8");
} catch (e) {
  facts.error = String(e?.stack ?? e);
} finally {
  await d.stop();
}
process.stdout.write(JSON.stringify(facts));
