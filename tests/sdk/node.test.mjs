// The `hq-vault` npm package against a real daemon: packed with `npm pack`, installed from the
// tarball into a scratch project, and used as an agent uses it. No NODE_EXTRA_CA_CERTS anywhere:
// the package trusts the daemon's CA itself.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import util from "node:util";
import zlib from "node:zlib";
import { after, before, describe, test } from "node:test";
import { PASS, bin, cleanEnv, importInstalled, initHome, packAndInstall, startDaemon, tempDir } from "./harness.mjs";

const tmp = tempDir("hq-sdk-node-");
let d; // the daemon
let pkg; // {tarball, files, project, entry}
let sdk; // the installed module
let ca; // the daemon's CA, PEM
let owner; // a Vault with the bootstrap token

// What the daemon holds (shared with test_python.py); no value may appear in an error, its
// inspection or a logged result.
const FIXTURES = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "fixtures.json"), "utf8"));
const SECRETS = FIXTURES.secrets;
const BINARY = Buffer.from(FIXTURES.binary_hex, "hex");

/** Assert that an error (and everything Node prints of it) names no secret value and no token. */
function assertClean(e, tokens = []) {
  const shown = [String(e), e.message, util.inspect(e), JSON.stringify(e)].join("\n");
  for (const v of [...Object.values(SECRETS), ...tokens]) {
    assert.ok(!shown.includes(v), `an error shows a secret or a token: ${shown}`);
  }
  assert.ok(!shown.includes("hqvt_") && !shown.includes("hqxc_"), `an error shows a credential: ${shown}`);
}

/** The rejection of `p`, checked to be an instance of `Cls` with `code`. */
async function rejection(p, Cls, code) {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Cls, `expected ${Cls.name}, got ${util.inspect(e)}`);
    assert.ok(e instanceof sdk.VaultError);
    assert.equal(e.name, e.constructor.name);
    if (code !== undefined) assert.equal(e.code, code, util.inspect(e));
    return e;
  }
  assert.fail(`expected ${Cls.name}, but it resolved`);
}

/** A well-formed `hqvs_` session token no server issued: 32 random bytes and their CRC-32,
 * base62 (the core's token format, tests/vectors/tokens.json). */
function unknownSession() {
  const raw = Buffer.concat([crypto.randomBytes(32), Buffer.alloc(4)]);
  raw.writeUInt32BE(zlib.crc32(raw.subarray(0, 32)), 32);
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let n = BigInt(`0x${raw.toString("hex")}`);
  let body = "";
  for (let i = 0; i < 49; i++) {
    body = alphabet[Number(n % 62n)] + body;
    n /= 62n;
  }
  return `hqvs_${body}`;
}

/** Run an agent script (ESM, `import … from "hq-vault"`) in the scratch project. */
function agent(script, env) {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: pkg.project,
    env: cleanEnv(env),
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  d = await startDaemon({ home: path.join(tmp.dir, "home") });
  pkg = packAndInstall(tmp.dir);
  sdk = await importInstalled(pkg.entry);
  ca = fs.readFileSync(d.ca, "utf8");
  for (const [p, v] of Object.entries(SECRETS)) d.store(p, v);
  d.store("blob/data", BINARY);
  owner = new sdk.Vault({ url: d.base, token: d.token(), ca });
});

after(async () => {
  await d?.stop();
  tmp.done();
});

describe("the package", () => {
  test("npm pack makes a tarball that installs offline, with no dependency and its types", () => {
    assert.deepEqual(pkg.files, ["README.md", "index.d.ts", "index.js", "package.json"]);
    const installed = JSON.parse(fs.readFileSync(path.join(path.dirname(pkg.entry), "package.json"), "utf8"));
    assert.equal(installed.name, "hq-vault");
    assert.equal(installed.type, "module");
    assert.deepEqual(installed.dependencies ?? {}, {});
    assert.equal(installed.exports["."].types, "./index.d.ts");
    assert.equal(path.basename(pkg.entry), "index.js");
    assert.equal(fs.readdirSync(path.join(pkg.project, "node_modules")).filter((n) => !n.startsWith(".")).join(), "hq-vault");
  });

  test("index.d.ts declares exactly what index.js exports", () => {
    const dts = fs.readFileSync(path.join(path.dirname(pkg.entry), "index.d.ts"), "utf8");
    const declared = [...dts.matchAll(/^export declare (?:class|function|const) (\w+)/gm)].map((m) => m[1]);
    assert.deepEqual([...new Set(declared)].sort(), Object.keys(sdk).sort());
  });
});

