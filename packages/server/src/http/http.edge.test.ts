/**
 * The HTTP edge on its own: problem+json for every kind of client mistake, the NUL-byte guard, the
 * strict-schema check at route registration, and request ids.
 */
import Fastify from 'fastify';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import { registerInputGuards } from './input-guards.ts';
import { registerProblemHandlers } from './problem.ts';
import { assertStrictSchema, Int, Obj, Str } from './schema-kit.ts';

async function edgeApp() {
  const app = Fastify({
    logger: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  });
  registerProblemHandlers(app);
  registerInputGuards(app);
  app.post(
    '/things',
    { schema: { body: Obj({ name: Str({ max: 10 }), count: Int({ max: 100 }) }) } },
    async (req) => ({ ok: true, body: req.body }),
  );
  app.get(
    '/things',
    { schema: { querystring: Obj({ limit: Int({ min: 1, max: 100 }) }) } },
    async (req) => req.query,
  );
  app.get('/boom', async () => {
    throw new Error('database password is hunter2');
  });
  app.get('/gone', async () => {
    throw new AppError('not_found', { detail: 'no such thing' });
  });
  await app.ready();
  return app;
}

describe('HTTP edge', () => {
  it('maps schema violations to 400 validation_failed problem+json', async () => {
    const app = await edgeApp();
    const r = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: 'x'.repeat(11), count: 1 },
    });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.json()).toMatchObject({
      status: 400,
      code: 'validation_failed',
      type: 'urn:gatekeeper:error:validation_failed',
    });
  });

  it('refuses unknown properties instead of dropping them', async () => {
    const app = await edgeApp();
    const r = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: 'a', count: 1, admin: true },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('validation_failed');
  });

  it.each(['Infinity', '1e400', '9007199254740993', '-1', 'NaN'])('refuses the number %s', async (v) => {
    const app = await edgeApp();
    const r = await app.inject({ method: 'GET', url: `/things?limit=${v}` });
    expect(r.statusCode).toBe(400);
  });

  it('refuses a JSON number that overflows to Infinity', async () => {
    const app = await edgeApp();
    const r = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":"a","count":1e400}',
    });
    expect(r.statusCode).toBe(400);
  });

  it('refuses NUL bytes with invalid_characters', async () => {
    const app = await edgeApp();
    const body = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: 'a\u0000b', count: 1 },
    });
    expect(body.statusCode).toBe(400);
    expect(body.json().code).toBe('invalid_characters');
    const query = await app.inject({ method: 'GET', url: '/things?limit=1&x=%00' });
    expect(query.statusCode).toBe(400);
    expect(query.json().code).toBe('invalid_characters');
  });

  it('maps malformed JSON, wrong media type and oversized bodies', async () => {
    const app = await edgeApp();
    const bad = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('invalid_json');
    const media = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'text/csv' },
      payload: 'a,b',
    });
    expect(media.statusCode).toBe(415);
    expect(media.json().code).toBe('unsupported_media_type');
    const big = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: 'x'.repeat(2_000_000), count: 1 },
    });
    expect(big.statusCode).toBe(413);
  });

  it('hides internal errors behind internal_error without details', async () => {
    const app = await edgeApp();
    const r = await app.inject({ method: 'GET', url: '/boom' });
    expect(r.statusCode).toBe(500);
    expect(r.json().code).toBe('internal_error');
    expect(r.body).not.toContain('hunter2');
    expect(r.body).not.toContain('at ');
  });

  it('passes AppError codes and details through; unknown routes are route_not_found', async () => {
    const app = await edgeApp();
    expect((await app.inject({ method: 'GET', url: '/gone' })).json()).toMatchObject({
      status: 404,
      code: 'not_found',
      detail: 'no such thing',
    });
    expect((await app.inject({ method: 'GET', url: '/nope' })).json()).toMatchObject({
      status: 404,
      code: 'route_not_found',
    });
  });
});

describe('strict schema check', () => {
  it('accepts schemas built with the kit', () => {
    expect(() => assertStrictSchema(Obj({ a: Str(), b: Int(), c: Type.Optional(Str()) }), 'x')).not.toThrow();
  });

  it.each([
    [Type.Object({ a: Type.String() }, { additionalProperties: false }), /maxLength/],
    [Type.Object({ a: Type.Integer() }, { additionalProperties: false }), /minimum and maximum/],
    [Type.Object({ a: Str() }), /additionalProperties/],
    [Obj({ a: Type.Array(Str()) }), /maxItems/],
  ])('refuses a lax schema', (schema, message) => {
    expect(() => assertStrictSchema(schema, 'x')).toThrow(message);
  });
});
