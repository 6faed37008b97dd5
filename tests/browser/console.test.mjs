// The Connections console in a real browser: Debian's Chromium, headless, driven by playwright-core,
// against the built Worker in workerd (miniflare: KV, R2 and the company's Durable Object). Axe-core
// checks accessibility; screenshots at desktop and phone width go to $CARGO_TARGET_DIR/artifacts.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { chromium } from "playwright-core";
import { root, startWorker } from "../edge/harness.mjs";

const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, "target");
const artifacts = path.join(targetDir, "artifacts");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const LAUNCH = {
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const COMPANY = "acme";
const run = promisify(execFile);

let w;
let browser;
before(async () => {
  w = await startWorker();
  await w.r2.put(`${COMPANY}/knowledge/welcome.md`, "welcome to the vault");
  await w.r2.put(`${COMPANY}/secrets/prod.env`, "DATABASE_URL=not-for-agents");
  browser = await chromium.launch(LAUNCH);
});
after(async () => {
  await browser?.close();
  await w?.dispose();
});

/** A page of its own context (desktop size unless told), with everything the browser reports
 * that hints at a fault: CSP violations, script errors, failed requests to other origins. */
async function open(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: w.base });
  const page = await context.newPage();
  const faults = [];
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy/i.test(m.text())) faults.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => faults.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(w.base)) faults.push(`request to another origin: ${r.url()}`);
  });
  const urls = [];
  page.on("request", (r) => urls.push(r.url()));
  const answer = await page.goto(`${w.base}/companies/${COMPANY}/connections`);
  return { context, page, faults, urls, answer };
}

async function signIn(page, credential) {
  await page.fill("#credential", credential);
  await page.press("#credential", "Enter");
}

/** Axe-core's serious and critical violations of the page as it is now. Axe is evaluated through
 * the DevTools protocol, which the page's CSP does not govern (a script tag would be refused). */
async function axeViolations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => await globalThis.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

const read = (key, p = "knowledge/welcome.md") =>
  w.req("GET", `/v1/connections/files/object?path=${encodeURIComponent(p)}`, { auth: `Bearer ${key}` });

/** The reveal dialog's key and snippet, after copying each with its Copy button and reading the
 * clipboard back. */
async function copyRevealed(page) {
  const key = await page.inputValue("#reveal-key");
  await page.click("#copy-key");
  await page.waitForFunction(() => document.getElementById("copy-status").textContent.includes("copied"));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key, "Copy key put the key on the clipboard");
  return key;
}

test("the page is served with a strict policy, from the Worker's bundle only", async () => {
  const { context, page, answer, urls, faults } = await open();
  try {
    assert.equal(answer.status(), 200);
    const h = answer.headers();
    assert.match(h["content-type"], /^text\/html/);
    const csp = h["content-security-policy"];
    for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "form-action 'none'", "base-uri 'none'"]) {
      assert.ok(csp.includes(d), `${d} in ${csp}`);
    }
    assert.ok(!csp.includes("unsafe-inline") && !csp.includes("unsafe-eval"), csp);
    assert.equal(h["x-content-type-options"], "nosniff");
    assert.equal(h["cache-control"], "no-store");
    const html = await answer.text();
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), "no inline script");
    assert.ok(!/\sstyle=|<style/.test(html), "no inline style");
    assert.ok(!/\son[a-z]+=/.test(html), "no inline event handler");
    for (const asset of ["/console/console.js", "/console/console.css"]) {
      const a = await w.req("GET", asset);
      assert.equal(a.status, 200, asset);
      assert.ok(a.headers.get("content-security-policy"), asset);
      assert.equal((await w.req("POST", asset)).status, 405, `POST ${asset}`);
    }
    assert.deepEqual(urls.filter((u) => !u.startsWith(w.base)), []);
    assert.equal((await w.req("POST", `/companies/${COMPANY}/connections`)).status, 405);
    assert.equal((await w.req("POST", `/companies/${COMPANY}/connections`)).headers.get("allow"), "GET, HEAD");
    const head = await w.req("HEAD", `/companies/${COMPANY}/connections`);
    assert.deepEqual([head.status, head.bytes.length, head.headers.get("content-type")], [200, 0, "text/html; charset=utf-8"]);
    assert.equal((await w.req("GET", `/companies/${COMPANY}/connections/x`)).status, 404);
    // Only a company id names a console page: nothing else reaches the script.
    for (const slug of ["%E0", "Acme", "%2e%2e", "a%2Fb"]) {
      assert.equal((await w.req("GET", `/companies/${slug}/connections`)).status, 404, slug);
    }
    assert.deepEqual(faults, []);
  } finally {
    await context.close();
  }
});

