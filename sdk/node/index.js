// hq-vault: secrets from the local HQ Vault daemon, and company files through an External
// Connection, for Node agents. No runtime dependencies; the daemon's own CA is trusted through
// node:https's `ca` option, so NODE_EXTRA_CA_CERTS is not needed (docs/design.md §6).
//
// Secrets in JavaScript are strings and buffers that cannot be wiped reliably: this module never
// logs a value or a token, never puts one in an error, and wipes the raw answer buffers it owns.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";

/** Where the home's daemon said it listens: `hq-vault serve` writes its origin to `serve.lock` at
 * every start; an address of every interface is reached on loopback. Undefined when absent. */
function servedAt(home) {
  let text;
  try {
    text = fs.readFileSync(path.join(home, "serve.lock"), "utf8").trim();
  } catch {
    return undefined;
  }
  if (!/^https:\/\/[^/\s]+$/.test(text)) return undefined;
  return text.replace("https://0.0.0.0:", "https://127.0.0.1:").replace("https://[::]:", "https://[::1]:");
}

/** Where the daemon listens unless HQ_VAULT_URL says otherwise. */
export const DEFAULT_URL = "https://127.0.0.1:13100";

const EMPTY_TOKEN =
  "HQ_VAULT_TOKEN is set but empty: the token meant for this process did not arrive (did minting it fail?). " +
  "The home's token file (the owner's token) is not used in its place: pass the token, or unset HQ_VAULT_TOKEN to use the token file";

/** An answer may take this long (ms) before the request is abandoned. */
const REQUEST_TIMEOUT_MS = 120_000;
/** A kept-alive connection idle this long (ms) is closed: the daemon closes them after 10 s. */
const IDLE_MS = 5_000;

// ---------------------------------------------------------------------------------------------
// Errors (docs/design.md §6: the daemon's status decides the class; messages say what to do)

/** Every error this package throws. `status` is the HTTP status (or null), `code` the daemon's
 * error code or this package's own (`binary`, `not_running`, …), `requestId` the daemon's. Never
 * holds a secret value or a credential. */
