// The Connections console (docs/console.md): a page over the Worker's lifecycle API. Every
// decision (who may, which pattern is valid, what is audited) is the Worker's, through the core:
// the page only shows what the API answers. The admin credential lives in this module's memory,
// goes out only as an Authorization header, and is never written to storage, a cookie or a URL.

const company = decodeURIComponent(location.pathname.split("/")[2] ?? "");
const api = `/v1/companies/${encodeURIComponent(company)}`;
const $ = (id) => document.getElementById(id);

/** The admin credential, for this tab's life only. */
let credential = null;
/** Normalized patterns of the create form, in the order added. */
let chips = [];

/** An API answer: `{status, body}`; `body` is the parsed JSON, or null. Network failures become
 * status 0 with a message. */
async function call(method, path, json) {
  const headers = { authorization: `Bearer ${credential}` };
  const init = { method, headers, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" };
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  let r;
  try {
    r = await fetch(path, init);
  } catch {
    return { status: 0, body: { error: { message: "the Worker could not be reached: check the connection and try again" } } };
  }
  let body = null;
  try {
    body = await r.json();
  } catch {}
  return { status: r.status, body };
}

/** The error an answer carries, in the API's own words. */
function problem(a) {
  const e = a.body?.error;
  const words = e?.message ?? "the request failed";
  const detail = (e?.rejections ?? []).map((r) => `${r.pattern}: ${r.message}`).join("; ");
  const id = e?.request_id ? ` (request ${e.request_id})` : "";
  return `${a.status ? `${a.status}: ` : ""}${words}${detail ? ` — ${detail}` : ""}${id}`;
}

/** A 401 or 404 from a lifecycle route means the credential no longer opens this company. */
function lostAccess(a) {
  if (a.status !== 401 && a.status !== 404) return false;
  if (a.status === 404 && a.body?.error?.message !== "no such route") return false;
  signOut(problem(a));
  return true;
}

function when(ms) {
  if (ms === null || ms === undefined) return null;
  const d = new Date(ms);
  const t = document.createElement("time");
  t.dateTime = d.toISOString();
  t.textContent = d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  return t;
}

function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// Sign in and out.

async function signIn(event) {
  event.preventDefault();
  const input = $("credential");
  const value = input.value.trim();
  if (!value) {
    $("signin-error").textContent = "Enter the admin credential.";
    input.focus();
    return;
  }
  credential = value;
  input.value = "";
  $("signin-error").textContent = "";
  const a = await call("GET", `${api}/connections`);
  if (a.status !== 200) {
    credential = null;
    $("signin-error").textContent = problem(a);
    input.focus();
    return;
  }
  $("signin").hidden = true;
  $("console").hidden = false;
  $("sign-out").hidden = false;
  showList(a.body.connections);
  await showSettings();
  resetCreate();
  $("name").focus();
}

function signOut(message = "") {
  credential = null;
  chips = [];
  $("rows").replaceChildren();
  $("console").hidden = true;
  $("sign-out").hidden = true;
  $("signin").hidden = false;
  $("signin-error").textContent = message;
  $("credential").focus();
}

// The company switch (owners only).

async function showSettings() {
  const a = await call("GET", `${api}/settings`);
  const section = $("settings");
  section.hidden = !(a.status === 200 && a.body.role === "owner");
  if (!section.hidden) $("enabled").checked = a.body.connections_enabled;
}

async function toggleEnabled() {
  const box = $("enabled");
  box.disabled = true;
  const a = await call("PUT", `${api}/settings`, { connections_enabled: box.checked });
  box.disabled = false;
  if (a.status === 200) {
    $("enabled-error").textContent = "";
    box.checked = a.body.connections_enabled;
  } else if (!lostAccess(a)) {
    box.checked = !box.checked;
    $("enabled-error").textContent = problem(a);
  }
}

// The create wizard.

function showChips() {
  const list = $("chips");
  list.replaceChildren(
    ...chips.map((p) => {
      const li = el("li", null, { class: "chip" });
      li.append(el("code", p));
      const remove = el("button", "×", { type: "button", class: "remove", "aria-label": `Remove ${p}` });
      remove.addEventListener("click", () => {
        const i = chips.indexOf(p);
        chips = chips.filter((c) => c !== p);
        showChips();
        // Keep the keyboard where it was: the next chip's remove button, or the input.
        const buttons = $("chips").querySelectorAll("button");
        (buttons[Math.min(i, buttons.length - 1)] ?? $("pattern")).focus();
      });
      li.append(remove);
      return li;
    }),
  );
}

/** Check `raw` with the Worker (the core's rules) and add it as a chip, normalized; a rejection's
 * reason goes under the input, which keeps what was typed. */
async function addPattern(raw) {
  const error = $("pattern-error");
  const input = $("pattern");
  if (raw === "") {
    error.textContent = "Type a pattern first.";
    return false;
  }
  const a = await call("POST", `${api}/patterns/check`, { patterns: [raw] });
  if (a.status !== 200) {
    if (!lostAccess(a)) error.textContent = problem(a);
    return false;
  }
  const v = a.body.verdicts[0];
  if (!v.ok) {
    error.textContent = `Not added: ${v.message}`;
    input.setAttribute("aria-invalid", "true");
    return false;
  }
  error.textContent = "";
  input.removeAttribute("aria-invalid");
  if (!chips.includes(v.pattern)) chips.push(v.pattern);
  showChips();
  return true;
}

async function addTyped() {
  const input = $("pattern");
  if (await addPattern(input.value)) input.value = "";
  input.focus();
}

function resetCreate() {
  $("create-form").reset();
  $("permission").value = "read";
  $("public-key-field").hidden = true;
  $("pattern-error").textContent = "";
  $("create-error").textContent = "";
  // `knowledge/*` is the safe default the form opens with.
  chips = ["knowledge/*"];
  showChips();
}

async function create(event) {
  event.preventDefault();
  const error = $("create-error");
  const name = $("name").value;
  if (name.trim() === "") {
    error.textContent = "Give the connection a name.";
    $("name").focus();
    return;
  }
  if (chips.length === 0) {
    error.textContent = "Add at least one allowed prefix.";
    $("pattern").focus();
    return;
  }
  const mechanism = $("mech-identity").checked ? "agent_identity" : "api_key";
  const body = { name, patterns: chips, mechanism };
  if (mechanism === "agent_identity") body.public_key = $("public-key").value.trim();
  const submit = $("create-submit");
  submit.disabled = true;
  const a = await call("POST", `${api}/connections`, body);
  submit.disabled = false;
  if (a.status !== 201) {
    if (!lostAccess(a)) error.textContent = problem(a);
    return;
  }
  error.textContent = "";
  reveal({
    title: `Connection “${a.body.connection.name}” created`,
    note: a.body.note,
    key: a.body.key,
    snippet: a.body.snippet,
  });
  resetCreate();
  await refresh();
}

// Reveal once.

/** Where the keyboard returns when the reveal dialog closes. */
let revealReturn = null;

function reveal({ title, note, key, snippet }) {
  revealReturn = document.activeElement;
  $("reveal-title").textContent = title;
  $("reveal-note").textContent = note ?? "";
  $("reveal-key-field").hidden = !key;
  $("reveal-key").value = key ?? "";
  $("reveal-snippet-field").hidden = !snippet;
  $("reveal-snippet").textContent = snippet ?? "";
  $("copy-status").textContent = "";
  $("reveal").showModal();
  (key ? $("copy-key") : $("copy-snippet")).focus();
}

/** The dialog closed (its button or Escape): the value leaves the page. */
function forgetReveal() {
  $("reveal-key").value = "";
  $("reveal-snippet").textContent = "";
  $("reveal-note").textContent = "";
  $("copy-status").textContent = "";
  const back = revealReturn?.isConnected ? revealReturn : $("name");
  revealReturn = null;
  back?.focus();
}

async function copy(text, what) {
  const status = $("copy-status");
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = `${what} copied to the clipboard.`;
  } catch {
    status.textContent = `The clipboard is not available here: select the ${what.toLowerCase()} and copy it with the keyboard.`;
  }
}