test("the page's assets are inside the Worker's bundle, which stays under 1 MiB gzipped", () => {
  const build = path.join(root, "edge-worker/build");
  let gz = 0;
  let wasm = Buffer.alloc(0);
  for (const f of fs.readdirSync(build, { recursive: true })) {
    const p = path.join(build, f);
    if (!fs.statSync(p).isFile() || !/\.(wasm|js|mjs)$/.test(p)) continue;
    const b = fs.readFileSync(p);
    gz += zlib.gzipSync(b, { level: 9 }).length;
    if (p.endsWith(".wasm")) wasm = Buffer.concat([wasm, b]);
  }
  assert.ok(gz <= 1 << 20, `the bundle is ${gz} bytes gzipped`);
  for (const f of ["console.js", "console.css", "index.html"]) {
    const text = fs.readFileSync(path.join(root, "edge-worker/console", f));
    assert.ok(wasm.includes(text), `${f} is compiled into the Worker`);
  }
});

test("a member's or an unknown credential sees the API's own 404", async () => {
  const member = await w.admin(COMPANY, "member");
  const other = await w.admin("other-co", "owner");
  const unknown = `hqvt_${"A".repeat(40)}`;
  const { context, page, faults } = await open();
  try {
    for (const credential of [member, other, unknown, "hqvt_short"]) {
      const api = await w.req("GET", `/v1/companies/${COMPANY}/connections`, { auth: `Bearer ${credential}` });
      assert.equal(api.status, 404);
      await signIn(page, credential);
      await page.waitForFunction(() => document.getElementById("signin-error").textContent !== "");
      const shown = await page.textContent("#signin-error");
      assert.ok(shown.startsWith(`This credential does not open the connections of “${COMPANY}”`), shown);
      assert.ok(shown.includes(`The API answered 404: ${api.json.error.message}`), shown);
      assert.equal(await page.isHidden("#console"), true);
      assert.equal(await page.inputValue("#credential"), "", "the refused credential is not left in the field");
      await page.evaluate(() => (document.getElementById("signin-error").textContent = ""));
    }
    // A credential pasted with an invisible character is named as such (the browser would refuse
    // to send it, which used to read as an unreachable Worker).
    await signIn(page, `hqvt_abc\u200bdef`);
    await page.waitForFunction(() => document.getElementById("signin-error").textContent !== "");
    assert.match(await page.textContent("#signin-error"), /^The credential has a character that cannot be sent/);
    assert.ok(!page.url().includes("hqvt_"), "the credential is never in the URL");
    assert.deepEqual(await page.context().cookies(), [], "no cookie");
    assert.deepEqual(faults.filter((f) => !f.includes("404")), []);
  } finally {
    await context.close();
  }
});

