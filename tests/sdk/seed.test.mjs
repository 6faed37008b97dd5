// The seed's agent code, unchanged but for token values, against a real daemon: Pattern 2 (a
// managed token from `hq-vault token create`, then `HQ_VAULT_TOKEN=<token> node worker.js` with
// `getSecret`) and Pattern 5 (an orchestrator that mints a token per sub-agent with `fetch` to
// https://localhost:13100/v1/tokens and spawns the worker with it). The `hq-vault` package comes
// from `npm pack` and `npm install <tarball>`. Pattern 5 names the daemon's default port, so the
// scenario runs in a network namespace of its own (`unshare --net`): a vault a person runs on
// this machine's 13100 is neither used nor in the way.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { before, after, test } from "node:test";
import { bin, cleanEnv, packAndInstall, tempDir } from "./harness.mjs";

const tmp = tempDir("hq-sdk-seed-");
let facts;

before(() => {
  const { project } = packAndInstall(tmp.dir);
  const HOME = path.join(tmp.dir, "user");
  fs.mkdirSync(HOME);
  const scenario = path.join(import.meta.dirname, "seed/scenario.mjs");
  // As root a network namespace needs no user namespace; anyone else maps themselves to root in one.
  const unshare = process.getuid() === 0 ? ["--net"] : ["--net", "--map-root-user"];
  const r = spawnSync(
    "unshare",
    [...unshare, "sh", "-c", 'ip link set dev lo up && exec "$@"', "sh", process.execPath, scenario, project],
    { env: cleanEnv({ HOME, HQ_VAULT_BIN: bin }), encoding: "utf8", timeout: 300_000, maxBuffer: 64 << 20 },
  );
  assert.equal(
    r.status,
    0,
    `the scenario did not run (unshare from util-linux and ip from iproute2 are needed): ${r.error ?? ""}${r.stderr}`,
  );
  facts = JSON.parse(r.stdout);
  assert.equal(facts.error, undefined, facts.error);
});

after(() => tmp.done());

/** Every value and credential of the scenario, none of which may show in an output or the log. */
function assertNoValue(text, what) {
  for (const v of [...facts.secrets, facts.ownerToken, facts.pattern2.token]) {
    assert.ok(!text.includes(v), `${what} shows a secret value or a token:\n${text}`);
  }
}

const audited = (actor, op) => facts.audit.filter((l) => l.actor === actor && l.op === op);

test("the daemon of the scenario listens where the seed's code looks: https://127.0.0.1:13100", () => {
  assert.equal(facts.base, "https://127.0.0.1:13100");
});

test("Pattern 2: the managed token serves ten reads to `node worker.js`, then expires", () => {
  const { create, runs, token, tokenList } = facts.pattern2;
  assert.equal(create.status, 0, create.stderr);
  assert.match(token, /^hqvt_[A-Za-z0-9]+$/);
  assert.match(create.stderr, /Token `deploy-run-42` created/);
  runs.slice(0, 5).forEach((r, i) => {
    assert.equal(r.status, 0, `run ${i + 1}: ${r.stderr}`);
    assert.equal(r.stderr, "");
  });
  const spent = runs[5];
  assert.notEqual(spent.status, 0, "the eleventh read must be refused");
  assert.match(spent.stderr, /UnauthorizedError: aws\/deploy\/access-key: the token has no uses left/);
  for (const r of runs) assertNoValue(r.stdout + r.stderr, "a worker run");
  assert.match(tokenList, /^deploy-run-42\texhausted\texpires [^\t]+\tuses 10\/10\tscope all secrets$/m);
  const reads = audited("deploy-run-42", "get");
  assert.deepEqual(
    reads.filter((l) => l.status === 200).map((l) => l.path),
    Array(5).fill(["aws/deploy/access-key", "aws/deploy/secret-key"]).flat(),
  );
  // The refused eleventh read is audited too, under the token's name.
  assert.equal(reads.length, 11);
  assert.deepEqual(
    facts.audit.filter((l) => l.op === "get" && l.status === 401).map((l) => [l.actor, l.reason]),
    [["deploy-run-42", "token_exhausted"]],
  );
});

test("Pattern 5: tsc checks the seed's TypeScript against the package's types", () => {
  assert.equal(facts.tsc.status, 0, `tsc:\n${facts.tsc.stdout}${facts.tsc.stderr}`);
});

test("Pattern 5: the orchestrator's fetch mints a 1-hour, 20-use token and the spawned worker reads with it", () => {
  const { run, tokenList } = facts.pattern5;
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { task: "summarize the deploy notes", code: 0, stderr: "" });
  const line = tokenList.split("\n").find((l) => l.startsWith("worker-research-"));
  assert.ok(line, tokenList);
  assert.match(line, /^worker-research-\d{13}\tactive\texpires [^\t]+\tuses 2\/20\tscope all secrets$/);
  const name = line.split("\t")[0];
  const minted = audited("bootstrap", "token-create").filter((l) => l.reason === `name=${name}`);
  assert.equal(minted.length, 1);
  assert.equal(minted[0].status, 201);
  assert.deepEqual(
    audited(name, "get").map((l) => [l.path, l.status]),
    [
      ["aws/deploy/access-key", 200],
      ["aws/deploy/secret-key", 200],
    ],
  );
  assertNoValue(run.stdout + run.stderr, "the orchestrator");
});

test("Pattern 5's plain fetch needs NODE_EXTRA_CA_CERTS (as the README says); getSecret does not", () => {
  const { withoutCa } = facts.pattern5;
  assert.notEqual(withoutCa.status, 0);
  assert.match(withoutCa.stderr, /fetch failed/);
  assert.match(withoutCa.stderr, /certificate/);
});

test("no secret value or token reaches the audit log", () => {
  assertNoValue(facts.auditText, "audit.log");
});