describe("settings, found as the CLI finds them", () => {
  test("getSecret with only HQ_VAULT_HOME: the home's CA and bootstrap token, no NODE_EXTRA_CA_CERTS", () => {
    const r = agent(
      'import { getSecret } from "hq-vault"; console.log(JSON.stringify(await getSecret("myapp/database-url")));',
      { HQ_VAULT_HOME: d.home, HQ_VAULT_URL: d.base },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout), SECRETS["myapp/database-url"]);
  });

  test("HOME alone: the default home ~/.hq-vault", () => {
    const fakeHome = path.join(tmp.dir, "user");
    fs.mkdirSync(fakeHome, { recursive: true });
    fs.symlinkSync(d.home, path.join(fakeHome, ".hq-vault"));
    const r = agent('import { getSecret } from "hq-vault"; console.log(await getSecret("myapp/api-key"));', {
      HOME: fakeHome,
      HQ_VAULT_URL: d.base,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), SECRETS["myapp/api-key"]);
  });

  test("a set but empty HQ_VAULT_TOKEN (a failed mint) is refused, never replaced by the owner's token file", async () => {
    for (const blank of ["", "  ", "\n"]) {
      const env = { HQ_VAULT_HOME: d.home, HQ_VAULT_URL: d.base, HQ_VAULT_TOKEN: blank };
      const r = agent('import { getSecret } from "hq-vault"; console.log(await getSecret("aws/deploy/access-key"));', env);
      assert.notEqual(r.status, 0, JSON.stringify(blank));
      assert.match(r.stderr, /UnauthorizedError: HQ_VAULT_TOKEN is set but empty: .*not used in its place/);
      assert.ok(!r.stdout.includes(SECRETS["aws/deploy/access-key"]));
      const e = await sdk.Vault.fromEnv(env).getSecret("aws/deploy/access-key").catch((x) => x);
      assert.ok(e instanceof sdk.UnauthorizedError);
      assert.equal(e.code, "empty_token");
    }
  });

  test("HQ_VAULT_TOKEN wins over the token file, and HQ_VAULT_CA_CERT over the home's CA", async () => {
    const worker = await owner.createToken({ name: "settings-worker", prefix: "myapp" });
    const env = { HQ_VAULT_HOME: d.home, HQ_VAULT_URL: d.base, HQ_VAULT_TOKEN: worker.token };
    const ok = agent('import { getSecret } from "hq-vault"; console.log(await getSecret("myapp/api-key"));', env);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), SECRETS["myapp/api-key"]);
    // The managed token is scoped to myapp/: the same read of aws/ is refused, so the file's
    // (owner) token was not used.
    const scoped = agent('import { getSecret } from "hq-vault"; await getSecret("aws/deploy/access-key");', env);
    assert.notEqual(scoped.status, 0);
    assert.match(scoped.stderr, /ForbiddenError: aws\/deploy\/access-key: the path is outside this token's prefix scope: ask the vault owner/);
    assert.ok(!scoped.stderr.includes(worker.token));
    const wrongCa = agent('import { getSecret } from "hq-vault"; await getSecret("myapp/api-key");', {
      ...env,
      HQ_VAULT_CA_CERT: path.join(tmp.dir, "no-such-ca.pem"),
    });
    assert.notEqual(wrongCa.status, 0);
    assert.match(wrongCa.stderr, /no-such-ca\.pem.*check HQ_VAULT_CA_CERT/);
  });

  test("no vault home: NotRunningError that says to start the daemon, from a rejected promise", () => {
    const none = path.join(tmp.dir, "none");
    assert.throws(
      () => sdk.Vault.fromEnv({ HQ_VAULT_HOME: none }),
      (e) => e instanceof sdk.NotRunningError && /no vault at .*none: start it with `hq-vault serve`/.test(e.message),
    );
    const r = agent(
      'import { getSecret, NotRunningError } from "hq-vault"; const p = getSecret("a/b"); console.log(p instanceof Promise); await p.catch((e) => console.log(e instanceof NotRunningError));',
      { HQ_VAULT_HOME: none },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "true\ntrue\n");
  });

  test("an address that is no server's origin says what is wrong and what it should look like", async () => {
    for (const [url, words] of [
      ["127.0.0.1:13100", /has no https:\/\/ in front: it should look like https:\/\/127\.0\.0\.1:13100/],
      ["localhost:13100", /has no https:\/\/ in front/],
      ["https://127.0.0.1:13100/v1", /ends in \/v1: give the server's origin only \(https:\/\/127\.0\.0\.1:13100\)/],
      ["not a url", /is not the address of a server/],
      ["http://127.0.0.1:13100", /uses http:\/\/, but the daemon speaks only HTTPS: use https:\/\/127\.0\.0\.1:13100/],
      ["https://127.0.0.1:13100/?x=1", /has a query or fragment after the host and port: give only https:\/\/127\.0\.0\.1:13100/],
      ["https://127.0.0.1:13100#top", /has a query or fragment/],
      ["https://127.0.0.1:13100?", /has a query or fragment/],
      ["https://me:pw@127.0.0.1:13100", /holds a user name or password/],
      ["http://me:S3CRETPW@127.0.0.1:13100", /holds a user name or password: give only http:\/\/127\.0\.0\.1:13100/],
      ["me:S3CRETPW@127.0.0.1:13100", /is not the address of a server|has no https/],
      ["https://me:S3CRETPW@127.0.0.1:abc", /is not the address of a server/],
      ["https://127.0.0.1:13100?token=hqvt_S3CRETPW", /has a query or fragment/],
      ["https://127.0.0.1:13100/api", /has `\/api` after the host and port: give only https:\/\/127\.0\.0\.1:13100/],
    ]) {
      assert.throws(() => new sdk.Vault({ url, token: "t" }), (e) => e instanceof sdk.VaultError && e.code === "bad_url" && words.test(e.message));
      // A refused address is named without the credentials or query it holds.
      assert.throws(() => new sdk.Vault({ url, token: "t" }), (e) => !e.message.includes("S3CRETPW"));
    }
    // A token given where the address or the CA belongs is never repeated.
    const tok = "hqvt_S3CRETPWabcdefghijklmnopqrstuvwxyz012345";
    for (const url of [tok, `https://127.0.0.1:13100/${tok}`, `https://127.0.0.1:${tok}`, `https://${tok}`]) {
      const e = await (async () => new sdk.Vault({ url, token: "t" }).getSecret("a/b"))().catch((x) => x);
      assert.ok(e instanceof sdk.VaultError && !e.message.includes("S3CRETPW") && !e.message.toLowerCase().includes("s3cretpw"), `${url}: ${e.message}`);
    }
    assert.throws(() => new sdk.Vault({ url: d.base, token: "t", ca: tok }), (e) => e instanceof sdk.VaultError && !e.message.includes("S3CRETPW"));
    // `ca` may be the CA file's path (what HQ_VAULT_CA_CERT holds) as well as its PEM text.
    assert.equal(await new sdk.Vault({ url: d.base, token: d.token(), ca: d.ca }).getSecret("myapp/api-key"), SECRETS["myapp/api-key"]);
    // Spaces around an address are dropped, as the CLI drops them.
    assert.equal(new sdk.Vault({ url: " https://127.0.0.1:13100 ", token: "t" }).url, "https://127.0.0.1:13100");
    // A token or key read with its newline, or holding one, is refused without being repeated.
    for (const bad of ["hqvt_S3CRETPW\n", "hqvt_AB\nCD", "hqvt_AB CD"]) {
      assert.throws(() => new sdk.Vault({ token: bad }), (e) => e instanceof sdk.UnauthorizedError && e.code === "malformed_credentials" && !e.message.includes("S3CRETPW") && !e.message.includes("AB"));
      assert.throws(() => new sdk.Connection({ url: "https://127.0.0.1:13100", key: bad }), (e) => e instanceof sdk.UnauthorizedError && !e.message.includes("S3CRETPW"));
    }
    // A local Worker speaks HTTP: a Connection takes http://, a Vault does not.
    assert.equal(new sdk.Connection({ url: "http://127.0.0.1:8787", key: "k" }).url, "http://127.0.0.1:8787");
    assert.throws(() => new sdk.Connection({ url: "http://127.0.0.1:8787?x=1", key: "k" }), /has a query or fragment/);
  });

  test("without HQ_VAULT_URL the home's daemon is found where serve.lock says it listens", async () => {
    assert.ok(!d.base.endsWith(":13100"), d.base);
    const vault = sdk.Vault.fromEnv({ HQ_VAULT_HOME: d.home, HQ_VAULT_TOKEN: d.token() });
    assert.equal(vault.url, d.base);
    assert.equal(await vault.getSecret("myapp/api-key"), SECRETS["myapp/api-key"]);
  });

  test("HQ_VAULT_URL with no local home: the system's roots are trusted, not a 'no vault' error", async () => {
    const none = path.join(tmp.dir, "none");
    const vault = sdk.Vault.fromEnv({ HQ_VAULT_HOME: none, HQ_VAULT_URL: d.base, HQ_VAULT_TOKEN: "hqvs_x" });
    // The local daemon's CA is not among the system's roots: the handshake fails, and says how to trust it.
    const e = await rejection(vault.getSecret("myapp/api-key"), sdk.VaultError, "untrusted_certificate");
    assert.match(e.message, /set HQ_VAULT_CA_CERT to the server's CA certificate/);
    assert.doesNotMatch(e.message, /no vault at/);
  });

  test("a CA that did not sign the daemon's certificate: the error says which setting to fix", async () => {
    const e = await rejection(
      new sdk.Vault({ url: d.base, token: d.token() }).getSecret("myapp/api-key"),
      sdk.VaultError,
      "untrusted_certificate",
    );
    assert.match(e.message, /tls\/ca\.pem/);
    const other = path.join(tmp.dir, "other-home");
    initHome(other);
    const env = { HQ_VAULT_HOME: d.home, HQ_VAULT_URL: d.base, HQ_VAULT_CA_CERT: path.join(other, "tls/ca.pem") };
    const wrong = await rejection(sdk.Vault.fromEnv(env).getSecret("myapp/api-key"), sdk.VaultError, "untrusted_certificate");
    assert.match(wrong.message, /set HQ_VAULT_CA_CERT/);
    assertClean(wrong, [d.token()]);
  });
});

