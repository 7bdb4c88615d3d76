/**
 * Issue 8: `/metrics`, `/docs` and `/openapi.json` can be restricted — `metricsAccess` and
 * `apiDocsAccess` (public, token, off; runtime settings) and `metricsListen` (a separate address) —
 * and the API reference is branded as Gatekeeper, with enums shown as their values.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminTestApp, createAdminTestApp } from '../../test/admin.ts';

describe('operator endpoints', () => {
  let t: AdminTestApp;
  beforeAll(async () => {
    t = await createAdminTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string, token?: string) =>
    t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('are public by default', async () => {
    expect((await get('/metrics')).statusCode).toBe(200);
    expect((await get('/openapi.json')).statusCode).toBe(200);
    expect((await get('/docs/')).statusCode).toBe(200);
  });

  it('need an admin token (metrics: with metrics:read) when set to token', async () => {
    await t.runtime.settings.set({ metricsAccess: 'token', apiDocsAccess: 'token' }, 'test');
    try {
      const anonymous = await get('/metrics');
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(anonymous.json()).toMatchObject({ code: 'unauthenticated' });
      expect((await get('/metrics', 'gk_adm_garbage')).statusCode).toBe(401);
      const reader = await t.token(null, ['users:read']);
      expect((await get('/metrics', reader)).json()).toMatchObject({ code: 'forbidden' });
      const scraper = await t.token(null, ['metrics:read']);
      const scraped = await get('/metrics', scraper);
      expect(scraped.statusCode).toBe(200);
      expect(scraped.body).toContain('gatekeeper_http_request_duration_seconds');

      expect((await get('/openapi.json')).statusCode).toBe(401);
      expect((await get('/docs/')).statusCode).toBe(401);
      expect((await get('/openapi.json', reader)).statusCode).toBe(200);
      expect((await get('/docs/', reader)).statusCode).toBe(200);
    } finally {
      await t.runtime.settings.set({ metricsAccess: 'public', apiDocsAccess: 'public' }, 'test');
    }
  });

  it('answer 404 when off, even with a token', async () => {
    await t.runtime.settings.set({ metricsAccess: 'off', apiDocsAccess: 'off' }, 'test');
    try {
      for (const url of ['/metrics', '/openapi.json', '/docs/', '/docs/static/index.html'])
        expect((await get(url, t.rootToken)).statusCode, url).toBe(404);
    } finally {
      await t.runtime.settings.set({ metricsAccess: 'public', apiDocsAccess: 'public' }, 'test');
    }
    expect((await get('/metrics')).statusCode).toBe(200);
  });

  it('refuse a setting value that is not a mode', async () => {
    const r = await t.call('PATCH', '/api/v1/settings', { body: { metricsAccess: 'sometimes' } });
    expect(r.statusCode).toBe(400);
    expect((await get('/metrics')).statusCode).toBe(200);
  });

  it('brand the API reference as Gatekeeper and show enums as their values', async () => {
    const page = await get('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Gatekeeper API reference</title>');
    expect(page.body).not.toMatch(/fastify/i);
    // the top bar's logo is replaced by Gatekeeper's, as a data URL
    const initializer = (await get('/docs/static/swagger-initializer.js')).body;
    const logo = /data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)/.exec(initializer);
    expect(Buffer.from(logo![1]!, 'base64').toString()).toContain('Gatekeeper API');
    const document = (await get('/openapi.json')).body;
    // TypeBox writes a union of literals as anyOf of consts: none is left in the document
    expect(document).not.toMatch(/"anyOf":\[\{"const"/);
    expect(document).not.toMatch(/"anyOf":\[\{"type":"string","(const|enum)"/);
    const spec = JSON.parse(document) as {
      paths: Record<string, Record<string, { parameters?: { name: string; schema: { enum?: string[] } }[] }>>;
    };
    const enums = Object.values(spec.paths)
      .flatMap((ops) => Object.values(ops))
      .flatMap((op) => op.parameters ?? [])
      .filter((p) => p.schema?.enum);
    expect(enums.length).toBeGreaterThan(0);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe('metricsListen', () => {
  let t: AdminTestApp;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    t = await createAdminTestApp({ env: { GATEKEEPER_METRICS_LISTEN: `127.0.0.1:${port}` } });
    await t.app.ready();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves /metrics on its own address only, and closes it with the app', async () => {
    const apart = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(apart.status).toBe(200);
    expect(await apart.text()).toContain('process_cpu_user_seconds_total');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
    expect((await t.app.inject('/metrics')).statusCode).toBe(404);
  });
});