export class VaultError extends Error {
  constructor(message, { status = null, code = null, requestId = null, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}
/** 423: the vault is locked; a person runs `hq-vault unlock`. */
export class LockedError extends VaultError {}
/** 404: no secret at that path, no object at that key, or an empty folder. */
export class NotFoundError extends VaultError {}
/** 403: outside the token's or the connection's scope, or an owner-only operation. */
export class ForbiddenError extends VaultError {}
/** 401: no token, a malformed one, or one that expired, ran out of uses or was revoked. */
export class UnauthorizedError extends VaultError {}
/** Nothing answers at the URL: the daemon is not started (or was never set up). */
export class NotRunningError extends VaultError {}

// TLS failures that mean "this certificate is not one we trust" (OpenSSL's verify codes, and
// Node's name check).
const UNTRUSTED = /CERT|ISSUER|SELF_SIGNED|UNABLE_TO_VERIFY/;
const UNREACHABLE = new Set(["ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT"]);

function transportError(base, e, caHint) {
  if (e instanceof VaultError) return e;
  if (e.code === "ECONNREFUSED") {
    return new NotRunningError(`the daemon is not running at ${base}: start it with \`hq-vault serve\``, {
      code: "not_running",
    });
  }
  if (UNREACHABLE.has(e.code)) {
    return new NotRunningError(`cannot reach ${base} (${e.code}): start the daemon with \`hq-vault serve\`, or check the URL`, {
      code: "unreachable",
    });
  }
  if (typeof e.code === "string" && UNTRUSTED.test(e.code)) {
    return new VaultError(`the certificate of ${base} is not trusted (${e.code}): ${caHint}`, { code: "untrusted_certificate" });
  }
  if (base.startsWith("http://") && (String(e.code).startsWith("HPE_") || e.code === "ECONNRESET")) {
    return new VaultError(`${base} did not answer in HTTP: a server that speaks only HTTPS? use ${base.replace("http://", "https://")}`, {
      code: "transport",
    });
  }
  return new VaultError(`talking to ${base}: ${e.message}`, { code: "transport" });
}

/** 401 codes whose message already names the cause and the next step: no token hint is added. */
const SELF_EXPLAINED = new Set(["token_expired", "token_exhausted", "token_revoked", "wrong_passphrase", "session_expired"]);
/** 401 codes after which a cached session is renewed once. */
const RENEWABLE = new Set(["session_expired", "invalid_token"]);
/** What to do about a 401 from the daemon (the Rust client's words). */
const VAULT_HINTS = {
  401: "check HQ_VAULT_TOKEN or the token file; the daemon writes a new bootstrap token at each start",
};
/** What to do about a connection's 401 and 403. */
const CONNECTION_HINTS = {
  401: "check HQ_CONNECTION_KEY: the key `connection create` printed once, or its rotated successor",
  403: "outside the connection's patterns, or its key was rotated or revoked",
};

/** The error an answer with a non-2xx status stands for: the status picks the class, the daemon's
 * message follows `what` (a path or key, never a value), and `hints[status]` says what to do. */
function answerError(status, bytes, what, hints = {}) {
  let code = null;
  let message = null;
  let requestId = null;
  try {
    const e = JSON.parse(bytes.toString("utf8")).error;
    code = typeof e.code === "string" ? e.code : null;
    message = typeof e.message === "string" ? e.message : null;
    requestId = typeof e.request_id === "string" ? e.request_id : null;
  } catch {}
  if (status === 423) message = "the vault is locked: run `hq-vault unlock`";
  message ??= `the server answered ${status}`;
  const hint = hints[status] && !(status === 401 && SELF_EXPLAINED.has(code)) ? hints[status] : null;
  const text = `${what ? `${what}: ` : ""}${message}${hint ? ` (${hint})` : ""}`;
  const Cls = { 401: UnauthorizedError, 403: ForbiddenError, 404: NotFoundError, 423: LockedError }[status] ?? VaultError;
  return new Cls(text, { status, code, requestId });
}

// ---------------------------------------------------------------------------------------------
// HTTP

const agents = new Map();

/** One keep-alive agent per scheme and trusted CA, shared by every Vault and Connection. */
function agentFor(protocol, ca) {
  const id = `${protocol}\n${ca ?? ""}`;
  let agent = agents.get(id);
  if (!agent) {
    const options = { keepAlive: true, timeout: IDLE_MS };
    agent = protocol === "https:" ? new https.Agent(ca ? { ...options, ca } : options) : new http.Agent(options);
    agents.set(id, agent);
  }
  return agent;
}

/** Whether `url` is https on a loopback address (the local daemon). */
function isLocalHttps(url) {
  try {
    const u = new URL(url);
    return u.protocol === "https:" && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  } catch {
    return false;
  }
}

/** `text` with every credential in it (`hqvt_…`, `hqvs_…`, `hqxc_…`) cut to its kind: a token
 * given where an address or a path belongs is never repeated. */
function redact(text) {
  return text.replace(/hq(vt|vs|xc)_[A-Za-z0-9_-]*/gi, (_, kind) => `hq${kind}_…`);
}

/** `url` as messages may show it: never the user name, password, query or fragment it holds. */
function shownUrl(url) {
  return redact(String(url))
    .trim()
    .replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)?[^/?#\s]*@/, "$1…@")
    .replace(/[?#].*$/s, "?…");
}

/** Split a base URL into what node:https needs: the server's origin, `https://HOST:PORT` (or
 * `http://` for a Connection to a local Worker), and nothing after it. Paths are sent as given (no
 * dot-segment folding, so `../tokens` in a secret path reaches the daemon's check instead of
 * another route). A refused URL is named without its credentials or query. */
function endpoint(url, ca, { httpsOnly = false } = {}) {
  const shape = "it should look like https://127.0.0.1:13100 (scheme, host and port; no path)";
  const shown = shownUrl(url);
  const text = String(url).trim();
  let u;
  try {
    u = new URL(text);
  } catch {
    const why = /^[^\s/]+:\d+$/.test(shown) ? "has no https:// in front" : "is not the address of a server";
    throw new VaultError(`\`${shown}\` ${why}: ${shape}`, { code: "bad_url" });
  }
  // `127.0.0.1:13100` and `localhost:13100` parse with the host as the scheme.
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    throw new VaultError(`\`${shown}\` has no https:// in front: ${shape}`, { code: "bad_url" });
  }
  const host = redact(u.host);
  if (u.username || u.password) {
    throw new VaultError(`the address ${shown} holds a user name or password: give only ${u.protocol}//${host}`, { code: "bad_url" });
  }
  if (u.search || u.hash || /[?#]/.test(text)) {
    throw new VaultError(`\`${shown}\` has a query or fragment after the host and port: give only ${u.protocol}//${host} (the SDK adds the API's paths itself)`, { code: "bad_url" });
  }
  if (httpsOnly && u.protocol === "http:") {
    throw new VaultError(`\`${shown}\` uses http://, but the daemon speaks only HTTPS: use https://${host}`, { code: "bad_url" });
  }
  if (/\/v1\/?$/.test(u.pathname)) {
    throw new VaultError(`\`${shown}\` ends in /v1: give the server's origin only (${u.protocol}//${host}); the SDK adds /v1/…`, { code: "bad_url" });
  }
  if (u.pathname !== "/" && u.pathname !== "") {
    throw new VaultError(`\`${shown}\` has \`${redact(u.pathname)}\` after the host and port: give only ${u.protocol}//${host} (the SDK adds the API's paths itself)`, { code: "bad_url" });
  }
  return {
    base: `${u.protocol}//${host}`,
    protocol: u.protocol,
    hostname: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: u.port,
    prefix: "",
    agent: agentFor(u.protocol, ca),
  };
}

/** One request; resolves to `{status, headers, bytes}` whatever the status. A GET whose kept-alive
 * connection turns out to have been closed by the server before it answered is sent once more on
 * a new connection (as browsers do; the daemon counts a token's use only for a value delivered). */
async function send(ep, method, apiPath, options) {
  try {
    try {
      return await sendOnce(ep, method, apiPath, options);
    } catch (e) {
      if (method === "GET" && e.staleSocket) return await sendOnce(ep, method, apiPath, options);
      throw e;
    }
  } catch (e) {
    throw transportError(ep.base, e, options.caHint);
  }
}

function sendOnce(ep, method, apiPath, { headers = {}, body }) {
  const mod = ep.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({
      method,
      hostname: ep.hostname,
      port: ep.port,
      path: ep.prefix + apiPath,
      headers,
      agent: ep.agent,
    });
    let answered = false;
    req.setTimeout(REQUEST_TIMEOUT_MS, () => {
      req.destroy(new VaultError(`no answer from ${ep.base} within ${REQUEST_TIMEOUT_MS / 1000} s`, { code: "timeout" }));
    });
    req.on("error", (e) => {
      if (req.reusedSocket && !answered && (e.code === "ECONNRESET" || e.code === "EPIPE")) e.staleSocket = true;
      reject(e);
    });
    req.on("response", (res) => {
      answered = true;
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const bytes = Buffer.concat(chunks);
        for (const c of chunks) c.fill(0);
        resolve({ status: res.statusCode, headers: res.headers, bytes });
      });
    });
    req.end(body);
  });
}

