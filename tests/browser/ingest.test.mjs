// `hq-vault ingest --web` in a real browser: Debian's Chromium, headless, driven by playwright-core.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { chromium } from "playwright-core";

const root = path.resolve(import.meta.dirname, "../..");
const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, "target");
const bin = process.env.HQ_VAULT_BIN || path.join(targetDir, "release/hq-vault");
const artifacts = path.join(targetDir, "artifacts");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const LAUNCH = {
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

/** A child's `[exit code, signal]`, also when it has already exited: `once(child, "exit")` alone
 * would wait forever for an exit that happened while the test was busy (ingest exits 300 ms after
 * the page confirms, and a screenshot on a loaded machine can take longer). */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve([child.exitCode, child.signalCode]);
  return once(child, "exit");
}

/** Read a stream until `re` matches; returns the match. The stream stays open and keeps being
 * drained (ending a `for await` would destroy it, and the child's next write would then fail).
 * With `ms`, gives up after that long. */
function waitFor(stream, re, ms = 0) {
  return new Promise((resolve, reject) => {
    let seen = "";
    let timer = null;
    const stop = () => {
      clearTimeout(timer);
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.on("data", () => {});
    };
    const onData = (chunk) => {
      seen += chunk;
      const m = seen.match(re);
      if (m) {
        stop();
        resolve(m);
      }
    };
    const onEnd = () => {
      stop();
      reject(new Error(`never saw ${re}: ${seen}`));
    };
    if (ms) {
      timer = setTimeout(() => {
        stop();
        reject(new Error(`no ${re} within ${ms} ms: ${seen}`));
      }, ms);
    }
    stream.on("data", onData);
    stream.once("end", onEnd);
  });
}

test("the one-time page takes one value from a person, then is gone", async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "hq-browser-"));
  const env = { ...process.env, HQ_VAULT_HOME: home };
  execFileSync(bin, ["init", "--passphrase-stdin", "--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"], {
    env,
    input: "browser passphrase\n",
    stdio: ["pipe", "ignore", "ignore"],
  });
  const daemon = spawn(bin, ["serve", "--listen", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "ignore"] });
  const browser = await chromium.launch(LAUNCH);
  let ingest;
  try {
    const [line] = await once(daemon.stdout, "data");
    const base = `https://${String(line).split("https://")[1].split(/\s/)[0]}`;
    const cliEnv = { ...env, HQ_VAULT_URL: base };
    execFileSync(bin, ["unlock", "--passphrase-stdin"], { env: cliEnv, input: "browser passphrase\n", stdio: ["pipe", "ignore", "ignore"] });
    ingest = spawn(bin, ["ingest", "stripe/secret-key", "--web", "--type", "api-key", "--description", "Stripe live secret key"], {
      env: cliEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Collected from the start: the command may exit while the test is still busy with the page.
    let out = "";
    ingest.stdout.on("data", (d) => (out += d));
    ingest.stderr.setEncoding("utf8");
    const [url] = await waitFor(ingest.stderr, /https:\/\/127\.0\.0\.1:\d+\/ingest\/[0-9a-f]{64}/);
    const origin = new URL(url).origin;

    // The browser trusts nothing but what we tell it: the page's certificate is the vault's own.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 900, height: 640 } });
    const page = await context.newPage();
    const wrong = await page.goto(`${origin}/ingest/${"0".repeat(64)}`);
    assert.equal(wrong.status(), 404, "a wrong URL token gets nothing");

    const ok = await page.goto(url);
    assert.equal(ok.status(), 200);
    assert.equal(await page.title(), "HQ Vault — enter a secret");
    const body = await page.textContent("body");
    assert.match(body, /stripe\/secret-key/);
    assert.match(body, /api-key/);
    assert.match(body, /closes after the vault stores your value/);
    assert.equal(ok.headers()["cache-control"], "no-store");
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, "ingest-page.png"), fullPage: true });

    await page.fill("textarea[name=value]", "sk_live_typed_in_chromium");
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    assert.match(await page.textContent("body"), /This page is now closed/);
    await page.screenshot({ path: path.join(artifacts, "ingest-stored.png"), fullPage: true });

    const [code] = await exited(ingest);
    assert.equal(code, 0);
    assert.equal(out.trim(), "Stored: stripe/secret-key (25 bytes, type: api-key)");
    const got = execFileSync(bin, ["get", "stripe/secret-key"], { env: cliEnv });
    assert.equal(String(got), "sk_live_typed_in_chromium");

    // Gone: a second visit and a replayed POST both fail.
    await assert.rejects(page.goto(url), /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE/);
    await assert.rejects(
      page.evaluate(async (u) => fetch(u, { method: "POST", body: "value=again", headers: { "content-type": "application/x-www-form-urlencoded" } }), url),
    );
    await context.close();
  } finally {
    await browser.close();
    ingest?.kill();
    daemon.kill();
    fs.rmSync(home, { recursive: true, force: true });
  }
});