test("an owner creates, copies, rotates, revokes and audits a connection", async () => {
  const owner = await w.admin(COMPANY, "owner");
  const { context, page, faults } = await open();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hq-console-"));
  try {
    await signIn(page, owner);
    await page.waitForSelector("#console:not([hidden])");
    assert.equal(await page.isVisible("#settings"), true, "the company switch is shown to the owner");
    assert.equal(await page.isChecked("#enabled"), true);
    const sent = await page.evaluate(() => [document.cookie, JSON.stringify(sessionStorage), JSON.stringify(localStorage)]);
    assert.deepEqual(sent, ["", "{}", "{}"], "the credential is kept in memory only");

    // The wizard opens with knowledge/* pre-added; permission is read, read-only.
    const chips = () => page.$$eval("#chips code", (cs) => cs.map((c) => c.textContent));
    assert.deepEqual(await chips(), ["knowledge/*"]);
    assert.equal(await page.inputValue("#permission"), "read");
    assert.equal(await page.getAttribute("#permission", "readonly"), "");

    // A bare folder is shown as its pattern; Enter and Add both add; Quick-add adds.
    await page.click('#chips button[aria-label="Remove knowledge/*"]');
    assert.deepEqual(await chips(), []);
    await page.fill("#pattern", "knowledge/");
    await page.press("#pattern", "Enter");
    await page.waitForFunction(() => document.querySelectorAll("#chips li").length === 1);
    assert.deepEqual(await chips(), ["knowledge/*"]);
    assert.equal(await page.inputValue("#pattern"), "");
    await page.fill("#pattern", "projects/plan.md");
    await page.click("#pattern-add");
    await page.waitForFunction(() => document.querySelectorAll("#chips li").length === 2);
    await page.click('.quick button[data-pattern="skills/*"]');
    await page.waitForFunction(() => document.querySelectorAll("#chips li").length === 3);
    assert.deepEqual(await chips(), ["knowledge/*", "projects/plan.md", "skills/*"]);

    // Each rejected pattern shows the core's reason under the input and is not added.
    for (const bad of ["../x", "/etc/passwd", "café/*", "a*b", "knowledge/../x"]) {
      const api = await w.req("POST", `/v1/companies/${COMPANY}/patterns/check`, { auth: `Bearer ${owner}`, body: { patterns: [bad] } });
      assert.equal(api.status, 200);
      const verdict = api.json.verdicts[0];
      assert.equal(verdict.ok, false, bad);
      await page.fill("#pattern", bad);
      await page.press("#pattern", "Enter");
      await page.waitForFunction(() => document.getElementById("pattern-error").textContent !== "");
      assert.equal(await page.textContent("#pattern-error"), `Not added: ${verdict.message}`);
      assert.equal(await page.getAttribute("#pattern", "aria-invalid"), "true");
      assert.equal(await page.inputValue("#pattern"), bad, "what was typed stays, to be mended");
      assert.equal((await chips()).length, 3);
    }
    await page.fill("#pattern", "");
    await page.click('#chips button[aria-label="Remove projects/plan.md"]');

    // At least one pattern is required.
    await page.fill("#name", "docs-bot");
    await page.click('#chips button[aria-label="Remove knowledge/*"]');
    await page.click('#chips button[aria-label="Remove skills/*"]');
    await page.click("#create-submit");
    assert.equal(await page.textContent("#create-error"), "Add at least one allowed prefix.");
    assert.equal((await w.req("GET", `/v1/companies/${COMPANY}/connections`, { auth: `Bearer ${owner}` })).json.connections.length, 0);
    await page.click('.quick button[data-pattern="knowledge/*"]');
    await page.waitForFunction(() => document.querySelectorAll("#chips li").length === 1);

    // Reveal once: the key and the snippet, each copied with its button.
    await page.click("#create-submit");
    await page.waitForSelector("#reveal[open]");
    const key = await copyRevealed(page);
    assert.match(key, /^hqxc_/);
    const snippet = await page.textContent("#reveal-snippet");
    await page.click("#copy-snippet");
    await page.waitForFunction(() => document.getElementById("copy-status").textContent.startsWith("Snippet copied"));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), snippet);
    const { json: list } = await w.req("GET", `/v1/companies/${COMPANY}/connections`, { auth: `Bearer ${owner}` });
    const made = list.connections.find((c) => c.name === "docs-bot");
    assert.deepEqual(made.patterns, ["knowledge/*"]);
    assert.equal(made.mechanism, "api_key");
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, "console-reveal-desktop.png") });

    // Dismissed, the value is gone from the page: already as the dialog closes, not a task later.
    const atClose = await page.evaluate(() => {
      document.getElementById("reveal-done").click();
      return [document.getElementById("reveal").open, document.getElementById("reveal-key").value, document.getElementById("reveal-snippet").textContent];
    });
    assert.deepEqual(atClose, [false, "", ""]);
    const everything = await page.evaluate(() => document.documentElement.outerHTML + [...document.querySelectorAll("input")].map((i) => i.value).join("\n"));
    assert.ok(!everything.includes(key), "the key is gone from the page");
    assert.ok(!everything.includes(owner), "the admin credential is nowhere in the page");

    // The copied snippet works against the Worker, with the copied key.
    const file = path.join(dir, "agent.mjs");
    fs.writeFileSync(file, snippet);
    const { stdout } = await run(process.execPath, [file], { env: { PATH: process.env.PATH, HQ_CONNECTION_KEY: key }, timeout: 60_000 });
    assert.equal(stdout, "knowledge/welcome.md\nwelcome to the vault\n");
    assert.equal((await read(key, "secrets/prod.env")).status, 403, "outside the grant");

    // The list: name, patterns, mechanism, status, created, last used.
    const row = `#rows tr[data-id="${made.id}"]`;
    await page.reload();
    await signIn(page, owner);
    await page.waitForSelector(row);
    const cells = await page.$$eval(`${row} > *`, (cs) => cs.map((c) => c.textContent.trim()));
    assert.ok(cells[0].startsWith("docs-bot") && cells[0].includes(made.id), cells[0]);
    assert.equal(cells[1], "knowledge/*");
    assert.equal(cells[2], "API key");
    assert.equal(cells[3], "active");
    assert.match(cells[4], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    assert.match(cells[5], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/, "last used: the snippet's reads");

    // Audit expands inline: the reads just made, newest first, with request id and source IP.
    await page.click(`${row} button[aria-label="Audit of docs-bot"]`);
    await page.waitForSelector(`#audit-${made.id} table.events tbody tr`);
    const events = await page.$$eval(`#audit-${made.id} tbody tr`, (rs) => rs.map((r) => [...r.children].map((c) => c.textContent.trim())));
    const api = (await w.req("GET", `/v1/companies/${COMPANY}/connections/${made.id}/audit`, { auth: `Bearer ${owner}` })).json.events;
    // The API's page starts with the page's own audit read, filed after it was answered.
    assert.equal(api[0].op, "connection-audit");
    assert.ok(events.length >= 3, JSON.stringify(events));
    assert.deepEqual(events.map((e) => e[3]), api.slice(1).map((e) => e.request_id), "newest first, as the API pages them");
    assert.equal(events[0][1], "secrets/prod.env");
    assert.match(events[0][2], /^denied 403/);
    assert.ok(events.some((e) => e[1] === "knowledge/welcome.md" && e[2] === "allowed 200"), JSON.stringify(events));
    assert.ok(events.every((e) => e[4] !== ""), "source IP shown");
    assert.equal(await page.getAttribute(`${row} button[aria-label="Audit of docs-bot"]`, "aria-expanded"), "true");

    // Rotate: confirm, reveal the new key once; the old key is refused at its next read.
    await page.click(`${row} button[aria-label="Rotate docs-bot"]`);
    await page.waitForSelector("#confirm[open]");
    await page.click("#confirm-ok");
    await page.waitForSelector("#reveal[open]");
    const rotated = await copyRevealed(page);
    assert.notEqual(rotated, key);
    await page.click("#reveal-done");
    assert.equal((await read(key)).status, 403, "the old key is refused");
    assert.equal((await read(rotated)).status, 200);

    // Revoke asks first: cancelled, nothing changes; confirmed, the next read is a 403.
    await page.click(`${row} button[aria-label="Revoke docs-bot"]`);
    await page.waitForSelector("#confirm[open]");
    assert.ok((await page.textContent("#confirm-title")).includes("docs-bot"));
    await page.click("#confirm-cancel");
    await page.waitForSelector("#confirm:not([open])", { state: "attached" });
    assert.equal((await read(rotated)).status, 200, "a cancelled revoke revokes nothing");
    await page.click(`${row} button[aria-label="Revoke docs-bot"]`);
    await page.waitForSelector("#confirm[open]");
    await page.click("#confirm-ok");
    await page.waitForFunction((sel) => document.querySelector(`${sel} .status`)?.textContent === "revoked", row);
    assert.equal((await read(rotated)).status, 403, "revoked: the next read is refused");
    assert.equal(await page.isDisabled(`${row} button[aria-label="Rotate docs-bot"]`), true);

    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(faults, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await context.close();
  }
});