/** Percent-encode every UTF-8 byte but ASCII letters, digits and `keep`. */
function percentEncode(s, keep) {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9]/.test(c) || keep.includes(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
/** A secret path in the URL, `/` kept as the separator (as the Rust client sends it). */
const encodePath = (p) => percentEncode(p, "/-_.~");
/** A query value. */
const encodeQuery = (p) => percentEncode(p, "");

/** The PEM text of a `ca` option: PEM text or bytes as given, or a path to a PEM file (what
 * HQ_VAULT_CA_CERT holds) read here. */
function caPem(ca) {
  if (ca === undefined || ca === null) return undefined;
  const text = typeof ca === "string" ? ca : Buffer.from(ca).toString("utf8");
  if (text.includes("-----BEGIN")) return text;
  return readSetting(text, "`ca` is the PEM text of the CA, or the path of its file (such as ~/.hq-vault/tls/ca.pem)");
}

/** A token or key as given, refused (without repeating it) when it holds what no credential has:
 * a space, a line break or another control character (a file read with its newline). */
function credential(value, what, shape) {
  if (value === undefined || value === null || value === "") return value;
  if (typeof value !== "string" || /[^\x21-\x7e]/.test(value)) {
    throw new UnauthorizedError(
      `the ${what} holds a space, a line break or a character no ${what} has: pass ${shape} alone (trim what was read with it)`,
      { code: "malformed_credentials" },
    );
  }
  return value;
}

function requireString(value, what) {
  if (typeof value !== "string") throw new TypeError(`${what} must be a string`);
  return value;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
/** The text of UTF-8 bytes, or undefined when they are not UTF-8. */
function text(bytes) {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Read a settings file, naming it and the fix when it cannot be read. */
function readSetting(file, hint, missing = VaultError) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    const Cls = e.code === "ENOENT" ? missing : VaultError;
    throw new Cls(`reading ${redact(String(file))}: ${e.code ?? redact(String(e.message))} (${hint})`, { code: "settings" });
  }
}

// ---------------------------------------------------------------------------------------------
// The vault

/** The home the daemon uses: `$HQ_VAULT_HOME`, or `~/.hq-vault`. */
export function defaultHome(env = process.env) {
  return env.HQ_VAULT_HOME || path.join(env.HOME || os.homedir(), ".hq-vault");
}

/** The environment variable for a secret under a folder: `myapp/db/url` under `myapp/` is
 * `DB_URL`. Every character but an ASCII letter or digit becomes `_`, letters are upper-cased,
 * and a name that would be empty or start with a digit gets a leading `_`. The same rule as
 * `hq-vault env-file` and `hq-vault run` (docs/design.md §6). */
export function envName(folder, secretPath) {
  const rest = secretPath.startsWith(folder) ? secretPath.slice(folder.length) : secretPath;
  let name = "";
  for (const c of rest) name += /^[A-Za-z0-9]$/.test(c) ? c.toUpperCase() : "_";
  if (name === "" || /^[0-9]/.test(name)) name = `_${name}`;
  return name;
}

/** A client of one daemon with explicit settings; `Vault.fromEnv()` finds them as the CLI does. */
export class Vault {
  #ep;
  #token;
  #caHint;
  #noToken;
  /** The cached login this client's token came from: `{home, identity, expiresAtMs, env}`. */
  #session;

  /**
   * @param {{url?: string, token?: string, ca?: string | Uint8Array}} [options] `url` (default
   * https://127.0.0.1:13100), `token` (an `hqvt_` vault token, or an `hqvs_` session token), `ca`
   * the PEM of the CA to trust (default: the system's roots).
   */
  constructor({ url = DEFAULT_URL, token, ca } = {}) {
    const pem = caPem(ca);
    this.#ep = endpoint(url, pem, { httpsOnly: true });
    this.#token = credential(token, "token", "an `hqvt_` or `hqvs_` token") || undefined;
    this.#caHint = pem ? "the CA given does not sign this daemon's certificate" : "pass the daemon's tls/ca.pem as `ca`";
  }

  /** Settings as the CLI finds them: HQ_VAULT_URL (default: the address the home's daemon wrote
   * to `serve.lock` at its start, else https://127.0.0.1:13100),
   * HQ_VAULT_TOKEN (default: the home's `token` file), HQ_VAULT_CA_CERT (default: the home's
   * `tls/ca.pem`; with HQ_VAULT_URL set and no home, the system's roots), the home being
   * HQ_VAULT_HOME or ~/.hq-vault. */
  static fromEnv(env = process.env) {
    const home = defaultHome(env);
    const caFile = env.HQ_VAULT_CA_CERT || path.join(home, "tls", "ca.pem");
    // A vault named by HQ_VAULT_URL with no local home (a network-mode server) is trusted
    // through the system's roots; the local default needs the home's CA.
    const remote = Boolean(env.HQ_VAULT_URL) && !env.HQ_VAULT_CA_CERT && !fs.existsSync(caFile);
    const ca = remote
      ? undefined
      : env.HQ_VAULT_CA_CERT
        ? readSetting(caFile, "check HQ_VAULT_CA_CERT")
        : readSetting(caFile, `no vault at ${home}: start it with \`hq-vault serve\` (the first start creates it), or set HQ_VAULT_HOME or HQ_VAULT_CA_CERT`, NotRunningError);
    // A set but empty HQ_VAULT_TOKEN is a token that did not arrive (an orchestrator's failed
    // mint): falling back to the home's file would read as the owner, so it is refused instead.
    const given = env.HQ_VAULT_TOKEN;
    let token = given === undefined ? undefined : given.trim();
    let sessionUrl;
    let session;
    if (given === undefined) {
      try {
        token = fs.readFileSync(path.join(home, "token"), "utf8").trim();
      } catch {
        // No token file (this home runs no daemon): the session `hq-vault login` cached, in
        // network mode (`session.json`; `hq-vault login` renews it once it has expired).
        // The session goes only to the server that issued it.
        try {
          const s = JSON.parse(fs.readFileSync(path.join(home, "session.json"), "utf8"));
          token = s.token || undefined;
          sessionUrl = String(s.url ?? "");
          if (typeof s.identity === "string") session = { home, identity: s.identity, expiresAtMs: Number(s.expires_at_ms) || 0, env };
        } catch {}
      }
    }
    const url = env.HQ_VAULT_URL || servedAt(home) || DEFAULT_URL;
    let elsewhere;
    if (sessionUrl !== undefined && sessionUrl.replace(/\/+$/, "") !== url.trim().replace(/\/+$/, "")) {
      token = undefined;
      elsewhere =
        `no token for ${url}: the session in ${path.join(home, "session.json")} was issued by ${sessionUrl}, and goes to no ` +
        `other address. Log in to this server (\`hq-vault login --identity NAME\`), or set HQ_VAULT_URL to ${sessionUrl}`;
    }
    const vault = new Vault({ url, token, ca });
    if (token && session) vault.#session = { ...session, url };
    if (given !== undefined && !token) vault.#noToken = EMPTY_TOKEN;
    else if (elsewhere) vault.#noToken = elsewhere;
    vault.#caHint = remote
      ? `the system does not trust it: set HQ_VAULT_CA_CERT to the server's CA certificate (no vault home at ${home})`
      : `set HQ_VAULT_CA_CERT to the daemon's tls/ca.pem (now ${caFile})`;
    return vault;
  }

  /** The daemon's base URL. */
  get url() {
    return this.#ep.base;
  }

  /** Log in again as the cached session's identity: `hq-vault login --identity NAME` (the CLI that
   * made the identity holds its private key; HQ_VAULT_BIN names another binary), then the new
   * session from `session.json`. An `UnauthorizedError` (code `session_renewal_failed`) says why
   * it could not be renewed. */
  async #renew() {
    const s = this.#session;
    const bin = s.env.HQ_VAULT_BIN || "hq-vault";
    // Run without blocking the event loop; only the last line of its error output is kept (a
    // binary that is not hq-vault could print anything).
    const r = await new Promise((resolve) => {
      let stderr = "";
      let child;
      try {
        child = spawn(bin, ["login", "--identity", s.identity], {
          env: { ...s.env, HQ_VAULT_HOME: s.home, HQ_VAULT_URL: s.url },
          stdio: ["ignore", "ignore", "pipe"],
          timeout: REQUEST_TIMEOUT_MS,
        });
      } catch (error) {
        resolve({ error });
        return;
      }
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (d) => {
        stderr = (stderr + d).slice(-4096);
      });
      child.on("error", (error) => resolve({ error }));
      child.on("close", (status) => resolve({ status, stderr }));
    });
    let renewed;
    try {
      renewed = r.status === 0 ? JSON.parse(fs.readFileSync(path.join(s.home, "session.json"), "utf8")) : undefined;
    } catch {}
    if (!renewed?.token) {
      const last = (r.stderr || "").trim().split("\n").pop().slice(0, 300);
      const why = r.error ? `${bin} could not be run (${r.error.code ?? r.error.message}; set HQ_VAULT_BIN to the hq-vault binary)` : last;
      throw new UnauthorizedError(
        `the session of \`${s.identity}\` has expired and could not be renewed: ${why || `${bin} login failed`}`,
        { code: "session_renewal_failed" },
      );
    }
    this.#token = renewed.token;
    s.expiresAtMs = Number(renewed.expires_at_ms) || 0;
  }

  async #call(method, apiPath, { body, what, renewed = false } = {}) {
    // A cached session that has expired, or will within a minute, is renewed before it is sent.
    if (this.#session && !renewed && this.#session.expiresAtMs <= Date.now() + 60_000) {
      await this.#renew();
      renewed = true;
    }
    if (!this.#token) {
      throw this.#noToken === EMPTY_TOKEN
        ? new UnauthorizedError(EMPTY_TOKEN, { code: "empty_token" })
        : this.#noToken
          ? new UnauthorizedError(this.#noToken, { code: "no_token" })
          : new UnauthorizedError(
            "no token: set HQ_VAULT_TOKEN, or start the daemon with `hq-vault serve` so it writes the token file",
            { code: "no_token" },
          );
    }
    const headers = { authorization: `Bearer ${this.#token}` };
    let payload;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["content-type"] = "application/json";
    }
    const r = await send(this.#ep, method, apiPath, { headers, body: payload, caHint: this.#caHint });
    if (r.status < 200 || r.status > 299) {
      const e = answerError(r.status, r.bytes, what, VAULT_HINTS);
      // The cached session refused (expired early, or the server no longer knows it): log in
      // again once, then send the request again.
      if (this.#session && !renewed && r.status === 401 && RENEWABLE.has(e.code)) {
        await this.#renew();
        return this.#call(method, apiPath, { body, what, renewed: true });
      }
      throw e;
    }
    let json;
    try {
      json = JSON.parse(r.bytes.toString("utf8"));
    } catch {
      throw new VaultError(`the answer of ${this.#ep.base} is not JSON`, { status: r.status, code: "bad_answer" });
    } finally {
      r.bytes.fill(0);
    }
    return json;
  }

  /** `GET /v1/health`: `{status, locked, version, idle_lock_seconds}` (no token needed). */
  async health() {
    const r = await send(this.#ep, "GET", "/v1/health", { caHint: this.#caHint });
    if (r.status !== 200) throw answerError(r.status, r.bytes);
    return JSON.parse(r.bytes.toString("utf8"));
  }

  /** A secret's value as text. A value that is not UTF-8 text is a `VaultError` with code
   * `binary` (read it with `getSecretBytes`). */
  async getSecret(secretPath) {
    requireString(secretPath, "the secret's path");
    const body = await this.#call("GET", `/v1/secrets/${encodePath(secretPath)}`, { what: secretPath });
    if (typeof body.value === "string") return body.value;
    if (typeof body.value_base64 === "string") {
      throw new VaultError(`${secretPath} is binary (${body.size} bytes), not text: read it with getSecretBytes`, {
        status: 200,
        code: "binary",
      });
    }
    throw new VaultError(`the answer for ${secretPath} has no value`, { status: 200, code: "bad_answer" });
  }

  /** A secret's value as bytes, whatever they are. */
  async getSecretBytes(secretPath) {
    requireString(secretPath, "the secret's path");
    const body = await this.#call("GET", `/v1/secrets/${encodePath(secretPath)}`, { what: secretPath });
    if (typeof body.value === "string") return Buffer.from(body.value, "utf8");
    if (typeof body.value_base64 === "string") return Buffer.from(body.value_base64, "base64");
    throw new VaultError(`the answer for ${secretPath} has no value`, { status: 200, code: "bad_answer" });
  }

  /** The folder the daemon listed (`myapp` and `myapp/` are both `myapp/`; empty: every secret)
   * and its secrets' metadata, never their values. */
  async list(prefix = "") {
    requireString(prefix, "the prefix");
    const body = await this.#call("GET", `/v1/secrets?prefix=${encodeQuery(prefix)}`, { what: prefix || undefined });
    return { prefix: body.prefix, secrets: body.secrets, scoped: body.scoped === true };
  }

  /** The secrets of a folder as environment variables (`myapp/database-url` → `DATABASE_URL`, see
   * `envName`), sorted by name. Refused, as by `hq-vault env-file`: an empty folder
   * (`NotFoundError`), a value holding NUL or not UTF-8, two paths that map to one name. */
  async getEnv(prefix) {
    requireString(prefix, "the prefix");
    const { prefix: folder, secrets, scoped } = await this.list(prefix);
    if (secrets.length === 0) {
      throw new NotFoundError(
        scoped
          ? `no secrets under \`${folder}\` that this token may read (a managed token sees only the folders of its prefix; ask the vault owner for one that covers this folder)`
          : `no secrets under \`${folder}\` (a prefix is a folder: \`myapp\` means \`myapp/\`): see \`hq-vault list\``,
        { code: "empty_folder" },
      );
    }
    const values = new Map();
    for (const s of secrets) {
      const value = await this.getSecretBytes(s.path);
      if (value.includes(0)) {
        throw new VaultError(`${s.path} holds a NUL byte, which no environment variable can carry`, { code: "env" });
      }
      const name = envName(folder, s.path);
      if (values.has(name)) {
        throw new VaultError(`two secrets under ${folder} map to the variable ${name}: rename one`, { code: "env" });
      }
      values.set(name, value);
    }
    const env = {};
    for (const name of [...values.keys()].sort()) {
      const value = text(values.get(name));
      values.get(name).fill(0);
      if (value === undefined) {
        throw new VaultError(`${name} is binary; environment variables must be text`, { code: "env" });
      }
      env[name] = value;
    }
    return env;
  }

  /** Mint a managed token (owner only): `name` for audit lines (lower-case a-z, 0-9, `.`, `-`),
   * optional `ttl` (`90s`, `15m`, `1h`, `7d`), `max_uses` (secret reads), `prefix` (a folder or a
   * list of folders it may read). Resolves to `{name, token, expires_at_ms, max_uses, scope}`;
   * `token` is a getter, so logging or inspecting the result does not print it. */
  async createToken({ name, ttl, max_uses, prefix } = {}) {
    requireString(name, "the token's name");
    const scope = prefix === undefined || prefix === null ? [] : Array.isArray(prefix) ? prefix : [prefix];
    const body = await this.#call("POST", "/v1/tokens", {
      body: { name, ttl: ttl ?? null, max_uses: max_uses ?? null, prefix: scope },
      what: `token ${name}`,
    });
    return new CreatedToken(body);
  }
}