describe("values", () => {
  test("text, Unicode and multi-line values come back exactly", async () => {
    for (const p of ["myapp/database-url", "myapp/unicode", "myapp/pem"]) {
      assert.equal(await owner.getSecret(p), SECRETS[p]);
      assert.deepEqual(Buffer.from(await owner.getSecretBytes(p)), Buffer.from(SECRETS[p], "utf8"));
    }
  });

  test("a binary value: getSecretBytes gives its bytes, getSecret refuses without showing it", async () => {
    assert.deepEqual(Buffer.from(await owner.getSecretBytes("blob/data")), BINARY);
    const e = await rejection(owner.getSecret("blob/data"), sdk.VaultError, "binary");
    assert.match(e.message, /blob\/data is binary \(6 bytes\).*getSecretBytes/);
  });

  test("list shows the folder's metadata, never a value", async () => {
    for (const prefix of ["myapp", "myapp/"]) {
      const l = await owner.list(prefix);
      assert.equal(l.prefix, "myapp/");
      assert.deepEqual(
        l.secrets.map((s) => s.path).sort(),
        Object.keys(SECRETS).filter((p) => p.startsWith("myapp/")).sort(),
      );
      const shown = JSON.stringify(l);
      for (const v of Object.values(SECRETS)) assert.ok(!shown.includes(v));
    }
  });
});