test("an agent identity is created in the wizard and its snippet signs in and reads", async () => {
  const owner = await w.admin(COMPANY, "owner");
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const pub = publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("base64");
  const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" }).toString("base64");
  const { context, page, faults } = await open();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hq-console-"));
  try {
    await signIn(page, owner);
    await page.waitForSelector("#console:not([hidden])");
    await page.fill("#name", "identity-bot");
    await page.check("#mech-identity");
    assert.equal(await page.isVisible("#public-key"), true);
    await page.fill("#public-key", "not a key");
    await page.click("#create-submit");
    await page.waitForFunction(() => document.getElementById("create-error").textContent !== "");
    assert.match(await page.textContent("#create-error"), /^400: .*public_key/);
    await page.fill("#public-key", pub);
    await page.click("#create-submit");
    await page.waitForSelector("#reveal[open]");
    assert.equal(await page.isHidden("#reveal-key-field"), true, "nothing secret to reveal");
    const snippet = await page.textContent("#reveal-snippet");
    await page.click("#reveal-done");
    const file = path.join(dir, "agent.mjs");
    fs.writeFileSync(file, snippet);
    const { stdout } = await run(process.execPath, [file], { env: { PATH: process.env.PATH, HQ_AGENT_KEY: pkcs8 }, timeout: 60_000 });
    assert.equal(stdout, "knowledge/welcome.md\nwelcome to the vault\n");
    await page.waitForSelector('#rows th:has-text("identity-bot")');
    // Rotate to a new key in the confirm dialog: a refused key marks the field; Enter sends.
    const id = await page.$eval('#rows tr:has(th:has-text("identity-bot"))', (r) => r.dataset.id);
    await page.click(`#rows tr[data-id="${id}"] button[data-action="Rotate"]`);
    await page.waitForSelector("#confirm[open]");
    assert.equal(await page.evaluate(() => document.activeElement.id), "confirm-key");
    await page.keyboard.type("AAAA");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.getElementById("confirm-error").textContent !== "");
    assert.match(await page.textContent("#confirm-error"), /^400: .*public_key/);
    await page.waitForFunction(() => document.getElementById("confirm-key").getAttribute("aria-invalid") === "true");
    assert.equal(await page.evaluate(() => document.activeElement.id), "confirm-key");
    const next = crypto.generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("base64");
    await page.waitForFunction(() => !document.getElementById("confirm-ok").disabled);
    await page.fill("#confirm-key", next);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#reveal[open]");
    // Nothing secret: no reveal-once words, a plain Close with the focus.
    assert.equal(await page.isHidden("#reveal-once"), true);
    assert.equal(await page.textContent("#reveal-done"), "Close");
    assert.equal(await page.evaluate(() => document.activeElement.id), "reveal-done");
    await page.keyboard.press("Enter");
    const after = await w.req("GET", `/v1/companies/${COMPANY}/connections/${id}`, { auth: `Bearer ${owner}` });
    assert.equal(after.json.connection.public_key, next);
    assert.deepEqual(faults.filter((f) => !f.includes("400")), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await context.close();
  }
});

