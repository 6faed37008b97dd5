/** @module Interface hq:vault/entropy@0.1.0 **/
export function fill(len: number): Uint8Array;