// The list, with rotate, revoke and audit inline.

async function refresh() {
  const a = await call("GET", `${api}/connections`);
  if (a.status === 200) showList(a.body.connections);
  else if (!lostAccess(a)) $("list-status").textContent = problem(a);
}

function cell(label, content) {
  const td = el("td", null, { "data-label": label });
  if (content instanceof Node) td.append(content);
  else td.textContent = content;
  return td;
}

function showList(connections) {
  const rows = $("rows");
  rows.replaceChildren();
  $("list-status").textContent = connections.length === 0 ? "No connections yet." : `${connections.length} connection${connections.length === 1 ? "" : "s"}.`;
  // Newest first.
  for (const c of [...connections].sort((x, y) => y.created_ms - x.created_ms)) {
    const tr = el("tr", null, { "data-id": c.id });
    const name = el("th", null, { scope: "row", "data-label": "Name" });
    name.append(el("span", c.name), el("br"), el("code", c.id, { class: "id" }));
    const patterns = el("ul", null, { class: "patterns" });
    for (const p of c.patterns) {
      const li = el("li");
      li.append(el("code", p));
      patterns.append(li);
    }
    tr.append(
      name,
      cell("Patterns", patterns),
      cell("Mechanism", c.mechanism === "agent_identity" ? "Agent identity" : "API key"),
      cell("Status", el("span", c.status, { class: `status ${c.status}` })),
      cell("Created", when(c.created_ms)),
      cell("Last used", when(c.last_used_ms) ?? "never"),
    );
    const actions = el("td", null, { "data-label": "Actions", class: "actions" });
    const revoked = c.status === "revoked";
    const rotate = el("button", "Rotate", { type: "button", "aria-label": `Rotate ${c.name}` });
    const revoke = el("button", "Revoke", { type: "button", class: "danger", "aria-label": `Revoke ${c.name}` });
    const auditId = `audit-${c.id}`;
    const audit = el("button", "Audit", { type: "button", "aria-expanded": "false", "aria-controls": auditId, "aria-label": `Audit of ${c.name}` });
    rotate.disabled = revoked;
    revoke.disabled = revoked;
    rotate.addEventListener("click", () => askRotate(c));
    revoke.addEventListener("click", () => askRevoke(c));
    audit.addEventListener("click", () => toggleAudit(c, audit));
    actions.append(rotate, revoke, audit);
    tr.append(actions);
    rows.append(tr);
    const auditRow = el("tr", null, { class: "audit-row", id: auditId });
    auditRow.hidden = true;
    auditRow.append(el("td", null, { colspan: "7" }));
    rows.append(auditRow);
  }
}

