// `hq-vault ingest --web` in a real browser: Debian's Chromium, headless, driven by playwright-core.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { chromium } from "playwright-core";

const root = path.resolve(import.meta.dirname, "../..");
const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, "target");
const bin = process.env.HQ_VAULT_BIN || path.join(targetDir, "release/hq-vault");
const artifacts = path.join(targetDir, "artifacts");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/** Read a stream until `re` matches; returns the match. */
async function waitFor(stream, re) {
  let seen = "";
  for await (const chunk of stream) {
    seen += chunk;
    const m = seen.match(re);
    if (m) return m;
  }
  throw new Error(`never saw ${re}: ${seen}`);
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
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const [line] = await once(daemon.stdout, "data");
    const base = `https://${String(line).split("https://")[1].split(/\s/)[0]}`;
    const cliEnv = { ...env, HQ_VAULT_URL: base };
    execFileSync(bin, ["unlock", "--passphrase-stdin"], { env: cliEnv, input: "browser passphrase\n", stdio: ["pipe", "ignore", "ignore"] });
    const ingest = spawn(bin, ["ingest", "stripe/secret-key", "--web", "--type", "api-key", "--description", "Stripe live secret key"], {
      env: cliEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
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
    assert.match(body, /closes after you submit/);
    assert.equal(ok.headers()["cache-control"], "no-store");
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, "ingest-page.png"), fullPage: true });

    await page.fill("textarea[name=value]", "sk_live_typed_in_chromium");
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    assert.match(await page.textContent("body"), /This page is now closed/);
    await page.screenshot({ path: path.join(artifacts, "ingest-stored.png"), fullPage: true });

    let out = "";
    ingest.stdout.on("data", (d) => (out += d));
    const [code] = await once(ingest, "exit");
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
    daemon.kill();
    fs.rmSync(home, { recursive: true, force: true });
  }
});
