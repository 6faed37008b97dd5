/** @module Interface hq:vault/gate@0.1.0 **/
export function credentialReference(authorization: string | undefined): string | undefined;
export function decide(request: ReadRequest, connection: ConnectionRecord | undefined): Decision;
export function notFound(request: ReadRequest, connection: ConnectionRecord): Decision;
export function encodeCursor(source: number, inner: string): string;
export function errorBody(code: string, message: string, requestId: string): string;
export type ListingSource = import('./hq-vault-patterns.js').ListingSource;
export type Event = import('./hq-vault-audit.js').Event;
/**
 * # Variants
 * 
 * ## `"list"`
 * 
 * ## `"object"`
 */
export type Route = 'list' | 'object';
/**
 * # Variants
 * 
 * ## `"active"`
 * 
 * ## `"revoked"`
 */
export type ConnectionStatus = 'active' | 'revoked';
export interface ConnectionRecord {
  id: string,
  companyId: string,
  status: ConnectionStatus,
  keyRef: string,
  patterns: Array<string>,
  companyEnabled: boolean,
}
export interface ReadRequest {
  method: string,
  route: Route,
  path?: string,
  cursor?: string,
  limit?: string,
  delimiter?: string,
  authorization?: string,
  timeMs: bigint,
  requestId: string,
  sourceIp: string,
}
export interface ListPlan {
  sources: Array<ListingSource>,
  startSource: number,
  startInner?: string,
  limit: number,
  delimited: boolean,
}
export type Plan = PlanList | PlanObject;
export interface PlanList {
  tag: 'list',
  val: ListPlan,
}
export interface PlanObject {
  tag: 'object',
  val: string,
}
export interface Decision {
  status: number,
  code: string,
  message: string,
  errorBody: string,
  headers: Array<[string, string]>,
  plan?: Plan,
  audit: Event,
}
