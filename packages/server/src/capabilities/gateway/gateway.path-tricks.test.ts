/**
 * The original request as proxies describe it: path tricks (`..`, `%2e%2e`, `//`, encoded slashes,
 * `;`, a query that looks like a path), malformed and ambiguous original-request headers, untrusted
 * forwarders and the client address they report, Traefik's and Envoy's forms, WebSocket upgrades and
 * gRPC — every one a 401/403 or a correct allow, never a 2xx by mistake and never a 5xx.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { askNginx, ctx, gatewayTenant } from './test-support.ts';

describe('/authz original request', () => {
  let t: TestRuntime;
  let g: Awaited<ReturnType<typeof gatewayTenant>>;
  let port = 0;

  beforeAll(async () => {
    t = await createTestRuntime();
    g = await gatewayTenant(t.services, 'acme');
    await g.route('api.example.com', '/public/*', { '*': ['public'] });
    const admin = await g.route('api.example.com', '/admin/*', { '*': ['api_key'] });
    await g.grantClient(admin.id, ['GET']);
    await g.route('grpc.example.com', '/pkg.Service/*', { POST: ['public'] });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await t?.close();
  });

  const reason = async (uri: string) => {
    const r = await askNginx(t.app, 'acme', { uri });
    return [r.statusCode, r.headers['x-authz-reason'] ?? 'allowed'];
  };

  it.each([
    ['/public/../admin/x', 'suspicious_path'],
    ['/public/%2e%2e/admin/x', 'suspicious_path'],
    ['/public/%2E%2e/admin', 'suspicious_path'],
    ['/public/./x', 'suspicious_path'],
    ['/public//admin', 'suspicious_path'],
    ['//public/x', 'suspicious_path'],
    ['/public/a%2fb', 'suspicious_path'],
    ['/public/a%5cb', 'suspicious_path'],
    ['/public\\..\\admin', 'suspicious_path'],
    ['/public/..;/admin', 'suspicious_path'],
    ['/admin;x=1/a', 'suspicious_path'],
    ['/public/%252e%252e/admin', 'suspicious_path'],
    ['/public/%00', 'suspicious_path'],
    ['/public/%ZZ', 'malformed_target'],
    ['/public/%c3', 'malformed_target'],
    ['http://evil.example/public/x', 'malformed_target'],
    ['*', 'malformed_target'],
    ['/public/x#frag', 'malformed_target'],
    [`/public/${'a'.repeat(9000)}`, 'malformed_target'],
  ])('refuses %s with 403', async (uri, expected) => {
    expect(await reason(uri)).toEqual([403, expected]);
  });

  it('matches on the path only: a query that looks like a path changes nothing', async () => {
    expect(await reason('/public/x?/../admin/x')).toEqual([200, 'allowed']);
    expect(await reason('/admin/x?/public/x')).toEqual([401, 'credentials_required']);
    expect(await reason('/public/%61dmin')).toEqual([200, 'allowed']);
    expect(await reason('/%61dmin/x')).toEqual([401, 'credentials_required']);
  });

  it.each([
    ['no original request', { 'x-original-uri': undefined }, 'missing_original_request'],
    ['a bad method', { 'x-original-method': 'G E T' }, 'malformed_method'],
    ['a lowercase method', { 'x-original-method': 'get' }, 'malformed_method'],
    ['a bad host', { 'x-original-host': 'api.example.com:99999' }, 'malformed_host'],
    ['a host with a path', { 'x-original-host': 'api.example.com/x' }, 'malformed_host'],
    ['no host', { 'x-original-host': undefined }, 'malformed_host'],
    ['both nginx and Traefik headers', { 'x-forwarded-uri': '/public/x' }, 'ambiguous_original_request'],
    ['a strange scheme', { 'x-forwarded-proto': 'gopher' }, 'missing_original_request'],
  ])('refuses %s with 403', async (_name, patch, expected) => {
    const headers: Record<string, string> = {
      'x-original-method': 'GET',
      'x-original-host': 'api.example.com',
      'x-original-uri': '/public/x',
      'x-forwarded-proto': 'https',
    };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete headers[k];
      else headers[k] = v;
    }
    const r = await t.app.inject({ url: '/t/acme/authz', headers });
    expect([r.statusCode, r.headers['x-authz-reason']]).toEqual([403, expected]);
  });

  it('accepts a host with a port, in any case, with a trailing dot', async () => {
    for (const host of ['API.example.com:8443', 'api.example.com.']) {
      const r = await askNginx(t.app, 'acme', { host, uri: '/public/x' });
      expect(r.statusCode, host).toBe(200);
    }
  });

  it('believes original-request and forwarded headers only from trusted forwarders', async () => {
    const r = await askNginx(t.app, 'acme', {
      uri: '/public/x',
      peer: '198.51.100.7',
      headers: { 'x-forwarded-for': '10.0.0.1', 'x-original-client-ip': '10.0.0.2' },
    });
    expect([r.statusCode, r.headers['x-authz-reason']]).toEqual([403, 'untrusted_forwarder']);
    await t.runtime.audit.flush();
    const denied = await t.runtime.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'authz.denied')
      .execute();
    const ips = denied.map((d) => JSON.parse(d.data) as { ip: string; reason: string });
    expect(ips).toContainEqual(
      expect.objectContaining({ reason: 'untrusted_forwarder', ip: '198.51.100.7' }),
    );
  });

  it('takes the client address from X-Original-Client-IP or X-Forwarded-For of a trusted forwarder', async () => {
    const a = await askNginx(t.app, 'acme', {
      uri: '/public/x',
      headers: { 'x-original-client-ip': '198.51.100.42' },
    });
    expect(a.headers['x-client-ip']).toBe('198.51.100.42');
    const b = await askNginx(t.app, 'acme', {
      uri: '/public/x',
      headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.43, 127.0.0.1' },
    });
    expect(b.headers['x-client-ip']).toBe('198.51.100.43');
    const c = await askNginx(t.app, 'acme', { uri: '/public/x', headers: { 'x-forwarded-for': 'garbage' } });
    expect(c.headers['x-client-ip']).toBe('127.0.0.1');
    await t.services.gateway.config.policy(g.tenantId);
  });

  it('refuses a duplicated forwarded header', async () => {
    const r = await t.app.inject({
      url: '/t/acme/authz',
      headers: {
        'x-original-method': 'GET',
        'x-original-host': 'api.example.com',
        'x-original-uri': ['/public/x', '/admin/x'] as never,
      },
    });
    expect([r.statusCode, r.headers['x-authz-reason']]).toEqual([403, 'duplicate_header']);
  });

  it('speaks Traefik forwardAuth', async () => {
    const r = await t.app.inject({
      url: '/t/acme/authz',
      headers: {
        'x-forwarded-method': 'GET',
        'x-forwarded-host': 'api.example.com',
        'x-forwarded-uri': '/admin/x',
        'x-forwarded-proto': 'https',
        authorization: `Bearer ${g.serviceToken}`,
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['x-client-id']).toBe(g.client.clientId);
  });

  it('speaks Envoy ext_authz (method and path after the prefix), over real HTTP', async () => {
    const call = (method: string, path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; reason: string | undefined }>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method, path, headers: { host: 'api.example.com', ...headers } },
          (res) => {
            res.resume();
            resolve({
              status: res.statusCode ?? 0,
              reason: res.headers['x-authz-reason'] as string | undefined,
            });
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect(await call('GET', '/t/acme/authz/public/x?y=1')).toEqual({ status: 200, reason: undefined });
    expect(
      await call('DELETE', '/t/acme/authz/admin/x', { authorization: `Bearer ${g.serviceToken}` }),
    ).toEqual({
      status: 403,
      reason: 'not_permitted',
    });
    expect(await call('GET', '/t/acme/authz/public/../admin/x')).toEqual({
      status: 403,
      reason: 'suspicious_path',
    });
    expect(await call('GET', '/t/acme/authz/public/%2e%2e/admin/x')).toEqual({
      status: 403,
      reason: 'suspicious_path',
    });
    expect(await call('GET', '/t/acme/authz/public/%ZZ')).toEqual({
      status: 403,
      reason: 'malformed_target',
    });
    expect(await call('GET', '/t/acme/authz/public/a%00b')).toEqual({
      status: 403,
      reason: 'suspicious_path',
    });
    expect(await call('GET', '/t/acme/authz/public/x?q=%00')).toEqual({ status: 200, reason: undefined });
    // a WebSocket upgrade is decided like any request
    expect(
      await call('GET', '/t/acme/authz/admin/ws', {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
      }),
    ).toEqual({ status: 401, reason: 'credentials_required' });
  });

  it('decides gRPC requests like others, whatever their content type', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/t/acme/authz/pkg.Service/Method',
      headers: { host: 'grpc.example.com', 'content-type': 'application/grpc', te: 'trailers' },
      payload: Buffer.from([0, 0, 0, 0, 0]),
    });
    expect(r.statusCode, r.body).toBe(200);
    const nginx = await askNginx(t.app, 'acme', {
      method: 'POST',
      host: 'grpc.example.com',
      uri: '/pkg.Service/Other',
    });
    expect(nginx.statusCode).toBe(200);
  });

  it('refuses an unknown or suspended tenant', async () => {
    expect((await askNginx(t.app, 'nope', { uri: '/public/x' })).headers['x-authz-reason']).toBe(
      'tenant_unknown',
    );
    const tenant = await t.services.tenants.get('acme');
    await t.services.tenants.update('acme', { status: 'suspended' }, tenant.version, ctx);
    const r = await askNginx(t.app, 'acme', { uri: '/public/x' });
    expect([r.statusCode, r.headers['x-authz-reason']]).toEqual([403, 'tenant_suspended']);
    const again = await t.services.tenants.get('acme');
    await t.services.tenants.update('acme', { status: 'active' }, again.version, ctx);
  });
});
