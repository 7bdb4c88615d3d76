/**
 * Bad input on the hosted forms: oversize bodies and fields, NUL bytes, unexpected or repeated
 * fields, a missing, foreign or `null` Origin, and a replayed, tampered, expired-looking or other
 * form's CSRF token each get a clear page message (or problem+json for non-browsers) with a 4xx —
 * never a 500 — and nothing is applied (no session starts, no failure is counted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../../../test/runtime.ts';
import { createTestBrowser, csrfOf, PASSWORD, seedUser } from './test-support.ts';

const alertOf = (body: string) => /role="alert"[^>]*>([^<]*)</.exec(body)?.[1];

describe('bad input on the sign-in forms', () => {
  let t: TestRuntime;
  let tenantId: string;
  let userId: string;
  beforeAll(async () => {
    t = await createTestRuntime();
    ({ tenantId, userId } = await seedUser(t.services, 'bad', 'frank'));
  });
  afterAll(async () => t?.close());

  async function expectNothingApplied() {
    const sessions = await t.services.accounts.sessions.list(tenantId, { userId });
    expect(sessions).toEqual([]);
    expect((await t.services.accounts.lockout.state(tenantId, userId)).failedAttempts).toBe(0);
  }

  it('refuses CSRF failures with a page message', async () => {
    const b = createTestBrowser(t.app);
    const page = await b.get('/t/bad/sign-in');
    const token = csrfOf(page.body);
    const fields = { login: 'frank', password: PASSWORD };
    const [form, exp, nonce, mac] = token.split('.') as [string, string, string, string];
    const cases: [string, Record<string, string>, { origin?: string | null }][] = [
      ['tampered mac', { csrf: `${form}.${exp}.${nonce}.${mac.slice(0, -2)}AA` }, {}],
      ['tampered expiry', { csrf: `${form}.${Number(exp) + 1000}.${nonce}.${mac}` }, {}],
      ['other form', { csrf: `sign-out.${exp}.${nonce}.${mac}` }, {}],
      ['garbage', { csrf: 'x'.repeat(150) }, {}],
      ['missing origin', { csrf: token }, { origin: null }],
      ['foreign origin', { csrf: token }, { origin: 'https://evil.example' }],
      ['null origin', { csrf: token }, { origin: 'null' }],
    ];
    for (const [name, extra, opts] of cases) {
      const r = await b.post('/t/bad/sign-in', { ...fields, ...extra }, opts);
      expect(r.status, name).toBe(403);
      expect(alertOf(r.body), name).toMatch(/expired or was already sent|another site/);
    }
    // a token from another browser (other binding cookie) is refused too
    const other = createTestBrowser(t.app);
    expect((await other.post('/t/bad/sign-in', { ...fields, csrf: token })).status).toBe(403);
    await expectNothingApplied();
    // the untouched token still works once — and a replay of it is refused
    const ok = await b.post('/t/bad/sign-in', { ...fields, csrf: token });
    expect(ok.status).toBe(303);
    const replay = createTestBrowser(t.app);
    replay.cookies.set('gk_csrf', b.cookies.get('gk_csrf') as string);
    const again = await replay.post('/t/bad/sign-in', { ...fields, csrf: token });
    expect(again.status).toBe(403);
    expect(alertOf(again.body)).toBe('This form expired or was already sent. Please try again.');
    await t.services.accounts.sessions.revokeUser(tenantId, userId, { actor: 'test' });
  });

  it('refuses malformed forms without applying anything', async () => {
    const b = createTestBrowser(t.app);
    const submit = async (fields: Record<string, string>) => {
      const page = await b.get('/t/bad/sign-in');
      return b.post('/t/bad/sign-in', { csrf: csrfOf(page.body), ...fields });
    };
    const unexpected = await submit({ login: 'frank', password: PASSWORD, admin: 'true' });
    expect(unexpected.status).toBe(400);
    expect(alertOf(unexpected.body)).toBe('The form contained unexpected fields and was refused.');
    const longLogin = await submit({ login: 'f'.repeat(300), password: PASSWORD });
    expect(longLogin.status).toBe(400);
    expect(alertOf(longLogin.body)).toMatch(/longer than 254/);
    const longPassword = await submit({ login: 'frank', password: 'p'.repeat(2000) });
    expect(longPassword.status).toBe(400);
    const missing = await submit({ login: 'frank' });
    expect(missing.status).toBe(400);
    const empty = await submit({ login: '', password: PASSWORD });
    expect(empty.status).toBe(400);
    expect(alertOf(empty.body)).toBe('Enter your username or email.');
    const nul = await submit({ login: 'frank\u0000', password: PASSWORD });
    expect(nul.status).toBe(400);
    expect(nul.body).toContain('NUL');
    await expectNothingApplied();
  });

  it('refuses oversize and repeated fields, and answers non-browsers with problem+json', async () => {
    const b = createTestBrowser(t.app);
    const page = await b.get('/t/bad/sign-in');
    const csrf = csrfOf(page.body);
    const big = await b.post('/t/bad/sign-in', { csrf, login: 'frank', password: 'x'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect(big.body).toContain('role="alert"');
    const repeated = await t.app.inject({
      method: 'POST',
      url: '/t/bad/sign-in',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://localhost:80',
        cookie: b.cookieHeader(),
        accept: 'text/html',
      },
      payload: `csrf=${encodeURIComponent(csrf)}&login=frank&login=other&password=x`,
    });
    expect(repeated.statusCode).toBe(400);
    const json = await t.app.inject({
      method: 'POST',
      url: '/t/bad/sign-in',
      headers: { 'content-type': 'application/json' },
      payload: '{"login":"frank"}',
    });
    expect(json.statusCode).toBe(415);
    expect(json.headers['content-type']).toContain('application/problem+json');
    const nul = await t.app.inject({ method: 'GET', url: '/t/bad/sign-in?return_to=%00' });
    expect(nul.statusCode).toBe(400);
    expect(nul.headers['content-type']).toContain('application/problem+json');
    const extra = await t.app.inject({
      method: 'GET',
      url: '/t/bad/sign-in?foo=1',
      headers: { accept: 'text/html' },
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.headers['content-type']).toContain('text/html');
    const unknownTenant = await t.app.inject({
      method: 'GET',
      url: '/t/no-such-tenant/sign-in',
      headers: { accept: 'text/html' },
    });
    expect(unknownTenant.statusCode).toBe(404);
    expect(unknownTenant.body).toContain('Page not found');
    await expectNothingApplied();
  });
});
