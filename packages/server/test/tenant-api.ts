/**
 * Shared scaffolding of the per-capability admin API tests: calls under one tenant's base path that
 * remember the request id of every successful write, the problem-code assertion, the ids every 404
 * case uses, and the check that every remembered write left an audit entry naming its credential.
 */
import { expect } from 'vitest';
import type { AdminTestApp } from './admin.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface CallOptions {
  body?: unknown;
  ifMatch?: string;
  /** A write that changes nothing (no audit entry expected). */
  noop?: boolean;
}

export interface Reply {
  statusCode: number;
  body: string;
  json(): { code: string };
}

/** A well-formed id no row has, and a malformed one: both must answer 404. */
export const GHOST_ID = '01890a5d-ac96-774b-bcce-b302099a8057';
export const BAD_IDS = [GHOST_ID, 'not-a-uuid'];
export const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
/** A 400 comes from schema validation or from the NUL-byte guard in front of it. */
export const BAD_INPUT = ['validation_failed', 'invalid_characters'];

/** Asserts the status and returns the problem document's code. */
export function problemCode(r: Reply, status: number): string {
  expect(r.statusCode, r.body).toBe(status);
  return r.json().code;
}

/**
 * Calls `base + path` with the root token; `writes` collects the request ids of successful writes.
 * `inspect` runs on every response (e.g. to assert a secret never appears).
 */
export function createTenantApi(app: () => AdminTestApp, base: string, inspect?: (r: Reply) => void) {
  const writes: string[] = [];
  async function api(method: Method, path: string, o: CallOptions = {}) {
    const headers = o.ifMatch ? { 'if-match': o.ifMatch } : undefined;
    const r = await app().call(method, `${base}${path}`, { body: o.body, headers });
    inspect?.(r);
    if (method !== 'GET' && r.statusCode < 300 && !o.noop) writes.push(String(r.headers['x-request-id']));
    return r;
  }
  return { api, writes };
}

/**
 * Asserts that every collected write (at least `minimum`) left an audit entry of `tenant` whose actor
 * is the calling credential, and that each of `actions` occurred; returns the tenant's audit rows.
 */
export async function expectWritesAudited(
  t: AdminTestApp,
  tenant: string,
  writes: readonly string[],
  minimum: number,
  actions: readonly string[] = [],
) {
  await t.runtime.audit.flush();
  const rows = await t.runtime.database.db
    .selectFrom('audit_log')
    .selectAll()
    .where('tenant', '=', tenant)
    .execute();
  const byRequest = new Map(rows.map((r) => [r.request_id, r]));
  expect(writes.length).toBeGreaterThan(minimum);
  expect(writes.filter((id) => !byRequest.has(id))).toEqual([]);
  for (const id of writes) expect(byRequest.get(id)!.actor).toMatch(/^credential:/);
  const seen = new Set(rows.map((r) => r.action));
  for (const a of actions) expect(seen).toContain(a);
  return rows;
}
