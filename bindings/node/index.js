// Idiomatic wrappers over the hq:vault component (transpiled by build.mjs into gen/).
import { audit, crypto, gate, http, identity, patterns, policy, tokens } from "./gen/hq_vault_core.js";

/** An error the core reports: `code` is the WIT error case (`leading-slash`, `bad-checksum`, …). */
export class HqVaultError extends Error {
  constructor(code, message, detail) {
    super(message ?? code);
    this.code = code;
    this.detail = detail;
  }
}

function call(f) {
  try {
    return f();
  } catch (e) {
    if (e && "payload" in e) {
      const p = e.payload;
      if (typeof p === "string") throw new HqVaultError(p);
      if (p && p.tag) throw new HqVaultError(p.tag, undefined, p.val);
      throw new HqVaultError("error", p?.reason, p);
    }
    throw e;
  }
}

/** Validate and normalize an allowlist pattern (`knowledge/` → `knowledge/*`); throws HqVaultError. */
export const normalize = (raw) => call(() => patterns.normalize(raw));
/** Check a secret prefix of the local vault (strict alphabet, "" for every secret); throws HqVaultError. */
export const checkPath = (raw) => call(() => patterns.checkPath(raw));
/** Check the path of one secret of the local vault (strict alphabet); throws HqVaultError. */
export const checkKey = (raw) => call(() => patterns.checkKey(raw));
/** Check the key of one object (any UTF-8 up to 960 bytes, returned unchanged); throws HqVaultError (`too-long`, …). */
export const checkObjectKey = (raw) => call(() => patterns.checkObjectKey(raw));
/** Check a listing prefix ("" for the root); throws HqVaultError. */
export const checkObjectPrefix = (raw) => call(() => patterns.checkObjectPrefix(raw));
/**
 * What to answer for a GET/HEAD of one object: `{ tag: "not-modified" | "full" | "unsatisfiable" }` or
 * `{ tag: "partial", val: { start, end } }` (bigints). `request` holds `ifNoneMatch`, `range`, `ifRange` (strings or
 * undefined); `representation` holds `size` (bigint), `etag` (quoted), `modifiedMs` (bigint); `nowMs` is a bigint.
 */
export const readAnswer = (request, representation, nowMs) => http.answer(request, representation, nowMs);
/** Whether normalized patterns grant an object key (a byte-prefix test). */
export const allows = (pats, key) => patterns.allows(pats, key);
/** The kind of a credential (`connection-key`, `vault-token`, `session-token`); throws on a malformed one. */
export const parseToken = (token) => call(() => tokens.parse(token));
/** The reference the vault stores for a credential: lower-case hex SHA-256 of the whole string. */
export const tokenReference = (token) => tokens.reference(token);
/** Check a managed token's name (1-63 of a-z 0-9 . -, not a reserved actor); throws HqVaultError("reserved", …). */
export const checkTokenName = (name) => call(() => tokens.checkTokenName(name));
/** Verify an audit log's lines: `{ count, head }`, or throws HqVaultError("chain", reason, { line }). */
export function auditVerify(lines) {
  try {
    const [count, head] = audit.verify(lines);
    return { count: Number(count), head };
  } catch (e) {
    if (e && "payload" in e) throw new HqVaultError("chain", e.payload.reason, { line: Number(e.payload.line) });
    throw e;
  }
}

/** The raw interfaces, for everything else (see wit/vault.wit). */
export const raw = { audit, crypto, gate, http, identity, patterns, policy, tokens };