/** Press Tab until the element with `id` has the focus (at most 60 presses). */
async function tabTo(page, id) {
  for (let i = 0; i < 60; i++) {
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached #${id}`);
}

test("the keyboard alone does the whole flow, with the focus always visible", async () => {
  const owner = await w.admin(COMPANY, "owner");
  const admin = await w.admin(COMPANY, "admin");
  const { context, page, faults } = await open();
  try {
    assert.deepEqual(await axeViolations(page), [], "sign-in form");
    // Focus starts in the credential field.
    assert.equal(await page.evaluate(() => document.activeElement.id), "credential");
    await page.keyboard.type(admin);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#console:not([hidden])");
    assert.equal(await page.isHidden("#settings"), true, "an admin does not see the owner's switch");
    assert.equal(await page.evaluate(() => document.activeElement.id), "name");
    await page.keyboard.type("kbd-bot");
    await tabTo(page, "pattern");
    await page.keyboard.type("projects/");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelectorAll("#chips li").length === 2);
    // Remove knowledge/* with the keyboard: Tab to its button, Enter.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute("aria-label")), "Remove knowledge/*");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none", "the focused control shows its focus");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelectorAll("#chips li").length === 1);
    await tabTo(page, "create-submit");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#reveal[open]");
    assert.equal(await page.evaluate(() => document.activeElement.id), "copy-key");
    const key = await page.inputValue("#reveal-key");
    assert.deepEqual(await axeViolations(page), [], "reveal dialog");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#reveal:not([open])", { state: "attached" });
    assert.equal(await page.inputValue("#reveal-key"), "", "Escape forgets the key too");
    assert.equal((await read(key, "projects/x")).status, 404, "the key works (no such file, in scope)");
    // Revoke from the keyboard: focus the row's button, Enter, then confirm.
    const { json } = await w.req("GET", `/v1/companies/${COMPANY}/connections`, { auth: `Bearer ${owner}` });
    const id = json.connections.find((c) => c.name === "kbd-bot").id;
    await page.focus(`#rows tr[data-id="${id}"] button[aria-label="Audit of kbd-bot"]`);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`#audit-${id} table.events tbody tr`);
    await page.keyboard.press("Shift+Tab");
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute("aria-label")), "Revoke kbd-bot");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#confirm[open]");
    assert.equal(await page.evaluate(() => document.activeElement.id), "confirm-cancel", "the safe choice has the focus");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForFunction((sel) => document.querySelector(`${sel} .status`)?.textContent === "revoked", `#rows tr[data-id="${id}"]`);
    assert.equal((await read(key, "projects/x")).status, 403);
    assert.deepEqual(await axeViolations(page), [], "list with the audit open");
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, "console-desktop.png"), fullPage: true });
    assert.deepEqual(faults, []);
  } finally {
    await context.close();
  }
});