/** A new vault and its daemon (locked: it is not unlocked here), and `ingest --web` started against it. */
async function lockedVaultWithPage(t, args) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "hq-browser-"));
  const env = { ...process.env, HQ_VAULT_HOME: home };
  execFileSync(bin, ["init", "--passphrase-stdin", "--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"], {
    env,
    input: "browser passphrase\n",
    stdio: ["pipe", "ignore", "ignore"],
  });
  const daemon = spawn(bin, ["serve", "--listen", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "ignore"] });
  t.after(() => {
    daemon.kill();
    fs.rmSync(home, { recursive: true, force: true });
  });
  const [line] = await once(daemon.stdout, "data");
  assert.match(String(line), /locked/, "the daemon starts locked");
  const base = `https://${String(line).split("https://")[1].split(/\s/)[0]}`;
  const cliEnv = { ...env, HQ_VAULT_URL: base };
  const ingest = spawn(bin, ["ingest", ...args, "--web"], { env: cliEnv, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => ingest.kill());
  let out = "";
  ingest.stdout.on("data", (d) => (out += d));
  ingest.stderr.setEncoding("utf8");
  const [url] = await waitFor(ingest.stderr, /https:\/\/127\.0\.0\.1:\d+\/ingest\/[0-9a-f]{64}/);
  const unlock = () => execFileSync(bin, ["unlock", "--passphrase-stdin"], { env: cliEnv, input: "browser passphrase\n", stdio: ["pipe", "ignore", "ignore"] });
  /** `hq-vault get` of a path: its value, or null when the vault has none. */
  const get = (p) => {
    try {
      return String(execFileSync(bin, ["get", p], { env: cliEnv, stdio: ["ignore", "pipe", "pipe"] }));
    } catch (e) {
      assert.match(String(e.stderr), /no secret at this path|not found/i, String(e.stderr));
      return null;
    }
  };
  return { home, url, ingest, unlock, get, stdout: () => out };
}

