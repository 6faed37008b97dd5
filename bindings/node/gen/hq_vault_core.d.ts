// world root:component/root
export type * as HqVaultEntropy010 from './interfaces/hq-vault-entropy.js'; // import hq:vault/entropy@0.1.0
export * as patterns from './interfaces/hq-vault-patterns.js'; // export hq:vault/patterns@0.1.0
export * as tokens from './interfaces/hq-vault-tokens.js'; // export hq:vault/tokens@0.1.0
export * as crypto from './interfaces/hq-vault-crypto.js'; // export hq:vault/crypto@0.1.0
export * as audit from './interfaces/hq-vault-audit.js'; // export hq:vault/audit@0.1.0
export * as gate from './interfaces/hq-vault-gate.js'; // export hq:vault/gate@0.1.0
