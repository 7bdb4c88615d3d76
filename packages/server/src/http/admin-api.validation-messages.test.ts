/**
 * Validation errors read as sentences a person can act on: one message per failing field (not raw
 * Ajv output such as `must be equal to constant` six times or `must match a schema in anyOf`), every
 * failing field reported (bounded), and the stable `code` kept. The `detail` names the fields the way
 * the CLI and the importer do, so every entry point says the same thing about the same input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../test/admin.ts';

interface Problem {
  code: string;
  detail: string;
  errors: { path: string; message: string }[];
}

describe('validation messages', () => {
  let t: AdminTestApp;
  beforeAll(async () => {
    t = await createAdminTestApp();
    await t.tenant('msgs');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('names the allowed values of an enum once', async () => {
    const r = await t.call('GET', '/api/v1/tenants/msgs/users?sort=nope');
    expect(r.statusCode).toBe(400);
    const p = r.json<Problem>();
    expect(p.code).toBe('validation_failed');
    expect(p.errors).toHaveLength(1);
    expect(p.detail).toBe('sort: must be one of username, -username, email, -email, createdAt, -createdAt');
    expect(r.body).not.toMatch(/equal to constant|anyOf/);
  });

  it('reports every failing field: a short password beside a bad email', async () => {
    const r = await t.call('POST', '/api/v1/tenants/msgs/users', {
      body: { username: 'has space', email: 'not-an-email', password: 'short' },
    });
    expect(r.statusCode).toBe(400);
    const p = r.json<Problem>();
    const fields = p.errors.map((e) => e.path).sort();
    expect(fields).toEqual(['body/email', 'body/password', 'body/username']);
    expect(p.detail).toMatch(/password: must be at least 12 characters/);
    expect(p.detail).toMatch(/email: must be an email address/);
    expect(r.body).not.toMatch(/must match pattern/);
  });

  it('explains a nullable field without anyOf jargon', async () => {
    const r = await t.call('POST', '/api/v1/tenants/msgs/users', { body: { username: 'a', locale: 7 } });
    expect(r.statusCode).toBe(400);
    const p = r.json<Problem>();
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]!.path).toBe('body/locale');
    expect(p.errors[0]!.message).not.toMatch(/anyOf|schema/);
  });

  it('names an unknown property and a missing one', async () => {
    const r = await t.call('POST', '/api/v1/tenants/msgs/groups', { body: { nmae: 'x' } });
    const p = r.json<Problem>();
    expect(p.errors.map((e) => `${e.path}: ${e.message}`).sort()).toEqual([
      'body/name: is required',
      'body/nmae: is not a known property',
    ]);
  });

  it('bounds the number of reported errors', async () => {
    const body = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`x${i}`, 1]));
    const r = await t.call('POST', '/api/v1/tenants/msgs/groups', { body: { name: 'ok', ...body } });
    expect(r.statusCode).toBe(400);
    expect(r.json<Problem>().errors.length).toBeLessThanOrEqual(20);
  });

  it('gives the same message for a bad slug over the API as the service gives the CLI', async () => {
    const r = await t.call('POST', '/api/v1/tenants', { body: { slug: 'Bad Slug', displayName: 'x' } });
    expect(r.statusCode).toBe(400);
    const api = r.json<Problem>().detail;
    const fromService = await t.services.tenants
      .create({ slug: 'Bad Slug', displayName: 'x' }, { actor: 'test' })
      .then(
        () => 'created',
        (err: { detail?: string }) => err.detail,
      );
    expect(fromService).toBe(api);
  });
});