/** POST a form to the page from outside a browser, trusting the vault's CA, with these headers. */
function postForm(url, home, headers, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: "POST", ca: fs.readFileSync(path.join(home, "tls/ca.pem")), headers: { "content-type": "application/x-www-form-urlencoded", ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

test("with the vault locked the page shows the daemon's error, not Stored, and a retry after unlock stores the value", async (t) => {
  const v = await lockedVaultWithPage(t, ["stripe/secret-key", "--type", "api-key"]);
  const browser = await chromium.launch(LAUNCH);
  t.after(() => browser.close());
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 900, height: 640 } });
  const page = await context.newPage();
  assert.equal((await page.goto(v.url)).status(), 200);
  await page.fill("textarea[name=value]", "sk_live_first_try_while_locked");
  const [nav] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  const body = await page.textContent("body");
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "ingest-locked.png"), fullPage: true });
  assert.equal(nav.status(), 423, "the page answers with the vault's own status");
  assert.doesNotMatch(await page.textContent("h1"), /Stored/);
  assert.doesNotMatch(body, /stored the value|This page is now closed/);
  assert.match(body, /Not stored\./);
  assert.match(body, /the vault is locked: run `hq-vault unlock`, then submit again/);
  assert.equal(await page.title(), "HQ Vault — not stored");
  assert.doesNotMatch(body, /sk_live_first_try_while_locked/, "the value is never echoed back");
  assert.equal(await page.inputValue("textarea[name=value]"), "", "the form is there again, empty");

  // Nothing was stored, and the command is still waiting: the failed store did not use the page up.
  v.unlock();
  assert.equal(v.get("stripe/secret-key"), null);
  assert.equal(v.ingest.exitCode, null, "ingest still runs");

  // Only spaces is no value: refused on the page, nothing stored, the page still open.
  await page.fill("textarea[name=value]", "   ");
  const [blank] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  assert.equal(blank.status(), 400);
  assert.match(await page.textContent("body"), /No value was sent \(it was empty or only spaces\)/);
  assert.equal(v.ingest.exitCode, null, "ingest still runs");

  // The person unlocked and submits again on the same page: now the vault stores it.
  await page.fill("textarea[name=value]", "sk_live_second_try_unlocked");
  const [ok] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  assert.equal(ok.status(), 200);
  assert.equal(await page.textContent("h1"), "Stored");
  assert.match(await page.textContent("body"), /Your vault stored the value for stripe\/secret-key/);
  const [code] = await exited(v.ingest);
  assert.equal(code, 0);
  assert.equal(v.stdout().trim(), "Stored: stripe/secret-key (27 bytes, type: api-key)");
  assert.equal(v.get("stripe/secret-key"), "sk_live_second_try_unlocked");
});

test("a submit whose Origin is not the page's own is refused and stores nothing", async (t) => {
  const v = await lockedVaultWithPage(t, ["github/token"]);
  v.unlock();
  const origin = new URL(v.url).origin;
  for (const headers of [
    { origin: "https://evil.example" },
    { origin: "null" },
    { origin: origin.replace("127.0.0.1", "localhost") },
    { origin: `${origin}.evil.example` },
    {},
  ]) {
    const r = await postForm(v.url, v.home, headers, "value=ghp_from_another_site");
    assert.equal(r.status, 403, `${JSON.stringify(headers)}: ${r.text}`);
    assert.doesNotMatch(r.text, /Stored/);
    assert.match(r.text, /nothing was stored/);
  }
  assert.equal(v.get("github/token"), null, "nothing was stored");
  assert.equal(v.ingest.exitCode, null, "the refused submits did not use the page up");

  // The page itself, in a real browser, still works: its own form sends its own Origin.
  const browser = await chromium.launch(LAUNCH);
  t.after(() => browser.close());
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(v.url);
  await page.fill("textarea[name=value]", "ghp_typed_by_the_person");
  const [ok] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  assert.equal(ok.status(), 200);
  assert.equal((await ok.request().allHeaders()).origin, origin, "the browser sent the page's own origin");
  const [code] = await exited(v.ingest);
  assert.equal(code, 0);
  assert.equal(v.get("github/token"), "ghp_typed_by_the_person");
});