/** The confirm dialog: resolves with the public key field's value (or "") when confirmed, null
 * when cancelled. */
let confirmAction = null;

function confirmDialog({ title, text, ok, askKey = false, action }) {
  const d = $("confirm");
  const opener = document.activeElement;
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = ok;
  $("confirm-key-field").hidden = !askKey;
  $("confirm-key").value = "";
  $("confirm-error").textContent = "";
  confirmAction = async () => {
    const done = await action($("confirm-key").value.trim());
    if (done === true) {
      d.close();
      return;
    }
    if (typeof done === "string") $("confirm-error").textContent = done;
  };
  d.addEventListener(
    "close",
    () => {
      confirmAction = null;
      if ($("reveal").open) return;
      if (opener?.isConnected) opener.focus();
      else $("list-title").focus();
    },
    { once: true },
  );
  d.showModal();
  (askKey ? $("confirm-key") : $("confirm-cancel")).focus();
}

function askRotate(c) {
  const identity = c.mechanism === "agent_identity";
  confirmDialog({
    title: `Rotate “${c.name}”?`,
    text: identity
      ? "Give the agent's new public key. Every session of the old key ends at once."
      : "A new key is shown once. The current key is refused from its next read: update the agent right after.",
    ok: "Rotate",
    askKey: identity,
    action: async (publicKey) => {
      const a = identity
        ? await call("POST", `${api}/connections/${encodeURIComponent(c.id)}/rotate`, { public_key: publicKey })
        : await call("POST", `${api}/connections/${encodeURIComponent(c.id)}/rotate`);
      if (a.status !== 200) return lostAccess(a) || problem(a);
      $("confirm").close();
      reveal({ title: `Connection “${c.name}” rotated`, note: a.body.note, key: a.body.key, snippet: null });
      await refresh();
      return true;
    },
  });
}

