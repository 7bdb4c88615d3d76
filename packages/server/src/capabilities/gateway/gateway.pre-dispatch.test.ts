/**
 * A listening server answers /authz before Fastify (app.ts hands /authz URLs to the handler in
 * endpoint.ts); `app.inject()` reaches the same handler through Fastify routes. Both ways must give
 * the same answer to every request, good or bad: status, reason, identity headers, body. On the
 * socket an answer is one unchunked response with a length, a request id and keep-alive, and a
 * decision the server could not make is a 403 `internal_error`, never a 5xx.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { gatewayTenant } from './test-support.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('/authz before Fastify', () => {
  let t: TestRuntime;
  let g: Awaited<ReturnType<typeof gatewayTenant>>;
  let port = 0;

  beforeAll(async () => {
    t = await createTestRuntime();
    g = await gatewayTenant(t.services, 'acme');
    await g.route('api.example.com', '/public/*', { '*': ['public'] });
    const admin = await g.route('api.example.com', '/admin/*', { '*': ['api_key'] });
    await g.grantClient(admin.id, ['GET']);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t?.close();
  });

  const overSocket = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const injected = async (method: string, path: string, headers: Record<string, string>, body?: string) => {
    const r = await t.app.inject({
      method: method as 'GET',
      url: path,
      headers,
      ...(body ? { payload: body } : {}),
    });
    return { status: r.statusCode, headers: r.headers, body: r.body } as Answer;
  };
  // what must be equal both ways (the request id and the date differ by nature)
  const comparable = (a: Answer) => ({
    status: a.status,
    body: a.body,
    headers: Object.fromEntries(
      Object.entries(a.headers).filter(
        ([k]) => k.startsWith('x-') && k !== 'x-request-id' && k !== 'x-client-ip',
      ),
    ),
    cacheControl: a.headers['cache-control'],
    location: a.headers.location,
    wwwAuthenticate: a.headers['www-authenticate'],
  });
  const nginx = (uri: string, extra: Record<string, string> = {}) => ({
    'x-original-method': 'GET',
    'x-original-host': 'api.example.com',
    'x-original-uri': uri,
    'x-forwarded-proto': 'https',
    ...extra,
  });

  const cases: [string, string, string, () => Record<string, string>, string?][] = [
    ['an allowed public path', 'GET', '/t/acme/authz', () => nginx('/public/x')],
    [
      'a key that may',
      'GET',
      '/t/acme/authz',
      () => nginx('/admin/x', { authorization: `Bearer ${g.serviceToken}` }),
    ],
    ['no credential', 'GET', '/t/acme/authz', () => nginx('/admin/x')],
    ['a bad key', 'GET', '/t/acme/authz', () => nginx('/admin/x', { authorization: 'Bearer gk_svc_nope' })],
    [
      'a method not granted',
      'GET',
      '/t/acme/authz',
      () => nginx('/admin/x', { 'x-original-method': 'DELETE', authorization: `Bearer ${g.serviceToken}` }),
    ],
    ['a path trick', 'GET', '/t/acme/authz', () => nginx('/public/../admin/x')],
    ['an unknown tenant', 'GET', '/t/nope/authz', () => nginx('/public/x')],
    ['an upper-case tenant', 'GET', '/t/ACME/authz', () => nginx('/public/x')],
    ['a bad escape in the tenant', 'GET', '/t/a%ZZ/authz', () => nginx('/public/x')],
    ['the Envoy form', 'GET', '/t/acme/authz/public/x?y=1', () => ({ host: 'api.example.com' })],
    ['the Envoy form, a bad escape', 'GET', '/t/acme/authz/public/%ZZ', () => ({ host: 'api.example.com' })],
    ['the root tenant', 'GET', '/authz', () => nginx('/public/x')],
    ['a trailing slash', 'GET', '/t/acme/authz/', () => nginx('/public/x')],
    ['a query on /authz', 'GET', '/t/acme/authz?x=1', () => nginx('/public/x')],
    ['HEAD', 'HEAD', '/t/acme/authz', () => nginx('/admin/x')],
    [
      'a POST with a JSON body that is not JSON',
      'POST',
      '/t/acme/authz',
      () => nginx('/public/x', { 'content-type': 'application/json' }),
      '{nope',
    ],
    [
      'an unsupported content type',
      'PUT',
      '/t/acme/authz',
      () => nginx('/public/x', { 'content-type': 'text/x-unknown' }),
      'x',
    ],
  ];

  it.each(cases)(
    '%s: the same answer on the socket as through Fastify',
    async (_name, method, path, headers, body) => {
      const [socket, fastify] = [
        await overSocket(method, path, headers(), body),
        await injected(method, path, headers(), body),
      ];
      expect(socket.status).toBeLessThan(500);
      expect(comparable(socket)).toEqual(comparable(fastify));
    },
  );

  it('gives the same status and reason both ways for 300 generated /authz requests, never a 5xx', async () => {
    // a seeded generator: the same cases every run
    let seed = 0x9e3779b9;
    const next = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
    const prefixes = [
      '/authz',
      '/t/acme/authz',
      '/t/nope/authz',
      '/t/ACME/authz',
      '/t/a%2Fb/authz',
      '/t/acme/authz/',
    ];
    const tails = [
      '',
      '/public/x',
      '/admin/x?y=1',
      '/%ZZ',
      '/a%00b',
      '/..%2f..',
      '//x',
      '?q=%ff',
      '/public/%c3%28',
      '/;x',
    ];
    const uris = [
      '/public/x',
      '/admin/x',
      '/public/../admin',
      '/%2e%2e/admin',
      '*',
      'http://evil/x',
      '/a#b',
      '',
    ];
    const methods = ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS', 'PATCH'];
    const extras: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${g.serviceToken}` },
      { authorization: 'Bearer' },
      { authorization: 'Basic Zm9vOmJhcg==' },
      { 'signature-input': 'sig=("@method");keyid="x"', signature: 'sig=:AAAA:' },
      { 'x-forwarded-for': '1.2.3.4, 5.6.7.8' },
      { 'x-original-method': 'BREW' },
      { 'x-original-host': 'API.EXAMPLE.COM:443' },
    ];
    for (let i = 0; i < 300; i++) {
      const method = pick(methods);
      const path = `${pick(prefixes)}${pick(tails)}`;
      const headers = () => ({ ...nginx(pick(uris)), ...pick(extras) });
      const h = headers();
      const [socket, fastify] = [await overSocket(method, path, h), await injected(method, path, h)];
      const label = `${method} ${path} ${JSON.stringify(h)}`;
      expect(socket.status, label).toBeLessThan(500);
      expect([socket.status, socket.headers['x-authz-reason']], label).toEqual([
        fastify.status,
        fastify.headers['x-authz-reason'],
      ]);
    }
  });

  it('answers on the socket in one unchunked response with a length and a request id, keeping the connection', async () => {
    const a = await overSocket('GET', '/t/acme/authz', nginx('/admin/x'));
    expect(a.status).toBe(401);
    expect(a.headers['transfer-encoding']).toBeUndefined();
    expect(a.headers['content-length']).toBe(String(Buffer.byteLength(a.body)));
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers.connection).toBe('keep-alive');
    const kept = await overSocket(
      'GET',
      '/t/acme/authz',
      nginx('/public/x', { 'x-request-id': 'proxy-id.1' }),
    );
    expect(kept.headers['x-request-id']).toBe('proxy-id.1');
  });

  it('leaves every other URL to Fastify', async () => {
    const other = await overSocket('GET', '/t/acme/authzx', {});
    expect(other.status).toBe(404);
    expect(other.headers['content-type']).toContain('application/problem+json');
    const health = await overSocket('GET', '/healthz', {});
    expect(health.status).toBe(200);
  });

  it('turns a decision that failed into a 403 internal_error on the socket', async () => {
    const decide = t.services.gateway.decider.decide;
    t.services.gateway.decider.decide = () => Promise.reject(new Error('boom'));
    try {
      const a = await overSocket('GET', '/t/acme/authz', nginx('/public/x'));
      expect(a.status).toBe(403);
      expect(a.headers['x-authz-reason']).toBe('internal_error');
      expect(a.body).toBe('internal_error\n');
    } finally {
      t.services.gateway.decider.decide = decide;
    }
  });
});