/** A token `createToken` minted. Its value is read through `token`, a getter of the class: no
 * own property holds it, so `console.log`, `util.inspect` (even with `showHidden`) and
 * `JSON.stringify` never show it. */
class CreatedToken {
  #token;
  constructor(body) {
    this.name = body.name;
    this.expires_at_ms = body.expires_at_ms;
    this.max_uses = body.max_uses;
    this.scope = body.scope;
    this.#token = body.token;
  }

  /** The `hqvt_` token, shown once: pass it to the worker as HQ_VAULT_TOKEN. */
  get token() {
    return this.#token;
  }
}

/** A secret's value as text, with the settings `Vault.fromEnv()` finds (HQ_VAULT_TOKEN, …). */
export async function getSecret(secretPath) {
  return Vault.fromEnv().getSecret(secretPath);
}

/** A secret's value as bytes, with the settings `Vault.fromEnv()` finds. */
export async function getSecretBytes(secretPath) {
  return Vault.fromEnv().getSecretBytes(secretPath);
}

/** A folder's secrets as environment variables, with the settings `Vault.fromEnv()` finds. */
export async function getEnv(prefix) {
  return Vault.fromEnv().getEnv(prefix);
}

/** Mint a managed token with the settings `Vault.fromEnv()` finds (the owner's token). */
export async function createToken(options) {
  return Vault.fromEnv().createToken(options);
}