test("the wizard never creates a scope other than the one on the screen", async () => {
  const owner = await w.admin(COMPANY, "owner");
  const { context, page, faults } = await open();
  const list = async () => (await w.req("GET", `/v1/companies/${COMPANY}/connections`, { auth: `Bearer ${owner}` })).json.connections;
  try {
    await signIn(page, owner);
    await page.waitForSelector("#console:not([hidden])");
    // A pattern typed but not added is checked and added by Create.
    await page.fill("#name", "typed-bot");
    await page.fill("#pattern", "projects/");
    await page.click("#create-submit");
    await page.waitForSelector("#reveal[open]");
    await page.click("#reveal-done");
    assert.deepEqual((await list()).find((c) => c.name === "typed-bot").patterns, ["knowledge/*", "projects/*"]);
    // A rejected one stops the create, with its reason.
    await page.fill("#name", "stopped-bot");
    await page.fill("#pattern", "../x");
    await page.click("#create-submit");
    await page.waitForFunction(() => document.getElementById("create-error").textContent !== "");
    assert.match(await page.textContent("#create-error"), /^The pattern in the input is not added/);
    assert.match(await page.textContent("#pattern-error"), /^Not added: /);
    assert.equal((await list()).some((c) => c.name === "stopped-bot"), false);
    await page.fill("#pattern", "");
    // A slow check: Create waits for it, and the connection has the pattern; what was typed while
    // the check ran is kept.
    let release;
    const held = new Promise((r) => (release = r));
    await page.route("**/patterns/check", async (route) => {
      await held;
      await route.continue();
    });
    await page.fill("#name", "slow-bot");
    await page.fill("#pattern", "workers/");
    await page.click("#pattern-add");
    assert.equal(await page.isDisabled("#create-submit"), true, "Create waits for the check");
    await page.fill("#pattern", "skills/");
    release();
    await page.waitForFunction(() => [...document.querySelectorAll("#chips code")].some((c) => c.textContent === "workers/*"));
    assert.equal(await page.inputValue("#pattern"), "skills/", "typed meanwhile, kept");
    await page.unroute("**/patterns/check");
    await page.fill("#pattern", "");
    await page.click("#create-submit");
    await page.waitForSelector("#reveal[open]");
    await page.click("#reveal-done");
    assert.deepEqual((await list()).find((c) => c.name === "slow-bot").patterns, ["knowledge/*", "workers/*"]);
    // After a create the keyboard is back at the start of the form.
    await page.waitForFunction(() => document.activeElement.id === "name");
    // A slow create: the form takes nothing until it answers, so nothing is shown that is not sent.
    let let_go;
    const creating = new Promise((r) => (let_go = r));
    await page.route("**/v1/companies/*/connections", async (route) => {
      if (route.request().method() === "POST") await creating;
      await route.continue();
    });
    await page.fill("#name", "inflight-bot");
    await page.press("#name", "Enter");
    await page.waitForFunction(() => document.getElementById("create-status").textContent === "Creating…");
    for (const sel of ["#create-submit", '.quick button[data-pattern="skills/*"]', "#pattern-add", "#name"]) {
      assert.equal(await page.isDisabled(sel), true, `${sel} while creating`);
    }
    let_go();
    await page.waitForSelector("#reveal[open]");
    await page.click("#reveal-done");
    await page.unroute("**/v1/companies/*/connections");
    assert.deepEqual((await list()).filter((c) => c.name === "inflight-bot").map((c) => c.patterns), [["knowledge/*"]]);
    // A refused create puts the keyboard on the field at fault.
    await page.fill("#name", "inflight-bot");
    await page.click("#create-submit");
    await page.waitForFunction(() => document.getElementById("create-error").textContent.startsWith("409"));
    await page.waitForFunction(() => document.activeElement.id === "name");
    assert.equal(await page.getAttribute("#name", "aria-invalid"), "true");
    assert.deepEqual(faults.filter((f) => !f.includes("400") && !f.includes("409")), []);
  } finally {
    await context.close();
  }
});