test("after `hq-vault trust` Chromium opens the page with no certificate warning; the value stays hidden until Show", async (t) => {
  // The person's own home folder: Chromium reads its NSS database from $HOME/.pki/nssdb, and
  // `hq-vault trust` writes there; the real user's is never touched.
  const user = fs.mkdtempSync(path.join(os.tmpdir(), "hq-user-"));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "hq-browser-"));
  const env = { ...process.env, HQ_VAULT_HOME: home, HOME: user };
  t.after(() => {
    fs.rmSync(user, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });
  execFileSync(bin, ["init", "--passphrase-stdin", "--kdf-m-cost-kib", "8192", "--kdf-t-cost", "1"], { env, input: "browser passphrase\n", stdio: ["pipe", "ignore", "ignore"] });
  const daemon = spawn(bin, ["serve", "--listen", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "ignore"] });
  t.after(() => daemon.kill());
  const [line] = await once(daemon.stdout, "data");
  const cliEnv = { ...env, HQ_VAULT_URL: `https://${String(line).split("https://")[1].split(/\s/)[0]}` };
  execFileSync(bin, ["unlock", "--passphrase-stdin"], { env: cliEnv, input: "browser passphrase\n", stdio: ["pipe", "ignore", "ignore"] });
  const ingest = spawn(bin, ["ingest", "stripe/secret-key", "--web", "--type", "api-key"], { env: cliEnv, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => ingest.kill());
  let out = "";
  ingest.stdout.on("data", (d) => (out += d));
  ingest.stderr.setEncoding("utf8");
  // The command says the browser does not trust the page yet, and what to run.
  const [said, url] = await waitFor(ingest.stderr, /(https:\/\/127\.0\.0\.1:\d+\/ingest\/[0-9a-f]{64})\n.*run `HQ_VAULT_HOME=\S+ hq-vault trust`/, 60_000);
  assert.match(said, /do not trust this vault's certificate yet/);
  const launch = { ...LAUNCH, env: { ...process.env, HOME: user } };

  // Not trusted: Chromium refuses the page (and no test option waves the error away).
  let browser = await chromium.launch(launch);
  let page = await (await browser.newContext()).newPage();
  await assert.rejects(page.goto(url), /net::ERR_CERT_AUTHORITY_INVALID/);
  await browser.close();

  // `hq-vault trust`, then the browser restarted, as the command says: the page opens, no warning.
  // (`--store nss`: the tests run as root, and the system store is no test's to change.)
  const trusted = execFileSync(bin, ["trust", "--store", "nss"], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  assert.match(trusted, /HQ Vault local CA [0-9a-f]{16}: trusted by Chromium/);
  browser = await chromium.launch(launch);
  t.after(() => browser.close());
  page = await (await browser.newContext({ viewport: { width: 900, height: 640 } })).newPage();
  const ok = await page.goto(url);
  assert.equal(ok.status(), 200);
  assert.equal(await page.title(), "HQ Vault — enter a secret");
  assert.equal((await ok.securityDetails())?.issuer, "HQ Vault local CA");

  // The value is hidden as it is typed; Show reveals it.
  const security = () => page.$eval("textarea[name=value]", (e) => getComputedStyle(e).webkitTextSecurity);
  assert.equal(await security(), "disc");
  await page.fill("textarea[name=value]", "sk_live_hidden_then_shown");
  assert.equal(await security(), "disc");
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "ingest-hidden.png"), fullPage: true });
  await page.click("label[for=show]");
  assert.equal(await security(), "none");
  await page.click("label[for=show]");
  assert.equal(await security(), "disc");

  // A second visit before the value is stored shows the form again (a reload, a tab closed by mistake).
  const again = await page.goto(url);
  assert.equal(again.status(), 200);
  assert.equal(await page.inputValue("textarea[name=value]"), "");
  await page.fill("textarea[name=value]", "sk_live_hidden_then_shown");
  const [stored] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  assert.equal(stored.status(), 200);
  assert.equal(await page.textContent("h1"), "Stored");
  const [code] = await exited(ingest);
  assert.equal(code, 0);
  assert.equal(out.trim(), "Stored: stripe/secret-key (25 bytes, type: api-key)");
  await browser.close();

  // `trust --uninstall` takes exactly this CA away again: a new browser refuses a page it signs.
  execFileSync(bin, ["trust", "--uninstall", "--store", "nss"], { env, stdio: ["ignore", "ignore", "pipe"] });
  browser = await chromium.launch(launch);
  page = await (await browser.newContext()).newPage();
  await assert.rejects(page.goto(`${cliEnv.HQ_VAULT_URL}/v1/health`), /net::ERR_CERT_AUTHORITY_INVALID/);
  await browser.close();
});
