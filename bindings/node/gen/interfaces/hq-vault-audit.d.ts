/** @module Interface hq:vault/audit@0.1.0 **/
export function genesis(): string;
export function encode(event: Event): string;
export function chain(event: Event, prevHash: string): ChainedLine;
export function verify(lines: Array<string>): [bigint, string];
/**
 * # Variants
 * 
 * ## `"allowed"`
 * 
 * ## `"denied"`
 * 
 * ## `"failed"`
 */
export type Outcome = 'allowed' | 'denied' | 'failed';
export interface Event {
  timeMs: bigint,
  actor: string,
  operation: string,
  path?: string,
  outcome: Outcome,
  status: number,
  requestId: string,
  sourceIp: string,
  reason?: string,
}
export interface ChainedLine {
  line: string,
  hash: string,
}
export interface ChainError {
  line: bigint,
  reason: string,
}