test("after every dialog the focus is on a live control, and a confirmed action cannot be abandoned", async () => {
  const owner = await w.admin(COMPANY, "owner");
  const made = await w.req("POST", `/v1/companies/${COMPANY}/connections`, { auth: `Bearer ${owner}`, body: { name: "focus-bot", patterns: ["knowledge/"] } });
  const id = made.json.connection.id;
  const { context, page, faults } = await open();
  const focused = () => page.evaluate(() => document.activeElement.getAttribute("aria-label") ?? document.activeElement.id ?? document.activeElement.tagName);
  try {
    await signIn(page, owner);
    const row = `#rows tr[data-id="${id}"]`;
    await page.waitForSelector(row);
    // Rotate, then close the reveal: the row's Rotate button (drawn anew) has the focus.
    await page.focus(`${row} button[data-action="Rotate"]`);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#confirm[open]");
    await page.click("#confirm-ok");
    await page.waitForSelector("#reveal[open]");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => document.activeElement.getAttribute("aria-label") === "Rotate focus-bot");
    // A slow revoke: Escape and Cancel do nothing while it runs; then the row's Audit has the focus.
    let release;
    const held = new Promise((r) => (release = r));
    await page.route("**/revoke", async (route) => {
      await held;
      await route.continue();
    });
    await page.click(`${row} button[data-action="Revoke"]`);
    await page.waitForSelector("#confirm[open]");
    await page.click("#confirm-ok");
    await page.waitForFunction(() => document.getElementById("confirm-status").textContent === "Revoking…");
    await page.keyboard.press("Escape");
    assert.equal(await page.isVisible("#confirm"), true, "Escape does not abandon a confirmed revoke");
    assert.equal(await page.isDisabled("#confirm-cancel"), true);
    release();
    await page.waitForSelector("#confirm:not([open])", { state: "attached" });
    await page.unroute("**/revoke");
    assert.equal(await page.textContent(`${row} .status`), "revoked");
    await page.waitForFunction(() => document.activeElement.getAttribute("aria-label") === "Audit of focus-bot");
    // A rotate refused because the connection changed elsewhere: the row is drawn as it is now.
    const other = await w.req("POST", `/v1/companies/${COMPANY}/connections`, { auth: `Bearer ${owner}`, body: { name: "elsewhere-bot", patterns: ["knowledge/"] } });
    const otherId = other.json.connection.id;
    await page.reload();
    await signIn(page, owner);
    const otherRow = `#rows tr[data-id="${otherId}"]`;
    await page.waitForSelector(otherRow);
    await w.req("POST", `/v1/companies/${COMPANY}/connections/${otherId}/revoke`, { auth: `Bearer ${owner}` });
    await page.click(`${otherRow} button[data-action="Rotate"]`);
    await page.click("#confirm-ok");
    await page.waitForFunction(() => document.getElementById("confirm-error").textContent !== "");
    assert.match(await page.textContent("#confirm-error"), /^409: /);
    await page.waitForFunction((sel) => document.querySelector(`${sel} .status`)?.textContent === "revoked", otherRow);
    // A refused rotate: the way out has the focus.
    await page.waitForFunction(() => document.activeElement.id === "confirm-cancel");
    await page.keyboard.press("Escape");
    // The row's Rotate is disabled now: the list's heading takes the focus.
    await page.waitForFunction(() => document.activeElement.id === "list-title");
    // More events keeps the keyboard on More, then on the table.
    for (let i = 0; i < 105; i++) await read(made.json.key);
    await page.focus(`${row} button[data-action="Audit"]`);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`#audit-${id} button:has-text("More events")`);
    await page.focus(`#audit-${id} button:has-text("More events")`);
    await page.keyboard.press("Enter");
    await page.waitForFunction((sel) => !document.querySelector(`${sel} button`), `#audit-${id}`);
    assert.equal(await page.evaluate(() => document.activeElement.tagName), "TABLE");
    assert.ok((await page.$$eval(`#audit-${id} tbody tr`, (r) => r.length)) > 100);
    assert.deepEqual(faults.filter((f) => !f.includes("409")), []);
  } finally {
    await context.close();
  }
});

