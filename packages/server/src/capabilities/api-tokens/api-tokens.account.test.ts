/**
 * Self-service API tokens on the account page and the account API (account.ts): a signed-in user
 * creates a personal token (its secret on that answer only, never again — not on the account page,
 * not in the JSON list, not in the database), it works at `/authz` for a route granted to the user,
 * and revoking it on the account page ends it there at once. A user reaches only their own tokens;
 * forms without their CSRF token, cross-origin JSON writes, bad names, scopes and expiries are
 * refused and create nothing; creation and revocation are audited with the user as actor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import {
  createTestBrowser,
  csrfOf,
  decodeHtml,
  ORIGIN,
  PASSWORD,
  seedUser,
} from '../accounts/test-support.ts';
import { askNginx } from '../gateway/test-support.ts';

describe('API tokens on the account page', () => {
  let t: TestRuntime;
  let tenantId: string;
  let userId: string;
  const events: { type: string; actor?: string }[] = [];
  const signIn = async (login: string) => {
    const b = createTestBrowser(t.app);
    const r = await b.submit('/t/shop/sign-in', { login, password: PASSWORD });
    expect(r.status).toBe(303);
    return b;
  };
  const decide = async (secret: string) => {
    const r = await askNginx(t.app, 'shop', {
      host: 'api.shop.example',
      uri: '/orders/1',
      headers: { authorization: `Bearer ${secret}` },
    });
    return r.statusCode === 200 ? 'allowed' : String(r.headers['x-authz-reason']);
  };
  const seedUserId = async (username: string) =>
    (await t.services.users.getByUsername(tenantId, username)).id;
  const mine = async () =>
    (await t.services.apiTokens.list(tenantId, { limit: 100 } as never, { type: 'user', id: userId })).items;

  beforeAll(async () => {
    t = await createTestRuntime();
    ({ tenantId, userId } = await seedUser(t.services, 'shop', 'ines'));
    await seedUser(t.services, 'shop', 'omar');
    const route = await t.services.gateway.config.createRoute(
      tenantId,
      { host: 'api.shop.example', path: '/orders/*', auth: { GET: ['api_key'] } },
      { actor: 'test' },
    );
    await t.services.gateway.config.grant(
      tenantId,
      { routeId: route.id, subjectType: 'user', subject: userId, methods: ['GET'] },
      { actor: 'test' },
    );
    t.runtime.bus.subscribe((e) => {
      events.push(e as never);
    });
  });
  afterAll(async () => t?.close());

  it('creates a token shown once, which works at /authz until it is revoked on the account page', async () => {
    const b = await signIn('ines');
    const account = await b.get('/t/shop/account');
    expect(account.body).toContain('id="api-tokens"');
    expect(account.body).toContain('You have no API tokens.');
    const created = await b.post('/t/shop/account/api-tokens', {
      csrf: csrfOf(account.body, '/t/shop/account/api-tokens'),
      name: 'deploy script',
      scopes: 'orders:read',
      expires: '30',
    });
    expect(created.status).toBe(201);
    expect(created.headers['cache-control']).toContain('no-store');
    const secret = /id="api-token-secret"[^>]*>(gk_pat_[^<]+)</.exec(created.body)?.[1];
    expect(secret).toBeDefined();
    expect(decodeHtml(created.body)).toContain('shown only this once');

    expect(await decide(secret!)).toBe('allowed');
    const [token] = await mine();
    expect(token).toMatchObject({ name: 'deploy script', kind: 'personal', scopes: ['orders:read'] });
    expect(Date.parse(token!.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    // never shown again, nor stored
    const again = await b.get('/t/shop/account');
    expect(again.body).toContain('deploy script');
    expect(again.body).toContain(token!.prefix);
    expect(again.body).not.toContain(secret);
    const listed = await t.app.inject({
      url: '/t/shop/account/api/tokens',
      headers: { cookie: b.cookieHeader() },
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toHaveLength(1);
    expect(listed.body).not.toContain(secret);
    const rows = await t.runtime.database.db.selectFrom('credentials').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(events.find((e) => e.type === 'credential.issued')?.actor).toBe(`user:${userId}`);
    expect(JSON.stringify(events)).not.toContain(secret);

    const revoked = await b.post('/t/shop/account/api-tokens/revoke', {
      csrf: csrfOf(again.body, '/t/shop/account/api-tokens/revoke'),
      id: token!.id,
    });
    expect(revoked.status).toBe(303);
    expect(revoked.location).toBe('/t/shop/account?notice=token_revoked#api-tokens');
    expect(await decide(secret!)).toBe('credential_revoked');
    expect((await b.get('/t/shop/account?notice=token_revoked')).body).toContain('That API token is revoked');
    expect(events.find((e) => e.type === 'credential.revoked')?.actor).toBe(`user:${userId}`);
  });

  it("reaches only the user's own tokens", async () => {
    const { token, secret } = await t.services.apiTokens.create(
      tenantId,
      { owner: { type: 'user', id: userId }, name: 'laptop', scopes: [] },
      { actor: 'test' },
    );
    const other = await signIn('omar');
    const omar = await seedUserId('omar');
    await t.services.apiTokens.create(
      tenantId,
      { owner: { type: 'user', id: omar }, name: 'omar own', scopes: [] },
      { actor: 'test' },
    );
    const page = await other.get('/t/shop/account');
    expect(page.body).not.toContain('laptop');
    const tried = await other.post('/t/shop/account/api-tokens/revoke', {
      csrf: csrfOf(page.body, '/t/shop/account/api-tokens/revoke'),
      id: token.id,
    });
    expect(tried.location).toBe('/t/shop/account?notice=token_unknown#api-tokens');
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/t/shop/account/api/tokens/${token.id}`,
      headers: { cookie: other.cookieHeader(), origin: ORIGIN },
    });
    expect(deleted.statusCode).toBe(404);
    expect(await decide(secret)).toBe('allowed');
  });

  it('creates and revokes through the account JSON API, from this origin only', async () => {
    const b = await signIn('ines');
    const post = (payload: unknown, origin: string | null = ORIGIN) =>
      t.app.inject({
        method: 'POST',
        url: '/t/shop/account/api/tokens',
        headers: {
          cookie: b.cookieHeader(),
          'content-type': 'application/json',
          ...(origin ? { origin } : {}),
        },
        payload: JSON.stringify(payload),
      });
    expect((await post({ name: 'x' }, null)).statusCode).toBe(403);
    expect((await post({ name: 'x' }, 'https://evil.example')).statusCode).toBe(403);
    const made = await post({ name: 'ci', scopes: ['orders:read'], expiresInDays: 7 });
    expect(made.statusCode).toBe(201);
    const body = made.json();
    expect(body.secret).toMatch(/^gk_pat_/);
    expect(await decide(body.secret)).toBe('allowed');
    const del = (id: string, origin: string | null = ORIGIN) =>
      t.app.inject({
        method: 'DELETE',
        url: `/t/shop/account/api/tokens/${id}`,
        headers: { cookie: b.cookieHeader(), ...(origin ? { origin } : {}) },
      });
    expect((await del(body.id, null)).statusCode).toBe(403);
    expect((await del(body.id)).statusCode).toBe(204);
    expect(await decide(body.secret)).toBe('credential_revoked');
    expect((await del(body.id)).statusCode).toBe(404);
    // odd ids and bodies: a 4xx, never a 5xx
    for (const id of ['%00', 'x'.repeat(65), '..%2F..', '%C3%28', '01a23c12-0000-7000-8000-000000000000']) {
      const r = await del(id);
      expect(r.statusCode, id).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, id).toBeLessThan(500);
    }
    for (const payload of [
      {},
      { name: '' },
      { name: 'x', scopes: 'orders:read' },
      { name: 'x', extra: 1 },
      [],
    ])
      expect((await post(payload)).statusCode, JSON.stringify(payload)).toBe(400);
    // without a session: 401
    const anonymous = await t.app.inject({ url: '/t/shop/account/api/tokens' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('refuses bad input and forms without their token, creating nothing', async () => {
    const b = await signIn('ines');
    // each form token is good for one submission: a fresh page for every attempt
    const fresh = async () => csrfOf((await b.get('/t/shop/account')).body, '/t/shop/account/api-tokens');
    const before = (await mine()).length;
    const cases: [Record<string, string>, number][] = [
      [{ name: '   ', scopes: '', expires: '30' }, 400],
      [{ name: 'x', scopes: 'not a scope!', expires: '30' }, 400],
      [{ name: 'x', scopes: '', expires: '12' }, 400],
      [{ name: 'x'.repeat(101), scopes: '', expires: '30' }, 400],
      [{ name: 'x', scopes: '', expires: '30', extra: '1' }, 400],
    ];
    for (const [form, status] of cases) {
      const r = await b.post('/t/shop/account/api-tokens', { csrf: await fresh(), ...form });
      expect(r.status, JSON.stringify(form)).toBe(status);
      expect(r.body).not.toContain('gk_pat_');
    }
    const ok = { name: 'x', scopes: '', expires: '30' };
    expect((await b.post('/t/shop/account/api-tokens', { csrf: 'forged', ...ok })).status).toBe(403);
    const cross = await b.post(
      '/t/shop/account/api-tokens',
      { csrf: await fresh(), ...ok },
      { origin: 'https://evil.example' },
    );
    expect(cross.status).toBe(403);
    expect((await mine()).length).toBe(before);
    // signed out: the form sends to sign-in
    const anonymous = createTestBrowser(t.app);
    const r = await anonymous.post('/t/shop/account/api-tokens', { csrf: await fresh(), ...ok });
    expect(r.status).toBe(303);
    expect(r.location).toContain('/t/shop/sign-in');
  });
});
