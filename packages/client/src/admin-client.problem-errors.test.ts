/**
 * Error answers from a real server become `GatekeeperApiError` with the problem document's fields:
 * stale If-Match → 412 precondition_failed, unknown resource → 404 not_found, bad credential → 401
 * (the credential never in the message), invalid body → 400 with per-field errors; the request id
 * comes from the problem document and matches the one the client sent.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from './admin-types.ts';
import { GatekeeperApiError, isGatekeeperApiError } from './problem-error.ts';
import { type LiveServer, startLiveServer } from './test-support.ts';

let server: LiveServer;

beforeAll(async () => {
  server = await startLiveServer();
  await server.admin.tenants.create({ slug: 'problems', displayName: 'Problems' });
});
afterAll(() => server?.close());

async function apiError(promise: Promise<unknown>): Promise<GatekeeperApiError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  if (!isGatekeeperApiError(err)) throw err;
  return err;
}

describe('GatekeeperApiError from problem documents', () => {
  it('refuses an update with a stale If-Match: 412 precondition_failed, nothing changed', async () => {
    const { admin } = server;
    const read = await admin.request<Tenant>('GET', '/api/v1/tenants/problems');
    await admin.tenants.update('problems', { displayName: 'First writer' }, { ifMatch: read.etag! });

    const err = await apiError(
      admin.tenants.update('problems', { displayName: 'Lost update' }, { ifMatch: read.etag! }),
    );
    expect(err).toBeInstanceOf(GatekeeperApiError);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'GatekeeperApiError', status: 412, code: 'precondition_failed' });
    expect(err.title).toMatch(/ETag/);
    expect(err.message).toBe(`412 precondition_failed: ${err.title}`);
    expect(isGatekeeperApiError(err, 'precondition_failed')).toBe(true);
    expect(isGatekeeperApiError(err, 'not_found')).toBe(false);

    const stale = await apiError(
      admin.tenants.update('problems', { displayName: 'Lost update' }, { ifMatch: read.data.version }),
    );
    expect(stale.code).toBe('precondition_failed');
    expect((await admin.tenants.get('problems')).displayName).toBe('First writer');
  });

  it('answers an unknown user with 404 not_found and the request id', async () => {
    const err = await apiError(server.admin.users.get('problems', '00000000-0000-0000-0000-000000000000'));
    expect(err).toMatchObject({ status: 404, code: 'not_found' });
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(err.problem.instance).toBe('/api/v1/tenants/problems/users/00000000-0000-0000-0000-000000000000');
  });

  it('takes the request id from the problem document: the one the client sent', async () => {
    const err = await apiError(
      server.admin.request('GET', '/api/v1/tenants/no-such-tenant', { requestId: 'trace-42.client' }),
    );
    expect(err).toMatchObject({ status: 404, code: 'not_found', requestId: 'trace-42.client' });
    expect(err.problem.requestId).toBe('trace-42.client');
  });

  it('answers a wrong token with 401 and never repeats the token', async () => {
    const token = `gk_adm_${'x'.repeat(40)}`;
    const err = await apiError(server.client({ token }).tenants.get('problems'));
    expect(err.status).toBe(401);
    expect(err.code).toBe('invalid_token');
    for (const text of [err.message, err.stack ?? '', inspect(err, { depth: 10 }), JSON.stringify(err)]) {
      expect(text).not.toContain(token);
    }
    const rootToken = server.t.rootToken;
    expect(inspect(await apiError(server.admin.tenants.get('absent')), { depth: 10 })).not.toContain(
      rootToken,
    );
  });

  it('refuses, at construction, a token fetch would echo in its own error (and does not echo it)', () => {
    const token = 'gk_adm_secret\nvalue';
    let caught: unknown;
    try {
      server.client({ token });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect(String(caught)).not.toContain('secret');
  });

  it('carries the per-field errors of a validation failure', async () => {
    const err = await apiError(
      server.admin.users.create('problems', { username: 'has space', email: 'not-an-email' }),
    );
    expect(err).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(err.errors?.length).toBeGreaterThan(0);
    expect(err.errors?.[0]).toEqual({ path: expect.stringMatching(/^body/), message: expect.any(String) });
  });

  it('answers a conflict with 409 conflict', async () => {
    await server.admin.users.create('problems', { username: 'taken' });
    const err = await apiError(server.admin.users.create('problems', { username: 'TAKEN' }));
    expect(err).toMatchObject({ status: 409, code: 'conflict' });
  });
});
