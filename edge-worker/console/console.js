// The Connections console (docs/console.md): a page over the Worker's lifecycle API. Every
// decision (who may, which pattern is valid, what is audited) is the Worker's, through the core:
// the page only shows what the API answers. The admin credential lives in this module's memory,
// goes out only as an Authorization header, and is never written to storage, a cookie or a URL.

// The Worker serves this page only under a company id (lower-case letters, digits, `_`, `-`).
const company = location.pathname.split("/")[2] ?? "";
const api = `/v1/companies/${company}`;
const $ = (id) => document.getElementById(id);

/** The admin credential, for this tab's life only. */
let credential = null;
/** Normalized patterns of the create form, in the order added. */
let chips = [];
/** Which create form a pattern check belongs to: bumped when the form is reset, so that a check
 * answered after a create does not add its chip to the next form. */
let formGeneration = 0;
/** Pattern checks still waiting for their answer: Create waits for them. */
let checksPending = 0;
/** A create request is waiting for its answer: the form takes nothing meanwhile. */
let creating = false;
/** The connections as last listed (the filter redraws from them). */
let listed = [];

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

/** A sentence's first letter in upper case (the API's notes start in lower case). */
const sentence = (text) => (text ? text[0].toUpperCase() + text.slice(1) : "");

// Sign in and out.