test("long names and paths wrap: no sideways scrolling at phone or desktop width", async () => {
  const owner = await w.admin(COMPANY, "owner");
  const name = `long-${"x".repeat(120)}`;
  const made = await w.req("POST", `/v1/companies/${COMPANY}/connections`, { auth: `Bearer ${owner}`, body: { name, patterns: ["*"] } });
  assert.equal(made.status, 201, made.text);
  await read(made.json.key, `knowledge/${"p".repeat(600)}.md`);
  for (const viewport of [{ width: 320, height: 700 }, { width: 375, height: 812 }, { width: 1280, height: 900 }]) {
    const { context, page, faults } = await open(viewport);
    try {
      await signIn(page, owner);
      const row = `#rows tr[data-id="${made.json.connection.id}"]`;
      await page.waitForSelector(row);
      await page.click(`${row} button[data-action="Audit"]`);
      await page.waitForSelector(`#audit-${made.json.connection.id} table.events tbody tr`);
      await page.fill("#pattern", `knowledge/${"q".repeat(300)}/`);
      await page.press("#pattern", "Enter");
      await page.waitForFunction(() => document.querySelectorAll("#chips li").length === 2);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${viewport.width}px: the page is ${overflow}px too wide`);
      // The confirmation names the whole connection, wrapped, inside the dialog.
      await page.click(`${row} button[data-action="Revoke"]`);
      await page.waitForSelector("#confirm[open]");
      const d = await page.$eval("#confirm", (e) => [e.scrollWidth, e.clientWidth]);
      assert.ok(d[0] <= d[1], `${viewport.width}px: the dialog is ${d[0] - d[1]}px too wide`);
      assert.ok((await page.textContent("#confirm-title")).includes(name));
      await page.click("#confirm-cancel");
      assert.deepEqual(faults, []);
    } finally {
      await context.close();
    }
  }
});

test("an admin sees when the owner has switched the company's connections off", async () => {
  const owner = await w.admin(COMPANY, "owner");
  const admin = await w.admin(COMPANY, "admin");
  const { context, page } = await open();
  try {
    await signIn(page, owner);
    await page.waitForSelector("#console:not([hidden])");
    assert.equal(await page.isHidden("#disabled-banner"), true);
    await page.focus("#enabled");
    await page.keyboard.press("Space");
    await page.waitForSelector("#disabled-banner:not([hidden])");
    assert.equal(await page.evaluate(() => document.activeElement.id), "enabled", "the switch keeps the focus");
    const s = await w.req("GET", `/v1/companies/${COMPANY}/settings`, { auth: `Bearer ${owner}` });
    assert.equal(s.json.connections_enabled, false);
    await page.click("#sign-out");
    await signIn(page, admin);
    await page.waitForSelector("#console:not([hidden])");
    assert.equal(await page.isHidden("#settings"), true);
    assert.equal(await page.isVisible("#disabled-banner"), true);
    await w.req("PUT", `/v1/companies/${COMPANY}/settings`, { auth: `Bearer ${owner}`, body: { connections_enabled: true } });
  } finally {
    await context.close();
  }
});

test("readable at phone width: no sideways scrolling, every cell labelled", async () => {
  const owner = await w.admin(COMPANY, "owner");
  const { context, page, faults } = await open({ width: 375, height: 812 });
  try {
    await signIn(page, owner);
    await page.waitForSelector("#rows tr[data-id]");
    const first = await page.$eval("#rows tr[data-id]", (r) => r.dataset.id);
    await page.click(`#rows tr[data-id="${first}"] button[aria-expanded]`);
    await page.waitForSelector(`#audit-${first} table.events, #audit-${first} p`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    // The filter narrows a long list by name or id.
    const all = await page.$$eval("#rows tr[data-id]", (r) => r.length);
    await page.fill("#filter", "docs-bot");
    await page.waitForFunction(() => document.querySelectorAll("#rows tr[data-id]").length === 1);
    assert.match(await page.textContent("#list-status"), new RegExp(`^1 connection of ${all} match`));
    await page.fill("#filter", "");
    await page.waitForFunction((n) => document.querySelectorAll("#rows tr[data-id]").length === n, all);
    const label = await page.$eval("#rows td[data-label='Status']", (td) => getComputedStyle(td, "::before").content);
    assert.equal(label, '"Status"');
    assert.deepEqual(await axeViolations(page), []);
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, "console-phone.png"), fullPage: true });
    assert.deepEqual(faults, []);
  } finally {
    await context.close();
  }
});
