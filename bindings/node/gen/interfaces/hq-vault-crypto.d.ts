/** @module Interface hq:vault/crypto@0.1.0 **/
export function defaultParams(): KdfParams;
export function challengeMessage(nonce: Uint8Array, identityId: string): Uint8Array;
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): void;
export function argon2id(password: Uint8Array, salt: Uint8Array, secret: Uint8Array, ad: Uint8Array, tCost: number, mCostKib: number, pCost: number, outLen: number): Uint8Array;
export function xchachaSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
export function sha256Hex(data: Uint8Array): string;
/**
 * # Variants
 * 
 * ## `"wrong-passphrase"`
 * 
 * ## `"tampered"`
 * 
 * ## `"bad-format"`
 * 
 * ## `"bad-parameters"`
 * 
 * ## `"out-of-memory"`
 * 
 * ## `"bad-signature"`
 */
export type CryptoError = 'wrong-passphrase' | 'tampered' | 'bad-format' | 'bad-parameters' | 'out-of-memory' | 'bad-signature';
export interface KdfParams {
  salt: Uint8Array,
  tCost: number,
  mCostKib: number,
  pCost: number,
}
export interface NewVault {
  wrappedKey: Uint8Array,
  params: KdfParams,
}

export class KeyReceiver implements Disposable {
  constructor()
  publicKey(): Uint8Array;
  accept(blob: Uint8Array): MasterKey;
  [Symbol.dispose](): void;
}

export class MasterKey implements Disposable {
  /**
   * This type does not have a public constructor.
   */
  private constructor();
  static create(passphrase: string, tCost: number, mCostKib: number, pCost: number): [MasterKey, NewVault];
  static unlock(passphrase: string, params: KdfParams, wrappedKey: Uint8Array): MasterKey;
  rewrap(newPassphrase: string, tCost: number, mCostKib: number, pCost: number): NewVault;
  seal(plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  open(sealed: Uint8Array, aad: Uint8Array): Uint8Array;
  exportTo(recipient: Uint8Array): Uint8Array;
  [Symbol.dispose](): void;
}