function askRevoke(c) {
  confirmDialog({
    title: `Revoke “${c.name}”?`,
    text: "Its credential is refused from the next read, and this cannot be undone. Its audit stays.",
    ok: "Revoke",
    action: async () => {
      const a = await call("POST", `${api}/connections/${encodeURIComponent(c.id)}/revoke`);
      if (a.status !== 200) return lostAccess(a) || problem(a);
      $("confirm").close();
      await refresh();
      $("list-status").textContent = `“${c.name}” is revoked.`;
      $("list-title").focus();
      return true;
    },
  });
}

async function toggleAudit(c, button) {
  const row = $(`audit-${c.id}`);
  const open = button.getAttribute("aria-expanded") === "true";
  button.setAttribute("aria-expanded", String(!open));
  row.hidden = open;
  if (open) return;
  const td = row.firstChild;
  td.replaceChildren(el("p", "Loading the events…", { role: "status", class: "help" }));
  const table = el("table", null, { class: "events" });
  table.append(el("caption", `Access events of “${c.name}”, newest first`));
  const head = el("tr");
  for (const h of ["Time", "Path", "Result", "Request id", "Source IP"]) head.append(el("th", h, { scope: "col" }));
  const thead = el("thead");
  thead.append(head);
  table.append(thead);
  const body = el("tbody");
  table.append(body);
  await loadEvents(c, td, table, body, null);
}

async function loadEvents(c, td, table, body, cursor) {
  const q = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
  const a = await call("GET", `${api}/connections/${encodeURIComponent(c.id)}/audit${q}`);
  if (a.status !== 200) {
    if (!lostAccess(a)) td.replaceChildren(el("p", problem(a), { class: "error", role: "alert" }));
    return;
  }
  for (const e of a.body.events) {
    const tr = el("tr");
    const result = `${e.outcome} ${e.status}${e.reason ? ` (${e.reason})` : ""}`;
    tr.append(
      cell("Time", when(e.time_ms)),
      cell("Path", e.path ? el("code", e.path) : `${e.op}`),
      cell("Result", el("span", result, { class: `outcome ${e.outcome}` })),
      cell("Request id", el("code", e.request_id)),
      cell("Source IP", e.ip),
    );
    body.append(tr);
  }
  const parts = [table];
  if (body.children.length === 0) parts.splice(0, 1, el("p", "No events yet.", { class: "help" }));
  if (a.body.cursor) {
    const more = el("button", "More events", { type: "button" });
    more.addEventListener("click", async () => {
      more.disabled = true;
      await loadEvents(c, td, table, body, a.body.cursor);
    });
    parts.push(more);
  }
  td.replaceChildren(...parts);
}

// Wiring.

function start() {
  $("company-name").textContent = company;
  document.title = `Connections · ${company} · HQ Vault`;
  $("signin-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", () => signOut("The credential is forgotten."));
  $("enabled").addEventListener("change", toggleEnabled);
  $("create-form").addEventListener("submit", create);
  $("pattern-add").addEventListener("click", addTyped);
  $("pattern").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      addTyped();
    }
  });
  $("pattern").addEventListener("input", () => {
    $("pattern-error").textContent = "";
    $("pattern").removeAttribute("aria-invalid");
  });
  for (const b of document.querySelectorAll(".quick button")) {
    b.addEventListener("click", () => addPattern(b.dataset.pattern));
  }
  for (const r of document.querySelectorAll('input[name="mechanism"]')) {
    r.addEventListener("change", () => {
      $("public-key-field").hidden = !$("mech-identity").checked;
    });
  }
  $("copy-key").addEventListener("click", () => copy($("reveal-key").value, "Key"));
  $("copy-snippet").addEventListener("click", () => copy($("reveal-snippet").textContent, "Snippet"));
  $("reveal-done").addEventListener("click", () => $("reveal").close());
  $("reveal").addEventListener("close", forgetReveal);
  $("confirm-cancel").addEventListener("click", () => $("confirm").close());
  $("confirm-ok").addEventListener("click", async () => {
    const ok = $("confirm-ok");
    ok.disabled = true;
    await confirmAction?.();
    ok.disabled = false;
  });
  $("credential").focus();
}

start();