describe("typed errors", () => {
  test("NotFoundError names the path and the command that lists paths", async () => {
    const e = await rejection(owner.getSecret("myapp/missing"), sdk.NotFoundError, "not_found");
    assert.equal(e.status, 404);
    assert.match(e.message, /^myapp\/missing: no secret at this path/);
    assert.match(e.requestId, /^req_/);
    assertClean(e, [d.token()]);
  });

  test("UnauthorizedError: a wrong token, no token, an exhausted and a revoked token", async () => {
    const wrong = await rejection(
      new sdk.Vault({ url: d.base, token: "hqvt_wrong", ca }).getSecret("myapp/api-key"),
      sdk.UnauthorizedError,
    );
    assert.equal(wrong.status, 401);
    assert.match(wrong.message, /HQ_VAULT_TOKEN/);
    assertClean(wrong, ["hqvt_wrong"]);
    const none = await rejection(new sdk.Vault({ url: d.base, ca }).getSecret("myapp/api-key"), sdk.UnauthorizedError, "no_token");
    assert.match(none.message, /set HQ_VAULT_TOKEN/);
    const once = await owner.createToken({ name: "once", max_uses: 1 });
    const v = new sdk.Vault({ url: d.base, token: once.token, ca });
    assert.equal(await v.getSecret("myapp/api-key"), SECRETS["myapp/api-key"]);
    const spent = await rejection(v.getSecret("myapp/api-key"), sdk.UnauthorizedError, "token_exhausted");
    assert.match(spent.message, /no uses left/);
    assertClean(spent, [once.token]);
    const gone = await owner.createToken({ name: "gone" });
    d.cli(["token", "revoke", "gone"]);
    const revoked = await rejection(
      new sdk.Vault({ url: d.base, token: gone.token, ca }).getSecret("myapp/api-key"),
      sdk.UnauthorizedError,
      "token_revoked",
    );
    assertClean(revoked, [gone.token]);
  });

  test("ForbiddenError: out of the token's scope, and owner-only operations", async () => {
    const scoped = await owner.createToken({ name: "scoped", prefix: ["aws"] });
    const v = new sdk.Vault({ url: d.base, token: scoped.token, ca });
    assert.equal(await v.getSecret("aws/deploy/access-key"), SECRETS["aws/deploy/access-key"]);
    const out = await rejection(v.getSecret("myapp/api-key"), sdk.ForbiddenError, "out_of_scope");
    assert.equal(out.status, 403);
    assertClean(out, [scoped.token]);
    const mint = await rejection(v.createToken({ name: "escalate" }), sdk.ForbiddenError, "owner_only");
    assertClean(mint, [scoped.token]);
  });

  test("LockedError says to unlock; reads work again after `hq-vault unlock`", async () => {
    d.cli(["lock"]);
    try {
      const e = await rejection(owner.getSecret("myapp/api-key"), sdk.LockedError, "locked");
      assert.equal(e.status, 423);
      assert.match(e.message, /run `hq-vault unlock`/);
      await rejection(owner.getEnv("myapp"), sdk.LockedError);
    } finally {
      d.cli(["unlock", "--passphrase-stdin"], { input: `${PASS}\n` });
    }
    assert.equal(await owner.getSecret("myapp/api-key"), SECRETS["myapp/api-key"]);
  });

  test("NotRunningError when nothing listens at the URL", async () => {
    const server = net.createServer();
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address();
    await new Promise((r) => server.close(r));
    const e = await rejection(
      new sdk.Vault({ url: `https://127.0.0.1:${port}`, token: d.token(), ca }).getSecret("myapp/api-key"),
      sdk.NotRunningError,
      "not_running",
    );
    assert.match(e.message, /start it with `hq-vault serve`/);
    assertClean(e, [d.token()]);
  });

  test("a GET on a kept-alive connection the server closed unanswered is sent again; a POST is not", async () => {
    // An HTTPS server (with the daemon's own certificate) standing in for a daemon that closes an
    // idle connection just as the next request arrives: the second request on each connection is
    // dropped unanswered.
    const seen = [];
    const tls = { key: fs.readFileSync(path.join(d.home, "tls", "server.key")), cert: fs.readFileSync(path.join(d.home, "tls", "server.pem")) };
    const server = https.createServer(tls, (req, res) => {
      const nth = (req.socket.requests = (req.socket.requests ?? 0) + 1);
      seen.push([req.method, nth]);
      if (nth === 2) return req.socket.destroy();
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(req.method === "GET" ? { path: "a/b", value: "v" } : { name: "n", token: "t" }));
    });
    server.keepAliveTimeout = 60_000;
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    try {
      const v = new sdk.Vault({ url: `https://127.0.0.1:${server.address().port}`, token: "t", ca });
      assert.equal(await v.getSecret("a/b"), "v");
      assert.equal(await v.getSecret("a/b"), "v");
      assert.deepEqual(seen, [["GET", 1], ["GET", 2], ["GET", 1]]);
      seen.length = 0;
      await rejection(v.createToken({ name: "n" }), sdk.VaultError, "transport");
      assert.deepEqual(seen, [["POST", 2]]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test("a path is never re-resolved by the client: `../tokens` is the daemon's 400, not another route", async () => {
    for (const p of ["../tokens", "a/../../v1/tokens", "./x"]) {
      const e = await rejection(owner.getSecret(p), sdk.VaultError, "bad_path");
      assert.equal(e.status, 400, `${p}: ${e.message}`);
    }
    // Percent signs are sent as themselves: this is the literal name `%2E%2E/tokens`.
    await rejection(owner.getSecret("%2E%2E/tokens"), sdk.NotFoundError, "not_found");
  });
});

describe("getEnv", () => {
  /** `hq-vault env-file PREFIX --format json` as the owner, or its failure. */
  function envFile(prefix) {
    const r = d.run(["env-file", prefix, "--format", "json"]);
    return r.status === 0 ? { ok: JSON.parse(r.stdout) } : { err: r.stderr };
  }

  test("the names and values `hq-vault env-file` gives, on the same secrets; myapp ≡ myapp/", async () => {
    const cli = envFile("myapp/");
    assert.ok(cli.ok, cli.err);
    for (const prefix of ["myapp", "myapp/"]) {
      const env = await owner.getEnv(prefix);
      assert.deepEqual(env, cli.ok);
      assert.deepEqual(Object.keys(env), Object.keys(env).sort());
    }
    // What those names are, so that a rule changed in both places is still noticed.
    assert.deepEqual(Object.keys(cli.ok).sort(), FIXTURES.env_names_of_myapp);
    assert.ok(!Object.values(cli.ok).includes(SECRETS["myappx/sibling"]));
  });

  test("through the package's top-level getEnv with a managed token scoped to the folder", () => {
    const token = d.cli(["token", "create", "--name", "env-worker", "--prefix", "myapp"]).trim();
    const r = agent('import { getEnv } from "hq-vault"; console.log(JSON.stringify(await getEnv("myapp")));', {
      HQ_VAULT_HOME: d.home,
      HQ_VAULT_URL: d.base,
      HQ_VAULT_TOKEN: token,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), envFile("myapp").ok);
  });

  test("refused where env-file refuses: an empty folder, two paths for one name, NUL, binary", async () => {
    d.store("clash/a-b", "one");
    d.store("clash/a_b", "two");
    d.store("nul/x", Buffer.from("a\0b"));
    d.store("bin/x", BINARY.filter((b) => b !== 0));
    for (const [prefix, Cls, pattern] of [
      ["empty", sdk.NotFoundError, /no secrets under `empty\/`/],
      ["clash", sdk.VaultError, /two secrets under clash\/ map to the variable A_B/],
      ["nul", sdk.VaultError, /nul\/x holds a NUL byte/],
      ["bin", sdk.VaultError, /X is binary/],
    ]) {
      const e = await rejection(owner.getEnv(prefix), Cls);
      assert.match(e.message, pattern);
      assert.ok(envFile(prefix).err !== undefined, `env-file ${prefix} should fail too`);
      assertClean(e);
    }
  });

  test("envName mirrors the CLI's rule", () => {
    assert.equal(sdk.envName("myapp/", "myapp/database-url"), "DATABASE_URL");
    assert.equal(sdk.envName("", "1key"), "_1KEY");
    assert.equal(sdk.envName("a/", "a/"), "_");
    assert.equal(sdk.envName("x/", "y/z"), "Y_Z");
  });
});

describe("createToken", () => {
  test("mints a scoped token whose value no log of the result shows", async () => {
    const before = Date.now();
    const t = await owner.createToken({ name: "deploy-run-7", ttl: "1h", max_uses: 2, prefix: "aws" });
    assert.equal(t.name, "deploy-run-7");
    assert.equal(t.max_uses, 2);
    assert.deepEqual(t.scope, ["aws/*"]);
    assert.ok(t.expires_at_ms >= before + 3_600_000 - 5_000 && t.expires_at_ms <= Date.now() + 3_600_000 + 5_000);
    assert.match(t.token, /^hqvt_[A-Za-z0-9]+$/);
    assert.ok(!JSON.stringify(t).includes(t.token) && !util.inspect(t).includes(t.token));
    assert.ok(!util.inspect(t, { showHidden: true, getters: false }).includes(t.token) && !util.format("%o", t).includes(t.token));
    const { token } = t;
    const v = new sdk.Vault({ url: d.base, token, ca });
    assert.equal(await v.getSecret("aws/deploy/access-key"), SECRETS["aws/deploy/access-key"]);
    assert.equal(await v.getSecret("aws/deploy/access-key"), SECRETS["aws/deploy/access-key"]);
    await rejection(v.getSecret("aws/deploy/access-key"), sdk.UnauthorizedError, "token_exhausted");
    const listed = d.cli(["token", "list"]).split("\n").find((l) => l.startsWith("deploy-run-7\t"));
    assert.match(listed, /\tuses 2\/2\t/);
  });

  test("a name the daemon refuses, and a taken name, are VaultErrors with the daemon's reason", async () => {
    const bad = await rejection(owner.createToken({ name: "Bad Name" }), sdk.VaultError, "bad_name");
    assert.equal(bad.status, 400);
    await owner.createToken({ name: "taken" });
    const taken = await rejection(owner.createToken({ name: "taken" }), sdk.VaultError, "name_taken");
    assert.equal(taken.status, 409);
  });

  test("the top-level createToken uses the owner's token from the home", () => {
    const r = agent(
      'import { createToken, Vault } from "hq-vault"; const t = await createToken({ name: "top-level", max_uses: 1, prefix: ["myapp/"] }); console.log(JSON.stringify({ t, hasToken: t.token.startsWith("hqvt_") }));',
      { HQ_VAULT_HOME: d.home, HQ_VAULT_URL: d.base },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.t, { name: "top-level", expires_at_ms: null, max_uses: 1, scope: ["myapp/*"] });
    assert.equal(out.hasToken, true);
  });
});

describe("Connection", () => {
  const files = FIXTURES.files;
  let key;

  before(() => {
    for (const [k, v] of Object.entries(files)) {
      fs.mkdirSync(path.join(d.home, "files", path.dirname(k)), { recursive: true });
      fs.writeFileSync(path.join(d.home, "files", k), v);
    }
    fs.writeFileSync(path.join(d.home, "files/knowledge/blob.bin"), BINARY);
    fs.mkdirSync(path.join(d.home, "files/private"), { recursive: true });
    fs.writeFileSync(path.join(d.home, "files/private/x.md"), "private");
    key = d.cli(["connection", "create", "--name", "sdk-reader", "--pattern", "knowledge/"]).trim();
    assert.match(key, /^hqxc_/);
  });

  test("list follows every page; every key listed is read back, as bytes and as text", async () => {
    const c = new sdk.Connection({ url: d.base, key, ca, pageSize: 2 });
    const listed = await c.list("knowledge/");
    assert.deepEqual(listed.map((o) => o.key).sort(), [...Object.keys(files), "knowledge/blob.bin"].sort());
    for (const o of listed) {
      assert.equal(typeof o.etag, "string");
      assert.equal(typeof o.size, "number");
    }
    for (const [k, v] of Object.entries(files)) {
      assert.deepEqual(Buffer.from(await c.get(k)), Buffer.from(v));
      assert.equal(await c.get(k, "utf8"), v);
    }
    assert.deepEqual(Buffer.from(await c.get("knowledge/blob.bin")), BINARY);
    const e = await rejection(c.get("knowledge/blob.bin", "utf8"), sdk.VaultError, "binary");
    assert.match(e.message, /call get\(key\) for its bytes/);
  });

  test("refusals are typed: outside the patterns, missing, a wrong key", async () => {
    const c = new sdk.Connection({ url: d.base, key, ca });
    const out = await rejection(c.get("private/x.md"), sdk.ForbiddenError);
    assert.match(out.message, /outside the connection's patterns/);
    await rejection(c.list("private/"), sdk.ForbiddenError);
    await rejection(c.get("knowledge/missing.md"), sdk.NotFoundError, "not_found");
    const bad = await rejection(new sdk.Connection({ url: d.base, key: "hqxc_bad", ca }).list("knowledge/"), sdk.UnauthorizedError);
    assert.match(bad.message, /HQ_CONNECTION_KEY/);
    assertClean(bad, [key, "hqxc_bad"]);
  });

  test("Connection.fromEnv reads HQ_CONNECTION_URL, HQ_CONNECTION_KEY and HQ_CONNECTION_CA_CERT", async () => {
    const c = sdk.Connection.fromEnv({ HQ_CONNECTION_URL: d.base, HQ_CONNECTION_KEY: key, HQ_CONNECTION_CA_CERT: d.ca });
    assert.equal(await c.get("knowledge/a.md", "utf8"), "alpha");
    assert.throws(() => sdk.Connection.fromEnv({ HQ_CONNECTION_URL: d.base }), /HQ_CONNECTION_KEY is not set/);
    // The local daemon's connection: the home's CA is trusted by itself, as by Vault.fromEnv().
    const local = sdk.Connection.fromEnv({ HQ_CONNECTION_URL: d.base, HQ_CONNECTION_KEY: key, HQ_VAULT_HOME: d.home });
    assert.equal(await local.get("knowledge/a.md", "utf8"), "alpha");
    const untrusted = sdk.Connection.fromEnv({ HQ_CONNECTION_URL: d.base, HQ_CONNECTION_KEY: key, HQ_VAULT_HOME: tmp.dir });
    const e = await rejection(untrusted.list("knowledge/"), sdk.VaultError, "untrusted_certificate");
    assert.match(e.message, /HQ_CONNECTION_CA_CERT/);
  });
});

describe("network mode", () => {
  test("an agent's home with a session from `hq-vault login` reads its scoped secret through the package", () => {
    const homes = { alice: path.join(tmp.dir, "alice"), bot: path.join(tmp.dir, "bot") };
    const as = (who, args) => d.cli(args, { extraEnv: { HQ_VAULT_HOME: homes[who], HQ_VAULT_CA_CERT: d.ca } });
    d.store("org/sdkorg/project/app/db/password", "network-sdk-secret");
    as("alice", ["identity", "create", "--name", "alice-sdk", "--type", "human"]);
    d.cli(["org", "create", "sdkorg", "--admin", "alice-sdk"]);
    as("alice", ["login", "--identity", "alice-sdk"]);
    as("alice", ["project", "create", "--org", "sdkorg", "app"]);
    as("bot", ["identity", "create", "--name", "sdk-bot", "--type", "agent"]);
    as("bot", ["login", "--identity", "sdk-bot"]);
    const request = as("bot", ["access-requests", "create", "--org", "sdkorg", "--project", "app", "--role", "readonly", "--justification", "reads"]).trim();
    as("alice", ["access-requests", "approve", request]);
    const env = { HQ_VAULT_HOME: homes.bot, HQ_VAULT_URL: d.base, HQ_VAULT_CA_CERT: d.ca };
    const r = agent(`import { getSecret } from "hq-vault"; process.stdout.write(await getSecret("org/sdkorg/project/app/db/password"));`, env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "network-sdk-secret");
    // Outside its membership: refused, as for any token.
    const no = agent(`import { getSecret } from "hq-vault"; try { await getSecret("blob/data"); } catch (e) { process.stdout.write(e.code); }`, env);
    assert.equal(no.stdout, "forbidden", no.stderr);

    // The cached session is renewed by `hq-vault login` (HQ_VAULT_BIN), the identity's key never
    // read by the package: once it has expired by its own clock, and once the server no longer
    // knows it (a 401), each before the read that needed it.
    const sessionFile = path.join(homes.bot, "session.json");
    const cached = () => JSON.parse(fs.readFileSync(sessionFile, "utf8"));
    const read = `import { getSecret } from "hq-vault"; process.stdout.write(await getSecret("org/sdkorg/project/app/db/password"));`;
    const renewing = { ...env, HQ_VAULT_BIN: bin };
    const first = cached();
    fs.writeFileSync(sessionFile, JSON.stringify({ ...first, expires_at_ms: Date.now() - 1000 }));
    let r2 = agent(read, renewing);
    assert.equal(r2.stdout, "network-sdk-secret", r2.stderr);
    const second = cached();
    assert.notEqual(second.token, first.token, "an expired session was renewed before the read");
    assert.ok(second.expires_at_ms > Date.now() + 30 * 60_000, JSON.stringify(second.expires_at_ms));
    const unknown = unknownSession();
    fs.writeFileSync(sessionFile, JSON.stringify({ ...second, token: unknown }));
    r2 = agent(read, renewing);
    assert.equal(r2.stdout, "network-sdk-secret", r2.stderr);
    assert.ok(![unknown, second.token].includes(cached().token), "a session the server refused was renewed");
    // A revoked identity cannot log in again: the read fails with the reason, and no key or token.
    d.cli(["identity", "revoke", "sdk-bot"]);
    fs.writeFileSync(sessionFile, JSON.stringify({ ...cached(), expires_at_ms: 0 }));
    const failed = agent(
      `import { getSecret } from "hq-vault"; try { await getSecret("org/sdkorg/project/app/db/password"); } catch (e) { process.stdout.write(JSON.stringify({ code: e.code, message: e.message })); }`,
      renewing,
    );
    const f = JSON.parse(failed.stdout || "{}");
    assert.equal(f.code, "session_renewal_failed", failed.stderr);
    assert.match(f.message, /sdk-bot.*could not be renewed/);
    assert.ok(!f.message.includes(cached().token) && !f.message.includes("hqvs_"), f.message);
    // Without the CLI the package says how to point at it.
    const lost = agent(
      `import { getSecret } from "hq-vault"; try { await getSecret("x"); } catch (e) { process.stdout.write(e.message); }`,
      { ...env, HQ_VAULT_BIN: path.join(tmp.dir, "no-such-hq-vault") },
    );
    assert.match(lost.stdout, /HQ_VAULT_BIN/, lost.stderr);
  });
});
