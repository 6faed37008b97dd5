/** @module Interface hq:vault/patterns@0.1.0 **/
export function normalize(raw: string): string;
export function normalizeAll(raw: Array<string>): Array<string>;
export function checkPath(raw: string): string;
export function checkKey(raw: string): string;
export function allows(patterns: Array<string>, key: string): boolean;
export function planListing(patterns: Array<string>, prefix: string, delimited: boolean): Array<ListingSource>;
/**
 * # Variants
 * 
 * ## `"empty"`
 * 
 * ## `"leading-slash"`
 * 
 * ## `"dot-segment"`
 * 
 * ## `"empty-segment"`
 * 
 * ## `"misplaced-star"`
 * 
 * ## `"backslash"`
 * 
 * ## `"control-character"`
 * 
 * ## `"whitespace"`
 * 
 * ## `"non-ascii"`
 * 
 * ## `"too-long"`
 * 
 * ## `"not-a-key"`
 */
export type PathError = 'empty' | 'leading-slash' | 'dot-segment' | 'empty-segment' | 'misplaced-star' | 'backslash' | 'control-character' | 'whitespace' | 'non-ascii' | 'too-long' | 'not-a-key';
export interface InvalidPattern {
  index: number,
  reason: PathError,
}
export type AllowlistError = AllowlistErrorNone | AllowlistErrorTooMany | AllowlistErrorInvalid;
export interface AllowlistErrorNone {
  tag: 'none',
}
export interface AllowlistErrorTooMany {
  tag: 'too-many',
  val: number,
}
export interface AllowlistErrorInvalid {
  tag: 'invalid',
  val: InvalidPattern,
}
export interface ListingSource {
  prefix: string,
  exact: boolean,
  rollup?: string,
}
