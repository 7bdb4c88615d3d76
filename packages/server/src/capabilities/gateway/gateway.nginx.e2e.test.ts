/**
 * End to end with real nginx (Debian's, `auth_request`) in front of a small upstream that echoes the
 * headers it receives and checks signed bodies against their Content-Digest, and Gatekeeper — all on
 * loopback, ports from the OS. Checks: allow with identity headers at the upstream (spoofed ones
 * overwritten), deny (401 with WWW-Authenticate, 403), 429 with Retry-After, signed requests (RFC 9421
 * and HMAC; a replay refused; a body changed after signing caught by the upstream), the browser
 * redirect to the hosted sign-in, and a path trick refused. nginx runs from the config
 * deploy/nginx shows (nginx-config.ts).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest, verifyContentDigest } from '../../../../client/src/request-signer.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { nginxServerBlock } from './nginx-config.ts';
import { ctx, gatewayTenant } from './test-support.ts';

const nginxAvailable = spawnSync('nginx', ['-v']).status === 0;
const CHROMIUM = '/usr/bin/chromium';
const ADA_PASSWORD = 'violet tractor sings at dawn';
if (process.env.CI && !nginxAvailable)
  throw new Error('nginx must be installed under CI (.ci/run installs nginx-light)');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe.runIf(nginxAvailable)(
  'nginx auth_request in front of an upstream (end to end)',
  { timeout: 60_000 },
  () => {
    let t: TestRuntime;
    let g: Awaited<ReturnType<typeof gatewayTenant>>;
    let upstream: Server;
    let nginx: ChildProcess;
    let dir: string;
    let base = '';
    let gkUrl = '';
    let adaId = '';

    beforeAll(async () => {
      t = await createTestRuntime();
      g = await gatewayTenant(t.services, 'acme');
      const api = await g.route('*', '/api/*', { GET: ['api_key'], POST: ['api_key'] });
      await g.grantClient(api.id, ['GET']);
      const signed = await g.route('*', '/signed/*', { POST: ['hmac'] });
      await g.grantClient(signed.id, ['POST']);
      await g.route('*', '/public/*', { GET: ['public'] });
      // a browser app on the host nginx serves (exact, so the sign-in accepts it as a return URL)
      const app = await g.route('127.0.0.1', '/app/*', { GET: ['session'] });
      const ada = await t.services.users.create(g.tenantId, { username: 'ada', password: ADA_PASSWORD }, ctx);
      adaId = ada.id;
      await t.services.gateway.config.grant(
        g.tenantId,
        { routeId: app.id, subjectType: 'user', subject: ada.id, methods: ['GET'] },
        ctx,
      );
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      gkUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;

      upstream = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          const digest = req.headers['content-digest'] as string | undefined;
          if (digest !== undefined && !verifyContentDigest(digest, body)) {
            res
              .writeHead(400, { 'content-type': 'application/json' })
              .end('{"error":"body does not match Content-Digest"}');
            return;
          }
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ url: req.url, headers: req.headers }));
        });
      });
      await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
      const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

      dir = mkdtempSync(join(tmpdir(), 'gk-nginx-'));
      for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      writeFileSync(
        join(dir, 'nginx.conf'),
        `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 128; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${nginxServerBlock({ listen: `127.0.0.1:${port}`, gatekeeper: gkUrl, tenant: 'acme', upstream: upstreamUrl })}
}
`,
      );
      nginx = spawn(
        'nginx',
        ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      for (let i = 0; i < 100; i++) {
        const up = await fetch(`${base}/public/ping`).then(
          () => true,
          () => false,
        );
        if (up) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    afterAll(async () => {
      if (nginx && nginx.exitCode === null) {
        const exited = new Promise((r) => nginx.once('exit', r));
        nginx.kill('SIGQUIT');
        await exited;
      }
      await new Promise((r) => upstream?.close(r));
      await t?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const get = (path: string, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { headers, redirect: 'manual' });
    /** A request with the raw target as given (fetch would normalize `..`) and any header (fetch sets Sec-Fetch-*). */
    const raw = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
        const u = new URL(base);
        const req = httpRequest({ host: u.hostname, port: u.port, path, headers }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, location: res.headers.location });
        });
        req.on('error', reject);
        req.end();
      });

    it('allows a permitted token and hands the upstream identity headers (spoofed ones overwritten)', async () => {
      const r = await get('/api/items?x=1', {
        authorization: `Bearer ${g.serviceToken}`,
        'x-client-id': 'spoofed',
        'x-user-id': 'spoofed',
      });
      expect(r.status, readFileSync(join(dir, 'error.log'), 'utf8')).toBe(200);
      const seen = (await r.json()) as { url: string; headers: Record<string, string> };
      expect(seen.url).toBe('/api/items?x=1');
      expect(seen.headers['x-client-id']).toBe(g.client.clientId);
      expect(seen.headers['x-client-name']).toBe('acme-svc');
      expect(seen.headers['x-route-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(seen.headers['x-scopes']).toBe('datasets:read');
      expect(seen.headers['x-client-ip']).toBe('127.0.0.1');
      expect(seen.headers['x-user-id']).toBeUndefined();
    });

    it('denies: 401 with WWW-Authenticate without credentials, 403 without a grant, never 5xx', async () => {
      const none = await get('/api/items');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Bearer realm="acme"');
      const garbage = await get('/api/items', { authorization: 'Bearer garbage' });
      expect(garbage.status).toBe(401);
      const post = await fetch(`${base}/api/items`, {
        method: 'POST',
        headers: { authorization: `Bearer ${g.serviceToken}` },
        body: 'x',
      });
      expect(post.status).toBe(403);
      expect((await get('/nowhere')).status).toBe(403);
      expect((await raw('/public/../api/items')).status).toBe(403);
      expect((await raw('/public/%2e%2e/api/items')).status).toBe(403);
      expect((await raw('/public//api/items')).status).toBe(403);
      expect((await raw('/public/x?/../../api/items')).status).toBe(200);
    });

    it('answers 429 with Retry-After when a limit is used up', async () => {
      const { secret, token } = await t.services.apiTokens.create(
        g.tenantId,
        { owner: { type: 'client', id: g.client.id }, name: 'limited', scopes: [] },
        ctx,
      );
      await t.services.gateway.config.setLimit(
        g.tenantId,
        { subjectType: 'token', subject: token.id, burst: 2, burstWindowSeconds: 30 },
        ctx,
      );
      const auth = { authorization: `Bearer ${secret}` };
      const first = await get('/api/items', auth);
      expect(first.status).toBe(200);
      expect(first.headers.get('ratelimit-remaining')).toBe('1');
      expect((await get('/api/items', auth)).status).toBe(200);
      const limited = await get('/api/items', auth);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    });

    it('passes signed requests once, and the upstream catches a body changed after signing', async () => {
      for (const scheme of ['rfc9421', 'hmac'] as const) {
        const body = JSON.stringify({ amount: 10, scheme });
        const headers = await signRequest(
          { method: 'POST', url: `${base}/signed/pay?ref=1`, body },
          { keyId: g.client.clientId, secret: g.hmacSecret },
          { scheme },
        );
        const ok = await fetch(`${base}/signed/pay?ref=1`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body,
        });
        expect(ok.status, `${scheme}: ${readFileSync(join(dir, 'error.log'), 'utf8').slice(-500)}`).toBe(200);
        expect(((await ok.json()) as { headers: Record<string, string> }).headers['x-client-id']).toBe(
          g.client.clientId,
        );
        const replay = await fetch(`${base}/signed/pay?ref=1`, { method: 'POST', headers, body });
        expect(replay.status).toBe(401);
        const fresh = await signRequest(
          { method: 'POST', url: `${base}/signed/pay?ref=1`, body },
          { keyId: g.client.clientId, secret: g.hmacSecret },
          { scheme },
        );
        const tampered = await fetch(`${base}/signed/pay?ref=1`, {
          method: 'POST',
          headers: fresh,
          body: JSON.stringify({ amount: 10_000, scheme }),
        });
        expect(tampered.status).toBe(400);
      }
    });

    it('sends a browser navigation without credentials to the hosted sign-in, an API call gets the 401', async () => {
      const nav = await raw('/api/report?q=1', { 'sec-fetch-mode': 'navigate', accept: 'text/html' });
      expect(nav.status).toBe(302);
      expect(nav.location).toBe(`${gkUrl}/t/acme/sign-in?return_to=${base}/api/report?q=1`);
      const xhr = await raw('/api/report', { 'sec-fetch-mode': 'cors', accept: 'application/json' });
      expect(xhr.status).toBe(401);
    });

    it('session: a signed-in browser reaches the app with its user named; without a session it is sent to sign in', async () => {
      const { session, secret } = await t.services.accounts.sessions.create(
        g.tenantId,
        { userId: adaId, amr: ['pwd'], ip: '127.0.0.1', userAgent: 'test' },
        ctx,
      );
      const cookie = `${t.services.accounts.sessions.cookieName('acme')}=${secret}`;
      const ok = await get('/app/home', { cookie });
      expect(ok.status).toBe(200);
      const seen = (await ok.json()) as { headers: Record<string, string> };
      expect(seen.headers['x-user-id']).toBe(adaId);
      const nav = await raw('/app/home', { 'sec-fetch-mode': 'navigate', accept: 'text/html' });
      expect(nav.status).toBe(302);
      expect(nav.location).toBe(`${gkUrl}/t/acme/sign-in?return_to=${base}/app/home`);
      const xhr = await raw('/app/home', { 'sec-fetch-mode': 'cors', accept: 'application/json' });
      expect(xhr.status).toBe(401);
      await t.services.accounts.sessions.revoke(g.tenantId, session.id, ctx);
      expect((await get('/app/home', { cookie, accept: 'application/json' })).status).toBe(401);
    });

    it.runIf(existsSync(CHROMIUM))(
      'in Chromium: the app sends the browser to sign in, and back to the app once signed in',
      async () => {
        const browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
        });
        try {
          const page = await (await browser.newContext()).newPage();
          await page.goto(`${base}/app/home?tab=1`);
          expect(page.url()).toMatch(new RegExp(`^${gkUrl}/t/acme/sign-in\\?`));
          await page.fill('#login', 'ada');
          await page.fill('#password', ADA_PASSWORD);
          await Promise.all([page.waitForURL(`${base}/app/home?tab=1`), page.click('button[type=submit]')]);
          const seen = JSON.parse((await page.locator('body').innerText()).trim()) as {
            url: string;
            headers: Record<string, string>;
          };
          expect(seen.url).toBe('/app/home?tab=1');
          expect(seen.headers['x-user-id']).toBe(adaId);
        } finally {
          await browser.close();
        }
      },
    );
  },
);
