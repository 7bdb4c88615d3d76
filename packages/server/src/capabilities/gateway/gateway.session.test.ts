/**
 * The `session` mode through `/authz` (issue 11 §2/§4): a browser's Gatekeeper sign-in cookie names
 * the user (X-User-ID) and is checked against user and role grants; no session, a revoked one,
 * another tenant's, a garbage or oversize cookie and a disabled user are 401s. A browser navigation
 * without a session is sent to the hosted sign-in (302, checked return URL) by Traefik and Envoy,
 * while nginx gets the 401 (its `error_page 401` redirects) and so does every fetch/XHR call; a return
 * URL the tenant's routes do not name (a `*` route) is never redirected to.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectAvailable } from '../../../test/databases.ts';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { askNginx, ctx, gatewayTenant } from './test-support.ts';

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.runIf(dialectAvailable(dialect))(`/authz session [${dialect}]`, () => {
    let t: TestRuntime;
    let g: Awaited<ReturnType<typeof gatewayTenant>>;
    let other: Awaited<ReturnType<typeof gatewayTenant>>;
    let alice: { id: string };
    let bob: { id: string };
    let publicUrl = '';
    let appRouteId = '';

    const signIn = async (tenantId: string, slug: string, userId: string) => {
      const { session, secret } = await t.services.accounts.sessions.create(
        tenantId,
        { userId, amr: ['pwd'], ip: '127.0.0.1', userAgent: 'test' },
        ctx,
      );
      return { session, cookie: `${t.services.accounts.sessions.cookieName(slug)}=${secret}` };
    };

    /** Traefik forwardAuth: the original request in X-Forwarded-*, the client's headers passed on. */
    const askTraefik = (headers: Record<string, string>, uri = '/reports/7?q=1', host = 'app.example.com') =>
      t.app.inject({
        method: 'GET',
        url: '/t/acme/authz',
        remoteAddress: '127.0.0.1',
        headers: {
          'x-forwarded-method': 'GET',
          'x-forwarded-host': host,
          'x-forwarded-uri': uri,
          'x-forwarded-proto': 'https',
          ...headers,
        },
      });
    /** Envoy ext_authz: the original path after the prefix, the original Host. */
    const askEnvoy = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'GET',
        url: '/t/acme/authz/reports/7?q=1',
        remoteAddress: '127.0.0.1',
        headers: { host: 'app.example.com', 'x-forwarded-proto': 'https', ...headers },
      });
    const navigation = { 'sec-fetch-mode': 'navigate', accept: 'text/html,application/xhtml+xml' };
    const reasonOf = (r: LightMyRequestResponse) => r.headers['x-authz-reason'];

    beforeAll(async () => {
      t = await createTestRuntime({ dialect, redis: dialect === 'postgres' });
      publicUrl = t.runtime.settings.get('publicUrl');
      g = await gatewayTenant(t.services, 'acme');
      other = await gatewayTenant(t.services, 'other');
      alice = await t.services.users.create(g.tenantId, { username: 'alice' }, ctx);
      bob = await t.services.users.create(g.tenantId, { username: 'bob' }, ctx);
      const analyst = await t.services.roles.create(
        g.tenantId,
        { name: 'analyst', permissions: ['reports:read'] },
        ctx,
      );
      await t.services.roles.assignToUser(g.tenantId, bob.id, analyst.id, ctx);
      const app = await g.route('app.example.com', '/reports/*', {
        GET: ['session'],
        POST: ['session', 'api_key'],
      });
      appRouteId = app.id;
      await t.services.gateway.config.grant(
        g.tenantId,
        { routeId: app.id, subjectType: 'user', subject: alice.id, methods: ['GET', 'POST'] },
        ctx,
      );
      await t.services.gateway.config.grant(
        g.tenantId,
        { routeId: app.id, subjectType: 'role', subject: 'analyst', methods: ['GET'] },
        ctx,
      );
      await g.grantClient(app.id, ['POST']);
      await g.route('*', '/anywhere/*', { GET: ['session'] });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('allows a signed-in user with a grant and names the user', async () => {
      const { cookie } = await signIn(g.tenantId, 'acme', alice.id);
      const r = await askNginx(t.app, 'acme', {
        host: 'app.example.com',
        uri: '/reports/7',
        headers: { cookie },
      });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['x-user-id']).toBe(alice.id);
      expect(r.headers['x-client-id']).toBeUndefined();
      // among other cookies, as a browser sends them
      const mixed = await askNginx(t.app, 'acme', {
        host: 'app.example.com',
        uri: '/reports/7',
        headers: { cookie: `theme=dark; ${cookie}; _ga=GA1.2.3` },
      });
      expect(mixed.statusCode).toBe(200);
    });

    it('allows a user through a role grant; refuses a user without one (403)', async () => {
      const { cookie } = await signIn(g.tenantId, 'acme', bob.id);
      const r = await askTraefik({ cookie });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['x-user-id']).toBe(bob.id);
      const post = await askTraefik({ cookie, 'x-forwarded-method': 'POST' });
      expect(post.statusCode).toBe(403);
      expect(reasonOf(post)).toBe('not_permitted');
    });

    it('refuses no session, a revoked one, another tenant’s, garbage and an oversize cookie (401, never 5xx)', async () => {
      const ask = (cookie?: string) =>
        askNginx(t.app, 'acme', {
          host: 'app.example.com',
          uri: '/reports/7',
          headers: cookie === undefined ? {} : { cookie },
        });
      const none = await ask();
      expect(none.statusCode).toBe(401);
      expect(reasonOf(none)).toBe('credentials_required');
      expect(none.headers.location).toBeUndefined();

      const { session, cookie } = await signIn(g.tenantId, 'acme', alice.id);
      expect((await ask(cookie)).statusCode).toBe(200);
      await t.services.accounts.sessions.revoke(g.tenantId, session.id, ctx);
      const revoked = await ask(cookie);
      expect(revoked.statusCode).toBe(401);
      expect(reasonOf(revoked)).toBe('session_invalid');

      const carol = await t.services.users.create(other.tenantId, { username: 'carol' }, ctx);
      const foreign = await signIn(other.tenantId, 'other', carol.id);
      expect(reasonOf(await ask(foreign.cookie))).toBe('session_invalid');
      // another tenant's secret under this tenant's cookie name
      const smuggled = `${t.services.accounts.sessions.cookieName('acme')}=${foreign.cookie.split('=')[1]}`;
      expect(reasonOf(await ask(smuggled))).toBe('session_invalid');

      for (const bad of [
        'gk_session_acme=',
        'gk_session_acme=%%%; gk_session_acme=x',
        `gk_session_acme=${'a'.repeat(20_000)}`,
      ]) {
        const r = await ask(bad);
        expect(r.statusCode, bad.slice(0, 40)).toBe(401);
      }
    });

    it('refuses a disabled user’s session', async () => {
      const dave = await t.services.users.create(g.tenantId, { username: 'dave' }, ctx);
      await t.services.gateway.config.grant(
        g.tenantId,
        {
          routeId: appRouteId,
          subjectType: 'user',
          subject: dave.id,
          methods: ['GET'],
        },
        ctx,
      );
      const { cookie } = await signIn(g.tenantId, 'acme', dave.id);
      expect((await askTraefik({ cookie })).statusCode).toBe(200);
      await t.services.users.disable(g.tenantId, dave.id, undefined, ctx);
      const r = await askTraefik({ cookie });
      expect(r.statusCode).toBe(401);
      expect(['user_inactive', 'session_invalid']).toContain(reasonOf(r));
    });

    it('sends a browser navigation without a session to the hosted sign-in behind Traefik and Envoy', async () => {
      const expected = `${publicUrl}/t/acme/sign-in?return_to=${encodeURIComponent('https://app.example.com/reports/7?q=1')}`;
      const traefik = await askTraefik(navigation);
      expect(traefik.statusCode).toBe(302);
      expect(traefik.headers.location).toBe(expected);
      const envoy = await askEnvoy(navigation);
      expect(envoy.statusCode).toBe(302);
      expect(envoy.headers.location).toBe(expected);
      // a revoked or foreign session is the same as none
      expect((await askTraefik({ ...navigation, cookie: 'gk_session_acme=nope' })).statusCode).toBe(302);
    });

    it('answers fetch/XHR calls and nginx with the 401, never a redirect', async () => {
      const calls: Record<string, string>[] = [
        { 'sec-fetch-mode': 'cors', accept: '*/*' },
        { 'sec-fetch-mode': 'navigate', accept: 'application/json' },
        { accept: 'text/html' }, // no Fetch Metadata at all: not known to be a navigation
      ];
      for (const headers of calls) {
        const r = await askTraefik(headers);
        expect(r.statusCode, JSON.stringify(headers)).toBe(401);
        expect(r.headers.location).toBeUndefined();
      }
      const nginx = await askNginx(t.app, 'acme', {
        host: 'app.example.com',
        uri: '/reports/7',
        headers: navigation,
      });
      expect(nginx.statusCode).toBe(401);
      expect(nginx.headers.location).toBeUndefined();
    });

    it('never redirects to a host only a `*` route matches, nor through a smuggled target', async () => {
      const anyHost = await askTraefik(navigation, '/anywhere/x', 'evil.example.net');
      expect(anyHost.statusCode).toBe(401);
      expect(anyHost.headers.location).toBeUndefined();
      for (const uri of ['//evil.example.net/reports/x', '/reports/%2F%2Fevil', '/reports/..%2f..%2fx']) {
        const r = await askTraefik(navigation, uri);
        expect(r.headers.location, uri).toBeUndefined();
        expect([401, 403], uri).toContain(r.statusCode);
      }
    });

    it('tries the modes in order: session or a service token on POST', async () => {
      const token = await askTraefik({
        authorization: `Bearer ${g.serviceToken}`,
        'x-forwarded-method': 'POST',
      });
      expect(token.statusCode, token.body).toBe(200);
      expect(token.headers['x-client-id']).toBe(g.client.clientId);
      const { cookie } = await signIn(g.tenantId, 'acme', alice.id);
      const session = await askTraefik({ cookie, 'x-forwarded-method': 'POST' });
      expect(session.statusCode).toBe(200);
      expect(session.headers['x-user-id']).toBe(alice.id);
      // the 401 names the scheme of the other mode; cookies have none
      const none = await askTraefik({ 'x-forwarded-method': 'POST' });
      expect(none.headers['www-authenticate']).toBe('Bearer realm="acme"');
    });
  });
}