async function signIn(event) {
  event.preventDefault();
  const input = $("credential");
  // A pasted `Bearer hqvt_…` is taken as the credential it carries.
  const value = input.value
    .trim()
    .replace(/^authorization:\s*/i, "")
    .replace(/^bearer\s+/i, "")
    .replace(/^(["'])(.*)\1$/, "$2");
  const error = $("signin-error");
  if (!value) {
    error.textContent = "Enter the admin credential.";
    input.focus();
    return;
  }
  // An HTTP header carries visible ASCII only: a zero-width space or a non-ASCII letter pasted
  // with the credential would make the browser refuse the request before it leaves.
  if (!/^[\x21-\x7e]+$/.test(value)) {
    error.textContent =
      "The credential has a character that cannot be sent (a space, an invisible or a non-ASCII character): copy it again from where it was issued.";
    input.focus();
    return;
  }
  credential = value;
  input.value = "";
  error.textContent = "";
  const a = await call("GET", `${api}/connections`);
  if (a.status !== 200) {
    credential = null;
    error.textContent =
      a.status === 404
        ? `This credential does not open the connections of “${company}”: it is not an owner's or admin's of this company. The API answered ${problem(a)}`
        : problem(a);
    input.focus();
    return;
  }
  // Everything is drawn before the console shows, so that no one acts on a half-drawn page.
  showList(a.body.connections);
  await showSettings();
  resetCreate();
  $("signin").hidden = true;
  $("console").hidden = false;
  $("sign-out").hidden = false;
  $("name").focus();
}

function signOut(message = "") {
  credential = null;
  chips = [];
  $("rows").replaceChildren();
  $("console").hidden = true;
  $("sign-out").hidden = true;
  $("signin").hidden = false;
  $("disabled-banner").hidden = true;
  $("signin-error").textContent = message;
  $("credential").focus();
}

// The company switch (owners only).

/** Admins and owners see when the company's connections are switched off; owners get the switch. */
function showEnabled(enabled) {
  $("disabled-banner").hidden = enabled;
  $("enabled").checked = enabled;
}

async function showSettings() {
  const a = await call("GET", `${api}/settings`);
  if (a.status !== 200) return;
  $("settings").hidden = a.body.role !== "owner";
  showEnabled(a.body.connections_enabled);
}

/** The switch's request in flight: a change meanwhile is undone (the checkbox keeps the focus). */
let switchBusy = false;

async function toggleEnabled() {
  const box = $("enabled");
  if (switchBusy) {
    box.checked = !box.checked;
    return;
  }
  switchBusy = true;
  box.setAttribute("aria-busy", "true");
  const a = await call("PUT", `${api}/settings`, { connections_enabled: box.checked });
  switchBusy = false;
  box.removeAttribute("aria-busy");
  if (a.status === 200) {
    $("enabled-error").textContent = "";
    showEnabled(a.body.connections_enabled);
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
  // A create is on its way with the chips it was given: nothing is added to it now.
  if (creating) return false;
  const generation = formGeneration;
  checksPending++;
  $("create-submit").disabled = true;
  const a = await call("POST", `${api}/patterns/check`, { patterns: [raw] });
  checksPending--;
  if (checksPending === 0 && !creating) $("create-submit").disabled = false;
  // The form this check was for is gone (a create reset it): its answer has no place.
  if (generation !== formGeneration) return false;
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
  $("pattern-status").textContent = `Added ${v.pattern}.`;
  return true;
}

async function addTyped() {
  const input = $("pattern");
  const typed = input.value;
  // What was typed while the check ran stays.
  if ((await addPattern(typed)) && input.value === typed) input.value = "";
  input.focus();
}

function resetCreate() {
  formGeneration++;
  $("create-form").reset();
  $("permission").value = "read";
  $("public-key-field").hidden = true;
  $("pattern-error").textContent = "";
  $("pattern-status").textContent = "";
  $("create-error").textContent = "";
  for (const id of ["name", "pattern", "public-key"]) $(id).removeAttribute("aria-invalid");
  // `knowledge/*` is the safe default the form opens with.
  chips = ["knowledge/*"];
  showChips();
}

/** The create form's controls that take input (disabled while a create runs). */
const createControls = () => [...$("create-form").querySelectorAll("input:not([readonly]), button")];

/** The field a refused create's error code points at. */
function faultyField(code) {
  if (code === "bad_name" || code === "name_taken") return $("name");
  if (code === "bad_mechanism" && $("mech-identity").checked) return $("public-key");
  if (code === "bad_patterns") return $("pattern");
  return $("create-submit");
}

async function create(event) {
  event.preventDefault();
  if (creating) return;
  const error = $("create-error");
  const name = $("name").value;
  if (name.trim() === "") {
    error.textContent = "Give the connection a name.";
    $("name").focus();
    return;
  }
  // A pattern typed but not yet added is added now, or the create stops on its reason: the
  // connection never gets a scope other than the one on the screen.
  const pending = $("pattern").value;
  if (pending !== "") {
    if (!(await addPattern(pending))) {
      error.textContent = "The pattern in the input is not added: see the reason under it, then mend or clear it.";
      $("pattern").focus();
      return;
    }
    $("pattern").value = "";
  }
  if (chips.length === 0) {
    error.textContent = "Add at least one allowed prefix.";
    $("pattern").focus();
    return;
  }
  const mechanism = $("mech-identity").checked ? "agent_identity" : "api_key";
  const body = { name, patterns: chips, mechanism };
  if (mechanism === "agent_identity") body.public_key = $("public-key").value.trim();
  creating = true;
  const controls = createControls();
  for (const c of controls) c.disabled = true;
  $("create-status").textContent = "Creating…";
  const a = await call("POST", `${api}/connections`, body);
  creating = false;
  for (const c of controls) c.disabled = false;
  $("create-status").textContent = "";
  if (a.status !== 201) {
    if (lostAccess(a)) return;
    error.textContent = problem(a);
    // The keyboard goes to the field at fault, marked as such.
    const field = faultyField(a.body?.error?.code);
    if (field.tagName === "INPUT") field.setAttribute("aria-invalid", "true");
    field.focus();
    return;
  }
  error.textContent = "";
  reveal({
    title: `Connection “${a.body.connection.name}” created`,
    note: a.body.note,
    key: a.body.key,
    snippet: a.body.snippet,
    returnTo: () => $("name"),
  });
  resetCreate();
  await refresh();
}

// Reveal once.

/** Where the keyboard goes when the reveal dialog closes: a function, as the control may be
 * redrawn meanwhile (the list is refreshed after a rotate). */
let revealReturn = null;

function reveal({ title, note, key, snippet, returnTo }) {
  revealReturn = returnTo;
  $("reveal-title").textContent = title;
  $("reveal-note").textContent = sentence(note ?? "");
  $("reveal-key-field").hidden = !key;
  $("reveal-key").value = key ?? "";
  $("reveal-snippet-field").hidden = !snippet;
  $("reveal-snippet").textContent = snippet ?? "";
  $("copy-status").textContent = "";
  // Only a key is shown once; an agent identity's snippet and notes are no secret.
  $("reveal-once").hidden = !key;
  $("reveal-done").textContent = key ? "I have copied it: close" : "Close";
  $("reveal").showModal();
  (key ? $("copy-key") : snippet ? $("copy-snippet") : $("reveal-done")).focus();
}

/** The value leaves the page: called as the dialog is dismissed (its button, or Escape's `cancel`),
 * before it closes, so that no closed dialog ever holds it; and again when it has closed. */
function forgetValues() {
  $("reveal-key").value = "";
  $("reveal-snippet").textContent = "";
  $("reveal-note").textContent = "";
  $("copy-status").textContent = "";
}

/** The dialog closed: nothing of the value is left, and the keyboard goes back to the page. */
function forgetReveal() {
  forgetValues();
  const back = revealReturn?.();
  revealReturn = null;
  (back?.isConnected ? back : $("main-title")).focus();
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
  // The switch may have been turned meanwhile (another tab, another owner).
  if (credential) await showSettings();
}

/** When the connection was made, and last rotated if it was. */
function created(c) {
  const span = el("span");
  span.append(when(c.created_ms));
  if (c.rotated_ms) {
    const rotated = el("span", null, { class: "help" });
    rotated.append("rotated ", when(c.rotated_ms));
    span.append(el("br"), rotated);
  }
  return span;
}

function cell(label, content) {
  const td = el("td", null, { "data-label": label });
  if (content instanceof Node) td.append(content);
  else td.textContent = content;
  return td;
}

function showList(connections) {
  listed = connections;
  const rows = $("rows");
  rows.replaceChildren();
  const needle = $("filter").value.trim().toLowerCase();
  const shown = connections.filter((c) => !needle || c.name.toLowerCase().includes(needle) || c.id.includes(needle));
  const count = (n) => `${n} connection${n === 1 ? "" : "s"}`;
  $("list-status").textContent =
    connections.length === 0
      ? "No connections yet."
      : needle
        ? `${count(shown.length)} of ${connections.length} match “${needle}”.`
        : `${count(connections.length)}.`;
  // Newest first.
  for (const c of [...shown].sort((x, y) => y.created_ms - x.created_ms)) {
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
      cell("Created", created(c)),
      cell("Last used", when(c.last_used_ms) ?? "never"),
    );
    const actions = el("td", null, { "data-label": "Actions", class: "actions" });
    const revoked = c.status === "revoked";
    const rotate = el("button", "Rotate", { type: "button", "data-action": "Rotate", "aria-label": `Rotate ${c.name}` });
    const revoke = el("button", "Revoke", { type: "button", class: "danger", "data-action": "Revoke", "aria-label": `Revoke ${c.name}` });
    const auditId = `audit-${c.id}`;
    const audit = el("button", "Audit", {
      type: "button",
      "data-action": "Audit",
      "aria-expanded": "false",
      "aria-controls": auditId,
      "aria-label": `Audit of ${c.name}`,
    });
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

/** The confirm dialog's action (run by its OK button), and whether it is running: once confirmed,
 * the request cannot be called back, so Cancel and Escape wait for its answer. */
let confirmAction = null;
let confirmBusy = false;

/** The row's button `label` ("Rotate", "Revoke", "Audit") of connection `c`, as drawn now. */
const rowButton = (c, label) => document.querySelector(`#rows tr[data-id="${c.id}"] button[data-action="${label}"]`);

function confirmDialog({ title, text, ok, busy, askKey = false, action, c }) {
  const d = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = ok;
  $("confirm-key-field").hidden = !askKey;
  $("confirm-key").value = "";
  $("confirm-key").removeAttribute("aria-invalid");
  $("confirm-error").textContent = "";
  $("confirm-status").textContent = "";
  // Where the keyboard goes after the dialog, unless an action moved it: the row's button that
  // opened it (the row is drawn anew after a change).
  let focusAfter = () => rowButton(c, ok);
  confirmAction = async () => {
    confirmBusy = true;
    $("confirm-cancel").disabled = true;
    $("confirm-ok").disabled = true;
    $("confirm-status").textContent = busy;
    $("confirm-error").textContent = "";
    const done = await action($("confirm-key").value.trim());
    if (done.error) {
      $("confirm-error").textContent = done.error;
      // The connection may have changed elsewhere (revoked in another tab): show it as it is.
      await refresh();
    }
    confirmBusy = false;
    $("confirm-cancel").disabled = false;
    $("confirm-ok").disabled = false;
    $("confirm-status").textContent = "";
    if (done.focus) focusAfter = done.focus;
    if (done.ok) {
      d.close();
    } else if (askKey && done.code === "bad_mechanism") {
      // A key that was refused: back to it, marked.
      $("confirm-key").setAttribute("aria-invalid", "true");
      $("confirm-key").focus();
    } else {
      // Another refusal (a connection revoked meanwhile): the way out.
      $("confirm-cancel").focus();
    }
  };
  d.addEventListener(
    "close",
    () => {
      confirmAction = null;
      if ($("reveal").open) return;
      const back = focusAfter();
      (back?.isConnected && !back.disabled ? back : $("list-title")).focus();
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
    busy: "Rotating…",
    askKey: identity,
    c,
    action: async (publicKey) => {
      const a = identity
        ? await call("POST", `${api}/connections/${encodeURIComponent(c.id)}/rotate`, { public_key: publicKey })
        : await call("POST", `${api}/connections/${encodeURIComponent(c.id)}/rotate`);
      if (a.status !== 200) return lostAccess(a) ? { ok: true } : { error: problem(a), code: a.body?.error?.code };
      await refresh();
      $("confirm").close();
      reveal({
        title: `Connection “${c.name}” rotated`,
        note: a.body.note,
        key: a.body.key,
        snippet: null,
        returnTo: () => rowButton(c, "Rotate"),
      });
      return { ok: true };
    },
  });
}

function askRevoke(c) {
  confirmDialog({
    title: `Revoke “${c.name}”?`,
    text: "Its credential is refused from the next read, and this cannot be undone. Its audit stays.",
    ok: "Revoke",
    busy: "Revoking…",
    c,
    action: async () => {
      const a = await call("POST", `${api}/connections/${encodeURIComponent(c.id)}/revoke`);
      if (a.status !== 200) return lostAccess(a) ? { ok: true } : { error: problem(a) };
      await refresh();
      $("list-status").textContent = `“${c.name}” is revoked.`;
      // Its Rotate and Revoke are disabled now: the keyboard goes to its Audit.
      return { ok: true, focus: () => rowButton(c, "Audit") };
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
  const table = el("table", null, { class: "events", tabindex: "-1" });
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

/** Load a page of `c`'s events into `body` (after `cursor`). The More button stays the same
 * element while there is more, so the keyboard stays on it; at the end the table takes the focus. */
async function loadEvents(c, td, table, body, cursor, more = null) {
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
  if (more) {
    // A page loaded with More: keep the button while there is more, else hand the focus on.
    if (a.body.cursor) {
      more.dataset.cursor = a.body.cursor;
      more.disabled = false;
      more.focus();
    } else {
      more.remove();
      table.focus();
    }
    return;
  }
  const parts = [body.children.length === 0 ? el("p", "No events yet.", { class: "help" }) : table];
  if (a.body.cursor) {
    const button = el("button", "More events", { type: "button", "data-cursor": a.body.cursor });
    button.addEventListener("click", async () => {
      button.disabled = true;
      await loadEvents(c, td, table, body, button.dataset.cursor, button);
    });
    parts.push(button);
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
  $("reveal-done").addEventListener("click", () => {
    forgetValues();
    $("reveal").close();
  });
  $("reveal").addEventListener("cancel", forgetValues);
  $("reveal").addEventListener("close", forgetReveal);
  $("confirm-cancel").addEventListener("click", () => $("confirm").close());
  $("confirm-key").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      if (!confirmBusy) confirmAction?.();
    }
  });
  $("filter").addEventListener("input", () => showList(listed));
  // Escape while a confirmed action runs: its answer is awaited, not abandoned.
  $("confirm").addEventListener("cancel", (e) => {
    if (confirmBusy) e.preventDefault();
  });
  $("confirm-ok").addEventListener("click", () => {
    if (!confirmBusy) confirmAction?.();
  });
  $("credential").focus();
}

start();
