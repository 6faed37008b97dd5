/** @module Interface hq:vault/tokens@0.1.0 **/
export function tokenLength(): number;
export function mint(kind: TokenKind): string;
export function parse(token: string): TokenKind;
export function reference(token: string): string;
export function referencesEqual(a: string, b: string): boolean;
export function evaluate(rules: TokenRules, nowMs: bigint, path: string | undefined): void;
export function parseDuration(text: string): bigint;
/**
 * # Variants
 * 
 * ## `"connection-key"`
 * 
 * ## `"vault-token"`
 * 
 * ## `"session-token"`
 */
export type TokenKind = 'connection-key' | 'vault-token' | 'session-token';
/**
 * # Variants
 * 
 * ## `"empty"`
 * 
 * ## `"unknown-prefix"`
 * 
 * ## `"wrong-length"`
 * 
 * ## `"bad-character"`
 * 
 * ## `"bad-checksum"`
 */
export type TokenError = 'empty' | 'unknown-prefix' | 'wrong-length' | 'bad-character' | 'bad-checksum';
/**
 * # Variants
 * 
 * ## `"expired"`
 * 
 * ## `"exhausted"`
 * 
 * ## `"revoked"`
 * 
 * ## `"out-of-scope"`
 */
export type TokenDenial = 'expired' | 'exhausted' | 'revoked' | 'out-of-scope';
export interface TokenRules {
  expiresAtMs?: bigint,
  maxUses?: number,
  uses: number,
  revoked: boolean,
  scope: Array<string>,
}
