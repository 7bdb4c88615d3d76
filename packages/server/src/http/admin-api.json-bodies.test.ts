/**
 * How the admin API reads request bodies: JSON only (`text/plain` holding JSON is 415, not a
 * confusing 400), duplicate keys refused rather than last-one-wins, prototype-poisoning keys
 * refused, and an operation that takes no body accepts an empty one even when the client labels it
 * `application/json` (as many HTTP clients do for every request).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../test/admin.ts';

describe('admin API request bodies', () => {
  let t: AdminTestApp;
  let userId: string;
  let groupId: string;
  beforeAll(async () => {
    t = await createAdminTestApp();
    await t.tenant('bodies');
    userId = (await t.call('POST', '/api/v1/tenants/bodies/users', { body: { username: 'u1' } })).json<{
      id: string;
    }>().id;
    groupId = (await t.call('POST', '/api/v1/tenants/bodies/groups', { body: { name: 'g1' } })).json<{
      id: string;
    }>().id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const raw = (method: 'POST' | 'PUT' | 'PATCH', url: string, contentType: string, payload: string) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${t.rootToken}`, 'content-type': contentType },
      payload,
    });

  it('answers 415 for a JSON body sent as text/plain', async () => {
    const r = await raw('POST', '/api/v1/tenants/bodies/users', 'text/plain', '{"username":"plain"}');
    expect(r.statusCode, r.body).toBe(415);
    expect(r.json<{ code: string }>().code).toBe('unsupported_media_type');
  });

  it('accepts application/json with a charset', async () => {
    const a = await raw(
      'POST',
      '/api/v1/tenants/bodies/users',
      'application/json; charset=utf-8',
      '{"username":"charset"}',
    );
    expect(a.statusCode, a.body).toBe(201);
  });

  it.each([
    ['at the top level', '{"username":"dup","username":"dup2"}'],
    ['in a nested object', '{"provider":"ldap","subject":"s","data":{"a":1,"a":2}}'],
    ['spelled with an escape', '{"username":"dup3","user\\u006eame":"dup4"}'],
  ])('refuses duplicate keys %s', async (_where, payload) => {
    const url = payload.includes('provider')
      ? `/api/v1/tenants/bodies/users/${userId}/identities`
      : '/api/v1/tenants/bodies/users';
    const r = await raw('POST', url, 'application/json', payload);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json<{ code: string; detail: string }>()).toMatchObject({ code: 'invalid_json' });
    expect(r.json<{ detail: string }>().detail).toMatch(/duplicate key/);
  });

  it('keeps equal keys in different objects and arrays of objects', async () => {
    const r = await raw(
      'POST',
      `/api/v1/tenants/bodies/users/${userId}/identities`,
      'application/json',
      '{"provider":"ldap","subject":"arr","data":{"provider":"x","subject":"y"}}',
    );
    expect(r.statusCode, r.body).toBe(201);
  });

  it('refuses prototype-poisoning keys', async () => {
    for (const payload of [
      '{"username":"p1","__proto__":{"admin":true}}',
      '{"username":"p2","constructor":{"prototype":{"admin":true}}}',
    ]) {
      const r = await raw('POST', '/api/v1/tenants/bodies/users', 'application/json', payload);
      expect(r.statusCode, r.body).toBe(400);
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('still reports malformed JSON as invalid_json', async () => {
    const r = await raw('POST', '/api/v1/tenants/bodies/users', 'application/json', '{"username":');
    expect(r.statusCode).toBe(400);
    expect(r.json<{ code: string }>().code).toBe('invalid_json');
  });

  it('accepts an empty application/json body on operations that take none', async () => {
    const links = [
      `/api/v1/tenants/bodies/groups/${groupId}/members/users/${userId}`,
      `/api/v1/tenants/bodies/users/${userId}/disable`,
    ];
    for (const url of links) {
      const method = url.endsWith('disable') ? 'POST' : 'PUT';
      const r = await raw(method, url, 'application/json', '');
      expect(r.statusCode, `${url} ${r.body}`).toBeLessThan(300);
    }
  });

  it('still refuses an empty body where one is required, naming it', async () => {
    const r = await raw('POST', '/api/v1/tenants/bodies/users', 'application/json', '');
    expect(r.statusCode).toBe(400);
    expect(r.json<{ code: string }>().code).toBe('validation_failed');
  });
});
