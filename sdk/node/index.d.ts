// Types of the `hq-vault` package (index.js). No Node type package is needed to use them.

/** Where the daemon listens unless HQ_VAULT_URL says otherwise: `https://127.0.0.1:13100`. */
export declare const DEFAULT_URL: string;

/** The fields every error of this package carries. Never holds a secret value or a credential. */
export interface VaultErrorFields {
  /** The HTTP status of the answer, or null when there was none. */
  status?: number | null;
  /** The daemon's error code (`not_found`, `token_expired`, …) or this package's own
   * (`not_running`, `unreachable`, `untrusted_certificate`, `binary`, `env`, `empty_folder`,
   * `no_token`, `empty_token`, `settings`, `missing_setting`, `timeout`, `transport`, `bad_answer`, `bad_url`). */
  code?: string | null;
  /** The daemon's request id, to find the audit line. */
  requestId?: string | null;
  cause?: unknown;
}

/** Every error this package throws. */
export declare class VaultError extends Error {
  constructor(message: string, fields?: VaultErrorFields);
  readonly status: number | null;
  readonly code: string | null;
  readonly requestId: string | null;
}
/** 423: the vault is locked; a person runs `hq-vault unlock`. */
export declare class LockedError extends VaultError {}
/** 404: no secret at that path, no object at that key, or an empty folder (`getEnv`). */
export declare class NotFoundError extends VaultError {}
/** 403: outside the token's or the connection's scope, or an owner-only operation. */
export declare class ForbiddenError extends VaultError {}
/** 401: no token, a malformed one, or one that expired, ran out of uses or was revoked. */
export declare class UnauthorizedError extends VaultError {}
/** Nothing answers at the URL, or there is no vault home: start it with `hq-vault serve`. */
export declare class NotRunningError extends VaultError {}

/** The environment the settings are read from (`process.env` by default). */
export type Env = Record<string, string | undefined>;

/** The home the daemon uses: `$HQ_VAULT_HOME`, or `~/.hq-vault`. */
export declare function defaultHome(env?: Env): string;

/** The environment variable for a secret under a folder: `myapp/db/url` under `myapp/` is
 * `DB_URL` (the rule of `hq-vault env-file` and `hq-vault run`). */
export declare function envName(folder: string, secretPath: string): string;

/** A secret's metadata as listings show it (never its value). */
export interface SecretInfo {
  path: string;
  /** Bytes. */
  size: number;
  type: string | null;
  description: string | null;
  /** Milliseconds since the Unix epoch. */
  created_ms: number;
  /** Milliseconds since the Unix epoch. */
  updated_ms: number;
}

/** A listed folder: `myapp` and `myapp/` are both `myapp/`; empty lists every secret. */
export interface SecretList {
  prefix: string;
  secrets: SecretInfo[];
  /** Whether the token has a prefix scope, so only its part of the folder is shown. */
  scoped: boolean;
}

/** What `createToken` sends: the fields of `POST /v1/tokens`. */
export interface CreateTokenOptions {
  /** Shown as the actor in audit lines: 1-63 of lower-case a-z, 0-9, `.`, `-`. */
  name: string;
  /** Time to live: `90s`, `15m`, `1h`, `7d`. */
  ttl?: string | null;
  /** Most secret reads it may make. */
  max_uses?: number | null;
  /** The folder (or folders) it may read: `aws` means `aws/`. */
  prefix?: string | string[] | null;
}

/** A minted managed token. `token` is not enumerable: logging the object does not print it. */
export interface CreatedToken {
  name: string;
  /** The `hqvt_` token, shown once: pass it to the worker as HQ_VAULT_TOKEN. */
  readonly token: string;
  /** Milliseconds since the Unix epoch, or null without a TTL. */
  expires_at_ms: number | null;
  max_uses: number | null;
  /** The normalized patterns (`aws/*`), empty for every secret. */
  scope: string[];
}

/** `GET /v1/health`. */
export interface Health {
  status: string;
  locked: boolean;
  version: string;
  /** `null`: no idle lock (`serve --idle-lock off`, network mode's default). */
  idle_lock_seconds: number | null;
}

/** Explicit settings of a `Vault`. */
export interface VaultOptions {
  /** Default `https://127.0.0.1:13100`. */
  url?: string;
  /** An `hqvt_` vault token or an `hqvs_` session token. */
  token?: string;
  /** PEM of the CA to trust (the daemon's `tls/ca.pem`); default: the system's roots. */
  ca?: string | Uint8Array;
}

/** A client of one daemon. */
export declare class Vault {
  constructor(options?: VaultOptions);
  /** HQ_VAULT_URL, HQ_VAULT_TOKEN (else the home's `token` file), HQ_VAULT_CA_CERT (else the
   * home's `tls/ca.pem`); the home is HQ_VAULT_HOME or `~/.hq-vault`. */
  static fromEnv(env?: Env): Vault;
  /** The daemon's base URL. */
  readonly url: string;
  health(): Promise<Health>;
  /** A secret as text; a value that is not UTF-8 rejects with a `VaultError` of code `binary`. */
  getSecret(path: string): Promise<string>;
  /** A secret as bytes, whatever they are. */
  getSecretBytes(path: string): Promise<Uint8Array>;
  /** A folder's secrets, metadata only. */
  list(prefix?: string): Promise<SecretList>;
  /** A folder's secrets as environment variables (`myapp/database-url` → `DATABASE_URL`). */
  getEnv(prefix: string): Promise<Record<string, string>>;
  /** Mint a managed token (owner only). */
  createToken(options: CreateTokenOptions): Promise<CreatedToken>;
}

/** A secret as text, with the settings `Vault.fromEnv()` finds. */
export declare function getSecret(path: string): Promise<string>;
/** A secret as bytes, with the settings `Vault.fromEnv()` finds. */
export declare function getSecretBytes(path: string): Promise<Uint8Array>;
/** A folder's secrets as environment variables, with the settings `Vault.fromEnv()` finds. */
export declare function getEnv(prefix: string): Promise<Record<string, string>>;
/** Mint a managed token with the settings `Vault.fromEnv()` finds (the owner's token). */
export declare function createToken(options: CreateTokenOptions): Promise<CreatedToken>;

/** An object as a connection lists it. */
export interface ObjectInfo {
  /** The key to pass to `get`. */
  key: string;
  /** Bytes. */
  size: number;
  etag: string;
  /** An HTTP date. */
  uploaded: string;
}

/** Settings of a `Connection`. */
export interface ConnectionOptions {
  /** The connection's base URL (the Worker's, or the daemon's `https://127.0.0.1:13100`). */
  url: string;
  /** The `hqxc_` connection key (or an `hqvs_` session token). */
  key: string;
  /** PEM of the CA to trust (a local daemon's `tls/ca.pem`); default: the system's roots. */
  ca?: string | Uint8Array;
  /** Entries per listing page, 1-1000 (the server's default is 1000). */
  pageSize?: number;
}

/** A reader of company files through an External Connection. */
export declare class Connection {
  constructor(options: ConnectionOptions);
  /** HQ_CONNECTION_URL, HQ_CONNECTION_KEY, and HQ_CONNECTION_CA_CERT (optional). */
  static fromEnv(env?: Env): Connection;
  /** The connection's base URL. */
  readonly url: string;
  /** Every granted object under `prefix`, across pages. */
  list(prefix?: string): Promise<ObjectInfo[]>;
  /** An object's bytes. */
  get(key: string): Promise<Uint8Array>;
  /** An object's text; not UTF-8 rejects with a `VaultError` of code `binary`. */
  get(key: string, encoding: "utf8" | "utf-8"): Promise<string>;
}