// ---------------------------------------------------------------------------------------------
// External Connections (docs/design.md §3.2)

/** A reader of company files through an External Connection (the daemon's or the Worker's). */
export class Connection {
  #ep;
  #key;
  #pageSize;
  #caHint;

  /**
   * @param {{url: string, key: string, ca?: string | Uint8Array, pageSize?: number}} options the
   * connection's base URL, its `hqxc_` key (or an `hqvs_` session token), the PEM of the CA to
   * trust (default: the system's roots, as for the hosted Worker), and the page size of listings
   * (1-1000; the server's default is 1000).
   */
  constructor({ url, key, ca, pageSize } = {}) {
    requireString(url, "the connection's url");
    requireString(key, "the connection's key");
    const pem = caPem(ca);
    this.#ep = endpoint(url, pem);
    this.#key = credential(key, "key", "the `hqxc_` key (or an `hqvs_` session token)");
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 1000)) {
      throw new RangeError("pageSize must be an integer from 1 to 1000");
    }
    this.#pageSize = pageSize;
    this.#caHint = pem ? "the CA given does not sign this server's certificate" : "pass the daemon's tls/ca.pem as `ca`";
  }

  /** The connection's base URL. */
  get url() {
    return this.#ep.base;
  }

  /** HQ_CONNECTION_URL and HQ_CONNECTION_KEY; HQ_CONNECTION_CA_CERT to trust a local daemon's
   * certificate (default: the system's roots). */
  static fromEnv(env = process.env) {
    for (const name of ["HQ_CONNECTION_URL", "HQ_CONNECTION_KEY"]) {
      if (!env[name]) throw new VaultError(`${name} is not set`, { code: "missing_setting" });
    }
    // A connection of the local daemon (https on a loopback address) is trusted through the home's
    // CA, as `Vault.fromEnv()` trusts the daemon; any other server through the system's roots.
    let caFile = env.HQ_CONNECTION_CA_CERT;
    if (!caFile && isLocalHttps(env.HQ_CONNECTION_URL)) {
      const homeCa = path.join(defaultHome(env), "tls", "ca.pem");
      if (fs.existsSync(homeCa)) caFile = homeCa;
    }
    const ca = caFile ? readSetting(caFile, "check HQ_CONNECTION_CA_CERT") : undefined;
    const c = new Connection({ url: env.HQ_CONNECTION_URL, key: env.HQ_CONNECTION_KEY.trim(), ca });
    c.#caHint = caFile ? `the CA in ${caFile} does not sign it: set HQ_CONNECTION_CA_CERT to the daemon's tls/ca.pem` : "set HQ_CONNECTION_CA_CERT to the daemon's tls/ca.pem";
    return c;
  }

  async #get(apiPath, what) {
    const headers = { authorization: `Bearer ${this.#key}` };
    const r = await send(this.#ep, "GET", apiPath, { headers, caHint: this.#caHint });
    if (r.status !== 200) throw answerError(r.status, r.bytes, what, CONNECTION_HINTS);
    return r.bytes;
  }

  /** Every granted object under `prefix` (`{key, size, etag, uploaded}`), following the cursor
   * across pages. */
  async list(prefix = "") {
    requireString(prefix, "the prefix");
    const out = [];
    let cursor = null;
    for (;;) {
      let q = `/v1/connections/files?path=${encodeQuery(prefix)}`;
      if (this.#pageSize !== undefined) q += `&limit=${this.#pageSize}`;
      if (cursor !== null) q += `&cursor=${encodeQuery(cursor)}`;
      const page = JSON.parse((await this.#get(q, prefix || undefined)).toString("utf8"));
      out.push(...page.objects);
      if (page.truncated !== true || typeof page.cursor !== "string") return out;
      if (page.cursor === cursor) {
        throw new VaultError(`the server repeated the cursor of ${prefix}: stopped listing`, { code: "bad_answer" });
      }
      cursor = page.cursor;
    }
  }

  /** One object's bytes, or its text with `encoding` `"utf8"` (a `VaultError` with code
   * `binary` when the object is not UTF-8). */
  async get(key, encoding) {
    requireString(key, "the key");
    if (encoding !== undefined && encoding !== "utf8" && encoding !== "utf-8") {
      throw new TypeError('encoding must be "utf8" (text) or omitted (bytes)');
    }
    const bytes = await this.#get(`/v1/connections/files/object?path=${encodeQuery(key)}`, key);
    if (encoding === undefined) return bytes;
    const value = text(bytes);
    if (value === undefined) {
      throw new VaultError(`${key} is not UTF-8 text: call get(key) for its bytes`, { status: 200, code: "binary" });
    }
    return value;
  }
}
